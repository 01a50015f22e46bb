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
 * It reads no JSON: the library gives its own data (tokens, the store's accounts, what
 * an import saved) as fields; JSON is only printed, as the library or the API wrote it.
 */
#define _POSIX_C_SOURCE 200809L /* unsetenv, MSG_NOSIGNAL, clock_gettime */

#include "twfollow.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* sysexits.h values, spelled out so the tool builds where the header is missing. */
enum {
    EXIT_REFUSED = 1,
    EXIT_USAGE = 64,
    EXIT_DATAERR = 65,
    EXIT_UNAVAILABLE = 69,
    EXIT_SOFTWARE = 70,
    EXIT_CANTCREAT = 73,
    EXIT_IOERR = 74,
    EXIT_TEMPFAIL = 75,
    EXIT_PROTOCOL = 76,
    EXIT_NOPERM = 77,
    EXIT_CONFIG = 78
};

/* The longest first line --proxy-file accepts, in bytes. */
#define MAX_PROXY_LINE 8192

/* The Environment and Exit status paragraphs are word for word those of
   `python -m twfollow --help` (tests/drift checks it). */
static void usage(FILE *out) {
    fputs("usage: tw-follow [--notify] [--base-url URL] [--timeout-ms N] [--ca-file PEM]\n"
          "                 [--proxy URL | --proxy-file PATH] [--api-version 1.1|2|auto] [--quiet]\n"
          "                 [--trace] [--store PATH] [--account NAME]\n"
          "                 [follow | unfollow | relationship] TARGET\n"
          "       tw-follow [OPTIONS] accounts [--json] | accounts default NAME\n"
          "       tw-follow [OPTIONS] accounts remove NAME [--revoke] | accounts import twurl|xurl|env [PATH]\n"
          "       tw-follow [OPTIONS] token\n"
          "       tw-follow authorize [--oauth2 ...]   get and save a user's tokens (tw-follow authorize --help)\n"
          "       tw-follow --help | --version | --exit-codes\n"
          "\n"
          "Follows TARGET (@name, name, or a numeric user id) and prints the API's JSON\n"
          "answer. `unfollow TARGET` unfollows; `relationship TARGET` prints what holds\n"
          "between you and TARGET ({\"target\":{...},\"following\":...}: a member is there\n"
          "only when the API said it). A user named like a command is written @name.\n"
          "\n"
          "`accounts` lists the token store's accounts (--json: as JSON; no secret either\n"
          "way), `accounts default NAME` sets the default, `accounts remove NAME` removes\n"
          "one (--revoke: its OAuth 2.0 grant at X first), `accounts import twurl|xurl|env\n"
          "[PATH]` copies accounts from ~/.twurlrc, ~/.xurl or the TW_* variables; `token`\n"
          "prints a valid OAuth 2.0 access token alone (refreshed and saved first when\n"
          "needed), for curl. Credentials: --account NAME (or --store) uses the store;\n"
          "else TW_* variables; else the store's default account.\n"
          "\n"
          "  --notify           turn on notifications for the user's posts\n"
          "  --base-url URL     API base URL (http:// only for loopback hosts)\n"
          "  --timeout-ms N     deadline for the whole call, 1 to 4294967295 (default 30000)\n"
          "  --ca-file PEM      trust these certificates instead of the built-in roots\n"
          "  --proxy URL        http://, https://, socks5:// or socks5h:// proxy; \"\" for none.\n"
          "                     Other users see a password here (ps): use --proxy-file\n"
          "  --proxy-file PATH  the proxy URL from the first line of PATH (- for standard input)\n"
          "  --api-version V    1.1, 2 (a name costs a lookup; no --notify), or auto (1.1,\n"
          "                     then 2 for good if 1.1 refuses the app's access tier)\n"
          "  --quiet            print nothing on success\n"
          "  --trace            show each request and response on stderr as curl -v does\n"
          "                     (> sent, < received, * signature base string and notes),\n"
          "                     secrets removed\n"
          "  --store PATH       the token store (else TWFOLLOW_STORE, else\n"
          "                     ~/.config/twfollow/accounts.json)\n"
          "  --account NAME     follow as this stored account (else TW_* variables, else\n"
          "                     the default)\n"
          "  --json             accounts: the list as JSON\n"
          "  --revoke           accounts remove: revoke the OAuth 2.0 grant at X first\n"
          "  --exit-codes       print each status's number, name and exit code, and exit\n"
          "\n",
          out);
    /* Two strings: C99 compilers need take only 4095 bytes in one. */
    fputs("Environment (an option wins: its variable is then not read):\n"
          "  TW_CONSUMER_KEY, TW_CONSUMER_SECRET, TW_ACCESS_TOKEN, TW_ACCESS_TOKEN_SECRET\n"
          "      the OAuth 1.0a user-context credentials, unless --account or --store\n"
          "      (without them: the store's default account)\n"
          "  TW_API_BASE      base URL unless --base-url (default https://api.twitter.com)\n"
          "  TW_API_VERSION   1.1, 2 or auto unless --api-version (default 1.1)\n"
          "  TW_OAUTH2_ACCESS_TOKEN, TW_OAUTH2_REFRESH_TOKEN, TW_OAUTH2_EXPIRES_AT,\n"
          "  TW_OAUTH2_CLIENT_ID, TW_OAUTH2_CLIENT_SECRET\n"
          "      an OAuth 2.0 user token instead, when TW_ACCESS_TOKEN is not set; never\n"
          "      refreshed here (the rotated refresh token would be lost): run\n"
          "      `accounts import env` once, then follow from the store\n"
          "  TWFOLLOW_STORE   the token store unless --store (default\n"
          "      $XDG_CONFIG_HOME/twfollow/accounts.json, else ~/.config/twfollow/accounts.json)\n"
          "  https_proxy, HTTPS_PROXY, http_proxy, all_proxy, ALL_PROXY, no_proxy, NO_PROXY\n"
          "      the proxy, by curl's rules, unless --proxy or --proxy-file\n"
          "\n"
          "Exit status: 0 done; 1 refused for this target (forbidden, not found, already\n"
          "requested, blocked); 64 usage (unknown option, missing or malformed value); 65\n"
          "bad target or argument; 69 network, TLS or server error; 70 internal error; 73\n"
          "refreshed tokens could not be saved (they are printed on stderr); 74 tokens\n"
          "could not be written out; 75 timeout, rate limit or follow limit (try later);\n"
          "76 unexpected HTTP status or response; 77 credentials refused, or the account\n"
          "suspended or locked; 78 missing or bad configuration (credentials, the token\n"
          "store, a setting the library refuses, an unreadable --proxy-file), or the app\n"
          "refused by X for its access tier, permissions, credits or usage cap.\n",
          out);
}

