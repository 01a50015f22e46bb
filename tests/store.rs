//! The token store (issue 19) through the C ABI, against the sandbox. Concurrency is
//! tested with real processes: this binary run again as a worker (store/worker.rs).

#[path = "store/rounds.rs"]
mod rounds;
mod support;
#[path = "store/worker.rs"]
mod worker;

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::ptr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use support::*;
use twfollow::ffi::*;

const PUBLIC_USER_ID: &str = "2244994945";

/// A worker process (see store/worker.rs) with these arguments.
fn worker(args: &[&str]) -> Command {
    worker_process("store_worker", &[], args)
}

/// Not a test: the entry point of the worker processes, which `worker` runs.
#[test]
#[ignore = "the worker processes' entry point (tests/store/worker.rs)"]
fn store_worker() {
    let args = std::env::var("TWFOLLOW_STORE_WORKER").expect("run by worker()");
    worker::main(args.split('\n').map(str::to_owned).collect());
}

fn list(store: &str) -> serde_json::Value {
    let store = cstr(store);
    let mut json = ptr::null_mut();
    assert_eq!(
        unsafe { tw_store_list(store.as_ptr(), &mut json) },
        TwStatus::Ok,
        "{:?}",
        last()
    );
    serde_json::from_str(&take(json)).unwrap()
}

/// One account as tw_store_account_fields gives it.
#[derive(Debug, PartialEq, Eq)]
struct Fields {
    name: Option<String>,
    kind: Option<String>,
    screen_name: Option<String>,
    user_id: Option<String>,
    app: Option<String>,
    expires_at: i64,
    has_refresh_token: bool,
    is_default: bool,
    count: u32,
}

/// The `index`-th account as fields, or the status with nothing written.
fn account_fields(store: &str, index: u32) -> Result<Fields, TwStatus> {
    let store = cstr(store);
    let untouched = 0x5eed as *mut std::ffi::c_char;
    let mut strings = [untouched; 5];
    let (mut expires_at, mut refresh, mut default, mut count) = (-7i64, true, true, 7777u32);
    let [name, kind, screen_name, user_id, app] = &mut strings;
    let status = unsafe {
        tw_store_account_fields(
            store.as_ptr(),
            index,
            name,
            kind,
            screen_name,
            user_id,
            app,
            &mut expires_at,
            &mut refresh,
            &mut default,
            &mut count,
        )
    };
    if status != TwStatus::Ok {
        assert_eq!(strings, [untouched; 5], "outputs written on failure");
        assert_eq!(
            (expires_at, refresh, default, count),
            (-7, true, true, 7777)
        );
        return Err(status);
    }
    let [name, kind, screen_name, user_id, app] = strings.map(|p| (!p.is_null()).then(|| take(p)));
    Ok(Fields {
        name,
        kind,
        screen_name,
        user_id,
        app,
        expires_at,
        has_refresh_token: refresh,
        is_default: default,
        count,
    })
}

/// What past the end of a store of `count` accounts gives.
fn past_the_end(count: u32) -> Fields {
    Fields {
        name: None,
        kind: None,
        screen_name: None,
        user_id: None,
        app: None,
        expires_at: 0,
        has_refresh_token: false,
        is_default: false,
        count,
    }
}

