"""Getting tokens from Python against the sandbox binary: the OAuth 1.0a PIN and
callback flows, OAuth 2.0 with PKCE, refresh with rotation, revocation, from_env.

The test plays the user: it opens the authorize URL without following redirects,
as a browser would show the page (the PIN) or the redirect (the code)."""

from __future__ import annotations

import base64
import copy
import dataclasses
import ctypes
import hashlib
import json
import logging
import re
import threading
import time
import urllib.parse

import pytest

import twfollow
from conftest import CONFIDENTIAL, PUBLIC_CLIENT, REDIRECT, pin_from, sign_in, visit
from twfollow._results import take_string

UNRESERVED = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")






def query(url):
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


def s256(verifier):
    """RFC 7636's S256, with hashlib and base64: not the library's implementation."""
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode()


def without_scope(tokens):
    return {k: v for k, v in tokens.items() if k != "scope"}


@pytest.fixture
def oauth1_flow(sandbox, account_of):
    key, secret = account_of(1)[:2]

    def make(**kwargs):
        return twfollow.OAuth1Flow(key, secret, base_url=sandbox.base_url, **kwargs)

    return make


# OAuth 1.0a


def test_the_pin_flow_gets_a_token_that_follows(sandbox, oauth1_flow, account_of):
    key, secret, token, token_secret = account_of(1)
    with oauth1_flow() as flow:
        url = flow.authorization_url()
        assert url == f"{sandbox.base_url}/oauth/authorize?oauth_token={flow.request_token}"
        assert flow.request_token_secret and flow.request_token_secret != flow.request_token
        status, _, page = visit(url)
        assert status == 200
        access = flow.fetch_access_token(pin_from(page) + "\n")  # as typed, with its newline
        # The same as fields, for C (tw_config_get_oauth1_tokens), from the flow's config.
        assert oauth1_fields(flow._client) == (twfollow.Status.OK, (token, token_secret, "1500000001", "sandbox_me"))
    assert (access.token, access.secret, access.user_id, access.screen_name) == (
        token, token_secret, "1500000001", "sandbox_me",
    )
    for text in (repr(access), repr(flow), str(access)):
        assert token not in text and token_secret not in text and secret not in text
    with access.client() as client:
        assert client.follow("@twitterdev")["id"] == 2244994945
        # A client of the four credentials does not know its user.
        assert oauth1_fields(client) == (twfollow.Status.OK, (token, token_secret, None, None))
    # Plain data to store: asdict and deepcopy take it (the flow, closed by now, is not inside).
    assert dataclasses.asdict(access)["secret"] == token_secret
    with copy.deepcopy(access).client() as client:
        assert client.follow("@twitterdev")["id"] == 2244994945


def oauth1_fields(client):
    """tw_config_get_oauth1_tokens through ctypes: (status, the four fields or None)."""
    lib = twfollow._native.lib()
    strings = [ctypes.c_void_p() for _ in range(4)]
    config = client._config  # the open client's
    status = lib.tw_config_get_oauth1_tokens(config, *(ctypes.byref(s) for s in strings))
    if status != twfollow.Status.OK:
        assert [s.value for s in strings] == [None] * 4
        return status, None
    return status, tuple(take_string(s) if s.value else None for s in strings)


def test_oauth1_fields_are_refused_for_other_configs(sandbox):
    with twfollow.OAuth1Flow("sandbox-consumer-key", "sandbox-consumer-secret", base_url=sandbox.base_url) as flow:
        assert oauth1_fields(flow._client)[0] == twfollow.Status.INVALID_ARGUMENT  # no user token yet
    with twfollow.Client.oauth2(CONFIDENTIAL[0], "an-access-token", base_url=sandbox.base_url) as client:
        assert oauth1_fields(client)[0] == twfollow.Status.INVALID_ARGUMENT
    lib = twfollow._native.lib()
    assert lib.tw_config_get_oauth1_tokens(None, None, None, None, None) == twfollow.Status.NULL_ARGUMENT


