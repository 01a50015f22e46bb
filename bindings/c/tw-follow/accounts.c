/* tw-follow accounts: the token store's accounts listed (what a terminal would act on
 * escaped), made the default, removed (their grant revoked at X first, with --revoke) or
 * imported from twurl, xurl or the environment (a newer stored grant kept unless --force). */

#include "cli.h"

#include <string.h>

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

/* BEFORE, then TEXT (NULL: "") as the listing prints it: what a terminal would act on escaped (a
 * store edited by hand, or a file of another tool, may hold anything): ASCII controls and DEL as
 * \xHH, the C1 controls (U+0080 to U+009F) and the bidirectional marks and overrides as \uXXXX, a
 * backslash as \\. The library gives UTF-8. */
static void print_escaped(const char *before, const char *text) {
    const unsigned char *p = (const unsigned char *)(text != NULL ? text : "");
    fputs(before, stdout);
    for (; *p != '\0'; p++) {
        if (*p < 0x20 || *p == 0x7f) {
            printf("\\x%02x", *p);
        } else if (*p == '\\') {
            fputs("\\\\", stdout);
        } else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
            printf("\\u%04x", p[1]);
            p++;
        } else if (p[0] == 0xe2 && ((p[1] == 0x80 && (p[2] == 0x8e || p[2] == 0x8f || (p[2] >= 0xaa && p[2] <= 0xae))) ||
                                    (p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9))) {
            printf("\\u%04x", 0x2000 + ((p[1] & 0x3f) << 6) + (p[2] & 0x3f));
            p += 2;
        } else {
            fputc(*p, stdout);
        }
    }
}

/* One line of the listing: "* " marks the default; it ends "  expires 2026-12-01T20:00:00Z,
 * refreshable" and the like. */
static void print_account(const struct account *a) {
    const char *refresh = a->has_refresh_token ? ", refreshable" : ", no refresh token";
    char text[32];
    print_escaped(a->is_default ? "* " : "  ", a->name);
    print_escaped("  ", a->kind);
    /* A screen name or id not known yet (an imported OAuth 2.0 account before its first call): "-". */
    print_escaped(known(a->screen_name) ? "  @" : "  ", known(a->screen_name) ? a->screen_name : "-");
    print_escaped("  id ", known(a->user_id) ? a->user_id : "-");
    print_escaped("  app ", a->app);
    if (a->kind == NULL || strcmp(a->kind, "oauth2") != 0) {
        puts("  no expiry");
    } else if (a->expires_at <= 0) {
        printf("  expiry unknown%s\n", refresh);
    } else {
        printf("  expires %s%s\n", utc_text(a->expires_at, text), refresh);
    }
}

static int list_accounts(const char *store, bool as_json) {
    char *json = NULL, *path = NULL;
    struct account account;
    uint32_t count = 0, i;
    TwStatus status;
    if (as_json) {
        status = tw_store_list(store, &json);
        if (status == TW_STATUS_OK) {
            puts(json);
        }
        tw_string_free(json);
        return status == TW_STATUS_OK ? 0 : report(status);
    }
    /* The first account and the count, then the path for the heading. */
    status = get_account(store, 0, &account, &count);
    if (status == TW_STATUS_OK) {
        status = tw_store_path(store, &path);
    }
    if (status == TW_STATUS_OK) {
        print_escaped(account.name == NULL ? "no accounts in " : "accounts in ", path);
        fputs(account.name == NULL ? "\n" : ":\n", stdout);
    }
    /* Each call reads the store again: a NULL name (another process removed some) ends the walk. */
    for (i = 1; status == TW_STATUS_OK && account.name != NULL; i++) {
        print_account(&account);
        free_account(&account); /* its name NULL: the walk ends unless another account is read */
        if (i < count) {
            status = get_account(store, i, &account, &count);
        }
    }
    free_account(&account);
    tw_string_free(path);
    return status == TW_STATUS_OK ? 0 : report(status);
}

/* Revokes a stored OAuth 2.0 account's grant at X (the refresh token, else the access token). */
static int revoke_account(const char *store, const char *name, const struct options *options) {
    TwConfig *config = NULL;
    struct oauth2_tokens tokens = {NULL, NULL, NULL, 0};
    int code = 0;
    TwStatus status = tw_config_from_store(store, name, &config);
    if (status == TW_STATUS_OK) {
        status = apply_options(config, options);
    }
    if (status == TW_STATUS_OK && !get_oauth2_tokens(config, &tokens)) {
        code = report_as(TW_STATUS_INVALID_ARGUMENT,
                         "account %s is OAuth 1.0a: its tokens are revoked by the user in the app's settings at X "
                         "(nothing was revoked or removed)",
                         name);
    } else if (status == TW_STATUS_OK) {
        status = tw_oauth2_revoke(config, tokens.refresh != NULL ? tokens.refresh : tokens.access);
    }
    free_oauth2_tokens(&tokens);
    tw_config_free(config);
    return status == TW_STATUS_OK ? code : report(status);
}

