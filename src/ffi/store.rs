//! The token store (docs/tokens.md, "The token store"): configs from stored
//! accounts, saving, listing, choosing the default, removing, importing.
//!
//! Every function here that takes `store_path` reads `TWFOLLOW_STORE`,
//! `XDG_CONFIG_HOME` and `HOME` only when it is NULL: do not call them while another
//! thread changes the environment.

use std::ffi::{c_char, OsString};

use super::auth::out_string;
use super::boundary::{arg_str, fallible, non_null, opt_arg_str, Failure};
use super::config::{config_mut, config_ref, publish_config, TwConfig};
use super::status::TwStatus;
use crate::core::{ImportFormat, Store};

fn env(name: &str) -> Option<OsString> {
    std::env::var_os(name)
}

/// The store at `store_path` (NULL: the path rule).
unsafe fn open(store_path: *const c_char) -> Result<Store, Failure> {
    Ok(Store::open(opt_arg_str(store_path, "store_path")?, env)?)
}

/// An optional account name: NULL is `None`, empty is refused.
unsafe fn account_arg<'a>(account: *const c_char) -> Result<Option<&'a str>, Failure> {
    match opt_arg_str(account, "account")? {
        Some("") => Err(Failure::new(TwStatus::InvalidArgument, "account is empty")),
        other => Ok(other),
    }
}

/// Creates a configuration for a stored account.
///
/// `store_path`: the store's file, or NULL for the path rule: `TWFOLLOW_STORE`, else
/// `$XDG_CONFIG_HOME/twfollow/accounts.json`, else `$HOME/.config/twfollow/accounts.json`.
/// `account`: its name, or NULL for the store's default account.
///
/// An OAuth 1.0a account gives a config as `tw_config_new` does. An OAuth 2.0
/// account gives a store-backed config (as `tw_config_new_oauth2` with the stored
/// tokens): every refresh happens under the store's exclusive lock after reading
/// the account again, so when another process already stored newer tokens they are
/// used instead of refreshing; otherwise the new pair is written to the store
/// before the lock is released and before the call returns (the token callback
/// still receives it). This holds for the refresh before expiry, for
/// `tw_oauth2_refresh` and for the refresh after a 401 (after a 401, tokens another
/// process stored are tried first). A config inherited across `fork()` keeps
/// working this way. The user's id is stored with the account, so a follow by user
/// id costs one request (no `GET 2/users/me`). Tokens given to the config later
/// (`tw_config_set_oauth2_tokens`, `tw_oauth2_exchange_code`) end the link to the
/// store: `tw_store_save_account` makes it again.
///
/// The base URL, timeout and proxy are not stored: set them on the config. Nothing
/// is sent.
///
/// Ownership as `tw_config_new`. Returns `TW_STATUS_NULL_ARGUMENT` (`out_config`),
/// `TW_STATUS_INVALID_UTF8`, `TW_STATUS_INVALID_ARGUMENT` (an empty `store_path` or
/// `account`), `TW_STATUS_STORE` (no store, a store others may read or write or
/// another user owns, not valid JSON, an unknown version, no such account or no
/// default, an incomplete account: the message names the path and the fix; the file
/// is never changed).
/// Thread rules: reads the environment when `store_path` is NULL.
///
/// # Safety
/// Strings NULL or NUL-terminated; `out_config` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tw_config_from_store(
    store_path: *const c_char,
    account: *const c_char,
    out_config: *mut *mut TwConfig,
) -> TwStatus {
    fallible(|| {
        let store = open(store_path)?;
        let account = account_arg(account)?;
        non_null(out_config, "out_config")?;
        let settings = store.settings_for(account)?;
        publish_config(settings, out_config);
        Ok(())
    })
}

/// Saves the config's user and app to the store as `account` (NULL: the user's
/// screen name), overwriting an account of that name; it becomes the default when
/// the store has none. The store and its folder are created (0600, 0700) when
/// missing. From then on an OAuth 2.0 config is store-backed, as
/// `tw_config_from_store`'s.
///
/// The user's id and screen name are stored too: what the config learnt
/// (`tw_oauth1_access_token`'s answer, an earlier `GET 2/users/me`), or, if
/// unknown, one `GET <base>/2/users/me` (OAuth 2.0 with the Bearer token, refreshed
/// first when it expires; OAuth 1.0a signed with the user's token).
///
/// On `TW_STATUS_OK`, `*out_account` (if `out_account` is not NULL) receives the
/// name it was saved under; release it with `tw_string_free`.
///
/// Returns `TW_STATUS_NULL_ARGUMENT` (`config`), `TW_STATUS_INVALID_UTF8`,
/// `TW_STATUS_INVALID_ARGUMENT` (an empty `store_path` or `account`, a name over
/// 100 bytes or with control characters, a config without a user),
/// `TW_STATUS_STORE`, `TW_STATUS_TIMEOUT` (the store's lock was not free within the
/// config's timeout), and the statuses of `tw_follow` for `GET 2/users/me`.
/// Thread rules: a setter: no other call on this config may run at the same time.
///
/// # Safety
/// `config` NULL or a live config; strings NULL or NUL-terminated; `out_account`
/// NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tw_store_save_account(
    config: *mut TwConfig,
    store_path: *const c_char,
    account: *const c_char,
    out_account: *mut *mut c_char,
) -> TwStatus {
    fallible(|| {
        let config = config_mut(config)?;
        let store = open(store_path)?;
        let account = account_arg(account)?;
        let name = store.save_account(&mut config.client, account)?;
        if !out_account.is_null() {
            *out_account = out_string(&name, "account name")?.into_raw();
        }
        Ok(())
    })
}

