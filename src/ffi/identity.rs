//! `tw_me`: the user a config's credentials act as.

use std::ffi::c_char;

use super::boundary::non_null;
use super::config::{with_config, TwConfig};
use super::library::publish_fields;
use super::status::TwStatus;

/// The user the config's credentials act as (X's "who am I"): to check before a
/// first follow which account a set of variables or a stored account is, or to show
/// it (`tw-follow whoami`).
///
/// What the config already knows costs no request: an account of the token store
/// that holds its user's id and screen name (`tw_config_from_store`), a config from
/// `tw_oauth1_access_token`, or an earlier `tw_me` on an OAuth 2.0 config. Else one
/// request (`tw_last_request_count` says how many were sent: 0, 1, or 2 when an
/// OAuth 2.0 token was refreshed first): `GET <base>/2/users/me` for an OAuth 2.0
/// config and for OAuth 1.0a with API v2, `GET
/// <base>/1.1/account/verify_credentials.json` for OAuth 1.0a with API 1.1 (with API
/// version auto, API v2 once 1.1 refused the app's access tier). A store-backed
/// OAuth 2.0 config saves what it learnt, so the next process sends nothing.
///
/// On `TW_STATUS_OK`, `*out_user_id` receives the user's id (decimal digits) and
/// `*out_username` the screen name as the API spells it, each a new string to
/// release with `tw_string_free`. Nothing is written on any other status.
///
/// Returns `TW_STATUS_NULL_ARGUMENT` (any pointer NULL: nothing is sent),
/// `TW_STATUS_INVALID_ARGUMENT` (an app's config without a user token yet), or any
/// status of `tw_follow` for the request (`TW_STATUS_AUTH` for refused credentials;
/// `TW_STATUS_BAD_RESPONSE` for an answer without an id or a name). Retries, the
/// timeout, clock correction and thread rules as `tw_follow`.
///
/// # Safety
/// `config` is NULL or a live config; `out_user_id` and `out_username` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tw_me(
    config: *const TwConfig,
    out_user_id: *mut *mut c_char,
    out_username: *mut *mut c_char,
) -> TwStatus {
    with_config(config, |client| {
        non_null(out_user_id, "out_user_id")?;
        non_null(out_username, "out_username")?;
        let (id, username) = client.me()?;
        let id = id.to_string();
        publish_fields(&[
            (Some(&id), "user id", out_user_id),
            (Some(&username), "username", out_username),
        ])
    })
}
