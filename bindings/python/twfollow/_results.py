"""Crossing into C and back: text for C, `api` (failures raised), strings, the thread's last response."""

from __future__ import annotations

import ctypes
import json
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Union, cast

from . import _native
from .errors import BadResponseError, InvalidArgumentError, Problem, RateLimitError, Status, error_for

MAX_USER_ID = 2**64 - 1


def invalid(message: str) -> InvalidArgumentError:
    """The error of input refused before anything was sent."""
    return InvalidArgumentError(Status.INVALID_ARGUMENT, message)


def _encode(value: str, name: str) -> bytes:
    """UTF-8 for C; refuses what ctypes would silently mangle (embedded NUL, lone surrogates)."""
    if not isinstance(value, str):
        raise invalid(f"{name} must be a str, not {type(value).__name__}")
    if "\0" in value:
        raise invalid(f"{name} contains a NUL character")
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidArgumentError(Status.INVALID_UTF8, f"{name} is not valid Unicode text") from None


def _encode_optional(value: Optional[str], name: str) -> Optional[bytes]:
    return None if value is None else _encode(value, name)


def checked_int(value: Any, low: int, high: int, message: str) -> int:
    """`value`, an int (not a bool: True is no count) from `low` to `high`; else InvalidArgumentError."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise invalid(message)
    return value


def _target_bytes(target: Union[str, int]) -> bytes:
    # bool is an int subclass: True would silently become user id 1.
    if isinstance(target, int) and not isinstance(target, bool):
        return b"%d" % checked_int(target, 1, MAX_USER_ID, f"invalid user id {target}: must be 1..{MAX_USER_ID}")
    if isinstance(target, str):
        return _encode(target, "target")
    raise invalid(f"target must be a str or an int user id, not {type(target).__name__}")


class Budget(NamedTuple):
    """One budget of a response; `reset_at` in seconds since the epoch."""

    limit: int
    remaining: int
    reset_at: int


class DayBudgets(NamedTuple):
    """The 24-hour budgets: the user's (`x-user-limit-24hour-*`) and the app's (`x-app-limit-24hour-*`)."""

    user: Optional[Budget]
    app: Optional[Budget]


class RateLimit(NamedTuple):
    """The `x-rate-limit-*` headers of a response (the 15-minute window), and the 24-hour budgets."""

    limit: int
    remaining: int
    reset_at: int
    user_day: Optional[Budget] = None
    app_day: Optional[Budget] = None


def last_day_budgets() -> Optional[DayBudgets]:
    """The 24-hour budgets of the last response on this thread, or None when it carried neither."""
    values = [ctypes.c_int64() for _ in range(6)]
    if _native.lib().tw_last_day_budgets(*(ctypes.byref(v) for v in values)) != Status.OK:
        return None
    user, app = (Budget(*(v.value for v in values[i : i + 3])) for i in (0, 3))
    # -1 in each output: that budget was not sent.
    return DayBudgets(user if user.limit != -1 else None, app if app.limit != -1 else None)


def last_rate_limit() -> Optional[RateLimit]:
    """The rate-limit headers of the last response on this thread, or None when it had none."""
    values = [ctypes.c_int64() for _ in range(3)]
    if _native.lib().tw_last_rate_limit(*(ctypes.byref(v) for v in values)) != Status.OK:
        return None
    day = last_day_budgets() or DayBudgets(None, None)
    limit, remaining, reset_at = (v.value for v in values)
    return RateLimit(limit, remaining, reset_at, day.user, day.app)


def last_request_count() -> int:
    """How many HTTP requests the last call on this thread sent (0: none)."""
    return int(_native.lib().tw_last_request_count())


def refreshes_in_flight() -> int:
    """How many OAuth 2.0 token refreshes this process has in flight now, in every thread."""
    return int(_native.lib().tw_refreshes_in_flight())


def _last_problem() -> Optional[Problem]:
    lib = _native.lib()
    # TwProblemField numbers are Problem's fields in order.
    fields = range(len(Problem._fields))
    values = [(lib.tw_last_problem(field) or b"").decode("utf-8", "replace") or None for field in fields]
    return Problem(*values) if any(values) else None


def _raise_failure(status: int, _function: object, _arguments: object) -> int:
    """ctypes' errcheck of `api`'s functions: a failure raises its status's exception."""
    if status == Status.OK:
        return status
    lib = _native.lib()
    message = (lib.tw_last_error_message() or b"").decode("utf-8", "replace")
    details = (lib.tw_last_http_status(), lib.tw_last_api_error_code(), _last_problem(), last_request_count())
    error = error_for(status, message, *details)
    if isinstance(error, RateLimitError):
        error.reset_at = lib.tw_last_reset_at() or None
    raise error


class _CheckedLibrary:
    """The library's functions, each raising its failure (`_native.lib()`'s stay plain: tests read statuses)."""

    def __getattr__(self, name: str) -> Any:
        function: Any = _native.lib()[name]  # a new function object, not lib()'s cached one
        function.argtypes, function.restype = _native.SIGNATURES[name]
        function.errcheck = _raise_failure
        setattr(self, name, function)
        return function


api: Any = _CheckedLibrary()


def take_string(pointer: ctypes.c_void_p) -> str:
    """The text of a string the library returned; frees (and so wipes) the C copy."""
    try:
        # On success the library always wrote a string (never NULL).
        return ctypes.string_at(cast(int, pointer.value)).decode("utf-8")
    finally:
        _native.lib().tw_string_free(pointer)


def strings(function: Callable[..., int], *arguments: Any, count: int = 1) -> List[str]:
    """Calls `function(*arguments, out_1, ... out_count)` and returns the `char **` outputs' text."""
    outs = [ctypes.c_void_p() for _ in range(count)]
    function(*arguments, *map(ctypes.byref, outs))
    try:
        return [ctypes.string_at(cast(int, out.value)).decode("utf-8") for out in outs]
    finally:  # every one freed (and so wiped), also when reading one raised
        for out in outs:
            _native.lib().tw_string_free(out)


_DECODER = json.JSONDecoder()


def _parse_object(text: str) -> Dict[str, Any]:
    """json.loads without its whitespace regexes when the text starts with "{" (2 us of a 15 us parse);
    a library that answers anything but a JSON object (another version of it, say) is a BadResponseError."""
    parsed = _DECODER.raw_decode(text)[0] if text.startswith("{") else json.loads(text)
    if not isinstance(parsed, dict):
        raise BadResponseError(Status.BAD_RESPONSE, "the library's answer is not a JSON object")
    return parsed


def version() -> str:
    """The C library's version string, e.g. "twfollow/0.1.0"."""
    return str(_native.lib().tw_version().decode())