/// Rewrites the store as a test needs it (nobody else is using it then).
fn edit_store(store: &str, change: impl FnOnce(&mut serde_json::Value)) {
    let mut doc = read_store(store);
    change(&mut doc);
    fs::write(store, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
}

fn tokens_of(config: &Config) -> serde_json::Value {
    let mut json = ptr::null_mut();
    assert_eq!(
        unsafe { tw_config_get_tokens(config.0, &mut json) },
        TwStatus::Ok
    );
    serde_json::from_str(&take(json)).unwrap()
}

/// A sandbox grant saved in a new store as `grant`: (folder, store path, tokens).
fn stored_grant(sandbox: &Sandbox, name: &str) -> (TempDir, String, serde_json::Value) {
    let dir = TempDir::new(name);
    let store = dir.store();
    let config = oauth2_config(&sandbox.base_url(), true);
    let tokens = sign_in(&config);
    assert_eq!(save(&config, &store, Some("grant")).unwrap(), "grant");
    (dir, store, tokens)
}

fn requests_since(sandbox: &Sandbox, start: usize) -> Vec<String> {
    sandbox.requests()[start..]
        .iter()
        .map(|r| format!("{} {}", r.method, r.target.split('?').next().unwrap()))
        .collect()
}

/// N worker processes, started together, follow with the stored `grant`.
fn followers(sandbox: &Sandbox, dir: &TempDir, store: &str, n: usize) -> Vec<(i32, String)> {
    let go = dir.0.join("go");
    let children: Vec<Child> = (0..n)
        .map(|_| {
            worker(&[
                "follow",
                store,
                "grant",
                &sandbox.base_url(),
                PUBLIC_USER_ID,
            ])
            .env("TWFOLLOW_WORKER_GO", &go)
            .spawn()
            .unwrap()
        })
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    fs::write(&go, b"").unwrap();
    children.into_iter().map(finish).collect()
}

#[test]
fn saving_records_the_user_and_the_listing_holds_no_secret() {
    let sandbox = start_sandbox();
    let (dir, store, tokens) = stored_grant(&sandbox, "save");
    let meta = fs::metadata(&store).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    assert!(!dir.0.join("accounts.json.tmp").exists());
    let doc = read_store(&store);
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["default"], "grant");
    let account = &doc["accounts"]["grant"];
    assert_eq!(account["kind"], "oauth2");
    assert_eq!(account["user_id"], "1500000001");
    assert_eq!(account["screen_name"], "sandbox_me");
    assert_eq!(account["access_token"], tokens["access_token"]);
    assert_eq!(account["refresh_token"], tokens["refresh_token"]);
    assert_eq!(
        doc["apps"][OAUTH2_CLIENT_ID]["client_secret"],
        OAUTH2_CLIENT_SECRET
    );

    // An OAuth 1.0a user too, named by its screen name (learnt with one 2/users/me).
    let oauth1 = Config::for_account(&sandbox.base_url(), 2);
    let before = sandbox.request_count();
    assert_eq!(save(&oauth1, &store, None).unwrap(), "sandbox_2");
    assert_eq!(requests_since(&sandbox, before), ["GET /2/users/me"]);
    // Saved again: it knows its user now, so nothing is sent.
    assert_eq!(save(&oauth1, &store, Some("again")).unwrap(), "again");
    assert_eq!(sandbox.request_count(), before + 1);

    let listing = list(&store);
    assert_eq!(listing["path"], store.as_str());
    assert_eq!(listing["default"], "grant");
    let names: Vec<&str> = listing["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["again", "grant", "sandbox_2"]);
    let grant = &listing["accounts"][1];
    assert_eq!(grant["kind"], "oauth2");
    assert_eq!(grant["has_refresh_token"], true);
    assert_eq!(grant["default"], true);
    assert!(grant["expires_at"].as_i64().unwrap() > 1_700_000_000);
    let text = listing.to_string();
    for secret in [
        tokens["access_token"].as_str().unwrap(),
        tokens["refresh_token"].as_str().unwrap(),
        OAUTH2_CLIENT_SECRET,
        CONSUMER_SECRET,
        &Account::builtin(2).token,
        &Account::builtin(2).token_secret,
    ] {
        assert!(!text.contains(secret), "the listing shows a secret");
    }

    // Default and removal; the app goes with its last account.
    let (s, again) = (cstr(&store), cstr("again"));
    assert_eq!(
        unsafe { tw_store_set_default(s.as_ptr(), again.as_ptr()) },
        TwStatus::Ok
    );
    assert_eq!(list(&store)["default"], "again");
    assert_eq!(
        unsafe { tw_store_remove(s.as_ptr(), again.as_ptr()) },
        TwStatus::Ok
    );
    assert_eq!(list(&store)["default"], serde_json::Value::Null);
    assert!(
        read_store(&store)["apps"][CONSUMER_KEY].is_object(),
        "sandbox_2 uses it"
    );
    let missing = cstr("nobody");
    assert_eq!(
        unsafe { tw_store_remove(s.as_ptr(), missing.as_ptr()) },
        TwStatus::Store
    );
    assert!(last().message.contains(&store), "{:?}", last());

    // Each stored account follows from a config of its own.
    for name in ["grant", "sandbox_2"] {
        let config = from_store(&store, Some(name)).unwrap();
        assert_eq!(config.set_base_url(&sandbox.base_url()), TwStatus::Ok);
        config.follow("@twitterdev", false).unwrap();
    }
}

#[test]
fn the_listing_comes_as_fields_too() {
    let sandbox = start_sandbox();
    let (dir, store, tokens) = stored_grant(&sandbox, "fields");
    let oauth1 = Config::for_account(&sandbox.base_url(), 2);
    assert_eq!(save(&oauth1, &store, None).unwrap(), "sandbox_2");
    // An account whose user is not known yet, and one edited by hand (no kind, no app;
    // a name beyond ASCII).
    edit_store(&store, |doc| {
        let mut later = doc["accounts"]["sandbox_2"].clone();
        let record = later.as_object_mut().unwrap();
        record.remove("user_id");
        record.remove("screen_name");
        doc["accounts"]["later"] = later;
        doc["accounts"]["édité"] = serde_json::json!({"note": "by hand"});
    });
    let listing = list(&store);
    let records = listing["accounts"].as_array().unwrap();
    assert_eq!(records.len(), 4);
    let s = cstr(&store);
    for (index, record) in records.iter().enumerate() {
        let text = |key: &str| record[key].as_str().map(str::to_owned);
        let expected = Fields {
            name: text("name"),
            kind: text("kind"),
            screen_name: text("screen_name"),
            user_id: text("user_id"),
            app: text("app"),
            expires_at: record["expires_at"].as_i64().unwrap(),
            has_refresh_token: record["has_refresh_token"].as_bool().unwrap(),
            is_default: record["default"].as_bool().unwrap(),
            count: 4,
        };
        assert_eq!(account_fields(&store, index as u32), Ok(expected));
        // tw_store_account_at's record is the listing's.
        let (mut json, mut count) = (ptr::null_mut(), 0u32);
        let status =
            unsafe { tw_store_account_at(s.as_ptr(), index as u32, &mut json, &mut count) };
        assert_eq!((status, count), (TwStatus::Ok, 4));
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&take(json)).unwrap(),
            *record
        );
    }
    let grant = account_fields(&store, 0).unwrap();
    assert_eq!(grant.name.as_deref(), Some("grant"));
    assert_eq!(grant.user_id.as_deref(), Some("1500000001"));
    assert_eq!(grant.app.as_deref(), Some(OAUTH2_CLIENT_ID));
    assert!(grant.is_default && grant.has_refresh_token && grant.expires_at > 1_700_000_000);
    let later = account_fields(&store, 1).unwrap();
    assert_eq!(
        (later.kind.as_deref(), later.user_id, later.screen_name),
        (Some("oauth1"), None, None),
        "a user not known yet is NULL"
    );
    assert_eq!(later.expires_at, 0);
    let by_hand = account_fields(&store, 3).unwrap();
    assert_eq!(
        (by_hand.name.as_deref(), by_hand.kind, by_hand.app),
        (Some("édité"), None, None)
    );
    for index in [4, 5, u32::MAX] {
        assert_eq!(account_fields(&store, index), Ok(past_the_end(4)));
    }
    // Every out-pointer is optional.
    let nulls = without_outputs(&s);
    assert_eq!(nulls, TwStatus::Ok);
    // No secret among the fields.
    let shown = format!(
        "{:?}",
        (0..4)
            .map(|i| account_fields(&store, i))
            .collect::<Vec<_>>()
    );
    for secret in [
        tokens["access_token"].as_str().unwrap(),
        tokens["refresh_token"].as_str().unwrap(),
        &Account::builtin(2).token,
        &Account::builtin(2).token_secret,
    ] {
        assert!(!shown.contains(secret), "the fields show a secret");
    }

    // Bad arguments, a store that does not exist yet, one that cannot be read.
    assert_eq!(account_fields("", 0), Err(TwStatus::InvalidArgument));
    let bad = without_outputs(c"/tmp/\xff");
    assert_eq!(bad, TwStatus::InvalidUtf8);
    let none = dir.0.join("none.json").display().to_string();
    assert_eq!(account_fields(&none, 0), Ok(past_the_end(0)));
    fs::write(&store, b"{not json").unwrap();
    assert_eq!(account_fields(&store, 0), Err(TwStatus::Store));
    assert!(last().message.contains(&store), "{:?}", last());
}

