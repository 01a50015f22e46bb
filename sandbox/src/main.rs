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

/// The help text (its defaults are `SandboxConfig`'s: a unit test below checks them).
const HELP: &str = include_str!("../data/help.txt");

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
                print!("{HELP}");
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

#[cfg(test)]
mod tests {
    use twfollow_sandbox::SandboxConfig;

    #[test]
    fn the_help_states_the_configured_defaults() {
        let d = SandboxConfig::default();
        for (flag, default) in [
            ("--user-budget", d.user_budget.to_string()),
            ("--fail-first", d.fail_first.to_string()),
            ("--v2-follow-limit", d.v2_follow_limit.to_string()),
            (
                "--oauth2-token-lifetime",
                d.oauth2_token_lifetime_secs.to_string(),
            ),
            (
                "--oauth2-refresh-delay-ms",
                d.oauth2_refresh_delay.as_millis().to_string(),
            ),
            ("--day-budget", d.day_budget.to_string()),
        ] {
            let line = super::HELP
                .lines()
                .find(|l| l.trim_start().starts_with(flag));
            let line = line.unwrap_or_else(|| panic!("the help lacks {flag}"));
            assert!(line.ends_with(&format!("(default {default})")), "{line}");
        }
    }
}
