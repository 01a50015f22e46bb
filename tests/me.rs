//! tw_me (issue 30, item 5) through the C ABI against the sandbox: who the
//! credentials act as, from what the config knows (0 requests) or one request by the
//! kind of credentials and the API version; and an https:// base URL that reaches a
//! plain-HTTP port (the sandbox's) failing at once as a TLS error that says so.

mod support;

use std::ffi::c_char;
use std::time::{Duration, Instant};
use std::{fs, ptr};

use support::sandbox::NO_V1_APP;
use support::*;
use twfollow::ffi::*;

/// What `tw_me` gave: (id, username), or the status and the last error.
type Me = Result<(String, String), (TwStatus, Last)>;

/// `tw_me`: (id, username), or the status and the last error; with the requests it
/// sent by `tw_last_request_count`, checked against the sandbox's own count.
fn me(sandbox: &Sandbox, config: &Config) -> (Me, i32) {
    let before = sandbox.requests_seen();
    let untouched = ptr::dangling_mut::<c_char>();
    let (mut id, mut name) = (untouched, untouched);
    let status = unsafe { tw_me(config.0, &mut id, &mut name) };
    let count = tw_last_request_count();
    assert_eq!(
        count as usize,
        sandbox.requests_seen() - before,
        "tw_last_request_count"
    );
    if status != TwStatus::Ok {
        assert_eq!(
            (id, name),
            (untouched, untouched),
            "outputs written on failure"
        );
        return (Err((status, last())), count);
    }
    assert_eq!(last().message, "");
    (Ok((take(id), take(name))), count)
}

fn sandbox_me() -> (String, String) {
    ("1500000001".into(), "sandbox_me".into())
}

/// The targets of the requests the sandbox saw from `from` on.
fn targets(sandbox: &Sandbox, from: usize) -> Vec<String> {
    sandbox.requests()[from..]
        .iter()
        .map(|r| format!("{} {}", r.method, r.target))
        .collect()
}

#[test]
fn oauth1_asks_api_1_1_or_v2_by_the_version() {
    let sandbox = start_sandbox();
    let config = Config::for_sandbox(&sandbox);
    assert_eq!(me(&sandbox, &config), (Ok(sandbox_me()), 1));
    assert_eq!(
        targets(&sandbox, 0),
        ["GET /1.1/account/verify_credentials.json?include_entities=false&skip_status=true"]
    );
    // API v2: 2/users/me, signed with the user's token.
    assert_eq!(config.set_api_version(2), TwStatus::Ok);
    let from = sandbox.request_count();
    assert_eq!(me(&sandbox, &config), (Ok(sandbox_me()), 1));
    assert_eq!(targets(&sandbox, from), ["GET /2/users/me"]);
    // Another account's token is another user.
    let third = Config::for_account(&sandbox.base_url(), 3);
    assert_eq!(
        me(&sandbox, &third).0,
        Ok(("1500000003".into(), "sandbox_3".into()))
    );
}

#[test]
fn api_version_auto_moves_to_v2_when_1_1_refuses_the_app() {
    let sandbox = start_sandbox();
    let config = Config::for_app(
        &sandbox.base_url(),
        NO_V1_APP,
        &support::sandbox::Account::builtin(1),
    );
    assert_eq!(config.set_api_version(0), TwStatus::Ok);
    assert_eq!(me(&sandbox, &config), (Ok(sandbox_me()), 2));
    // Remembered: API v2 straight away from then on.
    assert_eq!(me(&sandbox, &config), (Ok(sandbox_me()), 1));
    // With API 1.1 chosen, the refusal is the call's.
    let fixed = Config::for_app(
        &sandbox.base_url(),
        NO_V1_APP,
        &support::sandbox::Account::builtin(1),
    );
    let (result, count) = me(&sandbox, &fixed);
    assert_eq!(
        (result.map_err(|e| e.0), count),
        (Err(TwStatus::AccessTier), 1)
    );
}

#[test]
fn oauth2_asks_once_then_knows() {
    let sandbox = start_sandbox();
    let config = oauth2_config(&sandbox.base_url(), true);
    sign_in(&config);
    let from = sandbox.request_count();
    assert_eq!(me(&sandbox, &config), (Ok(sandbox_me()), 1));
    assert_eq!(targets(&sandbox, from), ["GET /2/users/me"]);
    assert_eq!(me(&sandbox, &config), (Ok(sandbox_me()), 0));
}

