//! The `sandbox` binary: its help, its refusals, and a flag that reaches the server.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use support::*;
use twfollow_sandbox::OAUTH2_PUBLIC_CLIENT_ID;

const BINARY: &str = env!("CARGO_BIN_EXE_sandbox");

/// The options `--help` lists, e.g. `--port`.
fn documented_flags(help: &str) -> Vec<String> {
    help.lines()
        .filter_map(|l| l.trim_start().strip_prefix("--"))
        .filter_map(|l| l.split_whitespace().next())
        .map(|flag| format!("--{flag}"))
        .collect()
}

#[test]
fn help_exits_0_and_lists_every_flag() {
    let output = Command::new(BINARY).arg("--help").output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let help = String::from_utf8(output.stdout).unwrap();
    let flags = documented_flags(&help);
    assert_eq!(
        flags,
        [
            "--port",
            "--user-budget",
            "--clock-skew",
            "--fail-first",
            "--v2-follow-limit",
            "--oauth2-token-lifetime",
            "--oauth2-refresh-delay-ms",
            "--day-budget",
            "--restrict-app",
            "--record",
        ]
    );
    // Each listed flag is accepted (with a value where it takes one): none is a stale entry.
    // `--record` takes none: its "x" is an unknown option.
    for flag in flags.iter().filter(|flag| *flag != "--record") {
        let output = Command::new(BINARY)
            .args([flag.as_str(), "x"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(64), "{flag}");
        assert!(stderr.contains("is not a valid value"), "{flag}: {stderr}");
    }
    assert!(help.contains("-h, --help"));
    let short = Command::new(BINARY).arg("-h").output().unwrap();
    assert_eq!(short.status.code(), Some(0));
    assert_eq!(String::from_utf8(short.stdout).unwrap(), help);
}

/// docs/sandbox.md describes every flag the binary has.
#[test]
fn the_documentation_covers_every_flag() {
    let output = Command::new(BINARY).arg("--help").output().unwrap();
    let help = String::from_utf8(output.stdout).unwrap();
    let docs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/sandbox.md"))
        .unwrap();
    for flag in documented_flags(&help) {
        assert!(
            docs.contains(&format!("`{flag}")),
            "docs/sandbox.md lacks {flag}"
        );
    }
}

#[test]
fn bad_command_lines_exit_64() {
    for args in [
        &["--bogus"][..],
        &["--port"],
        &["--port", "70000"],
        &["--oauth2-token-lifetime", "-1"],
        &["--user-budget", "many"],
    ] {
        let output = Command::new(BINARY).args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(64), "{args:?}");
        assert!(output.stdout.is_empty(), "{args:?}");
        assert!(
            String::from_utf8_lossy(&output.stderr).contains("usage: sandbox"),
            "{args:?}"
        );
    }
}

/// Kills the child it holds when dropped, so a failing assertion leaves no server behind.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn oauth2_token_lifetime_reaches_the_token_endpoint() {
    let mut child = Running(
        Command::new(BINARY)
            .args(["--oauth2-token-lifetime", "5"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut line = String::new();
    BufReader::new(child.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line.trim();
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");

    let (verifier, challenge) = pkce_pair();
    let redirect = "http://localhost/cb";
    let reply = get(
        base,
        &format!(
            "/i/oauth2/authorize?{}",
            encode_pairs(&[
                ("response_type", "code"),
                ("client_id", OAUTH2_PUBLIC_CLIENT_ID),
                ("redirect_uri", redirect),
                ("scope", "users.read offline.access"),
                ("state", "s"),
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
            ])
        ),
    );
    assert_eq!(reply.status, 302, "{}", reply.body);
    let code = reply.location_query()["code"].clone();
    let reply = post_form(
        base,
        "/2/oauth2/token",
        &[],
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", redirect),
            ("code_verifier", &verifier),
            ("client_id", OAUTH2_PUBLIC_CLIENT_ID),
        ],
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["expires_in"], 5);
}
