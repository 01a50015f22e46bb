"""`python -m twfollow` and the `twfollow` console script: they run tw-follow, the C tool the
package ships beside its library (built with it by setup.py), with the same arguments; its
output and exit code are theirs (docs/cli.md)."""

from __future__ import annotations

import os
import sys
from typing import NoReturn

TOOL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tw-follow")
# sysexits.h's EX_SOFTWARE, as tw-follow exits on an internal error.
EXIT_SOFTWARE = 70


def main() -> NoReturn:
    """Replaces this process with tw-follow (os.execv): signals, standard streams and the
    exit code are the tool's own."""
    try:
        os.execv(TOOL, [TOOL, *sys.argv[1:]])
    except OSError as e:
        print(f"twfollow: cannot run {TOOL}: {e.strerror or e}; reinstall the package with pip", file=sys.stderr)
        sys.exit(EXIT_SOFTWARE)


if __name__ == "__main__":
    main()
