//! Follows through the C ABI against the sandbox: success paths, what goes on the
//! wire, and every status the sandbox can produce.

mod support;

use support::sandbox::{
    BLOCKER_USER, GENERATED_ID_BASE, PENDING_USER, PROTECTED_USER, PUBLIC_USER,
};
use support::*;
use twfollow::core::{Client, OAuthNonce, Settings, Target};
use twfollow::ffi::TwStatus;

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap()
}

#[test]
fn follows_by_id_at_name_and_bare_name() {
    let sandbox = start_sandbox();
    let config = Config::for_sandbox(&sandbox);
    for (target, wire) in [
        ("2244994945", "user_id=2244994945&follow=false"),
        ("@twitterdev", "screen_name=twitterdev&follow=false"),
        ("Twitter", "screen_name=Twitter&follow=false"),
    ] {
        let text = config.follow(target, false).unwrap();
        assert_eq!(
            last(),
            Last {
                message: "".into(),
                http_status: 200,
                api_code: 0
            }
        );
        let user = json(&text);
        assert!(user["id"].is_u64() && user["status"].is_object(), "{text}");
        // Returned verbatim: the API's escaped slashes are still there.
        assert!(text.contains(r"https:\/\/"), "{text}");
        let recorded = sandbox.requests().pop().unwrap();
        assert_eq!(recorded.status, 200);
        assert_eq!(recorded.body, wire);
    }
    assert_eq!(
        json(&config.follow("2244994945", false).unwrap())["screen_name"],
        PUBLIC_USER.0
    );
}