/* No default case: -Wall (-Wswitch) then fails the build when the header gains a
   status this table lacks. */
static int exit_code_for(TwStatus status) {
    switch (status) {
    case TW_STATUS_OK:
        return 0;
    case TW_STATUS_NULL_ARGUMENT:
    case TW_STATUS_INVALID_UTF8:
    case TW_STATUS_INVALID_ARGUMENT:
        return EXIT_DATAERR;
    case TW_STATUS_NETWORK:
    case TW_STATUS_TLS:
    case TW_STATUS_SERVER_ERROR:
        return EXIT_UNAVAILABLE;
    case TW_STATUS_TIMEOUT:
    case TW_STATUS_RATE_LIMITED:
    case TW_STATUS_FOLLOW_LIMIT:
        return EXIT_TEMPFAIL;
    case TW_STATUS_AUTH:
    case TW_STATUS_ACCOUNT_STATE:
        return EXIT_NOPERM;
    /* A refusal of the app, not of the target: its setup at X must change. */
    case TW_STATUS_ACCESS_TIER:
    case TW_STATUS_APP_PERMISSION:
    case TW_STATUS_PAYMENT_REQUIRED:
    case TW_STATUS_USAGE_CAPPED:
    case TW_STATUS_STORE:
        return EXIT_CONFIG;
    /* The rotated tokens are only in this process: loud, and its own code. */
    case TW_STATUS_TOKENS_NOT_SAVED:
        return EXIT_CANTCREAT;
    case TW_STATUS_FORBIDDEN:
    case TW_STATUS_NOT_FOUND:
    case TW_STATUS_ALREADY_REQUESTED:
    case TW_STATUS_BLOCKED:
        return EXIT_REFUSED;
    case TW_STATUS_HTTP_ERROR:
    case TW_STATUS_BAD_RESPONSE:
        return EXIT_PROTOCOL;
    case TW_STATUS_NO_RATE_LIMIT:
    case TW_STATUS_REENTERED:
    case TW_STATUS_INTERNAL:
        return EXIT_SOFTWARE;
    }
    return EXIT_SOFTWARE; /* a number from a newer library */
}

/* --exit-codes: "NUMBER TW_STATUS_NAME EXIT" for every status the library knows. */
static void print_exit_codes(void) {
    int32_t n;
    for (n = 0; n < 1000; n++) {
        const char *text = tw_status_str(n);
        if (strncmp(text, "TW_STATUS_", 10) == 0) {
            printf("%d %.*s %d\n", (int)n, (int)strcspn(text, ":"), text, exit_code_for((TwStatus)n));
        }
    }
}

