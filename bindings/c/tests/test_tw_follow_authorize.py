"""`tw-follow authorize`, end to end against the sandbox. The test plays the user: it reads the page to open from
stderr, opens it without following redirects (as a browser shows the PIN, or is
sent to the callback), types the answer on stdin, then evals the export lines that
--exports prints in bash and follows with them, with the same tool. (Saving to the
token store, the default without --exports: test_store_cli.py.)"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import time
import urllib.parse

import pytest
from conftest import (
    AUTHORIZE_URL, CONFIDENTIAL, MEMORY_ERROR, PUBLIC_CLIENT, REDIRECT, TW_FOLLOW_BIN, pin_of, play_authorize, redirected,
    sanitized, visit,
)  # fmt: skip

OAUTH1_USER = ("TW_ACCESS_TOKEN", "TW_ACCESS_TOKEN_SECRET")


@pytest.fixture
def tool():
    """The tool's name, as its messages say it."""
    return "tw-follow"


def command(tool, args):
    return [TW_FOLLOW_BIN, *args]


def without(env, names):
    return {k: v for k, v in env.items() if k not in names}




def authorize(tool, args, env, answer_for):
    """Runs `tw-follow authorize ARGS`; `answer_for(url)` plays the user and returns
    what they type (None: nothing, end of input). Returns (exit code, stdout, stderr)."""
    return play_authorize(command(tool, ["authorize", *args]), env, answer_for)


def follow_after_eval(tool, exports, env, *args):
    """bash evals the printed lines, then runs the tool with ARGS in that environment."""
    script = 'eval "$1"; shift; exec "$@"'
    return subprocess.run(["bash", "-c", script, "bash", exports, *command(tool, list(args))],
                          env=sanitized(env), capture_output=True, text=True)


def exported(exports):
    """The TW_ variables bash's eval of the lines sets, in an environment without any."""
    script = 'eval "$1"; env -0'
    env = {"PATH": os.environ["PATH"]}
    result = subprocess.run(["bash", "-c", script, "bash", exports], env=env, capture_output=True, check=True)
    pairs = (item.split("=", 1) for item in result.stdout.decode().split("\0") if "=" in item)
    return {name: value for name, value in pairs if name.startswith("TW_")}


def test_the_pin_flow_prints_exports_that_follow(tool, sandbox_env, account_of):
    app_only = without(sandbox_env, OAUTH1_USER)
    code, out, err = authorize(tool, ["--exports"], app_only, pin_of)
    assert code == 0, err
    token, secret = account_of(1)[2:]
    assert out == (
        f"export TW_ACCESS_TOKEN='{token}'\n"
        f"export TW_ACCESS_TOKEN_SECRET='{secret}'\n"
        "# user_id 1500000001 screen_name sandbox_me\n"
    )
    assert secret not in err and "sandbox-consumer-secret" not in err
    followed = follow_after_eval(tool, out, app_only, "@twitterdev")
    assert followed.returncode == 0, followed.stderr
    assert json.loads(followed.stdout)["id"] == 2244994945


def test_a_wrong_pin_exits_77_with_the_servers_words(tool, sandbox_env):
    code, out, err = authorize(tool, [], without(sandbox_env, OAUTH1_USER), lambda url: "0000000")
    assert (code, out) == (77, "")
    assert "TW_STATUS_AUTH: " in err and "Invalid oauth_verifier parameter" in err, err


def test_a_refused_app_and_missing_keys(tool, sandbox_env):
    env = dict(without(sandbox_env, OAUTH1_USER), TW_CONSUMER_SECRET="not-the-secret")
    code, out, err = authorize(tool, [], env, lambda url: pytest.fail("no page to open"))
    assert (code, out) == (77, "")
    assert err.startswith("TW_STATUS_AUTH: ") and "HTTP 401, error 32" in err and "not-the-secret" not in err
    code, _, err = authorize(tool, [], without(sandbox_env, ("TW_CONSUMER_KEY",)), lambda url: None)
    assert code == 78 and "TW_CONSUMER_KEY" in err


@pytest.mark.parametrize("typed", ["", None], ids=["empty line", "end of input"])
def test_no_pin_exits_65(tool, sandbox_env, typed):
    code, out, err = authorize(tool, [], without(sandbox_env, OAUTH1_USER), lambda url: typed)
    assert (code, out) == (65, "")
    assert "no PIN on standard input" in err


