"""`python -m twfollow` and the `twfollow` script: they run tw-follow, shipped beside the library (docs/cli.md)."""

from __future__ import annotations

import os
import sys
from typing import NoReturn

TOOL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tw-follow")
# sysexits.h's EX_SOFTWARE, as tw-follow exits on an internal error.
EXIT_SOFTWARE = 70


def main() -> NoReturn:
    """Replaces this process with tw-follow (os.execv): signals, streams and exit code are the tool's."""
    try:
        os.execv(TOOL, [TOOL, *sys.argv[1:]])
    except OSError as e:
        print(f"twfollow: cannot run {TOOL}: {e.strerror or e}; reinstall the package with pip", file=sys.stderr)
        sys.exit(EXIT_SOFTWARE)


if __name__ == "__main__":
    main()