/* What the next report() adds to the library's message (the way out of a refusal). */
static const char *report_suffix = "";

/* "TW_STATUS_X: description" -> prints "TW_STATUS_X: <last error message><report_suffix>". */
static void report(TwStatus status) {
    const char *text = tw_status_str((int32_t)status);
    size_t name_length = strcspn(text, ":");
    fprintf(stderr, "%.*s: %s%s\n", (int)name_length, text, tw_last_error_message(), report_suffix);
    report_suffix = "";
}

/* True when a proxy URL carries a non-empty password ("scheme://user:password@host"). */
static bool has_password(const char *url) {
    const char *authority = strstr(url, "://");
    const char *at = NULL, *colon;
    size_t i, length;
    authority = authority != NULL ? authority + 3 : url;
    length = strcspn(authority, "/?#");
    for (i = 0; i < length; i++) {
        if (authority[i] == '@') {
            at = authority + i;
        }
    }
    if (at == NULL) {
        return false;
    }
    colon = memchr(authority, ':', (size_t)(at - authority));
    return colon != NULL && colon + 1 < at;
}

static void wipe(char *buffer, size_t size) {
    volatile char *p = buffer; /* volatile: the compiler may not drop the stores */
    while (size-- > 0) {
        *p++ = 0;
    }
}

/* The first line of PATH ("-": standard input) without its line ending and the blanks
   around it, into line[MAX_PROXY_LINE + 1]. On failure prints why and returns 0. */
static int read_proxy_file(const char *path, char *line) {
    FILE *file = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    const char *problem = NULL;
    size_t length = 0, start = 0;
    int c;
    if (file == NULL) {
        fprintf(stderr, "tw-follow: --proxy-file %s: %s\n", path, strerror(errno));
        return 0;
    }
    while ((c = getc(file)) != EOF && c != '\n') {
        if (c == '\0') {
            problem = "the first line contains a NUL byte";
            break;
        }
        if (length == MAX_PROXY_LINE) {
            problem = "the first line is longer than 8192 bytes";
            break;
        }
        line[length++] = (char)c;
    }
    if (problem == NULL && ferror(file)) {
        problem = strerror(errno);
    }
    if (file != stdin) {
        fclose(file);
    }
    while (length > 0 && strchr(" \t\r", line[length - 1]) != NULL) {
        length--;
    }
    while (start < length && strchr(" \t", line[start]) != NULL) {
        start++;
    }
    memmove(line, line + start, length - start);
    length -= start;
    line[length] = '\0';
    if (problem == NULL && length == 0) {
        problem = "the first line is empty (for no proxy, pass --proxy \"\")";
    }
    if (problem != NULL) {
        wipe(line, MAX_PROXY_LINE + 1);
        fprintf(stderr, "tw-follow: --proxy-file %s: %s\n", path, problem);
        return 0;
    }
    return 1;
}

/* --trace: each line of the library's wire trace on stderr, prefixed as curl -v does:
   "> " what was sent, "< " what came back, "* " the signature base string and notes
   (also for a kind a newer library adds). */
static void print_trace_line(void *user_data, int32_t kind, const char *line) {
    const char *prefix = "* ";
    (void)user_data;
    switch (kind) {
    case TW_TRACE_KIND_REQUEST_LINE:
    case TW_TRACE_KIND_REQUEST_HEADER:
        prefix = "> ";
        break;
    case TW_TRACE_KIND_RESPONSE_STATUS:
    case TW_TRACE_KIND_RESPONSE_HEADER:
    case TW_TRACE_KIND_RESPONSE_BODY:
        prefix = "< ";
        break;
    default:
        break;
    }
    fprintf(stderr, "%s%s\n", prefix, line);
}

/* 1.1 (or 1), 2 or auto (0), as tw_config_set_api_version numbers them; 0 if none. */
static int parse_api_version(const char *text, uint32_t *out) {
    if (strcmp(text, "1.1") == 0 || strcmp(text, "1") == 0) {
        *out = 1;
    } else if (strcmp(text, "2") == 0) {
        *out = 2;
    } else if (strcmp(text, "auto") == 0) {
        *out = 0;
    } else {
        return 0;
    }
    return 1;
}

/* --trace, after the call: what it sent and the 24-hour budgets the last answer told
   (python -m twfollow prints the same lines). */
