//! The pay-per-use X API (issue 22), through the C ABI against the sandbox: spent
//! credits (402) and usage caps are their own statuses and are never sent twice, the
//! 24-hour budgets are read and a spent one is not waited for, a v2 problem's members
//! reach the getters, and `tw_last_request_count` says what each call sent (each row
//! of the table in docs/x-api-access.md is asserted here). The sandbox counts what
//! arrived: every count is checked against it.

mod support;

use std::ffi::CStr;
use std::time::{Duration, Instant};

use support::sandbox::{AppLimit, NO_V1_APP, UNENROLLED_APP};
use support::*;
use twfollow::ffi::*;

fn sandbox_with(change: impl FnOnce(&mut SandboxConfig)) -> Sandbox {
    let mut config = SandboxConfig::default();
    change(&mut config);
    Sandbox::start(config, 0).expect("sandbox starts")
}

/// Retries on, with a wait budget far longer than any 15-minute reset in these tests.
fn with_retries(config: &Config) {
    unsafe {
        assert_eq!(tw_config_set_max_retries(config.0, 3), TwStatus::Ok);
        assert_eq!(tw_config_set_max_wait_ms(config.0, 60_000), TwStatus::Ok);
    }
}

fn problem(field: TwProblemField) -> String {
    unsafe { CStr::from_ptr(tw_last_problem(field as i32)) }
        .to_str()
        .unwrap()
        .to_owned()
}

/// `tw_last_day_budgets`: its status and the six outputs (user, then app).
fn day_budgets() -> (TwStatus, [i64; 6]) {
    let mut v = [-7i64; 6];
    let [a, b, c, d, e, f] = &mut v;
    let status = unsafe { tw_last_day_budgets(a, b, c, d, e, f) };
    (status, v)
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Runs `call` and checks that the library's count of the requests it sent equals
/// what arrived at the sandbox; returns that count.
fn counted<T>(sandbox: &Sandbox, call: impl FnOnce() -> T) -> (T, i32) {
    let before = sandbox.requests_seen();
    let out = call();
    let count = tw_last_request_count();
    assert_eq!(
        count as usize,
        sandbox.requests_seen() - before,
        "tw_last_request_count disagrees with the sandbox"
    );
    (out, count)
}

#[test]
fn spent_credits_are_payment_required_and_never_sent_twice() {
    let sandbox = sandbox_with(|c| c.app_limits = vec![AppLimit::CreditsDepleted]);
    let config = Config::for_sandbox(&sandbox);
    with_retries(&config);
    let ((status, last), count) = counted(&sandbox, || config.follow_err("twitterdev"));
    assert_eq!(
        (status, last.http_status, count),
        (TwStatus::PaymentRequired, 402, 1)
    );
    assert_eq!(
        last.message,
        "HTTP 402: CreditsDepleted: Your enrolled account [1700000000000000001] does not have any credits to fulfill this request. To fix: add credits or raise the spending limit in the developer console at console.x.com (twfollow does not retry: every request is charged)"
    );
    assert_eq!(problem(TwProblemField::Title), "CreditsDepleted");
    assert_eq!(
        problem(TwProblemField::Type),
        "https://api.twitter.com/2/problems/credits"
    );
    assert_eq!(tw_last_reset_at(), 0);
    // API v2, by name: the lookup is refused already, and the follow is never sent.
    assert_eq!(config.set_api_version(2), TwStatus::Ok);
    let ((status, last), count) = counted(&sandbox, || config.follow_err("@twitterdev"));
    assert_eq!((status, count), (TwStatus::PaymentRequired, 1));
    assert!(
        last.message.ends_with("(looking up @twitterdev)"),
        "{}",
        last.message
    );
    let ((status, _), count) = counted(&sandbox, || config.unfollow("2244994945").unwrap_err());
    assert_eq!((status, count), (TwStatus::PaymentRequired, 1));
}

#[test]
fn a_usage_cap_is_its_own_status_and_never_retried() {
    let sandbox = sandbox_with(|c| c.app_limits = vec![AppLimit::UsageCapped]);
    let config = Config::for_sandbox(&sandbox);
    with_retries(&config);
    for version in [1, 2] {
        assert_eq!(config.set_api_version(version), TwStatus::Ok);
        let ((status, last), count) = counted(&sandbox, || config.follow_err("2244994945"));
        assert_eq!(
            (status, last.http_status, count),
            (TwStatus::UsageCapped, 429, 1)
        );
        assert!(
            last.message.starts_with(
                "HTTP 429: UsageCapExceeded: Usage cap exceeded: Monthly product cap. To fix: "
            ) && last
                .message
                .contains("the cap resets with the billing period, not with a rate window"),
            "{}",
            last.message
        );
        assert_eq!(
            problem(TwProblemField::Detail),
            "Usage cap exceeded: Monthly product cap"
        );
        assert_eq!(tw_last_reset_at(), 0);
    }
}

#[test]
fn every_answer_carries_the_day_budgets() {
    let sandbox = sandbox_with(|c| c.day_budget = 5);
    let config = Config::for_sandbox(&sandbox);
    config.follow("twitterdev", false).unwrap();
    let (status, [ul, ur, ue, al, ar, ae]) = day_budgets();
    assert_eq!(
        (status, ul, ur, al, ar),
        (TwStatus::Ok, 5, 4, 1_000_000, 999_999)
    );
    assert!(
        (ue - now() - 86_400).abs() < 5 && (ae - ue).abs() < 5,
        "{ue} {ae}"
    );
    // API 1.1 sends no 15-minute window: that getter still says so.
    assert_eq!(rate_limit().0, TwStatus::NoRateLimit);
    // Nothing sent: nothing to report.
    assert_eq!(
        config.follow_err("not a name!").0,
        TwStatus::InvalidArgument
    );
    assert_eq!(day_budgets().0, TwStatus::NoRateLimit);
    assert_eq!(tw_last_request_count(), 0);
}

#[test]
fn a_spent_user_day_budget_comes_back_at_once_after_one_request() {
    let sandbox = sandbox_with(|c| c.day_budget = 2);
    let config = Config::for_sandbox(&sandbox);
    assert_eq!(config.set_api_version(2), TwStatus::Ok);
    with_retries(&config);
    config.follow("2244994945", false).unwrap();
    config.follow("783214", false).unwrap();
    let started = Instant::now();
    let ((status, last), count) = counted(&sandbox, || config.follow_err("1000000004"));
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        (status, last.http_status, count),
        (TwStatus::RateLimited, 429, 1)
    );
    let (_, [limit, remaining, reset, ..]) = day_budgets();
    assert_eq!((limit, remaining), (2, 0));
    assert!(
        last.message.starts_with(&format!(
            "HTTP 429: Too Many Requests; the user's 24-hour budget is spent (0 of 2 left), it resets at {reset} (in "
        )),
        "{}",
        last.message
    );
    // The reset that binds is the day's, not the 15-minute window's.
    let (window_status, [_, window_remaining, window_reset]) = rate_limit();
    assert_eq!(window_status, TwStatus::Ok);
    assert!(window_remaining > 0 && window_reset < reset);
    assert_eq!(tw_last_reset_at(), reset);
}

