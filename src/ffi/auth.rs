//! Getting tokens: the OAuth 1.0a PIN / callback flow and OAuth 2.0 user tokens
//! (authorization code with PKCE, refresh, revoke), and the callback that hands
//! rotated tokens to the application.
//!
//! Every string these functions return holds secret material: release each with
//! `tw_string_free`, which overwrites it before freeing it.

use std::sync::Arc;

use super::boundary::*;
use super::config::{publish_client, with_config, with_config_mut, TwConfig};
use crate::core::{Client, Identity, Settings, OAUTH2_DEFAULT_SCOPE};

/// Receives the OAuth 2.0 tokens each time the library changes them (a refresh, a
/// code exchange), as `{"access_token":"…","refresh_token":"…"|null,"expires_at":N,"scope":"…"}`
/// (`expires_at` in seconds since the Unix epoch, 0 when unknown). Store them:
/// X rotates refresh tokens, so a refresh token the application loses logs its
/// user out for good. `tw_oauth2_tokens_from_json` gives the fields of that JSON
/// without a JSON parser, and may be called from inside the callback.
///
/// Runs on the thread whose call refreshed, before that call returns, under that
/// config's refresh lock. A call on the same config from inside it is refused at
/// once with `TW_STATUS_REENTERED` ("called from inside this config's token
/// callback"), nothing sent, and `tw_config_free` of it does nothing; calls on other
/// configs work. `tokens_json` is valid only during the call.
pub type TwTokenCallback =
    Option<unsafe extern "C" fn(user_data: *mut c_void, tokens_json: *const c_char)>;

/// Creates a configuration from an app's OAuth 1.0a consumer key and secret only,
/// for the PIN or callback flow (`tw_oauth1_request_token`, then
/// `tw_oauth1_access_token`, after which the config follows as that user).
/// Follows before that are `TW_STATUS_INVALID_ARGUMENT`. Defaults, setters and
/// ownership as `tw_config_new`.
///
/// Returns `TW_STATUS_NULL_ARGUMENT`, `TW_STATUS_INVALID_UTF8`,
/// `TW_STATUS_INVALID_ARGUMENT` (an empty key or secret).
///
/// # Safety
/// Each pointer is NULL or valid: strings NUL-terminated, `out_config` writable.
#[no_mangle]
pub unsafe extern "C" fn tw_config_new_app(
    consumer_key: *const c_char,
    consumer_secret: *const c_char,
    out_config: *mut *mut TwConfig,
) -> TwStatus {
    fallible(|| {
        let settings = Settings::new_app(
            arg_str(consumer_key, "consumer_key")?.to_owned(),
            arg_str(consumer_secret, "consumer_secret")?.to_owned(),
        );
        non_null(out_config, "out_config")?;
        publish_client(Client::new(settings?), out_config)
    })
}

/// OAuth 1.0a step 1: asks for a request token (`POST <base>/oauth/request_token`,
/// signed with the consumer key and secret only, `oauth_callback` signed too).
///
/// `callback`: `"oob"` for the PIN flow (the user is shown a PIN to type into your
/// program), or the absolute `http(s)://` URL Twitter redirects the user to with
/// `oauth_token` and `oauth_verifier`.
///
/// On `TW_STATUS_OK`: `*out_request_token`, `*out_request_token_secret` and
/// `*out_authorize_url` (the page to open: `<base>/oauth/authorize?oauth_token=…`)
/// each receive a new string to release with `tw_string_free`. Keep the token and
/// its secret for step 2 (a web app may store them and finish in another process);
/// the library keeps nothing. All three pointers are required.
///
/// Returns `TW_STATUS_NULL_ARGUMENT`, `TW_STATUS_INVALID_UTF8`,
/// `TW_STATUS_INVALID_ARGUMENT` (bad callback, or an OAuth 2.0 config),
/// `TW_STATUS_AUTH` (consumer key or secret refused), `TW_STATUS_BAD_RESPONSE`
/// (an answer without the token, or without `oauth_callback_confirmed=true`), and
/// the network and HTTP statuses of `tw_follow`.
/// Thread rules: as `tw_follow`.
///
/// # Safety
/// `config` is NULL or a live config; `callback` NULL or NUL-terminated; the out
/// pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tw_oauth1_request_token(
    config: *const TwConfig,
    callback: *const c_char,
    out_request_token: *mut *mut c_char,
    out_request_token_secret: *mut *mut c_char,
    out_authorize_url: *mut *mut c_char,
) -> TwStatus {
    with_config(config, |client| {
        let callback = arg_str(callback, "callback")?;
        non_null(out_request_token, "out_request_token")?;
        non_null(out_request_token_secret, "out_request_token_secret")?;
        non_null(out_authorize_url, "out_authorize_url")?;
        let token = client.request_token(callback)?;
        let url = client.authorize_url(&token.token);
        publish_fields(&[
            (Some(&token.token), "request token", out_request_token),
            (
                Some(token.secret.as_str()),
                "request token secret",
                out_request_token_secret,
            ),
            (Some(&url), "authorize URL", out_authorize_url),
        ])
    })
}

