/*
 * tw-follow: follow a user on Twitter/X from the command line, over the twfollow C API.
 *
 *   tw-follow [--notify] [--base-url URL] [--timeout-ms N] [--ca-file PEM]
 *             [--proxy URL | --proxy-file PATH] [--api-version 1.1|2|auto] [--quiet] [--trace]
 *             [--store PATH] [--account NAME] [follow | unfollow | relationship] TARGET
 *   tw-follow [OPTIONS] accounts [--json] | accounts default NAME | accounts remove NAME [--revoke]
 *             | accounts import twurl|xurl|env [PATH]
 *   tw-follow [OPTIONS] token
 *
 * Credentials: --account (or --store) -> the token store; else TW_CONSUMER_KEY,
 * TW_CONSUMER_SECRET, TW_ACCESS_TOKEN and TW_ACCESS_TOKEN_SECRET (or TW_OAUTH2_*);
 * else the store's default account (TW_API_BASE, TW_API_VERSION optional; an option
 * wins over its variable). Prints the user JSON on stdout. On failure prints
 * "STATUS_NAME: message" on stderr and exits with the code of the status's family
 * (see usage(); python -m twfollow exits with the same codes).
 *
 * This file: the options, the configs they make, authorize, accounts and the dispatch.
 * tw-follow/: help.c (help texts, exit codes), output.c (reports, exports, secrets wiped),
 * listener.c (authorize's answer, caught on a loopback redirect or pasted); cli.h
 * declares what they share.
 *
 * It reads no JSON: the library gives its own data (tokens, the store's accounts, what
 * an import saved) as fields; JSON is only printed, as the library or the API wrote it.
 */
#define _POSIX_C_SOURCE 200809L /* unsetenv */

#include "tw-follow/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static bool is_set(const char *name) {
    const char *value = getenv(name);
    return value != NULL && *value != '\0';
}

/* A user's token in the environment (OAuth 1.0a or OAuth 2.0): it wins over the
   store's default account. */
static bool env_user_token(void) {
    return is_set("TW_ACCESS_TOKEN") || is_set("TW_OAUTH2_ACCESS_TOKEN");
}

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
   Frees the config. */
