//! The token store (docs/tokens.md, "The token store"): configs from stored
//! accounts, saving, listing, choosing the default, removing, importing.
//!
//! A `store_path` is a file's path or the URL of a shared store on Redis
//! (`redis://[[user]:password@]host[:port][/db][?prefix=NAME]`, `rediss://…`): there
//! `TW_STATUS_STORE` also means the server could not be reached or refused the
//! password, and messages name the URL without its password.
//!
//! Every function here that takes `store_path` reads `TWFOLLOW_STORE`,
//! `XDG_CONFIG_HOME` and `HOME` only when it is NULL: do not call them while another
//! thread changes the environment.

use super::boundary::*;
use super::config::{publish_client, with_config, with_config_mut, TwConfig};
use crate::core::{Client, Store};

/// The store at `store_path` (NULL: the path rule).
pub(crate) unsafe fn open(store_path: *const c_char) -> Result<Store, Failure> {
    // A program that only uses the store forks too: its children must drop the locks.
    super::config::install_fork_handler();
    let store_path = opt_arg_str(store_path, "store_path")?;
    Ok(Store::open(store_path, |name| std::env::var_os(name))?)
}

/// An optional account name: NULL is `None`, empty is refused.
unsafe fn account_arg<'a>(account: *const c_char) -> Result<Option<&'a str>, Failure> {
    match opt_arg_str(account, "account")? {
        Some("") => Err(Failure::new(TwStatus::InvalidArgument, "account is empty")),
        other => Ok(other),
    }
}

/// A required account name: NULL and empty are refused.
unsafe fn required_account<'a>(account: *const c_char) -> Result<&'a str, Failure> {
    account_arg(account)?.ok_or_else(|| Failure::new(TwStatus::NullArgument, "account is NULL"))
}

/// Writes `count` to `*out_count` unless it is NULL (a count past `u32::MAX` as that).
pub(crate) unsafe fn publish_count(count: usize, out_count: *mut u32) {
    publish_value(out_count, u32::try_from(count).unwrap_or(u32::MAX));
}

/// Creates a configuration for a stored account.
///
/// `store_path`: the store's file or a `redis://` / `rediss://` URL (the store many
/// hosts share: docs/tokens.md), or NULL for the path rule: `TWFOLLOW_STORE`, else
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
/// The base URL, timeout and proxy are not stored. As `tw_config_from_env` does,
/// `TW_API_BASE` (optional base URL, the rules of `tw_config_set_base_url`) and
/// `TW_API_VERSION` (optional, `1.1`, `2` or `auto`; an OAuth 2.0 account takes `2`
/// or `auto` only) are read from the environment, so a program run against the
/// sandbox with its variables exported never sends to the real API; a bad value is
/// refused naming the variable. `tw_config_from_store_credentials` reads neither, for
/// a program whose own options replace them. Set the rest on the config. Nothing is
/// sent.
///
/// Ownership as `tw_config_new`. Returns `TW_STATUS_NULL_ARGUMENT` (`out_config`),
/// `TW_STATUS_INVALID_UTF8`, `TW_STATUS_INVALID_ARGUMENT` (an empty `store_path` or
/// `account`; a bad `TW_API_BASE` or `TW_API_VERSION`), `TW_STATUS_STORE` (no store,
/// a store others may read or write or another user owns, not valid JSON, an unknown
/// version, no such account or no default, an incomplete account: the message names
/// the path and the fix; the file is never changed).
/// Thread rules: reads the environment; do not call while another thread changes it.
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
        let mut client = stored_client(store_path, account, out_config)?;
        client.update(|settings| settings.apply_environment(|name| std::env::var(name).ok()))?;
        publish_client(client, out_config)
    })
}

/// A configuration for a stored account as `tw_config_from_store` makes it, with the
/// same arguments, ownership, statuses and refusals, but reading neither
/// `TW_API_BASE` nor `TW_API_VERSION`: the base URL and API version are the defaults
/// of `tw_config_new` (set them with `tw_config_set_base_url` and
/// `tw_config_set_api_version`). For a program whose own options replace those two
/// variables (as `tw_config_from_env_credentials` is beside `tw_config_from_env`): a
/// bad value there cannot fail a config the option makes good.
///
/// Thread rules: reads the environment (`TWFOLLOW_STORE`, `XDG_CONFIG_HOME`, `HOME`)
/// when `store_path` is NULL.
///
/// # Safety
/// Strings NULL or NUL-terminated; `out_config` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tw_config_from_store_credentials(
    store_path: *const c_char,
    account: *const c_char,
    out_config: *mut *mut TwConfig,
) -> TwStatus {
    fallible(|| {
        let client = stored_client(store_path, account, out_config)?;
        publish_client(client, out_config)
    })
}