#[test]
fn a_follow_by_id_from_a_new_process_sends_one_request() {
    let sandbox = start_sandbox();
    let (dir, store, _) = stored_grant(&sandbox, "one-request");
    let before = sandbox.request_count();
    let results = followers(&sandbox, &dir, &store, 1);
    assert_eq!(results[0].0, 0, "{}", results[0].1);
    assert_eq!(
        requests_since(&sandbox, before),
        ["POST /2/users/1500000001/following"]
    );
}

#[test]
fn eight_processes_meeting_one_expired_grant_refresh_once() {
    let sandbox = start_sandbox();
    let (dir, store, first) = stored_grant(&sandbox, "expired");
    // Expired for the client (the store says so) and for the server.
    edit_store(&store, |doc| {
        doc["accounts"]["grant"]["expires_at"] = 1.into()
    });
    sandbox.expire_oauth2_access_tokens();
    let before = sandbox.request_count();
    for (code, stderr) in followers(&sandbox, &dir, &store, 8) {
        assert_eq!(code, 0, "{stderr}");
    }
    assert_eq!(sandbox.oauth2_refresh_count(), 1);
    let mut sent = requests_since(&sandbox, before);
    sent.sort();
    let mut expected = vec!["POST /2/oauth2/token".to_owned()];
    expected.extend((0..8).map(|_| "POST /2/users/1500000001/following".to_owned()));
    assert_eq!(
        sent, expected,
        "one refresh, then eight follows with its token"
    );
    let stored = &read_store(&store)["accounts"]["grant"];
    assert_ne!(stored["refresh_token"], first["refresh_token"]);
    assert!(stored["expires_at"].as_i64().unwrap() > 1_700_000_000);
}

#[test]
fn eight_processes_refused_with_401_refresh_once() {
    let sandbox = start_sandbox();
    let (dir, store, first) = stored_grant(&sandbox, "revoked");
    // The server ends the access token early: the store still thinks it is valid.
    sandbox.expire_oauth2_access_tokens();
    let before = sandbox.request_count();
    for (code, stderr) in followers(&sandbox, &dir, &store, 8) {
        assert_eq!(code, 0, "{stderr}");
    }
    assert_eq!(sandbox.oauth2_refresh_count(), 1);
    let sent = requests_since(&sandbox, before);
    assert_eq!(
        sent.iter().filter(|r| r.contains("oauth2/token")).count(),
        1
    );
    assert!(sent.iter().all(|r| !r.contains("users/me")), "{sent:?}");
    let follows = sent.iter().filter(|r| r.contains("following")).count();
    assert!(
        (9..=16).contains(&follows),
        "each refused follow is sent again once: {sent:?}"
    );
    assert_ne!(
        read_store(&store)["accounts"]["grant"]["refresh_token"],
        first["refresh_token"]
    );
}

#[test]
fn a_pre_fork_pool_refreshes_once() {
    let sandbox = start_sandbox();
    let (_dir, store, _) = stored_grant(&sandbox, "prefork");
    edit_store(&store, |doc| {
        doc["accounts"]["grant"]["expires_at"] = 1.into()
    });
    sandbox.expire_oauth2_access_tokens();
    let child = worker(&[
        "prefork",
        &store,
        "grant",
        &sandbox.base_url(),
        PUBLIC_USER_ID,
        "3",
    ])
    .spawn()
    .unwrap();
    let (failed, stderr) = finish(child);
    assert_eq!(failed, 0, "{stderr}");
    assert_eq!(sandbox.oauth2_refresh_count(), 1);
}

#[test]
fn a_config_without_a_store_refuses_to_refresh_after_fork() {
    let sandbox = start_sandbox();
    let config = oauth2_config(&sandbox.base_url(), false);
    let tokens = sign_in(&config);
    let before = sandbox.request_count();
    let child = worker(&[
        "prefork-env",
        &sandbox.base_url(),
        OAUTH2_PUBLIC_CLIENT_ID,
        tokens["access_token"].as_str().unwrap(),
        tokens["refresh_token"].as_str().unwrap(),
    ])
    .spawn()
    .unwrap();
    let (failed, stderr) = finish(child);
    assert_eq!(failed, 0, "{stderr}");
    assert!(stderr.contains("made before fork()"), "{stderr}");
    assert_eq!(sandbox.request_count(), before, "the child sent nothing");
    // The grant survived: the parent's config can still refresh it.
    assert_eq!(unsafe { tw_oauth2_refresh(config.0) }, TwStatus::Ok);
}

#[test]
fn waiting_for_the_lock_ends_at_the_deadline() {
    let sandbox = start_sandbox();
    let (dir, store, _) = stored_grant(&sandbox, "deadline");
    let config = from_store(&store, None).unwrap();
    assert_eq!(config.set_base_url(&sandbox.base_url()), TwStatus::Ok);
    assert_eq!(config.set_timeout_ms(300), TwStatus::Ok);
    let held = fs::File::open(dir.0.join("accounts.json.lock")).unwrap();
    held.lock().unwrap();
    let before = sandbox.request_count();
    let start = Instant::now();
    assert_eq!(unsafe { tw_oauth2_refresh(config.0) }, TwStatus::Timeout);
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_millis(290) && waited < Duration::from_secs(3),
        "{waited:?}"
    );
    assert!(
        last().message.contains("lock of the token store"),
        "{:?}",
        last()
    );
    assert_eq!(sandbox.request_count(), before);
    drop(held);
    assert_eq!(
        unsafe { tw_oauth2_refresh(config.0) },
        TwStatus::Ok,
        "{:?}",
        last()
    );
}

static RECEIVED: AtomicUsize = AtomicUsize::new(0);

unsafe extern "C" fn count_tokens(_: *mut std::ffi::c_void, _: *const std::ffi::c_char) {
    RECEIVED.fetch_add(1, Ordering::SeqCst);
}

