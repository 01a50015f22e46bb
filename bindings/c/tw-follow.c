/*
 * tw-follow: follow a user on Twitter/X from the command line, over the twfollow C API.
 *
 *   tw-follow [--notify] [--base-url URL] [--timeout-ms N] [--ca-file PEM]
 *             [--proxy URL | --proxy-file PATH] [--api-version 1.1|2|auto] [--quiet] [--trace]
 *             [--store STORE] [--account NAME] [follow | unfollow | relationship] TARGET
 *   tw-follow [OPTIONS] accounts [--json] | accounts default NAME | accounts remove NAME [--revoke]
 *             | accounts import twurl|xurl|env [PATH] [--force]
 *   tw-follow [OPTIONS] token
 *
 * Credentials: --account (or --store) -> the token store; else TW_CONSUMER_KEY,
 * TW_CONSUMER_SECRET, TW_ACCESS_TOKEN and TW_ACCESS_TOKEN_SECRET (or TW_OAUTH2_*);
 * else the store's default account (TW_API_BASE, TW_API_VERSION optional; an option
 * wins over its variable). Prints the user JSON on stdout. On failure prints
 * "STATUS_NAME: message" on stderr and exits with the code of the status's family
 * (see usage()). The Python package ships this tool: its `twfollow` script and
 * `python -m twfollow` run it.
 *
 * This file: the command line, the configs it makes, the dispatch and the verbs that are one
 * call (follow, unfollow, relationship, token, whoami). tw-follow/: options.c
 * (the options every verb takes, the environment: below the verbs), help.c
 * (the help text, exit codes), output.c (reports, exports, secrets wiped), authorize.c
 * and listener.c (authorize, and its answer caught on a loopback redirect or pasted),
 * accounts.c (the store's accounts), signals.c (SIGINT, SIGTERM and SIGHUP deferred while a
 * refresh is in flight); cli.h declares what they share.
 *
 * It reads no JSON: the library gives its own data (tokens, the store's accounts, what
 * an import saved) as fields; JSON is only printed, as the library or the API wrote it.
 */

#include "tw-follow/cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- the token store: which credentials a call uses, `accounts`, `token` ---- */

/* The message a refused OAuth 2.0 call from TW_OAUTH2_* variables ends with. */
static const char NO_ENV_REFRESH[] =
    "; the CLI does not refresh tokens from TW_OAUTH2_* variables (the rotated refresh token "
    "would be lost): run `tw-follow accounts import env` once and use the store";

/* An expired TW_OAUTH2_ACCESS_TOKEN (the expiry the library read from TW_OAUTH2_EXPIRES_AT):
 * says so and returns the exit code, before anything is sent (a request with it would be
 * refused, and it costs money); else 0. */
static int refuse_expired_env_token(const TwConfig *config) {
    struct oauth2_tokens tokens;
    char when[32];
    int code = 0;
    if (get_oauth2_tokens(config, &tokens) && tokens.expires_at != 0 && tokens.expires_at <= time(NULL)) {
        code = report_as(TW_STATUS_AUTH,
                         "the OAuth 2.0 access token of TW_OAUTH2_ACCESS_TOKEN expired at %s (nothing was sent)%s",
                         utc_text(tokens.expires_at, when), NO_ENV_REFRESH);
    }
    free_oauth2_tokens(&tokens);
    return code;
}

/* --account or --store, or no user token in the environment: the token store. */
static bool uses_store(const char *store, const char *account) {
    return account != NULL || store != NULL || !env_user_token();
}

/* True when the store file the rule names exists (or cannot be looked at: then the
 * library says why); a shared store's URL (redis://, rediss://) counts as one. */
static bool store_exists(void) {
    char *path = NULL;
    bool exists = tw_store_path(NULL, &path) != TW_STATUS_OK || strncmp(path, "redis://", 8) == 0 ||
                  strncmp(path, "rediss://", 9) == 0 || access(path, F_OK) == 0 || errno != ENOENT;
    tw_string_free(path);
    return exists;
}

/* What the token callback of a store-backed config needs to check that the store holds
 * the pair it is handed (the library calls it after a failed write too). */
struct stored_account {
    const char *store, *account;
};

/* The token callback of a store-backed config: once the store holds the refreshed pair,
 * a signal deferred during the refresh may act (then the follow is not sent). When the
 * store does not hold it (the write failed: TW_STATUS_TOKENS_NOT_SAVED), the signal waits
 * until the call has returned and the pair has been printed. */
