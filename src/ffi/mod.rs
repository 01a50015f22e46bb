//! The C ABI: thin adapters over `crate::core`. The only unsafe code in the crate.
//!
//! Each exported body runs inside [`fallible`] or [`infallible`], which catch
//! panics, so nothing unwinds into C.

use std::cell::RefCell;
use std::ffi::{c_char, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;
use std::sync::Once;

use crate::core::config::{CaFile, ProxyChoice};
use crate::core::{self, BaseUrl, Client, Credentials, ErrorKind, RateLimit, Settings, Target};

/// The result of every fallible call. Numbers never change and are never reused.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TwStatus {
    /// Success. Out-parameters were written.
    Ok = 0,
    /// A required pointer argument was NULL. Nothing was sent.
    NullArgument = 1,
    /// A string argument was not valid UTF-8. Nothing was sent.
    InvalidUtf8 = 2,
    /// An argument was refused (empty credential, bad target, bad URL, zero timeout). Nothing was sent.
    InvalidArgument = 3,
    /// No HTTP response: connection refused or reset, DNS failure, malformed response.
    Network = 10,
    /// The whole call did not finish within the configured timeout.
    Timeout = 11,
    /// TLS handshake or certificate verification failed.
    Tls = 12,
    /// 401 or Twitter codes 32, 89, 135, 215: the credentials or the signature were refused.
    Auth = 20,
    /// 403 without a more specific Twitter code (e.g. 158: you cannot follow yourself).
    Forbidden = 21,
    /// 404 or Twitter codes 34, 50, 63, 108: no such user.
    NotFound = 22,
    /// 429 or Twitter code 88.
    RateLimited = 23,
    /// Twitter code 161: the daily follow limit is reached.
    FollowLimit = 24,
    /// Twitter code 160: a follow request to this protected account is already pending.
    AlreadyRequested = 25,
    /// Twitter code 162: the user has blocked you.
    Blocked = 26,
    /// 5xx (e.g. Twitter codes 130 over capacity, 131 internal error).
    ServerError = 27,
    /// Any other non-2xx status, including every 3xx (redirects are never followed).
    HttpError = 28,
    /// 2xx, but the body is not UTF-8 JSON with an object at the top, or is over 1 MiB.
    BadResponse = 30,
    /// `tw_last_rate_limit`: the last response carried no `x-rate-limit-*` headers
    /// (or no response arrived).
    NoRateLimit = 31,
    /// A bug in twfollow (a caught panic). Please report it.
    Internal = 99,
}

impl TwStatus {
    const ALL: [TwStatus; 19] = [
        TwStatus::Ok,
        TwStatus::NullArgument,
        TwStatus::InvalidUtf8,
        TwStatus::InvalidArgument,
        TwStatus::Network,
        TwStatus::Timeout,
        TwStatus::Tls,
        TwStatus::Auth,
        TwStatus::Forbidden,
        TwStatus::NotFound,
        TwStatus::RateLimited,
        TwStatus::FollowLimit,
        TwStatus::AlreadyRequested,
        TwStatus::Blocked,
        TwStatus::ServerError,
        TwStatus::HttpError,
        TwStatus::BadResponse,
        TwStatus::NoRateLimit,
        TwStatus::Internal,
    ];

    fn from_kind(kind: ErrorKind) -> TwStatus {
        match kind {
            ErrorKind::InvalidArgument => TwStatus::InvalidArgument,
            ErrorKind::Network => TwStatus::Network,
            ErrorKind::Timeout => TwStatus::Timeout,
            ErrorKind::Tls => TwStatus::Tls,
            ErrorKind::Auth => TwStatus::Auth,
            ErrorKind::Forbidden => TwStatus::Forbidden,
            ErrorKind::NotFound => TwStatus::NotFound,
            ErrorKind::RateLimited => TwStatus::RateLimited,
            ErrorKind::FollowLimit => TwStatus::FollowLimit,
            ErrorKind::AlreadyRequested => TwStatus::AlreadyRequested,
            ErrorKind::Blocked => TwStatus::Blocked,
            ErrorKind::ServerError => TwStatus::ServerError,
            ErrorKind::HttpError => TwStatus::HttpError,
            ErrorKind::BadResponse => TwStatus::BadResponse,
        }
    }

