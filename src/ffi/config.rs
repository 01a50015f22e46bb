//! Creating, adjusting and freeing a `TwConfig`.

use std::mem::MaybeUninit;
use std::sync::Once;

use super::boundary::*;
use crate::core::{self, BaseUrl, CaFile, Client, Credentials, ProxyChoice, Settings};

/// Configuration and connection pool for follow calls. Opaque: create it with
/// `tw_config_new` or `tw_config_from_env`, release it with `tw_config_free`.
pub struct TwConfig {
    pub(crate) client: Client,
}

/// After `fork()`, the child must draw new nonces, open its own connections and
/// close its copies of the store locks its parent held.
pub(crate) fn install_fork_handler() {
    static ONCE: Once = Once::new();
    extern "C" fn before_fork() {
        core::note_fork_prepare();
    }
    extern "C" fn in_parent() {
        core::note_fork_in_parent();
    }
    fn close_fd(fd: i32) {
        // SAFETY: `fd` is the child's copy of a descriptor the parent holds a store lock
        // on; nothing else in the child uses it. close is async-signal-safe, and closing
        // the copy leaves the parent's lock held by the parent alone.
        unsafe { libc::close(fd) };
    }
    extern "C" fn in_child() {
        core::close_held_in_child(close_fd);
        core::note_fork_in_child();
    }
    ONCE.call_once(|| {
        // SAFETY: registers handlers that only do atomic operations and close
        // (async-signal-safe in the child), the prepare one waiting for short holds.
        unsafe { libc::pthread_atfork(Some(before_fork), Some(in_parent), Some(in_child)) };
    });
}

/// Boxes a config around `client` and writes it to `out_config`.
///
/// # Safety
/// `out_config` was checked to be non-NULL and writable.
pub(crate) unsafe fn publish_client(
    client: Client,
    out_config: *mut *mut TwConfig,
) -> Result<(), Failure> {
    install_fork_handler();
    super::boundary::read_test_hook();
    *out_config = Box::into_raw(Box::new(TwConfig { client }));
    Ok(())
}

/// Creates a configuration from the four OAuth 1.0a user-context credentials.
///
/// Defaults: base URL `https://api.twitter.com`, API 1.1, timeout 30000 ms, user
/// agent `twfollow/<version>`.
///
/// The environment: the proxy variables (`https_proxy`, `HTTPS_PROXY`,
/// `http_proxy`, `all_proxy`, `ALL_PROXY`, `no_proxy`, `NO_PROXY`; see
/// docs/tls-and-proxies.md) are read now, and again by every setter, which rebuilds the
/// connection set-up (unless `tw_config_set_proxy` chose the proxy). `tw_follow`
/// reads none: a forked child keeps the proxy its config chose.
///
/// Ownership: the strings are copied; on `TW_STATUS_OK`, `*out_config` receives a
/// new config that the caller releases with `tw_config_free`. On failure
/// `*out_config` is left untouched.
///
/// Returns `TW_STATUS_NULL_ARGUMENT` (any argument NULL), `TW_STATUS_INVALID_UTF8`,
/// `TW_STATUS_INVALID_ARGUMENT` (an empty credential). Every argument is checked
/// before any is copied, and the copies are wiped when the config is freed (or
/// when a credential is refused).
///
/// Thread rules: reads the environment; do not call while another thread changes
/// it (`setenv`, `putenv`, `unsetenv`).
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
        // Every argument is checked before any is copied: a refusal leaves no copy
        // of a secret behind (the copies live in `Credentials`, wiped on drop).
        let consumer_key = arg_str(consumer_key, "consumer_key")?;
        let consumer_secret = arg_str(consumer_secret, "consumer_secret")?;
        let access_token = arg_str(access_token, "access_token")?;
        let access_token_secret = arg_str(access_token_secret, "access_token_secret")?;
        non_null(out_config, "out_config")?;
        let credentials = Credentials {
            consumer_key: consumer_key.into(),
            consumer_secret: consumer_secret.into(),
            access_token: access_token.into(),
            access_token_secret: access_token_secret.into(),
        };
        publish_client(Client::new(Settings::new(credentials)?), out_config)
    })
}

