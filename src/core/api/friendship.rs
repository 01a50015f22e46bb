//! The follow, the unfollow and the relationship lookup, each over either API
//! version, for either kind of credentials (the caller says how a request is
//! authorized: [`Auth`]). Each answer is a [`Followed`]; an unfollow's and a
//! lookup's JSON is a [`Relationship`].
//!
//! - Follow: API 1.1 `POST 1.1/friendships/create.json`; API v2
//!   `POST 2/users/{source}/following`, a screen name looked up first.
//! - Unfollow: API 1.1 `POST 1.1/friendships/destroy.json` (form `screen_name` or
//!   `user_id`); API v2 `DELETE 2/users/{source}/following/{target}`, a screen name
//!   looked up first.
//! - Relationship: API 1.1 `GET 1.1/friendships/show.json?target_screen_name=…` (or
//!   `target_id`; the source is the token's user); API v2 the user lookup with
//!   `user.fields=connection_status`, one request for a name or an id.
//! - Who the credentials act as, by API 1.1: `GET 1.1/account/verify_credentials.json`
//!   for an OAuth 1.0a config that does not use API v2 (API v2's `GET 2/users/me` is
//!   [`Client::users_me`]).

use crate::core::api::request::{during, Auth, Body, Client, Request};
use crate::core::error::Error;
use crate::core::net::body::Answer;
use crate::core::proto::answer::Followed;
use crate::core::proto::relationship::{Relationship, V1User};
use crate::core::proto::target::Target;
use crate::core::proto::v2;
use crate::core::proto::v2::{v2_data, v2_user};
use crate::core::wire::percent::percent_encode;
use crate::core::wire::redact::Redactor;
use crate::core::wire::signer::{OAuthNonce, SigningUrl};

/// The API 1.1 unfollow endpoint, relative to the base URL.
pub const UNFOLLOW_PATH: &str = "/1.1/friendships/destroy.json";
/// The API 1.1 relationship endpoint, relative to the base URL.
pub const SHOW_PATH: &str = "/1.1/friendships/show.json";

/// Refuses, before sending, an id API v2 cannot hold.
pub(crate) fn check_v2_target(target: &Target) -> Result<(), Error> {
    match target {
        Target::UserId(id) if *id > v2::MAX_USER_ID => Err(Error::invalid_argument(format!(
            "invalid user id {id} for API v2: ids have at most 19 digits"
        ))),
        _ => Ok(()),
    }
}

/// Refuses, before sending, what an API v2 follow cannot do: notifications (v2 has
/// no such setting; an OAuth 1.0a config, `api_1_1_too`, may use API 1.1 instead)
/// and ids longer than v2's.
pub(crate) fn check_v2_follow(
    target: &Target,
    notify: bool,
    api_1_1_too: bool,
) -> Result<(), Error> {
    if notify {
        let or_api_1_1 = if api_1_1_too { ", or use API 1.1" } else { "" };
        return Err(Error::invalid_argument(format!(
            "API v2 cannot turn on notifications for a follow: pass notify = false{or_api_1_1}"
        )));
    }
    check_v2_target(target)
}

impl Client {
    /// A GET of an API v2 user answer (`data.id`, and `data.username` when present).
    pub(super) fn get_user(
        &self,
        path: &str,
        how: Auth<'_>,
    ) -> Result<(u64, Option<String>), Error> {
        let found = self.send_to(path, Body::None, Answer::V2User, how)?;
        v2_user(
            found.http_status,
            &found.json,
            &Redactor::NONE.with_extra(how.secrets()),
        )
    }

    /// The API v2 id of `target`, and the username (as the API spells it) when a screen
    /// name was looked up (with a request of its own).
    fn v2_target_id(&self, target: &Target, how: Auth<'_>) -> Result<(u64, Option<String>), Error> {
        match target {
            Target::UserId(id) => Ok((*id, None)),
            Target::ScreenName(name) => {
                self.get_user(&v2::lookup_path(name), how).map_err(|mut e| {
                    e.message.push_str(&format!(" (looking up @{name})"));
                    e
                })
            }
        }
    }

    /// The API 1.1 follow: sent with retries, or (`nonce`) once with that nonce.
    pub(super) fn follow_v1(
        &self,
        target: &Target,
        notify: bool,
        nonce: Option<&OAuthNonce>,
    ) -> Result<Followed, Error> {
        let (name, value) = target.param();
        let follow = if notify { "true" } else { "false" };
        // In parameter order ("follow" < "screen_name" | "user_id"): signing then needs no sort.
        let params = [("follow", follow), (name, value.as_str())];
        let encoded = format!("{name}={}&follow={follow}", percent_encode(&value));
        let request = Request {
            endpoint: &self.follow_endpoint_v1,
            body: Body::Form {
                params: &params,
                encoded: &encoded,
            },
            answer: Answer::User,
            auth: Auth::OAuth1,
        };
        match nonce {
            Some(nonce) => self.attempt(&request, nonce),
            None => self.send(&request),
        }
    }

    /// The API v2 follow (`endpoint`: the follower's `2/users/{id}/following`), checked
    /// by [`check_v2_follow`]; a screen name is looked up first.
    pub(super) fn follow_v2(
        &self,
        endpoint: &(String, SigningUrl),
        target: &Target,
        how: Auth<'_>,
    ) -> Result<Followed, Error> {
        let (target_id, _) = self.v2_target_id(target, how)?;
        let body = v2::follow_body(target_id);
        self.send(&Request {
            endpoint,
            body: Body::Json(&body),
            answer: Answer::V2Follow,
            auth: how,
        })
    }

