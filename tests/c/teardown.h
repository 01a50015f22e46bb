/*
 * Shared by teardown_atexit.c and teardown_thread_key.c: every kind of tw_ call,
 * made where a legacy host makes them at shutdown, after the thread's Rust storage
 * has been torn down (issue 16, item 1). Each call must return its real status;
 * the getters answer without crashing (the last error may no longer be kept, see
 * tw_last_error_message). Built with -std=c99 -Wall -Wextra -Wpedantic -Werror.
 */
#ifndef TWFOLLOW_TESTS_TEARDOWN_H
#define TWFOLLOW_TESTS_TEARDOWN_H

#include "twfollow.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *sandbox_url;
static int failures = 0;
static int checks = 0;

#define CHECK(cond)                                                     \
    do {                                                                \
        checks++;                                                       \
        if (!(cond)) {                                                  \
            failures++;                                                 \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__,      \
                    __LINE__, #cond);                                   \
        }                                                               \
    } while (0)

static int reentries = 0, refused_reentries = 0;

/* A trace hook calling back into its own config: refused (TW_STATUS_REENTERED) even here,
 * where the thread's other storage is gone, and its tw_config_free does nothing. */
static void reenter(void *config, int32_t kind, const char *line) {
    char *token = NULL, *secret = NULL;
    (void)kind;
    (void)line;
    reentries++;
    refused_reentries += tw_config_get_oauth1_tokens(config, &token, &secret, NULL, NULL) == TW_STATUS_REENTERED;
    tw_config_free(config);
}

/* The sandbox's built-in account 1. */
static void exercise_library(void) {
    TwConfig *config = NULL;
    TwConfig *refused = NULL;
    char *json = NULL;
    int64_t limit = -1, remaining = -1, reset = -1;
    TwStatus rate;

    CHECK(tw_config_new("sandbox-consumer-key", "sandbox-consumer-secret",
                        "1500000001-sandboxAccessToken1", "sandbox-token-secret-1",
                        &config) == TW_STATUS_OK);
    CHECK(config != NULL);
    if (config == NULL) {
        return;
    }
    CHECK(tw_config_set_base_url(config, sandbox_url) == TW_STATUS_OK);
    CHECK(tw_config_set_timeout_ms(config, 10000) == TW_STATUS_OK);
    CHECK(tw_config_set_timeout_ms(config, 0) == TW_STATUS_INVALID_ARGUMENT);

    /* A real follow: signed (nonce included), sent, answered, mapped. */
    CHECK(tw_follow(config, "twitterdev", false, &json) == TW_STATUS_OK);
    CHECK(json != NULL && strstr(json, "\"id_str\":\"2244994945\"") != NULL);
    tw_string_free(json);
    json = NULL;
    CHECK(tw_config_set_trace(config, reenter, config) == TW_STATUS_OK);
    CHECK(tw_follow(config, "twitterdev", false, NULL) == TW_STATUS_OK);
    CHECK(reentries > 0 && refused_reentries == reentries);
    CHECK(tw_config_set_trace(config, NULL, NULL) == TW_STATUS_OK);

    /* Failures: refused before sending, and refused by the API. */
    CHECK(tw_follow(config, "not a name!", false, &json) == TW_STATUS_INVALID_ARGUMENT);
    CHECK(tw_follow(config, "@sandbox_me", false, &json) == TW_STATUS_FORBIDDEN);
    CHECK(json == NULL);
    CHECK(tw_follow(NULL, "twitterdev", false, NULL) == TW_STATUS_NULL_ARGUMENT);

    /* The getters: whatever they can still tell, never a crash or NULL. */
    CHECK(tw_last_error_message() != NULL);
    CHECK(tw_last_http_status() == 0 || tw_last_http_status() == 403);
    CHECK(tw_last_api_error_code() == 0 || tw_last_api_error_code() == 158);
    rate = tw_last_rate_limit(&limit, &remaining, &reset);
    CHECK(rate == TW_STATUS_OK || rate == TW_STATUS_NO_RATE_LIMIT);
    CHECK(strcmp(tw_status_str(TW_STATUS_OK), "TW_STATUS_OK: success") == 0);
    CHECK(strcmp(tw_status_str(12345), "unknown status") == 0);
    CHECK(strncmp(tw_version(), "twfollow/", 9) == 0);

    /* A failure retried once: no response (a port bound here but not listening refuses,
     * and no other program can take it meanwhile), a backoff with jitter. */
    int bound = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address;
    socklen_t length = sizeof address;
    char refusing_url[64];
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(0x7f000001); /* 127.0.0.1: INADDR_LOOPBACK is not POSIX */
    CHECK(bound >= 0 && bind(bound, (struct sockaddr *)&address, sizeof address) == 0);
    CHECK(getsockname(bound, (struct sockaddr *)&address, &length) == 0);
    snprintf(refusing_url, sizeof refusing_url, "http://127.0.0.1:%u", (unsigned)ntohs(address.sin_port));
    CHECK(tw_config_set_max_retries(config, 1) == TW_STATUS_OK);
    CHECK(tw_config_set_base_url(config, refusing_url) == TW_STATUS_OK);
    CHECK(tw_follow(config, "twitterdev", false, NULL) == TW_STATUS_NETWORK);
    close(bound);

    CHECK(tw_config_new("k", NULL, "t", "s", &refused) == TW_STATUS_NULL_ARGUMENT);
    CHECK(refused == NULL);
    tw_config_free(config);
    tw_config_free(NULL);
    tw_string_free(NULL);
}

#endif
