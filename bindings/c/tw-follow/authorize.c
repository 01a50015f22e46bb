/* tw-follow authorize: a user's tokens by OAuth 1.0a (PIN or callback) or OAuth 2.0
 * (PKCE), saved in the token store or printed as export lines. */
#define _POSIX_C_SOURCE 200809L /* POSIX.1-2008, as in every part */

#include "cli.h"

#include <stdlib.h>
#include <string.h>

/* ---- tw-follow authorize: getting a user's tokens (OAuth 1.0a PIN, OAuth 2.0 PKCE) ----
 *
 * twurl's habit: the URL to open goes to stderr, the PIN (or the redirected URL) is
 * read from stdin, and stdout gets only lines a shell can eval:
 *   eval "$(tw-follow authorize)"
 * Values are single-quoted; anything the server sends outside them is filtered, so a
 * hostile answer cannot inject a command into that eval. */

/* Where authorize saves: NULL, NULL = the store rule's path, the screen name. */
struct saving {
    bool exports; /* print export lines instead, save nothing */
    const char *store;
    const char *account;
};

/* The saving step of authorize: the config's user into the store, and where on stderr.
 * Frees the config. */
static int save_authorized(TwConfig *config, const struct saving *saving) {
    char *name = NULL, *path = NULL;
    TwStatus status = tw_store_save_account(config, saving->store, saving->account, &name);
    if (status == TW_STATUS_OK) {
        status = tw_store_path(saving->store, &path);
    }
    tw_config_free(config);
    if (status != TW_STATUS_OK) {
        tw_string_free(name);
        return report(status);
    }
    fprintf(stderr, "tw-follow: saved account %s to %s\n", name, path);
    if (env_user_token()) {
        fprintf(stderr,
                "tw-follow: note: a user token is set in the environment, and it wins over the store's default "
                "account: unset it, or follow with --account %s\n",
                name);
    }
    tw_string_free(name);
    tw_string_free(path);
    return 0;
}

/* Ends authorize with CODE (report(): "STATUS: message"; report_configuration(): the app's settings
 * refused before anything was shown, 78), the config freed. */
static int failed(int code, TwConfig *config) {
    tw_config_free(config);
    return code;
}

static int authorize_oauth1(const char *base_url, const char *callback, bool paste, unsigned wait,
                            const struct saving *saving) {
    static char pin[MAX_INPUT_LINE + 2];
    struct question question = {NULL, NULL, {"oauth_token", "denied"}, NULL,
                                "Then type the PIN it shows and press Enter:\n", "PIN"};
    char *token = NULL, *token_secret = NULL, *url = NULL, *verifier;
    char *access = NULL, *access_secret = NULL, *user_id = NULL, *screen_name = NULL;
    TwConfig *config = NULL;
    TwStatus status;
    int got, refusal = 0, ok;
    if (!is_set("TW_CONSUMER_KEY") || !is_set("TW_CONSUMER_SECRET")) {
        fprintf(stderr, "tw-follow: set TW_CONSUMER_KEY and TW_CONSUMER_SECRET to your app's API key and secret\n");
        return EXIT_CONFIG;
    }
    status = tw_config_new_app(getenv("TW_CONSUMER_KEY"), getenv("TW_CONSUMER_SECRET"), &config);
    if (status == TW_STATUS_OK && base_url != NULL) {
        status = tw_config_set_base_url(config, base_url);
    }
    if (status != TW_STATUS_OK) {
        return failed(report_configuration(status), config);
    }
    status = tw_oauth1_request_token(config, callback != NULL ? callback : "oob", &token, &token_secret, &url);
    if (status != TW_STATUS_OK) {
        return failed(report(status), config);
    }
    question.page = url;
    question.expected = token; /* the 1.0a callback's "state" */
    if (callback != NULL) {
        question.redirect = callback;
        question.paste_prompt = "The browser is then sent to %s?oauth_token=...&oauth_verifier=... (that page\n"
                                "may fail to load: it does not matter). Paste that whole address (or just its "
                                "oauth_verifier) and press Enter:\n";
        question.what = "redirected address or verifier";
    }
    got = ask_user(&question, paste, wait, pin);
    tw_string_free(url);
    verifier = got ? callback_verifier(pin, token, &refusal) : NULL;
    if (verifier == NULL) {
        wipe_text(pin);
        tw_string_free(token);
        tw_string_free(token_secret);
        return failed(got ? refusal : EXIT_DATAERR, config);
    }
    status = tw_oauth1_access_token(config, token, token_secret, verifier, NULL);
    wipe_text(verifier);
    wipe_text(pin);
    tw_string_free(token);
    tw_string_free(token_secret);
    if (status != TW_STATUS_OK) {
        return failed(report(status), config);
    }
    if (!saving->exports) {
        return save_authorized(config, saving);
    }
    /* The config knows its user after tw_oauth1_access_token: NULL ids are a library fault. */
    ok = tw_config_get_oauth1_tokens(config, &access, &access_secret, &user_id, &screen_name) == TW_STATUS_OK &&
         user_id != NULL && screen_name != NULL;
    if (ok) {
        print_export(stdout, "TW_ACCESS_TOKEN", access);
        print_export(stdout, "TW_ACCESS_TOKEN_SECRET", access_secret);
        fputs("# user_id ", stdout);
        print_comment_value(stdout, user_id);
        fputs(" screen_name ", stdout);
        print_comment_value(stdout, screen_name);
        fputc('\n', stdout);
    }
    tw_string_free(access);
    tw_string_free(access_secret);
    tw_string_free(user_id);
    tw_string_free(screen_name);
    tw_config_free(config);
    if (!ok) {
        fputs("TW_STATUS_BAD_RESPONSE: the library's access token answer could not be read\n", stderr);
        return EXIT_PROTOCOL;
    }
    return tokens_written(stdout, "tokens") ? 0 : EXIT_IOERR;
}

