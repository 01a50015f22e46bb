/*
 * A program (or an LD_PRELOAD shim) that defines a function named like one of the
 * library's exports does not catch the library's other exports: tw_follow does not
 * reach tw_follow_ex through the symbol table. Usage: own_tw_follow_ex. Exit 0: passed.
 */
#include "twfollow.h"

#include <stdio.h>

static int own_calls = 0;

enum TwStatus tw_follow_ex(const struct TwConfig *config, const char *target, bool notify,
                           enum TwFollowOutcome *out_outcome, char **out_json) {
    (void)config;
    (void)target;
    (void)notify;
    (void)out_outcome;
    (void)out_json;
    own_calls++;
    return TW_STATUS_INTERNAL;
}

int main(void) {
    int failed = tw_follow(NULL, "twitterdev", false, NULL) != TW_STATUS_NULL_ARGUMENT || own_calls != 0;
    printf("c own tw_follow_ex: %d passed, %d failed\n", !failed, failed);
    return failed;
}
