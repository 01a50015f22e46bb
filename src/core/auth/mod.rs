//! Token flows: the network-free pieces of OAuth 1.0a (PIN and callback) and
//! OAuth 2.0 (authorization code with PKCE). They build URLs and form bodies and
//! read the servers' answers; the HTTP client sends them.
//!
//! Every secret lives in a [`Zeroizing`] buffer, sized up front so it never
//! moves and leaves an unwiped copy behind. No message or `Debug` output holds
//! one: answers are read by field name, and error text from a server is
//! redacted of the request's secrets before it is used.

pub mod oauth1;
pub mod oauth2;
pub mod session;
pub mod tokens;

use rand::TryRngCore as _;
use zeroize::Zeroizing;

use crate::core::error::Error;
use crate::core::proto::refusal::{api_failure, kind_for, one_line, parse_api_error, ApiError};
use crate::core::wire::redact::Redactor;
use crate::core::wire::wiped_json_bytes;
pub use crate::core::wire::Secret;

/// Longest piece of a server's text copied into a message.
const MAX_SERVER_TEXT: usize = 300;

/// `N` bytes from the operating system's CSPRNG. Stateless, so a forked child
/// never repeats its parent's draws.
///
/// # Panics
/// Only when the operating system has no working random source (as seeding the
/// nonce generator in `sys::random` does).
fn random_bytes<const N: usize>() -> Zeroizing<[u8; N]> {
    let mut bytes = Zeroizing::new([0u8; N]);
    rand::rngs::OsRng
        .try_fill_bytes(&mut bytes[..])
        .expect("the operating system's random source failed");
    bytes
}

/// The error a non-2xx answer of an OAuth 1.0a token endpoint stands for, with the
/// server's text, redacted before it is cut. Twitter answers these endpoints with its
/// JSON errors, a v2 problem, or plain text (`Invalid oauth_verifier parameter`).
pub fn answer_failure(http_status: u16, body: &[u8], redactor: &Redactor<'_>) -> Error {
    // Redacted before it is parsed: no unwiped copy of an echoed secret is left behind.
    let text = std::str::from_utf8(body).map_or_else(|_| String::new(), |t| redactor.redact(t));
    let looks_structured = matches!(text.trim_start().chars().next(), Some('{' | '[' | '<'));
    if parse_api_error(text.as_bytes()) == ApiError::default()
        && !looks_structured
        && !text.trim().is_empty()
    {
        return Error {
            http_status,
            ..Error::new(
                kind_for(http_status, 0),
                format!("HTTP {http_status}: {}", one_line(&text, MAX_SERVER_TEXT)),
            )
        };
    }
    api_failure(http_status, body, None, redactor)
}

/// A form body (`application/x-www-form-urlencoded`) in a wiped buffer.
fn form_body(pairs: &[(&str, &str)]) -> Zeroizing<String> {
    // Every byte is at most `%XX`: the buffer never grows, so no copy is left behind.
    let capacity = pairs
        .iter()
        .map(|(name, value)| 3 * (name.len() + value.len()) + 2)
        .sum();
    let mut form = form_urlencoded::Serializer::new(String::with_capacity(capacity));
    form.extend_pairs(pairs);
    Zeroizing::new(form.finish())
}

/// `value` as compact JSON in a wiped buffer that never grew ([`wiped_json_bytes`]).
fn wiped_json(value: &impl serde::Serialize) -> Zeroizing<String> {
    let bytes = std::mem::take(&mut *wiped_json_bytes(value, false, b""));
    Zeroizing::new(String::from_utf8(bytes).expect("serde_json writes UTF-8"))
}

