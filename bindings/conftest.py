"""Fixtures for the binding tests (Python package, C tool): the sandbox binary,
scripted loopback servers, the sandbox's credentials, an HTTP CONNECT proxy, and
the command-line tool tw-follow."""

from __future__ import annotations

import base64
import http.client
import json
import re
import os
import pathlib
import socket
import socketserver
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple, Union

import pytest

REPO = pathlib.Path(__file__).resolve().parents[1]
TEST_CERT = str(REPO / "tests" / "data" / "localhost.cert.pem")
CONSUMER = ("sandbox-consumer-key", "sandbox-consumer-secret")
# The sandbox's OAuth 2.0 clients, and the redirect URI the tests register (nothing listens there).
CONFIDENTIAL = ("sandbox-oauth2-client", "sandbox-oauth2-client-secret")
PUBLIC_CLIENT = "sandbox-oauth2-public-client"
REDIRECT = "http://127.0.0.1:9/callback"


def visit(url: str) -> Tuple[int, Optional[str], str]:
    """The user's browser, one step: GET without following redirects -> (status, Location, body)."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.netloc, timeout=10)
    try:
        connection.request("GET", f"{parts.path or '/'}?{parts.query}")
        response = connection.getresponse()
        return response.status, response.getheader("Location"), response.read().decode()
    finally:
        connection.close()


def pin_from(page: str) -> str:
    """The PIN on the sandbox's authorize page."""
    match = re.search(r'<code id="oauth_pin">(\d+)</code>', page)
    assert match, page
    return match.group(1)


def pin_of(url: str) -> str:
    """The user opens the authorize page and reads its PIN."""
    status, _, page = visit(url)
    assert status == 200, page
    return pin_from(page)


def redirected(url: str) -> str:
    """The user approves: the address the browser is sent to."""
    status, location, _ = visit(url)
    assert status == 302
    assert location is not None
    return location


def sign_in(base_url: str, client: Tuple[str, Optional[str]] = CONFIDENTIAL, **kwargs: Any) -> Tuple[Any, Dict[str, Any]]:
    """The whole OAuth 2.0 PKCE flow as the sandbox's user; returns (flow, tokens). The
    caller closes the flow."""
    import twfollow  # the Python package; the C tool's tests need it only here

    flow = twfollow.OAuth2Flow(client[0], REDIRECT, client_secret=client[1], base_url=base_url, **kwargs)
    url, _state = flow.authorization_url()
    status, location, _ = visit(url)
    assert status == 302 and location, url
    return flow, flow.fetch_token(location)


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


@pytest.fixture
def app_env(sandbox_env) -> Dict[str, str]:
    """The app's keys, no user token: a follow then takes the store's default account."""
    return {k: v for k, v in sandbox_env.items() if k not in ("TW_ACCESS_TOKEN", "TW_ACCESS_TOKEN_SECRET")}


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

    def requests_seen(self) -> int:
        """How many requests the sandbox has received (GET /sandbox/requests, not counted)."""
        with urllib.request.urlopen(self.base_url + "/sandbox/requests", timeout=10) as answer:
            return int(json.loads(answer.read())["requests"])

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


