#!/usr/bin/env python3
"""Writes the section-3 man pages from include/twfollow.h's doc comments (read by the drift
tests' parser): one page per function and the twfollow(3) overview of every function and status.
Nothing here names a function: a function added to the header gets its page.

  scripts/man3.py OUTDIR [VERSION [HEADER]]     (default: the crate's version, include/twfollow.h)
"""

# No `from __future__ import annotations` (Python 3.7): scripts/install.sh runs this on the
# oldest Python of the systems the tarball targets, RHEL 7's 3.6 (tests/drift/test_man3.py).
import pathlib
import re
import sys
from typing import List

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "drift"))

import twfollow_header  # noqa: E402
from twfollow_header import HeaderFunction, functions, statuses  # noqa: E402

# Characters the man pages' ASCII and UTF-8 renderings both know, by groff name.
_GLYPHS = {"\u2026": "...", "\u2014": r"\(em", "\u2013": r"\(en", "\u2019": "'", "\u201c": r"\(lq", "\u201d": r"\(rq"}


def _escape(text: str) -> str:
    """Plain text as roff: backslashes escaped, non-ASCII as groff glyphs."""
    text = text.replace("\\", r"\e")
    return "".join(_GLYPHS.get(c, c if ord(c) < 128 else f"\\[u{ord(c):04X}]") for c in text)


def _inline(text: str) -> str:
    """A line of a doc comment as roff: `code` in bold (its hyphens as minus signs, so an
    option or a path copies as typed), the rest escaped."""
    parts = re.split(r"`([^`]*)`", text)
    return "".join(_code(part) if i % 2 else _escape(part) for i, part in enumerate(parts))


def _code(text: str) -> str:
    # \: after a slash or a comma: a long path or JSON may break there, with no hyphen.
    return r"\fB" + _escape(text).replace("-", r"\-").replace("/", r"/\:").replace(",", r",\:") + r"\fP"


def _line(text: str) -> str:
    """One output line: a leading . or ' would be read as a request."""
    return "\\&" + text if text[:1] in (".", "'") else text


def _first_sentence(doc: List[str]) -> str:
    """The doc comment's first sentence, for NAME and the overview's list."""
    paragraph = " ".join(line.strip() for line in doc if line.strip() and not line.startswith("#"))
    match = re.match(r"(.+?\.)(\s|$)", paragraph)
    return (match.group(1) if match else paragraph).rstrip(".")


def _without_asides(sentence: str) -> str:
    """The sentence without its parenthesised asides (and theirs), for the one-line NAME."""
    return re.sub(r"\s*\((?:[^()]|\([^()]*\))*\)", "", sentence)


def _body(doc: List[str]) -> List[str]:
    """The doc comment as roff paragraphs: `# Heading` lines become sections, `- ` lines
    list items, ``` fences unfilled examples; everything else is filled text."""
    out = [".SH DESCRIPTION"]
    paragraph: List[str] = []
    in_example = False

    def flush() -> None:
        if paragraph:
            out.append(".PP")
            # Inline as a whole: a `code` span may run over a line end.
            out.extend(_line(line) for line in _inline("\n".join(paragraph)).split("\n"))
            paragraph.clear()

    for raw in doc:
        line = raw.strip()
        if line.startswith("```"):
            flush()
            out.extend([".fi", ".RE"] if in_example else [".PP", ".RS", ".nf"])
            in_example = not in_example
        elif in_example:
            out.append(_line(_escape(raw)))
        elif not line:
            flush()
        elif line.startswith("# "):
            flush()
            out.append(".SH " + _escape(line[2:].upper()))
        elif line.startswith("- "):
            flush()
            out += [r".IP \(bu 2", _line(_inline(line[2:]))]
        else:
            paragraph.append(line)
    flush()
    if in_example:  # an unclosed fence: close it here
        out.extend([".fi", ".RE"])
    # A section heading right after DESCRIPTION (no text before it) would leave it empty.
    if len(out) > 1 and out[1].startswith(".SH"):
        del out[0]
    return out


def _title(name: str, version: str) -> List[str]:
    # No hyphenation, ragged right: names, URLs and statuses must not break or stretch.
    return [f'.TH {name.upper()} 3 "" "twfollow {version}" "twfollow manual"', ".nh", ".ad l"]


