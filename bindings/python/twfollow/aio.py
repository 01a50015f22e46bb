"""AsyncClient: the Client's calls as coroutines, for asyncio programs.

Each call runs the blocking C call in one of the client's worker threads (ctypes
releases the GIL while it runs), so the event loop goes on meanwhile. Each coroutine and
constructor is written out with its Client twin's signature, so that mypy --strict checks
calls to it (a misspelt keyword is an error), and takes the twin's docstring; a test fails
when a signature differs, or when Client gains a public member this module does not
mirror (CALLS, CONSTRUCTORS, BY_HAND).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import os
from typing import Any, Callable, Dict, NamedTuple, Optional, Tuple, TypeVar, Union

from . import trace as _trace
from ._tokens import TokenHandler
from .client import (
    Client,
    DayBudgets,
    RateLimit,
    last_day_budgets,
    last_rate_limit,
    last_request_count,
)
from .errors import InvalidArgumentError, Status, TwError

# Client methods that talk to the API: each has a coroutine twin of the same name,
# signature and docstring that runs it in a worker thread.
CALLS = (
    "follow",
    "follow_json",
    "follow_detailed",
    "unfollow",
    "unfollow_json",
    "relationship",
    "relationship_json",
    "me",
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


_T = TypeVar("_T")
_F = TypeVar("_F", bound=Callable[..., Any])


def _docs_of(method: Callable[..., Any]) -> Callable[[_F], _F]:
    """Gives the twin its Client method's docstring; the signature is the twin's own,
    written out so that type checkers see it (a test compares the two)."""

    def copy(twin: _F) -> _F:
        twin.__doc__ = method.__doc__
        return twin

    return copy


def _keywords(arguments: Dict[str, Any]) -> Dict[str, Any]:
    """A twin's arguments (`locals()` at its start) for its Client twin: without self,
    cls and max_workers."""
    return {name: value for name, value in arguments.items() if name not in ("self", "cls", "max_workers")}


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

    def __init__(
        self,
        consumer_key: str,
        consumer_secret: str,
        access_token: str,
        access_token_secret: str,
        *,
        base_url: Optional[str] = None,
        timeout: Optional[float] = None,
        user_agent: Optional[str] = None,
        ca_file: Optional[str] = None,
        proxy: Optional[str] = None,
        max_retries: Optional[int] = None,
        max_wait: Optional[float] = None,
        api_version: Union[int, str, None] = None,
        trace: Union[bool, _trace.TraceHook, None] = None,
        max_workers: int = DEFAULT_MAX_WORKERS,
    ) -> None:
        self._adopt(Client(**_keywords(locals())), max_workers)

    @classmethod
    @_docs_of(Client.from_env)
    def from_env(
        cls,
        *,
        base_url: Optional[str] = None,
        timeout: Optional[float] = None,
        user_agent: Optional[str] = None,
        ca_file: Optional[str] = None,
        proxy: Optional[str] = None,
        max_retries: Optional[int] = None,
        max_wait: Optional[float] = None,
        api_version: Union[int, str, None] = None,
        on_token_refresh: Optional[TokenHandler] = None,
        trace: Union[bool, _trace.TraceHook, None] = None,
        max_workers: int = DEFAULT_MAX_WORKERS,
    ) -> "AsyncClient":
        return cls._around(Client.from_env(**_keywords(locals())), max_workers)

    @classmethod
    @_docs_of(Client.from_store)
    def from_store(
        cls,
        account: Optional[str] = None,
        store: Union[str, "os.PathLike[str]", None] = None,
        *,
        base_url: Optional[str] = None,
        timeout: Optional[float] = None,
        user_agent: Optional[str] = None,
        ca_file: Optional[str] = None,
        proxy: Optional[str] = None,
        max_retries: Optional[int] = None,
        max_wait: Optional[float] = None,
        api_version: Union[int, str, None] = None,
        on_token_refresh: Optional[TokenHandler] = None,
        trace: Union[bool, _trace.TraceHook, None] = None,
        max_workers: int = DEFAULT_MAX_WORKERS,
    ) -> "AsyncClient":
        return cls._around(Client.from_store(**_keywords(locals())), max_workers)

    @classmethod
    @_docs_of(Client.oauth2)
    def oauth2(
        cls,
        client_id: str,
        access_token: str,
        refresh_token: Optional[str] = None,
        expires_at: int = 0,
        *,
        client_secret: Optional[str] = None,
        on_token_refresh: Optional[TokenHandler] = None,
        base_url: Optional[str] = None,
        timeout: Optional[float] = None,
        user_agent: Optional[str] = None,
        ca_file: Optional[str] = None,
        proxy: Optional[str] = None,
        max_retries: Optional[int] = None,
        max_wait: Optional[float] = None,
        trace: Union[bool, _trace.TraceHook, None] = None,
        max_workers: int = DEFAULT_MAX_WORKERS,
    ) -> "AsyncClient":
        return cls._around(Client.oauth2(**_keywords(locals())), max_workers)

    @classmethod
    def _around(cls, client: Client, max_workers: int) -> "AsyncClient":
        made = cls.__new__(cls)
        made._adopt(client, max_workers)
        return made

    # The calls: each runs its Client twin in a worker thread (see _call).

    @_docs_of(Client.follow)
    async def follow(self, target: Union[str, int], notify: bool = False) -> Dict[str, Any]:
        return await self._call(self._client.follow, target, notify)

    @_docs_of(Client.follow_json)
    async def follow_json(self, target: Union[str, int], notify: bool = False) -> str:
        return await self._call(self._client.follow_json, target, notify)

    @_docs_of(Client.follow_detailed)
    async def follow_detailed(self, target: Union[str, int], notify: bool = False) -> Tuple[Dict[str, Any], bool]:
        return await self._call(self._client.follow_detailed, target, notify)

    @_docs_of(Client.unfollow)
    async def unfollow(self, target: Union[str, int]) -> Dict[str, Any]:
        return await self._call(self._client.unfollow, target)

    @_docs_of(Client.unfollow_json)
    async def unfollow_json(self, target: Union[str, int]) -> str:
        return await self._call(self._client.unfollow_json, target)

    @_docs_of(Client.relationship)
    async def relationship(self, target: Union[str, int]) -> Dict[str, Any]:
        return await self._call(self._client.relationship, target)

    @_docs_of(Client.relationship_json)
    async def relationship_json(self, target: Union[str, int]) -> str:
        return await self._call(self._client.relationship_json, target)

    @_docs_of(Client.me)
    async def me(self) -> Dict[str, str]:
        return await self._call(self._client.me)

    @_docs_of(Client.refresh)
    async def refresh(self) -> Dict[str, Any]:
        return await self._call(self._client.refresh)

    @_docs_of(Client.revoke)
    async def revoke(self, token: str) -> None:
        return await self._call(self._client.revoke, token)

    @_docs_of(Client.access_token)
    async def access_token(self) -> str:
        return await self._call(self._client.access_token)

    async def _call(self, method: Callable[..., _T], *args: Any) -> _T:
        """Runs `method(*args)` in a worker thread; the task's last_* values follow it."""
        outcome = await self._run(method, args, {})
        if outcome.responded:
            _last_rate_limit.set(outcome.rate_limit)
            _last_day_budgets.set(outcome.day_budgets)
        _last_request_count.set(outcome.request_count)
        if outcome.error is not None:
            raise outcome.error
        value: _T = outcome.value
        return value

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