#[test]
fn a_refresh_the_store_cannot_keep_says_so() {
    let sandbox = Sandbox::start(
        SandboxConfig {
            oauth2_refresh_delay: Duration::from_millis(300),
            ..SandboxConfig::default()
        },
        0,
    )
    .unwrap();
    let (dir, store, first) = stored_grant(&sandbox, "unsaved");
    let config = from_store(&store, None).unwrap();
    assert_eq!(config.set_base_url(&sandbox.base_url()), TwStatus::Ok);
    assert_eq!(
        unsafe { tw_config_set_token_callback(config.0, Some(count_tokens), ptr::null_mut()) },
        TwStatus::Ok
    );
    // A store that cannot be written before the refresh: the refresh cannot be
    // recorded as in flight, so it is not sent. (Root ignores permissions; a file
    // in the folder's place stops anyone.)
    let folder = dir.0.clone();
    let aside = folder.with_extension("aside");
    let block = {
        let (folder, aside) = (folder.clone(), aside.clone());
        move || {
            fs::rename(&folder, &aside).unwrap();
            fs::write(&folder, b"not a folder").unwrap();
        }
    };
    let unblock = || {
        fs::remove_file(&folder).unwrap();
        fs::rename(&aside, &folder).unwrap();
    };
    let before = fs::read(&store).unwrap();
    block();
    assert_eq!(unsafe { tw_oauth2_refresh(config.0) }, TwStatus::Store);
    unblock();
    assert_eq!(sandbox.oauth2_refresh_count(), 0, "nothing sent");
    assert_eq!(fs::read(&store).unwrap(), before, "the store is as it was");

    // A store that breaks while the refresh is on its way: the new pair is held,
    // handed to the callback, and the failure said.
    let watched = store.clone();
    let breaker = std::thread::spawn({
        let block = block.clone();
        move || {
            while !fs::read_to_string(&watched)
                .unwrap_or_default()
                .contains("refresh_in_flight")
            {
                std::thread::sleep(Duration::from_millis(5));
            }
            block();
        }
    });
    assert_eq!(
        unsafe { tw_oauth2_refresh(config.0) },
        TwStatus::TokensNotSaved
    );
    breaker.join().unwrap();
    let message = last().message;
    assert!(message.contains("still held by this config"), "{message}");
    assert!(message.contains("token callback"), "{message}");
    assert_eq!(RECEIVED.load(Ordering::SeqCst), 1);
    let held = tokens_of(&config);
    assert_ne!(held["refresh_token"], first["refresh_token"]);
    assert!(!message.contains(held["refresh_token"].as_str().unwrap()));
    unblock();
    let recorded = &read_store(&store)["accounts"]["grant"];
    assert_eq!(recorded["refresh_token"], first["refresh_token"]);
    assert!(recorded["refresh_in_flight"]["pid"].is_u64(), "{recorded}");

    // Once the store can be written again, the next refresh starts from the pair the
    // config holds (the stored one is dead), and saves its answer.
    assert_eq!(
        unsafe { tw_oauth2_refresh(config.0) },
        TwStatus::Ok,
        "{:?}",
        last()
    );
    assert_eq!(sandbox.oauth2_refresh_count(), 2);
    let saved = &read_store(&store)["accounts"]["grant"];
    assert_eq!(saved["refresh_token"], tokens_of(&config)["refresh_token"]);
    let later = from_store(&store, None).unwrap();
    assert_eq!(later.set_base_url(&sandbox.base_url()), TwStatus::Ok);
    assert_eq!(
        unsafe { tw_oauth2_refresh(later.0) },
        TwStatus::Ok,
        "{:?}",
        last()
    );

    // Tokens the application sets end the link: their refresh does not touch the store.
    let mine = tokens_of(&later);
    let before = fs::read(&store).unwrap();
    let (a, r) = (
        cstr(mine["access_token"].as_str().unwrap()),
        cstr(mine["refresh_token"].as_str().unwrap()),
    );
    assert_eq!(
        unsafe { tw_config_set_oauth2_tokens(later.0, a.as_ptr(), r.as_ptr(), 0) },
        TwStatus::Ok
    );
    assert_eq!(
        unsafe { tw_oauth2_refresh(later.0) },
        TwStatus::Ok,
        "{:?}",
        last()
    );
    assert_eq!(fs::read(&store).unwrap(), before);
}

/// (bytes, modification time) of a file.
fn snapshot(path: &str) -> (Vec<u8>, i64, i64) {
    let meta = fs::metadata(path).unwrap();
    (fs::read(path).unwrap(), meta.mtime(), meta.mtime_nsec())
}

