"""python -m twfollow [--notify] [--base-url URL] [--timeout SECONDS] [--ca-file PEM]
                    [--proxy URL | --proxy-file PATH] [--api-version 1.1|2|auto] [--trace]
                    [--store STORE] [--account NAME] [follow | unfollow | relationship] TARGET
python -m twfollow [OPTIONS] accounts [--json] | accounts default NAME
                   | accounts remove NAME [--revoke] | accounts import twurl|xurl|env [PATH] [--force]
python -m twfollow [OPTIONS] token

Follows TARGET (or unfollows it, or prints the relationship with it) and prints the
API's JSON answer, as the user of --account NAME (or --store STORE: its default) in the
token store, else of TW_CONSUMER_KEY, TW_CONSUMER_SECRET, TW_ACCESS_TOKEN,
TW_ACCESS_TOKEN_SECRET (or an OAuth 2.0 user token from TW_OAUTH2_ACCESS_TOKEN when
TW_ACCESS_TOKEN is not set, never refreshed here), else of the store's default account
(TW_API_BASE, TW_API_VERSION apply unless an option replaces them). `python -m twfollow
authorize [--oauth2 ...]` gets the tokens and saves them in the token store (see its
--help; docs/tokens.md). Exit codes are those of the C tool tw-follow
(errors.EXIT_CODES; `--exit-codes` prints them): 0 success, 64 usage, 78
configuration, and one code per status family. SIGINT, SIGTERM and SIGHUP wait while
a call that may refresh runs, as tw-follow's do (_signals.py); a standard error that
cannot be written (2>/dev/full) changes no exit code, as in tw-follow.
"""

from __future__ import annotations

import argparse
import io
import math
import os
import sys
from typing import List, NoReturn, Optional

from . import _authorize_cli, _signals, _store_cli, errors
from .client import MAX_TIMEOUT_MS, Client, version
from .trace import call_summary, to_stderr

# Word for word the paragraphs of `tw-follow --help` (tests/drift checks it).
EPILOG = """\
Environment (an option wins: its variable is then not read):
  TW_CONSUMER_KEY, TW_CONSUMER_SECRET, TW_ACCESS_TOKEN, TW_ACCESS_TOKEN_SECRET
      the OAuth 1.0a user-context credentials, unless --account or --store
      (without them: the store's default account)
  TW_API_BASE      base URL unless --base-url (default https://api.twitter.com)
  TW_API_VERSION   1.1, 2 or auto unless --api-version (default 1.1)
  TW_OAUTH2_ACCESS_TOKEN, TW_OAUTH2_REFRESH_TOKEN, TW_OAUTH2_EXPIRES_AT,
  TW_OAUTH2_CLIENT_ID, TW_OAUTH2_CLIENT_SECRET
      an OAuth 2.0 user token instead, when TW_ACCESS_TOKEN is not set; never
      refreshed here (the rotated refresh token would be lost): run
      `accounts import env` once, then follow from the store
  TWFOLLOW_STORE   the token store unless --store (default
      $XDG_CONFIG_HOME/twfollow/accounts.json, else ~/.config/twfollow/accounts.json)
  https_proxy, HTTPS_PROXY, http_proxy, all_proxy, ALL_PROXY, no_proxy, NO_PROXY
      the proxy, by curl's rules, unless --proxy or --proxy-file

Exit status: 0 done; 1 refused for this target (forbidden, not found, already
requested, blocked); 64 usage (unknown option, missing or malformed value); 65
bad target or argument; 69 network or server error; 70 internal error; 73
refreshed tokens could not be saved (they are printed on stderr); 74 tokens
could not be written out; 75 timeout, rate limit or follow limit (try later);
76 unexpected HTTP status or response; 77 credentials refused, or the account
suspended, locked or not enrolled in Pay-per-use; 78 missing or bad
configuration (credentials, the token store, a setting the library refuses, an
unreadable --proxy-file, TLS: an untrusted certificate, a server that does not
speak TLS), or the app refused by X for its access tier, permissions, credits
or usage cap.
"""

# The first word, when it is one of these, says what to do with TARGET (a user named
# like a command is written @name).
COMMANDS = ("follow", "unfollow", "relationship")
# Verbs that take no TARGET: the token store's.
STORE_VERBS = ("accounts", "token")

