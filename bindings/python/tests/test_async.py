"""twfollow.AsyncClient against the sandbox and scripted servers. Each test runs its
own event loop with asyncio.run (no pytest plugin needed)."""

from __future__ import annotations

import asyncio
import inspect
import time

import pytest
import twfollow
from twfollow import AsyncClient, Client, aio

TWITTERDEV = 2244994945


async def wait_for_requests(server, count: int, seconds: float = 5.0) -> None:
    """Until the scripted server has seen `count` requests."""
    deadline = time.monotonic() + seconds
    while server.requests < count:
        assert time.monotonic() < deadline, f"{server.requests} requests, expected {count}"
        await asyncio.sleep(0.01)


# Client's public members mirrored by hand: close() is aclose() here (and `async with`),
# and the properties; every other public member has a twin of its name.
BY_HAND = {"close": "aclose", "closed": "closed", "last_rate_limit": "last_rate_limit",
           "last_day_budgets": "last_day_budgets", "last_request_count": "last_request_count",
           "tokens": "tokens", "token_refresh_error": "token_refresh_error"}  # fmt: skip
CONSTRUCTORS = ("from_env", "from_store", "oauth2")


def test_every_public_client_member_has_an_async_twin():
    public = {name for name in dir(Client) if not name.startswith("_")}
    for name in public - set(BY_HAND) - set(CONSTRUCTORS):
        twin = getattr(AsyncClient, name)
        assert inspect.iscoroutinefunction(twin), name
        # The twin runs Client's own method in a thread (so its signature is that method's).
        assert twin.__wrapped__ is getattr(Client, name), name
        assert twin.__doc__ == getattr(Client, name).__doc__, name
    max_workers = inspect.Parameter(
        "max_workers", inspect.Parameter.KEYWORD_ONLY, default=aio.DEFAULT_MAX_WORKERS, annotation="int"
    )
    for name in (*CONSTRUCTORS, "__init__"):
        sync, twin = inspect.signature(getattr(Client, name)), inspect.signature(getattr(AsyncClient, name))
        *sync_parameters, options = sync.parameters.values()
        assert list(twin.parameters.values()) == [*sync_parameters, max_workers, options], name
        if name != "__init__":
            assert isinstance(inspect.getattr_static(AsyncClient, name), classmethod), name
    assert inspect.iscoroutinefunction(AsyncClient.aclose)
    for twin in BY_HAND.values():
        assert hasattr(AsyncClient, twin), twin
    assert twfollow.AsyncClient is AsyncClient and "AsyncClient" in twfollow.__all__


def test_two_hundred_concurrent_awaits_on_one_client(start_sandbox, account_of):
    sandbox = start_sandbox()

    async def main():
        async with AsyncClient(*account_of(2), base_url=sandbox.base_url) as client:
            targets = ["blocker_bob" if i % 10 == 0 else "twitterdev" for i in range(200)]
            results = await asyncio.gather(*(client.follow(t) for t in targets), return_exceptions=True)
        assert client.closed
        return targets, results

    targets, results = asyncio.run(main())
    for target, result in zip(targets, results):
        if target == "blocker_bob":
            assert type(result) is twfollow.BlockedError, result
            assert (result.http_status, result.api_code) == (403, 162)
        else:
            assert isinstance(result, dict) and result["id"] == TWITTERDEV, result


@pytest.mark.parametrize(
    "target,cls",
    [
        ("pending_pat", twfollow.AlreadyRequestedError),
        ("blocker_bob", twfollow.BlockedError),
        ("1500000001", twfollow.ForbiddenError),
        ("nosuchuser", twfollow.NotFoundError),
        ("bad name", twfollow.InvalidArgumentError),
        (0, twfollow.InvalidArgumentError),
    ],
)
def test_errors_are_the_clients_exceptions(sandbox, account_of, target, cls):
    with Client(*account_of(1), base_url=sandbox.base_url) as client:
        with pytest.raises(cls) as sync_error:
            client.follow(target)

    async def main():
        async with AsyncClient(*account_of(1), base_url=sandbox.base_url) as client:
            with pytest.raises(cls) as async_error:
                await client.follow(target)
            return async_error.value

    error = asyncio.run(main())
    expected = sync_error.value
    assert type(error) is type(expected) is cls
    assert (error.status, error.status_name, error.http_status, error.api_code, str(error)) == (
        expected.status, expected.status_name, expected.http_status, expected.api_code, str(expected),
    )  # fmt: skip


def test_follow_json_and_follow_detailed(start_sandbox, account_of):
    sandbox = start_sandbox()

    async def main():
        async with AsyncClient(*account_of(1), base_url=sandbox.base_url) as client:
            text = await client.follow_json("Twitter", notify=True)
            assert "https:\\/\\/" in text  # verbatim
            user, pending = await client.follow_detailed("locked_lucy")
            assert (user["screen_name"], pending) == ("locked_lucy", True)
            assert (await client.follow_detailed(TWITTERDEV))[1] is False

    asyncio.run(main())


