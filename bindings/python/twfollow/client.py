"""The Client: one TwConfig (and its connection pool) per instance."""

from __future__ import annotations

import contextlib
import ctypes
import os
import threading
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterator, Optional, Tuple, Union

from . import _native
from ._options import OAUTH2_OPTION_NAMES, OAuth2Options, Options, _expires_at, apply_options, check_names
from ._results import (
    MAX_USER_ID,
    DayBudgets,
    RateLimit,
    _encode,
    _parse_object,
    _target_text,
    api,
    strings,
    take_string,
)

# `twfollow.client.last_rate_limit()` and its siblings (docs/python.md):
from ._results import last_day_budgets as last_day_budgets
from ._results import last_rate_limit as last_rate_limit
from ._results import last_request_count as last_request_count
from ._tokens import TokenCallback, TokenHandler, check_handler, tokens_from_json
from .errors import InvalidArgumentError, Status, TwError

if TYPE_CHECKING:
    from typing_extensions import Self, Unpack

PENDING = 2  # TW_FOLLOW_OUTCOME_PENDING


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
    """TW_API_BASE and TW_API_VERSION into `options` where no keyword replaced them (the
    library made the config without reading either): {option: variable} of those taken."""
    taken: Dict[str, str] = {}
    base_url = _environment(ENV_API_BASE) if options.get("base_url") is None else None
    if base_url is not None:
        options["base_url"], taken["base_url"] = base_url, ENV_API_BASE
    api_version = _environment(ENV_API_VERSION) if options.get("api_version") is None else None
    if api_version is not None:
        options["api_version"], taken["api_version"] = api_version.strip(), ENV_API_VERSION
    return taken


