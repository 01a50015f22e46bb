"""`python -m twfollow authorize`: the same contract as `tw-follow authorize`.

The page to open goes to stderr, the PIN (or the redirected address, or its code)
is read from standard input, and standard output gets only lines a shell can eval:
single-quoted `export NAME='value'` lines and one filtered `#` comment, byte for
byte what the C tool prints.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from typing import Any, Callable, Dict, List, NoReturn, Optional, TextIO, Union

from . import _redirect_listener, errors
from .auth import OAuth1Flow, OAuth2Flow, is_redirected_url

MAX_INPUT_LINE = 8192  # as tw-follow

DESCRIPTION = """\
Gets a user's tokens and saves them in the token store as an account (--account
NAME, else the user's screen name; the default account when the store has none).
The page to open goes to stderr; the answer is read from standard input. With
--exports it saves nothing and prints shell lines instead:
eval "$(python -m twfollow authorize --exports)".

OAuth 1.0a (PIN): with your app's TW_CONSUMER_KEY and TW_CONSUMER_SECRET, prints
the page where the user approves the app, reads the PIN it shows, and saves
the token (it does not expire); --exports prints export TW_ACCESS_TOKEN=... and
export TW_ACCESS_TOKEN_SECRET=... with the user's id and name as a comment.

OAuth 2.0 (--oauth2, Authorization Code with PKCE): prints the page to open,
reads the address the browser was sent to (or just its code), and saves the
tokens: a follow from the store refreshes them by itself and saves each new
pair under the store's lock. --exports prints export TW_OAUTH2_CLIENT_ID,
TW_OAUTH2_ACCESS_TOKEN, TW_OAUTH2_REFRESH_TOKEN and TW_OAUTH2_EXPIRES_AT lines
instead, which the CLI never refreshes (run accounts import env to store them).

When the redirect URI (or the OAuth 1.0a --callback URL) is a loopback http://
address with a port (127.0.0.1, [::1] or localhost), authorize listens there
instead of reading standard input: it takes the one redirect that carries its
state (or request token), answers the browser with a page that can be closed,
and finishes on its own, or gives up after --wait seconds. With --paste, with
any other address, or when that port is taken, the address is pasted instead.
"""

EPILOG = """\
Exit status: 0 tokens saved (or printed); 64 usage; 65 no or bad answer (on standard input,
or no redirect within --wait seconds); 69 network or server error; 74 the tokens
could not be written (a full disk, a closed stream: the code is spent, authorize again);
76 unexpected HTTP status or response; 77 refused (wrong PIN, used or expired request
token, denied, bad code or client); 78 missing or bad configuration, or TLS failed.
"""

OAUTH2_EXPORTS = (
    ("access_token", "TW_OAUTH2_ACCESS_TOKEN"),
    ("refresh_token", "TW_OAUTH2_REFRESH_TOKEN"),
    ("expires_at", "TW_OAUTH2_EXPIRES_AT"),
)

_NOT_PLAIN = re.compile(r"[^A-Za-z0-9 _.-]")


def export_line(name: str, value: Any) -> str:
    """export NAME='value', with ' written as '\\'' so any value survives eval."""
    return f"export {name}='" + str(value).replace("'", "'\\''") + "'"


def comment_value(value: Any) -> str:
    """A value for a "# ..." line: letters, digits, space and _.- kept, anything else (a
    newline above all) as '?': one comment line, nothing for eval to run."""
    return "".join("?" if _NOT_PLAIN.match(c) else c for c in str(value))


def oauth2_export_lines(tokens: Dict[str, Any]) -> List[str]:
    """The export lines of a token dict (a missing or null value as `unset NAME`)."""
    return [
        export_line(name, tokens[field]) if tokens.get(field) is not None else f"unset {name}"
        for field, name in OAUTH2_EXPORTS
    ]


def write_tokens(text: str, out: TextIO, prog: str, what: str = "tokens") -> bool:
    """Writes `text` and a newline to `out` and flushes it. False, having said so on
    stderr, when that failed (a full disk, a closed pipe): the tokens are lost, and the
    caller exits EXIT_IOERR."""
    try:
        out.write(text + "\n")
        out.flush()
        return True
    except (OSError, ValueError) as error:
        name = "standard output" if out is sys.stdout else "standard error"
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        _discard_buffered(out)
        try:
            print(f"{prog}: the {what} could not be written to {name} ({reason})", file=sys.stderr, flush=True)
        except (OSError, ValueError):
            pass
        return False


def _discard_buffered(out: TextIO) -> None:
    """Points a stream that failed at /dev/null, so that what it still buffers (secrets)
    is not written later and exiting does not fail on it again (Python would exit 120)."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, out.fileno())
        finally:
            os.close(null)
        out.flush()
    except (OSError, ValueError):
        pass


