"""A smoke set of tw-follow runs under valgrind (TWFOLLOW_VALGRIND=1; a plain build,
TW_FOLLOW_VALGRIND_BIN, default build/tw-follow): no memory error and nothing definitely or
indirectly lost where the tool hands its memory to the library, once per kind of hand-off: a
follow with the setters and the trace callback, a refusal's messages, relationship, the proxy
from standard input, the token store's verbs with a refresh, and authorize (PIN pasted; OAuth
2.0 caught by the loopback listener).

Every other test runs the ASan+UBSan build scripts/test.sh gives as TW_FOLLOW_BIN, which
checks all of the tool's own code (usage errors are nothing but that) and, through its
LeakSanitizer, every leak; what valgrind adds is the library's uninstrumented reads and writes
of the tool's buffers. The library's own memory is checked under valgrind by the c stage
(tests/c/test_follow.c). Each run here costs 1.5 to 2 s of CPU, most of it valgrind reading
the library's debug information and translating its code: 10 runs, those that do not depend
on each other side by side."""

from __future__ import annotations

import concurrent.futures
import os
import socket

import pytest
from conftest import (
    CONFIDENTIAL, MEMORY_ERROR, REPO, Cli, expire, pin_of, play_authorize, redirected, save_oauth2, twurlrc, visit,
)  # fmt: skip

pytestmark = pytest.mark.skipif(
    os.environ.get("TWFOLLOW_VALGRIND") != "1", reason="TWFOLLOW_VALGRIND=1 runs them"
)

# --read-inline-info=no: a report shows no inlined frames, and each run starts in two thirds
# of the time (the library's debug information is large).
VALGRIND = [
    "valgrind", "-q", "--leak-check=full", "--errors-for-leak-kinds=definite,indirect",
    f"--error-exitcode={MEMORY_ERROR}", "--read-inline-info=no",
]  # fmt: skip
BINARY = os.environ.get("TW_FOLLOW_VALGRIND_BIN", str(REPO / "build" / "tw-follow"))
OAUTH1_USER = ("TW_ACCESS_TOKEN", "TW_ACCESS_TOKEN_SECRET")


@pytest.fixture
def checked():
    return Cli("tw-follow under valgrind", [*VALGRIND, BINARY])


def side_by_side(checked, runs):
    """Runs (arguments, environment, standard input) at once: valgrind's start-up is most of
    each run, and CI has two cores."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(runs)) as pool:
        return list(pool.map(lambda run: checked.run(run[0], run[1], input=run[2]), runs))


def test_a_follow_a_refusal_and_relationship_free_what_they_take(checked, sandbox_env, connect_proxy):
    """The follow with the setters, the trace and a proxy from standard input (one that
    tunnels to the sandbox); a refusal's messages; relationship (API v2)."""
    proxy = connect_proxy("proxy-user", "proxy-password")
    runs = [
        (["--notify", "--timeout-ms", "5000", "--trace", "--proxy-file", "-", "@twitterdev"], 0,
         f"http://proxy-user:proxy-password@{proxy.address}\n"),
        (["blocker_bob"], 1, None),
        (["--api-version", "2", "relationship", "muted_mia"], 0, None),
    ]  # fmt: skip
    results = side_by_side(checked, [(args, sandbox_env, stdin) for args, _, stdin in runs])
    for (args, code, _), result in zip(runs, results):
        assert result.returncode == code, (args, result.stderr)
    assert [destination for destination, _ in proxy.requests] == [sandbox_env["TW_API_BASE"][len("http://") :]]


def test_the_store_verbs_and_a_refresh(checked, sandbox, sandbox_env, account_of, private_store, tmp_path):
    """An import, a follow whose refresh calls the tool's token callback, the listing as
    fields, whoami's token out-parameters, and a removal."""
    app_env = {k: v for k, v in sandbox_env.items() if k not in OAUTH1_USER}
    source = tmp_path / "twurlrc"
    source.write_text(twurlrc(account_of(1)))
    assert checked.run(["accounts", "import", "twurl", str(source)], app_env).returncode == 0
    name, _ = save_oauth2(sandbox.base_url, "grant")
    expire(private_store, name)
    refreshed = checked.run(["--account", name, "twitterdev"], app_env)
    assert refreshed.returncode == 0, refreshed.stderr
    for result in side_by_side(checked, [(["accounts"], app_env, None), (["whoami"], app_env, None)]):
        assert result.returncode == 0, result.stderr
    removed = checked.run(["accounts", "remove", "sandbox_me"], app_env)
    assert removed.returncode == 0, removed.stderr


def test_authorize_with_a_pin_and_with_the_listener(checked, sandbox_env):
    """The two flows side by side: the PIN pasted (OAuth 1.0a), and OAuth 2.0 caught by the
    loopback listener."""
    app_env = {k: v for k, v in sandbox_env.items() if k not in OAUTH1_USER}
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    uri = f"http://127.0.0.1:{port}/callback"

    def browser(url):
        """Approves, and is sent to the listener; types nothing."""
        status, _, _ = visit(redirected(url))
        assert status == 200

    oauth2_env = dict(app_env, TW_OAUTH2_CLIENT_SECRET=CONFIDENTIAL[1])
    oauth2 = ["authorize", "--oauth2", "--client-id", CONFIDENTIAL[0], "--redirect-uri", uri, "--exports"]
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        pin = pool.submit(play_authorize, [*checked.command, "authorize", "--exports"], app_env, pin_of)
        listened = pool.submit(play_authorize, [*checked.command, *oauth2], oauth2_env, browser)
        for flow, printed in ((pin, "export TW_ACCESS_TOKEN="), (listened, "export TW_OAUTH2_REFRESH_TOKEN=")):
            code, out, err = flow.result()
            assert code == 0 and printed in out, err
