//! Errors, and the mapping from an API response to an outcome.

use std::fmt;

use serde::Deserialize as _;

/// What went wrong, one variant per C status the library reports from `core`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    InvalidArgument,
    Network,
    Timeout,
    Tls,
    Auth,
    Forbidden,
    NotFound,
    RateLimited,
    FollowLimit,
    AlreadyRequested,
    Blocked,
    ServerError,
    HttpError,
    BadResponse,
}

/// An error with a one-line message that never contains a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
    /// The HTTP status of the response, 0 when none arrived.
    pub http_status: u16,
    /// The first Twitter error code in the body, 0 when none.
    pub api_code: i32,
    /// The `x-rate-limit-*` headers of the response, when it carried them.
    pub rate_limit: Option<RateLimit>,
}

/// The `x-rate-limit-limit`, `-remaining` and `-reset` headers of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub limit: i64,
    pub remaining: i64,
    /// When the window resets, in seconds since the Unix epoch.
    pub reset_epoch: i64,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            http_status: 0,
            api_code: 0,
            rate_limit: None,
        }
    }

    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidArgument, message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// Largest 2xx body accepted (after gzip decoding).
pub const MAX_BODY_BYTES: u64 = 1 << 20;

/// Longest piece of API text copied into a message.
const MAX_API_TEXT: usize = 300;

/// The error fields found in a non-2xx body, in whichever shape the API used.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ApiError {
    pub code: i32,
    pub text: String,
    /// What a v2 problem `type` URI says, when it is one this library knows.
    pub problem: Option<ErrorKind>,
}

/// The v2 problem types (`https://api.twitter.com/2/problems/<name>`) that say more
/// than the HTTP status. v2 problems carry no Twitter code.
fn problem_kind(type_uri: &str) -> Option<ErrorKind> {
    let (_, name) = type_uri.rsplit_once("/2/problems/")?;
    match name {
        "resource-not-found" => Some(ErrorKind::NotFound),
        "usage-capped" => Some(ErrorKind::RateLimited),
        "unsupported-authentication" => Some(ErrorKind::Auth),
        "client-forbidden" | "not-authorized-for-resource" => Some(ErrorKind::Forbidden),
        _ => None,
    }
}

/// Reads `{"errors":[{"code","message"}]}`, the legacy `{"error": "…"}` and the
/// v2 problem shape (`title`, `detail`, `type`), alone or as the first of `errors`.
/// Returns the default when the body is none of them.
pub fn parse_api_error(body: &[u8]) -> ApiError {
    let Ok(serde_json::Value::Object(root)) = serde_json::from_slice::<serde_json::Value>(body)
    else {
        return ApiError::default();
    };
    let as_code = |v: Option<&serde_json::Value>| {
        v.and_then(serde_json::Value::as_i64)
            .and_then(|c| i32::try_from(c).ok())
            .unwrap_or(0)
    };
    let as_text =
        |v: Option<&serde_json::Value>| v.and_then(serde_json::Value::as_str).map(str::to_owned);
    let as_problem = |v: Option<&serde_json::Value>| v.and_then(|t| problem_kind(t.as_str()?));

    if let Some(first) = root
        .get("errors")
        .and_then(|e| e.as_array())
        .and_then(|a| a.first())
    {
        return match first {
            serde_json::Value::Object(err) => ApiError {
                code: as_code(err.get("code")),
                text: as_text(err.get("message"))
                    .or_else(|| as_text(err.get("detail")))
                    .or_else(|| as_text(err.get("title")))
                    .unwrap_or_default(),
                problem: as_problem(err.get("type")),
            },
            serde_json::Value::String(text) => ApiError {
                code: 0,
                text: text.clone(),
                problem: None,
            },
            _ => ApiError::default(),
        };
    }
    if let Some(text) = as_text(root.get("error")) {
        return ApiError {
            code: as_code(root.get("code")),
            text,
            problem: None,
        };
    }
    let title = as_text(root.get("title"));
    let detail = as_text(root.get("detail"));
    let text = match (title, detail) {
        (Some(t), Some(d)) if t != d => format!("{t}: {d}"),
        (Some(t), _) => t,
        (None, Some(d)) => d,
        (None, None) => String::new(),
    };
    ApiError {
        code: 0,
        text,
        problem: as_problem(root.get("type")),
    }
}