#[test]
fn a_store_backed_oauth2_config_stores_the_user_it_learnt() {
    let sandbox = start_sandbox();
    let dir = TempDir::new("me-oauth2");
    let store = dir.store();
    let config = oauth2_config(&sandbox.base_url(), true);
    sign_in(&config);
    assert_eq!(save(&config, &store, Some("work")), Ok("work".into()));
    // An account that does not know its user (as an imported one).
    let mut document = read_store(&store);
    let account = document["accounts"]["work"].as_object_mut().unwrap();
    assert!(account.remove("user_id").is_some() && account.remove("screen_name").is_some());
    fs::write(&store, serde_json::to_vec(&document).unwrap()).unwrap();
    let from_store = || {
        let config = from_store(&store, Some("work")).unwrap();
        assert_eq!(config.set_base_url(&sandbox.base_url()), TwStatus::Ok);
        config
    };
    // Saved into another store, it learns its user for that store alone.
    let other = dir.path("other/accounts.json");
    assert_eq!(save(&from_store(), &other, Some("copy")), Ok("copy".into()));
    assert_eq!(
        read_store(&other)["accounts"]["copy"]["user_id"],
        "1500000001"
    );
    assert_eq!(read_store(&store)["accounts"]["work"].get("user_id"), None);
    assert_eq!(me(&sandbox, &from_store()), (Ok(sandbox_me()), 1));
    let account = &read_store(&store)["accounts"]["work"];
    assert_eq!(
        (&account["user_id"], &account["screen_name"]),
        (&"1500000001".into(), &"sandbox_me".into())
    );
    assert_eq!(me(&sandbox, &from_store()), (Ok(sandbox_me()), 0));
}

#[test]
fn a_stored_account_that_knows_its_user_sends_nothing() {
    let dir = std::env::temp_dir().join(format!("twfollow-me-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let store = dir.join("accounts.json").display().to_string();
    let sandbox = start_sandbox();
    let config = Config::for_sandbox(&sandbox);
    let (store_c, mut name) = (cstr(&store), ptr::null_mut());
    let saved =
        unsafe { tw_store_save_account(config.0, store_c.as_ptr(), ptr::null(), &mut name) };
    assert_eq!(saved, TwStatus::Ok, "{:?}", last());
    assert_eq!(take(name), "sandbox_me");
    let mut stored = ptr::null_mut();
    let opened = unsafe { tw_config_from_store(store_c.as_ptr(), ptr::null(), &mut stored) };
    assert_eq!(opened, TwStatus::Ok, "{:?}", last());
    let stored = Config(stored);
    assert_eq!(stored.set_base_url(&sandbox.base_url()), TwStatus::Ok);
    assert_eq!(me(&sandbox, &stored), (Ok(sandbox_me()), 0));
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn refusals_and_bad_arguments() {
    let sandbox = start_sandbox();
    let account = support::sandbox::Account::builtin(1);
    let wrong = Config::new(
        CONSUMER_KEY,
        CONSUMER_SECRET,
        &account.token,
        "wrong-secret",
    );
    assert_eq!(wrong.set_base_url(&sandbox.base_url()), TwStatus::Ok);
    let (result, count) = me(&sandbox, &wrong);
    let (status, refusal) = result.unwrap_err();
    assert_eq!(
        (status, refusal.http_status, count),
        (TwStatus::Auth, 401, 1)
    );
    assert!(
        refusal.message.contains("verify_credentials"),
        "{}",
        refusal.message
    );
    // NULL anywhere: nothing sent.
    let config = Config::for_sandbox(&sandbox);
    let mut out = ptr::null_mut();
    let before = sandbox.requests_seen();
    assert_eq!(
        unsafe { tw_me(ptr::null(), &mut out, &mut out) },
        TwStatus::NullArgument
    );
    assert_eq!(
        unsafe { tw_me(config.0, ptr::null_mut(), &mut out) },
        TwStatus::NullArgument
    );
    assert_eq!(
        unsafe { tw_me(config.0, &mut out, ptr::null_mut()) },
        TwStatus::NullArgument
    );
    assert!(last().message.contains("out_username"), "{:?}", last());
    assert_eq!(sandbox.requests_seen(), before);
}

#[test]
fn https_to_a_plain_http_port_is_a_tls_error_at_once() {
    let sandbox = start_sandbox();
    let config = Config::for_sandbox(&sandbox);
    let https = sandbox.base_url().replacen("http://", "https://", 1);
    assert_eq!(config.set_base_url(&https), TwStatus::Ok);
    assert_eq!(config.set_timeout_ms(30_000), TwStatus::Ok);
    let started = Instant::now();
    let (status, last) = config.follow_err("twitterdev");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!((status, last.http_status), (TwStatus::Tls, 0));
    assert!(
        last.message.contains("the server does not speak TLS") && last.message.contains("http://"),
        "{}",
        last.message
    );
}
