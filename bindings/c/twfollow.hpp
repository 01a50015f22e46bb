// twfollow.hpp: a header-only C++11 wrapper over the twfollow C API.
//
//   twfollow::Client client("consumer key", "consumer secret", "token", "token secret");
//   std::string json = client.follow("@twitterdev");   // throws twfollow::Error on failure
//
// Client owns its TwConfig (RAII, move-only). One Client may serve many threads
// calling follow() at once; setters must not run while calls do.
#ifndef TWFOLLOW_HPP
#define TWFOLLOW_HPP

#include "twfollow.h"

#include <cstdint>
#include <stdexcept>
#include <string>

namespace twfollow {

// A failed call: the status, the HTTP status (0 when none), the Twitter error code
// (0 when none) and the library's one-line message as what().
class Error : public std::runtime_error {
public:
    Error(TwStatus status, const std::string &message, int32_t http_status, int32_t api_code)
        : std::runtime_error(message), status_(status), http_status_(http_status), api_code_(api_code) {}

    TwStatus status() const noexcept { return status_; }
    int32_t http_status() const noexcept { return http_status_; }
    int32_t api_code() const noexcept { return api_code_; }
    // "TW_STATUS_...: description", static.
    const char *status_text() const noexcept { return tw_status_str(static_cast<int32_t>(status_)); }

private:
    TwStatus status_;
    int32_t http_status_;
    int32_t api_code_;
};

// A follow and what it did: `pending` when the account is protected and the
// request awaits approval.
struct FollowResult {
    std::string json;
    bool pending;
};

namespace detail {
inline void check(TwStatus status) {
    if (status != TW_STATUS_OK) {
        throw Error(status, tw_last_error_message(), tw_last_http_status(), tw_last_api_error_code());
    }
}
} // namespace detail

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

    Client(Client &&other) noexcept : config_(other.config_) { other.config_ = nullptr; }
    Client &operator=(Client &&other) noexcept {
        if (this != &other) {
            tw_config_free(config_);
            config_ = other.config_;
            other.config_ = nullptr;
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

    // 1 (API 1.1, the default) or 2; see tw_config_set_api_version.
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

    // The underlying handle, for C functions this wrapper does not cover.
    TwConfig *handle() const noexcept { return config_; }

private:
    explicit Client(TwConfig *config) : config_(config) {}

    static void refuse_nul(const std::string &value, const char *name) {
        if (value.find('\0') != std::string::npos) {
            throw Error(TW_STATUS_INVALID_ARGUMENT, std::string(name) + " contains a NUL byte", 0, 0);
        }
    }

    TwConfig *config_;
};

inline std::string version() { return tw_version(); }

} // namespace twfollow

#endif // TWFOLLOW_HPP
