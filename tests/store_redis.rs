//! The Redis store (issue 28) through the C ABI, against the sandbox and a real
//! `redis-server` that each test starts on a loopback port (with AOF, in a folder of
//! its own; with TLS and a CA the test mints for `rediss://`: support/redis_server.rs)
//! and kills at its end. "Hosts" are worker processes (store/worker.rs) with
//! a HOME of their own and no shared file: only the Redis URL joins them.

#[path = "support/redis_server.rs"]
mod redis_server;
mod support;
#[path = "store/worker.rs"]
mod worker;

use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::ptr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use redis_server::{Pki, Redis};
use support::*;
use twfollow::ffi::*;

const PUBLIC_USER_ID: &str = "2244994945";

/// A worker process (see store/worker.rs) on the "host" whose HOME is `home`.
fn worker(home: &Path, args: &[&str]) -> Command {
    let mut command = worker_process("store_worker", &[], args);
    command
        .env("HOME", home)
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("TWFOLLOW_STORE");
    command
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

/// A sandbox grant saved in the Redis store as `grant`; its tokens.
fn stored_grant(sandbox: &Sandbox, store: &str) -> serde_json::Value {
    let config = oauth2_config(&sandbox.base_url(), true);
    let tokens = sign_in(&config);
    assert_eq!(save(&config, store, Some("grant")).unwrap(), "grant");
    tokens
}

fn refreshes_sent(sandbox: &Sandbox, start: usize) -> usize {
    sandbox.requests()[start..]
        .iter()
        .filter(|r| r.target.contains("oauth2/token"))
        .count()
}

/// Starts `per_host` followers on each host together; their (exit code, stderr).
fn fleet(
    sandbox: &Sandbox,
    dir: &TempDir,
    homes: &[PathBuf],
    store: &str,
    per_host: usize,
) -> Vec<(i32, String)> {
    static ROUND: AtomicUsize = AtomicUsize::new(0);
    let go = dir
        .0
        .join(format!("go-{}", ROUND.fetch_add(1, Ordering::SeqCst)));
    let children: Vec<Child> = homes
        .iter()
        .flat_map(|home| (0..per_host).map(move |_| home))
        .map(|home| {
            worker(
                home,
                &[
                    "follow",
                    store,
                    "grant",
                    &sandbox.base_url(),
                    PUBLIC_USER_ID,
                ],
            )
            .env("TWFOLLOW_WORKER_GO", &go)
            .spawn()
            .unwrap()
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    fs::write(&go, b"").unwrap();
    children.into_iter().map(finish).collect()
}

/// Marks the stored grant expired (for the client) and ends its access token (for X).
fn expire(redis: &Redis, sandbox: &Sandbox, prefix: &str) {
    redis.edit(prefix, |doc| {
        doc["accounts"]["grant"]["expires_at"] = 1.into()
    });
    sandbox.expire_oauth2_access_tokens();
}

fn hosts(dir: &TempDir, n: usize) -> Vec<PathBuf> {
    (0..n).map(|i| dir.sub(&format!("host-{i}"))).collect()
}

/// No host got a file: the store is on the server alone.
fn assert_no_files(homes: &[PathBuf]) {
    for home in homes {
        let found: Vec<_> = fs::read_dir(home).unwrap().collect();
        assert!(found.is_empty(), "{home:?} holds {found:?}");
    }
}

#[test]
fn three_hosts_of_four_processes_refresh_once_per_expiry() {
    let redis = Redis::start(Some("fleet-password"));
    let sandbox = start_sandbox();
    let store = redis.url("fleet");
    let first = stored_grant(&sandbox, &store);
    let dir = TempDir::new("fleet");
    let homes = hosts(&dir, 3);
    let mut previous = first["refresh_token"].clone();
    for round in 1..=3 {
        expire(&redis, &sandbox, "fleet");
        let start = sandbox.request_count();
        for (code, stderr) in fleet(&sandbox, &dir, &homes, &store, 4) {
            assert_eq!(code, 0, "round {round}: {stderr}");
        }
        assert_eq!(
            sandbox.oauth2_refresh_count(),
            round,
            "one refresh in round {round}"
        );
        assert_eq!(refreshes_sent(&sandbox, start), 1);
        let stored = &redis.document("fleet")["accounts"]["grant"];
        assert_ne!(
            stored["refresh_token"], previous,
            "round {round} rotated the grant"
        );
        assert!(stored["refresh_in_flight"].is_null(), "{stored}");
        previous = stored["refresh_token"].clone();
    }
    assert_no_files(&homes);
    assert_eq!(
        redis.keys(),
        ["fleet:store"],
        "every key under the prefix, no lock left"
    );
}

#[test]
fn the_store_lives_under_its_prefix_and_every_verb_works_on_it() {
    let redis = Redis::start(None);
    let sandbox = start_sandbox();
    let store = redis.url("verbs");
    let oauth1 = Config::for_sandbox(&sandbox);
    assert_eq!(save(&oauth1, &store, Some("plain")).unwrap(), "plain");
    stored_grant(&sandbox, &store);
    let listing = list(&store);
    assert_eq!(listing["path"], store.as_str());
    assert_eq!(listing["default"], "plain");
    assert_eq!(listing["accounts"].as_array().unwrap().len(), 2);
    let name = cstr("grant");
    let c_store = cstr(&store);
    assert_eq!(
        unsafe { tw_store_set_default(c_store.as_ptr(), name.as_ptr()) },
        TwStatus::Ok
    );
    assert_eq!(list(&store)["default"], "grant");
    let config = from_store(&store, None).unwrap();
    assert_eq!(config.set_base_url(&sandbox.base_url()), TwStatus::Ok);
    config.follow(PUBLIC_USER_ID, false).unwrap();
    let mut path = ptr::null_mut();
    assert_eq!(
        unsafe { tw_store_path(c_store.as_ptr(), &mut path) },
        TwStatus::Ok
    );
    assert_eq!(take(path), store);
    assert_eq!(
        unsafe { tw_store_remove(c_store.as_ptr(), cstr("plain").as_ptr()) },
        TwStatus::Ok
    );
    assert_eq!(list(&store)["accounts"].as_array().unwrap().len(), 1);
    // An import into it, from another "host" with only the TW_* variables.
    let dir = TempDir::new("import");
    let home = dir.sub("host");
    let account = Account::builtin(2);
    let mut import = worker(&home, &["import-env", &store]);
    import
        .env("TW_CONSUMER_KEY", CONSUMER_KEY)
        .env("TW_CONSUMER_SECRET", CONSUMER_SECRET)
        .env("TW_ACCESS_TOKEN", &account.token)
        .env("TW_ACCESS_TOKEN_SECRET", &account.token_secret);
    let (code, stderr) = finish(import.spawn().unwrap());
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(list(&store)["accounts"].as_array().unwrap().len(), 2);
    assert_no_files(&[home]);
    // Another prefix on the same server is another store.
    assert_eq!(
        list(&redis.url("other"))["accounts"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert!(
        redis.keys().iter().all(|k| k.starts_with("verbs:")),
        "{:?}",
        redis.keys()
    );
}

#[test]
fn redis_down_is_the_store_status_and_nothing_reaches_x_then_aof_brings_it_back() {
    let mut redis = Redis::start(Some("s3cr3t-pw"));
    let sandbox = start_sandbox();
    let store = redis.url("down");
    let tokens = stored_grant(&sandbox, &store);
    let dir = TempDir::new("down");
    let home = dir.sub("host");
    redis.stop();
    for expired in [false, true] {
        let before = sandbox.request_count();
        let mut follow = worker(
            &home,
            &[
                "follow",
                &store,
                "grant",
                &sandbox.base_url(),
                PUBLIC_USER_ID,
            ],
        );
        if expired {
            sandbox.expire_oauth2_access_tokens();
        }
        let (code, stderr) = finish(follow.spawn().unwrap());
        assert_eq!(code, TwStatus::Store as i32, "{stderr}");
        assert!(
            stderr.contains(&format!(
                "redis://:***@127.0.0.1:{}/0?prefix=down",
                redis.port
            )),
            "{stderr}"
        );
        assert!(!stderr.contains("s3cr3t-pw"), "{stderr}");
        assert_eq!(sandbox.request_count(), before, "nothing was sent to X");
    }
    redis.restart();
    let (code, stderr) = finish(
        worker(
            &home,
            &[
                "follow",
                &store,
                "grant",
                &sandbox.base_url(),
                PUBLIC_USER_ID,
            ],
        )
        .spawn()
        .unwrap(),
    );
    assert_eq!(code, 0, "{stderr}");
    let stored = &redis.document("down")["accounts"]["grant"];
    // The access token was ended by the sandbox above: one refresh of the same grant.
    assert_eq!(sandbox.oauth2_refresh_count(), 1);
    assert_ne!(stored["refresh_token"], tokens["refresh_token"]);
    assert_no_files(&[home]);
}

#[test]
fn a_wrong_or_missing_password_is_the_store_status_and_never_printed() {
    let redis = Redis::start(Some("right-password"));
    for (url, says) in [
        (
            format!("redis://:wr0ng-pw@127.0.0.1:{}", redis.port),
            "WRONGPASS",
        ),
        (
            format!("redis://someone:wr0ng-pw@127.0.0.1:{}", redis.port),
            "WRONGPASS",
        ),
        (
            format!("redis://127.0.0.1:{}", redis.port),
            "asks for a password",
        ),
    ] {
        let (status, last) = from_store(&url, None).err().unwrap();
        assert_eq!(status, TwStatus::Store, "{last:?}");
        assert!(last.message.contains(says), "{last:?}");
        assert!(!last.message.contains("wr0ng-pw"), "{last:?}");
        let mut path = ptr::null_mut();
        let c_url = cstr(&url);
        assert_eq!(
            unsafe { tw_store_path(c_url.as_ptr(), &mut path) },
            TwStatus::Ok
        );
        assert!(!take(path).contains("wr0ng-pw"));
    }
    // Nothing listens: refused at once, named without its password.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("redis://:pw-x@127.0.0.1:{port}");
    let (status, last) = from_store(&url, None).err().unwrap();
    assert_eq!(status, TwStatus::Store);
    assert!(
        last.message.contains("unreachable") && !last.message.contains("pw-x"),
        "{last:?}"
    );
}

/// The Redis lock's key of the account `grant`, while some process holds it.
fn wait_for_lock(redis: &Redis, prefix: &str) {
    let until = Instant::now() + Duration::from_secs(10);
    let key = format!("{prefix}:lock:grant");
    while !redis.keys().contains(&key) {
        assert!(Instant::now() < until, "nobody took the lock");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_holder_killed_during_a_slow_refresh_lets_the_others_finish_after_its_lock_expires() {
    let redis = Redis::start(None);
    let sandbox = Sandbox::start(
        SandboxConfig {
            oauth2_refresh_delay: Duration::from_secs(3),
            ..SandboxConfig::default()
        },
        0,
    )
    .unwrap();
    let store = redis.url("killed");
    stored_grant(&sandbox, &store);
    expire(&redis, &sandbox, "killed");
    let dir = TempDir::new("killed");
    let homes = hosts(&dir, 3);
    let follow = |home: &Path, timeout_ms: &str| {
        worker(
            home,
            &[
                "follow",
                &store,
                "grant",
                &sandbox.base_url(),
                PUBLIC_USER_ID,
            ],
        )
        .env("TWFOLLOW_WORKER_TIMEOUT_MS", timeout_ms)
        .spawn()
        .unwrap()
    };
    // A 1 s call: its lock lives 1 s + the grace (10 s) + 5 s.
    let mut holder = follow(&homes[0], "1000");
    wait_for_lock(&redis, "killed");
    let until = Instant::now() + Duration::from_secs(10);
    while sandbox.oauth2_refresh_count() == 0 {
        assert!(Instant::now() < until);
        std::thread::sleep(Duration::from_millis(10));
    }
    holder.kill().unwrap();
    holder.wait().unwrap();
    let started = Instant::now();
    let impatient = follow(&homes[1], "2000");
    let others: Vec<Child> = (0..3).map(|i| follow(&homes[1 + i % 2], "40000")).collect();
    let (code, stderr) = finish(impatient);
    assert_eq!(code, TwStatus::Timeout as i32, "{stderr}");
    assert!(
        stderr.contains("in flight since") && stderr.contains("on host"),
        "{stderr}"
    );
    assert!(
        stderr.contains("tw-follow authorize --account grant"),
        "{stderr}"
    );
    for (code, stderr) in others.into_iter().map(finish) {
        // X rotated the grant when it received the killed refresh: the others say so.
        assert_eq!(code, TwStatus::Auth as i32, "{stderr}");
        assert!(
            stderr.contains("tw-follow authorize --account grant"),
            "{stderr}"
        );
    }
    assert!(
        started.elapsed() >= Duration::from_secs(8),
        "they waited for the lock's expiry"
    );
    assert!(
        sandbox.oauth2_refresh_count() <= 2,
        "one refused try at most after the kill"
    );
}

fn is_stopped(pid: u32) -> bool {
    fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('T'))
    })
}

#[test]
fn a_holder_paused_past_its_lock_cannot_overwrite_the_newer_grant() {
    let redis = Redis::start(None);
    let sandbox = start_sandbox();
    let store = redis.url("paused");
    stored_grant(&sandbox, &store);
    expire(&redis, &sandbox, "paused");
    let dir = TempDir::new("paused");
    let homes = hosts(&dir, 2);
    let paused = worker(
        &homes[0],
        &[
            "stop-after-refresh",
            &store,
            "grant",
            &sandbox.base_url(),
            PUBLIC_USER_ID,
        ],
    )
    .spawn()
    .unwrap();
    let until = Instant::now() + Duration::from_secs(20);
    while !is_stopped(paused.id()) {
        assert!(Instant::now() < until, "the worker did not stop itself");
        std::thread::sleep(Duration::from_millis(10));
    }
    // Its lock expires (ended now rather than in 45 s, as its time to live would).
    assert_eq!(redis.cli(&["PEXPIRE", "paused:lock:grant", "1"]), b"1");
    std::thread::sleep(Duration::from_millis(20));
    // Meanwhile, on another host, the person authorizes again: a newer grant.
    let config = oauth2_config(&sandbox.base_url(), true);
    let newer = sign_in(&config);
    assert_eq!(save(&config, &store, Some("grant")).unwrap(), "grant");
    unsafe { libc::kill(paused.id() as i32, libc::SIGCONT) };
    let (code, stderr) = finish(paused);
    assert_ne!(code, 0, "{stderr}");
    assert!(stderr.contains("changed by another writer"), "{stderr}");
    let stored = &redis.document("paused")["accounts"]["grant"];
    assert_eq!(
        stored["refresh_token"], newer["refresh_token"],
        "the store keeps the newer grant"
    );
    let (code, stderr) = finish(
        worker(
            &homes[1],
            &[
                "follow",
                &store,
                "grant",
                &sandbox.base_url(),
                PUBLIC_USER_ID,
            ],
        )
        .spawn()
        .unwrap(),
    );
    assert_eq!(code, 0, "{stderr}");
}

/// The statuses and messages of the calls a host makes first with a store it cannot
/// use: listing it, and a config for its account `grant` (then no follow can be made).
fn refusals(store: &str) -> Vec<(TwStatus, String)> {
    let c_store = cstr(store);
    let mut json = ptr::null_mut();
    let listed = unsafe { tw_store_list(c_store.as_ptr(), &mut json) };
    let listed = (listed, last().message);
    assert!(json.is_null());
    let opened = match from_store(store, Some("grant")) {
        Ok(_) => (TwStatus::Ok, String::new()),
        Err((status, last)) => (status, last.message),
    };
    vec![listed, opened]
}

#[test]
fn a_rediss_store_trusts_its_ca_file_and_refuses_a_server_it_cannot_verify() {
    let pki = Pki::mint("store");
    let redis = Redis::start_tls(Some("tls-pass-word"), &pki);
    let sandbox = start_sandbox();
    let bare = redis.url("tls");
    assert!(
        bare.starts_with("rediss://:tls-pass-word@127.0.0.1:"),
        "{bare}"
    );
    let store = format!("{bare}&ca_file={}", pki.ca.display());
    let shown = format!(
        "rediss://:***@127.0.0.1:{}/0?prefix=tls&ca_file={}",
        redis.port,
        pki.ca.display()
    );

    // Trusted through the CA file: every verb works over TLS.
    let oauth1 = Config::for_sandbox(&sandbox);
    assert_eq!(save(&oauth1, &store, Some("plain")).unwrap(), "plain");
    let first = stored_grant(&sandbox, &store);
    let listing = list(&store);
    assert_eq!(listing["path"], shown.as_str());
    assert_eq!(listing["accounts"].as_array().unwrap().len(), 2);
    let config = from_store(&store, Some("grant")).unwrap();
    assert_eq!(config.set_base_url(&sandbox.base_url()), TwStatus::Ok);
    config.follow(PUBLIC_USER_ID, false).unwrap();
    // And a refresh through it, stored over TLS.
    expire(&redis, &sandbox, "tls");
    let config = from_store(&store, Some("grant")).unwrap();
    assert_eq!(config.set_base_url(&sandbox.base_url()), TwStatus::Ok);
    config.follow(PUBLIC_USER_ID, false).unwrap();
    assert_eq!(sandbox.oauth2_refresh_count(), 1);
    let stored = &redis.document("tls")["accounts"]["grant"];
    assert_ne!(stored["refresh_token"], first["refresh_token"]);
    assert_eq!(redis.keys(), ["tls:store"]);

    // Not trusted: the built-in roots (no ca_file), or a CA that did not issue the
    // server's certificate. The store status, the URL without its password, and
    // nothing sent to X.
    let other = Pki::mint("other");
    let wrong_ca = format!("{bare}&ca_file={}", other.ca.display());
    let before = sandbox.request_count();
    for url in [&bare, &wrong_ca] {
        for (status, message) in refusals(url) {
            assert_eq!(status, TwStatus::Store, "{url}: {message}");
            assert!(
                message.contains(&format!("rediss://:***@127.0.0.1:{}/0", redis.port)),
                "{message}"
            );
            assert!(message.contains("cannot be reached"), "{message}");
            assert!(message.contains("UnknownIssuer"), "{message}");
            assert!(!message.contains("tls-pass-word"), "{message}");
        }
    }
    // A plain redis:// URL to the TLS port: refused as well.
    let plain = format!(
        "redis://:tls-pass-word@127.0.0.1:{}/0?prefix=tls",
        redis.port
    );
    for (status, message) in refusals(&plain) {
        assert_eq!(status, TwStatus::Store, "{message}");
        assert!(!message.contains("tls-pass-word"), "{message}");
    }
    assert_eq!(sandbox.request_count(), before, "nothing was sent to X");
    // The server kept the grant: the trusted URL still works.
    assert_eq!(list(&store)["accounts"].as_array().unwrap().len(), 2);

    // A server presenting a self-signed CA certificate, given as the CA file: pinned, as
    // for the API (wire::pinning).
    let pinned = Pki::pinned();
    let redis = Redis::start_tls(None, &pinned);
    let store = format!("{}&ca_file={}", redis.url("pinned"), pinned.ca.display());
    assert_eq!(list(&store)["accounts"].as_array().unwrap().len(), 0);
}

/// A TCP proxy to Redis that passes on the commands holding `marker` and, for those
/// whose number (from 0) is in `lost`, closes the client's connection instead of handing
/// it the answer: the command ran, its sender saw its connection drop. Its port, and how
/// many such commands it saw.
fn proxy_losing_answers(
    redis_port: u16,
    marker: &'static [u8],
    lost: &'static [usize],
) -> (u16, Arc<AtomicUsize>) {
    use std::io::{Read, Write};
    use std::net::{Shutdown, TcpStream};
    use std::sync::atomic::AtomicBool;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let writes = Arc::new(AtomicUsize::new(0));
    let seen = writes.clone();
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let client = client.unwrap();
            let server = TcpStream::connect(("127.0.0.1", redis_port)).unwrap();
            let lose_answers = Arc::new(AtomicBool::new(false));
            let (mut from_client, mut to_server) =
                (client.try_clone().unwrap(), server.try_clone().unwrap());
            let (writes, lose) = (writes.clone(), lose_answers.clone());
            std::thread::spawn(move || {
                let mut buffer = [0u8; 65536];
                while let Ok(n @ 1..) = from_client.read(&mut buffer) {
                    let chunk = &buffer[..n];
                    let marked = chunk.windows(marker.len()).any(|w| w == marker);
                    if marked && lost.contains(&writes.fetch_add(1, Ordering::SeqCst)) {
                        lose.store(true, Ordering::SeqCst);
                    }
                    if to_server.write_all(chunk).is_err() {
                        break;
                    }
                }
            });
            let (mut from_server, mut to_client) = (server, client);
            std::thread::spawn(move || {
                let mut buffer = [0u8; 65536];
                while let Ok(n @ 1..) = from_server.read(&mut buffer) {
                    if lose_answers.load(Ordering::SeqCst) {
                        let _ = to_client.shutdown(Shutdown::Both);
                        break;
                    }
                    if to_client.write_all(&buffer[..n]).is_err() {
                        break;
                    }
                }
            });
        }
    });
    (port, seen)
}

/// An expired grant stored under `prefix`, and a config for it through
/// [`proxy_losing_answers`] (`marker`, `lost`); the proxy's count.
fn expired_grant_behind_a_losing_proxy(
    prefix: &str,
    marker: &'static [u8],
    lost: &'static [usize],
) -> (Redis, Sandbox, Config, Arc<AtomicUsize>) {
    let redis = Redis::start(None);
    let sandbox = start_sandbox();
    stored_grant(&sandbox, &redis.url(prefix));
    expire(&redis, &sandbox, prefix);
    let (proxy, seen) = proxy_losing_answers(redis.port, marker, lost);
    let through_proxy = format!("redis://127.0.0.1:{proxy}/0?prefix={prefix}");
    let config = from_store(&through_proxy, Some("grant")).unwrap();
    assert_eq!(config.set_base_url(&sandbox.base_url()), TwStatus::Ok);
    (redis, sandbox, config, seen)
}

#[test]
fn refresh_writes_whose_answers_were_lost_landed_and_the_grant_works() {
    // The 1st and 3rd compare-and-set (the 2nd and 4th are those sent again).
    let (redis, sandbox, config, writes) =
        expired_grant_behind_a_losing_proxy("lost", b"cjson.decode", &[0, 2]);
    let start = sandbox.requests().len();
    config.follow(PUBLIC_USER_ID, false).unwrap();
    assert_eq!(refreshes_sent(&sandbox, start), 1);
    assert!(
        writes.load(Ordering::SeqCst) >= 4,
        "both writes' answers lost"
    );
    // Stored: another process follows with it, sending no refresh.
    let other = from_store(&redis.url("lost"), Some("grant")).unwrap();
    assert_eq!(other.set_base_url(&sandbox.base_url()), TwStatus::Ok);
    other.follow(PUBLIC_USER_ID, false).unwrap();
    assert_eq!(refreshes_sent(&sandbox, start), 1);
}

#[test]
fn a_lock_whose_answer_was_lost_is_taken_not_waited_for() {
    // The refresh's lock is taken, its answer lost: the lock sent again finds its own.
    let (redis, sandbox, config, takes) =
        expired_grant_behind_a_losing_proxy("lost-lock", b"'NX', 'PX'", &[0]);
    assert_eq!(config.set_timeout_ms(5000), TwStatus::Ok);
    let start = sandbox.requests().len();
    let started = Instant::now();
    config.follow(PUBLIC_USER_ID, false).unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    assert!(takes.load(Ordering::SeqCst) >= 2, "the take sent again");
    assert_eq!(refreshes_sent(&sandbox, start), 1);
    assert!(
        !redis.keys().iter().any(|k| k.contains(":lock")),
        "released: {:?}",
        redis.keys()
    );
}