    /// The status's name and a short description, NUL-terminated, static.
    fn text(self) -> &'static CStr {
        match self {
            TwStatus::Ok => c"TW_STATUS_OK: success",
            TwStatus::NullArgument => {
                c"TW_STATUS_NULL_ARGUMENT: a required pointer argument was NULL"
            }
            TwStatus::InvalidUtf8 => {
                c"TW_STATUS_INVALID_UTF8: a string argument was not valid UTF-8"
            }
            TwStatus::InvalidArgument => c"TW_STATUS_INVALID_ARGUMENT: an argument was refused",
            TwStatus::Network => {
                c"TW_STATUS_NETWORK: no HTTP response (connection or protocol failure)"
            }
            TwStatus::Timeout => c"TW_STATUS_TIMEOUT: the call did not finish within the timeout",
            TwStatus::Tls => c"TW_STATUS_TLS: TLS handshake or certificate verification failed",
            TwStatus::Auth => c"TW_STATUS_AUTH: the credentials or the signature were refused",
            TwStatus::Forbidden => c"TW_STATUS_FORBIDDEN: the API refused the follow",
            TwStatus::NotFound => c"TW_STATUS_NOT_FOUND: no such user",
            TwStatus::RateLimited => c"TW_STATUS_RATE_LIMITED: too many requests",
            TwStatus::FollowLimit => c"TW_STATUS_FOLLOW_LIMIT: the daily follow limit is reached",
            TwStatus::AlreadyRequested => {
                c"TW_STATUS_ALREADY_REQUESTED: a follow request is already pending"
            }
            TwStatus::Blocked => c"TW_STATUS_BLOCKED: the user has blocked you",
            TwStatus::ServerError => c"TW_STATUS_SERVER_ERROR: the API had a server error (5xx)",
            TwStatus::HttpError => {
                c"TW_STATUS_HTTP_ERROR: unexpected HTTP status (redirects are not followed)"
            }
            TwStatus::BadResponse => {
                c"TW_STATUS_BAD_RESPONSE: 2xx, but the body is not a JSON object or is too large"
            }
            TwStatus::NoRateLimit => {
                c"TW_STATUS_NO_RATE_LIMIT: the last response carried no rate-limit headers"
            }
            TwStatus::Internal => c"TW_STATUS_INTERNAL: internal error in twfollow",
        }
    }
}

/// What a successful follow did, from `tw_follow_ex`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TwFollowOutcome {
    /// You now follow the user (the API may still show `"following": false` for a
    /// moment: it is eventually consistent).
    Active = 1,
    /// The user's account is protected: a follow request waits for their approval.
    Pending = 2,
}

/// Configuration and connection pool for follow calls. Opaque: create it with
/// `tw_config_new` or `tw_config_from_env`, release it with `tw_config_free`.
pub struct TwConfig {
    client: Client,
}

/// A failed call, as it will be reported through the `tw_last_*` getters.
struct Failure {
    status: TwStatus,
    message: String,
    http_status: u16,
    api_code: i32,
    rate_limit: Option<RateLimit>,
}

impl Failure {
    fn new(status: TwStatus, message: impl Into<String>) -> Self {
        Failure {
            status,
            message: message.into(),
            http_status: 0,
            api_code: 0,
            rate_limit: None,
        }
    }
}

impl From<core::Error> for Failure {
    fn from(e: core::Error) -> Self {
        Failure {
            status: TwStatus::from_kind(e.kind),
            message: e.message,
            http_status: e.http_status,
            api_code: e.api_code,
            rate_limit: e.rate_limit,
        }
    }
}

struct LastError {
    message: CString,
    http_status: i32,
    api_code: i32,
    rate_limit: Option<RateLimit>,
}

thread_local! {
    static LAST_ERROR: RefCell<LastError> = RefCell::new(LastError {
        message: CString::default(),
        http_status: 0,
        api_code: 0,
        rate_limit: None,
    });
}