/// Twitter's error code decides first; unknown codes fall back to the HTTP status.
pub fn kind_for(http_status: u16, api_code: i32) -> ErrorKind {
    kind_for_code(api_code).unwrap_or_else(|| kind_for_status(http_status))
}

fn kind_for_code(api_code: i32) -> Option<ErrorKind> {
    Some(match api_code {
        160 => ErrorKind::AlreadyRequested,
        161 => ErrorKind::FollowLimit,
        162 => ErrorKind::Blocked,
        34 | 50 | 63 | 108 => ErrorKind::NotFound,
        88 => ErrorKind::RateLimited,
        32 | 89 | 135 | 215 => ErrorKind::Auth,
        _ => return None,
    })
}

fn kind_for_status(http_status: u16) -> ErrorKind {
    match http_status {
        401 => ErrorKind::Auth,
        403 => ErrorKind::Forbidden,
        404 => ErrorKind::NotFound,
        429 => ErrorKind::RateLimited,
        500..=599 => ErrorKind::ServerError,
        _ => ErrorKind::HttpError,
    }
}

/// Makes API text safe for a one-line message: control characters become
/// spaces, runs of white space fold, and the length is capped.
pub fn one_line(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars * 4));
    let mut count = 0;
    for word in text.split(|c: char| c.is_whitespace() || c.is_control()) {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars() {
            if count == max_chars {
                out.push('…');
                return out;
            }
            out.push(c);
            count += 1;
        }
    }
    out
}

/// Turns a response into the user JSON (2xx) or an [`Error`] (anything else).
/// `location` is the `Location` header of a redirect, for the message.
pub fn map_response(
    http_status: u16,
    body: Vec<u8>,
    location: Option<&str>,
) -> Result<String, Error> {
    if (200..300).contains(&http_status) {
        return check_success_body(http_status, body);
    }
    Err(api_failure(http_status, &body, location))
}

/// API v2 refuses a follow with a codeless 403 problem. Three refusals have their
/// own status in 1.1 (codes 160-162); v2 words them as 1.1 does, so on a codeless
/// 403 the wording is recognised. Anything else stays a plain 403.
fn follow_refusal_kind(http_status: u16, api: &ApiError) -> Option<ErrorKind> {
    const WORDINGS: [(&str, ErrorKind); 3] = [
        (
            "You've already requested to follow",
            ErrorKind::AlreadyRequested,
        ),
        (
            "You are unable to follow more people",
            ErrorKind::FollowLimit,
        ),
        ("You have been blocked from following", ErrorKind::Blocked),
    ];
    if http_status != 403 || api.code != 0 {
        return None;
    }
    WORDINGS
        .iter()
        .find(|(wording, _)| api.text.contains(wording))
        .map(|&(_, kind)| kind)
}

/// The error a refusal stands for: the Twitter code decides first, then a known v2
/// problem type, then (codeless 403) the wording of a follow refusal, then the HTTP status. `body` may also be a 2xx answer that holds
/// only `errors` (v2 answers a failed lookup that way).
pub fn api_failure(http_status: u16, body: &[u8], location: Option<&str>) -> Error {
    let api = parse_api_error(body);
    let kind = kind_for_code(api.code)
        .or(api.problem)
        .or_else(|| follow_refusal_kind(http_status, &api))
        .unwrap_or_else(|| kind_for_status(http_status));
    let mut message = format!("HTTP {http_status}");
    if api.code != 0 {
        message.push_str(&format!(", error {}", api.code));
    }
    let text = one_line(&api.text, MAX_API_TEXT);
    if !text.is_empty() {
        message.push_str(": ");
        message.push_str(&text);
    } else if (300..400).contains(&http_status) {
        message.push_str(": redirect not followed");
        if let Some(location) = location {
            message.push_str(" (Location: ");
            message.push_str(&one_line(location, 200));
            message.push(')');
        }
    } else if body.is_empty() {
        message.push_str(": empty response body");
    } else {
        message.push_str(&format!(
            ": response body is not a Twitter error ({} bytes)",
            body.len()
        ));
    }
    Error {
        kind,
        message,
        http_status,
        api_code: api.code,
        rate_limit: None,
    }
}

