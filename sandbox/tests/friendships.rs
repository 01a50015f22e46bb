//! Unfollow, the relationship lookups, and the refusals that are about the app or the
//! account (issue 11), driven with this crate's own signer.

mod support;

use support::*;
use twfollow_sandbox::{
    Account, AccountState, AppLimit, SandboxConfig, APP_ONLY_BEARER_TOKEN, BLOCKER_USER,
    FOLLOWER_USER, MUTED_USER, NO_V1_APP, PENDING_USER, PROTECTED_USER, PUBLIC_USER, READ_ONLY_APP,
    UNENROLLED_APP,
};

fn account(n: u64) -> Account {
    Account::builtin(n)
}

/// A signer for `app` (consumer key, secret) and `account`'s token.
fn signer<'a>(app: (&'a str, &'a str), account: &'a Account) -> Signer<'a> {
    Signer {
        consumer_key: app.0,
        consumer_secret: app.1,
        token: Some((&account.token, &account.token_secret)),
    }
}

fn main_app() -> (&'static str, &'static str) {
    (
        twfollow_sandbox::CONSUMER_KEY,
        twfollow_sandbox::CONSUMER_SECRET,
    )
}

/// A signed request with its parameters in the query (GET, DELETE) or a form (POST).
fn call(base: &str, signer: Signer, method: &str, path: &str, params: &[(&str, &str)]) -> Reply {
    let authorization = signer.header(method, &format!("{base}{path}"), &[], params);
    if method == "POST" {
        return post_form(base, path, &[("Authorization", &authorization)], params);
    }
    let target = if params.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", encode_pairs(params))
    };
    send(
        base,
        method,
        &target,
        &[("Authorization", &authorization)],
        "",
    )
}

fn coded(reply: &Reply) -> (u16, i64) {
    (
        reply.status,
        reply.json()["errors"][0]["code"].as_i64().unwrap_or(0),
    )
}

#[test]
fn v1_destroy_and_show_follow_the_state() {
    let sandbox = start();
    let base = sandbox.base_url();
    let me = account(1);
    let s = signer(main_app(), &me);
    let show = |name: &str| {
        call(
            &base,
            s,
            "GET",
            "/1.1/friendships/show.json",
            &[("target_screen_name", name)],
        )
    };
    let before = show(PUBLIC_USER.0);
    assert_eq!(before.status, 200, "{}", before.body);
    let source = &before.json()["relationship"]["source"];
    assert_eq!(source["following"], false);
    assert_eq!(source["id_str"], "1500000001");
    assert_eq!(
        before.json()["relationship"]["target"]["screen_name"],
        PUBLIC_USER.0
    );
    // A public account: X says nothing of requests (null).
    assert!(source["following_requested"].is_null());

    let create = call(
        &base,
        s,
        "POST",
        "/1.1/friendships/create.json",
        &[("screen_name", PUBLIC_USER.0)],
    );
    assert_eq!(create.status, 200, "{}", create.body);
    assert_eq!(
        show(PUBLIC_USER.0).json()["relationship"]["source"]["following"],
        true
    );

    let destroy = call(
        &base,
        s,
        "POST",
        "/1.1/friendships/destroy.json",
        &[("user_id", "2244994945")],
    );
    assert_eq!(destroy.status, 200, "{}", destroy.body);
    assert_eq!(destroy.json()["screen_name"], PUBLIC_USER.0);
    assert!(
        destroy.body.contains("\\/"),
        "slashes escaped as X does: {}",
        destroy.body
    );
    assert_eq!(
        show(PUBLIC_USER.0).json()["relationship"]["source"]["following"],
        false
    );
    // Unfollowing again, or someone never followed, is no error.
    let again = call(
        &base,
        s,
        "POST",
        "/1.1/friendships/destroy.json",
        &[("user_id", "2244994945")],
    );
    assert_eq!(
        (again.status, again.json()["following"].clone()),
        (200, false.into())
    );

    // The seeded relationships.
    let source_of = |name: &str| show(name).json()["relationship"]["source"].clone();
    assert_eq!(source_of(FOLLOWER_USER.0)["followed_by"], true);
    assert_eq!(source_of(MUTED_USER.0)["muting"], true);
    assert_eq!(source_of(BLOCKER_USER.0)["blocked_by"], true);
    assert_eq!(source_of(PENDING_USER.0)["following_requested"], true);
    assert_eq!(source_of(PROTECTED_USER.0)["following_requested"], false);
    call(
        &base,
        s,
        "POST",
        "/1.1/friendships/create.json",
        &[("screen_name", PROTECTED_USER.0)],
    );
    assert_eq!(source_of(PROTECTED_USER.0)["following_requested"], true);

    // Refusals.
    assert_eq!(coded(&show("nobody_here")), (404, 50));
    assert_eq!(
        coded(&call(&base, s, "GET", "/1.1/friendships/show.json", &[])),
        (400, 38)
    );
    assert_eq!(
        coded(&call(
            &base,
            s,
            "POST",
            "/1.1/friendships/destroy.json",
            &[("screen_name", "nobody_here")]
        )),
        (403, 108)
    );
    assert_eq!(
        send(&base, "GET", "/1.1/friendships/destroy.json", &[], "").status,
        405
    );
}

