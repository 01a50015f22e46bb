/* ---- the redirect listener: catching the browser's redirect on a loopback URI ----
 *
 * When the redirect URI (OAuth 2.0) or
 * the callback (OAuth 1.0a) is a loopback http:// URI with a port, authorize listens there
 * for the length of the flow, takes the one GET of that path whose query carries the
 * expected state (or request token), answers the browser with a page that can be closed,
 * and hands back the address it was sent to. Other requests get a refusal and the wait goes
 * on; nothing but loopback is ever listened on, and nothing after the deadline. */

#include "cli.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MAX_REQUEST_HEAD 8192
#define PER_REQUEST_MS 10000 /* one connection may not hold the wait up for longer */

#define PAGE(text) "<!doctype html><meta charset=utf-8><title>twfollow</title><p>" text "</p>\n"
static const char CLOSE_PAGE[] = PAGE("The authorization reached the command line. You can close this window.");
static const char REFUSED_PAGE[] =
    PAGE("This is not the answer the command line is waiting for (its state or token does not match): ignored.");
static const char NOT_FOUND_PAGE[] = PAGE("Not the redirect address.");

/* Where authorize listens: one socket for 127.0.0.1 or ::1, two for localhost. */
struct redirect_listener {
    struct pollfd fds[2]; /* the listening sockets, polled for a connection */
    nfds_t count;
    char host[16]; /* 127.0.0.1, ::1 or localhost */
    unsigned port;
    char path[1024];
};

/* Host, port and path of a loopback http:// URI with an explicit port (no user, no
 * fragment): 1, else 0. The host is lowercased; an empty path is "/". */
static int loopback_target(const char *uri, struct redirect_listener *to) {
    static const char *const PREFIXES[][2] = {
        {"http://127.0.0.1:", "127.0.0.1"}, {"http://localhost:", "localhost"}, {"http://[::1]:", "::1"}};
    const char *p = NULL;
    char *end;
    unsigned long port;
    for (size_t i = 0; i < 3 && p == NULL; i++) {
        if (strncasecmp(uri, PREFIXES[i][0], strlen(PREFIXES[i][0])) == 0) {
            p = uri + strlen(PREFIXES[i][0]);
            strcpy(to->host, PREFIXES[i][1]);
        }
    }
    if (p == NULL || strchr(p, '#') != NULL || *p < '0' || *p > '9') {
        return 0;
    }
    /* The port ends the authority: a user ("@") or anything else after it is refused, as is a
     * port of over six digits (leading zeros included). */
    port = strtoul(p, &end, 10);
    if (port == 0 || port > 65535 || end - p > 6 || (*end != '\0' && *end != '/' && *end != '?')) {
        return 0;
    }
    to->port = (unsigned)port;
    if (*end == '/') {
        end++; /* the path is written with its first slash, or "/" when empty */
    }
    return snprintf(to->path, sizeof to->path, "/%.*s", (int)strcspn(end, "?"), end) < (int)sizeof to->path;
}

/* One listening socket on the loopback address of IPv4 or IPv6 at the listener's port:
 * 0, else -1 with errno set. */
static int listen_on(struct redirect_listener *listener, bool ipv6) {
    struct sockaddr_in four = {.sin_family = AF_INET, .sin_port = htons((uint16_t)listener->port),
                               .sin_addr.s_addr = htonl(0x7f000001)} /* 127.0.0.1: INADDR_LOOPBACK is not POSIX */;
    struct sockaddr_in6 six = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)listener->port),
                               .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    int one = 1, error, fd = socket(ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
    if (fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0 &&
        (!ipv6 || setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) == 0) &&
        bind(fd, ipv6 ? (struct sockaddr *)&six : (struct sockaddr *)&four, ipv6 ? sizeof six : sizeof four) == 0 &&
        listen(fd, 4) == 0) {
        listener->fds[listener->count++] = (struct pollfd){.fd = fd, .events = POLLIN};
        return 0;
    }
    error = errno;
    if (fd >= 0) {
        close(fd);
    }
    errno = error;
    return -1;
}

/* Opens the listener for URI: 1; 0 when the answer is to be pasted instead (--paste, a URI
 * that is not loopback http:// with a port, or a port that cannot be listened on: said). */
static int open_listener(const char *uri, bool paste, struct redirect_listener *listener) {
    memset(listener, 0, sizeof *listener);
    if (paste || !loopback_target(uri, listener)) {
        return 0;
    }
    /* localhost: 127.0.0.1 must work; ::1 is added when the system has it. */
    if (listen_on(listener, strcmp(listener->host, "::1") == 0) != 0) {
        fprintf(stderr, "tw-follow: cannot listen on port %u of %s (%s): paste the address instead\n",
                listener->port, listener->host, strerror(errno));
        return 0;
    }
    /* Without IPv6 nobody can be on ::1; taken, a browser that sends localhost there reaches
     * another program: said, not skipped. */
    if (strcmp(listener->host, "localhost") == 0 && listen_on(listener, true) != 0 && errno == EADDRINUSE) {
        fprintf(stderr,
                "tw-follow: warning: port %u of ::1 is taken by another program (%s): a browser that sends "
                "localhost to ::1 reaches it instead; listening on 127.0.0.1 only (if nothing arrives, use --paste "
                "or a 127.0.0.1 redirect URI)\n",
                listener->port, strerror(EADDRINUSE));
    }
    return 1;
}

