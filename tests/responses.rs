//! Responses the sandbox never gives (rate limits, 5xx, redirects, broken
//! bodies) and transport failures, each mapped to its documented status.

mod support;

use std::io::Write;
use std::net::TcpListener;
use std::time::{Duration, Instant};

use support::*;
use twfollow::ffi::TwStatus;

fn follow_against(server: &Scripted) -> (TwStatus, Last) {
    Config::for_account(&server.base_url(), 1).follow_err("twitterdev")
}

#[test]
fn error_bodies_map_by_code_then_status() {
    let cases: &[(u16, &[u8], TwStatus, i32, &str)] = &[
        (
            429,
            br#"{"errors":[{"code":88,"message":"Rate limit exceeded"}]}"#,
            TwStatus::RateLimited,
            88,
            "HTTP 429, error 88: Rate limit exceeded",
        ),
        (
            503,
            br#"{"errors":[{"code":130,"message":"Over capacity"}]}"#,
            TwStatus::ServerError,
            130,
            "HTTP 503, error 130: Over capacity",
        ),
        (
            500,
            br#"{"errors":[{"code":131,"message":"Internal error"}]}"#,
            TwStatus::ServerError,
            131,
            "HTTP 500, error 131: Internal error",
        ),
        (
            403,
            br#"{"errors":[{"code":161,"message":"You are unable to follow more people at this time."}]}"#,
            TwStatus::FollowLimit,
            161,
            "HTTP 403, error 161: You are unable to follow more people at this time.",
        ),
        (
            404,
            br#"{"errors":[{"code":50,"message":"User not found."}]}"#,
            TwStatus::NotFound,
            50,
            "HTTP 404, error 50: User not found.",
        ),
        (
            403,
            br#"{"errors":[{"code":226,"message":"This request looks like it might be automated."}]}"#,
            TwStatus::Forbidden,
            226,
            "HTTP 403, error 226: This request looks like it might be automated.",
        ),
        (401, br#"{"error":"Not authorized."}"#, TwStatus::Auth, 0, "HTTP 401: Not authorized."),
        (
            429,
            br#"{"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429}"#,
            TwStatus::RateLimited,
            0,
            "HTTP 429: Too Many Requests",
        ),
        (
            502,
            b"<html><body>Bad Gateway</body></html>",
            TwStatus::ServerError,
            0,
            "HTTP 502: response body is not a Twitter error (37 bytes)",
        ),
        (418, b"", TwStatus::HttpError, 0, "HTTP 418: empty response body"),
        (400, br#"{"errors":[{"code":214,"message":"Bad"}]}"#, TwStatus::HttpError, 214, "HTTP 400, error 214: Bad"),
    ];
    for &(status, body, want, code, message) in cases {
        let server = Scripted::respond(status, "content-type: application/json\r\n", body);
        let (got, last) = follow_against(&server);
        assert_eq!(got, want, "{status} {:?}", String::from_utf8_lossy(body));
        assert_eq!(
            last,
            Last {
                message: message.into(),
                http_status: i32::from(status),
                api_code: code
            }
        );
    }
}

#[test]
fn success_bodies_must_be_json_objects() {
    let huge: &'static [u8] = Box::leak(
        format!("{{\"a\":\"{}\"}}", "x".repeat(1 << 20))
            .into_bytes()
            .into_boxed_slice(),
    );
    let cases: &[&'static [u8]] = &[
        b"",
        b"[]",
        b"null",
        b"\"text\"",
        b"{\"a\":",
        b"\xff\xfe{}",
        b"<html>ok</html>",
        huge,
    ];
    for body in cases {
        let server = Scripted::respond(200, "", body);
        let (status, last) = follow_against(&server);
        assert_eq!(
            status,
            TwStatus::BadResponse,
            "{:?}",
            &body[..body.len().min(20)]
        );
        assert_eq!(last.http_status, 200);
        assert!(
            last.message.starts_with("HTTP 200, but "),
            "{}",
            last.message
        );
    }
}

#[test]
fn redirects_are_never_followed() {
    for status in [301u16, 302, 303, 307, 308] {
        let elsewhere = Scripted::respond(200, "", br#"{"id":1}"#);
        let location = format!(
            "location: {}/1.1/friendships/create.json\r\n",
            elsewhere.base_url()
        );
        let server = Scripted::respond(status, &location, b"");
        let (got, last) = follow_against(&server);
        assert_eq!(got, TwStatus::HttpError);
        assert_eq!(last.http_status, i32::from(status));
        assert!(
            last.message.contains("redirect not followed"),
            "{}",
            last.message
        );
        assert_eq!(
            elsewhere.requests().len(),
            0,
            "the other origin was contacted after {status}"
        );
        assert_eq!(server.requests().len(), 1);
    }
}

#[test]
fn connection_refused_is_network() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let config = Config::for_account(&format!("http://127.0.0.1:{port}"), 1);
    let (status, last) = config.follow_err("twitterdev");
    assert_eq!(status, TwStatus::Network);
    assert_eq!(last.http_status, 0);
    assert!(last.message.contains("127.0.0.1"), "{}", last.message);
}

#[test]
fn a_silent_server_times_out_within_the_deadline() {
    let server = Scripted::start(|_, _| std::thread::sleep(Duration::from_secs(5)));
    let config = Config::for_account(&server.base_url(), 1);
    assert_eq!(config.set_timeout_ms(300), TwStatus::Ok);
    let started = Instant::now();
    let (status, last) = config.follow_err("twitterdev");
    let took = started.elapsed();
    assert_eq!(status, TwStatus::Timeout, "{last:?}");
    assert!(
        took >= Duration::from_millis(250) && took < Duration::from_millis(1500),
        "{took:?}"
    );
    assert!(last.message.contains("300 ms"), "{}", last.message);
}

#[test]
fn a_dripping_body_cannot_stretch_the_deadline() {
    let server = Scripted::start(|_, out| {
        let _ = out.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n{");
        for _ in 0..100 {
            std::thread::sleep(Duration::from_millis(50));
            if out.write_all(b" ").is_err() {
                return;
            }
        }
    });
    let config = Config::for_account(&server.base_url(), 1);
    assert_eq!(config.set_timeout_ms(400), TwStatus::Ok);
    let started = Instant::now();
    let (status, last) = config.follow_err("twitterdev");
    assert_eq!(status, TwStatus::Timeout, "{last:?}");
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(last.http_status, 200, "the status line had arrived");
}

#[test]
fn tls_to_a_plain_http_server_is_a_tls_error() {
    // The server answers the TLS ClientHello with plain HTTP, as a misconfigured port would.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut hello = [0u8; 64];
        let _ = std::io::Read::read(&mut stream, &mut hello);
        let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n");
        std::thread::sleep(Duration::from_millis(200));
    });
    let config = Config::for_account(&format!("https://{addr}"), 1);
    let (status, last) = config.follow_err("twitterdev");
    assert_eq!(status, TwStatus::Tls, "{last:?}");
    assert_eq!(last.http_status, 0);
    assert!(
        last.message.starts_with("TLS error with 127.0.0.1"),
        "{}",
        last.message
    );
}

