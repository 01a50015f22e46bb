"""Compiles or runs every fenced code block of README.md and docs/*.md.

    .venv/bin/python tests/snippets/run_snippets.py [--list] [-v] [FILE.md ...]

Run by `scripts/test.sh snippets`, which first builds what the snippets need:
target/debug/libtwfollow.so, target/debug/sandbox, build/tw-follow, and the
Python package installed in .venv. By the fence's language:

  c       compiled as C99 with -Wall -Wextra -Wpedantic -Werror -Iinclude against
          target/debug/libtwfollow.so, then run
  cpp     compiled as C++11 with the same warnings, -Iinclude -Ibindings/c, then run
  python  run with the .venv interpreter (the twfollow package installed there)
  sh      run with `bash -eu`
  json    parsed (it must be valid JSON)
  cmake   counted only: the install tests build the CMake examples
  text    not run: output, synopses, layouts

Any other language, or a fence without one, fails: say what it is.

Every snippet runs from the repository root, in the order of the documents (README.md,
then docs/*.md by name) and of the snippets in each, against one sandbox started once
for the whole run, as a reader who tries them one after another would: a snippet must
work whatever the snippets before it followed, unfollowed or requested (use targets whose
state the examples do not change, or say in the example what it changes and accept
both outcomes). Each snippet has the sandbox's account 1 in
TW_CONSUMER_KEY, TW_CONSUMER_SECRET, TW_ACCESS_TOKEN, TW_ACCESS_TOKEN_SECRET, its
URL in TW_API_BASE, a token store of its own in TWFOLLOW_STORE (a folder not yet
made: never the user's ~/.config/twfollow), and build/ and .venv/bin first on PATH (so `tw-follow`,
`twfollow` and `python` are the ones under test). https_proxy points at a closed
loopback port, so a snippet that tried to reach the real API fails instead of
leaving the machine (loopback never goes through a proxy). Whatever a snippet
starts in the background is stopped when it ends.

Markers: an HTML comment on the line before a fence (blank lines between allowed):

  <!-- snippet: skip (REASON) -->   do not run this block; the reason is required
                                    and printed. Use sparingly: prefer ```text for
                                    what is not code, and a runnable example.
  <!-- tested as NAME -->           docs/install.md: tests/dist/test_dist.sh runs this
                                    block itself (in the dist stage); not run here.
  <!-- snippet: wrap-main -->       c/cpp only: the block is the body of main();
                                    twfollow.h (twfollow.hpp for C++), stdio.h,
                                    stdlib.h and string.h (iostream and string) are
                                    included, and main returns 0 after it.

The last line printed is `N passed, M failed`; the exit status is 1 when any
snippet failed (or a document could not be read), else 0.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

REPO = Path(__file__).resolve().parents[2]
RUN = {"c", "cpp", "python", "sh"}
CHECKED_ELSEWHERE = {"cmake": "built by the install tests"}
NOT_CODE = {"text"}
PARSED = {"json"}
LANGUAGES = RUN | set(CHECKED_ELSEWHERE) | NOT_CODE | PARSED

STRICT = ["-Wall", "-Wextra", "-Wpedantic", "-Werror"]
COMPILE_SECONDS = 120
RUN_SECONDS = 120
SH_SECONDS = 600  # a shell snippet may run `cargo build`

# The sandbox's built-in account 1 (sandbox/src/lib.rs).
SANDBOX_CREDENTIALS = {
    "TW_CONSUMER_KEY": "sandbox-consumer-key",
    "TW_CONSUMER_SECRET": "sandbox-consumer-secret",
    "TW_ACCESS_TOKEN": "1500000001-sandboxAccessToken1",
    "TW_ACCESS_TOKEN_SECRET": "sandbox-token-secret-1",
}

FENCE = re.compile(r"^(?P<indent> *)(?P<fence>```+|~~~+)\s*(?P<info>[^`\s]*)[^`]*$")
MARKER = re.compile(r"^\s*<!--\s*snippet:\s*(?P<body>.*?)\s*-->\s*$")
# docs/install.md's blocks that tests/dist/test_dist.sh runs itself, in the dist stage.
TESTED_ELSEWHERE = re.compile(r"^\s*<!--\s*tested as (?P<name>\S+)\s*-->\s*$")


class DocumentError(Exception):
    """A document whose snippets cannot be read as the rules above say."""


@dataclass
class Snippet:
    path: Path
    line: int  # 1-based line of the opening fence
    language: str
    code: str
    skip_reason: Optional[str] = None
    wrap_main: bool = False

    @property
    def where(self) -> str:
        try:
            name = self.path.resolve().relative_to(REPO)
        except ValueError:
            name = self.path
        return f"{name}:{self.line}"


def parse_marker(body: str, where: str) -> Dict[str, object]:
    skip = re.fullmatch(r"skip\s*\((?P<reason>[^)]*\S[^)]*)\)", body)
    if skip:
        return {"skip_reason": skip.group("reason").strip()}
    if body == "wrap-main":
        return {"wrap_main": True}
    raise DocumentError(
        f"{where}: unknown snippet marker {body!r} (known: 'skip (reason)' with a reason, 'wrap-main')"
    )


def extract(path: Path, text: Optional[str] = None) -> List[Snippet]:
    """Every fenced block of a Markdown file, with the marker before it applied."""
    if text is None:
        text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    snippets: List[Snippet] = []
    pending: Optional[Dict[str, object]] = None
    pending_line = 0
    i = 0
    while i < len(lines):
        line = lines[i]
        marker = MARKER.match(line)
        opening = FENCE.match(line)
        tested = TESTED_ELSEWHERE.match(line)
        if tested:
            if pending is not None:
                raise DocumentError(f"{path}:{pending_line}: a snippet marker with no code block after it")
            reason = f"run as {tested.group('name')} by tests/dist/test_dist.sh (the dist stage)"
            pending, pending_line = {"skip_reason": reason}, i + 1
        elif marker:
            if pending is not None:
                raise DocumentError(f"{path}:{pending_line}: a snippet marker with no code block after it")
            pending, pending_line = parse_marker(marker.group("body"), f"{path}:{i + 1}"), i + 1
        elif opening:
            indent, fence = len(opening.group("indent")), opening.group("fence")
            language = opening.group("info").lower()
            start = i
            body: List[str] = []
            i += 1
            while i < len(lines):
                close = lines[i].strip()
                if close.startswith(fence) and set(close) == {fence[0]}:
                    break
                body.append(lines[i][indent:] if lines[i][:indent].strip() == "" else lines[i])
                i += 1
            else:
                raise DocumentError(f"{path}:{start + 1}: code block never closed")
            if not language:
                raise DocumentError(
                    f"{path}:{start + 1}: code block without a language: fence runnable code as "
                    "c, cpp, python or sh, and anything else as text"
                )
            snippet = Snippet(path, start + 1, language, "\n".join(body) + "\n")
            if pending is not None:
                for name, value in pending.items():
                    setattr(snippet, name, value)
                if snippet.wrap_main and language not in ("c", "cpp"):
                    raise DocumentError(f"{path}:{pending_line}: wrap-main applies to c and cpp blocks only")
                pending = None
            snippets.append(snippet)
        elif line.strip() and pending is not None:
            raise DocumentError(f"{path}:{pending_line}: a snippet marker with no code block after it")
        i += 1
    if pending is not None:
        raise DocumentError(f"{path}:{pending_line}: a snippet marker with no code block after it")
    return snippets


def default_documents() -> List[Path]:
    return [REPO / "README.md"] + sorted((REPO / "docs").glob("*.md"))


@dataclass
class Outcome:
    ok: bool
    detail: str = ""
    output: str = ""


@dataclass
class Tally:
    passed: int = 0
    failed: int = 0
    by_language: Dict[str, int] = field(default_factory=dict)
    skipped: List[str] = field(default_factory=list)
    not_run: Dict[str, int] = field(default_factory=dict)


def run(argv: List[str], env: Dict[str, str], seconds: float, cwd: Path = REPO) -> Outcome:
    """Runs a command in its own process group, then stops whatever it left running."""
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(
            argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            code = process.wait(timeout=seconds)
            detail = f"exit status {code}"
        except subprocess.TimeoutExpired:
            code = None
            detail = f"still running after {seconds} s"
        finally:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()
        out.seek(0)
        output = out.read().decode("utf-8", "replace")
    return Outcome(code == 0, detail, output)


class Sandbox:
    """A fresh sandbox (target/debug/sandbox) on a free loopback port."""

    def __init__(self) -> None:
        # Its stdout (the URL, then a line per request) goes to a file, never a pipe
        # nobody reads.
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [str(REPO / "target" / "debug" / "sandbox")],
            stdout=self.log, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
        )
        self.url = ""
        deadline = time.monotonic() + 10
        while not self.url.endswith("\n") and time.monotonic() < deadline and self.process.poll() is None:
            time.sleep(0.01)
            self.log.seek(0)
            self.url = self.log.readline().decode()
        self.url = self.url.strip()
        if not self.url.startswith("http://127.0.0.1:"):
            self.close()
            raise RuntimeError(f"the sandbox did not print its URL (got {self.url!r})")

    def close(self) -> None:
        self.process.kill()
        self.process.wait()
        self.log.close()


def closed_port() -> int:
    """A loopback port nothing listens on: bound, then closed (a fixed one may be in use)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def snippet_env(sandbox_url: str, store: Path) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TW_") and k.lower() not in PROXY_VARIABLES}
    env.update(SANDBOX_CREDENTIALS)
    env["TW_API_BASE"] = sandbox_url
    env["TWFOLLOW_STORE"] = str(store / "twfollow" / "accounts.json")
    # Any https request (the real API) would go to this port, made and closed here, and fail.
    env["https_proxy"] = f"http://127.0.0.1:{closed_port()}"
    env["PATH"] = os.pathsep.join([str(REPO / "build"), str(REPO / ".venv" / "bin"), env.get("PATH", "")])
    env.pop("TWFOLLOW_LIB", None)  # the Python package uses the library it ships, as a user's would
    return env


