"""Catching the browser's redirect for `authorize`, as tw-follow does (bindings/c/tw-follow.c,
its "redirect listener" block): when the redirect URI (OAuth 2.0) or the callback (OAuth
1.0a) is a loopback `http://` URI with a port, listen there for the length of the flow,
answer the browser with a page that says it can be closed, and hand back the address it was
sent to. Only loopback is ever listened on, only one request that carries the expected
answer is taken (others get a refusal and the wait goes on), and only until the deadline.
"""

from __future__ import annotations

import errno
import select
import socket
import time
import urllib.parse
from typing import Callable, Dict, List, Optional, Tuple

WAIT_SECONDS = 300  # the default of --wait, as tw-follow
MAX_REQUEST_HEAD = 8192  # a redirect's request line and headers fit easily
PER_REQUEST_SECONDS = 10  # one connection may not hold the wait up for longer, in total

CLOSE_PAGE = (
    "<!doctype html><meta charset=utf-8><title>twfollow</title>"
    "<p>The authorization reached the command line. You can close this window.</p>\n"
)
REFUSED_PAGE = (
    "<!doctype html><meta charset=utf-8><title>twfollow</title>"
    "<p>This is not the answer the command line is waiting for (its state or token does not "
    "match): ignored.</p>\n"
)
NOT_FOUND_PAGE = "<!doctype html><meta charset=utf-8><title>twfollow</title><p>Not the redirect address.</p>\n"

# The hosts of a loopback redirect URI, and the addresses to listen on for each.
_LOOPBACK = {
    "127.0.0.1": [(socket.AF_INET, "127.0.0.1")],
    "::1": [(socket.AF_INET6, "::1")],
    "localhost": [(socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")],
}


def loopback_target(uri: str) -> Optional[Tuple[str, int, str]]:
    """(host, port, path) of a loopback `http://` URI with an explicit port (no user, no
    fragment), else None."""
    try:
        parts = urllib.parse.urlsplit(uri)
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if parts.scheme.lower() != "http" or host not in _LOOPBACK or not port or parts.fragment or "@" in parts.netloc:
        return None
    return host, port, parts.path or "/"


class Listener:
    """Sockets bound to a loopback redirect URI's port, until `close()`."""

    def __init__(self, uri: str) -> None:
        """Raises ValueError for a URI that is not loopback, OSError when the port is taken
        (for localhost: on 127.0.0.1; ::1 is added when the system has it)."""
        target = loopback_target(uri)
        if target is None:
            raise ValueError(f"not a loopback http:// URI with a port: {uri}")
        self.uri = uri
        self.host, self.port, self.path = target
        self._sockets: List[socket.socket] = []
        # localhost's ::1 taken by another program (None: listened on, or no IPv6 here).
        self.taken: Optional[OSError] = None
        try:
            for i, (family, address) in enumerate(_LOOPBACK[self.host]):
                try:
                    sock = socket.socket(family, socket.SOCK_STREAM)
                except OSError:
                    if i == 0:
                        raise
                    continue  # no IPv6 here: 127.0.0.1 alone serves localhost
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                if family == socket.AF_INET6:
                    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                try:
                    sock.bind((address, self.port))
                    sock.listen(4)
                except OSError as e:
                    sock.close()
                    if i == 0:
                        raise
                    if e.errno == errno.EADDRINUSE:
                        self.taken = e
                    continue
                self._sockets.append(sock)
        except OSError:
            self.close()
            raise

    def wait(self, accept: Callable[[Dict[str, str]], bool], deadline: float) -> Optional[str]:
        """The address the browser was sent to (the redirect URI with the query it carried),
        from the first GET of the redirect path whose query `accept` takes; None at the
        deadline (time.monotonic())."""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select(self._sockets, [], [], left)
            for sock in ready:
                try:
                    connection, _ = sock.accept()
                except OSError:
                    continue
                with connection:
                    found = self._answer(connection, accept, min(time.monotonic() + PER_REQUEST_SECONDS, deadline))
                if found is not None:
                    return found

    def _answer(
        self, connection: socket.socket, accept: Callable[[Dict[str, str]], bool], until: float
    ) -> Optional[str]:
        """Reads one request until `until` (time.monotonic()) at most, in total: a client
        that sends a byte at a time cannot hold the wait up past it (as tw-follow's poll)."""
        head = b""
        try:
            while b"\r\n\r\n" not in head and b"\n\n" not in head and len(head) <= MAX_REQUEST_HEAD:
                left = until - time.monotonic()
                if left <= 0:
                    break
                connection.settimeout(left)
                chunk = connection.recv(1024)
                if not chunk:
                    break
                head += chunk
        except OSError:
            head = b""  # timed out or reset: answered as a bad request, as tw-follow does
        parts = head.split(b"\n", 1)[0].decode("latin-1").split()
        if len(parts) != 3 or parts[0] != "GET" or not parts[2].startswith("HTTP/1."):
            _respond(connection, 400, "Bad Request", NOT_FOUND_PAGE)
            return None
        path, _, query = parts[1].partition("?")
        if path != self.path:
            _respond(connection, 404, "Not Found", NOT_FOUND_PAGE)
            return None
        fields = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        if not accept(fields):
            _respond(connection, 400, "Bad Request", REFUSED_PAGE)
            return None
        _respond(connection, 200, "OK", CLOSE_PAGE)
        return self.uri.split("?", 1)[0].split("#", 1)[0] + "?" + query

    def close(self) -> None:
        for sock in self._sockets:
            sock.close()
        self._sockets = []

    def __enter__(self) -> "Listener":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _respond(connection: socket.socket, code: int, reason: str, page: str) -> None:
    body = page.encode()
    head = (
        f"HTTP/1.1 {code} {reason}\r\nContent-Type: text/html; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n"
    )
    try:
        connection.sendall(head.encode() + body)
    except OSError:
        pass  # the browser went away: nothing to tell it


def open_listener(uri: str, paste: bool, prog: str, err: Callable[[str], None]) -> Optional[Listener]:
    """The listener for URI, or None when the answer is to be pasted: --paste, a URI that is
    not loopback http:// with a port, or a port that cannot be listened on (said on `err`)."""
    if paste or loopback_target(uri) is None:
        return None
    try:
        listener = Listener(uri)
    except OSError as e:
        target = loopback_target(uri)
        assert target is not None
        err(f"{prog}: cannot listen on port {target[1]} of {target[0]} ({e.strerror or e}): paste the address instead")
        return None
    if listener.taken is not None:
        err(
            f"{prog}: warning: port {listener.port} of ::1 is taken by another program ({listener.taken.strerror}): "
            "a browser that sends localhost to ::1 reaches it instead; listening on 127.0.0.1 only (if nothing "
            "arrives, use --paste or a 127.0.0.1 redirect URI)"
        )
    return listener


def waiting_prompt(uri: str, seconds: int) -> str:
    """The prompt's last line while the listener waits (play_user.py and the tests key on it)."""
    return (
        f"Waiting up to {seconds} s for the browser to be sent to {uri} "
        "(or stop with Ctrl-C and run again with --paste)..."
    )