class Client:
    """Follows users with one set of OAuth 1.0a user-context credentials, or (made
    with `Client.oauth2`) with an OAuth 2.0 user token that it refreshes by itself.

    Thread-safe: many threads may call `follow` at once (calls release the GIL and
    share one connection pool). `close()` returns at once: the config is freed when the
    last running call returns.

    `trace=True` logs what each request sent and got back (the signature base string
    included, secrets removed) to logging.getLogger("twfollow") at DEBUG; a callable
    `trace(kind, line)` receives each line instead, on the calling thread, and must
    not call this client (see twfollow.trace and docs/debugging.md).
    """

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
        config = ctypes.c_void_p()
        api.tw_config_new(*credentials, ctypes.byref(config))
        self._adopt(config, options)

    @classmethod
    def from_env(cls, *, on_token_refresh: Optional[TokenHandler] = None, **options: Unpack[Options]) -> Client:
        """Credentials from TW_CONSUMER_KEY, TW_CONSUMER_SECRET, TW_ACCESS_TOKEN,
        TW_ACCESS_TOKEN_SECRET; base URL from TW_API_BASE and API version from
        TW_API_VERSION. A keyword given wins over its variable, which is then not read
        at all (a bad TW_API_BASE does not matter when `base_url` is given); `proxy`
        likewise replaces the proxy environment variables.

        When TW_OAUTH2_ACCESS_TOKEN is set and the OAuth 1.0a variables are not, the
        client follows with that OAuth 2.0 user token (TW_OAUTH2_REFRESH_TOKEN,
        TW_OAUTH2_EXPIRES_AT, TW_OAUTH2_CLIENT_ID, TW_OAUTH2_CLIENT_SECRET optional;
        a refresh token needs the client id), as `Client.oauth2` would, and
        `on_token_refresh` receives the new tokens on every refresh. With OAuth 1.0a
        credentials, which never change, `on_token_refresh` is never called.
        `on_token_refresh` must be a plain function: an `async def` one is refused with
        TypeError (see `Client.oauth2`)."""
        return cls._from_variables(
            api.tw_config_from_env, api.tw_config_from_env_credentials, on_token_refresh, options
        )

    @classmethod
    def from_store(
        cls,
        account: Optional[str] = None,
        store: Union[str, os.PathLike[str], None] = None,
        *,
        on_token_refresh: Optional[TokenHandler] = None,
        **options: Unpack[Options],
    ) -> Client:
        """A client for an account of the token store (`twfollow.Store`, docs/tokens.md):
        `account` None is the store's default, `store` None the usual path
        (TWFOLLOW_STORE, else $XDG_CONFIG_HOME/twfollow/accounts.json, else
        ~/.config/twfollow/accounts.json; a `redis://` or `rediss://` URL is the store
        many hosts share). The options are those of `Client`; the base
        URL, timeout and proxy are not stored: TW_API_BASE and TW_API_VERSION apply as
        for `from_env` (a keyword given wins, and its variable is then not read).

        An OAuth 2.0 account is store-backed: every refresh happens under the store's
        lock after re-reading the account (another process's newer tokens are used
        instead of refreshing), and the new pair is in the store before the call that
        refreshed returns; `on_token_refresh` receives it too. This holds in processes
        forked after the client was made (a pre-fork server): make it once, before the
        fork. StoreError for an unusable store or a missing account (nothing sent);
        TokensNotSavedError when a refresh succeeded but the store could not be written
        (the client still holds the new tokens: `tokens`)."""
        names = (
            None if store is None else _encode(os.fspath(store), "store"),
            None if account is None else _encode(account, "account"),
        )
        return cls._from_variables(
            lambda out: api.tw_config_from_store(*names, out),
            lambda out: api.tw_config_from_store_credentials(*names, out),
            on_token_refresh,
            options,
        )

    @classmethod
    def _from_variables(
        cls,
        make: Callable[[Any], int],
        make_from_credentials: Callable[[Any], int],
        on_token_refresh: Optional[TokenHandler],
        options: Options,
    ) -> Client:
        """A client whose config `make` writes, reading TW_API_BASE and TW_API_VERSION
        too; when a keyword replaces either, `make_from_credentials` writes it (it would
        read, and refuse, the variables the keywords replace) and the variables not
        replaced are read here."""
        check_names(options)  # before the store is opened or the environment read
        if on_token_refresh is not None:
            check_handler(on_token_refresh)
        config = ctypes.c_void_p()
        from_variables: Dict[str, str] = {}
        if options.get("base_url") is None and options.get("api_version") is None:
            make(ctypes.byref(config))
        else:
            make_from_credentials(ctypes.byref(config))
            from_variables = _variables_not_replaced(options)
        client = cls.__new__(cls)
        client._adopt(config, options, from_variables)
        if on_token_refresh is not None:
            try:
                if client._holds_oauth2_tokens():
                    client._watch_tokens(on_token_refresh)
            except BaseException:
                client.close()
                raise
        return client

    def _adopt(
        self, config: ctypes.c_void_p, options: OAuth2Options, from_variables: Optional[Dict[str, str]] = None
    ) -> None:
        """Takes ownership of `config` and applies the options that are not None
        (`apply_options`, which types them); `from_variables` names the environment
        variable an option was read from."""
        # Owned before anything can fail: close() frees it.
        self._config: Optional[ctypes.c_void_p] = config
        self._lock = threading.Lock()
        self._calls = 0  # running calls: close() frees the config after the last one
        self._closing = False
        self._trace_callback: Optional[ctypes._CFunctionType] = None  # kept alive as long as the config
        try:
            self._trace_callback = apply_options(config, options, from_variables or {})
        except BaseException:
            self.close()
            raise

    @contextlib.contextmanager
    def _borrowed(self) -> Iterator[ctypes.c_void_p]:
        """The config for one call; a `close()` meanwhile frees it only after the call."""
        with self._lock:
            if self._config is None or self._closing:
                raise InvalidArgumentError(Status.INVALID_ARGUMENT, "the client is closed")
            config = self._config
            self._calls += 1
        try:
            yield config
        finally:
            with self._lock:
                self._calls -= 1
                if self._closing and self._calls == 0:
                    self._free()

    def close(self) -> None:
        """Releases the config and its connections. Idempotent; waits for no one but
        frees only after the last running `follow` returns."""
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
        return self._closing

    def __del__(self) -> None:
        # A fallback only: call close() or use `with`.
        if getattr(self, "_lock", None) is not None:
            self.close()

    def follow_json(self, target: Union[str, int], notify: bool = False) -> str:
        """Like `follow`, but returns the answer as the JSON text the API sent."""
        return self._follow(target, notify, want_outcome=False)[0]

    def follow_detailed(self, target: Union[str, int], notify: bool = False) -> Tuple[Dict[str, Any], bool]:
        """Like `follow`, and says whether the follow is pending: (answer, pending).
        Pending means the account is protected and the request awaits approval."""
        text, pending = self._follow(target, notify, want_outcome=True)
        return _parse_object(text), pending

    def _follow(self, target: Union[str, int], notify: bool, want_outcome: bool) -> Tuple[str, bool]:
        # The per-call path, kept short (docs/performance.md): an int user id needs no
        # text checks, and the config is borrowed as `_borrowed` does, without a generator.
        if type(target) is int and 1 <= target <= MAX_USER_ID:
            target_bytes = b"%d" % target
        else:
            target_bytes = _encode(_target_text(target), "target")
        lock = self._lock
        with lock:
            config = self._config
            if config is None or self._closing:
                raise InvalidArgumentError(Status.INVALID_ARGUMENT, "the client is closed")
            self._calls += 1
        try:
            if not want_outcome:
                # Without an outcome the library skips reading the user object.
                return strings(api.tw_follow, config, target_bytes, bool(notify))[0], False
            outcome = ctypes.c_int(0)
            text = strings(api.tw_follow_ex, config, target_bytes, bool(notify), ctypes.byref(outcome))[0]
            return text, outcome.value == PENDING
        finally:
            with lock:
                self._calls -= 1
                if self._closing and self._calls == 0:
                    self._free()

    def follow(self, target: Union[str, int], notify: bool = False) -> Dict[str, Any]:
        """Follows `target` ("@name", "name", a digit string or an int user id);
        `notify` turns on notifications. Returns the API's answer: the followed user
        object (API 1.1), or {"data": {"following": ..., "pending_follow": ...}} (API v2,
        which has no notifications: `notify=True` raises InvalidArgumentError).

        Raises a `TwError` subclass on failure (`InvalidArgumentError`, a `ValueError`,
        for bad input: then nothing is sent)."""
        return _parse_object(self._follow(target, notify, want_outcome=False)[0])

    def unfollow_json(self, target: Union[str, int]) -> str:
        """Like `unfollow`, but returns the JSON text."""
        return self._relationship_call("tw_unfollow", target)

    def unfollow(self, target: Union[str, int]) -> Dict[str, Any]:
        """Unfollows `target` ("@name", "name", a digit string or an int user id) through
        the configured API version (an OAuth 2.0 client: API v2). Returns the relationship
        after it, in the shape of `relationship()`: {"target": {"id": "...", "username":
        "..."}, "following": False}, `username` absent when API v2 unfollowed by id.
        Unfollowing someone you do not follow succeeds too. Raises a `TwError` subclass
        on failure."""
        return _parse_object(self.unfollow_json(target))

    def relationship_json(self, target: Union[str, int]) -> str:
        """Like `relationship`, but returns the JSON text."""
        return self._relationship_call("tw_relationship", target)

    def relationship(self, target: Union[str, int]) -> Dict[str, Any]:
        """What holds between the token's user and `target`, to decide before acting (not
        to ask a protected account twice, say); the same shape for both API versions:
        {"target": {"id": "2244994945", "username": "TwitterDev"}, "following": bool,
        "follow_request_sent": bool, "follow_request_received": bool, "followed_by": bool,
        "blocking": bool, "blocked_by": bool, "muting": bool}. A key is there only when the
        API said it: absent means unknown, never False (API v2 never says `blocked_by`;
        API 1.1 leaves `follow_request_sent` out for public accounts)."""
        return _parse_object(self.relationship_json(target))

    def _relationship_call(self, function: str, target: Union[str, int]) -> str:
        """tw_unfollow or tw_relationship: the relationship's JSON text."""
        target_bytes = _encode(_target_text(target), "target")
        with self._borrowed() as config:
            return strings(getattr(api, function), config, target_bytes)[0]

    def me(self) -> Dict[str, str]:
        """The user these credentials act as: {"id": "1500000001", "username": "sandbox_me"}
        (the id as a digit string, the name as the API spells it). No request when the
        client knows it (a stored account with its user, an earlier `me()` of an OAuth 2.0
        client); else one: `GET 2/users/me` (OAuth 2.0, or OAuth 1.0a with API v2) or
        `GET 1.1/account/verify_credentials.json` (OAuth 1.0a with API 1.1).
        `last_request_count` says which. Raises a `TwError` subclass on failure
        (`AuthError` for refused credentials)."""
        with self._borrowed() as config:
            user_id, username = strings(api.tw_me, config, count=2)
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
        """A client that follows through API v2 with an OAuth 2.0 user token of the
        app's OAuth 2.0 client (`client_secret` for a confidential client, None for a
        public one), as stored from `OAuth2Flow.fetch_token` or `on_token_refresh`.

        With a `refresh_token` the client refreshes the access token by itself 60 s
        before `expires_at` (seconds since the Unix epoch; 0 when unknown: then only
        after a 401) and retries the call once. X rotates refresh tokens: each refresh
        calls `on_token_refresh(tokens)` with the new dict (access_token,
        refresh_token, expires_at, scope), on the thread whose call refreshed, before
        that call returns. Store them there; an exception it raises is logged and kept
        in `token_refresh_error` (see there), never lost in C.

        `on_token_refresh` is a plain function that has stored the tokens when it
        returns. An `async def` function is refused here with TypeError (it could not
        run inside the call that refreshed); one that returns an awaitable anyway has
        it closed, not run, and a TypeError kept in `token_refresh_error`. With
        AsyncClient, store from a plain function:
        `asyncio.run_coroutine_threadsafe(save(tokens), loop).result()`."""
        check_names(options, OAUTH2_OPTION_NAMES)
        if on_token_refresh is not None:
            check_handler(on_token_refresh)
        client_id_bytes = _encode(client_id, "client_id")
        secret_bytes = None if client_secret is None else _encode(client_secret, "client_secret")
        token_arguments = (
            _encode(access_token, "access_token"),
            None if refresh_token is None else _encode(refresh_token, "refresh_token"),
            _expires_at(expires_at),
        )
        config = ctypes.c_void_p()
        api.tw_config_new_oauth2(client_id_bytes, secret_bytes, ctypes.byref(config))
        client = cls.__new__(cls)
        client._adopt(config, options)
        try:
            api.tw_config_set_oauth2_tokens(config, *token_arguments)
            if on_token_refresh is not None:
                client._watch_tokens(on_token_refresh)
        except BaseException:
            client.close()
            raise
        return client

    def _watch_tokens(self, handler: TokenHandler) -> None:
        """Hands every new set of tokens to `handler` (a setter: before any call)."""
        callback = TokenCallback(handler)
        with self._borrowed() as config:
            api.tw_config_set_token_callback(config, callback.c_function, None)
        self._token_callback = callback

    def _holds_oauth2_tokens(self) -> bool:
        try:
            return bool(self.tokens)
        except TwError:  # an OAuth 1.0a client's
            return False

    @property
    def tokens(self) -> Dict[str, Any]:
        """The OAuth 2.0 tokens held now: {"access_token", "refresh_token" (None when
        there is none), "expires_at" (seconds since the Unix epoch, 0 when unknown),
        "scope"}. InvalidArgumentError for an OAuth 1.0a client."""
        with self._borrowed() as config:
            return tokens_from_json(strings(api.tw_config_get_tokens, config)[0])

    def refresh(self) -> Dict[str, Any]:
        """Refreshes the OAuth 2.0 access token now (follows do it by themselves when
        needed) and returns the new tokens; `on_token_refresh` has received them
        before this returns. On failure (AuthError when the refresh token is refused:
        authorize again) the old tokens stay in place."""
        with self._borrowed() as config:
            api.tw_oauth2_refresh(config)
        return self.tokens

    def access_token(self) -> str:
        """A valid OAuth 2.0 access token alone, for a request this package does not make
        (curl, another library): refreshed first when it expires within the refresh
        margin (and, for a store-backed client, saved before this returns).
        InvalidArgumentError for an OAuth 1.0a client."""
        with self._borrowed() as config:
            out = ctypes.c_void_p()
            api.tw_oauth2_access_token(config, ctypes.byref(out), None)
            return take_string(out)

    def revoke(self, token: str) -> None:
        """Revokes an OAuth 2.0 token: the access token, or the refresh token (which
        ends the grant: the user must authorize again). The client keeps its tokens;
        calls with a revoked one raise AuthError."""
        token_bytes = _encode(token, "token")
        with self._borrowed() as config:
            api.tw_oauth2_revoke(config, token_bytes)

    @property
    def token_refresh_error(self) -> Optional[BaseException]:
        """The last exception `on_token_refresh` raised, or None. Such an exception
        never reaches the call that refreshed (that call succeeds, and the client
        keeps and uses the new tokens); it is logged on the "twfollow" logger and
        kept here, so the application can store `tokens` another way before the
        rotated refresh token is lost with the process."""
        return self._token_callback.error if self._token_callback is not None else None

    @property
    def last_rate_limit(self) -> Optional[RateLimit]:
        """The rate-limit headers of this thread's last response, with its 24-hour
        budgets (None when it had no 15-minute window)."""
        return last_rate_limit()

    @property
    def last_day_budgets(self) -> Optional[DayBudgets]:
        """The 24-hour budgets of this thread's last response (None when it carried
        neither; API 1.1 answers carry them without a 15-minute window)."""
        return last_day_budgets()

    @property
    def last_request_count(self) -> int:
        """How many HTTP requests this thread's last call sent: lookups, `2/users/me`,
        token refreshes, the call, retries, the clock-correction retry (0: none)."""
        return last_request_count()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<twfollow.Client {'closed' if self._closing else 'open'}>"