fn set_last(message: &str, http_status: u16, api_code: i32, rate_limit: Option<RateLimit>) {
    // Messages are built without NUL bytes; the replacement only guards the invariant.
    let message = CString::new(message.replace('\0', "\\0")).unwrap_or_default();
    LAST_ERROR.with_borrow_mut(|last| {
        *last = LastError {
            message,
            http_status: i32::from(http_status),
            api_code,
            rate_limit,
        }
    });
}

/// Runs the body of a fallible exported function: clears the thread's last
/// error, catches panics, and records the failure (if any) for the getters.
fn fallible(body: impl FnOnce() -> Result<(), Failure>) -> TwStatus {
    set_last("", 0, 0, None);
    let failure = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => return TwStatus::Ok,
        Ok(Err(failure)) => failure,
        Err(_) => Failure::new(
            TwStatus::Internal,
            "internal error: twfollow panicked (a bug; please report it)",
        ),
    };
    set_last(
        &failure.message,
        failure.http_status,
        failure.api_code,
        failure.rate_limit,
    );
    failure.status
}

/// Runs the body of an infallible exported function; a panic yields `fallback`.
fn infallible<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
}

/// Borrows a NUL-terminated UTF-8 argument.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string that outlives the call.
unsafe fn arg_str<'a>(ptr: *const c_char, name: &str) -> Result<&'a str, Failure> {
    if ptr.is_null() {
        return Err(Failure::new(
            TwStatus::NullArgument,
            format!("{name} is NULL"),
        ));
    }
    CStr::from_ptr(ptr).to_str().map_err(|e| {
        Failure::new(
            TwStatus::InvalidUtf8,
            format!(
                "{name} is not valid UTF-8 (bad byte at offset {})",
                e.valid_up_to()
            ),
        )
    })
}

fn non_null<T>(ptr: *const T, name: &str) -> Result<(), Failure> {
    if ptr.is_null() {
        Err(Failure::new(
            TwStatus::NullArgument,
            format!("{name} is NULL"),
        ))
    } else {
        Ok(())
    }
}

/// After `fork()`, the child must draw new nonces and open its own connections.
fn install_fork_handler() {
    static ONCE: Once = Once::new();
    extern "C" fn in_child() {
        core::fork::note_fork_in_child();
    }
    ONCE.call_once(|| {
        // SAFETY: registers a handler that only does an atomic add (async-signal-safe).
        unsafe { libc::pthread_atfork(None, None, Some(in_child)) };
    });
}

/// Test hook, in debug builds only: with `TWFOLLOW_TEST_PANIC` set, `tw_follow`
/// panics inside its boundary, so tests can see that a panic becomes
/// `TW_STATUS_INTERNAL` and that nothing secret reaches stderr.
fn panic_if_asked_by_tests() {
    if cfg!(debug_assertions) && std::env::var_os("TWFOLLOW_TEST_PANIC").is_some() {
        panic!("forced panic for tests (TWFOLLOW_TEST_PANIC is set)");
    }
}

/// Boxes a new config and writes it to `out_config`.
///
/// # Safety
/// `out_config` was checked to be non-NULL and writable.
unsafe fn publish_config(settings: Settings, out_config: *mut *mut TwConfig) {
    install_fork_handler();
    let config = Box::new(TwConfig {
        client: Client::new(settings),
    });
    *out_config = Box::into_raw(config);
}

