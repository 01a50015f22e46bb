"""The token store from Python against the sandbox: Store (save, list, default, remove,
import), Client.from_store, access_token, and a pre-fork pool of worker processes
meeting one expired grant (one refresh between them, counted at the server's door)."""

from __future__ import annotations

import ctypes
import http.client
import json
import multiprocessing
import os
import stat
import time
import urllib.parse

import pytest

import twfollow
from conftest import CONFIDENTIAL, SandboxProcess, expire, read_store, save_oauth2, sign_in, twurlrc, xurl_file
from twfollow._results import take_string

TWITTERDEV = 2244994945
SECRETS_OF_THE_SANDBOX = (CONFIDENTIAL[1], "sandbox-consumer-secret", "sandbox-token-secret-1")


@pytest.fixture(scope="module")
def sandbox():
    """A sandbox of this module's own: its follows do not spend the session's budgets."""
    process = SandboxProcess()
    yield process
    process.stop()


def bearer_get(base_url, path, token):
    """A raw HTTP request as curl would send it: the token alone, nothing of twfollow."""
    parts = urllib.parse.urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def test_save_list_default_and_follow(sandbox, private_store):
    store = twfollow.Store()
    assert store.path == str(private_store)
    assert store.accounts() == [] and store.default is None
    name, tokens = save_oauth2(sandbox.base_url, store=store)
    assert name == "sandbox_me"
    assert stat.S_IMODE(os.stat(private_store).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(private_store.parent).st_mode) == 0o700
    [account] = store.accounts()
    assert account == twfollow.Account(
        name="sandbox_me", kind="oauth2", screen_name="sandbox_me", user_id="1500000001",
        app=CONFIDENTIAL[0], expires_at=tokens["expires_at"], has_refresh_token=True, default=True,
    )  # fmt: skip
    listing = store.listing_json()
    for secret in (tokens["access_token"], tokens["refresh_token"], *SECRETS_OF_THE_SANDBOX):
        assert secret not in listing and secret not in repr(store.accounts())
    # A second account does not take the default; set_default moves it.
    assert save_oauth2(sandbox.base_url, "work", store)[0] == "work"
    assert store.default == "sandbox_me"
    store.set_default("work")
    assert store.default == "work" and [a.name for a in store.accounts() if a.default] == ["work"]
    # The same records one at a time (tw_store_account_at, for flat-JSON readers).
    assert [store.account_at(i) for i in range(3)] == [*store.accounts(), None]
    with pytest.raises(twfollow.InvalidArgumentError):
        store.account_at(-1)
    lib = twfollow._native.lib()
    assert lib.tw_store_account_at(None, 0, None, None) == twfollow.Status.NULL_ARGUMENT
    assert lib.tw_store_account_at(b"", 0, ctypes.byref(ctypes.c_void_p()), None) == twfollow.Status.INVALID_ARGUMENT
    with twfollow.Client.from_store(base_url=sandbox.base_url) as client:
        assert client.follow(TWITTERDEV)["data"]["following"] is True
    with twfollow.Client.from_store("sandbox_me", private_store, base_url=sandbox.base_url) as client:
        assert client.follow("@twitterdev")["data"]["following"] is True
    with pytest.raises(twfollow.StoreError, match="nobody"):
        twfollow.Client.from_store("nobody", base_url=sandbox.base_url)


def account_fields(index, path=None):
    """tw_store_account_fields through ctypes: (status, the fields as a tuple, count)."""
    lib = twfollow._native.lib()
    strings = [ctypes.c_void_p() for _ in range(5)]
    expires_at, refresh, default, count = ctypes.c_int64(-7), ctypes.c_bool(True), ctypes.c_bool(True), ctypes.c_uint32(7)
    status = lib.tw_store_account_fields(
        path, index, *(ctypes.byref(s) for s in strings),
        ctypes.byref(expires_at), ctypes.byref(refresh), ctypes.byref(default), ctypes.byref(count),
    )  # fmt: skip
    if status != twfollow.Status.OK:
        assert [s.value for s in strings] == [None] * 5 and (expires_at.value, count.value) == (-7, 7)
        return status, None, None
    texts = [take_string(s) if s.value else None for s in strings]
    return status, (*texts, expires_at.value, refresh.value, default.value), count.value


