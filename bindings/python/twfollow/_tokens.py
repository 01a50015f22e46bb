"""The OAuth 2.0 token handler: its check, and the bridge that hands it the rotated tokens from C."""

from __future__ import annotations

import inspect
import logging
from typing import Any, Callable, Dict, Optional

from . import _native
from ._results import _parse_object, invalid

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