def test_the_loop_runs_while_a_call_waits_and_the_timeout_holds(scripted, account_of):
    slow = scripted(200, b'{"id":1}', delay=0.6)
    never = scripted(200, b'{"id":1}', delay=3.0)

    async def main():
        ticks = 0

        async def tick():
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        ticker = asyncio.ensure_future(tick())
        async with AsyncClient(*account_of(1), base_url=slow.base_url) as client:
            assert await client.follow("twitterdev") == {"id": 1}
        during_call = ticks
        async with AsyncClient(*account_of(1), base_url=never.base_url, timeout=0.2) as client:
            started = time.monotonic()
            with pytest.raises(twfollow.TimeoutError):
                await client.follow("twitterdev")
            took = time.monotonic() - started
        ticker.cancel()
        return during_call, took

    during_call, took = asyncio.run(main())
    # A blocked loop would not have ticked at all during the 0.6 s call.
    assert during_call > 20, during_call
    assert took < 1.5, took


def test_a_cancelled_await_leaves_the_client_usable(scripted, account_of):
    server = scripted(200, b'{"id":1}', delay=0.5)

    async def main():
        async with AsyncClient(*account_of(1), base_url=server.base_url) as client:
            started = asyncio.ensure_future(client.follow("twitterdev"))
            await wait_for_requests(server, 1)
            started.cancel()
            with pytest.raises(asyncio.CancelledError):
                await started
            # The cancelled call goes on in its thread; the client answers meanwhile.
            assert await client.follow("twitterdev") == {"id": 1}
            assert await client.follow_detailed(1) == ({"id": 1}, False)
        assert server.requests == 3

    asyncio.run(main())


def test_a_call_cancelled_while_waiting_for_a_worker_is_never_sent(scripted, account_of):
    server = scripted(200, b'{"id":1}', delay=0.3)

    async def main():
        async with AsyncClient(*account_of(1), base_url=server.base_url, max_workers=1) as client:
            running = asyncio.ensure_future(client.follow("twitterdev"))
            await wait_for_requests(server, 1)
            waiting = asyncio.ensure_future(client.follow("twitterdev"))
            await asyncio.sleep(0.05)
            waiting.cancel()
            assert await running == {"id": 1}
            with pytest.raises(asyncio.CancelledError):
                await waiting
        assert server.requests == 1

    asyncio.run(main())


def test_aclose_while_calls_run(scripted, account_of):
    server = scripted(200, b'{"id":1}', delay=0.3)

    async def main():
        client = AsyncClient(*account_of(1), base_url=server.base_url, max_workers=4)
        calls = [asyncio.ensure_future(client.follow("twitterdev")) for _ in range(10)]
        await wait_for_requests(server, 1)
        await client.aclose()
        # Every call awaited before the close ran to its end, the queued ones too.
        assert server.requests == 10
        assert await asyncio.gather(*calls) == [{"id": 1}] * 10
        assert client.closed and repr(client) == "<twfollow.AsyncClient closed>"
        with pytest.raises(twfollow.InvalidArgumentError, match="the client is closed"):
            await client.follow("twitterdev")
        await client.aclose()  # idempotent
        assert client._client.closed  # the config itself is released

    asyncio.run(main())
    assert server.requests == 10


def test_aclose_waits_for_a_cancelled_call_still_running(scripted, account_of):
    server = scripted(200, b'{"id":1}', delay=0.5)

    async def main():
        client = AsyncClient(*account_of(1), base_url=server.base_url)
        call = asyncio.ensure_future(client.follow("twitterdev"))
        await wait_for_requests(server, 1)
        call.cancel()
        started = time.monotonic()
        await client.aclose()
        # The call's thread held the config until the answer came.
        return time.monotonic() - started

    assert asyncio.run(main()) > 0.2


def test_last_rate_limit_is_per_task(scripted, account_of):
    headers = {"x-rate-limit-limit": "15", "x-rate-limit-remaining": "14", "x-rate-limit-reset": "4102444800"}
    limited = scripted(200, b'{"id":1}', headers)
    refused = scripted(429, b'{"errors":[{"code":88,"message":"Rate limit exceeded"}]}', dict(headers, **{"x-rate-limit-remaining": "0"}))  # fmt: skip

    async def main():
        async with AsyncClient(*account_of(1), base_url=limited.base_url) as client:
            go = asyncio.Event()

            async def other_task():
                await go.wait()
                return client.last_rate_limit

            other = asyncio.ensure_future(other_task())
            assert client.last_rate_limit is None
            await client.follow("twitterdev")
            assert client.last_rate_limit == twfollow.RateLimit(15, 14, 4102444800)
            with pytest.raises(twfollow.InvalidArgumentError):
                await client.follow("bad name")  # no response: the last one still counts
            assert client.last_rate_limit == twfollow.RateLimit(15, 14, 4102444800)
            go.set()
            assert await other is None  # that task awaited no response
        async with AsyncClient(*account_of(1), base_url=refused.base_url) as client:
            with pytest.raises(twfollow.RateLimitError) as caught:
                await client.follow("twitterdev")
            assert caught.value.reset_at == 4102444800
            assert client.last_rate_limit == twfollow.RateLimit(15, 0, 4102444800)

    asyncio.run(main())