def test_the_accounts_as_fields_through_ctypes(sandbox, private_store):
    store = twfollow.Store()
    assert account_fields(0) == (twfollow.Status.OK, (None,) * 5 + (0, False, False), 0)
    save_oauth2(sandbox.base_url, store=store)
    save_oauth2(sandbox.base_url, "work", store)
    for index, account in enumerate(store.accounts()):
        status, fields, count = account_fields(index)
        assert status == twfollow.Status.OK and count == 2
        assert fields == (
            account.name, account.kind, account.screen_name, account.user_id, account.app,
            account.expires_at, account.has_refresh_token, account.default,
        )  # fmt: skip
    assert account_fields(2) == (twfollow.Status.OK, (None,) * 5 + (0, False, False), 2)
    assert account_fields(2**32 - 1)[2] == 2
    lib = twfollow._native.lib()
    assert lib.tw_store_account_fields(None, 0, *[None] * 9) == twfollow.Status.OK
    assert account_fields(0, b"")[0] == twfollow.Status.INVALID_ARGUMENT
    assert account_fields(0, b"/tmp/\xff")[0] == twfollow.Status.INVALID_UTF8


def test_a_library_answer_that_is_not_an_object_is_a_bad_response(private_store, monkeypatch):
    # Another version of the library (TWFOLLOW_LIB) could answer so: a TwError, never a KeyError or a list.
    store = twfollow.Store()
    monkeypatch.setattr(twfollow.Store, "listing_json", lambda self: "[]")
    with pytest.raises(twfollow.BadResponseError, match="not a JSON object"):
        store.accounts()
    sparse = twfollow.Account.from_listing({"name": "x"})
    assert (sparse.kind, sparse.screen_name, sparse.expires_at, sparse.has_refresh_token, sparse.default) == (
        None, "", 0, False, False,
    )  # fmt: skip


def test_an_oauth1_account_saved_from_the_pin_flow_follows(sandbox, account_of, private_store):
    from conftest import pin_from, visit

    key, secret = account_of(1)[:2]
    with twfollow.OAuth1Flow(key, secret, base_url=sandbox.base_url) as flow:
        status, _, page = visit(flow.authorization_url())
        assert status == 200
        flow.fetch_access_token(pin_from(page))
        assert twfollow.Store().save(flow, "pin") == "pin"
    [account] = twfollow.Store().accounts()
    assert (account.kind, account.user_id, account.expires_at) == ("oauth1", "1500000001", 0)
    with twfollow.Client.from_store("pin", base_url=sandbox.base_url) as client:
        assert client.follow("@twitterdev")["id"] == TWITTERDEV
        with pytest.raises(twfollow.InvalidArgumentError):
            client.access_token()


def test_access_token_refreshes_saves_and_works_with_raw_http(sandbox, private_store, counting_proxy):
    proxy = counting_proxy(sandbox.base_url)
    store = twfollow.Store()
    name, first = save_oauth2(sandbox.base_url, store=store)
    with twfollow.Client.from_store(base_url=proxy.base_url) as client:
        assert client.access_token() == first["access_token"], "still valid: no refresh"
        assert proxy.refreshes == 0
    expire(private_store, name)
    with twfollow.Client.from_store(base_url=proxy.base_url) as client:
        token = client.access_token()
    assert proxy.refreshes == 1 and token != first["access_token"]
    saved = read_store(private_store)["accounts"][name]
    assert saved["access_token"] == token and saved["refresh_token"] != first["refresh_token"]
    assert saved["expires_at"] > time.time() + 7000
    status, body = bearer_get(sandbox.base_url, "/2/users/me", token)
    assert status == 200 and json.loads(body)["data"]["id"] == "1500000001"


def test_remove_with_revoke_ends_the_grant_at_x(sandbox, private_store):
    store = twfollow.Store()
    name, _ = save_oauth2(sandbox.base_url, store=store)
    refresh_token = read_store(private_store)["accounts"][name]["refresh_token"]
    store.remove(name, revoke=True, base_url=sandbox.base_url)
    assert store.accounts() == []
    with twfollow.Client.oauth2(
        CONFIDENTIAL[0], "old", refresh_token, client_secret=CONFIDENTIAL[1], base_url=sandbox.base_url
    ) as stale:
        with pytest.raises(twfollow.AuthError):
            stale.refresh()
    with pytest.raises(twfollow.StoreError):
        store.remove(name)