/// Creates a configuration from the four OAuth 1.0a user-context credentials.
///
/// Defaults: base URL `https://api.twitter.com`, API 1.1, timeout 30000 ms, user
/// agent `twfollow/<version>`. Proxy environment variables are read now and whenever a
/// setter changes the config (see the README, "Proxies").
///
/// Ownership: the strings are copied; on `TW_STATUS_OK`, `*out_config` receives a
/// new config that the caller releases with `tw_config_free`. On failure
/// `*out_config` is left untouched.
///
/// Returns `TW_STATUS_NULL_ARGUMENT` (any argument NULL), `TW_STATUS_INVALID_UTF8`,
/// `TW_STATUS_INVALID_ARGUMENT` (an empty credential).
///
/// # Safety
/// Each pointer is NULL or valid: strings NUL-terminated, `out_config` writable.
#[no_mangle]
pub unsafe extern "C" fn tw_config_new(
    consumer_key: *const c_char,
    consumer_secret: *const c_char,
    access_token: *const c_char,
    access_token_secret: *const c_char,
    out_config: *mut *mut TwConfig,
) -> TwStatus {
    fallible(|| {
        let credentials = Credentials {
            consumer_key: arg_str(consumer_key, "consumer_key")?.to_owned(),
            consumer_secret: arg_str(consumer_secret, "consumer_secret")?.to_owned(),
            access_token: arg_str(access_token, "access_token")?.to_owned(),
            access_token_secret: arg_str(access_token_secret, "access_token_secret")?.to_owned(),
        };
        non_null(out_config, "out_config")?;
        publish_config(Settings::new(credentials)?, out_config);
        Ok(())
    })
}

/// Creates a configuration from the environment: `TW_CONSUMER_KEY`,
/// `TW_CONSUMER_SECRET`, `TW_ACCESS_TOKEN`, `TW_ACCESS_TOKEN_SECRET` (required,
/// non-empty), `TW_API_BASE` (optional base URL, same rules as
/// `tw_config_set_base_url`) and `TW_API_VERSION` (optional, `1.1` or `2`, same
/// rules as `tw_config_set_api_version`). Other defaults as `tw_config_new`.
///
/// Ownership as `tw_config_new`. Returns `TW_STATUS_NULL_ARGUMENT`,
/// `TW_STATUS_INVALID_ARGUMENT` (the message names the missing or bad variable;
/// a variable that is not UTF-8 counts as missing).
///
/// Thread rules: reads the environment; do not call while another thread changes it.
///
/// # Safety
/// `out_config` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tw_config_from_env(out_config: *mut *mut TwConfig) -> TwStatus {
    fallible(|| {
        non_null(out_config, "out_config")?;
        let settings = Settings::from_lookup(|name| std::env::var(name).ok())?;
        publish_config(settings, out_config);
        Ok(())
    })
}

/// Borrows the config for a setter.
///
/// # Safety
/// `config` is NULL or a live pointer from `tw_config_new`/`tw_config_from_env`.
unsafe fn config_mut<'a>(config: *mut TwConfig) -> Result<&'a mut TwConfig, Failure> {
    non_null(config, "config")?;
    Ok(&mut *config)
}

/// Sets the API base URL (default `https://api.twitter.com`). The follow goes to
/// `<base_url>/1.1/friendships/create.json` (API v2: `<base_url>/2/users/...`).
///
/// `https://` is accepted for any host; `http://` only for loopback hosts
/// (127.0.0.0/8, `[::1]`, `localhost`). A path prefix is kept and a trailing slash
/// dropped; user info, query and fragment are refused. A refused URL leaves the
/// previous value in place.
///
/// Returns `TW_STATUS_NULL_ARGUMENT`, `TW_STATUS_INVALID_UTF8`, `TW_STATUS_INVALID_ARGUMENT`.
/// Thread rules: no `tw_follow` on this config may run at the same time.
///
/// # Safety
/// `config` is NULL or a live config; `base_url` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn tw_config_set_base_url(
    config: *mut TwConfig,
    base_url: *const c_char,
) -> TwStatus {
    fallible(|| {
        let config = config_mut(config)?;
        let base_url = BaseUrl::parse(arg_str(base_url, "base_url")?)?;
        config.client.update(|s| {
            s.base_url = base_url;
            Ok(())
        })?;
        Ok(())
    })
}

/// Sets the deadline for a whole `tw_follow` call, from connecting to the last
/// byte of the body, in milliseconds (default 30000). A server that sends slowly
/// cannot stretch it.
///
/// Returns `TW_STATUS_NULL_ARGUMENT`, `TW_STATUS_INVALID_ARGUMENT` (0).
/// Thread rules: no `tw_follow` on this config may run at the same time.
///
/// # Safety
/// `config` is NULL or a live config.
#[no_mangle]
pub unsafe extern "C" fn tw_config_set_timeout_ms(
    config: *mut TwConfig,
    timeout_ms: u32,
) -> TwStatus {
    fallible(|| {
        config_mut(config)?
            .client
            .update(|s| s.set_timeout_ms(timeout_ms))?;
        Ok(())
    })
}

