"""Tests of the snippet runner (run_snippets.py) and of the documents it reads.

Run by `scripts/test.sh snippets` after it has built what the runner needs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import run_snippets
from run_snippets import REPO, DocumentError, extract

RUNNER = Path(run_snippets.__file__)

# Pages other branches are writing; links to them are allowed to dangle until they
# are merged. Empty this set once docs/install.md and docs/tokens.md exist.
AWAITING_MERGE: set = set()


def extract_text(text: str):
    return extract(Path("doc.md"), textwrap.dedent(text))


def run_runner(tmp_path: Path, markdown: str) -> subprocess.CompletedProcess:
    document = tmp_path / "doc.md"
    document.write_text(textwrap.dedent(markdown))
    return subprocess.run(
        [sys.executable, str(RUNNER), str(document)], capture_output=True, text=True, timeout=600
    )


def test_the_readme_has_a_runnable_snippet_in_each_language():
    snippets = extract(REPO / "README.md")
    runnable = {s.language for s in snippets if not s.skip_reason}
    assert {"c", "cpp", "python", "sh"} <= runnable


def test_every_document_parses_and_uses_known_languages():
    for document in run_snippets.default_documents():
        for snippet in extract(document):
            assert snippet.language in run_snippets.LANGUAGES, f"{snippet.where}: {snippet.language}"


def test_fences_languages_and_indented_blocks_are_read():
    snippets = extract_text(
        """\
        Text.

        ```sh
        echo one
        ```

        - a list item:

          ```python
          print("two")
          ```

        ~~~text
        ``` not a fence end
        ~~~
        """
    )
    assert [(s.language, s.code) for s in snippets] == [
        ("sh", "echo one\n"),
        ("python", 'print("two")\n'),
        ("text", "``` not a fence end\n"),
    ]
    assert [s.line for s in snippets] == [3, 9, 13]


def test_markers_apply_to_the_next_block_only():
    snippets = extract_text(
        """\
        <!-- snippet: skip (needs a real account) -->

        ```sh
        tw-follow @someone
        ```

        <!-- snippet: wrap-main -->
        ```c
        puts("hi");
        ```

        ```c
        int main(void) { return 0; }
        ```
        """
    )
    assert [(s.skip_reason, s.wrap_main) for s in snippets] == [
        ("needs a real account", False),
        (None, True),
        (None, False),
    ]


@pytest.mark.parametrize(
    "markdown, complaint",
    [
        ("```\necho hi\n```\n", "without a language"),
        ("```sh\necho hi\n", "never closed"),
        ("<!-- snippet: skip -->\n```sh\nx\n```\n", "unknown snippet marker"),
        ("<!-- snippet: skip () -->\n```sh\nx\n```\n", "unknown snippet marker"),
        ("<!-- snippet: skipp (typo) -->\n```sh\nx\n```\n", "unknown snippet marker"),
        ("<!-- snippet: wrap-main -->\nsome prose\n```c\nx\n```\n", "no code block after it"),
        ("<!-- snippet: wrap-main -->\n```python\nx\n```\n", "c and cpp blocks only"),
        ("text\n<!-- snippet: skip (trailing) -->\n", "no code block after it"),
    ],
)
def test_malformed_documents_are_refused(markdown, complaint):
    with pytest.raises(DocumentError, match=complaint):
        extract(Path("doc.md"), markdown)


def test_wrap_main_compiles_a_fragment_with_its_markdown_line():
    (snippet,) = extract_text(
        """\
        <!-- snippet: wrap-main -->
        ```c
        puts(tw_version());
        ```
        """
    )
    source = run_snippets.source_of(snippet)
    assert '#include "twfollow.h"' in source and "int main(void) {" in source
    assert '#line 3 "doc.md"' in source
    assert source.endswith("    return 0;\n}\n")


