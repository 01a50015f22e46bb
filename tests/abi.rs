//! The C ABI's contract: argument checks (nothing sent), the thread-local last
//! error, status texts, NULL-tolerant frees.

mod support;

use std::ffi::{c_char, CStr};
use std::ptr;

use support::*;
use twfollow::ffi::*;

const BAD_UTF8: &[u8] = b"ab\xff\xfecd\0";

fn bad_utf8() -> *const c_char {
    BAD_UTF8.as_ptr().cast()
}

#[test]
fn config_new_checks_every_argument() {
    let ok = cstr("x-credential");
    let empty = cstr("");
    let mut out: *mut TwConfig = ptr::null_mut();
    let names = [
        "consumer_key",
        "consumer_secret",
        "access_token",
        "access_token_secret",
    ];
    for i in 0..4 {
        for (bad, status, message) in [
            (
                ptr::null(),
                TwStatus::NullArgument,
                format!("{} is NULL", names[i]),
            ),
            (
                bad_utf8(),
                TwStatus::InvalidUtf8,
                format!("{} is not valid UTF-8 (bad byte at offset 2)", names[i]),
            ),
            (
                empty.as_ptr(),
                TwStatus::InvalidArgument,
                format!("{} is empty", names[i]),
            ),
        ] {
            let mut args = [ok.as_ptr(); 4];
            args[i] = bad;
            let got = unsafe { tw_config_new(args[0], args[1], args[2], args[3], &mut out) };
            assert_eq!(got, status);
            assert_eq!(last().message, message);
            assert!(out.is_null(), "out_config written on failure");
        }
    }
    let p = ok.as_ptr();
    assert_eq!(
        unsafe { tw_config_new(p, p, p, p, ptr::null_mut()) },
        TwStatus::NullArgument
    );
    assert_eq!(last().message, "out_config is NULL");
    assert_eq!(
        unsafe { tw_config_from_env(ptr::null_mut()) },
        TwStatus::NullArgument
    );
    assert_eq!(
        unsafe { tw_config_from_env_credentials(ptr::null_mut()) },
        TwStatus::NullArgument
    );
    assert_eq!(last().message, "out_config is NULL");
}

#[test]
fn setters_check_arguments_and_nothing_is_sent() {
    let sandbox = start_sandbox();
    let config = Config::for_sandbox(&sandbox);
    let url = cstr(&sandbox.base_url());
    unsafe {
        assert_eq!(
            tw_config_set_base_url(ptr::null_mut(), url.as_ptr()),
            TwStatus::NullArgument
        );
        assert_eq!(last().message, "config is NULL");
        assert_eq!(
            tw_config_set_base_url(config.0, ptr::null()),
            TwStatus::NullArgument
        );
        assert_eq!(
            tw_config_set_base_url(config.0, bad_utf8()),
            TwStatus::InvalidUtf8
        );
        assert_eq!(
            tw_config_set_timeout_ms(ptr::null_mut(), 5),
            TwStatus::NullArgument
        );
        assert_eq!(
            tw_config_set_timeout_ms(config.0, 0),
            TwStatus::InvalidArgument
        );
        assert_eq!(last().message, "timeout_ms must be at least 1");
        assert_eq!(tw_config_set_timeout_ms(config.0, u32::MAX), TwStatus::Ok);
        assert_eq!(
            tw_config_set_user_agent(ptr::null_mut(), url.as_ptr()),
            TwStatus::NullArgument
        );
        assert_eq!(
            tw_config_set_user_agent(config.0, ptr::null()),
            TwStatus::NullArgument
        );
        assert_eq!(
            tw_config_set_user_agent(config.0, bad_utf8()),
            TwStatus::InvalidUtf8
        );
        assert_eq!(config.set_user_agent(""), TwStatus::InvalidArgument);
        assert_eq!(config.set_user_agent("a\tb"), TwStatus::InvalidArgument);
        assert_eq!(
            config.set_user_agent(&"u".repeat(1025)),
            TwStatus::InvalidArgument
        );
    }
    assert_eq!(sandbox.request_count(), 0);
    // The config still works with its previous values.
    config.follow("twitterdev", false).unwrap();
    assert_eq!(
        sandbox.requests()[0].header("user-agent"),
        Some("twfollow/0.1.0")
    );
}

