//! API v2: the follow endpoint's paths and what its answers must hold.
//!
//! v2 follows by user id (`POST 2/users/{source_user_id}/following`, JSON body
//! `{"target_user_id":"…"}`), so a screen name is looked up first
//! (`GET 2/users/by/username/{name}`). Both answer `{"data":…}` on success, and may
//! answer 200 with only `{"errors":[problem…]}` (a user that does not exist).

use super::error::{api_failure, Error, ErrorKind};

/// v2 ids are strings of at most 19 digits (`^[0-9]{1,19}$`).
pub const MAX_USER_ID: u64 = 9_999_999_999_999_999_999;

pub fn following_path(source_user_id: u64) -> String {
    format!("/2/users/{source_user_id}/following")
}

/// `name` is a checked screen name (`[A-Za-z0-9_]`), safe in a path as it is.
pub fn lookup_path(name: &str) -> String {
    format!("/2/users/by/username/{name}")
}

pub fn follow_body(target_user_id: u64) -> String {
    format!(r#"{{"target_user_id":"{target_user_id}"}}"#)
}

/// The `data` object of a 2xx answer; a body with only `errors` is the error they describe.
fn data(http_status: u16, json: &str) -> Result<serde_json::Value, Error> {
    let mut root: serde_json::Value = serde_json::from_str(json)
        .map_err(|e| bad_response(http_status, &format!("the body is not usable JSON ({e})")))?;
    match root.get_mut("data").map(serde_json::Value::take) {
        Some(data @ serde_json::Value::Object(_)) => Ok(data),
        Some(_) => Err(bad_response(http_status, "\"data\" is not an object")),
        None if root.get("errors").is_some() => {
            Err(api_failure(http_status, json.as_bytes(), None))
        }
        None => Err(bad_response(
            http_status,
            "the answer has neither \"data\" nor \"errors\"",
        )),
    }
}

/// The id in a user lookup answer (`{"data":{"id":"2244994945",…}}`).
pub fn user_id(http_status: u16, json: &str) -> Result<u64, Error> {
    data(http_status, json)?
        .get("id")
        .and_then(serde_json::Value::as_str)
        .and_then(|id| id.parse::<u64>().ok())
        .filter(|id| (1..=MAX_USER_ID).contains(id))
        .ok_or_else(|| {
            bad_response(
                http_status,
                "the user lookup answer has no valid \"data.id\"",
            )
        })
}

/// Checks a follow answer (`{"data":{"following":…,"pending_follow":…}}`).
pub fn check_follow_answer(http_status: u16, json: &str) -> Result<(), Error> {
    match data(http_status, json)?.get("following") {
        Some(serde_json::Value::Bool(_)) => Ok(()),
        _ => Err(bad_response(
            http_status,
            "the follow answer has no boolean \"data.following\"",
        )),
    }
}

fn bad_response(http_status: u16, what: &str) -> Error {
    Error {
        kind: ErrorKind::BadResponse,
        message: format!("HTTP {http_status}, but {what}"),
        http_status,
        api_code: 0,
        rate_limit: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_answers() {
        assert_eq!(
            user_id(
                200,
                r#"{"data":{"id":"2244994945","name":"X","username":"TwitterDev"}}"#
            ),
            Ok(2244994945)
        );
        let e = user_id(200, r#"{"errors":[{"detail":"Could not find user with username: [nobody].","title":"Not Found Error","type":"https://api.twitter.com/2/problems/resource-not-found"}]}"#).unwrap_err();
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
            let e = user_id(200, bad).unwrap_err();
            assert_eq!(e.kind, ErrorKind::BadResponse, "{bad}");
            assert!(e.message.starts_with("HTTP 200, but"), "{}", e.message);
        }
    }

    #[test]
    fn follow_answers() {
        check_follow_answer(200, r#"{"data":{"following":true,"pending_follow":false}}"#).unwrap();
        check_follow_answer(200, r#"{"data":{"following":false,"pending_follow":true}}"#).unwrap();
        let e = check_follow_answer(200, r#"{"data":{"following":"yes"}}"#).unwrap_err();
        assert_eq!(e.kind, ErrorKind::BadResponse);
        let e = check_follow_answer(
            200,
            r#"{"errors":[{"title":"Forbidden","type":"about:blank","detail":"No."}]}"#,
        )
        .unwrap_err();
        assert_eq!(
            (e.kind, e.message.as_str()),
            (ErrorKind::HttpError, "HTTP 200: No.")
        );
    }

    #[test]
    fn paths_and_body() {
        assert_eq!(following_path(12), "/2/users/12/following");
        assert_eq!(lookup_path("Jack_1"), "/2/users/by/username/Jack_1");
        assert_eq!(
            follow_body(MAX_USER_ID),
            r#"{"target_user_id":"9999999999999999999"}"#
        );
    }
}