#[test]
fn request_on_the_wire() {
    let sandbox = start_sandbox();
    let config = Config::for_sandbox(&sandbox);
    assert_eq!(config.set_user_agent("legacy-app/7.1"), TwStatus::Ok);
    let text = config.follow("@twitterdev", true).unwrap();
    assert_eq!(json(&text)["notifications"], true);
    let r = sandbox.requests().pop().unwrap();
    assert_eq!(r.method, "POST");
    assert_eq!(r.target, "/1.1/friendships/create.json", "no query string");
    assert_eq!(r.body, "screen_name=twitterdev&follow=true");
    assert_eq!(
        r.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(r.header("user-agent"), Some("legacy-app/7.1"));
    assert!(r.header("accept-encoding").unwrap().contains("gzip"));
    let auth = r.header("authorization").unwrap();
    assert!(auth.starts_with("OAuth "), "{auth}");
    assert!(auth.contains("oauth_version=\"1.0\""), "{auth}");
    assert!(
        auth.contains("oauth_signature_method=\"HMAC-SHA1\""),
        "{auth}"
    );
    let nonce = auth
        .split("oauth_nonce=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    assert_eq!(nonce.len(), 32);
    assert!(nonce.bytes().all(|b| b.is_ascii_alphanumeric()));
}

#[test]
fn base_url_path_prefix_is_kept() {
    let sandbox = start_sandbox();
    let config = Config::for_account(&format!("{}/prefix/", sandbox.base_url()), 1);
    config.follow("twitterdev", false).unwrap();
    assert_eq!(
        sandbox.requests()[0].target,
        "/prefix/1.1/friendships/create.json"
    );
}

#[test]
fn refused_base_url_keeps_the_previous_one() {
    let sandbox = start_sandbox();
    let config = Config::for_sandbox(&sandbox);
    for bad in [
        "http://example.com",
        "ftp://127.0.0.1",
        "not a url",
        "https://u:p@127.0.0.1",
    ] {
        assert_eq!(config.set_base_url(bad), TwStatus::InvalidArgument, "{bad}");
        assert!(
            last().message.starts_with("invalid base URL"),
            "{:?}",
            last()
        );
    }
    config.follow("twitterdev", false).unwrap();
    assert_eq!(sandbox.request_count(), 1);
}

#[test]
fn api_refusals_map_to_statuses() {
    let sandbox = start_sandbox();
    let config = Config::for_sandbox(&sandbox);
    let me = Account::builtin(1);

    // A protected account: the first follow sends a request, the next one is refused.
    let first = json(&config.follow(PROTECTED_USER.0, false).unwrap());
    assert_eq!(
        (
            first["protected"].as_bool(),
            first["follow_request_sent"].as_bool()
        ),
        (Some(true), Some(true))
    );
    let cases: Vec<(String, TwStatus, i32, i32, String)> = vec![
        (
            PROTECTED_USER.0.into(),
            TwStatus::AlreadyRequested,
            403,
            160,
            "HTTP 403, error 160: You've already requested to follow locked_lucy.".into(),
        ),
        (
            PENDING_USER.1.to_string(),
            TwStatus::AlreadyRequested,
            403,
            160,
            "HTTP 403, error 160: You've already requested to follow pending_pat.".into(),
        ),
        (
            format!("@{}", BLOCKER_USER.0),
            TwStatus::Blocked,
            403,
            162,
            "HTTP 403, error 162: You have been blocked from following this account at the request of the user.".into(),
        ),
        (me.user_id.to_string(), TwStatus::Forbidden, 403, 158, "HTTP 403, error 158: You can't follow yourself.".into()),
        ("nosuchuser".into(), TwStatus::NotFound, 403, 108, "HTTP 403, error 108: Cannot find specified user.".into()),
        ("999".into(), TwStatus::NotFound, 403, 108, "HTTP 403, error 108: Cannot find specified user.".into()),
    ];
    for (target, status, http, code, message) in cases {
        let (got, last) = config.follow_err(&target);
        assert_eq!(got, status, "{target}: {last:?}");
        assert_eq!(
            last,
            Last {
                message,
                http_status: http,
                api_code: code
            },
            "{target}"
        );
    }
}

#[test]
fn wrong_credentials_are_auth_errors() {
    let sandbox = start_sandbox();
    let me = Account::builtin(1);
    let cases = [
        (
            Config::new(CONSUMER_KEY, "wrong-secret", &me.token, &me.token_secret),
            32,
        ),
        (
            Config::new(
                CONSUMER_KEY,
                CONSUMER_SECRET,
                &me.token,
                "wrong-token-secret",
            ),
            32,
        ),
        (
            Config::new("unknown-key", CONSUMER_SECRET, &me.token, &me.token_secret),
            32,
        ),
        (
            Config::new(CONSUMER_KEY, CONSUMER_SECRET, "1-unknown", &me.token_secret),
            89,
        ),
    ];
    for (config, code) in cases {
        assert_eq!(config.set_base_url(&sandbox.base_url()), TwStatus::Ok);
        let (status, last) = config.follow_err("twitterdev");
        assert_eq!(
            (status, last.http_status, last.api_code),
            (TwStatus::Auth, 401, code),
            "{last:?}"
        );
        assert!(
            !last.message.contains("wrong-secret") && !last.message.contains("wrong-token-secret")
        );
    }
}

#[test]
fn replayed_nonce_and_stale_timestamp_are_refused() {
    let sandbox = start_sandbox();
    let me = Account::builtin(1);
    let mut settings = Settings::new(twfollow::core::Credentials {
        consumer_key: CONSUMER_KEY.into(),
        consumer_secret: CONSUMER_SECRET.into(),
        access_token: me.token.clone().into(),
        access_token_secret: me.token_secret.clone().into(),
    })
    .unwrap();
    settings.base_url = twfollow::core::BaseUrl::parse(&sandbox.base_url()).unwrap();
    let mut v2 = settings.clone();
    let client = Client::new(settings);
    let target = Target::parse("twitterdev").unwrap();
    // API 1.1 only: a client of API v2 is refused before anything is sent.
    v2.api_version = twfollow::core::settings::ApiVersion::V2 {
        source_user_id: me.user_id,
    };
    let sent = twfollow::core::requests_sent_on_this_thread();
    let refused = Client::new(v2)
        .follow_with(&target, false, &OAuthNonce::fresh(0))
        .unwrap_err();
    assert_eq!(refused.kind, twfollow::core::ErrorKind::InvalidArgument);
    assert_eq!(twfollow::core::requests_sent_on_this_thread(), sent);
    let now = OAuthNonce::fresh(0);
    client.follow_with(&target, false, &now).unwrap();
    let replay = client.follow_with(&target, false, &now).unwrap_err();
    assert_eq!(
        (replay.http_status, replay.api_code),
        (401, 32),
        "{replay:?}"
    );
    let stale = client
        .follow_with(&target, false, &OAuthNonce::fresh(-301))
        .unwrap_err();
    assert_eq!(
        (stale.http_status, stale.api_code, stale.message.as_str()),
        (401, 135, "HTTP 401, error 135: Timestamp out of bounds.")
    );
    client
        .follow_with(&target, false, &OAuthNonce::fresh(-290))
        .unwrap();
}

#[test]
fn default_user_budget_is_400_new_follows() {
    let sandbox = start_sandbox();
    let config = Config::for_sandbox(&sandbox);
    for n in 1..=400u64 {
        let target = if n % 2 == 0 {
            format!("user{n}")
        } else {
            (GENERATED_ID_BASE + n).to_string()
        };
        config
            .follow(&target, false)
            .unwrap_or_else(|e| panic!("follow {n}: {e:?}"));
    }
    // Following someone already followed costs nothing and still succeeds.
    config.follow("user2", false).unwrap();
    let (status, last) = config.follow_err("user401");
    assert_eq!(status, TwStatus::FollowLimit);
    assert_eq!((last.http_status, last.api_code), (403, 161));
    assert!(
        last.message
            .starts_with("HTTP 403, error 161: You are unable to follow more people at this time."),
        "{}",
        last.message
    );
    // Another account of the same app still has its own budget.
    Config::for_account(&sandbox.base_url(), 2)
        .follow("user401", false)
        .unwrap();
}

#[test]
fn app_budget_is_shared_by_every_account() {
    let sandbox = Sandbox::start(
        SandboxConfig {
            app_budget: 5,
            ..Default::default()
        },
        0,
    )
    .unwrap();
    let a = Config::for_account(&sandbox.base_url(), 1);
    let b = Config::for_account(&sandbox.base_url(), 2);
    for n in 1..=3 {
        a.follow(&format!("user{n}"), false).unwrap();
    }
    for n in 1..=2 {
        b.follow(&format!("user{n}"), false).unwrap();
    }
    assert_eq!(b.follow_err("user3").0, TwStatus::FollowLimit);
    assert_eq!(a.follow_err("user9").0, TwStatus::FollowLimit);
}

#[test]
fn gzip_is_decoded_and_plain_works_too() {
    // The sandbox compresses when asked (ureq always asks); the recorded response
    // body equals what the caller receives.
    let sandbox = start_sandbox();
    let config = Config::for_sandbox(&sandbox);
    let text = config.follow("twitterdev", false).unwrap();
    assert!(json(&text)["id_str"] == "2244994945");
    // A server that ignores Accept-Encoding: plain JSON passes through too.
    let plain = Scripted::respond(
        200,
        "content-type: application/json\r\n",
        br#"{"id":1,"x":"a\/b"}"#,
    );
    let config = Config::for_account(&plain.base_url(), 1);
    assert_eq!(
        config.follow("twitterdev", false).unwrap(),
        r#"{"id":1,"x":"a\/b"}"#
    );
}

#[test]
fn sandbox_date_header_format() {
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_613_101_382);
    assert_eq!(
        support::sandbox::http_date(t),
        "Fri, 12 Feb 2021 03:43:02 GMT"
    );
}
