"""Finds, loads and declares the C library, with its C types: the lowest module (it imports no other)."""

from __future__ import annotations

import ctypes
import functools
import importlib.machinery
import os
import sys
from typing import Any, Dict, List, Tuple

# The major version of the C library this package speaks to.
ABI_PREFIX = "twfollow/0."

# The name the system loader knows the library by (its SONAME on Linux), for a
# library installed with scripts/install.sh or a distribution package.
_SYSTEM_NAMES = {"darwin": "libtwfollow.0.dylib", "win32": "twfollow.dll"}
SYSTEM_NAME = _SYSTEM_NAMES.get(sys.platform, "libtwfollow.so.0")
# The build backend (setuptools-rust) names the library it puts in the package like an
# extension module: libtwfollow.abi3.so on Linux and macOS, libtwfollow.pyd on Windows.
BUNDLED_NAMES = [f"libtwfollow{suffix}" for suffix in importlib.machinery.EXTENSION_SUFFIXES]

c_char_p = ctypes.c_char_p
config_p = ctypes.c_void_p  # TwConfig *
status_t = ctypes.c_int  # TwStatus: a C enum, int-sized
out_string = ctypes.POINTER(ctypes.c_void_p)  # char **: read, then freed with tw_string_free
out_config = ctypes.POINTER(config_p)
out_int = ctypes.POINTER(ctypes.c_int)
out_int64 = ctypes.POINTER(ctypes.c_int64)
out_uint32 = ctypes.POINTER(ctypes.c_uint32)
out_bool = ctypes.POINTER(ctypes.c_bool)

# TwTraceCallback: void (*)(void *user_data, int32_t kind, const char *line)
TRACE_CALLBACK = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int32, ctypes.c_char_p)
# TwTokenCallback: void (*)(void *user_data, const char *tokens_json)
TOKEN_CALLBACK = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_char_p)

# name -> argtypes of every function of include/twfollow.h that returns a TwStatus (its restype);
# SIGNATURES adds the others. test_binding.py fails when the header has a function these lack.
_STATUS_FUNCTIONS: Dict[str, List[Any]] = {
    "tw_config_new": [c_char_p, c_char_p, c_char_p, c_char_p, out_config],
    "tw_config_from_env": [out_config],
    "tw_config_from_env_credentials": [out_config],
    "tw_config_set_base_url": [config_p, c_char_p],
    "tw_config_set_timeout_ms": [config_p, ctypes.c_uint32],
    "tw_config_set_user_agent": [config_p, c_char_p],
    "tw_config_set_ca_file": [config_p, c_char_p],
    "tw_config_set_proxy": [config_p, c_char_p],
    "tw_config_set_max_retries": [config_p, ctypes.c_uint32],
    "tw_config_set_api_version": [config_p, ctypes.c_uint32],
    "tw_config_set_max_wait_ms": [config_p, ctypes.c_uint32],
    "tw_config_set_trace": [config_p, TRACE_CALLBACK, ctypes.c_void_p],
    "tw_follow": [config_p, c_char_p, ctypes.c_bool, out_string],
    "tw_follow_ex": [config_p, c_char_p, ctypes.c_bool, out_int, out_string],
    "tw_unfollow": [config_p, c_char_p, out_string],
    "tw_relationship": [config_p, c_char_p, out_string],
    "tw_me": [config_p, out_string, out_string],
    # The flags as TwRelationshipFlag bits (known, set), for C without a JSON parser;
    # Python reads tw_relationship's JSON.
    "tw_relationship_ex": [config_p, c_char_p, out_uint32, out_uint32, out_string],
    "tw_last_rate_limit": [out_int64] * 3,
    "tw_last_day_budgets": [out_int64] * 6,
    # Getting tokens: OAuth 1.0a PIN/callback flow, OAuth 2.0 PKCE, refresh, revoke.
    "tw_config_new_app": [c_char_p, c_char_p, out_config],
    "tw_oauth1_request_token": [config_p, c_char_p, out_string, out_string, out_string],
    "tw_oauth1_access_token": [config_p, c_char_p, c_char_p, c_char_p, out_string],
    "tw_config_new_oauth2": [c_char_p, c_char_p, out_config],
    "tw_oauth2_authorize_url": [config_p, c_char_p, c_char_p, out_string, out_string, out_string],
    "tw_oauth2_exchange_code": [config_p, c_char_p, c_char_p, c_char_p, c_char_p, out_string],
    "tw_config_set_oauth2_tokens": [config_p, c_char_p, c_char_p, ctypes.c_int64],
    "tw_config_set_token_callback": [config_p, TOKEN_CALLBACK, ctypes.c_void_p],
    "tw_config_get_tokens": [config_p, out_string],
    "tw_config_get_oauth2_tokens": [config_p, out_string, out_string, out_int64, out_string],
    "tw_config_get_oauth1_tokens": [config_p, out_string, out_string, out_string, out_string],
    # The fields of the library's token JSON, for C without a JSON parser; Python parses it.
    "tw_oauth2_tokens_from_json": [c_char_p, out_string, out_string, out_int64, out_string],
    "tw_oauth2_refresh": [config_p],
    "tw_oauth2_revoke": [config_p, c_char_p],
    # The token store (docs/tokens.md): accounts saved in one locked JSON file.
    "tw_config_from_store": [c_char_p, c_char_p, out_config],
    "tw_config_from_store_credentials": [c_char_p, c_char_p, out_config],
    "tw_store_save_account": [config_p, c_char_p, c_char_p, out_string],
    "tw_store_list": [c_char_p, out_string],
    "tw_store_account_at": [c_char_p, ctypes.c_uint32, out_string, out_uint32],
    "tw_store_account_fields": [c_char_p, ctypes.c_uint32, *[out_string] * 5, out_int64, *[out_bool] * 2, out_uint32],
    "tw_store_set_default": [c_char_p, c_char_p],
    "tw_store_remove": [c_char_p, c_char_p],
    "tw_store_import": [c_char_p, c_char_p, c_char_p, out_string],
    "tw_store_import_names": [c_char_p, c_char_p, c_char_p, out_string, out_uint32],
    "tw_store_import_ex": [c_char_p, c_char_p, c_char_p, ctypes.c_uint32, out_string, out_string, out_string],
    "tw_store_path": [c_char_p, out_string],
    "tw_oauth2_access_token": [config_p, out_string, out_int64],
}