/// Turns on retries (default 0: none; at most 10). A failure before any response
/// arrived, a 5xx, or a rate limit (429/88) whose window resets within the wait
/// budget is tried again, each attempt signed afresh, after an exponential backoff
/// with jitter (from about 100 ms, doubling, at most 8 s) or until the reset. Other
/// 4xx answers are never retried. Each attempt has its own timeout; the message of a
/// final failure says how many retries were made.
///
/// Returns `TW_STATUS_NULL_ARGUMENT`, `TW_STATUS_INVALID_ARGUMENT` (over 10).
/// Thread rules: no `tw_follow` on this config may run at the same time.
///
/// # Safety
/// `config` is NULL or a live config.
#[no_mangle]
pub unsafe extern "C" fn tw_config_set_max_retries(
    config: *mut TwConfig,
    max_retries: u32,
) -> TwStatus {
    fallible(|| {
        config_mut(config)?
            .client
            .update(|s| s.set_max_retries(max_retries))?;
        Ok(())
    })
}

/// Chooses the Twitter API the follow goes through: `1` (API 1.1, the default) or `2`.
///
/// API v2 follows with `POST <base>/2/users/{source_user_id}/following` and the JSON
/// body `{"target_user_id":"..."}`, signed with OAuth 1.0a (a JSON body is not part
/// of the signature). `source_user_id`, the user who follows, is the numeric prefix
/// of the access token (`"<user id>-..."`, as Twitter issues them); a token without
/// one is refused here. A screen name target is first looked up with
/// `GET <base>/2/users/by/username/{name}`, so it costs two requests (and, with
/// retries, up to twice the waiting); a user id target costs one. v2 has no
/// notification setting: `notify = true` is `TW_STATUS_INVALID_ARGUMENT`, nothing sent.
/// User ids above 9999999999999999999 (v2 ids have at most 19 digits) are refused too.
///
/// On success `tw_follow`'s JSON is v2's answer,
/// `{"data":{"following":true,"pending_follow":false}}`. v2 errors (problem
/// details: `title`, `detail`, `type`, no Twitter code) map to the same statuses by
/// their `type` and HTTP status: a user that does not exist (v2 answers 200 with
/// only `errors`) is `TW_STATUS_NOT_FOUND`, 401 `TW_STATUS_AUTH`, 429
/// `TW_STATUS_RATE_LIMITED`, other 403 `TW_STATUS_FORBIDDEN`. A repeated request to
/// a protected account is not an error in v2: `TW_FOLLOW_OUTCOME_PENDING` again.
///
/// Returns `TW_STATUS_NULL_ARGUMENT`, `TW_STATUS_INVALID_ARGUMENT` (another version,
/// or version 2 with an access token that has no numeric prefix; the previous
/// version stays).
/// Thread rules: no `tw_follow` on this config may run at the same time.
///
/// # Safety
/// `config` is NULL or a live config.
#[no_mangle]
pub unsafe extern "C" fn tw_config_set_api_version(
    config: *mut TwConfig,
    version: u32,
) -> TwStatus {
    fallible(|| {
        config_mut(config)?
            .client
            .update(|s| s.set_api_version(version))?;
        Ok(())
    })
}

/// Sets how long one call may spend waiting between retries, in all, in
/// milliseconds (default 30000). A retry whose wait would go past it is not made.
///
/// Returns `TW_STATUS_NULL_ARGUMENT`.
/// Thread rules: no `tw_follow` on this config may run at the same time.
///
/// # Safety
/// `config` is NULL or a live config.
#[no_mangle]
pub unsafe extern "C" fn tw_config_set_max_wait_ms(
    config: *mut TwConfig,
    max_wait_ms: u32,
) -> TwStatus {
    fallible(|| {
        config_mut(config)?.client.update(|s| {
            s.max_wait = std::time::Duration::from_millis(max_wait_ms.into());
            Ok(())
        })?;
        Ok(())
    })
}