def test_the_callback_flow_resumes_in_another_flow_object(oauth1_flow):
    """A web app: step 1 in one request, step 2 (the callback) in another."""
    with oauth1_flow(callback="https://app.example/done?x=1") as first:
        url = first.authorization_url()
        stored = {"request_token": first.request_token, "request_token_secret": first.request_token_secret}
    status, location, _ = visit(url + "&account=2")
    assert status == 302 and location.startswith("https://app.example/done?x=1&"), location
    assert query(location)["oauth_token"] == stored["request_token"]
    with oauth1_flow(callback="https://app.example/done?x=1", **stored) as second:
        access = second.fetch_access_token(location)  # the whole callback URL
    assert (access.user_id, access.screen_name) == ("1500000002", "sandbox_2")
    with access.client(api_version=2) as client:
        assert client.follow("Twitter") == {"data": {"following": True, "pending_follow": False}}


def test_the_callback_flow_takes_the_bare_verifier(oauth1_flow):
    with oauth1_flow(callback="http://127.0.0.1:9/cb") as flow:
        _, location, _ = visit(flow.authorization_url())
        access = flow.fetch_access_token(query(location)["oauth_verifier"])
    assert access.screen_name == "sandbox_me"


def test_a_wrong_pin_is_refused_with_the_servers_words_and_burns_the_request_token(oauth1_flow):
    with oauth1_flow() as flow:
        page = visit(flow.authorization_url())[2]
        with pytest.raises(twfollow.AuthError) as caught:
            flow.fetch_access_token("0000000")
        err = caught.value
        assert (err.status, err.http_status) == (twfollow.Status.AUTH, 401)
        assert "Invalid oauth_verifier parameter" in err.message, err.message
        assert flow.request_token_secret not in repr(err)
        # Twitter burns the request token on a wrong PIN: the right one no longer works.
        with pytest.raises(twfollow.AuthError) as again:
            flow.fetch_access_token(pin_from(page))
        assert "Invalid request token" in again.value.message


def test_a_request_token_works_once(oauth1_flow):
    with oauth1_flow() as flow:
        pin = pin_from(visit(flow.authorization_url())[2])
        flow.fetch_access_token(pin)
        with pytest.raises(twfollow.AuthError) as caught:
            flow.fetch_access_token(pin)
    assert caught.value.http_status == 401


def test_a_denied_callback_and_a_foreign_one_are_refused_before_sending(oauth1_flow):
    with oauth1_flow(callback="https://app.example/done") as flow:
        url = flow.authorization_url()
        _, location, _ = visit(url)
        foreign = location.replace(flow.request_token, "someone-elses-token")
        with pytest.raises(twfollow.InvalidArgumentError, match="oauth_token"):
            flow.fetch_access_token(foreign)
        # Nothing was sent: the request token still has its one attempt.
        assert flow.fetch_access_token(location).screen_name == "sandbox_me"
    with oauth1_flow(callback="https://app.example/done") as flow:
        _, location, _ = visit(flow.authorization_url() + "&deny=1")
        assert "denied=" in location
        with pytest.raises(twfollow.AuthError, match="denied"):
            flow.fetch_access_token(location)


def test_oauth1_argument_checks(sandbox, oauth1_flow):
    with oauth1_flow() as flow:
        with pytest.raises(twfollow.InvalidArgumentError, match="authorization_url"):
            flow.fetch_access_token("1234567")
    with pytest.raises(twfollow.InvalidArgumentError, match="give both"):
        oauth1_flow(request_token="only-the-token")
    with pytest.raises(twfollow.InvalidArgumentError):
        oauth1_flow(callback="not a url").authorization_url()
    with pytest.raises(twfollow.InvalidArgumentError):
        twfollow.OAuth1Flow("", "secret", base_url=sandbox.base_url)
    with twfollow.OAuth1Flow("sandbox-consumer-key", "wrong-secret", base_url=sandbox.base_url) as flow:
        with pytest.raises(twfollow.AuthError) as caught:
            flow.authorization_url()
    assert (caught.value.http_status, caught.value.api_code) == (401, 32)
    assert "wrong-secret" not in repr(caught.value)
    with pytest.raises(TypeError, match="bogus"):
        oauth1_flow(bogus=1)


# OAuth 2.0


