/* tw-follow authorize: a user's tokens by OAuth 1.0a (PIN or callback) or OAuth 2.0
 * (PKCE), saved in the token store or printed as export lines. */

#include "cli.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* ---- tw-follow authorize: getting a user's tokens (OAuth 1.0a PIN, OAuth 2.0 PKCE) ----
 *
 * twurl's habit: the URL to open goes to stderr, the PIN (or the redirected URL) is
 * read from stdin, and stdout gets only lines a shell can eval:
 *   eval "$(tw-follow authorize)"
 * Values are single-quoted; anything the server sends outside them is filtered, so a
 * hostile answer cannot inject a command into that eval. */

/* What authorize was asked (the options, and the environment's client id and secret). */
struct authorize {
    bool oauth2, paste;
    bool exports; /* print export lines instead, save nothing */
    const char *store, *account; /* where to save: NULL, NULL = the store rule's path, the screen name */
    const char *base_url, *callback, *client_id, *client_secret, *redirect_uri, *scope;
    uint32_t wait; /* seconds */
};

/* The saving step of authorize: the config's user into the store, and where on stderr. */
static int save_authorized(TwConfig *config, const struct authorize *a) {
    char *name = NULL, *path = NULL;
    TwStatus status = tw_store_save_account(config, a->store, a->account, &name);
    if (status == TW_STATUS_OK) {
        status = tw_store_path(a->store, &path);
    }
    if (status == TW_STATUS_OK) {
        fprintf(stderr, "tw-follow: saved account %s to %s\n", name, path);
    }
    if (status == TW_STATUS_OK && env_user_token()) {
        fprintf(stderr,
                "tw-follow: note: a user token is set in the environment, and it wins over the store's default "
                "account: unset it, or follow with --account %s\n",
                name);
    }
    tw_string_free(name);
    tw_string_free(path);
    return status == TW_STATUS_OK ? 0 : report(status);
}

/* OAuth 1.0a: a request token, the user's PIN or callback, the access token into the config.
 * 0, or the exit code (said). */
static int ask_oauth1(TwConfig *config, const struct authorize *a) {
    static char pin[MAX_INPUT_LINE + 2];
    char *token = NULL, *token_secret = NULL, *url = NULL, *verifier;
    int code = EX_DATAERR;
    TwStatus status = tw_oauth1_request_token(config, a->callback != NULL ? a->callback : "oob", &token,
                                              &token_secret, &url);
    if (status != TW_STATUS_OK) {
        return report(status);
    }
    /* The request token is what the 1.0a callback carries as its "state". */
    struct question question = {url, a->callback, {"oauth_token", "denied"}, token,
                                "Then type the PIN it shows and press Enter:\n", "PIN"};
    if (a->callback != NULL) {
        question.paste_prompt = "The browser is then sent to %s?oauth_token=...&oauth_verifier=... (that page\n"
                                "may fail to load: it does not matter). Paste that whole address (or just its "
                                "oauth_verifier) and press Enter:\n";
        question.what = "redirected address or verifier";
    }
    verifier = ask_user(&question, a->paste, a->wait, pin) ? callback_verifier(pin, token, &code) : NULL;
    tw_string_free(url);
    if (verifier != NULL) {
        status = tw_oauth1_access_token(config, token, token_secret, verifier, NULL);
        code = status == TW_STATUS_OK ? 0 : report(status);
        wipe(verifier, MAX_INPUT_LINE + 2); /* PIN's buffer or the verifier's: both that size */
    }
    wipe(pin, sizeof pin);
    tw_string_free(token);
    tw_string_free(token_secret);
    return code;
}

/* OAuth 2.0 with PKCE: the page, the redirected address or code, the tokens into the config.
 * 0, or the exit code (said). */