/// The client of a stored account, its arguments checked (`out_config` too).
unsafe fn stored_client(
    store_path: *const c_char,
    account: *const c_char,
    out_config: *mut *mut TwConfig,
) -> Result<Client, Failure> {
    let store = open(store_path)?;
    let account = account_arg(account)?;
    non_null(out_config, "out_config")?;
    Ok(store.client_for(account)?)
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
    with_config_mut(config, |client| {
        let store = open(store_path)?;
        let name = store.save_account(client, account_arg(account)?)?;
        publish_fields(&[(Some(&name), "account name", out_account)])
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
        publish_fields(&[(Some(&store.list_json()?), "listing", out_json)])
    })
}

/// One account of `tw_store_list`'s list as one flat JSON object
/// (`tw_store_account_fields` gives it as fields): `*out_record` receives the `index`-th record
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
        let (count, summary) = store.account_at(index as usize)?;
        let record = summary.map(|summary| summary.to_json_text());
        publish_fields(&[(record.as_deref(), "account record", out_record)])?;
        publish_count(count, out_count);
        Ok(())
    })
}

/// One account of `tw_store_list`'s list as fields, for a program without a JSON
/// parser: the `index`-th account (counted from 0, in the list's order: sorted by
/// name). No secret is among them. Each out-pointer may be NULL: that field is not
/// wanted.
///
/// On `TW_STATUS_OK`: `*out_count` receives the number of accounts; the string
/// fields receive new strings to release with `tw_string_free`, or NULL: `*out_name`
/// the account's name; `*out_kind` `"oauth1"` or `"oauth2"`; `*out_screen_name` and
/// `*out_user_id` (decimal digits) the user, each NULL while not known (an imported
/// OAuth 2.0 account before its first call); `*out_app` the app's name (its consumer
/// key or client id). `*out_expires_at` receives when the OAuth 2.0 access token
/// expires, in seconds since the Unix epoch (0 when unknown, and for OAuth 1.0a);
/// `*out_has_refresh_token` whether an OAuth 2.0 account can refresh;
/// `*out_is_default` whether it is the store's default. Past the end, every string
/// field is NULL, the numbers 0 and the flags false: `*out_count` says how many there
/// are. (A store edited by hand may lack a kind or an app: NULL.) Nothing is written
/// on any other status. Each call reads the store again: another process may change
/// it between two calls (then an account may be skipped or repeated; a NULL name
/// ends the walk).
///
/// Returns `TW_STATUS_INVALID_UTF8`, `TW_STATUS_INVALID_ARGUMENT` (an empty `store_path`),
/// `TW_STATUS_STORE` (as `tw_store_list`), `TW_STATUS_BAD_RESPONSE` (a field holds a
/// NUL byte). Thread rules: any thread; reads the environment when `store_path` is
/// NULL.
///
/// # Safety
/// `store_path` NULL or NUL-terminated; each out-pointer NULL or writable.
#[no_mangle]
#[allow(clippy::too_many_arguments)] // one out-parameter per field
pub unsafe extern "C" fn tw_store_account_fields(
    store_path: *const c_char,
    index: u32,
    out_name: *mut *mut c_char,
    out_kind: *mut *mut c_char,
    out_screen_name: *mut *mut c_char,
    out_user_id: *mut *mut c_char,
    out_app: *mut *mut c_char,
    out_expires_at: *mut i64,
    out_has_refresh_token: *mut bool,
    out_is_default: *mut bool,
    out_count: *mut u32,
) -> TwStatus {
    fallible(|| {
        let store = open(store_path)?;
        let (count, summary) = store.account_at(index as usize)?;
        let found = summary.is_some();
        let s = summary.unwrap_or_default();
        publish_fields(&[
            (found.then_some(&s.name), "account name", out_name),
            (s.kind.as_deref(), "kind", out_kind),
            (s.screen_name.as_deref(), "screen name", out_screen_name),
            (s.user_id.as_deref(), "user id", out_user_id),
            (s.app.as_deref(), "app", out_app),
        ])?;
        publish_value(out_expires_at, s.expires_at);
        publish_value(out_has_refresh_token, s.has_refresh_token);
        publish_value(out_is_default, s.is_default);
        publish_count(count, out_count);
        Ok(())
    })
}

/// Makes `account` the store's default account.
///
/// Returns `TW_STATUS_NULL_ARGUMENT` (`account`), `TW_STATUS_INVALID_UTF8`,
/// `TW_STATUS_INVALID_ARGUMENT` (empty), `TW_STATUS_STORE` (no such account, or one no
/// config could be made from; the store is unchanged), `TW_STATUS_TIMEOUT` (the lock was
/// not free within 30 s).
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
        Ok(store.set_default(required_account(account)?)?)
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
        Ok(store.remove(required_account(account)?)?)
    })
}

/// The path of the store that `store_path` (NULL: the path rule) designates, for
/// messages: a URL without its password. Nothing is read or created.
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
        publish_fields(&[(Some(&store.location()), "store path", out_path)])
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
    with_config(config, |client| {
        non_null(out_access_token, "out_access_token")?;
        let (token, expires_at) = client.valid_access_token()?;
        publish_fields(&[(Some(&token), "access token", out_access_token)])?;
        publish_value(out_expires_at, expires_at);
        Ok(())
    })
}
