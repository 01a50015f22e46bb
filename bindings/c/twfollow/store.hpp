// twfollow/store.hpp: the token store: Store and its Accounts.
// Part of twfollow.hpp, which includes every part: include that.
#ifndef TWFOLLOW_STORE_HPP
#define TWFOLLOW_STORE_HPP

#include "flows.hpp"

namespace twfollow {

// One stored account, as the store lists it: no secret in it.
struct Account {
    std::string name;
    std::string kind;        // "oauth1" or "oauth2"; "" for a record without one
    std::string screen_name; // "" when not known yet
    std::string user_id;     // digits (ids exceed 2^53); "" when not known yet
    std::string app;
    int64_t expires_at;      // seconds since the Unix epoch; 0 unknown (and for OAuth 1.0a)
    bool has_refresh_token;
    bool is_default;
};

// What Store::import_ex did.
struct ImportReport {
    std::vector<std::string> imported;    // written, in the source's order
    std::vector<std::string> kept;        // left as they were: the store's OAuth 2.0 grant is newer
    std::vector<std::string> handed_over; // imported; their refresh token belongs to the store now
};

// The token store at path ("" = TWFOLLOW_STORE, else $XDG_CONFIG_HOME/twfollow/accounts.json,
// else ~/.config/twfollow/accounts.json, read at each call), or at a redis:// or rediss://
// URL (the store many hosts share; path() gives it without its password). Every method is one call
// of the store API (tw_store_*): locking, permissions and atomic rewrites are the
// library's. TW_STATUS_STORE for an unusable store or a missing account, the file untouched.
class Store {
public:
    explicit Store(const std::string &path = std::string()) : path_(path) { detail::refuse_nul(path, "path"); }

    // The file this store names (it may not exist yet).
    std::string path() const { return detail::string_from(tw_store_path, c_path()); }

    // The accounts without any secret, as the library's JSON:
    // {"path","default","accounts":[{"name","kind","screen_name","user_id","app",
    //  "expires_at","has_refresh_token","default"}]}.
    std::string list_json() const { return detail::string_from(tw_store_list, c_path()); }

    // The accounts, in the listing's order, as fields (tw_store_account_fields; each
    // call reads the store: another process may change it meanwhile, then the walk ends
    // early).
    std::vector<Account> accounts() const {
        std::vector<Account> accounts;
        uint32_t count = 0;
        for (uint32_t i = 0; i == 0 || i < count; ++i) {
            detail::OutStrings<5> text;
            int64_t expires_at = 0;
            bool has_refresh_token = false, is_default = false;
            detail::check(tw_store_account_fields(c_path(), i, &text.out[0], &text.out[1], &text.out[2],
                                                  &text.out[3], &text.out[4], &expires_at, &has_refresh_token,
                                                  &is_default, &count));
            if (text.out[0] == nullptr) {
                break;
            }
            accounts.push_back(Account{text.take(0), text.take(1), text.take(2), text.take(3), text.take(4), expires_at,
                                       has_refresh_token, is_default});
        }
        return accounts;
    }

    // Saves the user the client (or a flow after fetch_access_token / fetch_token)
    // follows as, and its app, as account ("" = the user's screen name; one of that name
    // is replaced); the default when the store has none. Returns the name. From then on
    // an OAuth 2.0 client is store-backed.
    std::string save(const Client &client, const std::string &account = std::string()) const {
        return detail::string_from(tw_store_save_account, client.handle(), c_path(),
                                   detail::c_str_or_null(account, "account"));
    }
    std::string save(const OAuth1Flow &flow, const std::string &account = std::string()) const {
        return save(flow.app_, account);
    }
    std::string save(const OAuth2Flow &flow, const std::string &account = std::string()) const {
        return save(flow.config_, account);
    }

    void set_default(const std::string &account) const { on_account(tw_store_set_default, account); }

    // Removes the account (and its app when no other account uses it). To end its
    // OAuth 2.0 grant at X too, revoke first: Client::from_store(name).revoke(refresh token).
    void remove(const std::string &account) const { on_account(tw_store_remove, account); }

    // Imports another tool's accounts: "twurl" (~/.twurlrc), "xurl" (~/.xurl) or "env"
    // (the TW_* variables; source_path ""). Returns {"imported":[...],"kept":[...],"handed_over":[...]}.
    std::string import_from(const std::string &format, const std::string &source_path = std::string()) const {
        return detail::string_from(tw_store_import, c_path(), detail::c_str(format, "format"),
                                   detail::c_str_or_null(source_path, "source_path"));
    }

    // Imports as import_from does, and returns the names imported, in the source's
    // order (import_ex's imported; tw_store_import_names in C).
    std::vector<std::string> import_names(const std::string &format,
                                          const std::string &source_path = std::string()) const {
        return import_ex(format, source_path).imported;
    }

    // Imports as import_from does, with force (TW_STORE_IMPORT_FORCE: replace a stored
    // OAuth 2.0 grant that differs from the source's), and says what it did
    // (tw_store_import_ex): the names imported, those kept (the store's grant is newer
    // than the source's), and those handed over (their refresh token belongs to the store
    // now: the source tool's copy stops working at the store's first refresh).
    ImportReport import_ex(const std::string &format, const std::string &source_path = std::string(),
                           bool force = false) const {
        detail::OutStrings<3> lists;
        detail::check(tw_store_import_ex(c_path(), detail::c_str(format, "format"),
                                         detail::c_str_or_null(source_path, "source_path"),
                                         force ? static_cast<uint32_t>(TW_STORE_IMPORT_FORCE) : 0u, &lists.out[0],
                                         &lists.out[1], &lists.out[2]));
        return ImportReport{lines(lists.take(0)), lines(lists.take(1)), lines(lists.take(2))};
    }

private:
    // Names each ended by a newline (names hold none).
    static std::vector<std::string> lines(const std::string &text) {
        std::vector<std::string> names;
        for (std::string::size_type at = 0, end; (end = text.find('\n', at)) != std::string::npos; at = end + 1) {
            names.push_back(text.substr(at, end - at));
        }
        return names;
    }

    const char *c_path() const { return path_.empty() ? nullptr : path_.c_str(); }

    // A change to one account of the store.
    void on_account(TwStatus (*change)(const char *, const char *), const std::string &account) const {
        detail::check(change(c_path(), detail::c_str(account, "account")));
    }

    std::string path_;
};

} // namespace twfollow

#endif // TWFOLLOW_STORE_HPP
