"""One synopsis (issue 30, item 3): the man page's SYNOPSIS and docs/cli.md's synopsis of
tw-follow list every option and every form that `tw-follow --help` and
`tw-follow authorize --help` list, so the three cannot drift apart (a form of --help, one
`usage:` line with its continuations, is found in the others with all its options).

Needs: TW_FOLLOW_BIN (default build/tw-follow)."""

from __future__ import annotations

import os
import re
import subprocess
from typing import List, Set, Tuple

from twfollow_header import REPO

TW_FOLLOW_BIN = os.environ.get("TW_FOLLOW_BIN", str(REPO / "build" / "tw-follow"))
OPTION = re.compile(r"--[a-z][a-z0-9-]*")
VERBS = ("accounts", "token", "whoami", "authorize")

Form = Tuple[str, Set[str]]  # (verb, options)


def form(text: str) -> Form:
    """A synopsis line's verb (the first of VERBS it names, with --oauth2 when it has it)
    and its options."""
    words = re.findall(r"[a-z][a-z0-9-]*|--[a-z][a-z0-9-]*", text)
    verb = next((w for w in words if w in VERBS), "")
    if verb == "authorize" and "--oauth2" in words and "--client-id" in words:
        verb = "authorize --oauth2"
    return verb, set(OPTION.findall(text))


def forms(lines: List[str]) -> List[Form]:
    """Forms from synopsis lines: a line starting with `tw-follow` begins one, an indented
    line continues it."""
    joined: List[str] = []
    for line in lines:
        if line.strip().startswith("tw-follow"):
            joined.append(line)
        elif joined and line.strip():
            joined[-1] += " " + line
    return [form(text) for text in joined]


def help_forms(*args: str) -> List[Form]:
    text = subprocess.run([TW_FOLLOW_BIN, *args, "--help"], capture_output=True, text=True, check=True).stdout
    usage = text.split("\n\n")[0].replace("usage:", "", 1)
    found = forms(usage.splitlines())
    if not args:
        # The main help points at authorize in one line ("tw-follow authorize --help"):
        # `authorize --help` has its forms.
        found = [(verb, options) for verb, options in found if not verb.startswith("authorize")]
    return found


def man_forms() -> List[Form]:
    page = (REPO / "bindings" / "c" / "tw-follow.1").read_text()
    synopsis = page.split(".SH SYNOPSIS\n", 1)[1].split("\n.SH ", 1)[0]
    text = re.sub(r"^\.(B|I|BR|RB|IR|RI|BI)\s*", "", synopsis, flags=re.M).replace("\\-", "-")
    return forms([" " + line if not line.startswith("tw-follow") else line
                  for line in " ".join(text.replace("\n.br\n", "\n\x00\n").split("\n")).split("\x00")])  # fmt: skip


def cli_md_forms() -> List[Form]:
    text = (REPO / "docs" / "cli.md").read_text()
    block = text.split("## `tw-follow`\n", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    return forms(block.splitlines())


def missing(wanted: List[Form], found: List[Form]) -> List[str]:
    problems = []
    for verb, options in wanted:
        if not any(v == verb and options <= o for v, o in found):
            closest = [o for v, o in found if v == verb]
            lacking = sorted(options - set().union(*closest)) if closest else sorted(options)
            problems.append(f"{verb or 'the follow'}: {' '.join(lacking) or 'no such form'}")
    return problems


def test_the_help_is_read():
    main, authorize = help_forms(), help_forms("authorize")
    assert ("whoami", {"--json"}) in [(v, o & {"--json"}) for v, o in main]
    assert any(v == "authorize --oauth2" and {"--store", "--account", "--exports"} <= o for v, o in authorize)


def test_the_man_page_synopsis_lists_every_form_and_option_of_the_help():
    wanted = help_forms() + help_forms("authorize")
    assert missing(wanted, man_forms()) == []
    every = set().union(*(o for _, o in wanted))
    assert every - {"--help", "--version", "--exit-codes"} <= set().union(*(o for _, o in man_forms()))


def test_cli_md_synopsis_lists_every_form_and_option_of_the_help():
    assert missing(help_forms() + help_forms("authorize"), cli_md_forms()) == []


def test_the_checker_finds_a_missing_option():
    wanted = [("authorize --oauth2", {"--client-id", "--exports"})]
    assert missing(wanted, [("authorize --oauth2", {"--client-id"})]) == ["authorize --oauth2: --exports"]
