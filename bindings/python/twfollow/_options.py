"""The keyword options every constructor of `Client` takes, stated once (`Options`),
checked and applied to a TwConfig (the ranges are the C types': ctypes would wrap a value
silently)."""

from __future__ import annotations

import contextlib
import ctypes
from typing import Any, Dict, FrozenSet, Iterator, Mapping, Optional, TypedDict, Union

from . import trace as _trace
from ._results import _encode, api
from .errors import InvalidArgumentError, Status, TwError

MAX_TIMEOUT_MS = 2**32 - 1
MAX_EXPIRES_AT = 2**63 - 1  # int64_t


class OAuth2Options(TypedDict, total=False):
    """The keyword options of `Client.oauth2`: those of `Options` but the API version
    (API v2 alone speaks OAuth 2.0 user tokens). None, or left out: the default."""

    base_url: Optional[str]
    timeout: Optional[float]
    user_agent: Optional[str]
    ca_file: Optional[str]
    proxy: Optional[str]
    max_retries: Optional[int]
    max_wait: Optional[float]
    trace: Union[bool, _trace.TraceHook, None]


class Options(OAuth2Options, total=False):
    """The keyword options of `Client`, `Client.from_env` and `Client.from_store` (and of
    their AsyncClient twins and the flows)."""

    api_version: Union[int, str, None]


OPTION_NAMES = frozenset(Options.__annotations__)
OAUTH2_OPTION_NAMES = frozenset(OAuth2Options.__annotations__)


def check_names(options: Mapping[str, Any], allowed: FrozenSet[str] = OPTION_NAMES) -> None:
    """Refuses a keyword that is not an option, as Python refuses an unknown keyword."""
    for name in options:
        if name not in allowed:
            raise TypeError(f"unexpected keyword argument {name!r}")


def apply_options(
    config: ctypes.c_void_p, options: Mapping[str, Any], from_variables: Dict[str, str]
) -> Optional[ctypes._CFunctionType]:
    """Applies to `config` the options (`Options`) that are not None; `from_variables`
    names the environment variable an option was read from. Returns the trace callback,
    which the caller keeps alive as long as the config."""
    check_names(options)
    if (base_url := options.get("base_url")) is not None:
        with _named_after(from_variables.get("base_url")):
            api.tw_config_set_base_url(config, _encode(base_url, "base_url"))
    if (timeout := options.get("timeout")) is not None:
        api.tw_config_set_timeout_ms(config, _milliseconds(timeout, "timeout", minimum=1))
    if (user_agent := options.get("user_agent")) is not None:
        api.tw_config_set_user_agent(config, _encode(user_agent, "user_agent"))
    if (ca_file := options.get("ca_file")) is not None:
        api.tw_config_set_ca_file(config, _encode(ca_file, "ca_file"))
    if (proxy := options.get("proxy")) is not None:  # "" means no proxy, whatever the environment says
        api.tw_config_set_proxy(config, _encode(proxy, "proxy"))
    if (max_retries := options.get("max_retries")) is not None:
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or not 0 <= max_retries <= 10:
            raise InvalidArgumentError(Status.INVALID_ARGUMENT, "max_retries must be an int from 0 to 10")
        api.tw_config_set_max_retries(config, max_retries)
    if (max_wait := options.get("max_wait")) is not None:
        api.tw_config_set_max_wait_ms(config, _milliseconds(max_wait, "max_wait", minimum=0))
    if (api_version := options.get("api_version")) is not None:
        with _named_after(from_variables.get("api_version")):
            api.tw_config_set_api_version(config, _api_version(api_version))
    trace = options.get("trace")
    if trace is None or trace is False:
        return None
    if trace is not True and not callable(trace):
        raise InvalidArgumentError(
            Status.INVALID_ARGUMENT, "trace must be True (log to the 'twfollow' logger) or a callable"
        )
    callback = _trace.c_callback(trace)
    api.tw_config_set_trace(config, callback, None)
    return callback


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


# "auto" is 0 in the C API; the int 0 is not taken here, where it would read as "none".
_API_VERSIONS = {1: 1, 2: 2, "1": 1, "1.1": 1, "2": 2, "auto": 0}


def _api_version(version: Union[int, str]) -> int:
    """1 / "1.1" (the default), 2 / "2", or "auto" (API 1.1, then API v2 for good once
    1.1 refuses the app's access tier), as the C library numbers them."""
    if isinstance(version, bool) or not isinstance(version, (int, str)) or version not in _API_VERSIONS:
        raise InvalidArgumentError(
            Status.INVALID_ARGUMENT, f"api_version must be 1, '1.1', 2, '2' or 'auto', not {version!r}"
        )
    return _API_VERSIONS[version]


def _expires_at(value: int) -> int:
    """Seconds since the Unix epoch as an int64 (ctypes would wrap it); 0 = unknown."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_EXPIRES_AT:
        raise InvalidArgumentError(
            Status.INVALID_ARGUMENT, "expires_at must be an int: seconds since the Unix epoch, 0 when unknown"
        )
    return value


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
