"""The environment as tw_config_from_env reads it, for `Client.from_env` when a keyword
replaces one of its variables."""

from __future__ import annotations

import ctypes
import os
from typing import Optional

from . import _native
from ._options import _expires_at, _named_after
from ._results import _check, _encode
from .errors import InvalidArgumentError, Status

# The variables tw_config_from_env reads (include/twfollow.h).
ENV_CREDENTIALS = ("TW_CONSUMER_KEY", "TW_CONSUMER_SECRET", "TW_ACCESS_TOKEN", "TW_ACCESS_TOKEN_SECRET")
ENV_API_BASE = "TW_API_BASE"
ENV_API_VERSION = "TW_API_VERSION"


def _environment(name: str) -> Optional[str]:
    """A variable as tw_config_from_env reads it: None when unset, empty or not UTF-8."""
    if not os.supports_bytes_environ:
        return os.environ.get(name) or None
    raw = os.environb.get(os.fsencode(name))
    try:
        return raw.decode("utf-8") if raw else None
    except UnicodeDecodeError:
        return None


ENV_OAUTH2 = (
    "TW_OAUTH2_CLIENT_ID",
    "TW_OAUTH2_CLIENT_SECRET",
    "TW_OAUTH2_ACCESS_TOKEN",
    "TW_OAUTH2_REFRESH_TOKEN",
    "TW_OAUTH2_EXPIRES_AT",
)


def _config_from_env_credentials() -> ctypes.c_void_p:
    """A new TwConfig from the credential variables alone: the four OAuth 1.0a ones, or
    TW_OAUTH2_* when TW_OAUTH2_ACCESS_TOKEN is set and TW_ACCESS_TOKEN is not (as
    tw_config_from_env chooses)."""
    lib = _native.lib()
    config = ctypes.c_void_p()
    if _environment("TW_OAUTH2_ACCESS_TOKEN") is not None and _environment("TW_ACCESS_TOKEN") is None:
        client_id, secret, access, refresh, expires = (_environment(name) for name in ENV_OAUTH2)
        if access is None:  # unset between the two reads
            access = ""
        if client_id is None:
            raise InvalidArgumentError(
                Status.INVALID_ARGUMENT,
                "environment variable TW_OAUTH2_CLIENT_ID is not set: with base_url or api_version "
                "given, an OAuth 2.0 config from the environment needs it",
            )
        expires_at = 0
        if expires is not None:
            if not expires.strip().isdigit():
                raise InvalidArgumentError(
                    Status.INVALID_ARGUMENT,
                    "environment variable TW_OAUTH2_EXPIRES_AT is not a time in seconds since the Unix epoch",
                )
            with _named_after("TW_OAUTH2_EXPIRES_AT"):
                expires_at = _expires_at(int(expires))
        _check(
            lib.tw_config_new_oauth2(
                _encode(client_id, "TW_OAUTH2_CLIENT_ID"),
                None if secret is None else _encode(secret, "TW_OAUTH2_CLIENT_SECRET"),
                ctypes.byref(config),
            )
        )
        status = lib.tw_config_set_oauth2_tokens(
            config,
            _encode(access, "TW_OAUTH2_ACCESS_TOKEN"),
            None if refresh is None else _encode(refresh, "TW_OAUTH2_REFRESH_TOKEN"),
            expires_at,
        )
        if status != Status.OK:
            lib.tw_config_free(config)
            _check(status)
        return config
    credentials = [_environment(name) for name in ENV_CREDENTIALS]
    present = [value for value in credentials if value is not None]
    if len(present) != len(credentials):
        # The library checks the credentials first: let it name what is missing, in its words.
        _check(lib.tw_config_from_env(ctypes.byref(config)))
        lib.tw_config_free(config)  # reached only if the environment changed meanwhile
        missing = ", ".join(name for name, value in zip(ENV_CREDENTIALS, credentials) if value is None)
        raise InvalidArgumentError(Status.INVALID_ARGUMENT, f"environment variables not set or empty: {missing}")
    encoded = [_encode(value, name) for value, name in zip(present, ENV_CREDENTIALS)]
    _check(lib.tw_config_new(*encoded, ctypes.byref(config)))
    return config
