//! `tw_follow` and `tw_follow_ex`.

use std::ffi::c_char;
use std::ptr;

use super::boundary::{arg_str, panic_if_asked_by_tests, record_answer, Failure};
use super::config::{with_config, TwConfig};
use super::library::{publish_fields, publish_value};
use super::status::TwStatus;
use crate::core::{Client, Target};

/// What a successful follow did, from `tw_follow_ex`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TwFollowOutcome {
    /// You now follow the user (the API may still show `"following": false` for a
    /// moment: it is eventually consistent).
    Active = 1,
    /// The user's account is protected: a follow request waits for their approval.
    Pending = 2,
}

/// Follows a user (`POST <base>/1.1/friendships/create.json`, OAuth 1.0a signed;
/// API v2 if chosen with `tw_config_set_api_version`, which says how it differs).
///
/// `target`: `"@name"` or `"name"` (1-15 of `[A-Za-z0-9_]`) is sent as
/// `screen_name`; all ASCII digits (1 to 18446744073709551615, no sign or spaces)
/// as `user_id`. Anything else is `TW_STATUS_INVALID_ARGUMENT` and nothing is sent.
/// `notify`: sent as `follow=true` (notifications for the user's posts) or `follow=false`.
///
/// On `TW_STATUS_OK`, if `out_json` is not NULL, `*out_json` receives the user
/// object exactly as the API sent it (API v2: its answer, `{"data":{...}}`), as
/// NUL-terminated UTF-8 JSON; release it with `tw_string_free`. On failure `*out_json` is left untouched, and
/// `tw_last_error_message`, `tw_last_http_status` and `tw_last_api_error_code`
/// explain it. Redirects are never followed (a 3xx is `TW_STATUS_HTTP_ERROR`).
///
/// Returns any status: see `TwStatus`. The Twitter error code decides first,
/// then the HTTP status. With an `http://` base URL, `TW_STATUS_INVALID_ARGUMENT`
/// also means the host (or the proxy set with `tw_config_set_proxy`) resolved to
/// an address that is not loopback: nothing was sent, and the message names the
/// address. Such a refusal is never retried.
///
/// If the server refuses the request's timestamp (401 with code 135, or a 401
/// without code from a server whose `Date` is 30 s or more from the local clock, as
/// API v2 answers) and sends its time in `Date`, the config keeps the clock
/// difference for all later calls and this call is signed afresh and sent once
/// more (so it may take up to twice the timeout).
///
/// Thread rules: any number of threads may call `tw_follow` on one config at
/// once; each call blocks its thread for at most the configured timeout per
/// attempt (one attempt unless retries are on: `tw_config_set_max_retries`). It
/// reads no environment variable (the proxy was chosen when the config was set
/// up; a forked child keeps that choice and opens its own connections). It may be
/// called from an `atexit` handler or a thread-local destructor (see
/// `tw_last_error_message`); where the thread's random generator is gone by
/// then, the nonce and the retry jitter come straight from the operating system's.
///
/// # Safety
/// `config` is NULL or a live config; `target` is NULL or NUL-terminated; `out_json` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tw_follow(
    config: *const TwConfig,
    target: *const c_char,
    notify: bool,
    out_json: *mut *mut c_char,
) -> TwStatus {
    with_config(config, |client| {
        follow(client, target, notify, ptr::null_mut(), out_json)
    })
}

/// `tw_follow`, also telling whether the follow is active or waits for the user's
/// approval (a protected account), without parsing the JSON yourself.
///
/// On `TW_STATUS_OK`, `*out_outcome` (if `out_outcome` is not NULL) receives
/// `TW_FOLLOW_OUTCOME_ACTIVE` or `TW_FOLLOW_OUTCOME_PENDING`, and `*out_json` as
/// in `tw_follow`. Statuses, ownership and thread rules as `tw_follow`.
///
/// # Safety
/// As `tw_follow`; `out_outcome` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tw_follow_ex(
    config: *const TwConfig,
    target: *const c_char,
    notify: bool,
    out_outcome: *mut TwFollowOutcome,
    out_json: *mut *mut c_char,
) -> TwStatus {
    with_config(config, |client| {
        follow(client, target, notify, out_outcome, out_json)
    })
}

/// The body shared by `tw_follow` and `tw_follow_ex`.
///
/// # Safety
/// As `tw_follow_ex`.
unsafe fn follow(
    client: &Client,
    target: *const c_char,
    notify: bool,
    out_outcome: *mut TwFollowOutcome,
    out_json: *mut *mut c_char,
) -> Result<(), Failure> {
    panic_if_asked_by_tests();
    let target = parse_target(target)?;
    let followed = client.follow(&target, notify)?;
    record_answer(&followed);
    let outcome = if !out_outcome.is_null() && followed.is_pending() {
        TwFollowOutcome::Pending
    } else {
        TwFollowOutcome::Active
    };
    // Both outputs are prepared before either is written: outputs only on success.
    publish_fields(&[(Some(&followed.json), "response body", out_json)])?;
    publish_value(out_outcome, outcome);
    Ok(())
}

/// The `target` argument: a screen name or a user id, checked before anything is sent.
///
/// # Safety
/// `target` is NULL or NUL-terminated.
pub(crate) unsafe fn parse_target(target: *const c_char) -> Result<Target, Failure> {
    Ok(Target::parse(arg_str(target, "target")?)?)
}
