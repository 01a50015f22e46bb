//! The tokens a config holds, read back: OAuth 2.0 as JSON and as fields, OAuth 1.0a
//! as fields; and the fields of the library's own token JSON (what the token
//! callback receives), so a C program needs no JSON parser to keep them.
//!
//! Every string these functions return holds secret material: release each with
//! `tw_string_free`, which overwrites it before freeing it.

use super::boundary::*;
use super::config::{with_config, TwConfig};
use crate::core::OAuth2Tokens;

/// The OAuth 2.0 tokens the config holds now, in the callback's shape.
///
/// On `TW_STATUS_OK`, `*out_tokens_json` receives a new string to release with
/// `tw_string_free`. Returns `TW_STATUS_NULL_ARGUMENT`, `TW_STATUS_INVALID_ARGUMENT`
/// (not an OAuth 2.0 config, or no tokens yet).
///
/// # Safety
/// `config` is NULL or a live config; `out_tokens_json` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tw_config_get_tokens(
    config: *const TwConfig,
    out_tokens_json: *mut *mut c_char,
) -> TwStatus {
    with_config(config, |client| {
        non_null(out_tokens_json, "out_tokens_json")?;
        let json = client.oauth2_tokens()?.to_json();
        publish_fields(&[(Some(&json), "tokens", out_tokens_json)])
    })
}

/// The OAuth 2.0 tokens the config holds now, as fields: what
/// `tw_config_get_tokens` gives as JSON, for a program without a JSON parser.
///
/// On `TW_STATUS_OK`, `*out_access_token` and `*out_scope` receive new strings and
/// `*out_refresh_token` a new string, or NULL when the grant has no refresh token
/// (no `offline.access`); release each string with `tw_string_free`.
/// `*out_expires_at` receives when the access token expires, in seconds since the
/// Unix epoch (0 when unknown). Nothing is written on any other status. Returns
/// `TW_STATUS_NULL_ARGUMENT` (any pointer NULL), `TW_STATUS_INVALID_ARGUMENT`
/// (not an OAuth 2.0 config, or no tokens yet). Thread rules: any thread; it reads
/// a copy taken under the config's lock.
///
/// # Safety
/// `config` is NULL or a live config; each out-pointer NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tw_config_get_oauth2_tokens(
    config: *const TwConfig,
    out_access_token: *mut *mut c_char,
    out_refresh_token: *mut *mut c_char,
    out_expires_at: *mut i64,
    out_scope: *mut *mut c_char,
) -> TwStatus {
    with_config(config, |client| {
        publish_oauth2_fields(
            || Ok(client.oauth2_tokens()?),
            [out_access_token, out_refresh_token, out_scope],
            out_expires_at,
        )
    })
}

/// The fields of the library's own OAuth 2.0 token JSON: what the token callback
/// receives, what `tw_oauth2_exchange_code` and `tw_config_get_tokens` write,
/// `{"access_token":"…","refresh_token":"…"|null,"expires_at":N,"scope":"…"}`, for a
/// program without a JSON parser. The fields mean what `tw_config_get_oauth2_tokens`
/// writes; other members are ignored.
///
/// It touches no config and sends nothing, so it may be called from inside a token
/// callback, on the JSON the callback received (`tw_config_get_oauth2_tokens` on
/// that callback's own config is `TW_STATUS_REENTERED` there); the thread's last
/// error of the call that runs the callback is kept.
///
/// On `TW_STATUS_OK`, `*out_access_token` and `*out_scope` (`""` when the JSON has
/// none) receive new strings and `*out_refresh_token` a new string, or NULL when the
/// JSON has no refresh token (null, `""` or absent); release each string with
/// `tw_string_free`, which wipes it. `*out_expires_at` receives `expires_at` (0 when
/// null or absent: unknown). Nothing is written on any other status.
///
/// Returns `TW_STATUS_NULL_ARGUMENT` (any pointer NULL), `TW_STATUS_INVALID_UTF8`,
/// `TW_STATUS_INVALID_ARGUMENT` (empty, not JSON, not an object, no non-empty string
/// `access_token`, a member of another type, a negative `expires_at`, a NUL
/// character in a string). The message names the member, never a value: the JSON
/// holds secrets. Thread rules: any thread, any number at once.
///
/// # Safety
/// `tokens_json` is NULL or NUL-terminated; each out-pointer NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tw_oauth2_tokens_from_json(
    tokens_json: *const c_char,
    out_access_token: *mut *mut c_char,
    out_refresh_token: *mut *mut c_char,
    out_expires_at: *mut i64,
    out_scope: *mut *mut c_char,
) -> TwStatus {
    fallible(|| {
        let json = arg_str(tokens_json, "tokens_json")?;
        if json.is_empty() {
            let message = "tokens_json is empty";
            return Err(Failure::new(TwStatus::InvalidArgument, message));
        }
        publish_oauth2_fields(
            || Ok(OAuth2Tokens::from_json(json)?),
            [out_access_token, out_refresh_token, out_scope],
            out_expires_at,
        )
    })
}

