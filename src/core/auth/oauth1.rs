//! OAuth 1.0a three-legged flow (PIN or callback), network-free parts: the
//! callback check, the answers of `oauth/request_token` and `oauth/access_token`,
//! and the authorize URL a person opens.

use zeroize::Zeroizing;

use super::{check_absolute_http_url, wiped_json, Secret};
use crate::core::error::Error;

/// The callback value that asks for a PIN (out-of-band) instead of a redirect.
pub const OOB: &str = "oob";

/// Checks the `oauth_callback` argument: [`OOB`] or an absolute `http(s)` URL.
pub fn validate_callback(callback: &str) -> Result<(), Error> {
    if callback == OOB {
        return Ok(());
    }
    check_absolute_http_url(
        callback,
        "callback must be \"oob\" (PIN flow) or an absolute http(s) URL",
    )
}

/// `{base}/oauth/authorize?oauth_token=…`: the page where the person approves the app.
pub fn authorize_url(base_url: &str, request_token: &str) -> String {
    let mut url = base_url.trim_end_matches('/').to_owned();
    url.push_str("/oauth/authorize?");
    let query_start = url.len();
    form_urlencoded::Serializer::for_suffix(url, query_start)
        .append_pair("oauth_token", request_token)
        .finish()
}

/// Step 1's answer: a temporary token and secret, kept by the caller until step 2
/// (possibly in another process). `Debug` shows only lengths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestToken {
    pub token: Secret,
    pub secret: Secret,
}

/// Step 2's answer: the user's access token and secret, and who the user is.
/// `Debug` shows only the lengths of the token and secret.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AccessToken {
    #[serde(rename = "oauth_token")]
    pub token: Secret,
    #[serde(rename = "oauth_token_secret")]
    pub secret: Secret,
    /// Written as a string, as the API writes ids.
    #[serde(serialize_with = "as_text")]
    pub user_id: u64,
    pub screen_name: String,
}

fn as_text<S: serde::Serializer>(id: &u64, out: S) -> Result<S::Ok, S::Error> {
    out.collect_str(id)
}

impl AccessToken {
    /// `{"oauth_token":…,"oauth_token_secret":…,"user_id":"…","screen_name":…}`
    /// (the id as a string, as the API writes ids), in a wiped buffer.
    pub fn to_json(&self) -> Zeroizing<String> {
        wiped_json(self)
    }
}

/// The named fields of a token endpoint's form-encoded 2xx answer (first occurrence
/// wins), each in a wiped buffer: every field must be there, not empty (`endpoint`
/// names it in the message). A non-2xx answer never comes here: the client maps it
/// ([`answer_failure`](super::answer_failure)).
fn form_answer<const N: usize>(
    http_status: u16,
    body: &[u8],
    endpoint: &str,
    names: [&str; N],
) -> Result<[Secret; N], Error> {
    let mut found: [Option<Secret>; N] = std::array::from_fn(|_| None);
    for (name, value) in form_urlencoded::parse(body) {
        if let Some(i) = names.iter().position(|n| *n == name) {
            if found[i].is_none() && !value.is_empty() {
                found[i] = Some(Secret::new(value.into_owned()));
            }
        }
    }
    if let Some(i) = found.iter().position(Option::is_none) {
        return Err(Error::bad_response(
            http_status,
            &format!("the {endpoint} answer has no {}", names[i]),
        ));
    }
    Ok(found.map(|field| field.expect("checked above")))
}

/// Reads the answer of `POST oauth/request_token` (see [`form_answer`]): it must hold
/// `oauth_token`, `oauth_token_secret` and `oauth_callback_confirmed=true`.
pub fn parse_request_token_answer(http_status: u16, body: &[u8]) -> Result<RequestToken, Error> {
    let [token, secret, confirmed] = form_answer(
        http_status,
        body,
        "request_token",
        [
            "oauth_token",
            "oauth_token_secret",
            "oauth_callback_confirmed",
        ],
    )?;
    if confirmed.as_str() != "true" {
        return Err(Error::bad_response(
            http_status,
            "the request_token answer does not confirm the callback (oauth_callback_confirmed is not true)",
        ));
    }
    Ok(RequestToken { token, secret })
}