/// Sets the `User-Agent` header (default `twfollow/<version>`): 1 to 1024 bytes,
/// no control characters.
///
/// Returns `TW_STATUS_NULL_ARGUMENT`, `TW_STATUS_INVALID_UTF8`, `TW_STATUS_INVALID_ARGUMENT`.
/// Thread rules: no `tw_follow` on this config may run at the same time.
///
/// # Safety
/// `config` is NULL or a live config; `user_agent` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn tw_config_set_user_agent(
    config: *mut TwConfig,
    user_agent: *const c_char,
) -> TwStatus {
    fallible(|| {
        let config = config_mut(config)?;
        let user_agent = arg_str(user_agent, "user_agent")?;
        config.client.update(|s| s.set_user_agent(user_agent))?;
        Ok(())
    })
}

/// Trusts the certificates of a PEM file instead of the built-in root store
/// (Mozilla's, through webpki-roots), as curl's `--cacert` does. For private API
/// gateways and test servers. The file is read now; later changes to it have no
/// effect. Certificate verification cannot be turned off.
///
/// Returns `TW_STATUS_NULL_ARGUMENT`, `TW_STATUS_INVALID_UTF8`,
/// `TW_STATUS_INVALID_ARGUMENT` (unreadable file, or no certificate in it; the
/// previous trust settings stay in place).
/// Thread rules: no `tw_follow` on this config may run at the same time.
///
/// # Safety
/// `config` is NULL or a live config; `path` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn tw_config_set_ca_file(
    config: *mut TwConfig,
    path: *const c_char,
) -> TwStatus {
    fallible(|| {
        let config = config_mut(config)?;
        let ca_file = CaFile::read(arg_str(path, "path")?)?;
        config.client.update(|s| {
            s.ca_file = Some(ca_file);
            Ok(())
        })?;
        Ok(())
    })
}

/// Sets the proxy explicitly, instead of the environment variables (see the
/// README, "Proxies"): `http://` or `https://` (HTTP CONNECT), `socks5://`
/// (names resolved here) or `socks5h://` (names resolved by the proxy), with
/// optional `user:password@`. It is used for every host, loopback included. The
/// empty string means no proxy at all, whatever the environment says.
///
/// Returns `TW_STATUS_NULL_ARGUMENT`, `TW_STATUS_INVALID_UTF8`,
/// `TW_STATUS_INVALID_ARGUMENT` (the message never repeats the URL, which may
/// hold a password; the previous setting stays).
/// Thread rules: no `tw_follow` on this config may run at the same time.
///
/// # Safety
/// `config` is NULL or a live config; `proxy_url` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn tw_config_set_proxy(
    config: *mut TwConfig,
    proxy_url: *const c_char,
) -> TwStatus {
    fallible(|| {
        let config = config_mut(config)?;
        let proxy = ProxyChoice::parse(arg_str(proxy_url, "proxy_url")?)?;
        config.client.update(|s| {
            s.proxy = proxy;
            Ok(())
        })?;
        Ok(())
    })
}

/// Releases a config, its pooled connections, and wipes its credentials from
/// memory. NULL is a no-op. The config must not be used afterwards, and no call
/// on it may be running.
///
/// # Safety
/// `config` is NULL or a live config, freed once.
#[no_mangle]
pub unsafe extern "C" fn tw_config_free(config: *mut TwConfig) {
    infallible((), || {
        if !config.is_null() {
            drop(Box::from_raw(config));
        }
    })
}

