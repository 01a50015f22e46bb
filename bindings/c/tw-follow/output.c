/* tw-follow's output: failures reported as STATUS: message, options' values read, the
 * wire trace, secrets wiped, and export lines a shell can eval. */

#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

/* Prints "TW_STATUS_X: <the message FORMAT makes>" on stderr (the name from tw_status_str), in
 * one write: whole in a log that other jobs append to, never cut by a signal. The name and
 * FORMAT make one format (names hold no '%'), which one vfprintf writes: glibc writes what one
 * call to an unbuffered stream prints at once. Returns the status's exit code. */
int report_as(TwStatus status, const char *format, ...) {
    const char *name = tw_status_str((int32_t)status);
    char line[strlen(name) + strlen(format) + 4];
    va_list arguments;
    snprintf(line, sizeof line, "%.*s: %s\n", (int)strcspn(name, ":"), name, format);
    va_start(arguments, format);
    vfprintf(stderr, line, arguments);
    va_end(arguments);
    return exit_code_for(status);
}

/* A failed call: its status, and the library's message for it. */
int report(TwStatus status) {
    return report_as(status, "%s", tw_last_error_message());
}

/* A failure while making the call's config (the environment, the store, an option the
 * library refuses): configuration, exit 78. A status whose own exit code is 78 (the
 * store) is reported as report() does; any other (the library's INVALID_ARGUMENT, 65 in
 * the table) is not named, so that the status printed and the exit code always agree
 * with --exit-codes: "tw-follow: message". The library's message is followed by HINT (the
 * way out, or ""). Returns EX_CONFIG. */
int report_configuration(TwStatus status, const char *hint) {
    if (exit_code_for(status) == EX_CONFIG) {
        return report_as(status, "%s%s", tw_last_error_message(), hint);
    }
    fprintf(stderr, "tw-follow: %s%s\n", tw_last_error_message(), hint);
    return EX_CONFIG;
}

/* LINE without the blanks and the line ending around it, in place. */
void trim(char *line) {
    size_t start = strspn(line, " \t"), length = strlen(line);
    while (length > start && strchr(" \t\r\n", line[length - 1]) != NULL) {
        length--;
    }
    memmove(line, line + start, length - start);
    line[length - start] = '\0';
}

/* Hand-written: explicit_bzero is glibc 2.25+, and the tarball's tw-follow runs on glibc 2.17. */
void wipe(char *buffer, size_t size) {
    volatile char *p = buffer; /* volatile: the compiler may not drop the stores */
    while (size-- > 0) {
        *p++ = 0;
    }
}

/* The first line of PATH ("-": standard input) without its line ending and the blanks
 * around it, into line[MAX_PROXY_LINE + 1]: LINE, or NULL having said why. */
const char *read_proxy_file(const char *path, char *line) {
    FILE *file = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    const char *problem = file == NULL ? strerror(errno) : NULL;
    if (file != NULL) {
        setvbuf(file, NULL, _IONBF, 0); /* no stdio buffer, freed unwiped, holds the password */
    }
    size_t length = 0;
    int c;
    while (problem == NULL && (c = getc(file)) != EOF && c != '\n') {
        if (c == '\0' || length == MAX_PROXY_LINE) {
            problem = c == '\0' ? "the first line contains a NUL byte" : "the first line is longer than 8192 bytes";
        } else {
            line[length++] = (char)c;
        }
    }
    if (problem == NULL && ferror(file)) {
        problem = strerror(errno);
    }
    if (file != NULL && file != stdin) {
        fclose(file);
    }
    line[length] = '\0';
    trim(line);
    if (problem == NULL && line[0] == '\0') {
        problem = "the first line is empty (for no proxy, pass --proxy \"\")";
    }
    if (problem != NULL) {
        wipe(line, MAX_PROXY_LINE + 1);
        fprintf(stderr, "tw-follow: --proxy-file %s: %s\n", path, problem);
        return NULL;
    }
    return line;
}

/* Seconds since the epoch as "2026-12-01T20:00:00Z" in TEXT (the number when it cannot be). */
const char *utc_text(int64_t seconds, char text[32]) {
    time_t at = (time_t)seconds;
    struct tm parts;
    if (gmtime_r(&at, &parts) == NULL || strftime(text, 32, "%Y-%m-%dT%H:%M:%SZ", &parts) == 0) {
        snprintf(text, 32, "%lld", (long long)seconds);
    }
    return text;
}

/* After the tokens were written to `out`: flushes it and checks that every write
 * reached it (a full disk, a closed pipe). Returns 0, having said so on stderr, when
 * one did not: the tokens are lost, and the caller exits EX_IOERR. */
int tokens_written(FILE *out, const char *what) {
    errno = 0;
    if (fflush(out) == 0 && !ferror(out)) {
        return 1;
    }
    fprintf(stderr, "tw-follow: the %s could not be written to %s (%s)\n", what,
            out == stdout ? "standard output" : "standard error", strerror(errno != 0 ? errno : EIO));
    return 0;
}

/* export NAME='value', with ' written as '\'' so any value survives eval. */
void print_export(FILE *out, const char *name, const char *value) {
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

int get_oauth2_tokens(const TwConfig *config, struct oauth2_tokens *tokens) {
    memset(tokens, 0, sizeof *tokens);
    return tw_config_get_oauth2_tokens(config, &tokens->access, &tokens->refresh, &tokens->expires_at,
                                       &tokens->scope) == TW_STATUS_OK;
}

void free_oauth2_tokens(struct oauth2_tokens *tokens) {
    tw_string_free(tokens->access);
    tw_string_free(tokens->refresh);
    tw_string_free(tokens->scope);
    memset(tokens, 0, sizeof *tokens);
}

/* `export` lines for the tokens (a grant without a refresh token: `unset`). */
void print_oauth2_exports(FILE *out, const struct oauth2_tokens *tokens) {
    print_export(out, "TW_OAUTH2_ACCESS_TOKEN", tokens->access);
    if (tokens->refresh != NULL) {
        print_export(out, "TW_OAUTH2_REFRESH_TOKEN", tokens->refresh);
    } else {
        fputs("unset TW_OAUTH2_REFRESH_TOKEN\n", out);
    }
    fprintf(out, "export TW_OAUTH2_EXPIRES_AT='%lld'\n", (long long)tokens->expires_at); /* a number: no ' in it */
}

/* After TW_STATUS_TOKENS_NOT_SAVED: the only copy of the new pair, on stderr (exit 73).
 * Returns 0 when it could not be written either (the caller exits EX_IOERR). */
int print_unsaved_tokens(TwConfig *config) {
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