PROXY_VARIABLES = {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}

C_PRELUDE = "#include \"twfollow.h\"\n#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n"
CPP_PRELUDE = "#include \"twfollow.hpp\"\n#include <iostream>\n#include <string>\n"


def source_of(snippet: Snippet) -> str:
    if not snippet.wrap_main:
        return snippet.code
    prelude = C_PRELUDE if snippet.language == "c" else CPP_PRELUDE
    signature = "int main(void)" if snippet.language == "c" else "int main()"
    # #line: compiler messages point into the Markdown file.
    origin = f'#line {snippet.line + 1} "{snippet.where.rsplit(":", 1)[0]}"'
    return f"{prelude}\n{signature} {{\n{origin}\n{snippet.code}    return 0;\n}}\n"


def execute(snippet: Snippet, workdir: Path, sandbox: "Sandbox") -> Outcome:
    lib_dir = REPO / "target" / "debug"
    stem = workdir / f"snippet{snippet.line}"
    if snippet.language in ("c", "cpp"):
        if snippet.language == "c":
            source = stem.with_suffix(".c")
            compiler = ["cc", "-std=c99", *STRICT, "-Iinclude"]
        else:
            source = stem.with_suffix(".cpp")
            compiler = ["c++", "-std=c++11", *STRICT, "-Iinclude", "-Ibindings/c"]
        source.write_text(source_of(snippet))
        linking = [f"-L{lib_dir}", "-ltwfollow", f"-Wl,-rpath,{lib_dir}"]
        built = run([*compiler, str(source), *linking, "-o", str(stem)], dict(os.environ), COMPILE_SECONDS)
        if not built.ok:
            return Outcome(False, f"does not compile ({built.detail})", built.output)
        command, seconds = [str(stem)], RUN_SECONDS
    elif snippet.language == "python":
        source = stem.with_suffix(".py")
        source.write_text(snippet.code)
        command, seconds = [str(REPO / ".venv" / "bin" / "python"), str(source)], RUN_SECONDS
    elif snippet.language == "sh":
        source = stem.with_suffix(".sh")
        source.write_text(snippet.code)
        command, seconds = ["bash", "-eu", str(source)], SH_SECONDS
    else:
        raise AssertionError(snippet.language)
    if sandbox.process.poll() is not None:
        return Outcome(False, "the sandbox has stopped (an earlier snippet?)")
    store = workdir / f"store-{snippet.path.stem}-{snippet.line}"
    return run(command, snippet_env(sandbox.url, store), seconds)


