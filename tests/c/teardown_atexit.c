/*
 * The library used on the main thread, then again from an atexit handler, which
 * runs after exit() has destroyed the main thread's Rust thread-locals (glibc runs
 * thread_local destructors before atexit handlers). Before the fix this aborted
 * the process (exit 134).
 * Usage: teardown_atexit SANDBOX_BASE_URL. Exit 0: every check passed.
 */
#define _POSIX_C_SOURCE 200809L
#include "teardown.h"

#include <stdlib.h>
#include <unistd.h>

static void at_exit(void) {
    exercise_library();
    printf("c teardown (atexit handler): %d passed, %d failed\n", checks - failures,
           failures);
    fflush(stdout);
    if (failures != 0) {
        _exit(1); /* exit() must not be called again from a handler */
    }
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s SANDBOX_BASE_URL\n", argv[0]);
        return 64;
    }
    sandbox_url = argv[1];
    exercise_library(); /* creates this thread's storage */
    if (failures != 0) {
        fprintf(stderr, "the library failed before teardown\n");
        return 1;
    }
    if (atexit(at_exit) != 0) {
        return 70;
    }
    return 0;
}
