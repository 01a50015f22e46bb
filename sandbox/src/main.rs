//! The sandbox: a local stand-in for api.twitter.com, on loopback only.
//!
//! ```text
//! cargo run -p twfollow-sandbox -- [--port N] [--user-budget N] [--app-budget N] [--clock-skew SECONDS] [--v2-follow-limit N]
//! ```
//! The first line printed is the base URL (`http://127.0.0.1:PORT`); then one
//! line per request. Credentials it accepts: see the README ("The sandbox").

use std::io::Write;

const USAGE: &str = "usage: sandbox [--port N] [--user-budget N] [--app-budget N] [--max-skew-secs N] [--clock-skew SECONDS] [--fail-first N] [--v2-follow-limit N]";

/// A bad command line: the usage on stderr, exit 64 (EX_USAGE).
fn usage() -> ! {
    eprintln!("{USAGE}");
    std::process::exit(64);
}

fn main() {
    let mut config = twfollow_sandbox::SandboxConfig {
        record: false,
        log: true,
        ..Default::default()
    };
    let mut port = 0u16;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || {
            args.next()
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or_else(|| usage())
        };
        match flag.as_str() {
            "--help" | "-h" => {
                println!("{USAGE}");
                return;
            }
            "--port" => port = u16::try_from(value()).unwrap_or_else(|_| usage()),
            "--user-budget" => config.user_budget = value() as usize,
            "--app-budget" => config.app_budget = value() as usize,
            "--max-skew-secs" => config.max_skew_secs = value(),
            "--fail-first" => config.fail_first = value() as usize,
            "--v2-follow-limit" => {
                config.v2_follow_limit = u32::try_from(value()).unwrap_or_else(|_| usage())
            }
            "--clock-skew" => {
                config.clock_skew_secs = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or_else(|| usage())
            }
            _ => usage(),
        }
    }
    let sandbox = twfollow_sandbox::Sandbox::start(config, port).unwrap_or_else(|e| {
        eprintln!("sandbox: cannot listen on 127.0.0.1:{port}: {e}");
        std::process::exit(1);
    });
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{}", sandbox.base_url());
    let _ = out.flush();
    drop(out);
    loop {
        std::thread::park();
    }
}
