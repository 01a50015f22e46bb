"""The status table has one source, the Rust enum `TwStatus` (src/ffi), which cbindgen
writes into include/twfollow.h. What is not generated from it is checked against the
header here: the Python `Status` and its exception classes, the exit codes of tw-follow,
the names `tw_status_str` gives (the C++ wrapper's and tw-follow's), and every Markdown
table in README.md and docs/ that lists TW_STATUS_ names.

Needs: TW_FOLLOW_BIN (default build/tw-follow), the twfollow package importable and its
library loadable (TWFOLLOW_LIB).
"""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys
from typing import List, Tuple

import pytest
import twfollow
from twfollow import _native, errors
from twfollow_header import REPO, environment_variables, markdown_table, python_members, statuses

TW_FOLLOW_BIN = os.environ.get("TW_FOLLOW_BIN", str(REPO / "build" / "tw-follow"))
HEADER = {s.name: s for s in statuses()}
HEADER_NUMBERS = {s.number: s.name for s in HEADER.values()}


def test_the_header_is_read():
    # The parser found the enum, with the first and the last-resort statuses.
    assert HEADER["TW_STATUS_OK"].number == 0
    assert HEADER["TW_STATUS_INTERNAL"].number == 99
    assert HEADER["TW_STATUS_OK"].doc.startswith("Success.")
    assert len(HEADER) == len({s.number for s in HEADER.values()}), "a number is used twice"


def test_python_status_matches_the_header():
    # Written out (not made at import time): mypy and editors see its members, and importing
    # twfollow loads no library. `python3 tests/drift/twfollow_header.py --python` prints them.
    python = {f"TW_STATUS_{member.name}": member.value for member in twfollow.Status}
    assert python == {name: s.number for name, s in HEADER.items()}, python_members()


def test_every_failure_status_has_its_exception_class():
    for name, status in HEADER.items():
        if status.number == 0:
            assert status.number not in errors.ERROR_CLASSES
            continue
        cls = errors.ERROR_CLASSES.get(status.number)
        assert cls is not None and issubclass(cls, twfollow.TwError) and cls is not twfollow.TwError, name
        assert type(errors.error_for(status.number, "m")) is cls
        assert cls.__name__ in twfollow.__all__, f"{cls.__name__} is not exported"
    assert set(errors.ERROR_CLASSES) <= {s.number for s in HEADER.values()}


def test_tw_follow_has_an_exit_code_for_every_status_and_lists_them_in_its_help():
    # tw-follow asks the library for statuses 0 to 999 (tw_status_str); `python -m twfollow`
    # runs the same tool (test_shipped_tool.py).
    assert max(HEADER_NUMBERS) < 1000
    listed = subprocess.run([TW_FOLLOW_BIN, "--exit-codes"], capture_output=True, text=True, check=True).stdout
    table = {int(number): (name, int(code)) for number, name, code in map(str.split, listed.splitlines())}
    assert {number: name for number, (name, _) in table.items()} == HEADER_NUMBERS
    help_text = subprocess.run([TW_FOLLOW_BIN, "--help"], capture_output=True, text=True, check=True).stdout
    environment = paragraph(help_text, "Environment")
    for variable in environment_variables():
        assert re.search(rf"\b{variable}\b", environment), f"{variable} is not in --help"
    codes = {int(n) for n in re.findall(r"(?:: |; )(\d+) ", paragraph(help_text, "Exit status:").replace("\n", " "))}
    # 64 (usage), 74 (a failed write of tokens) and 78 (bad configuration) are the tool's own too.
    assert codes == {code for _, code in table.values()} | {64, 74, 78}


def paragraph(text: str, start: str) -> str:
    """The paragraph of a help text that begins with `start`, blank-line delimited."""
    found = re.search(r"^" + re.escape(start) + r".*?(?=\n\n|\Z)", text, re.S | re.M)
    assert found, f"no paragraph {start!r} in:\n{text}"
    return found.group(0).strip()


def test_the_library_names_every_status():
    # twfollow.hpp has no table of its own: twfollow::Error names its TwStatus with
    # tw_status_str, as tw-follow does. Every status of the header comes through by name.
    lib = _native.lib()
    for number, name in HEADER_NUMBERS.items():
        assert lib.tw_status_str(number).decode().startswith(f"{name}: "), name


# Markdown tables in README.md and docs/ (wherever the status table lives).


