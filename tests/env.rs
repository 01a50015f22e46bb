//! Everything that reads the process environment, in one test: changing the
//! environment while other threads read it is not safe, so nothing else runs here.

mod support;

use std::io::Write;
use std::ptr;

use support::*;
use twfollow::ffi::*;

const VARS: [&str; 5] = [
    "TW_CONSUMER_KEY",
    "TW_CONSUMER_SECRET",
    "TW_ACCESS_TOKEN",
    "TW_ACCESS_TOKEN_SECRET",
    "TW_API_BASE",
];
const PROXY_VARS: [&str; 8] = [
    "http_proxy",
    "HTTP_PROXY",
    "https_proxy",
    "HTTPS_PROXY",
    "all_proxy",
    "ALL_PROXY",
    "no_proxy",
    "NO_PROXY",
];

fn from_env() -> Result<Config, (TwStatus, Last)> {
    made_by(tw_config_from_env)
}

/// The credential variables alone: TW_API_BASE and TW_API_VERSION are not read.
fn from_env_credentials() -> Result<Config, (TwStatus, Last)> {
    made_by(tw_config_from_env_credentials)
}

fn made_by(
    make: unsafe extern "C" fn(*mut *mut TwConfig) -> TwStatus,
) -> Result<Config, (TwStatus, Last)> {
    let mut out = ptr::null_mut();
    match unsafe { make(&mut out) } {
        TwStatus::Ok => Ok(Config(out)),
        status => {
            assert!(out.is_null());
            Err((status, last()))
        }
    }
}

