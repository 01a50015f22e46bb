//! The relationship between the token's user and a target: the one answer shape of
//! an unfollow and a relationship lookup, read from either API version's answer.

use serde::Deserialize;
use serde_json::Value;

use crate::core::error::Error;
use crate::core::proto::refusal::{object_members, Lenient};
use crate::core::proto::v2::v2_data;
use crate::core::wire::redact::Redactor;

/// The relationship between the token's user and a target, as far as the API said.
/// `None` means unknown (the API did not say), never false.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Relationship {
    pub target_id: Option<u64>,
    pub target_username: Option<String>,
    /// The token's user follows the target.
    pub following: Option<bool>,
    /// A follow request to the (protected) target waits for its approval.
    pub follow_request_sent: Option<bool>,
    /// The target asked to follow the token's user.
    pub follow_request_received: Option<bool>,
    /// The target follows the token's user.
    pub followed_by: Option<bool>,
    /// The token's user blocks the target.
    pub blocking: Option<bool>,
    /// The target blocks the token's user (API 1.1 only says this).
    pub blocked_by: Option<bool>,
    /// The token's user mutes the target.
    pub muting: Option<bool>,
}

impl Relationship {
    /// `{"target":{"id":"…","username":"…"},"following":…,…}`: each member only when
    /// known; the id as a string, as API v2 writes ids.
    pub fn to_json(&self) -> String {
        let mut target = serde_json::Map::new();
        if let Some(id) = self.target_id {
            target.insert("id".into(), Value::String(id.to_string()));
        }
        if let Some(name) = &self.target_username {
            target.insert("username".into(), Value::String(name.clone()));
        }
        // Written by hand to keep this order (serde_json's map sorts its keys).
        let mut json = format!("{{\"target\":{}", Value::Object(target));
        for (name, value) in [
            ("following", self.following),
            ("follow_request_sent", self.follow_request_sent),
            ("follow_request_received", self.follow_request_received),
            ("followed_by", self.followed_by),
            ("blocking", self.blocking),
            ("blocked_by", self.blocked_by),
            ("muting", self.muting),
        ] {
            if let Some(value) = value {
                json.push_str(&format!(",\"{name}\":{value}"));
            }
        }
        json.push('}');
        json
    }

    /// API 1.1's `friendships/show` answer: `relationship.source` is the token's user,
    /// whose flags are booleans or `null` (unknown); `relationship.target` names the target.
    pub fn from_v1_show(http_status: u16, json: &str) -> Result<Relationship, Error> {
        let root: Value = serde_json::from_str(json).map_err(|e| {
            Error::bad_response(http_status, &format!("the body is not usable JSON ({e})"))
        })?;
        let relationship = root.get("relationship");
        let (Some(Value::Object(source)), Some(target @ Value::Object(_))) = (
            relationship.and_then(|r| r.get("source")),
            relationship.and_then(|r| r.get("target")),
        ) else {
            return Err(Error::bad_response(
                http_status,
                "the answer has no \"relationship\" with \"source\" and \"target\" objects",
            ));
        };
        let flag = |name: &str| source.get(name).and_then(Value::as_bool);
        let target = V1User::deserialize(target).unwrap_or_default();
        Ok(Relationship {
            target_id: target.id(),
            target_username: target.screen_name.0,
            following: flag("following"),
            follow_request_sent: flag("following_requested"),
            follow_request_received: flag("following_received"),
            followed_by: flag("followed_by"),
            blocking: flag("blocking"),
            blocked_by: flag("blocked_by"),
            muting: flag("muting"),
        })
    }

    /// API v2's user lookup with `connection_status`: a list of what holds
    /// (`following`, `followed_by`, `follow_request_sent`, `follow_request_received`,
    /// `blocking`, `muting`); what it does not list is false. Without the list (an
    /// app-only token gets none) everything is unknown.
    pub fn from_v2_user(
        http_status: u16,
        json: &str,
        redactor: &Redactor<'_>,
    ) -> Result<Relationship, Error> {
        let data = v2_data(http_status, json, redactor)?;
        let mut relationship = Relationship {
            target_id: data.id.0.and_then(|id| id.parse().ok()),
            target_username: data.username.0,
            ..Relationship::default()
        };
        let Some(statuses) = data.connection_status.0 else {
            return Ok(relationship);
        };
        let statuses = Vec::<String>::deserialize(statuses).map_err(|_| {
            Error::bad_response(
                http_status,
                "\"data.connection_status\" is not a list of strings",
            )
        })?;
        let has = |name: &str| Some(statuses.iter().any(|s| s == name));
        relationship.following = has("following");
        relationship.follow_request_sent = has("follow_request_sent");
        relationship.follow_request_received = has("follow_request_received");
        relationship.followed_by = has("followed_by");
        relationship.blocking = has("blocking");
        relationship.muting = has("muting");
        Ok(relationship)
    }
}