/// Creates a configuration from the environment: `TW_CONSUMER_KEY`,
/// `TW_CONSUMER_SECRET`, `TW_ACCESS_TOKEN`, `TW_ACCESS_TOKEN_SECRET` (required,
/// non-empty), `TW_API_BASE` (optional base URL, same rules as
/// `tw_config_set_base_url`) and `TW_API_VERSION` (optional, `1.1`, `2` or `auto`,
/// same rules as `tw_config_set_api_version`). Other defaults as `tw_config_new`.
///
/// OAuth 2.0 instead: when `TW_OAUTH2_ACCESS_TOKEN` is set and `TW_ACCESS_TOKEN` is
/// not, the config is an OAuth 2.0 one (as `tw_config_new_oauth2` with
/// `tw_config_set_oauth2_tokens`) from `TW_OAUTH2_ACCESS_TOKEN`,
/// `TW_OAUTH2_REFRESH_TOKEN` (optional; then `TW_OAUTH2_CLIENT_ID` is required),
/// `TW_OAUTH2_EXPIRES_AT` (optional, seconds since the Unix epoch),
/// `TW_OAUTH2_CLIENT_ID` and `TW_OAUTH2_CLIENT_SECRET` (optional: a confidential
/// client). `TW_API_BASE` applies too; `TW_API_VERSION` may only be `2`.
///
/// Ownership as `tw_config_new`. Returns `TW_STATUS_NULL_ARGUMENT`,
/// `TW_STATUS_INVALID_ARGUMENT` (the message names every missing credential
/// variable, or the bad variable; a variable that is not UTF-8 counts as missing).
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
        publish_client(Client::new(settings), out_config)
    })
}

/// Creates a configuration from the environment's credential variables alone, chosen
/// as `tw_config_from_env` chooses them (the four OAuth 1.0a ones, or `TW_OAUTH2_*`
/// when `TW_OAUTH2_ACCESS_TOKEN` is set and `TW_ACCESS_TOKEN` is not), with the same
/// refusals in the same words, but reading neither `TW_API_BASE` nor `TW_API_VERSION`:
/// the base URL and API version are the defaults of `tw_config_new`. For a program
/// whose own options replace those two variables (then set them with
/// `tw_config_set_base_url` and `tw_config_set_api_version`): a bad value there cannot
/// fail a config the option makes good.
///
/// Ownership as `tw_config_new`. Returns `TW_STATUS_NULL_ARGUMENT`,
/// `TW_STATUS_INVALID_ARGUMENT` (the message names every missing credential
/// variable, or the bad one; a variable that is not UTF-8 counts as missing).
///
/// Thread rules: reads the environment; do not call while another thread changes it.
///
/// # Safety
/// `out_config` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tw_config_from_env_credentials(
    out_config: *mut *mut TwConfig,
) -> TwStatus {
    fallible(|| {
        non_null(out_config, "out_config")?;
        let settings = Settings::from_credentials_lookup(|name| std::env::var(name).ok())?;
        publish_client(Client::new(settings), out_config)
    })
}

/// The config of a call, checked: the one place every export that takes a config
/// passes, so it refuses NULL and a call from inside this config's own token
/// callback or trace hook (`TW_STATUS_REENTERED`) before anything else.
fn checked(config: *mut TwConfig) -> Result<*mut TwConfig, Failure> {
    non_null(config, "config")?;
    not_reentered(config)?;
    Ok(config)
}

/// The body of an export that takes a config: borrows it inside the panic boundary
/// (once [`checked`]) and runs `body` on its client.
///
/// # Safety
/// `config` is NULL or a live pointer from `tw_config_new`/`tw_config_from_env`.
pub(crate) unsafe fn with_config(
    config: *const TwConfig,
    body: impl FnOnce(&Client) -> Result<(), Failure>,
) -> TwStatus {
    fallible(|| body(&(*checked(config.cast_mut())?).client))
}