#[test]
fn v2_delete_and_connection_status() {
    let sandbox = start();
    let base = sandbox.base_url();
    let me = account(2);
    let s = signer(main_app(), &me);
    let status_of = |path: &str| {
        let reply = call(
            &base,
            s,
            "GET",
            path,
            &[("user.fields", "connection_status")],
        );
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply.json()["data"]["connection_status"].clone()
    };
    assert_eq!(
        status_of("/2/users/by/username/twitterdev"),
        serde_json::json!([])
    );
    let follow = {
        let path = "/2/users/1500000002/following";
        let authorization = s.header("POST", &format!("{base}{path}"), &[], &[]);
        send(
            &base,
            "POST",
            path,
            &[
                ("Authorization", &authorization),
                ("Content-Type", "application/json"),
            ],
            r#"{"target_user_id":"2244994945"}"#,
        )
    };
    assert_eq!(follow.status, 200, "{}", follow.body);
    assert_eq!(
        status_of("/2/users/2244994945"),
        serde_json::json!(["following"])
    );
    assert_eq!(
        status_of("/2/users/by/username/Twitter"),
        serde_json::json!(["followed_by"])
    );
    assert_eq!(
        status_of("/2/users/by/username/muted_mia"),
        serde_json::json!(["muting"])
    );
    assert_eq!(
        status_of("/2/users/by/username/pending_pat"),
        serde_json::json!(["follow_request_sent"])
    );
    // Without user.fields, no connection_status.
    let plain = call(&base, s, "GET", "/2/users/2244994945", &[]);
    assert!(
        plain.json()["data"].get("connection_status").is_none(),
        "{}",
        plain.body
    );

    let delete = call(
        &base,
        s,
        "DELETE",
        "/2/users/1500000002/following/2244994945",
        &[],
    );
    assert_eq!(delete.status, 200, "{}", delete.body);
    assert_eq!(
        delete.json(),
        serde_json::json!({"data": {"following": false}})
    );
    assert_eq!(delete.header("x-rate-limit-limit"), Some("50"));
    assert_eq!(status_of("/2/users/2244994945"), serde_json::json!([]));

    // Someone else's follows, a bad or unknown target, an unknown id.
    let other = call(
        &base,
        s,
        "DELETE",
        "/2/users/1500000001/following/2244994945",
        &[],
    );
    assert_eq!(other.status, 403, "{}", other.body);
    assert_eq!(
        call(&base, s, "DELETE", "/2/users/1500000002/following/x1", &[]).status,
        400
    );
    let unknown = call(&base, s, "DELETE", "/2/users/1500000002/following/42", &[]);
    assert_eq!(unknown.status, 200);
    assert!(unknown.json()["errors"][0]["type"]
        .as_str()
        .unwrap()
        .ends_with("resource-not-found"));
    let unknown = call(&base, s, "GET", "/2/users/42", &[]);
    assert_eq!(
        unknown.json()["errors"][0]["detail"],
        "Could not find user with id: [42]."
    );
    assert_eq!(
        call(&base, s, "GET", "/2/users/12345678901234567890", &[]).status,
        400
    );
    assert_eq!(
        call(
            &base,
            s,
            "POST",
            "/2/users/1500000002/following/2244994945",
            &[]
        )
        .status,
        405
    );
    // A lookup is by the route matched, not by words of the base URL's prefix; an empty
    // id segment matches no route.
    let prefixed = call(&base, s, "GET", "/by/username/p/2/users/2244994945", &[]);
    assert_eq!(
        prefixed.json()["data"]["id"],
        "2244994945",
        "{}",
        prefixed.body
    );
    assert_eq!(call(&base, s, "GET", "/2/users/", &[]).status, 404);
    // The token endpoints read no query (client authentication comes first), and a page's
    // GET reads no body.
    let token = send(&base, "POST", "/2/oauth2/token?a=%zz", &[], "");
    assert_eq!(
        token.json()["error"],
        "unauthorized_client",
        "{}",
        token.body
    );
    let page = send(
        &base,
        "GET",
        "/oauth/authorize?oauth_token=unknown",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        "a=%zz",
    );
    assert!(!page.body.contains("Malformed"), "{}", page.body);
}

