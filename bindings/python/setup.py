"""Builds tw-follow, the C command-line tool, into the package beside the library that
setuptools-rust builds (pyproject.toml holds everything else): `python -m twfollow` and the
`twfollow` script run it (twfollow/__main__.py). The tool is plain C99: TW_FOLLOW_CC (else CC,
else cc) compiles it, linked to the package's libtwfollow with a run path of $ORIGIN."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, List

from setuptools import setup
from setuptools_rust.build import build_rust

REPO = Path(__file__).resolve().parents[2]
TOOL_SOURCES = [REPO / "bindings" / "c" / "tw-follow.c", *sorted((REPO / "bindings" / "c" / "tw-follow").glob("*.c"))]


class build_rust_and_tool(build_rust):
    def install_extension(self, ext: Any, dylib_paths: Any, build_artifact_dir: Any) -> None:
        super().install_extension(ext, dylib_paths, build_artifact_dir)
        for module_name, _ in dylib_paths:
            library = Path(self.get_dylib_ext_path(ext, module_name or ext.name))
            build_tool(library, library.parent / "tw-follow")


def build_tool(library: Path, tool: Path) -> None:
    if not sys.platform.startswith("linux"):
        # The link below ($ORIGIN, -l:FILE, patchelf) is ELF's: elsewhere the package ships
        # the library alone, and `python -m twfollow` says the tool is missing.
        print(f"tw-follow is not built on {sys.platform}: install it with scripts/install.sh")
        return
    compiler = shlex.split(os.environ.get("TW_FOLLOW_CC") or os.environ.get("CC") or "cc")
    command: List[str] = [
        *compiler, "-std=c99", "-O2", "-Wall", "-Wextra", "-Wpedantic", f"-I{REPO / 'include'}",
        *map(str, TOOL_SOURCES), f"-L{library.parent}", f"-l:{library.name}", "-Wl,-rpath,$ORIGIN", "-o", str(tool),
    ]  # fmt: skip
    print(" ".join(shlex.quote(word) for word in command))
    subprocess.run(command, check=True)
    # A library with a SONAME (scripts/dist.sh gives it libtwfollow.so.0) is needed by that
    # name: the tool must need the file the package holds.
    patchelf = shutil.which("patchelf")
    if patchelf is not None:
        soname = subprocess.run([patchelf, "--print-soname", str(library)], capture_output=True, text=True)
        if soname.returncode == 0 and soname.stdout.strip() not in ("", library.name):
            subprocess.run([patchelf, "--replace-needed", soname.stdout.strip(), library.name, str(tool)], check=True)


setup(cmdclass={"build_rust": build_rust_and_tool})
