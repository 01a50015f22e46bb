"""The package is typed for mypy --strict, AsyncClient included (issue 30, item 1): the
docs' asyncio examples type-check as written under --strict, and a misspelt call, keyword or
option is an error mypy reports. Needs mypy (tests/requirements.txt) and the package
installed (its py.typed)."""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys
from typing import List

import pytest

REPO = pathlib.Path(__file__).resolve().parents[3]
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
FENCE = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def python_blocks() -> List[pytest.param]:
    blocks = []
    for page in DOCS:
        text = page.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            blocks.append(pytest.param(match.group(1), id=f"{page.relative_to(REPO)}:{line}"))
    return blocks


ASYNC_BLOCKS = [block for block in python_blocks() if "AsyncClient" in block.values[0]]


def test_the_docs_have_async_examples():
    assert len(ASYNC_BLOCKS) >= 2, [block.id for block in ASYNC_BLOCKS]


@pytest.mark.parametrize("index", range(len(ASYNC_BLOCKS)), ids=[block.id for block in ASYNC_BLOCKS])
def test_the_async_examples_of_the_docs_type_check(checked, index):
    errors = [line for line in checked.stdout.splitlines() if line.startswith(f"example_{index}.py:")]
    assert errors == [], "\n".join(errors)


WRONG = '''
import asyncio

import twfollow


async def main() -> None:
    async with twfollow.AsyncClient("k", "s", "t", "ts", bogus_option=1) as client:
        await client.folow("@twitterdev")
        await client.follow("@twitterdev", notfy=True)
        user: int = await client.follow("@twitterdev")
        await client.me(1)
    twfollow.AsyncClient.from_env(timeuot=1.0)
    twfollow.AsyncClient.from_store(acount="me")


asyncio.run(main())
'''


@pytest.fixture(scope="module")
def checked(tmp_path_factory) -> subprocess.CompletedProcess:
    """One mypy --strict run over the docs' async examples (example_N.py) and WRONG (wrong.py):
    a run costs seconds, most of them reading the package and the standard library's stubs."""
    folder = tmp_path_factory.mktemp("typing")
    programs = [folder / f"example_{index}.py" for index in range(len(ASYNC_BLOCKS))]
    for program, block in zip(programs, ASYNC_BLOCKS):
        program.write_text(block.values[0])
    (folder / "wrong.py").write_text(WRONG)
    # Not from the package's folder: its pyproject.toml's [tool.mypy] files would be checked instead.
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", str(folder / "cache"),
         *(program.name for program in programs), "wrong.py"],
        capture_output=True, text=True, cwd=folder,
    )  # fmt: skip
    assert result.returncode in (0, 1) and result.stderr == "", result.stdout + result.stderr
    return result


def test_a_wrong_async_call_is_an_error_to_mypy(checked):
    assert checked.returncode == 1, checked.stdout
    errors = [line for line in checked.stdout.splitlines() if ": error: " in line]
    # Each wrong line of WRONG (by its line number), with what mypy says about it.
    expected = {
        8: 'Unexpected keyword argument "bogus_option" for "AsyncClient"',
        9: '"AsyncClient" has no attribute "folow"',
        10: 'Unexpected keyword argument "notfy"',
        11: 'Incompatible types in assignment (expression has type "dict[str, Any]", variable has type "int")',
        12: "Too many arguments",
        13: 'Unexpected keyword argument "timeuot" for "from_env" of "AsyncClient"',
        14: 'Unexpected keyword argument "acount" for "from_store" of "AsyncClient"',
    }
    for line, message in expected.items():
        assert any(f"wrong.py:{line}: error: {message}" in found for found in errors), (
            f"line {line}: {message!r} not in:\n" + "\n".join(errors)
        )