class ConnectProxy:
    """A loopback HTTP CONNECT proxy that asks for `user:password` (Basic), records each
    (destination, Proxy-Authorization) it is asked for, and tunnels only to loopback
    destinations (others get 502: tests never leave the machine)."""

    def __init__(self, user: str, password: str) -> None:
        self.requests: List[Tuple[str, Optional[str]]] = []
        expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                request = self.rfile.readline().decode("latin-1").split()
                headers = {}
                for line in iter(self.rfile.readline, b"\r\n"):
                    if not line:
                        return
                    name, _, value = line.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                destination = request[1] if len(request) == 3 and request[0] == "CONNECT" else ""
                authorization = headers.get("proxy-authorization")
                outer.requests.append((destination, authorization))
                host = destination.rpartition(":")[0]
                if authorization != expected:
                    self.wfile.write(b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")
                elif host not in ("127.0.0.1", "localhost"):
                    self.wfile.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                else:
                    with socket.create_connection((host, int(destination.rpartition(":")[2]))) as upstream:
                        self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
                        self.wfile.flush()
                        self._pipe(upstream)

            def _pipe(self, upstream: socket.socket) -> None:
                def copy(source: socket.socket, sink: socket.socket) -> None:
                    try:
                        while True:
                            data = source.recv(65536)
                            if not data:
                                break
                            sink.sendall(data)
                    except OSError:
                        pass
                    finally:
                        try:
                            sink.shutdown(socket.SHUT_WR)
                        except OSError:
                            pass

                back = threading.Thread(target=copy, args=(upstream, self.connection), daemon=True)
                back.start()
                copy(self.connection, upstream)
                back.join()

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.address = f"127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def connect_proxy() -> Iterator[Callable[[str, str], ConnectProxy]]:
    proxies: List[ConnectProxy] = []

    def start(user: str, password: str) -> ConnectProxy:
        proxies.append(ConnectProxy(user, password))
        return proxies[-1]

    yield start
    for proxy in proxies:
        proxy.close()


# The tool the tests run: scripts/test.sh gives an ASan+UBSan build (a plain one under
# valgrind runs the smoke set of bindings/c/tests/test_under_valgrind.py).
TW_FOLLOW_BIN = os.environ.get("TW_FOLLOW_BIN", str(REPO / "build" / "tw-follow"))
# The exit code of a memory error: valgrind's --error-exitcode, and the sanitizers' exitcode
# below (a build without them ignores the variables).
MEMORY_ERROR = 99
SANITIZERS = {
    "ASAN_OPTIONS": f"exitcode={MEMORY_ERROR}:abort_on_error=0",
    "UBSAN_OPTIONS": f"exitcode={MEMORY_ERROR}:halt_on_error=1:print_stacktrace=1",
}


def sanitized(env: Dict[str, str]) -> Dict[str, str]:
    """The environment with the sanitizers' options: a memory error exits MEMORY_ERROR."""
    return dict(env, **SANITIZERS)


# The page to open in `authorize`'s prompt, and how the prompt's last line ends (pasting,
# or listening on a loopback redirect URI).
AUTHORIZE_URL = re.compile(r"^\s+(http://\S+)$", re.M)
AUTHORIZE_PROMPT_ENDS = ("press Enter:", "(or stop with Ctrl-C and run again with --paste)...")


def play_authorize(argv: Sequence[str], env: Dict[str, str], answer_for: Callable[[str], Optional[str]]) -> Tuple[int, str, str]:
    """Runs an `authorize` command line, playing the user: reads stderr up to the prompt's
    last line; `answer_for(url)` gets the page to open and returns what the user types
    (None: nothing, end of input). Returns (exit code, stdout, stderr), after checking
    that no memory error was found."""
    process = subprocess.Popen(
        list(argv), env=sanitized(env), text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stderr is not None
    shown = ""
    while True:
        line = process.stderr.readline()
        shown += line
        if not line or line.rstrip().endswith(AUTHORIZE_PROMPT_ENDS):
            break
    match = AUTHORIZE_URL.search(shown)
    typed = answer_for(match.group(1)) if match else None
    out, err = process.communicate(None if typed is None else typed + "\n", timeout=120)
    assert process.returncode != MEMORY_ERROR, err
    return process.returncode, out, shown + err


class Cli:
    """The command-line tool (`command`, the words before the arguments). `run` takes the
    arguments (str or bytes), the environment, variables to drop from it and standard
    input, and checks that no memory error was found."""

    def __init__(self, name: str, command: Sequence[str]) -> None:
        self.name = name
        self.command = list(command)

    def run(
        self, args: Sequence[Union[str, bytes]], env: Dict[str, str], drop: Sequence[str] = (), input: Optional[str] = None
    ) -> subprocess.CompletedProcess:
        env = sanitized({k: v for k, v in env.items() if k not in drop})
        command = [*self.command, *args]
        result = subprocess.run(command, env=env, input=input, capture_output=True, text=True, errors="replace")
        assert result.returncode != MEMORY_ERROR, result.stderr
        return result

    def __repr__(self) -> str:
        return self.name


def tw_follow() -> Cli:
    return Cli("tw-follow", [TW_FOLLOW_BIN])


@pytest.fixture
def cli() -> Cli:
    """tw-follow (TW_FOLLOW_BIN)."""
    return tw_follow()


@pytest.fixture(autouse=True)
def private_store(tmp_path_factory, monkeypatch) -> pathlib.Path:
    """Every test gets its own token store (TWFOLLOW_STORE, in a folder that does not exist
    yet): no test reads or writes the user's ~/.config/twfollow."""
    path = tmp_path_factory.mktemp("store") / "twfollow" / "accounts.json"
    monkeypatch.setenv("TWFOLLOW_STORE", str(path))
    return path


class CountingProxy:
    """A reverse proxy in front of a server that counts the OAuth 2.0 refresh requests
    (POST /2/oauth2/token with grant_type=refresh_token) it forwards: what X would bill
    and rotate. Use its base_url instead of the server's."""

    def __init__(self, upstream: str) -> None:
        target = urllib.parse.urlsplit(upstream)
        self.refreshes = 0
        self.requests = 0
        lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with lock:
                    outer.requests += 1
                    if self.path.startswith("/2/oauth2/token") and b"grant_type=refresh_token" in body:
                        outer.refreshes += 1
                hop = ("connection", "keep-alive", "proxy-connection", "transfer-encoding")
                headers = {k: v for k, v in self.headers.items() if k.lower() not in hop}
                connection = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
                try:
                    connection.request(self.command, self.path, body=body or None, headers=headers)
                    response = connection.getresponse()
                    data = response.read()
                    self.send_response_only(response.status, response.reason)
                    for name, value in response.getheaders():
                        if name.lower() not in hop + ("content-length",):
                            self.send_header(name, value)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                finally:
                    connection.close()

            do_GET = do_POST = do_DELETE = do_PUT = forward

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def counting_proxy() -> Iterator[Callable[[str], CountingProxy]]:
    proxies: List[CountingProxy] = []

    def start(upstream: str) -> CountingProxy:
        proxies.append(CountingProxy(upstream))
        return proxies[-1]

    yield start
    for proxy in proxies:
        proxy.close()


def twurlrc(credentials: tuple, username: str = "sandbox_me") -> str:
    """A ~/.twurlrc as twurl writes it (Ruby's to_yaml of its RCFile: profiles by user
    name, then by consumer key; the default profile as [user name, consumer key])."""
    key, secret, token, token_secret = credentials
    return (
        "---\n"
        "profiles:\n"
        f"  {username}:\n"
        f"    {key}:\n"
        f"      username: {username}\n"
        f"      consumer_key: {key}\n"
        f"      consumer_secret: {secret}\n"
        f"      token: {token}\n"
        f"      secret: {token_secret}\n"
        "configuration:\n"
        "  default_profile:\n"
        f"  - {username}\n"
        f"  - {key}\n"
    )


def xurl_file(tokens: Dict[str, Any], username: str = "sandbox_me", oauth1: Optional[tuple] = None) -> str:
    """A ~/.xurl (the YAML of xurl's token store: apps by name, each with its OAuth 2.0
    client, its users' OAuth 2.0 tokens, an optional OAuth 1.0a token; a default app)."""
    text = (
        "apps:\n"
        "  sandbox-app:\n"
        f"    client_id: {CONFIDENTIAL[0]}\n"
        f"    client_secret: {CONFIDENTIAL[1]}\n"
        f"    redirect_uri: {REDIRECT}\n"
        f"    default_user: {username}\n"
        "    oauth2_tokens:\n"
        f"      {username}:\n"
        "        type: oauth2\n"
        "        oauth2:\n"
        f"          access_token: \"{tokens['access_token']}\"\n"
        f"          refresh_token: \"{tokens['refresh_token']}\"\n"
        f"          expiration_time: {tokens['expires_at']}\n"
    )
    if oauth1 is not None:
        key, secret, token, token_secret = oauth1
        text += (
            "    oauth1_token:\n"
            "      type: oauth1\n"
            "      oauth1:\n"
            f"        access_token: \"{token}\"\n"
            f"        token_secret: \"{token_secret}\"\n"
            f"        consumer_key: \"{key}\"\n"
            f"        consumer_secret: \"{secret}\"\n"
        )
    return text + "default_app: sandbox-app\n"


# The token store's tests (of the CLI and of Python): a store read, tampered
# with, and an OAuth 2.0 account saved the library's way.


def read_store(path: pathlib.Path) -> Dict[str, Any]:
    result: Dict[str, Any] = json.loads(path.read_text())
    return result


def write_store(path: pathlib.Path, data: Dict[str, Any]) -> None:
    """Rewrites the store as the library would (0600, rename over), for a test's tampering."""
    temporary = path.with_name("test-tampering.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as file:
        json.dump(data, file)
    os.replace(temporary, path)


def expire(path: pathlib.Path, name: str) -> None:
    """The account's access token has expired, as far as the store says (X has not been told)."""
    data = read_store(path)
    data["accounts"][name]["expires_at"] = int(time.time()) - 10
    write_store(path, data)


def save_oauth2(base_url: str, name: Optional[str] = None, store: Any = None) -> Tuple[str, Dict[str, Any]]:
    """An OAuth 2.0 account saved the library's way (faster than driving authorize), in
    `store` (a twfollow.Store; None: the default store): (its name, the tokens)."""
    import twfollow  # the Python package; the C tool's tests need it only here

    flow, tokens = sign_in(base_url)
    with flow:
        return (twfollow.Store() if store is None else store).save(flow, name), tokens
