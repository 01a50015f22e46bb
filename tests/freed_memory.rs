//! No secret is left in freed heap memory (issue 16, items 3, 4 and 6).
//!
//! This binary's global allocator wraps the system's, zeroes every block it frees and,
//! while armed, first scans it for the consumer secret and the token secret (raw and
//! percent-encoded) and for the two HMAC-SHA1 midstates of their signing key (the
//! state that signs any request). The credentials reach the library as static C
//! strings, so every heap copy is the library's own. Neither secret is ever sent,
//! so no server or transport buffer can hold one either.
//!
//! `no_token_is_left_in_freed_memory` does the same for OAuth 2.0 (every request: a
//! Bearer follow, a refresh, a revoke, a code exchange) and the OAuth 1.0a token
//! endpoints, whose tokens are sent and answered: its server runs in a child process.
//!
//! The calls: a follow refused with 403, a follow whose connection is refused (no
//! HTTP response), `tw_config_new` refused on its last argument (NULL, not UTF-8,
//! empty), and `tw_config_free`; then the two follows again with the wire trace on
//! (it keeps its own wiped copies of the secrets, in every form it redacts).
//!
//! The token store (issue 19): saving an account (with its `GET 2/users/me`),
//! listing, a config from the store, changing the default and removing, with an
//! OAuth 1.0a account and an OAuth 2.0 one whose tokens are needles too.
//!
//! The Redis store (issue 28): `the_redis_store_leaves_no_secret_in_freed_memory` and
//! `the_rediss_store_leaves_no_password_in_freed_memory` do the same, and a refresh, on
//! a `redis-server` (a TLS one) that asks for a password, which the store URL holds
//! percent-encoded.

#[path = "support/redis_server.rs"]
mod redis_server;
mod support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::ffi::CStr;
use std::net::TcpListener;
use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::OnceLock;

use base64::Engine as _;
use support::*;
use twfollow::core::wire::percent::percent_encode;
use twfollow::ffi::*;
use zeroize::Zeroize;

const CONSUMER_KEY: &CStr = c"freed-memory-consumer-key";
// Characters that percent-encoding changes, so the raw and encoded forms differ.
const CONSUMER_SECRET: &CStr = c"cs/Secret+Value=0123";
const ACCESS_TOKEN: &CStr = c"1500000001-freedMemoryToken";
const TOKEN_SECRET: &CStr = c"ts~Secret&Value!0123";
const OAUTH2_ACCESS: &str = "freedMemoryOAuth2AccessToken0123";
const OAUTH2_REFRESH: &str = "freedMemoryOAuth2RefreshToken4567";
/// The access token of a stored OAuth 1.0a account whose app lacks its consumer pair.
const REFUSED_OAUTH1_ACCESS: &str = "1500000003-refusedOAuth1AccessToken";

/// The tests share the allocator's scanner: one at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

struct Scanning;

/// What to look for; set once before arming, never freed.
static NEEDLES: OnceLock<Vec<(&'static str, Vec<u8>)>> = OnceLock::new();
static ARMED: AtomicBool = AtomicBool::new(false);
/// One counter per needle.
static HITS: [AtomicUsize; 32] = [const { AtomicUsize::new(0) }; 32];
/// The sizes of the freed blocks each needle was found in (the first four per
/// needle), for the failure message: which buffer leaked.
static SIZES: [[AtomicUsize; 4]; 32] = [const { [const { AtomicUsize::new(0) }; 4] }; 32];

unsafe impl GlobalAlloc for Scanning {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        System.alloc(layout)
    }

    // `realloc` is left to the default (alloc, copy, dealloc), so every block that
    // moves is scanned too.
    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        if ARMED.load(Ordering::SeqCst) {
            if let Some(needles) = NEEDLES.get() {
                let bytes = std::slice::from_raw_parts(block, layout.size());
                for (i, (_, needle)) in needles.iter().enumerate() {
                    if bytes.windows(needle.len()).any(|w| w == needle.as_slice()) {
                        let seen = HITS[i].fetch_add(1, Ordering::SeqCst);
                        if let Some(slot) = SIZES[i].get(seen) {
                            slot.store(layout.size(), Ordering::SeqCst);
                        }
                    }
                }
            }
        }
        // Every block is zeroed once scanned, armed or not: a block allocated later over
        // this memory and only partly written would otherwise show an earlier owner's
        // bytes (a secret the test itself freed while disarmed) as if freed now. By
        // zeroize's volatile writes: an optimised build drops plain stores before a free.
        std::slice::from_raw_parts_mut(block, layout.size()).zeroize();
        System.dealloc(block, layout)
    }
}

#[global_allocator]
static GLOBAL: Scanning = Scanning;

/// The SHA-1 state after one block of `key ^ pad` (RFC 2104): what `Hmac<Sha1>` keeps.
fn midstate(key: &[u8], pad: u8) -> Vec<u8> {
    assert!(key.len() <= 64, "longer keys are hashed first");
    let mut block = [pad; 64];
    for (b, k) in block.iter_mut().zip(key) {
        *b ^= k;
    }
    let mut state = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0];
    sha1::compress(&mut state, &[block.into()]);
    state.iter().flat_map(|word| word.to_ne_bytes()).collect()
}

fn form_encoded(value: &str) -> Vec<u8> {
    form_urlencoded::byte_serialize(value.as_bytes())
        .collect::<String>()
        .into_bytes()
}