    pub(super) fn unfollow_v1(&self, target: &Target) -> Result<Followed, Error> {
        let (name, value) = target.param();
        let params = [(name, value.as_str())];
        let encoded = format!("{name}={}", percent_encode(&value));
        let body = Body::Form {
            params: &params,
            encoded: &encoded,
        };
        let answer = self.send_to(UNFOLLOW_PATH, body, Answer::User, Auth::OAuth1)?;
        // The answer is the user object; its own `following` is eventually consistent
        // (it may still say true), but the unfollow was accepted.
        let user = V1User::read(&answer.json).map_err(|e| {
            Error::bad_response(
                answer.http_status,
                &format!("the body is not usable JSON ({e})"),
            )
        })?;
        let relationship = Relationship {
            target_id: user.id(),
            target_username: user.screen_name.0,
            following: Some(false),
            ..Relationship::default()
        };
        Ok(with_relationship(answer, relationship).0)
    }

    pub(super) fn relationship_v1(
        &self,
        target: &Target,
    ) -> Result<(Followed, Relationship), Error> {
        // Both values are URL-safe as checked ([A-Za-z0-9_], digits).
        let path = match target {
            Target::UserId(id) => format!("{SHOW_PATH}?target_id={id}"),
            Target::ScreenName(name) => format!("{SHOW_PATH}?target_screen_name={name}"),
        };
        let answer = self.send_to(&path, Body::None, Answer::User, Auth::OAuth1)?;
        let relationship = Relationship::from_v1_show(answer.http_status, &answer.json)?;
        Ok(with_relationship(answer, relationship))
    }

    /// The API v2 unfollow of `source_user_id`, checked by [`check_v2_target`].
    pub(super) fn unfollow_v2(
        &self,
        source_user_id: u64,
        target: &Target,
        how: Auth<'_>,
    ) -> Result<Followed, Error> {
        let (target_id, username) = self.v2_target_id(target, how)?;
        let path = v2::unfollow_path(source_user_id, target_id);
        let answer = self.send_to(&path, Body::Delete, Answer::V2Follow, how)?;
        let redactor = Redactor::NONE.with_extra(how.secrets());
        let following = v2_data(answer.http_status, &answer.json, &redactor)?
            .following
            .0;
        let relationship = Relationship {
            target_id: Some(target_id),
            target_username: username,
            following,
            ..Relationship::default()
        };
        Ok(with_relationship(answer, relationship).0)
    }

    /// The API v2 relationship lookup, checked by [`check_v2_target`].
    pub(super) fn relationship_v2(
        &self,
        target: &Target,
        how: Auth<'_>,
    ) -> Result<(Followed, Relationship), Error> {
        let path = match target {
            Target::UserId(id) => v2::user_path(*id),
            Target::ScreenName(name) => v2::lookup_path(name),
        };
        let path = format!("{path}?{}", v2::CONNECTION_STATUS_QUERY);
        let answer = self.send_to(&path, Body::None, Answer::V2User, how)?;
        let relationship = Relationship::from_v2_user(
            answer.http_status,
            &answer.json,
            &Redactor::NONE.with_extra(how.secrets()),
        )?;
        Ok(with_relationship(answer, relationship))
    }

    /// The OAuth 1.0a user of the config's token, by API 1.1: (id, screen name). One request.
    pub(super) fn verify_credentials(&self) -> Result<(u64, String), Error> {
        let answer = self
            .send_to(
                // The user object without its latest post or entities (the smallest answer).
                "/1.1/account/verify_credentials.json?include_entities=false&skip_status=true",
                Body::None,
                Answer::User,
                Auth::OAuth1,
            )
            .map_err(during(
                "finding the token's user (GET 1.1/account/verify_credentials.json)",
            ))?;
        user_of(answer.http_status, &answer.json)
    }
}

/// A lookup's answer: its JSON replaced by the relationship's, which comes along.
fn with_relationship(answer: Followed, relationship: Relationship) -> (Followed, Relationship) {
    let answer = Followed {
        json: relationship.to_json().into(),
        ..answer
    };
    (answer, relationship)
}

/// The id and screen name of an API 1.1 user object.
fn user_of(http_status: u16, json: &str) -> Result<(u64, String), Error> {
    let missing = || {
        Error::bad_response(
            http_status,
            "the verify_credentials answer has no user id or screen name",
        )
    };
    let user = V1User::read(json).map_err(|_| missing())?;
    let id = user.id().ok_or_else(missing)?;
    let name = user.screen_name.0.filter(|name| !name.is_empty());
    Ok((id, name.ok_or_else(missing)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_id_and_the_screen_name() {
        let json = r#"{"id":1500000001,"id_str":"1500000001","screen_name":"sandbox_me"}"#;
        assert_eq!(
            user_of(200, json).ok(),
            Some((1500000001, "sandbox_me".into()))
        );
        for json in [r#"{"id":1}"#, r#"{"screen_name":"a"}"#, "[]", "{"] {
            let e = user_of(200, json).err().map(|e| e.kind);
            assert_eq!(e, Some(crate::core::ErrorKind::BadResponse), "{json}");
        }
    }
}
