//! Who the credentials act as, asked of the API: API 1.1's
//! `GET 1.1/account/verify_credentials.json` for an OAuth 1.0a config that does not use
//! API v2 (API v2's `GET 2/users/me` is in [`bearer::me`](crate::core::api::bearer::me)).

use crate::core::api::request::{during, Auth, Body, Sender};
use crate::core::error::Error;
use crate::core::net::body::Answer;
use crate::core::proto::relationship::V1User;

/// API 1.1's "who am I", relative to the base URL: the user object without its latest
/// post or entities (the smallest answer).
pub const VERIFY_CREDENTIALS_PATH: &str =
    "/1.1/account/verify_credentials.json?include_entities=false&skip_status=true";

/// The OAuth 1.0a user of the config's token, by API 1.1: (id, screen name). One request.
pub(crate) fn verify_credentials(sender: &Sender) -> Result<(u64, String), Error> {
    let answer = sender
        .send_to(
            VERIFY_CREDENTIALS_PATH,
            Body::None,
            Answer::User,
            Auth::OAUTH1,
        )
        .map_err(during(
            "finding the token's user (GET 1.1/account/verify_credentials.json)",
        ))?;
    user_of(answer.http_status, &answer.json)
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
