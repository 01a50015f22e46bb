//! twfollow's own figures for scripts/bench.sh (which adds the peers and prints the
//! table). Prints one `name value unit` line per figure; never fails on timing.
//!
//! ```text
//! cargo bench --bench bench -- HTTP_URL [HTTPS_URL CA_FILE [N]]
//! ```

#[path = "../tests/support/mod.rs"]
mod support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::ffi::{c_char, c_void, CStr};
use std::hint::black_box;
use std::ptr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use hmac::{Hmac, Mac};
use sha1::Sha1;
use support::{cstr, Config, TempDir};
use twfollow::core::wire::signer::{Credentials, OAuthNonce, SignableRequest, Signer, SigningUrl};
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

/// Best of several rounds, in nanoseconds per call.
fn time_per_call(rounds: usize, per_round: usize, mut f: impl FnMut()) -> f64 {
    (0..rounds)
        .map(|_| {
            let started = Instant::now();
            (0..per_round).for_each(|_| f());
            started.elapsed().as_nanos() as f64 / per_round as f64
        })
        .fold(f64::INFINITY, f64::min)
}

fn signing() {
    let creds = Credentials {
        consumer_key: "xvz1evFS4wEEPTGEFPHBog".into(),
        consumer_secret: "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw".into(),
        access_token: "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb".into(),
        access_token_secret: "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE".into(),
    };
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
    let base = signer
        .sign(&request, &OAuthNonce::fresh(0))
        .base_string()
        .to_owned();
    let key = format!(
        "{}&{}",
        creds.consumer_secret.as_str(),
        creds.access_token_secret.as_str()
    );
    let floor = time_per_call(7, 50_000, || {
        let mut mac = Hmac::<Sha1>::new_from_slice(black_box(key.as_bytes())).unwrap();
        mac.update(black_box(base.as_bytes()));
        black_box(mac.finalize().into_bytes());
    });
    // Signing with a fixed nonce: what a fresh nonce and timestamp add.
    let fixed_nonce = OAuthNonce::fresh(0);
    let fixed = time_per_call(7, 50_000, || {
        black_box(signer.sign(black_box(&request), &fixed_nonce));
    });
    report("sign.twfollow", full, "ns");
    report("sign.with_fixed_nonce", fixed, "ns");
    report("sign.hmac_floor", floor, "ns");
}

/// A config of the bench's OAuth 1.0a account (nginx checks no signature).
fn bench_config(base_url: &str) -> Config {
    let config = Config::new(
        "bench-key",
        "bench-secret",
        "1-bench-token",
        "bench-token-secret",
    );
    assert_eq!(config.set_base_url(base_url), TwStatus::Ok);
    config
}

/// One follow through the C ABI and nothing around it (allocations per follow count it).
fn follow(config: &Config) {
    let mut json: *mut c_char = ptr::null_mut();
    let status = unsafe { tw_follow(config.0, c"2244994945".as_ptr(), false, &mut json) };
    assert_eq!(status, TwStatus::Ok, "{:?}", support::last());
    unsafe { tw_string_free(json) };
}

/// Follows per second over `n` keep-alive follows.
fn throughput(config: &Config, n: usize) -> f64 {
    1e9 / time_per_call(1, n, || follow(config))
}

/// Follows per second, the median of three runs of `n` after a warm-up of `n / 10`.
fn warm_median_rate(config: &Config, n: usize) -> f64 {
    throughput(config, n / 10);
    let mut runs = [0; 3].map(|_| throughput(config, n));
    runs.sort_by(f64::total_cmp);
    runs[1]
}

fn allocations_per_follow(config: &Config) -> f64 {
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    (0..1000).for_each(|_| follow(config));
    (ALLOCATIONS.load(Ordering::Relaxed) - before) as f64 / 1000.0
}

fn rss_peak_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .unwrap();
    kib.trim().trim_end_matches(" kB").parse::<f64>().unwrap() / 1024.0
}

fn memory(base_url: &str, n: usize) {
    let config = bench_config(base_url);
    throughput(&config, n); // connect, warm up
    let allocations = allocations_per_follow(&config);
    report("memory.allocations_per_follow", allocations, "allocs");
    report("memory.peak_rss_after_1k_plus", rss_peak_mib(), "MiB");
    (0..100_000).for_each(|_| follow(&config));
    report("memory.peak_rss_after_100k_more", rss_peak_mib(), "MiB");
}

/// Counts the lines of a traced config (the cheapest hook there is: what is left is
/// the trace's own work).
unsafe extern "C" fn count_line(user_data: *mut c_void, _kind: i32, _line: *const c_char) {
    (*(user_data as *const AtomicU64)).fetch_add(1, Ordering::Relaxed);
}

fn set_trace(config: &Config, hook: TwTraceCallback, user_data: *mut c_void) {
    let status = unsafe { tw_config_set_trace(config.0, hook, user_data) };
    assert_eq!(status, TwStatus::Ok);
}

/// The wire trace's cost (issue 15), in one run: follows per second with no hook (the
/// code path of every call before the trace existed), with a hook set and removed
/// again, and with a hook that only counts lines; each the best of interleaved rounds
/// (report.py gives their ratios to "off"). Allocations per follow with the hook on (off:
/// `memory.allocations_per_follow`). No timing is asserted.
fn trace_cost(base_url: &str, n: usize) {
    static LINES: AtomicU64 = AtomicU64::new(0);
    let lines = &LINES as *const AtomicU64 as *mut c_void;
    let [off, removed, on] = [0; 3].map(|_| bench_config(base_url));
    set_trace(&removed, Some(count_line), lines);
    set_trace(&removed, None, ptr::null_mut());
    set_trace(&on, Some(count_line), lines);
    let per_round = (n / 10).max(100);
    let mut best = [0f64; 3];
    for _ in 0..5 {
        for (config, best) in [&off, &removed, &on].into_iter().zip(&mut best) {
            *best = best.max(throughput(config, per_round));
        }
    }
    let [off_rate, removed_rate, on_rate] = best;
    report("trace.off", off_rate, "follows/s");
    report("trace.removed", removed_rate, "follows/s");
    report("trace.on", on_rate, "follows/s");
    let allocations = allocations_per_follow(&on);
    report("trace.allocations_per_follow_on", allocations, "allocs");
}

