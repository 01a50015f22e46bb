// twfollow/client.hpp: Client, a config and the calls on it.
// Part of twfollow.hpp, which includes every part: include that.
#ifndef TWFOLLOW_CLIENT_HPP
#define TWFOLLOW_CLIENT_HPP

#include "common.hpp"

namespace twfollow {

class Client {
public:
    Client(const std::string &consumer_key, const std::string &consumer_secret,
           const std::string &access_token, const std::string &access_token_secret)
        : Client(made(tw_config_new, detail::c_str(consumer_key, "credential"),
                      detail::c_str(consumer_secret, "credential"), detail::c_str(access_token, "credential"),
                      detail::c_str(access_token_secret, "credential"))) {}

    // Credentials from TW_CONSUMER_KEY, TW_CONSUMER_SECRET, TW_ACCESS_TOKEN,
    // TW_ACCESS_TOKEN_SECRET; base URL from TW_API_BASE when set.
    static Client from_env() { return made(tw_config_from_env); }

    // The credential variables alone (OAuth 1.0a, or TW_OAUTH2_* as from_env chooses),
    // with the same errors; TW_API_BASE and TW_API_VERSION are not read, so a bad value
    // there does not matter: for a program whose own options replace them (set them
    // with set_base_url and set_api_version).
    static Client from_env_credentials() { return made(tw_config_from_env_credentials); }

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
        return made(tw_config_from_store, detail::c_str_or_null(store_path, "store_path"),
                    detail::c_str_or_null(account, "account"));
    }
    static Client from_store_credentials(const std::string &account = std::string(),
                                         const std::string &store_path = std::string()) {
        return made(tw_config_from_store_credentials, detail::c_str_or_null(store_path, "store_path"),
                    detail::c_str_or_null(account, "account"));
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
        Client client = new_oauth2(client_id, client_secret);
        client.set(tw_config_set_oauth2_tokens(client.handle(), detail::c_str(access_token, "access_token"),
                                               detail::c_str_or_null(refresh_token, "refresh_token"), expires_at));
        client.set_token_callback(std::move(on_token_refresh)); // an empty one sets none
        return client;
    }

    // Moving keeps one owner: a moved-from client holds no config (handle() is null). A
    // move-assignment frees the config it replaces; by the setters' rule no call is running
    // on it, so no callback can reach its sinks meanwhile.
    Client(Client &&) noexcept = default;
    Client &operator=(Client &&) noexcept = default;

    Client &set_base_url(const std::string &url) { return set(tw_config_set_base_url, url, "base_url"); }
    Client &set_timeout_ms(uint32_t timeout_ms) { return set(tw_config_set_timeout_ms(handle(), timeout_ms)); }
    Client &set_user_agent(const std::string &agent) { return set(tw_config_set_user_agent, agent, "user_agent"); }

    // Trusts the certificates of a PEM file instead of the built-in roots.
    Client &set_ca_file(const std::string &path) { return set(tw_config_set_ca_file, path, "path"); }

    // Sets the proxy explicitly ("" for none, whatever the environment says).
    Client &set_proxy(const std::string &url) { return set(tw_config_set_proxy, url, "proxy_url"); }

    // Opt-in retries (see tw_config_set_max_retries) and their total wait budget.
    Client &set_max_retries(uint32_t max_retries) { return set(tw_config_set_max_retries(handle(), max_retries)); }
    Client &set_max_wait_ms(uint32_t max_wait_ms) { return set(tw_config_set_max_wait_ms(handle(), max_wait_ms)); }

    // 1 (API 1.1, the default), 2, or 0 for auto (API 1.1, then API v2 for good once
    // 1.1 refuses the app's access tier); see tw_config_set_api_version.
    Client &set_api_version(uint32_t version) { return set(tw_config_set_api_version(handle(), version)); }

    // Like follow(), and says whether the follow is pending (tw_follow_ex).
    FollowResult follow_ex(const std::string &target, bool notify = false) const {
        TwFollowOutcome outcome = TW_FOLLOW_OUTCOME_ACTIVE;
        std::string json =
            detail::string_from(tw_follow_ex, handle(), detail::c_str(target, "target"), notify, &outcome);
        return FollowResult{json, outcome == TW_FOLLOW_OUTCOME_PENDING};
    }

    // Follows target ("@name", "name" or a numeric id); returns the user JSON as sent by the API.
    std::string follow(const std::string &target, bool notify = false) const { return follow_ex(target, notify).json; }

    // Unfollows target (tw_unfollow); returns the relationship after it as JSON,
    // {"target":{"id":"...","username":"..."},"following":false}.
    std::string unfollow(const std::string &target) const {
        return detail::string_from(tw_unfollow, handle(), detail::c_str(target, "target"));
    }

    // What holds between the token's user and target (tw_relationship), as JSON with
    // "following", "follow_request_sent", "followed_by", "blocking", "muting", ...;
    // a member is there only when the API said it (absent means unknown).
    std::string relationship(const std::string &target) const { return relationship_ex(target).json; }

