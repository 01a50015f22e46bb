"""The lifetime of a TwConfig handle: borrowed by each call, freed by `close()` only
once the last running call has returned."""

from __future__ import annotations

import contextlib
import ctypes
import threading
from typing import Iterator, Optional

from . import _native
from .errors import InvalidArgumentError, Status


class ConfigHandle:
    """Owns one TwConfig; `Client` builds on it (its `_follow` inlines `_borrowed`)."""

    _config: Optional[ctypes.c_void_p]
    _lock: threading.Lock
    _calls: int
    _closing: bool

    def _own(self, config: ctypes.c_void_p) -> None:
        """Takes ownership of `config` (before anything can fail: `close()` frees it)."""
        self._config = config
        self._lock = threading.Lock()
        self._calls = 0
        self._closing = False

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
