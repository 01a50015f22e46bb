/*
 * Follows through the installed C API against the sandbox, as a C program would.
 * Usage: test_follow BASE_URL   (the sandbox's first output line)
 * Built with -std=c99 -Wall -Wextra -Wpedantic -Werror.
 */
#define _POSIX_C_SOURCE 200809L
#include "twfollow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static int failures = 0;
static int checks = 0;

#define CHECK(cond)                                                              \
    do {                                                                         \
        checks++;                                                                \
        if (!(cond)) {                                                           \
            failures++;                                                          \
            fprintf(stderr, "%s:%d: CHECK failed: %s (last error: %s)\n",       \
                    __FILE__, __LINE__, #cond, tw_last_error_message());         \
        }                                                                        \
    } while (0)

static TwConfig *sandbox_config(const char *base_url) {
    TwConfig *config = NULL;
    CHECK(tw_config_new("sandbox-consumer-key", "sandbox-consumer-secret",
                        "1500000001-sandboxAccessToken1", "sandbox-token-secret-1",
                        &config) == TW_STATUS_OK);
    CHECK(config != NULL);
    CHECK(tw_config_set_base_url(config, base_url) == TW_STATUS_OK);
    CHECK(tw_config_set_timeout_ms(config, 10000) == TW_STATUS_OK);
    return config;
}

/* Follows and checks that the returned user is the expected one. */
static int follow_is(const TwConfig *config, const char *target, const char *screen_name) {
    char *json = NULL;
    char needle[64];
    int ok;
    if (tw_follow(config, target, false, &json) != TW_STATUS_OK || json == NULL) {
        return 0;
    }
    snprintf(needle, sizeof needle, "\"screen_name\":\"%s\"", screen_name);
    ok = strstr(json, needle) != NULL;
    tw_string_free(json);
    return ok;
}

static void test_success(const char *base_url) {
    TwConfig *config = sandbox_config(base_url);
    char *json = NULL;
    CHECK(tw_follow(config, "@twitterdev", true, &json) == TW_STATUS_OK);
    CHECK(json != NULL && strstr(json, "\"id_str\":\"2244994945\"") != NULL);
    CHECK(strcmp(tw_last_error_message(), "") == 0);
    CHECK(tw_last_http_status() == 200);
    CHECK(tw_last_api_error_code() == 0);
    tw_string_free(json);
    CHECK(follow_is(config, "2244994945", "twitterdev"));
    CHECK(follow_is(config, "Twitter", "Twitter"));
    CHECK(tw_follow(config, "twitterdev", false, NULL) == TW_STATUS_OK);
    tw_config_free(config);
}

static void test_refusals(const char *base_url) {
    TwConfig *config = sandbox_config(base_url);
    char *json = NULL;
    CHECK(tw_follow(config, "blocker_bob", false, &json) == TW_STATUS_BLOCKED);
    CHECK(json == NULL);
    CHECK(tw_last_http_status() == 403);
    CHECK(tw_last_api_error_code() == 162);
    CHECK(strncmp(tw_last_error_message(), "HTTP 403, error 162: ", 21) == 0);
    CHECK(tw_follow(config, "pending_pat", false, &json) == TW_STATUS_ALREADY_REQUESTED);
    CHECK(tw_follow(config, "nosuchuser", false, &json) == TW_STATUS_NOT_FOUND);
    CHECK(tw_follow(config, "1500000001", false, &json) == TW_STATUS_FORBIDDEN);
    CHECK(tw_follow(config, "not a name", false, &json) == TW_STATUS_INVALID_ARGUMENT);
    CHECK(tw_last_http_status() == 0);
    CHECK(json == NULL);
    tw_config_free(config);
}

static void test_bad_arguments(void) {
    TwConfig *config = NULL;
    char *json = NULL;
    const char bad_utf8[] = {'a', (char)0xff, 0};
    CHECK(tw_config_new(NULL, "b", "c", "d", &config) == TW_STATUS_NULL_ARGUMENT);
    CHECK(strcmp(tw_last_error_message(), "consumer_key is NULL") == 0);
    CHECK(tw_config_new("a", bad_utf8, "c", "d", &config) == TW_STATUS_INVALID_UTF8);
    CHECK(tw_config_new("a", "b", "", "d", &config) == TW_STATUS_INVALID_ARGUMENT);
    CHECK(tw_config_new("a", "b", "c", "d", NULL) == TW_STATUS_NULL_ARGUMENT);
    CHECK(config == NULL);
    CHECK(tw_follow(NULL, "x", false, &json) == TW_STATUS_NULL_ARGUMENT);
    CHECK(tw_config_set_timeout_ms(NULL, 1) == TW_STATUS_NULL_ARGUMENT);
    CHECK(tw_config_set_base_url(NULL, "https://x") == TW_STATUS_NULL_ARGUMENT);
    CHECK(tw_config_set_user_agent(NULL, "x") == TW_STATUS_NULL_ARGUMENT);
    CHECK(json == NULL);
    tw_config_free(NULL);
    tw_string_free(NULL);
    CHECK(strncmp(tw_status_str(TW_STATUS_BLOCKED), "TW_STATUS_BLOCKED", 17) == 0);
    CHECK(strcmp(tw_status_str(12345), "unknown status") == 0);
    CHECK(strcmp(tw_status_str(-1), "unknown status") == 0);
    CHECK(strncmp(tw_version(), "twfollow/", 9) == 0);
}

/*
 * After fork(), parent and child both follow on the config the parent already
 * used (its pool holds a kept-alive connection). The sandbox refuses replayed
 * nonces, and each side checks it got its own answer: shared sockets or shared
 * nonce streams would both fail here.
 */
static void test_fork(const char *base_url) {
    TwConfig *config = sandbox_config(base_url);
    int i, status = 0, parent_ok = 1;
    pid_t child;
    CHECK(follow_is(config, "twitterdev", "twitterdev"));
    child = fork();
    CHECK(child >= 0);
    if (child == 0) {
        int ok = 1;
        for (i = 0; i < 30; i++) {
            ok &= follow_is(config, "Twitter", "Twitter");
        }
        tw_config_free(config);
        _exit(ok ? 0 : 1);
    }
    for (i = 0; i < 30; i++) {
        parent_ok &= follow_is(config, "twitterdev", "twitterdev");
    }
    CHECK(parent_ok);
    CHECK(waitpid(child, &status, 0) == child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    tw_config_free(config);
}

/* Pay-per-use (issue 22): spent credits and a usage cap have their own statuses and
   are sent once; a v2 problem's members, the 24-hour budgets, the request count. */
static void test_pay_per_use(const char *base_url) {
    TwConfig *config = NULL;
    char *json = NULL;
    int64_t v[6] = {0, 0, 0, 0, 0, 0};
    CHECK(tw_config_new("sandbox-creditless-key", "sandbox-creditless-secret",
                        "1500000001-sandboxAccessToken1", "sandbox-token-secret-1",
                        &config) == TW_STATUS_OK);
    CHECK(tw_config_set_base_url(config, base_url) == TW_STATUS_OK);
    CHECK(tw_config_set_max_retries(config, 3) == TW_STATUS_OK);
    CHECK(tw_follow(config, "twitterdev", false, &json) == TW_STATUS_PAYMENT_REQUIRED);
    CHECK(json == NULL && tw_last_http_status() == 402 && tw_last_request_count() == 1);
    CHECK(strcmp(tw_last_problem(TW_PROBLEM_FIELD_TITLE), "CreditsDepleted") == 0);
    CHECK(strstr(tw_last_error_message(), " To fix: add credits") != NULL);
    CHECK(tw_last_reset_at() == 0);
    tw_config_free(config);

    config = NULL;
    CHECK(tw_config_new("sandbox-capped-key", "sandbox-capped-secret",
                        "1500000001-sandboxAccessToken1", "sandbox-token-secret-1",
                        &config) == TW_STATUS_OK);
    CHECK(tw_config_set_base_url(config, base_url) == TW_STATUS_OK);
    CHECK(tw_config_set_max_retries(config, 3) == TW_STATUS_OK);
    CHECK(tw_follow(config, "twitterdev", false, NULL) == TW_STATUS_USAGE_CAPPED);
    CHECK(tw_last_http_status() == 429 && tw_last_request_count() == 1);
    CHECK(strcmp(tw_last_problem(TW_PROBLEM_FIELD_DETAIL), "Usage cap exceeded: Monthly product cap") == 0);
    CHECK(strcmp(tw_last_problem(TW_PROBLEM_FIELD_REASON), "") == 0);
    CHECK(strcmp(tw_last_problem(-1), "") == 0);
    tw_config_free(config);

    config = sandbox_config(base_url);
    CHECK(tw_follow(config, "Twitter", false, NULL) == TW_STATUS_OK);
    CHECK(tw_last_request_count() == 1);
    CHECK(tw_last_day_budgets(&v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) == TW_STATUS_OK);
    CHECK(v[0] > 0 && v[1] < v[0] && v[2] > 0 && v[3] > 0 && v[4] < v[3] && v[5] > 0);
    CHECK(tw_last_day_budgets(NULL, NULL, NULL, NULL, NULL, NULL) == TW_STATUS_OK);
    CHECK(strcmp(tw_last_problem(TW_PROBLEM_FIELD_TITLE), "") == 0);
    /* Refused before sending: nothing sent, no budgets. */
    CHECK(tw_follow(config, "not a name", false, NULL) == TW_STATUS_INVALID_ARGUMENT);
    CHECK(tw_last_request_count() == 0);
    CHECK(tw_last_day_budgets(&v[0], NULL, NULL, NULL, NULL, NULL) == TW_STATUS_NO_RATE_LIMIT);
    tw_config_free(config);
}

/* The library's own data as fields, with no JSON parser: a relationship's flags
   (known / set bits) and the fields of the token JSON. */
static void test_relationship_and_token_json_fields(const char *base_url) {
    TwConfig *config = sandbox_config(base_url);
    uint32_t known = 0, set = 0;
    char *json = NULL, *access = NULL, *refresh = NULL, *scope = NULL;
    int64_t expires_at = -1;
    const uint32_t requests = TW_RELATIONSHIP_FLAG_FOLLOW_REQUEST_SENT | TW_RELATIONSHIP_FLAG_FOLLOW_REQUEST_RECEIVED;

    CHECK(tw_relationship_ex(config, "pending_pat", &known, &set, &json) == TW_STATUS_OK);
    CHECK(tw_last_request_count() == 1);
    CHECK(json != NULL && strstr(json, "\"follow_request_sent\":true") != NULL);
    CHECK((set & TW_RELATIONSHIP_FLAG_FOLLOW_REQUEST_SENT) != 0);
    CHECK((known & TW_RELATIONSHIP_FLAG_FOLLOWING) != 0 && (set & TW_RELATIONSHIP_FLAG_FOLLOWING) == 0);
    tw_string_free(json);
    /* API 1.1 says nothing of requests to a public account: unknown, not false. */
    CHECK(tw_relationship_ex(config, "twitterdev", &known, &set, NULL) == TW_STATUS_OK);
    CHECK((known & requests) == 0 && (set & ~known) == 0);
    CHECK((known & TW_RELATIONSHIP_FLAG_BLOCKED_BY) != 0);
    known = set = 7;
    CHECK(tw_relationship_ex(config, "nobody_here", &known, &set, NULL) == TW_STATUS_NOT_FOUND);
    CHECK(tw_relationship_ex(config, "twitterdev", NULL, &set, NULL) == TW_STATUS_NULL_ARGUMENT);
    CHECK(tw_last_request_count() == 0 && known == 7 && set == 7);
    tw_config_free(config);

    CHECK(tw_oauth2_tokens_from_json("{\"access_token\":\"A-1\",\"refresh_token\":null,\"expires_at\":1900000000,"
                                     "\"scope\":\"follows.write\"}",
                                     &access, &refresh, &expires_at, &scope) == TW_STATUS_OK);
    CHECK(access != NULL && strcmp(access, "A-1") == 0 && refresh == NULL);
    CHECK(expires_at == 1900000000 && scope != NULL && strcmp(scope, "follows.write") == 0);
    tw_string_free(access);
    tw_string_free(scope);
    access = scope = NULL;
    CHECK(tw_oauth2_tokens_from_json("{\"refresh_token\":\"R-secret-1\"}", &access, &refresh, &expires_at, &scope) ==
          TW_STATUS_INVALID_ARGUMENT);
    CHECK(strcmp(tw_last_error_message(), "the tokens JSON has no access_token") == 0);
    CHECK(tw_oauth2_tokens_from_json("", &access, &refresh, &expires_at, &scope) == TW_STATUS_INVALID_ARGUMENT);
    CHECK(tw_oauth2_tokens_from_json(NULL, &access, &refresh, &expires_at, &scope) == TW_STATUS_NULL_ARGUMENT);
    CHECK(access == NULL && refresh == NULL && scope == NULL && expires_at == 1900000000);
}

static int is(const char *value, const char *expected) {
    return value != NULL && strcmp(value, expected) == 0;
}

/*
 * The library's own data as fields, without a JSON parser: the OAuth 1.0a token and
 * its user, the store's accounts, an import's names (in a store of its own).
 */
static void test_fields(const char *base_url) {
    TwConfig *config = sandbox_config(base_url);
    char dir[] = "/tmp/twfollow-c-fields-XXXXXX", store[64], twurlrc[64], lock[80];
    char *token = NULL, *secret = NULL, *user_id = NULL, *screen_name = NULL, *saved = NULL;
    char *name = NULL, *kind = NULL, *app = NULL, *names = NULL;
    int64_t expires_at = -1;
    bool refreshable = true, is_default = false;
    uint32_t count = 99;
    FILE *file;

    /* Four credentials: the token, and no user known yet. */
    CHECK(tw_config_get_oauth1_tokens(config, &token, &secret, &user_id, &screen_name) == TW_STATUS_OK);
    CHECK(is(token, "1500000001-sandboxAccessToken1") && is(secret, "sandbox-token-secret-1"));
    CHECK(user_id == NULL && screen_name == NULL);
    tw_string_free(token);
    tw_string_free(secret);

    CHECK(mkdtemp(dir) != NULL);
    snprintf(store, sizeof store, "%s/accounts.json", dir);
    snprintf(lock, sizeof lock, "%s.lock", store);
    snprintf(twurlrc, sizeof twurlrc, "%s/twurlrc", dir);
    /* Saving learns the user (one GET 2/users/me): the config knows it from then on. */
    CHECK(tw_store_save_account(config, store, NULL, &saved) == TW_STATUS_OK && is(saved, "sandbox_me"));
    tw_string_free(saved);
    CHECK(tw_config_get_oauth1_tokens(config, NULL, NULL, &user_id, &screen_name) == TW_STATUS_OK);
    CHECK(is(user_id, "1500000001") && is(screen_name, "sandbox_me"));
    tw_string_free(user_id);
    tw_string_free(screen_name);

    CHECK(tw_store_account_fields(store, 0, &name, &kind, &screen_name, &user_id, &app, &expires_at, &refreshable,
                                  &is_default, &count) == TW_STATUS_OK);
    CHECK(is(name, "sandbox_me") && is(kind, "oauth1") && is(screen_name, "sandbox_me"));
    CHECK(is(user_id, "1500000001") && is(app, "sandbox-consumer-key"));
    CHECK(expires_at == 0 && !refreshable && is_default && count == 1);
    tw_string_free(name);
    tw_string_free(kind);
    tw_string_free(screen_name);
    tw_string_free(user_id);
    tw_string_free(app);
    /* Past the end: no name, the count. */
    name = kind = (char *)"untouched";
    CHECK(tw_store_account_fields(store, 1, &name, &kind, NULL, NULL, NULL, NULL, NULL, NULL, &count) ==
          TW_STATUS_OK);
    CHECK(name == NULL && kind == NULL && count == 1);
    CHECK(tw_store_account_fields("", 0, &name, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL) ==
          TW_STATUS_INVALID_ARGUMENT);
    CHECK(name == NULL);

    file = fopen(twurlrc, "w");
    CHECK(file != NULL);
    if (file != NULL) {
        fputs("---\nprofiles:\n  sandbox_2:\n    sandbox-consumer-key:\n      username: sandbox_2\n"
              "      consumer_key: sandbox-consumer-key\n      consumer_secret: sandbox-consumer-secret\n"
              "      token: 1500000002-sandboxAccessToken2\n      secret: sandbox-token-secret-2\n",
              file);
        fclose(file);
    }
    count = 99;
    CHECK(tw_store_import_names(store, "twurl", twurlrc, &names, &count) == TW_STATUS_OK);
    CHECK(is(names, "sandbox_2\n") && count == 1);
    tw_string_free(names);
    names = NULL;
    CHECK(tw_store_import_names(store, NULL, twurlrc, &names, &count) == TW_STATUS_NULL_ARGUMENT);
    CHECK(names == NULL && count == 1);
    CHECK(tw_store_account_fields(store, 0, &name, NULL, NULL, NULL, NULL, NULL, NULL, NULL, &count) ==
          TW_STATUS_OK);
    CHECK(is(name, "sandbox_2") && count == 2); /* sorted by name: '2' before 'm' */
    tw_string_free(name);

    CHECK(tw_config_get_oauth1_tokens(NULL, &token, NULL, NULL, NULL) == TW_STATUS_NULL_ARGUMENT);
    remove(twurlrc);
    remove(store);
    remove(lock);
    rmdir(dir);
    tw_config_free(config);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s SANDBOX_BASE_URL\n", argv[0]);
        return 64;
    }
    test_success(argv[1]);
    test_refusals(argv[1]);
    test_bad_arguments();
    test_fields(argv[1]);
    test_pay_per_use(argv[1]);
    test_relationship_and_token_json_fields(argv[1]);
    test_fork(argv[1]);
    printf("c: %d passed, %d failed\n", checks - failures, failures);
    return failures == 0 ? 0 : 1;
}
