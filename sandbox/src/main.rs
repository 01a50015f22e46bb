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
one line per request on stderr (query values hidden), until it is stopped.

usage: sandbox [OPTIONS]

options:
  --port N                     listen on 127.0.0.1:N (default 0: any free port)
  --user-budget N              new follows per account per 24 h (default {user})
  --app-budget N               new follows per app per 24 h, all accounts together (default {app})
  --max-skew-secs N            refuse an oauth_timestamp further than N s from the
                               sandbox's clock: 401, code 135 (default {skew})
  --clock-skew SECONDS         run the sandbox's clock SECONDS ahead of the real one
                               (negative: behind), in its checks and its Date header (default 0)
  --fail-first N               answer the first N requests 503, code 130 (default 0)
  --v2-follow-limit N          API v2 follows per user per 15 minutes (default {v2})
  --oauth2-token-lifetime SECS lifetime of the OAuth 2.0 access tokens it issues
                               (default {lifetime}; 0: expired at once)
  --oauth2-refresh-delay-ms MS answer a refresh MS ms after rotating the grant
                               (default 0): X has the new pair, the client not yet
  --day-budget N               API requests per account per 24 h, in the
                               x-user-limit-24hour-* headers of every API answer; then
                               429 (default {day})
  --app-day-budget N           API requests per 24 h of all accounts together, in the
                               x-app-limit-24hour-* headers; then 429 (default {app_day})
  --restrict-app LIMIT         what X does not let the main app do (repeatable):
                               read-only (writes: 403, code 261 / oauth1-permissions),
                               no-v1-access (every API 1.1 request: 403, code 453),
                               not-enrolled (every API v2 request: 403 client-forbidden),
                               credits-depleted (every API request: 402 CreditsDepleted,
                               X's early-2026 form), credits-depleted-2026-08 (the same,
                               402 Payment Required, X's form from August 2026),
                               user-not-enrolled (every API v2 request: 403
                               client-forbidden, the account not enrolled in Pay-per-use),
                               usage-capped (every API request: 429 usage-capped)
  --record                     keep every request, for GET /sandbox/recorded (tests)
  -h, --help                   print this help and exit

Built in whatever the flags: apps restricted each way, a suspended (code 64) and a
locked (code 326) account, and an app-only Bearer token (v2 writes: 403
unsupported-authentication). Accounts, app and client credentials, endpoints:
docs/sandbox.md.
",
        user = d.user_budget,
        app = d.app_budget,
        skew = d.max_skew_secs,
        v2 = d.v2_follow_limit,
        lifetime = d.oauth2_token_lifetime_secs,
        day = d.day_budget,
        app_day = d.app_day_budget,
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
            "--app-budget" => config.app_budget = value(&flag, args),
            "--max-skew-secs" => config.max_skew_secs = value(&flag, args),
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
            "--app-day-budget" => config.app_day_budget = value(&flag, args),
            other => usage(&format!("unknown option {other:?}")),
        }
    }
    let sandbox = Sandbox::start(config, port).unwrap_or_else(|e| {
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
