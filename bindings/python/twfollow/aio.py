"""AsyncClient: the Client's calls as coroutines, each its Client twin run in a worker thread."""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Callable, Coroutine, Optional, Tuple, TypeVar, cast

from ._options import OAuth2Options, Options, Self, StorePath, Unpack
from ._results import DayBudgets, RateLimit, invalid, last_day_budgets, last_rate_limit, last_request_count
from .client import Client, TokenHandler
from .errors import TwError

if TYPE_CHECKING:
    from typing_extensions import Concatenate, ParamSpec

    _P = ParamSpec("_P")

# The library keeps 64 idle connections per host: one per worker can stay alive.
DEFAULT_MAX_WORKERS = 64

# A response's rate-limit headers and 24-hour budgets.
_Response = Tuple[Optional[RateLimit], Optional[DayBudgets]]
# Those of the last response awaited in the current task, and the requests the last call awaited in it sent.
_last_response: ContextVar[_Response] = ContextVar("twfollow_last_response", default=(None, None))
_last_request_count: ContextVar[int] = ContextVar("twfollow_last_request_count", default=0)


def _run_call(
    method: Callable[..., Any], args: Any, kwargs: Any
) -> Tuple[Any, Optional[BaseException], Optional[_Response], int]:
    """In a worker thread: (value, error, the response if any, the request count), read on that thread."""
    value, error = None, None
    try:
        value = method(*args, **kwargs)
    except BaseException as failure:
        error = failure
    responded = error is None or (isinstance(error, TwError) and error.http_status != 0)
    return value, error, (last_rate_limit(), last_day_budgets()) if responded else None, last_request_count()


_T = TypeVar("_T")


def _in_thread(
    method: Callable[Concatenate[Client, _P], _T],
) -> Callable[Concatenate[AsyncClient, _P], Coroutine[Any, Any, _T]]:
    """The coroutine twin of a Client method, typed with its signature: it runs in a worker thread."""

    async def call(self: AsyncClient, /, *args: _P.args, **kwargs: _P.kwargs) -> _T:
        if self._closing:
            raise invalid("the client is closed")
        loop = asyncio.get_running_loop()
        running = loop.run_in_executor(self._executor, _run_call, method, (self._client, *args), kwargs)
        value, error, response, request_count = await running
        if response is not None:
            _last_response.set(response)
        _last_request_count.set(request_count)
        if error is not None:
            raise error
        return cast(_T, value)

    functools.update_wrapper(call, method)
    return call


class AsyncClient:
    """The Client for asyncio, each call a coroutine run in a worker thread. `await aclose()`, or `async with`.
    A cancelled call that has started runs to its end (the follow may have been made)."""

    def __init__(
        self,
        consumer_key: str,
        consumer_secret: str,
        access_token: str,
        access_token_secret: str,
        *,
        max_workers: int = DEFAULT_MAX_WORKERS,
        **options: Unpack[Options],
    ) -> None:
        self._adopt(Client(consumer_key, consumer_secret, access_token, access_token_secret, **options), max_workers)

    @classmethod
    def from_env(
        cls,
        *,
        on_token_refresh: Optional[TokenHandler] = None,
        max_workers: int = DEFAULT_MAX_WORKERS,
        **options: Unpack[Options],
    ) -> AsyncClient:
        """`Client.from_env`, for asyncio."""
        return cls._around(Client.from_env(on_token_refresh=on_token_refresh, **options), max_workers)

    @classmethod
    def from_store(
        cls,
        account: Optional[str] = None,
        store: StorePath = None,
        *,
        on_token_refresh: Optional[TokenHandler] = None,
        max_workers: int = DEFAULT_MAX_WORKERS,
        **options: Unpack[Options],
    ) -> AsyncClient:
        """`Client.from_store`, for asyncio."""
        return cls._around(Client.from_store(account, store, on_token_refresh=on_token_refresh, **options), max_workers)

    @classmethod
    def oauth2(
        cls,
        client_id: str,
        access_token: str,
        refresh_token: Optional[str] = None,
        expires_at: int = 0,
        *,
        client_secret: Optional[str] = None,
        on_token_refresh: Optional[TokenHandler] = None,
        max_workers: int = DEFAULT_MAX_WORKERS,
        **options: Unpack[OAuth2Options],
    ) -> AsyncClient:
        """`Client.oauth2`, for asyncio."""
        client = Client.oauth2(
            client_id,
            access_token,
            refresh_token,
            expires_at,
            client_secret=client_secret,
            on_token_refresh=on_token_refresh,
            **options,
        )
        return cls._around(client, max_workers)

    @classmethod
    def _around(cls, client: Client, max_workers: int) -> AsyncClient:
        made = cls.__new__(cls)
        made._adopt(client, max_workers)
        return made

    # The calls: each its Client twin, run in a worker thread.
    follow = _in_thread(Client.follow)
    follow_json = _in_thread(Client.follow_json)
    follow_detailed = _in_thread(Client.follow_detailed)
    unfollow = _in_thread(Client.unfollow)
    unfollow_json = _in_thread(Client.unfollow_json)
    relationship = _in_thread(Client.relationship)
    relationship_json = _in_thread(Client.relationship_json)
    me = _in_thread(Client.me)
    refresh = _in_thread(Client.refresh)
    revoke = _in_thread(Client.revoke)
    access_token = _in_thread(Client.access_token)

    def _adopt(self, client: Client, max_workers: int) -> None:
        if isinstance(max_workers, bool) or not isinstance(max_workers, int) or max_workers < 1:
            client.close()
            raise invalid("max_workers must be an int of at least 1")
        self._client = client
        self._closing = False
        self._executor = concurrent.futures.ThreadPoolExecutor(max_workers, thread_name_prefix="twfollow")

    async def aclose(self) -> None:
        """Refuses new calls at once; releases the config and the threads after the calls awaited."""
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
        """The rate-limit headers of the last HTTP response awaited in the current task, or None."""
        return _last_response.get()[0]

    @property
    def last_day_budgets(self) -> Optional[DayBudgets]:
        """The 24-hour budgets of the last HTTP response awaited in the current task, or None."""
        return _last_response.get()[1]

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

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"<twfollow.AsyncClient {'closed' if self._closing else 'open'}>"
