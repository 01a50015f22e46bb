//! OAuth 2.0 Authorization Code with PKCE over loopback HTTP: `i/oauth2/authorize`,
//! `2/oauth2/token` (code and refresh grants), `2/oauth2/revoke`, and Bearer user
//! tokens on API v2 (`2/users/me`, lookup, follow) and refused on API 1.1.

mod support;

use std::time::Duration;

use support::*;
use twfollow_sandbox::{
    Sandbox, SandboxConfig, OAUTH2_CLIENT_ID, OAUTH2_CLIENT_SECRET, OAUTH2_PUBLIC_CLIENT_ID,
    PROTECTED_USER, PUBLIC_USER,
};

const REDIRECT: &str = "http://127.0.0.1:8765/callback";
const ALL_SCOPES: &str = "tweet.read users.read follows.write offline.access";
const TOKEN: &str = "/2/oauth2/token";
const REVOKE: &str = "/2/oauth2/revoke";

fn authorize_url(
    client: &str,
    redirect: &str,
    scope: &str,
    state: &str,
    challenge: &str,
) -> String {
    format!(
        "/i/oauth2/authorize?{}",
        encode_pairs(&[
            ("response_type", "code"),
            ("client_id", client),
            ("redirect_uri", redirect),
            ("scope", scope),
            ("state", state),
            ("code_challenge", challenge),
            ("code_challenge_method", "S256"),
        ])
    )
}

/// Opens the authorize page as account 1 and returns the code from the redirect.
fn code_for(base: &str, client: &str, scope: &str, challenge: &str) -> String {
    let reply = get(
        base,
        &authorize_url(client, REDIRECT, scope, "st", challenge),
    );
    assert_eq!(reply.status, 302, "{}", reply.body);
    reply.location_query()["code"].clone()
}

/// A client as the token and revoke endpoints see it.
#[derive(Clone, Copy)]
enum As {
    Public,
    Confidential,
}

impl As {
    fn id(self) -> &'static str {
        match self {
            As::Public => OAUTH2_PUBLIC_CLIENT_ID,
            As::Confidential => OAUTH2_CLIENT_ID,
        }
    }

    /// A form POST authenticated the way this client must: Basic, or client_id in the body.
    fn post(self, base: &str, path: &str, form: &[(&str, &str)]) -> Reply {
        match self {
            As::Public => {
                let mut form = form.to_vec();
                form.push(("client_id", OAUTH2_PUBLIC_CLIENT_ID));
                post_form(base, path, &[], &form)
            }
            As::Confidential => {
                let authorization = basic(OAUTH2_CLIENT_ID, OAUTH2_CLIENT_SECRET);
                post_form(base, path, &[("Authorization", &authorization)], form)
            }
        }
    }
}

fn exchange(base: &str, client: As, code: &str, verifier: &str) -> Reply {
    client.post(
        base,
        TOKEN,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier),
        ],
    )
}

fn refresh(base: &str, client: As, refresh_token: &str) -> Reply {
    client.post(
        base,
        TOKEN,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ],
    )
}

/// The whole flow for account 1, expected to succeed: the token endpoint's JSON.
fn tokens(sandbox: &Sandbox, client: As, scope: &str) -> serde_json::Value {
    let base = sandbox.base_url();
    let (verifier, challenge) = pkce_pair();
    let code = code_for(&base, client.id(), scope, &challenge);
    let reply = exchange(&base, client, &code, &verifier);
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()
}

fn text(value: &serde_json::Value) -> &str {
    value.as_str().expect("a string")
}

fn me(base: &str, access_token: &str) -> Reply {
    send(
        base,
        "GET",
        "/2/users/me",
        &[("Authorization", &bearer(access_token))],
        "",
    )
}

