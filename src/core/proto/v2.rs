//! API v2: the paths, the follow body, and the shapes of the answers (`data`, or
//! `errors` only).
//!
//! v2 follows by user id (`POST 2/users/{source_user_id}/following`, JSON body
//! `{"target_user_id":"…"}`), so a screen name is looked up first
//! (`GET 2/users/by/username/{name}`). Both answer `{"data":…}` on success, and may
//! answer 200 with only `{"errors":[problem…]}` (a user that does not exist).

use serde::Deserialize;
use serde_json::Value;

use crate::core::error::Error;
use crate::core::proto::refusal::{api_failure, Lenient};
use crate::core::wire::redact::Redactor;
use crate::core::wire::wipe_json;

/// v2 ids are strings of at most 19 digits (`^[0-9]{1,19}$`).
pub const MAX_USER_ID: u64 = 9_999_999_999_999_999_999;

pub fn following_path(source_user_id: u64) -> String {
    format!("/2/users/{source_user_id}/following")
}

/// `name` is a checked screen name (`[A-Za-z0-9_]`), safe in a path as it is.
pub fn lookup_path(name: &str) -> String {
    format!("/2/users/by/username/{name}")
}

/// `DELETE` unfollows (`{"data":{"following":false}}`).
pub fn unfollow_path(source_user_id: u64, target_user_id: u64) -> String {
    format!("/2/users/{source_user_id}/following/{target_user_id}")
}

/// The user lookup by id.
pub fn user_path(user_id: u64) -> String {
    format!("/2/users/{user_id}")
}

/// Asks a user lookup for the relationship with the token's user (`data.connection_status`).
pub const CONNECTION_STATUS_QUERY: &str = "user.fields=connection_status";

pub fn follow_body(target_user_id: u64) -> String {
    format!(r#"{{"target_user_id":"{target_user_id}"}}"#)
}

/// The members of a v2 answer's `data` this library reads: a user's, or a follow's.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct V2Data {
    pub id: Lenient<String>,
    pub username: Lenient<String>,
    pub following: Lenient<bool>,
    /// Present (null too) or absent: read by [`Relationship::from_v2_user`](crate::core::Relationship::from_v2_user).
    pub connection_status: Lenient<Value>,
}

/// The `data` object of a 2xx answer; a body with only `errors` is the error they describe.
pub(crate) fn v2_data(
    http_status: u16,
    json: &str,
    redactor: &Redactor<'_>,
) -> Result<V2Data, Error> {
    let bad = |what: &str| Error::bad_response(http_status, what);
    let mut root: Value = serde_json::from_str(json)
        .map_err(|e| bad(&format!("the body is not usable JSON ({e})")))?;
    let data = match root.get("data") {
        Some(data @ Value::Object(_)) => Ok(V2Data::deserialize(data).unwrap_or_default()),
        Some(_) => Err(bad("\"data\" is not an object")),
        None if root.get("errors").is_some() => {
            Err(api_failure(http_status, json.as_bytes(), None, redactor))
        }
        None => Err(bad("the answer has neither \"data\" nor \"errors\"")),
    };
    // Its errors may echo what was sent.
    wipe_json(&mut root);
    data
}

/// The id and, when present, the `username` of a user lookup answer
/// (`{"data":{"id":"2244994945","username":"TwitterDev",…}}`).
pub fn v2_user(
    http_status: u16,
    json: &str,
    redactor: &Redactor<'_>,
) -> Result<(u64, Option<String>), Error> {
    let data = v2_data(http_status, json, redactor)?;
    let id = data.id.0.and_then(|id| id.parse::<u64>().ok());
    match id.filter(|id| (1..=MAX_USER_ID).contains(id)) {
        Some(id) => Ok((id, data.username.0)),
        None => Err(Error::bad_response(
            http_status,
            "the user lookup answer has no valid \"data.id\"",
        )),
    }
}

/// Checks a follow answer (`{"data":{"following":…,"pending_follow":…}}`).
pub fn check_v2_follow_answer(
    http_status: u16,
    json: &str,
    redactor: &Redactor<'_>,
) -> Result<(), Error> {
    match v2_data(http_status, json, redactor)?.following.0 {
        Some(_) => Ok(()),
        None => Err(Error::bad_response(
            http_status,
            "the follow answer has no boolean \"data.following\"",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::error::ErrorKind;

    const NONE: Redactor<'static> = Redactor::NONE;

    #[test]
    fn paths_and_body() {
        assert_eq!(following_path(12), "/2/users/12/following");
        assert_eq!(lookup_path("Jack_1"), "/2/users/by/username/Jack_1");
        assert_eq!(unfollow_path(12, 34), "/2/users/12/following/34");
        assert_eq!(user_path(34), "/2/users/34");
        assert_eq!(
            follow_body(MAX_USER_ID),
            r#"{"target_user_id":"9999999999999999999"}"#
        );
    }

    #[test]
    fn lookup_answers() {
        assert_eq!(
            v2_user(
                200,
                r#"{"data":{"id":"2244994945","name":"X","username":"TwitterDev"}}"#,
                &NONE
            ),
            Ok((2244994945, Some("TwitterDev".into())))
        );
        let e = v2_user(200, r#"{"errors":[{"detail":"Could not find user with username: [nobody].","title":"Not Found Error","type":"https://api.twitter.com/2/problems/resource-not-found"}]}"#, &NONE).unwrap_err();
        assert_eq!((e.kind, e.http_status), (ErrorKind::NotFound, 200));
        for bad in [
            r#"{"data":{"id":2244994945}}"#,
            r#"{"data":{"id":"0"}}"#,
            r#"{"data":{"id":"10000000000000000000"}}"#,
            r#"{"data":{"id":"-1"}}"#,
            r#"{"data":[]}"#,
            r#"{"data":null}"#,
            r#"{}"#,
            r#"{"n":1e999999}"#,
        ] {
            let e = v2_user(200, bad, &NONE).unwrap_err();
            assert_eq!(e.kind, ErrorKind::BadResponse, "{bad}");
            assert!(e.message.starts_with("HTTP 200, but"), "{}", e.message);
        }
    }

    #[test]
    fn follow_answers() {
        check_v2_follow_answer(
            200,
            r#"{"data":{"following":true,"pending_follow":false}}"#,
            &NONE,
        )
        .unwrap();
        check_v2_follow_answer(
            200,
            r#"{"data":{"following":false,"pending_follow":true}}"#,
            &NONE,
        )
        .unwrap();
        let e = check_v2_follow_answer(200, r#"{"data":{"following":"yes"}}"#, &NONE).unwrap_err();
        assert_eq!(e.kind, ErrorKind::BadResponse);
        let e = check_v2_follow_answer(
            200,
            r#"{"errors":[{"title":"Forbidden","type":"about:blank","detail":"No."}]}"#,
            &NONE,
        )
        .unwrap_err();
        assert_eq!(
            (e.kind, e.message.as_str()),
            (ErrorKind::HttpError, "HTTP 200: No.")
        );
    }
}