def test_the_pkce_pair_is_s256_by_hashlib(sandbox):
    # The checker itself, on RFC 7636 Appendix B's pair.
    assert s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    seen = set()
    for _ in range(3):
        with twfollow.OAuth2Flow(PUBLIC_CLIENT, REDIRECT, base_url=sandbox.base_url) as flow:
            url, state = flow.authorization_url()
        params = query(url)
        assert url.startswith(f"{sandbox.base_url}/i/oauth2/authorize?")
        assert UNRESERVED.match(flow.code_verifier), flow.code_verifier
        assert params["code_challenge_method"] == "S256"
        assert params["code_challenge"] == s256(flow.code_verifier)
        assert params["state"] == state == flow.state and len(state) >= 22
        assert (params["response_type"], params["client_id"], params["redirect_uri"]) == (
            "code", PUBLIC_CLIENT, REDIRECT,
        )
        assert params["scope"] == "tweet.read users.read follows.write offline.access"
        seen.add((state, flow.code_verifier))
    assert len(seen) == 3, "fresh state and verifier every time"


@pytest.mark.parametrize("client", [CONFIDENTIAL, (PUBLIC_CLIENT, None)], ids=["confidential", "public"])
def test_the_pkce_flow_gets_tokens_that_follow(sandbox, client):
    flow, tokens = sign_in(sandbox.base_url, client)
    with flow:
        assert set(tokens) == {"access_token", "refresh_token", "expires_at", "scope"}
        assert tokens["refresh_token"] and tokens["expires_at"] > time.time() + 7000
        for text in (repr(flow),):
            assert tokens["access_token"] not in text and flow.code_verifier not in text
        with flow.client() as following:
            assert following.follow("@twitterdev") == {"data": {"following": True, "pending_follow": False}}
            assert without_scope(following.tokens) == without_scope(tokens)
            with pytest.raises(twfollow.InvalidArgumentError):
                following.follow("twitterdev", notify=True)  # v2 has no notifications


def test_a_bare_code_and_a_resumed_flow(sandbox):
    """A web app: the state and verifier stored at step 1, the code received at step 2."""
    with twfollow.OAuth2Flow(PUBLIC_CLIENT, REDIRECT, base_url=sandbox.base_url, scope="users.read follows.write") as first:
        url, state = first.authorization_url()
        verifier = first.code_verifier
    _, location, _ = visit(url)
    with twfollow.OAuth2Flow(
        PUBLIC_CLIENT, REDIRECT, base_url=sandbox.base_url, state=state, code_verifier=verifier
    ) as second:
        tokens = second.fetch_token(code=query(location)["code"])
    assert tokens["refresh_token"] is None, "no offline.access, no refresh token"
    assert tokens["scope"] == "users.read follows.write"


def test_a_bare_code_where_the_url_belongs_is_refused_before_sending(sandbox):
    """A web app that passes request.args["code"] would lose its CSRF check: the bare
    code is refused (nothing sent), and the whole URL, or code= explicitly, works."""
    with twfollow.OAuth2Flow(PUBLIC_CLIENT, REDIRECT, base_url=sandbox.base_url) as flow:
        url, state = flow.authorization_url()
        _, location, _ = visit(url)
        bare = query(location)["code"]
        with pytest.raises(twfollow.InvalidArgumentError, match="takes the whole redirected URL") as caught:
            flow.fetch_token(bare)
        assert bare not in str(caught.value) and state not in str(caught.value)
        with pytest.raises(twfollow.InvalidArgumentError, match="one of them"):
            flow.fetch_token(location, code=bare)
        with pytest.raises(twfollow.InvalidArgumentError, match="one of them"):
            flow.fetch_token()
        # Nothing was sent: the one-use code still buys tokens, by the URL.
        assert flow.fetch_token(location)["access_token"]
    with twfollow.OAuth2Flow(PUBLIC_CLIENT, REDIRECT, base_url=sandbox.base_url) as flow:
        url, _ = flow.authorization_url()
        _, location, _ = visit(url)
        assert flow.fetch_token(code=query(location)["code"])["access_token"]


def test_a_state_mismatch_sends_nothing(sandbox):
    with twfollow.OAuth2Flow(PUBLIC_CLIENT, REDIRECT, base_url=sandbox.base_url) as flow:
        url, state = flow.authorization_url()
        _, location, _ = visit(url)
        forged = location.replace(f"state={state}", "state=forged-by-someone")
        assert forged != location
        with pytest.raises(twfollow.InvalidArgumentError, match="state") as caught:
            flow.fetch_token(forged)
        assert state not in str(caught.value) and flow.code_verifier not in repr(caught.value)
        # Nothing was sent: the one-use code still buys tokens.
        assert flow.fetch_token(location)["access_token"]


