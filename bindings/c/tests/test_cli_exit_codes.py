"""tw-follow's options against the environment: options win over their variables, and the
proxy can come from the environment, a file or standard input without its password in argv.
(Each status its exit code, every usage error 64, every configuration failure 78 and the two
timeout options: test_cli_habits.py.)"""

from __future__ import annotations

import json
import os

import pytest

# Issue 16, item 9: an option wins over its variable, which is then not read at all.


def test_base_url_option_wins_over_a_bad_environment(cli, sandbox_env, sandbox):
    env = dict(sandbox_env, TW_API_BASE="http://example.com")
    result = cli.run(["--base-url", sandbox.base_url, "twitterdev"], env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["screen_name"] == "twitterdev"


def test_api_version_option_wins_over_a_bad_environment(cli, sandbox_env):
    result = cli.run(["--api-version", "1.1", "twitterdev"], dict(sandbox_env, TW_API_VERSION="3"))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["screen_name"] == "twitterdev"


def test_options_win_over_good_variables_too(cli, sandbox_env, sandbox, closed_port):
    env = dict(sandbox_env, TW_API_BASE=f"http://127.0.0.1:{closed_port}", TW_API_VERSION="2")
    result = cli.run(["--base-url", sandbox.base_url, "--api-version", "1.1", "twitterdev"], env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["id"] == 2244994945  # a 1.1 user object, not v2's {"data": ...}


def test_a_variable_no_option_replaces_is_still_read(cli, sandbox_env, sandbox):
    bad_base = cli.run(["--api-version", "1.1", "twitterdev"], dict(sandbox_env, TW_API_BASE="http://example.com"))
    assert bad_base.returncode == 78
    assert bad_base.stderr.startswith(f"{cli.name}: environment variable TW_API_BASE: ")
    bad_version = cli.run(["--base-url", sandbox.base_url, "twitterdev"], dict(sandbox_env, TW_API_VERSION="3"))
    assert bad_version.returncode == 78
    assert bad_version.stderr.startswith(f"{cli.name}: environment variable TW_API_VERSION")
    v2 = cli.run(["--base-url", sandbox.base_url, "twitterdev"], dict(sandbox_env, TW_API_VERSION="2"))
    assert v2.returncode == 0, v2.stderr
    assert json.loads(v2.stdout) == {"data": {"following": True, "pending_follow": False}}


def test_missing_credentials_are_named_with_an_option_given(cli, sandbox_env, sandbox):
    result = cli.run(["--base-url", sandbox.base_url, "twitterdev"], sandbox_env, drop=("TW_ACCESS_TOKEN",))
    assert result.returncode == 78
    assert result.stderr.startswith(f"{cli.name}: ") and "TW_ACCESS_TOKEN" in result.stderr


# Issue 16, item 8: the proxy password need not be on the command line.

PROXY_USER, PROXY_PASSWORD = "proxy-user", "proxy-Pa55-secret"


def sandbox_host(sandbox):
    return sandbox.base_url[len("http://") :]


def assert_tunnelled(proxy, sandbox, result):
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["screen_name"] == "twitterdev"
    destinations = {destination for destination, _ in proxy.requests}
    assert destinations == {sandbox_host(sandbox)}, proxy.requests


def test_proxy_from_a_file(cli, sandbox_env, sandbox, connect_proxy, tmp_path):
    proxy = connect_proxy(PROXY_USER, PROXY_PASSWORD)
    path = tmp_path / "proxy"
    # Blanks and CRLF around the URL are dropped; only the first line counts.
    path.write_text(f"  http://{PROXY_USER}:{PROXY_PASSWORD}@{proxy.address}\r\nsecond line\n")
    os.chmod(path, 0o600)
    result = cli.run(["--proxy-file", str(path), "twitterdev"], sandbox_env)
    assert_tunnelled(proxy, sandbox, result)
    assert result.stderr == ""


def test_proxy_from_standard_input(cli, sandbox_env, sandbox, connect_proxy):
    proxy = connect_proxy(PROXY_USER, PROXY_PASSWORD)
    url = f"http://{PROXY_USER}:{PROXY_PASSWORD}@{proxy.address}"
    result = cli.run(["--proxy-file", "-", "twitterdev"], sandbox_env, input=url)  # no line ending
    assert_tunnelled(proxy, sandbox, result)
    assert result.stderr == ""


def test_proxy_password_in_argv_is_warned_about_without_showing_it(cli, sandbox_env, sandbox, connect_proxy):
    proxy = connect_proxy(PROXY_USER, PROXY_PASSWORD)
    result = cli.run(["--proxy", f"http://{PROXY_USER}:{PROXY_PASSWORD}@{proxy.address}", "twitterdev"], sandbox_env)
    assert_tunnelled(proxy, sandbox, result)
    warning = result.stderr.splitlines()
    assert len(warning) == 1, result.stderr
    assert warning[0].startswith(f"{cli.name}: warning: other users can see the --proxy password (ps)")
    assert "--proxy-file" in warning[0]
    assert PROXY_PASSWORD not in result.stderr


@pytest.mark.parametrize(
    "url",
    ["http://u:{pw}@127.0.0.1:9", "socks5h://u:{pw}@127.0.0.1:9/", "ftp://u:{pw}@proxy.invalid", "u:{pw}@host:1"],
)
def test_warning_never_contains_the_password_even_when_the_proxy_is_refused(cli, sandbox_env, url):
    result = cli.run(["--proxy", url.format(pw="s3cret-pw"), "twitterdev"], sandbox_env)
    assert result.returncode != 0
    assert "warning: other users can see the --proxy password" in result.stderr
    assert "s3cret-pw" not in result.stderr


@pytest.mark.parametrize("url", ["", "http://127.0.0.1:9", "http://user@127.0.0.1:9", "http://user:@127.0.0.1:9"])
def test_no_warning_without_a_password(cli, sandbox_env, url):
    result = cli.run(["--proxy", url, "twitterdev"], sandbox_env)
    assert "warning" not in result.stderr, result.stderr


def test_proxy_from_the_environment(cli, sandbox_env, connect_proxy):
    # The environment's proxy applies to non-loopback hosts only: an https:// name under
    # .invalid, which the proxy refuses to reach (nothing leaves the machine).
    proxy = connect_proxy(PROXY_USER, PROXY_PASSWORD)
    url = f"http://{PROXY_USER}:{PROXY_PASSWORD}@{proxy.address}"
    env = dict(sandbox_env, https_proxy=url, no_proxy="", NO_PROXY="")
    result = cli.run(["--base-url", "https://api.twitter.invalid", "twitterdev"], env)
    assert proxy.requests and proxy.requests[0][0] == "api.twitter.invalid:443", proxy.requests
    assert result.returncode == 69, result.stderr
    assert result.stderr.startswith("TW_STATUS_NETWORK: ")
    assert PROXY_PASSWORD not in result.stderr and "warning" not in result.stderr


@pytest.mark.parametrize(
    "content,problem",
    [
        (b"", "the first line is empty"),
        (b" \t\r\nhttp://127.0.0.1:9\n", "the first line is empty"),
        (b"http://127.0.0.1:9\0x\n", "the first line contains a NUL byte"),
        (b"http://" + b"a" * 8186 + b"\n", "the first line is longer than 8192 bytes"),
    ],
    ids=["empty file", "blank first line", "NUL byte", "8193-byte line"],
)
def test_unusable_proxy_file(cli, sandbox_env, tmp_path, content, problem):
    path = tmp_path / "proxy"
    path.write_bytes(content)
    for source, stdin in ((str(path), None), ("-", content.decode("latin-1"))):
        result = cli.run(["--proxy-file", source, "twitterdev"], sandbox_env, input=stdin)
        assert result.returncode == 78, result.stderr
        assert result.stderr == f"{cli.name}: --proxy-file {source}: {problem}" + (
            ' (for no proxy, pass --proxy "")\n' if "empty" in problem else "\n"
        )


def test_proxy_file_line_of_the_largest_size_is_read(cli, sandbox_env, tmp_path):
    path = tmp_path / "proxy"
    path.write_bytes(b"ftp://" + b"a" * 8186 + b"\n")  # 8192 bytes: read, then refused by the library
    result = cli.run(["--proxy-file", str(path), "twitterdev"], sandbox_env)
    assert result.returncode == 78
    assert result.stderr.startswith(f"{cli.name}: invalid proxy URL"), result.stderr


def test_missing_proxy_file_is_named(cli, sandbox_env, tmp_path):
    path = tmp_path / "absent"
    result = cli.run(["--proxy-file", str(path), "twitterdev"], sandbox_env)
    assert result.returncode == 78
    assert result.stderr == f"{cli.name}: --proxy-file {path}: No such file or directory\n"
