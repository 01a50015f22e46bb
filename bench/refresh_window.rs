//! The library's own part of the kill -9 window (issue 27), for bench.rs.

use std::ffi::{c_char, c_void, CString};
use std::ptr;
use std::time::Instant;

use twfollow::ffi::*;

use crate::{report, support};

/// Collects the durability notes of a traced store-backed config (microseconds).
unsafe extern "C" fn durable_note(user_data: *mut c_void, _kind: i32, line: *const c_char) {
    let line = unsafe { std::ffi::CStr::from_ptr(line) }.to_string_lossy();
    if let Some(rest) = line.split("durable in the store ").nth(1) {
        let us: f64 = rest.split(' ').next().unwrap().parse().unwrap();
        unsafe { &mut *(user_data as *mut Vec<f64>) }.push(us);
    }
}

/// The library's own part of the window in which a kill -9 loses a grant (issue 27):
/// from a refresh's answer read to the new pair durable in the file store (the
/// write, its fsync, the rename and the folder's fsync), beside the whole refresh.
pub fn refresh_window(n: usize) {
    let sandbox = support::start_sandbox();
    let dir = std::env::temp_dir().join(format!("twfollow-bench-rw-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    let store = CString::new(dir.join("accounts.json").to_str().unwrap()).unwrap();
    let signed_in = support::oauth2_config(&sandbox.base_url(), true);
    support::sign_in(&signed_in);
    let status = unsafe {
        tw_store_save_account(
            signed_in.0,
            store.as_ptr(),
            c"bench".as_ptr(),
            ptr::null_mut(),
        )
    };
    assert_eq!(status, TwStatus::Ok);
    let mut config = ptr::null_mut();
    assert_eq!(
        unsafe { tw_config_from_store(store.as_ptr(), ptr::null(), &mut config) },
        TwStatus::Ok
    );
    let config = support::Config(config);
    assert_eq!(config.set_base_url(&sandbox.base_url()), TwStatus::Ok);
    let mut notes: Vec<f64> = Vec::with_capacity(n);
    let status = unsafe {
        tw_config_set_trace(
            config.0,
            Some(durable_note),
            &mut notes as *mut _ as *mut c_void,
        )
    };
    assert_eq!(status, TwStatus::Ok);
    let started = Instant::now();
    for _ in 0..n {
        assert_eq!(unsafe { tw_oauth2_refresh(config.0) }, TwStatus::Ok);
    }
    let whole_us = started.elapsed().as_secs_f64() * 1e6 / n as f64;
    notes.sort_by(f64::total_cmp);
    let median = notes[notes.len() / 2];
    report("store.refresh_whole", whole_us, "us");
    report("store.refresh_answer_to_durable_median", median, "us");
    report(
        "store.refresh_answer_to_durable_p99",
        notes[notes.len() * 99 / 100],
        "us",
    );
    report("store.refresh_durable_share", median / whole_us, "x");
    drop(config);
    let _ = std::fs::remove_dir_all(&dir);
}