static int ask_oauth2(TwConfig *config, const struct authorize *a) {
    static char answer[MAX_INPUT_LINE + 2];
    char *url = NULL, *state = NULL, *verifier = NULL;
    int code = EX_DATAERR;
    /* Checks redirect_uri and scope before anything is shown: a refusal is the configuration's. */
    TwStatus status = tw_oauth2_authorize_url(config, a->redirect_uri, a->scope, &url, &state, &verifier);
    if (status != TW_STATUS_OK) {
        return report_configuration(status, "");
    }
    struct question question = {url, a->redirect_uri, {"state", NULL}, state,
                                "The browser is then sent to %s?state=...&code=... (that page may fail\n"
                                "to load: it does not matter). Paste that whole address (or just its code) and "
                                "press Enter:\n",
                                "redirected address or code"};
    if (ask_user(&question, a->paste, a->wait, answer)) {
        status = tw_oauth2_exchange_code(config, a->redirect_uri, answer, state, verifier, NULL);
        code = status == TW_STATUS_OK ? 0 : report(status);
        wipe(answer, sizeof answer);
    }
    tw_string_free(url);
    tw_string_free(state);
    tw_string_free(verifier);
    return code;
}

/* BEFORE, then a value for a "# ..." comment line: ASCII letters and digits (isalnum in the "C"
 * locale: the tool sets none), space and _.- kept, anything else (a newline above all) as '?'. */
static void print_comment_value(FILE *out, const char *before, const char *value) {
    fputs(before, out);
    for (; *value != '\0'; value++) {
        fputc(isalnum((unsigned char)*value) || strchr(" _.-", *value) != NULL ? *value : '?', out);
    }
}

/* --exports after OAuth 1.0a: the token lines, the user as a comment. 0 when the config's
 * tokens cannot be read (it knows its user after tw_oauth1_access_token: a library fault). */
static int print_oauth1_lines(const TwConfig *config) {
    char *text[4] = {NULL, NULL, NULL, NULL}; /* token, secret, user id, screen name */
    int ok = tw_config_get_oauth1_tokens(config, &text[0], &text[1], &text[2], &text[3]) == TW_STATUS_OK &&
             text[2] != NULL && text[3] != NULL;
    if (ok) {
        print_export(stdout, "TW_ACCESS_TOKEN", text[0]);
        print_export(stdout, "TW_ACCESS_TOKEN_SECRET", text[1]);
        print_comment_value(stdout, "# user_id ", text[2]);
        print_comment_value(stdout, " screen_name ", text[3]);
        fputc('\n', stdout);
    }
    for (int i = 0; i < 4; i++) {
        tw_string_free(text[i]);
    }
    return ok;
}

/* --exports after OAuth 2.0: the client id and the tokens the exchange returned. 0 when the
 * config's tokens cannot be read. */
static int print_oauth2_lines(const TwConfig *config, const struct authorize *a) {
    struct oauth2_tokens held;
    int ok = get_oauth2_tokens(config, &held);
    if (ok) {
        print_export(stdout, "TW_OAUTH2_CLIENT_ID", a->client_id);
        print_oauth2_exports(stdout, &held);
        print_comment_value(stdout, "# scope ", held.scope);
        fputc('\n', stdout);
    }
    if (ok && a->client_secret != NULL) {
        fputs("# a confidential client: export TW_OAUTH2_CLIENT_SECRET too, or refreshes are refused\n", stdout);
    }
    free_oauth2_tokens(&held);
    return ok;
}

/* --exports: the lines a shell can eval, written out. 0, or the exit code (said). */
static int print_exports(const TwConfig *config, const struct authorize *a) {
    if (!(a->oauth2 ? print_oauth2_lines(config, a) : print_oauth1_lines(config))) {
        return report_as(TW_STATUS_BAD_RESPONSE, "the library's %s answer could not be read",
                         a->oauth2 ? "token" : "access token");
    }
    if (!tokens_written(stdout, "tokens")) {
        return EX_IOERR;
    }
    if (a->oauth2 && is_set("TW_ACCESS_TOKEN")) {
        fputs("tw-follow: note: TW_ACCESS_TOKEN is set, and OAuth 1.0a wins: unset TW_ACCESS_TOKEN to follow "
              "with these OAuth 2.0 tokens\n",
              stderr);
    }
    return 0;
}

