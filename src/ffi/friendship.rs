//! `tw_unfollow`, `tw_relationship` and `tw_relationship_ex` (its flags as bits).

use std::ffi::c_char;

use super::boundary::{non_null, record_answer, Failure};
use super::config::{with_config, TwConfig};
use super::follow::parse_target;
use super::library::publish_fields;
use super::status::TwStatus;
use crate::core::{Followed, Relationship};

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
    .fold((0, 0), |(known, set), (flag, value)| match value {
        None => (known, set),
        Some(holds) => (
            known | flag as u32,
            if holds { set | flag as u32 } else { set },
        ),
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