def _seconds(text: str) -> int:
    """--wait: whole seconds, 1 to 3600."""
    if not text.isdigit() or not 1 <= int(text) <= 3600:
        raise argparse.ArgumentTypeError(f"not a number of seconds from 1 to 3600: {text!r}")
    return int(text)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(errors.EXIT_USAGE, f"{self.prog}: error: {message}\n")


class _NoAnswer(Exception):
    pass


def _read_answer(what: str) -> str:
    line = sys.stdin.readline(MAX_INPUT_LINE + 1)
    if not line:
        raise _NoAnswer(f"no {what} on standard input")
    if len(line) > MAX_INPUT_LINE and not line.endswith("\n"):
        raise _NoAnswer(f"the {what} is longer than {MAX_INPUT_LINE} bytes")
    line = line.strip(" \t\r\n")
    if not line:
        raise _NoAnswer(f"no {what} on standard input (an empty line)")
    return line


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _environment(name: str) -> Optional[str]:
    return os.environ.get(name) or None


def _fail(error: errors.TwError) -> int:
    print(f"{error.status_name}: {error}", file=sys.stderr)
    return errors.EXIT_CODES.get(error.status, errors.EXIT_SOFTWARE)


def _fail_configuration(error: errors.TwError, prog: str) -> int:
    """A flow the library would not make (an option it refuses): exit 78, the status named
    only when its own exit code is 78 (as tw-follow and the follow's options)."""
    if errors.EXIT_CODES.get(error.status) == errors.EXIT_CONFIG:
        _fail(error)
    else:
        print(f"{prog}: {error}", file=sys.stderr)
    return errors.EXIT_CONFIG


PROMPT = "Open this page in a browser, sign in as the account that will follow, and approve the app:\n\n  {url}\n"


def _prompt(url: str, then: str) -> None:
    """The page to open, then what happens next, on stderr (as tw-follow prints them)."""
    print(PROMPT.format(url=url) + "\n" + then, file=sys.stderr, flush=True)


# The saving step: the flow's user into the token store (None with --exports).
Saver = Optional[Callable[[Union[OAuth1Flow, OAuth2Flow]], int]]


def _saver(prog: str, args: argparse.Namespace) -> Saver:
    """Without --exports: a function that saves the authorized user in the store."""
    if args.exports:
        return None
    from . import _store_cli  # it imports this module

    store, account = args.store, args.account
    return lambda flow: _store_cli.save_authorized(prog, flow, store, account)


def _listened(listener: _redirect_listener.Listener, accept: Callable[[Dict[str, str]], bool], wait: int) -> str:
    """The redirected address the listener caught, or _NoAnswer at the deadline."""
    with listener:
        answer = listener.wait(accept, time.monotonic() + wait)
    if answer is None:
        raise _NoAnswer(f"no redirect to {listener.uri} within {wait} s")
    return answer