# The longest first line --proxy-file accepts, in bytes (as tw-follow).
MAX_PROXY_LINE = 8192


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(errors.EXIT_USAGE, f"{self.prog}: error: {message}\n")


class _ExitCodes(argparse.Action):
    """--exit-codes: "NUMBER TW_STATUS_NAME EXIT" for every status, then exit."""

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> NoReturn:
        for status in errors.Status:
            print(status.value, f"TW_STATUS_{status.name}", errors.EXIT_CODES[status])
        parser.exit()


def _timeout(text: str) -> float:
    """--timeout: seconds that make 1 to 2**32-1 whole milliseconds, as tw-follow's --timeout-ms."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and 1 <= round(seconds * 1000) <= MAX_TIMEOUT_MS):
        raise argparse.ArgumentTypeError(f"needs a number of seconds from 0.001 to {MAX_TIMEOUT_MS / 1000}")
    return seconds


def has_password(url: str) -> bool:
    """True when a proxy URL carries a non-empty password ("scheme://user:password@host")."""
    authority = url.split("://", 1)[1] if "://" in url else url
    for end in "/?#":
        authority = authority.split(end, 1)[0]
    userinfo, at, _ = authority.rpartition("@")
    _, colon, password = userinfo.partition(":")
    return bool(at and colon and password)


class ProxyFileError(Exception):
    pass


def read_proxy_file(path: str) -> str:
    """The first line of `path` ("-": standard input), without its line ending and the
    blanks around it."""
    try:
        if path == "-":
            data = sys.stdin.buffer.readline(MAX_PROXY_LINE + 1)
        else:
            with open(path, "rb") as file:
                data = file.readline(MAX_PROXY_LINE + 1)
    except OSError as e:
        raise ProxyFileError(e.strerror or str(e)) from None
    line = data[:-1] if data.endswith(b"\n") else data
    if b"\0" in line:
        raise ProxyFileError("the first line contains a NUL byte")
    if len(line) > MAX_PROXY_LINE:
        raise ProxyFileError(f"the first line is longer than {MAX_PROXY_LINE} bytes")
    line = line.rstrip(b" \t\r").lstrip(b" \t")
    if not line:
        raise ProxyFileError('the first line is empty (for no proxy, pass --proxy "")')
    # Not UTF-8: passed on as is, for the library's own refusal (TW_STATUS_INVALID_UTF8).
    return line.decode("utf-8", "surrogateescape")


def _fail_configuration(error: errors.TwError, prog: str) -> int:
    """A failure while making the client (the environment, the store, an option the library
    refuses): exit 78. A status whose own exit code is 78 (the store) is named; any other
    (InvalidArgumentError, 65 in --exit-codes) is not, so that the status printed and the exit
    code always agree with --exit-codes (as tw-follow)."""
    if errors.EXIT_CODES.get(error.status) == errors.EXIT_CONFIG:
        return _fail(error, errors.EXIT_CONFIG)
    print(f"{prog}: {error}", file=sys.stderr)
    return errors.EXIT_CONFIG


def _fail(error: errors.TwError, exit_code: int) -> int:
    print(f"{error.status_name}: {error}", file=sys.stderr)
    return exit_code


def _program_name() -> str:
    # The `twfollow` console script, or `python -m twfollow`.
    name = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    return "python -m twfollow" if name in ("", "__main__.py", "-c") else name


class _UnfailingStderr(io.TextIOBase):
    """Standard error written straight to its descriptor, a failed write dropped (as
    tw-follow's fprintf): a full disk or a closed stream there changes no exit code, and
    nothing is left in a buffer for the interpreter's exit to fail on (exit 120)."""

    def __init__(self, fd: int, encoding: str) -> None:
        self._fd = fd
        self._encoding = encoding

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        data = text.encode(self._encoding, "backslashreplace")
        try:
            while data:
                data = data[os.write(self._fd, data) :]
        except OSError:
            pass
        return len(text)


def main(argv: Optional[List[str]] = None) -> int:
    # `authorize` gets tokens (_authorize_cli.py); a user of that name: @authorize.
    if argv is None:  # the program itself, not a caller of main()
        _signals.install()
        sys.stderr.flush()
        sys.stderr = _UnfailingStderr(sys.stderr.fileno(), sys.stderr.encoding or "utf-8")
    arguments = sys.argv[1:] if argv is None else argv
    if arguments[:1] == ["authorize"]:
        return _authorize_cli.main(arguments[1:])
    prog = _program_name()
    parser = _Parser(
        prog=prog,
        usage=f"{prog} [OPTIONS] [follow | unfollow | relationship] TARGET\n"
        f"       {prog} [OPTIONS] accounts [--json] | accounts default NAME\n"
        f"       {prog} [OPTIONS] accounts remove NAME [--revoke]\n"
        f"       {prog} [OPTIONS] accounts import twurl|xurl|env [PATH] [--force]\n"
        f"       {prog} [OPTIONS] token\n"
        f"       {prog} authorize [--oauth2 ...]",
        description="Follows TARGET and prints the API's JSON answer. `unfollow TARGET` unfollows; "
        "`relationship TARGET` prints what holds between you and TARGET "
        '({"target":{...},"following":...}: a key is there only when the API said it). '
        f"{prog} authorize [--oauth2 ...] gets a user's tokens and saves them in the token store "
        "(see its --help). `accounts` lists the stored accounts (`--json`: as JSON; no secret "
        "either way), `accounts default NAME` sets the default, `accounts remove NAME` removes one "
        "(`--revoke`: its OAuth 2.0 grant at X first), `accounts import twurl|xurl|env [PATH]` copies "
        "accounts from ~/.twurlrc, ~/.xurl or the TW_* variables (a newer stored OAuth 2.0 grant is kept "
        "unless --force); `token` prints a valid OAuth 2.0 "
        "access token alone (refreshed and saved first when needed), for curl. Credentials: "
        "--account NAME (or --store) uses the store; else TW_* variables; else the store's "
        "default account.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "words",
        nargs="+",
        metavar="[COMMAND] TARGET",
        help="follow (the default), unfollow or relationship, then @name, name, or a numeric user id; "
        "or accounts ... or token (see above)",
    )
    parser.add_argument("--notify", action="store_true", help="turn on notifications for the user's posts")
    parser.add_argument("--base-url", metavar="URL", help="API base URL (http:// only for loopback hosts)")
    parser.add_argument(
        "--timeout",
        type=_timeout,
        metavar="SECONDS",
        help="deadline for the whole call, 0.001 to 4294967.295 (default 30)",
    )
    parser.add_argument("--ca-file", metavar="PEM", help="trust these certificates instead of the built-in roots")
    proxy = parser.add_mutually_exclusive_group()
    proxy.add_argument(
        "--proxy",
        metavar="URL",
        help='http://, https://, socks5:// or socks5h:// proxy; "" for none. '
        "Other users see a password here (ps): use --proxy-file",
    )
    proxy.add_argument(
        "--proxy-file", metavar="PATH", help="the proxy URL from the first line of PATH (- for standard input)"
    )
    parser.add_argument(
        "--api-version",
        choices=["1.1", "2", "auto"],
        help="1.1, 2 (a name costs a lookup; no --notify), or auto (1.1, then 2 for good if 1.1 "
        "refuses the app's access tier)",
    )
    parser.add_argument(
        "--trace",
        action="store_true",
        help="show each request and response on stderr as curl -v does (> sent, < received, "
        "* signature base string and notes), secrets removed",
    )
    parser.add_argument(
        "--store",
        metavar="STORE",
        help="the token store: a path or a redis:// or rediss:// URL "
        "(else TWFOLLOW_STORE, else ~/.config/twfollow/accounts.json)",
    )
    parser.add_argument(
        "--account", metavar="NAME", help="follow as this stored account (else TW_* variables, else the default)"
    )
    parser.add_argument("--json", action="store_true", help="accounts: the list as JSON")
    parser.add_argument("--revoke", action="store_true", help="accounts remove: revoke the OAuth 2.0 grant at X first")
    parser.add_argument(
        "--force",
        action="store_true",
        help="accounts import: replace a stored OAuth 2.0 grant that differs from the source's (the store's is newer)",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    parser.add_argument(
        "--exit-codes", action=_ExitCodes, nargs=0, help="print each status's number, name and exit code, and exit"
    )
    args = parser.parse_args(argv)
    command, target = "follow", args.words[0]
    if args.words[0] in STORE_VERBS:
        command, target = args.words[0], ""
        if command == "token" and len(args.words) != 1:
            parser.error("token takes no TARGET")
    elif args.json or args.revoke or args.force:
        parser.error("--json goes with accounts alone, --revoke with accounts remove, --force with accounts import")
    elif args.words[0] in COMMANDS:
        if len(args.words) != 2:
            parser.error(f"{args.words[0]} needs one TARGET")
        command, target = args.words
    elif len(args.words) != 1:
        parser.error("one TARGET only")
    if args.notify and command != "follow":
        parser.error("--notify goes with follow only")
    warn_of_password = args.proxy is not None and has_password(args.proxy)
    if args.proxy_file is not None:
        try:
            args.proxy = read_proxy_file(args.proxy_file)
        except ProxyFileError as e:
            print(f"{prog}: --proxy-file {args.proxy_file}: {e}", file=sys.stderr)
            return errors.EXIT_CONFIG
    options = {
        "base_url": args.base_url,
        "timeout": args.timeout,
        "ca_file": args.ca_file,
        "proxy": args.proxy,
        "trace": to_stderr if args.trace else None,
    }
    if command == "accounts":
        if warn_of_password:
            _warn_of_password(prog)
        try:
            options = _store_cli.options_from_environment(options)
        except errors.TwError as e:
            return _fail_configuration(e, prog)
        options.pop("api_version", None)
        return _store_cli.accounts_main(
            prog, args.words[1:], args.store, args.json, args.revoke, options, force=args.force
        )
    from_env_oauth2 = not _store_cli.uses_store(args.account, args.store) and _store_cli.env_oauth2()
    expired = _store_cli.refuse_expired_env_token(prog) if from_env_oauth2 else None
    if expired is not None:
        return _fail(expired, errors.EXIT_CODES[errors.Status.AUTH])
    try:
        client = _store_cli.make_client(prog, args.account, args.store, dict(options, api_version=args.api_version))
    except errors.TwError as e:
        return _fail_configuration(e, prog)
    finally:
        # After the status line, which stays the first line of stderr on failure.
        if warn_of_password:
            _warn_of_password(prog)
    if command == "token" and not client._holds_oauth2_tokens():
        client.close()
        whose = f"the account {args.account} holds" if args.account is not None else "these are"
        print(
            f"{prog}: token: {whose} OAuth 1.0a credentials, which have no bearer token to print (OAuth 1.0a "
            "signs each request with the token and its secret); `token` needs an OAuth 2.0 account: save one with "
            "`tw-follow authorize --oauth2 --client-id ID --redirect-uri URI` and pass --account NAME",
            file=sys.stderr,
        )
        return errors.EXIT_CONFIG
    with client, _signals.deferred():  # a signal acts once the outcome is handled
        try:
            if command == "token":
                answer = client.access_token()
            elif command == "unfollow":
                answer = client.unfollow_json(target)
            elif command == "relationship":
                answer = client.relationship_json(target)
            else:
                answer = client.follow_json(target, notify=args.notify)
        except errors.TwError as e:
            _print_summary(args.trace, client)
            code = errors.EXIT_CODES.get(e.status, errors.EXIT_SOFTWARE)
            if e.status != errors.Status.TOKENS_NOT_SAVED:
                return _fail(_store_cli.explain(e, prog, from_env_oauth2), code)
            try:
                _fail(_store_cli.explain(e, prog, from_env_oauth2), code)
            except OSError:
                pass  # stderr cannot be written: the tokens below say so by the exit status
            if not _store_cli.print_unsaved_tokens(client, prog):
                return errors.EXIT_IOERR  # the rotated pair reached neither the store nor stderr
            return code
        _print_summary(args.trace, client)
        if command == "token":
            # The access token alone: a failed write is a lost token, not a success.
            written = _authorize_cli.write_tokens(answer, sys.stdout, prog, "access token")
            return errors.EXIT_OK if written else errors.EXIT_IOERR
        print(answer)
    return errors.EXIT_OK


def _warn_of_password(prog: str) -> None:
    print(
        f"{prog}: warning: other users can see the --proxy password (ps); "
        "use --proxy-file PATH (- for standard input) or https_proxy instead",
        file=sys.stderr,
    )


def _print_summary(trace: bool, client: Client) -> None:
    if trace:
        for line in call_summary(client.last_request_count, client.last_day_budgets):
            print(line, file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
