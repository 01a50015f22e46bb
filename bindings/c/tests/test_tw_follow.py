"""tw-follow, the C command-line tool, end to end (TW_FOLLOW_BIN, default build/tw-follow;
scripts/test.sh gives an ASan+UBSan build)."""

from __future__ import annotations

import json

import pytest
from conftest import tw_follow


def run(args, env, drop=()):
    return tw_follow().run(args, env, drop=drop)


def test_follow_prints_json(sandbox_env):
    result = run(["--notify", "--timeout-ms", "5000", "@twitterdev"], sandbox_env)
    assert result.returncode == 0, result.stderr
    user = json.loads(result.stdout)
    assert (user["id"], user["notifications"]) == (2244994945, True)
    assert result.stderr == ""


def test_quiet_prints_nothing(sandbox_env):
    result = run(["--quiet", "2244994945"], sandbox_env)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


@pytest.mark.parametrize(
    "args,code,stderr",
    [
        (["--base-url", "http://example.com", "twitterdev"], 78, "tw-follow: invalid base URL"),
        (["--timeout-ms", "0", "twitterdev"], 64, "tw-follow: --timeout-ms needs"),
        (["--timeout-ms", "4294967296", "twitterdev"], 64, "tw-follow: --timeout-ms needs"),
        (["--ca-file", "/nonexistent.pem", "twitterdev"], 78, "tw-follow: cannot read CA file"),
        (["--proxy", "ftp://u:pw@x", "twitterdev"], 78, "tw-follow: invalid proxy URL"),
        (["--bogus", "twitterdev"], 64, "tw-follow: unknown or incomplete option --bogus"),
        (["a", "b"], 64, "tw-follow: one TARGET only"),
        ([], 64, "tw-follow: no TARGET"),
        (["--base-url"], 64, "tw-follow: unknown or incomplete option --base-url"),
    ],
)
def test_failures_exit_with_their_family_code(sandbox_env, args, code, stderr):
    """The tool's own messages (each status's code and name: test_cli_habits.py's walk of the table)."""
    result = run(args, sandbox_env)
    assert result.returncode == code, result.stderr
    assert result.stderr.startswith(stderr), result.stderr
    assert result.stdout == ""


def test_api_v2(sandbox_env):
    result = run(["--api-version", "2", "@twitterdev"], sandbox_env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"data": {"following": True, "pending_follow": False}}
    from_env = run(["Twitter"], dict(sandbox_env, TW_API_VERSION="2"))
    assert from_env.returncode == 0, from_env.stderr
    assert json.loads(from_env.stdout)["data"]["following"] is True
    assert run(["--api-version", "2", "--notify", "twitterdev"], sandbox_env).returncode == 65
    usage = run(["--api-version", "3", "twitterdev"], sandbox_env)
    assert (usage.returncode, usage.stderr) == (
        64,
        "tw-follow: --api-version must be 1.1, 2 or auto\nTry 'tw-follow --help' for more information.\n",
    )


def test_help_and_version(sandbox_env):
    help_text = run(["--help"], sandbox_env)
    assert help_text.returncode == 0 and "Exit status:" in help_text.stdout
    version = run(["--version"], sandbox_env)
    assert (version.returncode, version.stdout) == (0, "tw-follow (twfollow/0.1.0)\n")
