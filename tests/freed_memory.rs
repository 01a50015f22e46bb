//! No secret is left in freed heap memory (issue 16, items 3, 4 and 6).
//!
//! This binary's global allocator wraps the system's and, while armed, scans every
//! block it frees for the consumer secret and the token secret (raw and
//! percent-encoded) and for the two HMAC-SHA1 midstates of their signing key (the
//! state that signs any request). The credentials reach the library as static C
//! strings, so every heap copy is the library's own. Neither secret is ever sent,
//! so no server or transport buffer can hold one either.
//!
//! The calls: a follow refused with 403, a follow whose connection is refused (no
//! HTTP response), `tw_config_new` refused on its last argument (NULL, not UTF-8,
//! empty), and `tw_config_free`; then the two follows again with the wire trace on
//! (it keeps its own wiped copies of the secrets, in every form it redacts).
//!
//! The token store (issue 19): saving an account (with its `GET 2/users/me`),
//! listing, a config from the store, changing the default and removing, with an
//! OAuth 1.0a account and an OAuth 2.0 one whose tokens are needles too.

mod support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::ffi::CStr;
use std::net::TcpListener;
use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::OnceLock;

use support::*;
use twfollow::core::signer::percent_encode;
use twfollow::ffi::*;

const CONSUMER_KEY: &CStr = c"freed-memory-consumer-key";
// Characters that percent-encoding changes, so the raw and encoded forms differ.
const CONSUMER_SECRET: &CStr = c"cs/Secret+Value=0123";
const ACCESS_TOKEN: &CStr = c"1500000001-freedMemoryToken";
const TOKEN_SECRET: &CStr = c"ts~Secret&Value!0123";
const OAUTH2_ACCESS: &str = "freedMemoryOAuth2AccessToken0123";
const OAUTH2_REFRESH: &str = "freedMemoryOAuth2RefreshToken4567";

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
static HITS: [AtomicUsize; 8] = [const { AtomicUsize::new(0) }; 8];

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
                        HITS[i].fetch_add(1, Ordering::SeqCst);
                    }
                }
            }
        }
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
    ];
    assert!(found.iter().all(|(_, needle)| needle.len() >= 20));
    found
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
    ARMED.store(true, Ordering::SeqCst);
    drop(std::hint::black_box(TOKEN_SECRET.to_bytes().to_vec()));
    ARMED.store(false, Ordering::SeqCst);
    assert_eq!(hits(), [("token secret", 1)]);

    ARMED.store(true, Ordering::SeqCst);
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
    ARMED.store(false, Ordering::SeqCst);

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
    assert_eq!(hits(), [], "secrets found in freed heap blocks");
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
    // An OAuth 2.0 account beside it, written as a newer process would have.
    std::fs::create_dir_all(&dir).unwrap();
    let oauth2 = format!(
        r#"{{"version":1,"apps":{{"client":{{"client_id":"client"}}}},"accounts":{{"grant":{{"app":"client","kind":"oauth2","user_id":"1500000002","screen_name":"grant","access_token":"{OAUTH2_ACCESS}","refresh_token":"{OAUTH2_REFRESH}","expires_at":4000000000,"scope":"follows.write"}}}}}}"#
    );
    std::fs::write(&store, oauth2).unwrap();
    std::fs::set_permissions(&store, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();

    ARMED.store(true, Ordering::SeqCst);
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
    let mut opened = [TwStatus::Internal; 2];
    for (slot, account) in opened.iter_mut().zip([c"freed_memory", c"grant"]) {
        let mut stored = ptr::null_mut();
        *slot = unsafe { tw_config_from_store(store_c.as_ptr(), account.as_ptr(), &mut stored) };
        unsafe { tw_config_free(stored) };
    }
    let defaulted = unsafe { tw_store_set_default(store_c.as_ptr(), c"grant".as_ptr()) };
    let removed = unsafe { tw_store_remove(store_c.as_ptr(), c"freed_memory".as_ptr()) };
    ARMED.store(false, Ordering::SeqCst);

    assert_eq!(saved, TwStatus::Ok, "{:?}", last());
    assert_eq!(
        (listed, opened, defaulted, removed),
        (TwStatus::Ok, [TwStatus::Ok; 2], TwStatus::Ok, TwStatus::Ok)
    );
    assert_eq!(me.requests().len(), 1, "one GET 2/users/me");
    let kept = std::fs::read_to_string(&store).unwrap();
    assert!(kept.contains(OAUTH2_REFRESH) && !kept.contains("freed_memory"));
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(hits(), [], "secrets found in freed heap blocks");
}
