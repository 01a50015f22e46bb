"""Planted secrets never appear in a message, a repr, or on stderr (panics
included), along every failure path; nor does the request's signature."""

from __future__ import annotations

import base64
import json
import os
import pathlib
import re
import subprocess
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import twfollow

REPO = pathlib.Path(__file__).resolve().parents[3]
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

            # Unfollow (API v2) and the relationship lookups are a DELETE and GETs.
            do_GET = do_DELETE = do_POST

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
    """A follow (API 1.1); for 401, 403, 500 and 200, unfollow and relationship in both
    versions too."""
    server = EchoServer(status, SHAPES[shape])
    calls = [("follow", 1, "twitterdev")]
    if status in (401, 403, 500, 200):
        calls += [(call, version, "2244994945") for call in ("unfollow", "relationship") for version in (1, 2)]
    for call, api_version, target in calls:
        sent = len(server.signatures)
        with twfollow.Client(*SECRETS, base_url=server.base_url, api_version=api_version) as client:
            with pytest.raises(twfollow.TwError) as caught:
                getattr(client, call)(target)
        err = caught.value
        assert len(server.signatures) > sent, (call, api_version)
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


# Getting tokens (issue 10): every new function's failures, with planted secrets that
# a hostile server echoes back in every shape, raw and encoded.

CLIENT_ID = "CLIENT-ID-c11e47"
TOKEN_SECRETS = {
    "consumer secret": SECRETS[1],
    "request-token secret": "REQUEST-TOKEN-SECRET-0ddba11",
    "access-token secret": SECRETS[3],
    "client secret": "CLIENT-SECRET-c1a55e5",
    "OAuth 2.0 access token": "OAUTH2-ACCESS-TOKEN-acce55",
    "OAuth 2.0 refresh token": "OAUTH2-REFRESH-TOKEN-4e4e54",
    "PKCE verifier": "PKCE-VERIFIER-" + "v" * 40,
    "authorization code": "AUTH-CODE-c0de",
}
REQUEST_TOKEN = "REQUEST-TOKEN-7e57"
STATE = "STATE-5a7e5a7e"


def forms(secret):
    """A secret as it may travel: raw, percent-encoded, JSON-escaped, and inside HTTP Basic."""
    basic = base64.b64encode(f"{CLIENT_ID}:{secret}".encode()).decode()
    return {secret, urllib.parse.quote(secret, safe=""), json.dumps(secret)[1:-1], basic}


def assert_no_token_secret(text, where, names=tuple(TOKEN_SECRETS)):
    """None of the named secrets (those the call was given), in any form, is in text."""
    for name in names:
        for form in forms(TOKEN_SECRETS[name]):
            assert form not in text, f"the {name} leaked ({form!r}) into {where}: {text!r}"


