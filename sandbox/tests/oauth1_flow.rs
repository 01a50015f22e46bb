//! The OAuth 1.0a three-legged flow over loopback HTTP: `oauth/request_token`,
//! `oauth/authorize` (PIN page or callback redirect) and `oauth/access_token`, and
//! that the token it hands out follows through API 1.1.

mod support;

use std::time::Duration;

use support::*;
use twfollow_sandbox::{Account, SandboxConfig, PUBLIC_USER};

const REQUEST_TOKEN: &str = "/oauth/request_token";
const ACCESS_TOKEN: &str = "/oauth/access_token";

/// Step 1, expected to succeed: (request token, its secret).
fn request_token(base: &str, callback: &str) -> (String, String) {
    let reply = signed_post(
        base,
        REQUEST_TOKEN,
        Signer::app(),
        &[("oauth_callback", callback)],
        &[],
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    let form = reply.form();
    assert_eq!(form["oauth_callback_confirmed"], "true");
    (
        form["oauth_token"].clone(),
        form["oauth_token_secret"].clone(),
    )
}

/// The PIN on an authorize page, `<code id="oauth_pin">NNNNNNN</code>`.
fn pin_of(page: &str) -> String {
    let start = page
        .find("<code id=\"oauth_pin\">")
        .expect("a PIN on the page")
        + 21;
    page[start..start + 7].to_owned()
}

fn access_token(base: &str, token: &str, secret: &str, verifier: &str) -> Reply {
    signed_post(
        base,
        ACCESS_TOKEN,
        Signer::app().with_token(token, secret),
        &[("oauth_verifier", verifier)],
        &[],
    )
}

/// The test's signer reproduces the signature Twitter's documentation publishes
/// ("Creating a signature"), so what it signs below is what a correct client sends.
#[test]
fn the_test_signer_matches_twitters_published_example() {
    let signer = Signer {
        consumer_key: "xvz1evFS4wEEPTGEFPHBog",
        consumer_secret: "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
        token: Some((
            "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
            "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
        )),
    };
    let params = [
        (
            "status",
            "Hello Ladies + Gentlemen, a signed OAuth request!",
        ),
        ("include_entities", "true"),
        ("oauth_consumer_key", "xvz1evFS4wEEPTGEFPHBog"),
        ("oauth_nonce", "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg"),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", "1318622958"),
        (
            "oauth_token",
            "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
        ),
        ("oauth_version", "1.0"),
    ];
    assert_eq!(
        signer.signature(
            "POST",
            "https://api.twitter.com/1.1/statuses/update.json",
            &params
        ),
        "hCtSmYh+iHYCEqBWrE7C7hYmtUk="
    );
}

#[test]
fn pin_flow_gives_a_token_that_follows() {
    let sandbox = start();
    let base = sandbox.base_url();
    let reply = signed_post(
        &base,
        REQUEST_TOKEN,
        Signer::app(),
        &[("oauth_callback", "oob")],
        &[],
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(reply
        .header("content-type")
        .unwrap()
        .starts_with("text/html"));
    let form = reply.form();
    assert_eq!(form.len(), 3, "{form:?}");
    assert_eq!(form["oauth_callback_confirmed"], "true");
    let (token, secret) = (&form["oauth_token"], &form["oauth_token_secret"]);
    assert!(!token.is_empty() && !secret.is_empty() && token != secret);

    let page = get(&base, &format!("/oauth/authorize?oauth_token={token}"));
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page
        .header("content-type")
        .unwrap()
        .starts_with("text/html"));
    assert!(page.body.contains("@sandbox_me"), "{}", page.body);
    let pin = pin_of(&page.body);
    assert!(pin.bytes().all(|b| b.is_ascii_digit()), "{pin}");

    let reply = access_token(&base, token, secret, &pin);
    assert_eq!(reply.status, 200, "{}", reply.body);
    let account = Account::builtin(1);
    let granted = reply.form();
    assert_eq!(granted["oauth_token"], account.token);
    assert_eq!(granted["oauth_token_secret"], account.token_secret);
    assert_eq!(granted["user_id"], "1500000001");
    assert_eq!(granted["screen_name"], "sandbox_me");
    assert_eq!(granted.len(), 4);

    // The granted token signs a follow through API 1.1 at once.
    let user = Signer::app().with_token(&granted["oauth_token"], &granted["oauth_token_secret"]);
    let follow = signed_post(
        &base,
        "/1.1/friendships/create.json",
        user,
        &[],
        &[("screen_name", PUBLIC_USER.0), ("follow", "false")],
    );
    assert_eq!(follow.status, 200, "{}", follow.body);
    assert_eq!(follow.json()["id"], PUBLIC_USER.1);

    // One use per request token: the same PIN again is refused.
    let again = access_token(&base, token, secret, &pin);
    assert_eq!(
        (again.status, again.body.as_str()),
        (401, "Invalid request token.")
    );
}

#[test]
fn callback_flow_redirects_with_the_verifier_for_the_chosen_account() {
    let sandbox = start();
    let base = sandbox.base_url();
    let callback = "https://app.example/done?session=7";
    let (token, secret) = request_token(&base, callback);

    let reply = get(
        &base,
        &format!("/oauth/authorize?oauth_token={token}&account=2"),
    );
    assert_eq!(reply.status, 302, "{}", reply.body);
    let location = reply.header("location").unwrap();
    assert!(
        location.starts_with("https://app.example/done?session=7&oauth_token="),
        "{location}"
    );
    let query = reply.location_query();
    assert_eq!(query["session"], "7");
    assert_eq!(query["oauth_token"], token);
    let verifier = &query["oauth_verifier"];
    assert!(verifier.len() >= 20, "{verifier}");

    // The verifier may travel in the form body (signed) instead of the header.
    let reply = signed_post(
        &base,
        ACCESS_TOKEN,
        Signer::app().with_token(&token, &secret),
        &[],
        &[("oauth_verifier", verifier)],
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.form()["screen_name"], "sandbox_2");
    assert_eq!(reply.form()["oauth_token"], Account::builtin(2).token);
}

#[test]
fn request_token_refuses_bad_signatures_and_credentials() {
    let sandbox = start();
    let base = sandbox.base_url();
    let oob = [("oauth_callback", "oob")];
    let cases = [
        (
            "wrong consumer secret",
            Signer {
                consumer_secret: "not-the-secret",
                ..Signer::app()
            },
        ),
        (
            "unknown consumer key",
            Signer {
                consumer_key: "someone-else",
                ..Signer::app()
            },
        ),
        (
            "a token where there is none yet",
            Signer::app().with_token("1500000001-sandboxAccessToken1", "sandbox-token-secret-1"),
        ),
    ];
    for (what, signer) in cases {
        let reply = signed_post(&base, REQUEST_TOKEN, signer, &oob, &[]);
        assert_eq!(reply.status, 401, "{what}: {}", reply.body);
        assert_eq!(
            reply.json(),
            serde_json::json!({"errors": [{"code": 32, "message": "Could not authenticate you."}]}),
            "{what}"
        );
    }

    // The callback is signed: changing it after signing breaks the signature.
    let signed = Signer::app().header("POST", &format!("{base}{REQUEST_TOKEN}"), &oob, &[]);
    let tampered = signed.replace(
        "oauth_callback=\"oob\"",
        "oauth_callback=\"https%3A%2F%2Fevil.example\"",
    );
    assert_ne!(signed, tampered);
    let reply = post_form(&base, REQUEST_TOKEN, &[("Authorization", &tampered)], &[]);
    assert_eq!(reply.status, 401, "{}", reply.body);

    // The same request twice is a replay.
    let reply = post_form(&base, REQUEST_TOKEN, &[("Authorization", &signed)], &[]);
    assert_eq!(reply.status, 200, "{}", reply.body);
    let reply = post_form(&base, REQUEST_TOKEN, &[("Authorization", &signed)], &[]);
    assert_eq!(reply.status, 401, "{}", reply.body);

    let reply = post_form(&base, REQUEST_TOKEN, &[], &[]);
    assert_eq!(reply.status, 400);
    assert_eq!(reply.json()["errors"][0]["code"], 215);

    let reply = get(&base, REQUEST_TOKEN);
    assert_eq!(reply.status, 405);
}

#[test]
fn request_token_refuses_callbacks_that_are_not_oob_or_absolute_urls() {
    let sandbox = start();
    let base = sandbox.base_url();
    for callback in [
        Some("/relative"),
        Some("ftp://app.example/cb"),
        Some("OOB"),
        Some("https://app.example/cb#frag"),
        None,
    ] {
        let extra: Vec<(&str, &str)> = callback
            .map(|c| ("oauth_callback", c))
            .into_iter()
            .collect();
        let reply = signed_post(&base, REQUEST_TOKEN, Signer::app(), &extra, &[]);
        assert_eq!(reply.status, 403, "{callback:?}: {}", reply.body);
        let error = &reply.json()["errors"][0];
        assert_eq!(error["code"], 415, "{callback:?}");
        assert!(error["message"]
            .as_str()
            .unwrap()
            .starts_with("Callback URL not approved for this client application."));
    }
    request_token(&base, "http://localhost:8080/callback");
}

#[test]
fn a_wrong_pin_is_refused_and_burns_the_request_token() {
    let sandbox = start();
    let base = sandbox.base_url();
    let (token, secret) = request_token(&base, "oob");
    let pin = pin_of(&get(&base, &format!("/oauth/authorize?oauth_token={token}")).body);
    let wrong = if pin == "0000000" {
        "1111111"
    } else {
        "0000000"
    };

    let reply = access_token(&base, &token, &secret, wrong);
    assert_eq!(reply.status, 401);
    assert!(reply
        .header("content-type")
        .unwrap()
        .starts_with("text/plain"));
    assert_eq!(
        reply.body,
        "Error processing your OAuth request: Invalid oauth_verifier parameter"
    );
    let reply = access_token(&base, &token, &secret, &pin);
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (401, "Invalid request token.")
    );
}

