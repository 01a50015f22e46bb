/*
 * tw-follow: follow a user on Twitter/X from the command line, over the twfollow C API.
 *
 *   tw-follow [--notify] [--base-url URL] [--timeout-ms N] [--ca-file PEM] [--quiet] TARGET
 *
 * Credentials come from TW_CONSUMER_KEY, TW_CONSUMER_SECRET, TW_ACCESS_TOKEN and
 * TW_ACCESS_TOKEN_SECRET (TW_API_BASE optional). Prints the user JSON on stdout.
 * On failure prints "STATUS_NAME: message" on stderr and exits with the code of
 * the status's family (see usage()).
 */
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

static void usage(FILE *out) {
    fputs("usage: tw-follow [--notify] [--base-url URL] [--timeout-ms N] [--ca-file PEM] [--proxy URL]\n"
          "                 [--api-version 1.1|2] [--quiet] TARGET\n"
          "       tw-follow --help | --version\n"
          "\n"
          "Follows TARGET (@name, name, or a numeric user id) and prints the API's JSON\n"
          "answer. Credentials: TW_CONSUMER_KEY, TW_CONSUMER_SECRET, TW_ACCESS_TOKEN,\n"
          "TW_ACCESS_TOKEN_SECRET; base URL: --base-url, else TW_API_BASE, else\n"
          "https://api.twitter.com; API version: --api-version, else TW_API_VERSION,\n"
          "else 1.1.\n"
          "\n"
          "  --notify         turn on notifications for the user's posts\n"
          "  --base-url URL   API base URL (http:// only for loopback hosts)\n"
          "  --timeout-ms N   deadline for the whole call (default 30000)\n"
          "  --ca-file PEM    trust these certificates instead of the built-in roots\n"
          "  --proxy URL      http://, https://, socks5:// or socks5h:// proxy; \"\" for none\n"
          "  --api-version V  1.1 or 2 (v2: a name costs a lookup; no --notify)\n"
          "  --quiet          print nothing on success\n"
          "\n"
          "Exit status: 0 followed; 1 refused (forbidden, not found, already requested,\n"
          "blocked); 64 usage; 65 bad target or argument; 69 network, TLS or server\n"
          "error; 70 internal error; 75 timeout, rate limit or follow limit (try later);\n"
          "76 unexpected HTTP status or response; 77 credentials refused; 78 missing or\n"
          "bad configuration.\n",
          out);
}

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
    case TW_STATUS_INTERNAL:
    default:
        return EXIT_SOFTWARE;
    }
}

/* "TW_STATUS_X: description" -> prints "TW_STATUS_X: <last error message>". */
static void report(TwStatus status) {
    const char *text = tw_status_str((int32_t)status);
    size_t name_length = strcspn(text, ":");
    fprintf(stderr, "%.*s: %s\n", (int)name_length, text, tw_last_error_message());
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
    const char *target = NULL, *base_url = NULL, *ca_file = NULL, *proxy = NULL;
    uint32_t timeout_ms = 0, api_version = 0;
    bool notify = false, quiet = false;
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
        } else if (strcmp(arg, "--notify") == 0) {
            notify = true;
        } else if (strcmp(arg, "--quiet") == 0 || strcmp(arg, "-q") == 0) {
            quiet = true;
        } else if (strcmp(arg, "--base-url") == 0 && i + 1 < argc) {
            base_url = argv[++i];
        } else if (strcmp(arg, "--proxy") == 0 && i + 1 < argc) {
            proxy = argv[++i];
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

    status = tw_config_from_env(&config);
    if (status == TW_STATUS_OK && base_url != NULL) {
        status = tw_config_set_base_url(config, base_url);
    }
    if (status == TW_STATUS_OK && proxy != NULL) {
        status = tw_config_set_proxy(config, proxy);
    }
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
