"""Issue 27 through tw-follow, with real processes and files: an import never puts back an older OAuth 2.0
grant (kept, said on one line; --force replaces it) and warns when a grant is handed over to
the store; a FIFO or /dev/zero as the source fails cleanly; a screen name with a control
character is refused; the listing escapes what a terminal would act on; the loopback
listener says when localhost's ::1 port is taken, and a client that drips its request cannot
hold it past its deadline; a standard error that cannot be written changes no exit code."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time

import pytest

from conftest import (
    CONFIDENTIAL, REDIRECT, SandboxProcess, TW_FOLLOW_BIN, expire, read_store, sanitized, sign_in, twurlrc, visit,
    write_store, xurl_file,
)  # fmt: skip

TWITTERDEV = "2244994945"


@pytest.fixture(scope="module")
def sandbox():
    process = SandboxProcess()
    yield process
    process.stop()


def test_an_import_keeps_a_newer_stored_grant_unless_forced(cli, sandbox, app_env, private_store, tmp_path):
    flow, tokens = sign_in(sandbox.base_url)
    flow.close()
    source = tmp_path / "xurl"
    source.write_text(xurl_file(tokens))
    first = cli.run(["accounts", "import", "xurl", str(source)], app_env)
    assert first.returncode == 0, first.stderr
    assert f"tw-follow: imported account sandbox_me into {private_store}" in first.stderr
    assert (f"tw-follow: warning: the OAuth 2.0 grant of sandbox_me belongs to the store now: {source} stops "
            "working for it once twfollow refreshes it (X rotates the refresh token)") in first.stderr  # fmt: skip
    # The store refreshes: the file's refresh token is dead from now on.
    expire(private_store, "sandbox_me")
    followed = cli.run(["--account", "sandbox_me", TWITTERDEV], app_env)
    assert followed.returncode == 0, followed.stderr
    stored = read_store(private_store)["accounts"]["sandbox_me"]["refresh_token"]
    assert stored != tokens["refresh_token"]
    # The container's next start imports again: the store's grant is kept, and said.
    again = cli.run(["accounts", "import", "xurl", str(source)], app_env)
    assert again.returncode == 0, again.stderr
    assert again.stderr.splitlines() == [
        f"tw-follow: kept: the store's grant for sandbox_me is newer than the one in {source}; --force replaces it"
    ]
    assert read_store(private_store)["accounts"]["sandbox_me"]["refresh_token"] == stored
    expire(private_store, "sandbox_me")
    assert cli.run(["--account", "sandbox_me", TWITTERDEV], app_env).returncode == 0, "the grant survived"
    # --force puts the file's (dead) grant back, as asked.
    forced = cli.run(["accounts", "import", "xurl", str(source), "--force"], app_env)
    assert forced.returncode == 0, forced.stderr
    assert "imported account sandbox_me" in forced.stderr and "kept:" not in forced.stderr
    assert read_store(private_store)["accounts"]["sandbox_me"]["refresh_token"] == tokens["refresh_token"]
    assert cli.run(["accounts", "--force"], app_env).returncode == 64
    assert cli.run(["--force", TWITTERDEV], app_env).returncode == 64


@pytest.mark.parametrize("source", ["fifo", "/dev/zero", "/dev/null", "folder"])
def test_an_import_reads_only_a_regular_file(cli, app_env, private_store, tmp_path, source):
    if source == "fifo":
        source = str(tmp_path / "fifo")
        os.mkfifo(source)  # nobody writes to it: a blocking open would hang
    elif source == "folder":
        source = str(tmp_path)
    started = time.monotonic()
    refused = cli.run(["accounts", "import", "twurl", source], app_env)
    assert refused.returncode == 78, refused.stderr
    assert f"TW_STATUS_STORE: cannot import {source}: it is not a regular file" in refused.stderr
    assert time.monotonic() - started < 10
    assert not private_store.exists()


def test_an_import_of_a_file_over_1_mib_is_refused(cli, app_env, account_of, tmp_path):
    big = tmp_path / "twurlrc"
    big.write_text(twurlrc(account_of(1)) + "#" * (1 << 20))
    refused = cli.run(["accounts", "import", "twurl", str(big)], app_env)
    assert refused.returncode == 78 and "larger than 1048576 bytes" in refused.stderr, refused.stderr


def test_a_screen_name_with_a_control_character_is_refused(cli, app_env, account_of, private_store, tmp_path):
    source = tmp_path / "twurlrc"
    source.write_text(twurlrc(account_of(1), username='"ev\\e[31mil"'))
    refused = cli.run(["accounts", "import", "twurl", str(source)], app_env)
    assert refused.returncode == 78, refused.stderr
    assert r'the screen name "ev\u{1b}[31mil" is not a name' in refused.stderr
    assert "\x1b" not in refused.stderr
    assert not private_store.exists()


def test_the_listing_escapes_what_a_terminal_would_act_on(cli, app_env, account_of, private_store, tmp_path):
    source = tmp_path / "twurlrc"
    source.write_text(twurlrc(account_of(1)))
    assert cli.run(["accounts", "import", "twurl", str(source)], app_env).returncode == 0
    data = read_store(private_store)
    record = data["accounts"].pop("sandbox_me")
    record["screen_name"] = "ev\x1b]0;owned\x07il"
    record["app"] = "app\u009b31m\\"
    del record["kind"]
    data["accounts"]["bidi\u202egnp.exe"] = record
    write_store(private_store, data)
    listed = cli.run(["accounts"], app_env)
    assert listed.returncode == 0, listed.stderr
    line = listed.stdout.splitlines()[1]
    assert line == ("  bidi\\u202egnp.exe    @ev\\x1b]0;owned\\x07il  id 1500000001  app app\\u009b31m\\\\  "
                    "no expiry"), line  # fmt: skip
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]", listed.stdout)
    as_json = cli.run(["accounts", "--json"], app_env).stdout
    assert as_json.strip().isascii() and "\\u202e" in as_json
    import twfollow

    [account] = twfollow.Store(private_store).accounts()
    assert account.kind is None and account.name == "bidi\u202egnp.exe"


def test_a_full_standard_error_changes_no_exit_code(cli, sandbox_env):
    env = sanitized(dict(sandbox_env, TW_ACCESS_TOKEN="1500000001-revoked"))
    with open("/dev/full", "w") as full:
        result = subprocess.run([*cli.command, "twitterdev"], env=env, stdout=subprocess.DEVNULL, stderr=full)
    assert result.returncode == 77


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_authorize(cli, uri, wait, env):
    process = subprocess.Popen(
        [*cli.command, "authorize", "--oauth2", "--client-id", CONFIDENTIAL[0], "--redirect-uri", uri, "--wait", str(wait),
         "--exports"],
        env=sanitized(dict(env, TW_OAUTH2_CLIENT_SECRET=CONFIDENTIAL[1])), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    shown = ""
    while "(or stop with Ctrl-C" not in shown:
        line = process.stderr.readline()
        assert line, shown
        shown += line
    return process, shown


def test_localhost_with_its_ipv6_port_taken_is_said(cli, app_env):
    taken = socket.socket(socket.AF_INET6)
    try:
        taken.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        port = free_port()
        taken.bind(("::1", port))
        taken.listen(1)
    except OSError as e:
        taken.close()
        pytest.skip(f"no IPv6 loopback here: {e}")
    with taken:
        process, shown = start_authorize(cli, f"http://localhost:{port}/callback", 30, app_env)
        # Sent to 127.0.0.1 with the flow's state and a made-up code: caught there, and refused by
        # the sandbox (rather than waiting out the deadline: test_the_listener_gives_up_at_the_deadline).
        [state] = re.findall(r"[?&]state=([^&\s]+)", shown)
        status, _, _ = visit(f"http://127.0.0.1:{port}/callback?state={state}&code=made-up")
        _, err = process.communicate(timeout=60)
    assert status == 200 and process.returncode == 77, err
    assert (f"tw-follow: warning: port {port} of ::1 is taken by another program (Address already in use): a "
            "browser that sends localhost to ::1 reaches it instead; listening on 127.0.0.1 only") in shown + err  # fmt: skip


def test_a_dripping_client_cannot_hold_the_listener_past_its_deadline(cli, app_env):
    port = free_port()
    process, _ = start_authorize(cli, f"http://127.0.0.1:{port}/callback", 2, app_env)
    stop = threading.Event()

    def drip():
        with socket.create_connection(("127.0.0.1", port)) as connection:
            connection.sendall(b"GET /callback?")
            while not stop.wait(0.2):
                try:
                    connection.sendall(b"a")
                except OSError:
                    return

    threading.Thread(target=drip, daemon=True).start()
    started = time.monotonic()
    try:
        _, err = process.communicate(timeout=30)
    finally:
        stop.set()
    assert process.returncode == 65 and "no redirect to" in err
    assert time.monotonic() - started < 6, "the listener outlived its deadline"
