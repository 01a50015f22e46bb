/* tw-follow's signals: SIGINT, SIGTERM and SIGHUP wait while an OAuth 2.0 refresh is in
 * flight (tw_refreshes_in_flight), so that X's rotated refresh token reaches the store
 * before the process dies; then the process dies of the signal as it asked (the shell
 * sees 128 + n). Outside a refresh they act at once, as without handlers. */

#include "cli.h"

#include <signal.h>

static const int DEFERRED_SIGNALS[] = {SIGINT, SIGTERM, SIGHUP};

/* The signal that arrived during a refresh, 0 for none. */
static volatile sig_atomic_t deferred_signal = 0;

/* Dies of SIGNUM as if no handler had been installed: its default action restored, then
 * raised. Outside the handler it acts at once; inside, where every signal is blocked, it
 * acts as the handler returns and the mask is restored (before any other code runs).
 * Async-signal-safe. */
static void die_of(int signum) {
    (void)signal(signum, SIG_DFL);
    (void)raise(signum);
}

static void on_signal(int signum) {
    if (tw_refreshes_in_flight() > 0) {
        deferred_signal = signum; /* the library is between sending a refresh and saving its answer */
        return;
    }
    die_of(signum);
}

void defer_signals_during_refreshes(void) {
    struct sigaction action = {.sa_handler = on_signal, .sa_flags = SA_RESTART};
    sigfillset(&action.sa_mask); /* the handler runs alone: only an atomic read, then perhaps die_of */
    for (size_t i = 0; i < sizeof DEFERRED_SIGNALS / sizeof DEFERRED_SIGNALS[0]; i++) {
        struct sigaction old;
        /* A signal the shell ignores (nohup, a background job's SIGINT) stays ignored. */
        if (sigaction(DEFERRED_SIGNALS[i], NULL, &old) != 0 || old.sa_handler != SIG_IGN) {
            (void)sigaction(DEFERRED_SIGNALS[i], &action, NULL);
        }
    }
}

void deliver_deferred_signal(void) {
    int signum = deferred_signal;
    if (signum != 0) {
        die_of(signum);
    }
}
