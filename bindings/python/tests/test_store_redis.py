"""The Redis store (issue 28) from Python and from tw-follow: a real redis-server started
on a loopback port (AOF on, its own folder, killed at the end); a fleet of three "hosts"
(own HOME, no shared file) of which one runs Python processes and two the C tool, meeting
three expiries with exactly one refresh each (counted at the server's door); every CLI
verb on a Redis store, `accounts import` into it; a wrong password, never printed."""

from __future__ import annotations

import json
import os
import pathlib
import socket
import subprocess
import sys
import time
from typing import Any, Dict, Iterator, List, Optional

import pytest
from conftest import SandboxProcess, account, save_oauth2, tw_follow

import twfollow

TWITTERDEV = "2244994945"


class RedisServer:
    """redis-server on 127.0.0.1 at a free port (found by binding port 0; another is tried
    if someone takes it first), with `appendonly yes` in a folder of its own."""

    def __init__(self, folder: pathlib.Path, password: Optional[str] = None) -> None:
        self.folder = folder
        self.password = password
        self.process: Optional[subprocess.Popen] = None
        for _ in range(10):
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                self.port = probe.getsockname()[1]
            if self._launch():
                return
        raise RuntimeError("redis-server did not start")

    def _launch(self) -> bool:
        command = ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.folder),
                   "--appendonly", "yes", "--appendfsync", "always", "--save", ""]  # fmt: skip
        if self.password:
            command += ["--requirepass", self.password]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        until = time.monotonic() + 10
        while time.monotonic() < until:
            if self.process.poll() is not None:
                return False
            try:
                self.cli("PING")
                return True
            except subprocess.CalledProcessError:
                time.sleep(0.05)
        self.process.kill()
        self.process.wait()
        return False

    def cli(self, *args: str) -> str:
        env = dict(os.environ, REDISCLI_AUTH=self.password or "")
        command = ["redis-cli", "-p", str(self.port), "--no-raw", *args]
        out = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
        if out.startswith("(error)"):
            raise subprocess.CalledProcessError(1, command, out)
        return out

    def url(self, prefix: str, password: Optional[str] = None) -> str:
        secret = self.password if password is None else password
        auth = f":{secret}@" if secret else ""
        return f"redis://{auth}127.0.0.1:{self.port}/0?prefix={prefix}"

    def document(self, prefix: str) -> Dict[str, Any]:
        raw = subprocess.run(
            ["redis-cli", "-p", str(self.port), "--raw", "GET", f"{prefix}:store"],
            env=dict(os.environ, REDISCLI_AUTH=self.password or ""), capture_output=True, check=True,
        ).stdout  # fmt: skip
        result: Dict[str, Any] = json.loads(raw)
        return result

    def expire(self, prefix: str, name: str) -> None:
        """The account's access token has expired, as far as the store says."""
        doc = self.document(prefix)
        doc["accounts"][name]["expires_at"] = int(time.time()) - 10
        subprocess.run(
            ["redis-cli", "-p", str(self.port), "-x", "SET", f"{prefix}:store"],
            env=dict(os.environ, REDISCLI_AUTH=self.password or ""), input=json.dumps(doc).encode(),
            capture_output=True, check=True,
        )  # fmt: skip

    def keys(self) -> List[str]:
        raw = subprocess.run(
            ["redis-cli", "-p", str(self.port), "--raw", "KEYS", "*"],
            env=dict(os.environ, REDISCLI_AUTH=self.password or ""), capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        return sorted(k for k in raw.split("\n") if k)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


@pytest.fixture
def redis_server(tmp_path) -> Iterator[RedisServer]:
    folder = tmp_path / "redis-data"
    folder.mkdir()
    server = RedisServer(folder)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def sandbox():
    process = SandboxProcess()
    yield process
    process.stop()


def host_env(home: pathlib.Path, **extra: str) -> Dict[str, str]:
    """A "host": its own HOME, no store of the test's, no TW_* credentials."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TW_", "TWFOLLOW_STORE", "XDG_CONFIG_HOME"))}
    env.update(HOME=str(home), **extra)
    return env


PYTHON_FOLLOW = """
import sys, twfollow
store, base = sys.argv[1], sys.argv[2]
with twfollow.Client.from_store("grant", store=store, base_url=base) as client:
    client.follow(int(sys.argv[3]))
"""


def test_a_python_host_and_two_c_hosts_refresh_once_per_expiry(sandbox, redis_server, counting_proxy, tmp_path):
    proxy = counting_proxy(sandbox.base_url)
    url = redis_server.url("mixed")
    name, first = save_oauth2(sandbox.base_url, "grant", store=twfollow.Store(url))
    assert name == "grant"
    homes = [tmp_path / f"host-{i}" for i in range(3)]
    for home in homes:
        home.mkdir()
    binary = tw_follow().command
    previous = first["refresh_token"]
    for round in (1, 2, 3):
        redis_server.expire("mixed", "grant")
        python = [sys.executable, "-c", PYTHON_FOLLOW, url, proxy.base_url, TWITTERDEV]
        c_tool = [*binary, "--account", "grant", "--base-url", proxy.base_url, "--quiet", TWITTERDEV]
        runs = [(python, host_env(homes[0])), ([*c_tool, "--store", url], host_env(homes[1])),
                (c_tool, host_env(homes[2], TWFOLLOW_STORE=url))] * 4  # fmt: skip
        processes = [subprocess.Popen(args, env=env, stderr=subprocess.PIPE, text=True) for args, env in runs]
        for process in processes:
            _, err = process.communicate(timeout=60)
            assert process.returncode == 0, err
        assert proxy.refreshes == round, f"one refresh in round {round}"
        stored = redis_server.document("mixed")["accounts"]["grant"]
        assert stored["refresh_token"] != previous
        previous = stored["refresh_token"]
    for home in homes:
        assert list(home.iterdir()) == [], "a Redis store creates no file on the host"
    assert redis_server.keys() == ["mixed:store"]


def test_every_cli_verb_works_on_a_redis_store(sandbox, redis_server, tmp_path):
    cli = tw_follow()
    url = redis_server.url("verbs")
    home = tmp_path / "home"
    home.mkdir()
    env = host_env(home, TW_API_BASE=sandbox.base_url)
    # authorize's saving step, the library's way (the CLI's prompt is tested with the file store).
    save_oauth2(sandbox.base_url, "grant", store=twfollow.Store(url))
    key, secret, token, token_secret = account(2)
    imported = cli.run(["accounts", "import", "env", "--store", url],
                       dict(env, TW_CONSUMER_KEY=key, TW_CONSUMER_SECRET=secret, TW_ACCESS_TOKEN=token,
                            TW_ACCESS_TOKEN_SECRET=token_secret))  # fmt: skip
    assert imported.returncode == 0, imported.stderr
    assert url in imported.stderr
    listing = cli.run(["accounts", "--json", "--store", url], env)
    assert listing.returncode == 0, listing.stderr
    data = json.loads(listing.stdout)
    assert data["path"] == url and data["default"] == "grant"
    assert sorted(a["name"] for a in data["accounts"]) == ["env", "grant"]
    text = cli.run(["accounts", "--store", url], env)
    assert text.returncode == 0 and f"accounts in {url}:" in text.stdout, text
    assert cli.run(["accounts", "default", "env", "--store", url], env).returncode == 0
    assert twfollow.Store(url).default == "env"
    follow = cli.run(["--store", url, "--quiet", TWITTERDEV], env)
    assert follow.returncode == 0, follow.stderr
    follow = cli.run(["--account", "grant", "--quiet", TWITTERDEV], dict(env, TWFOLLOW_STORE=url))
    assert follow.returncode == 0, follow.stderr
    shown = cli.run(["token", "--account", "grant", "--store", url], env)
    assert shown.returncode == 0 and shown.stdout.strip(), shown.stderr
    removed = cli.run(["accounts", "remove", "grant", "--revoke", "--store", url], env)
    assert removed.returncode == 0, removed.stderr
    assert [a.name for a in twfollow.Store(url).accounts()] == ["env"]
    with twfollow.Client.from_store(store=url, base_url=sandbox.base_url) as client:
        assert client.follow(int(TWITTERDEV))["id"] == int(TWITTERDEV)
    assert list(home.iterdir()) == []
    assert all(k.startswith("verbs:") for k in redis_server.keys())


def test_a_wrong_password_or_a_stopped_server_is_the_store_status_never_the_password(sandbox, tmp_path):
    folder = tmp_path / "guarded"
    folder.mkdir()
    server = RedisServer(folder, password="the-right-one")
    try:
        url = server.url("guarded")
        save_oauth2(sandbox.base_url, "grant", store=twfollow.Store(url))
        wrong = server.url("guarded", password="n0t-the-pw")
        store = twfollow.Store(wrong)
        assert "n0t-the-pw" not in repr(store) and store.path == wrong.replace("n0t-the-pw", "***")
        with pytest.raises(twfollow.StoreError) as refused:
            store.accounts()
        assert "WRONGPASS" in str(refused.value) and "n0t-the-pw" not in str(refused.value)
        home = tmp_path / "home"
        home.mkdir()
        result = tw_follow().run(
            ["--store", wrong, "--trace", "--base-url", sandbox.base_url, TWITTERDEV], host_env(home)
        )
        assert result.returncode == 78, result.stderr
        assert "TW_STATUS_STORE" in result.stderr and "n0t-the-pw" not in result.stderr + result.stdout
        server.stop()
        before = sandbox.requests_seen()
        result = tw_follow().run(["--store", url, "--base-url", sandbox.base_url, TWITTERDEV], host_env(home))
        assert result.returncode == 78 and "TW_STATUS_STORE" in result.stderr, result.stderr
        assert "the-right-one" not in result.stderr
        assert sandbox.requests_seen() == before, "nothing reached X"
    finally:
        server.stop()