static int authorize_oauth2(const char *base_url, const char *client_id, const char *client_secret,
                            const char *redirect_uri, const char *scope, bool paste, unsigned wait,
                            const struct saving *saving) {
    static char answer[MAX_INPUT_LINE + 2];
    struct question question = {NULL, NULL, {"state", NULL}, NULL,
                                "The browser is then sent to %s?state=...&code=... (that page may fail\n"
                                "to load: it does not matter). Paste that whole address (or just its code) and "
                                "press Enter:\n",
                                "redirected address or code"};
    char *url = NULL, *state = NULL, *verifier = NULL;
    struct oauth2_tokens held;
    TwConfig *config = NULL;
    TwStatus status;
    int got, ok;
    status = tw_config_new_oauth2(client_id, client_secret, &config);
    if (status == TW_STATUS_OK && base_url != NULL) {
        status = tw_config_set_base_url(config, base_url);
    }
    if (status == TW_STATUS_OK) {
        /* Checks redirect_uri and scope before anything is shown. */
        status = tw_oauth2_authorize_url(config, redirect_uri, scope, &url, &state, &verifier);
    }
    if (status != TW_STATUS_OK) {
        return failed(report_configuration(status), config);
    }
    question.page = url;
    question.redirect = redirect_uri;
    question.expected = state;
    got = ask_user(&question, paste, wait, answer);
    tw_string_free(url);
    if (!got) {
        tw_string_free(state);
        tw_string_free(verifier);
        return failed(EXIT_DATAERR, config);
    }
    status = tw_oauth2_exchange_code(config, redirect_uri, answer, state, verifier, NULL);
    wipe_text(answer);
    tw_string_free(state);
    tw_string_free(verifier);
    if (status != TW_STATUS_OK) {
        return failed(report(status), config);
    }
    if (!saving->exports) {
        return save_authorized(config, saving);
    }
    print_export(stdout, "TW_OAUTH2_CLIENT_ID", client_id);
    /* The config holds the tokens the exchange returned. */
    ok = get_oauth2_tokens(config, &held);
    if (ok) {
        print_oauth2_exports(stdout, &held);
        fputs("# scope ", stdout);
        print_comment_value(stdout, held.scope);
        fputc('\n', stdout);
    }
    if (ok && client_secret != NULL) {
        fputs("# a confidential client: export TW_OAUTH2_CLIENT_SECRET too, or refreshes are refused\n", stdout);
    }
    free_oauth2_tokens(&held);
    tw_config_free(config);
    if (!ok) {
        fputs("TW_STATUS_BAD_RESPONSE: the library's token answer could not be read\n", stderr);
        return EXIT_PROTOCOL;
    }
    if (!tokens_written(stdout, "tokens")) {
        return EXIT_IOERR;
    }
    if (is_set("TW_ACCESS_TOKEN")) {
        fputs("tw-follow: note: TW_ACCESS_TOKEN is set, and OAuth 1.0a wins: unset TW_ACCESS_TOKEN to follow "
              "with these OAuth 2.0 tokens\n",
              stderr);
    }
    return 0;
}

