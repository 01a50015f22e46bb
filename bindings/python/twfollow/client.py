"""The Client: one TwConfig (and its connection pool) per instance; the check of its OAuth 2.0 token handler and
the bridge that hands it the rotated tokens from C."""

from __future__ import annotations

import ctypes
import inspect
import logging
import os
import threading
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

from . import _native
from ._options import OAUTH2_OPTION_NAMES, OAuth2Options, Options, Self, StorePath, Unpack, apply_options, check_names
from ._results import (
    MAX_USER_ID,
    DayBudgets,
    RateLimit,
    _encode,
    _encode_optional,
    _parse_object,
    _target_bytes,
    api,
    checked_int,
    invalid,
    strings,
)

# `twfollow.client.last_rate_limit()` and its siblings (docs/python.md):
from ._results import last_day_budgets as last_day_budgets
from ._results import last_rate_limit as last_rate_limit
from ._results import last_request_count as last_request_count
from .errors import TwError

PENDING = 2  # TW_FOLLOW_OUTCOME_PENDING
MAX_EXPIRES_AT = 2**63 - 1  # int64_t


# The variables tw_config_from_env reads that a keyword can replace (include/twfollow.h).
ENV_API_BASE = "TW_API_BASE"
ENV_API_VERSION = "TW_API_VERSION"


def _environment(name: str) -> Optional[str]:
    """A variable as tw_config_from_env reads it: None when unset, empty or not UTF-8."""
    if not os.supports_bytes_environ:
        return os.environ.get(name) or None
    raw = os.environb.get(os.fsencode(name))
    try:
        return raw.decode("utf-8") if raw else None
    except UnicodeDecodeError:
        return None


def _variables_not_replaced(options: Options) -> Dict[str, str]:
    """TW_API_BASE and TW_API_VERSION into `options` where no keyword replaced them: {option: variable}."""
    taken: Dict[str, str] = {}
    if options.get("base_url") is None and (base_url := _environment(ENV_API_BASE)) is not None:
        options["base_url"], taken["base_url"] = base_url, ENV_API_BASE
    if options.get("api_version") is None and (api_version := _environment(ENV_API_VERSION)) is not None:
        options["api_version"], taken["api_version"] = api_version.strip(), ENV_API_VERSION
    return taken


logger = logging.getLogger("twfollow")

# A plain function: it runs to completion inside the library's call that refreshed,
# before that call returns. A coroutine function is refused (see check_handler).
TokenHandler = Callable[[Dict[str, Any]], None]

ASYNC_HANDLER_ADVICE = (
    "on_token_refresh must be a plain function that stores the tokens before it returns: the library calls it "
    "inside the call that refreshed, where a coroutine would never run. With AsyncClient, store from a plain "
    "function, e.g. asyncio.run_coroutine_threadsafe(save(tokens), loop).result() (the call runs in a worker "
    "thread, so the loop is free to run it)"
)


def check_handler(handler: object) -> None:
    """Refuses a handler that could never store the tokens: one not callable, or an `async def` one."""
    if not callable(handler):
        raise invalid(f"on_token_refresh must be callable, not {type(handler).__name__}")
    call = inspect.getattr_static(type(handler), "__call__", None)
    if inspect.iscoroutinefunction(handler) or inspect.iscoroutinefunction(call):
        raise TypeError(f"on_token_refresh is an async def function: {ASYNC_HANDLER_ADVICE}")


class TokenCallback:
    """The C token callback (kept alive with the config): `handler`'s exception is logged and kept in `error`."""

    def __init__(self, handler: TokenHandler) -> None:
        # Checked (check_handler) before the client was made. Typed to return None, but an untyped caller
        # may pass anything.
        self.handler: Callable[[Dict[str, Any]], object] = handler
        self.error: Optional[BaseException] = None
        self.c_function = _native.TOKEN_CALLBACK(self._called)

    def _called(self, _user_data: Optional[int], tokens_json: bytes) -> None:
        try:
            result = self.handler(_parse_object(tokens_json.decode("utf-8")))
            if inspect.isawaitable(result):
                # Never dropped silently: not awaited here (no loop may run on this
                # thread), closed so it cannot run later with stale tokens, and reported.
                close = getattr(result, "close", None)
                if callable(close):
                    close()
                raise TypeError(f"on_token_refresh returned an awaitable, which was not run: {ASYNC_HANDLER_ADVICE}")
        except BaseException as error:
            self.error = error
            logger.error(
                "on_token_refresh raised %s: the new tokens were not stored by it; they are still held by the "
                "client (Client.tokens) and the exception is kept in Client.token_refresh_error",
                type(error).__name__,
                exc_info=error,
            )