def test_the_exports_survive_eval_whatever_the_server_sends(tool, scripted, sandbox_env):
    """A hostile server: quotes, $(...) and newlines in the fields. bash's eval yields
    the values byte for byte and runs nothing; the comment line stays one comment."""
    fields = {
        "oauth_token": "it's$(touch /tmp/tw-follow-pwned)",
        "oauth_token_secret": "a'b\"c`id`\\n",
        "oauth_callback_confirmed": "true",
        "user_id": "42",  # the library checks it is a positive integer
        "screen_name": "x';id;'\necho pwned",
    }
    server = scripted(200, urllib.parse.urlencode(fields).encode(), {"Content-Type": "text/html"})
    env = dict(without(sandbox_env, OAUTH1_USER), TW_API_BASE=server.base_url)
    code, out, err = authorize(tool, ["--exports"], env, lambda url: "1234567")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[-1] == "# user_id 42 screen_name x??id???echo pwned"
    values = exported(out)
    assert values["TW_ACCESS_TOKEN"] == fields["oauth_token"]
    assert values["TW_ACCESS_TOKEN_SECRET"] == fields["oauth_token_secret"]
    assert not os.path.exists("/tmp/tw-follow-pwned")


def oauth2_args(client_id, *more):
    """Pasting: REDIRECT is loopback, and the listener is tested below."""
    return ["--oauth2", "--client-id", client_id, "--redirect-uri", REDIRECT, "--paste", *more]


@pytest.mark.parametrize("confidential", [True, False], ids=["confidential", "public"])
def test_the_oauth2_flow_prints_exports_that_follow(tool, sandbox_env, confidential):
    env = without(sandbox_env, OAUTH1_USER)
    if confidential:
        env["TW_OAUTH2_CLIENT_SECRET"] = CONFIDENTIAL[1]
    client_id = CONFIDENTIAL[0] if confidential else PUBLIC_CLIENT
    code, out, err = authorize(tool, oauth2_args(client_id, "--exports"), env, redirected)
    assert code == 0, err
    values = exported(out)
    assert values["TW_OAUTH2_CLIENT_ID"] == client_id
    assert len(values["TW_OAUTH2_ACCESS_TOKEN"]) > 20 and len(values["TW_OAUTH2_REFRESH_TOKEN"]) > 20
    assert int(values["TW_OAUTH2_EXPIRES_AT"]) > time.time() + 7000
    assert "# scope tweet.read users.read follows.write offline.access" in out.splitlines()
    assert ("TW_OAUTH2_CLIENT_SECRET too" in out) == confidential
    assert CONFIDENTIAL[1] not in out + err
    for token in (values["TW_OAUTH2_ACCESS_TOKEN"], values["TW_OAUTH2_REFRESH_TOKEN"]):
        assert token not in err
    followed = follow_after_eval(tool, out, env, "@twitterdev")
    assert followed.returncode == 0, followed.stderr
    assert json.loads(followed.stdout) == {"data": {"following": True, "pending_follow": False}}
    assert followed.stderr == "", "nothing on stderr"


def test_the_oauth2_flow_takes_a_bare_code_and_a_secret_in_argv(tool, sandbox_env):
    env = without(sandbox_env, OAUTH1_USER)
    args = oauth2_args(CONFIDENTIAL[0], "--client-secret", CONFIDENTIAL[1], "--scope", "users.read follows.write",
                       "--exports")
    code, out, err = authorize(tool, args, env, lambda url: urllib.parse.parse_qs(redirected(url).split("?", 1)[1])["code"][0])
    assert code == 0, err
    assert "warning: other users can see --client-secret (ps)" in err
    assert CONFIDENTIAL[1] not in out + err
    assert "unset TW_OAUTH2_REFRESH_TOKEN" in out.splitlines(), "no offline.access: no refresh token"


