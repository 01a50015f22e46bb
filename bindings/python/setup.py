"""Ships the compiled library inside the package when one has been built.

`pip install ./bindings/python` after `cargo build --release` (or with
TWFOLLOW_LIB pointing at a build) copies libtwfollow.so next to the Python
modules; without one the package still installs and finds the library at run
time (TWFOLLOW_LIB, the repository's target/ directory, or the system loader).
"""

import os
import pathlib
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = pathlib.Path(__file__).resolve().parent


def built_library():
    explicit = os.environ.get("TWFOLLOW_LIB")
    if explicit:
        return pathlib.Path(explicit)
    for profile in ("release", "debug"):
        candidate = HERE.parent.parent / "target" / profile / "libtwfollow.so"
        if candidate.exists():
            return candidate
    return None


class BuildWithLibrary(build_py):
    def run(self):
        super().run()
        library = built_library()
        if library is not None and library.exists():
            target = pathlib.Path(self.build_lib) / "twfollow" / "libtwfollow.so"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(library, target)


setup(cmdclass={"build_py": BuildWithLibrary})
