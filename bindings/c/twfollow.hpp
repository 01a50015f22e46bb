// twfollow.hpp: a header-only C++11 wrapper over the twfollow C API.
//
//   twfollow::Client client("consumer key", "consumer secret", "token", "token secret");
//   std::string json = client.follow("@twitterdev");   // throws twfollow::Error on failure
//
// Client owns its TwConfig (RAII, move-only). One Client may serve many threads
// calling follow() at once; setters must not run while calls do.
//
// Getting a user's tokens: OAuth1Flow (PIN or callback) and OAuth2Flow (PKCE), and
// Client::oauth2 for OAuth 2.0 user tokens with a token callback (see below).
#ifndef TWFOLLOW_HPP
#define TWFOLLOW_HPP

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
        : std::runtime_error(message), status_(status), http_status_(http_status), api_code_(api_code),
          reset_at_(0), request_count_(0) {}

    // The error the last failed call on this thread recorded, with status `status`.
    static Error from_last(TwStatus status) {
        Error e(status, tw_last_error_message(), tw_last_http_status(), tw_last_api_error_code());
        e.problem_type_ = tw_last_problem(TW_PROBLEM_FIELD_TYPE);
        e.title_ = tw_last_problem(TW_PROBLEM_FIELD_TITLE);
        e.detail_ = tw_last_problem(TW_PROBLEM_FIELD_DETAIL);
        e.reason_ = tw_last_problem(TW_PROBLEM_FIELD_REASON);
        e.required_enrollment_ = tw_last_problem(TW_PROBLEM_FIELD_REQUIRED_ENROLLMENT);
        e.registration_url_ = tw_last_problem(TW_PROBLEM_FIELD_REGISTRATION_URL);
        e.reset_at_ = tw_last_reset_at();
        e.request_count_ = tw_last_request_count();
        return e;
    }

    TwStatus status() const noexcept { return status_; }
    int32_t http_status() const noexcept { return http_status_; }
    int32_t api_code() const noexcept { return api_code_; }
    // The API v2 problem's members, "" for each one not sent (e.g. reason()
    // "client-not-enrolled", title() "CreditsDepleted").
    const std::string &problem_type() const noexcept { return problem_type_; }
    const std::string &title() const noexcept { return title_; }
    const std::string &detail() const noexcept { return detail_; }
    const std::string &reason() const noexcept { return reason_; }
    const std::string &required_enrollment() const noexcept { return required_enrollment_; }
    const std::string &registration_url() const noexcept { return registration_url_; }
    // TW_STATUS_RATE_LIMITED: when the request may succeed again (seconds since the
    // epoch; the latest reset of the spent windows), 0 otherwise (tw_last_reset_at).
    int64_t reset_at() const noexcept { return reset_at_; }
    // The HTTP requests the failed call sent (tw_last_request_count).
    int32_t request_count() const noexcept { return request_count_; }
    // "TW_STATUS_...: description", static.
    const char *status_text() const noexcept { return tw_status_str(static_cast<int32_t>(status_)); }
    // True when X refused the app or the token's account (access tier, permission, credits, usage cap,
    // suspended or locked), not the target: every target would meet it, and what()
    // ends with "To fix: ...".
    bool refusal_of_setup() const noexcept {
        return status_ == TW_STATUS_ACCESS_TIER || status_ == TW_STATUS_APP_PERMISSION ||
               status_ == TW_STATUS_ACCOUNT_STATE || status_ == TW_STATUS_PAYMENT_REQUIRED ||
               status_ == TW_STATUS_USAGE_CAPPED;
    }

private:
    TwStatus status_;
    int32_t http_status_;
    int32_t api_code_;
    std::string problem_type_, title_, detail_, reason_, required_enrollment_, registration_url_;
    int64_t reset_at_;
    int32_t request_count_;
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
    } else {
        l.user_day = l.app_day = Budget{false, 0, 0, 0};
    }
    return l;
}

// How many HTTP requests the last call on this thread sent (tw_last_request_count).
inline int32_t last_request_count() noexcept { return tw_last_request_count(); }