/* The flow A asks for, with the app's config; then the user saved, or the export lines. */
static int run(const struct authorize *a) {
    TwConfig *config = NULL;
    int code;
    TwStatus status = a->oauth2 ? tw_config_new_oauth2(a->client_id, a->client_secret, &config)
                                : tw_config_new_app(getenv("TW_CONSUMER_KEY"), getenv("TW_CONSUMER_SECRET"), &config);
    if (status == TW_STATUS_OK && a->base_url != NULL) {
        status = tw_config_set_base_url(config, a->base_url);
    }
    if (status != TW_STATUS_OK) {
        code = report_configuration(status, ""); /* the app's settings, refused before anything was shown */
    } else {
        code = a->oauth2 ? ask_oauth2(config, a) : ask_oauth1(config, a);
    }
    if (code == 0) {
        code = a->exports ? print_exports(config, a) : save_authorized(config, a);
    }
    tw_config_free(config);
    return code;
}

/* authorize --help. */
static void authorize_usage(FILE *out) {
    fputs("usage: tw-follow authorize [--base-url URL] [--callback URL] [--paste] [--wait SECONDS]\n"
          "                           [--store STORE] [--account NAME | --exports]\n"
          "       tw-follow authorize --oauth2 --client-id ID [--client-secret SECRET]\n"
          "                           --redirect-uri URI [--scope SCOPES] [--base-url URL]\n"
          "                           [--paste] [--wait SECONDS]\n"
          "                           [--store STORE] [--account NAME | --exports]\n"
          "\n"
          "Gets a user's tokens and saves them in the token store as an account (--account\n"
          "NAME, else the user's screen name; the default account when the store has none).\n"
          "The page to open goes to stderr; the answer is read from standard input. With\n"
          "--exports it saves nothing and prints shell lines instead:\n"
          "eval \"$(tw-follow authorize --exports)\".\n"
          "\n"
          "OAuth 1.0a (PIN): with your app's TW_CONSUMER_KEY and TW_CONSUMER_SECRET, prints\n"
          "the page where the user approves the app, reads the PIN it shows, and saves\n"
          "the token (it does not expire); --exports prints export TW_ACCESS_TOKEN=... and\n"
          "export TW_ACCESS_TOKEN_SECRET=... with the user's id and name as a comment.\n"
          "\n"
          "OAuth 2.0 (--oauth2, Authorization Code with PKCE): prints the page to open,\n"
          "reads the address the browser was sent to (or just its code), and saves the\n"
          "tokens: a follow from the store refreshes them by itself and saves each new\n"
          "pair under the store's lock. --exports prints export TW_OAUTH2_CLIENT_ID,\n"
          "TW_OAUTH2_ACCESS_TOKEN, TW_OAUTH2_REFRESH_TOKEN and TW_OAUTH2_EXPIRES_AT lines\n"
          "instead, which the CLI never refreshes (run accounts import env to store them).\n"
          "\n"
          "When the redirect URI (or the OAuth 1.0a --callback URL) is a loopback http://\n"
          "address with a port (127.0.0.1, [::1] or localhost), authorize listens there\n"
          "instead of reading standard input: it takes the one redirect that carries its\n"
          "state (or request token), answers the browser with a page that can be closed,\n"
          "and finishes on its own, or gives up after --wait seconds. With --paste, with\n"
          "any other address, or when that port is taken, the address is pasted instead.\n"
          "\n"
          "  --base-url URL         API base URL (else TW_API_BASE, else https://api.twitter.com)\n"
          "  --oauth2               OAuth 2.0 instead of OAuth 1.0a\n"
          "  --client-id ID         the app's OAuth 2.0 client id (else TW_OAUTH2_CLIENT_ID)\n"
          "  --client-secret SECRET a confidential client's secret; other users can see it\n"
          "                         here (ps): prefer TW_OAUTH2_CLIENT_SECRET\n"
          "  --redirect-uri URI     the callback URL registered for the app\n"
          "  --scope SCOPES         default \"tweet.read users.read follows.write offline.access\"\n"
          "  --callback URL         OAuth 1.0a: the app's callback URL instead of the PIN (oob)\n"
          "  --paste                paste the redirected address instead of listening for it\n"
          "  --wait SECONDS         how long to listen for the browser (default 300)\n"
          "  --store STORE          the token store: a path, or a redis:// or rediss:// URL\n"
          "                         (else TWFOLLOW_STORE, else ~/.config/twfollow/accounts.json)\n"
          "  --account NAME         save as NAME (default: the user's screen name)\n"
          "  --exports              print export lines instead of saving (saves nothing)\n"
          "\n"
          "Exit status: 0 tokens saved (or printed); 64 usage; 65 no or bad answer (on standard input,\n"
          "or no redirect within --wait seconds); 69 network or server error; 74 the tokens\n"
          "could not be written (a full disk, a closed stream: the code is spent, authorize again);\n"
          "76 unexpected HTTP status or response; 77 refused (wrong PIN, used or expired request\n"
          "token, denied, bad code or client); 78 missing or bad configuration, or TLS failed.\n",
          out);
}