#[test]
fn follow_refuses_bad_arguments_without_sending() {
    let sandbox = start_sandbox();
    let config = Config::for_sandbox(&sandbox);
    let target = cstr("twitterdev");
    let mut json: *mut c_char = ptr::null_mut();
    unsafe {
        assert_eq!(
            tw_follow(ptr::null(), target.as_ptr(), false, &mut json),
            TwStatus::NullArgument
        );
        assert_eq!(last().message, "config is NULL");
        assert_eq!(
            tw_follow(config.0, ptr::null(), false, &mut json),
            TwStatus::NullArgument
        );
        assert_eq!(last().message, "target is NULL");
        assert_eq!(
            tw_follow(config.0, bad_utf8(), false, &mut json),
            TwStatus::InvalidUtf8
        );
    }
    assert!(json.is_null());
    let long = "a".repeat(1 << 20);
    for bad in [
        "",
        "@",
        "0",
        "18446744073709551616",
        "-1",
        "+1",
        " 1",
        "1 ",
        "sixteen_chars_xx",
        "jаck",
        "a b",
        "a/b",
        "a\u{200b}b",
        long.as_str(),
    ] {
        let (status, last) = config.follow_err(bad);
        assert_eq!(status, TwStatus::InvalidArgument, "{bad:?}");
        assert!(last.message.starts_with("invalid "), "{}", last.message);
        assert!(last.message.len() < 200);
        assert_eq!((last.http_status, last.api_code), (0, 0));
    }
    assert_eq!(
        sandbox.request_count(),
        0,
        "a refused target reached the server"
    );
    // u64::MAX is a valid id (unknown to the sandbox), sent as user_id.
    assert_eq!(
        config.follow_err("18446744073709551615").0,
        TwStatus::NotFound
    );
    assert_eq!(
        sandbox.requests()[0].body,
        "user_id=18446744073709551615&follow=false"
    );
}

#[test]
fn out_json_may_be_null() {
    let sandbox = start_sandbox();
    let config = Config::for_sandbox(&sandbox);
    let target = cstr("twitterdev");
    assert_eq!(
        unsafe { tw_follow(config.0, target.as_ptr(), false, ptr::null_mut()) },
        TwStatus::Ok
    );
    assert_eq!(sandbox.request_count(), 1);
}

#[test]
fn last_error_is_reset_by_each_fallible_call_and_kept_by_getters() {
    let sandbox = start_sandbox();
    let config = Config::for_sandbox(&sandbox);
    let (status, failed) = config.follow_err("nosuchuser");
    assert_eq!(status, TwStatus::NotFound);
    // Getters do not change it, however often they are called.
    assert_eq!(last(), failed);
    let _ = tw_status_str(3);
    let _ = tw_version();
    assert_eq!(last(), failed);
    // A successful call clears the message and reports the response's status.
    config.follow("twitterdev", false).unwrap();
    assert_eq!(
        last(),
        Last {
            message: "".into(),
            http_status: 200,
            api_code: 0
        }
    );
    // A successful setter clears it to nothing at all.
    config.follow_err("nosuchuser");
    assert_eq!(config.set_timeout_ms(1000), TwStatus::Ok);
    assert_eq!(
        last(),
        Last {
            message: "".into(),
            http_status: 0,
            api_code: 0
        }
    );
}

#[test]
fn last_error_belongs_to_its_thread() {
    let sandbox = start_sandbox();
    let config = Config::for_sandbox(&sandbox);
    config.follow_err("nosuchuser");
    let here = last();
    std::thread::scope(|s| {
        s.spawn(|| {
            assert_eq!(
                last(),
                Last {
                    message: "".into(),
                    http_status: 0,
                    api_code: 0
                }
            );
            config.follow_err(sandbox::BLOCKER_USER.0);
            assert_eq!(last().api_code, 162);
        });
    });
    assert_eq!(last(), here);
}

#[test]
fn many_threads_share_one_config() {
    let sandbox = start_sandbox();
    let config = Config::for_sandbox(&sandbox);
    std::thread::scope(|s| {
        for t in 0..8 {
            let config = &config;
            s.spawn(move || {
                for i in 0..25 {
                    if (t + i) % 5 == 0 {
                        assert_eq!(
                            config.follow_err(sandbox::BLOCKER_USER.0).0,
                            TwStatus::Blocked
                        );
                        assert_eq!(last().api_code, 162);
                    } else {
                        config.follow("twitterdev", false).unwrap();
                        assert_eq!(last().message, "");
                    }
                }
            });
        }
    });
    assert_eq!(sandbox.request_count(), 200);
}

