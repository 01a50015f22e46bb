// twfollow/client.hpp: Client, a config and the calls on it.
// Part of twfollow.hpp, which includes every part: include that.
#ifndef TWFOLLOW_CLIENT_HPP
#define TWFOLLOW_CLIENT_HPP

#include "common.hpp"

namespace twfollow {

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
    // $XDG_CONFIG_HOME/twfollow/accounts.json, else ~/.config/twfollow/accounts.json; a
    // redis:// or rediss:// URL is the store many hosts share.
    // An OAuth 2.0 account is store-backed: each refresh happens under the store's lock
    // and its new pair is saved before the call returns (also in processes forked after
    // this). TW_STATUS_STORE for an unusable store or a missing account; the base URL,
    // timeout and proxy are not stored: TW_API_BASE and TW_API_VERSION apply as for
    // from_env (from_store_credentials reads neither, for a program whose options replace
    // them); set the rest on the client.
    static Client from_store(const std::string &account = std::string(), const std::string &store_path = std::string()) {
        return stored(tw_config_from_store, account, store_path);
    }
    static Client from_store_credentials(const std::string &account = std::string(),
                                         const std::string &store_path = std::string()) {
        return stored(tw_config_from_store_credentials, account, store_path);
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

    // The user the credentials act as (tw_me): no request when the client knows it (a
    // stored account with its user, an earlier me() of an OAuth 2.0 client), else one
    // (GET 2/users/me, or GET 1.1/account/verify_credentials.json for OAuth 1.0a with API 1.1).
    User me() const {
        detail::OutStrings<2> text;
        detail::check(tw_me(config_, &text.out[0], &text.out[1]));
        User user;
        user.id = text.take(0);
        user.username = text.take(1);
        return user;
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
    static Client stored(TwStatus (*make)(const char *, const char *, TwConfig **), const std::string &account,
                         const std::string &store_path) {
        detail::refuse_nul(account, "account");
        detail::refuse_nul(store_path, "store_path");
        TwConfig *config = nullptr;
        detail::check(make(store_path.empty() ? nullptr : store_path.c_str(), account.empty() ? nullptr : account.c_str(),
                           &config));
        return Client(config);
    }
    friend class OAuth1Flow;
    friend class OAuth2Flow;
    friend class Store;

    explicit Client(TwConfig *config) : config_(config) {}

    static void refuse_nul(const std::string &value, const char *name) { detail::refuse_nul(value, name); }

    TwConfig *config_;
    std::unique_ptr<detail::TokenSink> sink_; // destroyed after ~Client freed the config
    std::unique_ptr<detail::TraceSink> trace_sink_; // likewise
};

} // namespace twfollow

#endif // TWFOLLOW_CLIENT_HPP
