// twfollow/flows.hpp: getting a user's tokens: OAuth1Flow (PIN or callback) and OAuth2Flow (PKCE).
// Part of twfollow.hpp, which includes every part: include that.
#ifndef TWFOLLOW_FLOWS_HPP
#define TWFOLLOW_FLOWS_HPP

#include "client.hpp"

namespace twfollow {

// The OAuth 1.0a three-legged flow with the app's consumer key and secret.
// callback "oob" is the PIN flow; with a URL, the user is sent there with
// oauth_token and oauth_verifier. A web app stores request_token() and
// request_token_secret() between the steps and calls resume() in the other request.
class OAuth1Flow {
public:
    OAuth1Flow(const std::string &consumer_key, const std::string &consumer_secret,
               const std::string &callback = "oob")
        : consumer_key_(consumer_key), consumer_secret_(consumer_secret), callback_(callback),
          app_(Client::made(tw_config_new_app, detail::c_str(consumer_key, "consumer_key"),
                            detail::c_str(consumer_secret, "consumer_secret"))) {
        detail::refuse_nul(callback, "callback");
    }

    OAuth1Flow &set_base_url(const std::string &url) {
        app_.set_base_url(url);
        base_url_ = url;
        return *this;
    }

    // Step 1: gets a request token and returns the page where the user approves the app.
    std::string authorization_url() {
        detail::OutStrings<3> text;
        detail::check(
            tw_oauth1_request_token(app_.handle(), callback_.c_str(), &text.out[0], &text.out[1], &text.out[2]));
        request_token_ = text.take(0);
        request_token_secret_ = text.take(1);
        return text.take(2);
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
    // request token works once: after a wrong PIN (TW_STATUS_AUTH) start again. It
    // sends one request; last_request_count() reads the field getter's 0 after it.
    OAuth1Token fetch_access_token(const std::string &verifier) {
        detail::check(tw_oauth1_access_token(app_.handle(), detail::c_str(request_token_, "request_token"),
                                             detail::c_str(request_token_secret_, "request_token_secret"),
                                             detail::c_str(verifier, "verifier"), nullptr));
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
          config_(Client::new_oauth2(client_id, client_secret)) {
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
        detail::OutStrings<3> text;
        detail::check(tw_oauth2_authorize_url(config_.handle(), redirect_uri_.c_str(),
                                              scope_.empty() ? nullptr : scope_.c_str(), &text.out[0], &text.out[1],
                                              &text.out[2]));
        state_ = text.take(1);
        code_verifier_ = text.take(2);
        return text.take(0);
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
        const char *code = detail::c_str(code_or_url, name); // checked first: its NUL is named before the others
        std::string json = detail::string_from(tw_oauth2_exchange_code, config_.handle(), redirect_uri_.c_str(), code,
                                               detail::c_str_or_null(state_, "state"),
                                               detail::c_str(code_verifier_, "code_verifier"));
        fetched_ = true;
        return json;
    }

    friend class Store;

    std::string client_id_, client_secret_, redirect_uri_, scope_, base_url_;
    std::string state_, code_verifier_;
    bool fetched_ = false; // the flow's config holds the tokens fetch_token got
    Client config_;
};

} // namespace twfollow

#endif // TWFOLLOW_FLOWS_HPP