static void print_call_summary(void) {
    int64_t v[6];
    fprintf(stderr, "* requests sent: %d\n", (int)tw_last_request_count());
    if (tw_last_day_budgets(&v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != TW_STATUS_OK) {
        return;
    }
    fputs("* 24-hour budgets:", stderr);
    for (int i = 0; i < 2; i++) {
        const int64_t *b = &v[3 * i];
        if (b[0] == -1) {
            continue; /* not sent */
        }
        fprintf(stderr, "%s %s %lld of %lld left, resets at %lld", i == 1 && v[0] != -1 ? ";" : "",
                i == 0 ? "user" : "app", (long long)b[1], (long long)b[0], (long long)b[2]);
    }
    fputc('\n', stderr);
}

static int parse_timeout(const char *text, uint32_t *out) {
    char *end = NULL;
    unsigned long value;
    if (text[0] < '0' || text[0] > '9') {
        return 0;
    }
    errno = 0;
    value = strtoul(text, &end, 10);
    if (errno != 0 || *end != '\0' || value == 0 || value > 0xFFFFFFFFUL) {
        return 0;
    }
    *out = (uint32_t)value;
    return 1;
}

/* ---- tw-follow authorize: getting a user's tokens (OAuth 1.0a PIN, OAuth 2.0 PKCE) ----
 *
 * twurl's habit: the URL to open goes to stderr, the PIN (or the redirected URL) is
 * read from stdin, and stdout gets only lines a shell can eval:
 *   eval "$(tw-follow authorize)"
 * Values are single-quoted; anything the server sends outside them is filtered, so a
 * hostile answer cannot inject a command into that eval. */

/* The longest line read from standard input (a PIN, a code or a redirected URL). */
#define MAX_INPUT_LINE 8192

static void authorize_usage(FILE *out) {
    fputs("usage: tw-follow authorize [--base-url URL] [--callback URL] [--paste] [--wait SECONDS]\n"
          "                           [--store PATH] [--account NAME | --exports]\n"
          "       tw-follow authorize --oauth2 --client-id ID [--client-secret SECRET]\n"
          "                           --redirect-uri URI [--scope SCOPES] [--base-url URL]\n"
          "                           [--paste] [--wait SECONDS]\n"
          "                           [--store PATH] [--account NAME | --exports]\n"
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
          "  --store PATH           the token store (else TWFOLLOW_STORE, else\n"
          "                         ~/.config/twfollow/accounts.json)\n"
          "  --account NAME         save as NAME (default: the user's screen name)\n"
          "  --exports              print export lines instead of saving (saves nothing)\n"
          "\n"
          "Exit status: 0 tokens saved (or printed); 64 usage; 65 no or bad answer (on standard input,\n"
          "or no redirect within --wait seconds); 69 network, TLS or server error; 74 the tokens\n"
          "could not be written (a full disk, a closed stream: the code is spent, authorize again);\n"
          "76 unexpected HTTP status or response; 77 refused (wrong PIN, used or expired request\n"
          "token, denied, bad code or client); 78 missing or bad configuration.\n",
          out);
}

static void wipe_text(char *text) {
    volatile char *p = text; /* volatile: the compiler may not drop the stores */
    while (p != NULL && *p != '\0') {
        *p++ = '\0';
    }
}

static void free_secret(char *text) {
    wipe_text(text);
    free(text);
}

/* After the tokens were written to `out`: flushes it and checks that every write
   reached it (a full disk, a closed pipe). Returns 0, having said so on stderr, when
   one did not: the tokens are lost, and the caller exits EXIT_IOERR. */
static int tokens_written(FILE *out, const char *what) {
    int failed, error;
    errno = 0;
    failed = fflush(out) != 0;
    error = errno;
    if (ferror(out)) {
        failed = 1;
    }
    if (failed) {
        fprintf(stderr, "tw-follow: the %s could not be written to %s (%s)\n", what,
                out == stdout ? "standard output" : "standard error", strerror(error != 0 ? error : EIO));
    }
    return !failed;
}

/* export NAME='value', with ' written as '\'' so any value survives eval. */
static void print_export(FILE *out, const char *name, const char *value) {
    fprintf(out, "export %s='", name);
    for (; *value != '\0'; value++) {
        if (*value == '\'') {
            fputs("'\\''", out);
        } else {
            fputc(*value, out);
        }
    }
    fputs("'\n", out);
}

/* A value for a "# ..." comment line: letters, digits, space and _.- kept, anything
   else (a newline above all) as '?'. */
static void print_comment_value(FILE *out, const char *value) {
    for (; *value != '\0'; value++) {
        char c = *value;
        int plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    strchr(" _.-", c) != NULL;
        fputc(plain ? c : '?', out);
    }
}

/* The OAuth 2.0 tokens a config holds, as the library gives them (tw_config_get_oauth2_tokens). */
struct oauth2_tokens {
    char *access, *refresh, *scope;
    int64_t expires_at;
};

static int get_oauth2_tokens(const TwConfig *config, struct oauth2_tokens *tokens) {
    memset(tokens, 0, sizeof *tokens);
    return tw_config_get_oauth2_tokens(config, &tokens->access, &tokens->refresh, &tokens->expires_at,
                                       &tokens->scope) == TW_STATUS_OK;
}

static void free_oauth2_tokens(struct oauth2_tokens *tokens) {
    tw_string_free(tokens->access);
    tw_string_free(tokens->refresh);
    tw_string_free(tokens->scope);
    memset(tokens, 0, sizeof *tokens);
}

/* `export` lines for the tokens (a grant without a refresh token: `unset`). */
static void print_oauth2_exports(FILE *out, const struct oauth2_tokens *tokens) {
    char expires_at[24];
    print_export(out, "TW_OAUTH2_ACCESS_TOKEN", tokens->access);
    if (tokens->refresh != NULL) {
        print_export(out, "TW_OAUTH2_REFRESH_TOKEN", tokens->refresh);
    } else {
        fputs("unset TW_OAUTH2_REFRESH_TOKEN\n", out);
    }
    snprintf(expires_at, sizeof expires_at, "%lld", (long long)tokens->expires_at);
    print_export(out, "TW_OAUTH2_EXPIRES_AT", expires_at);
}

/* After TW_STATUS_TOKENS_NOT_SAVED: the only copy of the new pair, on stderr (exit 73).
   Returns 0 when it could not be written either (the caller exits EXIT_IOERR). */
static int print_unsaved_tokens(TwConfig *config) {
    struct oauth2_tokens tokens;
    if (!get_oauth2_tokens(config, &tokens)) {
        return 1;
    }
    fputs("tw-follow: the refreshed OAuth 2.0 tokens could not be saved to the store and the old refresh\n"
          "tw-follow: token no longer works; keep these lines (they hold secrets), fix the store, and\n"
          "tw-follow: eval them and run `tw-follow accounts import env`:\n",
          stderr);
    print_oauth2_exports(stderr, &tokens);
    free_oauth2_tokens(&tokens);
    return tokens_written(stderr, "refreshed OAuth 2.0 tokens");
}

/* ---- the redirect listener: catching the browser's redirect on a loopback URI ----
 *
 * As bindings/python/twfollow/_redirect_listener.py: when the redirect URI (OAuth 2.0) or
 * the callback (OAuth 1.0a) is a loopback http:// URI with a port, authorize listens there
 * for the length of the flow, takes the one GET of that path whose query carries the
 * expected state (or request token), answers the browser with a page that can be closed,
 * and hands back the address it was sent to. Other requests get a refusal and the wait goes
 * on; nothing but loopback is ever listened on, and nothing after the deadline. */

#define LISTEN_WAIT_SECONDS 300 /* the default of --wait */
#define MAX_REQUEST_HEAD 8192
#define PER_REQUEST_MS 10000 /* one connection may not hold the wait up for longer */

static const char CLOSE_PAGE[] =
    "<!doctype html><meta charset=utf-8><title>twfollow</title>"
    "<p>The authorization reached the command line. You can close this window.</p>\n";
static const char REFUSED_PAGE[] =
    "<!doctype html><meta charset=utf-8><title>twfollow</title>"
    "<p>This is not the answer the command line is waiting for (its state or token does not "
    "match): ignored.</p>\n";
static const char NOT_FOUND_PAGE[] =
    "<!doctype html><meta charset=utf-8><title>twfollow</title><p>Not the redirect address.</p>\n";

struct redirect_listener {
    int fds[2];
    nfds_t count;
    char host[16]; /* 127.0.0.1, ::1 or localhost */
    unsigned port;
    char path[1024];
};

/* What the listener takes: a query whose NAMES[0] or NAMES[1] (NULL: none) is EXPECTED. */
struct expected_answer {
    const char *names[2];
    const char *expected;
};

/* Host, port and path of a loopback http:// URI with an explicit port (no user, no
   fragment): 1, else 0. The host is lowercased; an empty path is "/". */
static int loopback_target(const char *uri, struct redirect_listener *to) {
    const char *p = uri, *host, *end;
    size_t length, i;
    unsigned long port = 0;
    bool bracketed = false;
    if (strncasecmp(p, "http://", 7) != 0) {
        return 0;
    }
    p += 7;
    if (strchr(p, '#') != NULL || memchr(p, '@', strcspn(p, "/?")) != NULL) {
        return 0;
    }
    if (*p == '[') {
        bracketed = true;
        host = p + 1;
        end = strchr(host, ']');
        if (end == NULL || end[1] != ':') {
            return 0;
        }
        p = end + 2;
    } else {
        host = p;
        end = p + strcspn(p, ":/?");
        if (*end != ':') {
            return 0;
        }
        p = end + 1;
    }
    length = (size_t)(end - host);
    if (length == 0 || length >= sizeof to->host) {
        return 0;
    }
    for (i = 0; i < length; i++) {
        char c = host[i];
        to->host[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    to->host[length] = '\0';
    if (bracketed ? strcmp(to->host, "::1") != 0
                  : strcmp(to->host, "127.0.0.1") != 0 && strcmp(to->host, "localhost") != 0) {
        return 0;
    }
    for (i = 0; p[i] >= '0' && p[i] <= '9' && i < 6; i++) {
        port = port * 10 + (unsigned long)(p[i] - '0');
    }
    if (i == 0 || port == 0 || port > 65535 || (p[i] != '\0' && p[i] != '/' && p[i] != '?')) {
        return 0;
    }
    to->port = (unsigned)port;
    p += i;
    length = strcspn(p, "?");
    if (length >= sizeof to->path) {
        return 0;
    }
    if (length == 0) {
        strcpy(to->path, "/");
    } else {
        memcpy(to->path, p, length);
        to->path[length] = '\0';
    }
    return 1;
}

static void close_listener(struct redirect_listener *listener) {
    nfds_t i;
    for (i = 0; i < listener->count; i++) {
        close(listener->fds[i]);
    }
    listener->count = 0;
}

/* One listening socket on ADDRESS (IPv4 or IPv6 loopback) and the listener's port. */
static int listen_on(struct redirect_listener *listener, int family) {
    struct sockaddr_in v4;
    struct sockaddr_in6 v6;
    int fd = socket(family, SOCK_STREAM, 0), one = 1, ok;
    if (fd < 0) {
        return -1;
    }
    (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (family == AF_INET) {
        memset(&v4, 0, sizeof v4);
        v4.sin_family = AF_INET;
        v4.sin_port = htons((uint16_t)listener->port);
        v4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ok = bind(fd, (struct sockaddr *)&v4, sizeof v4) == 0;
    } else {
        (void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
        memset(&v6, 0, sizeof v6);
        v6.sin6_family = AF_INET6;
        v6.sin6_port = htons((uint16_t)listener->port);
        v6.sin6_addr = in6addr_loopback;
        ok = bind(fd, (struct sockaddr *)&v6, sizeof v6) == 0;
    }
    if (!ok || listen(fd, 4) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    listener->fds[listener->count++] = fd;
    return 0;
}

/* Opens the listener for URI: 1; 0 when the answer is to be pasted instead (--paste, a URI
   that is not loopback http:// with a port, or a port that cannot be listened on: said). */
static int open_listener(const char *uri, bool paste, struct redirect_listener *listener) {
    memset(listener, 0, sizeof *listener);
    if (paste || !loopback_target(uri, listener)) {
        return 0;
    }
    /* localhost: 127.0.0.1 must work; ::1 is added when the system has it. */
    if (listen_on(listener, strcmp(listener->host, "::1") == 0 ? AF_INET6 : AF_INET) != 0) {
        fprintf(stderr, "tw-follow: cannot listen on port %u of %s (%s): paste the address instead\n",
                listener->port, listener->host, strerror(errno));
        return 0;
    }
    if (strcmp(listener->host, "localhost") == 0) {
        (void)listen_on(listener, AF_INET6);
    }
    return 1;
}

static long long monotonic_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static void respond(int fd, int code, const char *reason, const char *page) {
    char head[256];
    int length = snprintf(head, sizeof head,
                          "HTTP/1.1 %d %s\r\nContent-Type: text/html; charset=utf-8\r\n"
                          "Content-Length: %zu\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
                          code, reason, strlen(page));
    /* The browser may have gone away: nothing to tell it then. */
    if (length > 0 && send(fd, head, (size_t)length, MSG_NOSIGNAL) == length) {
        (void)send(fd, page, strlen(page), MSG_NOSIGNAL);
    }
}

static int hex_digit(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* The value of NAME in QUERY (a=b&c=d, up to its end or a blank), percent- and
   +-decoded into OUT (OUT_SIZE bytes): 1; 0 when absent or too long. */
static int query_value(const char *query, const char *name, char *out, size_t out_size) {
    size_t name_length = strlen(name);
    const char *p = query;
    while (*p != '\0' && *p != ' ') {
        size_t field = strcspn(p, "& ");
        if (field > name_length && strncmp(p, name, name_length) == 0 && p[name_length] == '=') {
            const char *v = p + name_length + 1, *end = p + field;
            size_t n = 0;
            while (v < end) {
                char c = *v++;
                if (c == '+') {
                    c = ' ';
                } else if (c == '%' && end - v >= 2 && hex_digit(v[0]) >= 0 && hex_digit(v[1]) >= 0) {
                    c = (char)(hex_digit(v[0]) * 16 + hex_digit(v[1]));
                    v += 2;
                }
                if (n + 1 >= out_size) {
                    return 0;
                }
                out[n++] = c;
            }
            out[n] = '\0';
            return 1;
        }
        p += field;
        if (*p == '&') {
            p++;
        }
    }
    return 0;
}

/* Reads one request on FD and answers it. Returns the redirected address (URI's part
   before any ? with the request's query; malloc'd) when it is the expected one, else NULL. */
static char *answer_request(int fd, const struct redirect_listener *listener, const char *uri,
                            const struct expected_answer *expected, long long deadline) {
    static char head[MAX_REQUEST_HEAD + 1];
    char value[512];
    size_t length = 0, i;
    const char *target, *query, *version;
    char *found = NULL;
    long long until = monotonic_ms() + PER_REQUEST_MS;
    if (until > deadline) {
        until = deadline;
    }
    while (length < MAX_REQUEST_HEAD) {
        struct pollfd one;
        long long left = until - monotonic_ms();
        ssize_t got;
        one.fd = fd;
        one.events = POLLIN;
        if (left <= 0 || poll(&one, 1, (int)left) <= 0) {
            break;
        }
        got = recv(fd, head + length, MAX_REQUEST_HEAD - length, 0);
        if (got <= 0) {
            break;
        }
        length += (size_t)got;
        head[length] = '\0';
        if (strstr(head, "\r\n\r\n") != NULL || strstr(head, "\n\n") != NULL) {
            break;
        }
    }
    head[length] = '\0';
    /* GET SP target SP HTTP/1.x */
    target = strncmp(head, "GET ", 4) == 0 ? head + 4 : NULL;
    version = target != NULL ? strchr(target, ' ') : NULL;
    if (version == NULL || strncmp(version + 1, "HTTP/1.", 7) != 0) {
        respond(fd, 400, "Bad Request", NOT_FOUND_PAGE);
    } else if (strncmp(target, listener->path, strlen(listener->path)) != 0 ||
               (target[strlen(listener->path)] != '?' && target[strlen(listener->path)] != ' ')) {
        respond(fd, 404, "Not Found", NOT_FOUND_PAGE);
    } else {
        int matches = 0;
        query = target[strlen(listener->path)] == '?' ? target + strlen(listener->path) + 1 : version;
        for (i = 0; i < 2 && expected->names[i] != NULL; i++) {
            if (query_value(query, expected->names[i], value, sizeof value) &&
                strcmp(value, expected->expected) == 0) {
                matches = 1;
            }
        }
        if (!matches) {
            respond(fd, 400, "Bad Request", REFUSED_PAGE);
        } else {
            size_t base = strcspn(uri, "?#"), query_length = (size_t)(version - query);
            found = malloc(base + 1 + query_length + 1);
            if (found != NULL) {
                memcpy(found, uri, base);
                found[base] = '?';
                memcpy(found + base + 1, query, query_length);
                found[base + 1 + query_length] = '\0';
            }
            respond(fd, 200, "OK", CLOSE_PAGE);
        }
    }
    wipe(head, sizeof head); /* the code or verifier was in it */
    wipe(value, sizeof value);
    return found;
}

/* Waits until the expected redirect arrives (its address, malloc'd) or the deadline passes
   (NULL); closes the listener either way. */
static char *wait_for_redirect(struct redirect_listener *listener, const char *uri,
                               const struct expected_answer *expected, unsigned seconds) {
    long long deadline = monotonic_ms() + (long long)seconds * 1000;
    char *found = NULL;
    while (found == NULL) {
        struct pollfd fds[2];
        nfds_t i;
        long long left = deadline - monotonic_ms();
        if (left <= 0) {
            break;
        }
        for (i = 0; i < listener->count; i++) {
            fds[i].fd = listener->fds[i];
            fds[i].events = POLLIN;
            fds[i].revents = 0;
        }
        if (poll(fds, listener->count, (int)left) <= 0) {
            continue; /* a signal, or the deadline: checked above */
        }
        for (i = 0; i < listener->count && found == NULL; i++) {
            if (fds[i].revents & POLLIN) {
                int connection = accept(fds[i].fd, NULL, NULL);
                if (connection >= 0) {
                    found = answer_request(connection, listener, uri, expected, deadline);
                    close(connection);
                }
            }
        }
    }
    close_listener(listener);
    return found;
}

/* The prompt's last line while the listener waits (play_user.py and the tests key on it). */
static void print_waiting(const char *uri, unsigned seconds) {
    fprintf(stderr,
            "Waiting up to %u s for the browser to be sent to %s "
            "(or stop with Ctrl-C and run again with --paste)...\n",
            seconds, uri);
    fflush(stderr);
}

/* The caught address into LINE (the buffer a pasted answer goes to): 1; else 0, said. */
static int listened_answer(struct redirect_listener *listener, const char *uri, const struct expected_answer *expected,
                           unsigned seconds, char line[MAX_INPUT_LINE + 2]) {
    char *found = wait_for_redirect(listener, uri, expected, seconds);
    size_t length = found != NULL ? strlen(found) : 0;
    if (found == NULL || length > MAX_INPUT_LINE) {
        free_secret(found);
        fprintf(stderr, "tw-follow: no redirect to %s within %u s\n", uri, seconds);
        return 0;
    }
    memcpy(line, found, length + 1);
    free_secret(found);
    return 1;
}

/* The OAuth 1.0a verifier in ANSWER: a PIN or bare verifier as it is; from a callback address
   (http:// or https://, pasted or caught), its oauth_verifier, once its oauth_token is TOKEN.
   NULL, said, with *exit_code set, when the address refuses: denied, another request token,
   no verifier. Nothing is sent then. */
static char *callback_verifier(char *answer, const char *token, int *exit_code) {
    static char verifier[MAX_INPUT_LINE + 2];
    static char value[MAX_INPUT_LINE + 2];
    const char *query;
    if (strncmp(answer, "http://", 7) != 0 && strncmp(answer, "https://", 8) != 0) {
        return answer;
    }
    query = strchr(answer, '?');
    query = query != NULL ? query + 1 : "";
    if (query_value(query, "denied", value, sizeof value)) {
        fputs("TW_STATUS_AUTH: the user denied access to the app (the callback says denied)\n", stderr);
        *exit_code = exit_code_for(TW_STATUS_AUTH);
        return NULL;
    }
    if (!query_value(query, "oauth_token", value, sizeof value) || strcmp(value, token) != 0) {
        fputs("TW_STATUS_INVALID_ARGUMENT: the callback's oauth_token is not this flow's request token: nothing was "
              "sent\n",
              stderr);
        *exit_code = exit_code_for(TW_STATUS_INVALID_ARGUMENT);
        return NULL;
    }
    if (!query_value(query, "oauth_verifier", verifier, sizeof verifier) || verifier[0] == '\0') {
        fputs("TW_STATUS_INVALID_ARGUMENT: the callback URL has no oauth_verifier\n", stderr);
        *exit_code = exit_code_for(TW_STATUS_INVALID_ARGUMENT);
        return NULL;
    }
    return verifier;
}

/* ---- end of the redirect listener ---- */

/* One line of standard input without its line ending and the blanks around it.
   Returns 0 (and says why) on end of input, an empty line or one too long. */
static int read_answer(char line[MAX_INPUT_LINE + 2], const char *what) {
    size_t length, start = 0;
    if (fgets(line, MAX_INPUT_LINE + 2, stdin) == NULL) {
        fprintf(stderr, "tw-follow: no %s on standard input\n", what);
        return 0;
    }
    length = strlen(line);
    if (length > MAX_INPUT_LINE && line[length - 1] != '\n') {
        wipe_text(line);
        fprintf(stderr, "tw-follow: the %s is longer than %d bytes\n", what, MAX_INPUT_LINE);
        return 0;
    }
    while (length > 0 && strchr(" \t\r\n", line[length - 1]) != NULL) {
        line[--length] = '\0';
    }
    while (line[start] == ' ' || line[start] == '\t') {
        start++;
    }
    memmove(line, line + start, length - start + 1);
    if (line[0] == '\0') {
        fprintf(stderr, "tw-follow: no %s on standard input (an empty line)\n", what);
        return 0;
    }
    return 1;
}

static bool is_set(const char *name) {
    const char *value = getenv(name);
    return value != NULL && *value != '\0';
}

/* A user's token in the environment (OAuth 1.0a or OAuth 2.0): it wins over the
   store's default account. */
static bool env_user_token(void) {
    return is_set("TW_ACCESS_TOKEN") || is_set("TW_OAUTH2_ACCESS_TOKEN");
}

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
