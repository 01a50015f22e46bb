//! The sandbox: a local stand-in for api.twitter.com, on loopback only.
//!
//! ```text
//! cargo run -p twfollow-sandbox -- --help
//! ```
//! The first line printed is the base URL (`http://127.0.0.1:PORT`); then one
//! line per request on stderr. Flags, credentials and endpoints: docs/sandbox.md.
//! `GET /sandbox/requests` answers how many requests it has received.

use std::io::Write;
use std::time::Duration;

use twfollow_sandbox::{Sandbox, SandboxConfig};

/// The help text, with the defaults taken from `SandboxConfig` so they cannot drift.
fn help() -> String {
    let d = SandboxConfig::default();
    format!(
        "\
sandbox: a stand-in for api.twitter.com on 127.0.0.1, for twfollow's demo and tests.
It prints its base URL (http://127.0.0.1:PORT) as the first line on stdout, then logs
one line per request on stderr (queries hidden), until it is stopped.

usage: sandbox [OPTIONS]

options:
  --port N                     listen on 127.0.0.1:N (default 0: any free port)
  --user-budget N              new follows per account per 24 h (default {user})
  --clock-skew SECONDS         run the sandbox's clock SECONDS ahead (negative: behind)
  --fail-first N               answer the first N requests 503, code 130 (default 0)
  --v2-follow-limit N          API v2 follows per user per 15 minutes (default {v2})
  --oauth2-token-lifetime SECS lifetime of OAuth 2.0 access tokens (default {lifetime})
  --oauth2-refresh-delay-ms MS answer a refresh MS ms after rotating the grant (default 0)
  --day-budget N               API requests per account per 24 h, then 429 (default {day})
  --restrict-app LIMIT         what X does not let the main app do (repeatable): read-only,
                               no-v1-access, not-enrolled, credits-depleted,
                               credits-depleted-2026-08, user-not-enrolled, usage-capped
  --record                     keep every request, for GET /sandbox/recorded (tests)
  -h, --help                   print this help and exit

What each flag and limit does, the built-in accounts, apps, clients and endpoints:
docs/sandbox.md.
",
        user = d.user_budget,
        v2 = d.v2_follow_limit,
        lifetime = d.oauth2_token_lifetime_secs,
        day = d.day_budget,
    )
}

/// A bad command line: what is wrong and the usage on stderr, exit 64 (EX_USAGE).
fn usage(problem: &str) -> ! {
    eprintln!("sandbox: {problem}\nusage: sandbox [OPTIONS]; see sandbox --help");
    std::process::exit(64);
}

/// The value after `flag`, parsed.
fn value<T: std::str::FromStr>(flag: &str, args: &mut impl Iterator<Item = String>) -> T {
    let Some(text) = args.next() else {
        usage(&format!("{flag} needs a value"))
    };
    text.parse()
        .unwrap_or_else(|_| usage(&format!("{flag}: {text:?} is not a valid value")))
}

fn main() {
    let mut config = SandboxConfig {
        record: false,
        log: true,
        ..Default::default()
    };
    let mut port = 0u16;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let args = &mut args;
        match flag.as_str() {
            "--help" | "-h" => {
                print!("{}", help());
                return;
            }
            "--port" => port = value(&flag, args),
            "--user-budget" => config.user_budget = value(&flag, args),
            "--clock-skew" => config.clock_skew_secs = value(&flag, args),
            "--fail-first" => config.fail_first = value(&flag, args),
            "--v2-follow-limit" => config.v2_follow_limit = value(&flag, args),
            "--oauth2-token-lifetime" => config.oauth2_token_lifetime_secs = value(&flag, args),
            "--oauth2-refresh-delay-ms" => {
                config.oauth2_refresh_delay = Duration::from_millis(value(&flag, args))
            }
            "--restrict-app" => config.app_limits.push(value(&flag, args)),
            "--record" => config.record = true,
            "--day-budget" => config.day_budget = value(&flag, args),
            other => usage(&format!("unknown option {other:?}")),
        }
    }
    let sandbox = Sandbox::start(config, port).unwrap_or_else(|e| {
        eprintln!("sandbox: cannot listen on 127.0.0.1:{port}: {e}");
        std::process::exit(1);
    });
    // Standard output is line-buffered: the line goes out whole, at once.
    let _ = writeln!(std::io::stdout(), "{}", sandbox.base_url());
    loop {
        std::thread::park();
    }
}