fn needles() -> Vec<(&'static str, Vec<u8>)> {
    let (cs, ts) = (
        CONSUMER_SECRET.to_str().unwrap(),
        TOKEN_SECRET.to_str().unwrap(),
    );
    let key = format!("{}&{}", percent_encode(cs), percent_encode(ts));
    let found = vec![
        ("consumer secret", cs.as_bytes().to_vec()),
        (
            "consumer secret, percent-encoded",
            percent_encode(cs).into_bytes(),
        ),
        ("token secret", ts.as_bytes().to_vec()),
        (
            "token secret, percent-encoded",
            percent_encode(ts).into_bytes(),
        ),
        ("HMAC inner midstate", midstate(key.as_bytes(), 0x36)),
        ("HMAC outer midstate", midstate(key.as_bytes(), 0x5c)),
        (
            "stored OAuth 2.0 access token",
            OAUTH2_ACCESS.as_bytes().to_vec(),
        ),
        (
            "stored OAuth 2.0 refresh token",
            OAUTH2_REFRESH.as_bytes().to_vec(),
        ),
        (
            "stored OAuth 1.0a access token of a refused account",
            REFUSED_OAUTH1_ACCESS.as_bytes().to_vec(),
        ),
    ];
    let text = |c: &'static CStr| c.to_str().unwrap();
    // RFC 6749 2.3.1: id and secret are form-encoded before they are joined.
    let mut pair = form_encoded(text(OAUTH2_CLIENT_ID));
    pair.push(b':');
    pair.extend(form_encoded(text(OAUTH2_CLIENT_SECRET)));
    let basic = base64::engine::general_purpose::STANDARD.encode(pair);
    let mut found = found;
    found.extend([
        (
            "OAuth 2.0 client secret",
            text(OAUTH2_CLIENT_SECRET).as_bytes().to_vec(),
        ),
        (
            "OAuth 2.0 client secret, form-encoded",
            form_encoded(text(OAUTH2_CLIENT_SECRET)),
        ),
        ("OAuth 2.0 Basic credential", basic.into_bytes()),
        ("old access token", text(OLD_ACCESS).as_bytes().to_vec()),
        ("old refresh token", text(OLD_REFRESH).as_bytes().to_vec()),
        (
            "old refresh token, form-encoded",
            form_encoded(text(OLD_REFRESH)),
        ),
        ("refreshed access token", NEW_ACCESS.as_bytes().to_vec()),
        ("refreshed refresh token", NEW_REFRESH.as_bytes().to_vec()),
        (
            "exchanged access token",
            EXCHANGED_ACCESS.as_bytes().to_vec(),
        ),
        (
            "exchanged refresh token",
            EXCHANGED_REFRESH.as_bytes().to_vec(),
        ),
        ("authorization code", text(CODE).as_bytes().to_vec()),
        (
            "request-token secret",
            REQUEST_TOKEN_SECRET.as_bytes().to_vec(),
        ),
        (
            "OAuth 1.0a access-token secret (from the flow)",
            FLOW_TOKEN_SECRET.as_bytes().to_vec(),
        ),
        (REDIS_PASSWORD_NEEDLE, REDIS_PASSWORD.as_bytes().to_vec()),
        (
            REDIS_PASSWORD_IN_URL_NEEDLE,
            REDIS_PASSWORD_IN_URL.as_bytes().to_vec(),
        ),
    ]);
    assert!(found.iter().all(|(_, needle)| needle.len() >= 20));
    assert!(found.len() <= HITS.len());
    found
}

// OAuth 2.0 and the OAuth 1.0a token endpoints (issue 20, item 4). What the library is
// given are static C strings; what the token endpoint answers only the library holds.
const OAUTH2_CLIENT_ID: &CStr = c"freed-memory-oauth2-client";
const OAUTH2_CLIENT_SECRET: &CStr = c"client/Secret+Value~0123";
const OLD_ACCESS: &CStr = c"old-access-token-0123456789";
const OLD_REFRESH: &CStr = c"old/refresh+token~0123456789";
const NEW_ACCESS: &str = "refreshed-access-token-0123456789";
const NEW_REFRESH: &str = "refreshed-refresh-token-0123456789";
const EXCHANGED_ACCESS: &str = "exchanged-access-token-0123456789";
const EXCHANGED_REFRESH: &str = "exchanged-refresh-token-0123456789";
const CODE: &CStr = c"authorization-code-0123456789";
const REQUEST_TOKEN_SECRET: &str = "request-token-secret-0123456789";
const FLOW_TOKEN_SECRET: &str = "flow-access-token-secret-0123456789";

// The Redis store's password: as Redis and `AUTH` know it, and percent-encoded as a
// store URL holds it (`@`, `/` and `:` must be).
const REDIS_PASSWORD: &str = "redis@Pass/word:0123456789";
const REDIS_PASSWORD_IN_URL: &str = "redis%40Pass%2Fword%3A0123456789";
const REDIS_PASSWORD_NEEDLE: &str = "Redis password";
const REDIS_PASSWORD_IN_URL_NEEDLE: &str = "Redis password, percent-encoded (in the URL)";