// A follow and what it did: `pending` when the account is protected and the
// request awaits approval.
struct FollowResult {
    std::string json;
    bool pending;
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
    switch (kind) {
    case TW_TRACE_KIND_REQUEST_LINE:
    case TW_TRACE_KIND_REQUEST_HEADER:
        return "> ";
    case TW_TRACE_KIND_RESPONSE_STATUS:
    case TW_TRACE_KIND_RESPONSE_HEADER:
    case TW_TRACE_KIND_RESPONSE_BODY:
        return "< ";
    default:
        return "* ";
    }
}

namespace detail {
inline void check(TwStatus status) {
    if (status != TW_STATUS_OK) {
        throw Error::from_last(status);
    }
}

// Takes a string the library returned: copies it, then frees (and so wipes) the original.
inline std::string take(char *s) {
    std::string text;
    try {
        text = s;
    } catch (...) {
        tw_string_free(s);
        throw;
    }
    tw_string_free(s);
    return text;
}

// Strings the library returns through several out-parameters (out[i]): take(i) copies
// one and frees (and so wipes) it; any not taken is freed when this goes.
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
    std::string take(size_t i) { // "" for NULL
        char *s = out[i];
        out[i] = nullptr;
        return s == nullptr ? std::string() : detail::take(s);
    }
};

inline void refuse_nul(const std::string &value, const char *name) {
    if (value.find('\0') != std::string::npos) {
        throw Error(TW_STATUS_INVALID_ARGUMENT, std::string(name) + " contains a NUL byte", 0, 0);
    }
}

// A TokenCallback and the exception it last threw; lives as long as the config.
struct TokenSink {
    explicit TokenSink(TokenCallback f) : callback(std::move(f)) {}
    TokenCallback callback;
    std::mutex mutex;
    std::exception_ptr error;

    static void call(void *user_data, const char *tokens_json) {
        TokenSink *sink = static_cast<TokenSink *>(user_data);
        try {
            sink->callback(std::string(tokens_json));
        } catch (...) { // nothing may unwind into C
            std::lock_guard<std::mutex> lock(sink->mutex);
            sink->error = std::current_exception();
        }
    }
};

// A TraceCallback; lives as long as the config.
struct TraceSink {
    explicit TraceSink(TraceCallback f) : callback(std::move(f)) {}
    TraceCallback callback;

