/*
 * The parts of tw-follow (bindings/c/tw-follow.c, the command and its dispatch) share
 * these: exit codes, the help text, reporting and printing (output.c), and getting the
 * user's answer in authorize (listener.c). Internal to the tool: not installed.
 */
#ifndef TW_FOLLOW_CLI_H
#define TW_FOLLOW_CLI_H

/* POSIX.1-2008 in every part (unsetenv, sigaction, MSG_NOSIGNAL, clock_gettime, gmtime_r): each
 * includes this header before any other. */
#define _POSIX_C_SOURCE 200809L

#include "twfollow.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sysexits.h>

/* The exit codes are sysexits.h's (EX_USAGE 64 ... EX_CONFIG 78), and this one: */
#define EXIT_REFUSED 1 /* the API refused this target */

/* The longest first line --proxy-file accepts, in bytes. */
#define MAX_PROXY_LINE 8192
/* The longest line read from standard input (a PIN, a code or a redirected URL). */
#define MAX_INPUT_LINE 8192
/* The default of --wait: how long authorize listens for the browser. */
#define LISTEN_WAIT_SECONDS 300

/* help.c: the help text and the exit code of each status. */
void usage(FILE *out);
int usage_error(const char *verb, const char *format, ...) __attribute__((format(printf, 2, 3)));
int exit_code_for(TwStatus status);
void print_exit_codes(void);

/* output.c: reporting failures, options' values, the wire trace, secrets and exports. */
int report(TwStatus status);
int report_as(TwStatus status, const char *format, ...) __attribute__((format(printf, 2, 3)));
int report_configuration(TwStatus status, const char *hint);
void trim(char *line);
void wipe(char *buffer, size_t size);
const char *utc_text(int64_t seconds, char text[32]);
const char *read_proxy_file(const char *path, char *line);
int tokens_written(FILE *out, const char *what);
void print_export(FILE *out, const char *name, const char *value);

/* The OAuth 2.0 tokens a config holds, as the library gives them (tw_config_get_oauth2_tokens). */
struct oauth2_tokens {
    char *access, *refresh, *scope;
    int64_t expires_at;
};
int get_oauth2_tokens(const TwConfig *config, struct oauth2_tokens *tokens);
void free_oauth2_tokens(struct oauth2_tokens *tokens);
void print_oauth2_exports(FILE *out, const struct oauth2_tokens *tokens);
int print_unsaved_tokens(TwConfig *config);

/* listener.c: the user's answer in authorize, caught on a loopback redirect or pasted. */
struct question {
    const char *page;         /* the page to open */
    const char *redirect;     /* where the browser is sent then (NULL: nowhere, a PIN is shown) */
    const char *names[2];     /* the query member (or two, NULL: one) that carries... */
    const char *expected;     /* ...this flow's state or request token */
    const char *paste_prompt; /* what to paste, a format given the redirect address */
    const char *what;         /* the answer's name in messages */
};
int ask_user(const struct question *question, bool paste, unsigned wait, char line[MAX_INPUT_LINE + 2]);
char *callback_verifier(char answer[MAX_INPUT_LINE + 2], const char *token, int *exit_code);

/* options.c: the environment and the options every verb takes, below the verbs. */
bool is_set(const char *name);
bool env_user_token(void);
int parse_api_version(const char *text, uint32_t *out);
int parse_whole_number(const char *text, uint32_t *out);
int parse_timeout_seconds(const char *text, uint32_t *out);
struct options {
    const char *base_url, *ca_file, *proxy;
    uint32_t timeout_ms, api_version;
    bool api_version_given, trace;
};
TwStatus apply_options(TwConfig *config, const struct options *o);
int options_from_environment(struct options *o);
/* One option of a verb: a flag (`flag` set to true) or one with a value (`*value`). */
struct option_spec {
    const char *name;
    bool *flag;
    const char **value;
};
const struct option_spec *take_option(const struct option_spec *specs, int argc, char **argv, int *i);

/* signals.c: SIGINT, SIGTERM and SIGHUP deferred while a refresh is in flight
 * (tw_refreshes_in_flight), then delivered with their default action (deliver_deferred_signal):
 * after every library call returns, and from the token callback of a store-backed config
 * once the store holds the new pair (tw-follow.c). */
void defer_signals_during_refreshes(void);
void deliver_deferred_signal(void);

/* authorize.c and accounts.c: the two verbs with words of their own. */
int authorize_main(int argc, char **argv);
int accounts_main(int count, char **words, const char *store, bool as_json, bool revoke, bool force,
                  const struct options *options);

#endif
