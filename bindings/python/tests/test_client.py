"""The Python package against the sandbox and scripted servers."""

from __future__ import annotations

import gc
import json
import os
import threading
import time

import pytest
import twfollow
from twfollow import Status


@pytest.fixture
def client(sandbox, account_of):
    with twfollow.Client(*account_of(1), base_url=sandbox.base_url) as client:
        yield client


@pytest.mark.parametrize("target", ["@twitterdev", "twitterdev", "2244994945", 2244994945])
def test_follow_returns_the_user(client, target):
    user = client.follow(target)
    assert user["id"] == 2244994945
    assert user["screen_name"] == "twitterdev"
    assert isinstance(user["status"], dict)


def test_follow_json_is_verbatim_and_notify_is_sent(client):
    text = client.follow_json("Twitter", notify=True)
    assert "https:\\/\\/" in text  # the API's escaped slashes survive
    assert json.loads(text)["notifications"] is True


@pytest.mark.parametrize(
    "target,cls,status,http_status,api_code,message",
    [
        ("pending_pat", twfollow.AlreadyRequestedError, 25, 403, 160, "HTTP 403, error 160: You've already requested to follow pending_pat."),
        ("blocker_bob", twfollow.BlockedError, 26, 403, 162, "HTTP 403, error 162: You have been blocked from following this account at the request of the user."),
        ("1500000001", twfollow.ForbiddenError, 21, 403, 158, "HTTP 403, error 158: You can't follow yourself."),
        ("nosuchuser", twfollow.NotFoundError, 22, 403, 108, "HTTP 403, error 108: Cannot find specified user."),
    ],
)
def test_refusals_raise_their_class(client, target, cls, status, http_status, api_code, message):
    with pytest.raises(cls) as caught:
        client.follow(target)
    err = caught.value
    assert type(err) is cls and isinstance(err, twfollow.TwError)
    assert (err.status, err.http_status, err.api_code, err.message, str(err)) == (
        status, http_status, api_code, message, message,
    )
    assert err.status_name == f"TW_STATUS_{Status(status).name}"


def test_refusal_classes_share_forbidden():
    for cls in (twfollow.AlreadyRequestedError, twfollow.BlockedError, twfollow.FollowLimitError):
        assert issubclass(cls, twfollow.ForbiddenError)
    assert issubclass(twfollow.InvalidArgumentError, ValueError)
    assert issubclass(twfollow.TimeoutError, twfollow.NetworkError)


def test_wrong_secret_is_auth_error(sandbox, account_of):
    key, secret, token, _ = account_of(1)
    with twfollow.Client(key, secret, token, "wrong", base_url=sandbox.base_url) as client:
        with pytest.raises(twfollow.AuthError) as caught:
            client.follow("twitterdev")
    assert (caught.value.http_status, caught.value.api_code) == (401, 32)


def test_follow_limit(start_sandbox, account_of):
    sandbox = start_sandbox("--user-budget", "1")
    with twfollow.Client(*account_of(1), base_url=sandbox.base_url) as client:
        client.follow("user1")
        with pytest.raises(twfollow.FollowLimitError) as caught:
            client.follow("user2")
    assert caught.value.api_code == 161


@pytest.mark.parametrize(
    "status,body,cls",
    [
        (429, b'{"errors":[{"code":88,"message":"Rate limit exceeded"}]}', twfollow.RateLimitError),
        (503, b'{"errors":[{"code":130,"message":"Over capacity"}]}', twfollow.ServerError),
        (502, b"<html>Bad Gateway</html>", twfollow.ServerError),
        (302, b"", twfollow.HTTPError),
        (418, b"", twfollow.HTTPError),
        (200, b"[1, 2]", twfollow.BadResponseError),
        (200, b"not json", twfollow.BadResponseError),
    ],
)
def test_scripted_responses(scripted, status, body, cls, account_of):
    server = scripted(status, body, {"Location": "http://127.0.0.1:9/elsewhere"} if status == 302 else {})
    with twfollow.Client(*account_of(1), base_url=server.base_url) as client:
        with pytest.raises(cls) as caught:
            client.follow("twitterdev")
    assert caught.value.http_status == status


def test_transport_failures(scripted, closed_port, account_of):
    with twfollow.Client(*account_of(1), base_url=f"http://127.0.0.1:{closed_port}") as client:
        with pytest.raises(twfollow.NetworkError) as caught:
            client.follow("twitterdev")
        assert type(caught.value) is twfollow.NetworkError
    slow = scripted(delay=2.0)
    with twfollow.Client(*account_of(1), base_url=slow.base_url, timeout=0.2) as client:
        started = time.monotonic()
        with pytest.raises(twfollow.TimeoutError):
            client.follow("twitterdev")
        assert time.monotonic() - started < 1.5
    with twfollow.Client(*account_of(1), base_url=f"https://127.0.0.1:{closed_port}") as client:
        with pytest.raises(twfollow.NetworkError):
            client.follow("twitterdev")