/// OAuth 1.0a step 2: trades the request token for the user's access token
/// (`POST <base>/oauth/access_token` with `oauth_token` and `oauth_verifier`, signed
/// with the consumer secret and the request token's secret). `verifier` is the PIN
/// the user typed, or `oauth_verifier` from the callback. A request token works once.
///
/// On `TW_STATUS_OK` the config follows as that user from now on, and
/// `*out_json` (if `out_json` is not NULL) receives one JSON object,
/// `{"oauth_token":"…","oauth_token_secret":"…","user_id":"…","screen_name":"…"}`, to
/// release with `tw_string_free`. Store the token and secret: they do not expire.
///
/// Returns `TW_STATUS_NULL_ARGUMENT`, `TW_STATUS_INVALID_UTF8`,
/// `TW_STATUS_INVALID_ARGUMENT` (an empty argument), `TW_STATUS_AUTH` (wrong PIN,
/// used or expired request token: the message quotes the server),
/// `TW_STATUS_BAD_RESPONSE` (an answer without a field), and the network and HTTP
/// statuses of `tw_follow`.
/// Thread rules: a setter: no other call on this config may run at the same time.
///
/// # Safety
/// `config` is NULL or a live config; the strings NULL or NUL-terminated;
/// `out_json` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tw_oauth1_access_token(
    config: *mut TwConfig,
    request_token: *const c_char,
    request_token_secret: *const c_char,
    verifier: *const c_char,
    out_json: *mut *mut c_char,
) -> TwStatus {
    with_config_mut(config, |client| {
        let request_token = arg_str(request_token, "request_token")?;
        let request_token_secret = arg_str(request_token_secret, "request_token_secret")?;
        let verifier = arg_str(verifier, "verifier")?;
        let access = client.access_token(request_token, request_token_secret, verifier)?;
        client.update(|s| {
            s.set_access_token(&access.token, &access.secret)?;
            // Kept for tw_store_save_account, which then sends nothing to learn it.
            s.identity = Some(Identity {
                user_id: access.user_id,
                screen_name: access.screen_name.clone(),
            });
            Ok(())
        })?;
        // Made once the config took the token (so a refusal leaves no copy): JSON
        // escapes a NUL, so publishing it cannot fail.
        let json = access.to_json();
        publish_fields(&[(Some(&json), "access token answer", out_json)])
    })
}

/// Creates a configuration for OAuth 2.0 user tokens of the app's OAuth 2.0 client
/// (`client_id`; `client_secret` for a confidential client, NULL for a public one).
/// It follows through API v2 with `Authorization: Bearer` once it holds tokens:
/// from `tw_oauth2_exchange_code` or `tw_config_set_oauth2_tokens`. The follower's
/// id comes from `GET <base>/2/users/me`, once per config and user. Defaults,
/// setters and ownership as `tw_config_new` (`tw_config_set_api_version` accepts 2 only).
///
/// Returns `TW_STATUS_NULL_ARGUMENT` (`client_id` or `out_config`),
/// `TW_STATUS_INVALID_UTF8`, `TW_STATUS_INVALID_ARGUMENT` (empty).
///
/// # Safety
/// Each pointer is NULL or valid: strings NUL-terminated, `out_config` writable.
#[no_mangle]
pub unsafe extern "C" fn tw_config_new_oauth2(
    client_id: *const c_char,
    client_secret: *const c_char,
    out_config: *mut *mut TwConfig,
) -> TwStatus {
    fallible(|| {
        let settings = Settings::new_oauth2(
            arg_str(client_id, "client_id")?,
            opt_arg_str(client_secret, "client_secret")?,
        );
        non_null(out_config, "out_config")?;
        publish_client(Client::new(settings?), out_config)
    })
}

