//! TLS: verification is on and cannot be turned off; a CA file makes a private server trusted.

mod support;

use support::*;
use twfollow::ffi::*;

const OK_RESPONSE: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 19\r\nconnection: close\r\n\r\n{\"id\":1,\"tls\":true}";

fn set_ca_file(config: &Config, path: &str) -> TwStatus {
    let path = cstr(path);
    unsafe { tw_config_set_ca_file(config.0, path.as_ptr()) }
}

#[test]
fn self_signed_server_is_refused_by_default() {
    let server = TlsServer::start(OK_RESPONSE);
    let config = Config::for_account(&server.base_url(), 1);
    let (status, last) = config.follow_err("twitterdev");
    assert_eq!(status, TwStatus::Tls, "{last:?}");
    assert!(
        last.message.starts_with("TLS error with 127.0.0.1"),
        "{}",
        last.message
    );
    assert_eq!(
        server.requests.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "a request was sent over an untrusted connection"
    );
}

#[test]
fn a_ca_file_makes_it_trusted() {
    let server = TlsServer::start(OK_RESPONSE);
    let config = Config::for_account(&server.base_url(), 1);
    assert_eq!(
        set_ca_file(&config, TEST_CERT),
        TwStatus::Ok,
        "{:?}",
        last()
    );
    assert_eq!(
        config.follow("twitterdev", false).unwrap(),
        r#"{"id":1,"tls":true}"#
    );
    // By host name too: the certificate names localhost.
    assert_eq!(
        config.set_base_url(&format!("https://localhost:{}", server.addr.port())),
        TwStatus::Ok
    );
    assert_eq!(
        config.follow("twitterdev", false).unwrap(),
        r#"{"id":1,"tls":true}"#
    );
}

#[test]
fn an_unrelated_ca_does_not_help() {
    let server = TlsServer::start(OK_RESPONSE);
    let config = Config::for_account(&server.base_url(), 1);
    assert_eq!(set_ca_file(&config, UNRELATED_CA), TwStatus::Ok);
    assert_eq!(config.follow_err("twitterdev").0, TwStatus::Tls);
}

#[test]
fn bad_ca_files_are_refused_and_change_nothing() {
    let server = TlsServer::start(OK_RESPONSE);
    let config = Config::for_account(&server.base_url(), 1);
    assert_eq!(set_ca_file(&config, TEST_CERT), TwStatus::Ok);
    let not_pem = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    for (path, start) in [
        (
            "/nonexistent/ca.pem",
            "cannot read CA file \"/nonexistent/ca.pem\"",
        ),
        (not_pem, "CA file"),
        (
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/localhost.key.pem"),
            "CA file",
        ),
    ] {
        assert_eq!(
            set_ca_file(&config, path),
            TwStatus::InvalidArgument,
            "{path}"
        );
        assert!(last().message.starts_with(start), "{}", last().message);
    }
    unsafe {
        assert_eq!(
            tw_config_set_ca_file(std::ptr::null_mut(), cstr(TEST_CERT).as_ptr()),
            TwStatus::NullArgument
        );
        assert_eq!(
            tw_config_set_ca_file(config.0, std::ptr::null()),
            TwStatus::NullArgument
        );
        assert_eq!(
            tw_config_set_ca_file(config.0, c"\xff".as_ptr()),
            TwStatus::InvalidUtf8
        );
    }
    // The earlier, good CA file is still in force.
    config.follow("twitterdev", false).unwrap();
}

#[test]
fn a_redirect_from_https_to_http_is_not_followed() {
    let plain = Scripted::respond(200, "", br#"{"id":2}"#);
    let response: &'static [u8] = Box::leak(
        format!(
            "HTTP/1.1 301 Moved\r\nlocation: http://{}/1.1/friendships/create.json\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
            plain.addr
        )
        .into_bytes()
        .into_boxed_slice(),
    );
    let server = TlsServer::start(response);
    let config = Config::for_account(&server.base_url(), 1);
    assert_eq!(set_ca_file(&config, TEST_CERT), TwStatus::Ok);
    let (status, last) = config.follow_err("twitterdev");
    assert_eq!((status, last.http_status), (TwStatus::HttpError, 301));
    assert!(plain.requests().is_empty(), "the http origin was contacted");
}
