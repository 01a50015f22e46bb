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


def mypy(tmp_path: pathlib.Path, source: str) -> subprocess.CompletedProcess:
    program = tmp_path / "example.py"
    program.write_text(source)
    # Not from the package's folder: its pyproject.toml's [tool.mypy] files would be checked instead.
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", str(tmp_path / "cache"), str(program)],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip


ASYNC_BLOCKS = [block for block in python_blocks() if "AsyncClient" in block.values[0]]


def test_the_docs_have_async_examples():
    assert len(ASYNC_BLOCKS) >= 2, [block.id for block in ASYNC_BLOCKS]


@pytest.mark.parametrize("source", ASYNC_BLOCKS)
def test_the_async_examples_of_the_docs_type_check(tmp_path, source):
    result = mypy(tmp_path, source)
    assert result.returncode == 0, result.stdout + result.stderr


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


def test_a_wrong_async_call_is_an_error_to_mypy(tmp_path):
    result = mypy(tmp_path, WRONG)
    assert result.returncode == 1, result.stdout
    errors = [line for line in result.stdout.splitlines() if ": error: " in line]
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
        assert any(f"example.py:{line}: error: {message}" in found for found in errors), (
            f"line {line}: {message!r} not in:\n" + "\n".join(errors)
        )