/// The block sizes behind the current hits (read before `hits()` resets them).
fn hit_sizes() -> Vec<(&'static str, Vec<usize>)> {
    NEEDLES
        .get()
        .unwrap()
        .iter()
        .zip(&SIZES)
        .map(|((name, _), sizes)| {
            let sizes: Vec<usize> = sizes
                .iter()
                .map(|s| s.swap(0, Ordering::SeqCst))
                .filter(|&n| n > 0)
                .collect();
            (*name, sizes)
        })
        .filter(|(_, sizes)| !sizes.is_empty())
        .collect()
}

fn hits() -> Vec<(&'static str, usize)> {
    NEEDLES
        .get()
        .unwrap()
        .iter()
        .zip(&HITS)
        .map(|((name, _), hits)| (*name, hits.swap(0, Ordering::SeqCst)))
        .filter(|(_, n)| *n > 0)
        .collect()
}

/// The scanner, armed from `start` until dropped (so a panicking call cannot leave it
/// armed for the next test).
struct Scan;

impl Scan {
    fn start() -> Scan {
        ARMED.store(true, Ordering::SeqCst);
        Scan
    }
}

impl Drop for Scan {
    fn drop(&mut self) {
        ARMED.store(false, Ordering::SeqCst);
    }
}

/// Fails when a needle was found in a block freed while the scanner was armed, naming
/// the needles and the sizes of the blocks they were in (which buffer leaked).
fn assert_nothing_found(what: &str) {
    let sizes = hit_sizes();
    assert_eq!(
        hits(),
        [],
        "{what} found in freed heap blocks (of these sizes: {sizes:?})"
    );
}

fn new_config(token_secret: *const std::ffi::c_char) -> (TwStatus, *mut TwConfig) {
    let mut config = ptr::null_mut();
    let status = unsafe {
        tw_config_new(
            CONSUMER_KEY.as_ptr(),
            CONSUMER_SECRET.as_ptr(),
            ACCESS_TOKEN.as_ptr(),
            token_secret,
            &mut config,
        )
    };
    (status, config)
}

fn follow(config: *mut TwConfig, base_url: &str) -> TwStatus {
    let url = cstr(base_url);
    assert_eq!(
        unsafe { tw_config_set_base_url(config, url.as_ptr()) },
        TwStatus::Ok
    );
    unsafe { tw_follow(config, c"twitterdev".as_ptr(), false, ptr::null_mut()) }
}

static TRACED_LINES: AtomicUsize = AtomicUsize::new(0);

unsafe extern "C" fn count_line(_: *mut std::ffi::c_void, _: i32, _: *const std::ffi::c_char) {
    TRACED_LINES.fetch_add(1, Ordering::SeqCst);
}

#[test]
fn no_secret_is_left_in_freed_memory() {
    let _serial = serial();
    NEEDLES.get_or_init(needles);
    let refusing = Scripted::respond(
        403,
        "content-type: application/json\r\n",
        br#"{"errors":[{"code":326,"message":"To protect our users from spam, this account is temporarily locked."}]}"#,
    );
    let closed_port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let unreachable = format!("http://127.0.0.1:{closed_port}");

    // The scanner works: a block holding a secret is seen when freed.
    let scan = Scan::start();
    drop(std::hint::black_box(TOKEN_SECRET.to_bytes().to_vec()));
    drop(scan);
    assert_eq!(hits(), [("token secret", 1)]);

    let scan = Scan::start();
    let (status, config) = new_config(TOKEN_SECRET.as_ptr());
    assert_eq!(status, TwStatus::Ok);
    let refused = follow(config, &refusing.base_url());
    let no_response = follow(config, &unreachable);
    unsafe { tw_config_free(config) };
    let (status, traced) = new_config(TOKEN_SECRET.as_ptr());
    assert_eq!(status, TwStatus::Ok);
    assert_eq!(
        unsafe { tw_config_set_trace(traced, Some(count_line), ptr::null_mut()) },
        TwStatus::Ok
    );
    let traced_refused = follow(traced, &refusing.base_url());
    let traced_no_response = follow(traced, &unreachable);
    unsafe { tw_config_free(traced) };
    // A failure after three credentials were copied: NULL, then not UTF-8.
    let null_status = new_config(ptr::null()).0;
    let bad_utf8_status = new_config(c"ts\xff".as_ptr()).0;
    // And one refused after all four were copied: an empty credential.
    let empty_status = new_config(c"".as_ptr()).0;
    drop(scan);

    // Code 326 (a locked account) has its own status since issue 11.
    assert_eq!(refused, TwStatus::AccountState, "{:?}", last());
    assert_eq!(no_response, TwStatus::Network);
    assert_eq!(
        (traced_refused, traced_no_response),
        (refused, TwStatus::Network)
    );
    assert!(TRACED_LINES.load(Ordering::SeqCst) > 10, "the trace ran");
    assert_eq!(null_status, TwStatus::NullArgument);
    assert_eq!(bad_utf8_status, TwStatus::InvalidUtf8);
    assert_eq!(empty_status, TwStatus::InvalidArgument);
    assert_eq!(refusing.requests().len(), 2);
    assert_nothing_found("secrets");
}

