"""Where the package loads the C library from: TWFOLLOW_LIB (the user's explicit choice),
the package's own directory, or the system loader by SONAME. Never a library found by
walking up from where the package is installed: a `target/release/libtwfollow.so` planted
next to a `Cargo.toml` above a venv would run its constructor inside every importer.

The planted library leaves a mark file from its constructor, which runs at dlopen,
before any check the loader could make."""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys

import pytest

import twfollow

PLANTED_SOURCE = r"""
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

__attribute__((constructor)) static void leave_mark(void) {
    const char *mark = getenv("TWFOLLOW_TEST_MARK");
    if (mark != NULL) {
        int fd = open(mark, O_CREAT | O_WRONLY, 0600);
        if (fd >= 0) close(fd);
    }
}
"""

LOAD = """
import twfollow._native as native
try:
    native.load()
except native.LibraryNotFoundError as e:
    print(e)
"""


@pytest.fixture
def layout(tmp_path: pathlib.Path):
    """A checkout-like tree with planted libraries in target/, and a copy of the installed
    package's Python files (without its bundled library) in a site-packages below it."""
    planted = tmp_path / "planted.so"
    source = tmp_path / "planted.c"
    source.write_text(PLANTED_SOURCE)
    subprocess.run(["cc", "-shared", "-fPIC", str(source), "-o", str(planted)], check=True)
    checkout = tmp_path / "checkout"
    for profile in ("release", "debug"):
        (checkout / "target" / profile).mkdir(parents=True)
        shutil.copy(planted, checkout / "target" / profile / "libtwfollow.so")
    (checkout / "Cargo.toml").write_text('[package]\nname = "twfollow"\nversion = "0.1.0"\n')
    site = checkout / "venv" / "lib" / "site-packages"
    package = site / "twfollow"
    package.mkdir(parents=True)
    for module in pathlib.Path(twfollow.__file__).parent.glob("*.py"):
        shutil.copy(module, package)
    return {"planted": planted, "site": site, "package": package, "mark": tmp_path / "mark"}


def load_in_child(layout, **extra_env: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("TWFOLLOW_LIB", "LD_LIBRARY_PATH", "LD_PRELOAD")}
    env.update(PYTHONPATH=str(layout["site"]), TWFOLLOW_TEST_MARK=str(layout["mark"]), **extra_env)
    result = subprocess.run(
        [sys.executable, "-c", LOAD], env=env, cwd=layout["site"], capture_output=True, text=True, check=True
    )
    return result.stdout


def test_a_library_in_a_checkout_above_the_package_is_never_loaded(layout) -> None:
    message = load_in_child(layout)
    assert not layout["mark"].exists(), "the planted target/*/libtwfollow.so was loaded"
    assert os.path.join("checkout", "target") not in message, message
    assert "libtwfollow.so.0" in message, message  # the system loader was asked by SONAME


def test_the_mark_proves_loading_the_package_copy_and_twfollow_lib(layout) -> None:
    # The same planted library where the package keeps its own copy is loaded (and then
    # refused as not twfollow): so the mark would show a load from target/ too.
    shutil.copy(layout["planted"], layout["package"] / "libtwfollow.abi3.so")
    message = load_in_child(layout)
    assert layout["mark"].exists(), message
    assert "not twfollow" in message, message
    layout["mark"].unlink()
    os.remove(layout["package"] / "libtwfollow.abi3.so")
    message = load_in_child(layout, TWFOLLOW_LIB=str(layout["planted"]))
    assert layout["mark"].exists(), message
