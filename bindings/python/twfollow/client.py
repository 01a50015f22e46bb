"""The Client: one TwConfig (and its connection pool) per instance."""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import threading
from typing import Any, Dict, Iterator, NamedTuple, Optional, Tuple, Union

from . import _native
from .errors import InvalidArgumentError, RateLimitError, Status, TwError, error_for

MAX_USER_ID = 2**64 - 1
PENDING = 2  # TW_FOLLOW_OUTCOME_PENDING
MAX_TIMEOUT_MS = 2**32 - 1


def _encode(value: str, name: str) -> bytes:
    """UTF-8 for C; refuses what ctypes would silently mangle (embedded NUL, lone surrogates)."""
    if not isinstance(value, str):
        raise InvalidArgumentError(Status.INVALID_ARGUMENT, f"{name} must be a str, not {type(value).__name__}")
    if "\0" in value:
        raise InvalidArgumentError(Status.INVALID_ARGUMENT, f"{name} contains a NUL character")
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidArgumentError(Status.INVALID_UTF8, f"{name} is not valid Unicode text") from None


def _target_text(target: Union[str, int]) -> str:
    # bool is an int subclass: True would silently become user id 1.
    if isinstance(target, int) and not isinstance(target, bool):
        if not 1 <= target <= MAX_USER_ID:
            raise InvalidArgumentError(Status.INVALID_ARGUMENT, f"invalid user id {target}: must be 1..{MAX_USER_ID}")
        return str(target)
    if isinstance(target, str):
        return target
    raise InvalidArgumentError(
        Status.INVALID_ARGUMENT, f"target must be a str or an int user id, not {type(target).__name__}"
    )


class RateLimit(NamedTuple):
    """The `x-rate-limit-*` headers of a response; `reset_at` in seconds since the epoch."""

    limit: int
    remaining: int
    reset_at: int


def last_rate_limit() -> Optional[RateLimit]:
    """The rate-limit headers of the last response on this thread, or None."""
    values = [ctypes.c_int64() for _ in range(3)]
    if _native.lib().tw_last_rate_limit(*(ctypes.byref(v) for v in values)) != Status.OK:
        return None
    return RateLimit(*(v.value for v in values))


def _raise_last(status: int) -> None:
    lib = _native.lib()
    message = (lib.tw_last_error_message() or b"").decode("utf-8", "replace")
    error = error_for(status, message, lib.tw_last_http_status(), lib.tw_last_api_error_code())
    if isinstance(error, RateLimitError):
        limit = last_rate_limit()
        error.reset_at = limit.reset_at if limit else None
    raise error


def _check(status: int) -> None:
    if status != Status.OK:
        _raise_last(status)


