//! Refusals that are about the app or the account, not the target (issue 11, part 1),
//! through the C ABI against the sandbox's restricted apps and accounts: each family
//! has its status, the exact HTTP status and Twitter code, and a message that says
//! what to do; API version auto switches to v2 once on an access-tier refusal.

mod support;

use std::ffi::CStr;
use std::ptr;

use support::sandbox::{
    AccountState, AppLimit, APP_ONLY_BEARER_TOKEN, NO_V1_APP, READ_ONLY_APP, UNENROLLED_APP,
};
use support::*;
use twfollow::ffi::*;

const READ_ONLY_ADVICE: &str = "To fix: set the app's permissions to Read and Write in the X developer portal, then regenerate the access token and secret";

fn status_text(status: i32) -> String {
    unsafe { CStr::from_ptr(tw_status_str(status)) }
        .to_str()
        .unwrap()
        .to_owned()
}

#[test]
fn the_new_statuses_have_fixed_numbers_and_texts() {
    assert_eq!(TwStatus::AccessTier as i32, 32);
    assert_eq!(TwStatus::AppPermission as i32, 33);
    assert_eq!(TwStatus::AccountState as i32, 34);
    assert_eq!(
        status_text(32),
        "TW_STATUS_ACCESS_TIER: the app's access tier does not include this endpoint"
    );
    assert_eq!(
        status_text(33),
        "TW_STATUS_APP_PERMISSION: the app or its token may not do this"
    );
    assert_eq!(
        status_text(34),
        "TW_STATUS_ACCOUNT_STATE: the token's own account is suspended or locked"
    );
    // 35 to 40 came after (pay-per-use, the token store, re-entry, X's user-not-enrolled);
    // 41 is not taken yet.
    assert_eq!(TwStatus::PaymentRequired as i32, 35);
    assert_eq!(TwStatus::UsageCapped as i32, 36);
    assert_eq!(TwStatus::Store as i32, 37);
    assert_eq!(TwStatus::TokensNotSaved as i32, 38);
    assert_eq!(TwStatus::Reentered as i32, 39);
    assert_eq!(TwStatus::UserNotEnrolled as i32, 40);
    assert_eq!(status_text(41), "unknown status");
}

#[test]
fn a_read_only_app_is_refused_its_writes_in_both_versions() {
    let sandbox = start_sandbox();
    let config = Config::for_app(&sandbox.base_url(), READ_ONLY_APP, &Account::builtin(1));
    let (status, last) = config.follow_err("twitterdev");
    assert_eq!(
        (status, last.http_status, last.api_code),
        (TwStatus::AppPermission, 403, 261)
    );
    assert_eq!(
        last.message,
        format!("HTTP 403, error 261: Application cannot perform write actions. Contact API support to request write access. {READ_ONLY_ADVICE}")
    );
    let (status, last) = config.unfollow("twitterdev").unwrap_err();
    assert_eq!((status, last.api_code), (TwStatus::AppPermission, 261));
    // Reading is allowed.
    assert!(config.relationship("twitterdev").is_ok());

    assert_eq!(config.set_api_version(2), TwStatus::Ok);
    let (status, last) = config.follow_err("783214");
    assert_eq!(
        (status, last.http_status, last.api_code),
        (TwStatus::AppPermission, 403, 0)
    );
    assert_eq!(
        last.message,
        format!("HTTP 403: Forbidden: Your client app is not configured with the appropriate oauth1 app permissions for this endpoint. {READ_ONLY_ADVICE}")
    );
    let (status, _) = config.unfollow("783214").unwrap_err();
    assert_eq!(status, TwStatus::AppPermission);
}

#[test]
fn access_tier_refusals_in_both_versions() {
    let sandbox = start_sandbox();
    let me = Account::builtin(1);
    let no_v1 = Config::for_app(&sandbox.base_url(), NO_V1_APP, &me);
    let (status, last) = no_v1.follow_err("twitterdev");
    assert_eq!(
        (status, last.http_status, last.api_code),
        (TwStatus::AccessTier, 403, 453)
    );
    assert!(
        last.message.starts_with("HTTP 403, error 453: You currently have access to a subset of X API V2 endpoints")
            && last.message.ends_with(". To fix: check that the app's X API package includes following (since 2026-04-20 only Enterprise does: no self-serve package, pay-per-use included) in the developer console at console.x.com, or use the other API version (API version auto switches by itself); see docs/x-api-access.md"),
        "{}",
        last.message
    );
    let (status, _) = no_v1.relationship("twitterdev").unwrap_err();
    assert_eq!(status, TwStatus::AccessTier);

    let unenrolled = Config::for_app(&sandbox.base_url(), UNENROLLED_APP, &me);
    assert_eq!(unenrolled.set_api_version(2), TwStatus::Ok);
    let (status, last) = unenrolled.follow_err("2244994945");
    assert_eq!(
        (status, last.http_status, last.api_code),
        (TwStatus::AccessTier, 403, 0)
    );
    assert!(
        last.message.starts_with("HTTP 403: Client Forbidden: When authenticating requests to the Twitter API v2 endpoints")
            && last.message.ends_with("To fix: enroll the app as X asks (attach it to a Project in the developer console at console.x.com, with a package that includes following), or use API 1.1; see docs/x-api-access.md"),
        "{}",
        last.message
    );
    // A lookup first: the refusal says so.
    let (status, last) = unenrolled.follow_err("@twitterdev");
    assert_eq!(status, TwStatus::AccessTier);
    assert!(
        last.message.ends_with("(looking up @twitterdev)"),
        "{}",
        last.message
    );
}

