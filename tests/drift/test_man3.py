"""The section-3 man pages (scripts/man3.py) against the header: every function the header
declares has its page, named by it, rendering without a warning; the twfollow(3) overview lists
every function and every status. The declarations are found here with a plain regex of their
own, not with the parser the generator uses, so a function the parser missed fails."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest
from twfollow_header import HEADER, REPO, statuses

GENERATOR = REPO / "scripts" / "man3.py"


def declared_functions():
    text = re.sub(r"/\*.*?\*/", "", HEADER.read_text(), flags=re.S)
    return sorted(set(re.findall(r"^[A-Za-z][\w ]*?\**\s*\b(tw_\w+)\(", text, re.M)))


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    out = tmp_path_factory.mktemp("man") / "man3"
    subprocess.run([sys.executable, str(GENERATOR), str(out)], check=True, capture_output=True)
    return out


def test_every_function_in_the_header_has_its_page(pages):
    functions = declared_functions()
    assert len(functions) > 30, functions
    written = sorted(p.stem for p in pages.glob("*.3"))
    assert written == sorted([*functions, "twfollow"])
    for name in functions:
        page = (pages / f"{name}.3").read_text()
        assert f".TH {name.upper()} 3 " in page
        assert re.search(rf"^{name} \\- \S", page, re.M), f"{name}.3 has no NAME line"
        assert rf"\fB{name}\fP(" in page, f"{name}.3 has no prototype"


def test_the_overview_lists_every_function_and_status(pages):
    overview = (pages / "twfollow.3").read_text()
    for name in declared_functions():
        assert f".BR {name} (3)" in overview, name
    for status in statuses():
        assert rf"\fB{status.name}\fP ({status.number})" in overview, status.name


@pytest.mark.skipif(shutil.which("man") is None or shutil.which("groff") is None, reason="needs man-db and groff")
def test_the_pages_render_without_warnings(pages):
    """All pages in one man and one groff run (a run a page cost seconds); a page that warns
    is then found and named by rendering the pages one by one."""
    paths = [str(page) for page in sorted(pages.glob("*.3"))]

    def man(*paths):
        return subprocess.run(["man", "--warnings", "-l", *paths], capture_output=True, text=True,
                              env={"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8", "MANWIDTH": "80"})  # fmt: skip

    rendered = man(*paths)
    if rendered.returncode != 0 or rendered.stderr != "":
        for path in paths:
            alone = man(path)
            assert alone.returncode == 0 and alone.stderr == "", f"{path}: {alone.stderr}"
        pytest.fail(f"the pages warn together only: {rendered.stderr}")
    for heading in ("DESCRIPTION", "SEE ALSO"):
        assert re.findall(rf"^{heading}$", rendered.stdout, re.M) == [heading] * len(paths), heading
    strict = subprocess.run(["groff", "-man", "-ww", "-z", *paths], capture_output=True, text=True)
    assert strict.stderr == "", strict.stderr  # each warning names its file


def test_a_new_function_gets_a_page_without_a_list_to_edit(tmp_path):
    """The generator names no function: one more declaration in the header, one more page."""
    header = HEADER.read_text().replace(
        "#ifdef __cplusplus\n}",
        "/**\n * Counts things. Returns `TW_STATUS_OK`.\n *\n * ```c\n * int32_t n;\n * .starts_with_a_dot(&n);\n"
        " * ```\n *\n * - one item\n * - `another`\n */\nenum TwStatus tw_count_things(int32_t *out_count);\n\n"
        "#ifdef __cplusplus\n}",
    )
    assert "tw_count_things" in header
    fake = tmp_path / "include" / "twfollow.h"
    fake.parent.mkdir()
    fake.write_text(header)
    run = subprocess.run([sys.executable, str(GENERATOR), str(tmp_path / "man3"), "0.0.0", str(fake)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    page = (tmp_path / "man3" / "tw_count_things.3").read_text()
    assert "tw_count_things \\- Counts things" in page
    assert ".nf\nint32_t n;\n\\&.starts_with_a_dot(&n);\n.fi" in page, page
    assert ".IP \\(bu 2\none item" in page
    if shutil.which("groff"):
        strict = subprocess.run(["groff", "-man", "-ww", "-z", str(tmp_path / "man3" / "tw_count_things.3")],
                                capture_output=True, text=True)
        assert strict.stderr == "", strict.stderr
    assert ".BR tw_count_things (3)" in (tmp_path / "man3" / "twfollow.3").read_text()


def test_the_generator_is_one_source_with_the_header():
    """The generator's code names no function of the header (its docstring's example aside)."""
    code = GENERATOR.read_text().split('"""', 2)[2]
    named = [name for name in declared_functions() if re.search(rf"\b{name}\b", code)]
    assert named == [], f"named by hand in scripts/man3.py: {named}"


# scripts/install.sh runs the generator with the system's python3: on RHEL 7 (glibc 2.17, the
# tarball's oldest target) that is Python 3.6 (issue 30, item 7).
INSTALL_PYTHON_FILES = [GENERATOR, REPO / "tests" / "drift" / "twfollow_header.py"]


def test_the_generator_is_python_3_6():
    import ast

    for path in INSTALL_PYTHON_FILES:
        source = path.read_text()
        assert not re.search(r"^from __future__ import annotations", source, re.M), f"{path.name}: Python 3.7+"
        ast.parse(source, filename=str(path), feature_version=(3, 6))


@pytest.mark.skipif(shutil.which("python3.6") is None, reason="no python3.6 on this machine")
def test_the_generator_runs_on_python_3_6(tmp_path, pages):
    old = subprocess.run(
        ["python3.6", str(GENERATOR), str(tmp_path / "man3")], capture_output=True, text=True,
        env=dict(os.environ, PYENV_VERSION="3.6"),  # a pyenv shim: its 3.6; a real python3.6: ignored
    )  # fmt: skip
    if old.returncode != 0 and "pyenv" in old.stderr:
        pytest.skip("python3.6 is a pyenv shim without that version")
    assert old.returncode == 0, old.stderr
    for page in pages.iterdir():
        assert (tmp_path / "man3" / page.name).read_text() == page.read_text(), page.name
