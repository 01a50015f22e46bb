"""--trace in tw-follow: the wire trace on stderr with curl -v's prefixes (`> ` sent,
`< ` received, `* ` base string and notes), stdout and the exit code unchanged, no secret
shown."""

from __future__ import annotations

import json
import re

import pytest


def trace_lines(stderr: str):
    return [line for line in stderr.splitlines() if line[:2] in ("> ", "< ", "* ")]


def test_a_traced_follow_prints_the_answer_and_the_exchange(cli, sandbox_env, sandbox):
    result = cli.run(["--trace", "twitterdev"], sandbox_env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["id"] == 2244994945
    lines = result.stderr.splitlines()
    assert lines == trace_lines(result.stderr), "stderr holds trace lines only"
    assert lines[0].startswith("* POST&http%3A%2F%2F127.0.0.1%3A")
    assert lines[1] == f"* connected to {sandbox.base_url}"
    assert lines[2] == "> POST /1.1/friendships/create.json HTTP/1.1"
    assert any(line.startswith('> authorization: OAuth oauth_consumer_key="sandbox-consumer-key"') for line in lines)
    assert "< HTTP/1.1 200 OK" in lines
    assert lines.index("< HTTP/1.1 200 OK") > lines.index("> POST /1.1/friendships/create.json HTTP/1.1")


def test_a_refusal_shows_the_body_then_the_status_line(cli, sandbox_env):
    result = cli.run(["--trace", "twitterdev"], dict(sandbox_env, TW_ACCESS_TOKEN_SECRET="wrong-secret"))
    assert result.returncode == 77
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert '< {"errors":[{"code":32,"message":"Could not authenticate you."}]}' in lines
    assert lines[-3] == "* HTTP 401, error 32: Could not authenticate you."
    # Refused before any budget was counted: no 24-hour budgets line.
    assert lines[-2] == "* requests sent: 1"
    assert lines[-1] == "TW_STATUS_AUTH: HTTP 401, error 32: Could not authenticate you."
    assert "wrong-secret" not in result.stderr
    assert "sandbox-consumer-secret" not in result.stderr


VARYING = [
    (re.compile(r"oauth_nonce(%3D|=\")[A-Za-z0-9]{32}"), r"oauth_nonce\1N"),
    (re.compile(r"oauth_timestamp(%3D|=\")\d+"), r"oauth_timestamp\1T"),
    (re.compile(r'oauth_signature="[^"]*"'), 'oauth_signature="S"'),
    (
        re.compile(r"^< (date|x-rate-limit-remaining|x-rate-limit-reset|x-(user|app)-limit-24hour-(remaining|reset)): .*$"),
        r"< \1: V",
    ),
    (re.compile(r"\d+ of (\d+) left, resets at \d+"), r"R of \1 left, resets at T"),
]


def masked(lines):
    out = []
    for line in lines:
        for pattern, replacement in VARYING:
            line = pattern.sub(replacement, line)
        out.append(line)
    return out


def test_the_trace_shows_each_request_and_ends_with_the_summary(cli, sandbox_env):
    result = cli.run(["--trace", "--api-version", "2", "twitterdev"], sandbox_env)
    assert result.returncode == 0, result.stderr
    c_lines = masked(trace_lines(result.stderr))
    assert [line for line in c_lines if line.startswith("> ") and " HTTP/1.1" in line] == [
        "> GET /2/users/by/username/twitterdev HTTP/1.1",
        "> POST /2/users/1500000001/following HTTP/1.1",
    ]
    assert c_lines[-2:] == [
        "* requests sent: 2",
        "* 24-hour budgets: user R of 100000 left, resets at T; app R of 1000000 left, resets at T",
    ]


@pytest.mark.parametrize("password", ["pr0xy-pa55word", "p@ss w/rd:é"])
def test_a_proxy_password_is_never_printed(cli, sandbox_env, connect_proxy, password, tmp_path):
    proxy = connect_proxy("proxy-user", password)
    quoted = "".join(c if c.isascii() and c.isalnum() else "%" + "%".join(f"{b:02X}" for b in c.encode()) for c in password)
    proxy_file = tmp_path / "proxy"
    proxy_file.write_text(f"http://proxy-user:{quoted}@{proxy.address}\n")
    result = cli.run(["--trace", "--proxy-file", str(proxy_file), "twitterdev"], sandbox_env)
    assert result.returncode == 0, result.stderr
    assert proxy.requests and proxy.requests[0][1] is not None  # the proxy got the password
    assert f"* connected to the proxy http://proxy-user:[redacted]@{proxy.address}" in result.stderr
    assert "> CONNECT 127.0.0.1:" in result.stderr
    for form in (password, quoted, proxy.requests[0][1].split()[-1]):
        assert form not in result.stderr


def test_help_names_the_option(cli, sandbox_env):
    result = cli.run(["--help"], sandbox_env)
    assert "--trace" in result.stdout