@pytest.mark.parametrize(
    "target",
    # A target the library refuses, one of 1 MiB; the rest are the binding's own: NULs, ints
    # out of range, other types, a lone surrogate (the library's rules: src/core/proto/target.rs).
    ["bad name", "a" * (1 << 20), "twitter\0dev", "\0", 0, -1, 2**64, True, 1.5, None, b"twitterdev", "\udc80"],
    ids=lambda target: repr(target)[:24],
)
def test_bad_targets_raise_value_error_and_send_nothing(scripted, target, account_of):
    server = scripted(200, b'{"id":1}')
    with twfollow.Client(*account_of(1), base_url=server.base_url) as client:
        with pytest.raises(ValueError) as caught:
            client.follow(target)
    assert isinstance(caught.value, twfollow.InvalidArgumentError)
    assert caught.value.status in (Status.INVALID_ARGUMENT, Status.INVALID_UTF8)
    assert server.requests == 0


def test_int_boundaries(scripted, account_of):
    server = scripted(200, b'{"id":1}')
    with twfollow.Client(*account_of(1), base_url=server.base_url) as client:
        assert client.follow(1) == {"id": 1}
        assert client.follow(2**64 - 1) == {"id": 1}
    assert server.requests == 2


@pytest.mark.parametrize(
    "kwargs",
    [
        {"base_url": "http://example.com"},
        {"base_url": "ftp://127.0.0.1"},
        {"base_url": "http://127.0.0.1\0.evil"},
        {"timeout": 0},
        {"timeout": -1},
        {"timeout": 2**40},
        {"timeout": "5"},
        {"user_agent": ""},
        {"user_agent": "a\nb"},
        {"user_agent": "u" * (1 << 20)},
        {"base_url": "https://" + "a" * (1 << 20)},
    ],
)
def test_bad_options_raise_value_error(kwargs, account_of):
    with pytest.raises(ValueError):
        twfollow.Client(*account_of(1), **kwargs)


@pytest.mark.parametrize("index", range(4))
def test_bad_credentials_raise_value_error(index, account_of):
    for bad in ("", "a\0b", 5, "k" * (1 << 20)):
        credentials = list(account_of(1))
        credentials[index] = bad
        with pytest.raises(ValueError):
            twfollow.Client(*credentials)


def test_close_is_idempotent_and_final(sandbox, account_of):
    client = twfollow.Client(*account_of(1), base_url=sandbox.base_url)
    client.follow("twitterdev")
    client.close()
    client.close()
    assert client.closed
    with pytest.raises(twfollow.InvalidArgumentError, match="closed"):
        client.follow("twitterdev")


def test_del_is_a_fallback(sandbox, account_of, monkeypatch):
    """A client dropped without close() frees its config when collected."""
    lib = twfollow._native.lib()
    free, freed = lib.tw_config_free, []
    monkeypatch.setattr(lib, "tw_config_free", lambda config: (freed.append(config), free(config))[1])
    client = twfollow.Client(*account_of(1), base_url=sandbox.base_url)
    client.follow("twitterdev")
    config = client._config
    del client
    gc.collect()
    assert len(freed) == 1 and freed[0] is config


def test_from_env(sandbox, monkeypatch, account_of):
    for name, value in zip(
        ("TW_CONSUMER_KEY", "TW_CONSUMER_SECRET", "TW_ACCESS_TOKEN", "TW_ACCESS_TOKEN_SECRET"), account_of(1)
    ):
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("TW_API_BASE", sandbox.base_url)
    with twfollow.Client.from_env() as client:
        assert client.follow("twitterdev")["id"] == 2244994945
    monkeypatch.delenv("TW_ACCESS_TOKEN")
    with pytest.raises(twfollow.InvalidArgumentError, match="TW_ACCESS_TOKEN"):
        twfollow.Client.from_env()


def test_the_gil_is_released_while_waiting(scripted, account_of):
    """Another Python thread runs while a follow waits one second on a slow server."""
    server = scripted(200, b'{"id":1}', delay=1.0)
    ticks = 0
    stop = threading.Event()

    def count():
        nonlocal ticks
        while not stop.is_set():
            ticks += 1

    with twfollow.Client(*account_of(1), base_url=server.base_url) as client:
        counter = threading.Thread(target=count)
        counter.start()
        time.sleep(0.05)
        before = ticks
        client.follow("twitterdev")
        during = ticks - before
        stop.set()
        counter.join()
    # Holding the GIL for the whole second would leave the counter almost still.
    assert during > 100_000, during


