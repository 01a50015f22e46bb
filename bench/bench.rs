//! twfollow's own figures for scripts/bench.sh (which adds the peers and prints the
//! table). Prints one `name value unit` line per figure; never fails on timing.
//!
//! ```text
//! cargo bench --bench bench -- HTTP_URL [HTTPS_URL CA_FILE [N]]
//! ```

#[path = "refresh_window.rs"]
mod refresh_window;
#[path = "../tests/support/mod.rs"]
mod support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::ffi::{c_char, c_void, CString};
use std::hint::black_box;
use std::ptr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use hmac::{Hmac, Mac};
use sha1::Sha1;
use twfollow::core::wire::signer::{
    base_string_uri, signature_base_string, Credentials, OAuthNonce, SignableRequest, Signer,
    SigningUrl,
};
use twfollow::ffi::*;

/// Counts heap allocations, to report allocations per follow.
struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn report(name: &str, value: f64, unit: &str) {
    println!("{name} {value:.3} {unit}");
}

fn credentials() -> Credentials {
    Credentials {
        consumer_key: "xvz1evFS4wEEPTGEFPHBog".into(),
        consumer_secret: "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw".into(),
        access_token: "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb".into(),
        access_token_secret: "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE".into(),
    }
}

/// Best of several rounds, in nanoseconds per call.
fn time_per_call(rounds: usize, per_round: u32, mut f: impl FnMut()) -> f64 {
    (0..rounds)
        .map(|_| {
            let started = Instant::now();
            for _ in 0..per_round {
                f();
            }
            started.elapsed().as_nanos() as f64 / f64::from(per_round)
        })
        .fold(f64::INFINITY, f64::min)
}

fn signing() {
    let creds = credentials();
    let form = [("follow", "false"), ("user_id", "2244994945")];
    let url = "https://api.twitter.com/1.1/friendships/create.json";
    let signing_url = SigningUrl::parse(url).unwrap();
    let request = SignableRequest {
        method: "POST",
        url: &signing_url,
        form: &form,
    };
    let signer = Signer::new(creds.clone());
    let full = time_per_call(7, 50_000, || {
        black_box(signer.sign(black_box(&request), &OAuthNonce::fresh(0)));
    });
    // The floor: HMAC-SHA1 of the same base string with the same key, nothing else.
    let nonce = OAuthNonce::fresh(0);
    let timestamp = nonce.timestamp.to_string();
    let params = [
        ("oauth_consumer_key", creds.consumer_key.as_str()),
        ("oauth_nonce", &nonce.nonce),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", &timestamp),
        ("oauth_token", &creds.access_token),
        ("oauth_version", "1.0"),
        ("user_id", "2244994945"),
        ("follow", "false"),
    ];
    let base = signature_base_string("POST", &base_string_uri(url).unwrap(), &params);
    let key = format!("{}&{}", creds.consumer_secret, creds.access_token_secret);
    let floor = time_per_call(7, 50_000, || {
        let mut mac = Hmac::<Sha1>::new_from_slice(black_box(key.as_bytes())).unwrap();
        mac.update(black_box(base.as_bytes()));
        black_box(mac.finalize().into_bytes());
    });
    // Where the time goes: a fresh nonce and timestamp alone, and signing with a fixed one.
    let fresh = time_per_call(7, 50_000, || {
        black_box(OAuthNonce::fresh(0));
    });
    let fixed_nonce = OAuthNonce::fresh(0);
    let fixed = time_per_call(7, 50_000, || {
        black_box(signer.sign(black_box(&request), &fixed_nonce));
    });
    report("sign.twfollow", full, "ns");
    report("sign.nonce_and_clock", fresh, "ns");
    report("sign.with_fixed_nonce", fixed, "ns");
    report("sign.hmac_floor", floor, "ns");
    report("sign.base_string_bytes", base.len() as f64, "bytes");
}

struct Config(*mut TwConfig);
unsafe impl Send for Config {}
unsafe impl Sync for Config {}