fn follow_v2(base: &str, access_token: &str, follower: u64, target: u64) -> Reply {
    send(
        base,
        "POST",
        &format!("/2/users/{follower}/following"),
        &[
            ("Authorization", &bearer(access_token)),
            ("Content-Type", "application/json"),
        ],
        &format!(r#"{{"target_user_id":"{target}"}}"#),
    )
}

fn assert_unauthorized(reply: &Reply) {
    assert_eq!(reply.status, 401, "{}", reply.body);
    assert!(reply
        .header("content-type")
        .unwrap()
        .starts_with("application/problem+json"));
    assert_eq!(
        reply.json(),
        serde_json::json!({"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"})
    );
}

fn assert_invalid_token(reply: &Reply) {
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert_eq!(
        reply.json(),
        serde_json::json!({"error": "invalid_request", "error_description": "Value passed for the token was invalid."})
    );
}

fn assert_unauthorized_client(reply: &Reply) {
    assert_eq!(reply.status, 401, "{}", reply.body);
    assert_eq!(
        reply.json(),
        serde_json::json!({"error": "unauthorized_client", "error_description": "Missing valid authorization header"})
    );
}

#[test]
fn public_client_pkce_flow_gives_a_token_that_follows_through_v2() {
    let sandbox = start();
    let base = sandbox.base_url();
    let (verifier, challenge) = pkce_pair();
    let reply = get(
        &base,
        &authorize_url(
            OAUTH2_PUBLIC_CLIENT_ID,
            REDIRECT,
            ALL_SCOPES,
            "state-123",
            &challenge,
        ),
    );
    assert_eq!(reply.status, 302, "{}", reply.body);
    let location = reply.header("location").unwrap();
    assert!(
        location.starts_with(&format!("{REDIRECT}?state=state-123&code=")),
        "{location}"
    );
    let query = reply.location_query();
    assert_eq!(query.len(), 2);
    let code = &query["code"];

    let reply = exchange(&base, As::Public, code, &verifier);
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(reply
        .header("content-type")
        .unwrap()
        .starts_with("application/json"));
    let tokens = reply.json();
    assert_eq!(tokens["token_type"], "bearer");
    assert_eq!(tokens["expires_in"], 7200);
    assert_eq!(tokens["scope"], ALL_SCOPES);
    let access = text(&tokens["access_token"]);
    let refresh = text(&tokens["refresh_token"]);
    assert!(access.len() >= 40 && refresh.len() >= 40 && access != refresh);

    let reply = me(&base, access);
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(
        reply.json(),
        serde_json::json!({"data": {"id": "1500000001", "name": "sandbox_me", "username": "sandbox_me"}})
    );
    assert!(reply.header("x-rate-limit-limit").is_some());

    let reply = send(
        &base,
        "GET",
        &format!("/2/users/by/username/{}", PUBLIC_USER.0),
        &[("Authorization", &bearer(access))],
        "",
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["data"]["id"], PUBLIC_USER.1.to_string());

    let reply = follow_v2(&base, access, 1500000001, PUBLIC_USER.1);
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(
        reply.json(),
        serde_json::json!({"data": {"following": true, "pending_follow": false}})
    );
    assert_eq!(reply.header("x-rate-limit-remaining"), Some("49"));
    let reply = follow_v2(&base, access, 1500000001, PROTECTED_USER.1);
    assert_eq!(reply.json()["data"]["pending_follow"], true);
}

/// The confidential client proves itself with HTTP Basic; the PKCE pair here is RFC
/// 7636's worked example, so the challenge comes from the RFC and not from our code.
#[test]
fn confidential_client_needs_basic() {
    let sandbox = start();
    let base = sandbox.base_url();
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    let code = code_for(&base, OAUTH2_CLIENT_ID, ALL_SCOPES, challenge);
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", verifier),
    ];
    // A refused client does not spend the code: these come before it is looked at.
    let mut named = form.to_vec();
    named.push(("client_id", OAUTH2_CLIENT_ID));
    assert_unauthorized_client(&post_form(&base, TOKEN, &[], &named));
    assert_unauthorized_client(&post_form(&base, TOKEN, &[], &form));
    let wrong = basic(OAUTH2_CLIENT_ID, "not-the-secret");
    assert_unauthorized_client(&post_form(
        &base,
        TOKEN,
        &[("Authorization", &wrong)],
        &form,
    ));
    let garbled = "Basic !!!not base64!!!".to_owned();
    assert_unauthorized_client(&post_form(
        &base,
        TOKEN,
        &[("Authorization", &garbled)],
        &form,
    ));
    let right = basic(OAUTH2_CLIENT_ID, OAUTH2_CLIENT_SECRET);
    let mut mismatched = form.to_vec();
    mismatched.push(("client_id", OAUTH2_PUBLIC_CLIENT_ID));
    assert_unauthorized_client(&post_form(
        &base,
        TOKEN,
        &[("Authorization", &right)],
        &mismatched,
    ));
    // The public client has no secret, so no Basic.
    let public = basic(OAUTH2_PUBLIC_CLIENT_ID, "");
    assert_unauthorized_client(&post_form(
        &base,
        TOKEN,
        &[("Authorization", &public)],
        &form,
    ));

    let reply = post_form(&base, TOKEN, &[("Authorization", &right)], &named);
    assert_eq!(reply.status, 200, "{}", reply.body);
    let access = text(&reply.json()["access_token"]).to_owned();
    assert_eq!(me(&base, &access).status, 200);
}