/// Checks an absolute `http://` or `https://` URL with a host, without spaces or
/// control characters. `what` names the argument in the message; the value is
/// not echoed.
fn check_absolute_http_url(url: &str, what: &str) -> Result<(), Error> {
    const MAX_URL_BYTES: usize = 2048;
    let refuse = |why: &str| Error::invalid_argument(format!("{what}: {why}"));
    if url.len() > MAX_URL_BYTES {
        return Err(refuse(&format!("longer than {MAX_URL_BYTES} bytes")));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(refuse("contains spaces or control characters"));
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(refuse("not an absolute http(s) URL"));
    };
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return Err(refuse("the scheme must be http or https"));
    }
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    let host = match host_port.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host_port.split(':').next().unwrap_or_default(),
    };
    if host.is_empty() {
        return Err(refuse("the URL has no host"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::error::ErrorKind;

    #[test]
    fn random_bytes_differ_between_draws() {
        let a = random_bytes::<32>();
        let b = random_bytes::<32>();
        assert_ne!(*a, *b);
        assert_ne!(*a, [0u8; 32]);
    }

    #[test]
    fn answer_failure_keeps_plain_text_and_status() {
        let e = answer_failure(
            401,
            b"Error processing your OAuth request: Invalid oauth_verifier parameter",
            &Redactor::NONE,
        );
        assert_eq!(e.kind, ErrorKind::Auth);
        assert_eq!(e.http_status, 401);
        assert_eq!(
            e.message,
            "HTTP 401: Error processing your OAuth request: Invalid oauth_verifier parameter"
        );
    }

    #[test]
    fn answer_failure_reads_twitter_json_errors() {
        let e = answer_failure(
            401,
            br#"{"errors":[{"code":32,"message":"Could not authenticate you."}]}"#,
            &Redactor::NONE,
        );
        assert_eq!(
            (e.kind, e.http_status, e.api_code),
            (ErrorKind::Auth, 401, 32)
        );
        assert_eq!(e.message, "HTTP 401, error 32: Could not authenticate you.");
        let e = answer_failure(
            403,
            br#"{"errors":[{"code":415,"message":"Callback URL not approved for this client application."}]}"#,
            &Redactor::NONE);
        assert_eq!((e.kind, e.api_code), (ErrorKind::Forbidden, 415));
    }

    #[test]
    fn answer_failure_does_not_copy_html_or_unknown_json() {
        let e = answer_failure(500, b"<html><body>oops</body></html>", &Redactor::NONE);
        assert_eq!(e.kind, ErrorKind::ServerError);
        assert!(!e.message.contains("oops"), "{}", e.message);
        let e = answer_failure(400, br#"{"unexpected":"value"}"#, &Redactor::NONE);
        assert_eq!(e.kind, ErrorKind::HttpError);
        assert!(!e.message.contains("value"), "{}", e.message);
        let e = answer_failure(401, b"", &Redactor::NONE);
        assert_eq!(e.message, "HTTP 401: empty response body");
        let e = answer_failure(401, b"\xff\xfe", &Redactor::NONE);
        assert_eq!((e.kind, e.http_status), (ErrorKind::Auth, 401));
    }

    #[test]
    fn plain_text_is_one_bounded_line() {
        let long = format!("line one\r\nline two {}", "x".repeat(1000));
        let e = answer_failure(401, long.as_bytes(), &Redactor::NONE);
        assert!(!e.message.contains(['\r', '\n']));
        assert!(e.message.chars().count() <= MAX_SERVER_TEXT + 20);
        assert!(e.message.starts_with("HTTP 401: line one line two x"));
    }

    #[test]
    fn form_body_encodes_every_value() {
        let body = form_body(&[("a", "x y&z=1"), ("b", "é/+")]);
        assert_eq!(body.as_str(), "a=x+y%26z%3D1&b=%C3%A9%2F%2B");
        let parsed: Vec<(String, String)> = form_urlencoded::parse(body.as_bytes())
            .into_owned()
            .collect();
        assert_eq!(
            parsed,
            [("a".into(), "x y&z=1".into()), ("b".into(), "é/+".into())]
        );
    }

    #[test]
    fn wiped_json_escapes_and_its_buffer_never_grows() {
        // All control characters: the worst case for escaping.
        let worst: String = (0u8..0x20)
            .map(char::from)
            .chain("\" \\ é".chars())
            .collect();
        let value = serde_json::json!({"s": worst, "n": i64::MIN, "z": null});
        let json = wiped_json(&value);
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&json).unwrap(),
            value
        );
        assert_eq!(json.capacity(), json.len(), "the first allocation was kept");
    }

    #[test]
    fn absolute_http_urls() {
        for good in [
            "https://example.com/cb",
            "http://localhost:8080/callback?x=1",
            "HTTPS://Example.com",
            "http://[::1]:9/cb",
            "https://user@host/cb",
        ] {
            assert_eq!(check_absolute_http_url(good, "callback"), Ok(()), "{good}");
        }
        for bad in [
            "",
            "example.com/cb",
            "ftp://example.com/",
            "https://",
            "https:///path",
            "https://:80/",
            "https://[]/",
            "https://exa mple.com/",
            "https://example.com/\n",
            "javascript://alert(1)",
        ] {
            let e = check_absolute_http_url(bad, "callback").unwrap_err();
            assert_eq!(e.kind, ErrorKind::InvalidArgument, "{bad:?}");
            assert!(e.message.starts_with("callback: "), "{}", e.message);
        }
        let long = format!("https://h/{}", "a".repeat(3000));
        assert!(check_absolute_http_url(&long, "callback").is_err());
    }
}
