//! `tw_unfollow` and `tw_relationship`.

use std::ffi::{c_char, CString};

use super::boundary::{arg_str, fallible, non_null, Failure};
use super::config::{config_ref, TwConfig};
use super::last_error;
use super::status::TwStatus;
use crate::core::{Followed, Target};

/// Unfollows a user: API 1.1 `POST <base>/1.1/friendships/destroy.json` (form
/// `screen_name` or `user_id`), or with API v2 (`tw_config_set_api_version`)
/// `DELETE <base>/2/users/{source_user_id}/following/{target_user_id}`, a screen
/// name being looked up first (`GET <base>/2/users/by/username/{name}`: two
/// requests). An OAuth 2.0 config always uses API v2, with its Bearer token.
///
/// `target`: as for `tw_follow` (`"@name"`, `"name"` or a user id; API v2 ids have
/// at most 19 digits); anything else is `TW_STATUS_INVALID_ARGUMENT`, nothing sent.
///
/// On `TW_STATUS_OK`, if `out_json` is not NULL, `*out_json` receives the
/// relationship after the unfollow as one JSON object, the same shape for both API
/// versions and as `tw_relationship` writes: `{"target":{"id":"…","username":"…"},
/// "following":false}`. A member is there only when the API said it (absent means
/// unknown): `target.username` is missing when a v2 unfollow went by id, and API 1.1's
/// `following` is written false because the unfollow was accepted (its own answer
/// is eventually consistent). Unfollowing someone you do not follow succeeds too.
/// Release the string with `tw_string_free`; on failure `*out_json` is untouched.
///
/// Returns any status of `tw_follow`, mapped the same way (Twitter code, then v2
/// problem type, then HTTP status); with API version auto, an access-tier refusal of
/// API 1.1 switches the config to API v2 and the call is sent again there. Retries,
/// clock correction and thread rules as `tw_follow`.
///
/// # Safety
/// `config` is NULL or a live config; `target` is NULL or NUL-terminated; `out_json` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tw_unfollow(
    config: *const TwConfig,
    target: *const c_char,
    out_json: *mut *mut c_char,
) -> TwStatus {
    fallible(|| {
        let config = config_ref(config)?;
        let target = parse_target(target)?;
        let answer = config.client.unfollow(&target)?;
        publish(answer, out_json)
    })
}

/// Looks up the relationship between the token's user and `target`, to decide
/// before acting (e.g. not to ask a protected account twice): API 1.1
/// `GET <base>/1.1/friendships/show.json?target_screen_name=…` (or `target_id=…`;
/// the source is the token's user), or with API v2 one user lookup,
/// `GET <base>/2/users/by/username/{name}?user.fields=connection_status` (or
/// `<base>/2/users/{id}?…`). An OAuth 2.0 config always uses API v2.
///
/// `target`: as for `tw_follow`. `out_json` is required: NULL is
/// `TW_STATUS_NULL_ARGUMENT` and nothing is sent.
///
/// On `TW_STATUS_OK`, `*out_json` receives one JSON object, the same shape for both
/// API versions: `{"target":{"id":"…","username":"…"},"following":…,
/// "follow_request_sent":…,"follow_request_received":…,"followed_by":…,
/// "blocking":…,"blocked_by":…,"muting":…}` with booleans. A member is there only
/// when the API said it: absent means unknown, never false. API v2 says each of
/// these but `blocked_by`, or none of them when it sends no `connection_status`
/// (as for an app-only token); API 1.1 says each unless it answers `null`. Release
/// the string with `tw_string_free`; on failure `*out_json` is untouched.
///
/// Returns any status of `tw_follow`: an unknown user is `TW_STATUS_NOT_FOUND`
/// (API v2 answers it with HTTP 200 and only `errors`). API version auto, retries,
/// clock correction and thread rules as `tw_unfollow`.
///
/// # Safety
/// `config` is NULL or a live config; `target` is NULL or NUL-terminated; `out_json` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tw_relationship(
    config: *const TwConfig,
    target: *const c_char,
    out_json: *mut *mut c_char,
) -> TwStatus {
    fallible(|| {
        let config = config_ref(config)?;
        let target = parse_target(target)?;
        non_null(out_json, "out_json")?;
        let answer = config.client.relationship(&target)?;
        publish(answer, out_json)
    })
}

/// # Safety
/// `target` is NULL or NUL-terminated.
unsafe fn parse_target(target: *const c_char) -> Result<Target, Failure> {
    Target::parse(arg_str(target, "target")?)
        .map_err(|e| Failure::new(TwStatus::InvalidArgument, e.0))
}

/// Records the success and writes the JSON (if asked for).
///
/// # Safety
/// `out_json` is NULL or writable.
unsafe fn publish(answer: Followed, out_json: *mut *mut c_char) -> Result<(), Failure> {
    last_error::record_answer(&answer);
    if !out_json.is_null() {
        let json = CString::new(answer.json)
            .map_err(|_| Failure::new(TwStatus::BadResponse, "the answer contains a NUL byte"))?;
        *out_json = json.into_raw();
    }
    Ok(())
}