def test_oauth2_refusals(tool, sandbox_env):
    env = without(sandbox_env, OAUTH1_USER)
    # The user said no.
    code, out, err = authorize(tool, oauth2_args(PUBLIC_CLIENT), env, lambda url: redirected(url + "&deny=1"))
    assert (code, out) == (77, "")
    assert "TW_STATUS_AUTH: " in err and "denied" in err
    # A redirect whose state is not the one issued: refused before anything is sent.
    def forged(url):
        return re.sub(r"state=[^&]+", "state=forged", redirected(url))

    code, out, err = authorize(tool, oauth2_args(PUBLIC_CLIENT), env, forged)
    assert (code, out) == (65, "")
    assert "TW_STATUS_INVALID_ARGUMENT: " in err and "state" in err
    # A confidential client without its secret.
    code, out, err = authorize(tool, oauth2_args(CONFIDENTIAL[0]), env, redirected)
    assert (code, out) == (77, "")
    # A redirect URI the library refuses: nothing is shown.
    code, out, err = authorize(tool, ["--oauth2", "--client-id", PUBLIC_CLIENT, "--redirect-uri", "callback"], env,
                               lambda url: pytest.fail("no page to open"))
    assert (code, out) == (78, "")
    assert err.startswith(f"{tool}: redirect_uri must be"), err


@pytest.mark.parametrize(
    "args,message",
    [
        (["--bogus"], "authorize"),  # each tool's own words for an unknown option
        (["--base-url"], "--base-url"),
        (["--oauth2", "--redirect-uri", REDIRECT], "authorize: --oauth2 needs --client-id"),
        (["--oauth2", "--client-id", PUBLIC_CLIENT, "--redirect-uri", REDIRECT, "--callback", "http://127.0.0.1:1/"],
         "authorize: --callback is for OAuth 1.0a; OAuth 2.0 takes --redirect-uri"),
        (["--wait", "0"], "--wait"),
        (["--wait", "soon"], "--wait"),
        (["--oauth2", "--client-id", PUBLIC_CLIENT],
         "authorize: --oauth2 needs --client-id (or TW_OAUTH2_CLIENT_ID) and --redirect-uri"),
        (["--client-id", PUBLIC_CLIENT], "authorize: --client-id, --client-secret, --redirect-uri and --scope need --oauth2"),
    ],
)
def test_usage_errors_exit_64(tool, sandbox_env, args, message):
    code, out, err = authorize(tool, args, without(sandbox_env, ("TW_OAUTH2_CLIENT_ID",)), lambda url: None)
    assert (code, out) == (64, "")
    assert f"{tool} " in err and message in err, err


def test_help_and_base_url(tool, sandbox_env, closed_port):
    result = subprocess.run(command(tool, ["authorize", "--help"]), env=sandbox_env, capture_output=True, text=True)
    assert result.returncode == 0 and f'eval "$({tool} authorize --exports)"' in result.stdout
    assert "--redirect-uri URI" in result.stdout and "Exit status: 0 tokens saved (or printed);" in result.stdout
    assert f"{tool} authorize" in subprocess.run(
        command(tool, ["--help"]), env=sandbox_env, capture_output=True, text=True
    ).stdout
    # --base-url wins over TW_API_BASE.
    code, _, err = authorize(tool, ["--base-url", f"http://127.0.0.1:{closed_port}"], without(sandbox_env, OAUTH1_USER),
                             lambda url: None)
    assert code == 69 and err.startswith("TW_STATUS_NETWORK: ")


# Issue 20, item 5: every write of tokens is checked; a failed one exits 74 (EX_IOERR)
# with a message, never 0 (the code is spent, the tokens would be gone).


def authorize_to_full_disk(tool, args, env, answer_for):
    """`authorize` with standard output on /dev/full (every write fails with ENOSPC)."""
    with open("/dev/full", "w") as full:
        process = subprocess.Popen(
            command(tool, ["authorize", *args]), env=sanitized(env), text=True,
            stdin=subprocess.PIPE, stdout=full, stderr=subprocess.PIPE,
        )
        shown = ""
        while True:
            line = process.stderr.readline()
            shown += line
            if not line or line.rstrip().endswith("press Enter:"):
                break
        match = AUTHORIZE_URL.search(shown)
        assert match, shown
        _, err = process.communicate(answer_for(match.group(1)) + "\n", timeout=120)
    assert process.returncode != MEMORY_ERROR, err
    return process.returncode, err


@pytest.mark.parametrize("flow", ["oauth1", "oauth2"])
def test_authorize_onto_a_full_disk_exits_74_and_says_so(tool, sandbox_env, flow):
    env = without(sandbox_env, OAUTH1_USER)
    if flow == "oauth1":
        code, err = authorize_to_full_disk(tool, ["--exports"], env, pin_of)
    else:
        env["TW_OAUTH2_CLIENT_SECRET"] = CONFIDENTIAL[1]
        code, err = authorize_to_full_disk(tool, oauth2_args(CONFIDENTIAL[0], "--exports"), env, redirected)
    assert code == 74, err
    assert "the tokens could not be written to standard output (No space left on device)" in err, err
    assert "Traceback" not in err and "Exception ignored" not in err, err


