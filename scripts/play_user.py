#!/usr/bin/env python3
"""Plays the person at the browser in an authorization against the sandbox: for the demo,
docs/tokens.md's examples and anyone trying the flows without a developer account.

  play_user.py pin URL           prints the PIN the OAuth 1.0a authorize page URL shows
  play_user.py redirect URL      prints where the OAuth 2.0 authorize page URL sends the browser
  play_user.py COMMAND [ARG...]  runs an interactive `tw-follow authorize ...` and plays its user:
                                 opens the page its prompt names, then follows the redirect to
                                 the command when it listens, else types the PIN or the redirected
                                 address; passes the command's stdout and exit status through

The sandbox approves at once, as account 1 (add &account=N to a URL for another). Standard
library only; a redirect is never followed, as a browser's address bar would show it.
"""

from __future__ import annotations

import http.client
import re
import subprocess
import sys
import urllib.parse

PIN = re.compile(r'<code id="oauth_pin">(\d+)</code>')
PAGE = re.compile(r"^\s+(https?://\S+)$", re.M)


def visit(url: str) -> tuple:
    """GET without following redirects: (status, Location, body)."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.netloc, timeout=30)  # the sandbox's plain HTTP
    try:
        connection.request("GET", f"{parts.path}?{parts.query}" if parts.query else parts.path)
        response = connection.getresponse()
        return response.status, response.getheader("Location"), response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def pin_on(url: str) -> str:
    status, _, page = visit(url)
    match = PIN.search(page)
    if not match:
        raise SystemExit(f"play_user.py: no PIN on {url} (HTTP {status})")
    return match.group(1)


def redirect_of(url: str) -> str:
    status, location, _ = visit(url)
    if status != 302 or not location:
        raise SystemExit(f"play_user.py: {url} did not redirect (HTTP {status})")
    return location


def drive(command: list) -> int:
    """Runs an interactive authorize command and answers its prompt."""
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    prompt = ""
    for line in iter(process.stderr.readline, ""):
        sys.stderr.write(line)
        prompt += line
        if line.rstrip().endswith(("press Enter:", "run again with --paste)...")):
            break
    match = PAGE.search(prompt)
    if match and prompt.rstrip().endswith("--paste)..."):
        # The command listens on the redirect URI: the browser goes there by itself.
        redirected = redirect_of(match.group(1))
        _, _, page = visit(redirected)
        text = re.sub(r"<title>.*?</title>|<[^>]+>", "", page).strip()
        sys.stderr.write(f"[play_user.py, as the user: approved; the browser was sent back and shows: {text}]\n")
    elif match:
        oauth2 = "/i/oauth2/authorize?" in match.group(1)
        answer = redirect_of(match.group(1)) if oauth2 else pin_on(match.group(1))
        shown = answer if not oauth2 else answer.split("?", 1)[0] + "?state=...&code=..."
        sys.stderr.write(f"[play_user.py, as the user: opened the page, typed {shown}]\n")
        process.stdin.write(answer + "\n")
    process.stdin.close()
    sys.stderr.write(process.stderr.read())
    return process.wait()


def main(argv: list) -> int:
    modes = {"pin": pin_on, "redirect": redirect_of}
    if len(argv) == 2 and argv[0] in modes:
        print(modes[argv[0]](argv[1]))
        return 0
    if argv and argv[0] not in ("-h", "--help"):
        return drive(argv)
    print(__doc__, file=sys.stderr)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
