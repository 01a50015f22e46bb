//! Getting tokens through the C ABI against the sandbox: the OAuth 1.0a PIN and
//! callback flows, and OAuth 2.0 (PKCE code exchange, Bearer follows, refresh with
//! rotation, revoke), with every refusal.

mod support;

use std::ffi::{c_char, c_void, CStr};
use std::ptr;
use std::sync::{Arc, Mutex};

use support::*;
use twfollow::ffi::*;

fn query_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| {
            v.replace("%2B", "+")
                .replace("%2F", "/")
                .replace("%3D", "=")
        })
    })
}

fn app_config(base_url: &str, secret: &str) -> Config {
    let mut out = ptr::null_mut();
    let (k, s) = (cstr(CONSUMER_KEY), cstr(secret));
    let status = unsafe { tw_config_new_app(k.as_ptr(), s.as_ptr(), &mut out) };
    assert_eq!(status, TwStatus::Ok, "{:?}", last());
    let config = Config(out);
    assert_eq!(config.set_base_url(base_url), TwStatus::Ok);
    config
}

/// Step 1 of OAuth 1.0a: (token, secret, authorize URL) or the failure.
fn request_token(
    config: &Config,
    callback: &str,
) -> Result<(String, String, String), (TwStatus, Last)> {
    let callback = cstr(callback);
    let (mut t, mut s, mut u) = (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
    let status =
        unsafe { tw_oauth1_request_token(config.0, callback.as_ptr(), &mut t, &mut s, &mut u) };
    if status != TwStatus::Ok {
        assert!(
            t.is_null() && s.is_null() && u.is_null(),
            "outputs written on failure"
        );
        return Err((status, last()));
    }
    Ok((take(t), take(s), take(u)))
}

fn access_token(
    config: &Config,
    token: &str,
    secret: &str,
    verifier: &str,
) -> Result<serde_json::Value, (TwStatus, Last)> {
    let (t, s, v) = (cstr(token), cstr(secret), cstr(verifier));
    let mut json = ptr::null_mut();
    let status =
        unsafe { tw_oauth1_access_token(config.0, t.as_ptr(), s.as_ptr(), v.as_ptr(), &mut json) };
    if status != TwStatus::Ok {
        assert!(json.is_null());
        return Err((status, last()));
    }
    Ok(serde_json::from_str(&take(json)).unwrap())
}

type Oauth1Fields = (String, String, Option<String>, Option<String>);

/// tw_config_get_oauth1_tokens: the fields, or the status with nothing written.
fn oauth1_fields(config: *const TwConfig) -> Result<Oauth1Fields, TwStatus> {
    let untouched = 0x5eed as *mut c_char;
    let [mut t, mut s, mut i, mut n] = [untouched; 4];
    let status = unsafe { tw_config_get_oauth1_tokens(config, &mut t, &mut s, &mut i, &mut n) };
    if status != TwStatus::Ok {
        assert_eq!([t, s, i, n], [untouched; 4], "outputs written on failure");
        return Err(status);
    }
    assert_eq!(
        i.is_null(),
        n.is_null(),
        "the user's id and name come together"
    );
    let optional = |p: *mut c_char| (!p.is_null()).then(|| take(p));
    Ok((take(t), take(s), optional(i), optional(n)))
}

fn pin_from(page: &str) -> String {
    let start = page
        .find("<code id=\"oauth_pin\">")
        .expect("a PIN on the page")
        + 21;
    page[start..start + page[start..].find('<').unwrap()].to_owned()
}

#[test]
fn the_pin_flow_gets_a_token_that_follows() {
    let sandbox = start_sandbox();
    let config = app_config(&sandbox.base_url(), CONSUMER_SECRET);
    let (status, last_error) = config.follow_err("@twitterdev");
    assert_eq!(status, TwStatus::InvalidArgument);
    assert!(
        last_error.message.contains("no user token yet"),
        "{}",
        last_error.message
    );

    let (token, secret, url) = request_token(&config, "oob").unwrap();
    assert_eq!(
        url,
        format!("{}/oauth/authorize?oauth_token={token}", sandbox.base_url())
    );
    let (code, _, page) = visit(&url);
    assert_eq!(code, 200);
    let answer = access_token(&config, &token, &secret, &pin_from(&page)).unwrap();
    let account = Account::builtin(1);
    assert_eq!(answer["oauth_token"], account.token.as_str());
    assert_eq!(answer["oauth_token_secret"], account.token_secret.as_str());
    assert_eq!(answer["user_id"], "1500000001");
    assert_eq!(answer["screen_name"], "sandbox_me");
    // The same as fields: no JSON parser needed.
    assert_eq!(
        oauth1_fields(config.0),
        Ok((
            account.token.clone(),
            account.token_secret.clone(),
            Some("1500000001".to_owned()),
            Some("sandbox_me".to_owned()),
        ))
    );
    // The config now follows as that user.
    let followed: serde_json::Value =
        serde_json::from_str(&config.follow("@twitterdev", false).unwrap()).unwrap();
    assert_eq!(followed["id"], 2244994945u64);
}

#[test]
fn the_callback_flow_takes_the_verifier_from_the_redirect() {
    let sandbox = start_sandbox();
    let config = app_config(&sandbox.base_url(), CONSUMER_SECRET);
    let (token, secret, url) = request_token(&config, "https://app.example/done?x=1").unwrap();
    let (code, location, _) = visit(&format!("{url}&account=2"));
    assert_eq!(code, 302);
    let location = location.unwrap();
    assert!(
        location.starts_with("https://app.example/done?x=1&"),
        "{location}"
    );
    assert_eq!(query_param(&location, "oauth_token").unwrap(), token);
    let verifier = query_param(&location, "oauth_verifier").unwrap();
    let answer = access_token(&config, &token, &secret, &verifier).unwrap();
    assert_eq!(answer["screen_name"], "sandbox_2");
}

#[test]
fn oauth1_refusals_say_why_and_leak_nothing() {
    let sandbox = start_sandbox();
    // A wrong consumer secret: the request-token signature is refused.
    let wrong = app_config(&sandbox.base_url(), "not-the-consumer-secret");
    let (status, e) = request_token(&wrong, "oob").unwrap_err();
    assert_eq!(
        (status, e.http_status, e.api_code),
        (TwStatus::Auth, 401, 32),
        "{e:?}"
    );
    assert!(!e.message.contains("not-the-consumer-secret"));

    // A callback that is not oob or an absolute URL: nothing is sent.
    let config = app_config(&sandbox.base_url(), CONSUMER_SECRET);
    let before = sandbox.requests().len();
    let (status, _) = request_token(&config, "not a url").unwrap_err();
    assert_eq!(status, TwStatus::InvalidArgument);
    assert_eq!(sandbox.requests().len(), before);

    // A wrong PIN burns the request token; using it again is refused too.
    let (token, secret, _) = request_token(&config, "oob").unwrap();
    let (status, e) = access_token(&config, &token, &secret, "0000000").unwrap_err();
    assert_eq!((status, e.http_status), (TwStatus::Auth, 401), "{e:?}");
    assert!(
        e.message.contains("oauth_verifier"),
        "the server's text: {}",
        e.message
    );
    assert!(!e.message.contains(&secret));
    let (token, secret, url) = request_token(&config, "oob").unwrap();
    let pin = pin_from(&visit(&url).2);
    access_token(&config, &token, &secret, &pin).unwrap();
    let (status, e) = access_token(&config, &token, &secret, &pin).unwrap_err();
    assert_eq!(status, TwStatus::Auth, "a request token works once: {e:?}");

    // Empty and NULL arguments.
    assert_eq!(
        access_token(&config, "", &secret, &pin).unwrap_err().0,
        TwStatus::InvalidArgument
    );
    let mut out = ptr::null_mut();
    let status =
        unsafe { tw_oauth1_request_token(config.0, ptr::null(), &mut out, &mut out, &mut out) };
    assert_eq!(status, TwStatus::NullArgument);
}

/// The tokens as JSON, checked against the same tokens as fields.
fn tokens(config: &Config) -> serde_json::Value {
    let mut json = ptr::null_mut();
    let status = unsafe { tw_config_get_tokens(config.0, &mut json) };
    assert_eq!(status, TwStatus::Ok, "{:?}", last());
    let value: serde_json::Value = serde_json::from_str(&take(json)).unwrap();
    let (access, refresh, expires_at, scope) = token_fields(config).unwrap();
    assert_eq!(value["access_token"], access.as_str());
    assert_eq!(value["refresh_token"].as_str(), refresh.as_deref());
    assert_eq!(value["expires_at"], expires_at);
    assert_eq!(value["scope"], scope.as_str());
    value
}

type TokenFields = (String, Option<String>, i64, String);

/// tw_config_get_oauth2_tokens: the fields, or the status with nothing written.
fn token_fields(config: &Config) -> Result<TokenFields, TwStatus> {
    let untouched = 0x5eed as *mut c_char;
    let (mut a, mut r, mut e, mut s) = (untouched, untouched, -7i64, untouched);
    let status = unsafe { tw_config_get_oauth2_tokens(config.0, &mut a, &mut r, &mut e, &mut s) };
    if status != TwStatus::Ok {
        assert!(
            a == untouched && r == untouched && e == -7 && s == untouched,
            "outputs written on failure"
        );
        return Err(status);
    }
    let refresh = (!r.is_null()).then(|| take(r));
    Ok((take(a), refresh, e, take(s)))
}

#[test]
fn oauth2_tokens_as_fields() {
    // Nothing is sent: the base URL answers nothing.
    let config = oauth2_config("http://127.0.0.1:9", false);
    assert_eq!(token_fields(&config), Err(TwStatus::InvalidArgument));
    assert!(last().message.contains("no tokens yet"), "{:?}", last());

    let access = cstr("ACCESS-1");
    let status = unsafe {
        tw_config_set_oauth2_tokens(config.0, access.as_ptr(), ptr::null(), 1_900_000_000)
    };
    assert_eq!(status, TwStatus::Ok, "{:?}", last());
    let (a, r, e, _) = token_fields(&config).unwrap();
    assert_eq!((a.as_str(), r, e), ("ACCESS-1", None, 1_900_000_000));
    let refresh = cstr("REFRESH-1");
    let status =
        unsafe { tw_config_set_oauth2_tokens(config.0, access.as_ptr(), refresh.as_ptr(), 0) };
    assert_eq!(status, TwStatus::Ok, "{:?}", last());
    let (a, r, e, _) = token_fields(&config).unwrap();
    assert_eq!(
        (a.as_str(), r.as_deref(), e),
        ("ACCESS-1", Some("REFRESH-1"), 0)
    );
    tokens(&config);

    // Not an OAuth 2.0 config.
    let user = Config::new(CONSUMER_KEY, "s", "t", "ts");
    assert_eq!(token_fields(&user), Err(TwStatus::InvalidArgument));
    assert!(
        last().message.contains("not an OAuth 2.0 config"),
        "{:?}",
        last()
    );

    // NULL config and each NULL out-pointer.
    let (mut a, mut r, mut e, mut s) = (ptr::null_mut(), ptr::null_mut(), 0i64, ptr::null_mut());
    unsafe {
        let status = tw_config_get_oauth2_tokens(ptr::null(), &mut a, &mut r, &mut e, &mut s);
        assert_eq!(status, TwStatus::NullArgument);
        let c = config.0 as *const TwConfig;
        let nulls = [
            tw_config_get_oauth2_tokens(c, ptr::null_mut(), &mut r, &mut e, &mut s),
            tw_config_get_oauth2_tokens(c, &mut a, ptr::null_mut(), &mut e, &mut s),
            tw_config_get_oauth2_tokens(c, &mut a, &mut r, ptr::null_mut(), &mut s),
            tw_config_get_oauth2_tokens(c, &mut a, &mut r, &mut e, ptr::null_mut()),
        ];
        assert_eq!(nulls, [TwStatus::NullArgument; 4]);
    }
    assert!(a.is_null() && r.is_null() && s.is_null() && e == 0);
}

#[test]
fn oauth1_tokens_as_fields() {
    // Nothing is sent: the base URL answers nothing.
    let user = Config::new(CONSUMER_KEY, "s", "token-1", "secret-1");
    assert_eq!(
        oauth1_fields(user.0),
        Ok(("token-1".to_owned(), "secret-1".to_owned(), None, None)),
        "a config of four credentials does not know its user"
    );
    // Each field may be left out; the others still come.
    let mut secret = ptr::null_mut();
    let status = unsafe {
        tw_config_get_oauth1_tokens(
            user.0,
            ptr::null_mut(),
            &mut secret,
            ptr::null_mut(),
            ptr::null_mut(),
        )
    };
    assert_eq!(status, TwStatus::Ok, "{:?}", last());
    assert_eq!(take(secret), "secret-1");
    let nothing = unsafe {
        tw_config_get_oauth1_tokens(
            user.0,
            ptr::null_mut(),
            ptr::null_mut(),
            ptr::null_mut(),
            ptr::null_mut(),
        )
    };
    assert_eq!(nothing, TwStatus::Ok);

    let app = app_config("http://127.0.0.1:9", CONSUMER_SECRET);
    assert_eq!(oauth1_fields(app.0), Err(TwStatus::InvalidArgument));
    assert!(last().message.contains("no user token yet"), "{:?}", last());
    let oauth2 = oauth2_config("http://127.0.0.1:9", false);
    assert_eq!(oauth1_fields(oauth2.0), Err(TwStatus::InvalidArgument));
    assert!(
        last().message.contains("tw_config_get_oauth2_tokens"),
        "{:?}",
        last()
    );
    assert_eq!(oauth1_fields(ptr::null()), Err(TwStatus::NullArgument));
    assert_eq!(last().message, "config is NULL");
}

/// Collects what the token callback receives.
struct Received(Mutex<Vec<serde_json::Value>>);

unsafe extern "C" fn on_tokens(user_data: *mut c_void, json: *const c_char) {
    let received = &*(user_data as *const Received);
    let json = CStr::from_ptr(json).to_str().unwrap();
    received
        .0
        .lock()
        .unwrap()
        .push(serde_json::from_str(json).unwrap());
}

fn watch(config: &Config) -> Arc<Received> {
    let received = Arc::new(Received(Mutex::new(Vec::new())));
    let status = unsafe {
        tw_config_set_token_callback(
            config.0,
            Some(on_tokens),
            Arc::as_ptr(&received) as *mut c_void,
        )
    };
    assert_eq!(status, TwStatus::Ok);
    received
}

#[test]
fn pkce_code_exchange_then_bearer_follows() {
    let sandbox = start_sandbox();
    for confidential in [false, true] {
        let config = oauth2_config(&sandbox.base_url(), confidential);
        let (url, state, verifier) = authorize(&config);
        assert!(
            url.starts_with(&format!("{}/i/oauth2/authorize?", sandbox.base_url())),
            "{url}"
        );
        assert_eq!(
            query_param(&url, "code_challenge_method").as_deref(),
            Some("S256")
        );
        assert_eq!(query_param(&url, "state").as_deref(), Some(state.as_str()));
        assert!(state.len() >= 22, "128 bits or more: {state}");
        assert!((43..=128).contains(&verifier.len()));
        let received = watch(&config);
        let (_, location, _) = visit(&url);
        let answer = exchange(&config, &location.unwrap(), Some(&state), &verifier).unwrap();
        assert!(answer["access_token"].as_str().unwrap().len() > 10);
        assert!(
            answer["refresh_token"].is_string(),
            "offline.access gives a refresh token"
        );
        assert!(answer["expires_at"].as_i64().unwrap() > 1_700_000_000);
        assert_eq!(*received.0.lock().unwrap(), vec![answer.clone()]);
        assert_eq!(tokens(&config), answer);

        let json = config.follow("@twitterdev", false).unwrap();
        assert_eq!(
            json,
            r#"{"data":{"following":true,"pending_follow":false}}"#
        );
        let seen = sandbox.requests();
        let follow = seen
            .iter()
            .rev()
            .find(|r| r.target.contains("/following"))
            .unwrap();
        assert_eq!(follow.target, "/2/users/1500000001/following");
        let authorization = follow.header("authorization").unwrap();
        assert!(authorization.starts_with("Bearer "), "{authorization}");
        // The follower's id is looked up once per config.
        config.follow("2244994945", false).unwrap();
        let me = sandbox
            .requests()
            .iter()
            .filter(|r| r.target == "/2/users/me")
            .count();
        assert_eq!(me, if confidential { 2 } else { 1 });
        // v2 has no notification setting.
        assert_eq!(
            config.follow("@twitterdev", true).unwrap_err().0,
            TwStatus::InvalidArgument
        );
    }
}

#[test]
fn pkce_refusals() {
    let sandbox = start_sandbox();
    let config = oauth2_config(&sandbox.base_url(), false);
    let (url, state, verifier) = authorize(&config);
    let (_, location, _) = visit(&url);
    let location = location.unwrap();
    let before = sandbox.requests().len();
    // A state that is not ours: nothing is sent.
    let (status, e) = exchange(&config, &location, Some("forged-state"), &verifier).unwrap_err();
    assert_eq!(status, TwStatus::InvalidArgument);
    assert!(e.message.contains("state"), "{}", e.message);
    assert!(!e.message.contains(&state));
    assert_eq!(sandbox.requests().len(), before);
    // The wrong verifier.
    let (status, e) = exchange(&config, &location, Some(&state), &"x".repeat(64)).unwrap_err();
    assert_eq!((status, e.http_status), (TwStatus::Auth, 400), "{e:?}");
    // The user said no.
    let (url, state, verifier) = authorize(&config);
    let (_, location, _) = visit(&format!("{url}&deny=1"));
    let (status, e) = exchange(&config, &location.unwrap(), Some(&state), &verifier).unwrap_err();
    assert_eq!(status, TwStatus::Auth);
    assert!(
        e.message.contains("access_denied") || e.message.contains("denied"),
        "{}",
        e.message
    );
    // No tokens yet: a follow sends nothing.
    let (status, _) = config.follow_err("@twitterdev");
    assert_eq!(status, TwStatus::InvalidArgument);
    // A redirect URI that is not an absolute URL.
    let (bad, mut u, mut s, mut v) = (
        cstr("callback"),
        ptr::null_mut(),
        ptr::null_mut(),
        ptr::null_mut(),
    );
    let status = unsafe {
        tw_oauth2_authorize_url(config.0, bad.as_ptr(), ptr::null(), &mut u, &mut s, &mut v)
    };
    assert_eq!(status, TwStatus::InvalidArgument);
    // OAuth 1.0a's steps on an OAuth 2.0 config (it has no consumer key): refused, nothing sent.
    let before = sandbox.requests().len();
    let (status, e) = request_token(&config, "oob").unwrap_err();
    assert_eq!(status, TwStatus::InvalidArgument, "{e:?}");
    let (status, e) = access_token(&config, "rt", "rts", "1234567").unwrap_err();
    assert_eq!(status, TwStatus::InvalidArgument, "{e:?}");
    assert!(e.message.contains("no consumer key"), "{}", e.message);
    assert_eq!(sandbox.requests().len(), before);
}

#[test]
fn an_expired_token_is_refreshed_once_and_the_rotated_pair_reaches_the_app() {
    let sandbox = start_sandbox();
    let config = oauth2_config(&sandbox.base_url(), true);
    let first = sign_in(&config);
    config.follow("@twitterdev", false).unwrap();
    let received = watch(&config);
    sandbox.expire_oauth2_access_tokens();
    // Eight threads find the token refused at once: one refresh between them.
    let config = Arc::new(config);
    let threads: Vec<_> = (0..8)
        .map(|i| {
            let config = config.clone();
            let target = if i % 2 == 0 {
                "2244994945"
            } else {
                "@locked_lucy"
            };
            std::thread::spawn(move || config.follow(target, false))
        })
        .collect();
    for t in threads {
        t.join().unwrap().unwrap();
    }
    assert_eq!(sandbox.oauth2_refresh_count(), 1);
    let rotated = received.0.lock().unwrap().clone();
    assert_eq!(rotated.len(), 1);
    assert_ne!(rotated[0]["refresh_token"], first["refresh_token"]);
    assert_ne!(rotated[0]["access_token"], first["access_token"]);
    assert_eq!(tokens(&config), rotated[0]);

    // The old refresh token is dead: an app that kept it could not refresh.
    let stale = oauth2_config(&sandbox.base_url(), true);
    let (a, r) = (
        cstr(first["access_token"].as_str().unwrap()),
        cstr(first["refresh_token"].as_str().unwrap()),
    );
    assert_eq!(
        unsafe { tw_config_set_oauth2_tokens(stale.0, a.as_ptr(), r.as_ptr(), 0) },
        TwStatus::Ok
    );
    let status = unsafe { tw_oauth2_refresh(stale.0) };
    assert_eq!(status, TwStatus::Auth);
    let e = last();
    assert!(e.message.contains("old tokens are kept"), "{}", e.message);
    assert!(!e.message.contains(first["refresh_token"].as_str().unwrap()));
    // ... and the failed refresh left its tokens in place.
    assert_eq!(tokens(&stale)["refresh_token"], first["refresh_token"]);
}

#[test]
fn revoked_tokens_end_the_session() {
    let sandbox = start_sandbox();
    let config = oauth2_config(&sandbox.base_url(), false);
    let signed_in = sign_in(&config);
    let refresh = cstr(signed_in["refresh_token"].as_str().unwrap());
    assert_eq!(
        unsafe { tw_oauth2_revoke(config.0, refresh.as_ptr()) },
        TwStatus::Ok,
        "{:?}",
        last()
    );
    let (status, e) = config.follow_err("@twitterdev");
    assert_eq!(status, TwStatus::Auth, "{e:?}");
    for secret in ["access_token", "refresh_token"] {
        assert!(!e.message.contains(signed_in[secret].as_str().unwrap()));
    }
}

/// Collects the trace's notes (kind Info).
unsafe extern "C" fn on_trace(user_data: *mut c_void, kind: i32, line: *const c_char) {
    if kind == TwTraceKind::Info as i32 {
        let notes = &*(user_data as *const Mutex<Vec<String>>);
        let line = CStr::from_ptr(line).to_string_lossy().into_owned();
        notes.lock().unwrap().push(line);
    }
}

#[test]
fn a_rotated_pair_in_an_odd_2xx_answer_is_kept_and_handed_to_the_app() {
    // X has rotated once it answers 2xx: the old refresh token is dead, so the new
    // pair must be kept whatever the optional fields look like.
    for (extra, expires_known, about) in [
        (
            r#","token_type":"bearer","expires_in":7200.0"#,
            true,
            "fraction part",
        ),
        (
            r#","token_type":"bearer","expires_in":"7200""#,
            true,
            "a string",
        ),
        (
            r#","token_type":"bearer","expires_in":"two hours""#,
            false,
            "expiry is unknown",
        ),
        (
            r#","token_type":"bearer","scope":["tweet.read","users.read"]"#,
            false,
            "a list",
        ),
        (r#","expires_in":7200"#, true, "no token_type"),
    ] {
        let body: &'static [u8] = Box::leak(
            format!(r#"{{"access_token":"NEW-ACCESS-1","refresh_token":"NEW-REFRESH-1"{extra}}}"#)
                .into_bytes()
                .into_boxed_slice(),
        );
        let server = Scripted::respond(200, "content-type: application/json\r\n", body);
        let config = oauth2_config(&server.base_url(), true);
        let (a, r) = (cstr("OLD-ACCESS"), cstr("OLD-REFRESH"));
        let status = unsafe { tw_config_set_oauth2_tokens(config.0, a.as_ptr(), r.as_ptr(), 0) };
        assert_eq!(status, TwStatus::Ok);
        let received = watch(&config);
        let notes = Box::new(Mutex::new(Vec::<String>::new()));
        let status = unsafe {
            tw_config_set_trace(config.0, Some(on_trace), &*notes as *const _ as *mut c_void)
        };
        assert_eq!(status, TwStatus::Ok);
        let status = unsafe { tw_oauth2_refresh(config.0) };
        assert_eq!(status, TwStatus::Ok, "{extra}: {:?}", last());
        let rotated = received.0.lock().unwrap().clone();
        assert_eq!(rotated.len(), 1, "{extra}: the handler got the new pair");
        assert_eq!(rotated[0]["refresh_token"], "NEW-REFRESH-1", "{extra}");
        assert_eq!(tokens(&config)["access_token"], "NEW-ACCESS-1", "{extra}");
        assert_eq!(
            rotated[0]["expires_at"].as_i64().unwrap() > 0,
            expires_known,
            "{extra}"
        );
        let notes = notes.lock().unwrap().clone();
        assert!(
            notes
                .iter()
                .any(|n| n.starts_with("note: the token answer ") && n.contains(about)),
            "{extra}: {notes:?}"
        );
        assert_eq!(server.requests().len(), 1);
        drop(config);
    }
}

/// What a callback saw when it called back into its own config, and into another.
#[derive(Default)]
struct Reentry {
    config: usize,
    other: usize,
    seen: Mutex<Vec<(TwStatus, String)>>,
}

unsafe fn call_back_in(reentry: &Reentry) {
    let mut seen = reentry.seen.lock().unwrap();
    if !seen.is_empty() {
        return; // once is enough (the trace hook runs for every line)
    }
    let own = reentry.config as *mut TwConfig;
    let status = tw_oauth2_refresh(own);
    seen.push((status, support::last().message));
    let target = cstr("2244994945");
    let mut json = ptr::null_mut();
    let status = tw_follow(own, target.as_ptr(), false, &mut json);
    assert!(json.is_null());
    seen.push((status, support::last().message));
    let status = tw_config_set_timeout_ms(own, 1000);
    seen.push((status, support::last().message));
    tw_config_free(own); // refused: the config is in use
                         // Another config is not this config: its calls work.
    let mut tokens = ptr::null_mut();
    let status = tw_config_get_tokens(reentry.other as *const TwConfig, &mut tokens);
    if status == TwStatus::Ok {
        tw_string_free(tokens);
    }
    seen.push((status, support::last().message));
}

unsafe extern "C" fn reenter_from_tokens(user_data: *mut c_void, _json: *const c_char) {
    call_back_in(&*(user_data as *const Reentry));
}

unsafe extern "C" fn reenter_from_trace(user_data: *mut c_void, _kind: i32, _line: *const c_char) {
    call_back_in(&*(user_data as *const Reentry));
}

#[test]
fn a_call_back_into_the_config_from_its_callback_is_refused_at_once() {
    let sandbox = start_sandbox();
    for hook in ["token callback", "trace hook"] {
        let config = oauth2_config(&sandbox.base_url(), true);
        sign_in(&config);
        let other = oauth2_config(&sandbox.base_url(), true);
        sign_in(&other);
        let reentry = Arc::new(Reentry {
            config: config.0 as usize,
            other: other.0 as usize,
            ..Default::default()
        });
        let user_data = Arc::as_ptr(&reentry) as *mut c_void;
        let status = unsafe {
            if hook == "token callback" {
                tw_config_set_token_callback(config.0, Some(reenter_from_tokens), user_data)
            } else {
                tw_config_set_trace(config.0, Some(reenter_from_trace), user_data)
            }
        };
        assert_eq!(status, TwStatus::Ok);
        let refreshes = sandbox.oauth2_refresh_count();
        let requests = sandbox.request_count();
        // Before the fix the refresh waited forever for its own lock: a thread and a deadline.
        let (done, finished) = std::sync::mpsc::channel();
        let address = config.0 as usize;
        std::thread::spawn(move || {
            let status = unsafe { tw_oauth2_refresh(address as *mut TwConfig) };
            let _ = done.send((status, support::last().message));
        });
        let (status, message) = finished
            .recv_timeout(std::time::Duration::from_secs(5))
            .unwrap_or_else(|_| panic!("{hook}: the refresh hung"));
        assert_eq!((status, message.as_str()), (TwStatus::Ok, ""), "{hook}");
        let expected = format!("called from inside this config's {hook}");
        let seen = reentry.seen.lock().unwrap();
        assert_eq!(
            seen[..3],
            [
                (TwStatus::Reentered, expected.clone()),
                (TwStatus::Reentered, expected.clone()),
                (TwStatus::Reentered, expected),
            ],
            "{hook}"
        );
        assert_eq!(
            seen[3],
            (TwStatus::Ok, String::new()),
            "{hook}: another config"
        );
        // One refresh (the outer one), nothing sent by the refused calls, the config alive.
        assert_eq!(sandbox.oauth2_refresh_count(), refreshes + 1, "{hook}");
        assert_eq!(sandbox.request_count(), requests + 1, "{hook}");
        drop(seen);
        assert!(tokens(&config)["access_token"].is_string());
    }
}

/// tw_oauth2_tokens_from_json: the fields, or the status with nothing written.
fn json_fields(json: &[u8]) -> Result<TokenFields, TwStatus> {
    let untouched = 0x5eed as *mut c_char;
    let (mut a, mut r, mut e, mut s) = (untouched, untouched, -7i64, untouched);
    let json = std::ffi::CString::new(json).unwrap();
    let status =
        unsafe { tw_oauth2_tokens_from_json(json.as_ptr(), &mut a, &mut r, &mut e, &mut s) };
    if status != TwStatus::Ok {
        assert!(
            a == untouched && r == untouched && e == -7 && s == untouched,
            "outputs written on failure"
        );
        return Err(status);
    }
    let refresh = (!r.is_null()).then(|| take(r));
    Ok((take(a), refresh, e, take(s)))
}

/// The fields `tokens` (JSON of the library's shape) holds, read with serde_json.
fn fields_of(tokens: &serde_json::Value) -> TokenFields {
    (
        tokens["access_token"].as_str().unwrap().to_owned(),
        tokens["refresh_token"].as_str().map(str::to_owned),
        tokens["expires_at"].as_i64().unwrap(),
        tokens["scope"].as_str().unwrap().to_owned(),
    )
}

/// What the token callback read with tw_oauth2_tokens_from_json, inside it (and the
/// status of a refused JSON it read after).
struct ReadInside(Mutex<Vec<(TwStatus, TokenFields, String, TwStatus)>>);

unsafe extern "C" fn read_tokens_inside(user_data: *mut c_void, json: *const c_char) {
    let read = &*(user_data as *const ReadInside);
    let text = CStr::from_ptr(json).to_str().unwrap().to_owned();
    let (mut a, mut r, mut e, mut s) = (ptr::null_mut(), ptr::null_mut(), 0i64, ptr::null_mut());
    let status = tw_oauth2_tokens_from_json(json, &mut a, &mut r, &mut e, &mut s);
    // Last, so that the refusal would be the thread's last error if it leaked out.
    let refused = tw_oauth2_tokens_from_json(c"{".as_ptr(), &mut a, &mut r, &mut e, &mut s);
    let fields = if status == TwStatus::Ok {
        let refresh = (!r.is_null()).then(|| take(r));
        (take(a), refresh, e, take(s))
    } else {
        Default::default()
    };
    read.0.lock().unwrap().push((status, fields, text, refused));
}

#[test]
fn the_librarys_token_json_as_fields() {
    let sandbox = start_sandbox();
    let config = oauth2_config(&sandbox.base_url(), true);
    // The code exchange's JSON, and the held tokens' (tw_config_get_tokens).
    let answer = sign_in(&config);
    let fields = json_fields(answer.to_string().as_bytes()).unwrap();
    assert_eq!(fields, fields_of(&answer));
    assert!(fields.1.is_some() && fields.2 > 1_700_000_000 && !fields.3.is_empty());
    let held = tokens(&config);
    assert_eq!(json_fields(held.to_string().as_bytes()).unwrap(), fields);
    assert_eq!(token_fields(&config).unwrap(), fields);

    // Inside the token callback, on the JSON it received: the refresh's last error and
    // request count stay the refresh's (a refusal inside does not leak out).
    let read = Arc::new(ReadInside(Mutex::new(Vec::new())));
    let status = unsafe {
        tw_config_set_token_callback(
            config.0,
            Some(read_tokens_inside),
            Arc::as_ptr(&read) as *mut c_void,
        )
    };
    assert_eq!(status, TwStatus::Ok);
    assert_eq!(
        unsafe { tw_oauth2_refresh(config.0) },
        TwStatus::Ok,
        "{:?}",
        last()
    );
    assert_eq!(tw_last_request_count(), 1);
    assert_eq!(last().message, "");
    let inside = read.0.lock().unwrap().clone();
    assert_eq!(inside.len(), 1);
    let (status, rotated, text, refused) = &inside[0];
    assert_eq!(
        (*status, *refused),
        (TwStatus::Ok, TwStatus::InvalidArgument)
    );
    assert_eq!(*rotated, token_fields(&config).unwrap());
    assert_eq!(*rotated, fields_of(&serde_json::from_str(text).unwrap()));
    assert_ne!(rotated.1, fields.1, "X rotates the refresh token");
    let status = unsafe { tw_config_set_token_callback(config.0, None, ptr::null_mut()) };
    assert_eq!(status, TwStatus::Ok);

    // The shape's edges: no refresh token, unknown expiry, no scope, other members.
    assert_eq!(
        json_fields(br#"{"access_token":"A-1","refresh_token":null,"expires_at":0,"scope":""}"#),
        Ok(("A-1".into(), None, 0, String::new()))
    );
    assert_eq!(
        json_fields(br#" {"scope":"s","access_token":"A\u0031","later":{"x":[1]}} "#),
        Ok(("A1".into(), None, 0, "s".into()))
    );
}

#[test]
fn token_json_refusals_name_no_secret() {
    const SECRET: &str = "Tk-9f3b-secret";
    let cases: Vec<(String, &str)> = vec![
        (String::new(), "tokens_json is empty"),
        (
            format!(r#"{{"access_token":"{SECRET}""#),
            "is not valid JSON",
        ),
        (format!(r#"["{SECRET}"]"#), "is not a JSON object"),
        (
            format!(r#"{{"refresh_token":"{SECRET}"}}"#),
            "has no access_token",
        ),
        (r#"{"access_token":""}"#.into(), "has an empty access_token"),
        (
            format!(r#"{{"access_token":{{"v":"{SECRET}"}}}}"#),
            "access_token",
        ),
        (
            format!(r#"{{"access_token":"{SECRET}","refresh_token":["{SECRET}"]}}"#),
            "refresh_token",
        ),
        (
            format!(r#"{{"access_token":"{SECRET}","expires_at":-5}}"#),
            "expires_at",
        ),
        (
            format!(r#"{{"access_token":"{SECRET}","expires_at":"{SECRET}"}}"#),
            "expires_at",
        ),
        (
            format!(r#"{{"access_token":"{SECRET}","scope":7}}"#),
            "scope",
        ),
        (format!(r#"{{"access_token":"{SECRET}\u0000"}}"#), "NUL"),
    ];
    for (json, expected) in &cases {
        assert_eq!(
            json_fields(json.as_bytes()),
            Err(TwStatus::InvalidArgument),
            "{json}"
        );
        let message = last().message;
        assert!(message.contains(expected), "{json}: {message}");
        assert!(!message.contains("Tk-9f3b"), "{json}: {message}");
    }
    // NULL, not UTF-8, each NULL out-pointer: nothing written.
    let (mut a, mut r, mut e, mut s) = (ptr::null_mut(), ptr::null_mut(), 0i64, ptr::null_mut());
    let json = cstr(r#"{"access_token":"A"}"#);
    unsafe {
        let j = json.as_ptr();
        let statuses = [
            tw_oauth2_tokens_from_json(ptr::null(), &mut a, &mut r, &mut e, &mut s),
            tw_oauth2_tokens_from_json(j, ptr::null_mut(), &mut r, &mut e, &mut s),
            tw_oauth2_tokens_from_json(j, &mut a, ptr::null_mut(), &mut e, &mut s),
            tw_oauth2_tokens_from_json(j, &mut a, &mut r, ptr::null_mut(), &mut s),
            tw_oauth2_tokens_from_json(j, &mut a, &mut r, &mut e, ptr::null_mut()),
        ];
        assert_eq!(statuses, [TwStatus::NullArgument; 5]);
        let not_utf8 = b"{\"access_token\":\"\xff\"}\0";
        let status =
            tw_oauth2_tokens_from_json(not_utf8.as_ptr().cast(), &mut a, &mut r, &mut e, &mut s);
        assert_eq!(status, TwStatus::InvalidUtf8);
    }
    assert!(a.is_null() && r.is_null() && s.is_null() && e == 0);
}
