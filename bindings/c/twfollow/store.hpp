// twfollow/store.hpp: the token store: Store and its Accounts.
// Part of twfollow.hpp, which includes every part: include that.
#ifndef TWFOLLOW_STORE_HPP
#define TWFOLLOW_STORE_HPP

#include "flows.hpp"

namespace twfollow {

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

    // The accounts, in the listing's order (tw_store_account_at: each record is one flat
    // object; another process may change the store meanwhile, then the walk ends early).
    std::vector<Account> accounts() const {
        std::vector<Account> accounts;
        uint32_t count = 0;
        for (uint32_t i = 0; i == 0 || i < count; ++i) {
            char *record = nullptr;
            detail::check(tw_store_account_at(c_path(), i, &record, &count));
            if (record == nullptr) {
                break;
            }
            const std::string json = detail::take(record);
            Account account;
            account.name = detail::required_field(json, "name");
            account.kind = detail::required_field(json, "kind");
            detail::json_field(json, "screen_name", account.screen_name);
            detail::json_field(json, "user_id", account.user_id);
            detail::json_field(json, "app", account.app);
            std::string value;
            account.expires_at = detail::json_field(json, "expires_at", value) ? std::stoll(value) : 0;
            account.has_refresh_token = detail::json_field(json, "has_refresh_token", value) && value == "true";
            account.is_default = detail::json_field(json, "default", value) && value == "true";
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

} // namespace twfollow

#endif // TWFOLLOW_STORE_HPP