# --- the redirect listener: a loopback redirect URI (or 1.0a callback) is listened on


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """The user's browser: approves, is sent to the redirect URI, and shows what it answers.
    `first` are addresses visited there before the real redirect (a forged state...)."""

    def __init__(self, first=lambda redirected: []):
        self.first = first
        self.pages = []

    def __call__(self, url):
        redirected = redirected_to(url)
        for address in [*self.first(redirected), redirected]:
            self.pages.append(visit(address))
        return None  # nothing typed


def redirected_to(url):
    status, location, _ = visit(url)
    assert status == 302, (status, location)
    return location


def listening_oauth2_args(uri, *more):
    """--exports: the tokens on stdout, nothing saved (the store is test_store_cli.py's)."""
    return ["--oauth2", "--client-id", PUBLIC_CLIENT, "--redirect-uri", uri, "--exports", *more]


def assert_oauth2_exports(out):
    values = exported(out)
    assert values["TW_OAUTH2_CLIENT_ID"] == PUBLIC_CLIENT
    assert len(values["TW_OAUTH2_ACCESS_TOKEN"]) > 20 and len(values["TW_OAUTH2_REFRESH_TOKEN"]) > 20


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_the_oauth2_listener_catches_the_redirect(tool, sandbox_env, host):
    env = without(sandbox_env, OAUTH1_USER)
    uri = f"http://{host}:{free_port()}/callback"
    browser = Browser()
    code, out, err = authorize(tool, listening_oauth2_args(uri), env, browser)
    assert code == 0, err
    assert f"Waiting up to 300 s for the browser to be sent to {uri}" in err and "Paste" not in err
    [(status, _, page)] = browser.pages
    assert status == 200 and "You can close this window." in page
    assert_oauth2_exports(out)
    followed = follow_after_eval(tool, out, env, "@twitterdev")
    assert followed.returncode == 0, followed.stderr


def test_the_listener_refuses_a_wrong_state_and_another_path_and_waits_on(tool, sandbox_env):
    env = without(sandbox_env, OAUTH1_USER)
    uri = f"http://127.0.0.1:{free_port()}/callback"

    def forged(redirected):
        return [re.sub(r"state=[^&]+", "state=forged", redirected),
                redirected.replace("/callback?", "/elsewhere?"),
                re.sub(r"state=[^&]+&?", "", redirected)]

    browser = Browser(forged)
    code, out, err = authorize(tool, listening_oauth2_args(uri), env, browser)
    assert code == 0, err
    statuses = [status for status, _, _ in browser.pages]
    assert statuses == [400, 404, 400, 200], browser.pages
    assert "ignored" in browser.pages[0][2] and "You can close this window." in browser.pages[-1][2]
    assert_oauth2_exports(out)


def test_a_taken_port_falls_back_to_pasting_and_says_so(tool, sandbox_env):
    env = without(sandbox_env, OAUTH1_USER)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        uri = f"http://127.0.0.1:{port}/callback"
        code, out, err = authorize(tool, listening_oauth2_args(uri), env, redirected)
    assert code == 0, err
    assert f"cannot listen on port {port} of 127.0.0.1 (Address already in use): paste the address instead" in err
    assert "Paste that whole address" in err and "Waiting up to" not in err
    assert_oauth2_exports(out)


@pytest.mark.parametrize("uri", ["https://app.example/callback", "http://localhost/callback",
                                 "https://127.0.0.1:8443/callback"])
def test_a_non_loopback_uri_or_one_without_port_pastes(tool, sandbox_env, uri):
    env = without(sandbox_env, OAUTH1_USER)
    code, out, err = authorize(tool, listening_oauth2_args(uri), env, redirected)
    assert code == 0, err
    assert "Paste that whole address" in err and "Waiting up to" not in err
    assert_oauth2_exports(out)


def test_paste_wins_over_a_loopback_uri(tool, sandbox_env):
    env = without(sandbox_env, OAUTH1_USER)
    uri = f"http://127.0.0.1:{free_port()}/callback"
    code, out, err = authorize(tool, listening_oauth2_args(uri, "--paste"), env, redirected)
    assert code == 0, err
    assert "Paste that whole address" in err and "Waiting up to" not in err