# name -> (argtypes, restype) of every function of the header (a missing restype would truncate pointers to int).
SIGNATURES: Dict[str, Tuple[List[Any], Any]] = {
    **{name: (argtypes, status_t) for name, argtypes in _STATUS_FUNCTIONS.items()},
    "tw_config_free": ([config_p], None),
    "tw_last_reset_at": ([], ctypes.c_int64),
    "tw_last_request_count": ([], ctypes.c_int32),
    "tw_refreshes_in_flight": ([], ctypes.c_int32),
    "tw_last_problem": ([ctypes.c_int32], c_char_p),
    "tw_last_error_message": ([], c_char_p),
    "tw_last_http_status": ([], ctypes.c_int32),
    "tw_last_api_error_code": ([], ctypes.c_int32),
    "tw_status_str": ([ctypes.c_int32], c_char_p),
    "tw_string_free": ([ctypes.c_void_p], None),
    "tw_version": ([], c_char_p),
}


class LibraryNotFoundError(OSError):
    """The C library could not be loaded from any of the places tried."""


def _candidates() -> List[str]:
    # Only places the user chose or the package owns: never a path derived from where the
    # package happens to be installed (a checkout's target/ above a venv could be anyone's).
    explicit = os.environ.get("TWFOLLOW_LIB")
    if explicit:
        return [explicit]
    here = os.path.dirname(os.path.abspath(__file__))
    return [os.path.join(here, name) for name in BUNDLED_NAMES] + [SYSTEM_NAME]


def load() -> ctypes.CDLL:
    """Loads TWFOLLOW_LIB if set (and only it), else the package's copy, else the system's libtwfollow.so.0."""
    tried = []
    for place in _candidates():
        if os.sep in place and not os.path.exists(place):
            tried.append(f"{place} (no such file)")
            continue
        try:
            lib = ctypes.CDLL(place)
        except OSError as e:
            tried.append(f"{place} ({e})")
            continue
        missing = [name for name in SIGNATURES if not hasattr(lib, name)]
        if missing:
            tried.append(f"{place} (not twfollow: lacks {', '.join(missing)})")
            continue
        for name, (argtypes, restype) in SIGNATURES.items():
            function = getattr(lib, name)
            function.argtypes, function.restype = argtypes, restype
        version = lib.tw_version().decode()
        if not version.startswith(ABI_PREFIX):
            tried.append(f"{place} (version {version}, this package needs {ABI_PREFIX}x)")
            continue
        return lib
    raise LibraryNotFoundError(
        "cannot load the twfollow C library; tried:\n  "
        + "\n  ".join(tried)
        + "\ninstall the package with pip (it builds the library), install the library with"
        + " scripts/install.sh, or set TWFOLLOW_LIB to a libtwfollow.so (e.g. a checkout's target/)"
    )


@functools.lru_cache(maxsize=None)
def lib() -> ctypes.CDLL:
    """The loaded library (loaded on first use; a failure is not kept, the next call tries again)."""
    return load()