/// The members of an API 1.1 user object that this library reads.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct V1User {
    id_str: Lenient<String>,
    id: Lenient<u64>,
    pub screen_name: Lenient<String>,
}

impl V1User {
    /// The user object an answer's JSON holds (none: all members absent).
    pub(crate) fn read(json: &str) -> Result<V1User, serde_json::Error> {
        Ok(object_members(serde_json::from_str(json)?).unwrap_or_default())
    }

    /// `id_str`, or a numeric `id`.
    pub(crate) fn id(&self) -> Option<u64> {
        let id_str = self.id_str.0.as_deref().and_then(|id| id.parse().ok());
        id_str.or(self.id.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_has_only_what_is_known() {
        assert_eq!(Relationship::default().to_json(), r#"{"target":{}}"#);
        let full = Relationship {
            target_id: Some(2244994945),
            target_username: Some("TwitterDev".into()),
            following: Some(true),
            follow_request_sent: Some(false),
            follow_request_received: Some(false),
            followed_by: Some(true),
            blocking: Some(false),
            blocked_by: Some(false),
            muting: Some(true),
        };
        assert_eq!(
            full.to_json(),
            r#"{"target":{"id":"2244994945","username":"TwitterDev"},"following":true,"follow_request_sent":false,"follow_request_received":false,"followed_by":true,"blocking":false,"blocked_by":false,"muting":true}"#
        );
        let parsed: Value = serde_json::from_str(&full.to_json()).unwrap();
        assert_eq!(parsed["target"]["id"], "2244994945");
    }

    #[test]
    fn v1_show_answers() {
        // The shape of a real answer (2017, twitter-api Perl client's trace).
        let json = r#"{"relationship":{"source":{"id":3808356915,"id_str":"3808356915","screen_name":"me","following":true,"followed_by":false,"live_following":false,"following_received":null,"following_requested":false,"notifications_enabled":null,"can_dm":true,"blocking":false,"blocked_by":false,"muting":null,"want_retweets":null,"all_replies":null,"marked_spam":null},"target":{"id":2244994945,"id_str":"2244994945","screen_name":"TwitterDev","following":false,"followed_by":true,"following_received":null,"following_requested":null}}}"#;
        let r = Relationship::from_v1_show(200, json).unwrap();
        assert_eq!(
            r,
            Relationship {
                target_id: Some(2244994945),
                target_username: Some("TwitterDev".into()),
                following: Some(true),
                follow_request_sent: Some(false),
                follow_request_received: None,
                followed_by: Some(false),
                blocking: Some(false),
                blocked_by: Some(false),
                muting: None,
            }
        );
        for bad in [
            "{}",
            r#"{"relationship":{"source":{}}}"#,
            r#"{"relationship":{"source":[],"target":{}}}"#,
            "[",
        ] {
            let e = Relationship::from_v1_show(200, bad).unwrap_err();
            assert_eq!(e.kind, crate::core::ErrorKind::BadResponse, "{bad}");
        }
    }

    #[test]
    fn v2_connection_status() {
        let none = Redactor::NONE;
        let r = Relationship::from_v2_user(
            200,
            r#"{"data":{"id":"12","name":"N","username":"Someone","connection_status":["following","muting"]}}"#,
            &none,
        )
        .unwrap();
        assert_eq!(
            r,
            Relationship {
                target_id: Some(12),
                target_username: Some("Someone".into()),
                following: Some(true),
                follow_request_sent: Some(false),
                follow_request_received: Some(false),
                followed_by: Some(false),
                blocking: Some(false),
                blocked_by: None,
                muting: Some(true),
            }
        );
        // Without the list, nothing is known.
        let r = Relationship::from_v2_user(200, r#"{"data":{"id":"12","username":"S"}}"#, &none)
            .unwrap();
        assert_eq!(r.to_json(), r#"{"target":{"id":"12","username":"S"}}"#);
        for bad in [
            r#"{"data":{"id":"12","connection_status":"following"}}"#,
            r#"{"data":{"id":"12","connection_status":[1]}}"#,
        ] {
            let e = Relationship::from_v2_user(200, bad, &none).unwrap_err();
            assert_eq!(e.kind, crate::core::ErrorKind::BadResponse, "{bad}");
        }
    }
}
