"""python -m twfollow [--notify] [--base-url URL] [--timeout SECONDS] [--ca-file PEM]
                    [--proxy URL] [--api-version 1.1|2] TARGET

Follows TARGET with credentials from TW_CONSUMER_KEY, TW_CONSUMER_SECRET,
TW_ACCESS_TOKEN, TW_ACCESS_TOKEN_SECRET (and TW_API_BASE, TW_API_VERSION), or with
an OAuth 2.0 user token from TW_OAUTH2_ACCESS_TOKEN when TW_ACCESS_TOKEN is not set
(rotated tokens are then printed on stderr as export lines), prints the API's JSON
answer. `python -m twfollow authorize [--oauth2 ...]` gets the tokens (see its --help).
Exit codes are those of the C tool tw-follow (errors.EXIT_CODES): 0 success,
64 usage, 78 configuration, and one code per status family.
"""

from __future__ import annotations

import argparse
import sys
from typing import List, NoReturn, Optional

from . import _authorize_cli, errors
from .client import Client, version


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(errors.EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _fail(error: errors.TwError, exit_code: int) -> int:
    print(f"{error.status_name}: {error}", file=sys.stderr)
    return exit_code


def main(argv: Optional[List[str]] = None) -> int:
    # `authorize` gets tokens (_authorize_cli.py); a user of that name: @authorize.
    arguments = sys.argv[1:] if argv is None else argv
    if arguments[:1] == ["authorize"]:
        return _authorize_cli.main(arguments[1:])
    parser = _Parser(
        prog="python -m twfollow",
        description="Follow a user on Twitter/X.",
        epilog="python -m twfollow authorize [--oauth2 ...] gets a user's tokens (see its --help).",
    )
    parser.add_argument("target", help="@name, name, or a numeric user id")
    parser.add_argument("--notify", action="store_true", help="turn on notifications for the user's posts")
    parser.add_argument("--base-url", help="API base URL (default: TW_API_BASE or https://api.twitter.com)")
    parser.add_argument("--timeout", type=float, help="deadline for the whole call, in seconds (default 30)")
    parser.add_argument("--ca-file", help="trust the certificates of this PEM file instead of the built-in roots")
    parser.add_argument("--proxy", help='proxy URL (http://, https://, socks5://, socks5h://); "" for none')
    parser.add_argument(
        "--api-version", choices=["1.1", "2"], help="Twitter API version (default: TW_API_VERSION or 1.1)"
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    args = parser.parse_args(argv)
    try:
        client = Client.from_env(
            base_url=args.base_url,
            timeout=args.timeout,
            ca_file=args.ca_file,
            proxy=args.proxy,
            api_version=args.api_version,
            # OAuth 2.0 tokens from TW_OAUTH2_*: a refresh rotates them; print the new ones.
            on_token_refresh=lambda tokens: _authorize_cli.print_refreshed_tokens(tokens, "python -m twfollow"),
        )
    except errors.TwError as e:
        return _fail(e, errors.EXIT_CONFIG)
    with client:
        try:
            print(client.follow_json(args.target, notify=args.notify))
        except errors.TwError as e:
            return _fail(e, errors.EXIT_CODES.get(e.status, errors.EXIT_SOFTWARE))
    return errors.EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