/// The store's accounts as JSON, without any secret:
/// `{"path":"…","default":"name"|null,"accounts":[{"name":"…","kind":"oauth1"|"oauth2",
/// "screen_name":"…"|null,"user_id":"…"|null,"app":"…","expires_at":N,
/// "has_refresh_token":bool,"default":bool}]}` (sorted by name; `expires_at` 0
/// when unknown or OAuth 1.0a). A store that does not exist yet lists no accounts.
///
/// On `TW_STATUS_OK`, `*out_json` receives a new string (`tw_string_free`).
/// Returns `TW_STATUS_NULL_ARGUMENT` (`out_json`), `TW_STATUS_INVALID_UTF8`,
/// `TW_STATUS_INVALID_ARGUMENT`, `TW_STATUS_STORE`.
/// Thread rules: any thread; reads the environment when `store_path` is NULL.
///
/// # Safety
/// `store_path` NULL or NUL-terminated; `out_json` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tw_store_list(
    store_path: *const c_char,
    out_json: *mut *mut c_char,
) -> TwStatus {
    fallible(|| {
        let store = open(store_path)?;
        non_null(out_json, "out_json")?;
        let json = store.list_json()?;
        *out_json = out_string(&json, "listing")?.into_raw();
        Ok(())
    })
}

/// One account of `tw_store_list`'s list, for a reader of flat JSON objects only (the
/// C++ wrapper, `tw-follow accounts`): `*out_record` receives the `index`-th record
/// (counted from 0, in the list's order, with its members:
/// `{"name","kind","screen_name","user_id","app","expires_at","has_refresh_token","default"}`),
/// or NULL when `index` is past the end; `*out_count` (if not NULL) the number of
/// accounts. No secret is in it. Each call reads the store again: another process may
/// change it between two calls (then a record may be skipped or repeated; a NULL
/// record ends the walk).
///
/// On `TW_STATUS_OK`, `*out_record` receives a new string or NULL (`tw_string_free`).
/// Returns `TW_STATUS_NULL_ARGUMENT` (`out_record`), `TW_STATUS_INVALID_UTF8`,
/// `TW_STATUS_INVALID_ARGUMENT` (an empty `store_path`), `TW_STATUS_STORE` (as
/// `tw_store_list`).
/// Thread rules: any thread; reads the environment when `store_path` is NULL.
///
/// # Safety
/// `store_path` NULL or NUL-terminated; `out_record` NULL or writable; `out_count`
/// NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tw_store_account_at(
    store_path: *const c_char,
    index: u32,
    out_record: *mut *mut c_char,
    out_count: *mut u32,
) -> TwStatus {
    fallible(|| {
        let store = open(store_path)?;
        non_null(out_record, "out_record")?;
        let (count, record) = store.account_at(index as usize)?;
        *out_record = match record {
            Some(json) => out_string(&json, "account record")?.into_raw(),
            None => std::ptr::null_mut(),
        };
        if !out_count.is_null() {
            *out_count = u32::try_from(count).unwrap_or(u32::MAX);
        }
        Ok(())
    })
}

/// Makes `account` the store's default account.
///
/// Returns `TW_STATUS_NULL_ARGUMENT` (`account`), `TW_STATUS_INVALID_UTF8`,
/// `TW_STATUS_INVALID_ARGUMENT` (empty), `TW_STATUS_STORE` (no such account; the
/// store is unchanged), `TW_STATUS_TIMEOUT` (the lock was not free within 30 s).
/// Thread rules: any thread; reads the environment when `store_path` is NULL.
///
/// # Safety
/// Strings NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn tw_store_set_default(
    store_path: *const c_char,
    account: *const c_char,
) -> TwStatus {
    fallible(|| {
        let store = open(store_path)?;
        let account = account_arg(account)?
            .ok_or_else(|| Failure::new(TwStatus::NullArgument, "account is NULL"))?;
        store.set_default(account)?;
        Ok(())
    })
}

/// Removes `account` from the store, and its app when no other account uses it (and
/// the default, when it was this account). Revoking is the caller's: make a config
/// with `tw_config_from_store` and call `tw_oauth2_revoke` with its refresh token
/// first (the CLIs' `accounts remove --revoke` does).
///
/// Returns as `tw_store_set_default`. Thread rules: as `tw_store_set_default`.
///
/// # Safety
/// Strings NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn tw_store_remove(
    store_path: *const c_char,
    account: *const c_char,
) -> TwStatus {
    fallible(|| {
        let store = open(store_path)?;
        let account = account_arg(account)?
            .ok_or_else(|| Failure::new(TwStatus::NullArgument, "account is NULL"))?;
        store.remove(account)?;
        Ok(())
    })
}