static long long monotonic_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static void respond(int fd, int code, const char *reason, const char *page) {
    char answer[1024]; /* the head (under 200 bytes) and a page of this file's */
    int length = snprintf(answer, sizeof answer,
                          "HTTP/1.1 %d %s\r\nContent-Type: text/html; charset=utf-8\r\n"
                          "Content-Length: %zu\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n%s",
                          code, reason, strlen(page), page);
    if (length > 0 && (size_t)length < sizeof answer) {
        (void)send(fd, answer, (size_t)length, MSG_NOSIGNAL); /* the browser may have gone away */
    }
}

/* Hand-written: libc has no URL decoder, and the library's (tw_oauth2_exchange_code) would send
 * the code: the listener must match the state before anything is sent.
 * The value of NAME in QUERY (a=b&c=d, up to its end or a blank), percent- and
 * +-decoded into OUT (OUT_SIZE bytes): 1; 0 when absent or too long. */
static int query_value(const char *query, const char *name, char *out, size_t out_size) {
    size_t name_length = strlen(name), n = 0;
    const char *p = query, *end;
    while (strncmp(p, name, name_length) != 0 || p[name_length] != '=') {
        p += strcspn(p, "& ");
        if (*p++ != '&') {
            return 0; /* the query's end: no such member */
        }
    }
    end = p + strcspn(p, "& ");
    for (p += name_length + 1; p < end; p++) {
        char c = *p;
        if (c == '+') {
            c = ' ';
        } else if (c == '%' && end - p >= 3 && isxdigit((unsigned char)p[1]) &&
                   isxdigit((unsigned char)p[2])) { /* no setlocale: the "C" locale's digits */
            char hex[3] = {p[1], p[2], '\0'};
            c = (char)strtol(hex, NULL, 16);
            p += 2;
        }
        if (n + 1 >= out_size) {
            return 0;
        }
        out[n++] = c;
    }
    out[n] = '\0';
    return 1;
}

/* Reads one request on FD and answers it. Returns 1 when it is the expected one, its
 * redirected address (the redirect address's part before any ? with the request's query)
 * in LINE; -1 when it is, but the address does not fit; else 0. */
static int answer_request(int fd, const struct redirect_listener *listener, const struct question *question,
                          long long deadline, char line[MAX_INPUT_LINE + 2]) {
    const char *uri = question->redirect;
    static char head[MAX_REQUEST_HEAD + 1];
    char value[512];
    size_t length = 0, i, path_length = strlen(listener->path);
    int found = 0;
    long long until = monotonic_ms() + PER_REQUEST_MS;
    head[0] = '\0';
    /* Until the head's blank line, within the connection's deadline or the wait's, whichever is sooner. */
    while (length < MAX_REQUEST_HEAD && strstr(head, "\r\n\r\n") == NULL && strstr(head, "\n\n") == NULL) {
        struct pollfd one = {.fd = fd, .events = POLLIN};
        long long left = (until < deadline ? until : deadline) - monotonic_ms();
        ssize_t got =
            left > 0 && poll(&one, 1, (int)left) > 0 ? recv(fd, head + length, MAX_REQUEST_HEAD - length, 0) : 0;
        if (got <= 0) {
            break;
        }
        length += (size_t)got;
        head[length] = '\0';
    }
    /* GET SP target SP HTTP/1.x */
    const char *target = strncmp(head, "GET ", 4) == 0 ? head + 4 : NULL;
    const char *version = target != NULL ? strchr(target, ' ') : NULL;
    if (version == NULL || strncmp(version + 1, "HTTP/1.", 7) != 0) {
        respond(fd, 400, "Bad Request", NOT_FOUND_PAGE);
    } else if (strncmp(target, listener->path, path_length) != 0 ||
               (target[path_length] != '?' && target[path_length] != ' ')) {
        respond(fd, 404, "Not Found", NOT_FOUND_PAGE);
    } else {
        const char *query = target[path_length] == '?' ? target + path_length + 1 : version;
        for (i = 0; i < 2 && question->names[i] != NULL && !found; i++) {
            found = query_value(query, question->names[i], value, sizeof value) &&
                    strcmp(value, question->expected) == 0;
        }
        if (found) {
            int written = snprintf(line, MAX_INPUT_LINE + 2, "%.*s?%.*s", (int)strcspn(uri, "?#"), uri,
                                   (int)(version - query), query);
            found = written >= 0 && written <= MAX_INPUT_LINE ? 1 : -1;
            respond(fd, 200, "OK", CLOSE_PAGE);
        } else {
            respond(fd, 400, "Bad Request", REFUSED_PAGE);
        }
    }
    wipe(head, sizeof head); /* the code or verifier was in it */
    wipe(value, sizeof value);
    return found;
}