/* What the import messages call the source: the file given, or the tool's own. */
static const char *source_name(const char *format, const char *source_path) {
    if (source_path != NULL) {
        return source_path;
    }
    if (strcmp(format, "twurl") == 0) {
        return "~/.twurlrc";
    }
    return strcmp(format, "xurl") == 0 ? "~/.xurl" : "the TW_OAUTH2_* variables";
}

/* Each name of NAMES (each ended by a newline: account names hold none) as FORMAT's
 * first %.*s, with ARG as its second %s. */
static void print_names(const char *names, const char *format, const char *arg) {
    const char *name, *end;
    for (name = names; name != NULL && (end = strchr(name, '\n')) != NULL; name = end + 1) {
        fprintf(stderr, format, (int)(end - name), name, arg);
    }
}

/* `accounts import FORMAT [PATH] [--force]`: what was imported, kept and handed over. */
static int import_accounts(const char *store, const char *format, const char *source_path, bool force) {
    /* What tw_store_import_ex lists: imported (said with the store's path), kept and handed over (with the source). */
    static const char *const SAID[3] = {
        "tw-follow: imported account %.*s into %s\n",
        "tw-follow: kept: the store's grant for %.*s is newer than the one in %s; --force replaces it\n",
        ("tw-follow: warning: the OAuth 2.0 grant of %.*s belongs to the store now: %s stops working for it once "
         "twfollow refreshes it (X rotates the refresh token)\n")};
    char *path = NULL, *names[3] = {NULL, NULL, NULL};
    TwStatus status = tw_store_import_ex(store, format, source_path, force ? (uint32_t)TW_STORE_IMPORT_FORCE : 0,
                                         &names[0], &names[1], &names[2]);
    if (status == TW_STATUS_OK) {
        status = tw_store_path(store, &path);
    }
    for (int i = 0; i < 3; i++) {
        if (status == TW_STATUS_OK) {
            print_names(names[i], SAID[i], i == 0 ? path : source_name(format, source_path));
        }
        tw_string_free(names[i]);
    }
    tw_string_free(path);
    return status == TW_STATUS_OK ? 0 : report(status);
}

/* `accounts ...`: words after "accounts". */
int accounts_main(int count, char **words, const char *store, bool as_json, bool revoke, bool force,
                  const struct options *options) {
    const char *verb = count > 0 ? words[0] : "";
    bool listing = count == 0, removing = strcmp(verb, "remove") == 0, importing = strcmp(verb, "import") == 0;
    char *path = NULL;
    int code = 0;
    /* (tw-follow.c passes at most three words) */
    if (!(listing || ((removing || strcmp(verb, "default") == 0) && count == 2) || (importing && count >= 2))) {
        return usage_error(NULL, "usage: accounts [--json] | accounts default NAME | accounts remove NAME [--revoke] | "
                                 "accounts import twurl|xurl|env [PATH] [--force]");
    }
    if ((as_json && !listing) || (revoke && !removing) || (force && !importing)) {
        return usage_error(NULL, "--json goes with accounts alone, --revoke with accounts remove, --force with "
                                 "accounts import");
    }
    if (listing) {
        return list_accounts(store, as_json);
    }
    if (importing) {
        return import_accounts(store, words[1], count == 3 ? words[2] : NULL, force);
    }
    if (revoke && (code = revoke_account(store, words[1], options)) != 0) {
        return code;
    }
    TwStatus status = removing ? tw_store_remove(store, words[1]) : tw_store_set_default(store, words[1]);
    if (status == TW_STATUS_OK) {
        status = tw_store_path(store, &path);
    }
    if (status != TW_STATUS_OK) {
        return report(status);
    }
    if (removing) {
        fprintf(stderr, "tw-follow: removed account %s%s from %s\n", words[1], revoke ? " (its grant revoked at X)" : "",
                path);
    } else {
        fprintf(stderr, "tw-follow: %s is now the default account in %s\n", words[1], path);
    }
    tw_string_free(path);
    return 0;
}