#[test]
fn restricted_apps_are_refused_the_way_x_does() {
    let sandbox = start();
    let base = sandbox.base_url();
    let me = account(1);
    let create = |app| {
        call(
            &base,
            signer(app, &me),
            "POST",
            "/1.1/friendships/create.json",
            &[("screen_name", "Twitter")],
        )
    };
    let v2_follow = |app| {
        let path = "/2/users/1500000001/following";
        let authorization = signer(app, &me).header("POST", &format!("{base}{path}"), &[], &[]);
        send(
            &base,
            "POST",
            path,
            &[
                ("Authorization", &authorization),
                ("Content-Type", "application/json"),
            ],
            r#"{"target_user_id":"783214"}"#,
        )
    };
    let show = |app| {
        call(
            &base,
            signer(app, &me),
            "GET",
            "/1.1/friendships/show.json",
            &[("target_id", "783214")],
        )
    };

    // Read-only: writes refused in both versions, reads answered.
    assert_eq!(coded(&create(READ_ONLY_APP)), (403, 261));
    let reply = v2_follow(READ_ONLY_APP);
    assert_eq!(reply.status, 403);
    assert_eq!(
        reply.json()["type"],
        "https://api.twitter.com/2/problems/oauth1-permissions"
    );
    assert_eq!(show(READ_ONLY_APP).status, 200);

    // An access tier without API 1.1: every 1.1 request is 453; v2 works.
    assert_eq!(coded(&create(NO_V1_APP)), (403, 453));
    assert_eq!(coded(&show(NO_V1_APP)), (403, 453));
    assert_eq!(v2_follow(NO_V1_APP).status, 200);

    // No Project: every v2 request is client-forbidden; 1.1 works.
    let reply = v2_follow(UNENROLLED_APP);
    assert_eq!(reply.status, 403);
    let problem = reply.json();
    assert_eq!(
        (problem["type"].as_str(), problem["reason"].as_str()),
        (
            Some("https://api.twitter.com/2/problems/client-forbidden"),
            Some("client-not-enrolled")
        )
    );
    let me_reply = call(
        &base,
        signer(UNENROLLED_APP, &me),
        "GET",
        "/2/users/me",
        &[],
    );
    assert_eq!(me_reply.json()["reason"], "client-not-enrolled");
    assert_eq!(create(UNENROLLED_APP).status, 200);

    // A wrong secret for a known app is still a signature refusal.
    assert_eq!(coded(&create((READ_ONLY_APP.0, "wrong"))), (401, 32));
}