impl Config {
    fn new(base_url: &str) -> Config {
        let mut out = ptr::null_mut();
        let c = |s: &str| CString::new(s).unwrap();
        let (k, s, t, ts) = (
            c("bench-key"),
            c("bench-secret"),
            c("1-bench-token"),
            c("bench-token-secret"),
        );
        unsafe {
            assert_eq!(
                tw_config_new(k.as_ptr(), s.as_ptr(), t.as_ptr(), ts.as_ptr(), &mut out),
                TwStatus::Ok
            );
            assert_eq!(
                tw_config_set_base_url(out, c(base_url).as_ptr()),
                TwStatus::Ok
            );
        }
        Config(out)
    }

    fn follow(&self) {
        let mut json: *mut c_char = ptr::null_mut();
        let status = unsafe { tw_follow(self.0, c"2244994945".as_ptr(), false, &mut json) };
        assert_eq!(status, TwStatus::Ok, "{:?}", unsafe {
            std::ffi::CStr::from_ptr(tw_last_error_message())
        });
        unsafe { tw_string_free(json) };
    }
}

impl Drop for Config {
    fn drop(&mut self) {
        unsafe { tw_config_free(self.0) };
    }
}

/// Follows per second with `threads` threads sharing one config, `total` follows in all.
fn throughput(config: &Config, threads: usize, total: usize) -> f64 {
    let per_thread = total / threads;
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                for _ in 0..per_thread {
                    config.follow();
                }
            });
        }
    });
    (per_thread * threads) as f64 / started.elapsed().as_secs_f64()
}

fn rss_peak_kib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// The median of three runs of `f`.
fn median_of_3(mut f: impl FnMut() -> f64) -> f64 {
    let mut runs = [f(), f(), f()];
    runs.sort_by(f64::total_cmp);
    runs[1]
}

fn end_to_end(base_url: &str, n: usize) {
    let cold = Instant::now();
    let config = Config::new(base_url);
    config.follow();
    report(
        "cold.first_follow_http",
        cold.elapsed().as_secs_f64() * 1e6,
        "us",
    );

    throughput(&config, 1, n / 10); // warm-up
    report(
        "e2e.c_api",
        median_of_3(|| throughput(&config, 1, n)),
        "follows/s",
    );
    for threads in [1, 2, 4, 8] {
        report(
            &format!("threads.{threads}"),
            throughput(&config, threads, n),
            "follows/s",
        );
    }

    let before = ALLOCATIONS.load(Ordering::Relaxed);
    for _ in 0..1000 {
        config.follow();
    }
    report(
        "memory.allocations_per_follow",
        (ALLOCATIONS.load(Ordering::Relaxed) - before) as f64 / 1000.0,
        "allocs",
    );
    report(
        "memory.peak_rss_after_1k_plus",
        rss_peak_kib() / 1024.0,
        "MiB",
    );
    for _ in 0..100_000 {
        config.follow();
    }
    report(
        "memory.peak_rss_after_100k_more",
        rss_peak_kib() / 1024.0,
        "MiB",
    );
}

/// Keep-alive follows over HTTPS (the server's certificate signed by `ca_file`).
fn https_keep_alive(base_url: &str, ca_file: &str, n: usize) {
    let config = Config::new(base_url);
    let path = CString::new(ca_file).unwrap();
    assert_eq!(
        unsafe { tw_config_set_ca_file(config.0, path.as_ptr()) },
        TwStatus::Ok
    );
    throughput(&config, 1, n / 10); // handshake and warm-up
    report(
        "tls.c_api",
        median_of_3(|| throughput(&config, 1, n)),
        "follows/s",
    );
}

/// Counts the lines of a traced config (the cheapest hook there is: what is left is
/// the trace's own work).
unsafe extern "C" fn count_line(user_data: *mut c_void, _kind: i32, _line: *const c_char) {
    (*(user_data as *const AtomicU64)).fetch_add(1, Ordering::Relaxed);
}

