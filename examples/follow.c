/*
 * The smallest useful twfollow program: follow one user, print the user JSON.
 *
 *   TW_CONSUMER_KEY=... TW_CONSUMER_SECRET=... TW_ACCESS_TOKEN=... \
 *   TW_ACCESS_TOKEN_SECRET=... [TW_API_BASE=http://127.0.0.1:PORT] ./follow @twitterdev
 */
#include "twfollow.h"

#include <stdio.h>

int main(int argc, char **argv) {
    TwConfig *config = NULL;
    char *json = NULL;
    TwStatus status;

    if (argc != 2) {
        fprintf(stderr, "usage: %s @SCREEN_NAME|USER_ID\n", argv[0]);
        return 64;
    }
    status = tw_config_from_env(&config);
    if (status == TW_STATUS_OK) {
        status = tw_follow(config, argv[1], false, &json);
    }
    if (status != TW_STATUS_OK) {
        /* The message already carries the HTTP status and Twitter code, when there were any. */
        fprintf(stderr, "%s\n  %s\n", tw_status_str(status), tw_last_error_message());
        tw_config_free(config);
        return 1;
    }
    printf("%s\n", json);
    tw_string_free(json);
    tw_config_free(config);
    return 0;
}
