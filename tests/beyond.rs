//! Beyond the peers: clock-skew self-correction, rate-limit visibility, and the
//! follow outcome (active or pending) without parsing JSON.

mod support;

use std::ptr;

use support::sandbox::{PROTECTED_USER, PUBLIC_USER};
use support::*;
use twfollow::ffi::*;

fn skewed_sandbox(seconds: i64) -> Sandbox {
    Sandbox::start(
        SandboxConfig {
            clock_skew_secs: seconds,
            ..Default::default()
        },
        0,
    )
    .unwrap()
}

#[test]
fn a_drifting_clock_is_corrected_once_and_remembered() {
    for skew in [3600, -3600] {
        let sandbox = skewed_sandbox(skew);
        let config = Config::for_sandbox(&sandbox);
        config
            .follow(PUBLIC_USER.0, false)
            .unwrap_or_else(|e| panic!("skew {skew}: {e:?}"));
        let seen: Vec<(u16, i32)> = sandbox
            .requests()
            .iter()
            .map(|r| (r.status, r.api_code))
            .collect();
        assert_eq!(
            seen,
            [(401, 135), (200, 0)],
            "skew {skew}: refused once, then signed afresh"
        );
        // Later calls use the learnt offset: one request each.
        config.follow(PUBLIC_USER.0, false).unwrap();
        assert_eq!(sandbox.request_count(), 3, "skew {skew}");
        // The two attempts used different nonces (the sandbox refuses replays) and the
        // retried timestamp is within its 300 s window.
    }
}

