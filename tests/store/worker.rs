//! The worker processes of tests/store.rs: the token store is about several
//! processes, so its tests run real ones. A worker is the test binary itself, run
//! with `--ignored --exact store_worker` and its arguments in `TWFOLLOW_STORE_WORKER`
//! (separated by newlines), so it is always built with the tests. Calls go through
//! the C ABI.
//!
//! Modes (arguments after the mode; `STORE` the store's path or URL, `BASE` the sandbox):
//! - `follow STORE ACCOUNT BASE TARGET`: waits for the file `$TWFOLLOW_WORKER_GO` (so
//!   that the workers start together), then `tw_config_from_store` and `tw_follow`
//!   (with `$TWFOLLOW_WORKER_TIMEOUT_MS` as the config's timeout when it is set).
//! - `stop-after-refresh STORE ACCOUNT BASE TARGET`: a follow that stops itself
//!   (SIGSTOP) when the answer of its refresh arrives, before storing it: a holder
//!   paused past its lock (tests/store_redis.rs).
//! - `refresh STORE ACCOUNT BASE`: `tw_config_from_store` + `tw_oauth2_refresh`, once.
//! - `refresh-loop STORE ACCOUNT BASE`: `tw_config_from_store` + `tw_oauth2_refresh`,
//!   again and again, until killed.
//! - `save-loop STORE ACCOUNT`: saves the (OAuth 1.0a) account under two other names,
//!   flips the default and removes one, again and again, until killed.
//! - `prefork STORE ACCOUNT BASE TARGET N`: makes the config, then forks N children that
//!   follow with it (a pre-fork server); exits with the number of children that failed.
//! - `prefork-env BASE CLIENT_ID ACCESS REFRESH`: an OAuth 2.0 config without a store,
//!   with expired tokens, inherited by one forked child, which must refuse to refresh.
//!
//! - `fork-during-refresh STORE ACCOUNT BASE TIMEOUT_MS`: one thread refreshes (the
//!   sandbox answers slowly); once the refresh is in flight the process forks, and the
//!   child follows with the same config and the timeout: it must return within it
//!   (exit 0; 3 when it took longer, with the time on stderr).
//! - `fork-while-reading STORE ACCOUNT FORKS`: one thread reads the config's tokens
//!   over and over while the process forks FORKS times; each child reads them once:
//!   it must exit within 5 s (exit 3 when one did not).
//! - `import-env STORE`: `tw_store_import(STORE, "env")` with this process's variables.
//!
//! Exit status: 0, or the `TwStatus` of the failing call (its message on stderr).

use std::ffi::{CStr, CString};
use std::process::exit;
use std::ptr;

use twfollow::ffi::*;

fn c(s: &str) -> CString {
    CString::new(s).unwrap()
}

fn check(status: TwStatus, what: &str) {
    if status != TwStatus::Ok {
        let message = unsafe { CStr::from_ptr(tw_last_error_message()) };
        eprintln!("{what}: {status:?}: {}", message.to_string_lossy());
        exit(status as i32);
    }
}

fn from_store(store: &CStr, account: &CStr, base: Option<&str>) -> *mut TwConfig {
    let mut config = ptr::null_mut();
    check(
        unsafe { tw_config_from_store(store.as_ptr(), account.as_ptr(), &mut config) },
        "tw_config_from_store",
    );
    if let Some(base) = base {
        let base = c(base);
        check(
            unsafe { tw_config_set_base_url(config, base.as_ptr()) },
            "tw_config_set_base_url",
        );
    }
    config
}

fn follow(config: *mut TwConfig, target: &str) -> TwStatus {
    let target = c(target);
    let status = unsafe { tw_follow(config, target.as_ptr(), false, ptr::null_mut()) };
    if status != TwStatus::Ok {
        let message = unsafe { CStr::from_ptr(tw_last_error_message()) };
        eprintln!("tw_follow: {status:?}: {}", message.to_string_lossy());
    }
    status
}

