"""The package ships tw-follow beside its library: `python -m twfollow` and the `twfollow`
script run it, with the same output and exit code as tw-follow itself (TW_FOLLOW_BIN)."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest
from conftest import TW_FOLLOW_BIN

import twfollow

PACKAGE = pathlib.Path(twfollow.__file__).parent
SCRIPT = pathlib.Path(sys.executable).parent / "twfollow"

# Standard output with exit 0, a refusal's standard error with 1, a usage error's with 64
# (what each prints is the tool's own: bindings/c/tests).
COMMANDS = [
    ["relationship", "twitterdev"],
    ["blocker_bob"],
    ["--bogus"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
def test_python_m_twfollow_and_the_script_run_the_tool(sandbox_env, args):
    expected = subprocess.run([TW_FOLLOW_BIN, *args], env=sandbox_env, capture_output=True, text=True)
    for command in ([sys.executable, "-m", "twfollow"], [str(SCRIPT)]):
        result = subprocess.run([*command, *args], env=sandbox_env, capture_output=True, text=True)
        assert (result.returncode, result.stdout, result.stderr) == (
            expected.returncode,
            expected.stdout,
            expected.stderr,
        ), command


def test_the_tool_loads_the_library_beside_it(sandbox_env):
    tool = PACKAGE / "tw-follow"
    assert os.access(tool, os.X_OK)
    env = {k: v for k, v in sandbox_env.items() if k != "LD_LIBRARY_PATH"}
    loaded = subprocess.run(["ldd", str(tool)], env=env, capture_output=True, text=True, check=True).stdout
    assert f"=> {PACKAGE}/libtwfollow" in loaded, loaded
    dynamic = subprocess.run(["readelf", "-d", str(tool)], capture_output=True, text=True, check=True).stdout
    assert "[$ORIGIN]" in dynamic, dynamic


def test_standard_input_and_the_exit_code_pass_through(sandbox_env, tmp_path):
    # --proxy-file - reads standard input: an empty line is refused with 78.
    result = subprocess.run(
        [sys.executable, "-m", "twfollow", "--proxy-file", "-", "twitterdev"],
        env=sandbox_env, input="\n", capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 78
    assert result.stderr == 'tw-follow: --proxy-file -: the first line is empty (for no proxy, pass --proxy "")\n'
