"""The shared keyword options are stated once (twfollow._options.Options): every
constructor of Client and AsyncClient takes them as `**options: Unpack[Options]`
(`Client.oauth2`: OAuth2Options, without api_version), each is applied, and a keyword
that is not an option is refused as Python refuses one."""

import inspect
import os
from typing import Any

import pytest

import twfollow
from twfollow._options import OAUTH2_OPTION_NAMES, OPTION_NAMES

CONSTRUCTORS = ("__init__", "from_env", "from_store", "oauth2")


@pytest.mark.parametrize("owner", [twfollow.Client, twfollow.AsyncClient])
@pytest.mark.parametrize("name", CONSTRUCTORS)
def test_every_constructor_takes_the_options(owner: Any, name: str) -> None:
    parameters = inspect.signature(getattr(owner, name)).parameters
    options = parameters["options"]
    assert options.kind is inspect.Parameter.VAR_KEYWORD
    assert options.annotation == ("Unpack[OAuth2Options]" if name == "oauth2" else "Unpack[Options]")
    assert not set(parameters) & OPTION_NAMES  # stated once, not beside the options
    if "on_token_refresh" in parameters:
        assert parameters["on_token_refresh"].annotation == "Optional[TokenHandler]"
        assert parameters["on_token_refresh"].default is None


def test_the_options() -> None:
    assert OPTION_NAMES == {
        "base_url", "timeout", "user_agent", "ca_file", "proxy", "max_retries", "max_wait", "api_version", "trace",
    }  # fmt: skip
    assert OAUTH2_OPTION_NAMES == OPTION_NAMES - {"api_version"}


BAD_VALUES = {
    "base_url": "ftp://example.com",
    "timeout": 0,
    "user_agent": "a\0b",
    "ca_file": "a\0b",
    "proxy": "a\0b",
    "max_retries": 11,
    "max_wait": -1,
    "api_version": "3",
    "trace": 5,
}


@pytest.mark.parametrize("option", sorted(OPTION_NAMES))
def test_every_option_is_applied(option: str) -> None:
    # Each refused value reaches its check (nothing is sent: no server is needed).
    with pytest.raises(twfollow.InvalidArgumentError):
        twfollow.Client("key", "secret", "token", "token secret", **{option: BAD_VALUES[option]})
    with twfollow.Client("key", "secret", "token", "token secret", **{option: None}):
        pass


def test_a_keyword_that_is_no_option_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [name for name in os.environ if name.startswith("TW_")]:
        monkeypatch.delenv(name)
    with pytest.raises(TypeError, match="'bogus'"):
        twfollow.Client("key", "secret", "token", "token secret", bogus=1)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="'api_version'"):
        twfollow.Client.oauth2("client", "token", api_version=2)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="'bogus'"):
        twfollow.OAuth2Flow("client", "https://app.example/callback", bogus=1)  # type: ignore[call-arg]
    # Before anything else is looked at: no credentials in the environment, no store.
    with pytest.raises(TypeError, match="'bogus'"):
        twfollow.Client.from_env(bogus=1)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="'bogus'"):
        twfollow.Client.from_store("nobody", "/nonexistent/accounts.json", bogus=1)  # type: ignore[call-arg]