/// OAuth 2.0 step 1: the URL where the user approves the app (`https://x.com/i/oauth2/authorize`,
/// or `<base>/i/oauth2/authorize` when the base URL is not the default), with
/// `response_type=code`, the client id, `redirect_uri`, `scope`, a fresh random
/// `state` (128 bits) and a PKCE S256 `code_challenge` of a fresh 64-character verifier.
///
/// `scope`: NULL for `"tweet.read users.read follows.write offline.access"` (what a
/// follow needs, plus a refresh token). Nothing is sent.
///
/// On `TW_STATUS_OK`, `*out_url`, `*out_state` and `*out_code_verifier` each receive
/// a new string to release with `tw_string_free`. Keep the state and the verifier
/// for `tw_oauth2_exchange_code`. All three pointers are required.
///
/// Returns `TW_STATUS_NULL_ARGUMENT`, `TW_STATUS_INVALID_UTF8`,
/// `TW_STATUS_INVALID_ARGUMENT` (not an OAuth 2.0 config, a `redirect_uri` that is not
/// an absolute http(s) URL, an empty scope).
///
/// # Safety
/// `config` is NULL or a live config; strings NULL or NUL-terminated; out pointers
/// NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tw_oauth2_authorize_url(
    config: *const TwConfig,
    redirect_uri: *const c_char,
    scope: *const c_char,
    out_url: *mut *mut c_char,
    out_state: *mut *mut c_char,
    out_code_verifier: *mut *mut c_char,
) -> TwStatus {
    with_config(config, |client| {
        let redirect_uri = arg_str(redirect_uri, "redirect_uri")?;
        let scope = opt_arg_str(scope, "scope")?.unwrap_or(OAUTH2_DEFAULT_SCOPE);
        non_null(out_url, "out_url")?;
        non_null(out_state, "out_state")?;
        non_null(out_code_verifier, "out_code_verifier")?;
        let start = client.oauth2_authorization(redirect_uri, scope)?;
        let verifier = &start.code_verifier;
        publish_fields(&[
            (Some(&start.url), "authorize URL", out_url),
            (Some(&start.state), "state", out_state),
            (Some(verifier), "code verifier", out_code_verifier),
        ])
    })
}

/// OAuth 2.0 step 2: trades the authorization code for tokens
/// (`POST <base>/2/oauth2/token`, `grant_type=authorization_code`; a confidential
/// client authenticates with HTTP Basic, a public one sends `client_id`).
///
/// `code_or_url`: the whole redirected URL (recommended), or the bare `code`. It is
/// read as a URL when it holds `://` or starts with `?`. For a URL, `expected_state`
/// (the state from `tw_oauth2_authorize_url`) must match its `state`, or nothing is
/// sent (`TW_STATUS_INVALID_ARGUMENT`); a redirect with `error=access_denied` is
/// `TW_STATUS_AUTH`. `expected_state` may be NULL only with a bare code.
///
/// A bare code skips the state check, even when `expected_state` is given: it
/// carries no state to compare. PKCE still binds the code to `code_verifier`, but a
/// web application that passes its callback's `code` parameter alone loses its CSRF
/// check without knowing. Pass the callback request's whole URL; keep bare codes for
/// a person who pastes one (the C++ and Python helpers refuse a bare code where the
/// URL belongs and take one only explicitly). `redirect_uri` and `code_verifier` are
/// those of step 1.
///
/// On `TW_STATUS_OK` the config holds the tokens (the token callback, if set,
/// receives them too) and `*out_tokens_json` (if not NULL) receives them in the
/// callback's shape; release it with `tw_string_free`. For the fields, pass NULL and
/// read them with `tw_config_get_oauth2_tokens`, or read this JSON with
/// `tw_oauth2_tokens_from_json`.
///
/// Returns `TW_STATUS_NULL_ARGUMENT`, `TW_STATUS_INVALID_UTF8`,
/// `TW_STATUS_INVALID_ARGUMENT`, `TW_STATUS_AUTH` (refused code, verifier, redirect
/// URI or client), `TW_STATUS_BAD_RESPONSE`, and the network statuses of `tw_follow`.
/// Thread rules: as `tw_follow`.
///
/// # Safety
/// As `tw_oauth2_authorize_url`; `out_tokens_json` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tw_oauth2_exchange_code(
    config: *const TwConfig,
    redirect_uri: *const c_char,
    code_or_url: *const c_char,
    expected_state: *const c_char,
    code_verifier: *const c_char,
    out_tokens_json: *mut *mut c_char,
) -> TwStatus {
    with_config(config, |client| {
        let redirect_uri = arg_str(redirect_uri, "redirect_uri")?;
        let code_or_url = arg_str(code_or_url, "code_or_url")?;
        let expected_state = opt_arg_str(expected_state, "expected_state")?;
        let code_verifier = arg_str(code_verifier, "code_verifier")?;
        let json =
            client.exchange_code(redirect_uri, code_or_url, expected_state, code_verifier)?;
        publish_fields(&[(Some(&json), "tokens", out_tokens_json)])
    })
}