_SYNOPSIS = [".SH SYNOPSIS", ".nf", ".B #include <twfollow.h>", ".fi", ".PP"]
_LINK_LINE = [".PP", r"Link with \fB\-ltwfollow\fP, e.g. \fBcc app.c $(pkg\-config \-\-cflags \-\-libs twfollow)\fP."]


def function_page(function: HeaderFunction, all_names: List[str], version: str) -> str:
    """The man page of one function: its prototype, its doc comment, and the functions it names."""
    prototype = [_line(_escape(line)).replace(function.name + "(", rf"\fB{function.name}\fP(", 1)
                 for line in function.prototype.splitlines()]
    named = [n for n in dict.fromkeys(re.findall(r"\btw_\w+", "\n".join(function.doc))) if n in all_names]
    see_also = ["twfollow", *(n for n in named if n != function.name)]
    lines = [
        f".\\\" Generated by scripts/man3.py from twfollow.h's doc comment of {function.name}; do not edit.",
        *_title(function.name, version),
        ".SH NAME",
        f"{function.name} \\- {_inline(_without_asides(_first_sentence(function.doc)))}",
        *_SYNOPSIS,
        ".nf",
        *prototype[:-1],
        prototype[-1] + ";",
        ".fi",
        *_LINK_LINE,
        *_body(function.doc),
        ".SH SEE ALSO",
        *(f".BR {name} (3){',' if i < len(see_also) - 1 else ''}" for i, name in enumerate(see_also)),
    ]
    return "\n".join(lines) + "\n"


def _conventions(header: str) -> List[str]:
    """The header's opening comment, after its title line: the conventions of every call."""
    match = re.match(r"\s*/\*(.*?)\*/", header, re.S)
    lines = [re.sub(r"^\s*\*\s?", "", line).strip() for line in (match.group(1) if match else "").splitlines()]
    return [line for line in lines if line and not line.startswith(("twfollow:", "GENERATED"))]


def overview_page(header: str, funcs: List[HeaderFunction], version: str) -> str:
    """twfollow(3): the conventions, every function with its first sentence, every status."""
    lines = [
        ".\\\" Generated by scripts/man3.py from twfollow.h; do not edit.",
        *_title("twfollow", version),
        ".SH NAME",
        r"twfollow \- follow a user on Twitter/X from C and C++",
        *_SYNOPSIS,
        *_LINK_LINE,
        ".SH DESCRIPTION",
        ".PP",
        *(_line(_inline(line)) for line in _conventions(header)),
        ".PP",
        r"The C++ wrapper is \fBtwfollow.hpp\fP; the command\-line tool is \fBtw\-follow\fP(1).",
        ".SH FUNCTIONS",
    ]
    for function in funcs:
        lines += [".TP", rf".BR {function.name} (3)", _line(_inline(_first_sentence(function.doc))) + "."]
    lines += [".SH STATUSES", ".PP", r"Every fallible function returns one of these \fBTwStatus\fP numbers."]
    for status in statuses(header):
        lines += [".TP", rf"\fB{status.name}\fP ({status.number})", _line(_inline(status.doc))]
    lines += [".SH SEE ALSO", r".BR tw\-follow (1)"]
    return "\n".join(lines) + "\n"


def main(argv: List[str]) -> int:
    if not 1 <= len(argv) <= 3:
        print(__doc__, file=sys.stderr)
        return 64
    out = pathlib.Path(argv[0])
    cargo = re.search(r'^version = "(.*)"', (REPO / "Cargo.toml").read_text(), re.M)
    version = argv[1] if len(argv) > 1 else cargo.group(1) if cargo else "unknown"
    header = pathlib.Path(argv[2] if len(argv) > 2 else twfollow_header.HEADER).read_text()
    out.mkdir(parents=True, exist_ok=True)
    funcs = functions(header)
    names = [f.name for f in funcs]
    for function in funcs:
        (out / f"{function.name}.3").write_text(function_page(function, names, version))
    (out / "twfollow.3").write_text(overview_page(header, funcs, version))
    print(f"man3: {len(funcs) + 1} pages in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