def check(snippet: Snippet, workdir: Path, sandbox: Optional["Sandbox"]) -> Optional[Outcome]:
    """The outcome of a snippet that is checked here, or None for one that is not."""
    if snippet.language in RUN:
        assert sandbox is not None, "started when a snippet is to run"
        return execute(snippet, workdir, sandbox)
    if snippet.language in PARSED:
        try:
            json.loads(snippet.code)
            return Outcome(True)
        except ValueError as e:
            return Outcome(False, f"not valid JSON: {e}")
    return None


def missing_prerequisites() -> List[str]:
    needed = {
        "target/debug/libtwfollow.so": "cargo build",
        "target/debug/sandbox": "cargo build -p twfollow-sandbox",
        "build/tw-follow": "scripts/test.sh snippets builds it",
        ".venv/bin/python": "scripts/test.sh creates it",
    }
    return [f"{path} ({how})" for path, how in needed.items() if not (REPO / path).exists()]


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("documents", nargs="*", type=Path, help="Markdown files (default: README.md docs/*.md)")
    parser.add_argument("--list", action="store_true", help="list the snippets and what would happen; run nothing")
    parser.add_argument("-v", "--verbose", action="store_true", help="print each snippet's output")
    args = parser.parse_args(argv)
    documents = args.documents or default_documents()

    tally = Tally()
    snippets: List[Snippet] = []
    for document in documents:
        try:
            snippets.extend(extract(document))
        except (DocumentError, OSError) as e:
            print(f"FAIL {e}")
            tally.failed += 1

    if args.list:
        for s in snippets:
            action = f"skip ({s.skip_reason})" if s.skip_reason else ("run" if s.language in RUN else "not run")
            print(f"{s.where:<28} {s.language:<7} {action}{' [wrap-main]' if s.wrap_main else ''}")
        return 0

    if any(s.language in RUN and not s.skip_reason for s in snippets):
        missing = missing_prerequisites()
        if missing:
            print("cannot run snippets; missing: " + "; ".join(missing))
            print(f"0 passed, {len(snippets)} failed")
            return 1

    sandbox: Optional[Sandbox] = None
    if any(s.language in RUN and not s.skip_reason for s in snippets):
        try:
            sandbox = Sandbox()  # one for the whole run, in order: as a reader tries them
        except (OSError, RuntimeError) as e:
            print(f"cannot start the sandbox: {e}")
            print(f"0 passed, {len(snippets)} failed")
            return 1
    try:
        return run_all(snippets, tally, sandbox, args.verbose)
    finally:
        if sandbox is not None:
            sandbox.close()