/* Waits until the expected redirect arrives (its address into LINE: 1) or the deadline
 * passes (0, said); closes the listener either way. */
static int listened_answer(struct redirect_listener *listener, const struct question *question, unsigned seconds,
                           char line[MAX_INPUT_LINE + 2]) {
    long long deadline = monotonic_ms() + (long long)seconds * 1000, left;
    int found = 0;
    while (found == 0 && (left = deadline - monotonic_ms()) > 0) {
        if (poll(listener->fds, listener->count, (int)left) <= 0) {
            continue; /* a signal, or the deadline: checked above */
        }
        for (nfds_t i = 0; i < listener->count && found == 0; i++) {
            int connection = listener->fds[i].revents & POLLIN ? accept(listener->fds[i].fd, NULL, NULL) : -1;
            if (connection >= 0) {
                found = answer_request(connection, listener, question, deadline, line);
                close(connection);
            }
        }
    }
    for (nfds_t i = 0; i < listener->count; i++) {
        close(listener->fds[i].fd);
    }
    if (found != 1) {
        wipe(line, MAX_INPUT_LINE + 2);
        fprintf(stderr, "tw-follow: no redirect to %s within %u s\n", question->redirect, seconds);
        return 0;
    }
    return 1;
}

/* One line of standard input without its line ending and the blanks around it.
 * Returns 0 (and says why) on end of input, an empty line or one too long. */
static int read_answer(char line[MAX_INPUT_LINE + 2], const char *what) {
    if (fgets(line, MAX_INPUT_LINE + 2, stdin) == NULL) {
        fprintf(stderr, "tw-follow: no %s on standard input\n", what);
        return 0;
    }
    size_t length = strlen(line);
    if (length > MAX_INPUT_LINE && line[length - 1] != '\n') {
        wipe(line, MAX_INPUT_LINE + 2);
        fprintf(stderr, "tw-follow: the %s is longer than %d bytes\n", what, MAX_INPUT_LINE);
        return 0;
    }
    trim(line);
    if (line[0] == '\0') {
        fprintf(stderr, "tw-follow: no %s on standard input (an empty line)\n", what);
        return 0;
    }
    return 1;
}

/* The user's answer in authorize, into LINE: QUESTION's page to open on stderr, then the
 * redirect caught by a listener (a loopback http:// redirect address with a port, unless
 * PASTE) or the address pasted on standard input. 1; else 0, said. */
int ask_user(const struct question *question, bool paste, unsigned wait, char line[MAX_INPUT_LINE + 2]) {
    struct redirect_listener listener;
    bool listening = question->redirect != NULL && open_listener(question->redirect, paste, &listener);
    fprintf(stderr,
            "Open this page in a browser, sign in as the account that will follow, and approve the app:\n"
            "\n  %s\n\n",
            question->page);
    if (!listening) {
        fprintf(stderr, question->paste_prompt, question->redirect);
        return read_answer(line, question->what);
    }
    /* The prompt's last line while the listener waits (play_user.py and the tests key on it). */
    fprintf(stderr,
            "Waiting up to %u s for the browser to be sent to %s "
            "(or stop with Ctrl-C and run again with --paste)...\n",
            wait, question->redirect); /* stderr is unbuffered: shown at once */
    return listened_answer(&listener, question, wait, line);
}

/* The OAuth 1.0a verifier in ANSWER: a PIN or bare verifier as it is (ANSWER); from a callback
 * address (http:// or https://, pasted or caught), its oauth_verifier (in a buffer of ANSWER's
 * size), once its oauth_token is TOKEN.
 * NULL, said, with *exit_code set, when the address refuses: denied, another request token,
 * no verifier. Nothing is sent then. */
char *callback_verifier(char answer[MAX_INPUT_LINE + 2], const char *token, int *exit_code) {
    static char verifier[MAX_INPUT_LINE + 2];
    static char value[MAX_INPUT_LINE + 2];
    if (strncmp(answer, "http://", 7) != 0 && strncmp(answer, "https://", 8) != 0) {
        return answer;
    }
    const char *query = strchr(answer, '?');
    query = query != NULL ? query + 1 : "";
    if (query_value(query, "denied", value, sizeof value)) {
        *exit_code = report_as(TW_STATUS_AUTH, "the user denied access to the app (the callback says denied)");
    } else if (!query_value(query, "oauth_token", value, sizeof value) || strcmp(value, token) != 0) {
        *exit_code = report_as(TW_STATUS_INVALID_ARGUMENT,
                               "the callback's oauth_token is not this flow's request token: nothing was sent");
    } else if (!query_value(query, "oauth_verifier", verifier, sizeof verifier) || verifier[0] == '\0') {
        *exit_code = report_as(TW_STATUS_INVALID_ARGUMENT, "the callback URL has no oauth_verifier");
    } else {
        return verifier;
    }
    return NULL;
}

