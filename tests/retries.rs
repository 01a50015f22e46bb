//! Opt-in retries: what is retried, what never is, fresh signatures, the wait budget.

mod support;

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use support::*;
use twfollow::ffi::*;

fn failing_sandbox(fail_first: usize) -> Sandbox {
    Sandbox::start(
        SandboxConfig {
            fail_first,
            ..Default::default()
        },
        0,
    )
    .unwrap()
}

fn with_retries(config: &Config, retries: u32, max_wait_ms: u32) {
    unsafe {
        assert_eq!(tw_config_set_max_retries(config.0, retries), TwStatus::Ok);
        assert_eq!(
            tw_config_set_max_wait_ms(config.0, max_wait_ms),
            TwStatus::Ok
        );
    }
}

#[test]
fn server_errors_are_retried_with_fresh_signatures() {
    let sandbox = failing_sandbox(2);
    let config = Config::for_sandbox(&sandbox);
    with_retries(&config, 3, 10_000);
    config.follow("twitterdev", false).unwrap();
    let requests = sandbox.requests();
    assert_eq!(
        requests.iter().map(|r| r.status).collect::<Vec<_>>(),
        [503, 503, 200]
    );
    let signatures: std::collections::HashSet<_> = requests
        .iter()
        .map(|r| r.header("authorization").unwrap().to_owned())
        .collect();
    assert_eq!(signatures.len(), 3, "each attempt is signed afresh");
}

#[test]
fn retries_are_off_by_default_and_bounded() {
    let sandbox = failing_sandbox(5);
    let config = Config::for_sandbox(&sandbox);
    let (status, last) = config.follow_err("twitterdev");
    assert_eq!((status, last.api_code), (TwStatus::ServerError, 130));
    assert_eq!(sandbox.request_count(), 1);
    with_retries(&config, 2, 10_000);
    let (status, last) = config.follow_err("twitterdev");
    assert_eq!(status, TwStatus::ServerError);
    assert_eq!(
        last.message,
        "HTTP 503, error 130: Over capacity (after 2 retries)"
    );
    assert_eq!(sandbox.request_count(), 4);
    assert_eq!(
        unsafe { tw_config_set_max_retries(config.0, 11) },
        TwStatus::InvalidArgument
    );
}

#[test]
fn other_4xx_are_never_retried() {
    let sandbox = start_sandbox();
    let config = Config::for_sandbox(&sandbox);
    with_retries(&config, 5, 10_000);
    assert_eq!(
        config.follow_err(sandbox::BLOCKER_USER.0).0,
        TwStatus::Blocked
    );
    assert_eq!(config.follow_err("nosuchuser").0, TwStatus::NotFound);
    assert_eq!(sandbox.request_count(), 2);
}

#[test]
fn a_failure_before_any_response_is_retried() {
    // The first connection is closed without an answer; the next one is answered.
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let server = Scripted::start(move |_, out| {
        if counter.fetch_add(1, Ordering::SeqCst) == 0 {
            let _ = out.shutdown(std::net::Shutdown::Both);
        } else {
            let _ = out.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 8\r\n\r\n{\"id\":1}");
        }
    });
    let config = Config::for_account(&server.base_url(), 1);
    with_retries(&config, 1, 10_000);
    assert_eq!(config.follow("twitterdev", false).unwrap(), "{\"id\":1}");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[test]
fn a_rate_limit_is_waited_out_only_within_the_budget() {
    let reset = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 1;
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let server = Scripted::start(move |_, out| {
        if counter.fetch_add(1, Ordering::SeqCst) == 0 {
            let body = br#"{"errors":[{"code":88,"message":"Rate limit exceeded"}]}"#;
            let _ = write!(
                out,
                "HTTP/1.1 429 Too Many Requests\r\nx-rate-limit-limit: 1\r\nx-rate-limit-remaining: 0\r\nx-rate-limit-reset: {reset}\r\ncontent-length: {}\r\n\r\n",
                body.len()
            );
            let _ = out.write_all(body);
        } else {
            let _ = out.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 8\r\n\r\n{\"id\":1}");
        }
    });
    let config = Config::for_account(&server.base_url(), 1);
    with_retries(&config, 1, 300);
    assert_eq!(
        config.follow_err("twitterdev").0,
        TwStatus::RateLimited,
        "the reset is past the 300 ms budget"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 1);

    calls.store(0, Ordering::SeqCst);
    with_retries(&config, 1, 5_000);
    let started = Instant::now();
    config.follow("twitterdev", false).unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn the_wait_budget_caps_the_backoff() {
    let sandbox = failing_sandbox(100);
    let config = Config::for_sandbox(&sandbox);
    with_retries(&config, 10, 400);
    let started = Instant::now();
    let (status, last) = config.follow_err("twitterdev");
    assert_eq!(status, TwStatus::ServerError);
    assert!(
        started.elapsed() < Duration::from_millis(1_000),
        "{:?}",
        started.elapsed()
    );
    // 100 ms, 200 ms... (each between half and all of it): two or three retries fit in 400 ms.
    let made = sandbox.request_count() - 1;
    assert!((1..=3).contains(&made), "{made} retries; {}", last.message);
}