def _oauth1(prog: str, base_url: Optional[str], args: argparse.Namespace, save: Saver = None) -> int:
    key, secret = _environment("TW_CONSUMER_KEY"), _environment("TW_CONSUMER_SECRET")
    if key is None or secret is None:
        print(f"{prog}: set TW_CONSUMER_KEY and TW_CONSUMER_SECRET to your app's API key and secret", file=sys.stderr)
        return errors.EXIT_CONFIG
    callback = args.callback or "oob"
    try:
        flow = OAuth1Flow(key, secret, callback=callback, base_url=base_url)
    except errors.TwError as e:
        return _fail_configuration(e, prog)
    with flow:
        try:
            url = flow.authorization_url()
            listener = _redirect_listener.open_listener(callback, args.paste, prog, _say) if args.callback else None
            if listener is not None:
                _prompt(url, _redirect_listener.waiting_prompt(callback, args.wait))
                token = flow.request_token  # the 1.0a callback's "state"
                answer = _listened(
                    listener,
                    lambda q: token is not None and token in (q.get("oauth_token"), q.get("denied")),
                    args.wait,
                )
            elif args.callback:
                _prompt(
                    url,
                    f"The browser is then sent to {callback}?oauth_token=...&"
                    "oauth_verifier=... (that page\nmay fail to load: it does not matter). Paste that whole "
                    "address (or just its oauth_verifier) and press Enter:",
                )
                answer = _read_answer("redirected address or verifier")
            else:
                _prompt(url, "Then type the PIN it shows and press Enter:")
                answer = _read_answer("PIN")
            access = flow.fetch_access_token(answer)
        except _NoAnswer as e:
            print(f"{prog}: {e}", file=sys.stderr)
            return errors.EXIT_DATAERR
        except errors.TwError as e:
            return _fail(e)
        if save is not None:
            return save(flow)
    lines = [
        export_line("TW_ACCESS_TOKEN", access.token),
        export_line("TW_ACCESS_TOKEN_SECRET", access.secret),
        f"# user_id {comment_value(access.user_id)} screen_name {comment_value(access.screen_name)}",
    ]
    if not write_tokens("\n".join(lines), sys.stdout, prog):
        return errors.EXIT_IOERR
    return errors.EXIT_OK


def _oauth2(
    prog: str, args: argparse.Namespace, base_url: Optional[str], client_secret: Optional[str], save: Saver = None
) -> int:
    try:
        flow = OAuth2Flow(args.client_id, args.redirect_uri, client_secret, args.scope, base_url=base_url)
    except errors.TwError as e:
        return _fail_configuration(e, prog)
    with flow:
        try:
            url, state = flow.authorization_url()  # checks redirect_uri and scope before anything is shown
        except errors.TwError as e:
            return _fail_configuration(e, prog)
        listener = _redirect_listener.open_listener(args.redirect_uri, args.paste, prog, _say)
        try:
            if listener is not None:
                _prompt(url, _redirect_listener.waiting_prompt(args.redirect_uri, args.wait))
                answer = _listened(listener, lambda q: q.get("state") == state, args.wait)
            else:
                _prompt(
                    url,
                    f"The browser is then sent to {args.redirect_uri}?state=...&code=... "
                    "(that page may fail\nto load: it does not matter). Paste that whole address (or just its code) "
                    "and press Enter:",
                )
                answer = _read_answer("redirected address or code")
            # A person pasting into a terminal: a bare code is fine here (no forged redirect).
            tokens = flow.fetch_token(answer) if is_redirected_url(answer) else flow.fetch_token(code=answer)
        except _NoAnswer as e:
            print(f"{prog}: {e}", file=sys.stderr)
            return errors.EXIT_DATAERR
        except errors.TwError as e:
            return _fail(e)
        if save is not None:
            return save(flow)
    lines = [export_line("TW_OAUTH2_CLIENT_ID", args.client_id), *oauth2_export_lines(tokens)]
    if tokens.get("scope") is not None:
        lines.append(f"# scope {comment_value(tokens['scope'])}")
    if client_secret is not None:
        lines.append("# a confidential client: export TW_OAUTH2_CLIENT_SECRET too, or refreshes are refused")
    if not write_tokens("\n".join(lines), sys.stdout, prog):
        return errors.EXIT_IOERR
    if _environment("TW_ACCESS_TOKEN") is not None:
        print(
            f"{prog}: note: TW_ACCESS_TOKEN is set, and OAuth 1.0a wins: unset TW_ACCESS_TOKEN to follow "
            "with these OAuth 2.0 tokens",
            file=sys.stderr,
        )
    return errors.EXIT_OK