#[test]
fn unsafe_torn_and_unknown_stores_are_refused_and_left_untouched() {
    let sandbox = start_sandbox();
    let (_dir, store, _) = stored_grant(&sandbox, "refused");
    let good = fs::read(&store).unwrap();
    let text = String::from_utf8(good.clone()).unwrap();
    type Spoil<'a> = Box<dyn Fn() + 'a>;
    let cases: Vec<(&str, Spoil, &str)> = vec![
        (
            "group-readable",
            Box::new(|| fs::set_permissions(&store, fs::Permissions::from_mode(0o640)).unwrap()),
            "chmod 600",
        ),
        (
            "world-writable",
            Box::new(|| fs::set_permissions(&store, fs::Permissions::from_mode(0o602)).unwrap()),
            "chmod 600",
        ),
        (
            "foreign owner",
            Box::new(|| std::os::unix::fs::chown(&store, Some(4242), None).unwrap()),
            "owned by uid 4242",
        ),
        (
            "torn",
            Box::new(|| fs::write(&store, &good[..good.len() / 2]).unwrap()),
            "is not valid JSON",
        ),
        (
            "empty",
            Box::new(|| fs::write(&store, b"").unwrap()),
            "is not valid JSON",
        ),
        (
            "unknown version",
            Box::new(|| {
                fs::write(&store, text.replace("\"version\": 1", "\"version\": 7")).unwrap()
            }),
            "has version 7",
        ),
    ];
    let (s, name) = (cstr(&store), cstr("grant"));
    // SAFETY: geteuid has no preconditions.
    let me = unsafe { libc::geteuid() };
    for (what, spoil, says) in &cases {
        if *what == "foreign owner" && me != 0 {
            eprintln!("not root: the foreign-owner case needs chown, skipped");
            continue;
        }
        fs::write(&store, &good).unwrap();
        fs::set_permissions(&store, fs::Permissions::from_mode(0o600)).unwrap();
        std::os::unix::fs::chown(&store, Some(me), None).unwrap();
        spoil();
        let before = snapshot(&store);
        let mode = fs::metadata(&store).unwrap().mode();
        std::thread::sleep(Duration::from_millis(5));
        let requests = sandbox.request_count();
        let (status, e) = from_store(&store, None).err().unwrap();
        assert_eq!(status, TwStatus::Store, "{what}");
        assert!(
            e.message.contains(&store) && e.message.contains(says),
            "{what}: {}",
            e.message
        );
        assert_eq!(
            unsafe { tw_store_set_default(s.as_ptr(), name.as_ptr()) },
            TwStatus::Store,
            "{what}"
        );
        let mut json = ptr::null_mut();
        assert_eq!(
            unsafe { tw_store_list(s.as_ptr(), &mut json) },
            TwStatus::Store,
            "{what}"
        );
        let config = Config::for_account(&sandbox.base_url(), 1);
        let (status, _) = save(&config, &store, Some("x")).err().unwrap();
        assert_eq!(status, TwStatus::Store, "{what}");
        assert_eq!(snapshot(&store), before, "{what}: the file was touched");
        assert_eq!(fs::metadata(&store).unwrap().mode(), mode, "{what}");
        // Saving asked for the user first (it does not know it), nothing else.
        assert!(
            requests_since(&sandbox, requests)
                .iter()
                .all(|r| r == "GET /2/users/me"),
            "{what}"
        );
    }
    fs::write(&store, &good).unwrap();
    std::os::unix::fs::chown(&store, Some(me), None).unwrap();
    fs::set_permissions(&store, fs::Permissions::from_mode(0o600)).unwrap();
    let (status, e) = from_store(&store, Some("nobody")).err().unwrap();
    assert_eq!(status, TwStatus::Store);
    assert!(
        e.message.contains("no account \"nobody\" (it has: grant)"),
        "{}",
        e.message
    );
    assert_eq!(fs::read(&store).unwrap(), good);
    // An account no client could be made from (an app edited by hand) is refused as the
    // default too, naming it, before anything is written.
    let mut doc: serde_json::Value = serde_json::from_slice(&good).unwrap();
    for app in doc["apps"].as_object_mut().unwrap().values_mut() {
        app["client_id"] = "c".repeat(1100).into();
    }
    fs::write(&store, serde_json::to_vec(&doc).unwrap()).unwrap();
    let spoilt = fs::read(&store).unwrap();
    assert_eq!(
        unsafe { tw_store_set_default(s.as_ptr(), name.as_ptr()) },
        TwStatus::Store
    );
    let message = last().message;
    assert!(
        message.contains("account \"grant\": client_id is longer than 1024 bytes"),
        "{message}"
    );
    assert_eq!(fs::read(&store).unwrap(), spoilt);
}

#[test]
fn a_new_store_gets_private_folders_and_arguments_are_checked() {
    let dir = TempDir::new("fresh");
    let store = dir.0.join("a/b/accounts.json").display().to_string();
    let sandbox = start_sandbox();
    let config = Config::for_account(&sandbox.base_url(), 1);
    assert_eq!(save(&config, &store, None).unwrap(), "sandbox_me");
    for (path, mode) in [
        (dir.0.join("a"), 0o700),
        (dir.0.join("a/b"), 0o700),
        (dir.0.join("a/b/accounts.json"), 0o600),
        (dir.0.join("a/b/accounts.json.lock"), 0o600),
    ] {
        assert_eq!(
            fs::metadata(&path).unwrap().mode() & 0o777,
            mode,
            "{}",
            path.display()
        );
    }
    let s = cstr(&store);
    let mut out = ptr::null_mut();
    unsafe {
        assert_eq!(
            tw_config_from_store(s.as_ptr(), ptr::null(), ptr::null_mut()),
            TwStatus::NullArgument
        );
        assert_eq!(
            tw_config_from_store(c"".as_ptr(), ptr::null(), &mut out),
            TwStatus::InvalidArgument
        );
        assert_eq!(
            tw_config_from_store(s.as_ptr(), c"".as_ptr(), &mut out),
            TwStatus::InvalidArgument
        );
        assert_eq!(
            tw_config_from_store(s.as_ptr(), c"\xff".as_ptr(), &mut out),
            TwStatus::InvalidUtf8
        );
        assert_eq!(
            tw_store_list(s.as_ptr(), ptr::null_mut()),
            TwStatus::NullArgument
        );
        assert_eq!(
            tw_store_set_default(s.as_ptr(), ptr::null()),
            TwStatus::NullArgument
        );
        assert_eq!(
            tw_store_remove(s.as_ptr(), c"".as_ptr()),
            TwStatus::InvalidArgument
        );
        assert_eq!(
            tw_store_import(s.as_ptr(), c"netrc".as_ptr(), ptr::null(), ptr::null_mut()),
            TwStatus::InvalidArgument
        );
        assert_eq!(
            tw_store_import(s.as_ptr(), c"env".as_ptr(), c"/x".as_ptr(), ptr::null_mut()),
            TwStatus::InvalidArgument
        );
        // An unknown format is named before a source path that is not UTF-8.
        let not_utf8 = c"\xff".as_ptr();
        assert_eq!(
            tw_store_import(s.as_ptr(), c"Twurl".as_ptr(), not_utf8, ptr::null_mut()),
            TwStatus::InvalidArgument
        );
        assert!(last().message.starts_with("unknown import format"));
        assert_eq!(
            tw_store_import(s.as_ptr(), ptr::null(), ptr::null(), ptr::null_mut()),
            TwStatus::NullArgument
        );
        assert_eq!(
            tw_store_save_account(ptr::null_mut(), s.as_ptr(), ptr::null(), ptr::null_mut()),
            TwStatus::NullArgument
        );
        assert_eq!(
            tw_store_path(s.as_ptr(), ptr::null_mut()),
            TwStatus::NullArgument
        );
        assert_eq!(
            tw_oauth2_access_token(config.0, &mut out.cast(), ptr::null_mut()),
            TwStatus::InvalidArgument
        );
        let mut path = ptr::null_mut();
        assert_eq!(tw_store_path(s.as_ptr(), &mut path), TwStatus::Ok);
        assert_eq!(take(path), store);
    }
    assert!(out.is_null());
    let long = "n".repeat(101);
    assert_eq!(
        save(&config, &store, Some(&long)).err().unwrap().0,
        TwStatus::InvalidArgument
    );
}