/* tw-follow authorize [OPTIONS]: argv[0] is "authorize". */
int authorize_main(int argc, char **argv) {
    const char *base_url = NULL, *client_id = NULL, *client_secret = NULL, *redirect_uri = NULL, *scope = NULL;
    const char *callback = NULL, *wait_text = NULL;
    bool help = false, oauth2 = false, paste = false, secret_in_argv;
    unsigned wait = LISTEN_WAIT_SECONDS;
    struct saving saving = {false, NULL, NULL};
    const struct option_spec specs[] = {
        {"--help", &help, NULL},           {"-h", &help, NULL},
        {"--oauth2", &oauth2, NULL},       {"--exports", &saving.exports, NULL},
        {"--paste", &paste, NULL},         {"--store", NULL, &saving.store},
        {"--account", NULL, &saving.account}, {"--base-url", NULL, &base_url},
        {"--client-id", NULL, &client_id}, {"--client-secret", NULL, &client_secret},
        {"--redirect-uri", NULL, &redirect_uri}, {"--scope", NULL, &scope},
        {"--callback", NULL, &callback},   {"--wait", NULL, &wait_text},
        {NULL, NULL, NULL}};
    int i;
    for (i = 1; i < argc && !help; i++) {
        const char *wait_before = wait_text;
        if (!take_option(specs, argc, argv, &i)) {
            return usage_error("authorize", "unknown or incomplete option %s", argv[i]);
        }
        if (wait_text != wait_before) { /* checked as it is read: a bad value is never passed over */
            char *end = NULL;
            unsigned long seconds = strtoul(wait_text, &end, 10);
            if (*wait_text < '0' || *wait_text > '9' || *end != '\0' || seconds < 1 || seconds > 3600) {
                return usage_error("authorize", "--wait: not a number of seconds from 1 to 3600: '%s'", wait_text);
            }
            wait = (unsigned)seconds;
        }
    }
    if (help) {
        authorize_usage(stdout);
        return 0;
    }
    if (base_url == NULL && is_set("TW_API_BASE")) {
        base_url = getenv("TW_API_BASE"); /* an empty TW_API_BASE is unset, as for follows */
    }
    if (saving.exports && (saving.store != NULL || saving.account != NULL)) {
        return usage_error("authorize", "--exports saves nothing: it goes without --store and --account");
    }
    if (!oauth2) {
        if (client_id != NULL || client_secret != NULL || redirect_uri != NULL || scope != NULL) {
            return usage_error("authorize", "--client-id, --client-secret, --redirect-uri and --scope need --oauth2");
        }
        if (callback != NULL && *callback == '\0') {
            return usage_error("authorize", "--callback needs a URL");
        }
        return authorize_oauth1(base_url, callback, paste, wait, &saving);
    }
    if (callback != NULL) {
        return usage_error("authorize", "--callback is for OAuth 1.0a; OAuth 2.0 takes --redirect-uri");
    }
    secret_in_argv = client_secret != NULL;
    if (client_id == NULL) {
        client_id = getenv("TW_OAUTH2_CLIENT_ID");
    }
    if (client_secret == NULL) {
        client_secret = getenv("TW_OAUTH2_CLIENT_SECRET");
    }
    if (secret_in_argv) {
        fputs("tw-follow: warning: other users can see --client-secret (ps); set TW_OAUTH2_CLIENT_SECRET instead\n",
              stderr);
    }
    if (client_secret != NULL && *client_secret == '\0') {
        client_secret = NULL; /* an empty TW_OAUTH2_CLIENT_SECRET: a public client */
    }
    if (client_id == NULL || *client_id == '\0' || redirect_uri == NULL) {
        return usage_error("authorize", "--oauth2 needs --client-id (or TW_OAUTH2_CLIENT_ID) and --redirect-uri");
    }
    return authorize_oauth2(base_url, client_id, client_secret, redirect_uri, scope, paste, wait, &saving);
}