#[test]
fn the_main_app_can_be_restricted_too() {
    let sandbox = start_with(SandboxConfig {
        app_limits: vec![AppLimit::NoV1Access, AppLimit::ReadOnly],
        ..SandboxConfig::default()
    });
    let base = sandbox.base_url();
    let me = account(1);
    let s = signer(main_app(), &me);
    // The tier is checked before the permission.
    let reply = call(
        &base,
        s,
        "POST",
        "/1.1/friendships/create.json",
        &[("screen_name", "Twitter")],
    );
    assert_eq!(coded(&reply), (403, 453));
    let reply = call(
        &base,
        s,
        "DELETE",
        "/2/users/1500000001/following/783214",
        &[],
    );
    assert_eq!(
        reply.json()["type"],
        "https://api.twitter.com/2/problems/oauth1-permissions"
    );
}

#[test]
fn suspended_and_locked_accounts_are_refused_whatever_they_ask() {
    let sandbox = start();
    let base = sandbox.base_url();
    for (state, code) in [(AccountState::Suspended, 64), (AccountState::Locked, 326)] {
        let restricted = Account::restricted(state);
        let s = signer(main_app(), &restricted);
        let create = call(
            &base,
            s,
            "POST",
            "/1.1/friendships/create.json",
            &[("screen_name", "Twitter")],
        );
        assert_eq!(coded(&create), (403, code), "{state:?}");
        let show = call(
            &base,
            s,
            "GET",
            "/1.1/friendships/show.json",
            &[("target_id", "783214")],
        );
        assert_eq!(coded(&show), (403, code), "{state:?}");
        // API v2: the code at the top, as X's OpenAPI `Error` has it.
        let me = call(&base, s, "GET", "/2/users/me", &[]);
        assert_eq!(
            (me.status, me.json()["code"].as_i64()),
            (403, Some(code)),
            "{state:?}"
        );
        // A bad signature is still 401 first.
        let wrong = Signer {
            consumer_secret: "wrong",
            ..s
        };
        assert_eq!(call(&base, wrong, "GET", "/2/users/me", &[]).status, 401);
    }
    assert_eq!(
        Account::restricted(AccountState::Locked).token,
        "1500000326-sandboxLockedToken"
    );
}

#[test]
fn the_app_only_token_looks_up_but_cannot_act() {
    let sandbox = start();
    let base = sandbox.base_url();
    let app_only = bearer(APP_ONLY_BEARER_TOKEN);
    let headers = [("Authorization", app_only.as_str())];
    let lookup = send(
        &base,
        "GET",
        "/2/users/by/username/twitterdev?user.fields=connection_status",
        &headers,
        "",
    );
    assert_eq!(lookup.status, 200, "{}", lookup.body);
    assert_eq!(lookup.json()["data"]["id"], "2244994945");
    assert!(lookup.json()["data"].get("connection_status").is_none());
    for (method, path) in [
        ("GET", "/2/users/me"),
        ("POST", "/2/users/1500000001/following"),
        ("DELETE", "/2/users/1500000001/following/783214"),
    ] {
        let reply = send(&base, method, path, &headers, "");
        assert_eq!(reply.status, 403, "{method} {path}");
        assert_eq!(
            reply.json()["type"],
            "https://api.twitter.com/2/problems/unsupported-authentication"
        );
        assert_eq!(reply.json()["title"], "Unsupported Authentication");
    }
    let v1 = post_form(
        &base,
        "/1.1/friendships/create.json",
        &headers,
        &[("screen_name", "Twitter")],
    );
    assert_eq!(coded(&v1), (403, 220));
}