/// As [`with_config`], for an export that changes the config.
///
/// # Safety
/// As [`with_config`].
pub(crate) unsafe fn with_config_mut(
    config: *mut TwConfig,
    body: impl FnOnce(&mut Client) -> Result<(), Failure>,
) -> TwStatus {
    fallible(|| body(&mut (*checked(config)?).client))
}

/// The body of a setter: borrows the config (as [`with_config_mut`]), checks the new
/// value (`value`), and has `apply` set it on a copy of the settings, which replaces
/// them only when it succeeds (see `Client::update`).
///
/// # Safety
/// As [`with_config`], and what `value` reads.
pub(crate) unsafe fn set<T>(
    config: *mut TwConfig,
    value: impl FnOnce() -> Result<T, Failure>,
    apply: impl FnOnce(&mut Settings, T) -> Result<(), core::Error>,
) -> TwStatus {
    with_config_mut(config, |client| {
        let value = value()?;
        Ok(client.update(|settings| apply(settings, value))?)
    })
}

/// A setter's `apply` that puts the checked value in one field of the settings.
pub(crate) fn field<T>(
    place: fn(&mut Settings) -> &mut T,
) -> impl FnOnce(&mut Settings, T) -> Result<(), core::Error> {
    move |settings, value| {
        *place(settings) = value;
        Ok(())
    }
}

/// Sets the API base URL (default `https://api.twitter.com`; X's own documentation
/// now names `https://api.x.com`, which is accepted the same way). The follow goes to
/// `<base_url>/1.1/friendships/create.json` (API v2: `<base_url>/2/users/...`).
///
/// `https://` is accepted for any host; `http://` only for loopback hosts
/// (127.0.0.0/8, `[::1]`, `localhost`, one trailing dot allowed), and then only
/// while the host resolves to loopback: at each `tw_follow`, every address the
/// name resolves to (and the proxy's, if `tw_config_set_proxy` named one) must be
/// loopback, or the call fails with `TW_STATUS_INVALID_ARGUMENT` before anything is
/// sent. A name with one trailing dot (`localhost.`) is the same host as without
/// it for this rule, for `NO_PROXY` and for the TLS server name (SNI and the
/// certificate check), but is looked up as written. A path prefix is kept and a
/// trailing slash dropped; user info, query and fragment are refused. A refused
/// URL leaves the previous value in place.
///
/// Returns `TW_STATUS_NULL_ARGUMENT`, `TW_STATUS_INVALID_UTF8`, `TW_STATUS_INVALID_ARGUMENT`.
/// Thread rules: no `tw_follow` on this config may run at the same time. Reads the
/// proxy environment variables (see `tw_config_new`): do not call while another
/// thread changes the environment.
///
/// # Safety
/// `config` is NULL or a live config; `base_url` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn tw_config_set_base_url(
    config: *mut TwConfig,
    base_url: *const c_char,
) -> TwStatus {
    set(
        config,
        || Ok(BaseUrl::parse(arg_str(base_url, "base_url")?)?),
        field(|settings| &mut settings.base_url),
    )
}

/// Sets the deadline for a whole `tw_follow` call, from connecting to the last
/// byte of the body, in milliseconds (default 30000). A server that sends slowly
/// cannot stretch it.
///
/// Returns `TW_STATUS_NULL_ARGUMENT`, `TW_STATUS_INVALID_ARGUMENT` (0).
/// Thread rules: no `tw_follow` on this config may run at the same time. Reads the
/// proxy environment variables (see `tw_config_new`): do not call while another
/// thread changes the environment.
///
/// # Safety
/// `config` is NULL or a live config.
#[no_mangle]
pub unsafe extern "C" fn tw_config_set_timeout_ms(
    config: *mut TwConfig,
    timeout_ms: u32,
) -> TwStatus {
    set(config, || Ok(timeout_ms), Settings::set_timeout_ms)
}

