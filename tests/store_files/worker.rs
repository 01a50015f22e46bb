//! The worker processes of tests/store_files.rs (the test binary run again, as
//! tests/store/worker.rs explains); modes this file does not know go to that one.
//!
//! - `set-default STORE NAME`: `tw_store_set_default` (what `accounts default` does).
//! - `list STORE`: `tw_store_list` once (a reader, which mends a file it finds torn).
//! - `read-loop STORE ACCOUNT`: `tw_store_list` and `tw_config_from_store`, again
//!   and again until killed; exits 3 (the message on stderr) at the first failure.
//! - `fork-while-refreshing STORE ACCOUNT BASE REQUESTED PIDFILE`: one thread
//!   refreshes (against a slow token endpoint, so it holds the store's lock); once the
//!   file REQUESTED exists (the endpoint has the request) the main thread forks a
//!   child that only sleeps (60 s), writes its pid to PIDFILE, and waits for the
//!   refresh, whose status is the exit status.

use std::ffi::{CStr, CString};
use std::process::exit;
use std::ptr;
use std::time::Duration;

use twfollow::ffi::*;

use super::store_worker;

fn c(s: &str) -> CString {
    CString::new(s).unwrap()
}

fn message() -> String {
    unsafe { CStr::from_ptr(tw_last_error_message()) }
        .to_string_lossy()
        .into_owned()
}

fn from_store(store: &CStr, account: &CStr) -> Result<*mut TwConfig, String> {
    let mut config = ptr::null_mut();
    match unsafe { tw_config_from_store(store.as_ptr(), account.as_ptr(), &mut config) } {
        TwStatus::Ok => Ok(config),
        status => Err(format!("tw_config_from_store: {status:?}: {}", message())),
    }
}

pub fn main(args: Vec<String>) -> ! {
    let arg = |i: usize| args.get(i).map(String::as_str).unwrap_or_default();
    match arg(0) {
        "set-default" => {
            let (store, name) = (c(arg(1)), c(arg(2)));
            let status = unsafe { tw_store_set_default(store.as_ptr(), name.as_ptr()) };
            if status != TwStatus::Ok {
                eprintln!("tw_store_set_default: {status:?}: {}", message());
            }
            exit(status as i32)
        }
        "list" => {
            let store = c(arg(1));
            let mut json = ptr::null_mut();
            let status = unsafe { tw_store_list(store.as_ptr(), &mut json) };
            if status != TwStatus::Ok {
                eprintln!("tw_store_list: {status:?}: {}", message());
                exit(status as i32);
            }
            unsafe { tw_string_free(json) };
            exit(0)
        }
        "read-loop" => {
            let (store, account) = (c(arg(1)), c(arg(2)));
            loop {
                let mut json = ptr::null_mut();
                let status = unsafe { tw_store_list(store.as_ptr(), &mut json) };
                if status != TwStatus::Ok {
                    eprintln!("tw_store_list: {status:?}: {}", message());
                    exit(3);
                }
                unsafe { tw_string_free(json) };
                match from_store(&store, &account) {
                    Ok(config) => unsafe { tw_config_free(config) },
                    Err(e) => {
                        eprintln!("{e}");
                        exit(3);
                    }
                }
            }
        }
        "fork-while-refreshing" => {
            let config = from_store(&c(arg(1)), &c(arg(2))).unwrap_or_else(|e| {
                eprintln!("{e}");
                exit(2)
            });
            let base = c(arg(3));
            assert_eq!(
                unsafe { tw_config_set_base_url(config, base.as_ptr()) },
                TwStatus::Ok
            );
            let shared = config as usize;
            let refresh = std::thread::spawn(move || {
                let status = unsafe { tw_oauth2_refresh(shared as *mut TwConfig) };
                if status != TwStatus::Ok {
                    eprintln!("tw_oauth2_refresh: {status:?}: {}", message());
                }
                status as i32
            });
            while !std::path::Path::new(arg(4)).exists() {
                std::thread::sleep(Duration::from_millis(1));
            }
            // SAFETY: the child calls only close, sleep and _exit (async-signal-safe).
            match unsafe { libc::fork() } {
                0 => unsafe {
                    // Not the test's pipes: the test waits for them to close.
                    libc::close(1);
                    libc::close(2);
                    libc::sleep(60);
                    libc::_exit(0)
                },
                -1 => panic!("fork failed"),
                pid => std::fs::write(arg(5), pid.to_string()).unwrap(),
            }
            exit(refresh.join().unwrap())
        }
        _ => store_worker::main(args),
    }
}