/// The answer of the token endpoint server (a child process: a server in this
/// process would free the requests and answers it handled, and the scan would see
/// them): by path and grant, with a length, except the code exchange's answer, which
/// ends with the connection (so the library reads it without knowing its size).
fn token_endpoint_answer(head: &str, body: &str) -> (String, bool) {
    let path = head.split_whitespace().nth(1).unwrap_or_default();
    let json = |body: String| (body, true);
    match path.split('?').next().unwrap_or_default() {
        "/2/oauth2/token" if body.contains("grant_type=refresh_token") => json(format!(
            r#"{{"token_type":"bearer","expires_in":7200,"access_token":"{NEW_ACCESS}","scope":"tweet.read users.read follows.write offline.access","refresh_token":"{NEW_REFRESH}"}}"#
        )),
        "/2/oauth2/token" => (
            format!(
                r#"{{"token_type":"bearer","expires_in":7200,"access_token":"{EXCHANGED_ACCESS}","scope":"tweet.read users.read follows.write offline.access","refresh_token":"{EXCHANGED_REFRESH}"}}"#
            ),
            false,
        ),
        "/2/oauth2/revoke" => json(r#"{"revoked":true}"#.into()),
        "/2/users/me" => json(r#"{"data":{"id":"1500000001","name":"Me","username":"me"}}"#.into()),
        "/2/users/1500000001/following" => {
            json(r#"{"data":{"following":true,"pending_follow":false}}"#.into())
        }
        "/oauth/request_token" => json(format!(
            "oauth_token=request-token-0123&oauth_token_secret={REQUEST_TOKEN_SECRET}&oauth_callback_confirmed=true"
        )),
        "/oauth/access_token" => json(format!(
            "oauth_token=1500000002-flowToken&oauth_token_secret={FLOW_TOKEN_SECRET}&user_id=1500000002&screen_name=someone"
        )),
        _ => json(r#"{"title":"Not Found","status":404}"#.into()),
    }
}

/// Under `/echo`, answers that echo a token the request sent and that the library
/// refuses: a 2xx that is no JSON, a 2xx v2 answer of `errors` only, a JSON error and a
/// plain-text one.
fn echoing_refusal(head: &str) -> Option<(&'static str, String)> {
    let path = head.split_whitespace().nth(1)?.strip_prefix("/echo")?;
    let text = |c: &'static CStr| c.to_str().unwrap();
    Some(match path {
        "/2/users/me" => (
            "200 OK",
            format!("no JSON, but the token {}", text(OLD_ACCESS)),
        ),
        "/2/users/by/username/jack" => (
            "200 OK",
            format!(
                r#"{{"errors":[{{"title":"Not Found Error","type":"https://api.x.com/2/problems/resource-not-found","detail":"echo {} here"}}]}}"#,
                text(TOKEN_SECRET)
            ),
        ),
        "/2/oauth2/token" => (
            "400 Bad Request",
            format!(
                r#"{{"error":"invalid_grant","error_description":"{} is not valid"}}"#,
                text(OLD_REFRESH)
            ),
        ),
        _ => (
            "401 Unauthorized",
            format!("Invalid request token secret {REQUEST_TOKEN_SECRET}"),
        ),
    })
}

/// Run by the parent test as a child process (`--ignored --exact token_endpoint_server`):
/// prints its port, then serves until killed.
#[test]
#[ignore = "a server process for no_token_is_left_in_freed_memory"]
fn token_endpoint_server() {
    use std::io::Write as _;
    if std::env::var_os("FREED_MEMORY_SERVER").is_none() {
        return;
    }
    let server = Scripted::start(|request, out| {
        let (status, answer, sized) = match echoing_refusal(&request.head) {
            Some((status, answer)) => (status, answer, true),
            None => {
                let (answer, sized) =
                    token_endpoint_answer(&request.head, &String::from_utf8_lossy(&request.body));
                let status = if answer.contains("Not Found") {
                    "404 Not Found"
                } else {
                    "200 OK"
                };
                (status, answer, sized)
            }
        };
        let framing = if sized {
            format!("content-length: {}\r\n", answer.len())
        } else {
            "connection: close\r\n".to_owned()
        };
        let _ = write!(
            out,
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\n{framing}\r\n{answer}"
        );
        if !sized {
            // The answer ends with the connection.
            let _ = out.shutdown(std::net::Shutdown::Both);
        }
    });
    println!("PORT {}", server.addr.port());
    std::io::stdout().flush().unwrap();
    loop {
        std::thread::park(); // serves until the parent kills this process
    }
}

/// The token endpoint server as a child process, killed when dropped.
struct TokenServer {
    child: std::process::Child,
    base_url: String,
}

impl TokenServer {
    fn start() -> TokenServer {
        use std::io::BufRead as _;
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--ignored",
                "--exact",
                "token_endpoint_server",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("FREED_MEMORY_SERVER", "1")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let port = std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            // libtest has written "test token_endpoint_server ... " before it on the line.
            .find_map(|line| line.split("PORT ").nth(1).map(str::to_owned))
            .expect("the server's port");
        TokenServer {
            child,
            base_url: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for TokenServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

unsafe extern "C" fn ignore_tokens(_: *mut std::ffi::c_void, _: *const std::ffi::c_char) {}

/// A new C string of the library's, wiped and freed.
fn free_string(s: *mut std::ffi::c_char) {
    unsafe { tw_string_free(s) };
}

/// The config `make` creates, against `base_url`; each call's status goes to `statuses`.
///
/// # Safety
/// As the C API's: the config is the caller's to free.
unsafe fn config_at(
    base_url: &CStr,
    statuses: &mut Vec<TwStatus>,
    make: impl FnOnce(*mut *mut TwConfig) -> TwStatus,
) -> *mut TwConfig {
    let mut config = ptr::null_mut();
    statuses.push(make(&mut config));
    statuses.push(tw_config_set_base_url(config, base_url.as_ptr()));
    config
}

/// A config of the test's OAuth 2.0 client against `base_url`, holding the old tokens
/// when `with_tokens`.
///
/// # Safety
/// As the C API's: the config is the caller's to free.
unsafe fn oauth2_config(
    base_url: &CStr,
    with_tokens: bool,
    statuses: &mut Vec<TwStatus>,
) -> *mut TwConfig {
    let config = config_at(base_url, statuses, |out| unsafe {
        tw_config_new_oauth2(
            OAUTH2_CLIENT_ID.as_ptr(),
            OAUTH2_CLIENT_SECRET.as_ptr(),
            out,
        )
    });
    if with_tokens {
        statuses.push(tw_config_set_oauth2_tokens(
            config,
            OLD_ACCESS.as_ptr(),
            OLD_REFRESH.as_ptr(),
            0,
        ));
    }
    config
}

#[test]
fn no_token_is_left_in_freed_memory() {
    let _serial = serial();
    NEEDLES.get_or_init(needles);
    let server = TokenServer::start();
    let base_url = cstr(&server.base_url);
    // Passed back in as an argument: this copy is the test's, freed after the scan.
    let new_refresh = cstr(NEW_REFRESH);
    hits();

    let scan = Scan::start();
    // OAuth 2.0: a Bearer follow (2/users/me, the follow), a refresh (the old refresh
    // token sent, a new pair received and handed to the callback), a follow with the
    // new token, a revoke, and the config freed.
    let mut statuses = Vec::new();
    unsafe {
        let config = oauth2_config(&base_url, true, &mut statuses);
        statuses.push(tw_config_set_token_callback(
            config,
            Some(ignore_tokens),
            ptr::null_mut(),
        ));
        statuses.push(tw_follow(
            config,
            c"2244994945".as_ptr(),
            false,
            ptr::null_mut(),
        ));
        statuses.push(tw_oauth2_refresh(config));
        statuses.push(tw_follow(
            config,
            c"2244994945".as_ptr(),
            false,
            ptr::null_mut(),
        ));
        let mut tokens = ptr::null_mut();
        statuses.push(tw_config_get_tokens(config, &mut tokens));
        free_string(tokens);
        statuses.push(tw_oauth2_revoke(config, new_refresh.as_ptr()));
        tw_config_free(config);

        // A refresh alone, then the config freed: the old refresh token's request and
        // the new pair's answer are the last the connection's buffers held.
        let config = oauth2_config(&base_url, true, &mut statuses);
        statuses.push(tw_oauth2_refresh(config));
        tw_config_free(config);
    }
    unsafe {
        // The code exchange, the answer read to the end of the connection.
        let config = oauth2_config(&base_url, false, &mut statuses);
        let (mut url, mut state, mut verifier) =
            (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
        statuses.push(tw_oauth2_authorize_url(
            config,
            c"http://127.0.0.1:9/callback".as_ptr(),
            ptr::null(),
            &mut url,
            &mut state,
            &mut verifier,
        ));
        let mut tokens = ptr::null_mut();
        statuses.push(tw_oauth2_exchange_code(
            config,
            c"http://127.0.0.1:9/callback".as_ptr(),
            CODE.as_ptr(),
            state,
            verifier,
            &mut tokens,
        ));
        for s in [url, state, verifier, tokens] {
            free_string(s);
        }
        tw_config_free(config);

        // OAuth 1.0a: the request token and the access token.
        let app = config_at(&base_url, &mut statuses, |out| {
            tw_config_new_app(CONSUMER_KEY.as_ptr(), CONSUMER_SECRET.as_ptr(), out)
        });
        let (mut token, mut secret, mut authorize) =
            (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
        statuses.push(tw_oauth1_request_token(
            app,
            c"oob".as_ptr(),
            &mut token,
            &mut secret,
            &mut authorize,
        ));
        let mut json = ptr::null_mut();
        statuses.push(tw_oauth1_access_token(
            app,
            token,
            secret,
            c"1234567".as_ptr(),
            &mut json,
        ));
        // ... and read back as fields.
        let [mut held, mut held_secret, mut user_id, mut screen_name] = [ptr::null_mut(); 4];
        statuses.push(tw_config_get_oauth1_tokens(
            app,
            &mut held,
            &mut held_secret,
            &mut user_id,
            &mut screen_name,
        ));
        for s in [
            token,
            secret,
            authorize,
            json,
            held,
            held_secret,
            user_id,
            screen_name,
        ] {
            free_string(s);
        }
        tw_config_free(app);
    }
    drop(scan);
    drop(server);

    assert!(
        statuses.iter().all(|s| *s == TwStatus::Ok),
        "{statuses:?} {:?}",
        last()
    );
    assert_nothing_found("tokens");
}

/// Refused answers may echo what the request sent: their bodies, and what is parsed
/// out of them, are wiped (only the redacted text goes into a message).
#[test]
fn refused_answers_that_echo_a_token_leave_none_in_freed_memory() {
    let _serial = serial();
    NEEDLES.get_or_init(needles);
    let server = TokenServer::start();
    let base_url = cstr(&format!("{}/echo", server.base_url));
    let request_secret = cstr(REQUEST_TOKEN_SECRET);
    hits();

    let scan = Scan::start();
    let mut statuses = Vec::new();
    unsafe {
        // 2/users/me answers 200 with no JSON; the refresh is refused with a JSON error.
        let config = oauth2_config(&base_url, true, &mut statuses);
        statuses.push(tw_follow(
            config,
            c"2244994945".as_ptr(),
            false,
            ptr::null_mut(),
        ));
        statuses.push(tw_oauth2_refresh(config));
        tw_config_free(config);
        // An OAuth 1.0a follow through API v2: the lookup answers 200 with `errors` only.
        let v2 = config_at(&base_url, &mut statuses, |out| {
            tw_config_new(
                CONSUMER_KEY.as_ptr(),
                CONSUMER_SECRET.as_ptr(),
                ACCESS_TOKEN.as_ptr(),
                TOKEN_SECRET.as_ptr(),
                out,
            )
        });
        statuses.push(tw_config_set_api_version(v2, 2));
        statuses.push(tw_follow(v2, c"jack".as_ptr(), false, ptr::null_mut()));
        tw_config_free(v2);
        // The access-token step is refused in plain text.
        let app = config_at(&base_url, &mut statuses, |out| {
            tw_config_new_app(CONSUMER_KEY.as_ptr(), CONSUMER_SECRET.as_ptr(), out)
        });
        let mut json = ptr::null_mut();
        statuses.push(tw_oauth1_access_token(
            app,
            c"request-token-0123".as_ptr(),
            request_secret.as_ptr(),
            c"1234567".as_ptr(),
            &mut json,
        ));
        tw_config_free(app);
    }
    drop(scan);
    drop(server);

    use TwStatus::*;
    assert_eq!(
        statuses,
        [
            Ok,
            Ok,
            Ok,
            BadResponse,
            Auth,
            Ok,
            Ok,
            Ok,
            NotFound,
            Ok,
            Ok,
            Auth
        ],
        "{:?}",
        last()
    );
    assert_nothing_found("refused answers");
}

/// The token JSON read as fields (issue 21, item 4): every string of the parse moved
/// into a wiped buffer or wiped where it lies, a refused JSON's too. No server: the
/// library is given the JSON only.
#[test]
fn token_json_read_as_fields_leaves_no_token_in_freed_memory() {
    let _serial = serial();
    NEEDLES.get_or_init(needles);
    // The JSON as an application holds it: the test's copies, freed after the scan.
    let whole = cstr(&format!(
        r#"{{"access_token":"{EXCHANGED_ACCESS}","refresh_token":"{EXCHANGED_REFRESH}","expires_at":1900000000,"scope":"follows.write","kept":["{NEW_ACCESS}"]}}"#
    ));
    let refused = cstr(&format!(
        r#"{{"access_token":"{NEW_ACCESS}","refresh_token":{{"nested":"{NEW_REFRESH}"}}}}"#
    ));
    // A member given twice (the last one is read), and JSON cut short after a token.
    let twice = cstr(&format!(
        r#"{{"access_token":"{EXCHANGED_REFRESH}","access_token":"the-last-one"}}"#
    ));
    let cut_short = cstr(&format!(r#"{{"access_token":"{NEW_REFRESH}","#));
    hits();

    ARMED.store(true, Ordering::SeqCst);
    let (mut a, mut r, mut e, mut s) = (ptr::null_mut(), ptr::null_mut(), 0i64, ptr::null_mut());
    let statuses = unsafe {
        let read = tw_oauth2_tokens_from_json(whole.as_ptr(), &mut a, &mut r, &mut e, &mut s);
        for text in [a, r, s] {
            free_string(text);
        }
        let refusal = tw_oauth2_tokens_from_json(refused.as_ptr(), &mut a, &mut r, &mut e, &mut s);
        let last_read = tw_oauth2_tokens_from_json(twice.as_ptr(), &mut a, &mut r, &mut e, &mut s);
        for text in [a, r, s] {
            free_string(text);
        }
        let cut = tw_oauth2_tokens_from_json(cut_short.as_ptr(), &mut a, &mut r, &mut e, &mut s);
        [read, refusal, last_read, cut]
    };
    ARMED.store(false, Ordering::SeqCst);

    assert_eq!(
        statuses,
        [
            TwStatus::Ok,
            TwStatus::InvalidArgument,
            TwStatus::Ok,
            TwStatus::InvalidArgument
        ],
        "{:?}",
        last()
    );
    let sizes = hit_sizes();
    assert_eq!(
        hits(),
        [],
        "tokens found in freed heap blocks (of these sizes: {sizes:?})"
    );
}

#[test]
fn the_token_store_leaves_no_secret_in_freed_memory() {
    let _serial = serial();
    NEEDLES.get_or_init(needles);
    let me = Scripted::respond(
        200,
        "content-type: application/json\r\n",
        br#"{"data":{"id":"1500000001","name":"Freed","username":"freed_memory"}}"#,
    );
    let dir = std::env::temp_dir().join(format!("twfollow-freed-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = dir.join("accounts.json");
    let store_c = cstr(store.to_str().unwrap());
    // An OAuth 2.0 account beside it, written as a newer process would have, and an
    // OAuth 1.0a account whose app has no consumer pair (refused when opened).
    std::fs::create_dir_all(&dir).unwrap();
    let oauth2 = format!(
        r#"{{"version":1,"apps":{{"client":{{"client_id":"client"}}}},"accounts":{{"grant":{{"app":"client","kind":"oauth2","user_id":"1500000002","screen_name":"grant","access_token":"{OAUTH2_ACCESS}","refresh_token":"{OAUTH2_REFRESH}","expires_at":4000000000,"scope":"follows.write"}},"refused":{{"app":"client","kind":"oauth1","access_token":"{REFUSED_OAUTH1_ACCESS}","access_token_secret":"refused-secret"}}}}}}"#
    );
    std::fs::write(&store, oauth2).unwrap();
    std::fs::set_permissions(&store, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();

    let scan = Scan::start();
    let (status, config) = new_config(TOKEN_SECRET.as_ptr());
    assert_eq!(status, TwStatus::Ok);
    let url = cstr(&me.base_url());
    assert_eq!(
        unsafe { tw_config_set_base_url(config, url.as_ptr()) },
        TwStatus::Ok
    );
    let mut name = ptr::null_mut();
    let saved = unsafe { tw_store_save_account(config, store_c.as_ptr(), ptr::null(), &mut name) };
    unsafe { tw_string_free(name) };
    unsafe { tw_config_free(config) };
    let mut json = ptr::null_mut();
    let listed = unsafe { tw_store_list(store_c.as_ptr(), &mut json) };
    unsafe { tw_string_free(json) };
    let mut fields = ptr::null_mut();
    let listed_fields = unsafe {
        tw_store_account_fields(
            store_c.as_ptr(),
            0,
            &mut fields,
            ptr::null_mut(),
            ptr::null_mut(),
            ptr::null_mut(),
            ptr::null_mut(),
            ptr::null_mut(),
            ptr::null_mut(),
            ptr::null_mut(),
            ptr::null_mut(),
        )
    };
    unsafe { tw_string_free(fields) };
    let mut opened = [TwStatus::Internal; 2];
    let mut read_back = TwStatus::Internal;
    for (slot, account) in opened.iter_mut().zip([c"freed_memory", c"grant"]) {
        let mut stored = ptr::null_mut();
        *slot = unsafe { tw_config_from_store(store_c.as_ptr(), account.as_ptr(), &mut stored) };
        if account == c"freed_memory" {
            // The stored OAuth 1.0a token, read back as fields.
            let [mut token, mut secret] = [ptr::null_mut(); 2];
            read_back = unsafe {
                tw_config_get_oauth1_tokens(
                    stored,
                    &mut token,
                    &mut secret,
                    ptr::null_mut(),
                    ptr::null_mut(),
                )
            };
            unsafe { tw_string_free(token) };
            unsafe { tw_string_free(secret) };
        }
        unsafe { tw_config_free(stored) };
    }
    let mut none = ptr::null_mut();
    let refused = unsafe { tw_config_from_store(store_c.as_ptr(), c"refused".as_ptr(), &mut none) };
    let defaulted = unsafe { tw_store_set_default(store_c.as_ptr(), c"grant".as_ptr()) };
    let removed = unsafe { tw_store_remove(store_c.as_ptr(), c"freed_memory".as_ptr()) };
    drop(scan);

    assert_eq!(saved, TwStatus::Ok, "{:?}", last());
    assert_eq!(
        (listed, listed_fields, opened, read_back, refused),
        (
            TwStatus::Ok,
            TwStatus::Ok,
            [TwStatus::Ok; 2],
            TwStatus::Ok,
            TwStatus::Store
        )
    );
    assert_eq!((defaulted, removed), (TwStatus::Ok, TwStatus::Ok));
    assert_eq!(me.requests().len(), 1, "one GET 2/users/me");
    let kept = std::fs::read_to_string(&store).unwrap();
    assert!(kept.contains(OAUTH2_REFRESH) && !kept.contains("freed_memory"));
    let _ = std::fs::remove_dir_all(&dir);
    assert_nothing_found("secrets");
}

/// The stored document of the Redis tests (`scanned_through_redis`): an
/// expired OAuth 2.0 grant of the test's client, so a follow refreshes it.
fn redis_document() -> serde_json::Value {
    let text = |c: &CStr| c.to_str().unwrap().to_owned();
    serde_json::json!({
        "version": 1,
        "apps": {"client": {
            "client_id": text(OAUTH2_CLIENT_ID),
            "client_secret": text(OAUTH2_CLIENT_SECRET),
        }},
        "accounts": {"grant": {
            "app": "client",
            "kind": "oauth2",
            "user_id": "1500000001",
            "screen_name": "grant",
            "access_token": text(OLD_ACCESS),
            "refresh_token": text(OLD_REFRESH),
            "expires_at": 1,
            "scope": "tweet.read users.read follows.write offline.access",
        }},
    })
}

/// Through the store at `store`: a listing, an OAuth 1.0a account saved (its
/// `GET 2/users/me` at `base_url`) and read back as fields, a follow with the stored
/// OAuth 2.0 grant (expired: refreshed under the store's lock, the new pair stored),
/// the default changed and an account removed. The statuses go to `statuses`.
fn through_the_store(store: &CStr, base_url: &CStr, statuses: &mut Vec<TwStatus>) {
    unsafe {
        let mut json = ptr::null_mut();
        statuses.push(tw_store_list(store.as_ptr(), &mut json));
        free_string(json);
        let (status, config) = new_config(TOKEN_SECRET.as_ptr());
        statuses.push(status);
        statuses.push(tw_config_set_base_url(config, base_url.as_ptr()));
        let mut name = ptr::null_mut();
        statuses.push(tw_store_save_account(
            config,
            store.as_ptr(),
            ptr::null(),
            &mut name,
        ));
        free_string(name);
        tw_config_free(config);
        let mut stored = ptr::null_mut();
        statuses.push(tw_config_from_store(
            store.as_ptr(),
            c"me".as_ptr(),
            &mut stored,
        ));
        let [mut token, mut secret] = [ptr::null_mut(); 2];
        statuses.push(tw_config_get_oauth1_tokens(
            stored,
            &mut token,
            &mut secret,
            ptr::null_mut(),
            ptr::null_mut(),
        ));
        free_string(token);
        free_string(secret);
        tw_config_free(stored);
        let mut grant = ptr::null_mut();
        statuses.push(tw_config_from_store(
            store.as_ptr(),
            c"grant".as_ptr(),
            &mut grant,
        ));
        statuses.push(tw_config_set_base_url(grant, base_url.as_ptr()));
        statuses.push(tw_follow(
            grant,
            c"2244994945".as_ptr(),
            false,
            ptr::null_mut(),
        ));
        tw_config_free(grant);
        statuses.push(tw_store_set_default(store.as_ptr(), c"grant".as_ptr()));
        statuses.push(tw_store_remove(store.as_ptr(), c"me".as_ptr()));
    }
}

/// Through a store on a `redis-server` of the test's own that asks for
/// `REDIS_PASSWORD` (over TLS, trusted through a CA file, when `tls`), scanned: what was
/// found is left for `hits` and `hit_sizes`.
fn scanned_through_redis(tls: bool) {
    use redis_server::{Pki, Redis};
    NEEDLES.get_or_init(needles);
    let server = TokenServer::start();
    let base_url = cstr(&server.base_url);
    let pki = tls.then(|| Pki::mint("freed"));
    let redis = match &pki {
        Some(pki) => Redis::start_tls(Some(REDIS_PASSWORD), pki),
        None => Redis::start(Some(REDIS_PASSWORD)),
    };
    redis.put_document("freed", &redis_document());
    let url = redis.url("freed");
    assert!(url.contains(REDIS_PASSWORD_IN_URL), "{url}");
    // The test's copy of the URL, freed after the scan.
    let store = cstr(&match &pki {
        Some(pki) => format!("{url}&ca_file={}", pki.ca.display()),
        None => url,
    });
    hit_sizes();
    hits();

    // The scanner sees the password when a block holding it is freed.
    let scan = Scan::start();
    drop(std::hint::black_box(REDIS_PASSWORD.as_bytes().to_vec()));
    drop(scan);
    assert_eq!(hits(), [(REDIS_PASSWORD_NEEDLE, 1)]);
    hit_sizes();

    let scan = Scan::start();
    let mut statuses = Vec::new();
    through_the_store(&store, &base_url, &mut statuses);
    drop(scan);
    drop(server);
    assert!(
        statuses.iter().all(|s| *s == TwStatus::Ok),
        "{statuses:?} {:?}",
        last()
    );
    let grant = &redis.document("freed")["accounts"]["grant"];
    assert_eq!(grant["refresh_token"], NEW_REFRESH, "refreshed, and stored");
}

#[test]
fn the_redis_store_leaves_no_secret_in_freed_memory() {
    let _serial = serial();
    // Every needle, the document's too (app secrets, tokens, the refreshed pair): each
    // answer is read into the library's own wiped buffers alone. With the redis crate,
    // its parser's 8 KiB buffer held all seven of the document's.
    scanned_through_redis(false);
    assert_nothing_found("secrets of the Redis store");
    // And refused: nothing listens there (the message names the URL without it).
    let closed_port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let unreachable = cstr(&format!(
        "redis://:{REDIS_PASSWORD_IN_URL}@127.0.0.1:{closed_port}/0"
    ));
    let scan = Scan::start();
    let mut json = ptr::null_mut();
    let refused = unsafe { tw_store_list(unreachable.as_ptr(), &mut json) };
    drop(scan);
    assert_eq!(refused, TwStatus::Store);
    assert!(!last().message.contains(REDIS_PASSWORD_IN_URL));
    assert_nothing_found("a refused Redis store's password");
}

#[test]
fn the_rediss_store_leaves_no_password_in_freed_memory() {
    let _serial = serial();
    // The password alone: the library sends it and Redis never answers it. The document
    // Redis answers also passes through rustls's own buffers, freed unwiped, as HTTPS
    // answers do (docs/tokens.md, "Secrets"): its received records (4 KiB blocks) and
    // each decrypted answer (a block of the document's size, 513 to 1003 bytes here).
    scanned_through_redis(true);
    let sizes = hit_sizes();
    let found: Vec<_> = hits()
        .into_iter()
        .filter(|(name, _)| name.starts_with(REDIS_PASSWORD_NEEDLE))
        .collect();
    assert_eq!(
        found,
        [],
        "the Redis password found in freed heap blocks (of these sizes: {sizes:?})"
    );
}