/// Turns on retries (default 0: none; at most 10). A failure before any response
/// arrived, a 5xx, or a rate limit (429/88) whose window resets within the wait
/// budget is tried again, each attempt signed afresh, after an exponential backoff
/// with jitter (from about 100 ms, doubling, at most 8 s) or until the reset. Other
/// 4xx answers are never retried. Each attempt has its own timeout; the message of a
/// final failure says how many retries were made.
///
/// Returns `TW_STATUS_NULL_ARGUMENT`, `TW_STATUS_INVALID_ARGUMENT` (over 10).
/// Thread rules: no `tw_follow` on this config may run at the same time. Reads the
/// proxy environment variables (see `tw_config_new`): do not call while another
/// thread changes the environment.
///
/// # Safety
/// `config` is NULL or a live config.
#[no_mangle]
pub unsafe extern "C" fn tw_config_set_max_retries(
    config: *mut TwConfig,
    max_retries: u32,
) -> TwStatus {
    set(config, || Ok(max_retries), Settings::set_max_retries)
}

/// Chooses the Twitter API the calls go through: `1` (API 1.1, the default), `2`, or
/// `0` for auto.
///
/// Auto (opt-in, so nothing switches unless asked): calls go to API 1.1 until it
/// refuses the app's access tier (`TW_STATUS_ACCESS_TIER`: code 453, or a problem
/// with reason `client-not-enrolled`); then this config switches to API v2, once and
/// for good (later calls go straight to v2, and a setter that leaves the version
/// alone keeps it), and the refused call is sent again through v2. If v2 refuses
/// too, that refusal is returned, its message ending `(API version auto: ...)`. Auto
/// needs the access token's numeric prefix, as version 2 does; the v2 rules below
/// apply after the switch (`notify = true` is then refused). An OAuth 2.0 config
/// accepts `0` and `2` and always uses API v2.
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
/// or version 2 or auto with an access token that has no numeric prefix; the
/// previous version stays).
/// Thread rules: no `tw_follow` on this config may run at the same time. Reads the
/// proxy environment variables (see `tw_config_new`): do not call while another
/// thread changes the environment.
///
/// # Safety
/// `config` is NULL or a live config.
#[no_mangle]
pub unsafe extern "C" fn tw_config_set_api_version(
    config: *mut TwConfig,
    version: u32,
) -> TwStatus {
    set(config, || Ok(version), Settings::set_api_version)
}

/// Sets how long one call may spend waiting between retries, in all, in
/// milliseconds (default 30000). A retry whose wait would go past it is not made.
///
/// Returns `TW_STATUS_NULL_ARGUMENT`.
/// Thread rules: no `tw_follow` on this config may run at the same time. Reads the
/// proxy environment variables (see `tw_config_new`): do not call while another
/// thread changes the environment.
///
/// # Safety
/// `config` is NULL or a live config.
#[no_mangle]
pub unsafe extern "C" fn tw_config_set_max_wait_ms(
    config: *mut TwConfig,
    max_wait_ms: u32,
) -> TwStatus {
    set(
        config,
        || Ok(std::time::Duration::from_millis(max_wait_ms.into())),
        field(|settings| &mut settings.max_wait),
    )
}

/// Sets the `User-Agent` header (default `twfollow/<version>`): 1 to 1024 bytes,
/// no control characters.
///
/// Returns `TW_STATUS_NULL_ARGUMENT`, `TW_STATUS_INVALID_UTF8`, `TW_STATUS_INVALID_ARGUMENT`.
/// Thread rules: no `tw_follow` on this config may run at the same time. Reads the
/// proxy environment variables (see `tw_config_new`): do not call while another
/// thread changes the environment.
///
/// # Safety
/// `config` is NULL or a live config; `user_agent` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn tw_config_set_user_agent(
    config: *mut TwConfig,
    user_agent: *const c_char,
) -> TwStatus {
    set(
        config,
        || arg_str(user_agent, "user_agent"),
        Settings::set_user_agent,
    )
}