/// The wire trace's cost (issue 15), in one run: follows per second with no hook (the
/// code path of every call before the trace existed), with a hook set and removed
/// again, and with a hook that only counts lines; each the best of interleaved rounds,
/// with its ratio to "off". Allocations per follow, off and on. No timing is asserted.
fn trace_cost(base_url: &str, n: usize) {
    static LINES: AtomicU64 = AtomicU64::new(0);
    let lines = &LINES as *const AtomicU64 as *mut c_void;
    let off = Config::new(base_url);
    let removed = Config::new(base_url);
    let on = Config::new(base_url);
    unsafe {
        assert_eq!(
            tw_config_set_trace(removed.0, Some(count_line), lines),
            TwStatus::Ok
        );
        assert_eq!(
            tw_config_set_trace(removed.0, None, ptr::null_mut()),
            TwStatus::Ok
        );
        assert_eq!(
            tw_config_set_trace(on.0, Some(count_line), lines),
            TwStatus::Ok
        );
    }
    let configs = [&off, &removed, &on];
    let per_round = (n / 10).max(100);
    let mut best = [0f64; 3];
    for _ in 0..5 {
        for (config, best) in configs.iter().zip(&mut best) {
            *best = best.max(throughput(config, 1, per_round));
        }
    }
    let [off_rate, removed_rate, on_rate] = best;
    report("trace.off", off_rate, "follows/s");
    report("trace.removed", removed_rate, "follows/s");
    report("trace.on", on_rate, "follows/s");
    report("trace.removed_over_off", removed_rate / off_rate, "x");
    report("trace.on_over_off", on_rate / off_rate, "x");
    let before = LINES.load(Ordering::Relaxed);
    on.follow();
    report(
        "trace.lines_per_follow",
        (LINES.load(Ordering::Relaxed) - before) as f64,
        "lines",
    );
    for (name, config) in [("off", &off), ("on", &on)] {
        let before = ALLOCATIONS.load(Ordering::Relaxed);
        for _ in 0..1000 {
            config.follow();
        }
        report(
            &format!("trace.allocations_per_follow_{name}"),
            (ALLOCATIONS.load(Ordering::Relaxed) - before) as f64 / 1000.0,
            "allocs",
        );
    }
}

