"""The keyword options of `Client`'s constructors, stated once (`Options`), checked and applied to a config."""

from __future__ import annotations

import ctypes
import os
import sys
import typing
from typing import TYPE_CHECKING, Any, Callable, Dict, FrozenSet, Mapping, Optional, Tuple, TypedDict, Union

from . import trace as _trace
from ._results import _encode, api, checked_int, invalid
from .errors import TwError

# The annotations' `Self` and `Unpack`, also at run time, so that typing.get_type_hints reads the
# package's signatures (test_typing.py); typing_extensions is no dependency of the package.
if TYPE_CHECKING:
    from typing_extensions import Self as Self
    from typing_extensions import Unpack as Unpack

    StorePath = Union[str, os.PathLike[str], None]  # the token store's path or URL
else:
    # os.PathLike takes a type argument at run time from Python 3.9 on.
    StorePath = Union[str, os.PathLike[str] if sys.version_info >= (3, 9) else os.PathLike, None]
    try:
        from typing import Self, Unpack
    except ImportError:  # Python before 3.11: stand-ins that typing.get_type_hints accepts
        _T = typing.TypeVar("_T")
        Self = typing.TypeVar("Self")

        class Unpack(typing.Generic[_T]):
            """`**options: Unpack[Options]`: the keywords are the TypedDict's members."""


MAX_TIMEOUT_MS = 2**32 - 1


class OAuth2Options(TypedDict, total=False):
    """The keyword options of `Client.oauth2` and the flows: those of `Options` but the API version."""

    base_url: Optional[str]
    timeout: Optional[float]
    user_agent: Optional[str]
    ca_file: Optional[str]
    proxy: Optional[str]
    max_retries: Optional[int]
    max_wait: Optional[float]
    trace: Union[bool, _trace.TraceHook, None]


class Options(OAuth2Options, total=False):
    """The keyword options of `Client`, `Client.from_env` and `Client.from_store` (None: the default)."""

    api_version: Union[int, str, None]


OPTION_NAMES = frozenset(Options.__annotations__)
OAUTH2_OPTION_NAMES = frozenset(OAuth2Options.__annotations__)


def check_names(options: Mapping[str, Any], allowed: FrozenSet[str] = OPTION_NAMES) -> None:
    """Refuses a keyword that is not an option, as Python refuses an unknown keyword."""
    for name in options:
        if name not in allowed:
            raise TypeError(f"unexpected keyword argument {name!r}")


def _milliseconds(seconds: float, name: str, minimum: int) -> int:
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise invalid(f"{name} must be a number of seconds")
    message = f"{name} must be between {minimum / 1000} and {MAX_TIMEOUT_MS / 1000} s"
    return checked_int(round(seconds * 1000), minimum, MAX_TIMEOUT_MS, message)


def _retries(count: int, _name: str) -> int:
    return checked_int(count, 0, 10, "max_retries must be an int from 0 to 10")


# "auto" is 0 in the C API; the int 0 is not taken here, where it would read as "none".
_API_VERSIONS = {1: 1, 2: 2, "1": 1, "1.1": 1, "2": 2, "auto": 0}


def _api_version(version: Union[int, str], _name: str) -> int:
    if isinstance(version, bool) or not isinstance(version, (int, str)) or version not in _API_VERSIONS:
        raise invalid(f"api_version must be 1, '1.1', 2, '2' or 'auto', not {version!r}")
    return _API_VERSIONS[version]


# Each option but `trace`, in the order applied: (its setter in the C API, its value as that takes it).
_SETTERS: Dict[str, Tuple[str, Callable[[Any, str], Any]]] = {
    "base_url": ("tw_config_set_base_url", _encode),
    "timeout": ("tw_config_set_timeout_ms", lambda seconds, name: _milliseconds(seconds, name, minimum=1)),
    "user_agent": ("tw_config_set_user_agent", _encode),
    "ca_file": ("tw_config_set_ca_file", _encode),
    "proxy": ("tw_config_set_proxy", _encode),  # "" means no proxy, whatever the environment says
    "max_retries": ("tw_config_set_max_retries", _retries),
    "max_wait": ("tw_config_set_max_wait_ms", lambda seconds, name: _milliseconds(seconds, name, minimum=0)),
    "api_version": ("tw_config_set_api_version", _api_version),
}


def apply_options(
    config: ctypes.c_void_p, options: Mapping[str, Any], from_variables: Dict[str, str]
) -> Optional[ctypes._CFunctionType]:
    """Applies the options given (not None); returns the trace callback, to keep alive with the config."""
    for name, (setter, argument) in _SETTERS.items():
        if (value := options.get(name)) is None:
            continue
        try:
            getattr(api, setter)(config, argument(value, name))
        except TwError as e:
            if (variable := from_variables.get(name)) is not None:
                e.message = f"environment variable {variable}: {e.message}"
                e.args = (e.message,)
            raise
    trace = options.get("trace")
    if trace is None or trace is False:
        return None
    if trace is not True and not callable(trace):
        raise invalid("trace must be True (log to the 'twfollow' logger) or a callable")
    callback = _trace.c_callback(trace)
    api.tw_config_set_trace(config, callback, None)
    return callback