fn check_success_body(http_status: u16, body: Vec<u8>) -> Result<String, Error> {
    let bad = |what: &str| Error {
        kind: ErrorKind::BadResponse,
        message: format!("HTTP {http_status}, but {what}"),
        http_status,
        api_code: 0,
        rate_limit: None,
    };
    let text = String::from_utf8(body).map_err(|_| bad("the body is not UTF-8"))?;
    // Validated without building it: a parsed tree would cost an allocation per key and string.
    let mut parser = serde_json::Deserializer::from_str(&text);
    match serde::de::IgnoredAny::deserialize(&mut parser).and_then(|_| parser.end()) {
        Ok(()) if text.trim_start().starts_with('{') => Ok(text),
        Ok(()) => Err(bad("the body is JSON without an object at the top")),
        Err(e) => Err(bad(&format!("the body is not valid JSON ({e})"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(status: u16, body: &str) -> Error {
        map_response(status, body.as_bytes().to_vec(), None).unwrap_err()
    }

    #[test]
    fn twitter_code_decides_before_status() {
        let cases: &[(u16, i32, ErrorKind)] = &[
            (403, 160, ErrorKind::AlreadyRequested),
            (403, 161, ErrorKind::FollowLimit),
            (403, 162, ErrorKind::Blocked),
            (403, 108, ErrorKind::NotFound),
            (404, 108, ErrorKind::NotFound),
            (404, 50, ErrorKind::NotFound),
            (404, 34, ErrorKind::NotFound),
            (403, 63, ErrorKind::NotFound),
            (429, 88, ErrorKind::RateLimited),
            (400, 88, ErrorKind::RateLimited),
            (401, 32, ErrorKind::Auth),
            (401, 89, ErrorKind::Auth),
            (401, 135, ErrorKind::Auth),
            (400, 215, ErrorKind::Auth),
            (403, 158, ErrorKind::Forbidden),
            (403, 226, ErrorKind::Forbidden),
            (403, 326, ErrorKind::Forbidden),
            (503, 130, ErrorKind::ServerError),
            (500, 131, ErrorKind::ServerError),
            (403, 99999, ErrorKind::Forbidden),
            (401, 0, ErrorKind::Auth),
            (404, 0, ErrorKind::NotFound),
            (429, 0, ErrorKind::RateLimited),
            (502, 0, ErrorKind::ServerError),
            (599, 0, ErrorKind::ServerError),
            (400, 0, ErrorKind::HttpError),
            (418, 0, ErrorKind::HttpError),
            (301, 0, ErrorKind::HttpError),
            (302, 0, ErrorKind::HttpError),
            (100, 0, ErrorKind::HttpError),
            (600, 0, ErrorKind::HttpError),
        ];
        for &(status, code, kind) in cases {
            assert_eq!(kind_for(status, code), kind, "HTTP {status}, code {code}");
            let body = format!(r#"{{"errors":[{{"code":{code},"message":"m"}}]}}"#);
            let e = err(status, &body);
            assert_eq!((e.kind, e.http_status, e.api_code), (kind, status, code));
        }
    }

    #[test]
    fn message_has_status_code_and_text() {
        let e = err(
            403,
            r#"{"errors":[{"code":161,"message":"You are unable to follow more people at this time."}]}"#,
        );
        assert_eq!(
            e.message,
            "HTTP 403, error 161: You are unable to follow more people at this time."
        );
    }

    #[test]
    fn error_shapes() {
        assert_eq!(
            parse_api_error(
                br#"{"errors":[{"code":32,"message":"Could not authenticate you."},{"code":1}]}"#
            ),
            ApiError {
                code: 32,
                text: "Could not authenticate you.".into(),
                problem: None,
            }
        );
        assert_eq!(
            parse_api_error(br#"{"error":"Not authorized.","request":"/1.1/x.json"}"#),
            ApiError {
                code: 0,
                text: "Not authorized.".into(),
                problem: None,
            }
        );
        assert_eq!(
            parse_api_error(
                br#"{"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}"#
            ),
            ApiError { code: 0, text: "Unauthorized".into(), problem: None }
        );
        assert_eq!(
            parse_api_error(
                br#"{"title":"Too Many Requests","detail":"Too Many Requests","status":429}"#
            )
            .text,
            "Too Many Requests"
        );
        assert_eq!(
            parse_api_error(
                br#"{"title":"Forbidden","detail":"You are not permitted to follow."}"#
            )
            .text,
            "Forbidden: You are not permitted to follow."
        );
        assert_eq!(parse_api_error(br#"{"errors":["plain"]}"#).text, "plain");
        assert_eq!(parse_api_error(br#"{"errors":[{"code":"x"}]}"#).code, 0);
        assert_eq!(
            parse_api_error(br#"{"errors":[{"code":99999999999}]}"#).code,
            0
        );
        for junk in [
            &b""[..],
            b"<html>502</html>",
            b"[1,2]",
            b"\xff\xfe",
            b"null",
            b"{\"errors\":5}",
        ] {
            assert_eq!(parse_api_error(junk), ApiError::default());
        }
    }

    #[test]
    fn v2_problems_map_by_type_then_status() {
        let not_found = r#"{"errors":[{"value":"nobody","detail":"Could not find user with username: [nobody].","title":"Not Found Error","resource_type":"user","parameter":"username","resource_id":"nobody","type":"https://api.twitter.com/2/problems/resource-not-found"}]}"#;
        let e = api_failure(200, not_found.as_bytes(), None);
        assert_eq!(
            (e.kind, e.http_status, e.api_code),
            (ErrorKind::NotFound, 200, 0)
        );
        assert_eq!(
            e.message,
            "HTTP 200: Could not find user with username: [nobody]."
        );
        let cases: &[(u16, &str, ErrorKind)] = &[
            (
                403,
                r#"{"title":"Client Forbidden","detail":"Attach your App to a Project.","reason":"client-not-enrolled","type":"https://api.twitter.com/2/problems/client-forbidden"}"#,
                ErrorKind::Forbidden,
            ),
            (
                403,
                r#"{"title":"Unsupported Authentication","detail":"Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.","type":"https://api.twitter.com/2/problems/unsupported-authentication","status":403}"#,
                ErrorKind::Auth,
            ),
            (
                429,
                r#"{"title":"UsageCapExceeded","detail":"Usage cap exceeded: Monthly product cap","type":"https://api.x.com/2/problems/usage-capped","status":429}"#,
                ErrorKind::RateLimited,
            ),
            (
                429,
                r#"{"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429}"#,
                ErrorKind::RateLimited,
            ),
            (
                401,
                r#"{"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}"#,
                ErrorKind::Auth,
            ),
            (
                403,
                r#"{"title":"Forbidden","type":"about:blank","status":403,"detail":"You are not allowed to follow this user."}"#,
                ErrorKind::Forbidden,
            ),
            (
                400,
                r#"{"errors":[{"parameters":{"target_user_id":["x"]},"message":"The `target_user_id` query parameter value [x] is not valid"}],"title":"Invalid Request","detail":"One or more parameters to your request was invalid.","type":"https://api.twitter.com/2/problems/invalid-request"}"#,
                ErrorKind::HttpError,
            ),
            (
                503,
                r#"{"title":"Service Unavailable","type":"about:blank","status":503,"detail":"Service Unavailable"}"#,
                ErrorKind::ServerError,
            ),
            // A Twitter code still decides first.
            (
                403,
                r#"{"errors":[{"code":162,"message":"Blocked.","type":"https://api.twitter.com/2/problems/client-forbidden"}]}"#,
                ErrorKind::Blocked,
            ),
            // The follow refusals that have their own status in 1.1, worded as 1.1 words them.
            (
                403,
                r#"{"title":"Forbidden","type":"about:blank","status":403,"detail":"You have been blocked from following this account at the request of the user."}"#,
                ErrorKind::Blocked,
            ),
            (
                403,
                r#"{"title":"Forbidden","type":"about:blank","status":403,"detail":"You are unable to follow more people at this time."}"#,
                ErrorKind::FollowLimit,
            ),
            (
                403,
                r#"{"title":"Forbidden","detail":"You've already requested to follow x."}"#,
                ErrorKind::AlreadyRequested,
            ),
            // ...only on a codeless 403.
            (
                400,
                r#"{"title":"Bad","detail":"You have been blocked from following this account."}"#,
                ErrorKind::HttpError,
            ),
            (
                403,
                r#"{"errors":[{"code":226,"message":"You are unable to follow more people (automated)."}]}"#,
                ErrorKind::Forbidden,
            ),
            // Unknown problem types fall back to the status.
            (
                404,
                r#"{"title":"x","type":"https://api.twitter.com/2/problems/something-new"}"#,
                ErrorKind::NotFound,
            ),
        ];
        for &(status, body, kind) in cases {
            let e = err(status, body);
            assert_eq!((e.kind, e.http_status), (kind, status), "{body}");
            assert!(
                e.message.starts_with(&format!("HTTP {status}")),
                "{}",
                e.message
            );
        }
        assert_eq!(
            err(403, r#"{"title":"Forbidden","type":"about:blank","status":403,"detail":"You are not allowed to follow this user."}"#).message,
            "HTTP 403: Forbidden: You are not allowed to follow this user."
        );
    }

    #[test]
    fn messages_for_bodies_without_errors() {
        assert_eq!(
            err(502, "<html>Bad Gateway</html>").message,
            "HTTP 502: response body is not a Twitter error (24 bytes)"
        );
        assert_eq!(err(500, "").message, "HTTP 500: empty response body");
        let e = map_response(302, Vec::new(), Some("https://elsewhere.example/x")).unwrap_err();
        assert_eq!(e.kind, ErrorKind::HttpError);
        assert_eq!(e.http_status, 302);
        assert_eq!(
            e.message,
            "HTTP 302: redirect not followed (Location: https://elsewhere.example/x)"
        );
    }

    #[test]
    fn api_text_is_one_bounded_line() {
        let long = "word\n".repeat(1000);
        let e = err(
            403,
            &format!(
                r#"{{"errors":[{{"code":1,"message":{}}}]}}"#,
                serde_json::to_string(&long).unwrap()
            ),
        );
        assert!(!e.message.contains('\n'));
        assert!(e.message.chars().count() < 400, "{}", e.message);
        assert_eq!(one_line("a\r\n\tb\u{0}c  ", 10), "a b c");
        assert_eq!(one_line("abcdef", 3), "abc…");
    }

    #[test]
    fn success_body_must_be_a_json_object() {
        let ok = r#"{"id":1,"url":"https:\/\/t.co"}"#;
        // Numbers beyond f64 are valid JSON and passed on as sent.
        let huge = r#"{"n":1122222222222222e22222222}"#;
        assert_eq!(map_response(200, huge.into(), None).unwrap(), huge);
        assert_eq!(map_response(200, ok.into(), None).unwrap(), ok);
        assert_eq!(map_response(201, b" {}".to_vec(), None).unwrap(), " {}");
        for bad in [
            &b""[..],
            b"[]",
            b"null",
            b"\"s\"",
            b"{",
            b"{}x",
            b"\xff{}",
            b"<html>",
        ] {
            let e = map_response(200, bad.to_vec(), None).unwrap_err();
            assert_eq!(
                (e.kind, e.http_status),
                (ErrorKind::BadResponse, 200),
                "{bad:?}"
            );
        }
    }
}
