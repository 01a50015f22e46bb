//! API v2 through the C ABI, against the sandbox's v2 endpoints: the JSON follow,
//! the username lookup, v2 answers and problem details, rate limits, clock skew.

mod support;

use std::ffi::c_char;
use std::ptr;

use support::sandbox::{BLOCKER_USER, PENDING_USER, PROTECTED_USER, PUBLIC_USER};
use support::*;
use twfollow::ffi::*;

fn v2_sandbox(config: SandboxConfig) -> (Sandbox, Config) {
    let sandbox = Sandbox::start(config, 0).unwrap();
    let client = Config::for_sandbox(&sandbox);
    assert_eq!(client.set_api_version(2), TwStatus::Ok, "{:?}", last());
    (sandbox, client)
}

#[test]
fn a_user_id_is_followed_with_one_signed_json_post() {
    let (sandbox, config) = v2_sandbox(SandboxConfig::default());
    let json = config.follow("2244994945", false).unwrap();
    assert_eq!(
        json,
        r#"{"data":{"following":true,"pending_follow":false}}"#
    );
    let requests = sandbox.requests();
    assert_eq!(requests.len(), 1);
    let post = &requests[0];
    assert_eq!(
        (post.method.as_str(), post.target.as_str(), post.status),
        ("POST", "/2/users/1500000001/following", 200),
        "the sandbox verified the signature"
    );
    assert_eq!(post.header("content-type"), Some("application/json"));
    assert_eq!(post.body, r#"{"target_user_id":"2244994945"}"#);
    let authorization = post.header("authorization").unwrap();
    assert!(
        !authorization.contains("target_user_id"),
        "the JSON body is not signed: {authorization}"
    );
    let (status, [limit, remaining, reset]) = rate_limit();
    assert_eq!((status, limit, remaining), (TwStatus::Ok, 50, 49));
    let now = twfollow::core::sys::clock::unix_now();
    assert!((now..=now + 900).contains(&reset), "{reset}");
    assert_eq!(last().http_status, 200);
}

#[test]
fn a_screen_name_is_looked_up_first() {
    let (sandbox, config) = v2_sandbox(SandboxConfig::default());
    let json = config.follow("@TwitterDev", false).unwrap();
    assert!(json.contains(r#""following":true"#), "{json}");
    let seen: Vec<(String, String, String, u16)> = sandbox
        .requests()
        .into_iter()
        .map(|r| (r.method, r.target, r.body, r.status))
        .collect();
    assert_eq!(
        seen,
        [
            (
                "GET".into(),
                "/2/users/by/username/TwitterDev".into(),
                String::new(),
                200
            ),
            (
                "POST".into(),
                "/2/users/1500000001/following".into(),
                r#"{"target_user_id":"2244994945"}"#.into(),
                200
            ),
        ]
    );
    // The rate limit reported is the follow's, not the lookup's (900).
    assert_eq!(rate_limit().1[..2], [50, 49]);
    // Generated users resolve too, and other accounts follow as themselves.
    let other = Config::for_account(&sandbox.base_url(), 2);
    assert_eq!(other.set_api_version(2), TwStatus::Ok);
    other.follow("user42", false).unwrap();
    let last_request = sandbox.requests().pop().unwrap();
    assert_eq!(last_request.target, "/2/users/1500000002/following");
    assert_eq!(last_request.body, r#"{"target_user_id":"1600000042"}"#);
}

#[test]
fn protected_accounts_stay_pending() {
    let (_sandbox, config) = v2_sandbox(SandboxConfig::default());
    assert_eq!(
        config.follow_ex(PUBLIC_USER.0),
        (TwStatus::Ok, Some(TwFollowOutcome::Active))
    );
    assert_eq!(
        config.follow_ex(PROTECTED_USER.0),
        (TwStatus::Ok, Some(TwFollowOutcome::Pending))
    );
    // Unlike 1.1 (403, code 160), v2 answers a repeated request like the first.
    assert_eq!(
        config.follow_ex(PROTECTED_USER.0),
        (TwStatus::Ok, Some(TwFollowOutcome::Pending))
    );
    assert_eq!(
        config.follow_ex(PENDING_USER.0),
        (TwStatus::Ok, Some(TwFollowOutcome::Pending))
    );
    let json = config.follow(PENDING_USER.0, false).unwrap();
    assert_eq!(
        json,
        r#"{"data":{"following":false,"pending_follow":true}}"#
    );
}

#[test]
fn refusals_map_to_the_statuses_of_1_1() {
    let (sandbox, config) = v2_sandbox(SandboxConfig {
        user_budget: 2,
        ..Default::default()
    });
    // A name that does not exist: v2 answers 200 with only `errors`; no follow is sent.
    let (status, failed) = config.follow_err("nobody_here");
    assert_eq!(
        (status, failed.http_status, failed.api_code),
        (TwStatus::NotFound, 200, 0)
    );
    assert_eq!(
        failed.message,
        "HTTP 200: Could not find user with username: [nobody_here]. (looking up @nobody_here)"
    );
    assert_eq!(sandbox.request_count(), 1);
    // An id that does not exist.
    let (status, failed) = config.follow_err("1");
    assert_eq!((status, failed.http_status), (TwStatus::NotFound, 200));
    assert!(
        failed.message.contains("target_user_id: [1]"),
        "{}",
        failed.message
    );

    let (status, failed) = config.follow_err(BLOCKER_USER.0);
    assert_eq!(
        (status, failed.http_status, failed.api_code),
        (TwStatus::Blocked, 403, 0)
    );
    assert_eq!(
        failed.message,
        "HTTP 403: Forbidden: You have been blocked from following this account at the request of the user."
    );
    let (status, failed) = config.follow_err("sandbox_me");
    assert_eq!((status, failed.http_status), (TwStatus::Forbidden, 403));
    assert!(failed.message.contains("You can't follow yourself."));

    // The daily budget (2 here) is shared with 1.1 and counts new follows only.
    config.follow("user1", false).unwrap();
    config.follow("user1", false).unwrap();
    config.follow("user2", false).unwrap();
    let (status, failed) = config.follow_err("user3");
    assert_eq!((status, failed.http_status), (TwStatus::FollowLimit, 403));
    assert_eq!(config.set_api_version(1), TwStatus::Ok);
    assert_eq!(config.follow_err("user3").0, TwStatus::FollowLimit);

    // Wrong credentials: a codeless 401 problem.
    let wrong = Config::new(
        CONSUMER_KEY,
        "not-the-secret",
        &Account::builtin(1).token,
        &Account::builtin(1).token_secret,
    );
    assert_eq!(wrong.set_base_url(&sandbox.base_url()), TwStatus::Ok);
    assert_eq!(wrong.set_api_version(2), TwStatus::Ok);
    let (status, failed) = wrong.follow_err("2244994945");
    assert_eq!(
        (status, failed.http_status, failed.api_code),
        (TwStatus::Auth, 401, 0)
    );
    assert_eq!(failed.message, "HTTP 401: Unauthorized");
}

#[test]
fn the_v2_rate_limit_is_reported_and_explained() {
    let (sandbox, config) = v2_sandbox(SandboxConfig {
        v2_follow_limit: 3,
        ..Default::default()
    });
    for n in 1..=3 {
        config
            .follow(&format!("{}", 1_600_000_000 + n), false)
            .unwrap();
        assert_eq!(rate_limit().1[..2], [3, 3 - n]);
    }
    let (status, failed) = config.follow_err("1600000004");
    assert_eq!((status, failed.http_status), (TwStatus::RateLimited, 429));
    let (status, [limit, remaining, reset]) = rate_limit();
    assert_eq!((status, limit, remaining), (TwStatus::Ok, 3, 0));
    assert!(
        failed.message.starts_with(&format!(
            "HTTP 429: Too Many Requests; the 15-minute rate-limit window is spent (0 of 3 left), it resets at {reset} (in "
        )),
        "{}",
        failed.message
    );
    // Retries wait only when the reset is within the budget (15 minutes is not).
    assert_eq!(
        unsafe { tw_config_set_max_retries(config.0, 3) },
        TwStatus::Ok
    );
    let before = sandbox.request_count();
    assert_eq!(config.follow_err("1600000004").0, TwStatus::RateLimited);
    assert_eq!(sandbox.request_count(), before + 1);
    // Lookups have their own window.
    assert_eq!(config.follow_err("user5").0, TwStatus::RateLimited);
    let lookup = &sandbox.requests()[before + 1];
    assert_eq!((lookup.method.as_str(), lookup.status), ("GET", 200));
}

#[test]
fn a_v2_rate_limit_is_waited_out_within_the_budget() {
    let (sandbox, config) = v2_sandbox(SandboxConfig {
        v2_follow_limit: 1,
        v2_window: std::time::Duration::from_secs(2),
        ..Default::default()
    });
    assert_eq!(
        unsafe { tw_config_set_max_retries(config.0, 1) },
        TwStatus::Ok
    );
    assert_eq!(
        unsafe { tw_config_set_max_wait_ms(config.0, 5000) },
        TwStatus::Ok
    );
    config.follow("783214", false).unwrap();
    let started = std::time::Instant::now();
    config.follow("2244994945", false).unwrap();
    let statuses: Vec<u16> = sandbox.requests().iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        [200, 429, 200],
        "refused once, then waited for the reset"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(4));
}

#[test]
fn a_drifting_clock_is_corrected_from_a_codeless_401() {
    for skew in [3600, -3600] {
        let (sandbox, config) = v2_sandbox(SandboxConfig {
            clock_skew_secs: skew,
            ..Default::default()
        });
        config.follow("@twitterdev", false).unwrap();
        let seen: Vec<(String, u16)> = sandbox
            .requests()
            .into_iter()
            .map(|r| (r.method, r.status))
            .collect();
        assert_eq!(
            seen,
            [
                ("GET".into(), 401),
                ("GET".into(), 200),
                ("POST".into(), 200)
            ],
            "skew {skew}: the lookup was refused once; the follow used the learnt offset"
        );
    }
}

#[test]
fn retries_cover_both_requests() {
    let (sandbox, config) = v2_sandbox(SandboxConfig {
        fail_first: 1,
        ..Default::default()
    });
    assert_eq!(
        unsafe { tw_config_set_max_retries(config.0, 2) },
        TwStatus::Ok
    );
    config.follow("twitterdev", false).unwrap();
    let statuses: Vec<u16> = sandbox.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [503, 200, 200]);
}

#[test]
fn bad_input_is_refused_before_anything_is_sent() {
    let (sandbox, config) = v2_sandbox(SandboxConfig::default());
    let target = cstr("twitterdev");
    let mut json: *mut c_char = ptr::null_mut();
    let status = unsafe { tw_follow(config.0, target.as_ptr(), true, &mut json) };
    assert_eq!(status, TwStatus::InvalidArgument);
    assert!(json.is_null());
    assert!(
        last()
            .message
            .starts_with("API v2 cannot turn on notifications"),
        "{}",
        last().message
    );
    let (status, failed) = config.follow_err("10000000000000000000");
    assert_eq!(status, TwStatus::InvalidArgument);
    assert_eq!(
        failed.message,
        "invalid user id 10000000000000000000 for API v2: ids have at most 19 digits"
    );
    config.follow("9999999999999999999", false).unwrap_err();
    assert_eq!(sandbox.request_count(), 1, "only the 19-digit id was sent");

    // The version and the token are checked by the setter.
    assert_eq!(config.set_api_version(3), TwStatus::InvalidArgument);
    assert_eq!(
        last().message,
        "unsupported API version 3: expected 1 (meaning 1.1), 2, or 0 (auto)"
    );
    let no_prefix = Config::new("ck", "cs", "tokenWITHOUTid-abc", "ts");
    assert_eq!(no_prefix.set_api_version(2), TwStatus::InvalidArgument);
    let message = last().message;
    assert!(message.starts_with("API v2 needs"), "{message}");
    assert!(!message.contains("tokenWITHOUTid"), "{message}");
    assert_eq!(
        unsafe { tw_config_set_api_version(ptr::null_mut(), 2) },
        TwStatus::NullArgument
    );
    // A refused version leaves the previous one: still v2 here.
    config.follow("783214", false).unwrap();
    assert_eq!(
        sandbox.requests().pop().unwrap().target,
        "/2/users/1500000001/following"
    );
    // And back to 1.1.
    assert_eq!(config.set_api_version(1), TwStatus::Ok);
    config.follow("783214", true).unwrap();
    assert_eq!(
        sandbox.requests().pop().unwrap().target,
        "/1.1/friendships/create.json"
    );
}

#[test]
fn odd_v2_answers_are_bad_responses() {
    for (body, want) in [
        (
            &br#"{"data":{"following":"yes"}}"#[..],
            "HTTP 200, but the follow answer has no boolean \"data.following\"",
        ),
        (
            br#"{"id":1}"#,
            "HTTP 200, but the answer has neither \"data\" nor \"errors\"",
        ),
        (
            br#"[]"#,
            "HTTP 200, but the body is JSON without an object at the top",
        ),
    ] {
        let server = Scripted::respond(200, "", body);
        let config = Config::for_account(&server.base_url(), 1);
        assert_eq!(config.set_api_version(2), TwStatus::Ok);
        let (status, failed) = config.follow_err("2244994945");
        assert_eq!(
            (status, failed.message.as_str()),
            (TwStatus::BadResponse, want)
        );
    }
    let server = Scripted::respond(200, "", br#"{"data":{"id":"not a number"}}"#);
    let config = Config::for_account(&server.base_url(), 1);
    assert_eq!(config.set_api_version(2), TwStatus::Ok);
    let (status, failed) = config.follow_err("twitterdev");
    assert_eq!(status, TwStatus::BadResponse);
    assert_eq!(
        failed.message,
        "HTTP 200, but the user lookup answer has no valid \"data.id\" (looking up @twitterdev)"
    );
    assert_eq!(server.requests().len(), 1);
}