#[test]
fn a_spent_app_day_budget_is_named_too() {
    let sandbox = sandbox_with(|c| c.app_day_budget = 1);
    let first = Config::for_account(&sandbox.base_url(), 1);
    let second = Config::for_account(&sandbox.base_url(), 2);
    with_retries(&second);
    first.follow("twitterdev", false).unwrap();
    let ((status, last), count) = counted(&sandbox, || second.follow_err("twitterdev"));
    assert_eq!((status, count), (TwStatus::RateLimited, 1));
    assert!(
        last.message
            .contains("; the app's 24-hour budget is spent (0 of 1 left), it resets at "),
        "{}",
        last.message
    );
    let (_, [_, user_remaining, _, _, _, app_reset]) = day_budgets();
    assert_eq!(user_remaining, 100_000);
    assert_eq!(tw_last_reset_at(), app_reset);
}

#[test]
fn a_spent_15_minute_window_is_still_waited_for() {
    // The 15-minute window resets within the wait budget: one retry after it, then success.
    let sandbox = sandbox_with(|c| {
        c.v2_follow_limit = 1;
        c.v2_window = Duration::from_secs(1);
    });
    let config = Config::for_sandbox(&sandbox);
    assert_eq!(config.set_api_version(2), TwStatus::Ok);
    with_retries(&config);
    config.follow("2244994945", false).unwrap();
    let (result, count) = counted(&sandbox, || config.follow("783214", false));
    result.unwrap();
    assert_eq!(count, 2);
}