/// Follows a user (`POST <base>/1.1/friendships/create.json`, OAuth 1.0a signed;
/// API v2 if chosen with `tw_config_set_api_version`, which says how it differs).
///
/// `target`: `"@name"` or `"name"` (1-15 of `[A-Za-z0-9_]`) is sent as
/// `screen_name`; all ASCII digits (1 to 18446744073709551615, no sign or spaces)
/// as `user_id`. Anything else is `TW_STATUS_INVALID_ARGUMENT` and nothing is sent.
/// `notify`: sent as `follow=true` (notifications for the user's posts) or `follow=false`.
///
/// On `TW_STATUS_OK`, if `out_json` is not NULL, `*out_json` receives the user
/// object exactly as the API sent it (API v2: its answer, `{"data":{...}}`), as
/// NUL-terminated UTF-8 JSON; release it with `tw_string_free`. On failure `*out_json` is left untouched, and
/// `tw_last_error_message`, `tw_last_http_status` and `tw_last_api_error_code`
/// explain it. Redirects are never followed (a 3xx is `TW_STATUS_HTTP_ERROR`).
///
/// Returns any status: see `TwStatus`. The Twitter error code decides first,
/// then the HTTP status.
///
/// If the server refuses the request's timestamp (401 with code 135, or a 401
/// without code from a server whose `Date` is 30 s or more from the local clock, as
/// API v2 answers) and sends its time in `Date`, the config keeps the clock
/// difference for all later calls and this call is signed afresh and sent once
/// more (so it may take up to twice the timeout).
///
/// Thread rules: any number of threads may call `tw_follow` on one config at
/// once; each call blocks its thread for at most the configured timeout per
/// attempt (one attempt unless retries are on: `tw_config_set_max_retries`).
///
/// # Safety
/// `config` is NULL or a live config; `target` is NULL or NUL-terminated; `out_json` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tw_follow(
    config: *const TwConfig,
    target: *const c_char,
    notify: bool,
    out_json: *mut *mut c_char,
) -> TwStatus {
    fallible(|| follow(config, target, notify, ptr::null_mut(), out_json))
}

/// `tw_follow`, also telling whether the follow is active or waits for the user's
/// approval (a protected account), without parsing the JSON yourself.
///
/// On `TW_STATUS_OK`, `*out_outcome` (if `out_outcome` is not NULL) receives
/// `TW_FOLLOW_OUTCOME_ACTIVE` or `TW_FOLLOW_OUTCOME_PENDING`, and `*out_json` as
/// in `tw_follow`. Statuses, ownership and thread rules as `tw_follow`.
///
/// # Safety
/// As `tw_follow`; `out_outcome` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tw_follow_ex(
    config: *const TwConfig,
    target: *const c_char,
    notify: bool,
    out_outcome: *mut TwFollowOutcome,
    out_json: *mut *mut c_char,
) -> TwStatus {
    fallible(|| follow(config, target, notify, out_outcome, out_json))
}

/// The body shared by `tw_follow` and `tw_follow_ex`.
///
/// # Safety
/// As `tw_follow_ex`.
unsafe fn follow(
    config: *const TwConfig,
    target: *const c_char,
    notify: bool,
    out_outcome: *mut TwFollowOutcome,
    out_json: *mut *mut c_char,
) -> Result<(), Failure> {
    non_null(config, "config")?;
    let config = &*config;
    panic_if_asked_by_tests();
    let target = Target::parse(arg_str(target, "target")?)
        .map_err(|e| Failure::new(TwStatus::InvalidArgument, e.0))?;
    let followed = config.client.follow(&target, notify)?;
    set_last("", followed.http_status, 0, followed.rate_limit);
    let outcome = if !out_outcome.is_null() && followed.is_pending() {
        TwFollowOutcome::Pending
    } else {
        TwFollowOutcome::Active
    };
    // Both outputs are prepared before either is written: outputs only on success.
    let json = if out_json.is_null() {
        None
    } else {
        Some(CString::new(followed.json).map_err(|_| {
            Failure::new(
                TwStatus::BadResponse,
                "the response body contains a NUL byte",
            )
        })?)
    };
    if !out_outcome.is_null() {
        *out_outcome = outcome;
    }
    if let Some(json) = json {
        *out_json = json.into_raw();
    }
    Ok(())
}