def _worker(base_url, target):
    """One worker of a pre-fork pool: follows with the client its parent made."""
    client = _PARENTS_CLIENT
    assert client is not None
    os._exit(0 if client.follow(target)["data"]["following"] is True else 1)


_PARENTS_CLIENT = None


@pytest.mark.parametrize("start", ["os.fork", "multiprocessing fork"])
def test_a_pre_fork_pool_meeting_an_expired_grant_refreshes_once(sandbox, private_store, counting_proxy, start):
    global _PARENTS_CLIENT
    proxy = counting_proxy(sandbox.base_url)
    store = twfollow.Store()
    name, first = save_oauth2(sandbox.base_url, store=store)
    expire(private_store, name)
    # The config is made before the fork (gunicorn --preload), the grant already expired.
    _PARENTS_CLIENT = client = twfollow.Client.from_store(base_url=proxy.base_url)
    try:
        targets = [TWITTERDEV, 783214, 1600000001]
        if start == "os.fork":
            codes = []
            pids = []
            for target in targets:
                pid = os.fork()
                if pid == 0:
                    try:
                        _worker(proxy.base_url, target)
                    finally:
                        os._exit(1)
                pids.append(pid)
            for pid in pids:
                codes.append(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
        else:
            context = multiprocessing.get_context("fork")
            workers = [context.Process(target=_worker, args=(proxy.base_url, t)) for t in targets]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join(60)
            codes = [worker.exitcode for worker in workers]
    finally:
        _PARENTS_CLIENT = None
    assert codes == [0, 0, 0]
    assert proxy.refreshes == 1, "one refresh for the whole pool"
    saved = read_store(private_store)["accounts"][name]
    assert saved["refresh_token"] != first["refresh_token"]
    # The parent, which never refreshed, re-reads the store and goes on with the new pair.
    assert client.follow(TWITTERDEV)["data"]["following"] is True
    assert proxy.refreshes == 1
    client.close()


def test_imports_of_twurl_and_xurl_files_follow(sandbox, account_of, tmp_path):
    store = twfollow.Store()
    flow, tokens = sign_in(sandbox.base_url)
    flow.close()
    twurl = tmp_path / ".twurlrc"
    twurl.write_text(twurlrc(account_of(1)))
    xurl = tmp_path / ".xurl"
    xurl.write_text(xurl_file(tokens, oauth1=account_of(1)))
    for kind, path in (("twurl", twurl), ("xurl", xurl)):
        os.chmod(path, 0o600)
        names = store.import_from(kind, path)
        assert names, kind
        # The same import, with the names one a line (tw_store_import_names, for C).
        lines, count = ctypes.c_void_p(), ctypes.c_uint32()
        lib = twfollow._native.lib()
        status = lib.tw_store_import_names(None, kind.encode(), str(path).encode(), ctypes.byref(lines), ctypes.byref(count))
        assert status == twfollow.Status.OK
        assert (take_string(lines), count.value) == ("".join(f"{name}\n" for name in names), len(names))
        for name in names:
            with twfollow.Client.from_store(name, base_url=sandbox.base_url) as client:
                answer = client.follow("@twitterdev")
                assert answer.get("id") == TWITTERDEV or answer["data"]["following"] is True, (kind, name)


def test_async_client_from_store(sandbox, private_store):
    import asyncio

    name, first = save_oauth2(sandbox.base_url)

    async def main():
        async with twfollow.AsyncClient.from_store(name, base_url=sandbox.base_url, max_workers=2) as client:
            answer = await client.follow(TWITTERDEV)
            token = await client.access_token()
            assert twfollow.Store().save(client, name) == name  # saved again under its own name
            # Under a second name it is refused: two accounts must never hold one refresh token.
            with pytest.raises(twfollow.StoreError, match="two accounts must never hold one refresh token"):
                twfollow.Store().save(client, "copy")
            return answer, token

    answer, token = asyncio.run(main())
    assert answer["data"]["following"] is True and token == first["access_token"]
    assert {a.name for a in twfollow.Store().accounts()} == {name}