class Client:
    """Follows users, with OAuth 1.0a credentials or an OAuth 2.0 token; thread-safe. Close it, or use `with`."""

    # The OAuth 2.0 token callback given to the C library; kept while the config lives.
    _token_callback: Optional[TokenCallback] = None

    def __init__(
        self,
        consumer_key: str,
        consumer_secret: str,
        access_token: str,
        access_token_secret: str,
        **options: Unpack[Options],
    ) -> None:
        check_names(options)  # a misspelt keyword is refused before anything is made
        credentials = [
            _encode(consumer_key, "consumer_key"),
            _encode(consumer_secret, "consumer_secret"),
            _encode(access_token, "access_token"),
            _encode(access_token_secret, "access_token_secret"),
        ]
        self._adopt(api.tw_config_new, credentials, options, {})

    @classmethod
    def from_env(cls, *, on_token_refresh: Optional[TokenHandler] = None, **options: Unpack[Options]) -> Client:
        """A client of the TW_* variables; a keyword given wins over its variable, which is then not read."""
        return cls._from_variables(
            api.tw_config_from_env, api.tw_config_from_env_credentials, (), on_token_refresh, options
        )

    @classmethod
    def from_store(
        cls,
        account: Optional[str] = None,
        store: StorePath = None,
        *,
        on_token_refresh: Optional[TokenHandler] = None,
        **options: Unpack[Options],
    ) -> Client:
        """A client for an account (None: the default) of the token store at `store` (None: the usual path)."""
        names = (None if store is None else _encode(os.fspath(store), "store"), _encode_optional(account, "account"))
        return cls._from_variables(
            api.tw_config_from_store, api.tw_config_from_store_credentials, names, on_token_refresh, options
        )

    @classmethod
    def _from_variables(
        cls,
        make: Callable[..., int],
        make_from_credentials: Callable[..., int],
        arguments: Tuple[Optional[bytes], ...],
        on_token_refresh: Optional[TokenHandler],
        options: Options,
    ) -> Client:
        # `make(*arguments, &config)` reads TW_API_BASE and TW_API_VERSION too; when a keyword
        # replaces either, `make_from_credentials` (which reads neither) makes the config and those
        # not replaced are read here.
        check_names(options)  # before the store is opened or the environment read
        if on_token_refresh is not None:
            check_handler(on_token_refresh)
        client = cls.__new__(cls)
        if options.get("base_url") is None and options.get("api_version") is None:
            client._adopt(make, arguments, options, {})
        else:
            client._adopt(make_from_credentials, arguments, options, _variables_not_replaced(options))
        return client._ready(on_token_refresh)

    def _adopt(
        self, make: Callable[..., int], arguments: Sequence[Any], options: OAuth2Options, from_variables: Dict[str, str]
    ) -> None:
        # The config `make(*arguments, &config)` makes, owned before anything can fail (close() frees it);
        # then the options are applied.
        config = ctypes.c_void_p()
        make(*arguments, ctypes.byref(config))
        self._config: Optional[ctypes.c_void_p] = config
        self._lock = threading.Lock()
        self._calls = 0  # running calls: close() frees the config after the last one
        self._closing = False
        self._trace_callback: Optional[ctypes._CFunctionType] = None  # kept alive as long as the config
        try:
            self._trace_callback = apply_options(config, options, from_variables)
        except BaseException:
            self.close()
            raise

    def _borrow(self) -> ctypes.c_void_p:
        """The config for one call, given back with `_give_back`: a `close()` meanwhile frees it after."""
        with self._lock:
            if self._config is None or self._closing:
                raise invalid("the client is closed")
            self._calls += 1
            return self._config

    def _give_back(self) -> None:
        with self._lock:
            self._calls -= 1
            if self._closing and self._calls == 0:
                self._free()

    def _call(self, function: Callable[..., int], *arguments: Any, count: int = 1) -> List[str]:
        """`function(config, *arguments, out_1, ... out_count)` with the config borrowed: the outputs' text."""
        # Two plain method calls around it, not a generator context manager: the follows' path (performance.md).
        config = self._borrow()
        try:
            return strings(function, config, *arguments, count=count)
        finally:
            self._give_back()

    def close(self) -> None:
        """Releases the config and its connections, at once or when the last running call returns."""
        with self._lock:
            self._closing = True
            if self._calls == 0:
                self._free()

    def _free(self) -> None:
        # Called with self._lock held.
        if self._config is not None:
            _native.lib().tw_config_free(self._config)
            self._config = None

    @property
    def closed(self) -> bool:
        """Whether `close()` was called."""
        return self._closing

    def __del__(self) -> None:
        # A fallback only: call close() or use `with`.
        if getattr(self, "_lock", None) is not None:
            self.close()

    def follow_json(self, target: Union[str, int], notify: bool = False) -> str:
        """Like `follow`, but returns the answer as the JSON text the API sent."""
        # tw_follow, without an outcome: the library skips reading the user object.
        return self._follow(api.tw_follow, target, notify)

    def follow_detailed(self, target: Union[str, int], notify: bool = False) -> Tuple[Dict[str, Any], bool]:
        """Like `follow`: (answer, pending), pending when a protected account is asked to approve."""
        outcome = ctypes.c_int(0)
        text = self._follow(api.tw_follow_ex, target, notify, ctypes.byref(outcome))
        return _parse_object(text), outcome.value == PENDING

    def _follow(self, function: Callable[..., int], target: Union[str, int], notify: bool, *outputs: Any) -> str:
        # The per-call path, kept short (docs/performance.md): an int user id needs no text checks.
        if type(target) is int and 1 <= target <= MAX_USER_ID:
            target_bytes = b"%d" % target
        else:
            target_bytes = _target_bytes(target)
        return self._call(function, target_bytes, bool(notify), *outputs)[0]

    def follow(self, target: Union[str, int], notify: bool = False) -> Dict[str, Any]:
        """Follows `target` ("@name", "name", a digit string or an int user id); returns the API's answer."""
        return _parse_object(self._follow(api.tw_follow, target, notify))

    def unfollow_json(self, target: Union[str, int]) -> str:
        """Like `unfollow`, but returns the JSON text."""
        return self._call(api.tw_unfollow, _target_bytes(target))[0]

    def unfollow(self, target: Union[str, int]) -> Dict[str, Any]:
        """Unfollows `target` (as for `follow`); returns the relationship after it, as `relationship()`."""
        return _parse_object(self.unfollow_json(target))

    def relationship_json(self, target: Union[str, int]) -> str:
        """Like `relationship`, but returns the JSON text."""
        return self._call(api.tw_relationship, _target_bytes(target))[0]

    def relationship(self, target: Union[str, int]) -> Dict[str, Any]:
        """What holds between the token's user and `target`: {"following": bool, ...}, a key absent when unknown."""
        return _parse_object(self.relationship_json(target))

    def me(self) -> Dict[str, str]:
        """The user these credentials act as: {"id": "1500000001", "username": "sandbox_me"}."""
        user_id, username = self._call(api.tw_me, count=2)
        return {"id": user_id, "username": username}

    # OAuth 2.0 user tokens. Getting them: twfollow.OAuth2Flow (auth.py).

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
        **options: Unpack[OAuth2Options],
    ) -> Client:
        """A client with an OAuth 2.0 user token, refreshed by itself. `on_token_refresh`, a plain function (not
        `async def`), must store each new pair before it returns: X has already revoked the old one."""
        check_names(options, OAUTH2_OPTION_NAMES)
        if on_token_refresh is not None:
            check_handler(on_token_refresh)
        app = (_encode(client_id, "client_id"), _encode_optional(client_secret, "client_secret"))
        token_arguments = (
            _encode(access_token, "access_token"),
            _encode_optional(refresh_token, "refresh_token"),
            checked_int(
                expires_at, 0, MAX_EXPIRES_AT, "expires_at must be an int: seconds since the Unix epoch, 0 when unknown"
            ),
        )
        client = cls.__new__(cls)
        client._adopt(api.tw_config_new_oauth2, app, options, {})
        return client._ready(on_token_refresh, token_arguments)

    def _ready(self, on_token_refresh: Optional[TokenHandler], tokens: Sequence[Any] = ()) -> Client:
        """Sets the OAuth 2.0 `tokens` given, and `on_token_refresh` if the client holds some; closes it on failure."""
        try:
            if tokens:
                self._call(api.tw_config_set_oauth2_tokens, *tokens, count=0)
            if on_token_refresh is not None and (tokens or self._holds_oauth2_tokens()):
                callback = TokenCallback(on_token_refresh)
                self._call(api.tw_config_set_token_callback, callback.c_function, None, count=0)
                self._token_callback = callback
        except BaseException:
            self.close()
            raise
        return self

    def _holds_oauth2_tokens(self) -> bool:
        try:
            return bool(self.tokens)
        except TwError:  # an OAuth 1.0a client's
            return False

    @property
    def tokens(self) -> Dict[str, Any]:
        """The OAuth 2.0 tokens held now: {"access_token", "refresh_token", "expires_at", "scope"}."""
        return _parse_object(self._call(api.tw_config_get_tokens)[0])

    def refresh(self) -> Dict[str, Any]:
        """Refreshes the OAuth 2.0 access token now and returns the new tokens (on failure, the old ones stay)."""
        self._call(api.tw_oauth2_refresh, count=0)
        return self.tokens

    def access_token(self) -> str:
        """A valid OAuth 2.0 access token alone (refreshed first when it is about to expire)."""
        # Its expiry's output (after the token's) not asked for.
        return self._call(lambda config, out: api.tw_oauth2_access_token(config, out, None))[0]

    def revoke(self, token: str) -> None:
        """Revokes an OAuth 2.0 token: the access token, or the refresh token (which ends the grant)."""
        self._call(api.tw_oauth2_revoke, _encode(token, "token"), count=0)

    @property
    def token_refresh_error(self) -> Optional[BaseException]:
        """The last exception `on_token_refresh` raised (logged, never raised), or None."""
        return self._token_callback.error if self._token_callback is not None else None

    @property
    def last_rate_limit(self) -> Optional[RateLimit]:
        """The rate-limit headers of this thread's last response, or None."""
        return last_rate_limit()

    @property
    def last_day_budgets(self) -> Optional[DayBudgets]:
        """The 24-hour budgets of this thread's last response, or None."""
        return last_day_budgets()

    @property
    def last_request_count(self) -> int:
        """How many HTTP requests this thread's last call sent (0: none)."""
        return last_request_count()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<twfollow.Client {'closed' if self._closing else 'open'}>"