/// The `x-rate-limit-limit`, `-remaining` and `-reset` headers (reset in seconds
/// since the Unix epoch) of the last response on this thread. Each output pointer
/// may be NULL if you do not need it.
///
/// Returns `TW_STATUS_OK` with the outputs written, or `TW_STATUS_NO_RATE_LIMIT`
/// when the last call got no response or the response had no such headers (the
/// v1.1 follow endpoint usually sends none). Unlike other functions returning a
/// status, this one is a getter: it leaves the last error as it is.
///
/// # Safety
/// Each pointer is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tw_last_rate_limit(
    limit: *mut i64,
    remaining: *mut i64,
    reset_epoch: *mut i64,
) -> TwStatus {
    infallible(TwStatus::Internal, || {
        let Some(rate) = LAST_ERROR.with_borrow(|last| last.rate_limit) else {
            return TwStatus::NoRateLimit;
        };
        for (out, value) in [
            (limit, rate.limit),
            (remaining, rate.remaining),
            (reset_epoch, rate.reset_epoch),
        ] {
            if !out.is_null() {
                *out = value;
            }
        }
        TwStatus::Ok
    })
}

/// The message of the last failed call on this thread: one line, never NULL,
/// `""` after a success. Never contains a secret or a signature.
///
/// Ownership: owned by the library; valid until the next `tw_` call on this thread.
#[no_mangle]
pub extern "C" fn tw_last_error_message() -> *const c_char {
    infallible(c"".as_ptr(), || {
        LAST_ERROR.with_borrow(|last| last.message.as_ptr())
    })
}

/// The HTTP status of the last response on this thread (200 after a successful
/// follow), or 0 when the last call got no response (or sent nothing).
#[no_mangle]
pub extern "C" fn tw_last_http_status() -> i32 {
    infallible(0, || LAST_ERROR.with_borrow(|last| last.http_status))
}

/// The first Twitter error code of the last response on this thread, or 0 when there was none.
#[no_mangle]
pub extern "C" fn tw_last_api_error_code() -> i32 {
    infallible(0, || LAST_ERROR.with_borrow(|last| last.api_code))
}

/// A static description of a status number, e.g. `"TW_STATUS_OK: success"`.
/// Takes `int32_t` so any number is safe: unknown ones give `"unknown status"`.
/// Never NULL; never free it.
#[no_mangle]
pub extern "C" fn tw_status_str(status: i32) -> *const c_char {
    infallible(c"unknown status".as_ptr(), || {
        TwStatus::ALL
            .iter()
            .find(|s| **s as i32 == status)
            .map_or(c"unknown status", |s| s.text())
            .as_ptr()
    })
}

/// Releases a string returned by `tw_follow`. NULL is a no-op. Passing any other
/// pointer, or freeing twice, is undefined behaviour.
///
/// # Safety
/// `s` is NULL or a string from `tw_follow`, freed once.
#[no_mangle]
pub unsafe extern "C" fn tw_string_free(s: *mut c_char) {
    infallible((), || {
        if !s.is_null() {
            drop(CString::from_raw(s));
        }
    })
}

/// The library's name and version, e.g. `"twfollow/0.1.0"`. Static; never free it.
#[no_mangle]
pub extern "C" fn tw_version() -> *const c_char {
    concat!("twfollow/", env!("CARGO_PKG_VERSION"), "\0")
        .as_ptr()
        .cast()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message() -> String {
        LAST_ERROR.with_borrow(|last| last.message.to_str().unwrap().to_owned())
    }

    #[test]
    fn a_panic_becomes_internal_and_never_unwinds() {
        let status = fallible(|| panic!("boom"));
        assert_eq!(status, TwStatus::Internal);
        assert_eq!(
            message(),
            "internal error: twfollow panicked (a bug; please report it)"
        );
        assert_eq!(infallible(7, || panic!("boom")), 7);
    }

    #[test]
    fn failures_are_recorded_and_successes_clear() {
        let status = fallible(|| Err(Failure::new(TwStatus::Network, "no route")));
        assert_eq!(
            (status, message()),
            (TwStatus::Network, "no route".to_owned())
        );
        assert_eq!(fallible(|| Ok(())), TwStatus::Ok);
        assert_eq!(message(), "");
    }

    #[test]
    fn nul_bytes_in_messages_are_escaped() {
        fallible(|| Err(Failure::new(TwStatus::Network, "a\0b")));
        assert_eq!(message(), "a\\0b");
    }
}
