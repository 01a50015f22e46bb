//! The wire trace through the C ABI (`tw_config_set_trace`): which kinds of line come,
//! in which order, for each request of a call; that the request lines are the bytes
//! the server received; that the traced base string is the one that was signed; and
//! that no secret reaches a line. (oauthlib's own base string is compared in
//! tests/python/test_oauthlib_verifies.py.)

mod support;

use std::ffi::{c_char, c_void, CStr};
use std::io::Write;
use std::ptr;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use support::*;
use twfollow::ffi::*;

type Lines = Mutex<Vec<(i32, String)>>;

unsafe extern "C" fn record(user_data: *mut c_void, kind: i32, line: *const c_char) {
    let lines = &*(user_data as *const Lines);
    let line = CStr::from_ptr(line).to_str().unwrap().to_owned();
    lines.lock().unwrap().push((kind, line));
}

/// Turns the trace of `config` on; the lines collect in the returned list.
fn traced(config: &Config) -> Arc<Lines> {
    let lines = Arc::new(Lines::default());
    let status =
        unsafe { tw_config_set_trace(config.0, Some(record), Arc::as_ptr(&lines) as *mut c_void) };
    assert_eq!(status, TwStatus::Ok, "{:?}", last());
    lines
}

const REQUEST_LINE: i32 = TwTraceKind::RequestLine as i32;
const REQUEST_HEADER: i32 = TwTraceKind::RequestHeader as i32;
const BASE_STRING: i32 = TwTraceKind::BaseString as i32;
const RESPONSE_STATUS: i32 = TwTraceKind::ResponseStatus as i32;
const RESPONSE_HEADER: i32 = TwTraceKind::ResponseHeader as i32;
const RESPONSE_BODY: i32 = TwTraceKind::ResponseBody as i32;
const INFO: i32 = TwTraceKind::Info as i32;

fn take_lines(lines: &Lines) -> Vec<(i32, String)> {
    std::mem::take(&mut *lines.lock().unwrap())
}

/// The kinds in order, with runs of the same kind folded into one.
fn kind_runs(lines: &[(i32, String)]) -> Vec<i32> {
    let mut runs: Vec<i32> = lines.iter().map(|(kind, _)| *kind).collect();
    runs.dedup();
    runs
}

fn of_kind(lines: &[(i32, String)], kind: i32) -> Vec<&str> {
    lines
        .iter()
        .filter(|(k, _)| *k == kind)
        .map(|(_, line)| line.as_str())
        .collect()
}

/// The request heads the trace shows, as the text a server reads (CRLF lines, blank line last).
fn traced_heads(lines: &[(i32, String)]) -> Vec<String> {
    let mut heads: Vec<String> = Vec::new();
    for (kind, line) in lines {
        match *kind {
            REQUEST_LINE => heads.push(format!("{line}\r\n")),
            REQUEST_HEADER => heads.last_mut().unwrap().push_str(&format!("{line}\r\n")),
            _ => {}
        }
    }
    for head in &mut heads {
        head.push_str("\r\n");
    }
    heads
}