#[test]
fn a_request_token_not_yet_approved_gives_no_access_token() {
    let sandbox = start();
    let base = sandbox.base_url();
    let (token, secret) = request_token(&base, "oob");
    let reply = access_token(&base, &token, &secret, "1234567");
    assert_eq!(reply.status, 401);
    assert!(
        reply.body.contains("Invalid oauth_verifier parameter"),
        "{}",
        reply.body
    );
}

#[test]
fn a_bad_signature_at_access_token_does_not_burn_the_request_token() {
    let sandbox = start();
    let base = sandbox.base_url();
    let (token, secret) = request_token(&base, "oob");
    let pin = pin_of(&get(&base, &format!("/oauth/authorize?oauth_token={token}")).body);

    let reply = access_token(&base, &token, "not-the-request-token-secret", &pin);
    assert_eq!(reply.status, 401);
    assert_eq!(reply.json()["errors"][0]["code"], 32);
    // Nor does an unknown request token tell anything about real ones.
    let reply = access_token(&base, "no-such-token", &secret, &pin);
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (401, "Invalid request token.")
    );

    let reply = access_token(&base, &token, &secret, &pin);
    assert_eq!(reply.status, 200, "{}", reply.body);
}

#[test]
fn denying_issues_no_verifier() {
    let sandbox = start();
    let base = sandbox.base_url();

    let (token, secret) = request_token(&base, "oob");
    let page = get(
        &base,
        &format!("/oauth/authorize?oauth_token={token}&deny=1"),
    );
    assert_eq!(page.status, 200);
    assert!(page.body.contains("denied"), "{}", page.body);
    assert!(!page.body.contains("oauth_pin"), "{}", page.body);
    let reply = access_token(&base, &token, &secret, "1234567");
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (401, "Invalid request token.")
    );

    let (token, _) = request_token(&base, "http://127.0.0.1:9/cb");
    let reply = get(
        &base,
        &format!("/oauth/authorize?oauth_token={token}&deny=1"),
    );
    assert_eq!(reply.status, 302);
    assert_eq!(
        reply.header("location").unwrap(),
        format!("http://127.0.0.1:9/cb?denied={token}")
    );
}