#[test]
fn garbage_status_line_is_network() {
    let server = Scripted::start(|_, out| {
        let _ = out.write_all(b"NOT HTTP AT ALL\r\n\r\n");
        let _ = out.shutdown(std::net::Shutdown::Both);
    });
    let (status, last) = follow_against(&server);
    assert_eq!(status, TwStatus::Network, "{last:?}");
}

#[test]
fn secrets_never_appear_even_when_the_server_echoes_them() {
    // A hostile server echoes the Authorization header it received into the error text.
    let server = Scripted::start(|request, out| {
        let auth = request
            .head
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("authorization"))
            .unwrap_or("");
        let body = serde_json::json!({"errors":[{"code":1,"message": format!("{auth} consumer-SECRET-1234 token-SECRET-5678")}]}).to_string();
        let _ = write!(
            out,
            "HTTP/1.1 400 Bad\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
    });
    // API v2 too: a lookup (GET, no body) and problem-shaped answers.
    for version in [1, 2] {
        let config = Config::new(
            "consumer-KEY-abcd",
            "consumer-SECRET-1234",
            "1-token-KEY-efgh",
            "token-SECRET-5678",
        );
        assert_eq!(config.set_base_url(&server.base_url()), TwStatus::Ok);
        assert_eq!(config.set_api_version(version), TwStatus::Ok);
        let (_, last) = config.follow_err("twitterdev");
        let auth_line =
            String::from_utf8_lossy(server.requests().last().unwrap().head.as_bytes()).into_owned();
        let signature = auth_line
            .split("oauth_signature=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_owned();
        for secret in [
            "consumer-SECRET-1234",
            "token-SECRET-5678",
            "consumer-KEY-abcd",
            "1-token-KEY-efgh",
            &signature,
        ] {
            assert!(
                !last.message.contains(secret),
                "v{version}: {secret} leaked: {}",
                last.message
            );
        }
        assert!(last.message.contains("[redacted]"), "{}", last.message);
    }
}
