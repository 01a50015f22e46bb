// twfollow/common.hpp: errors, limits, results (follow outcome, relationship flags, OAuth 1.0a and 2.0
// tokens), callbacks and the helpers every part uses.
// Part of twfollow.hpp, which includes every part: include that.
#ifndef TWFOLLOW_COMMON_HPP
#define TWFOLLOW_COMMON_HPP

#include "twfollow.h"

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace twfollow {

// A failed call: the status, the HTTP status (0 when none), the Twitter error code
// (0 when none) and the library's one-line message as what(). Thrown by the wrappers
// with what the thread's last error says besides (from_last): an API v2 problem's
// members ("" when not sent), the reset that binds a rate limit, the requests sent.
class Error : public std::runtime_error {
public:
    Error(TwStatus status, const std::string &message, int32_t http_status, int32_t api_code)
        : std::runtime_error(message), status_(status), http_status_(http_status), api_code_(api_code) {}

    // The error the last failed call on this thread recorded, with status `status`.
    static Error from_last(TwStatus status) {
        Error e(status, tw_last_error_message(), tw_last_http_status(), tw_last_api_error_code());
        for (int32_t field = 0; field < PROBLEM_FIELDS; ++field) {
            e.problem_[field] = tw_last_problem(field);
        }
        e.reset_at_ = tw_last_reset_at();
        e.request_count_ = tw_last_request_count();
        return e;
    }

    TwStatus status() const noexcept { return status_; }
    int32_t http_status() const noexcept { return http_status_; }
    int32_t api_code() const noexcept { return api_code_; }
    // The API v2 problem's members, "" for each one not sent (e.g. reason()
    // "client-not-enrolled", title() "CreditsDepleted").
    const std::string &problem_type() const noexcept { return problem_[TW_PROBLEM_FIELD_TYPE]; }
    const std::string &title() const noexcept { return problem_[TW_PROBLEM_FIELD_TITLE]; }
    const std::string &detail() const noexcept { return problem_[TW_PROBLEM_FIELD_DETAIL]; }
    const std::string &reason() const noexcept { return problem_[TW_PROBLEM_FIELD_REASON]; }
    const std::string &required_enrollment() const noexcept { return problem_[TW_PROBLEM_FIELD_REQUIRED_ENROLLMENT]; }
    const std::string &registration_url() const noexcept { return problem_[TW_PROBLEM_FIELD_REGISTRATION_URL]; }
    // TW_STATUS_RATE_LIMITED: when the request may succeed again (seconds since the
    // epoch; the latest reset of the spent windows), 0 otherwise (tw_last_reset_at).
    int64_t reset_at() const noexcept { return reset_at_; }
    // The HTTP requests the failed call sent (tw_last_request_count).
    int32_t request_count() const noexcept { return request_count_; }
    // "TW_STATUS_...: description", static.
    const char *status_text() const noexcept { return tw_status_str(static_cast<int32_t>(status_)); }
    // True when X refused the app or the token's account (access tier, permission, credits, usage cap,
    // suspended, locked, or not enrolled in Pay-per-use), not the target: every target would meet it, and what()
    // ends with "To fix: ...".
    bool refusal_of_setup() const noexcept {
        return status_ == TW_STATUS_ACCESS_TIER || status_ == TW_STATUS_APP_PERMISSION ||
               status_ == TW_STATUS_ACCOUNT_STATE || status_ == TW_STATUS_PAYMENT_REQUIRED ||
               status_ == TW_STATUS_USAGE_CAPPED || status_ == TW_STATUS_USER_NOT_ENROLLED;
    }

private:
    TwStatus status_;
    int32_t http_status_;
    int32_t api_code_;
    static const int32_t PROBLEM_FIELDS = TW_PROBLEM_FIELD_REGISTRATION_URL + 1;
    std::string problem_[PROBLEM_FIELDS]; // by TwProblemField number
    int64_t reset_at_ = 0;
    int32_t request_count_ = 0;
};

// One budget of a response: `sent` false when the response did not carry it.
struct Budget {
    bool sent;
    int64_t limit;
    int64_t remaining;
    int64_t reset_epoch;
};

// The budgets of this thread's last response: the 15-minute window
// (tw_last_rate_limit) and the user's and the app's 24-hour budgets
// (tw_last_day_budgets). Reads only: the last error stays as it is.
struct Limits {
    Budget window;
    Budget user_day;
    Budget app_day;
};

inline Limits last_limits() {
    Limits l = {{false, 0, 0, 0}, {false, 0, 0, 0}, {false, 0, 0, 0}};
    l.window.sent = tw_last_rate_limit(&l.window.limit, &l.window.remaining, &l.window.reset_epoch) == TW_STATUS_OK;
    if (tw_last_day_budgets(&l.user_day.limit, &l.user_day.remaining, &l.user_day.reset_epoch, &l.app_day.limit,
                            &l.app_day.remaining, &l.app_day.reset_epoch) == TW_STATUS_OK) {
        l.user_day.sent = l.user_day.limit != -1;
        l.app_day.sent = l.app_day.limit != -1;
    } // else nothing was written: both stay unsent, zeros
    return l;
}

// How many HTTP requests the last call on this thread sent (tw_last_request_count).
inline int32_t last_request_count() noexcept { return tw_last_request_count(); }

// How many OAuth 2.0 refreshes this process has in flight now (tw_refreshes_in_flight):
// from just before a refresh is sent until its answer is saved. Async-signal-safe: a
// signal handler may defer the exit while it is not 0, as tw-follow does.
inline int32_t refreshes_in_flight() noexcept { return tw_refreshes_in_flight(); }

// A follow and what it did: `pending` when the account is protected and the
// request awaits approval.
struct FollowResult {
    std::string json;
    bool pending;
};

// The user a client's credentials act as (Client::me, tw_me).
struct User {
    std::string id;       // decimal digits
    std::string username; // as the API spells it
};

// Receives the OAuth 2.0 tokens as JSON each time the library changes them, in the
// shape of TwTokenCallback (OAuth2Tokens::from_json gives its fields, also from inside
// it). It runs on the
// thread whose call refreshed, before that call returns; a call into the same Client
// from inside it throws Error with TW_STATUS_REENTERED at once ("called from inside
// this config's token callback"; nothing is sent). An exception it throws does not
// cross into C: the Client keeps it
// (token_callback_error()) and the call that refreshed succeeds with the new tokens.
typedef std::function<void(const std::string &tokens_json)> TokenCallback;

// Receives each line of the wire trace (Client::set_trace; see tw_config_set_trace):
// `kind` is a TwTraceKind number (TW_TRACE_KIND_...; a newer library may add some),
// the line holds no secret. It runs on the thread making the call; a call into the
// same Client from inside it throws Error with TW_STATUS_REENTERED at once. An exception it throws is dropped: nothing unwinds into C.
typedef std::function<void(int32_t kind, const std::string &line)> TraceCallback;

// "> " for what was sent, "< " for what came back, "* " for the base string and the
// library's notes: the prefixes of `tw-follow --trace` (and curl -v).
inline const char *trace_prefix(int32_t kind) {
    // By TwTraceKind number: request line and header, base string, response status, header and body.
    static const char *const prefixes[] = {"> ", "> ", "* ", "< ", "< ", "< "};
    return kind >= 0 && kind < 6 ? prefixes[kind] : "* ";
}

namespace detail {
inline void check(TwStatus status) {
    if (status != TW_STATUS_OK) {
        throw Error::from_last(status);
    }
}

// Strings the library returns through out-parameters (out[i]): take(i) copies one ("" for
// NULL), then frees (and so wipes) it, also when the copy throws; any not taken is freed
// when this goes.
template <size_t N> struct OutStrings {
    char *out[N] = {};
    OutStrings() = default;
    OutStrings(const OutStrings &) = delete;
    OutStrings &operator=(const OutStrings &) = delete;
    ~OutStrings() {
        for (char *s : out) {
            tw_string_free(s);
        }
    }
    std::string take(size_t i) {
        std::unique_ptr<char, void (*)(char *)> owned(out[i], tw_string_free);
        out[i] = nullptr;
        return owned ? std::string(owned.get()) : std::string();
    }
};

inline void refuse_nul(const std::string &value, const char *name) {
    if (value.find('\0') != std::string::npos) {
        throw Error(TW_STATUS_INVALID_ARGUMENT, std::string(name) + " contains a NUL byte", 0, 0);
    }
}

// A string for the C API: refused when it holds a NUL byte (C would cut it short there).
inline const char *c_str(const std::string &value, const char *name) {
    refuse_nul(value, name);
    return value.c_str();
}

// The same, NULL for "" (the C API's "none" or "the default").
inline const char *c_str_or_null(const std::string &value, const char *name) {
    return value.empty() ? nullptr : c_str(value, name);
}

// Most calls that return one string have this shape: call(args..., &out), checked, and the
// string taken.
template <typename... Params, typename... Args> std::string string_from(TwStatus (*call)(Params...), Args... args) {
    OutStrings<1> text;
    check(call(args..., &text.out[0]));
    return text.take(0);
}

// A callback (TokenCallback, TraceCallback) and the exception it last threw, which never
// unwinds into C: a token callback's is kept for Client::token_callback_error(), a trace's
// is dropped (nothing reads it). Lives as long as the config. noexcept: should the lock
// throw, the program ends here rather than unwinding through the library's C frames.
template <typename... Args> struct Sink {
    explicit Sink(std::function<void(Args...)> f) : callback(std::move(f)) {}
    std::function<void(Args...)> callback;
    std::mutex mutex;
    std::exception_ptr error;

    // The C callback: user_data is the Sink, the C arguments become Args.
    template <typename... CArgs> static void call(void *user_data, CArgs... args) noexcept {
        Sink *sink = static_cast<Sink *>(user_data);
        try {
            sink->callback(args...);
        } catch (...) {
            std::lock_guard<std::mutex> lock(sink->mutex);
            sink->error = std::current_exception();
        }
    }
};
} // namespace detail

// OAuth 2.0 tokens as fields: those a Client holds (Client::oauth2_tokens), a flow
// fetched (OAuth2Flow::tokens) or the token callback received (from_json).
struct OAuth2Tokens {
    std::string access_token;
    std::string refresh_token; // "" when the grant has none (no offline.access)
    int64_t expires_at;        // seconds since the Unix epoch; 0 when unknown
    std::string scope;

    // The fields of the library's own token JSON: what the token callback receives,
    // what OAuth2Flow::fetch_token and Client::tokens() return (the library reads it,
    // tw_oauth2_tokens_from_json). Safe inside a token callback: it touches no
    // Client. Throws Error with TW_STATUS_INVALID_ARGUMENT for anything else (the
    // message names the member, never a value).
    static OAuth2Tokens from_json(const std::string &json) {
        return read(tw_oauth2_tokens_from_json, detail::c_str(json, "tokens_json"));
    }

private:
    friend class Client;

    // The fields `get` writes from `source` (tw_oauth2_tokens_from_json, tw_config_get_oauth2_tokens):
    // access token, refresh token (NULL: none), expiry, scope.
    template <typename Source>
    static OAuth2Tokens read(TwStatus (*get)(Source, char **, char **, int64_t *, char **), Source source) {
        detail::OutStrings<3> text;
        int64_t expires_at = 0;
        detail::check(get(source, &text.out[0], &text.out[1], &expires_at, &text.out[2]));
        return OAuth2Tokens{text.take(0), text.take(1), expires_at, text.take(2)};
    }
};

// A user's OAuth 1.0a access token, from OAuth1Flow::fetch_access_token (Client::oauth1_token).
// Store token and secret: they do not expire.
struct OAuth1Token {
    std::string token;
    std::string secret;
    std::string user_id;
    std::string screen_name;
};

// One flag of a relationship: known to hold, known not to, or unknown (the API did
// not say; never a guessed false).
enum class Flag { unknown, no, yes };

// What holds between the token's user and a target (Client::relationship_ex,
// tw_relationship_ex): the flags as the library read them, and its JSON besides
// (the target's id and username are there).
struct Relationship {
    uint32_t known; // TwRelationshipFlag bits the API said
    uint32_t set;   // those of them that hold
    std::string json;

    Flag flag(TwRelationshipFlag f) const noexcept {
        const uint32_t bit = static_cast<uint32_t>(f);
        return (known & bit) == 0 ? Flag::unknown : (set & bit) != 0 ? Flag::yes : Flag::no;
    }
    Flag following() const noexcept { return flag(TW_RELATIONSHIP_FLAG_FOLLOWING); }
    Flag follow_request_sent() const noexcept { return flag(TW_RELATIONSHIP_FLAG_FOLLOW_REQUEST_SENT); }
    Flag follow_request_received() const noexcept { return flag(TW_RELATIONSHIP_FLAG_FOLLOW_REQUEST_RECEIVED); }
    Flag followed_by() const noexcept { return flag(TW_RELATIONSHIP_FLAG_FOLLOWED_BY); }
    Flag blocking() const noexcept { return flag(TW_RELATIONSHIP_FLAG_BLOCKING); }
    Flag blocked_by() const noexcept { return flag(TW_RELATIONSHIP_FLAG_BLOCKED_BY); } // API 1.1 only
    Flag muting() const noexcept { return flag(TW_RELATIONSHIP_FLAG_MUTING); }
};

} // namespace twfollow

#endif // TWFOLLOW_COMMON_HPP