def markdown_files() -> List[pathlib.Path]:
    docs = REPO / "docs"
    pages = [REPO / "README.md", REPO / "bindings" / "python" / "README.md"]
    return [page for page in pages if page.exists()] + (sorted(docs.rglob("*.md")) if docs.is_dir() else [])


def tables(path: pathlib.Path) -> List[Tuple[int, List[List[str]]]]:
    """Every Markdown table outside code fences: (first line number, rows of cells)."""
    found, rows, start, fenced = [], [], 0, False
    for number, line in enumerate(path.read_text().splitlines() + [""], 1):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        if not fenced and line.lstrip().startswith("|"):
            if not rows:
                start = number
            cells = [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
            rows.append(cells)
            continue
        if len(rows) >= 2 and re.fullmatch(r"[\s|:-]+", "|".join(rows[1])):
            found.append((start, [rows[0]] + rows[2:]))
        rows = []
    return found


def plain(cell: str) -> str:
    return cell.strip().strip("`").strip()


def status_tables() -> List[Tuple[str, List[List[str]]]]:
    """Tables with a cell that is exactly a TW_STATUS_ name."""
    found = []
    for path in markdown_files():
        for line, rows in tables(path):
            if any(re.fullmatch(r"TW_STATUS_\w+", plain(cell)) for row in rows[1:] for cell in row):
                found.append((f"{path.relative_to(REPO)}:{line}", rows))
    return found


def table_problems(rows: List[List[str]]) -> List[str]:
    """What differs between a table of statuses (heading row first) and the header."""
    heading = [plain(cell).lower() for cell in rows[0]]
    number_column = next((i for i, h in enumerate(heading) if h in ("n", "number", "value", "#")), None)
    meaning_column = next((i for i, h in enumerate(heading) if h in ("meaning", "description")), None)
    if number_column is None:
        return ["a table of statuses needs a number column (n)"]
    problems, listed = [], {}
    for row in rows[1:]:
        names = [plain(cell) for cell in row if re.fullmatch(r"TW_STATUS_\w+", plain(cell))]
        if len(names) != 1:
            problems.append(f"a row must name one status: {row}")
            continue
        listed[names[0]] = row
    problems += [f"{name} is missing" for name in HEADER if name not in listed]
    problems += [f"{name} is not in the header" for name in listed if name not in HEADER]
    for name, row in listed.items():
        if name not in HEADER:
            continue
        if plain(row[number_column]) != str(HEADER[name].number):
            problems.append(f"{name} is {HEADER[name].number}, not {row[number_column]}")
        if meaning_column is not None:
            meaning = " ".join(row[meaning_column].replace("&#124;", "|").split())
            if meaning != HEADER[name].doc:
                problems.append(f"{name} means {HEADER[name].doc!r}, not {meaning!r}")
    return problems


def test_the_table_checker(tmp_path, monkeypatch):
    # The finder and the checker themselves: the table printed from the header passes;
    # a wrong number, a missing row, another meaning or no number column fails; a table
    # in a code fence is no table.
    page = tmp_path / "README.md"
    generated = markdown_table()
    page.write_text(f"text\n\n{generated}\n\n```text\n| TW_STATUS_OK | 1 |\n```\n")
    monkeypatch.setattr(sys.modules[__name__], "REPO", tmp_path)
    [(where, rows)] = status_tables()
    assert where == "README.md:3"
    assert table_problems(rows) == []
    assert table_problems([rows[0], *rows[2:]]) == ["TW_STATUS_OK is missing"]
    wrong_number = [row[:] for row in rows]
    wrong_number[1][1] = "7"
    assert table_problems(wrong_number) == ["TW_STATUS_OK is 0, not 7"]
    other_meaning = [row[:] for row in rows]
    other_meaning[1][2] = "success"
    assert table_problems(other_meaning) == ["TW_STATUS_OK means 'Success. Out-parameters were written.', not 'success'"]
    assert table_problems([["status", "meaning"], *[[row[0], row[2]] for row in rows[1:]]]) == [
        "a table of statuses needs a number column (n)"
    ]


@pytest.mark.parametrize(
    "where,rows",
    [pytest.param(where, rows, id=where) for where, rows in status_tables()]
    or [pytest.param("", [], marks=pytest.mark.skip("no status table in the docs"))],
)
def test_every_status_table_in_the_docs_matches_the_header(where, rows):
    problems = table_problems(rows)
    assert not problems, (
        f"{where}: the status table differs from include/twfollow.h:\n  " + "\n  ".join(problems)
        + "\n`python3 tests/drift/twfollow_header.py` prints the table to paste:\n" + markdown_table()
    )