#[test]
fn the_access_token_alone_is_refreshed_and_saved_first() {
    let sandbox = start_sandbox();
    let (_dir, store, first) = stored_grant(&sandbox, "token");
    let config = from_store(&store, None).unwrap();
    assert_eq!(config.set_base_url(&sandbox.base_url()), TwStatus::Ok);
    let (mut token, mut expires) = (ptr::null_mut(), 0i64);
    assert_eq!(
        unsafe { tw_oauth2_access_token(config.0, &mut token, &mut expires) },
        TwStatus::Ok
    );
    assert_eq!(take(token), first["access_token"].as_str().unwrap());
    assert_eq!(sandbox.oauth2_refresh_count(), 0);
    edit_store(&store, |doc| {
        doc["accounts"]["grant"]["expires_at"] = 1.into()
    });
    let config = from_store(&store, None).unwrap();
    assert_eq!(config.set_base_url(&sandbox.base_url()), TwStatus::Ok);
    assert_eq!(
        unsafe { tw_oauth2_access_token(config.0, &mut token, &mut expires) },
        TwStatus::Ok
    );
    let fresh = take(token);
    assert_ne!(fresh, first["access_token"].as_str().unwrap());
    assert_eq!(sandbox.oauth2_refresh_count(), 1);
    let stored = &read_store(&store)["accounts"]["grant"];
    assert_eq!(stored["access_token"], fresh.as_str());
    assert_eq!(stored["expires_at"], expires);
}

fn import(
    store: &str,
    format: &str,
    source: Option<&Path>,
) -> Result<Vec<String>, (TwStatus, Last)> {
    let (s, f) = (cstr(store), cstr(format));
    let source = source.map(|p| cstr(&p.display().to_string()));
    let mut json = ptr::null_mut();
    let status = unsafe {
        tw_store_import(
            s.as_ptr(),
            f.as_ptr(),
            source.as_ref().map_or(ptr::null(), |p| p.as_ptr()),
            &mut json,
        )
    };
    if status != TwStatus::Ok {
        return Err((status, last()));
    }
    let answer: serde_json::Value = serde_json::from_str(&take(json)).unwrap();
    Ok(answer["imported"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_owned())
        .collect())
}

/// tw_store_import_names: (the names' lines, their count), or the status with nothing
/// written.
fn import_names(
    store: &str,
    format: &std::ffi::CStr,
    source: Option<&Path>,
) -> Result<(String, u32), TwStatus> {
    let s = cstr(store);
    let source = source.map(|p| cstr(&p.display().to_string()));
    let untouched = 0x5eed as *mut std::ffi::c_char;
    let (mut names, mut count) = (untouched, 7777u32);
    let status = unsafe {
        tw_store_import_names(
            s.as_ptr(),
            format.as_ptr(),
            source.as_ref().map_or(ptr::null(), |p| p.as_ptr()),
            &mut names,
            &mut count,
        )
    };
    if status != TwStatus::Ok {
        assert_eq!(
            (names, count),
            (untouched, 7777),
            "outputs written on failure"
        );
        return Err(status);
    }
    Ok((take(names), count))
}

fn follows_from_store(sandbox: &Sandbox, store: &str, name: &str) {
    let config = from_store(store, Some(name)).unwrap_or_else(|e| panic!("{name}: {e:?}"));
    assert_eq!(config.set_base_url(&sandbox.base_url()), TwStatus::Ok);
    config
        .follow(PUBLIC_USER_ID, false)
        .unwrap_or_else(|e| panic!("{name}: {e:?}"));
}