#[test]
fn pay_per_use_refusals_and_the_day_budgets() {
    let sandbox = start_with(SandboxConfig {
        day_budget: 2,
        ..SandboxConfig::default()
    });
    let base = sandbox.base_url();
    let me = account(1);
    // Spent credits: 402 with X's problem, in both versions; nothing counted.
    let creditless = signer(twfollow_sandbox::CREDITLESS_APP, &me);
    let reply = call(
        &base,
        creditless,
        "POST",
        "/1.1/friendships/create.json",
        &[("screen_name", "Twitter")],
    );
    assert_eq!(reply.status, 402);
    assert_eq!(reply.json()["title"], "CreditsDepleted");
    assert!(reply.header("x-user-limit-24hour-remaining").is_none());
    let reply = call(
        &base,
        creditless,
        "GET",
        "/2/users/by/username/Twitter",
        &[],
    );
    // X's early-2026 form: `credits` on api.twitter.com, with the account's id.
    assert_eq!(
        (reply.status, reply.json()["account_id"].as_u64()),
        (402, Some(1_700_000_000_000_000_001))
    );
    assert_eq!(
        reply.json()["type"],
        "https://api.twitter.com/2/problems/credits"
    );
    // A monthly cap: 429 usage-capped.
    let capped = signer(twfollow_sandbox::CAPPED_APP, &me);
    let reply = call(&base, capped, "GET", "/2/users/by/username/Twitter", &[]);
    assert_eq!(reply.status, 429);
    // X's body as it was seen (tests/data/x-answers/429-usage-capped.json).
    let observed = r#"{"title":"UsageCapExceeded","period":"Monthly","scope":"Product","detail":"Usage cap exceeded: Monthly product cap","type":"https://api.twitter.com/2/problems/usage-capped"}"#;
    let observed: serde_json::Value = serde_json::from_str(observed).unwrap();
    assert_eq!(reply.json(), observed);
    // The day budget counts every API answer down, then refuses (the 15-minute window is not spent).
    let s = signer(main_app(), &me);
    let left = |reply: &Reply| {
        reply
            .header("x-user-limit-24hour-remaining")
            .map(str::to_owned)
    };
    let reply = call(
        &base,
        s,
        "POST",
        "/1.1/friendships/create.json",
        &[("screen_name", "Twitter")],
    );
    assert_eq!((reply.status, left(&reply).as_deref()), (200, Some("1")));
    assert_eq!(reply.header("x-user-limit-24hour-limit"), Some("2"));
    let reply = call(&base, s, "GET", "/2/users/by/username/Twitter", &[]);
    assert_eq!((reply.status, left(&reply).as_deref()), (200, Some("0")));
    let reply = call(&base, s, "POST", "/2/users/1500000001/following", &[]);
    assert_eq!((reply.status, left(&reply).as_deref()), (429, Some("0")));
    assert_ne!(reply.header("x-rate-limit-remaining"), Some("0"));
    let reset: u64 = reply
        .header("x-user-limit-24hour-reset")
        .unwrap()
        .parse()
        .unwrap();
    assert!(reset > reply_time() + 86_000);
    let reply = call(
        &base,
        s,
        "POST",
        "/1.1/friendships/create.json",
        &[("screen_name", "Twitter")],
    );
    assert_eq!(coded(&reply), (429, 88));
    // Another account has its own budget; the app's counts them all.
    let other = account(2);
    let reply = call(
        &base,
        signer(main_app(), &other),
        "GET",
        "/2/users/by/username/Twitter",
        &[],
    );
    assert_eq!(left(&reply).as_deref(), Some("1"));
    assert_eq!(reply.header("x-app-limit-24hour-remaining"), Some("999997"));
    // Every request was counted at the server; the question itself is not.
    let seen = sandbox.requests_seen();
    assert_eq!(seen, 8);
    let answer = get(&base, twfollow_sandbox::REQUEST_COUNT_PATH);
    assert_eq!(answer.json()["requests"], 8);
    assert_eq!(sandbox.requests_seen(), 8);
}

fn reply_time() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn fail_first_fails_exactly_that_many_requests_however_they_overlap() {
    let sandbox = start_with(SandboxConfig {
        fail_first: 4,
        ..SandboxConfig::default()
    });
    let base = sandbox.base_url();
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let senders: Vec<_> = (0..12)
            .map(|_| scope.spawn(|| get(&base, "/2/users/me").status))
            .collect();
        senders.into_iter().map(|s| s.join().unwrap()).collect()
    });
    let failed = statuses.iter().filter(|&&status| status == 503).count();
    assert_eq!(failed, 4, "{statuses:?}");
    assert_eq!(sandbox.requests_seen(), 12);
}