#[test]
fn suspended_and_locked_accounts() {
    let sandbox = start_sandbox();
    for (state, code, advice) in [
        (
            AccountState::Suspended,
            64,
            "To fix: appeal the suspension of the access token's own account at x.com: until it is lifted every call fails",
        ),
        (
            AccountState::Locked,
            326,
            "To fix: log in at x.com as the access token's account to unlock it, then try again",
        ),
    ] {
        let account = Account::restricted(state);
        let config = Config::for_app(&sandbox.base_url(), MAIN_APP, &account);
        for version in [1, 2] {
            assert_eq!(config.set_api_version(version), TwStatus::Ok);
            let (status, last) = config.follow_err("2244994945");
            assert_eq!(
                (status, last.http_status, last.api_code),
                (TwStatus::AccountState, 403, code),
                "{state:?}, API {version}"
            );
            assert!(last.message.ends_with(advice), "{}", last.message);
            let (status, _) = config.relationship("2244994945").unwrap_err();
            assert_eq!(status, TwStatus::AccountState);
        }
    }
}

#[test]
fn an_app_only_bearer_token_cannot_act_for_a_user() {
    let sandbox = start_sandbox();
    // A common mistake: the portal's app-only "Bearer Token" given as a user token.
    let config = oauth2_config(&sandbox.base_url(), true);
    let token = cstr(APP_ONLY_BEARER_TOKEN);
    let status = unsafe { tw_config_set_oauth2_tokens(config.0, token.as_ptr(), ptr::null(), 0) };
    assert_eq!(status, TwStatus::Ok, "{:?}", last());
    for (result, what) in [
        (config.follow("twitterdev", false).map(drop), "follow"),
        (config.unfollow("twitterdev").map(drop), "unfollow"),
    ] {
        let (status, last) = result.unwrap_err();
        assert_eq!(
            (status, last.http_status, last.api_code),
            (TwStatus::AppPermission, 403, 0),
            "{what}"
        );
        assert_eq!(
            last.message,
            "finding the token's user (GET 2/users/me): HTTP 403: Unsupported Authentication: Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint. Supported authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context]. To fix: use OAuth 1.0a user tokens or an OAuth 2.0 user token: an app-only Bearer token cannot act for a user",
            "{what}"
        );
        assert!(
            !last.message.contains("sandboxAppOnly"),
            "the token is redacted"
        );
    }
    // The lookup works, and says nothing of a relationship: every member is absent.
    assert_eq!(
        config.relationship("twitterdev").unwrap(),
        serde_json::json!({"target": {"id": "2244994945", "username": "twitterdev"}})
    );
}

/// (method, path without query, status, Twitter code) of each request the sandbox saw.
fn wire(sandbox: &Sandbox) -> Vec<(String, String, u16, i32)> {
    sandbox
        .requests()
        .into_iter()
        .map(|r| {
            let path = r.target.split('?').next().unwrap().to_owned();
            (r.method, path, r.status, r.api_code)
        })
        .collect()
}

fn request(method: &str, path: &str, status: u16, code: i32) -> (String, String, u16, i32) {
    (method.into(), path.into(), status, code)
}

#[test]
fn auto_switches_to_v2_once_on_an_access_tier_refusal_and_remembers() {
    let sandbox = start_sandbox();
    let config = Config::for_app(&sandbox.base_url(), NO_V1_APP, &Account::builtin(1));
    assert_eq!(config.set_api_version(0), TwStatus::Ok);
    let json = config.follow("2244994945", false).unwrap();
    assert_eq!(
        json,
        r#"{"data":{"following":true,"pending_follow":false}}"#
    );
    assert_eq!(last().http_status, 200);
    assert_eq!(
        wire(&sandbox),
        [
            request("POST", "/1.1/friendships/create.json", 403, 453),
            request("POST", "/2/users/1500000001/following", 200, 0),
        ]
    );
    // Remembered: the next calls go to v2 at once, also after a setter.
    assert_eq!(config.set_timeout_ms(5000), TwStatus::Ok);
    config.follow("783214", false).unwrap();
    let relationship = config.relationship("2244994945").unwrap();
    assert_eq!(relationship["following"], true);
    let unfollowed = config.unfollow("2244994945").unwrap();
    assert_eq!(unfollowed["following"], false);
    assert_eq!(
        wire(&sandbox)[2..],
        [
            request("POST", "/2/users/1500000001/following", 200, 0),
            request("GET", "/2/users/2244994945", 200, 0),
            request("DELETE", "/2/users/1500000001/following/2244994945", 200, 0),
        ]
    );
    // Choosing a version again forgets it: auto starts from API 1.1 once more.
    assert_eq!(config.set_api_version(1), TwStatus::Ok);
    assert_eq!(config.set_api_version(0), TwStatus::Ok);
    config.relationship("783214").unwrap();
    assert_eq!(
        wire(&sandbox)[5..],
        [
            request("GET", "/1.1/friendships/show.json", 403, 453),
            request("GET", "/2/users/783214", 200, 0),
        ]
    );
}