def main(argv: List[str], prog: str = "python -m twfollow") -> int:
    """`PROG authorize ARGV...`."""
    parser = _Parser(
        prog=f"{prog} authorize",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--base-url", metavar="URL", help="API base URL (else TW_API_BASE, else https://api.twitter.com)"
    )
    parser.add_argument("--oauth2", action="store_true", help="OAuth 2.0 instead of OAuth 1.0a")
    parser.add_argument("--client-id", metavar="ID", help="the app's OAuth 2.0 client id (else TW_OAUTH2_CLIENT_ID)")
    parser.add_argument(
        "--client-secret",
        metavar="SECRET",
        help="a confidential client's secret; other users can see it here (ps): prefer TW_OAUTH2_CLIENT_SECRET",
    )
    parser.add_argument("--redirect-uri", metavar="URI", help="the callback URL registered for the app")
    parser.add_argument(
        "--scope", metavar="SCOPES", help='default "tweet.read users.read follows.write offline.access"'
    )
    parser.add_argument("--callback", metavar="URL", help="OAuth 1.0a: the app's callback URL instead of the PIN (oob)")
    parser.add_argument("--paste", action="store_true", help="paste the redirected address instead of listening for it")
    parser.add_argument(
        "--wait",
        metavar="SECONDS",
        type=_seconds,
        default=_redirect_listener.WAIT_SECONDS,
        help=f"how long to listen for the browser (default {_redirect_listener.WAIT_SECONDS})",
    )
    parser.add_argument(
        "--store", metavar="PATH", help="the token store (else TWFOLLOW_STORE, else ~/.config/twfollow/accounts.json)"
    )
    parser.add_argument("--account", metavar="NAME", help="save as NAME (default: the user's screen name)")
    parser.add_argument("--exports", action="store_true", help="print export lines instead of saving (saves nothing)")
    args = parser.parse_args(argv)
    if args.exports and (args.store is not None or args.account is not None):
        print(f"{prog} authorize: --exports saves nothing: it goes without --store and --account", file=sys.stderr)
        return errors.EXIT_USAGE
    base_url = args.base_url if args.base_url is not None else _environment("TW_API_BASE")
    oauth2_options = (args.client_id, args.client_secret, args.redirect_uri, args.scope)
    if not args.oauth2:
        if any(option is not None for option in oauth2_options):
            print(
                f"{prog} authorize: --client-id, --client-secret, --redirect-uri and --scope need --oauth2",
                file=sys.stderr,
            )
            return errors.EXIT_USAGE
        if args.callback == "":
            print(f"{prog} authorize: --callback needs a URL", file=sys.stderr)
            return errors.EXIT_USAGE
        return _oauth1(prog, base_url, args, _saver(prog, args))
    if args.callback is not None:
        print(f"{prog} authorize: --callback is for OAuth 1.0a; OAuth 2.0 takes --redirect-uri", file=sys.stderr)
        return errors.EXIT_USAGE
    if args.client_secret is not None:
        print(
            f"{prog}: warning: other users can see --client-secret (ps); set TW_OAUTH2_CLIENT_SECRET instead",
            file=sys.stderr,
        )
    client_secret = args.client_secret if args.client_secret is not None else _environment("TW_OAUTH2_CLIENT_SECRET")
    args.client_id = args.client_id or _environment("TW_OAUTH2_CLIENT_ID")
    if not args.client_id or args.redirect_uri is None:
        print(
            f"{prog} authorize: --oauth2 needs --client-id (or TW_OAUTH2_CLIENT_ID) and --redirect-uri",
            file=sys.stderr,
        )
        return errors.EXIT_USAGE
    return _oauth2(prog, args, base_url, client_secret or None, _saver(prog, args))
