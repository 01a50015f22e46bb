"""AsyncClient: the Client's calls as coroutines, for asyncio programs.

Each call runs the blocking C call in one of the client's worker threads (ctypes
releases the GIL while it runs), so the event loop goes on meanwhile. The coroutines
are made from the Client's own methods, named in CALLS and CONSTRUCTORS below; a test
fails when Client gains a public member this module does not mirror.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import functools
import inspect
from typing import Any, Callable, Dict, NamedTuple, Optional, Tuple, Type, cast

from .client import (
    Client,
    DayBudgets,
    RateLimit,
    last_day_budgets,
    last_rate_limit,
    last_request_count,
)
from .errors import InvalidArgumentError, Status, TwError

# Client methods that talk to the API: each gets a coroutine twin of the same name,
# signature and docstring that runs it in a worker thread.
CALLS = (
    "follow",
    "follow_json",
    "follow_detailed",
    "unfollow",
    "unfollow_json",
    "relationship",
    "relationship_json",
    "refresh",
    "revoke",
    "access_token",
)
# Client class methods that make a client: the twin makes an AsyncClient around it.
CONSTRUCTORS = ("from_env", "from_store", "oauth2")
# Mirrored by hand: close() is aclose() here (and `async with`); the properties.
BY_HAND = {
    "close": "aclose",
    "closed": "closed",
    "last_rate_limit": "last_rate_limit",
    "last_day_budgets": "last_day_budgets",
    "last_request_count": "last_request_count",
    "tokens": "tokens",
    "token_refresh_error": "token_refresh_error",
}

# The library keeps 64 idle connections per host: one per worker can stay alive.
DEFAULT_MAX_WORKERS = 64

# The rate-limit headers of the last response awaited in the current task.
_last_rate_limit: contextvars.ContextVar[Optional[RateLimit]] = contextvars.ContextVar(
    "twfollow_last_rate_limit", default=None
)
_last_day_budgets: contextvars.ContextVar[Optional[DayBudgets]] = contextvars.ContextVar(
    "twfollow_last_day_budgets", default=None
)
# The requests the last call awaited in the current task sent.
_last_request_count: contextvars.ContextVar[int] = contextvars.ContextVar("twfollow_last_request_count", default=0)


class _Outcome(NamedTuple):
    """What a call did in its worker thread: its value or its error, and whether an
    HTTP response arrived (then `rate_limit` holds that response's headers)."""

    value: Any
    error: Optional[BaseException]
    responded: bool
    rate_limit: Optional[RateLimit]
    day_budgets: Optional[DayBudgets]
    request_count: int


def _run_call(method: Callable[..., Any], args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> _Outcome:
    """Runs in a worker thread: the C library's per-thread state is read here."""
    try:
        value = method(*args, **kwargs)
    except BaseException as error:
        responded = isinstance(error, TwError) and error.http_status != 0
        return _Outcome(
            None,
            error,
            responded,
            last_rate_limit() if responded else None,
            last_day_budgets() if responded else None,
            last_request_count(),
        )
    return _Outcome(value, None, True, last_rate_limit(), last_day_budgets(), last_request_count())


def _call_twin(name: str) -> Callable[..., Any]:
    method = getattr(Client, name)

    @functools.wraps(method)
    async def twin(self: "AsyncClient", *args: Any, **kwargs: Any) -> Any:
        outcome = await self._run(getattr(self._client, name), args, kwargs)
        if outcome.responded:
            _last_rate_limit.set(outcome.rate_limit)
            _last_day_budgets.set(outcome.day_budgets)
        _last_request_count.set(outcome.request_count)
        if outcome.error is not None:
            raise outcome.error
        return outcome.value

    return twin


def _with_max_workers(signature: inspect.Signature, leading: Optional[str] = None) -> inspect.Signature:
    """`signature` with the keyword `max_workers` added (and `leading`, self or cls, first)."""
    parameters = list(signature.parameters.values())
    if leading is not None:
        parameters.insert(0, inspect.Parameter(leading, inspect.Parameter.POSITIONAL_OR_KEYWORD))
    max_workers = inspect.Parameter(
        "max_workers", inspect.Parameter.KEYWORD_ONLY, default=DEFAULT_MAX_WORKERS, annotation="int"
    )
    # Before a **kwargs, if there is one: nothing may follow it.
    at = next((i for i, p in enumerate(parameters) if p.kind is p.VAR_KEYWORD), len(parameters))
    return signature.replace(parameters=[*parameters[:at], max_workers, *parameters[at:]])


def _constructor_twin(name: str) -> "classmethod[Any, Any, AsyncClient]":
    make = getattr(Client, name)

    @functools.wraps(make)
    def twin(cls: Type[AsyncClient], *args: Any, max_workers: int = DEFAULT_MAX_WORKERS, **kwargs: Any) -> AsyncClient:
        client = cls.__new__(cls)
        client._adopt(make(*args, **kwargs), max_workers)
        return client

    twin.__signature__ = _with_max_workers(inspect.signature(make), "cls").replace(  # type: ignore[attr-defined]
        return_annotation="AsyncClient"
    )
    return classmethod(cast(Callable[..., AsyncClient], twin))


class AsyncClient:
    """The Client for asyncio: the same constructors, options and calls, each call a
    coroutine (`await client.follow("@name")`) with the same results and exceptions.

    Calls run in the client's worker threads, at most `max_workers` at a time (more
    awaits wait for a worker; that wait is not part of the timeout). Many tasks may
    await calls on one client at once. Cancelling an await does not stop a call that
    has started: it runs to its end in its thread (the follow may have been made) and
    its result is dropped; the client stays usable. A call still waiting for a worker
    is not sent at all.

    `on_token_refresh` is a plain function, as for Client: it runs in the worker thread
    of the call that refreshed, before that call returns. An `async def` handler is
    refused with TypeError when the client is made; to store with a coroutine, wait
    for it from a plain handler with
    `asyncio.run_coroutine_threadsafe(save(tokens), loop).result()`.

    Close with `await client.aclose()` or `async with`: new calls then raise
    `InvalidArgumentError`, the calls already awaited finish, then the config and the
    threads are released.
    """

    def __init__(self, *args: Any, max_workers: int = DEFAULT_MAX_WORKERS, **kwargs: Any) -> None:
        self._adopt(Client(*args, **kwargs), max_workers)

    __init__.__signature__ = _with_max_workers(inspect.signature(Client.__init__))  # type: ignore[attr-defined]

    def _adopt(self, client: Client, max_workers: int) -> None:
        if isinstance(max_workers, bool) or not isinstance(max_workers, int) or max_workers < 1:
            client.close()
            raise InvalidArgumentError(Status.INVALID_ARGUMENT, "max_workers must be an int of at least 1")
        self._client = client
        self._closing = False
        self._executor = concurrent.futures.ThreadPoolExecutor(max_workers, thread_name_prefix="twfollow")

    async def _run(self, method: Callable[..., Any], args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> _Outcome:
        if self._closing:
            raise InvalidArgumentError(Status.INVALID_ARGUMENT, "the client is closed")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, _run_call, method, args, kwargs)

    async def aclose(self) -> None:
        """Closes the client: new calls raise `InvalidArgumentError` at once; the calls
        already awaited (a cancelled one that has started included) run to their end;
        then the config and the worker threads are released. Idempotent."""
        self._closing = True
        await asyncio.get_running_loop().run_in_executor(None, self._release)

    def _release(self) -> None:
        self._executor.shutdown(wait=True)
        self._client.close()

    @property
    def closed(self) -> bool:
        """Whether `aclose()` was called."""
        return self._closing

    @property
    def last_rate_limit(self) -> Optional[RateLimit]:
        """The rate-limit headers of the last HTTP response awaited in the current task
        (None when it had none, or when the task has awaited no response). A call that
        got no response (refused before sending, network failure) leaves it as it was."""
        return _last_rate_limit.get()

    @property
    def last_day_budgets(self) -> Optional[DayBudgets]:
        """The 24-hour budgets of the last HTTP response awaited in the current task
        (as `last_rate_limit`: a call without a response leaves it as it was)."""
        return _last_day_budgets.get()

    @property
    def last_request_count(self) -> int:
        """How many HTTP requests the last call awaited in the current task sent."""
        return _last_request_count.get()

    @property
    def tokens(self) -> Any:
        """The OAuth 2.0 tokens the client holds now (see `Client.tokens`)."""
        return self._client.tokens

    @property
    def token_refresh_error(self) -> Optional[BaseException]:
        """What `on_token_refresh` last raised (see `Client.token_refresh_error`)."""
        return self._client.token_refresh_error

    async def __aenter__(self) -> "AsyncClient":
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"<twfollow.AsyncClient {'closed' if self._closing else 'open'}>"


for _name in CALLS:
    setattr(AsyncClient, _name, _call_twin(_name))
for _name in CONSTRUCTORS:
    setattr(AsyncClient, _name, _constructor_twin(_name))