def test_tls_verification_and_ca_file(scripted, account_of):
    from conftest import TEST_CERT

    server = scripted(200, b'{"id":7}', tls=True)
    with twfollow.Client(*account_of(1), base_url=server.base_url) as client:
        with pytest.raises(twfollow.TLSError):
            client.follow("twitterdev")
    assert server.requests == 0
    with twfollow.Client(*account_of(1), base_url=server.base_url, ca_file=TEST_CERT) as client:
        assert client.follow("twitterdev") == {"id": 7}
    with pytest.raises(twfollow.InvalidArgumentError, match="cannot read CA file"):
        twfollow.Client(*account_of(1), ca_file="/nonexistent.pem")


# Follows per thread: 25 in CI (800 calls, 32 at a time); TW_TORTURE=1 for 200. The same
# with 200 per thread through the C ABI: tests/threads.rs.
FOLLOWS_PER_THREAD = 200 if os.environ.get("TW_TORTURE") == "1" else 25


def test_thirty_two_python_threads_share_one_client(sandbox, account_of):
    """32 threads x FOLLOWS_PER_THREAD follows, refusals among them in every other thread;
    each thread sees its own outcomes."""
    failures = []
    with twfollow.Client(*account_of(3), base_url=sandbox.base_url) as client:

        def work(n):
            for i in range(FOLLOWS_PER_THREAD):
                try:
                    if n % 2 and i % 3 == 0:
                        try:
                            client.follow("blocker_bob")
                            failures.append(f"thread {n} call {i}: blocker_bob was followed")
                        except twfollow.BlockedError as err:
                            if (err.http_status, err.api_code) != (403, 162):
                                failures.append(repr(err))
                    elif client.follow("twitterdev")["id"] != 2244994945:
                        failures.append(f"thread {n} call {i}: wrong user")
                except Exception as err:  # noqa: BLE001 - collected and reported below
                    failures.append(f"thread {n} call {i}: {err!r}")

        threads = [threading.Thread(target=work, args=(n,)) for n in range(32)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert failures == []


def test_follow_detailed_says_pending(start_sandbox, account_of):
    sandbox = start_sandbox()
    with twfollow.Client(*account_of(1), base_url=sandbox.base_url) as client:
        user, pending = client.follow_detailed("locked_lucy")
        assert (user["screen_name"], pending) == ("locked_lucy", True)
        assert client.follow_detailed("twitterdev")[1] is False
        assert client.last_rate_limit is None  # the v1.1 endpoint sends no rate-limit headers


def test_rate_limit_error_has_reset_at(scripted, account_of):
    headers = {"x-rate-limit-limit": "15", "x-rate-limit-remaining": "0", "x-rate-limit-reset": "4102444800"}
    server = scripted(429, b'{"errors":[{"code":88,"message":"Rate limit exceeded"}]}', headers)
    with twfollow.Client(*account_of(1), base_url=server.base_url) as client:
        with pytest.raises(twfollow.RateLimitError) as caught:
            client.follow("twitterdev")
        assert caught.value.reset_at == 4102444800
        assert "resets at 4102444800" in str(caught.value)
        assert client.last_rate_limit == twfollow.RateLimit(15, 0, 4102444800)


def test_clock_skew_is_corrected(start_sandbox, account_of):
    sandbox = start_sandbox("--clock-skew", "-7200")
    with twfollow.Client(*account_of(1), base_url=sandbox.base_url) as client:
        assert client.follow("twitterdev")["id"] == 2244994945
        assert client.follow("twitterdev")["id"] == 2244994945


def test_proxy_option(sandbox, account_of):
    with twfollow.Client(*account_of(1), base_url=sandbox.base_url, proxy="") as client:
        assert client.follow("twitterdev")["id"] == 2244994945
    with pytest.raises(twfollow.InvalidArgumentError) as caught:
        twfollow.Client(*account_of(1), proxy="ftp://user:secret-pw@host")
    assert "secret-pw" not in str(caught.value)


def test_retries(start_sandbox, account_of):
    sandbox = start_sandbox("--fail-first", "2")
    with twfollow.Client(*account_of(1), base_url=sandbox.base_url) as client:
        with pytest.raises(twfollow.ServerError):
            client.follow("twitterdev")  # off by default
    with twfollow.Client(*account_of(1), base_url=sandbox.base_url, max_retries=2, max_wait=5) as client:
        assert client.follow("twitterdev")["id"] == 2244994945  # one more failure, then success
    for bad in ({"max_retries": 11}, {"max_retries": -1}, {"max_retries": True}, {"max_wait": -1}):
        with pytest.raises(ValueError):
            twfollow.Client(*account_of(1), **bad)
