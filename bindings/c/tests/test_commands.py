"""`unfollow TARGET`, `relationship TARGET`, `--api-version auto`, and the exit codes of
refusals of the app or the account, in tw-follow."""

from __future__ import annotations

import json

import pytest

NO_V1_APP = {"TW_CONSUMER_KEY": "sandbox-no-v1-key", "TW_CONSUMER_SECRET": "sandbox-no-v1-secret"}
READ_ONLY_APP = {"TW_CONSUMER_KEY": "sandbox-readonly-key", "TW_CONSUMER_SECRET": "sandbox-readonly-secret"}
UNENROLLED_APP = {"TW_CONSUMER_KEY": "sandbox-unenrolled-key", "TW_CONSUMER_SECRET": "sandbox-unenrolled-secret"}
SUSPENDED = {"TW_ACCESS_TOKEN": "1500000064-sandboxSuspendedToken", "TW_ACCESS_TOKEN_SECRET": "sandbox-token-secret-suspended"}
ACCOUNT_2 = {"TW_ACCESS_TOKEN": "1500000002-sandboxAccessToken2", "TW_ACCESS_TOKEN_SECRET": "sandbox-token-secret-2"}


def test_relationship_and_unfollow_print_their_json(cli, sandbox_env):
    env = dict(sandbox_env, **ACCOUNT_2)
    followed = cli.run(["--quiet", "muted_mia"], env)
    assert followed.returncode == 0, followed.stderr
    relationship = cli.run(["relationship", "@muted_mia"], env)
    assert relationship.returncode == 0, relationship.stderr
    answer = json.loads(relationship.stdout)
    assert answer["target"] == {"id": "1000000004", "username": "muted_mia"}
    assert (answer["following"], answer["muting"]) == (True, True)
    unfollowed = cli.run(["unfollow", "1000000004"], env)
    assert unfollowed.returncode == 0, unfollowed.stderr
    assert json.loads(unfollowed.stdout) == {"target": {"id": "1000000004", "username": "muted_mia"}, "following": False}
    assert json.loads(cli.run(["relationship", "muted_mia"], env).stdout)["following"] is False
    # `follow` may be said too; API v2 by option.
    v2 = cli.run(["--api-version", "2", "relationship", "muted_mia"], env)
    assert v2.returncode == 0, v2.stderr
    assert json.loads(v2.stdout)["follow_request_received"] is False


# (case, arguments, environment changes, exit code, start of stderr): unfollow and
# relationship; a follow's refusals are in test_cli_habits.py's walk of the exit codes, and
# each refusal's status in tests/refusals.rs.
REFUSALS = [
    ("read-only app, unfollow", ["unfollow", "twitterdev"], READ_ONLY_APP, 78, "TW_STATUS_APP_PERMISSION: "),
    ("no Project, API v2", ["--api-version", "2", "relationship", "Twitter"], UNENROLLED_APP, 78,
     "TW_STATUS_ACCESS_TIER: HTTP 403: Client Forbidden: "),
    ("suspended account", ["relationship", "twitterdev"], SUSPENDED, 77, "TW_STATUS_ACCOUNT_STATE: HTTP 403, error 64: "),
    ("no such user", ["relationship", "nobody_here"], {}, 1, "TW_STATUS_NOT_FOUND: HTTP 404, error 50: User not found."),
    ("no such user, unfollow", ["unfollow", "nobody_here"], {}, 1, "TW_STATUS_NOT_FOUND: HTTP 403, error 108: "),
]  # fmt: skip


@pytest.mark.parametrize("case,args,env,code,stderr", REFUSALS, ids=[r[0] for r in REFUSALS])
def test_a_refusal_of_the_app_is_not_a_refusal_of_the_target(cli, sandbox_env, case, args, env, code, stderr):
    result = cli.run(args, dict(sandbox_env, **env))
    assert result.returncode == code, result.stderr
    assert result.stderr.startswith(stderr), result.stderr
    assert result.stdout == ""
    if code in (77, 78):
        assert "To fix: " in result.stderr, result.stderr


def test_api_version_auto(cli, sandbox_env):
    env = dict(sandbox_env, **NO_V1_APP)
    result = cli.run(["--api-version", "auto", "Twitter"], env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"data": {"following": True, "pending_follow": False}}
    from_env = cli.run(["relationship", "Twitter"], dict(env, TW_API_VERSION="auto"))
    assert from_env.returncode == 0, from_env.stderr
    assert json.loads(from_env.stdout)["following"] is True
    # The option wins over a bad variable, as for the other versions.
    assert cli.run(["--api-version", "auto", "unfollow", "Twitter"], dict(env, TW_API_VERSION="3")).returncode == 0


# (case, arguments, exit code)
USAGE = [
    ("a command without its target", ["unfollow"], 64),
    ("relationship without its target", ["relationship"], 64),
    ("two targets after a command", ["unfollow", "a", "b"], 64),
    ("--notify with unfollow", ["--notify", "unfollow", "twitterdev"], 64),
    ("--notify with relationship", ["relationship", "--notify", "twitterdev"], 64),
    ("an unknown API version", ["--api-version", "Auto", "twitterdev"], 64),
    ("a bad target", ["relationship", "bad name"], 65),
    ("a v2 id too long", ["--api-version", "2", "unfollow", "18446744073709551615"], 65),
]


@pytest.mark.parametrize("case,args,code", USAGE, ids=[u[0] for u in USAGE])
def test_usage_errors(cli, sandbox_env, case, args, code):
    result = cli.run(args, sandbox_env)
    assert result.returncode == code, result.stderr
    assert result.stdout == ""


def test_a_user_named_like_a_command(cli, sandbox_env):
    # @unfollow is a screen name; the sandbox has nobody of that name: the follow reached it.
    result = cli.run(["@unfollow"], sandbox_env)
    assert result.returncode == 1
    assert result.stderr.startswith("TW_STATUS_NOT_FOUND: HTTP 403, error 108: "), result.stderr
