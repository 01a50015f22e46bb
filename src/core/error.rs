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
}

/// Reads `{"errors":[{"code","message"}]}`, the legacy `{"error": "…"}` and the
/// v2 problem shape (`title`, `detail`). Returns the default when the body is none of them.
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
            },
            serde_json::Value::String(text) => ApiError {
                code: 0,
                text: text.clone(),
            },
            _ => ApiError::default(),
        };
    }
    if let Some(text) = as_text(root.get("error")) {
        return ApiError {
            code: as_code(root.get("code")),
            text,
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
    ApiError { code: 0, text }
}

/// Twitter's error code decides first; unknown codes fall back to the HTTP status.
pub fn kind_for(http_status: u16, api_code: i32) -> ErrorKind {
    match api_code {
        160 => return ErrorKind::AlreadyRequested,
        161 => return ErrorKind::FollowLimit,
        162 => return ErrorKind::Blocked,
        34 | 50 | 63 | 108 => return ErrorKind::NotFound,
        88 => return ErrorKind::RateLimited,
        32 | 89 | 135 | 215 => return ErrorKind::Auth,
        _ => {}
    }
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
    let api = parse_api_error(&body);
    let kind = kind_for(http_status, api.code);
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
    Err(Error {
        kind,
        message,
        http_status,
        api_code: api.code,
        rate_limit: None,
    })
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
                text: "Could not authenticate you.".into()
            }
        );
        assert_eq!(
            parse_api_error(br#"{"error":"Not authorized.","request":"/1.1/x.json"}"#),
            ApiError {
                code: 0,
                text: "Not authorized.".into()
            }
        );
        assert_eq!(
            parse_api_error(
                br#"{"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}"#
            ),
            ApiError { code: 0, text: "Unauthorized".into() }
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
