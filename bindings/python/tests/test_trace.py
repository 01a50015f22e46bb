"""Client(trace=...): a callable receives each line, True logs to the "twfollow"
logger at DEBUG, the kinds are the header's, and a refusal's trace holds what a 401
is debugged with."""

from __future__ import annotations

import logging
import pathlib
import re
import sys

import pytest

import twfollow
from twfollow.trace import PREFIXES, TraceKind

REPO = pathlib.Path(__file__).resolve().parents[3]


def header_trace_kinds():
    """TW_TRACE_KIND_* name -> number, from include/twfollow.h."""
    header = (REPO / "include" / "twfollow.h").read_text()
    body = re.search(r"typedef enum TwTraceKind \{(.*?)\} TwTraceKind;", header, re.S)
    assert body is not None
    return {name: int(number) for name, number in re.findall(r"\b(TW_TRACE_KIND_\w+) = (\d+)", body.group(1))}


def test_trace_kinds_are_the_headers():
    assert {f"TW_TRACE_KIND_{kind.name}": kind.value for kind in TraceKind} == header_trace_kinds()
    assert set(PREFIXES) == set(TraceKind)


def collecting():
    lines = []
    return lines, lambda kind, line: lines.append((kind, line))


def test_a_callable_receives_every_line_in_order(sandbox, account_of):
    lines, hook = collecting()
    with twfollow.Client(*account_of(1), base_url=sandbox.base_url, trace=hook) as client:
        client.follow("@twitterdev")
    kinds = [kind for kind, _ in lines]
    assert all(isinstance(kind, TraceKind) for kind in kinds)
    assert kinds[0] == TraceKind.BASE_STRING
    assert kinds.index(TraceKind.REQUEST_LINE) < kinds.index(TraceKind.RESPONSE_STATUS)
    assert TraceKind.RESPONSE_BODY not in kinds  # a 2xx body is not traced
    text = dict((kind, line) for kind, line in reversed(lines))
    assert text[TraceKind.BASE_STRING].startswith("POST&http%3A%2F%2F127.0.0.1%3A")
    assert text[TraceKind.BASE_STRING].endswith("%26screen_name%3Dtwitterdev")
    assert text[TraceKind.REQUEST_LINE] == "POST /1.1/friendships/create.json HTTP/1.1"
    assert text[TraceKind.RESPONSE_STATUS] == "HTTP/1.1 200 OK"
    assert text[TraceKind.INFO] == f"connected to {sandbox.base_url}"


def test_trace_true_logs_to_the_twfollow_logger_at_debug(sandbox, account_of, caplog):
    caplog.set_level(logging.DEBUG, logger="twfollow")
    wrong = account_of(1)[:3] + ("not-the-token-secret",)
    with twfollow.Client(*wrong, base_url=sandbox.base_url, trace=True) as client:
        with pytest.raises(twfollow.AuthError):
            client.follow("twitterdev")
    records = [r for r in caplog.records if r.name == "twfollow"]
    assert records and all(r.levelno == logging.DEBUG for r in records)
    messages = [r.getMessage() for r in records]
    assert messages[0].startswith("* POST&")
    assert "> POST /1.1/friendships/create.json HTTP/1.1" in messages
    assert "< HTTP/1.1 401 Unauthorized" in messages
    assert '< {"errors":[{"code":32,"message":"Could not authenticate you."}]}' in messages
    assert messages[-1] == "* HTTP 401, error 32: Could not authenticate you."
    assert [r.twfollow_trace_kind for r in records][0] == TraceKind.BASE_STRING
    assert not any("not-the-token-secret" in m for m in messages)


def test_off_by_default_and_only_true_or_a_callable(sandbox, account_of, caplog):
    caplog.set_level(logging.DEBUG, logger="twfollow")
    for off in (None, False):
        with twfollow.Client(*account_of(1), base_url=sandbox.base_url, trace=off) as client:
            client.follow("twitterdev")
    assert not [r for r in caplog.records if r.name == "twfollow"]
    for bad in ("yes", 1, object()):
        with pytest.raises(twfollow.InvalidArgumentError, match="trace must be True"):
            twfollow.Client(*account_of(1), trace=bad)


def test_an_exception_in_the_callable_does_not_break_the_call(sandbox, account_of, monkeypatch):
    def broken(kind, line):
        raise RuntimeError("a broken trace hook")

    # ctypes reports it through sys.unraisablehook ("Exception ignored on calling ctypes callback").
    reported = []
    monkeypatch.setattr(sys, "unraisablehook", reported.append)
    with twfollow.Client(*account_of(1), base_url=sandbox.base_url, trace=broken) as client:
        assert client.follow("twitterdev")["id"] == 2244994945
    assert reported and all(isinstance(r.exc_value, RuntimeError) for r in reported)


def test_the_v2_lookup_and_the_flows_are_traced(sandbox, account_of):
    lines, hook = collecting()
    with twfollow.Client(*account_of(1), base_url=sandbox.base_url, api_version=2, trace=hook) as client:
        client.follow("twitterdev")
    requests = [line for kind, line in lines if kind == TraceKind.REQUEST_LINE]
    assert requests == ["GET /2/users/by/username/twitterdev HTTP/1.1", "POST /2/users/1500000001/following HTTP/1.1"]
    # A token flow takes the same option: its request-token request is traced (and signed).
    lines.clear()
    with twfollow.OAuth1Flow(*account_of(1)[:2], base_url=sandbox.base_url, trace=hook) as flow:
        flow.authorization_url()
    assert [line for kind, line in lines if kind == TraceKind.REQUEST_LINE] == ["POST /oauth/request_token HTTP/1.1"]
    base = next(line for kind, line in lines if kind == TraceKind.BASE_STRING)
    assert "oauth_callback%3Doob" in base
