"""The wire trace (`Client(trace=...)`): each request and answer, line by line, secrets removed."""

from __future__ import annotations

import ctypes
import enum
import logging
from typing import Callable, Dict, Union

from ._native import TRACE_CALLBACK

LOGGER_NAME = "twfollow"


class TraceKind(enum.IntEnum):
    """What a trace line shows: the numbers of TwTraceKind in include/twfollow.h."""

    REQUEST_LINE = 0
    REQUEST_HEADER = 1
    BASE_STRING = 2
    RESPONSE_STATUS = 3
    RESPONSE_HEADER = 4
    RESPONSE_BODY = 5
    INFO = 6


# Keyed by number: a kind from a newer library is an int, not a TraceKind.
PREFIXES: Dict[int, str] = {
    TraceKind.REQUEST_LINE: "> ",
    TraceKind.REQUEST_HEADER: "> ",
    TraceKind.BASE_STRING: "* ",
    TraceKind.RESPONSE_STATUS: "< ",
    TraceKind.RESPONSE_HEADER: "< ",
    TraceKind.RESPONSE_BODY: "< ",
    TraceKind.INFO: "* ",
}

TraceHook = Callable[[Union[TraceKind, int], str], None]


def to_logger(kind: Union[TraceKind, int], line: str) -> None:
    """Logs the line at DEBUG to "twfollow", as `tw-follow --trace` prints it (the kind: `twfollow_trace_kind`)."""
    # A kind from a newer library: "* ".
    prefixed = PREFIXES.get(kind, "* ") + line
    logging.getLogger(LOGGER_NAME).debug("%s", prefixed, extra={"twfollow_trace_kind": kind})


def c_callback(trace: Union[bool, TraceHook]) -> "ctypes._CFunctionType":
    """The C callback for `Client(trace=...)`: True logs (`to_logger`), a callable gets (kind, line)."""
    hook: TraceHook = to_logger if isinstance(trace, bool) else trace

    def call(_user_data: object, kind: int, line: bytes) -> None:
        # PREFIXES has every kind this package knows.
        hook(TraceKind(kind) if kind in PREFIXES else kind, line.decode("utf-8", "replace"))

    return TRACE_CALLBACK(call)