    // Like relationship(), with the flags read by the library (tw_relationship_ex):
    // the same one request, and the same JSON in Relationship::json.
    Relationship relationship_ex(const std::string &target) const {
        Relationship result{0, 0, std::string()};
        result.json = detail::string_from(tw_relationship_ex, handle(), detail::c_str(target, "target"), &result.known,
                                          &result.set);
        return result;
    }

    // The user the credentials act as (tw_me): no request when the client knows it (a
    // stored account with its user, an earlier me() of an OAuth 2.0 client), else one
    // (GET 2/users/me, or GET 1.1/account/verify_credentials.json for OAuth 1.0a with API 1.1).
    User me() const {
        detail::OutStrings<2> text;
        detail::check(tw_me(handle(), &text.out[0], &text.out[1]));
        return User{text.take(0), text.take(1)};
    }

    // OAuth 2.0: sets (or, with an empty function, removes) the token callback. A setter.
    Client &set_token_callback(TokenCallback on_token_refresh) {
        return install(sink_, std::move(on_token_refresh), tw_config_set_token_callback);
    }

    // OAuth 2.0: the tokens held now, as JSON (oauth2_tokens() gives them as fields).
    std::string tokens() const { return detail::string_from(tw_config_get_tokens, handle()); }

    // OAuth 1.0a: the user token the client follows with, and its user (user_id and
    // screen_name "" when the client does not know them: one made from the four
    // credentials), as fields (tw_config_get_oauth1_tokens). TW_STATUS_INVALID_ARGUMENT
    // for an OAuth 2.0 client or an app without a user token yet.
    OAuth1Token oauth1_token() const {
        detail::OutStrings<4> text;
        detail::check(tw_config_get_oauth1_tokens(handle(), &text.out[0], &text.out[1], &text.out[2], &text.out[3]));
        return OAuth1Token{text.take(0), text.take(1), text.take(2), text.take(3)};
    }

    // OAuth 2.0: the tokens held now, as fields (tw_config_get_oauth2_tokens).
    OAuth2Tokens oauth2_tokens() const {
        return OAuth2Tokens::read<const TwConfig *>(tw_config_get_oauth2_tokens, handle());
    }

    // OAuth 2.0: a valid access token alone, for a request this wrapper does not make
    // (refreshed first when it expires within the refresh margin, and saved if the
    // client is store-backed). TW_STATUS_INVALID_ARGUMENT for an OAuth 1.0a client.
    std::string access_token() const {
        detail::OutStrings<1> token;
        detail::check(tw_oauth2_access_token(handle(), &token.out[0], nullptr));
        return token.take(0);
    }

    // OAuth 2.0: refreshes the access token now; the callback has the new tokens when
    // this returns. On failure the old tokens stay.
    void refresh() const { detail::check(tw_oauth2_refresh(handle())); }

    // OAuth 2.0: revokes the access token or the refresh token (which ends the grant).
    void revoke(const std::string &token) const {
        detail::check(tw_oauth2_revoke(handle(), detail::c_str(token, "token")));
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
    Client &set_trace(TraceCallback on_line) { return install(trace_sink_, std::move(on_line), tw_config_set_trace); }

    // The underlying handle, for C functions this wrapper does not cover.
    TwConfig *handle() const noexcept { return config_.get(); }

private:
    friend class OAuth1Flow;
    friend class OAuth2Flow;

    explicit Client(TwConfig *config) : config_(config, tw_config_free) {}

    // A Client around the config `make(args..., &config)` creates (checked).
    template <typename... Params, typename... Args> static Client made(TwStatus (*make)(Params...), Args... args) {
        TwConfig *config = nullptr;
        detail::check(make(args..., &config));
        return Client(config);
    }

    // An OAuth 2.0 app's config (client_secret "" for a public client).
    static Client new_oauth2(const std::string &client_id, const std::string &client_secret) {
        return made(tw_config_new_oauth2, detail::c_str(client_id, "client_id"),
                    detail::c_str_or_null(client_secret, "client_secret"));
    }

    // The setters' shape: the status checked, the client returned for chaining.
    Client &set(TwStatus status) {
        detail::check(status);
        return *this;
    }

    // A setter of one text, refused with a NUL byte (the message names it `name`).
    Client &set(TwStatus (*setter)(TwConfig *, const char *), const std::string &value, const char *name) {
        return set(setter(handle(), detail::c_str(value, name)));
    }

    // Sets (or, with an empty function, removes) a callback through `setter`; the
    // previous sink in `slot` goes once the library no longer refers to it.
    template <typename Sink, typename Function, typename CCallback>
    Client &install(std::unique_ptr<Sink> &slot, Function function, TwStatus (*setter)(TwConfig *, CCallback, void *)) {
        std::unique_ptr<Sink> sink(function ? new Sink(std::move(function)) : nullptr);
        CCallback call = &Sink::call;
        set(setter(handle(), sink ? call : nullptr, sink.get()));
        slot = std::move(sink);
        return *this;
    }

    // The sinks first: members go in reverse order, so the config that calls them is freed before they go.
    std::unique_ptr<detail::Sink<const std::string &>> sink_;
    std::unique_ptr<detail::Sink<int32_t, const std::string &>> trace_sink_;
    std::unique_ptr<TwConfig, void (*)(TwConfig *)> config_;
};

} // namespace twfollow

#endif // TWFOLLOW_CLIENT_HPP