def test_a_wrong_verifier_is_refused(sandbox):
    with twfollow.OAuth2Flow(PUBLIC_CLIENT, REDIRECT, base_url=sandbox.base_url) as flow:
        url, state = flow.authorization_url()
        _, location, _ = visit(url)
    wrong = "x" * 64
    with twfollow.OAuth2Flow(PUBLIC_CLIENT, REDIRECT, base_url=sandbox.base_url, state=state, code_verifier=wrong) as flow:
        with pytest.raises(twfollow.AuthError) as caught:
            flow.fetch_token(location)
    assert caught.value.http_status == 400
    assert wrong not in str(caught.value)


def test_a_denied_authorization_is_an_auth_error(sandbox):
    with twfollow.OAuth2Flow(PUBLIC_CLIENT, REDIRECT, base_url=sandbox.base_url) as flow:
        url, _ = flow.authorization_url()
        _, location, _ = visit(url + "&deny=1")
        with pytest.raises(twfollow.AuthError, match="denied"):
            flow.fetch_token(location)
        with pytest.raises(twfollow.InvalidArgumentError, match="fetch_token"):
            flow.client()


def test_oauth2_argument_checks(sandbox, account_of):
    with twfollow.OAuth2Flow(PUBLIC_CLIENT, REDIRECT, base_url=sandbox.base_url) as flow:
        with pytest.raises(twfollow.InvalidArgumentError, match="authorization_url"):
            flow.fetch_token("some-code")
    with pytest.raises(twfollow.InvalidArgumentError):
        twfollow.OAuth2Flow(PUBLIC_CLIENT, "callback", base_url=sandbox.base_url).authorization_url()
    for expires_at in (-1, True, 2**63, 1.5):
        with pytest.raises(twfollow.InvalidArgumentError, match="expires_at"):
            twfollow.Client.oauth2(PUBLIC_CLIENT, "token", expires_at=expires_at)
    with pytest.raises(twfollow.InvalidArgumentError, match="callable"):
        twfollow.Client.oauth2(PUBLIC_CLIENT, "token", on_token_refresh="not callable")
    with pytest.raises(twfollow.InvalidArgumentError):
        twfollow.Client.oauth2(PUBLIC_CLIENT, "")
    with twfollow.Client(*account_of(1), base_url=sandbox.base_url) as oauth1:
        with pytest.raises(twfollow.InvalidArgumentError):
            oauth1.tokens
        with pytest.raises(twfollow.InvalidArgumentError):
            oauth1.refresh()


def test_threads_that_meet_a_dead_access_token_refresh_once(sandbox):
    flow, first = sign_in(sandbox.base_url)
    received = []
    with flow, flow.client(on_token_refresh=received.append) as client:
        client.revoke(first["access_token"])  # every thread's first try gets a 401
        errors = []

        def follow(target):
            try:
                client.follow(target)
            except twfollow.TwError as e:
                errors.append(e)

        threads = [threading.Thread(target=follow, args=(t,)) for t in ("twitterdev", "Twitter", "2244994945") * 2]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert len(received) == 1, "one refresh for all the threads"
        assert received[0]["refresh_token"] != first["refresh_token"]
        assert client.tokens == received[0]


def test_rotated_tokens_are_persisted_and_a_new_process_continues(sandbox, tmp_path):
    store = tmp_path / "tokens.json"

    def persist(tokens):
        store.write_text(json.dumps(tokens))

    flow, first = sign_in(sandbox.base_url)
    with flow, flow.client(on_token_refresh=persist) as client:
        new = client.refresh()
        assert json.loads(store.read_text()) == new == client.tokens
        assert new["refresh_token"] != first["refresh_token"]
    # Tomorrow: the application starts from what it stored.
    saved = json.loads(store.read_text())
    with twfollow.Client.oauth2(
        CONFIDENTIAL[0], **without_scope(saved), client_secret=CONFIDENTIAL[1],
        base_url=sandbox.base_url, on_token_refresh=persist,
    ) as client:
        client.refresh()
        assert json.loads(store.read_text())["refresh_token"] != saved["refresh_token"]
        assert client.follow("Twitter")["data"]["following"] is True


