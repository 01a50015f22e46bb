"""The shared keyword options are stated once (twfollow._options.OPTION_TYPES): every
constructor of Client and AsyncClient spells each of them as the table does."""

import inspect
from typing import Any, Callable

import pytest

import twfollow
from twfollow._options import OPTION_TYPES, apply_options

CONSTRUCTORS = ("__init__", "from_env", "from_store", "oauth2")


def keyword_options(function: Callable[..., Any]) -> "dict[str, inspect.Parameter]":
    parameters = inspect.signature(function).parameters.values()
    return {p.name: p for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY}


@pytest.mark.parametrize("owner", [twfollow.Client, twfollow.AsyncClient])
@pytest.mark.parametrize("name", CONSTRUCTORS)
def test_every_constructor_spells_the_table(owner: Any, name: str) -> None:
    function = getattr(owner, name)  # AsyncClient's carry Client's signatures
    wanted = {o: spelt for o, spelt in OPTION_TYPES.items() if not (name == "oauth2" and o == "api_version")}
    options = keyword_options(function)
    for option, spelt in wanted.items():
        assert option in options, f"{owner.__name__}.{name} lacks {option}"
        assert options[option].annotation == spelt, f"{owner.__name__}.{name}({option}: {options[option].annotation})"
        assert options[option].default is None
    if name == "oauth2":
        assert "api_version" not in options  # API v2 alone speaks OAuth 2.0 user tokens
    if "on_token_refresh" in options:
        assert options["on_token_refresh"].annotation == "Optional[TokenHandler]"
        assert options["on_token_refresh"].default is None


def test_apply_options_takes_the_table() -> None:
    parameters = inspect.signature(apply_options).parameters
    assert {n: p.annotation for n, p in parameters.items() if n in OPTION_TYPES} == OPTION_TYPES
    assert [n for n in parameters if n not in ("config", "from_variables")] == list(OPTION_TYPES)
