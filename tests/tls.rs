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
    let (status, last) = config.follow_err("twitterdev");
    assert_eq!(status, TwStatus::Tls);
    assert_eq!(
        last.message,
        format!(
            "TLS error with 127.0.0.1: unknown issuer: the server's certificate is neither one of the certificates in the CA file {UNRELATED_CA:?} nor signed by one of them"
        )
    );
}

/// tests/data/pinned: self-signed CA:TRUE certificates, as `openssl req -x509` makes them.
fn pinned(name: &str) -> String {
    format!("{}/tests/data/pinned/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// A server presenting tests/data/pinned/NAME.cert.pem.
fn pinned_server(name: &str) -> TlsServer {
    TlsServer::start_with(
        &pinned(&format!("{name}.cert.pem")),
        &pinned(&format!("{name}.key.pem")),
        OK_RESPONSE,
    )
}

/// A config for `server`, by IP address or by the name localhost, trusting `ca_file`.
fn config_trusting(server: &TlsServer, by_name: bool, ca_file: &str) -> Config {
    let host = if by_name { "localhost" } else { "127.0.0.1" };
    let config = Config::for_account(&format!("https://{host}:{}", server.addr.port()), 1);
    assert_eq!(set_ca_file(&config, ca_file), TwStatus::Ok, "{:?}", last());
    config
}

/// The refusal of a follow through `config`: TLS, nothing sent to `server`.
fn refusal(server: &TlsServer, config: &Config) -> String {
    let (status, last) = config.follow_err("twitterdev");
    assert_eq!(status, TwStatus::Tls, "{last:?}");
    assert_eq!((last.http_status, last.api_code), (0, 0));
    assert_eq!(
        server.requests.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "a request was sent over an untrusted connection"
    );
    last.message
}

#[test]
fn a_self_signed_ca_certificate_given_as_the_ca_file_is_trusted() {
    let server = pinned_server("localhost-ca");
    for by_name in [false, true] {
        let config = config_trusting(&server, by_name, &pinned("localhost-ca.cert.pem"));
        assert_eq!(
            config.follow("twitterdev", false).unwrap(),
            r#"{"id":1,"tls":true}"#
        );
    }
    // Among other certificates of the file too.
    let bundle = std::env::temp_dir().join(format!("twfollow-bundle-{}.pem", std::process::id()));
    let mut pem = std::fs::read_to_string(UNRELATED_CA).unwrap();
    pem += &std::fs::read_to_string(pinned("other-localhost-ca.cert.pem")).unwrap();
    pem += &std::fs::read_to_string(pinned("localhost-ca.cert.pem")).unwrap();
    std::fs::write(&bundle, pem).unwrap();
    let config = config_trusting(&server, false, bundle.to_str().unwrap());
    let answer = config.follow("twitterdev", false);
    std::fs::remove_file(&bundle).unwrap();
    assert_eq!(answer.unwrap(), r#"{"id":1,"tls":true}"#);
    assert_eq!(server.requests.load(std::sync::atomic::Ordering::SeqCst), 3);
}

#[test]
fn a_self_signed_ca_certificate_is_refused_without_the_ca_file() {
    let server = pinned_server("localhost-ca");
    let config = Config::for_account(&server.base_url(), 1);
    assert_eq!(
        refusal(&server, &config),
        "TLS error with 127.0.0.1: CA used as server certificate: the server presented a certificate authority's certificate as its own (for a self-signed server, give its certificate as the CA file)"
    );
}

#[test]
fn a_different_self_signed_certificate_is_refused() {
    let server = pinned_server("localhost-ca");
    let other = pinned("other-localhost-ca.cert.pem");
    for by_name in [false, true] {
        let config = config_trusting(&server, by_name, &other);
        let host = if by_name { "localhost" } else { "127.0.0.1" };
        assert_eq!(
            refusal(&server, &config),
            format!(
                "TLS error with {host}: CA used as server certificate: the server presented a certificate authority's certificate as its own, and it is not one of the certificates in the CA file {other:?} (only those are trusted as they are)"
            )
        );
    }
}

#[test]
fn an_expired_pinned_certificate_is_refused() {
    let server = pinned_server("expired-localhost-ca");
    let config = config_trusting(&server, false, &pinned("expired-localhost-ca.cert.pem"));
    assert_eq!(
        refusal(&server, &config),
        "TLS error with 127.0.0.1: expired: the server's certificate expired on Fri, 01 Jan 2021 00:00:00 GMT"
    );
}

#[test]
fn a_pinned_certificate_not_valid_yet_is_refused() {
    let server = pinned_server("future-localhost-ca");
    let config = config_trusting(&server, true, &pinned("future-localhost-ca.cert.pem"));
    assert_eq!(
        refusal(&server, &config),
        "TLS error with localhost: not yet valid: the server's certificate is valid only from Mon, 01 Jan 2120 00:00:00 GMT (is this computer's clock right?)"
    );
}

#[test]
fn a_pinned_certificate_for_another_name_is_refused() {
    let server = pinned_server("example-ca");
    for (by_name, host) in [(false, "127.0.0.1"), (true, "localhost")] {
        let config = config_trusting(&server, by_name, &pinned("example-ca.cert.pem"));
        assert_eq!(
            refusal(&server, &config),
            format!(
                "TLS error with {host}: name mismatch: the server's certificate is for example.com, not for {host}"
            )
        );
    }
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
