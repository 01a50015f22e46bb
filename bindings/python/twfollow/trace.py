"""The wire trace (tw_config_set_trace): what each request of a call sent and what
came back, one line at a time, secrets removed. Off unless asked for:

    import logging, twfollow
    logging.basicConfig(level=logging.DEBUG)
    client = twfollow.Client(..., trace=True)          # to logging.getLogger("twfollow")
    client = twfollow.Client(..., trace=my_function)   # my_function(kind, line)

Lines read like `curl -v` once prefixed (`prefixed`): `> ` what was sent, `< ` what
came back, `* ` the signature base string and the library's notes.
"""

from __future__ import annotations

import ctypes
import enum
import logging
import sys
from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Union

if TYPE_CHECKING:
    from .client import DayBudgets

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

# void (*)(void *user_data, int32_t kind, const char *line)
CALLBACK = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int32, ctypes.c_char_p)


def prefixed(kind: int, line: str) -> str:
    """The line as `tw-follow --trace` prints it (a kind from a newer library: `* `)."""
    return PREFIXES.get(kind, "* ") + line


def to_logger(kind: Union[TraceKind, int], line: str) -> None:
    """Logs the line to logging.getLogger("twfollow") at DEBUG, prefixed; the record
    carries the kind as `twfollow_trace_kind`."""
    logging.getLogger(LOGGER_NAME).debug("%s", prefixed(kind, line), extra={"twfollow_trace_kind": kind})


def call_summary(request_count: int, budgets: Optional[DayBudgets]) -> List[str]:
    """What `--trace` prints after the call (tw-follow prints the same): the requests
    it sent, and the 24-hour budgets of the last answer when it told them."""
    lines = [f"* requests sent: {request_count}"]
    if budgets is not None:
        parts = [
            f"{name} {budget.remaining} of {budget.limit} left, resets at {budget.reset_at}"
            for name, budget in (("user", budgets.user), ("app", budgets.app))
            if budget is not None
        ]
        lines.append("* 24-hour budgets: " + "; ".join(parts))
    return lines


def to_stderr(kind: Union[TraceKind, int], line: str) -> None:
    """Writes the line to standard error, prefixed (as `python -m twfollow --trace`)."""
    sys.stderr.write(prefixed(kind, line) + "\n")


def c_callback(trace: Union[bool, TraceHook]) -> "ctypes._CFunctionType":
    """The C callback for `Client(trace=...)`: True logs (`to_logger`), a callable
    receives (TraceKind, line). The caller keeps it alive as long as the config."""
    hook: TraceHook = to_logger if isinstance(trace, bool) else trace

    def call(_user_data: object, kind: int, line: bytes) -> None:
        try:
            known: Union[TraceKind, int] = TraceKind(kind)
        except ValueError:
            known = kind
        hook(known, line.decode("utf-8", "replace"))

    return CALLBACK(call)
