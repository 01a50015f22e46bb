"""Unfollow, relationship lookups, refusals of the app or the account (their exception
classes), and api_version="auto", from Python against the sandbox binary."""

from __future__ import annotations

import asyncio

import pytest
import twfollow

# The sandbox's built-in restricted apps (consumer key, secret) and accounts (token, secret).
READ_ONLY_APP = ("sandbox-readonly-key", "sandbox-readonly-secret")
NO_V1_APP = ("sandbox-no-v1-key", "sandbox-no-v1-secret")
UNENROLLED_APP = ("sandbox-unenrolled-key", "sandbox-unenrolled-secret")
SUSPENDED = ("1500000064-sandboxSuspendedToken", "sandbox-token-secret-suspended")
LOCKED = ("1500000326-sandboxLockedToken", "sandbox-token-secret-locked")


def test_unfollow_and_relationship_through_api_1_1(sandbox, account_of):
    with twfollow.Client(*account_of(2), base_url=sandbox.base_url) as client:
        client.follow("Twitter")
        relationship = client.relationship("Twitter")
        assert relationship["target"] == {"id": "783214", "username": "Twitter"}
        assert (relationship["following"], relationship["followed_by"]) == (True, True)
        # API 1.1 says nothing of requests to a public account: the key is absent (unknown).
        assert "follow_request_sent" not in relationship
        assert client.unfollow(783214) == {"target": {"id": "783214", "username": "Twitter"}, "following": False}
        assert client.relationship("@Twitter")["following"] is False
        assert client.relationship_json("pending_pat").count('"follow_request_sent":true') == 1


def test_unfollow_and_relationship_through_api_v2(sandbox, account_of):
    with twfollow.Client(*account_of(3), base_url=sandbox.base_url, api_version=2) as client:
        client.follow("2244994945")
        assert client.relationship(2244994945) == {
            "target": {"id": "2244994945", "username": "twitterdev"},
            "following": True,
            "follow_request_sent": False,
            "follow_request_received": False,
            "followed_by": False,
            "blocking": False,
            "muting": False,
        }
        assert client.unfollow("2244994945") == {"target": {"id": "2244994945"}, "following": False}
        assert client.last_rate_limit.limit == 50
        assert client.relationship("muted_mia")["muting"] is True
        with pytest.raises(twfollow.NotFoundError) as caught:
            client.unfollow("nobody_here")
        assert caught.value.message.endswith("(looking up @nobody_here)")


@pytest.mark.parametrize("target", ["", "bad name", 0, -1, 2**64, True, 1.5, "tw\0dev"])
def test_bad_targets_are_refused(sandbox, account_of, target):
    with twfollow.Client(*account_of(1), base_url=sandbox.base_url) as client:
        for call in (client.unfollow, client.relationship):
            with pytest.raises(twfollow.InvalidArgumentError):
                call(target)


def test_a_closed_client_refuses(account_of):
    client = twfollow.Client(*account_of(1))
    client.close()
    with pytest.raises(twfollow.InvalidArgumentError, match="closed"):
        client.relationship("twitterdev")


READ_ONLY_FIX = (
    "To fix: set the app's permissions to Read and Write in the X developer portal, "
    "then regenerate the access token and secret"
)

# (credentials, api_version, class, HTTP status, Twitter code, end of the message)
REFUSALS = [
    (READ_ONLY_APP + (1,), 1, twfollow.AppPermissionError, 403, 261, READ_ONLY_FIX),
    (READ_ONLY_APP + (1,), 2, twfollow.AppPermissionError, 403, 0, READ_ONLY_FIX),
    (NO_V1_APP + (1,), 1, twfollow.AccessTierError, 403, 453, "(API version auto switches by itself); see docs/x-api-access.md"),
    (UNENROLLED_APP + (1,), 2, twfollow.AccessTierError, 403, 0, "or use API 1.1; see docs/x-api-access.md"),
    (SUSPENDED, 1, twfollow.AccountStateError, 403, 64, "until it is lifted every call fails"),
    (LOCKED, 2, twfollow.AccountStateError, 403, 326, "to unlock it, then try again"),
]


def credentials(spec):
    """(app key, app secret, account n) or (token, secret) of the main app."""
    if isinstance(spec[-1], int):
        key, secret, n = spec
        return (key, secret, f"{1500000000 + n}-sandboxAccessToken{n}", f"sandbox-token-secret-{n}")
    return ("sandbox-consumer-key", "sandbox-consumer-secret") + spec