#[test]
fn twurl_and_xurl_files_are_imported_and_their_accounts_follow() {
    let sandbox = start_sandbox();
    let dir = TempDir::new("import");
    let store = dir.store();
    let (one, two) = (Account::builtin(1), Account::builtin(2));
    // twurl's ~/.twurlrc (its RCFile: profiles -> screen name -> consumer key).
    let twurlrc = dir.0.join("twurlrc");
    fs::write(
        &twurlrc,
        format!(
            "---\nprofiles:\n  sandbox_me:\n    {CONSUMER_KEY}:\n      username: sandbox_me\n      consumer_key: {CONSUMER_KEY}\n      consumer_secret: {CONSUMER_SECRET}\n      token: {}\n      secret: {}\n  sandbox_2:\n    {CONSUMER_KEY}:\n      username: sandbox_2\n      consumer_key: {CONSUMER_KEY}\n      consumer_secret: {CONSUMER_SECRET}\n      token: {}\n      secret: {}\nconfiguration:\n  default_profile:\n  - sandbox_2\n  - {CONSUMER_KEY}\n",
            one.token, one.token_secret, two.token, two.token_secret
        ),
    )
    .unwrap();
    assert_eq!(
        import(&store, "twurl", Some(&twurlrc)).unwrap(),
        ["sandbox_me", "sandbox_2"]
    );
    // Again, with the names one a line (an import overwrites: the store is the same).
    assert_eq!(
        import_names(&store, c"twurl", Some(&twurlrc)),
        Ok(("sandbox_me\nsandbox_2\n".to_owned(), 2))
    );
    for (store, format, status) in [
        (store.as_str(), c"netrc", TwStatus::InvalidArgument),
        (store.as_str(), c"\xff", TwStatus::InvalidUtf8),
        ("", c"twurl", TwStatus::InvalidArgument),
    ] {
        assert_eq!(import_names(store, format, Some(&twurlrc)), Err(status));
    }
    assert_eq!(
        import_names(&store, c"env", Some(&twurlrc)),
        Err(TwStatus::InvalidArgument),
        "a source path with env"
    );
    let null_format = unsafe {
        tw_store_import_names(
            cstr(&store).as_ptr(),
            ptr::null(),
            ptr::null(),
            ptr::null_mut(),
            ptr::null_mut(),
        )
    };
    assert_eq!(null_format, TwStatus::NullArgument);
    let listing = list(&store);
    assert_eq!(listing["default"], "sandbox_2");
    assert_eq!(listing["accounts"][0]["user_id"], "1500000002");
    for name in ["sandbox_me", "sandbox_2"] {
        follows_from_store(&sandbox, &store, name);
    }

    // xurl's ~/.xurl/auth.yml (store/tokens.go: apps -> oauth2_tokens per user).
    let config = oauth2_config(&sandbox.base_url(), true);
    let tokens = sign_in(&config);
    let three = Account::builtin(3);
    let xurl = dir.0.join("auth.yml");
    fs::write(
        &xurl,
        format!(
            "apps:\n  myapp:\n    client_id: {OAUTH2_CLIENT_ID}\n    client_secret: {OAUTH2_CLIENT_SECRET}\n    default_user: sandbox_me\n    oauth2_tokens:\n      sandbox_me:\n        type: oauth2\n        oauth2:\n          access_token: {}\n          refresh_token: {}\n          expiration_time: {}\n    oauth1_token:\n      type: oauth1\n      oauth1:\n        access_token: {}\n        token_secret: {}\n        consumer_key: {CONSUMER_KEY}\n        consumer_secret: {CONSUMER_SECRET}\n    bearer_token:\n      type: bearer\n      bearer: app-only\ndefault_app: myapp\n",
            tokens["access_token"].as_str().unwrap(),
            tokens["refresh_token"].as_str().unwrap(),
            tokens["expires_at"],
            three.token,
            three.token_secret,
        ),
    )
    .unwrap();
    assert_eq!(
        import(&store, "xurl", Some(&xurl)).unwrap(),
        ["sandbox_me", "myapp-oauth1"]
    );
    assert_eq!(
        list(&store)["default"],
        "sandbox_2",
        "the store's default stays"
    );
    // The imported OAuth 2.0 account learns its user at its first follow, and keeps it.
    let before = sandbox.request_count();
    follows_from_store(&sandbox, &store, "sandbox_me");
    assert_eq!(requests_since(&sandbox, before)[0], "GET /2/users/me");
    assert_eq!(
        read_store(&store)["accounts"]["sandbox_me"]["user_id"],
        "1500000001"
    );
    let before = sandbox.request_count();
    follows_from_store(&sandbox, &store, "sandbox_me");
    assert_eq!(sandbox.request_count(), before + 1);
    follows_from_store(&sandbox, &store, "myapp-oauth1");

    let (status, e) = import(&store, "xurl", Some(&twurlrc)).err().unwrap();
    assert_eq!(status, TwStatus::Store);
    assert!(e.message.contains("no xurl apps"), "{}", e.message);
}

#[test]
fn the_environment_is_imported_as_one_account() {
    let sandbox = start_sandbox();
    let dir = TempDir::new("env");
    let store = dir.store();
    let one = Account::builtin(1);
    let mut command = worker(&["import-env", &store]);
    for name in ["TW_OAUTH2_ACCESS_TOKEN", "TW_OAUTH2_REFRESH_TOKEN"] {
        command.env_remove(name);
    }
    // Neither is read: an account keeps no base URL or version.
    let child = command
        .env("TW_API_BASE", "http://example.com")
        .env("TW_API_VERSION", "3")
        .env("TW_CONSUMER_KEY", CONSUMER_KEY)
        .env("TW_CONSUMER_SECRET", CONSUMER_SECRET)
        .env("TW_ACCESS_TOKEN", &one.token)
        .env("TW_ACCESS_TOKEN_SECRET", &one.token_secret)
        .spawn()
        .unwrap();
    let (code, stderr) = finish(child);
    assert_eq!(code, 0, "{stderr}");
    let listing = list(&store);
    assert_eq!(listing["default"], "env");
    assert_eq!(listing["accounts"][0]["user_id"], "1500000001");
    follows_from_store(&sandbox, &store, "env");
}

/// `tw_store_account_fields` of the first account with every out-pointer NULL.
fn without_outputs(store: &std::ffi::CStr) -> TwStatus {
    unsafe {
        tw_store_account_fields(
            store.as_ptr(),
            0,
            ptr::null_mut(),
            ptr::null_mut(),
            ptr::null_mut(),
            ptr::null_mut(),
            ptr::null_mut(),
            ptr::null_mut(),
            ptr::null_mut(),
            ptr::null_mut(),
            ptr::null_mut(),
        )
    }
}

/// Whether an account of the store file is whole (every member its kind needs).
fn whole(doc: &serde_json::Value, name: &str) -> bool {
    let account = &doc["accounts"][name];
    let app = &doc["apps"][account["app"].as_str().unwrap_or("")];
    let has = |v: &serde_json::Value, key: &str| v[key].as_str().is_some_and(|s| !s.is_empty());
    match account["kind"].as_str() {
        Some("oauth1") => {
            ["access_token", "access_token_secret"]
                .iter()
                .all(|k| has(account, k))
                && has(app, "consumer_key")
                && has(app, "consumer_secret")
        }
        Some("oauth2") => {
            ["access_token", "refresh_token"]
                .iter()
                .all(|k| has(account, k))
                && account["expires_at"].is_i64()
                && has(app, "client_id")
        }
        _ => false,
    }
}