def test_an_exception_in_on_token_refresh_stays_in_python(sandbox, caplog):
    flow, first = sign_in(sandbox.base_url)

    def failing_store(tokens):
        raise OSError("disk full")

    with flow, flow.client(on_token_refresh=failing_store) as client:
        assert client.token_refresh_error is None
        with caplog.at_level(logging.ERROR, logger="twfollow"):
            new = client.refresh()  # the refresh itself succeeded
        assert isinstance(client.token_refresh_error, OSError)
        assert new == client.tokens and new["refresh_token"] != first["refresh_token"]
        assert "on_token_refresh raised OSError" in caplog.text
        for secret in (new["access_token"], new["refresh_token"]):
            assert secret not in caplog.text
        assert client.follow("@twitterdev")["data"]["following"] is True


def run_within(seconds, call):
    """Runs call() in a thread; fails (instead of hanging the suite) if it outlives seconds."""
    outcome = {}

    def run():
        try:
            outcome["value"] = call()
        except BaseException as error:  # noqa: BLE001 - handed to the test
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"the call did not return within {seconds} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def test_a_handler_that_calls_its_own_client_gets_reentrant_call_error_at_once(sandbox):
    flow, first = sign_in(sandbox.base_url)
    seen = []

    def calls_back(tokens):
        try:
            client.refresh()
        except twfollow.ReentrantCallError as error:
            seen.append(error)
            raise

    with flow, flow.client(on_token_refresh=calls_back) as client:
        new = run_within(5, client.refresh)
        assert new["refresh_token"] != first["refresh_token"]
        assert len(seen) == 1 and seen[0].status == twfollow.Status.REENTERED
        assert seen[0].message == "called from inside this config's token callback"
        assert isinstance(client.token_refresh_error, twfollow.ReentrantCallError)
        assert client.tokens == new  # one refresh: the refused one sent nothing


def test_a_trace_hook_that_calls_its_own_client_gets_reentrant_call_error_at_once(sandbox):
    flow, _ = sign_in(sandbox.base_url)
    seen = []

    def hook(kind, line):
        if not seen:
            try:
                client.relationship("@twitterdev")
            except twfollow.ReentrantCallError as error:
                seen.append(error.message)

    with flow, flow.client(trace=hook) as client:
        run_within(5, lambda: client.follow("@twitterdev"))
        assert seen == ["called from inside this config's trace hook"]


def test_a_failed_refresh_keeps_the_tokens(sandbox):
    flow, first = sign_in(sandbox.base_url)
    received = []
    with flow, flow.client(on_token_refresh=received.append) as client:
        client.revoke(first["refresh_token"])
        with pytest.raises(twfollow.AuthError) as caught:
            client.refresh()
        assert received == []
        assert without_scope(client.tokens) == without_scope(first)
        for secret in (first["access_token"], first["refresh_token"], CONFIDENTIAL[1]):
            assert secret not in str(caught.value) and secret not in repr(caught.value)


def test_revoked_tokens(sandbox):
    flow, first = sign_in(sandbox.base_url)
    received = []
    with flow, flow.client(on_token_refresh=received.append) as client:
        # A revoked access token: the 401 makes the client refresh and retry.
        client.revoke(first["access_token"])
        assert client.follow("@twitterdev")["data"]["following"] is True
        assert len(received) == 1
        # A revoked refresh token ends the grant.
        client.revoke(client.tokens["refresh_token"])
        with pytest.raises(twfollow.AuthError) as caught:
            client.follow("@twitterdev")
        assert caught.value.http_status in (400, 401)
        with pytest.raises(twfollow.InvalidArgumentError):
            client.revoke("")