/// Trusts the certificates of a PEM file instead of the built-in root store
/// (Mozilla's, through webpki-roots), as curl's `--cacert` does. For private API
/// gateways and test servers. The file is read now; later changes to it have no
/// effect. Certificate verification cannot be turned off.
///
/// A server is trusted when its certificate is signed by one of the file's
/// certificates, or is exactly one of them (pinning: a self-signed certificate
/// made with `openssl req -x509`, which marks it as a CA, given as the CA file).
/// Either way the certificate must name the base URL's host and be within its
/// validity dates. A refused certificate makes `tw_follow` return
/// `TW_STATUS_TLS`, sending nothing, with a message that says why: unknown
/// issuer, name mismatch, expired, not yet valid, or CA used as server certificate.
///
/// Returns `TW_STATUS_NULL_ARGUMENT`, `TW_STATUS_INVALID_UTF8`,
/// `TW_STATUS_INVALID_ARGUMENT` (unreadable file, no certificate in it, or a
/// certificate that cannot be parsed; the previous trust settings stay in place).
/// Thread rules: no `tw_follow` on this config may run at the same time. Reads the
/// proxy environment variables (see `tw_config_new`): do not call while another
/// thread changes the environment.
///
/// # Safety
/// `config` is NULL or a live config; `path` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn tw_config_set_ca_file(
    config: *mut TwConfig,
    path: *const c_char,
) -> TwStatus {
    set(
        config,
        || Ok(Some(CaFile::read(arg_str(path, "path")?)?)),
        field(|settings| &mut settings.ca_file),
    )
}

/// Sets the proxy explicitly, instead of the environment variables (see
/// docs/tls-and-proxies.md): `http://` or `https://` (HTTP CONNECT), `socks5://`
/// (names resolved here) or `socks5h://` (names resolved by the proxy), with
/// optional `user:password@`. It is used for every host, loopback included; with
/// an `http://` base URL the proxy must resolve to loopback too (the request goes
/// to it in plaintext), or `tw_follow` returns `TW_STATUS_INVALID_ARGUMENT`. The
/// empty string means no proxy at all, whatever the environment says.
///
/// Returns `TW_STATUS_NULL_ARGUMENT`, `TW_STATUS_INVALID_UTF8`,
/// `TW_STATUS_INVALID_ARGUMENT` (the message never repeats the URL, which may
/// hold a password; the previous setting stays).
/// Thread rules: no `tw_follow` on this config may run at the same time. From now
/// on neither this config's setters nor its calls read the proxy environment.
///
/// # Safety
/// `config` is NULL or a live config; `proxy_url` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn tw_config_set_proxy(
    config: *mut TwConfig,
    proxy_url: *const c_char,
) -> TwStatus {
    set(
        config,
        || Ok(ProxyChoice::parse(arg_str(proxy_url, "proxy_url")?)?),
        field(|settings| &mut settings.proxy),
    )
}

/// Releases a config and its pooled connections, and wipes its secrets from
/// memory first: the credentials, the HMAC key state derived from them (enough
/// to sign any request) and every other byte of the config. NULL is a no-op. The config must not be used afterwards, and no call
/// on it may be running. Called from inside this config's own token callback or
/// trace hook (its call is still running) it does nothing: free it after that call.
///
/// # Safety
/// `config` is NULL or a live config, freed once.
#[no_mangle]
pub unsafe extern "C" fn tw_config_free(config: *mut TwConfig) {
    infallible((), || {
        // Freeing a config from inside its own callback would pull it from under the
        // call still running on it: refused, the config stays (and is leaked if never freed).
        if !config.is_null() && not_reentered(config).is_ok() {
            // The credentials and the signing key wipe themselves when dropped. Then
            // every byte of the block is zeroed too: an optimised build can leave
            // stale copies of the key state in padding or unused enum space (seen
            // by tests/freed_memory.rs under --release).
            std::ptr::drop_in_place(config);
            let block = config.cast::<MaybeUninit<TwConfig>>();
            zeroize::zeroize_flat_type(block);
            drop(Box::from_raw(block));
        }
    })
}