#[test]
fn an_unfixable_clock_error_says_it_retried() {
    // A server that refuses every timestamp, with a Date: the one retry fails too.
    let server = Scripted::respond(
        401,
        "date: Fri, 12 Feb 2021 03:43:02 GMT\r\n",
        br#"{"errors":[{"code":135,"message":"Timestamp out of bounds."}]}"#,
    );
    let config = Config::for_account(&server.base_url(), 1);
    let (status, last) = config.follow_err("twitterdev");
    assert_eq!((status, last.api_code), (TwStatus::Auth, 135));
    assert!(
        last.message.contains("after correcting the clock by -"),
        "{}",
        last.message
    );
    assert!(
        last.message.ends_with("s and retrying once)"),
        "{}",
        last.message
    );
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn without_a_date_there_is_no_retry() {
    let server = Scripted::respond(
        401,
        "",
        br#"{"errors":[{"code":135,"message":"Timestamp out of bounds."}]}"#,
    );
    let config = Config::for_account(&server.base_url(), 1);
    assert_eq!(config.follow_err("twitterdev").0, TwStatus::Auth);
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn rate_limit_headers_are_exposed() {
    let reset = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 600;
    let headers = format!(
        "x-rate-limit-limit: 50\r\nx-rate-limit-remaining: 0\r\nx-rate-limit-reset: {reset}\r\n"
    );
    let limited = Scripted::respond(
        429,
        &headers,
        br#"{"errors":[{"code":88,"message":"Rate limit exceeded"}]}"#,
    );
    let config = Config::for_account(&limited.base_url(), 1);
    let (status, failed) = config.follow_err("twitterdev");
    assert_eq!((status, failed.api_code), (TwStatus::RateLimited, 88));
    assert!(
        failed.message.starts_with(&format!(
            "HTTP 429, error 88: Rate limit exceeded; the 15-minute rate-limit window is spent (0 of 50 left), it resets at {reset} (in "
        )),
        "{}",
        failed.message
    );
    assert_eq!(rate_limit(), (TwStatus::Ok, [50, 0, reset as i64]));
    assert_eq!(last(), failed, "the getter leaves the last error alone");
    assert_eq!(
        unsafe { tw_last_rate_limit(ptr::null_mut(), ptr::null_mut(), ptr::null_mut()) },
        TwStatus::Ok
    );

    let headers: &'static str = Box::leak(format!("x-rate-limit-limit: 400\r\nx-rate-limit-remaining: 399\r\nx-rate-limit-reset: {reset}\r\n").into_boxed_str());
    let fine = Scripted::respond(200, headers, br#"{"id":1}"#);
    Config::for_account(&fine.base_url(), 1)
        .follow("twitterdev", false)
        .unwrap();
    assert_eq!(rate_limit(), (TwStatus::Ok, [400, 399, reset as i64]));

    // The v1.1 endpoint sends none: the sandbox neither.
    let sandbox = start_sandbox();
    Config::for_sandbox(&sandbox)
        .follow("twitterdev", false)
        .unwrap();
    assert_eq!(rate_limit(), (TwStatus::NoRateLimit, [-1, -1, -1]));
    // Bad header values count as none.
    let odd = Scripted::respond(
        200,
        "x-rate-limit-limit: many\r\nx-rate-limit-remaining: 1\r\nx-rate-limit-reset: 5\r\n",
        br#"{"id":1}"#,
    );
    Config::for_account(&odd.base_url(), 1)
        .follow("twitterdev", false)
        .unwrap();
    assert_eq!(rate_limit().0, TwStatus::NoRateLimit);
}

#[test]
fn the_outcome_says_active_or_pending() {
    let sandbox = start_sandbox();
    let config = Config::for_sandbox(&sandbox);
    assert_eq!(
        config.follow_ex(PUBLIC_USER.0),
        (TwStatus::Ok, Some(TwFollowOutcome::Active))
    );
    assert_eq!(
        config.follow_ex(PROTECTED_USER.0),
        (TwStatus::Ok, Some(TwFollowOutcome::Pending))
    );
    // Asking again while the request is pending is an error, and the outcome is not written.
    assert_eq!(
        config.follow_ex(PROTECTED_USER.0),
        (TwStatus::AlreadyRequested, None)
    );
    // Both outputs may be NULL.
    let target = cstr(PUBLIC_USER.0);
    assert_eq!(
        unsafe {
            tw_follow_ex(
                config.0,
                target.as_ptr(),
                true,
                ptr::null_mut(),
                ptr::null_mut(),
            )
        },
        TwStatus::Ok
    );
    assert_eq!(
        unsafe {
            tw_follow_ex(
                ptr::null(),
                target.as_ptr(),
                true,
                ptr::null_mut(),
                ptr::null_mut(),
            )
        },
        TwStatus::NullArgument
    );
}

#[test]
fn bearer_and_basic_requests_are_never_clock_corrected() {
    // A codeless 401 from a server whose clock is years off: for OAuth 1.0a a refused
    // timestamp, but a Bearer or Basic request has none, so it is final, sent once.
    let server = Scripted::respond(
        401,
        "date: Fri, 12 Feb 2021 03:43:02 GMT\r\n",
        br#"{"title":"Unauthorized","detail":"Unauthorized","status":401}"#,
    );
    let config = oauth2_config(&server.base_url(), true);
    let (access, expires) = (cstr("revoked-bearer-token"), 0);
    let status =
        unsafe { tw_config_set_oauth2_tokens(config.0, access.as_ptr(), ptr::null(), expires) };
    assert_eq!(status, TwStatus::Ok);
    // Bearer: the relationship lookup.
    let (status, last) = config.relationship("twitterdev").unwrap_err();
    assert_eq!(status, TwStatus::Auth, "{}", last.message);
    assert!(!last.message.contains("clock"), "{}", last.message);
    assert_eq!(
        server.requests().len(),
        1,
        "a Bearer request was sent twice"
    );
    // Basic: the confidential client's revoke.
    let token = cstr("revoked-bearer-token");
    let status = unsafe { tw_oauth2_revoke(config.0, token.as_ptr()) };
    let revoked = support::last();
    assert_eq!(status, TwStatus::Auth, "{}", revoked.message);
    assert!(!revoked.message.contains("clock"), "{}", revoked.message);
    assert_eq!(server.requests().len(), 2, "a Basic request was sent twice");
}