#[test]
fn environment() {
    for name in VARS.iter().chain(&PROXY_VARS) {
        std::env::remove_var(name);
    }
    let sandbox = start_sandbox();
    let me = Account::builtin(1);

    // Every missing variable is named: all four at once, then each alone.
    let values = [
        CONSUMER_KEY,
        CONSUMER_SECRET,
        me.token.as_str(),
        me.token_secret.as_str(),
    ];
    let (status, last) = from_env().err().unwrap();
    assert_eq!(status, TwStatus::InvalidArgument);
    assert_eq!(
        last.message,
        format!(
            "environment variables {} are not set or empty",
            VARS[..4].join(", ")
        )
    );
    assert_eq!(from_env_credentials().err().unwrap(), (status, last));
    for (i, name) in VARS[..4].iter().enumerate() {
        for (other, value) in VARS[..4].iter().zip(values) {
            std::env::set_var(other, value);
        }
        std::env::remove_var(name);
        let (status, last) = from_env().err().unwrap();
        assert_eq!(status, TwStatus::InvalidArgument);
        assert_eq!(
            last.message,
            format!("environment variable {name} is not set or empty")
        );
        assert_eq!(from_env_credentials().err().unwrap(), (status, last));
        std::env::set_var(name, values[i]);
    }

    std::env::set_var("TW_API_BASE", "http://example.com");
    let (status, last) = from_env().err().unwrap();
    assert_eq!(status, TwStatus::InvalidArgument);
    assert!(
        last.message
            .starts_with("environment variable TW_API_BASE: invalid base URL"),
        "{}",
        last.message
    );

    std::env::set_var("TW_API_BASE", sandbox.base_url());
    let config = from_env().unwrap();
    config.follow("twitterdev", false).unwrap();
    assert_eq!(sandbox.request_count(), 1);

    // Proxies: loopback bases never use one, whatever is set.
    let proxy = Scripted::start(|_, out| {
        let _ = out.write_all(b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n");
    });
    for name in ["http_proxy", "HTTP_PROXY", "ALL_PROXY", "all_proxy"] {
        std::env::set_var(name, format!("http://{}", proxy.addr));
    }
    let config = from_env().unwrap();
    config.follow("twitterdev", false).unwrap();
    assert_eq!(sandbox.request_count(), 2);
    assert_eq!(proxy.requests().len(), 0);

    // An https base goes through https_proxy with CONNECT; nothing is resolved or sent elsewhere.
    std::env::set_var(
        "https_proxy",
        format!("http://proxyuser:proxy-PASSWORD-42@{}", proxy.addr),
    );
    assert_eq!(config.set_base_url("https://api.twitter.com"), TwStatus::Ok);
    let (status, last) = config.follow_err("twitterdev");
    assert_eq!(status, TwStatus::Network, "{last:?}");
    assert!(
        !last.message.contains("proxy-PASSWORD-42"),
        "{}",
        last.message
    );
    let seen = proxy.requests();
    assert_eq!(seen.len(), 1);
    assert!(
        seen[0].head.starts_with("CONNECT api.twitter.com:443 "),
        "{}",
        seen[0].head
    );

    // NO_PROXY matching the host would connect directly: checked in unit tests only,
    // since a direct connection would leave this machine.

    // A proxy variable that is not a URL is reported by name, its value never shown.
    std::env::set_var("https_proxy", "bogus://user:proxy-PASSWORD-42@x");
    assert_eq!(config.set_base_url("https://api.twitter.com"), TwStatus::Ok);
    let (status, last) = config.follow_err("twitterdev");
    assert_eq!(status, TwStatus::InvalidArgument);
    assert_eq!(
        last.message,
        "environment variable https_proxy is not a usable proxy URL"
    );
    assert_eq!(proxy.requests().len(), 1);
    // The wire trace says the same, and nothing of the value either.
    unsafe extern "C" fn keep(
        user_data: *mut std::ffi::c_void,
        _: i32,
        line: *const std::ffi::c_char,
    ) {
        let lines = &*(user_data as *const std::sync::Mutex<Vec<String>>);
        let line = std::ffi::CStr::from_ptr(line)
            .to_string_lossy()
            .into_owned();
        lines.lock().unwrap().push(line);
    }
    let lines = std::sync::Mutex::new(Vec::<String>::new());
    let user_data = &lines as *const _ as *mut std::ffi::c_void;
    assert_eq!(
        unsafe { tw_config_set_trace(config.0, Some(keep), user_data) },
        TwStatus::Ok
    );
    config.follow_err("twitterdev");
    assert_eq!(
        *lines.lock().unwrap(),
        ["environment variable https_proxy is not a usable proxy URL"]
    );
    assert_eq!(
        unsafe { tw_config_set_trace(config.0, None, ptr::null_mut()) },
        TwStatus::Ok
    );

    // The environment is read when the config is set up, never by tw_follow: a forked
    // child (here the library's fork counter, bumped as its pthread_atfork handler
    // does) keeps the proxy its config chose, whatever the environment says by then.
    let chosen = Scripted::start(|_, out| {
        let _ = out.write_all(b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n");
    });
    let later = Scripted::start(|_, out| {
        let _ = out.write_all(b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n");
    });
    std::env::set_var("https_proxy", format!("http://{}", chosen.addr));
    assert_eq!(config.set_base_url("https://api.twitter.com"), TwStatus::Ok);
    std::env::set_var("https_proxy", format!("http://{}", later.addr));
    twfollow::core::note_fork_in_child();
    let (status, last) = config.follow_err("twitterdev");
    assert_eq!(status, TwStatus::Network, "{last:?}");
    assert_eq!(chosen.requests().len(), 1);
    assert_eq!(later.requests().len(), 0);

    // OAuth 2.0 user tokens: TW_OAUTH2_* when the OAuth 1.0a user token is not set.
    for name in PROXY_VARS
        .iter()
        .chain(["TW_ACCESS_TOKEN", "TW_ACCESS_TOKEN_SECRET"].iter())
    {
        std::env::remove_var(name);
    }
    let signer_in = oauth2_config(&sandbox.base_url(), true);
    let tokens = sign_in(&signer_in);
    let token = |name: &str| tokens[name].as_str().unwrap().to_owned();
    std::env::set_var("TW_OAUTH2_ACCESS_TOKEN", token("access_token"));
    std::env::set_var("TW_OAUTH2_REFRESH_TOKEN", token("refresh_token"));
    let (status, last) = from_env().err().unwrap();
    assert_eq!(status, TwStatus::InvalidArgument);
    assert!(
        last.message.contains("TW_OAUTH2_CLIENT_ID"),
        "{}",
        last.message
    );
    assert_eq!(from_env_credentials().err().unwrap(), (status, last));
    std::env::set_var("TW_OAUTH2_CLIENT_ID", OAUTH2_CLIENT_ID);
    std::env::set_var("TW_OAUTH2_CLIENT_SECRET", OAUTH2_CLIENT_SECRET);
    std::env::set_var("TW_OAUTH2_EXPIRES_AT", "soon");
    let (status, last) = from_env().err().unwrap();
    assert_eq!(status, TwStatus::InvalidArgument);
    assert!(
        last.message.contains("TW_OAUTH2_EXPIRES_AT"),
        "{}",
        last.message
    );
    std::env::set_var("TW_OAUTH2_EXPIRES_AT", tokens["expires_at"].to_string());
    std::env::set_var("TW_API_VERSION", "1.1");
    assert_eq!(from_env().err().unwrap().0, TwStatus::InvalidArgument);
    // The credentials alone: TW_API_VERSION (1.1, refused for OAuth 2.0) and a bad
    // TW_API_BASE are not read; the OAuth 2.0 config follows through v2.
    std::env::set_var("TW_API_BASE", "http://example.com");
    let alone = from_env_credentials().unwrap();
    assert_eq!(alone.set_base_url(&sandbox.base_url()), TwStatus::Ok);
    assert_eq!(
        alone.follow("twitterdev", false).unwrap(),
        r#"{"data":{"following":true,"pending_follow":false}}"#
    );
    std::env::set_var("TW_API_BASE", sandbox.base_url());
    std::env::set_var("TW_API_VERSION", "2");
    let config = from_env().unwrap();
    assert_eq!(
        config.follow("twitterdev", false).unwrap(),
        r#"{"data":{"following":true,"pending_follow":false}}"#
    );
    // It refreshes with the client from the environment.
    assert_eq!(
        unsafe { tw_oauth2_refresh(config.0) },
        TwStatus::Ok,
        "{:?}",
        support::last()
    );
    assert_eq!(sandbox.oauth2_refresh_count(), 1);
    // With the OAuth 1.0a user token set too, that one wins (as before).
    let me = Account::builtin(1);
    std::env::set_var("TW_ACCESS_TOKEN", &me.token);
    std::env::set_var("TW_ACCESS_TOKEN_SECRET", &me.token_secret);
    std::env::remove_var("TW_API_VERSION");
    let config = from_env().unwrap();
    let user: serde_json::Value =
        serde_json::from_str(&config.follow("twitterdev", false).unwrap()).unwrap();
    assert_eq!(user["screen_name"], "twitterdev", "the API 1.1 user object");

    // The credentials alone: a bad TW_API_BASE and TW_API_VERSION, which refuse the
    // whole config of tw_config_from_env, are not read (and a good TW_API_VERSION=2
    // would not apply either: the follow is API 1.1's).
    std::env::set_var("TW_API_BASE", "http://example.com");
    std::env::set_var("TW_API_VERSION", "3");
    assert_eq!(from_env().err().unwrap().0, TwStatus::InvalidArgument);
    let alone = from_env_credentials().unwrap();
    assert_eq!(alone.set_base_url(&sandbox.base_url()), TwStatus::Ok);
    std::env::set_var("TW_API_VERSION", "2");
    let v1 = from_env_credentials().unwrap();
    assert_eq!(v1.set_base_url(&sandbox.base_url()), TwStatus::Ok);
    for config in [alone, v1] {
        let user: serde_json::Value =
            serde_json::from_str(&config.follow("twitterdev", false).unwrap()).unwrap();
        assert_eq!(user["screen_name"], "twitterdev", "the API 1.1 user object");
    }
    std::env::remove_var("TW_API_BASE");
    std::env::remove_var("TW_API_VERSION");
}
