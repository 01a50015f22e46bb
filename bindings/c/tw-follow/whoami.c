/* tw-follow whoami: the user the credentials act as (tw_me), from the store without a
 * request when it knows, else one request. */
#define _POSIX_C_SOURCE 200809L /* POSIX.1-2008, as in every part */

#include "cli.h"

#include <string.h>

/* BEFORE, then TEXT as a JSON string's contents: `"`, `\` and control characters escaped.
 * Hand-written: tw_me gives fields, no JSON, and the tool reads none
 * (test_whoami_prints_who_the_credentials_act_as). */
static void print_json_text(const char *before, const char *text) {
    fputs(before, stdout);
    for (; *text != '\0'; text++) {
        unsigned char c = (unsigned char)*text;
        if (c == '"' || c == '\\') {
            printf("\\%c", c);
        } else if (c < 0x20 || c == 0x7f) {
            printf("\\u%04x", c);
        } else {
            putchar(c);
        }
    }
}

/* Prints "@username (id N)", or with --json {"id":"N","username":"NAME"}, unless quiet. */
TwStatus print_whoami(const TwConfig *config, bool as_json, bool quiet) {
    char *id = NULL, *username = NULL;
    TwStatus status = tw_me(config, &id, &username);
    if (status == TW_STATUS_OK && !quiet && as_json) {
        print_json_text("{\"id\":\"", id);
        print_json_text("\",\"username\":\"", username);
        fputs("\"}\n", stdout);
    } else if (status == TW_STATUS_OK && !quiet) {
        /* A name from the API: shown as the listing of accounts shows names. */
        print_json_text("@", username);
        printf(" (id %s)\n", id);
    }
    tw_string_free(id);
    tw_string_free(username);
    return status;
}

/* `token` on an OAuth 1.0a account (or credentials): it holds no bearer token. Says so
 * in the CLI's words and returns 1; 0 for an OAuth 2.0 config. */
int refuse_token_of_oauth1(const TwConfig *config, const char *account) {
    char *tokens = NULL;
    if (tw_config_get_tokens(config, &tokens) == TW_STATUS_OK) {
        tw_string_free(tokens);
        return 0;
    }
    fprintf(stderr,
            "tw-follow: token: %s%s%s OAuth 1.0a credentials, which have no bearer token to print (OAuth 1.0a signs "
            "each request with the token and its secret); `token` needs an OAuth 2.0 account: save one with "
            "`tw-follow authorize --oauth2 --client-id ID --redirect-uri URI` and pass --account NAME\n",
            account != NULL ? "the account " : "", account != NULL ? account : "these are",
            account != NULL ? " holds" : "");
    return 1;
}