/* tw-follow authorize [OPTIONS]: argv[0] is "authorize". */
int authorize_main(int argc, char **argv) {
    const char *wait_text = NULL;
    bool help = false;
    struct authorize a = {.wait = LISTEN_WAIT_SECONDS};
    const struct option_spec specs[] = {
        {"--help", &help, NULL},             {"-h", &help, NULL},
        {"--oauth2", &a.oauth2, NULL},       {"--exports", &a.exports, NULL},
        {"--paste", &a.paste, NULL},         {"--store", NULL, &a.store},
        {"--account", NULL, &a.account},     {"--base-url", NULL, &a.base_url},
        {"--client-id", NULL, &a.client_id}, {"--client-secret", NULL, &a.client_secret},
        {"--redirect-uri", NULL, &a.redirect_uri}, {"--scope", NULL, &a.scope},
        {"--callback", NULL, &a.callback},   {"--wait", NULL, &wait_text},
        {NULL, NULL, NULL}};
    for (int i = 1; i < argc && !help; i++) {
        const struct option_spec *taken = take_option(specs, argc, argv, &i);
        if (taken == NULL) {
            return usage_error("authorize", "unknown or incomplete option %s", argv[i]);
        }
        /* Checked as it is read: a bad value is never passed over. */
        if (taken->value == &wait_text && !(parse_whole_number(wait_text, &a.wait) && a.wait <= 3600)) {
            return usage_error("authorize", "--wait: not a number of seconds from 1 to 3600: '%s'", wait_text);
        }
    }
    if (help) {
        authorize_usage(stdout);
        return 0;
    }
    if (a.base_url == NULL && is_set("TW_API_BASE")) {
        a.base_url = getenv("TW_API_BASE"); /* an empty TW_API_BASE is unset, as for follows */
    }
    if (a.exports && (a.store != NULL || a.account != NULL)) {
        return usage_error("authorize", "--exports saves nothing: it goes without --store and --account");
    }
    if (!a.oauth2) {
        if (a.client_id != NULL || a.client_secret != NULL || a.redirect_uri != NULL || a.scope != NULL) {
            return usage_error("authorize", "--client-id, --client-secret, --redirect-uri and --scope need --oauth2");
        }
        if (a.callback != NULL && *a.callback == '\0') {
            return usage_error("authorize", "--callback needs a URL");
        }
        if (!is_set("TW_CONSUMER_KEY") || !is_set("TW_CONSUMER_SECRET")) {
            fprintf(stderr, "tw-follow: set TW_CONSUMER_KEY and TW_CONSUMER_SECRET to your app's API key and secret\n");
            return EX_CONFIG;
        }
        return run(&a);
    }
    if (a.callback != NULL) {
        return usage_error("authorize", "--callback is for OAuth 1.0a; OAuth 2.0 takes --redirect-uri");
    }
    if (a.client_secret != NULL) {
        fputs("tw-follow: warning: other users can see --client-secret (ps); set TW_OAUTH2_CLIENT_SECRET instead\n",
              stderr);
    } else {
        a.client_secret = getenv("TW_OAUTH2_CLIENT_SECRET");
    }
    if (a.client_id == NULL) {
        a.client_id = getenv("TW_OAUTH2_CLIENT_ID");
    }
    if (a.client_secret != NULL && *a.client_secret == '\0') {
        a.client_secret = NULL; /* an empty TW_OAUTH2_CLIENT_SECRET: a public client */
    }
    if (a.client_id == NULL || *a.client_id == '\0' || a.redirect_uri == NULL) {
        return usage_error("authorize", "--oauth2 needs --client-id (or TW_OAUTH2_CLIENT_ID) and --redirect-uri");
    }
    return run(&a);
}