#[test]
fn status_texts() {
    let text = |n: i32| {
        unsafe { CStr::from_ptr(tw_status_str(n)) }
            .to_str()
            .unwrap()
            .to_owned()
    };
    let expected = [
        (0, "TW_STATUS_OK"),
        (1, "TW_STATUS_NULL_ARGUMENT"),
        (2, "TW_STATUS_INVALID_UTF8"),
        (3, "TW_STATUS_INVALID_ARGUMENT"),
        (10, "TW_STATUS_NETWORK"),
        (11, "TW_STATUS_TIMEOUT"),
        (12, "TW_STATUS_TLS"),
        (20, "TW_STATUS_AUTH"),
        (21, "TW_STATUS_FORBIDDEN"),
        (22, "TW_STATUS_NOT_FOUND"),
        (23, "TW_STATUS_RATE_LIMITED"),
        (24, "TW_STATUS_FOLLOW_LIMIT"),
        (25, "TW_STATUS_ALREADY_REQUESTED"),
        (26, "TW_STATUS_BLOCKED"),
        (27, "TW_STATUS_SERVER_ERROR"),
        (28, "TW_STATUS_HTTP_ERROR"),
        (30, "TW_STATUS_BAD_RESPONSE"),
        (31, "TW_STATUS_NO_RATE_LIMIT"),
        (32, "TW_STATUS_ACCESS_TIER"),
        (33, "TW_STATUS_APP_PERMISSION"),
        (34, "TW_STATUS_ACCOUNT_STATE"),
        (35, "TW_STATUS_PAYMENT_REQUIRED"),
        (36, "TW_STATUS_USAGE_CAPPED"),
        (37, "TW_STATUS_STORE"),
        (38, "TW_STATUS_TOKENS_NOT_SAVED"),
        (39, "TW_STATUS_REENTERED"),
        (40, "TW_STATUS_USER_NOT_ENROLLED"),
        (99, "TW_STATUS_INTERNAL"),
    ];
    for (n, name) in expected {
        assert!(
            text(n).starts_with(&format!("{name}: ")),
            "{n}: {}",
            text(n)
        );
    }
    for unknown in [-1, 4, 9, 29, 41, 98, 100, i32::MIN, i32::MAX] {
        assert_eq!(text(unknown), "unknown status");
    }
}

#[test]
fn version_and_null_frees() {
    let version = unsafe { CStr::from_ptr(tw_version()) }.to_str().unwrap();
    assert_eq!(version, concat!("twfollow/", env!("CARGO_PKG_VERSION")));
    unsafe {
        tw_string_free(ptr::null_mut());
        tw_config_free(ptr::null_mut());
    }
}

#[test]
fn one_mebibyte_strings_are_refused_everywhere() {
    let sandbox = start_sandbox();
    let config = Config::for_sandbox(&sandbox);
    let huge = "a".repeat(1 << 20);
    let ok = "x-credential";
    let mut out: *mut TwConfig = ptr::null_mut();
    for i in 0..4 {
        let mut args = [cstr(ok), cstr(ok), cstr(ok), cstr(ok)];
        args[i] = cstr(&huge);
        let status = unsafe {
            tw_config_new(
                args[0].as_ptr(),
                args[1].as_ptr(),
                args[2].as_ptr(),
                args[3].as_ptr(),
                &mut out,
            )
        };
        assert_eq!(status, TwStatus::InvalidArgument);
        assert!(
            last().message.ends_with("is longer than 1024 bytes"),
            "{}",
            last().message
        );
        assert!(out.is_null());
    }
    assert_eq!(
        config.set_base_url(&format!("https://{huge}")),
        TwStatus::InvalidArgument
    );
    assert!(last().message.len() < 300);
    assert_eq!(config.set_user_agent(&huge), TwStatus::InvalidArgument);
    assert_eq!(config.follow_err(&huge).0, TwStatus::InvalidArgument);
    assert!(last().message.len() < 300);
    assert_eq!(sandbox.request_count(), 0);
    config.follow("twitterdev", false).unwrap();
}