static void on_refreshed(void *user_data, const char *tokens_json) {
    const struct stored_account *where = user_data;
    TwConfig *reread = NULL;
    char *stored = NULL;
    /* Another config (this one must not be called back into), read from the file: its tokens
     * in the library's JSON are the handed JSON once the store holds the pair. */
    bool saved = tw_config_from_store_credentials(where->store, where->account, &reread) == TW_STATUS_OK &&
                 tw_config_get_tokens(reread, &stored) == TW_STATUS_OK && strcmp(stored, tokens_json) == 0;
    tw_string_free(stored);
    tw_config_free(reread);
    if (saved) {
        deliver_deferred_signal();
    }
}

/* The config of a call: --account (or --store) -> the store; else TW_* credentials in
 * the environment; else the store's default account. A config from TW_OAUTH2_*
 * variables gets no refresh token, so it can never refresh: the rotated pair would
 * reach only this process's output, which cron discards. On failure *HINT may name the
 * way out, for the report. */
static TwStatus make_config(const char *store, const char *account, TwConfig **config, const char **hint) {
    if (!uses_store(store, account)) {
        /* Read only for TW_OAUTH2_* credentials (from_env_oauth2 in main); this program has one thread. */
        unsetenv("TW_OAUTH2_REFRESH_TOKEN");
        return tw_config_from_env(config);
    }
    if (account == NULL && store == NULL && !store_exists()) {
        /* No store and no credentials: the environment's own "not set" error, and the way out. */
        TwStatus status = tw_config_from_env(config);
        if (status != TW_STATUS_OK) {
            *hint = ", or run `tw-follow authorize` to save an account";
        }
        return status;
    }
    return tw_config_from_store(store, account, config);
}

