"""Client.from_env: a keyword given wins over its environment variable, which is then
not read at all (issue 16, item 9); the variables no keyword replaces are read as the
library reads them, with the library's messages."""

from __future__ import annotations

import pytest
import twfollow
from conftest import sign_in

CREDENTIALS = ("TW_CONSUMER_KEY", "TW_CONSUMER_SECRET", "TW_ACCESS_TOKEN", "TW_ACCESS_TOKEN_SECRET")


@pytest.fixture
def env(monkeypatch, sandbox, account_of):
    """The sandbox's account 1 in the environment, and no proxy variable."""
    for name, value in zip(CREDENTIALS, account_of(1)):
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("TW_API_BASE", sandbox.base_url)
    monkeypatch.delenv("TW_API_VERSION", raising=False)
    return monkeypatch


def error_of(**keywords) -> twfollow.TwError:
    with pytest.raises(twfollow.TwError) as raised:
        twfollow.Client.from_env(**keywords)
    return raised.value


def test_base_url_keyword_wins_over_a_bad_variable(env, sandbox):
    env.setenv("TW_API_BASE", "http://example.com")
    with twfollow.Client.from_env(base_url=sandbox.base_url) as client:
        assert client.follow("twitterdev")["id"] == 2244994945


def test_api_version_keyword_wins_over_a_bad_variable(env):
    env.setenv("TW_API_VERSION", "3")
    with twfollow.Client.from_env(api_version="1.1") as client:
        assert client.follow("twitterdev")["id"] == 2244994945


def test_keywords_win_over_good_variables(env, sandbox, closed_port):
    env.setenv("TW_API_BASE", f"http://127.0.0.1:{closed_port}")
    env.setenv("TW_API_VERSION", "2")
    with twfollow.Client.from_env(base_url=sandbox.base_url, api_version=1) as client:
        assert client.follow("twitterdev")["id"] == 2244994945  # 1.1's user object, through the keyword's URL


def test_without_keywords_the_variables_are_read(env):
    env.setenv("TW_API_VERSION", "2")
    with twfollow.Client.from_env() as client:
        assert client.follow("twitterdev") == {"data": {"following": True, "pending_follow": False}}
    env.setenv("TW_API_BASE", "http://example.com")
    assert error_of().message.startswith("environment variable TW_API_BASE: invalid base URL")


def test_a_variable_no_keyword_replaces_is_still_read(env, sandbox):
    env.setenv("TW_API_VERSION", "2")
    with twfollow.Client.from_env(base_url=sandbox.base_url) as client:
        assert client.follow("twitterdev") == {"data": {"following": True, "pending_follow": False}}
    env.setenv("TW_API_VERSION", " 1.1 ")  # blanks around the value are ignored, as the library does
    with twfollow.Client.from_env(base_url=sandbox.base_url) as client:
        assert client.follow("twitterdev")["id"] == 2244994945
    env.setenv("TW_API_VERSION", "3")
    error = error_of(base_url=sandbox.base_url)
    assert isinstance(error, twfollow.InvalidArgumentError)
    assert error.message.startswith("environment variable TW_API_VERSION: ")
    assert str(error) == error.message


def test_a_bad_base_variable_reads_as_the_library_says_it(env):
    env.setenv("TW_API_BASE", "http://example.com")
    library = error_of()  # tw_config_from_env reads every variable
    assert library.message.startswith("environment variable TW_API_BASE: ")
    assert repr(error_of(api_version="1.1")) == repr(library)


# Empty, and not UTF-8 (os.environ stores the surrogate-escaped text as the raw bytes ff fe).
@pytest.mark.parametrize("value", ["", "\udcff\udcfe"], ids=["empty", "not UTF-8"])
def test_missing_credentials_read_as_the_library_says_it(env, sandbox, value):
    env.setenv("TW_ACCESS_TOKEN", value)
    library = error_of()
    assert "TW_ACCESS_TOKEN" in library.message
    assert repr(error_of(base_url=sandbox.base_url)) == repr(library)
    assert repr(error_of(api_version=2)) == repr(library)


def test_bad_keyword_values_are_not_blamed_on_the_environment(env):
    error = error_of(base_url="http://example.com")
    assert isinstance(error, twfollow.InvalidArgumentError)
    assert error.message.startswith("invalid base URL"), error.message


def test_oauth2_variables_with_a_keyword_are_chosen_as_the_library_chooses(env, sandbox):
    """TW_OAUTH2_* when TW_ACCESS_TOKEN is not set: the library's choice with a keyword
    given too (tw_config_from_env_credentials), the same refusals, a bad TW_API_BASE unread."""
    flow, tokens = sign_in(sandbox.base_url)
    flow.close()
    env.delenv("TW_ACCESS_TOKEN")
    env.setenv("TW_OAUTH2_ACCESS_TOKEN", tokens["access_token"])
    env.setenv("TW_OAUTH2_REFRESH_TOKEN", tokens["refresh_token"])
    env.setenv("TW_API_BASE", "http://example.com")
    # A refresh token needs its client id: refused in the library's words either way.
    library = error_of()
    assert "TW_OAUTH2_CLIENT_ID" in library.message
    assert repr(error_of(base_url=sandbox.base_url)) == repr(library)
    # Without one (no refresh token either), it still follows: it cannot refresh, that is all.
    env.delenv("TW_OAUTH2_REFRESH_TOKEN")
    with twfollow.Client.from_env(base_url=sandbox.base_url) as client:
        assert client.follow("twitterdev") == {"data": {"following": True, "pending_follow": False}}
    env.setenv("TW_OAUTH2_EXPIRES_AT", "soon")
    library = error_of(base_url=sandbox.base_url)
    assert library.message.startswith("environment variable TW_OAUTH2_EXPIRES_AT"), library.message
