"""Reads include/twfollow.h, the one source of truth for the status table (generated
from the Rust enum `TwStatus` in src/ffi) and for the functions' manual, for the drift
tests beside it and for scripts/man3.py (the section-3 man pages).

Run it to print the status table as Markdown, ready to paste into the docs (with
`--python`: the members of the Python package's `Status`):

    python3 tests/drift/twfollow_header.py
"""

# No `from __future__ import annotations` (Python 3.7): scripts/install.sh runs this on the
# oldest Python of the systems the tarball targets, RHEL 7's 3.6 (tests/drift/test_man3.py).
import pathlib
import re
import sys
from typing import List, NamedTuple, Optional

REPO = pathlib.Path(__file__).resolve().parents[2]
HEADER = REPO / "include" / "twfollow.h"


class HeaderFunction(NamedTuple):
    name: str  # tw_...
    prototype: str  # as the header writes it, without the `;`
    doc: List[str]  # the doc comment's lines, without the leading ` * `


class HeaderStatus(NamedTuple):
    name: str  # TW_STATUS_...
    number: int
    doc: str  # the doc comment, one line


def _doc_text(comment: str) -> str:
    """The text of a `/** ... */` block as one line."""
    lines = [re.sub(r"^\s*\*\s?", "", line) for line in comment.strip().splitlines()]
    return " ".join(line.strip() for line in lines if line.strip())


def statuses(header: str = None) -> List[HeaderStatus]:
    """Every `TW_STATUS_*` of the `TwStatus` enum, in header order, with its doc comment.
    Raises ValueError if the enum is missing or a member has no number or no doc comment."""
    text = HEADER.read_text() if header is None else header
    body = re.search(r"typedef enum TwStatus \{(.*?)\} TwStatus;", text, re.S)
    if body is None:
        raise ValueError("no `typedef enum TwStatus { ... } TwStatus;` in the header")
    found = [
        HeaderStatus(name, int(number), _doc_text(doc))
        for doc, name, number in re.findall(r"/\*\*(.*?)\*/\s*(TW_STATUS_\w+)\s*=\s*(-?\d+)\s*,", body.group(1), re.S)
    ]
    members = re.findall(r"\b(TW_STATUS_\w+)\b", body.group(1))
    if [s.name for s in found] != members:
        raise ValueError(f"every TwStatus member needs a doc comment and a number: {members} vs {found}")
    return found


def _doc_lines(comment: str) -> List[str]:
    """The lines of a `/** ... */` block, without their ` * ` and the blank lines around."""
    lines = [re.sub(r"^\s*\*( |$)", "", line).rstrip() for line in comment.splitlines()]
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def functions(header: Optional[str] = None) -> List[HeaderFunction]:
    """Every exported function (inside `extern "C"`), in header order, with its doc comment.
    Raises ValueError if there is none, or if one has no doc comment."""
    text = HEADER.read_text() if header is None else header
    start = text.find('extern "C" {')
    if start < 0:
        raise ValueError('no `extern "C" {` in the header')
    body = text[start:]
    found = [
        HeaderFunction(name, prototype.strip(), _doc_lines(doc))
        for doc, prototype, name in re.findall(
            r"/\*\*((?:(?!\*/).)*?)\*/\s*([^;{}/#]*?\b(tw_\w+)\s*\([^;{}]*\))\s*;", body, re.S
        )
    ]
    declared = re.findall(r"\b(tw_\w+)\s*\(", re.sub(r"/\*.*?\*/", "", body, flags=re.S))
    if not found or [f.name for f in found] != declared:
        raise ValueError(f"every function needs a doc comment: {declared} vs {[f.name for f in found]}")
    return found


def function_doc(function: str, header: str = None) -> str:
    """The doc comment of an exported function, as one line."""
    text = HEADER.read_text() if header is None else header
    match = re.search(r"/\*\*((?:(?!\*/).)*?)\*/\s*[\w ]+?\**\s*\b" + re.escape(function) + r"\(", text, re.S)
    if match is None:
        raise ValueError(f"no documented function {function} in the header")
    return _doc_text(match.group(1))


def environment_variables() -> List[str]:
    """The TW_* variables `tw_config_from_env` reads, as its doc comment names them."""
    names = re.findall(r"`(TW_[A-Z_]+)`", function_doc("tw_config_from_env"))
    return list(dict.fromkeys(name for name in names if not name.startswith("TW_STATUS_")))


def markdown_table() -> str:
    """The status table for the docs, straight from the header."""
    rows = ["| status | n | meaning |", "|---|---|---|"]
    rows += [f"| `{s.name}` | {s.number} | {s.doc.replace('|', '&#124;')} |" for s in statuses()]
    return "\n".join(rows)


def python_members() -> str:
    """The members of the Python package's `Status` (bindings/python/twfollow/errors.py)."""
    return "\n".join(f"    {s.name[len('TW_STATUS_'):]} = {s.number}" for s in statuses())


if __name__ == "__main__":
    print(python_members() if sys.argv[1:] == ["--python"] else markdown_table())