def test_from_env_with_oauth2_tokens(sandbox, monkeypatch, account_of):
    flow, first = sign_in(sandbox.base_url)
    flow.close()
    for name in ("TW_CONSUMER_KEY", "TW_CONSUMER_SECRET", "TW_ACCESS_TOKEN", "TW_ACCESS_TOKEN_SECRET", "TW_API_VERSION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TW_API_BASE", sandbox.base_url)
    monkeypatch.setenv("TW_OAUTH2_ACCESS_TOKEN", first["access_token"])
    monkeypatch.setenv("TW_OAUTH2_REFRESH_TOKEN", first["refresh_token"])
    monkeypatch.setenv("TW_OAUTH2_CLIENT_ID", CONFIDENTIAL[0])
    monkeypatch.setenv("TW_OAUTH2_CLIENT_SECRET", CONFIDENTIAL[1])
    monkeypatch.setenv("TW_OAUTH2_EXPIRES_AT", str(int(time.time()) + 10))  # inside the margin: refresh first
    received = []
    with twfollow.Client.from_env(on_token_refresh=received.append) as client:
        assert client.follow("@twitterdev")["data"]["following"] is True
        assert len(received) == 1 and received[0] == client.tokens
        assert received[0]["refresh_token"] != first["refresh_token"]
    # A refresh token without the client id that owns it is refused, naming the variable.
    monkeypatch.delenv("TW_OAUTH2_CLIENT_ID")
    with pytest.raises(twfollow.InvalidArgumentError, match="TW_OAUTH2_CLIENT_ID") as caught:
        twfollow.Client.from_env()
    assert first["refresh_token"] not in str(caught.value)
    # With OAuth 1.0a credentials, on_token_refresh is accepted and never called.
    for name, value in zip(("TW_CONSUMER_KEY", "TW_CONSUMER_SECRET", "TW_ACCESS_TOKEN", "TW_ACCESS_TOKEN_SECRET"),
                           account_of(1)):
        monkeypatch.setenv(name, value)
    for name in ("TW_OAUTH2_ACCESS_TOKEN", "TW_OAUTH2_REFRESH_TOKEN", "TW_OAUTH2_EXPIRES_AT"):
        monkeypatch.delenv(name)
    with twfollow.Client.from_env(on_token_refresh=received.append) as client:
        assert client.follow("@twitterdev")["id"] == 2244994945
    assert len(received) == 1


# tw_oauth2_tokens_from_json: the token JSON as fields for C; Python parses the JSON
# itself, so this checks the declaration and the C function through ctypes.


def _token_fields(tokens_json):
    """tw_oauth2_tokens_from_json through ctypes: (status, fields or None)."""
    import ctypes

    from twfollow import _native

    lib = _native.lib()
    outs = [ctypes.c_void_p(0x5EED), ctypes.c_void_p(0x5EED), ctypes.c_int64(-7), ctypes.c_void_p(0x5EED)]
    status = lib.tw_oauth2_tokens_from_json(tokens_json, *(ctypes.byref(o) for o in outs))
    if status != twfollow.Status.OK:
        assert [o.value for o in outs] == [0x5EED, 0x5EED, -7, 0x5EED], "outputs written on failure"
        return status, None

    def take(pointer):
        if not pointer.value:
            return None
        text = ctypes.string_at(pointer.value).decode()
        lib.tw_string_free(pointer)
        return text

    return status, {"access_token": take(outs[0]), "refresh_token": take(outs[1]), "expires_at": outs[2].value,
                    "scope": take(outs[3])}


def test_the_token_json_as_fields_through_ctypes(sandbox):
    import ctypes

    from twfollow import _native

    flow, tokens = sign_in(sandbox.base_url)
    with flow, flow.client() as client:
        assert _token_fields(json.dumps(tokens).encode()) == (twfollow.Status.OK, tokens)
        # Inside the token callback, on the JSON it receives (it touches no config).
        inside = []

        @_native.TOKEN_CALLBACK
        def on_tokens(_user_data, tokens_json):
            inside.append((_token_fields(tokens_json), json.loads(tokens_json)))

        config = client._config  # the open client's
        assert _native.lib().tw_config_set_token_callback(config, on_tokens, None) == twfollow.Status.OK
        client.refresh()
        assert _native.lib().tw_config_set_token_callback(config, _native.TOKEN_CALLBACK(), None) == 0
        assert len(inside) == 1
        (status, fields), received = inside[0]
        assert status == twfollow.Status.OK
        assert fields == received == client.tokens
        assert fields["refresh_token"] != tokens["refresh_token"]
    assert _token_fields(b'{"access_token":"A-1","refresh_token":null}') == (
        twfollow.Status.OK, {"access_token": "A-1", "refresh_token": None, "expires_at": 0, "scope": ""})
    for bad in (b"", b"[]", b'{"access_token":"Tk-secret-41","expires_at":-1}', b'{"refresh_token":"Tk-secret-41"}'):
        assert _token_fields(bad) == (twfollow.Status.INVALID_ARGUMENT, None)
        message = _native.lib().tw_last_error_message().decode()
        assert message.startswith("tokens_json is empty" if not bad else "the tokens JSON "), message
        assert "Tk-secret" not in message
    assert _token_fields(None)[0] == twfollow.Status.NULL_ARGUMENT
    assert _token_fields(b'{"access_token":"\xff"}')[0] == twfollow.Status.INVALID_UTF8

