/*
 * The options every verb takes and what the environment says, below the verbs: tw-follow.c,
 * accounts.c and authorize.c use them; this file uses no other part.
 */

#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ARG as one of SPECS: a flag by its exact name, an option with a value as `--name value`
 * or, git's and curl's habit, `--name=value`. A flag given a value (`--quiet=x`) matches
 * nothing and is refused as unknown: never read as a target, since a follow costs money.
 * Returns the spec taken, or NULL. */
const struct option_spec *take_option(const struct option_spec *specs, int argc, char **argv, int *i) {
    const char *arg = argv[*i];
    for (; specs->name != NULL; specs++) {
        size_t length = strlen(specs->name);
        if (strncmp(arg, specs->name, length) != 0) {
            continue;
        }
        if (arg[length] == '\0' && specs->flag != NULL) {
            *specs->flag = true;
            return specs;
        }
        if (specs->value != NULL && arg[length] == '=') {
            *specs->value = arg + length + 1;
            return specs;
        }
        if (specs->value != NULL && arg[length] == '\0' && *i + 1 < argc) {
            *specs->value = argv[++*i];
            return specs;
        }
    }
    return NULL;
}

bool is_set(const char *name) {
    const char *value = getenv(name);
    return value != NULL && *value != '\0';
}

/* A user's token in the environment (OAuth 1.0a or OAuth 2.0): it wins over the
 * store's default account. */
bool env_user_token(void) {
    return is_set("TW_ACCESS_TOKEN") || is_set("TW_OAUTH2_ACCESS_TOKEN");
}

/* 1.1 (or 1), 2 or auto (0), as tw_config_set_api_version numbers them; 0 if none. */
int parse_api_version(const char *text, uint32_t *out) {
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

/* A whole number from 1 to 2**32-1: --timeout-ms (milliseconds), --wait (seconds, then at most 3600). */
int parse_whole_number(const char *text, uint32_t *out) {
    char *end = NULL;
    /* Past 2**64-1 strtoull gives ULLONG_MAX: too large here as well. */
    unsigned long long value = isdigit((unsigned char)text[0]) ? strtoull(text, &end, 10) : 0;
    if (value == 0 || *end != '\0' || value > 0xFFFFFFFFULL) {
        return 0;
    }
    *out = (uint32_t)value;
    return 1;
}

/* --timeout: seconds (a decimal number, 0.001 to 4294967.295) that round to 1 to 2**32-1
 * whole milliseconds (the twfollow command's option when it was Python's). */
int parse_timeout_seconds(const char *text, uint32_t *out) {
    char *end = NULL;
    double ms;
    errno = 0;
    ms = strtod(text, &end) * 1000.0;
    end += strspn(end, " \t\n");
    /* NaN fails both comparisons. */
    if (end == text || errno != 0 || *end != '\0' || !(ms >= 0.5 && ms < 4294967295.5)) {
        return 0;
    }
    *out = (uint32_t)(ms + 0.5);
    return 1;
}

/* --trace: each line of the library's wire trace on stderr, prefixed as curl -v does:
 * "> " what was sent, "< " what came back, "* " the signature base string and notes
 * (also for a kind a newer library adds). */
static void print_trace_line(void *user_data, int32_t kind, const char *line) {
    /* By TwTraceKind number (the ABI's): request line and header, base string, response status, header and body. */
    static const char *const PREFIXES[] = {"> ", "> ", "* ", "< ", "< ", "< "};
    (void)user_data;
    fprintf(stderr, "%s%s\n", kind >= 0 && kind < 6 ? PREFIXES[kind] : "* ", line);
}

TwStatus apply_options(TwConfig *config, const struct options *o) {
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
 * apply to it as to credentials from the environment, unless an option replaced them.
 * Returns 0 (and says why) for a TW_API_VERSION the tool does not know. */
int options_from_environment(struct options *o) {
    if (o->base_url == NULL && is_set("TW_API_BASE")) {
        o->base_url = getenv("TW_API_BASE");
    }
    if (!o->api_version_given && is_set("TW_API_VERSION")) {
        o->api_version_given = true;
        if (!parse_api_version(getenv("TW_API_VERSION"), &o->api_version)) {
            fputs("tw-follow: environment variable TW_API_VERSION must be 1.1, 2 or auto\n", stderr);
            return 0;
        }
    }
    return 1;
}
