"""The package is typed for mypy --strict, AsyncClient included (issue 30, item 1): the
docs' asyncio examples type-check as written under --strict, and a misspelt call, keyword or
option is an error mypy reports. Needs mypy (tests/requirements.txt) and the package
installed (its py.typed)."""

from __future__ import annotations

import ast
import inspect
import os
import pathlib
import re
import subprocess
import sys
import typing
from typing import List

import pytest
import twfollow

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


def public_functions():
    """Every public function and method of the package's public names (constructors included)."""
    for name in twfollow.__all__:
        value = getattr(twfollow, name)
        if inspect.isfunction(value):
            yield name, value
        elif inspect.isclass(value) and value.__module__.startswith("twfollow"):
            for member, function in vars(value).items():
                function = getattr(function, "__func__", function)  # a classmethod's function
                if inspect.isfunction(function) and (member in ("__init__", "__enter__", "__aenter__") or not member.startswith("_")):
                    yield f"{name}.{member}", function


def test_get_type_hints_reads_every_public_signature():
    # `Self` and `Unpack` are there at run time too, not only under TYPE_CHECKING.
    functions = dict(public_functions())
    assert {"Client.__init__", "Client.__enter__", "AsyncClient.__aenter__", "Client.oauth2", "Store.import_from"} <= set(
        functions
    )
    for name, function in functions.items():
        assert typing.get_type_hints(function) is not None, name
    assert unpacked(twfollow.Client.__init__) == ("Unpack", twfollow._options.Options)


def unpacked(function):
    """What get_type_hints reads in `**options: Unpack[...]`: ("Unpack", the TypedDict)."""
    hint = typing.get_type_hints(function)["options"]
    return typing.get_origin(hint).__name__, *typing.get_args(hint)


def test_get_type_hints_reads_them_where_typing_lacks_self_and_unpack():
    # Python before 3.11, whose typing has neither (the package needs no typing_extensions).
    script = """
import sys, types, typing

class Older(types.ModuleType):
    def __getattr__(self, name):
        if name in ("Self", "Unpack"):
            raise AttributeError(name)
        return getattr(typing, name)

sys.modules["typing"] = Older("typing")
import test_typing
sys.modules["typing"] = typing
assert test_typing.twfollow._options.Unpack is not typing.Unpack  # the package's stand-in
for name, function in test_typing.public_functions():
    typing.get_type_hints(function)
origin, options = test_typing.unpacked(test_typing.twfollow.Client.__init__)
print(origin, options.__name__)
"""
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(pathlib.Path(__file__).parent), *sys.path])}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=environment)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["Unpack", "Options"]


def test_all_is_a_literal_list_of_every_public_name():
    # Written out, so that pyright and readers see it; complete, as the names imported are.
    tree = ast.parse(pathlib.Path(twfollow.__file__).read_text())
    (literal,) = [
        node.value for node in tree.body if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == "__all__"
    ]
    assert isinstance(literal, ast.List) and all(isinstance(item, ast.Constant) for item in literal.elts)
    written = [item.value for item in literal.elts]
    public = {
        name for name, value in vars(twfollow).items() if not name.startswith("_") and not inspect.ismodule(value)
    }
    assert written == twfollow.__all__ and set(written) == public and len(written) == len(public)
    assert {"Client", "AsyncClient", "TwError", "Status", "Store", "version"} <= public