/// Gives an OAuth 2.0 config the tokens the application stored: `access_token`,
/// `refresh_token` (NULL when there is none: then the config cannot refresh) and
/// `expires_at` (seconds since the Unix epoch; 0 when unknown: then it refreshes
/// only after a 401). The callback is not called for these.
///
/// Returns `TW_STATUS_NULL_ARGUMENT`, `TW_STATUS_INVALID_UTF8`,
/// `TW_STATUS_INVALID_ARGUMENT` (empty, negative `expires_at`, not an OAuth 2.0 config).
/// Thread rules: a setter.
///
/// # Safety
/// `config` is NULL or a live config; strings NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn tw_config_set_oauth2_tokens(
    config: *mut TwConfig,
    access_token: *const c_char,
    refresh_token: *const c_char,
    expires_at: i64,
) -> TwStatus {
    with_config_mut(config, |client| {
        let access_token = arg_str(access_token, "access_token")?;
        let refresh_token = opt_arg_str(refresh_token, "refresh_token")?;
        Ok(client.set_oauth2_tokens(access_token, refresh_token, expires_at)?)
    })
}

/// Sets (or, with a NULL `callback`, removes) the function that receives the
/// OAuth 2.0 tokens whenever the library changes them; see `TwTokenCallback`.
/// `user_data` is passed to it as is.
///
/// Returns `TW_STATUS_NULL_ARGUMENT` (`config`), `TW_STATUS_INVALID_ARGUMENT` (not an
/// OAuth 2.0 config). Thread rules: a setter.
///
/// # Safety
/// `config` is NULL or a live config; `callback` and `user_data` stay usable, from
/// any thread, while the config lives.
#[no_mangle]
pub unsafe extern "C" fn tw_config_set_token_callback(
    config: *mut TwConfig,
    callback: TwTokenCallback,
    user_data: *mut c_void,
) -> TwStatus {
    let address = config as usize;
    with_config_mut(config, |client| {
        // An address is Send: the caller promises that the callback may run on any
        // thread that calls into the config, with this user_data.
        let user_data = user_data as usize;
        client.session()?.set_callback(callback.map(|callback| {
            Arc::new(move |json: &str| {
                call_back(address, "token callback", json, |text| {
                    // SAFETY: as promised to tw_config_set_token_callback; the text
                    // lives during the call.
                    unsafe { callback(user_data as *mut c_void, text) }
                })
            }) as _
        }));
        Ok(())
    })
}

/// Refreshes the OAuth 2.0 access token now (`POST <base>/2/oauth2/token`,
/// `grant_type=refresh_token`). Follows do this by themselves 60 s before
/// `expires_at` and once after a 401; call it to refresh ahead of time. On success
/// the token callback receives the new tokens before this returns (X rotates the
/// refresh token too). On failure the old tokens stay.
///
/// Returns `TW_STATUS_NULL_ARGUMENT`, `TW_STATUS_INVALID_ARGUMENT` (not an OAuth 2.0
/// config), `TW_STATUS_AUTH` (no refresh token, or it was refused: authorize again),
/// and the network statuses of `tw_follow`. Thread rules: as `tw_follow`;
/// concurrent refreshes of one config are made once.
///
/// # Safety
/// `config` is NULL or a live config.
#[no_mangle]
pub unsafe extern "C" fn tw_oauth2_refresh(config: *const TwConfig) -> TwStatus {
    with_config(config, |client| Ok(client.refresh(None)?))
}

/// Revokes an OAuth 2.0 token (`POST <base>/2/oauth2/revoke`): the access token or
/// the refresh token (revoking the refresh token ends the grant). The config keeps
/// its tokens; calls with a revoked token fail with `TW_STATUS_AUTH`.
///
/// Returns `TW_STATUS_NULL_ARGUMENT`, `TW_STATUS_INVALID_UTF8`,
/// `TW_STATUS_INVALID_ARGUMENT` (empty token, not an OAuth 2.0 config),
/// `TW_STATUS_AUTH` (client refused), and the network statuses of `tw_follow`.
/// Thread rules: as `tw_follow`.
///
/// # Safety
/// `config` is NULL or a live config; `token` NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn tw_oauth2_revoke(
    config: *const TwConfig,
    token: *const c_char,
) -> TwStatus {
    with_config(config, |client| {
        let token = arg_str(token, "token")?;
        Ok(client.revoke(token)?)
    })
}