/// A new config and one follow, from the token store vs from the environment (the
/// same OAuth 1.0a account; a new connection each time, as a new process would):
/// what reading the store costs (issue 19's target: at most 1 ms more).
fn store_vs_env(base_url: &str, n: usize) {
    let dir = TempDir::new("bench-store");
    let store = dir.store();
    for (name, value) in [
        ("TW_CONSUMER_KEY", "bench-key"),
        ("TW_CONSUMER_SECRET", "bench-secret"),
        ("TW_ACCESS_TOKEN", "1-bench-token"),
        ("TW_ACCESS_TOKEN_SECRET", "bench-token-secret"),
    ] {
        std::env::set_var(name, value);
    }
    // The same account in the store, imported from these variables (nothing is sent).
    let path = cstr(&store);
    let env = c"env".as_ptr();
    let status = unsafe { tw_store_import(path.as_ptr(), env, ptr::null(), ptr::null_mut()) };
    assert_eq!(status, TwStatus::Ok, "{:?}", support::last());
    let open_and_follow = |from_store: bool| {
        let config = if from_store {
            support::from_store(&store, Some("env")).unwrap()
        } else {
            let mut out = ptr::null_mut();
            assert_eq!(unsafe { tw_config_from_env(&mut out) }, TwStatus::Ok);
            Config(out)
        };
        assert_eq!(config.set_base_url(base_url), TwStatus::Ok);
        follow(&config);
    };
    let per_round = (n / 20).max(100);
    // Interleaved rounds, best of each: the machine's noise hits both alike.
    let (mut env_us, mut store_us) = (f64::MAX, f64::MAX);
    for _ in 0..5 {
        env_us = env_us.min(time_per_call(1, per_round, || open_and_follow(false)) / 1e3);
        store_us = store_us.min(time_per_call(1, per_round, || open_and_follow(true)) / 1e3);
    }
    report("store.open_follow_env", env_us, "us");
    report("store.open_follow_store", store_us, "us");
}

/// Collects the durability notes of a traced store-backed config (microseconds).
unsafe extern "C" fn durable_note(user_data: *mut c_void, _kind: i32, line: *const c_char) {
    let line = unsafe { CStr::from_ptr(line) }.to_string_lossy();
    if let Some(rest) = line.split("durable in the store ").nth(1) {
        let us: f64 = rest.split(' ').next().unwrap().parse().unwrap();
        unsafe { &mut *(user_data as *mut Vec<f64>) }.push(us);
    }
}

/// The library's own part of the window in which a kill -9 loses a grant (issue 27):
/// from a refresh's answer read to the new pair durable in the file store (the
/// write, its fsync, the rename and the folder's fsync), beside the whole refresh.
/// Against a sandbox of its own.
fn refresh_window(n: usize) {
    let sandbox = support::start_sandbox();
    let dir = TempDir::new("bench-refresh");
    let signed_in = support::oauth2_config(&sandbox.base_url(), true);
    support::sign_in(&signed_in);
    support::save(&signed_in, &dir.store(), Some("bench")).unwrap();
    let config = support::from_store(&dir.store(), None).unwrap();
    assert_eq!(config.set_base_url(&sandbox.base_url()), TwStatus::Ok);
    let mut notes: Vec<f64> = Vec::with_capacity(n);
    set_trace(
        &config,
        Some(durable_note),
        &mut notes as *mut _ as *mut c_void,
    );
    let started = Instant::now();
    for _ in 0..n {
        assert_eq!(unsafe { tw_oauth2_refresh(config.0) }, TwStatus::Ok);
    }
    let whole_us = started.elapsed().as_secs_f64() * 1e6 / n as f64;
    drop(config);
    notes.sort_by(f64::total_cmp);
    let median = notes[notes.len() / 2];
    report("store.refresh_whole", whole_us, "us");
    report("store.refresh_answer_to_durable_median", median, "us");
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
    let only = |part: &str| std::env::var_os(format!("TWFOLLOW_BENCH_{part}_ONLY")).is_some();
    // Only N keep-alive follows and their rate: one round of scripts/bench.sh's
    // interleaved rounds, or a profiler's run (valgrind --tool=callgrind).
    if only("FOLLOWS") {
        let config = bench_config(base_url);
        throughput(&config, n / 10); // connect, warm up
        report("round.c_api", throughput(&config, n), "follows/s");
        return;
    }
    if only("STORE") {
        store_vs_env(base_url, n);
        return refresh_window(200);
    }
    signing();
    memory(base_url, n);
    store_vs_env(base_url, n);
    refresh_window(200);
    trace_cost(base_url, n);
    if let (Some(https_url), Some(ca_file)) = (args.get(1), args.get(2)) {
        let config = bench_config(https_url);
        let ca_file = cstr(ca_file);
        let status = unsafe { tw_config_set_ca_file(config.0, ca_file.as_ptr()) };
        assert_eq!(status, TwStatus::Ok);
        // Keep-alive follows over HTTPS (the server's certificate signed by `ca_file`).
        report("tls.c_api", warm_median_rate(&config, n), "follows/s");
    }
}