#[test]
fn authorize_refuses_unknown_and_used_request_tokens() {
    let sandbox = start();
    let base = sandbox.base_url();
    let page = get(&base, "/oauth/authorize?oauth_token=no-such-token");
    assert_eq!(page.status, 400);
    assert!(page.header("location").is_none());
    let page = get(&base, "/oauth/authorize");
    assert_eq!(page.status, 400);

    let (token, _) = request_token(&base, "oob");
    for account in ["0", "4", "x"] {
        let page = get(
            &base,
            &format!("/oauth/authorize?oauth_token={token}&account={account}"),
        );
        assert_eq!(page.status, 400, "account={account}");
    }
    let page = get(&base, &format!("/oauth/authorize?oauth_token={token}"));
    assert_eq!(page.status, 200);
    let page = get(&base, &format!("/oauth/authorize?oauth_token={token}"));
    assert_eq!(page.status, 400, "approved twice");
}

#[test]
fn a_request_token_lives_ten_minutes() {
    let lifetime = SandboxConfig::default().request_token_lifetime;
    assert_eq!(lifetime, Duration::from_secs(10 * 60));
    // One that has lived its lifetime is unknown to both the page and the exchange.
    let sandbox = start_with(SandboxConfig {
        request_token_lifetime: Duration::ZERO,
        ..SandboxConfig::default()
    });
    let base = sandbox.base_url();
    let (token, secret) = request_token(&base, "oob");
    let page = get(&base, &format!("/oauth/authorize?oauth_token={token}"));
    assert_eq!(page.status, 400);
    let reply = access_token(&base, &token, &secret, "0000000");
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (401, "Invalid request token.")
    );
}

#[test]
fn every_request_is_recorded_and_the_endpoints_work_under_a_path_prefix() {
    let sandbox = start();
    let base = sandbox.base_url();
    // The signature covers the path with its prefix, as a client with that base URL signs it.
    let unprefixed = Signer::app().header(
        "POST",
        &format!("{base}/oauth/request_token"),
        &[("oauth_callback", "oob")],
        &[],
    );
    let reply = post_form(
        &base,
        "/proxy/oauth/request_token",
        &[("Authorization", &unprefixed)],
        &[],
    );
    assert_eq!(reply.status, 401, "signed for the unprefixed URL");
    let reply = signed_post(
        &base,
        "/proxy/oauth/request_token",
        Signer::app(),
        &[("oauth_callback", "oob")],
        &[],
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    let recorded = sandbox.requests();
    assert_eq!(recorded.len(), 2);
    assert_eq!(recorded[1].target, "/proxy/oauth/request_token");
    assert_eq!((recorded[0].status, recorded[0].api_code), (401, 32));
    assert_eq!(recorded[1].status, 200);
}
