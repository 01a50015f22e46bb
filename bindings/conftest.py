"""Fixtures for the binding tests (Python package, C tool): the sandbox binary,
scripted loopback servers, the sandbox's credentials."""

from __future__ import annotations

import os
import pathlib
import socket
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Dict, Iterator, List

import pytest

REPO = pathlib.Path(__file__).resolve().parents[1]
TEST_CERT = str(REPO / "tests" / "data" / "localhost.cert.pem")
CONSUMER = ("sandbox-consumer-key", "sandbox-consumer-secret")


def account(n: int = 1) -> tuple:
    """The sandbox's built-in account n: (consumer key, secret, token, token secret)."""
    return CONSUMER + (f"{1500000000 + n}-sandboxAccessToken{n}", f"sandbox-token-secret-{n}")


@pytest.fixture
def account_of() -> Callable[[int], tuple]:
    return account


@pytest.fixture
def sandbox_env(sandbox) -> Dict[str, str]:
    """The environment a tool needs to follow through the session sandbox as account 1."""
    names = ("TW_CONSUMER_KEY", "TW_CONSUMER_SECRET", "TW_ACCESS_TOKEN", "TW_ACCESS_TOKEN_SECRET")
    return dict(os.environ, TW_API_BASE=sandbox.base_url, **dict(zip(names, account(1))))


def sandbox_binary() -> str:
    explicit = os.environ.get("TWFOLLOW_SANDBOX")
    if explicit:
        return explicit
    for profile in ("debug", "release"):
        candidate = REPO / "target" / profile / "sandbox"
        if candidate.exists():
            return str(candidate)
    raise RuntimeError("sandbox binary not found: run `cargo build -p twfollow-sandbox` or set TWFOLLOW_SANDBOX")


class SandboxProcess:
    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen(
            [sandbox_binary(), *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        assert self.process.stdout is not None
        self.base_url = self.process.stdout.readline().strip()
        assert self.base_url.startswith("http://127.0.0.1:"), self.base_url

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()


@pytest.fixture(scope="session")
def sandbox() -> Iterator[SandboxProcess]:
    process = SandboxProcess()
    yield process
    process.stop()


@pytest.fixture
def start_sandbox() -> Iterator[Callable[..., SandboxProcess]]:
    started: List[SandboxProcess] = []

    def start(*args: str) -> SandboxProcess:
        started.append(SandboxProcess(*args))
        return started[-1]

    yield start
    for process in started:
        process.stop()


class Scripted:
    """A loopback HTTP server answering every POST with a fixed status, headers and body
    (after `delay` seconds); counts the requests it saw."""

    def __init__(self, status: int, body: bytes, headers: Dict[str, str], delay: float, tls: bool = False) -> None:
        self.requests = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                outer.requests += 1
                time.sleep(delay)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 64

        self.httpd = Server(("127.0.0.1", 0), Handler)
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(TEST_CERT, REPO / "tests" / "data" / "localhost.key.pem")
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()
        scheme = "https" if tls else "http"
        self.base_url = f"{scheme}://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def scripted() -> Iterator[Callable[..., Scripted]]:
    servers: List[Scripted] = []

    def start(
        status: int = 200, body: bytes = b"{}", headers: Dict[str, str] = None, delay: float = 0.0, tls: bool = False
    ) -> Scripted:
        servers.append(Scripted(status, body, headers or {}, delay, tls))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
