/* tw-follow's help text (tests/drift checks its tables against the header; authorize's is
 * authorize.c's) and the exit code of each status. */

#include "cli.h"

#include <stdarg.h>
#include <string.h>

void usage(FILE *out) {
    fputs("usage: tw-follow [--notify] [--base-url URL] [--timeout-ms N] [--ca-file PEM]\n"
          "                 [--proxy URL | --proxy-file PATH] [--api-version 1.1|2|auto] [--quiet]\n"
          "                 [--trace] [--store STORE] [--account NAME]\n"
          "                 [follow | unfollow | relationship] TARGET\n"
          "       tw-follow [OPTIONS] accounts [--json] | accounts default NAME\n"
          "       tw-follow [OPTIONS] accounts remove NAME [--revoke]\n"
          "       tw-follow [OPTIONS] accounts import twurl|xurl|env [PATH] [--force]\n"
          "       tw-follow [OPTIONS] token\n"
          "       tw-follow [OPTIONS] whoami [--json]\n"
          "       tw-follow authorize [--oauth2 ...]   get and save a user's tokens (tw-follow authorize --help)\n"
          "       tw-follow --help | --version | --exit-codes\n"
          "\n"
          "Follows TARGET (@name, name, or a numeric user id) and prints the API's JSON\n"
          "answer. `unfollow TARGET` unfollows; `relationship TARGET` prints what holds\n"
          "between you and TARGET ({\"target\":{...},\"following\":...}: a member is there\n"
          "only when the API said it). `whoami` prints who the credentials act as\n"
          "(@name and id; --json: {\"id\":...,\"username\":...}), with no request when the\n"
          "store knows it. A user named like a command (follow, unfollow, relationship,\n"
          "accounts, token, whoami, authorize) is written @name: `tw-follow @whoami`.\n"
          "\n"
          "`accounts` lists the token store's accounts (--json: as JSON; no secret either\n"
          "way), `accounts default NAME` sets the default, `accounts remove NAME` removes\n"
          "one (--revoke: its OAuth 2.0 grant at X first), `accounts import twurl|xurl|env\n"
          "[PATH]` copies accounts from ~/.twurlrc, ~/.xurl or the TW_* variables (a newer\n"
          "stored OAuth 2.0 grant is kept unless --force); `token`\n"
          "prints a valid OAuth 2.0 access token alone (refreshed and saved first when\n"
          "needed), for curl. Credentials: --account NAME (or --store) uses the store;\n"
          "else TW_* variables; else the store's default account.\n"
          "\n"
          "  --notify           turn on notifications for the user's posts\n"
          "  --base-url URL     API base URL (http:// only for loopback hosts)\n"
          "  --timeout-ms N     deadline for the whole call, 1 to 4294967295 (default 30000)\n"
          "  --timeout SECONDS  the same in seconds, 0.001 to 4294967.295\n"
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
          "  --store STORE      the token store: a path, or a redis:// or rediss:// URL\n"
          "                     (else TWFOLLOW_STORE, else ~/.config/twfollow/accounts.json)\n"
          "  --account NAME     follow as this stored account (else TW_* variables, else\n"
          "                     the default)\n"
          "  --json             accounts, whoami: the answer as JSON\n"
          "  --revoke           accounts remove: revoke the OAuth 2.0 grant at X first\n"
          "  --force            accounts import: replace a stored OAuth 2.0 grant that\n"
          "                     differs from the source's (the store's is newer)\n"
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
          "bad target or argument; 69 network or server error; 70 internal error; 73\n"
          "refreshed tokens could not be saved (they are printed on stderr); 74 tokens\n"
          "could not be written out; 75 timeout, rate limit or follow limit (try later);\n"
          "76 unexpected HTTP status or response; 77 credentials refused, or the account\n"
          "suspended, locked or not enrolled in Pay-per-use; 78 missing or bad\n"
          "configuration (credentials, the token store, a setting the library refuses, an\n"
          "unreadable --proxy-file, TLS: an untrusted certificate, a server that does not\n"
          "speak TLS), or the app refused by X for its access tier, permissions, credits\n"
          "or usage cap.\n",
          out);
}

/* The tool's own table (the library has no exit codes; the names --exit-codes prints come
 * from tw_status_str; test_every_status_exits_with_the_code_its_table_lists runs each status).
 * No default case: -Wall (-Wswitch) then fails the build when the header gains a
 * status this table lacks. */
int exit_code_for(TwStatus status) {
    switch (status) {
    case TW_STATUS_OK:
        return 0;
    case TW_STATUS_NULL_ARGUMENT:
    case TW_STATUS_INVALID_UTF8:
    case TW_STATUS_INVALID_ARGUMENT:
        return EX_DATAERR;
    case TW_STATUS_NETWORK:
    case TW_STATUS_SERVER_ERROR:
        return EX_UNAVAILABLE;
    case TW_STATUS_TIMEOUT:
    case TW_STATUS_RATE_LIMITED:
    case TW_STATUS_FOLLOW_LIMIT:
        return EX_TEMPFAIL;
    case TW_STATUS_AUTH:
    case TW_STATUS_ACCOUNT_STATE:
    case TW_STATUS_USER_NOT_ENROLLED:
        return EX_NOPERM;
    /* A refusal of the app, not of the target: its setup at X must change. */
    case TW_STATUS_ACCESS_TIER:
    case TW_STATUS_APP_PERMISSION:
    case TW_STATUS_PAYMENT_REQUIRED:
    case TW_STATUS_USAGE_CAPPED:
    case TW_STATUS_STORE:
    /* Every target would meet it: a CA file, a base URL (https:// to a plain-HTTP port),
     * a proxy that intercepts TLS. Waiting does not cure it. */
    case TW_STATUS_TLS:
        return EX_CONFIG;
    /* The rotated tokens are only in this process: loud, and its own code. */
    case TW_STATUS_TOKENS_NOT_SAVED:
        return EX_CANTCREAT;
    case TW_STATUS_FORBIDDEN:
    case TW_STATUS_NOT_FOUND:
    case TW_STATUS_ALREADY_REQUESTED:
    case TW_STATUS_BLOCKED:
        return EXIT_REFUSED;
    case TW_STATUS_HTTP_ERROR:
    case TW_STATUS_BAD_RESPONSE:
        return EX_PROTOCOL;
    case TW_STATUS_NO_RATE_LIMIT:
    case TW_STATUS_REENTERED:
    case TW_STATUS_INTERNAL:
        return EX_SOFTWARE;
    }
    return EX_SOFTWARE; /* a number from a newer library */
}

/* A usage error, as git and curl report one: "tw-follow[ VERB]: what is wrong", then where
 * the help is (not the help itself). Returns EX_USAGE. */
int usage_error(const char *verb, const char *format, ...) {
    va_list arguments;
    const char *space = verb != NULL ? " " : "";
    verb = verb != NULL ? verb : "";
    fprintf(stderr, "tw-follow%s%s: ", space, verb);
    va_start(arguments, format);
    vfprintf(stderr, format, arguments);
    va_end(arguments);
    fprintf(stderr, "\nTry 'tw-follow%s%s --help' for more information.\n", space, verb);
    return EX_USAGE;
}

/* --exit-codes: "NUMBER TW_STATUS_NAME EXIT" for every status the library knows. */
void print_exit_codes(void) {
    for (int32_t n = 0; n < 1000; n++) {
        const char *text = tw_status_str(n);
        if (strncmp(text, "TW_STATUS_", 10) == 0) {
            printf("%d %.*s %d\n", (int)n, (int)strcspn(text, ":"), text, exit_code_for((TwStatus)n));
        }
    }
}