/// A new config and one follow, from the token store vs from the environment (the
/// same OAuth 1.0a account; a new connection each time, as a new process would):
/// what reading the store costs (issue 19's target: at most 1 ms more).
fn store_vs_env(base_url: &str, n: usize) {
    let dir = std::env::temp_dir().join(format!("twfollow-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let store = dir.join("accounts.json");
    std::fs::write(
        &store,
        r#"{"version":1,"default":"bench","apps":{"bench-key":{"consumer_key":"bench-key","consumer_secret":"bench-secret"}},
"accounts":{"bench":{"app":"bench-key","kind":"oauth1","user_id":"1","screen_name":"bench","access_token":"1-bench-token","access_token_secret":"bench-token-secret"}}}"#,
    )
    .unwrap();
    std::fs::set_permissions(&store, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    for (name, value) in [
        ("TW_CONSUMER_KEY", "bench-key"),
        ("TW_CONSUMER_SECRET", "bench-secret"),
        ("TW_ACCESS_TOKEN", "1-bench-token"),
        ("TW_ACCESS_TOKEN_SECRET", "bench-token-secret"),
    ] {
        std::env::set_var(name, value);
    }
    let store_c = CString::new(store.to_str().unwrap()).unwrap();
    let base = CString::new(base_url).unwrap();
    let open_and_follow = |from_store: bool| {
        let mut out = ptr::null_mut();
        let status = unsafe {
            if from_store {
                tw_config_from_store(store_c.as_ptr(), ptr::null(), &mut out)
            } else {
                tw_config_from_env(&mut out)
            }
        };
        assert_eq!(status, TwStatus::Ok);
        assert_eq!(
            unsafe { tw_config_set_base_url(out, base.as_ptr()) },
            TwStatus::Ok
        );
        let config = Config(out);
        config.follow();
    };
    let per_round = (n / 20).max(100) as u32;
    // Interleaved rounds, best of each: the machine's noise hits both alike.
    let (mut env_us, mut store_us) = (f64::MAX, f64::MAX);
    for _ in 0..5 {
        env_us = env_us.min(time_per_call(1, per_round, || open_and_follow(false)) / 1e3);
        store_us = store_us.min(time_per_call(1, per_round, || open_and_follow(true)) / 1e3);
    }
    report("store.open_follow_env", env_us, "us");
    report("store.open_follow_store", store_us, "us");
    report("store.extra_per_open", store_us - env_us, "us");
    report("store.store_over_env", store_us / env_us, "x");
    let _ = std::fs::remove_dir_all(&dir);
}

fn tls() {
    // A server that closes after each answer: every follow pays a fresh TLS handshake.
    let server = support::TlsServer::start(
        b"HTTP/1.1 200 OK\r\ncontent-length: 8\r\nconnection: close\r\n\r\n{\"id\":1}",
    );
    let config = Config::new(&server.base_url());
    let path = CString::new(support::TEST_CERT).unwrap();
    assert_eq!(
        unsafe { tw_config_set_ca_file(config.0, path.as_ptr()) },
        TwStatus::Ok
    );
    let cold = Instant::now();
    config.follow();
    report(
        "cold.first_follow_https",
        cold.elapsed().as_secs_f64() * 1e6,
        "us",
    );
    let n = 300;
    let started = Instant::now();
    for _ in 0..n {
        config.follow();
    }
    report(
        "tls.fresh_connection_follow",
        started.elapsed().as_secs_f64() * 1e6 / f64::from(n),
        "us",
    );
    // A second config in the same process: its first HTTPS follow shows whether TLS set-up is repeated.
    let second = Config::new(&server.base_url());
    assert_eq!(
        unsafe { tw_config_set_ca_file(second.0, path.as_ptr()) },
        TwStatus::Ok
    );
    let started = Instant::now();
    second.follow();
    report(
        "cold.second_config_first_https",
        started.elapsed().as_secs_f64() * 1e6,
        "us",
    );

    // The built-in root store: the first config of the process builds it, later ones share it.
    // (The test server's certificate is not in it, so these calls end in TW_STATUS_TLS.)
    for name in ["tls.webpki_first_config", "tls.webpki_second_config"] {
        let config = Config::new(&server.base_url());
        let started = Instant::now();
        let status = unsafe { tw_follow(config.0, c"2244994945".as_ptr(), false, ptr::null_mut()) };
        assert_eq!(status, TwStatus::Tls);
        report(name, started.elapsed().as_secs_f64() * 1e6, "us");
    }
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let Some(base_url) = args.first() else {
        eprintln!("usage: cargo bench --bench bench -- HTTP_URL [HTTPS_URL CA_FILE [N]]");
        std::process::exit(64);
    };
    let n: usize = args.get(3).and_then(|n| n.parse().ok()).unwrap_or(5_000);
    // Only N keep-alive follows and their rate: one round of scripts/bench.sh's
    // interleaved rounds, or a profiler's run (valgrind --tool=callgrind).
    if std::env::var_os("TWFOLLOW_BENCH_FOLLOWS_ONLY").is_some() {
        let config = Config::new(base_url);
        throughput(&config, 1, n / 10); // connect, warm up
        report("round.c_api", throughput(&config, 1, n), "follows/s");
        return;
    }
    if std::env::var_os("TWFOLLOW_BENCH_STORE_ONLY").is_some() {
        store_vs_env(base_url, n);
        refresh_window::refresh_window(200);
        return;
    }
    // Against its own sandbox: HTTP_URL is not used.
    if std::env::var_os("TWFOLLOW_BENCH_REFRESH_ONLY").is_some() {
        refresh_window::refresh_window(200);
        return;
    }
    signing();
    end_to_end(base_url, n);
    store_vs_env(base_url, n);
    refresh_window::refresh_window(200);
    trace_cost(base_url, n);
    if let (Some(https_url), Some(ca_file)) = (args.get(1), args.get(2)) {
        https_keep_alive(https_url, ca_file, n);
    }
    tls();
}