#[test]
fn a_code_works_once_with_its_verifier_redirect_and_client() {
    let sandbox = start();
    let base = sandbox.base_url();
    let (verifier, challenge) = pkce_pair();
    let (other_verifier, _) = pkce_pair();

    let code = code_for(&base, OAUTH2_PUBLIC_CLIENT_ID, ALL_SCOPES, &challenge);
    assert_invalid_token(&exchange(&base, As::Public, &code, &other_verifier));
    // Spent by the failed attempt.
    assert_invalid_token(&exchange(&base, As::Public, &code, &verifier));

    let code = code_for(&base, OAUTH2_PUBLIC_CLIENT_ID, ALL_SCOPES, &challenge);
    let reply = As::Public.post(
        &base,
        TOKEN,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "http://127.0.0.1:8765/other"),
            ("code_verifier", &verifier),
        ],
    );
    assert_invalid_token(&reply);

    // A code issued to one client is worthless to the other.
    let code = code_for(&base, OAUTH2_PUBLIC_CLIENT_ID, ALL_SCOPES, &challenge);
    assert_invalid_token(&exchange(&base, As::Confidential, &code, &verifier));

    let code = code_for(&base, OAUTH2_PUBLIC_CLIENT_ID, ALL_SCOPES, &challenge);
    assert_eq!(exchange(&base, As::Public, &code, &verifier).status, 200);
    assert_invalid_token(&exchange(&base, As::Public, &code, &verifier));
    assert_invalid_token(&exchange(&base, As::Public, "no-such-code", &verifier));

    // The challenge itself is not the verifier.
    let code = code_for(&base, OAUTH2_PUBLIC_CLIENT_ID, ALL_SCOPES, &challenge);
    assert_invalid_token(&exchange(&base, As::Public, &code, &challenge));

    let reply = As::Public.post(
        &base,
        TOKEN,
        &[
            ("grant_type", "authorization_code"),
            ("code", "x"),
            ("redirect_uri", REDIRECT),
        ],
    );
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.json()["error_description"],
        "Missing required parameter [code_verifier]."
    );
    let reply = As::Public.post(&base, TOKEN, &[("grant_type", "password")]);
    assert_eq!(reply.status, 400);
    assert_eq!(reply.json()["error"], "unsupported_grant_type");
}

#[test]
fn a_code_lives_30_seconds() {
    let lifetime = SandboxConfig::default().oauth2_code_lifetime;
    assert_eq!(lifetime, Duration::from_secs(30));
    // One that has lived its lifetime is refused.
    let sandbox = start_with(SandboxConfig {
        oauth2_code_lifetime: Duration::ZERO,
        ..SandboxConfig::default()
    });
    let base = sandbox.base_url();
    let (verifier, challenge) = pkce_pair();
    let code = code_for(&base, OAUTH2_PUBLIC_CLIENT_ID, ALL_SCOPES, &challenge);
    assert_invalid_token(&exchange(&base, As::Public, &code, &verifier));
}