def test_a_broken_snippet_of_each_kind_fails_the_run(tmp_path):
    result = run_runner(
        tmp_path,
        """\
        ```sh
        tw-follow --quiet @twitterdev
        ```

        ```sh
        exit 3
        ```

        ```c
        int main(void) { return undefined_name; }
        ```

        ```cpp
        int main() { int unused_variable; return 0; }
        ```

        ```python
        raise SystemExit("broken")
        ```

        ```json
        {"id": }
        ```

        ```bash
        echo an unknown language is not silently skipped
        ```

        <!-- snippet: skip (shows that a skipped block does not count) -->
        ```sh
        exit 1
        ```
        """,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == "1 passed, 6 failed", result.stdout
    assert "does not compile" in result.stdout
    assert "exit status 3" in result.stdout
    assert "skipped by marker" in result.stdout and "does not count" in result.stdout


def test_snippets_run_against_the_sandbox_and_cannot_reach_the_real_api(tmp_path):
    result = run_runner(
        tmp_path,
        """\
        ```python
        import os, twfollow
        assert os.environ["TW_API_BASE"].startswith("http://127.0.0.1:")
        with twfollow.Client.from_env() as client:
            assert client.follow(2244994945)["screen_name"] == "twitterdev"
        ```

        ```python
        import twfollow
        with twfollow.Client("key", "secret", "1-token", "token-secret", timeout=20) as client:
            client.follow("@twitterdev")  # https://api.twitter.com, through the dead proxy
        ```
        """,
    )
    assert result.stdout.splitlines()[-1] == "1 passed, 1 failed", result.stdout
    assert "NetworkError" in result.stdout


def test_what_a_snippet_leaves_running_is_stopped(tmp_path):
    pid_file = tmp_path / "pid"
    result = run_runner(
        tmp_path,
        f"""\
        ```sh
        sleep 300 &
        echo $! > {pid_file}
        ```
        """,
    )
    assert result.returncode == 0, result.stdout
    assert not running(int(pid_file.read_text()))


def running(pid: int) -> bool:
    """Whether a process is alive: neither gone nor a zombie nobody has reaped yet."""
    for _ in range(50):
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return False
        if state in ("Z", "X"):
            return False
        time.sleep(0.1)
    return True


LINK = re.compile(r"\[[^\]]*\]\((?P<target>[^)\s]+)\)")


def headings_slugs(path: Path) -> set:
    """GitHub's anchors for a Markdown file's headings."""
    slugs = set()
    in_fence = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if re.match(r"^\s*(```|~~~)", line):
            in_fence = not in_fence
        elif not in_fence and line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            slugs.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
    return slugs


def prose_lines(path: Path):
    in_fence = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if re.match(r"^\s*(```|~~~)", line):
            in_fence = not in_fence
        elif not in_fence:
            yield line


def test_relative_links_lead_somewhere():
    broken = []
    for document in run_snippets.default_documents():
        for line in prose_lines(document):
            for match in LINK.finditer(line):
                target = match.group("target")
                if re.match(r"^[a-z]+:", target):
                    continue  # https:, mailto:
                file_part, _, anchor = target.partition("#")
                path = (document.parent / file_part).resolve() if file_part else document
                relative = path.relative_to(REPO).as_posix() if path.is_relative_to(REPO) else str(path)
                if not path.exists():
                    if relative not in AWAITING_MERGE:
                        broken.append(f"{document.name}: {target} (no such file)")
                elif anchor and path.suffix == ".md" and anchor not in headings_slugs(path):
                    broken.append(f"{document.name}: {target} (no such heading)")
    assert broken == []


def test_snippets_run_in_order_against_one_sandbox(tmp_path):
    # The second snippet sees what the first did: one sandbox for the whole run, as a
    # reader who tries the examples one after another has.
    result = run_runner(
        tmp_path,
        """\
        ```sh
        tw-follow --quiet locked_lucy
        ```

        ```sh
        status=0
        tw-follow locked_lucy 2>/dev/null || status=$?
        test "$status" -eq 1   # TW_STATUS_ALREADY_REQUESTED: the first snippet asked
        ```
        """,
    )
    assert result.returncode == 0, result.stdout
    assert result.stdout.splitlines()[-1] == "2 passed, 0 failed"