/// Imports accounts into the store; existing names are overwritten, and the
/// source's default becomes the store's when the store has none. Nothing is sent.
///
/// `format`: `"twurl"` (`~/.twurlrc`: an account per profile and app, named by the
/// screen name, or `name@consumer_key` when a user has several apps), `"xurl"`
/// (`~/.xurl/auth.yml`, or the file `~/.xurl` of xurl before 1.1: an account per
/// OAuth 2.0 user, named by the username, and `APP-oauth1` for an app's OAuth 1.0a
/// token), or `"env"` (the `TW_*` or `TW_OAUTH2_*` variables, read as
/// `tw_config_from_env` reads them, as the account `env`; `source_path` must be
/// NULL). `source_path`: the file, NULL for the tool's default file under `HOME`.
/// An OAuth 1.0a account's user id comes from its token's numeric prefix; an OAuth
/// 2.0 account's user id is learnt by its first call (`GET 2/users/me`).
///
/// On `TW_STATUS_OK`, `*out_json` (if not NULL) receives `{"imported":["name",…]}`
/// (`tw_string_free`).
///
/// Returns `TW_STATUS_NULL_ARGUMENT` (`format`), `TW_STATUS_INVALID_UTF8`,
/// `TW_STATUS_INVALID_ARGUMENT` (an unknown format, an empty path, a source path
/// with `"env"`, missing or bad variables), `TW_STATUS_STORE` (an unreadable or
/// malformed source file, the store as `tw_store_list`), `TW_STATUS_TIMEOUT`.
/// Thread rules: reads the environment (`HOME`, the `TW_*` variables).
///
/// # Safety
/// Strings NULL or NUL-terminated; `out_json` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tw_store_import(
    store_path: *const c_char,
    format: *const c_char,
    source_path: *const c_char,
    out_json: *mut *mut c_char,
) -> TwStatus {
    fallible(|| {
        let store = open(store_path)?;
        let format = ImportFormat::parse(arg_str(format, "format")?)?;
        let source = opt_arg_str(source_path, "source_path")?;
        let names = store.import(format, source, env)?;
        if !out_json.is_null() {
            let json = serde_json::json!({ "imported": names }).to_string();
            *out_json = out_string(&json, "import answer")?.into_raw();
        }
        Ok(())
    })
}

/// The path of the store that `store_path` (NULL: the path rule) designates, for
/// messages. Nothing is read or created.
///
/// On `TW_STATUS_OK`, `*out_path` receives a new string (`tw_string_free`).
/// Returns `TW_STATUS_NULL_ARGUMENT` (`out_path`), `TW_STATUS_INVALID_UTF8`,
/// `TW_STATUS_INVALID_ARGUMENT` (empty), `TW_STATUS_STORE` (NULL, and none of the
/// variables set). Thread rules: reads the environment when `store_path` is NULL.
///
/// # Safety
/// `store_path` NULL or NUL-terminated; `out_path` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tw_store_path(
    store_path: *const c_char,
    out_path: *mut *mut c_char,
) -> TwStatus {
    fallible(|| {
        let store = open(store_path)?;
        non_null(out_path, "out_path")?;
        let path = store.path().to_string_lossy().into_owned();
        *out_path = out_string(&path, "store path")?.into_raw();
        Ok(())
    })
}

/// A valid OAuth 2.0 access token of the config, alone (for scripts that call the
/// API themselves): refreshed first when it expires within 60 s (and, for a
/// store-backed config, saved to the store as every refresh is). `*out_expires_at`
/// (if not NULL) receives its expiry in seconds since the Unix epoch (0: unknown).
///
/// On `TW_STATUS_OK`, `*out_access_token` receives a new string (`tw_string_free`,
/// which wipes it). Returns `TW_STATUS_NULL_ARGUMENT`, `TW_STATUS_INVALID_ARGUMENT`
/// (not an OAuth 2.0 config, no tokens), and the statuses of `tw_oauth2_refresh`
/// (`TW_STATUS_TOKENS_NOT_SAVED` included). Thread rules: as `tw_follow`.
///
/// # Safety
/// `config` NULL or a live config; out pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tw_oauth2_access_token(
    config: *const TwConfig,
    out_access_token: *mut *mut c_char,
    out_expires_at: *mut i64,
) -> TwStatus {
    fallible(|| {
        let config = config_ref(config)?;
        non_null(out_access_token, "out_access_token")?;
        let (token, expires_at) = config.client.valid_access_token()?;
        *out_access_token = out_string(&token, "access token")?.into_raw();
        if !out_expires_at.is_null() {
            *out_expires_at = expires_at;
        }
        Ok(())
    })
}
