//! `http://` goes only to loopback, judged by the addresses a name resolves to
//! (issue 16, item 2), and a name ending in a dot is the same host everywhere.
//!
//! These tests cannot use DNS: the core's name lookup is injected as a table, the
//! way `localhost.` would come back from a resolver that asks DNS for it.

mod support;

use std::net::IpAddr;
use std::sync::atomic::Ordering;

use support::*;
use twfollow::core::{
    BaseUrl, CaFile, Client, Credentials, ErrorKind, NameLookup, ProxyChoice, Settings, Target,
};

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

/// A client for the sandbox's first account at `base`, names looked up in `table`.
fn client(base: &str, table: &[(&str, &[IpAddr])]) -> Client {
    let me = Account::builtin(1);
    let mut settings = Settings::new(Credentials {
        consumer_key: CONSUMER_KEY.into(),
        consumer_secret: CONSUMER_SECRET.into(),
        access_token: me.token.clone().into(),
        access_token_secret: me.token_secret.clone().into(),
    })
    .unwrap();
    settings.base_url = BaseUrl::parse(base).unwrap();
    let table = table
        .iter()
        .map(|(name, addrs)| (name.to_string(), addrs.to_vec()));
    settings.name_lookup = NameLookup::Table(table.collect());
    settings.proxy = ProxyChoice::Direct;
    Client::new(settings)
}

/// The sandbox's port, from its `http://127.0.0.1:PORT` URL.
fn port(sandbox: &Sandbox) -> String {
    sandbox.base_url().rsplit(':').next().unwrap().to_owned()
}

fn twitterdev() -> Target {
    Target::parse("twitterdev").unwrap()
}

#[test]
fn localhost_with_a_dot_works_only_when_it_resolves_to_loopback() {
    let sandbox = start_sandbox();
    let base = format!("http://localhost.:{}", port(&sandbox));

    // On loopback: sent, and signed for the name as written (the sandbox checks it).
    for loopback in [&[ip("127.0.0.1")][..], &[ip("127.0.0.1"), ip("::1")]] {
        let followed = client(&base, &[("localhost.", loopback)])
            .follow(&twitterdev(), false)
            .unwrap();
        assert_eq!(followed.http_status, 200);
    }
    assert_eq!(sandbox.request_count(), 2);

    // One address beyond loopback is enough to refuse, before anything is sent. The
    // loopback address comes first: had the call gone ahead, the sandbox would see it.
    for name in ["localhost.", "LOCALHOST."] {
        let err = client(&base, &[(name, &[ip("127.0.0.1"), ip("192.0.2.1")])])
            .follow(&twitterdev(), false)
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidArgument, "{err:?}");
        assert_eq!(err.http_status, 0);
        assert_eq!(
            err.message,
            "refused to send over plain http:// to localhost.: it resolves to 192.0.2.1, \
             which is not a loopback address (http:// is only for loopback; use https://)"
        );
    }
    assert_eq!(sandbox.request_count(), 2, "a request was sent");

    // `localhost` without the dot is held to the same rule.
    let base = format!("http://localhost:{}", port(&sandbox));
    let err = client(&base, &[("localhost", &[ip("::ffff:192.0.2.1")])])
        .follow(&twitterdev(), false)
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidArgument, "{err:?}");
    assert_eq!(sandbox.request_count(), 2, "a request was sent");
}

#[test]
fn a_refusal_is_not_retried() {
    let sandbox = start_sandbox();
    let base = format!("http://localhost.:{}", port(&sandbox));
    let mut client = client(&base, &[("localhost.", &[ip("127.0.0.1"), ip("10.0.0.1")])]);
    client.update(|s| s.set_max_retries(3)).unwrap();
    let started = std::time::Instant::now();
    let sent_before = twfollow::core::requests_sent_on_this_thread();
    let err = client.follow(&twitterdev(), false).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidArgument);
    assert!(!err.message.contains("retr"), "{}", err.message);
    assert!(started.elapsed() < std::time::Duration::from_millis(100));
    assert_eq!(sandbox.request_count(), 0);
    // Nothing left: the request counter agrees.
    assert_eq!(twfollow::core::requests_sent_on_this_thread(), sent_before);
}

/// https: the certificate for `localhost` matches `localhost.`, and the SNI name is
/// sent without the dot (RFC 6066), as rustls does it.
#[test]
fn tls_names_drop_the_trailing_dot() {
    const OK: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 8\r\nconnection: close\r\n\r\n{\"id\":1}";
    let server = TlsServer::start(OK);
    let mut client = client(
        &format!("https://localhost.:{}", server.addr.port()),
        &[("localhost.", &[ip("127.0.0.1")])],
    );
    client
        .update(|s| {
            s.ca_file = Some(CaFile::read(TEST_CERT)?);
            Ok(())
        })
        .unwrap();
    let followed = client.follow(&twitterdev(), false).unwrap();
    assert_eq!(followed.json.as_str(), r#"{"id":1}"#);
    assert_eq!(server.requests.load(Ordering::SeqCst), 1);
    assert_eq!(
        *server.server_names.lock().unwrap(),
        [Some("localhost".to_owned())]
    );
}