static int save_authorized(TwConfig *config, const struct saving *saving) {
    char *name = NULL, *path = NULL;
    TwStatus status = tw_store_save_account(config, saving->store, saving->account, &name);
    if (status == TW_STATUS_OK) {
        status = tw_store_path(saving->store, &path);
    }
    tw_config_free(config);
    if (status != TW_STATUS_OK) {
        tw_string_free(name);
        report(status);
        return exit_code_for(status);
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

/* Fails with "STATUS: message" and the status's exit code; frees the config. */
static int authorize_failed(TwStatus status, TwConfig *config) {
    report(status);
    tw_config_free(config);
    return exit_code_for(status);
}

static int authorize_oauth1(const char *base_url, const char *callback, bool paste, unsigned wait,
                            const struct saving *saving) {
    const char *key = getenv("TW_CONSUMER_KEY"), *secret = getenv("TW_CONSUMER_SECRET");
    static char pin[MAX_INPUT_LINE + 2];
    struct redirect_listener listener;
    char *verifier;
    int got, refusal = 0;
    char *token = NULL, *token_secret = NULL, *url = NULL;
    char *access = NULL, *access_secret = NULL, *user_id = NULL, *screen_name = NULL;
    TwConfig *config = NULL;
    TwStatus status;
    int ok;
    if (key == NULL || *key == '\0' || secret == NULL || *secret == '\0') {
        fprintf(stderr, "tw-follow: set TW_CONSUMER_KEY and TW_CONSUMER_SECRET to your app's API key and secret\n");
        return EXIT_CONFIG;
    }
    status = tw_config_new_app(key, secret, &config);
    if (status == TW_STATUS_OK && base_url != NULL) {
        status = tw_config_set_base_url(config, base_url);
    }
    if (status != TW_STATUS_OK) {
        report(status);
        tw_config_free(config);
        return EXIT_CONFIG;
    }
    status = tw_oauth1_request_token(config, callback != NULL ? callback : "oob", &token, &token_secret, &url);
    if (status != TW_STATUS_OK) {
        return authorize_failed(status, config);
    }
    if (callback != NULL && open_listener(callback, paste, &listener)) {
        struct expected_answer expected = {{"oauth_token", "denied"}, NULL};
        expected.expected = token; /* the 1.0a callback's "state" */
        fprintf(stderr, "Open this page in a browser, sign in as the account that will follow, and approve the app:\n"
                        "\n  %s\n\n", url);
        print_waiting(callback, wait);
        got = listened_answer(&listener, callback, &expected, wait, pin);
    } else if (callback != NULL) {
        fprintf(stderr,
                "Open this page in a browser, sign in as the account that will follow, and approve the app:\n"
                "\n  %s\n\n"
                "The browser is then sent to %s?oauth_token=...&oauth_verifier=... (that page\n"
                "may fail to load: it does not matter). Paste that whole address (or just its oauth_verifier) "
                "and press Enter:\n",
                url, callback);
        got = read_answer(pin, "redirected address or verifier");
    } else {
        fprintf(stderr,
                "Open this page in a browser, sign in as the account that will follow, and approve the app:\n"
                "\n  %s\n\n"
                "Then type the PIN it shows and press Enter:\n",
                url);
        got = read_answer(pin, "PIN");
    }
    tw_string_free(url);
    verifier = got ? callback_verifier(pin, token, &refusal) : NULL;
    if (verifier == NULL) {
        wipe_text(pin);
        tw_string_free(token);
        tw_string_free(token_secret);
        tw_config_free(config);
        return got ? refusal : EXIT_DATAERR;
    }
    status = tw_oauth1_access_token(config, token, token_secret, verifier, NULL);
    wipe_text(verifier);
    wipe_text(pin);
    tw_string_free(token);
    tw_string_free(token_secret);
    if (status != TW_STATUS_OK) {
        return authorize_failed(status, config);
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
    struct redirect_listener listener;
    int got;
    char *url = NULL, *state = NULL, *verifier = NULL, *tokens = NULL;
    struct oauth2_tokens held;
    TwConfig *config = NULL;
    TwStatus status;
    int ok;
    status = tw_config_new_oauth2(client_id, client_secret, &config);
    if (status == TW_STATUS_OK && base_url != NULL) {
        status = tw_config_set_base_url(config, base_url);
    }
    if (status == TW_STATUS_OK) {
        /* Checks redirect_uri and scope before anything is shown. */
        status = tw_oauth2_authorize_url(config, redirect_uri, scope, &url, &state, &verifier);
    }
    if (status != TW_STATUS_OK) {
        report(status);
        tw_config_free(config);
        return EXIT_CONFIG;
    }
    if (open_listener(redirect_uri, paste, &listener)) {
        struct expected_answer expected = {{"state", NULL}, NULL};
        expected.expected = state;
        fprintf(stderr, "Open this page in a browser, sign in as the account that will follow, and approve the app:\n"
                        "\n  %s\n\n", url);
        print_waiting(redirect_uri, wait);
        tw_string_free(url);
        got = listened_answer(&listener, redirect_uri, &expected, wait, answer);
    } else {
        fprintf(stderr,
                "Open this page in a browser, sign in as the account that will follow, and approve the app:\n"
                "\n  %s\n\n"
                "The browser is then sent to %s?state=...&code=... (that page may fail\n"
                "to load: it does not matter). Paste that whole address (or just its code) and press Enter:\n",
                url, redirect_uri);
        tw_string_free(url);
        got = read_answer(answer, "redirected address or code");
    }
    if (!got) {
        tw_string_free(state);
        tw_string_free(verifier);
        tw_config_free(config);
        return EXIT_DATAERR;
    }
    status = tw_oauth2_exchange_code(config, redirect_uri, answer, state, verifier, &tokens);
    wipe_text(answer);
    tw_string_free(state);
    tw_string_free(verifier);
    if (status != TW_STATUS_OK) {
        return authorize_failed(status, config);
    }
    if (!saving->exports) {
        tw_string_free(tokens);
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
    tw_string_free(tokens);
    tw_config_free(config);
    if (!ok) {
        fputs("TW_STATUS_BAD_RESPONSE: the library's token answer could not be read\n", stderr);
        return EXIT_PROTOCOL;
    }
    if (!tokens_written(stdout, "tokens")) {
        return EXIT_IOERR;
    }
    if (getenv("TW_ACCESS_TOKEN") != NULL && *getenv("TW_ACCESS_TOKEN") != '\0') {
        fputs("tw-follow: note: TW_ACCESS_TOKEN is set, and OAuth 1.0a wins: unset TW_ACCESS_TOKEN to follow "
              "with these OAuth 2.0 tokens\n",
              stderr);
    }
    return 0;
}

/* tw-follow authorize [OPTIONS]: argv[0] is "authorize". */
static int authorize_main(int argc, char **argv) {
    const char *base_url = getenv("TW_API_BASE"), *client_id = getenv("TW_OAUTH2_CLIENT_ID");
    const char *client_secret = getenv("TW_OAUTH2_CLIENT_SECRET"), *redirect_uri = NULL, *scope = NULL;
    const char *callback = NULL;
    bool oauth2 = false, secret_in_argv = false, oauth2_option = false, paste = false;
    unsigned wait = LISTEN_WAIT_SECONDS;
    struct saving saving = {false, NULL, NULL};
    int i;
    if (base_url != NULL && *base_url == '\0') {
        base_url = NULL; /* an empty TW_API_BASE is unset, as for follows */
    }
    for (i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            authorize_usage(stdout);
            return 0;
        } else if (strcmp(arg, "--oauth2") == 0) {
            oauth2 = true;
        } else if (strcmp(arg, "--exports") == 0) {
            saving.exports = true;
        } else if (strcmp(arg, "--store") == 0 && i + 1 < argc) {
            saving.store = argv[++i];
        } else if (strcmp(arg, "--account") == 0 && i + 1 < argc) {
            saving.account = argv[++i];
        } else if (strcmp(arg, "--base-url") == 0 && i + 1 < argc) {
            base_url = argv[++i];
        } else if (strcmp(arg, "--client-id") == 0 && i + 1 < argc) {
            client_id = argv[++i];
            oauth2_option = true;
        } else if (strcmp(arg, "--client-secret") == 0 && i + 1 < argc) {
            client_secret = argv[++i];
            secret_in_argv = oauth2_option = true;
        } else if (strcmp(arg, "--redirect-uri") == 0 && i + 1 < argc) {
            redirect_uri = argv[++i];
            oauth2_option = true;
        } else if (strcmp(arg, "--scope") == 0 && i + 1 < argc) {
            scope = argv[++i];
            oauth2_option = true;
        } else if (strcmp(arg, "--callback") == 0 && i + 1 < argc) {
            callback = argv[++i];
        } else if (strcmp(arg, "--paste") == 0) {
            paste = true;
        } else if (strcmp(arg, "--wait") == 0 && i + 1 < argc) {
            const char *text = argv[++i];
            char *end = NULL;
            unsigned long seconds = strtoul(text, &end, 10);
            if (*text < '0' || *text > '9' || *end != '\0' || seconds < 1 || seconds > 3600) {
                fprintf(stderr, "tw-follow authorize: --wait: not a number of seconds from 1 to 3600: '%s'\n", text);
                return EXIT_USAGE;
            }
            wait = (unsigned)seconds;
        } else {
            fprintf(stderr, "tw-follow authorize: unknown or incomplete option %s\n", arg);
            authorize_usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (saving.exports && (saving.store != NULL || saving.account != NULL)) {
        fputs("tw-follow authorize: --exports saves nothing: it goes without --store and --account\n", stderr);
        return EXIT_USAGE;
    }
    if (!oauth2) {
        if (oauth2_option) {
            fputs("tw-follow authorize: --client-id, --client-secret, --redirect-uri and --scope need --oauth2\n",
                  stderr);
            return EXIT_USAGE;
        }
        if (callback != NULL && *callback == '\0') {
            fputs("tw-follow authorize: --callback needs a URL\n", stderr);
            return EXIT_USAGE;
        }
        return authorize_oauth1(base_url, callback, paste, wait, &saving);
    }
    if (callback != NULL) {
        fputs("tw-follow authorize: --callback is for OAuth 1.0a; OAuth 2.0 takes --redirect-uri\n", stderr);
        return EXIT_USAGE;
    }
    if (secret_in_argv) {
        fputs("tw-follow: warning: other users can see --client-secret (ps); set TW_OAUTH2_CLIENT_SECRET instead\n",
              stderr);
    }
    if (client_secret != NULL && *client_secret == '\0') {
        client_secret = NULL; /* an empty TW_OAUTH2_CLIENT_SECRET: a public client */
    }
    if (client_id == NULL || *client_id == '\0' || redirect_uri == NULL) {
        fputs("tw-follow authorize: --oauth2 needs --client-id (or TW_OAUTH2_CLIENT_ID) and --redirect-uri\n",
              stderr);
        return EXIT_USAGE;
    }
    return authorize_oauth2(base_url, client_id, client_secret, redirect_uri, scope, paste, wait, &saving);
}

/* ---- the token store: which credentials a call uses, `accounts`, `token` ---- */

/* The message a refused OAuth 2.0 call from TW_OAUTH2_* variables ends with. */
static const char NO_ENV_REFRESH[] =
    "; the CLI does not refresh tokens from TW_OAUTH2_* variables (the rotated refresh token "
    "would be lost): run `tw-follow accounts import env` once and use the store";

/* A follow with TW_OAUTH2_* variables, as tw_config_from_env chooses. */
static bool env_oauth2(void) {
    return !is_set("TW_ACCESS_TOKEN") && is_set("TW_OAUTH2_ACCESS_TOKEN");
}

/* An expired TW_OAUTH2_ACCESS_TOKEN (by TW_OAUTH2_EXPIRES_AT): says so and returns 1,
   before anything is sent (a request with it would be refused, and it costs money). */
static int refuse_expired_env_token(void) {
    const char *expires = getenv("TW_OAUTH2_EXPIRES_AT");
    char *end = NULL, when[32];
    long long expires_at;
    time_t at;
    struct tm parts;
    if (expires == NULL) {
        return 0;
    }
    while (*expires == ' ' || *expires == '\t') {
        expires++;
    }
    if (*expires < '0' || *expires > '9') {
        return 0; /* unknown, or refused by the library, which names the variable */
    }
    errno = 0;
    expires_at = strtoll(expires, &end, 10);
    while (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r') {
        end++;
    }
    if (errno != 0 || *end != '\0' || expires_at == 0 || (time_t)expires_at > time(NULL)) {
        return 0;
    }
    at = (time_t)expires_at;
    if (gmtime_r(&at, &parts) == NULL || strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &parts) == 0) {
        return 0;
    }
    fprintf(stderr,
            "TW_STATUS_AUTH: the OAuth 2.0 access token of TW_OAUTH2_ACCESS_TOKEN expired at %s (nothing was "
            "sent)%s\n",
            when, NO_ENV_REFRESH);
    return 1;
}

/* --account or --store, or no user token in the environment: the token store. */
static bool uses_store(const char *store, const char *account) {
    return account != NULL || store != NULL || !env_user_token();
}

/* True when the store file the rule names exists (or cannot be looked at: then the
   library says why). */
static bool store_exists(void) {
    char *path = NULL;
    FILE *file;
    bool exists = true;
    if (tw_store_path(NULL, &path) != TW_STATUS_OK) {
        return true;
    }
    file = fopen(path, "r");
    if (file != NULL) {
        fclose(file);
    } else if (errno == ENOENT) {
        exists = false;
    }
    tw_string_free(path);
    return exists;
}

/* The config of a call: --account (or --store) -> the store; else TW_* credentials in
   the environment; else the store's default account. A config from TW_OAUTH2_*
   variables gets no refresh token, so it can never refresh: the rotated pair would
   reach only this process's output, which cron discards. */
static TwStatus make_config(const char *store, const char *account, TwConfig **config) {
    if (!uses_store(store, account)) {
        if (env_oauth2()) {
            unsetenv("TW_OAUTH2_REFRESH_TOKEN"); /* this program has one thread */
        }
        return tw_config_from_env(config);
    }
    if (account == NULL && store == NULL && !store_exists()) {
        /* No store and no credentials: the environment's own "not set" error, and the way out. */
        TwStatus status = tw_config_from_env(config);
        if (status != TW_STATUS_OK) {
            report_suffix = ", or run `tw-follow authorize` to save an account";
        }
        return status;
    }
    return tw_config_from_store(store, account, config);
}

/* The options every verb takes, applied to a config. */
struct options {
    const char *base_url, *ca_file, *proxy;
    uint32_t timeout_ms, api_version;
    bool api_version_given, trace;
};

static TwStatus apply_options(TwConfig *config, const struct options *o) {
    TwStatus status = TW_STATUS_OK;
    if (o->base_url != NULL) {
        status = tw_config_set_base_url(config, o->base_url);
    }
    if (status == TW_STATUS_OK && o->proxy != NULL) {
        status = tw_config_set_proxy(config, o->proxy);
    }
    if (status == TW_STATUS_OK && o->ca_file != NULL) {
        status = tw_config_set_ca_file(config, o->ca_file);
    }
    if (status == TW_STATUS_OK && o->timeout_ms != 0) {
        status = tw_config_set_timeout_ms(config, o->timeout_ms);
    }
    if (status == TW_STATUS_OK && o->api_version_given) {
        status = tw_config_set_api_version(config, o->api_version);
    }
    if (status == TW_STATUS_OK && o->trace) {
        status = tw_config_set_trace(config, print_trace_line, NULL);
    }
    return status;
}

/* A stored account keeps no base URL or API version: TW_API_BASE and TW_API_VERSION
   apply to it as to credentials from the environment, unless an option replaced them.
   Returns 0 (and says why) for a TW_API_VERSION the tool does not know. */
static int options_from_environment(struct options *o) {
    const char *base = getenv("TW_API_BASE"), *version = getenv("TW_API_VERSION");
    if (o->base_url == NULL && base != NULL && *base != '\0') {
        o->base_url = base;
    }
    if (!o->api_version_given && version != NULL && *version != '\0') {
        o->api_version_given = true;
        if (!parse_api_version(version, &o->api_version)) {
            fputs("TW_STATUS_INVALID_ARGUMENT: environment variable TW_API_VERSION must be 1.1, 2 or auto\n", stderr);
            return 0;
        }
    }
    return 1;
}

static int store_failed(TwStatus status) {
    report(status);
    return exit_code_for(status);
}

/* "expires 2026-12-01T20:00:00Z, refreshable" and the like, for the listing. */
static void print_expiry(const char *kind, int64_t expires_at, bool has_refresh) {
    const char *refresh = has_refresh ? ", refreshable" : ", no refresh token";
    if (kind == NULL || strcmp(kind, "oauth2") != 0) {
        fputs("no expiry", stdout);
    } else if (expires_at <= 0) {
        printf("expiry unknown%s", refresh);
    } else {
        time_t at = (time_t)expires_at;
        struct tm parts;
        char text[32];
        if (gmtime_r(&at, &parts) == NULL || strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts) == 0) {
            snprintf(text, sizeof text, "%lld", (long long)expires_at);
        }
        printf("expires %s%s", text, refresh);
    }
}

static bool known(const char *value) {
    return value != NULL && *value != '\0';
}

/* One account of the store, as the library gives it (tw_store_account_fields). */
struct account {
    char *name, *kind, *screen_name, *user_id, *app;
    int64_t expires_at;
    bool has_refresh_token, is_default;
};

static TwStatus get_account(const char *store, uint32_t index, struct account *account, uint32_t *count) {
    memset(account, 0, sizeof *account);
    return tw_store_account_fields(store, index, &account->name, &account->kind, &account->screen_name,
                                   &account->user_id, &account->app, &account->expires_at,
                                   &account->has_refresh_token, &account->is_default, count);
}

static void free_account(struct account *account) {
    tw_string_free(account->name);
    tw_string_free(account->kind);
    tw_string_free(account->screen_name);
    tw_string_free(account->user_id);
    tw_string_free(account->app);
    memset(account, 0, sizeof *account);
}

/* One line of the listing: "* " marks the default. */
static void print_account(const struct account *a) {
    /* A screen name or id not known yet (an imported OAuth 2.0 account before its first call): "-". */
    printf("%c %s  %s  %s%s  id %s  app %s  ", a->is_default ? '*' : ' ', a->name, a->kind ? a->kind : "",
           known(a->screen_name) ? "@" : "", known(a->screen_name) ? a->screen_name : "-",
           known(a->user_id) ? a->user_id : "-", a->app ? a->app : "");
    print_expiry(a->kind, a->expires_at, a->has_refresh_token);
    fputc('\n', stdout);
}

static int list_accounts(const char *store, bool as_json) {
    char *json = NULL, *path = NULL;
    struct account account;
    uint32_t count = 0, i;
    TwStatus status;
    if (as_json) {
        status = tw_store_list(store, &json);
        if (status != TW_STATUS_OK) {
            return store_failed(status);
        }
        puts(json);
        tw_string_free(json);
        return 0;
    }
    /* The first account and the count, then the path for the heading. */
    status = get_account(store, 0, &account, &count);
    if (status == TW_STATUS_OK) {
        status = tw_store_path(store, &path);
    }
    if (status != TW_STATUS_OK) {
        free_account(&account);
        return store_failed(status);
    }
    if (account.name == NULL) {
        printf("no accounts in %s\n", path);
    } else {
        printf("accounts in %s:\n", path);
    }
    /* Each call reads the store again: a NULL name (another process removed some) ends the walk. */
    for (i = 1; account.name != NULL; i++) {
        print_account(&account);
        free_account(&account);
        if (i >= count || (status = get_account(store, i, &account, &count)) != TW_STATUS_OK) {
            break;
        }
    }
    free_account(&account);
    tw_string_free(path);
    if (status != TW_STATUS_OK) {
        return store_failed(status);
    }
    return 0;
}

/* Revokes a stored OAuth 2.0 account's grant at X (the refresh token, else the access token). */
static int revoke_account(const char *store, const char *name, const struct options *options) {
    TwConfig *config = NULL;
    struct oauth2_tokens tokens;
    TwStatus status = tw_config_from_store(store, name, &config);
    if (status == TW_STATUS_OK) {
        status = apply_options(config, options);
    }
    if (status != TW_STATUS_OK) {
        tw_config_free(config);
        return store_failed(status);
    }
    if (!get_oauth2_tokens(config, &tokens)) {
        tw_config_free(config);
        fprintf(stderr,
                "TW_STATUS_INVALID_ARGUMENT: account %s is OAuth 1.0a: its tokens are revoked by the user in the "
                "app's settings at X (nothing was revoked or removed)\n",
                name);
        return EXIT_DATAERR;
    }
    status = tw_oauth2_revoke(config, tokens.refresh != NULL ? tokens.refresh : tokens.access);
    free_oauth2_tokens(&tokens);
    if (status != TW_STATUS_OK) {
        report(status);
        tw_config_free(config);
        return exit_code_for(status);
    }
    tw_config_free(config);
    return 0;
}

/* `accounts ...`: words after "accounts". */
static int accounts_main(int count, char **words, const char *store, bool as_json, bool revoke,
                         const struct options *options) {
    const char *verb = count > 0 ? words[0] : NULL;
    char *path = NULL, *names = NULL;
    TwStatus status;
    int shape = verb == NULL                                                  ? count == 0
                : strcmp(verb, "default") == 0 || strcmp(verb, "remove") == 0 ? count == 2
                : strcmp(verb, "import") == 0                                 ? count == 2 || count == 3
                                                                              : 0;
    if (!shape) {
        fputs("tw-follow: usage: accounts [--json] | accounts default NAME | accounts remove NAME [--revoke] | "
              "accounts import twurl|xurl|env [PATH]\n",
              stderr);
        return EXIT_USAGE;
    }
    if ((as_json && verb != NULL) || (revoke && (verb == NULL || strcmp(verb, "remove") != 0))) {
        fputs("tw-follow: --json goes with accounts alone, --revoke with accounts remove\n", stderr);
        return EXIT_USAGE;
    }
    if (verb == NULL) {
        return list_accounts(store, as_json);
    }
    if (strcmp(verb, "remove") == 0 && revoke) {
        int code = revoke_account(store, words[1], options);
        if (code != 0) {
            return code;
        }
    }
    if (strcmp(verb, "default") == 0) {
        status = tw_store_set_default(store, words[1]);
    } else if (strcmp(verb, "remove") == 0) {
        status = tw_store_remove(store, words[1]);
    } else {
        status = tw_store_import_names(store, words[1], count == 3 ? words[2] : NULL, &names, NULL);
    }
    if (status == TW_STATUS_OK) {
        status = tw_store_path(store, &path);
    }
    if (status != TW_STATUS_OK) {
        tw_string_free(names);
        return store_failed(status);
    }
    if (strcmp(verb, "default") == 0) {
        fprintf(stderr, "tw-follow: %s is now the default account in %s\n", words[1], path);
    } else if (strcmp(verb, "remove") == 0) {
        fprintf(stderr, "tw-follow: removed account %s%s from %s\n", words[1], revoke ? " (its grant revoked at X)" : "",
                path);
    } else {
        /* One name a line, each ended by a newline: account names hold none. */
        const char *name, *end;
        for (name = names; (end = strchr(name, '\n')) != NULL; name = end + 1) {
            fprintf(stderr, "tw-follow: imported account %.*s into %s\n", (int)(end - name), name, path);
        }
    }
    tw_string_free(names);
    tw_string_free(path);
    return 0;
}

/* What to do: the first word, when it is one of these. */
enum command { COMMAND_FOLLOW, COMMAND_UNFOLLOW, COMMAND_RELATIONSHIP, COMMAND_ACCOUNTS, COMMAND_TOKEN, COMMAND_NONE };

static enum command command_named(const char *word) {
    if (strcmp(word, "follow") == 0) {
        return COMMAND_FOLLOW;
    }
    if (strcmp(word, "unfollow") == 0) {
        return COMMAND_UNFOLLOW;
    }
    if (strcmp(word, "relationship") == 0) {
        return COMMAND_RELATIONSHIP;
    }
    if (strcmp(word, "accounts") == 0) {
        return COMMAND_ACCOUNTS;
    }
    if (strcmp(word, "token") == 0) {
        return COMMAND_TOKEN;
    }
    return COMMAND_NONE;
}

int main(int argc, char **argv) {
    const char *target = NULL, *proxy_file = NULL, *store = NULL, *account = NULL;
    const char *command_word = NULL;
    char *verb_words[3] = {NULL, NULL, NULL};
    int verb_count = 0;
    enum command command = COMMAND_FOLLOW;
    static char proxy_line[MAX_PROXY_LINE + 1];
    struct options options = {NULL, NULL, NULL, 0, 0, false, false};
    bool notify = false, quiet = false, warn_of_password, as_json = false, revoke = false, from_env_oauth2;
    TwConfig *config = NULL;
    char *json = NULL;
    TwStatus status;
    int i;

    /* A user named "authorize" is followed with @authorize or -- authorize. */
    if (argc > 1 && strcmp(argv[1], "authorize") == 0) {
        return authorize_main(argc - 1, argv + 1);
    }
    for (i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(arg, "--version") == 0) {
            printf("tw-follow (%s)\n", tw_version());
            return 0;
        } else if (strcmp(arg, "--exit-codes") == 0) {
            print_exit_codes();
            return 0;
        } else if (strcmp(arg, "--notify") == 0) {
            notify = true;
        } else if (strcmp(arg, "--quiet") == 0 || strcmp(arg, "-q") == 0) {
            quiet = true;
        } else if (strcmp(arg, "--trace") == 0) {
            options.trace = true;
        } else if (strcmp(arg, "--json") == 0) {
            as_json = true;
        } else if (strcmp(arg, "--revoke") == 0) {
            revoke = true;
        } else if (strcmp(arg, "--store") == 0 && i + 1 < argc) {
            store = argv[++i];
        } else if (strcmp(arg, "--account") == 0 && i + 1 < argc) {
            account = argv[++i];
        } else if (strcmp(arg, "--base-url") == 0 && i + 1 < argc) {
            options.base_url = argv[++i];
        } else if (strcmp(arg, "--proxy") == 0 && i + 1 < argc) {
            options.proxy = argv[++i];
        } else if (strcmp(arg, "--proxy-file") == 0 && i + 1 < argc) {
            proxy_file = argv[++i];
        } else if (strcmp(arg, "--api-version") == 0 && i + 1 < argc) {
            options.api_version_given = true;
            if (!parse_api_version(argv[++i], &options.api_version)) {
                fprintf(stderr, "tw-follow: --api-version must be 1.1, 2 or auto\n");
                return EXIT_USAGE;
            }
        } else if (strcmp(arg, "--ca-file") == 0 && i + 1 < argc) {
            options.ca_file = argv[++i];
        } else if (strcmp(arg, "--timeout-ms") == 0 && i + 1 < argc) {
            if (!parse_timeout(argv[++i], &options.timeout_ms)) {
                fprintf(stderr, "tw-follow: --timeout-ms needs a whole number from 1 to 4294967295\n");
                return EXIT_USAGE;
            }
        } else if (strcmp(arg, "--") == 0 && i + 2 == argc && target == NULL && verb_count == 0 &&
                   (command_word == NULL || command < COMMAND_ACCOUNTS)) {
            target = argv[++i];
        } else if (arg[0] == '-' && arg[1] == '-') {
            fprintf(stderr, "tw-follow: unknown or incomplete option %s\n", arg);
            usage(stderr);
            return EXIT_USAGE;
        } else if (command_word != NULL && command >= COMMAND_ACCOUNTS) {
            /* accounts' words (a token takes none: counted, refused below) */
            if (verb_count == 3) {
                fprintf(stderr, "tw-follow: too many words after %s\n", command_word);
                return EXIT_USAGE;
            }
            verb_words[verb_count++] = argv[i];
        } else if (target == NULL && command_word == NULL && command_named(arg) != COMMAND_NONE) {
            command_word = arg;
            command = command_named(arg);
        } else if (target == NULL) {
            target = arg;
        } else {
            fprintf(stderr, "tw-follow: one TARGET only\n");
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (command == COMMAND_TOKEN && verb_count != 0) {
        fprintf(stderr, "tw-follow: token takes no TARGET\n");
        return EXIT_USAGE;
    }
    if (command < COMMAND_ACCOUNTS && target == NULL && command_word != NULL) {
        fprintf(stderr, "tw-follow: %s needs one TARGET\n", command_word);
        return EXIT_USAGE;
    }
    if (command < COMMAND_ACCOUNTS && target == NULL) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (command < COMMAND_ACCOUNTS && (as_json || revoke)) {
        fprintf(stderr, "tw-follow: --json goes with accounts alone, --revoke with accounts remove\n");
        return EXIT_USAGE;
    }
    if (notify && command != COMMAND_FOLLOW) {
        fprintf(stderr, "tw-follow: --notify goes with follow only\n");
        return EXIT_USAGE;
    }
    if (options.proxy != NULL && proxy_file != NULL) {
        fprintf(stderr, "tw-follow: --proxy and --proxy-file cannot be used together\n");
        return EXIT_USAGE;
    }
    warn_of_password = options.proxy != NULL && has_password(options.proxy);
    if (proxy_file != NULL) {
        if (!read_proxy_file(proxy_file, proxy_line)) {
            return EXIT_CONFIG;
        }
        options.proxy = proxy_line;
    }
    if ((command == COMMAND_ACCOUNTS || uses_store(store, account)) && !options_from_environment(&options)) {
        wipe(proxy_line, sizeof proxy_line);
        return EXIT_CONFIG;
    }
    if (command == COMMAND_ACCOUNTS) {
        int code;
        if (warn_of_password) {
            fputs("tw-follow: warning: other users can see the --proxy password (ps); "
                  "use --proxy-file PATH (- for standard input) or https_proxy instead\n",
                  stderr);
        }
        code = accounts_main(verb_count, verb_words, store, as_json, revoke, &options);
        wipe(proxy_line, sizeof proxy_line);
        return code;
    }

    /* An option wins over its variable: tw_config_from_env must not even read it, or a
       bad value there would fail before the option could replace it. Changing the
       environment is safe here: this program has one thread. */
    if (options.base_url != NULL) {
        unsetenv("TW_API_BASE");
    }
    if (options.api_version_given) {
        unsetenv("TW_API_VERSION");
    }
    from_env_oauth2 = !uses_store(store, account) && env_oauth2();
    if (from_env_oauth2 && refuse_expired_env_token()) {
        wipe(proxy_line, sizeof proxy_line);
        return exit_code_for(TW_STATUS_AUTH);
    }
    status = make_config(store, account, &config);
    if (status == TW_STATUS_OK) {
        status = apply_options(config, &options);
    }
    wipe(proxy_line, sizeof proxy_line); /* the library keeps its own copy */
    if (status != TW_STATUS_OK) {
        report(status);
    }
    /* After the status line, which stays the first line of stderr on failure. */
    if (warn_of_password) {
        fputs("tw-follow: warning: other users can see the --proxy password (ps); "
              "use --proxy-file PATH (- for standard input) or https_proxy instead\n",
              stderr);
    }
    if (status != TW_STATUS_OK) {
        tw_config_free(config);
        return EXIT_CONFIG;
    }

    switch (command) {
    case COMMAND_TOKEN:
        status = tw_oauth2_access_token(config, &json, NULL);
        break;
    case COMMAND_UNFOLLOW:
        status = tw_unfollow(config, target, &json);
        break;
    case COMMAND_RELATIONSHIP:
        status = tw_relationship(config, target, &json);
        break;
    case COMMAND_FOLLOW:
    case COMMAND_ACCOUNTS:
    case COMMAND_NONE:
        status = tw_follow(config, target, notify, &json);
        break;
    }
    if (options.trace) {
        print_call_summary();
    }
    if (status != TW_STATUS_OK) {
        if (from_env_oauth2 && status == TW_STATUS_AUTH) {
            report_suffix = NO_ENV_REFRESH;
        }
        report(status);
        if (status == TW_STATUS_TOKENS_NOT_SAVED && !print_unsaved_tokens(config)) {
            /* The rotated pair reached neither the store nor stderr. */
            tw_config_free(config);
            return EXIT_IOERR;
        }
        tw_config_free(config);
        return exit_code_for(status);
    }
    if (!quiet) {
        puts(json);
    }
    tw_string_free(json);
    tw_config_free(config);
    if (command == COMMAND_TOKEN && !tokens_written(stdout, "access token")) {
        return EXIT_IOERR;
    }
    return 0;
}
