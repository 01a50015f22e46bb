"""The environment's variables, read as tw_config_from_env reads them, for
`Client.from_env` when a keyword replaces one of them (the library chooses the
credentials: tw_config_from_env_credentials)."""

from __future__ import annotations

import os
from typing import Optional

# The variables tw_config_from_env reads (include/twfollow.h).
ENV_CREDENTIALS = ("TW_CONSUMER_KEY", "TW_CONSUMER_SECRET", "TW_ACCESS_TOKEN", "TW_ACCESS_TOKEN_SECRET")
ENV_API_BASE = "TW_API_BASE"
ENV_API_VERSION = "TW_API_VERSION"
ENV_OAUTH2 = (
    "TW_OAUTH2_CLIENT_ID",
    "TW_OAUTH2_CLIENT_SECRET",
    "TW_OAUTH2_ACCESS_TOKEN",
    "TW_OAUTH2_REFRESH_TOKEN",
    "TW_OAUTH2_EXPIRES_AT",
)


def _environment(name: str) -> Optional[str]:
    """A variable as tw_config_from_env reads it: None when unset, empty or not UTF-8."""
    if not os.supports_bytes_environ:
        return os.environ.get(name) or None
    raw = os.environb.get(os.fsencode(name))
    try:
        return raw.decode("utf-8") if raw else None
    except UnicodeDecodeError:
        return None
