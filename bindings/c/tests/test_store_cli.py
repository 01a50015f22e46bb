"""The token store through tw-follow: authorize saves and a plain follow uses the default account, the
accounts verbs, token, imports, refused stores, the TW_OAUTH2_* rule, and a cron-like
loop with all output discarded across an expiry and a revoked access token (every
round succeeds; the refreshes are counted at the server's door)."""

from __future__ import annotations

import http.client
import json
import os
import pathlib
import re
import subprocess
import threading
import time
import urllib.parse

import pytest

import twfollow
from conftest import (
    CONFIDENTIAL, REDIRECT, SandboxProcess, expire, pin_of, play_authorize, read_store, redirected, sanitized, save_oauth2,
    sign_in, twurlrc, xurl_file,
)  # fmt: skip

TWITTERDEV = "2244994945"


@pytest.fixture(scope="module")
def sandbox():
    """A sandbox of this module's own: its follows do not spend the session's budgets."""
    process = SandboxProcess()
    yield process
    process.stop()


def authorize(cli, args, env, answer_for):
    """`CLI authorize ARGS`, playing the user: (exit code, stdout, stderr)."""
    return play_authorize([*cli.command, "authorize", *args], env, answer_for)


def test_authorize_saves_and_a_plain_follow_uses_the_default(cli, app_env, private_store):
    code, out, err = authorize(cli, [], app_env, pin_of)
    assert code == 0, err
    assert out == "", "nothing for eval: the tokens are in the store"
    assert f"saved account sandbox_me to {private_store}" in err
    assert "note: a user token is set" not in err
    assert "sandbox-token-secret-1" not in out + err
    followed = cli.run(["@twitterdev"], app_env)
    assert followed.returncode == 0, followed.stderr
    assert json.loads(followed.stdout)["id"] == 2244994945
    # OAuth 2.0 under another name: saved, and the first account stays the default.
    env = dict(app_env, TW_OAUTH2_CLIENT_SECRET=CONFIDENTIAL[1])
    args = ["--oauth2", "--client-id", CONFIDENTIAL[0], "--redirect-uri", REDIRECT, "--paste", "--account", "work"]
    code, out, err = authorize(cli, args, env, redirected)
    assert (code, out) == (0, ""), err
    assert f"saved account work to {private_store}" in err
    assert read_store(private_store)["default"] == "sandbox_me"
    # With a user token in the environment, which would win over the default: said.
    code, _, err = authorize(cli, [], dict(app_env, TW_ACCESS_TOKEN="1500000001-other"), pin_of)
    assert code == 0 and "wins over the store's default account: unset it, or follow with --account sandbox_me" in err
    followed = cli.run(["--account", "work", TWITTERDEV], app_env)
    assert followed.returncode == 0, followed.stderr
    assert json.loads(followed.stdout)["data"]["following"] is True


def test_authorize_exports_saves_nothing(cli, app_env, private_store):
    code, out, err = authorize(cli, ["--exports"], app_env, pin_of)
    assert code == 0, err
    assert out.startswith("export TW_ACCESS_TOKEN='") and "saved account" not in err
    assert not private_store.exists()
    code, _, err = authorize(cli, ["--exports", "--account", "x"], app_env, lambda url: None)
    assert code == 64 and "--exports saves nothing" in err


def test_accounts_listing_json_default_and_remove(cli, sandbox, app_env, private_store):
    assert cli.run(["accounts"], app_env).stdout == f"no accounts in {private_store}\n"
    _, first = save_oauth2(sandbox.base_url)
    _, second = save_oauth2(sandbox.base_url, "work")
    listed = cli.run(["accounts"], app_env)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0] == f"accounts in {private_store}:"
    assert re.fullmatch(
        rf"\* sandbox_me  oauth2  @sandbox_me  id 1500000001  app {CONFIDENTIAL[0]}  "
        r"expires \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ, refreshable",
        lines[1],
    ), lines
    assert lines[2].startswith("  work  oauth2  @sandbox_me  id 1500000001  ")
    as_json = cli.run(["accounts", "--json"], app_env)
    listing = json.loads(as_json.stdout)
    assert listing["path"] == str(private_store) and listing["default"] == "sandbox_me"
    assert [a["name"] for a in listing["accounts"]] == ["sandbox_me", "work"]
    for tokens in (first, second):
        for secret in (tokens["access_token"], tokens["refresh_token"], CONFIDENTIAL[1]):
            assert secret not in listed.stdout + as_json.stdout
    changed = cli.run(["accounts", "default", "work"], app_env)
    assert changed.returncode == 0, changed.stderr
    assert read_store(private_store)["default"] == "work"
    assert cli.run(["accounts", "default", "nobody"], app_env).returncode == 78
    # Remove with --revoke: the grant is dead at X, the account gone.
    refresh_token = read_store(private_store)["accounts"]["work"]["refresh_token"]
    removed = cli.run(["--base-url", sandbox.base_url, "accounts", "remove", "work", "--revoke"], app_env)
    assert removed.returncode == 0, removed.stderr
    assert "work" not in read_store(private_store)["accounts"]
    with twfollow.Client.oauth2(
        CONFIDENTIAL[0], "old", refresh_token, client_secret=CONFIDENTIAL[1], base_url=sandbox.base_url
    ) as stale:
        with pytest.raises(twfollow.AuthError):
            stale.refresh()
    # Usage errors.
    for args in (["accounts", "bogus"], ["accounts", "remove"], ["accounts", "default", "x", "--json"],
                 ["--revoke", "@twitterdev"], ["token", "@x"]):  # fmt: skip
        assert cli.run(args, app_env).returncode == 64, args


