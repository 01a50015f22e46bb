//! The library's tokens as fields, for a program without a JSON parser: the OAuth
//! 1.0a access token's answer (`tw_oauth1_access_token_ex`), the OAuth 2.0 tokens a
//! config holds (`tw_config_get_oauth2_tokens`) and those of the library's own token
//! JSON (`tw_oauth2_tokens_from_json`: the token callback's, the code exchange's).

use std::ffi::c_char;

use super::auth::{adopt_access_token, trade_request_token};
use super::boundary::{arg_str, fallible, non_null, Failure};
use super::config::{config_ref, TwConfig};
use super::library::{out_string, out_strings, tw_string_free};
use super::status::TwStatus;
use crate::core::OAuth2Tokens;

/// `tw_oauth1_access_token` with the answer as fields, for a program without a JSON
/// parser: the same one request, statuses, thread rules and change to the config
/// (it follows as that user from now on).
///
/// On `TW_STATUS_OK`, `*out_token`, `*out_token_secret` and `*out_screen_name`
/// receive new strings (release each with `tw_string_free`, which wipes it) and
/// `*out_user_id` the user's id. Store the token and secret: they do not expire.
/// Every out-pointer is required (NULL is `TW_STATUS_NULL_ARGUMENT`, nothing sent);
/// nothing is written on any other status.
///
/// # Safety
/// As `tw_oauth1_access_token`; each out-pointer NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tw_oauth1_access_token_ex(
    config: *mut TwConfig,
    request_token: *const c_char,
    request_token_secret: *const c_char,
    verifier: *const c_char,
    out_token: *mut *mut c_char,
    out_token_secret: *mut *mut c_char,
    out_user_id: *mut u64,
    out_screen_name: *mut *mut c_char,
) -> TwStatus {
    fallible(|| {
        let strings = [request_token, request_token_secret, verifier];
        let (config, access) = trade_request_token(config, strings, || {
            non_null(out_token, "out_token")?;
            non_null(out_token_secret, "out_token_secret")?;
            non_null(out_user_id, "out_user_id")?;
            non_null(out_screen_name, "out_screen_name")
        })?;
        let made = out_strings([
            (access.token.as_str(), "access token"),
            (access.secret.as_str(), "access token secret"),
            (access.screen_name.as_str(), "screen name"),
        ])?;
        if let Err(failure) = adopt_access_token(config, &access) {
            made.into_iter().for_each(|s| tw_string_free(s));
            return Err(failure);
        }
        [*out_token, *out_token_secret, *out_screen_name] = made;
        *out_user_id = access.user_id;
        Ok(())
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
        let out = TokenFields::new(
            out_access_token,
            out_refresh_token,
            out_expires_at,
            out_scope,
        )?;
        out.publish(&config.client.oauth2_tokens()?)
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
/// `access_token`, a member of another type, a negative `expires_at`). The message
/// names the member, never a value: the JSON holds secrets. Thread rules: any
/// thread, any number at once.
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
            return Err(Failure::new(
                TwStatus::InvalidArgument,
                "tokens_json is empty",
            ));
        }
        let out = TokenFields::new(
            out_access_token,
            out_refresh_token,
            out_expires_at,
            out_scope,
        )?;
        out.publish(&OAuth2Tokens::from_json(json)?)
    })
}

/// The four out-pointers of a token's fields, checked not NULL.
struct TokenFields {
    access_token: *mut *mut c_char,
    refresh_token: *mut *mut c_char,
    expires_at: *mut i64,
    scope: *mut *mut c_char,
}

impl TokenFields {
    fn new(
        access_token: *mut *mut c_char,
        refresh_token: *mut *mut c_char,
        expires_at: *mut i64,
        scope: *mut *mut c_char,
    ) -> Result<TokenFields, Failure> {
        non_null(access_token, "out_access_token")?;
        non_null(refresh_token, "out_refresh_token")?;
        non_null(expires_at, "out_expires_at")?;
        non_null(scope, "out_scope")?;
        Ok(TokenFields {
            access_token,
            refresh_token,
            expires_at,
            scope,
        })
    }

    /// Writes `tokens`, all or nothing.
    ///
    /// # Safety
    /// The pointers are writable.
    unsafe fn publish(self, tokens: &OAuth2Tokens) -> Result<(), Failure> {
        // Each string is made before any is written, so a failure writes nothing;
        // those made already are wiped by tw_string_free.
        let refresh = match tokens.refresh_token.as_deref() {
            None => std::ptr::null_mut(),
            Some(token) => out_string(token, "refresh token")?.into_raw(),
        };
        let made = out_strings([
            (tokens.access_token.as_str(), "access token"),
            (tokens.scope.as_str(), "scope"),
        ]);
        let [access, scope] = match made {
            Ok(made) => made,
            Err(failure) => {
                tw_string_free(refresh);
                return Err(failure);
            }
        };
        *self.access_token = access;
        *self.refresh_token = refresh;
        *self.expires_at = tokens.expires_at;
        *self.scope = scope;
        Ok(())
    }
}