    static void call(void *user_data, int32_t kind, const char *line) {
        try {
            static_cast<TraceSink *>(user_data)->callback(kind, std::string(line));
        } catch (...) { // nothing may unwind into C; a trace line is not worth failing a call
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
        detail::refuse_nul(json, "tokens_json");
        detail::OutStrings<3> text;
        int64_t expires_at = 0;
        detail::check(
            tw_oauth2_tokens_from_json(json.c_str(), &text.out[0], &text.out[1], &expires_at, &text.out[2]));
        return taken(text, expires_at);
    }

private:
    friend class Client;

    // The fields the library wrote (tw_oauth2_tokens_from_json, tw_config_get_oauth2_tokens):
    // access token, refresh token (NULL: none), scope.
    static OAuth2Tokens taken(detail::OutStrings<3> &text, int64_t expires_at) {
        OAuth2Tokens tokens;
        tokens.access_token = text.take(0);
        tokens.refresh_token = text.take(1);
        tokens.scope = text.take(2);
        tokens.expires_at = expires_at;
        return tokens;
    }
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

class OAuth1Flow;
class OAuth2Flow;
struct OAuth1Token;

class Client {
public:
    Client(const std::string &consumer_key, const std::string &consumer_secret,
           const std::string &access_token, const std::string &access_token_secret)
        : config_(nullptr) {
        // A std::string with an embedded NUL would be cut short by the C API: refuse it.
        const std::string *all[] = {&consumer_key, &consumer_secret, &access_token, &access_token_secret};
        for (const std::string *s : all) {
            refuse_nul(*s, "credential");
        }
        detail::check(tw_config_new(consumer_key.c_str(), consumer_secret.c_str(), access_token.c_str(),
                                    access_token_secret.c_str(), &config_));
    }

    // Credentials from TW_CONSUMER_KEY, TW_CONSUMER_SECRET, TW_ACCESS_TOKEN,
    // TW_ACCESS_TOKEN_SECRET; base URL from TW_API_BASE when set.
    static Client from_env() {
        TwConfig *config = nullptr;
        detail::check(tw_config_from_env(&config));
        return Client(config);
    }

    // The credential variables alone (OAuth 1.0a, or TW_OAUTH2_* as from_env chooses),
    // with the same errors; TW_API_BASE and TW_API_VERSION are not read, so a bad value
    // there does not matter: for a program whose own options replace them (set them
    // with set_base_url and set_api_version).
    static Client from_env_credentials() {
        TwConfig *config = nullptr;
        detail::check(tw_config_from_env_credentials(&config));
        return Client(config);
    }

    // A client for an account of the token store (docs/tokens.md): account "" = the
    // store's default, store_path "" = TWFOLLOW_STORE, else
    // $XDG_CONFIG_HOME/twfollow/accounts.json, else ~/.config/twfollow/accounts.json.
    // An OAuth 2.0 account is store-backed: each refresh happens under the store's lock
    // and its new pair is saved before the call returns (also in processes forked after
    // this). TW_STATUS_STORE for an unusable store or a missing account; the base URL,
    // timeout and proxy are not stored: set them on the client.
    static Client from_store(const std::string &account = std::string(), const std::string &store_path = std::string()) {
        detail::refuse_nul(account, "account");
        detail::refuse_nul(store_path, "store_path");
        TwConfig *config = nullptr;
        detail::check(tw_config_from_store(store_path.empty() ? nullptr : store_path.c_str(),
                                           account.empty() ? nullptr : account.c_str(), &config));
        return Client(config);
    }

    // A client that follows through API v2 with an OAuth 2.0 user token of the app's
    // OAuth 2.0 client (client_secret "" for a public client), as stored from
    // OAuth2Flow::fetch_token or the token callback. refresh_token "" = none (then it
    // cannot refresh); expires_at 0 = unknown (then it refreshes only after a 401).
    // It refreshes by itself and hands each rotated pair to on_token_refresh.
    static Client oauth2(const std::string &client_id, const std::string &access_token,
                         const std::string &refresh_token = std::string(), int64_t expires_at = 0,
                         const std::string &client_secret = std::string(),
                         TokenCallback on_token_refresh = TokenCallback()) {
        detail::refuse_nul(client_id, "client_id");
        detail::refuse_nul(client_secret, "client_secret");
        detail::refuse_nul(access_token, "access_token");
        detail::refuse_nul(refresh_token, "refresh_token");
        TwConfig *config = nullptr;
        detail::check(tw_config_new_oauth2(client_id.c_str(), client_secret.empty() ? nullptr : client_secret.c_str(),
                                           &config));
        Client client(config);
        detail::check(tw_config_set_oauth2_tokens(config, access_token.c_str(),
                                                  refresh_token.empty() ? nullptr : refresh_token.c_str(),
                                                  expires_at));
        if (on_token_refresh) {
            client.set_token_callback(std::move(on_token_refresh));
        }
        return client;
    }

    Client(Client &&other) noexcept
        : config_(other.config_), sink_(std::move(other.sink_)), trace_sink_(std::move(other.trace_sink_)) {
        other.config_ = nullptr;
    }
    Client &operator=(Client &&other) noexcept {
        if (this != &other) {
            tw_config_free(config_); // before its callback's sink goes
            config_ = other.config_;
            other.config_ = nullptr;
            sink_ = std::move(other.sink_);
            trace_sink_ = std::move(other.trace_sink_);
        }
        return *this;
    }
    Client(const Client &) = delete;
    Client &operator=(const Client &) = delete;
    ~Client() { tw_config_free(config_); }

    Client &set_base_url(const std::string &url) {
        refuse_nul(url, "base_url");
        detail::check(tw_config_set_base_url(config_, url.c_str()));
        return *this;
    }
    Client &set_timeout_ms(uint32_t timeout_ms) {
        detail::check(tw_config_set_timeout_ms(config_, timeout_ms));
        return *this;
    }
    Client &set_user_agent(const std::string &user_agent) {
        refuse_nul(user_agent, "user_agent");
        detail::check(tw_config_set_user_agent(config_, user_agent.c_str()));
        return *this;
    }

    // Trusts the certificates of a PEM file instead of the built-in roots.
    Client &set_ca_file(const std::string &path) {
        refuse_nul(path, "path");
        detail::check(tw_config_set_ca_file(config_, path.c_str()));
        return *this;
    }

    // Sets the proxy explicitly ("" for none, whatever the environment says).
    Client &set_proxy(const std::string &url) {
        refuse_nul(url, "proxy_url");
        detail::check(tw_config_set_proxy(config_, url.c_str()));
        return *this;
    }

    // Opt-in retries (see tw_config_set_max_retries) and their total wait budget.
    Client &set_max_retries(uint32_t max_retries) {
        detail::check(tw_config_set_max_retries(config_, max_retries));
        return *this;
    }
    Client &set_max_wait_ms(uint32_t max_wait_ms) {
        detail::check(tw_config_set_max_wait_ms(config_, max_wait_ms));
        return *this;
    }

    // 1 (API 1.1, the default), 2, or 0 for auto (API 1.1, then API v2 for good once
    // 1.1 refuses the app's access tier); see tw_config_set_api_version.
    Client &set_api_version(uint32_t version) {
        detail::check(tw_config_set_api_version(config_, version));
        return *this;
    }

    // Like follow(), and says whether the follow is pending (tw_follow_ex).
    FollowResult follow_ex(const std::string &target, bool notify = false) const {
        refuse_nul(target, "target");
        char *json = nullptr;
        TwFollowOutcome outcome = TW_FOLLOW_OUTCOME_ACTIVE;
        detail::check(tw_follow_ex(config_, target.c_str(), notify, &outcome, &json));
        FollowResult result{json, outcome == TW_FOLLOW_OUTCOME_PENDING};
        tw_string_free(json);
        return result;
    }

    // Follows target ("@name", "name" or a numeric id); returns the user JSON as sent by the API.
    std::string follow(const std::string &target, bool notify = false) const {
        refuse_nul(target, "target");
        char *json = nullptr;
        detail::check(tw_follow(config_, target.c_str(), notify, &json));
        std::string result(json);
        tw_string_free(json);
        return result;
    }

    // Unfollows target (tw_unfollow); returns the relationship after it as JSON,
    // {"target":{"id":"...","username":"..."},"following":false}.
    std::string unfollow(const std::string &target) const {
        refuse_nul(target, "target");
        char *json = nullptr;
        detail::check(tw_unfollow(config_, target.c_str(), &json));
        std::string result(json);
        tw_string_free(json);
        return result;
    }

    // What holds between the token's user and target (tw_relationship), as JSON with
    // "following", "follow_request_sent", "followed_by", "blocking", "muting", ...;
    // a member is there only when the API said it (absent means unknown).
    std::string relationship(const std::string &target) const {
        refuse_nul(target, "target");
        char *json = nullptr;
        detail::check(tw_relationship(config_, target.c_str(), &json));
        std::string result(json);
        tw_string_free(json);
        return result;
    }

    // Like relationship(), with the flags read by the library (tw_relationship_ex):
    // the same one request, and the same JSON in Relationship::json.
    Relationship relationship_ex(const std::string &target) const {
        refuse_nul(target, "target");
        char *json = nullptr;
        Relationship result{0, 0, std::string()};
        detail::check(tw_relationship_ex(config_, target.c_str(), &result.known, &result.set, &json));
        result.json = detail::take(json);
        return result;
    }

    // OAuth 2.0: sets (or, with an empty function, removes) the token callback. A setter.
    Client &set_token_callback(TokenCallback on_token_refresh) {
        std::unique_ptr<detail::TokenSink> sink;
        if (on_token_refresh) {
            sink.reset(new detail::TokenSink(std::move(on_token_refresh)));
            detail::check(tw_config_set_token_callback(config_, &detail::TokenSink::call, sink.get()));
        } else {
            detail::check(tw_config_set_token_callback(config_, nullptr, nullptr));
        }
        sink_ = std::move(sink); // the previous sink is no longer referenced by the library
        return *this;
    }

    // OAuth 2.0: the tokens held now, as JSON (oauth2_tokens() gives them as fields).
    std::string tokens() const {
        char *json = nullptr;
        detail::check(tw_config_get_tokens(config_, &json));
        return detail::take(json);
    }

    // OAuth 1.0a: the user token the client follows with, and its user (user_id and
    // screen_name "" when the client does not know them: one made from the four
    // credentials), as fields (tw_config_get_oauth1_tokens). TW_STATUS_INVALID_ARGUMENT
    // for an OAuth 2.0 client or an app without a user token yet.
    OAuth1Token oauth1_token() const;

    // OAuth 2.0: the tokens held now, as fields (tw_config_get_oauth2_tokens).
    OAuth2Tokens oauth2_tokens() const {
        detail::OutStrings<3> text;
        int64_t expires_at = 0;
        detail::check(tw_config_get_oauth2_tokens(config_, &text.out[0], &text.out[1], &expires_at, &text.out[2]));
        return OAuth2Tokens::taken(text, expires_at);
    }

    // OAuth 2.0: a valid access token alone, for a request this wrapper does not make
    // (refreshed first when it expires within the refresh margin, and saved if the
    // client is store-backed). TW_STATUS_INVALID_ARGUMENT for an OAuth 1.0a client.
    std::string access_token() const {
        char *token = nullptr;
        detail::check(tw_oauth2_access_token(config_, &token, nullptr));
        return detail::take(token);
    }

    // OAuth 2.0: refreshes the access token now; the callback has the new tokens when
    // this returns. On failure the old tokens stay.
    void refresh() const { detail::check(tw_oauth2_refresh(config_)); }

    // OAuth 2.0: revokes the access token or the refresh token (which ends the grant).
    void revoke(const std::string &token) const {
        refuse_nul(token, "token");
        detail::check(tw_oauth2_revoke(config_, token.c_str()));
    }

    // The last exception the token callback threw (null when none).
    std::exception_ptr token_callback_error() const {
        if (!sink_) {
            return nullptr;
        }
        std::lock_guard<std::mutex> lock(sink_->mutex);
        return sink_->error;
    }

    // Sets (or, with an empty function, removes) the wire trace: every request of every
    // later call reports what it sent and got back, one line at a time, secrets removed
    // (tw_config_set_trace). A setter.
    Client &set_trace(TraceCallback on_line) {
        std::unique_ptr<detail::TraceSink> sink;
        if (on_line) {
            sink.reset(new detail::TraceSink(std::move(on_line)));
            detail::check(tw_config_set_trace(config_, &detail::TraceSink::call, sink.get()));
        } else {
            detail::check(tw_config_set_trace(config_, nullptr, nullptr));
        }
        trace_sink_ = std::move(sink); // the previous sink is no longer referenced by the library
        return *this;
    }

    // The underlying handle, for C functions this wrapper does not cover.
    TwConfig *handle() const noexcept { return config_; }

private:
    friend class OAuth1Flow;
    friend class OAuth2Flow;
    friend class Store;

    explicit Client(TwConfig *config) : config_(config) {}

    static void refuse_nul(const std::string &value, const char *name) { detail::refuse_nul(value, name); }

    TwConfig *config_;
    std::unique_ptr<detail::TokenSink> sink_; // destroyed after ~Client freed the config
    std::unique_ptr<detail::TraceSink> trace_sink_; // likewise
};

// A user's OAuth 1.0a access token, from OAuth1Flow::fetch_access_token. Store token
// and secret: they do not expire.
struct OAuth1Token {
    std::string token;
    std::string secret;
    std::string user_id;
    std::string screen_name;
};

inline OAuth1Token Client::oauth1_token() const {
    detail::OutStrings<4> text;
    detail::check(tw_config_get_oauth1_tokens(config_, &text.out[0], &text.out[1], &text.out[2], &text.out[3]));
    OAuth1Token access;
    access.token = text.take(0);
    access.secret = text.take(1);
    access.user_id = text.take(2);
    access.screen_name = text.take(3);
    return access;
}

// The OAuth 1.0a three-legged flow with the app's consumer key and secret.
// callback "oob" is the PIN flow; with a URL, the user is sent there with
// oauth_token and oauth_verifier. A web app stores request_token() and
// request_token_secret() between the steps and calls resume() in the other request.
class OAuth1Flow {
public:
    OAuth1Flow(const std::string &consumer_key, const std::string &consumer_secret,
               const std::string &callback = "oob")
        : consumer_key_(consumer_key), consumer_secret_(consumer_secret), callback_(callback),
          app_(new_app(consumer_key, consumer_secret)) {
        detail::refuse_nul(callback, "callback");
    }

    OAuth1Flow &set_base_url(const std::string &url) {
        app_.set_base_url(url);
        base_url_ = url;
        return *this;
    }

    // Step 1: gets a request token and returns the page where the user approves the app.
    std::string authorization_url() {
        char *token = nullptr, *secret = nullptr, *url = nullptr;
        detail::check(tw_oauth1_request_token(app_.config_, callback_.c_str(), &token, &secret, &url));
        request_token_ = detail::take(token);
        request_token_secret_ = detail::take(secret);
        return detail::take(url);
    }

    const std::string &request_token() const noexcept { return request_token_; }
    const std::string &request_token_secret() const noexcept { return request_token_secret_; }

    // Continues a flow started elsewhere, from its stored request token and secret.
    OAuth1Flow &resume(const std::string &request_token, const std::string &request_token_secret) {
        request_token_ = request_token;
        request_token_secret_ = request_token_secret;
        return *this;
    }

    // Step 2: verifier = the PIN the user typed, or the callback's oauth_verifier. A
    // request token works once: after a wrong PIN (TW_STATUS_AUTH) start again.
    OAuth1Token fetch_access_token(const std::string &verifier) {
        detail::refuse_nul(request_token_, "request_token");
        detail::refuse_nul(request_token_secret_, "request_token_secret");
        detail::refuse_nul(verifier, "verifier");
        detail::check(tw_oauth1_access_token(app_.config_, request_token_.c_str(), request_token_secret_.c_str(),
                                             verifier.c_str(), nullptr));
        return app_.oauth1_token(); // the answer's fields: the app's config knows its user now
    }

    // A new Client that follows as that user, with this flow's app keys and base URL.
    Client client(const OAuth1Token &access) const {
        Client client(consumer_key_, consumer_secret_, access.token, access.secret);
        if (!base_url_.empty()) {
            client.set_base_url(base_url_);
        }
        return client;
    }

private:
    static Client new_app(const std::string &key, const std::string &secret) {
        detail::refuse_nul(key, "consumer_key");
        detail::refuse_nul(secret, "consumer_secret");
        TwConfig *config = nullptr;
        detail::check(tw_config_new_app(key.c_str(), secret.c_str(), &config));
        return Client(config);
    }

    friend class Store;

    std::string consumer_key_, consumer_secret_, callback_, base_url_;
    std::string request_token_, request_token_secret_;
    Client app_;
};

// OAuth 2.0 Authorization Code with PKCE, with the app's OAuth 2.0 client id, the
// callback URL registered for it, the client secret ("" for a public client) and
// the scopes ("" for "tweet.read users.read follows.write offline.access"). A web
// app stores state() and code_verifier() between the steps and calls resume().
class OAuth2Flow {
public:
    OAuth2Flow(const std::string &client_id, const std::string &redirect_uri,
               const std::string &client_secret = std::string(), const std::string &scope = std::string())
        : client_id_(client_id), client_secret_(client_secret), redirect_uri_(redirect_uri), scope_(scope),
          config_(new_client(client_id, client_secret)) {
        detail::refuse_nul(redirect_uri, "redirect_uri");
        detail::refuse_nul(scope, "scope");
    }

    OAuth2Flow &set_base_url(const std::string &url) {
        config_.set_base_url(url);
        base_url_ = url;
        return *this;
    }

    // Step 1: the page where the user approves the app. Sends nothing; keeps state()
    // and code_verifier() for fetch_token.
    std::string authorization_url() {
        char *url = nullptr, *state = nullptr, *verifier = nullptr;
        detail::check(tw_oauth2_authorize_url(config_.config_, redirect_uri_.c_str(),
                                              scope_.empty() ? nullptr : scope_.c_str(), &url, &state, &verifier));
        std::string page = detail::take(url);
        state_ = detail::take(state);
        code_verifier_ = detail::take(verifier);
        return page;
    }

    const std::string &state() const noexcept { return state_; }
    const std::string &code_verifier() const noexcept { return code_verifier_; }

    OAuth2Flow &resume(const std::string &state, const std::string &code_verifier) {
        state_ = state;
        code_verifier_ = code_verifier;
        return *this;
    }

    // Step 2: redirected_url = the whole URL the user was redirected to (in a web app,
    // the callback request's full URL). Its state must be state(), or
    // TW_STATUS_INVALID_ARGUMENT and nothing is sent (the CSRF check); access_denied is
    // TW_STATUS_AUTH. A bare code is refused here, nothing sent: it carries no state,
    // so it would skip that check (use fetch_token_from_code). Returns the tokens as
    // JSON (tokens() gives them as fields): store them.
    std::string fetch_token(const std::string &redirected_url) {
        // tw_oauth2_exchange_code's rule for a URL: "://" in it, or a query starting with '?'.
        if (redirected_url.find("://") == std::string::npos && redirected_url.compare(0, 1, "?") != 0) {
            throw Error(TW_STATUS_INVALID_ARGUMENT,
                        "fetch_token takes the whole redirected URL, whose state is checked against this flow's; "
                        "this is a bare code, which would skip that check: pass the URL, or use "
                        "fetch_token_from_code where a person pasted it. Nothing was sent",
                        0, 0);
        }
        return exchange(redirected_url, "redirected_url");
    }

    // Step 2 with a bare code, explicitly: no state check (PKCE still binds the code to
    // code_verifier()). For a person who pastes just the code, never for the code
    // parameter of a web app's callback request.
    std::string fetch_token_from_code(const std::string &code) { return exchange(code, "code"); }

    // The tokens fetch_token got, as fields: the flow's config holds them
    // (tw_config_get_oauth2_tokens). TW_STATUS_INVALID_ARGUMENT before fetch_token.
    OAuth2Tokens tokens() const {
        if (!fetched_) {
            throw Error(TW_STATUS_INVALID_ARGUMENT, "no tokens yet: call fetch_token() first", 0, 0);
        }
        return config_.oauth2_tokens();
    }

    // A new Client (Client::oauth2) with the tokens fetch_token got.
    Client client(TokenCallback on_token_refresh = TokenCallback()) const {
        OAuth2Tokens tokens = this->tokens();
        Client client = Client::oauth2(client_id_, tokens.access_token, tokens.refresh_token, tokens.expires_at,
                                       client_secret_, std::move(on_token_refresh));
        if (!base_url_.empty()) {
            client.set_base_url(base_url_);
        }
        return client;
    }

private:
    std::string exchange(const std::string &code_or_url, const char *name) {
        detail::refuse_nul(code_or_url, name);
        detail::refuse_nul(state_, "state");
        detail::refuse_nul(code_verifier_, "code_verifier");
        char *json = nullptr;
        detail::check(tw_oauth2_exchange_code(config_.config_, redirect_uri_.c_str(), code_or_url.c_str(),
                                              state_.empty() ? nullptr : state_.c_str(), code_verifier_.c_str(),
                                              &json));
        fetched_ = true;
        return detail::take(json);
    }

    static Client new_client(const std::string &client_id, const std::string &client_secret) {
        detail::refuse_nul(client_id, "client_id");
        detail::refuse_nul(client_secret, "client_secret");
        TwConfig *config = nullptr;
        detail::check(tw_config_new_oauth2(client_id.c_str(), client_secret.empty() ? nullptr : client_secret.c_str(),
                                           &config));
        return Client(config);
    }

    friend class Store;

    std::string client_id_, client_secret_, redirect_uri_, scope_, base_url_;
    std::string state_, code_verifier_;
    bool fetched_ = false; // the flow's config holds the tokens fetch_token got
    Client config_;
};

// One stored account, as the store lists it: no secret in it.
struct Account {
    std::string name;
    std::string kind;        // "oauth1" or "oauth2"
    std::string screen_name; // "" when not known yet
    std::string user_id;     // digits (ids exceed 2^53); "" when not known yet
    std::string app;
    int64_t expires_at;      // seconds since the Unix epoch; 0 unknown (and for OAuth 1.0a)
    bool has_refresh_token;
    bool is_default;
};

// The token store at path ("" = TWFOLLOW_STORE, else $XDG_CONFIG_HOME/twfollow/accounts.json,
// else ~/.config/twfollow/accounts.json, read at each call). Every method is one call
// of the store API (tw_store_*): locking, permissions and atomic rewrites are the
// library's. TW_STATUS_STORE for an unusable store or a missing account, the file untouched.
class Store {
public:
    explicit Store(const std::string &path = std::string()) : path_(path) { detail::refuse_nul(path, "path"); }

    // The file this store names (it may not exist yet).
    std::string path() const {
        char *path = nullptr;
        detail::check(tw_store_path(c_path(), &path));
        return detail::take(path);
    }

    // The accounts without any secret, as the library's JSON:
    // {"path","default","accounts":[{"name","kind","screen_name","user_id","app",
    //  "expires_at","has_refresh_token","default"}]}.
    std::string list_json() const {
        char *json = nullptr;
        detail::check(tw_store_list(c_path(), &json));
        return detail::take(json);
    }

    // The accounts, in the listing's order, as fields (tw_store_account_fields; each
    // call reads the store: another process may change it meanwhile, then the walk ends
    // early).
    std::vector<Account> accounts() const {
        std::vector<Account> accounts;
        uint32_t count = 0;
        for (uint32_t i = 0; i == 0 || i < count; ++i) {
            detail::OutStrings<5> text;
            Account account;
            detail::check(tw_store_account_fields(c_path(), i, &text.out[0], &text.out[1], &text.out[2],
                                                  &text.out[3], &text.out[4], &account.expires_at,
                                                  &account.has_refresh_token, &account.is_default, &count));
            if (text.out[0] == nullptr) {
                break;
            }
            account.name = text.take(0);
            account.kind = text.take(1);
            account.screen_name = text.take(2);
            account.user_id = text.take(3);
            account.app = text.take(4);
            accounts.push_back(account);
        }
        return accounts;
    }

    // Saves the user the client (or a flow after fetch_access_token / fetch_token)
    // follows as, and its app, as account ("" = the user's screen name; one of that name
    // is replaced); the default when the store has none. Returns the name. From then on
    // an OAuth 2.0 client is store-backed.
    std::string save(const Client &client, const std::string &account = std::string()) const {
        return save_config(client.config_, account);
    }
    std::string save(const OAuth1Flow &flow, const std::string &account = std::string()) const {
        return save_config(flow.app_.config_, account);
    }
    std::string save(const OAuth2Flow &flow, const std::string &account = std::string()) const {
        return save_config(flow.config_.config_, account);
    }

    void set_default(const std::string &account) const {
        detail::refuse_nul(account, "account");
        detail::check(tw_store_set_default(c_path(), account.c_str()));
    }

    // Removes the account (and its app when no other account uses it). To end its
    // OAuth 2.0 grant at X too, revoke first: Client::from_store(name).revoke(refresh token).
    void remove(const std::string &account) const {
        detail::refuse_nul(account, "account");
        detail::check(tw_store_remove(c_path(), account.c_str()));
    }

    // Imports another tool's accounts: "twurl" (~/.twurlrc), "xurl" (~/.xurl) or "env"
    // (the TW_* variables; source_path ""). Returns {"imported":["name",...]}.
    std::string import_from(const std::string &format, const std::string &source_path = std::string()) const {
        detail::refuse_nul(format, "format");
        detail::refuse_nul(source_path, "source_path");
        char *json = nullptr;
        detail::check(tw_store_import(c_path(), format.c_str(), source_path.empty() ? nullptr : source_path.c_str(),
                                      &json));
        return detail::take(json);
    }

    // Imports as import_from does, and returns the names imported, in the source's
    // order (tw_store_import_names).
    std::vector<std::string> import_names(const std::string &format,
                                          const std::string &source_path = std::string()) const {
        detail::refuse_nul(format, "format");
        detail::refuse_nul(source_path, "source_path");
        char *lines = nullptr;
        detail::check(tw_store_import_names(c_path(), format.c_str(),
                                            source_path.empty() ? nullptr : source_path.c_str(), &lines, nullptr));
        const std::string text = detail::take(lines);
        std::vector<std::string> names;
        for (std::string::size_type at = 0, end; (end = text.find('\n', at)) != std::string::npos; at = end + 1) {
            names.push_back(text.substr(at, end - at)); // names hold no newline
        }
        return names;
    }

private:
    const char *c_path() const { return path_.empty() ? nullptr : path_.c_str(); }

    std::string save_config(TwConfig *config, const std::string &account) const {
        detail::refuse_nul(account, "account");
        char *name = nullptr;
        detail::check(tw_store_save_account(config, c_path(), account.empty() ? nullptr : account.c_str(), &name));
        return detail::take(name);
    }

    std::string path_;
};

inline std::string version() { return tw_version(); }

} // namespace twfollow

#endif // TWFOLLOW_HPP