#[test]
fn authorize_refuses_what_it_cannot_trust_with_a_page_and_no_redirect() {
    let sandbox = start();
    let base = sandbox.base_url();
    let (_, challenge) = pkce_pair();
    let good = [
        ("response_type", "code"),
        ("client_id", OAUTH2_PUBLIC_CLIENT_ID),
        ("redirect_uri", REDIRECT),
        ("scope", ALL_SCOPES),
        ("state", "s"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    let with = |name: &str, value: Option<&str>| {
        let pairs: Vec<(&str, &str)> = good
            .iter()
            .filter(|(k, _)| *k != name)
            .copied()
            .chain(value.map(|v| (name, v)))
            .collect();
        get(
            &base,
            &format!("/i/oauth2/authorize?{}", encode_pairs(&pairs)),
        )
    };
    let cases = [
        ("client_id", Some("someone-else")),
        ("client_id", None),
        ("redirect_uri", Some("http://app.example/callback")),
        (
            "redirect_uri",
            Some("https://app.example/callback#fragment"),
        ),
        ("redirect_uri", None),
        ("response_type", Some("token")),
        ("state", None),
        ("state", Some("")),
        ("code_challenge", None),
        ("code_challenge", Some("too-short")),
        ("code_challenge_method", Some("S512")),
        ("code_challenge_method", None),
        ("scope", Some("follows.write world.domination")),
        ("scope", None),
    ];
    for (name, value) in cases {
        let reply = with(name, value);
        assert_eq!(reply.status, 400, "{name}={value:?}: {}", reply.body);
        assert!(reply.header("location").is_none(), "{name}={value:?}");
        assert!(reply
            .header("content-type")
            .unwrap()
            .starts_with("text/html"));
    }
    for account in ["0", "4"] {
        let mut pairs = good.to_vec();
        pairs.push(("account", account));
        let reply = get(
            &base,
            &format!("/i/oauth2/authorize?{}", encode_pairs(&pairs)),
        );
        assert_eq!(reply.status, 400, "account={account}");
    }
    for redirect in [
        "https://app.example/cb?keep=1",
        "http://localhost/cb",
        "http://localhost:9/cb",
    ] {
        let reply = with("redirect_uri", Some(redirect));
        assert_eq!(reply.status, 302, "{redirect}: {}", reply.body);
        assert!(reply.header("location").unwrap().starts_with(redirect));
    }
    // The sandbox takes S256 alone (X takes plain too; nothing here sends it).
    let reply = with("code_challenge_method", Some("plain"));
    assert_eq!(reply.status, 400, "{}", reply.body);
}

#[test]
fn denying_redirects_with_access_denied_and_the_state() {
    let sandbox = start();
    let base = sandbox.base_url();
    let (_, challenge) = pkce_pair();
    let url = authorize_url(
        OAUTH2_CLIENT_ID,
        REDIRECT,
        ALL_SCOPES,
        "keep-me",
        &challenge,
    );
    let reply = get(&base, &format!("{url}&deny=1"));
    assert_eq!(reply.status, 302);
    assert_eq!(
        reply.header("location").unwrap(),
        format!("{REDIRECT}?error=access_denied&state=keep-me")
    );
}

#[test]
fn another_account_approves_with_account_n() {
    let sandbox = start();
    let base = sandbox.base_url();
    let (verifier, challenge) = pkce_pair();
    let url = authorize_url(
        OAUTH2_PUBLIC_CLIENT_ID,
        REDIRECT,
        ALL_SCOPES,
        "s",
        &challenge,
    );
    let reply = get(&base, &format!("{url}&account=3"));
    let code = &reply.location_query()["code"];
    let tokens = exchange(&base, As::Public, code, &verifier).json();
    let access = text(&tokens["access_token"]);
    assert_eq!(me(&base, access).json()["data"]["username"], "sandbox_3");
    // Its id is the only one it may follow for.
    let reply = follow_v2(&base, access, 1500000001, PUBLIC_USER.1);
    assert_eq!(reply.status, 403, "{}", reply.body);
    assert_eq!(reply.json()["title"], "Forbidden");
    assert_eq!(
        follow_v2(&base, access, 1500000003, PUBLIC_USER.1).status,
        200
    );
}

#[test]
fn refresh_rotates_and_the_old_refresh_token_is_refused() {
    let sandbox = start();
    let base = sandbox.base_url();
    for client in [As::Public, As::Confidential] {
        let first = tokens(&sandbox, client, ALL_SCOPES);
        let reply = refresh(&base, client, text(&first["refresh_token"]));
        assert_eq!(reply.status, 200, "{}", reply.body);
        let second = reply.json();
        assert_eq!(second["scope"], ALL_SCOPES);
        assert_eq!(second["expires_in"], 7200);
        assert_ne!(second["access_token"], first["access_token"]);
        assert_ne!(second["refresh_token"], first["refresh_token"]);

        assert_invalid_token(&refresh(&base, client, text(&first["refresh_token"])));
        // The old access token lives on until it expires.
        assert_eq!(me(&base, text(&first["access_token"])).status, 200);
        assert_eq!(me(&base, text(&second["access_token"])).status, 200);

        let third = refresh(&base, client, text(&second["refresh_token"]));
        assert_eq!(third.status, 200, "{}", third.body);
    }
    assert_eq!(sandbox.oauth2_refresh_count(), 4);

    // A refresh token belongs to its client.
    let confidential = tokens(&sandbox, As::Confidential, ALL_SCOPES);
    assert_invalid_token(&refresh(
        &base,
        As::Public,
        text(&confidential["refresh_token"]),
    ));
    assert_eq!(
        refresh(
            &base,
            As::Confidential,
            text(&confidential["refresh_token"])
        )
        .status,
        200
    );
    assert_invalid_token(&refresh(&base, As::Public, "no-such-token"));
    let reply = As::Public.post(&base, TOKEN, &[("grant_type", "refresh_token")]);
    assert_eq!(
        reply.json()["error_description"],
        "Missing required parameter [refresh_token]."
    );
    assert_eq!(sandbox.oauth2_refresh_count(), 5);
}

#[test]
fn no_refresh_token_without_offline_access() {
    let sandbox = start();
    let tokens = tokens(&sandbox, As::Public, "tweet.read users.read follows.write");
    assert_eq!(tokens["scope"], "tweet.read users.read follows.write");
    assert!(tokens.get("refresh_token").is_none(), "{tokens}");
    assert!(tokens["access_token"].is_string());
}

#[test]
fn a_follow_needs_follows_write() {
    let sandbox = start();
    let base = sandbox.base_url();
    let tokens = tokens(&sandbox, As::Public, "tweet.read users.read");
    let access = text(&tokens["access_token"]);
    assert_eq!(me(&base, access).status, 200);
    let reply = follow_v2(&base, access, 1500000001, PUBLIC_USER.1);
    assert_eq!(reply.status, 403, "{}", reply.body);
    assert!(reply
        .header("content-type")
        .unwrap()
        .starts_with("application/problem+json"));
    let problem = reply.json();
    assert_eq!(problem["title"], "Forbidden");
    assert_eq!(problem["status"], 403);
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains("follows.write"));
    // Nothing was followed: the budget is untouched.
    let full = self::tokens(&sandbox, As::Public, ALL_SCOPES);
    let reply = follow_v2(
        &base,
        text(&full["access_token"]),
        1500000001,
        PUBLIC_USER.1,
    );
    assert_eq!(reply.header("x-rate-limit-remaining"), Some("49"));
}

#[test]
fn revoking_an_access_token_or_a_refresh_token() {
    let sandbox = start();
    let base = sandbox.base_url();

    let tokens = self::tokens(&sandbox, As::Public, ALL_SCOPES);
    let access = text(&tokens["access_token"]);
    let reply = As::Public.post(
        &base,
        REVOKE,
        &[("token", access), ("token_type_hint", "access_token")],
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json(), serde_json::json!({"revoked": true}));
    assert_unauthorized(&me(&base, access));
    // Revoking the access token leaves the refresh token working.
    assert_eq!(
        refresh(&base, As::Public, text(&tokens["refresh_token"])).status,
        200
    );

    let tokens = self::tokens(&sandbox, As::Confidential, ALL_SCOPES);
    let (access, refresh_token) = (
        text(&tokens["access_token"]),
        text(&tokens["refresh_token"]),
    );
    assert_unauthorized_client(&post_form(&base, REVOKE, &[], &[("token", refresh_token)]));
    // Another client cannot revoke it.
    assert_invalid_token(&As::Public.post(&base, REVOKE, &[("token", refresh_token)]));
    assert_eq!(me(&base, access).status, 200);
    let reply = As::Confidential.post(&base, REVOKE, &[("token", refresh_token)]);
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_unauthorized(&me(&base, access));
    assert_invalid_token(&refresh(&base, As::Confidential, refresh_token));

    // RFC 7009: an unknown token is answered like a revoked one.
    let reply = As::Public.post(&base, REVOKE, &[("token", "no-such-token")]);
    assert_eq!(reply.status, 200);
    let reply = As::Public.post(&base, REVOKE, &[]);
    assert_eq!(reply.status, 400);
}

#[test]
fn expired_tokens_are_401_and_refresh_brings_them_back() {
    let sandbox = start();
    let base = sandbox.base_url();
    let tokens = self::tokens(&sandbox, As::Public, ALL_SCOPES);
    let access = text(&tokens["access_token"]);
    assert_eq!(me(&base, access).status, 200);

    sandbox.expire_oauth2_access_tokens();
    assert_unauthorized(&me(&base, access));
    assert_unauthorized(&follow_v2(&base, access, 1500000001, PUBLIC_USER.1));
    let reply = refresh(&base, As::Public, text(&tokens["refresh_token"]));
    assert_eq!(reply.status, 200, "{}", reply.body);
    let renewed = reply.json();
    assert_eq!(me(&base, text(&renewed["access_token"])).status, 200);

    assert_unauthorized(&me(&base, "never-issued"));
}

#[test]
fn the_token_lifetime_is_configurable() {
    let sandbox = start_with(SandboxConfig {
        oauth2_token_lifetime_secs: 0,
        ..SandboxConfig::default()
    });
    let base = sandbox.base_url();
    let tokens = tokens(&sandbox, As::Public, ALL_SCOPES);
    assert_eq!(tokens["expires_in"], 0);
    assert_unauthorized(&me(&base, text(&tokens["access_token"])));
}

#[test]
fn api_1_1_refuses_bearer_tokens() {
    let sandbox = start();
    let base = sandbox.base_url();
    let tokens = tokens(&sandbox, As::Public, ALL_SCOPES);
    let reply = post_form(
        &base,
        "/1.1/friendships/create.json",
        &[("Authorization", &bearer(text(&tokens["access_token"])))],
        &[("screen_name", PUBLIC_USER.0), ("follow", "false")],
    );
    assert_eq!(reply.status, 403, "{}", reply.body);
    assert_eq!(
        reply.json(),
        serde_json::json!({"errors": [{"code": 220, "message": "Your credentials do not allow access to this resource."}]})
    );
}

#[test]
fn users_me_takes_oauth_1_too() {
    let sandbox = start();
    let base = sandbox.base_url();
    let account = twfollow_sandbox::Account::builtin(2);
    let signer = Signer::app().with_token(&account.token, &account.token_secret);
    let authorization = signer.header("GET", &format!("{base}/2/users/me"), &[], &[]);
    let reply = send(
        &base,
        "GET",
        "/2/users/me",
        &[("Authorization", &authorization)],
        "",
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["data"]["id"], "1500000002");
    let reply = send(
        &base,
        "POST",
        "/2/users/me",
        &[("Authorization", &authorization)],
        "",
    );
    assert_eq!(reply.status, 405);
    assert_unauthorized(&get(&base, "/2/users/me"));
}