#[test]
fn a_problem_s_members_reach_the_getters() {
    let sandbox = start_sandbox();
    let config = Config::for_app(&sandbox.base_url(), UNENROLLED_APP, &Account::builtin(1));
    assert_eq!(config.set_api_version(2), TwStatus::Ok);
    let (status, last) = config.follow_err("2244994945");
    assert_eq!(status, TwStatus::AccessTier);
    assert_eq!(problem(TwProblemField::Reason), "client-not-enrolled");
    assert_eq!(
        problem(TwProblemField::RequiredEnrollment),
        "Appropriate Level of API Access"
    );
    let url = "https://developer.twitter.com/en/docs/projects/overview";
    assert_eq!(problem(TwProblemField::RegistrationUrl), url);
    assert_eq!(problem(TwProblemField::Title), "Client Forbidden");
    assert!(
        last.message.contains(&format!(
            "(reason: client-not-enrolled; required enrollment: Appropriate Level of API Access; registration: {url}) To fix: "
        )),
        "{}",
        last.message
    );
    // Getters leave it as it is; an unknown field is "".
    assert_eq!(problem(TwProblemField::Reason), "client-not-enrolled");
    assert_eq!(
        unsafe { CStr::from_ptr(tw_last_problem(99)) }.to_bytes(),
        b""
    );
    // A 1.1 refusal has none, and a success clears them.
    let v1 = Config::for_app(&sandbox.base_url(), NO_V1_APP, &Account::builtin(1));
    assert_eq!(v1.follow_err("twitterdev").0, TwStatus::AccessTier);
    assert_eq!(problem(TwProblemField::Title), "");
    assert_eq!(tw_last_request_count(), 1);
}

/// The rows of docs/x-api-access.md's table "What each call sends".
#[test]
fn request_counts_per_call_version_and_credentials() {
    let sandbox = start_sandbox();
    let count = |call: &dyn Fn() -> bool| {
        let (ok, count) = counted(&sandbox, call);
        assert!(ok, "{:?}", last());
        count
    };
    // OAuth 1.0a, API 1.1: one request, by name or by id.
    let v1 = Config::for_sandbox(&sandbox);
    assert_eq!(count(&|| v1.follow("twitterdev", false).is_ok()), 1);
    assert_eq!(count(&|| v1.follow("783214", false).is_ok()), 1);
    assert_eq!(count(&|| v1.unfollow("twitterdev").is_ok()), 1);
    assert_eq!(count(&|| v1.unfollow("783214").is_ok()), 1);
    assert_eq!(count(&|| v1.relationship("twitterdev").is_ok()), 1);
    assert_eq!(count(&|| v1.relationship("783214").is_ok()), 1);
    // OAuth 1.0a, API v2: an id is one request, a name adds its lookup.
    let v2 = Config::for_account(&sandbox.base_url(), 2);
    assert_eq!(v2.set_api_version(2), TwStatus::Ok);
    assert_eq!(count(&|| v2.follow("2244994945", false).is_ok()), 1);
    assert_eq!(count(&|| v2.follow("@Twitter", false).is_ok()), 2);
    assert_eq!(count(&|| v2.unfollow("2244994945").is_ok()), 1);
    assert_eq!(count(&|| v2.unfollow("@Twitter").is_ok()), 2);
    assert_eq!(count(&|| v2.relationship("2244994945").is_ok()), 1);
    assert_eq!(count(&|| v2.relationship("@Twitter").is_ok()), 1);
    // API version auto, when API 1.1 refuses the app's access tier: the refused 1.1
    // request, then v2; from then on v2 only.
    let auto = Config::for_app(&sandbox.base_url(), NO_V1_APP, &Account::builtin(3));
    assert_eq!(auto.set_api_version(0), TwStatus::Ok);
    assert_eq!(count(&|| auto.follow("2244994945", false).is_ok()), 2);
    assert_eq!(count(&|| auto.follow("783214", false).is_ok()), 1);
    // OAuth 2.0: the first call finds the token's user (2/users/me), once per config.
    let oauth2 = oauth2_config(&sandbox.base_url(), false);
    sign_in(&oauth2);
    assert_eq!(count(&|| oauth2.follow("2244994945", false).is_ok()), 2);
    assert_eq!(count(&|| oauth2.follow("783214", false).is_ok()), 1);
    assert_eq!(count(&|| oauth2.follow("@twitterdev", false).is_ok()), 2);
    // An access token the server refuses before its time: the refused call, the
    // refresh, the call again.
    sandbox.expire_oauth2_access_tokens();
    assert_eq!(count(&|| oauth2.follow("2244994945", false).is_ok()), 3);
    // A refused target: nothing sent.
    let (_, sent) = counted(&sandbox, || v1.follow_err("no such name!"));
    assert_eq!(sent, 0);
}

