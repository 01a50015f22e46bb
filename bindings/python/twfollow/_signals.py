"""What `python -m twfollow` does with SIGINT, SIGTERM and SIGHUP, as tw-follow does
(bindings/c/tw-follow/signals.c): a signal that arrives while a call that may refresh an
OAuth 2.0 token runs waits until the call's outcome is handled (the rotated pair saved,
or printed when the store could not take it), then the process dies of it as it asked
(the shell sees 128 + n). Outside such a call it acts at once.

Python runs its handlers between bytecodes, never inside a C call: the library's call
always finishes (its new pair saved) before a handler runs; the deferral here covers the
few lines after it.
"""

from __future__ import annotations

import contextlib
import os
import signal
from typing import Iterator, Optional

_SIGNALS = [signal.SIGINT, signal.SIGTERM] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])
_deferring = False
_deferred: Optional[int] = None


def _die_of(signum: int) -> None:
    signal.signal(signum, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signum])
    os.kill(os.getpid(), signum)


def _on_signal(signum: int, frame: object) -> None:
    global _deferred
    if _deferring:
        _deferred = signum
    else:
        _die_of(signum)


def install() -> None:
    """Handlers for the three signals (one the shell ignores stays ignored)."""
    for signum in _SIGNALS:
        if signal.getsignal(signum) is not signal.SIG_IGN:
            signal.signal(signum, _on_signal)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """A signal arriving meanwhile acts when the block ends (however it ends)."""
    global _deferring
    _deferring = True
    try:
        yield
    finally:
        _deferring = False
        if _deferred is not None:
            _die_of(_deferred)