pub fn main(args: Vec<String>) -> ! {
    let arg = |i: usize| args.get(i).map(String::as_str).unwrap_or_default();
    match arg(0) {
        "follow" => {
            if let Ok(go) = std::env::var("TWFOLLOW_WORKER_GO") {
                while !std::path::Path::new(&go).exists() {
                    std::thread::sleep(std::time::Duration::from_micros(200));
                }
            }
            let config = from_store(&c(arg(1)), &c(arg(2)), Some(arg(3)));
            if let Some(ms) = std::env::var("TWFOLLOW_WORKER_TIMEOUT_MS")
                .ok()
                .and_then(|ms| ms.parse().ok())
            {
                check(
                    unsafe { tw_config_set_timeout_ms(config, ms) },
                    "tw_config_set_timeout_ms",
                );
            }
            let status = follow(config, arg(4));
            unsafe { tw_config_free(config) };
            exit(status as i32);
        }
        "stop-after-refresh" => {
            let config = from_store(&c(arg(1)), &c(arg(2)), Some(arg(3)));
            check(
                unsafe { tw_config_set_trace(config, Some(stop_at_token_answer), ptr::null_mut()) },
                "tw_config_set_trace",
            );
            let status = follow(config, arg(4));
            unsafe { tw_config_free(config) };
            exit(status as i32);
        }
        "refresh" => {
            let config = from_store(&c(arg(1)), &c(arg(2)), Some(arg(3)));
            check(unsafe { tw_oauth2_refresh(config) }, "tw_oauth2_refresh");
            exit(0);
        }
        "refresh-loop" => loop {
            let config = from_store(&c(arg(1)), &c(arg(2)), Some(arg(3)));
            check(unsafe { tw_oauth2_refresh(config) }, "tw_oauth2_refresh");
            unsafe { tw_config_free(config) };
        },
        "save-loop" => {
            let (store, account) = (c(arg(1)), c(arg(2)));
            let config = from_store(&store, &account, None);
            let names = [c("copy-a"), c("copy-b")];
            loop {
                for name in &names {
                    let status = unsafe {
                        tw_store_save_account(
                            config,
                            store.as_ptr(),
                            name.as_ptr(),
                            ptr::null_mut(),
                        )
                    };
                    check(status, "tw_store_save_account");
                    check(
                        unsafe { tw_store_set_default(store.as_ptr(), name.as_ptr()) },
                        "tw_store_set_default",
                    );
                }
                check(
                    unsafe { tw_store_remove(store.as_ptr(), names[0].as_ptr()) },
                    "tw_store_remove",
                );
            }
        }
        "prefork" => {
            let config = from_store(&c(arg(1)), &c(arg(2)), Some(arg(3)));
            let children: usize = arg(5).parse().unwrap();
            let mut pids = Vec::new();
            for _ in 0..children {
                // SAFETY: this process has one thread; the child only makes library calls.
                match unsafe { libc::fork() } {
                    0 => exit(follow(config, arg(4)) as i32),
                    -1 => panic!("fork failed"),
                    pid => pids.push(pid),
                }
            }
            exit(wait_all(&pids));
        }
        "prefork-env" => {
            let mut config = ptr::null_mut();
            let client_id = c(arg(2));
            check(
                unsafe { tw_config_new_oauth2(client_id.as_ptr(), ptr::null(), &mut config) },
                "tw_config_new_oauth2",
            );
            let (access, refresh, base) = (c(arg(3)), c(arg(4)), c(arg(1)));
            check(
                unsafe {
                    tw_config_set_oauth2_tokens(config, access.as_ptr(), refresh.as_ptr(), 1)
                },
                "tw_config_set_oauth2_tokens",
            );
            check(
                unsafe { tw_config_set_base_url(config, base.as_ptr()) },
                "tw_config_set_base_url",
            );
            // SAFETY: as above.
            match unsafe { libc::fork() } {
                0 => {
                    let status = follow(config, "2244994945");
                    exit(if status == TwStatus::InvalidArgument {
                        0
                    } else {
                        100
                    });
                }
                -1 => panic!("fork failed"),
                pid => exit(wait_all(&[pid])),
            }
        }
        "fork-during-refresh" => {
            let config = from_store(&c(arg(1)), &c(arg(2)), Some(arg(3)));
            let timeout_ms: u32 = arg(4).parse().unwrap();
            let shared = config as usize;
            let refresher =
                std::thread::spawn(move || unsafe { tw_oauth2_refresh(shared as *mut TwConfig) });
            let store = arg(1).to_owned();
            while !std::fs::read_to_string(&store)
                .unwrap_or_default()
                .contains("refresh_in_flight")
            {
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
            // SAFETY: the child makes library calls only, as a pre-fork server's does.
            match unsafe { libc::fork() } {
                0 => {
                    check(
                        unsafe { tw_config_set_timeout_ms(config, timeout_ms) },
                        "tw_config_set_timeout_ms",
                    );
                    let start = std::time::Instant::now();
                    let _ = follow(config, "2244994945");
                    let took = start.elapsed();
                    if took > std::time::Duration::from_millis(u64::from(timeout_ms) + 500) {
                        eprintln!("the child took {took:?} with a timeout of {timeout_ms} ms");
                        exit(3);
                    }
                    exit(0);
                }
                -1 => panic!("fork failed"),
                pid => {
                    check(refresher.join().unwrap(), "tw_oauth2_refresh (parent)");
                    exit(wait_all(&[pid]));
                }
            }
        }
        "fork-while-reading" => {
            let config = from_store(&c(arg(1)), &c(arg(2)), None) as usize;
            let forks: u32 = arg(3).parse().unwrap();
            let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
            let reading = stop.clone();
            let reader = std::thread::spawn(move || {
                while !reading.load(std::sync::atomic::Ordering::Relaxed) {
                    read_tokens(config as *mut TwConfig);
                }
            });
            for _ in 0..forks {
                // SAFETY: the child makes library calls only, as a pre-fork server's does.
                match unsafe { libc::fork() } {
                    0 => {
                        read_tokens(config as *mut TwConfig);
                        // SAFETY: ends the child without running the parent's exit handlers.
                        unsafe { libc::_exit(0) }
                    }
                    -1 => panic!("fork failed"),
                    pid => wait_or_kill(pid, std::time::Duration::from_secs(5)),
                }
            }
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
            reader.join().unwrap();
            exit(0)
        }
        "import-env" => {
            let store = c(arg(1));
            check(
                unsafe {
                    tw_store_import(
                        store.as_ptr(),
                        c"env".as_ptr(),
                        ptr::null(),
                        ptr::null_mut(),
                    )
                },
                "tw_store_import",
            );
            exit(0)
        }
        other => {
            eprintln!("store_worker: unknown mode {other:?}");
            exit(2)
        }
    }
}

static SENT_REFRESH: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The trace of `stop-after-refresh`: SIGSTOP at the status line of the token answer.
unsafe extern "C" fn stop_at_token_answer(
    _: *mut std::ffi::c_void,
    kind: i32,
    line: *const std::ffi::c_char,
) {
    use std::sync::atomic::Ordering;
    let line = unsafe { CStr::from_ptr(line) }.to_string_lossy();
    if kind == TwTraceKind::RequestLine as i32 {
        SENT_REFRESH.store(line.contains("/oauth2/token"), Ordering::SeqCst);
    } else if kind == TwTraceKind::ResponseStatus as i32 && SENT_REFRESH.load(Ordering::SeqCst) {
        // SAFETY: raise is async-signal-safe and takes no pointer.
        unsafe { libc::raise(libc::SIGSTOP) };
    }
}

/// Waits for the children; how many did not exit 0.
/// The config's OAuth 2.0 tokens, read and released.
fn read_tokens(config: *mut TwConfig) {
    let (mut access, mut refresh, mut scope, mut expires_at) =
        (ptr::null_mut(), ptr::null_mut(), ptr::null_mut(), 0);
    let status = unsafe {
        tw_config_get_oauth2_tokens(
            config,
            &mut access,
            &mut refresh,
            &mut expires_at,
            &mut scope,
        )
    };
    check(status, "tw_config_get_oauth2_tokens");
    for text in [access, refresh, scope] {
        unsafe { tw_string_free(text) };
    }
}

/// Waits for the child `pid` to exit 0; exits 3 (the child killed) when it takes longer
/// than `limit`.
fn wait_or_kill(pid: libc::pid_t, limit: std::time::Duration) {
    let start = std::time::Instant::now();
    let mut status = 0;
    // SAFETY: `pid` is our child; `status` is writable.
    while unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) } == 0 {
        if start.elapsed() > limit {
            unsafe { libc::kill(pid, libc::SIGKILL) };
            eprintln!("a child forked while another thread read the tokens hung");
            exit(3);
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0);
}

fn wait_all(pids: &[libc::pid_t]) -> i32 {
    let mut failed = 0;
    for &pid in pids {
        let mut status = 0;
        // SAFETY: `pid` is our child; `status` is writable.
        unsafe { libc::waitpid(pid, &mut status, 0) };
        if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
            failed += 1;
        }
    }
    failed
}
