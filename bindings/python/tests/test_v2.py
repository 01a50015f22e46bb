"""API v2 from Python: api_version=, the v2 answer, problem details, rate limits."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import twfollow


@pytest.fixture
def v2(sandbox, account_of):
    with twfollow.Client(*account_of(3), base_url=sandbox.base_url, api_version=2) as client:
        yield client


@pytest.mark.parametrize("target", ["@twitterdev", "twitterdev", "2244994945", 2244994945])
def test_follow_returns_the_v2_answer(v2, target):
    assert v2.follow(target) == {"data": {"following": True, "pending_follow": False}}
    assert v2.last_rate_limit.limit == 50


def test_protected_accounts_stay_pending(v2):
    for _ in range(2):
        answer, pending = v2.follow_detailed("locked_lucy")
        assert (answer["data"]["pending_follow"], pending) == (True, True)
    assert v2.follow_detailed("pending_pat")[1] is True
    assert v2.follow_detailed("Twitter")[1] is False


@pytest.mark.parametrize(
    "target,cls,http_status,message",
    [
        ("nobody_here", twfollow.NotFoundError, 200,
         "HTTP 200: Could not find user with username: [nobody_here]. (looking up @nobody_here)"),
        ("blocker_bob", twfollow.BlockedError, 403,
         "HTTP 403: Forbidden: You have been blocked from following this account at the request of the user."),
        ("sandbox_3", twfollow.ForbiddenError, 403, "HTTP 403: Forbidden: You can't follow yourself."),
    ],
)
def test_refusals_raise_their_class(v2, target, cls, http_status, message):
    with pytest.raises(cls) as caught:
        v2.follow(target)
    assert type(caught.value) is cls
    assert (caught.value.http_status, caught.value.api_code, caught.value.message) == (http_status, 0, message)


def test_notify_is_refused(v2):
    with pytest.raises(twfollow.InvalidArgumentError, match="API v2 cannot turn on notifications"):
        v2.follow("twitterdev", notify=True)


def test_rate_limit(start_sandbox, account_of):
    sandbox = start_sandbox("--v2-follow-limit", "1")
    with twfollow.Client(*account_of(1), base_url=sandbox.base_url, api_version="2") as client:
        client.follow("783214")
        limit = client.last_rate_limit
        assert (limit.limit, limit.remaining) == (1, 0)
        with pytest.raises(twfollow.RateLimitError) as caught:
            client.follow("783214")
        assert caught.value.http_status == 429
        assert caught.value.reset_at == limit.reset_at
        assert f"resets at {limit.reset_at}" in str(caught.value)


@pytest.mark.parametrize("version", [1, "1", "1.1", 2, "2"])
def test_accepted_versions(version, account_of):
    twfollow.Client(*account_of(1), api_version=version).close()


@pytest.mark.parametrize("version", [0, 3, "v2", "2.0", 2.0, 1.1, True])
def test_refused_versions(version, account_of):
    with pytest.raises(ValueError):
        twfollow.Client(*account_of(1), api_version=version)


def test_a_token_without_a_user_id_is_refused_for_v2():
    with pytest.raises(twfollow.InvalidArgumentError, match="numeric prefix") as caught:
        twfollow.Client("ck", "cs", "no-id-in-this-token", "ts", api_version=2)
    assert "no-id-in-this-token" not in str(caught.value)


def test_from_env_reads_the_api_version(sandbox_env):
    env = dict(sandbox_env, TW_API_VERSION="2")
    code = "import twfollow\nwith twfollow.Client.from_env() as c: print(c.follow_json('783214'))"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"data": {"following": True, "pending_follow": False}}