class Client:
    """Follows users with one set of OAuth 1.0a user-context credentials.

    Thread-safe: many threads may call `follow` at once (calls release the GIL and
    share one connection pool). `close()` returns at once: the config is freed when the
    last running call returns.
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
    ) -> None:
        credentials = [
            _encode(consumer_key, "consumer_key"),
            _encode(consumer_secret, "consumer_secret"),
            _encode(access_token, "access_token"),
            _encode(access_token_secret, "access_token_secret"),
        ]
        config = ctypes.c_void_p()
        _check(_native.lib().tw_config_new(*credentials, ctypes.byref(config)))
        self._adopt(config, from_variables={}, **_options(locals()))

    @classmethod
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
    ) -> "Client":
        """Credentials from TW_CONSUMER_KEY, TW_CONSUMER_SECRET, TW_ACCESS_TOKEN,
        TW_ACCESS_TOKEN_SECRET; base URL from TW_API_BASE and API version from
        TW_API_VERSION. A keyword given wins over its variable, which is then not read
        at all (a bad TW_API_BASE does not matter when `base_url` is given); `proxy`
        likewise replaces the proxy environment variables."""
        options = _options(locals())
        config = ctypes.c_void_p()
        from_variables: Dict[str, str] = {}
        if base_url is None and api_version is None:
            _check(_native.lib().tw_config_from_env(ctypes.byref(config)))
        else:
            # tw_config_from_env would read, and refuse, the variables the keywords replace:
            # take the credentials from the environment, then the variables not replaced.
            config = _config_from_env_credentials()
            for option, variable in (("base_url", ENV_API_BASE), ("api_version", ENV_API_VERSION)):
                value = _environment(variable) if options[option] is None else None
                if value is not None:
                    options[option] = value.strip() if option == "api_version" else value
                    from_variables[option] = variable
        client = cls.__new__(cls)
        client._adopt(config, from_variables=from_variables, **options)
        return client

    def _adopt(
        self,
        config: ctypes.c_void_p,
        base_url: Optional[str],
        timeout: Optional[float],
        user_agent: Optional[str],
        ca_file: Optional[str],
        proxy: Optional[str],
        max_retries: Optional[int],
        max_wait: Optional[float],
        api_version: Union[int, str, None],
        from_variables: Dict[str, str],
    ) -> None:
        """Takes ownership of `config` and applies the options that are not None;
        `from_variables` names the environment variable an option was read from."""
        self._config: Optional[ctypes.c_void_p] = config
        self._lock = threading.Lock()
        self._calls = 0
        self._closing = False
        try:
            lib = _native.lib()
            if base_url is not None:
                with _named_after(from_variables.get("base_url")):
                    _check(lib.tw_config_set_base_url(config, _encode(base_url, "base_url")))
            if timeout is not None:
                _check(lib.tw_config_set_timeout_ms(config, _milliseconds(timeout, "timeout", minimum=1)))
            if user_agent is not None:
                _check(lib.tw_config_set_user_agent(config, _encode(user_agent, "user_agent")))
            if ca_file is not None:
                _check(lib.tw_config_set_ca_file(config, _encode(ca_file, "ca_file")))
            if proxy is not None:  # "" means no proxy, whatever the environment says
                _check(lib.tw_config_set_proxy(config, _encode(proxy, "proxy")))
            if max_retries is not None:
                if isinstance(max_retries, bool) or not isinstance(max_retries, int) or not 0 <= max_retries <= 10:
                    raise InvalidArgumentError(Status.INVALID_ARGUMENT, "max_retries must be an int from 0 to 10")
                _check(lib.tw_config_set_max_retries(config, max_retries))
            if max_wait is not None:
                _check(lib.tw_config_set_max_wait_ms(config, _milliseconds(max_wait, "max_wait", minimum=0)))
            if api_version is not None:
                with _named_after(from_variables.get("api_version")):
                    _check(lib.tw_config_set_api_version(config, _api_version(api_version)))
        except BaseException:
            self.close()
            raise

    def follow_json(self, target: Union[str, int], notify: bool = False) -> str:
        """Like `follow`, but returns the answer as the JSON text the API sent."""
        return self._follow(target, notify, want_outcome=False)[0]

    def follow_detailed(self, target: Union[str, int], notify: bool = False) -> Tuple[Dict[str, Any], bool]:
        """Like `follow`, and says whether the follow is pending: (answer, pending).
        Pending means the account is protected and the request awaits approval."""
        text, pending = self._follow(target, notify, want_outcome=True)
        return json.loads(text), pending

    def _follow(self, target: Union[str, int], notify: bool, want_outcome: bool) -> Tuple[str, bool]:
        target_bytes = _encode(_target_text(target), "target")
        lib = _native.lib()
        with self._lock:
            if self._config is None or self._closing:
                raise InvalidArgumentError(Status.INVALID_ARGUMENT, "the client is closed")
            config = self._config
            self._calls += 1
        try:
            out = ctypes.c_void_p()
            outcome = ctypes.c_int(0)
            # Without an outcome pointer the library skips reading the user object.
            outcome_p = ctypes.byref(outcome) if want_outcome else None
            status = lib.tw_follow_ex(config, target_bytes, bool(notify), outcome_p, ctypes.byref(out))
            if status != Status.OK:
                _raise_last(status)
            try:
                return ctypes.string_at(out.value).decode("utf-8"), outcome.value == PENDING
            finally:
                lib.tw_string_free(out)
        finally:
            with self._lock:
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
        return json.loads(self.follow_json(target, notify))

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
    def last_rate_limit(self) -> Optional[RateLimit]:
        """The rate-limit headers of this thread's last response (None when it had none)."""
        return last_rate_limit()

    @property
    def closed(self) -> bool:
        return self._closing

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        # A fallback only: call close() or use `with`.
        if getattr(self, "_lock", None) is not None:
            self.close()

    def __repr__(self) -> str:
        return f"<twfollow.Client {'closed' if self._closing else 'open'}>"


