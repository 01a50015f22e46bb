//! The calls about a user: `tw_follow` and `tw_follow_ex`; `tw_unfollow`,
//! `tw_relationship` and `tw_relationship_ex` (its flags as bits); `tw_me`, the user a
//! config's credentials act as.

use std::ptr;

use super::boundary::*;
use super::config::{with_config, TwConfig};
use crate::core::{Followed, Relationship, Target};

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
    follow(config, target, notify, ptr::null_mut(), out_json)
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
    follow(config, target, notify, out_outcome, out_json)
}

/// Both follows' body: a call between two exports would go through the symbol table,
/// where a program or an LD_PRELOAD shim defining `tw_follow_ex` would catch `tw_follow`.
unsafe fn follow(
    config: *const TwConfig,
    target: *const c_char,
    notify: bool,
    out_outcome: *mut TwFollowOutcome,
    out_json: *mut *mut c_char,
) -> TwStatus {
    with_config(config, |client| {
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
    })
}

/// The `target` argument: a screen name or a user id, checked before anything is sent.
///
/// # Safety
/// `target` is NULL or NUL-terminated.
unsafe fn parse_target(target: *const c_char) -> Result<Target, Failure> {
    Ok(Target::parse(arg_str(target, "target")?)?)
}

/// One flag of a relationship, as a bit of `tw_relationship_ex`'s `*out_known` and
/// `*out_set` masks (test with `mask & TW_RELATIONSHIP_FLAG_…`). Numbers never
/// change and are never reused; a newer library may add flags.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TwRelationshipFlag {
    /// The token's user follows the target (`"following"`).
    Following = 1,
    /// A follow request to the (protected) target waits for its approval
    /// (`"follow_request_sent"`).
    FollowRequestSent = 2,
    /// The target asked to follow the token's user (`"follow_request_received"`).
    FollowRequestReceived = 4,
    /// The target follows the token's user (`"followed_by"`).
    FollowedBy = 8,
    /// The token's user blocks the target (`"blocking"`).
    Blocking = 16,
    /// The target blocks the token's user (`"blocked_by"`; only API 1.1 says it).
    BlockedBy = 32,
    /// The token's user mutes the target (`"muting"`).
    Muting = 64,
}

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
    with_config(config, |client| {
        let target = parse_target(target)?;
        let answer = client.unfollow(&target)?;
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
/// `tw_relationship_ex` gives the flags as bits, for a program without a JSON parser.
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
    with_config(config, |client| {
        let target = parse_target(target)?;
        non_null(out_json, "out_json")?;
        let (answer, _) = client.relationship(&target)?;
        publish(answer, out_json)
    })
}

/// `tw_relationship` with its flags as bits, so a program needs no JSON parser: the
/// same one request, the same statuses and thread rules, and the same JSON besides.
///
/// On `TW_STATUS_OK`, `*out_known` receives one `TwRelationshipFlag` bit for each
/// flag the API said, and `*out_set` the bits of those that hold (always within
/// `*out_known`). For a flag F: `known & F` and `set & F` means true; `known & F`
/// without `set & F` means false; no `known & F` means unknown (the member absent
/// from `tw_relationship`'s JSON), never a guessed false. API v2 says none when it
/// sends no `connection_status` (as for an app-only token) and never `blocked_by`.
/// `out_known` and `out_set` are required (NULL is `TW_STATUS_NULL_ARGUMENT`, nothing
/// sent). If `out_json` is not NULL, `*out_json` receives `tw_relationship`'s JSON
/// (the target's id and username are there); release it with `tw_string_free`.
/// Nothing is written on any other status.
///
/// # Safety
/// `config` is NULL or a live config; `target` is NULL or NUL-terminated; each
/// out-pointer NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tw_relationship_ex(
    config: *const TwConfig,
    target: *const c_char,
    out_known: *mut u32,
    out_set: *mut u32,
    out_json: *mut *mut c_char,
) -> TwStatus {
    with_config(config, |client| {
        let target = parse_target(target)?;
        non_null(out_known, "out_known")?;
        non_null(out_set, "out_set")?;
        let (answer, relationship) = client.relationship(&target)?;
        let (known, set) = flags(&relationship);
        publish(answer, out_json)?;
        *out_known = known;
        *out_set = set;
        Ok(())
    })
}

/// The one body of `tw_relationship` and `tw_relationship_ex`: one lookup.
/// The relationship's flags as `(known, set)` masks of `TwRelationshipFlag` bits.
fn flags(relationship: &Relationship) -> (u32, u32) {
    use TwRelationshipFlag as F;
    let r = relationship;
    [
        (F::Following, r.following),
        (F::FollowRequestSent, r.follow_request_sent),
        (F::FollowRequestReceived, r.follow_request_received),
        (F::FollowedBy, r.followed_by),
        (F::Blocking, r.blocking),
        (F::BlockedBy, r.blocked_by),
        (F::Muting, r.muting),
    ]
    .into_iter()
    .fold((0, 0), |(known, set), (flag, value)| {
        let bit = flag as u32;
        let holds = if value == Some(true) { bit } else { 0 };
        (known | value.map_or(0, |_| bit), set | holds)
    })
}

/// Records the success and writes the JSON (if asked for).
///
/// # Safety
/// `out_json` is NULL or writable.
unsafe fn publish(answer: Followed, out_json: *mut *mut c_char) -> Result<(), Failure> {
    record_answer(&answer);
    publish_fields(&[(Some(&answer.json), "answer", out_json)])
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_tell_known_from_unknown() {
        use TwRelationshipFlag as F;
        assert_eq!(flags(&Relationship::default()), (0, 0));
        let r = Relationship {
            following: Some(true),
            follow_request_sent: Some(false),
            blocked_by: Some(true),
            muting: Some(false),
            ..Relationship::default()
        };
        let known = F::Following as u32 | F::FollowRequestSent as u32 | F::BlockedBy as u32;
        assert_eq!(
            flags(&r),
            (
                known | F::Muting as u32,
                F::Following as u32 | F::BlockedBy as u32
            )
        );
        // Every flag is its own bit.
        let all = [
            F::Following,
            F::FollowRequestSent,
            F::FollowRequestReceived,
            F::FollowedBy,
            F::Blocking,
            F::BlockedBy,
            F::Muting,
        ];
        let bits = all.iter().fold(0, |mask, &f| {
            assert_eq!((f as u32).count_ones(), 1, "{f:?}");
            assert_eq!(mask & f as u32, 0, "{f:?}");
            mask | f as u32
        });
        assert_eq!(bits, 0x7f);
    }
}
