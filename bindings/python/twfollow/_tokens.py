"""OAuth 2.0 token plumbing shared by `Client` and the flows in `auth`: reading the
secret strings the C API returns, and the bridge that hands rotated tokens from the
library (any thread, inside a C call) to a Python callable."""

from __future__ import annotations

import ctypes
import json
import logging
from typing import Any, Callable, Dict, Optional, cast

from . import _native
from .errors import InvalidArgumentError, Status

logger = logging.getLogger("twfollow")

TokenHandler = Callable[[Dict[str, Any]], object]


def take_string(pointer: ctypes.c_void_p) -> str:
    """The text of a string the library returned; frees (and so wipes) the C copy."""
    try:
        # On success the library always wrote a string (never NULL).
        return ctypes.string_at(cast(int, pointer.value)).decode("utf-8")
    finally:
        _native.lib().tw_string_free(pointer)


def tokens_from_json(text: str) -> Dict[str, Any]:
    """The callback's shape as a dict: access_token, refresh_token (None when the grant
    has none), expires_at (seconds since the Unix epoch, 0 when unknown), scope."""
    tokens = json.loads(text)
    if not isinstance(tokens, dict):
        raise ValueError("the library's tokens are not a JSON object")
    return tokens


class TokenCallback:
    """Owns the C function pointer given to `tw_config_set_token_callback`: keep this
    object alive as long as the config (ctypes frees the trampoline with it).

    The library calls it on the thread whose call refreshed (or exchanged a code),
    before that call returns. An exception from `handler` must not unwind into C: it
    is logged on the "twfollow" logger (without the tokens) and kept in `error`; the
    call that refreshed still returns normally and the config keeps the new tokens
    (read them again from `Client.tokens`)."""

    def __init__(self, handler: TokenHandler) -> None:
        if not callable(handler):
            raise InvalidArgumentError(
                Status.INVALID_ARGUMENT, f"on_token_refresh must be callable, not {type(handler).__name__}"
            )
        self.handler = handler
        self.error: Optional[BaseException] = None
        self.c_function = _native.TOKEN_CALLBACK(self._called)

    def _called(self, _user_data: Optional[int], tokens_json: bytes) -> None:
        try:
            self.handler(tokens_from_json(tokens_json.decode("utf-8")))
        except BaseException as error:
            self.error = error
            logger.error(
                "on_token_refresh raised %s: the new tokens were not stored by it; they are still "
                "held by the client (Client.tokens) and the exception is kept in "
                "Client.token_refresh_error",
                type(error).__name__,
                exc_info=error,
            )