#[test]
fn nothing_sent_is_zero() {
    let sandbox = start_sandbox();
    let config = Config::for_sandbox(&sandbox);
    config.follow("twitterdev", false).unwrap();
    assert_eq!(tw_last_request_count(), 1);
    // Getters leave it as it is.
    let _ = last();
    assert_eq!(tw_last_request_count(), 1);
    // A call refused before sending reports 0, not the last call's count.
    let (_, sent) = counted(&sandbox, || config.follow_err("0"));
    assert_eq!(sent, 0);
    assert_eq!(config.set_api_version(2), TwStatus::Ok);
    assert_eq!(tw_last_request_count(), 0);
    let (_, sent) = counted(&sandbox, || config.follow("2244994945", true).unwrap_err());
    assert_eq!(
        sent, 0,
        "API v2 has no notifications: refused before sending"
    );
}

#[test]
fn retries_and_the_clock_correction_are_counted() {
    let failing = sandbox_with(|c| c.fail_first = 2);
    let config = Config::for_sandbox(&failing);
    with_retries(&config);
    let (result, count) = counted(&failing, || config.follow("twitterdev", false));
    result.unwrap();
    assert_eq!(count, 3);

    let skewed = sandbox_with(|c| c.clock_skew_secs = 3600);
    let config = Config::for_sandbox(&skewed);
    let (result, count) = counted(&skewed, || config.follow("twitterdev", false));
    result.unwrap();
    assert_eq!(count, 2);
    // Learnt once: the next call is one request.
    let (result, count) = counted(&skewed, || config.follow("783214", false));
    result.unwrap();
    assert_eq!(count, 1);
    // API v2 (a codeless 401 from a server whose clock is far off): the same.
    let v2 = Config::for_account(&skewed.base_url(), 2);
    assert_eq!(v2.set_api_version(2), TwStatus::Ok);
    let (result, count) = counted(&skewed, || v2.follow("2244994945", false));
    result.unwrap();
    assert_eq!(count, 2);
    // And a retry of API v2: the first request fails.
    let failing = sandbox_with(|c| c.fail_first = 1);
    let v2 = Config::for_sandbox(&failing);
    assert_eq!(v2.set_api_version(2), TwStatus::Ok);
    with_retries(&v2);
    let (result, count) = counted(&failing, || v2.follow("2244994945", false));
    result.unwrap();
    assert_eq!(count, 2);
}

#[test]
fn problem_members_never_hold_a_secret_the_server_echoes() {
    use std::io::Write as _;
    // A hostile server echoes the credentials into every member of a v2 problem.
    let server = Scripted::start(|_request, out| {
        let echo = "consumer-SECRET-1234 token-SECRET-5678";
        let body = serde_json::json!({
            "title": format!("CreditsDepleted {echo}"),
            "detail": echo,
            "reason": echo,
            "required_enrollment": echo,
            "registration_url": format!("https://x.example/?s={echo}"),
            "type": format!("https://api.x.com/2/problems/{echo}"),
        })
        .to_string();
        let _ = write!(
            out,
            "HTTP/1.1 402 Payment Required\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
    });
    let config = Config::new(
        "consumer-KEY-abcd",
        "consumer-SECRET-1234",
        "1-token-KEY-efgh",
        "token-SECRET-5678",
    );
    assert_eq!(config.set_base_url(&server.base_url()), TwStatus::Ok);
    let (status, last) = config.follow_err("twitterdev");
    assert_eq!(status, TwStatus::PaymentRequired);
    use TwProblemField as F;
    for field in [
        F::Type,
        F::Title,
        F::Detail,
        F::Reason,
        F::RequiredEnrollment,
        F::RegistrationUrl,
    ] {
        let value = problem(field);
        assert!(value.contains("[redacted]"), "{field:?}: {value}");
        for secret in ["consumer-SECRET-1234", "token-SECRET-5678"] {
            assert!(!value.contains(secret), "{field:?}: {value}");
            assert!(!last.message.contains(secret), "{}", last.message);
        }
    }
}
