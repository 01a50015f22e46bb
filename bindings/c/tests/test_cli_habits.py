"""tw-follow's habits as git and curl users expect them (issue 30, items 4 and 5): a usage
error is one line and where the help is, exit 64; every exit code is the one --exit-codes
lists for the status printed (a walk of the table); messages name options, not C
functions; an https:// base URL on a plain-HTTP port is a TLS error that says so, at once;
and `whoami`."""

from __future__ import annotations

import json
import re
import subprocess
import time
from typing import Dict, List, Tuple

import pytest
from conftest import TW_FOLLOW_BIN, pin_of, play_authorize, sanitized

NO_USER = ("TW_ACCESS_TOKEN", "TW_ACCESS_TOKEN_SECRET")


def run(args: List[str], env: Dict[str, str], drop=()) -> subprocess.CompletedProcess:
    env = sanitized({k: v for k, v in env.items() if k not in drop})
    return subprocess.run([TW_FOLLOW_BIN, *args], env=env, capture_output=True, text=True, timeout=60)


def exit_code_table() -> Dict[str, int]:
    lines = subprocess.run([TW_FOLLOW_BIN, "--exit-codes"], capture_output=True, text=True, check=True).stdout
    return {name: int(code) for _, name, code in (line.split(" ") for line in lines.splitlines())}


USAGE_ERRORS = [
    ["--bogus", "twitterdev"],
    ["twitterdev", "--base-url"],
    [],
    ["a", "b"],
    ["--api-version", "3", "twitterdev"],
    ["--timeout-ms", "0", "twitterdev"],
    ["--timeout-ms", "soon", "twitterdev"],
    ["--timeout", "0.0004", "twitterdev"],  # under 1 ms
    ["--timeout", "4294967.2955", "twitterdev"],  # over 2**32-1 ms
    ["--timeout", "nan", "twitterdev"],
    ["--proxy", "", "--proxy-file", "-", "twitterdev"],
    ["unfollow"],
    ["whoami", "x"],
    ["token", "x"],
    ["accounts", "a", "b", "c"],
    ["--revoke", "twitterdev"],
    ["--notify", "unfollow", "twitterdev"],
    ["authorize", "--bogus"],
    ["authorize", "--wait", "0"],
    ["--quiet=1", "twitterdev"],
    ["--api-version=3", "twitterdev"],
    ["authorize", "--wait=0"],
    # Each value is checked as it is read: a later good one does not excuse it, nor does --help.
    ["--timeout-ms", "0", "--timeout", "5", "twitterdev"],
    ["--api-version", "3", "--api-version", "2", "twitterdev"],
    ["--api-version", "3", "--help"],
    ["authorize", "--wait", "0", "--wait", "5"],
]


@pytest.mark.parametrize("args", USAGE_ERRORS, ids=[" ".join(a) or "(none)" for a in USAGE_ERRORS])
def test_a_usage_error_is_short_and_says_where_the_help_is(sandbox_env, args):
    result = run(args, sandbox_env)
    assert result.returncode == 64, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) <= 3, result.stderr
    assert lines[0].startswith("tw-follow"), result.stderr
    assert re.fullmatch(r"Try 'tw-follow( authorize)? --help' for more information\.", lines[-1]), result.stderr
    assert result.stdout == ""