/// Checks the out-pointers (none may be NULL), then writes the `tokens` as fields,
/// all or nothing.
///
/// # Safety
/// Each pointer is NULL or writable.
unsafe fn publish_oauth2_fields(
    tokens: impl FnOnce() -> Result<OAuth2Tokens, Failure>,
    [access, refresh, scope]: [*mut *mut c_char; 3],
    expires_at: *mut i64,
) -> Result<(), Failure> {
    non_null(access, "out_access_token")?;
    non_null(refresh, "out_refresh_token")?;
    non_null(expires_at, "out_expires_at")?;
    non_null(scope, "out_scope")?;
    let tokens = tokens()?;
    publish_fields(&[
        (Some(tokens.access_token.as_str()), "access token", access),
        (tokens.refresh_token.as_deref(), "refresh token", refresh),
        (Some(tokens.scope.as_str()), "scope", scope),
    ])?;
    *expires_at = tokens.expires_at;
    Ok(())
}

/// The OAuth 1.0a user token the config follows with, as fields, for a program
/// without a JSON parser: after `tw_oauth1_access_token` (what its JSON gives), and
/// on a config from `tw_config_new`, `tw_config_from_env` or an OAuth 1.0a account
/// of the token store (`tw_config_from_store`). Nothing is sent.
///
/// On `TW_STATUS_OK`, each out-pointer that is not NULL receives a new string to
/// release with `tw_string_free` (which wipes it): `*out_access_token` and
/// `*out_access_token_secret` the user's token and its secret (secrets: keep them
/// out of logs); `*out_user_id` (decimal digits) and `*out_screen_name` who the user
/// is, or NULL both when the config does not know it: a config from `tw_config_new`
/// or `tw_config_from_env` (until `tw_store_save_account` learns it), or a stored
/// account without a screen name (xurl's `APP-oauth1`, imported). Pass NULL for a
/// field you do not want. Nothing is written on any other status.
///
/// Returns `TW_STATUS_NULL_ARGUMENT` (`config`), `TW_STATUS_INVALID_ARGUMENT` (an
/// OAuth 2.0 config: see `tw_config_get_oauth2_tokens`; an app's config before
/// `tw_oauth1_access_token`), `TW_STATUS_BAD_RESPONSE` (a field holds a NUL byte).
/// Thread rules: as `tw_follow`: any thread, while no setter runs on the config.
///
/// # Safety
/// `config` is NULL or a live config; each out-pointer NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tw_config_get_oauth1_tokens(
    config: *const TwConfig,
    out_access_token: *mut *mut c_char,
    out_access_token_secret: *mut *mut c_char,
    out_user_id: *mut *mut c_char,
    out_screen_name: *mut *mut c_char,
) -> TwStatus {
    with_config(config, |client| {
        let (credentials, identity) = client.oauth1_tokens()?;
        let (token, secret) = (&credentials.access_token, &credentials.access_token_secret);
        let user_id = identity.map(|user| user.user_id.to_string());
        let screen_name = identity.map(|user| user.screen_name.as_str());
        publish_fields(&[
            (Some(token), "access token", out_access_token),
            (Some(secret), "access token secret", out_access_token_secret),
            (user_id.as_deref(), "user id", out_user_id),
            (screen_name, "screen name", out_screen_name),
        ])
    })
}