def run_all(snippets: List[Snippet], tally: Tally, sandbox: Optional[Sandbox], verbose: bool) -> int:
    """Checks each snippet in order against the one sandbox; prints the outcome."""
    with tempfile.TemporaryDirectory(prefix="twfollow-snippets-") as work:
        for s in snippets:
            if s.language not in LANGUAGES:
                print(f"FAIL {s.where} ```{s.language}: unknown language; use c, cpp, python, sh, json, cmake or text")
                tally.failed += 1
                continue
            if s.skip_reason:
                tally.skipped.append(f"{s.where} {s.language}: {s.skip_reason}")
                continue
            started = time.monotonic()
            outcome = check(s, Path(work), sandbox)
            if outcome is None:
                tally.not_run[s.language] = tally.not_run.get(s.language, 0) + 1
                continue
            took = time.monotonic() - started
            tally.by_language[s.language] = tally.by_language.get(s.language, 0) + 1
            if outcome.ok:
                tally.passed += 1
                print(f"ok   {s.where} {s.language} ({took:.1f} s)")
            else:
                tally.failed += 1
                print(f"FAIL {s.where} {s.language}: {outcome.detail}")
            if outcome.output and (verbose or not outcome.ok):
                print("     | " + "\n     | ".join(outcome.output.rstrip("\n").splitlines()[-40:]))

    print("checked here: " + ", ".join(f"{lang} {n}" for lang, n in sorted(tally.by_language.items())))
    for lang, n in sorted(tally.not_run.items()):
        reason = CHECKED_ELSEWHERE.get(lang, "not code")
        print(f"not run: {lang} {n} ({reason})")
    for line in tally.skipped:
        print(f"skipped by marker: {line}")
    print(f"{tally.passed} passed, {tally.failed} failed")
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main())