/// Reads the answer of `POST oauth/access_token` (see [`form_answer`]): it must hold
/// `oauth_token`, `oauth_token_secret`, `user_id` (a positive integer) and `screen_name`.
pub fn parse_access_token_answer(http_status: u16, body: &[u8]) -> Result<AccessToken, Error> {
    let [token, secret, user_id, screen_name] = form_answer(
        http_status,
        body,
        "access_token",
        [
            "oauth_token",
            "oauth_token_secret",
            "user_id",
            "screen_name",
        ],
    )?;
    let user_id = Some(user_id.as_str())
        .filter(|id| id.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|id| id.parse::<u64>().ok())
        .filter(|&id| id > 0)
        .ok_or_else(|| {
            Error::bad_response(
                http_status,
                "the access_token answer's user_id is not a positive integer",
            )
        })?;
    Ok(AccessToken {
        token,
        secret,
        user_id,
        screen_name: screen_name.as_str().to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::error::ErrorKind;

    const RT: &str = "NPcudxy0yU5T3tBzho7iCotZ3cnetKwcTIRlX0iwRl0";
    const RTS: &str = "veNRnAWe6inFuo8o2u8SLLZLjolYDmDP7SzL0YfYI";
    const AT: &str = "7588892-kagSNqWge8gB1WwE3plnFsJHAZVfxWD7Vb57p0b4";
    const ATS: &str = "PbKfYqSryyeKDWz4ebtY3o5ogNLG11WJuZBc9fQrQo";

    #[test]
    fn callback_oob_or_absolute_http_url() {
        for good in [
            "oob",
            "https://app.example/cb",
            "http://127.0.0.1:8080/cb?x=1",
        ] {
            assert_eq!(validate_callback(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "OOB",
            "pin",
            "app.example/cb",
            "ftp://h/",
            "https://",
            "https://h/ x",
        ] {
            let e = validate_callback(bad).unwrap_err();
            assert_eq!(e.kind, ErrorKind::InvalidArgument, "{bad:?}");
            assert!(
                e.message.starts_with(
                    "callback must be \"oob\" (PIN flow) or an absolute http(s) URL: "
                ),
                "{}",
                e.message
            );
        }
    }

    #[test]
    fn authorize_url_is_built_from_the_base_url_and_encodes_the_token() {
        assert_eq!(
            authorize_url("https://api.twitter.com", RT),
            format!("https://api.twitter.com/oauth/authorize?oauth_token={RT}")
        );
        assert_eq!(
            authorize_url("https://api.x.com", RT),
            format!("https://api.x.com/oauth/authorize?oauth_token={RT}")
        );
        assert_eq!(
            authorize_url("http://127.0.0.1:5000/prefix/", "a b&c=d/é"),
            "http://127.0.0.1:5000/prefix/oauth/authorize?oauth_token=a+b%26c%3Dd%2F%C3%A9"
        );
    }

    #[test]
    fn request_token_answer() {
        let body =
            format!("oauth_token={RT}&oauth_token_secret={RTS}&oauth_callback_confirmed=true");
        let rt = parse_request_token_answer(200, body.as_bytes()).unwrap();
        assert_eq!(rt.token.as_str(), RT);
        assert_eq!(rt.secret.as_str(), RTS);
        // Values are form-decoded.
        let rt = parse_request_token_answer(
            200,
            b"oauth_callback_confirmed=true&oauth_token=a%2Bb&oauth_token_secret=c+d",
        )
        .unwrap();
        assert_eq!((rt.token.as_str(), rt.secret.as_str()), ("a+b", "c d"));
    }

    #[test]
    fn request_token_answer_refusals_name_the_field_not_the_values() {
        let cases: [(String, &str); 5] = [
            (
                format!("oauth_token_secret={RTS}&oauth_callback_confirmed=true"),
                "the request_token answer has no oauth_token",
            ),
            (
                format!("oauth_token={RT}&oauth_callback_confirmed=true"),
                "the request_token answer has no oauth_token_secret",
            ),
            (
                format!("oauth_token={RT}&oauth_token_secret=&oauth_callback_confirmed=true"),
                "the request_token answer has no oauth_token_secret",
            ),
            (
                format!("oauth_token={RT}&oauth_token_secret={RTS}"),
                "the request_token answer has no oauth_callback_confirmed",
            ),
            (
                format!("oauth_token={RT}&oauth_token_secret={RTS}&oauth_callback_confirmed=false"),
                "the request_token answer does not confirm the callback",
            ),
        ];
        for (body, expected) in cases {
            let e = parse_request_token_answer(200, body.as_bytes()).unwrap_err();
            assert_eq!((e.kind, e.http_status), (ErrorKind::BadResponse, 200));
            assert!(e.message.starts_with("HTTP 200, but "), "{}", e.message);
            assert!(e.message.contains(expected), "{}", e.message);
            assert!(!e.message.contains(RT) && !e.message.contains(RTS));
        }
        let e = parse_request_token_answer(200, b"").unwrap_err();
        assert_eq!(e.kind, ErrorKind::BadResponse);
        let e = parse_request_token_answer(200, br#"{"oauth_token":"x"}"#).unwrap_err();
        assert_eq!(e.kind, ErrorKind::BadResponse);
    }

    #[test]
    fn access_token_answer() {
        let body =
            format!("oauth_token={AT}&oauth_token_secret={ATS}&user_id=7588892&screen_name=kaiyes");
        let at = parse_access_token_answer(200, body.as_bytes()).unwrap();
        assert_eq!(at.token.as_str(), AT);
        assert_eq!(at.secret.as_str(), ATS);
        assert_eq!(at.user_id, 7588892);
        assert_eq!(at.screen_name, "kaiyes");
        let json: serde_json::Value = serde_json::from_str(&at.to_json()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "oauth_token": AT, "oauth_token_secret": ATS,
                "user_id": "7588892", "screen_name": "kaiyes"
            })
        );
        let max = format!(
            "oauth_token=t&oauth_token_secret=s&user_id={}&screen_name=n",
            u64::MAX
        );
        assert_eq!(
            parse_access_token_answer(200, max.as_bytes())
                .unwrap()
                .user_id,
            u64::MAX
        );
    }

    #[test]
    fn access_token_answer_refusals_name_the_field_not_the_values() {
        let full = [
            ("oauth_token", AT),
            ("oauth_token_secret", ATS),
            ("user_id", "7588892"),
            ("screen_name", "kaiyes"),
        ];
        for skipped in 0..full.len() {
            let body: String = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(
                    full.iter()
                        .enumerate()
                        .filter(|(i, _)| *i != skipped)
                        .map(|(_, p)| p),
                )
                .finish();
            let e = parse_access_token_answer(200, body.as_bytes()).unwrap_err();
            assert_eq!((e.kind, e.http_status), (ErrorKind::BadResponse, 200));
            assert_eq!(
                e.message,
                format!(
                    "HTTP 200, but the access_token answer has no {}",
                    full[skipped].0
                )
            );
        }
        for bad_id in ["0", "-1", "+5", "12a", " 1", "18446744073709551616", "1.0"] {
            let body = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(&[
                    ("oauth_token", AT),
                    ("oauth_token_secret", ATS),
                    ("user_id", bad_id),
                    ("screen_name", "kaiyes"),
                ])
                .finish();
            let e = parse_access_token_answer(200, body.as_bytes()).unwrap_err();
            assert_eq!(e.kind, ErrorKind::BadResponse, "{bad_id:?}");
            assert_eq!(
                e.message,
                "HTTP 200, but the access_token answer's user_id is not a positive integer"
            );
        }
    }

    #[test]
    fn debug_hides_tokens_and_secrets() {
        let rt = RequestToken {
            token: Secret::new(RT.into()),
            secret: Secret::new(RTS.into()),
        };
        let shown = format!("{rt:?}");
        assert!(!shown.contains(RT) && !shown.contains(RTS), "{shown}");
        assert!(shown.contains(&format!("<{} bytes>", RTS.len())), "{shown}");
        let at = AccessToken {
            token: Secret::new(AT.into()),
            secret: Secret::new(ATS.into()),
            user_id: 7588892,
            screen_name: "kaiyes".into(),
        };
        let shown = format!("{at:?}");
        assert!(!shown.contains(AT) && !shown.contains(ATS), "{shown}");
        assert!(
            shown.contains("7588892") && shown.contains("kaiyes"),
            "{shown}"
        );
        let shown = format!("{at:#?}");
        assert!(!shown.contains(AT) && !shown.contains(ATS), "{shown}");
    }
}