#[test]
fn kill_nine_at_any_instant_leaves_a_whole_store() {
    let kills: usize = std::env::var("TWFOLLOW_TORTURE_KILLS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(200);
    let sandbox = start_sandbox();
    let (_dir, store, _) = stored_grant(&sandbox, "torture");
    let oauth1 = Config::for_account(&sandbox.base_url(), 2);
    save(&oauth1, &store, Some("plain")).unwrap();
    let mut random = Lcg(u64::from(std::process::id()));
    let (mut killed, mut window, mut rounds) = (0, 0, 0);
    let started = Instant::now();
    while killed < kills {
        rounds += 1;
        let mut children = vec![
            worker(&["refresh-loop", &store, "grant", &sandbox.base_url()])
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
            worker(&["save-loop", &store, "plain"])
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        ];
        std::thread::sleep(Duration::from_micros(2_000 + random.below(40_000)));
        for child in &mut children {
            if child.try_wait().unwrap().is_none() {
                child.kill().unwrap(); // SIGKILL
                killed += 1;
            }
            child.wait().unwrap();
        }
        let doc = read_store(&store); // panics on a torn store
        assert_eq!(doc["version"], 1);
        for name in doc["accounts"].as_object().unwrap().keys() {
            assert!(
                whole(&doc, name),
                "round {rounds}: account {name} is not whole: {doc}"
            );
        }
        assert!(doc["accounts"]["grant"].is_object() && doc["accounts"]["plain"].is_object());
        let leftovers: Vec<_> = fs::read_dir(store.rsplit_once('/').unwrap().0)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| {
                !["accounts.json", "accounts.json.lock"].contains(&n.as_str())
                    && !n.starts_with("accounts.json.tmp.")
            })
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
        // The one window no lock closes: X rotated, the process died before the rename.
        let config = from_store(&store, Some("grant")).unwrap();
        assert_eq!(config.set_base_url(&sandbox.base_url()), TwStatus::Ok);
        match unsafe { tw_oauth2_refresh(config.0) } {
            TwStatus::Ok => {}
            TwStatus::Auth => {
                window += 1;
                let fresh = oauth2_config(&sandbox.base_url(), true);
                sign_in(&fresh);
                save(&fresh, &store, Some("grant")).unwrap();
            }
            other => panic!("round {rounds}: {other:?} {:?}", last()),
        }
    }
    eprintln!(
        "kill -9: {killed} kills in {rounds} rounds ({:.1} s), {} refreshes at the server; the window (rotated, killed before the rename) was hit {window} times",
        started.elapsed().as_secs_f64(),
        sandbox.oauth2_refresh_count()
    );
    assert!(window < rounds, "most kills land outside the window");
}

#[test]
fn stored_secrets_never_appear_even_when_the_server_echoes_them() {
    use std::io::Write as _;
    // A hostile server echoes the whole request (head and body) into every error.
    let server = Scripted::start(|request, out| {
        let text = format!(
            "{} {}",
            request.head,
            String::from_utf8_lossy(&request.body)
        );
        let body = serde_json::json!({
            "errors": [{"code": 1, "message": text}],
            "error": "invalid_request",
            "error_description": text,
        })
        .to_string();
        let _ = write!(
            out,
            "HTTP/1.1 400 Bad\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
    });
    let secrets = [
        "hostile-ACCESS-1234",
        "hostile-REFRESH-5678",
        "hostile-CLIENT-SECRET-9",
        "hostile-CONSUMER-SECRET-1",
        "1500000001-hostileTOKEN-2",
        "hostile-TOKEN-SECRET-3",
    ];
    let dir = TempDir::new("hostile");
    let store = dir.store();
    let doc = serde_json::json!({
        "version": 1,
        "apps": {
            "client": {"client_id": "client", "client_secret": secrets[2]},
            "key": {"consumer_key": "key", "consumer_secret": secrets[3]},
        },
        "accounts": {
            "grant": {"app": "client", "kind": "oauth2", "user_id": "1500000001",
                      "access_token": secrets[0], "refresh_token": secrets[1], "expires_at": 1},
            "plain": {"app": "key", "kind": "oauth1",
                      "access_token": secrets[4], "access_token_secret": secrets[5]},
        },
    });
    fs::write(&store, doc.to_string()).unwrap();
    fs::set_permissions(&store, fs::Permissions::from_mode(0o600)).unwrap();
    let mut messages = Vec::new();
    let grant = from_store(&store, Some("grant")).unwrap();
    assert_eq!(grant.set_base_url(&server.base_url()), TwStatus::Ok);
    messages.push(grant.follow_err("2244994945").1.message);
    assert_ne!(unsafe { tw_oauth2_refresh(grant.0) }, TwStatus::Ok);
    messages.push(last().message);
    let mut token = ptr::null_mut();
    assert_ne!(
        unsafe { tw_oauth2_access_token(grant.0, &mut token, ptr::null_mut()) },
        TwStatus::Ok
    );
    messages.push(last().message);
    let plain = from_store(&store, Some("plain")).unwrap();
    assert_eq!(plain.set_base_url(&server.base_url()), TwStatus::Ok);
    messages.push(save(&plain, &store, Some("copy")).err().unwrap().1.message);
    messages.push(plain.follow_err("twitterdev").1.message);
    assert!(
        server.requests().len() >= 5,
        "every call reached the server"
    );
    assert!(messages
        .iter()
        .any(|m| m.contains("invalid_request") || m.contains("HTTP 400")));
    messages.push(list(&store).to_string());
    messages.push(format!(
        "{:?}",
        from_store(&store, Some("nobody")).err().unwrap()
    ));
    for message in &messages {
        for secret in secrets {
            assert!(!message.contains(secret), "{secret} in {message}");
        }
    }
}

#[test]
fn after_a_401_the_token_another_process_stored_is_tried_without_refreshing() {
    let sandbox = start_sandbox();
    let (_dir, store, first) = stored_grant(&sandbox, "adopt");
    let (a, b) = (
        from_store(&store, None).unwrap(),
        from_store(&store, None).unwrap(),
    );
    for config in [&a, &b] {
        assert_eq!(config.set_base_url(&sandbox.base_url()), TwStatus::Ok);
    }
    // A refreshes (and saves); then B's token is ended by the server.
    assert_eq!(unsafe { tw_oauth2_refresh(a.0) }, TwStatus::Ok);
    let old = cstr(first["access_token"].as_str().unwrap());
    assert_eq!(unsafe { tw_oauth2_revoke(a.0, old.as_ptr()) }, TwStatus::Ok);
    let before = sandbox.request_count();
    b.follow(PUBLIC_USER_ID, false).unwrap();
    assert_eq!(sandbox.oauth2_refresh_count(), 1, "B took A's tokens");
    assert_eq!(
        requests_since(&sandbox, before),
        [
            "POST /2/users/1500000001/following",
            "POST /2/users/1500000001/following"
        ]
    );
    assert_eq!(tokens_of(&b), tokens_of(&a));
}