/* ---- whoami, and token's refusal of OAuth 1.0a credentials ---- */

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
static TwStatus print_whoami(const TwConfig *config, bool as_json, bool quiet) {
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
static int refuse_token_of_oauth1(const TwConfig *config, const char *account) {
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

/* What to do: the first word, when it is one of COMMANDS (in this order). */
enum command {
    COMMAND_FOLLOW,
    COMMAND_UNFOLLOW,
    COMMAND_RELATIONSHIP,
    COMMAND_ACCOUNTS, /* from here on: verbs without a TARGET */
    COMMAND_TOKEN,
    COMMAND_WHOAMI,
    COMMAND_NONE
};
static const char *const COMMANDS[] = {"follow", "unfollow", "relationship", "accounts", "token", "whoami"};

static enum command command_named(const char *word) {
    int command = COMMAND_FOLLOW;
    while (command < COMMAND_NONE && strcmp(word, COMMANDS[command]) != 0) {
        command++;
    }
    return (enum command)command;
}

/* True when a proxy URL carries a non-empty password ("scheme://user:password@host"). */
static bool has_password(const char *url) {
    const char *authority = strstr(url, "://");
    authority = authority != NULL ? authority + 3 : url;
    size_t length = strcspn(authority, "/?#");
    while (length > 0 && authority[length - 1] != '@') {
        length--; /* to the last '@', where the user information ends */
    }
    const char *colon = length > 0 ? memchr(authority, ':', length - 1) : NULL;
    return colon != NULL && colon + 2 < authority + length;
}

/* --trace, after the call: what it sent and the 24-hour budgets the last answer told. */
static void print_call_summary(void) {
    int64_t v[6];
    fprintf(stderr, "* requests sent: %d\n", (int)tw_last_request_count());
    if (tw_last_day_budgets(&v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != TW_STATUS_OK) {
        return;
    }
    fputs("* 24-hour budgets:", stderr);
    for (int i = 0; i < 2; i++) {
        const int64_t *b = &v[3 * i];
        if (b[0] != -1) { /* a limit of -1: not sent */
            fprintf(stderr, "%s %s %lld of %lld left, resets at %lld", i == 1 && v[0] != -1 ? ";" : "",
                    i == 0 ? "user" : "app", (long long)b[1], (long long)b[0], (long long)b[2]);
        }
    }
    fputc('\n', stderr);
}

static const char PROXY_PASSWORD_WARNING[] =
    "tw-follow: warning: other users can see the --proxy password (ps); "
    "use --proxy-file PATH (- for standard input) or https_proxy instead\n";

int main(int argc, char **argv) {
    const char *target = NULL, *proxy_file = NULL, *store = NULL, *account = NULL, *command_word = NULL;
    const char *api_version = NULL, *timeout = NULL, *timeout_ms = NULL;
    char *verb_words[3] = {NULL, NULL, NULL};
    int verb_count = 0, code, i;
    enum command command = COMMAND_FOLLOW;
    static char proxy_line[MAX_PROXY_LINE + 1];
    struct options options = {NULL, NULL, NULL, 0, 0, false, false};
    bool help = false, version = false, exit_codes = false, notify = false, quiet = false, as_json = false;
    bool revoke = false, force = false, warn_of_password, from_env_oauth2;
    const struct option_spec specs[] = {
        {"--help", &help, NULL},           {"-h", &help, NULL},
        {"--version", &version, NULL},     {"--exit-codes", &exit_codes, NULL},
        {"--notify", &notify, NULL},       {"--quiet", &quiet, NULL},
        {"-q", &quiet, NULL},              {"--trace", &options.trace, NULL},
        {"--json", &as_json, NULL},        {"--revoke", &revoke, NULL},
        {"--force", &force, NULL},         {"--store", NULL, &store},
        {"--account", NULL, &account},     {"--base-url", NULL, &options.base_url},
        {"--proxy", NULL, &options.proxy}, {"--proxy-file", NULL, &proxy_file},
        {"--ca-file", NULL, &options.ca_file}, {"--api-version", NULL, &api_version},
        {"--timeout", NULL, &timeout},     {"--timeout-ms", NULL, &timeout_ms},
        {NULL, NULL, NULL}};
    TwConfig *config = NULL;
    char *json = NULL;

    defer_signals_during_refreshes();
    /* A user named "authorize" is followed with @authorize or -- authorize. */
    if (argc > 1 && strcmp(argv[1], "authorize") == 0) {
        code = authorize_main(argc - 1, argv + 1);
        deliver_deferred_signal();
        return code;
    }
    /* --help, --version and --exit-codes answer at once: what follows them is not read. */
    for (i = 1; i < argc && !help && !version && !exit_codes; i++) {
        const char *arg = argv[i];
        const struct option_spec *taken = take_option(specs, argc, argv, &i);
        if (taken != NULL) {
            /* Each value is checked as it is read (as curl does); --timeout and --timeout-ms set one
             * deadline, and the last one given wins. */
            if (taken->value == &api_version && !parse_api_version(api_version, &options.api_version)) {
                return usage_error(NULL, "--api-version must be 1.1, 2 or auto");
            }
            if (taken->value == &timeout && !parse_timeout_seconds(timeout, &options.timeout_ms)) {
                return usage_error(NULL, "--timeout needs a number of seconds from 0.001 to 4294967.295");
            }
            if (taken->value == &timeout_ms && !parse_whole_number(timeout_ms, &options.timeout_ms)) {
                return usage_error(NULL, "--timeout-ms needs a whole number from 1 to 4294967295");
            }
            continue;
        } else if (strcmp(arg, "--") == 0 && i + 2 == argc && target == NULL && command < COMMAND_ACCOUNTS) {
            target = argv[++i];
        } else if (arg[0] == '-' && arg[1] == '-') {
            return usage_error(NULL, "unknown or incomplete option %s", arg);
        } else if (command >= COMMAND_ACCOUNTS) {
            /* accounts' words (a token takes none: counted, refused below) */
            if (verb_count == 3) {
                return usage_error(NULL, "too many words after %s", command_word);
            }
            verb_words[verb_count++] = argv[i];
        } else if (target == NULL && command_word == NULL && command_named(arg) != COMMAND_NONE) {
            command_word = arg;
            command = command_named(arg);
        } else if (target == NULL) {
            target = arg;
        } else {
            return usage_error(NULL, "one TARGET only (a user named like a command is written @name)");
        }
    }
    if (help) {
        usage(stdout);
    } else if (version) {
        printf("tw-follow (%s)\n", tw_version());
    } else if (exit_codes) {
        print_exit_codes();
    }
    if (help || version || exit_codes) {
        return 0;
    }
    options.api_version_given = api_version != NULL;
    if (command > COMMAND_ACCOUNTS && verb_count != 0) {
        return usage_error(NULL, "%s takes no TARGET (a user of that name is written @%s)", command_word,
                           command_word);
    }
    if (command < COMMAND_ACCOUNTS && target == NULL) {
        return command_word != NULL
                   ? usage_error(NULL, "%s needs one TARGET", command_word)
                   : usage_error(NULL, "no TARGET: tw-follow [OPTIONS] [follow | unfollow | relationship] TARGET");
    }
    if ((command < COMMAND_ACCOUNTS || command == COMMAND_TOKEN) && (as_json || revoke || force)) {
        return usage_error(NULL, "--json goes with accounts and whoami, --revoke with accounts remove, --force "
                                 "with accounts import");
    }
    if (command == COMMAND_WHOAMI && (revoke || force)) {
        return usage_error(NULL, "--revoke goes with accounts remove, --force with accounts import");
    }
    if (notify && command != COMMAND_FOLLOW) {
        return usage_error(NULL, "--notify goes with follow only");
    }
    if (options.proxy != NULL && proxy_file != NULL) {
        return usage_error(NULL, "--proxy and --proxy-file cannot be used together");
    }
    warn_of_password = options.proxy != NULL && has_password(options.proxy);
    if (proxy_file != NULL && (options.proxy = read_proxy_file(proxy_file, proxy_line)) == NULL) {
        return EX_CONFIG;
    }
    if ((command == COMMAND_ACCOUNTS || uses_store(store, account)) && !options_from_environment(&options)) {
        wipe(proxy_line, sizeof proxy_line);
        return EX_CONFIG;
    }
    if (command == COMMAND_ACCOUNTS) {
        if (warn_of_password) {
            fputs(PROXY_PASSWORD_WARNING, stderr);
        }
        code = accounts_main(verb_count, verb_words, store, as_json, revoke, force, &options);
        wipe(proxy_line, sizeof proxy_line);
        deliver_deferred_signal();
        return code;
    }

    /* An option wins over its variable: tw_config_from_env must not even read it, or a
     * bad value there would fail before the option could replace it. Changing the
     * environment is safe here: this program has one thread. */
    if (options.base_url != NULL) {
        unsetenv("TW_API_BASE");
    }
    if (options.api_version_given) {
        unsetenv("TW_API_VERSION");
    }
    struct stored_account stored = {store, account};
    /* TW_OAUTH2_* credentials, as tw_config_from_env chooses: not the store (so uses_store's
     * env_user_token() holds, a user token is set) and no TW_ACCESS_TOKEN. */
    from_env_oauth2 = !uses_store(store, account) && !is_set("TW_ACCESS_TOKEN");
    const char *hint = "";
    TwStatus status = make_config(store, account, &config, &hint);
    if (status == TW_STATUS_OK && from_env_oauth2 && (code = refuse_expired_env_token(config)) != 0) {
        wipe(proxy_line, sizeof proxy_line);
        tw_config_free(config);
        return code;
    }
    if (status == TW_STATUS_OK) {
        status = apply_options(config, &options);
    }
    if (status == TW_STATUS_OK && uses_store(store, account)) {
        /* Refused for an OAuth 1.0a config, which never refreshes: then nothing to defer. */
        (void)tw_config_set_token_callback(config, on_refreshed, &stored);
    }
    wipe(proxy_line, sizeof proxy_line); /* the library keeps its own copy */
    if (status != TW_STATUS_OK) {
        report_configuration(status, hint);
    }
    /* After the status line, which stays the first line of stderr on failure. */
    if (warn_of_password) {
        fputs(PROXY_PASSWORD_WARNING, stderr);
    }
    if (status != TW_STATUS_OK || (command == COMMAND_TOKEN && refuse_token_of_oauth1(config, account))) {
        tw_config_free(config);
        return EX_CONFIG;
    }

    if (command == COMMAND_WHOAMI) {
        status = print_whoami(config, as_json, quiet);
    } else if (command == COMMAND_TOKEN) {
        status = tw_oauth2_access_token(config, &json, NULL);
    } else if (command == COMMAND_FOLLOW) {
        status = tw_follow(config, target, notify, &json);
    } else {
        status = (command == COMMAND_UNFOLLOW ? tw_unfollow : tw_relationship)(config, target, &json);
    }
    /* A signal deferred during a refresh acts now, once the new pair is saved, or else
     * printed (TW_STATUS_TOKENS_NOT_SAVED: below). */
    if (status != TW_STATUS_TOKENS_NOT_SAVED) {
        deliver_deferred_signal();
    }
    if (options.trace) {
        print_call_summary();
    }
    code = 0;
    if (status != TW_STATUS_OK) {
        code = report_as(status, "%s%s", tw_last_error_message(),
                         from_env_oauth2 && status == TW_STATUS_AUTH ? NO_ENV_REFRESH : "");
        if (status == TW_STATUS_TOKENS_NOT_SAVED && !print_unsaved_tokens(config)) {
            code = EX_IOERR; /* the rotated pair reached neither the store nor stderr */
        }
    } else if (!quiet && json != NULL) {
        puts(json);
    }
    tw_string_free(json);
    tw_config_free(config);
    deliver_deferred_signal(); /* after TW_STATUS_TOKENS_NOT_SAVED: the pair is printed now */
    if (status == TW_STATUS_OK && command == COMMAND_TOKEN && !tokens_written(stdout, "access token")) {
        return EX_IOERR;
    }
    return code;
}