def test_token_prints_a_token_that_works_with_raw_http(cli, sandbox, app_env, private_store, counting_proxy):
    proxy = counting_proxy(sandbox.base_url)
    name, first = save_oauth2(sandbox.base_url)
    expire(private_store, name)
    result = cli.run(["--base-url", proxy.base_url, "token"], app_env)
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    assert result.stdout == token + "\n" and token != first["access_token"]
    assert proxy.refreshes == 1 and read_store(private_store)["accounts"][name]["access_token"] == token
    parts = urllib.parse.urlsplit(sandbox.base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request("GET", "/2/users/me", headers={"Authorization": f"Bearer {token}"})
    response = connection.getresponse()
    assert response.status == 200 and json.loads(response.read())["data"]["username"] == "sandbox_me"
    connection.close()


def test_a_cron_loop_with_output_discarded_loses_no_grant(cli, sandbox, app_env, private_store, counting_proxy):
    proxy = counting_proxy(sandbox.base_url)
    name, first = save_oauth2(sandbox.base_url)
    env = dict(app_env, TW_API_BASE=proxy.base_url)
    line = " ".join(f"'{word}'" for word in [*cli.command, TWITTERDEV]) + " >/dev/null 2>&1"
    seen = [first["refresh_token"]]
    expected = 0
    for round_ in range(3):
        if round_ == 1:  # the access token expires between rounds 1 and 2 (proactive refresh)
            expire(private_store, name)
            expected += 1
        if round_ == 2:  # X revokes it early between rounds 2 and 3 (the 401 path)
            access = read_store(private_store)["accounts"][name]["access_token"]
            with twfollow.Client.oauth2(
                CONFIDENTIAL[0], access, client_secret=CONFIDENTIAL[1], base_url=sandbox.base_url
            ) as client:
                client.revoke(access)
            expected += 1
        assert subprocess.run(["sh", "-c", line], env=sanitized(env)).returncode == 0, f"round {round_ + 1}"
        assert proxy.refreshes == expected, f"round {round_ + 1}"
        if round_ == 0:
            # The user's id was stored with the account: a follow by id is one paid request.
            assert proxy.requests == 1
        seen.append(read_store(private_store)["accounts"][name]["refresh_token"])
    assert seen[0] == seen[1] != seen[2] != seen[3], "each refresh's new pair reached the store"


def test_env_oauth2_tokens_are_never_refreshed_and_import_env_fixes_it(cli, sandbox, app_env, counting_proxy):
    proxy = counting_proxy(sandbox.base_url)
    flow, tokens = sign_in(sandbox.base_url)
    flow.close()
    env = dict(
        app_env, TW_API_BASE=proxy.base_url, TW_OAUTH2_CLIENT_ID=CONFIDENTIAL[0],
        TW_OAUTH2_CLIENT_SECRET=CONFIDENTIAL[1], TW_OAUTH2_ACCESS_TOKEN=tokens["access_token"],
        TW_OAUTH2_REFRESH_TOKEN=tokens["refresh_token"], TW_OAUTH2_EXPIRES_AT=str(int(time.time()) - 10),
    )  # fmt: skip
    for args in ([TWITTERDEV], ["token"]):
        refused = cli.run(args, env)
        assert refused.returncode == 77, refused.stderr
        assert refused.stderr.startswith("TW_STATUS_AUTH: ")
        assert "does not refresh tokens from TW_OAUTH2_* variables" in refused.stderr
        assert "expired at " in refused.stderr
        assert "accounts import env` once and use the store" in refused.stderr
        assert tokens["refresh_token"] not in refused.stderr + refused.stdout
    assert proxy.requests == 0, "nothing sent: the token has expired, and refreshing would lose the new pair"
    imported = cli.run(["accounts", "import", "env"], env)
    assert imported.returncode == 0, imported.stderr
    [name] = re.findall(r"imported account (\S+) into ", imported.stderr)
    followed = cli.run(["--account", name, TWITTERDEV], env)
    assert followed.returncode == 0, followed.stderr
    assert proxy.refreshes == 1


def test_imported_twurl_and_xurl_accounts_follow(cli, sandbox, app_env, account_of, tmp_path):
    flow, tokens = sign_in(sandbox.base_url)
    flow.close()
    samples = {"twurl": twurlrc(account_of(1)), "xurl": xurl_file(tokens, oauth1=account_of(1))}
    for kind, text in samples.items():
        path = tmp_path / f"{kind}-sample"
        path.write_text(text)
        os.chmod(path, 0o600)
        imported = cli.run(["accounts", "import", kind, str(path)], app_env)
        assert imported.returncode == 0, imported.stderr
        names = re.findall(r"imported account (\S+) into ", imported.stderr)
        assert names, imported.stderr
        for name in names:
            followed = cli.run(["--account", name, "@twitterdev"], app_env)
            assert followed.returncode == 0, (kind, name, followed.stderr)
        for secret in ("sandbox-token-secret-1", "sandbox-consumer-secret", tokens["refresh_token"]):
            assert secret not in imported.stdout + imported.stderr


def test_a_readable_store_is_refused_with_the_fix(cli, sandbox, app_env, private_store):
    save_oauth2(sandbox.base_url)
    before = private_store.read_bytes()
    os.chmod(private_store, 0o644)
    for args in (["@twitterdev"], ["accounts"], ["token"]):
        refused = cli.run(args, app_env)
        assert refused.returncode == 78, (args, refused.stderr)
        assert refused.stderr.startswith("TW_STATUS_STORE: ")
        assert str(private_store) in refused.stderr and f"chmod 600 {private_store}" in refused.stderr
    assert private_store.read_bytes() == before


def test_no_credentials_and_no_store_says_how_to_get_them(cli, app_env):
    result = cli.run(["@twitterdev"], app_env)
    assert result.returncode == 78
    assert "TW_ACCESS_TOKEN" in result.stderr and "authorize` to save an account" in result.stderr


def test_the_account_option_wins_over_the_environment(cli, sandbox, sandbox_env, private_store):
    save_oauth2(sandbox.base_url, "work")
    # OAuth 1.0a variables are set, yet --account follows with the stored OAuth 2.0 account (API v2).
    followed = cli.run(["--account", "work", TWITTERDEV], sandbox_env)
    assert followed.returncode == 0, followed.stderr
    assert json.loads(followed.stdout)["data"]["following"] is True
    missing = cli.run(["--account", "nobody", TWITTERDEV], sandbox_env)
    assert missing.returncode == 78 and "nobody" in missing.stderr


class StoreBreaker:
    """Breaks the store once a refresh is recorded in flight in it (X is then working on
    the refresh): its folder is replaced by a file, so the save of the answer fails.
    (Breaking it earlier sends nothing: the refresh cannot be recorded.)"""

    def __init__(self, store: pathlib.Path) -> None:
        self.store, self.folder = store, store.parent
        self.aside = self.folder.with_name(self.folder.name + ".aside")
        self.thread = threading.Thread(target=self._break)
        self.thread.start()

    def _break(self) -> None:
        deadline = time.monotonic() + 30
        while b"refresh_in_flight" not in self.store.read_bytes():
            assert time.monotonic() < deadline, "no refresh began"
            time.sleep(0.002)
        self.folder.rename(self.aside)
        self.folder.write_text("not a folder")

    def mend(self) -> None:
        self.thread.join()
        self.folder.unlink()
        self.aside.rename(self.folder)


def test_a_refresh_that_cannot_be_saved_exits_73_with_the_only_copy(cli, start_sandbox, app_env, private_store):
    slow = start_sandbox("--oauth2-refresh-delay-ms", "300")
    env = dict(app_env, TW_API_BASE=slow.base_url)
    name, first = save_oauth2(slow.base_url)
    expire(private_store, name)
    breaker = StoreBreaker(private_store)
    result = cli.run([TWITTERDEV], env)
    breaker.mend()
    assert result.returncode == 73, result.stderr
    assert result.stderr.startswith("TW_STATUS_TOKENS_NOT_SAVED: ")
    stored = read_store(private_store)["accounts"][name]
    assert stored["refresh_token"] == first["refresh_token"], "the store kept the old pair"
    assert stored["refresh_in_flight"]["pid"] > 0, "and the record that explains it"
    exports = "\n".join(line for line in result.stderr.splitlines() if line.startswith(("export ", "unset ")))
    printed = dict(re.findall(r"^export (TW_OAUTH2_[A-Z_]+)='([^']*)'$", exports, re.M))
    assert printed["TW_OAUTH2_REFRESH_TOKEN"] != first["refresh_token"], "the new pair, its only copy"
    # That copy is whole: imported as the message says (--force: the store's own grant
    # of that user is the older one here), it follows (and refreshes later).
    imported = dict(env, **printed, TW_OAUTH2_CLIENT_ID=CONFIDENTIAL[0], TW_OAUTH2_CLIENT_SECRET=CONFIDENTIAL[1])
    assert cli.run(["accounts", "import", "env", "--force"], imported).returncode == 0
    again = cli.run(["--account", "env", "--base-url", slow.base_url, "token"], env)
    assert again.returncode == 0 and again.stdout.strip() == printed["TW_OAUTH2_ACCESS_TOKEN"], again.stderr


def test_the_listing_and_the_refusals_of_the_accounts_verbs(cli, sandbox, app_env, account_of, private_store, tmp_path):
    save_oauth2(sandbox.base_url, "work")
    twurl = tmp_path / "twurlrc"
    twurl.write_text(twurlrc(account_of(1)))
    os.chmod(twurl, 0o600)
    assert cli.run(["accounts", "import", "twurl", str(twurl)], app_env).returncode == 0
    listing = cli.run(["accounts"], app_env)
    assert listing.returncode == 0, listing.stderr
    assert "  oauth1  @sandbox_me  id 1500000001  app sandbox-consumer-key  no expiry" in listing.stdout, listing.stdout
    as_json = cli.run(["accounts", "--json"], app_env)
    assert as_json.returncode == 0 and json.loads(as_json.stdout)["default"] == "work", as_json.stdout
    for args, code in ((["accounts", "default", "nobody"], 78), (["--account", "nobody", "@twitterdev"], 78),
                       (["accounts", "import", "nosuchtool"], 65), (["accounts", "bogus"], 64),
                       (["token", "extra"], 64), (["--account", "sandbox_me", "token"], 78)):  # fmt: skip
        result = cli.run(args, app_env)
        assert result.returncode == code, (args, result.stderr)


def test_an_account_whose_user_is_not_known_yet_is_listed(cli, app_env):
    # `accounts import env` with OAuth 2.0 variables stores no user id or screen name
    # until the account's first call: the listing shows "-" for them.
    env = dict(app_env, TW_OAUTH2_CLIENT_ID=CONFIDENTIAL[0], TW_OAUTH2_ACCESS_TOKEN="access-token-0",
               TW_OAUTH2_REFRESH_TOKEN="refresh-token-0", TW_OAUTH2_EXPIRES_AT="0")  # fmt: skip
    assert cli.run(["accounts", "import", "env"], env).returncode == 0
    listed = cli.run(["accounts"], app_env).stdout
    assert f"* env  oauth2  -  id -  app {CONFIDENTIAL[0]}  expiry unknown, refreshable" in listed, listed
    assert "refresh-token-0" not in listed and "access-token-0" not in listed


# Issue 20, item 5: a token that cannot be written out is a failure (74, EX_IOERR).


def run_onto_full(cli, args, env, stream):
    """Runs the tool with `stream` ("stdout" or "stderr") on /dev/full, the other captured."""
    with open("/dev/full", "w") as full:
        streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, stream: full}
        return subprocess.run([*cli.command, *args], env=sanitized(env), text=True, errors="replace", **streams)


def test_token_onto_a_full_disk_exits_74(cli, sandbox, app_env, private_store):
    save_oauth2(sandbox.base_url)
    result = run_onto_full(cli, ["token"], app_env, "stdout")
    assert result.returncode == 74, result.stderr
    assert "the access token could not be written to standard output (No space left on device)" in result.stderr


def test_an_unsaved_refresh_whose_only_copy_cannot_be_printed_exits_74(cli, start_sandbox, app_env, private_store):
    slow = start_sandbox("--oauth2-refresh-delay-ms", "300")
    name, _ = save_oauth2(slow.base_url)
    expire(private_store, name)
    # As in the 73 test, the save of the answer fails; and stderr, where the only copy
    # goes, is a full disk.
    breaker = StoreBreaker(private_store)
    try:
        result = run_onto_full(cli, [TWITTERDEV], dict(app_env, TW_API_BASE=slow.base_url), "stderr")
    finally:
        breaker.mend()
    assert result.returncode == 74, result.stdout
    assert result.stdout == ""