class TokenEchoServer:
    """Answers every GET and POST with `status` and a body in `shape` that echoes the
    request's Authorization header and body, and every planted secret."""

    def __init__(self, status, shape, planted=TOKEN_SECRETS):
        self.requests = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def answer(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode("utf-8", "replace")
                outer.requests += 1
                text = " ".join([self.headers.get("Authorization", ""), body, *planted.values()])
                data = shape(text).encode()
                self.send_response(status)
                if status == 302:
                    self.send_header("Location", f"http://127.0.0.1:9/?{text[:200]}".replace("\n", " "))
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_DELETE = answer

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


TOKEN_SHAPES = SHAPES + [
    # Form-encoded, as the OAuth 1.0a token steps answer, with a field missing.
    lambda text: "oauth_token=" + urllib.parse.quote(text) + "&oauth_token_secret=" + text,
    # OAuth 2.0's error shape.
    lambda text: json.dumps({"error": "invalid_request", "error_description": text}),
]


def token_calls(base_url, s=TOKEN_SECRETS, **options):
    """(name, the secrets it is given, call) for every new function that sends
    something. The server echoes every planted secret; the library can (and must)
    keep out of its messages those it was given. `s`: the secrets to give;
    `options`: more keyword options for every flow and client."""

    def request_token():
        with twfollow.OAuth1Flow(SECRETS[0], s["consumer secret"], base_url=base_url, **options) as flow:
            flow.authorization_url()

    def access_token():
        with twfollow.OAuth1Flow(
            SECRETS[0], s["consumer secret"], base_url=base_url,
            request_token=REQUEST_TOKEN, request_token_secret=s["request-token secret"], **options,
        ) as flow:
            flow.fetch_access_token("1234567")

    def oauth2_flow(secret=True):
        return twfollow.OAuth2Flow(
            CLIENT_ID, "http://127.0.0.1:9/cb", s["client secret"] if secret else None, base_url=base_url,
            state=STATE, code_verifier=s["PKCE verifier"], **options,
        )

    def exchange_code():
        with oauth2_flow() as flow:
            flow.fetch_token(code=s["authorization code"])

    def exchange_url():
        with oauth2_flow(secret=False) as flow:
            flow.fetch_token(f"http://127.0.0.1:9/cb?state={STATE}&code={s['authorization code']}")

    def bearer_client():
        return twfollow.Client.oauth2(
            CLIENT_ID, s["OAuth 2.0 access token"], s["OAuth 2.0 refresh token"], client_secret=s["client secret"],
            base_url=base_url, **options,
        )

    def refresh():
        with bearer_client() as client:
            client.refresh()

    def revoke():
        with bearer_client() as client:
            client.revoke(s["OAuth 2.0 refresh token"])

    def bearer_follow():  # users/me, a 401 refresh, the retry
        with bearer_client() as client:
            client.follow("twitterdev")

    def bearer_relationship():  # one lookup, a 401 refresh, the retry
        with bearer_client() as client:
            client.relationship("twitterdev")

    def bearer_unfollow():
        with bearer_client() as client:
            client.unfollow("2244994945")

    oauth2 = ("client secret", "OAuth 2.0 access token", "OAuth 2.0 refresh token")
    return [
        ("request_token", ("consumer secret",), request_token),
        ("access_token", ("consumer secret", "request-token secret"), access_token),
        ("exchange_code", ("client secret", "PKCE verifier", "authorization code"), exchange_code),
        ("exchange_code with a URL", ("PKCE verifier", "authorization code"), exchange_url),
        ("refresh", oauth2, refresh),
        ("revoke", oauth2, revoke),
        ("Bearer follow", oauth2, bearer_follow),
        ("Bearer relationship", oauth2, bearer_relationship),
        ("Bearer unfollow", oauth2, bearer_unfollow),
    ]


def test_refusals_before_sending_never_leak_token_secrets(sandbox, monkeypatch):
    """Argument checks, a state mismatch, a foreign callback, the environment."""
    s = TOKEN_SECRETS
    lib = twfollow._native.lib()
    failures = []

    def expect_failure(name, call):
        try:
            call()
        except twfollow.TwError as err:
            failures.append((name, f"{err} {err!r}"))
        else:
            pytest.fail(f"{name} succeeded")

    flow = twfollow.OAuth2Flow(CLIENT_ID, "http://127.0.0.1:9/cb", s["client secret"], base_url=sandbox.base_url,
                               state=STATE, code_verifier=s["PKCE verifier"])
    expect_failure("state mismatch", lambda: flow.fetch_token(f"http://127.0.0.1:9/cb?state=other&code={s['authorization code']}"))
    expect_failure("denied", lambda: flow.fetch_token(f"http://127.0.0.1:9/cb?error=access_denied&state={STATE}"))
    flow.close()
    oauth1 = twfollow.OAuth1Flow(SECRETS[0], s["consumer secret"], base_url=sandbox.base_url,
                                 request_token=REQUEST_TOKEN, request_token_secret=s["request-token secret"])
    expect_failure("foreign callback", lambda: oauth1.fetch_access_token("https://app.example/?oauth_token=x&oauth_verifier=y"))
    oauth1.close()
    expect_failure("bad callback", lambda: twfollow.OAuth1Flow(SECRETS[0], s["consumer secret"],
                                                                callback=s["consumer secret"]).authorization_url())
    # Not UTF-8, straight through the C API: the message names the argument, never its bytes.
    config = twfollow._native.ctypes.c_void_p()
    assert lib.tw_config_new_oauth2(CLIENT_ID.encode(), s["client secret"].encode(), twfollow._native.ctypes.byref(config)) == 0
    for name, status in [
        ("set_oauth2_tokens", lib.tw_config_set_oauth2_tokens(config, s["OAuth 2.0 access token"].encode() + b"\xff",
                                                              s["OAuth 2.0 refresh token"].encode() + b"\xff", 0)),
        ("set_oauth2_tokens negative", lib.tw_config_set_oauth2_tokens(config, s["OAuth 2.0 access token"].encode(),
                                                                       s["OAuth 2.0 refresh token"].encode(), -5)),
        ("revoke", lib.tw_oauth2_revoke(config, s["OAuth 2.0 refresh token"].encode() + b"\xff")),
        ("refresh without tokens", lib.tw_oauth2_refresh(config)),
    ]:
        assert status != 0, name
        failures.append((name, lib.tw_last_error_message().decode()))
    lib.tw_config_free(config)
    # The environment: a bad TW_OAUTH2_EXPIRES_AT, a refresh token without its client id.
    for variable in ("TW_CONSUMER_KEY", "TW_CONSUMER_SECRET", "TW_ACCESS_TOKEN", "TW_ACCESS_TOKEN_SECRET"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("TW_OAUTH2_ACCESS_TOKEN", s["OAuth 2.0 access token"])
    monkeypatch.setenv("TW_OAUTH2_REFRESH_TOKEN", s["OAuth 2.0 refresh token"])
    monkeypatch.setenv("TW_OAUTH2_CLIENT_SECRET", s["client secret"])
    monkeypatch.setenv("TW_OAUTH2_EXPIRES_AT", s["PKCE verifier"])
    monkeypatch.setenv("TW_OAUTH2_CLIENT_ID", CLIENT_ID)
    expect_failure("TW_OAUTH2_EXPIRES_AT", twfollow.Client.from_env)
    monkeypatch.delenv("TW_OAUTH2_EXPIRES_AT")
    monkeypatch.delenv("TW_OAUTH2_CLIENT_ID")
    expect_failure("TW_OAUTH2_CLIENT_ID", twfollow.Client.from_env)
    assert len(failures) == 10
    for name, text in failures:
        assert_no_token_secret(text, name)


def test_the_cli_tools_print_tokens_only_where_asked(sandbox_env, tmp_path):
    """tw-follow authorize's secrets go to stdout as export lines; stderr (prompts,
    failures) never holds the consumer secret, the request-token secret or a token."""
    binary = os.environ.get("TW_FOLLOW_BIN", str(REPO / "build" / "tw-follow"))
    env = {k: v for k, v in sandbox_env.items() if k not in ("TW_ACCESS_TOKEN", "TW_ACCESS_TOKEN_SECRET")}
    result = subprocess.run([binary, "authorize"], input="0000000\n", env=env, capture_output=True, text=True)
    assert result.returncode == 77, result.stderr
    assert "sandbox-consumer-secret" not in result.stderr
    assert result.stdout == ""


# The wire trace (issue 15): the same hostile servers with the trace on; every line
# it produced is checked. Secrets with characters that percent-, form- and
# JSON-encode; the consumer key and access token are not secrets (a trace shows them).

TRACE_SECRETS = {
    "consumer secret": 'cs/ü€ +&=% "q"',
    "request-token secret": "rts/é ~*+&=",
    "access-token secret": 'ts \\ "quoted" 100% +&=',
    "client secret": "client/secret+ü é",
    "OAuth 2.0 access token": "OAUTH2/access+token=~_.-0123456789",  # a header value: ASCII
    "OAuth 2.0 refresh token": "refresh/token+ü é&=*",
    "PKCE verifier": "PKCE-VERIFIER-" + "v" * 40,
    "authorization code": "code/ü*!~:",  # also inside a redirect URL: no + & = there
}


def trace_forms(secret):
    """Every form a hostile server may echo a secret in: raw, percent-encoded, form-encoded,
    JSON-escaped (as Python writes it, and minimal with `/` as `\\/`), inside HTTP Basic."""
    return {
        secret,
        urllib.parse.quote(secret, safe=""),
        urllib.parse.quote_plus(secret, safe=""),
        # application/x-www-form-urlencoded as the token requests send it: `~` as %7E.
        urllib.parse.quote_plus(secret, safe="").replace("~", "%7E"),
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1].replace("/", "\\/"),
        base64.b64encode(f"{CLIENT_ID}:{secret}".encode()).decode(),
    }


def assert_clean_trace(lines, names, where):
    assert lines, f"{where}: nothing was traced"
    for _, line in lines:
        for name in names:
            for form in trace_forms(TRACE_SECRETS[name]):
                assert form not in line, f"the {name} leaked ({form!r}) into the trace of {where}: {line!r}"


@pytest.mark.parametrize("status", [401, 500, 302, 200])
@pytest.mark.parametrize("shape", range(len(TOKEN_SHAPES)))
def test_hostile_echo_never_reaches_the_trace(status, shape):
    server = TokenEchoServer(status, TOKEN_SHAPES[shape], planted=TRACE_SECRETS)
    lines = []
    try:
        for name, given, call in token_calls(server.base_url, TRACE_SECRETS, trace=lambda k, l: lines.append((k, l))):
            lines.clear()
            try:
                call()
            except twfollow.TwError:
                pass
            assert_clean_trace(lines, given, f"{name} (HTTP {status}, shape {shape})")
            if name == "Bearer follow":
                token = TRACE_SECRETS["OAuth 2.0 access token"]
                shown = f"authorization: Bearer {token[:4]}... ({len(token)} characters)"
                assert (twfollow.TraceKind.REQUEST_HEADER, shown) in lines
    finally:
        server.close()


def test_the_trace_of_a_follow_through_a_proxy_with_a_password(connect_proxy):
    """An echoing API behind a CONNECT proxy that wants a password: the trace shows the
    consumer key and access token but neither secret, nor the password in any form."""
    password = "pr0xy p@ss/wörd+&="
    proxy = connect_proxy("proxy-user", password)
    server = TokenEchoServer(401, SHAPES[0], planted=TRACE_SECRETS)
    lines = []
    credentials = ("CONSUMER-KEY-visible", TRACE_SECRETS["consumer secret"], "777-TOKEN-visible",
                   TRACE_SECRETS["access-token secret"])
    try:
        proxy_url = f"http://proxy-user:{urllib.parse.quote(password, safe='')}@{proxy.address}"
        with twfollow.Client(*credentials, base_url=server.base_url, proxy=proxy_url,
                             trace=lambda k, l: lines.append((k, l))) as client:
            with pytest.raises(twfollow.AuthError):
                client.follow("twitterdev")
    finally:
        server.close()
    assert proxy.requests and proxy.requests[0][1] is not None  # the proxy was asked, with the password
    assert_clean_trace(lines, ("consumer secret", "access-token secret"), "a proxied follow")
    text = "\n".join(line for _, line in lines)
    for form in (password, urllib.parse.quote(password, safe=""), urllib.parse.quote_plus(password),
                 json.dumps(password)[1:-1], proxy.requests[0][1].split()[-1]):
        assert form not in text
    assert f"connected to the proxy http://proxy-user:[redacted]@{proxy.address}" in text
    # What a 401 is debugged with is there.
    assert "oauth_consumer_key=\"CONSUMER-KEY-visible\"" in text and "oauth_token%3D777-TOKEN-visible" in text


# Issue 20, item 6: the same hostile servers, with secrets whose characters percent-,
# form- and JSON-encode differently; messages (not only the trace) must find every form.

ENCODED_SECRETS = dict(TRACE_SECRETS, **{"OAuth 2.0 refresh token": "OLD/REFRESH+tok:en~123 ü"})


def assert_no_encoded_secret(text, names, where):
    for name in names:
        for form in trace_forms(ENCODED_SECRETS[name]):
            assert form not in text, f"the {name} leaked ({form!r}) into {where}: {text!r}"


@pytest.mark.parametrize("status", [400, 401, 403, 500, 302, 200])
@pytest.mark.parametrize("shape", range(len(TOKEN_SHAPES)))
def test_hostile_echo_of_form_encoded_secrets_never_reaches_a_message(status, shape):
    """Each call that sends something, against a server that echoes every request and every
    planted secret back: each call fails (a revocation may succeed on any 200, RFC 7009), after
    sending, and no secret it was given is in its exception or the last error, in any form."""
    server = TokenEchoServer(status, TOKEN_SHAPES[shape], planted=ENCODED_SECRETS)
    lib = twfollow._native.lib()
    try:
        for name, given, call in token_calls(server.base_url, ENCODED_SECRETS):
            before = server.requests
            try:
                call()
            except twfollow.TwError as err:
                assert server.requests > before, f"{name}: nothing was sent, so nothing was tested"
                where = f"{name} (HTTP {status}, shape {shape})"
                for text in (str(err), repr(err), err.message, lib.tw_last_error_message().decode()):
                    assert_no_encoded_secret(text, given, where)
            else:
                if not (name == "revoke" and status == 200):
                    pytest.fail(f"{name} succeeded against a hostile server (HTTP {status}, shape {shape})")
    finally:
        server.close()


def test_the_clis_stderr_never_holds_a_form_encoded_refresh_token():
    """A follow with OAuth 2.0 tokens in the environment against a server that echoes
    every request (the refresh's form body too) into a 400: stderr stays clean."""
    server = TokenEchoServer(401, TOKEN_SHAPES[-1], planted={})
    s = ENCODED_SECRETS
    env = {k: v for k, v in os.environ.items() if not k.startswith("TW_")}
    env.update(
        TW_API_BASE=server.base_url, TW_OAUTH2_CLIENT_ID=CLIENT_ID, TW_OAUTH2_CLIENT_SECRET=s["client secret"],
        TW_OAUTH2_ACCESS_TOKEN=s["OAuth 2.0 access token"], TW_OAUTH2_REFRESH_TOKEN=s["OAuth 2.0 refresh token"],
    )
    binary = os.environ.get("TW_FOLLOW_BIN", str(REPO / "build" / "tw-follow"))
    try:
        result = subprocess.run([binary, "2244994945"], env=env, capture_output=True, text=True, timeout=60)
        assert result.returncode != 0, result.stderr
        assert server.requests > 0, "nothing was sent"
        assert_no_encoded_secret(result.stdout + result.stderr, ("client secret", "OAuth 2.0 access token",
                                                                 "OAuth 2.0 refresh token"), "tw-follow")
    finally:
        server.close()


def test_every_output_is_freed_when_reading_one_fails(monkeypatch):
    # tw_oauth2_authorize_url writes three strings (URL, state, PKCE verifier): all three are
    # freed, and so wiped, even when reading the first raises.
    import ctypes

    from twfollow import _native

    flow = twfollow.OAuth2Flow("client-id", "http://127.0.0.1:9/callback")
    lib, freed = _native.lib(), []
    free = lib.tw_string_free

    def counting_free(pointer):
        freed.append(pointer.value)
        free(pointer)

    def failing_read(*_):
        raise MemoryError

    monkeypatch.setattr(lib, "tw_string_free", counting_free)
    monkeypatch.setattr(ctypes, "string_at", failing_read)
    with pytest.raises(MemoryError):
        flow.authorization_url()
    monkeypatch.undo()
    flow.close()
    assert len(freed) == 3 and all(freed), freed