def test_the_listener_gives_up_at_the_deadline(tool, sandbox_env):
    env = without(sandbox_env, OAUTH1_USER)
    port = free_port()
    uri = f"http://127.0.0.1:{port}/callback"
    started = time.monotonic()
    code, out, err = authorize(tool, listening_oauth2_args(uri, "--wait", "1"), env, lambda url: None)
    assert (code, out) == (65, "")
    assert f"no redirect to {uri} within 1 s" in err
    assert time.monotonic() - started < 30
    with socket.socket() as again:  # and it listens no more
        again.bind(("127.0.0.1", port))


@pytest.mark.parametrize("host", ["127.0.0.1", "[::1]"])
def test_the_oauth1_callback_listener(tool, sandbox_env, account_of, host):
    env = without(sandbox_env, OAUTH1_USER)
    callback = f"http://{host}:{free_port()}/done"
    browser = Browser(lambda redirected: [re.sub(r"oauth_token=[^&]+", "oauth_token=another", redirected)])
    code, out, err = authorize(tool, ["--callback", callback, "--exports"], env, browser)
    assert code == 0, err
    assert [status for status, _, _ in browser.pages] == [400, 200]
    token, secret = account_of(1)[2:]
    assert out.startswith(f"export TW_ACCESS_TOKEN='{token}'\nexport TW_ACCESS_TOKEN_SECRET='{secret}'\n")


def test_the_oauth1_callback_pasted(tool, sandbox_env, account_of):
    env = without(sandbox_env, OAUTH1_USER)
    callback = f"http://127.0.0.1:{free_port()}/done"
    code, out, err = authorize(tool, ["--callback", callback, "--paste", "--exports"], env, redirected)
    assert code == 0, err
    assert "oauth_verifier" in err and "Waiting up to" not in err
    assert out.startswith(f"export TW_ACCESS_TOKEN='{account_of(1)[2]}'")
    # Another request token's callback: refused, nothing sent.
    code, out, err = authorize(tool, ["--callback", callback, "--paste", "--exports"], env,
                               lambda url: re.sub(r"oauth_token=[^&]+", "oauth_token=another", redirected(url)))
    assert (code, out) == (65, "")
    assert "TW_STATUS_INVALID_ARGUMENT: the callback's oauth_token is not this flow's request token" in err


@pytest.mark.parametrize(
    "template,listens",
    [
        ("http://127.0.0.1:{port}/cb", True),
        ("HTTP://LocalHost:{port}/cb", True),
        ("Http://127.0.0.1:{port}/cb", True),
        ("http://[::1]:{port}/cb", True),
        ("http://127.0.0.1:{port}", True),
        ("http://127.0.0.1/cb", False),  # no port: nothing to listen on
        ("http://127.0.0.2:{port}/cb", False),  # loopback, but not the loopback address
        ("http://user@127.0.0.1:{port}/cb", False),
        ("https://127.0.0.1:{port}/cb", False),  # TLS: a browser would not talk plain HTTP to it
        ("http://127.0.0.1.example:{port}/cb", False),
    ],
)
def test_which_uris_are_listened_on(tool, sandbox_env, template, listens):
    """A loopback redirect URI is listened on: a redirect there is caught at once (its code,
    made up here, is then refused by the sandbox); any other is pasted (nothing typed:
    refused, nothing sent)."""
    uri = template.format(port=free_port())
    pages = []

    def browser(url):
        """Sent to the redirect URI with the flow's state and a code the sandbox never issued."""
        state = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["state"][0]
        pages.append(visit(f"{uri}?state={state}&code=made-up"))

    code, out, err = authorize(tool, listening_oauth2_args(uri, "--wait", "30"), without(sandbox_env, OAUTH1_USER),
                               browser if listens else lambda url: None)  # fmt: skip
    if listens:
        assert f"Waiting up to 30 s for the browser to be sent to {uri}" in err, err
        assert [status for status, _, _ in pages] == [200], pages
        assert (code, out) == (77, "") and "TW_STATUS_AUTH: exchanging the authorization code" in err, err
    else:
        assert (code, out) == (65, ""), err
        assert "Waiting up to" not in err and "no redirected address or code on standard input" in err, err
