/*
 * tw-follow: follow a user on Twitter/X from the command line, over the twfollow C API.
 *
 *   tw-follow [--notify] [--base-url URL] [--timeout-ms N] [--ca-file PEM]
 *             [--proxy URL | --proxy-file PATH] [--api-version 1.1|2] [--quiet] TARGET
 *
 * Credentials come from TW_CONSUMER_KEY, TW_CONSUMER_SECRET, TW_ACCESS_TOKEN and
 * TW_ACCESS_TOKEN_SECRET (TW_API_BASE, TW_API_VERSION optional; an option wins over
 * its variable). Prints the user JSON on stdout. On failure prints
 * "STATUS_NAME: message" on stderr and exits with the code of the status's family
 * (see usage(); python -m twfollow exits with the same codes).
 */
#define _POSIX_C_SOURCE 200809L /* unsetenv */

#include "twfollow.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* sysexits.h values, spelled out so the tool builds where the header is missing. */
enum {
    EXIT_REFUSED = 1,
    EXIT_USAGE = 64,
    EXIT_DATAERR = 65,
    EXIT_UNAVAILABLE = 69,
    EXIT_SOFTWARE = 70,
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
          "                 [--proxy URL | --proxy-file PATH] [--api-version 1.1|2] [--quiet] TARGET\n"
          "       tw-follow --help | --version | --exit-codes\n"
          "\n"
          "Follows TARGET (@name, name, or a numeric user id) and prints the API's JSON\n"
          "answer.\n"
          "\n"
          "  --notify           turn on notifications for the user's posts\n"
          "  --base-url URL     API base URL (http:// only for loopback hosts)\n"
          "  --timeout-ms N     deadline for the whole call, 1 to 4294967295 (default 30000)\n"
          "  --ca-file PEM      trust these certificates instead of the built-in roots\n"
          "  --proxy URL        http://, https://, socks5:// or socks5h:// proxy; \"\" for none.\n"
          "                     Other users see a password here (ps): use --proxy-file\n"
          "  --proxy-file PATH  the proxy URL from the first line of PATH (- for standard input)\n"
          "  --api-version V    1.1 or 2 (v2: a name costs a lookup; no --notify)\n"
          "  --quiet            print nothing on success\n"
          "  --exit-codes       print each status's number, name and exit code, and exit\n"
          "\n"
          "Environment (an option wins: its variable is then not read):\n"
          "  TW_CONSUMER_KEY, TW_CONSUMER_SECRET, TW_ACCESS_TOKEN, TW_ACCESS_TOKEN_SECRET\n"
          "      the OAuth 1.0a user-context credentials (required)\n"
          "  TW_API_BASE      base URL unless --base-url (default https://api.twitter.com)\n"
          "  TW_API_VERSION   1.1 or 2 unless --api-version (default 1.1)\n"
          "  https_proxy, HTTPS_PROXY, http_proxy, all_proxy, ALL_PROXY, no_proxy, NO_PROXY\n"
          "      the proxy, by curl's rules, unless --proxy or --proxy-file\n"
          "\n"
          "Exit status: 0 followed; 1 refused (forbidden, not found, already requested,\n"
          "blocked); 64 usage (unknown option, missing or malformed value); 65 bad target\n"
          "or argument; 69 network, TLS or server error; 70 internal error; 75 timeout,\n"
          "rate limit or follow limit (try later); 76 unexpected HTTP status or response;\n"
          "77 credentials refused; 78 missing or bad configuration (credentials, a\n"
          "setting the library refuses, an unreadable --proxy-file).\n",
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
        return EXIT_NOPERM;
    case TW_STATUS_FORBIDDEN:
    case TW_STATUS_NOT_FOUND:
    case TW_STATUS_ALREADY_REQUESTED:
    case TW_STATUS_BLOCKED:
        return EXIT_REFUSED;
    case TW_STATUS_HTTP_ERROR:
    case TW_STATUS_BAD_RESPONSE:
        return EXIT_PROTOCOL;
    case TW_STATUS_NO_RATE_LIMIT:
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

/* "TW_STATUS_X: description" -> prints "TW_STATUS_X: <last error message>". */
static void report(TwStatus status) {
    const char *text = tw_status_str((int32_t)status);
    size_t name_length = strcspn(text, ":");
    fprintf(stderr, "%.*s: %s\n", (int)name_length, text, tw_last_error_message());
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

int main(int argc, char **argv) {
    const char *target = NULL, *base_url = NULL, *ca_file = NULL, *proxy = NULL, *proxy_file = NULL;
    static char proxy_line[MAX_PROXY_LINE + 1];
    uint32_t timeout_ms = 0, api_version = 0;
    bool notify = false, quiet = false, warn_of_password;
    TwConfig *config = NULL;
    char *json = NULL;
    TwStatus status;
    int i;

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
        } else if (strcmp(arg, "--base-url") == 0 && i + 1 < argc) {
            base_url = argv[++i];
        } else if (strcmp(arg, "--proxy") == 0 && i + 1 < argc) {
            proxy = argv[++i];
        } else if (strcmp(arg, "--proxy-file") == 0 && i + 1 < argc) {
            proxy_file = argv[++i];
        } else if (strcmp(arg, "--api-version") == 0 && i + 1 < argc) {
            const char *version = argv[++i];
            if (strcmp(version, "1.1") == 0 || strcmp(version, "1") == 0) {
                api_version = 1;
            } else if (strcmp(version, "2") == 0) {
                api_version = 2;
            } else {
                fprintf(stderr, "tw-follow: --api-version must be 1.1 or 2\n");
                return EXIT_USAGE;
            }
        } else if (strcmp(arg, "--ca-file") == 0 && i + 1 < argc) {
            ca_file = argv[++i];
        } else if (strcmp(arg, "--timeout-ms") == 0 && i + 1 < argc) {
            if (!parse_timeout(argv[++i], &timeout_ms)) {
                fprintf(stderr, "tw-follow: --timeout-ms needs a whole number from 1 to 4294967295\n");
                return EXIT_USAGE;
            }
        } else if (strcmp(arg, "--") == 0 && i + 2 == argc && target == NULL) {
            target = argv[++i];
        } else if (arg[0] == '-' && arg[1] == '-') {
            fprintf(stderr, "tw-follow: unknown or incomplete option %s\n", arg);
            usage(stderr);
            return EXIT_USAGE;
        } else if (target == NULL) {
            target = arg;
        } else {
            fprintf(stderr, "tw-follow: one TARGET only\n");
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (target == NULL) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (proxy != NULL && proxy_file != NULL) {
        fprintf(stderr, "tw-follow: --proxy and --proxy-file cannot be used together\n");
        return EXIT_USAGE;
    }
    warn_of_password = proxy != NULL && has_password(proxy);
    if (proxy_file != NULL) {
        if (!read_proxy_file(proxy_file, proxy_line)) {
            return EXIT_CONFIG;
        }
        proxy = proxy_line;
    }

    /* An option wins over its variable: tw_config_from_env must not even read it, or a
       bad value there would fail before the option could replace it. Changing the
       environment is safe here: this program has one thread. */
    if (base_url != NULL) {
        unsetenv("TW_API_BASE");
    }
    if (api_version != 0) {
        unsetenv("TW_API_VERSION");
    }
    status = tw_config_from_env(&config);
    if (status == TW_STATUS_OK && base_url != NULL) {
        status = tw_config_set_base_url(config, base_url);
    }
    if (status == TW_STATUS_OK && proxy != NULL) {
        status = tw_config_set_proxy(config, proxy);
    }
    wipe(proxy_line, sizeof proxy_line); /* the library keeps its own copy */
    if (status == TW_STATUS_OK && ca_file != NULL) {
        status = tw_config_set_ca_file(config, ca_file);
    }
    if (status == TW_STATUS_OK && timeout_ms != 0) {
        status = tw_config_set_timeout_ms(config, timeout_ms);
    }
    if (status == TW_STATUS_OK && api_version != 0) {
        status = tw_config_set_api_version(config, api_version);
    }
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

    status = tw_follow(config, target, notify, &json);
    if (status != TW_STATUS_OK) {
        report(status);
        tw_config_free(config);
        return exit_code_for(status);
    }
    if (!quiet) {
        puts(json);
    }
    tw_string_free(json);
    tw_config_free(config);
    return 0;
}
