"""Loads the built library for tests that drive it directly through ctypes."""

import ctypes
import os
import pathlib

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]


def _library_path() -> str:
    explicit = os.environ.get("TWFOLLOW_LIB")
    if explicit:
        return explicit
    for profile in ("debug", "release"):
        candidate = REPO / "target" / profile / "libtwfollow.so"
        if candidate.exists():
            return str(candidate)
    raise RuntimeError("libtwfollow.so not found: run `cargo build` or set TWFOLLOW_LIB")


@pytest.fixture(scope="session")
def lib() -> ctypes.CDLL:
    lib = ctypes.CDLL(_library_path())
    c_str, config_p = ctypes.c_char_p, ctypes.c_void_p
    lib.tw_config_new.argtypes = [c_str, c_str, c_str, c_str, ctypes.POINTER(config_p)]
    lib.tw_config_new.restype = ctypes.c_int
    lib.tw_config_set_base_url.argtypes = [config_p, c_str]
    lib.tw_config_set_base_url.restype = ctypes.c_int
    lib.tw_config_free.argtypes = [config_p]
    lib.tw_config_free.restype = None
    lib.tw_follow.argtypes = [config_p, c_str, ctypes.c_bool, ctypes.POINTER(ctypes.c_void_p)]
    lib.tw_follow.restype = ctypes.c_int
    lib.tw_string_free.argtypes = [ctypes.c_void_p]
    lib.tw_string_free.restype = None
    lib.tw_last_error_message.argtypes = []
    lib.tw_last_error_message.restype = c_str
    lib.tw_last_http_status.argtypes = []
    lib.tw_last_http_status.restype = ctypes.c_int32
    lib.tw_last_api_error_code.argtypes = []
    lib.tw_last_api_error_code.restype = ctypes.c_int32
    return lib