def test_an_option_takes_its_value_after_an_equals_sign_as_git_and_curl_do(sandbox, sandbox_env):
    env = {k: v for k, v in sandbox_env.items() if k != "TW_API_BASE"}
    result = run([f"--base-url={sandbox.base_url}", "--timeout-ms=5000", "--api-version=2", "twitterdev"], env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["data"]["following"] is True
    # A flag given a value is refused, never read as a target: nothing is sent.
    seen = sandbox.requests_seen()
    assert run(["--quiet=twitterdev"], sandbox_env).returncode == 64
    # After `--`, `--base-url=x` would be a target: split nothing there.
    assert run(["--", "--base-url=x"], sandbox_env).returncode == 65
    assert sandbox.requests_seen() == seen



LAST_TIMEOUT_WINS = [
    (["--timeout-ms", "9000", "--timeout", "0.3"], True),
    (["--timeout", "9", "--timeout-ms", "300"], True),
    (["--timeout-ms", "300", "--timeout", "9"], False),
    (["--timeout", "0.3", "--timeout-ms", "9000"], False),
]


@pytest.mark.parametrize("args,times_out", LAST_TIMEOUT_WINS)
def test_of_timeout_and_timeout_ms_the_last_one_given_wins_as_in_curl(sandbox_env, scripted, args, times_out):
    # --timeout is in seconds (0.3 a 300 ms deadline, 9 not 9 ms) and --timeout-ms in
    # milliseconds, whichever comes last: against an answer 0.8 s away, 300 ms times out first.
    server = scripted(200, b"{}", {}, 0.8)
    result = run([*args, "twitterdev"], dict(sandbox_env, TW_API_BASE=server.base_url))
    assert result.stderr.startswith("TW_STATUS_TIMEOUT") == times_out, result.stderr


# How to make each status reach the tool's output: (arguments, environment changes,
# variables dropped, scripted answer or None). {url}: the sandbox, {scripted}: a scripted
# server, {https}: the sandbox's plain-HTTP port as https://, {closed}: a closed port.
CREDITLESS = {"TW_CONSUMER_KEY": "sandbox-creditless-key", "TW_CONSUMER_SECRET": "sandbox-creditless-secret"}
PROVOKED = {
    "TW_STATUS_INVALID_ARGUMENT": (["bad name"], {}, (), None),
    "TW_STATUS_INVALID_UTF8": ([b"tw\xffdev"], {}, (), None),
    "TW_STATUS_NETWORK": (["--base-url", "http://127.0.0.1:{closed}", "twitterdev"], {}, (), None),
    "TW_STATUS_TIMEOUT": (["--timeout-ms", "300", "twitterdev"], {}, (), (200, b"{}", {}, 2.0)),
    "TW_STATUS_TLS": (["--base-url", "{https}", "twitterdev"], {}, (), None),
    "TW_STATUS_AUTH": (["twitterdev"], {"TW_ACCESS_TOKEN_SECRET": "wrong"}, (), None),
    "TW_STATUS_FORBIDDEN": (["twitterdev"], {}, (), (403, b'{"errors":[{"code":999,"message":"no"}]}', {}, 0.0)),
    "TW_STATUS_NOT_FOUND": (["nosuchuser"], {}, (), None),
    "TW_STATUS_RATE_LIMITED": (["twitterdev"], {}, (), (429, b"{}", {}, 0.0)),
    "TW_STATUS_FOLLOW_LIMIT": (["twitterdev"], {}, (), (403, b'{"errors":[{"code":161,"message":"limit"}]}', {}, 0.0)),
    "TW_STATUS_ALREADY_REQUESTED": (["pending_pat"], {}, (), None),
    "TW_STATUS_BLOCKED": (["blocker_bob"], {}, (), None),
    "TW_STATUS_SERVER_ERROR": (["twitterdev"], {}, (), (500, b"{}", {}, 0.0)),
    "TW_STATUS_HTTP_ERROR": (["twitterdev"], {}, (), (302, b"", {"Location": "/x"}, 0.0)),
    "TW_STATUS_BAD_RESPONSE": (["twitterdev"], {}, (), (200, b"[]", {}, 0.0)),
    "TW_STATUS_ACCESS_TIER": (["twitterdev"], {"TW_CONSUMER_KEY": "sandbox-no-v1-key", "TW_CONSUMER_SECRET": "sandbox-no-v1-secret"}, (), None),
    "TW_STATUS_APP_PERMISSION": (["twitterdev"], {"TW_CONSUMER_KEY": "sandbox-readonly-key", "TW_CONSUMER_SECRET": "sandbox-readonly-secret"}, (), None),
    "TW_STATUS_ACCOUNT_STATE": (["twitterdev"], {"TW_ACCESS_TOKEN": "1500000064-sandboxSuspendedToken", "TW_ACCESS_TOKEN_SECRET": "sandbox-token-secret-suspended"}, (), None),
    "TW_STATUS_PAYMENT_REQUIRED": (["twitterdev"], CREDITLESS, (), None),
    "TW_STATUS_USAGE_CAPPED": (["twitterdev"], {"TW_CONSUMER_KEY": "sandbox-capped-key", "TW_CONSUMER_SECRET": "sandbox-capped-secret"}, (), None),
    "TW_STATUS_STORE": (["--account", "nobody", "twitterdev"], {}, (), None),
    # A sandbox of its own, whose main app's users are not enrolled in Pay-per-use.
    "TW_STATUS_USER_NOT_ENROLLED": (["--api-version", "2", "twitterdev"], {}, (), "user-not-enrolled"),
}  # fmt: skip
# Statuses no command line can bring about: a C caller's mistakes (the tool passes no
# NULL), tw_last_rate_limit's own, a callback calling back, a bug; and the unsaved
# refresh, which test_store_cli.py provokes with a store made unwritable mid-run.
NOT_FROM_A_COMMAND_LINE = {
    "TW_STATUS_OK", "TW_STATUS_NULL_ARGUMENT", "TW_STATUS_NO_RATE_LIMIT", "TW_STATUS_REENTERED",
    "TW_STATUS_INTERNAL", "TW_STATUS_TOKENS_NOT_SAVED",
}  # fmt: skip
# Failures of the configuration, which no status of the table names: "tw-follow: ...", 78.
CONFIGURATION = [
    (["twitterdev"], {}, ("TW_CONSUMER_KEY",)),
    (["twitterdev"], {"TW_API_BASE": "http://example.com"}, ()),
    (["twitterdev"], {"TW_API_VERSION": "v2"}, ()),
    (["--base-url", "http://example.com", "twitterdev"], {}, ()),
    (["--ca-file", "/nonexistent.pem", "twitterdev"], {}, ()),
    (["--proxy", "ftp://proxy.invalid", "twitterdev"], {}, ()),
    (["twitterdev"], {}, ("TW_CONSUMER_KEY", "TW_CONSUMER_SECRET", *NO_USER)),
    (["token"], {}, ()),
]


def test_every_status_exits_with_the_code_its_table_lists(sandbox_env, scripted, closed_port, sandbox, start_sandbox):
    table = exit_code_table()
    assert set(PROVOKED) | NOT_FROM_A_COMMAND_LINE == set(table), "a status without a way to provoke it here"
    seen: List[Tuple[str, int]] = []
    for name, (args, changes, drop, answer) in PROVOKED.items():
        if isinstance(answer, str):  # a restriction of the main app (sandbox --restrict-app)
            base = start_sandbox("--restrict-app", answer).base_url
        else:
            base = scripted(*answer).base_url if answer is not None else sandbox.base_url
        values = {"closed": closed_port, "https": sandbox.base_url.replace("http://", "https://"), "url": base}
        args = [a.format(**values) if isinstance(a, str) else a for a in args]
        env = dict(sandbox_env, TW_API_BASE=base, **changes)
        result = subprocess.run([TW_FOLLOW_BIN, *args], env=sanitized({k: v for k, v in env.items() if k not in drop}),
                                capture_output=True, timeout=60)  # fmt: skip
        printed = result.stderr.decode("utf-8", "replace").split(":")[0]
        assert printed == name, (name, result.stderr)
        assert result.stdout == b"", (name, result.stdout)
        assert result.returncode == table[name], (name, result.returncode, table[name], result.stderr)
        seen.append((name, result.returncode))
    assert len(seen) == len(PROVOKED)


@pytest.mark.parametrize("args,changes,drop", CONFIGURATION)
def test_a_configuration_failure_exits_78_without_a_status_of_another_code(sandbox_env, args, changes, drop):
    result = run(args, dict(sandbox_env, **changes), drop)
    assert (result.returncode, result.stdout) == (78, ""), result.stderr
    first = result.stderr.splitlines()[0]
    if first.startswith("TW_STATUS_"):
        assert exit_code_table()[first.split(":")[0]] == 78, first
    else:
        assert first.startswith("tw-follow: "), first


def test_no_message_names_a_c_function(sandbox_env, closed_port):
    for args, changes, drop in CONFIGURATION + [
        (["--base-url", f"http://127.0.0.1:{closed_port}", "whoami"], {}, ()),
        (["--account", "nobody", "whoami"], {}, ()),
        (["accounts", "remove", "nobody"], {}, ()),
    ]:
        result = run(args, dict(sandbox_env, **changes), drop)
        assert result.returncode != 0
        assert not re.search(r"\btw_[a-z0-9_]+", result.stderr), (args, result.stderr)


def test_token_of_oauth1_credentials_says_what_to_do(sandbox_env):
    result = run(["token"], sandbox_env)
    assert result.returncode == 78
    assert "OAuth 1.0a" in result.stderr and "tw-follow authorize --oauth2" in result.stderr, result.stderr


def test_https_on_a_plain_http_port_is_a_tls_error_at_once(sandbox_env, sandbox):
    started = time.monotonic()
    https = sandbox.base_url.replace("http://", "https://")
    result = run(["--timeout-ms", "30000", "--base-url", https, "twitterdev"], sandbox_env)
    assert time.monotonic() - started < 5
    assert result.returncode == 78 == exit_code_table()["TW_STATUS_TLS"]
    assert result.stderr.startswith("TW_STATUS_TLS: ") and "the server does not speak TLS" in result.stderr


# whoami


def test_whoami_prints_who_the_credentials_act_as(sandbox_env, sandbox):
    before = sandbox.requests_seen()
    plain = run(["whoami"], sandbox_env)
    assert (plain.returncode, plain.stdout, plain.stderr) == (0, "@sandbox_me (id 1500000001)\n", "")
    as_json = run(["--api-version", "2", "whoami", "--json"], sandbox_env)
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout) == {"id": "1500000001", "username": "sandbox_me"}
    assert sandbox.requests_seen() - before == 2  # one each: nothing to remember it in
    traced = run(["--trace", "whoami"], sandbox_env)
    assert "> GET /1.1/account/verify_credentials.json" in traced.stderr, traced.stderr
    assert "* requests sent: 1" in traced.stderr
    # A user named whoami is followed with its @.
    assert run(["@whoami"], sandbox_env).stderr.startswith("TW_STATUS_NOT_FOUND: ")


def test_whoami_of_a_stored_account_sends_nothing(sandbox_env, sandbox):
    app_env = {k: v for k, v in sandbox_env.items() if k not in NO_USER}
    code, _, err = play_authorize([TW_FOLLOW_BIN, "authorize"], app_env, pin_of)
    assert code == 0, err
    before = sandbox.requests_seen()
    for args in (["whoami"], ["--account", "sandbox_me", "whoami", "--json"]):
        result = run(args, app_env)
        assert result.returncode == 0, result.stderr
        assert "sandbox_me" in result.stdout and "1500000001" in result.stdout
    assert sandbox.requests_seen() == before
    refused = run(["--account", "nobody", "whoami"], app_env)
    assert refused.returncode == 78 and refused.stderr.startswith("TW_STATUS_STORE: "), refused.stderr