_OPTIONS = ("base_url", "timeout", "user_agent", "ca_file", "proxy", "max_retries", "max_wait", "api_version")


def _options(arguments: Dict[str, Any]) -> Dict[str, Any]:
    """The keyword options of `Client()` / `Client.from_env()`, from their locals()."""
    return {name: arguments[name] for name in _OPTIONS}


# The variables tw_config_from_env reads (include/twfollow.h).
ENV_CREDENTIALS = ("TW_CONSUMER_KEY", "TW_CONSUMER_SECRET", "TW_ACCESS_TOKEN", "TW_ACCESS_TOKEN_SECRET")
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


def _config_from_env_credentials() -> ctypes.c_void_p:
    """A new TwConfig from the four credential variables alone."""
    lib = _native.lib()
    config = ctypes.c_void_p()
    credentials = [_environment(name) for name in ENV_CREDENTIALS]
    if None in credentials:
        # The library checks the credentials first: let it name what is missing, in its words.
        _check(lib.tw_config_from_env(ctypes.byref(config)))
        lib.tw_config_free(config)  # reached only if the environment changed meanwhile
        missing = ", ".join(name for name, value in zip(ENV_CREDENTIALS, credentials) if value is None)
        raise InvalidArgumentError(Status.INVALID_ARGUMENT, f"environment variables not set or empty: {missing}")
    encoded = [_encode(value, name) for value, name in zip(credentials, ENV_CREDENTIALS)]
    _check(lib.tw_config_new(*encoded, ctypes.byref(config)))
    return config


@contextlib.contextmanager
def _named_after(variable: Optional[str]) -> Iterator[None]:
    """Prefixes the message of an error with the environment variable the value came from."""
    try:
        yield
    except TwError as e:
        if variable is None:
            raise
        e.message = f"environment variable {variable}: {e.message}"
        e.args = (e.message,)
        raise


_API_VERSIONS = {1: 1, 2: 2, "1": 1, "1.1": 1, "2": 2}


def _api_version(version: Union[int, str]) -> int:
    """1 / "1.1" (the default) or 2 / "2", as the C library numbers them."""
    if isinstance(version, bool) or not isinstance(version, (int, str)) or version not in _API_VERSIONS:
        raise InvalidArgumentError(Status.INVALID_ARGUMENT, f"api_version must be 1, '1.1', 2 or '2', not {version!r}")
    return _API_VERSIONS[version]


def _milliseconds(seconds: float, name: str, minimum: int) -> int:
    """Seconds as a uint32 count of milliseconds, range-checked (ctypes would wrap it)."""
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise InvalidArgumentError(Status.INVALID_ARGUMENT, f"{name} must be a number of seconds")
    ms = round(seconds * 1000)
    if not minimum <= ms <= MAX_TIMEOUT_MS:
        raise InvalidArgumentError(
            Status.INVALID_ARGUMENT, f"{name} must be between {minimum / 1000} and {MAX_TIMEOUT_MS / 1000} s"
        )
    return ms


def version() -> str:
    """The C library's version string, e.g. "twfollow/0.1.0"."""
    return _native.lib().tw_version().decode()