/// `oauth_signature` of a traced `authorization` header, percent-decoded.
fn signature_in(lines: &[(i32, String)]) -> String {
    let header = of_kind(lines, REQUEST_HEADER)
        .into_iter()
        .find(|h| h.starts_with("authorization: OAuth "))
        .expect("an OAuth authorization header");
    let encoded = header
        .split("oauth_signature=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    percent_encoding::percent_decode_str(encoded)
        .decode_utf8()
        .unwrap()
        .into_owned()
}

fn hmac_sha1(consumer_secret: &str, token_secret: &str, text: &str) -> String {
    let enc = |s: &str| {
        percent_encoding::utf8_percent_encode(s, twfollow::core::wire::percent::OAUTH_ENCODE_SET)
            .to_string()
    };
    let key = format!("{}&{}", enc(consumer_secret), enc(token_secret));
    let mut mac = Hmac::<Sha1>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(text.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[test]
fn a_refused_follow_traces_every_kind_in_order_and_the_signed_base_string() {
    let body = br#"{"errors":[{"code":32,"message":"Could not authenticate you."}]}"#;
    let server = Scripted::respond(401, "content-type: application/json\r\n", body);
    let config = Config::new(
        "ck-trace",
        "cs/trace secret",
        "42-at-trace",
        "ts&trace=secret",
    );
    assert_eq!(config.set_base_url(&server.base_url()), TwStatus::Ok);
    let lines = traced(&config);
    let (status, last) = config.follow_err("@twitterdev");
    assert_eq!((status, last.api_code), (TwStatus::Auth, 32));
    let lines = take_lines(&lines);

    assert_eq!(
        kind_runs(&lines),
        [
            BASE_STRING,
            INFO,
            REQUEST_LINE,
            REQUEST_HEADER,
            RESPONSE_STATUS,
            RESPONSE_HEADER,
            RESPONSE_BODY,
            INFO
        ],
        "{lines:#?}"
    );
    assert_eq!(
        of_kind(&lines, INFO)[0],
        format!("connected to {}", server.base_url())
    );
    // The request lines are the bytes the server read, header for header.
    let seen = server.requests();
    assert_eq!(traced_heads(&lines), [seen[0].head.clone()]);
    assert_eq!(
        of_kind(&lines, REQUEST_LINE),
        ["POST /1.1/friendships/create.json HTTP/1.1"]
    );
    // The base string is the one signed: its HMAC is the signature that was sent.
    let base = of_kind(&lines, BASE_STRING)[0];
    assert!(
        base.starts_with(&format!(
            "POST&{}%2F1.1%2Ffriendships%2Fcreate.json&follow%3Dfalse%26oauth_consumer_key%3Dck-trace%26oauth_nonce%3D",
            percent_encoding::utf8_percent_encode(
                &server.base_url(),
                twfollow::core::wire::percent::OAUTH_ENCODE_SET
            )
        )),
        "{base}"
    );
    assert!(base.ends_with("%26screen_name%3Dtwitterdev"), "{base}");
    assert_eq!(
        hmac_sha1("cs/trace secret", "ts&trace=secret", base),
        signature_in(&lines)
    );
    assert_eq!(
        of_kind(&lines, RESPONSE_STATUS),
        ["HTTP/1.1 401 Unauthorized"]
    );
    assert_eq!(
        of_kind(&lines, RESPONSE_HEADER),
        [
            format!("content-length: {}", body.len()),
            "content-type: application/json".to_owned()
        ]
    );
    assert_eq!(
        of_kind(&lines, RESPONSE_BODY),
        [std::str::from_utf8(body).unwrap()]
    );
    assert_eq!(
        of_kind(&lines, INFO)[1],
        "HTTP 401, error 32: Could not authenticate you."
    );
    for (_, line) in &lines {
        for secret in ["cs/trace secret", "cs%2Ftrace%20secret", "ts&trace=secret"] {
            assert!(!line.contains(secret), "{line}");
        }
    }
}

#[test]
fn successes_show_no_body_and_a_kept_connection_is_not_announced_again() {
    let sandbox = start_sandbox();
    let config = Config::for_sandbox(&sandbox);
    let lines = traced(&config);
    config.follow("twitterdev", false).unwrap();
    config.follow("2244994945", true).unwrap();
    let lines = take_lines(&lines);
    assert_eq!(
        kind_runs(&lines),
        [
            BASE_STRING,
            INFO,
            REQUEST_LINE,
            REQUEST_HEADER,
            RESPONSE_STATUS,
            RESPONSE_HEADER,
            BASE_STRING,
            REQUEST_LINE,
            REQUEST_HEADER,
            RESPONSE_STATUS,
            RESPONSE_HEADER
        ],
        "{lines:#?}"
    );
    assert_eq!(of_kind(&lines, RESPONSE_STATUS), ["HTTP/1.1 200 OK"; 2]);
    let bases = of_kind(&lines, BASE_STRING);
    assert!(bases[1].contains("follow%3Dtrue") && bases[1].contains("user_id%3D2244994945"));
}

#[test]
fn a_v2_follow_traces_the_lookup_then_the_follow() {
    let sandbox = start_sandbox();
    let config = Config::for_sandbox(&sandbox);
    assert_eq!(config.set_api_version(2), TwStatus::Ok);
    let lines = traced(&config);
    config.follow("@twitterdev", false).unwrap();
    let lines = take_lines(&lines);
    assert_eq!(
        of_kind(&lines, REQUEST_LINE),
        [
            "GET /2/users/by/username/twitterdev HTTP/1.1",
            "POST /2/users/1500000001/following HTTP/1.1"
        ]
    );
    let bases = of_kind(&lines, BASE_STRING);
    assert_eq!(bases.len(), 2);
    assert!(bases[0].starts_with("GET&"), "{}", bases[0]);
    // A JSON body is not signed: the follow's base string has only oauth_* parameters.
    assert!(bases[1].starts_with("POST&"), "{}", bases[1]);
    assert!(!bases[1].contains("target_user_id"), "{}", bases[1]);
    // Each base string comes before its own request line.
    let order: Vec<i32> = lines
        .iter()
        .map(|(k, _)| *k)
        .filter(|k| [BASE_STRING, REQUEST_LINE].contains(k))
        .collect();
    assert_eq!(
        order,
        [BASE_STRING, REQUEST_LINE, BASE_STRING, REQUEST_LINE]
    );
}

#[test]
fn retries_and_clock_corrections_are_traced_and_each_attempt_signed_afresh() {
    // Two 503s, then the follow.
    let sandbox = Sandbox::start(
        SandboxConfig {
            fail_first: 2,
            ..Default::default()
        },
        0,
    )
    .unwrap();
    let config = Config::for_sandbox(&sandbox);
    unsafe { assert_eq!(tw_config_set_max_retries(config.0, 3), TwStatus::Ok) };
    let lines = traced(&config);
    config.follow("twitterdev", false).unwrap();
    let lines = take_lines(&lines);
    assert_eq!(of_kind(&lines, RESPONSE_STATUS).len(), 3);
    let infos = of_kind(&lines, INFO);
    let retries: Vec<&&str> = infos
        .iter()
        .filter(|l| l.starts_with("retrying in "))
        .collect();
    assert_eq!(retries.len(), 2, "{infos:?}");
    assert!(
        retries[0].ends_with("ms (retry 1 of at most 3)"),
        "{}",
        retries[0]
    );
    let bases = of_kind(&lines, BASE_STRING);
    assert_eq!(bases.len(), 3);
    assert!(bases[0] != bases[1] && bases[1] != bases[2], "fresh nonces");
    // Each request's base string is the one its signature signs.
    let account = Account::builtin(1);
    let signatures: Vec<String> = traced_heads(&lines)
        .iter()
        .map(|head| {
            let header = head
                .lines()
                .find(|l| l.starts_with("authorization: "))
                .unwrap();
            signature_in(&[(REQUEST_HEADER, header.to_owned())])
        })
        .collect();
    for (base, signature) in bases.iter().zip(&signatures) {
        assert_eq!(
            &hmac_sha1(CONSUMER_SECRET, &account.token_secret, base),
            signature
        );
    }
    // The sandbox saw the three requests the trace shows.
    let seen: Vec<u16> = sandbox.requests().iter().map(|r| r.status).collect();
    assert_eq!(seen, [503, 503, 200]);

    // A server an hour ahead: refused once (code 135), then signed again.
    let skewed = Sandbox::start(
        SandboxConfig {
            clock_skew_secs: 3600,
            ..Default::default()
        },
        0,
    )
    .unwrap();
    let config = Config::for_sandbox(&skewed);
    let lines = traced(&config);
    config.follow("twitterdev", false).unwrap();
    let lines = take_lines(&lines);
    assert_eq!(
        of_kind(&lines, RESPONSE_STATUS),
        ["HTTP/1.1 401 Unauthorized", "HTTP/1.1 200 OK"]
    );
    let clock = of_kind(&lines, INFO)
        .into_iter()
        .find(|l| l.starts_with("the server's clock is "))
        .expect("a clock note");
    assert!(
        clock.ends_with(" s from ours: signing again with the corrected timestamp"),
        "{clock}"
    );
    let bases = of_kind(&lines, BASE_STRING);
    let timestamp = |base: &str| -> i64 {
        base.split("oauth_timestamp%3D").nth(1).unwrap()[..10]
            .parse()
            .unwrap()
    };
    assert!((timestamp(bases[1]) - timestamp(bases[0]) - 3600).abs() <= 5);
}

#[test]
fn a_failure_before_any_response_is_a_note() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let config = Config::for_account(&url, 1);
    let lines = traced(&config);
    let (status, last) = config.follow_err("twitterdev");
    assert_eq!(status, TwStatus::Network);
    let lines = take_lines(&lines);
    assert_eq!(kind_runs(&lines), [BASE_STRING, INFO], "{lines:#?}");
    assert_eq!(of_kind(&lines, INFO), [last.message.as_str()]);
}

/// The body lines and notes of a follow answered 500 with `body`, by a config whose
/// access-token secret is `secret`.
fn body_trace(body: Vec<u8>, secret: &str) -> (Vec<String>, Vec<String>) {
    let body: &'static [u8] = Box::leak(body.into_boxed_slice());
    let server = Scripted::respond(500, "", body);
    let config = Config::new("ck", "cs-000000", "1-at", secret);
    assert_eq!(config.set_base_url(&server.base_url()), TwStatus::Ok);
    let lines = traced(&config);
    config.follow_err("twitterdev");
    let lines = take_lines(&lines);
    let owned = |kind| {
        of_kind(&lines, kind)
            .into_iter()
            .map(str::to_owned)
            .collect()
    };
    (owned(RESPONSE_BODY), owned(INFO))
}

#[test]
fn a_long_error_body_is_redacted_before_it_is_cut() {
    // A secret straddling the 1024-byte cut must not leave its head behind.
    let secret = "ts-secret-straddling-the-cut";
    let body = format!("{}{secret}{}", "x".repeat(1010), "y".repeat(100));
    let (shown, notes) = body_trace(body.clone().into_bytes(), secret);
    assert_eq!(shown, [format!("{}[redacted]yyyy", "x".repeat(1010))]);
    assert!(
        notes.contains(&format!(
            "(body cut: the first 1024 of {} bytes shown)",
            body.len()
        )),
        "{notes:?}"
    );
}

#[test]
fn body_lines_have_their_control_characters_escaped() {
    let (shown, _) = body_trace(b"a\x1b[2Jb\r\nsecond\0line\n\xff".to_vec(), "ts-000000");
    assert_eq!(shown, ["a\\u{1b}[2Jb", "second\\u{0}line", "\u{fffd}"]);
}

#[test]
fn a_proxy_password_never_shows_and_the_connect_request_is_traced() {
    let sandbox = start_sandbox();
    let proxy = TunnelProxy::connect();
    let config = Config::for_sandbox(&sandbox);
    let password = "p@ss w/rd:é";
    let encoded_password = "p%40ss%20w%2Frd%3A%C3%A9";
    let url = cstr(&format!(
        "http://proxy-user:{encoded_password}@{}",
        proxy.addr
    ));
    assert_eq!(
        unsafe { tw_config_set_proxy(config.0, url.as_ptr()) },
        TwStatus::Ok
    );
    let lines = traced(&config);
    config.follow("twitterdev", false).unwrap();
    let lines = take_lines(&lines);
    let shown_proxy = format!("http://proxy-user:[redacted]@{}", proxy.addr);
    let infos = of_kind(&lines, INFO);
    assert_eq!(
        infos,
        [
            format!("connected to the proxy {shown_proxy}"),
            format!(
                "connected to {} through the proxy {shown_proxy}",
                sandbox.base_url()
            )
        ]
    );
    let requests = of_kind(&lines, REQUEST_LINE);
    assert_eq!(requests.len(), 2, "{lines:#?}");
    assert!(
        requests[0].starts_with("CONNECT 127.0.0.1:"),
        "{}",
        requests[0]
    );
    assert_eq!(requests[1], "POST /1.1/friendships/create.json HTTP/1.1");
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("proxy-user:{password}"));
    assert!(of_kind(&lines, REQUEST_HEADER).contains(
        &format!(
            "Proxy-Authorization: Basic [redacted] ({} characters)",
            basic.len()
        )
        .as_str()
    ));
    for (_, line) in &lines {
        for form in [password, encoded_password, "p%40ss", basic.as_str()] {
            assert!(!line.contains(form), "{form} in {line}");
        }
    }
}

#[test]
fn a_bearer_token_shows_its_first_four_characters_and_length_only() {
    let sandbox = start_sandbox();
    let config = oauth2_config(&sandbox.base_url(), true);
    let lines = traced(&config);
    let tokens = sign_in(&config);
    config.follow("twitterdev", false).unwrap();
    let lines = take_lines(&lines);
    let access = tokens["access_token"].as_str().unwrap();
    let refresh = tokens["refresh_token"].as_str().unwrap();
    // The code exchange, the token's user, the lookup, the follow.
    let requests = of_kind(&lines, REQUEST_LINE);
    assert_eq!(
        requests[..3],
        [
            "POST /2/oauth2/token HTTP/1.1",
            "GET /2/users/me HTTP/1.1",
            "GET /2/users/by/username/twitterdev HTTP/1.1",
        ]
    );
    assert!(
        requests[3].starts_with("POST /2/users/") && requests[3].ends_with("/following HTTP/1.1"),
        "{requests:?}"
    );
    assert!(of_kind(&lines, BASE_STRING).is_empty(), "nothing is signed");
    let bearer = format!(
        "authorization: Bearer {}... ({} characters)",
        &access[..4],
        access.len()
    );
    let authorizations: Vec<&str> = of_kind(&lines, REQUEST_HEADER)
        .into_iter()
        .filter(|h| h.starts_with("authorization: "))
        .collect();
    assert_eq!(authorizations.len(), 4);
    assert!(
        authorizations[0].starts_with("authorization: Basic [redacted] ("),
        "{}",
        authorizations[0]
    );
    assert_eq!(authorizations[1..], [bearer.as_str(); 3]);
    for (_, line) in &lines {
        for secret in [
            access,
            &access[..access.len() / 2],
            refresh,
            OAUTH2_CLIENT_SECRET,
        ] {
            assert!(!line.contains(secret), "{line}");
        }
    }
}

/// A server that answers 401 with every byte of the request echoed back, in a header
/// and in a JSON body (JSON-escaped, `/` as `\/`).
fn echo_server() -> Scripted {
    Scripted::start(|request, out| {
        let echoed = format!("{}{}", request.head, String::from_utf8_lossy(&request.body));
        let body = serde_json::json!({ "errors": [{ "code": 89, "message": echoed }] })
            .to_string()
            .replace('/', "\\/");
        let header_echo: String = echoed
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let _ = write!(
            out,
            "HTTP/1.1 401 X\r\nx-echo: {header_echo}\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
    })
}

#[test]
fn an_echoing_server_cannot_put_a_token_into_the_trace() {
    // A Bearer follow against a server that echoes the request: the token comes back
    // in a header and a body, and is redacted in both.
    let sandbox = start_sandbox();
    let config = oauth2_config(&sandbox.base_url(), true);
    let tokens = sign_in(&config);
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    let echo = echo_server();
    assert_eq!(config.set_base_url(&echo.base_url()), TwStatus::Ok);
    let lines = traced(&config);
    // GET 2/users/me is refused; the library refreshes (refused too, echoing the
    // refresh token and the client's Basic credentials back).
    let (status, _) = config.follow_err("twitterdev");
    assert_eq!(status, TwStatus::Auth);
    let lines = take_lines(&lines);
    let echoed = of_kind(&lines, RESPONSE_HEADER)
        .into_iter()
        .find(|h| h.starts_with("x-echo: "))
        .expect("the echo header");
    assert!(
        echoed.contains("authorization: Bearer [redacted]"),
        "{echoed}"
    );
    assert!(!of_kind(&lines, RESPONSE_BODY).is_empty());
    assert!(of_kind(&lines, RESPONSE_BODY)
        .iter()
        .any(|l| l.contains("Bearer [redacted]")));
    assert_eq!(
        of_kind(&lines, REQUEST_LINE),
        ["GET /2/users/me HTTP/1.1", "POST /2/oauth2/token HTTP/1.1"]
    );
    let basic = echo.requests()[1]
        .head
        .lines()
        .find_map(|l| l.strip_prefix("authorization: Basic "))
        .unwrap()
        .to_owned();
    for (_, line) in &lines {
        for secret in [
            &access,
            &access[4..],
            &refresh,
            &basic,
            OAUTH2_CLIENT_SECRET,
        ] {
            assert!(!line.contains(secret), "{line}");
        }
    }
    // The requests did carry them: the echo is real.
    let seen = echo.requests();
    assert!(seen[0].head.contains(&access));
    assert!(String::from_utf8_lossy(&seen[1].body).contains(&refresh));
}

#[test]
fn removing_the_trace_stops_it_and_a_null_config_is_refused() {
    let sandbox = start_sandbox();
    let config = Config::for_sandbox(&sandbox);
    let lines = traced(&config);
    config.follow("twitterdev", false).unwrap();
    assert!(!take_lines(&lines).is_empty());
    assert_eq!(
        unsafe { tw_config_set_trace(config.0, None, ptr::null_mut()) },
        TwStatus::Ok
    );
    config.follow("twitterdev", false).unwrap();
    assert!(take_lines(&lines).is_empty());
    assert_eq!(
        unsafe { tw_config_set_trace(ptr::null_mut(), Some(record), ptr::null_mut()) },
        TwStatus::NullArgument
    );
    assert_eq!(last().message, "config is NULL");
}

#[test]
fn threads_each_see_their_own_calls_lines_in_order() {
    let sandbox = start_sandbox();
    let config = Config::for_sandbox(&sandbox);
    type PerThread = Mutex<Vec<(std::thread::ThreadId, i32)>>;
    unsafe extern "C" fn by_thread(user_data: *mut c_void, kind: i32, _: *const c_char) {
        let seen = &*(user_data as *const PerThread);
        seen.lock()
            .unwrap()
            .push((std::thread::current().id(), kind));
    }
    let seen = Arc::new(PerThread::default());
    assert_eq!(
        unsafe {
            tw_config_set_trace(config.0, Some(by_thread), Arc::as_ptr(&seen) as *mut c_void)
        },
        TwStatus::Ok
    );
    let ids: Vec<std::thread::ThreadId> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                scope.spawn(|| {
                    for _ in 0..5 {
                        config.follow("twitterdev", false).unwrap();
                    }
                    std::thread::current().id()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let seen = seen.lock().unwrap();
    for id in ids {
        let kinds: Vec<i32> = seen
            .iter()
            .filter(|(t, _)| *t == id)
            .map(|(_, k)| *k)
            .collect();
        let mut runs = kinds.clone();
        runs.dedup();
        // Each call: base string, [a new connection,] request, response.
        let calls: Vec<&[i32]> = runs.split_inclusive(|k| *k == RESPONSE_HEADER).collect();
        assert_eq!(calls.len(), 5, "{runs:?}");
        for call in calls {
            let without_info: Vec<i32> = call.iter().copied().filter(|k| *k != INFO).collect();
            assert_eq!(
                without_info,
                [
                    BASE_STRING,
                    REQUEST_LINE,
                    REQUEST_HEADER,
                    RESPONSE_STATUS,
                    RESPONSE_HEADER
                ]
            );
        }
    }
}

#[test]
fn over_https_the_trace_shows_the_plaintext_request() {
    let server = TlsServer::start(
        b"HTTP/1.1 403 Forbidden\r\ncontent-length: 51\r\nconnection: close\r\n\r\n{\"errors\":[{\"code\":158,\"message\":\"Not yourself.\"}]}",
    );
    let config = Config::for_account(&server.base_url(), 1);
    let ca = cstr(TEST_CERT);
    assert_eq!(
        unsafe { tw_config_set_ca_file(config.0, ca.as_ptr()) },
        TwStatus::Ok
    );
    let lines = traced(&config);
    let (status, _) = config.follow_err("twitterdev");
    assert_eq!(status, TwStatus::Forbidden);
    let lines = take_lines(&lines);
    assert_eq!(
        of_kind(&lines, INFO)[0],
        format!("connected to {}", server.base_url())
    );
    assert_eq!(
        of_kind(&lines, REQUEST_LINE),
        ["POST /1.1/friendships/create.json HTTP/1.1"]
    );
    assert!(of_kind(&lines, REQUEST_HEADER)
        .contains(&"content-type: application/x-www-form-urlencoded"));
    assert_eq!(of_kind(&lines, RESPONSE_STATUS), ["HTTP/1.1 403 Forbidden"]);
    assert_eq!(
        of_kind(&lines, RESPONSE_BODY),
        [r#"{"errors":[{"code":158,"message":"Not yourself."}]}"#]
    );
}

#[test]
fn a_credential_with_white_space_at_an_end_gets_a_note() {
    let sandbox = start_sandbox();
    let account = Account::builtin(1);
    let config = Config::new(
        CONSUMER_KEY,
        CONSUMER_SECRET,
        &account.token,
        &format!("{}\n", account.token_secret),
    );
    assert_eq!(config.set_base_url(&sandbox.base_url()), TwStatus::Ok);
    let lines = traced(&config);
    let (status, last) = config.follow_err("twitterdev");
    assert_eq!((status, last.api_code), (TwStatus::Auth, 32));
    let lines = take_lines(&lines);
    assert_eq!(
        of_kind(&lines, INFO)[0],
        "note: the access-token secret has white space at its end (a line break or a space?): \
         it is signed as given, so a server that has it without signs differently"
    );
    assert_eq!(lines[1].0, INFO, "right after the base string");
    // Without the line break: no note.
    let config = Config::for_sandbox(&sandbox);
    let lines = traced(&config);
    config.follow("twitterdev", false).unwrap();
    assert!(!take_lines(&lines)
        .iter()
        .any(|(_, line)| line.starts_with("note: ")));
}

#[test]
fn unfollow_and_relationship_are_traced_and_their_base_strings_signed() {
    let sandbox = start_sandbox();
    let config = Config::for_sandbox(&sandbox);
    assert_eq!(config.set_api_version(2), TwStatus::Ok);
    let lines = traced(&config);
    config.unfollow("2244994945").unwrap();
    config.relationship("2244994945").unwrap();
    let lines = take_lines(&lines);
    assert_eq!(
        of_kind(&lines, REQUEST_LINE),
        [
            "DELETE /2/users/1500000001/following/2244994945 HTTP/1.1",
            "GET /2/users/2244994945?user.fields=connection_status HTTP/1.1"
        ]
    );
    let bases = of_kind(&lines, BASE_STRING);
    assert!(bases[0].starts_with("DELETE&"), "{}", bases[0]);
    // The query is signed: it is in the base string.
    assert!(
        bases[1].contains("user.fields%3Dconnection_status"),
        "{}",
        bases[1]
    );
    let account = Account::builtin(1);
    let headers: Vec<(i32, String)> = lines
        .iter()
        .filter(|(k, l)| *k == REQUEST_HEADER && l.starts_with("authorization: "))
        .cloned()
        .collect();
    for (base, header) in bases.iter().zip(&headers) {
        assert_eq!(
            hmac_sha1(CONSUMER_SECRET, &account.token_secret, base),
            signature_in(std::slice::from_ref(header))
        );
    }
}

#[test]
fn an_oauth_verifier_never_shows_in_the_trace() {
    // The access-token step against a server that echoes the request: the verifier is
    // sent in the Authorization header and signed (percent-encoded twice in the base
    // string), and no line shows it, however it is spelt or however short it is.
    let echo = echo_server();
    let mut out = ptr::null_mut();
    let (key, secret) = (cstr("trace-consumer-key"), cstr("trace-consumer-secret"));
    let status = unsafe { tw_config_new_app(key.as_ptr(), secret.as_ptr(), &mut out) };
    assert_eq!(status, TwStatus::Ok, "{:?}", last());
    let config = Config(out);
    assert_eq!(config.set_base_url(&echo.base_url()), TwStatus::Ok);
    let lines = traced(&config);
    let encodings = |v: &str| {
        let once = v
            .replace('/', "%2F")
            .replace('+', "%2B")
            .replace('=', "%3D");
        [v.to_owned(), once.clone(), once.replace('%', "%25")]
    };
    for (n, verifier) in [
        "Vq7-verifier-of-the-callback",
        "Vq7/verifier+of=the-callback",
        "4711",
    ]
    .into_iter()
    .enumerate()
    {
        let (token, token_secret, v) = (
            cstr("request-token"),
            cstr("request-token-secret"),
            cstr(verifier),
        );
        let mut json = ptr::null_mut();
        let status = unsafe {
            tw_oauth1_access_token(
                config.0,
                token.as_ptr(),
                token_secret.as_ptr(),
                v.as_ptr(),
                &mut json,
            )
        };
        assert_eq!(status, TwStatus::Auth, "{:?}", last());
        let lines = take_lines(&lines);
        assert!(of_kind(&lines, REQUEST_HEADER)
            .iter()
            .any(|h| h.contains(r#"oauth_verifier="[redacted]""#)));
        let base_strings = of_kind(&lines, BASE_STRING);
        assert!(base_strings
            .iter()
            .all(|b| b.contains("oauth_verifier%3D[redacted]%26")));
        for (_, line) in &lines {
            for shown in encodings(verifier) {
                let places = [
                    "",
                    "oauth_verifier%3D",
                    "oauth_verifier=\"",
                    "oauth_verifier=",
                ];
                // A short verifier may stand inside other text by chance: checked in its places.
                let places = if verifier.len() < 6 {
                    &places[1..]
                } else {
                    &places[..1]
                };
                for place in places {
                    assert!(!line.contains(&format!("{place}{shown}")), "{line}");
                }
            }
        }
        // It was sent: the echo is real.
        assert!(echo.requests()[n].head.contains(&encodings(verifier)[1]));
    }
    assert!(!last().message.contains("4711"), "{:?}", last());
}