@pytest.mark.parametrize("spec,api_version,cls,http_status,code,ending", REFUSALS)
def test_refusals_of_the_app_or_account_raise_their_class(sandbox, spec, api_version, cls, http_status, code, ending):
    with twfollow.Client(*credentials(spec), base_url=sandbox.base_url, api_version=api_version) as client:
        with pytest.raises(cls) as caught:
            client.follow("783214")
    error = caught.value
    assert type(error) is cls
    # Not the target's refusal: code that skips a target on ForbiddenError does not skip these.
    assert not isinstance(error, twfollow.ForbiddenError)
    assert (error.http_status, error.api_code) == (http_status, code)
    assert error.message.endswith(ending), error.message
    assert error.status_name == f"TW_STATUS_{twfollow.Status(error.status).name}"


def test_auto_switches_to_v2_when_1_1_refuses_the_access_tier(sandbox):
    with twfollow.Client(*credentials(NO_V1_APP + (1,)), base_url=sandbox.base_url, api_version="auto") as client:
        assert client.follow("783214") == {"data": {"following": True, "pending_follow": False}}
        assert client.relationship("783214")["following"] is True
        assert client.unfollow("783214")["following"] is False


@pytest.mark.parametrize("version", [0, "0", "Auto", "auto2"])
def test_auto_is_spelled_auto(account_of, version):
    with pytest.raises(twfollow.InvalidArgumentError, match="'auto'"):
        twfollow.Client(*account_of(1), api_version=version)


def test_auto_from_the_environment(sandbox_env, monkeypatch):
    monkeypatch.setenv("TW_API_VERSION", "auto")
    for name, value in zip(("TW_CONSUMER_KEY", "TW_CONSUMER_SECRET"), NO_V1_APP):
        monkeypatch.setenv(name, value)
    for name in ("TW_API_BASE", "TW_ACCESS_TOKEN", "TW_ACCESS_TOKEN_SECRET"):
        monkeypatch.setenv(name, sandbox_env[name])
    with twfollow.Client.from_env() as client:
        assert client.follow("Twitter")["data"]["following"] is True


def test_async_client_mirrors_unfollow_and_relationship(sandbox, account_of):
    async def main():
        async with twfollow.AsyncClient(*account_of(2), base_url=sandbox.base_url) as client:
            await client.follow("783214")
            relationships = await asyncio.gather(*(client.relationship("Twitter") for _ in range(20)))
            assert all(r["following"] is True for r in relationships)
            assert await client.unfollow("Twitter") == {"target": {"id": "783214", "username": "Twitter"}, "following": False}
            assert '"following":false' in await client.relationship_json("783214")
            with pytest.raises(twfollow.AccountStateError):
                async with twfollow.AsyncClient(
                    *credentials(SUSPENDED), base_url=sandbox.base_url
                ) as suspended:
                    await suspended.unfollow_json("Twitter")

    asyncio.run(main())


# tw_relationship_ex: the flags as bits for C; Python reads tw_relationship's JSON, so this
# checks the declaration and the C function through ctypes against that JSON.
FLAGS = {
    "following": 1,
    "follow_request_sent": 2,
    "follow_request_received": 4,
    "followed_by": 8,
    "blocking": 16,
    "blocked_by": 32,
    "muting": 64,
}


@pytest.mark.parametrize("api_version", [1, 2])
def test_relationship_ex_bits_match_the_json_through_ctypes(start_sandbox, account_of, api_version):
    import ctypes
    import json

    from twfollow import _native

    lib = _native.lib()
    sandbox = start_sandbox()  # its own: the follow below changes what the others would see
    with twfollow.Client(*account_of(2), base_url=sandbox.base_url, api_version=api_version) as client:
        client.follow("muted_mia")
        config = client._config  # the open client's
        for target in ("Twitter", "muted_mia", "pending_pat", "blocker_bob", "2244994945"):
            expected = client.relationship(target)
            known, set_, out = ctypes.c_uint32(0), ctypes.c_uint32(0), ctypes.c_void_p()
            status = lib.tw_relationship_ex(config, target.encode(), ctypes.byref(known), ctypes.byref(set_),
                                            ctypes.byref(out))
            assert status == twfollow.Status.OK
            assert lib.tw_last_request_count() == 1
            assert json.loads(ctypes.string_at(out.value).decode()) == expected
            lib.tw_string_free(out)
            for name, bit in FLAGS.items():
                assert bool(known.value & bit) == (name in expected), (target, name)
                assert bool(set_.value & bit) == (expected.get(name) is True), (target, name)
        status = lib.tw_relationship_ex(config, b"nobody_here", ctypes.byref(known), ctypes.byref(set_), None)
        assert status == twfollow.Status.NOT_FOUND
