//! The tokens a config holds, read back: OAuth 2.0 as JSON and as fields, OAuth 1.0a
//! as fields, so a C program needs no JSON parser to keep them.
//!
//! Every string these functions return holds secret material: release each with
//! `tw_string_free`, which overwrites it before freeing it.

use std::ffi::c_char;

use super::boundary::{fallible, non_null};
use super::config::{config_ref, TwConfig};
use super::library::{publish_fields, publish_string};
use super::status::TwStatus;

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
    fallible(|| {
        let config = config_ref(config)?;
        non_null(out_tokens_json, "out_tokens_json")?;
        let json = config.client.oauth2_tokens_json()?;
        publish_string(&json, "tokens", out_tokens_json)
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
    fallible(|| {
        let config = config_ref(config)?;
        non_null(out_access_token, "out_access_token")?;
        non_null(out_refresh_token, "out_refresh_token")?;
        non_null(out_expires_at, "out_expires_at")?;
        non_null(out_scope, "out_scope")?;
        let tokens = config.client.oauth2_tokens()?;
        publish_fields(&[
            (
                Some(tokens.access_token.as_str()),
                "access token",
                out_access_token,
            ),
            (
                tokens.refresh_token.as_deref().map(|t| t.as_str()),
                "refresh token",
                out_refresh_token,
            ),
            (Some(tokens.scope.as_str()), "scope", out_scope),
        ])?;
        *out_expires_at = tokens.expires_at;
        Ok(())
    })
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
    fallible(|| {
        let config = config_ref(config)?;
        let (credentials, identity) = config.client.oauth1_tokens()?;
        let user_id = identity.map(|user| user.user_id.to_string());
        publish_fields(&[
            (
                Some(credentials.access_token.as_str()),
                "access token",
                out_access_token,
            ),
            (
                Some(credentials.access_token_secret.as_str()),
                "access token secret",
                out_access_token_secret,
            ),
            (user_id.as_deref(), "user id", out_user_id),
            (
                identity.map(|user| user.screen_name.as_str()),
                "screen name",
                out_screen_name,
            ),
        ])
    })
}
