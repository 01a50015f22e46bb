"""Planted secrets never appear in a message, a repr, or on stderr (panics
included), along every failure path; nor does the request's signature."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import twfollow

SECRETS = ("CONSUMER-KEY-c0ffee42", "CONSUMER-SECRET-deadbeef", "777-ACCESS-TOKEN-feedface", "TOKEN-SECRET-8badf00d")


class EchoServer:
    """Answers with an error whose text echoes the Authorization header it received."""

    def __init__(self, status, shape):
        self.signatures = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                auth = self.headers.get("Authorization", "")
                outer.signatures += re.findall(r'oauth_signature="([^"]+)"', auth)
                text = f"{auth} {' '.join(SECRETS)}"
                body = shape(text).encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"


def assert_clean(text, signatures=()):
    for secret in (*SECRETS, *signatures):
        assert secret not in text, f"{secret!r} leaked into {text!r}"
    # Percent-encoded forms too (the Authorization header encodes them).
    for signature in signatures:
        assert signature.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D") not in text


SHAPES = [
    lambda text: '{"errors":[{"code":32,"message":%s}]}' % __import__("json").dumps(text),
    lambda text: '{"error":%s}' % __import__("json").dumps(text),
    lambda text: '{"title":"Unauthorized","detail":%s}' % __import__("json").dumps(text),
    lambda text: text,
]


@pytest.mark.parametrize(
    "status,shape",
    [(status, shape) for status in (400, 401, 403, 429, 500, 302) for shape in range(len(SHAPES))]
    + [(200, len(SHAPES) - 1)],  # a 2xx that is not JSON: BAD_RESPONSE
)
def test_hostile_echo_never_leaks(status, shape):
    server = EchoServer(status, SHAPES[shape])
    with twfollow.Client(*SECRETS, base_url=server.base_url) as client:
        with pytest.raises(twfollow.TwError) as caught:
            client.follow("twitterdev")
    err = caught.value
    assert server.signatures
    for text in (str(err), repr(err), err.message):
        assert_clean(text, server.signatures)


def test_transport_tls_and_argument_failures_never_leak(closed_port, scripted):
    untrusted = scripted(200, b'{"id":1}', tls=True)
    cases = [
        dict(base_url=untrusted.base_url),
        dict(base_url=f"http://127.0.0.1:{closed_port}"),
        dict(base_url=f"https://127.0.0.1:{closed_port}"),
        dict(base_url="http://example.com"),
        dict(timeout=0),
        dict(ca_file="/nonexistent/" + SECRETS[1]),
    ]
    for options in cases:
        try:
            with twfollow.Client(*SECRETS, **options) as client:
                client.follow("twitterdev")
        except twfollow.TwError as err:
            message = str(err).replace("/nonexistent/" + SECRETS[1], "")  # the path is the caller's own text
            assert_clean(message + repr(err).replace("/nonexistent/" + SECRETS[1], ""))
        else:
            pytest.fail(f"{options} succeeded")


def test_a_panic_is_internal_and_stderr_stays_clean(sandbox):
    """Runs in a subprocess so its whole stderr, panic message included, can be read."""
    code = f"""
import twfollow
client = twfollow.Client(*{SECRETS!r}, base_url={sandbox.base_url!r})
try:
    client.follow("twitterdev")
except twfollow.InternalError as err:
    print("internal:", err)
"""
    env = dict(os.environ, TWFOLLOW_TEST_PANIC="1", RUST_BACKTRACE="full")
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("internal: internal error: twfollow panicked"), result.stdout
    assert "forced panic for tests" in result.stderr  # the panic really happened
    assert_clean(result.stdout + result.stderr)