def test_from_env_and_options(sandbox, monkeypatch, account_of):
    for name, value in zip(
        ("TW_CONSUMER_KEY", "TW_CONSUMER_SECRET", "TW_ACCESS_TOKEN", "TW_ACCESS_TOKEN_SECRET"), account_of(1)
    ):
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("TW_API_BASE", sandbox.base_url)

    async def main():
        async with AsyncClient.from_env(timeout=5.0, max_workers=2) as client:
            assert isinstance(client, AsyncClient)
            assert (await client.follow("@twitterdev"))["id"] == TWITTERDEV
        assert client.closed

    asyncio.run(main())
    for bad in (0, -1, True, 1.5, "2"):
        with pytest.raises(twfollow.InvalidArgumentError, match="max_workers"):
            AsyncClient.from_env(max_workers=bad)
    with pytest.raises(twfollow.InvalidArgumentError, match="timeout"):
        AsyncClient(*account_of(1), timeout=0)
    monkeypatch.delenv("TW_ACCESS_TOKEN")
    with pytest.raises(twfollow.InvalidArgumentError, match="TW_ACCESS_TOKEN"):
        AsyncClient.from_env()


# Issue 20, item 1: an async token handler is refused when the client is made, and a
# handler that returns an awaitable never has it dropped silently.


def _oauth2_tokens(sandbox):
    from conftest import CONFIDENTIAL, REDIRECT, visit

    with twfollow.OAuth2Flow(CONFIDENTIAL[0], REDIRECT, client_secret=CONFIDENTIAL[1], base_url=sandbox.base_url) as flow:
        url, _ = flow.authorization_url()
        status, location, _ = visit(url)
        assert status == 302
        return flow.fetch_token(location)


def _oauth2(cls, sandbox, tokens, handler):
    from conftest import CONFIDENTIAL

    return cls.oauth2(CONFIDENTIAL[0], tokens["access_token"], tokens["refresh_token"], tokens["expires_at"],
                      client_secret=CONFIDENTIAL[1], base_url=sandbox.base_url, on_token_refresh=handler)


class _AsyncCallable:
    async def __call__(self, tokens):
        pass


@pytest.mark.parametrize("cls", [Client, AsyncClient])
def test_an_async_def_token_handler_is_refused_when_the_client_is_made(sandbox, cls):
    tokens = _oauth2_tokens(sandbox)
    stored = []

    async def save(tokens):
        stored.append(tokens)

    for handler in (save, _AsyncCallable(), __import__("functools").partial(save)):
        with pytest.raises(TypeError, match="on_token_refresh is an async def function"):
            _oauth2(cls, sandbox, tokens, handler)
    with pytest.raises(TypeError, match="async def"):
        cls.from_env(on_token_refresh=save)
    assert stored == []


def test_an_awaitable_returned_by_a_handler_is_closed_and_reported(sandbox, recwarn, caplog):
    tokens = _oauth2_tokens(sandbox)
    ran = []

    async def save(tokens):
        ran.append(tokens)

    async def main():
        async with _oauth2(AsyncClient, sandbox, tokens, lambda new: save(new)) as client:
            new = await client.refresh()
            return new, client.token_refresh_error

    new, error = asyncio.run(main())
    assert new["refresh_token"] != tokens["refresh_token"]
    assert isinstance(error, TypeError) and "returned an awaitable, which was not run" in str(error)
    assert ran == []
    assert not [w for w in recwarn if "never awaited" in str(w.message)]
    assert "on_token_refresh raised TypeError" in caplog.text


def test_the_documented_async_recipe_stores_before_the_call_returns(sandbox):
    tokens = _oauth2_tokens(sandbox)
    stored = []

    async def save(tokens):
        await asyncio.sleep(0)
        stored.append(tokens["refresh_token"])

    async def main():
        loop = asyncio.get_running_loop()

        def on_token_refresh(tokens):
            asyncio.run_coroutine_threadsafe(save(tokens), loop).result()

        async with _oauth2(AsyncClient, sandbox, tokens, on_token_refresh) as client:
            new = await client.refresh()
            assert stored == [new["refresh_token"]]  # stored before refresh() returned
            assert client.token_refresh_error is None

    asyncio.run(main())