#[test]
fn auto_is_opt_in_and_stays_on_1_1_when_it_works() {
    let sandbox = start_sandbox();
    let me = Account::builtin(1);
    // Version 1 (the default) does not switch.
    let fixed = Config::for_app(&sandbox.base_url(), NO_V1_APP, &me);
    let (status, _) = fixed.follow_err("2244994945");
    assert_eq!(status, TwStatus::AccessTier);
    assert_eq!(sandbox.request_count(), 1);
    // Auto with an app that may use API 1.1 stays there; other refusals do not switch.
    let auto = Config::for_app(&sandbox.base_url(), MAIN_APP, &me);
    assert_eq!(auto.set_api_version(0), TwStatus::Ok);
    let user: serde_json::Value =
        serde_json::from_str(&auto.follow("twitterdev", true).unwrap()).unwrap();
    assert_eq!(user["screen_name"], "twitterdev");
    let (status, _) = auto.follow_err("blocker_bob");
    assert_eq!(status, TwStatus::Blocked);
    let read_only = Config::for_app(&sandbox.base_url(), READ_ONLY_APP, &me);
    assert_eq!(read_only.set_api_version(0), TwStatus::Ok);
    assert_eq!(read_only.follow_err("Twitter").0, TwStatus::AppPermission);
    let paths: Vec<String> = wire(&sandbox)[1..].iter().map(|r| r.1.clone()).collect();
    assert_eq!(paths, ["/1.1/friendships/create.json"; 3]);
}

#[test]
fn auto_reports_the_v2_refusal_when_both_versions_refuse() {
    let sandbox = Sandbox::start(
        SandboxConfig {
            app_limits: vec![AppLimit::NoV1Access, AppLimit::NotEnrolled],
            ..SandboxConfig::default()
        },
        0,
    )
    .unwrap();
    let config = Config::for_sandbox(&sandbox);
    assert_eq!(config.set_api_version(0), TwStatus::Ok);
    let (status, last) = config.follow_err("2244994945");
    assert_eq!(
        (status, last.http_status, last.api_code),
        (TwStatus::AccessTier, 403, 0)
    );
    assert!(
        last.message.ends_with(" (API version auto: API 1.1 refused the app's access tier, so this config uses API v2 from now on)"),
        "{}",
        last.message
    );
    assert_eq!(sandbox.request_count(), 2);
    // Switched once, for good: no more tries of API 1.1.
    config.follow_err("2244994945");
    assert_eq!(wire(&sandbox)[2].1, "/2/users/1500000001/following");
    assert_eq!(sandbox.request_count(), 3);
}

#[test]
fn auto_needs_the_tokens_user_id_and_suits_oauth2() {
    let config = Config::new("ck", "cs", "no-user-id-here", "ts");
    assert_eq!(config.set_api_version(0), TwStatus::InvalidArgument);
    assert!(last().message.starts_with("API v2 needs"), "{:?}", last());
    assert_eq!(config.set_api_version(4), TwStatus::InvalidArgument);
    assert!(
        last()
            .message
            .ends_with("expected 1 (meaning 1.1), 2, or 0 (auto)"),
        "{:?}",
        last()
    );
    let oauth2 = oauth2_config("http://127.0.0.1:9", false);
    assert_eq!(oauth2.set_api_version(0), TwStatus::Ok);
    assert_eq!(oauth2.set_api_version(1), TwStatus::InvalidArgument);
}

#[test]
fn api_x_com_is_a_base_url_like_api_twitter_com() {
    let config = oauth2_config("https://api.x.com/", false);
    // X's authorize page for its API hosts, whichever name the base URL uses.
    let (url, _, _) = authorize(&config);
    assert!(
        url.starts_with("https://x.com/i/oauth2/authorize?"),
        "{url}"
    );
    let config = Config::new("ck", "cs", "1-at", "ts");
    for url in [
        "https://api.x.com",
        "https://API.X.com/",
        "https://api.x.com/prefix",
    ] {
        assert_eq!(config.set_base_url(url), TwStatus::Ok, "{url}");
    }
    assert_eq!(
        config.set_base_url("http://api.x.com"),
        TwStatus::InvalidArgument
    );
}
