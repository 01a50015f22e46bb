"""Issue 27 from Python: a signal arriving during a refresh does not cost the grant (the C
call finishes, its new pair saved, before Python's handler runs: SIGINT's KeyboardInterrupt,
or a handler of SIGTERM); Client.from_store reads TW_API_BASE and TW_API_VERSION as from_env
does (a keyword wins, and its variable is then not read); Store.import_from says what it kept
and handed over; refreshes_in_flight() is 0 outside a refresh."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

import twfollow
from conftest import SandboxProcess, read_store, save_oauth2, sign_in, xurl_file

TWITTERDEV = 2244994945

CHILD = r"""
import signal, sys, threading, time
import twfollow

if sys.argv[2] == "SIGTERM":
    def on_term(signum, frame):
        print(f"handler ran with {twfollow.refreshes_in_flight()} in flight", flush=True)
        raise SystemExit(143)
    signal.signal(signal.SIGTERM, on_term)
client = twfollow.Client.from_store("grant", sys.argv[1])

def watch():
    deadline = time.monotonic() + 10
    while twfollow.refreshes_in_flight() == 0 and time.monotonic() < deadline:
        time.sleep(0.001)
    print("in flight" if twfollow.refreshes_in_flight() else "never in flight", flush=True)

threading.Thread(target=watch, daemon=True).start()
try:
    client.follow(2244994945)  # the handler runs at the first bytecodes after it returns
    time.sleep(5)
except KeyboardInterrupt:
    print(f"handler ran with {twfollow.refreshes_in_flight()} in flight", flush=True)
    sys.exit(130)
"""


@pytest.fixture(scope="module")
def slow_refreshes():
    # Every access token needs a refresh at once (60 s: inside the library's margin); the
    # answer to a refresh comes 500 ms after the grant rotated.
    process = SandboxProcess("--oauth2-token-lifetime", "60", "--oauth2-refresh-delay-ms", "500")
    yield process
    process.stop()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM-handler"])
def test_a_signal_during_a_refresh_does_not_cost_the_grant(slow_refreshes, tmp_path, monkeypatch, signum):
    store = tmp_path / "twfollow" / "accounts.json"
    _, tokens = save_oauth2(slow_refreshes.base_url, "grant", twfollow.Store(store))
    monkeypatch.setenv("TW_API_BASE", slow_refreshes.base_url)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(store), signal.Signals(signum).name],
        env=os.environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert child.stdout is not None
    assert child.stdout.readline() == "in flight\n"  # the refresh is sent, its answer 500 ms away
    child.send_signal(signum)
    out, err = child.communicate(timeout=30)
    assert child.returncode == (130 if signum == signal.SIGINT else 143), err
    assert out == "handler ran with 0 in flight\n", out
    stored = read_store(store)["accounts"]["grant"]
    assert stored["refresh_token"] != tokens["refresh_token"], "the rotated pair was not saved"
    with twfollow.Client.from_store("grant", store) as client:  # and it works: the grant lives
        assert client.follow(TWITTERDEV) == {"data": {"following": True, "pending_follow": False}}
        assert twfollow.refreshes_in_flight() == 0


@pytest.fixture(scope="module")
def sandbox():
    process = SandboxProcess()
    yield process
    process.stop()


def test_from_store_reads_tw_api_base_and_tw_api_version_as_from_env(sandbox, tmp_path, monkeypatch):
    store = twfollow.Store(tmp_path / "twfollow" / "accounts.json")
    for name, value in zip(("TW_CONSUMER_KEY", "TW_CONSUMER_SECRET", "TW_ACCESS_TOKEN", "TW_ACCESS_TOKEN_SECRET"),
                           ("sandbox-consumer-key", "sandbox-consumer-secret", "1500000001-sandboxAccessToken1",
                            "sandbox-token-secret-1")):  # fmt: skip
        monkeypatch.setenv(name, value)
    assert store.import_from("env") == ["env"]
    # The sandbox's variables exported: a stored account follows there, never at X.
    monkeypatch.setenv("TW_API_BASE", sandbox.base_url)
    monkeypatch.setenv("TW_API_VERSION", "2")
    with twfollow.Client.from_store("env", store.path) as client:
        assert client.follow("twitterdev") == {"data": {"following": True, "pending_follow": False}}
    # A keyword wins, and its variable is then not read at all.
    monkeypatch.setenv("TW_API_BASE", "http://example.com")
    with pytest.raises(twfollow.InvalidArgumentError, match="environment variable TW_API_BASE"):
        twfollow.Client.from_store("env", store.path)
    with twfollow.Client.from_store("env", store.path, base_url=sandbox.base_url, api_version="1.1") as client:
        assert client.follow("twitterdev")["screen_name"] == "twitterdev"  # API 1.1's user object
    monkeypatch.setenv("TW_API_VERSION", "3")
    with pytest.raises(twfollow.InvalidArgumentError, match="environment variable TW_API_VERSION"):
        twfollow.Client.from_store("env", store.path, base_url=sandbox.base_url)


def test_import_from_says_what_it_kept_and_handed_over(sandbox, tmp_path):
    store = twfollow.Store(tmp_path / "twfollow" / "accounts.json")
    flow, tokens = sign_in(sandbox.base_url)
    flow.close()
    source = tmp_path / "xurl"
    source.write_text(xurl_file(tokens))
    report = store.import_from("xurl", source)
    assert report == ["sandbox_me"] and report.imported == ["sandbox_me"]
    assert (report.kept, report.handed_over) == ([], ["sandbox_me"])
    with twfollow.Client.from_store("sandbox_me", store.path, base_url=sandbox.base_url) as client:
        client.refresh()
    report = store.import_from("xurl", source)
    assert (list(report), report.kept, report.handed_over) == ([], ["sandbox_me"], [])
    report = store.import_from("xurl", source, force=True)
    assert (list(report), report.kept) == (["sandbox_me"], [])
    assert isinstance(report, twfollow.ImportedAccounts)
