"""The ctypes declarations match the header, and loading fails clearly."""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys

from twfollow import _native

REPO = pathlib.Path(__file__).resolve().parents[3]
HEADER = (REPO / "include" / "twfollow.h").read_text()


def header_functions():
    """name -> number of parameters, for every tw_ function the header declares."""
    functions = {}
    for match in re.finditer(r"^[A-Za-z_][\w \*]*?\b(tw_\w+)\(([^)]*)\);", HEADER, re.M):
        params = match.group(2).strip()
        functions[match.group(1)] = 0 if params in ("", "void") else params.count(",") + 1
    return functions


def test_every_header_function_is_declared_with_its_arity():
    declared = header_functions()
    assert len(declared) >= 13
    assert set(declared) == set(_native.SIGNATURES)
    for name, arity in declared.items():
        argtypes, _ = _native.SIGNATURES[name]
        assert len(argtypes) == arity, name


def test_restypes_are_declared_for_pointers():
    for name in ("tw_last_error_message", "tw_status_str", "tw_version"):
        assert _native.SIGNATURES[name][1] is _native.c_char_p


def test_a_missing_library_names_every_place_tried():
    code = "import twfollow; twfollow.version()"
    env = dict(os.environ, TWFOLLOW_LIB="/nonexistent/libtwfollow.so")
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "LibraryNotFoundError" in result.stderr
    assert "/nonexistent/libtwfollow.so (no such file)" in result.stderr
