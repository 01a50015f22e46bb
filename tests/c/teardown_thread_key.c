/*
 * A worker thread uses the library, then calls it again from a pthread_key_create
 * destructor, which runs after the thread's Rust thread-locals were destroyed
 * (glibc runs thread_local destructors first). Before the fix this aborted the
 * process (exit 134).
 * Usage: teardown_thread_key SANDBOX_BASE_URL. Exit 0: every check passed.
 */
#define _POSIX_C_SOURCE 200809L
#include "teardown.h"

#include <pthread.h>

static pthread_key_t key;
static int destructor_ran = 0;

static void destructor(void *value) {
    (void)value;
    exercise_library();
    destructor_ran = 1;
}

static void *worker(void *unused) {
    (void)unused;
    exercise_library(); /* creates this thread's storage */
    pthread_setspecific(key, &key); /* non-NULL: the destructor will run */
    return NULL;
}

int main(int argc, char **argv) {
    pthread_t thread;
    if (argc != 2) {
        fprintf(stderr, "usage: %s SANDBOX_BASE_URL\n", argv[0]);
        return 64;
    }
    sandbox_url = argv[1];
    if (pthread_key_create(&key, destructor) != 0 ||
        pthread_create(&thread, NULL, worker, NULL) != 0 ||
        pthread_join(thread, NULL) != 0) {
        return 70;
    }
    CHECK(destructor_ran);
    printf("c teardown (pthread key destructor): %d passed, %d failed\n",
           checks - failures, failures);
    return failures == 0 ? 0 : 1;
}
