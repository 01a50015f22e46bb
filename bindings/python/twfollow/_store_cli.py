"""The token-store side of `python -m twfollow`, the same behaviour as tw-follow's:
which credentials a call uses, the `accounts` and `token` verbs, and the saving step
of `authorize`. Messages and formats are byte for byte tw-follow's."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from typing import Any, Dict, Iterator, List, Optional, Union

from . import errors
from ._authorize_cli import oauth2_export_lines
from ._environment import _environment
from .auth import OAuth1Flow, OAuth2Flow
from .client import Client
from .store import Account, Store

# The message a refused OAuth 2.0 call from TW_OAUTH2_* variables ends with.
NO_ENV_REFRESH = (
    "the CLI does not refresh tokens from TW_OAUTH2_* variables (the rotated refresh token "
    "would be lost): run `{prog} accounts import env` once and use the store"
)


def _env_user_credentials() -> bool:
    """True when the environment holds a user's token (OAuth 1.0a or OAuth 2.0)."""
    return _environment("TW_ACCESS_TOKEN") is not None or _environment("TW_OAUTH2_ACCESS_TOKEN") is not None


def env_oauth2() -> bool:
    """True when a call would follow with TW_OAUTH2_* variables (as tw_config_from_env chooses)."""
    return _environment("TW_ACCESS_TOKEN") is None and _environment("TW_OAUTH2_ACCESS_TOKEN") is not None


@contextlib.contextmanager
def _without_refresh_token() -> Iterator[None]:
    """The config made meanwhile has no refresh token, so it can never refresh: the
    rotated pair would reach only this process's output, which cron discards."""
    saved = os.environ.pop("TW_OAUTH2_REFRESH_TOKEN", None)
    try:
        yield
    finally:
        if saved is not None:
            os.environ["TW_OAUTH2_REFRESH_TOKEN"] = saved


def uses_store(account: Optional[str], store: Optional[str]) -> bool:
    """--account or --store, or no user token in the environment: the token store."""
    return account is not None or store is not None or not _env_user_credentials()


def options_from_environment(options: Dict[str, Any]) -> Dict[str, Any]:
    """A stored account keeps no base URL or API version: TW_API_BASE and TW_API_VERSION
    apply to it as to credentials from the environment, unless an option replaced them."""
    options = dict(options)
    base, version = _environment("TW_API_BASE"), _environment("TW_API_VERSION")
    if options.get("base_url") is None and base is not None:
        options["base_url"] = base
    if options.get("api_version") is None and version is not None:
        if version not in ("1", "1.1", "2", "auto"):
            raise errors.InvalidArgumentError(
                errors.Status.INVALID_ARGUMENT, "environment variable TW_API_VERSION must be 1.1, 2 or auto"
            )
        options["api_version"] = version
    return options


def make_client(prog: str, account: Optional[str], store: Optional[str], options: Dict[str, Any]) -> Client:
    """The client of a call: --account (or --store) -> the store; else TW_* credentials
    in the environment; else the store's default account. Raises TwError."""
    if not uses_store(account, store):
        with _without_refresh_token():
            return Client.from_env(**options)
    if account is None and store is None and not os.path.exists(Store().path):
        # No store and no credentials: the environment's own "not set" error, plus the way out.
        try:
            Client.from_env(**options).close()
        except errors.TwError as e:
            e.message = f"{e.message}, or run `{prog} authorize` to save an account"
            e.args = (e.message,)
            raise
    return Client.from_store(account, store, **options_from_environment(options))


def refuse_expired_env_token(prog: str) -> Optional[errors.TwError]:
    """An expired TW_OAUTH2_ACCESS_TOKEN (by TW_OAUTH2_EXPIRES_AT): the error to fail with
    before anything is sent (a request with it would be refused, and it costs money)."""
    expires = _environment("TW_OAUTH2_EXPIRES_AT")
    if expires is None or not expires.strip().isdigit():
        return None  # unknown (or refused by the library, which names the variable)
    expires_at = int(expires.strip())
    if expires_at == 0 or expires_at > time.time():
        return None
    when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(expires_at))
    return errors.AuthError(
        errors.Status.AUTH,
        f"the OAuth 2.0 access token of TW_OAUTH2_ACCESS_TOKEN expired at {when} (nothing was sent); "
        + NO_ENV_REFRESH.format(prog=prog),
    )


def explain(error: errors.TwError, prog: str, from_env_oauth2: bool) -> errors.TwError:
    """Adds to an AuthError of a TW_OAUTH2_* call why the CLI did not refresh."""
    if from_env_oauth2 and isinstance(error, errors.AuthError):
        error.message = f"{error.message}; " + NO_ENV_REFRESH.format(prog=prog)
        error.args = (error.message,)
    return error


def print_unsaved_tokens(client: Client, prog: str) -> bool:
    """After TOKENS_NOT_SAVED: the only copy of the new pair, on stderr (exit 73).
    False when it could not be written either (the caller exits EXIT_IOERR)."""
    try:
        tokens = client.tokens
    except errors.TwError:
        return True
    text = (
        f"{prog}: the refreshed OAuth 2.0 tokens could not be saved to the store and the old refresh\n"
        f"{prog}: token no longer works; keep these lines (they hold secrets), fix the store, and\n"
        f"{prog}: eval them and run `{prog} accounts import env`:\n" + "\n".join(oauth2_export_lines(tokens))
    )
    # Straight to the descriptor: the CLI's stderr drops failed writes (as tw-follow's
    # fprintf does), but this one must be known to have failed (exit 74).
    data = (text + "\n").encode()
    try:
        while data:
            data = data[os.write(2, data) :]
    except OSError:
        return False
    return True


def _expiry(account: Account) -> str:
    if account.kind != "oauth2":
        return "no expiry"
    refresh = ", refreshable" if account.has_refresh_token else ", no refresh token"
    if account.expires_at == 0:
        return "expiry unknown" + refresh
    return "expires " + time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(account.expires_at)) + refresh


# What a terminal would act on: ASCII controls, DEL, the C1 controls, the bidirectional marks and overrides.
_TERMINAL_CONTROLS = {
    **{c: f"\\x{c:02x}" for c in [*range(0x20), 0x7F]},
    **{c: f"\\u{c:04x}" for c in [*range(0x80, 0xA0), 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]},
    ord("\\"): "\\\\",
}


def escaped(text: str) -> str:
    """`text` as the listing prints it, as tw-follow escapes it (a store edited by hand, or a
    file of another tool, may hold anything): ASCII controls and DEL as \\xHH, C1 controls and
    bidirectional marks as \\uXXXX, a backslash as \\\\."""
    return text.translate(_TERMINAL_CONTROLS)


def account_lines(path: str, accounts: List[Account]) -> List[str]:
    """The `accounts` listing: "* " marks the default; no secret in it; every field escaped."""
    if not accounts:
        return [f"no accounts in {escaped(path)}"]
    lines = [f"accounts in {escaped(path)}:"]
    for account in accounts:
        mark = "*" if account.default else " "
        # A screen name or id not known yet (an imported OAuth 2.0 account before its first call): "-".
        screen_name = f"@{account.screen_name}" if account.screen_name else "-"
        lines.append(
            f"{mark} {escaped(account.name)}  {escaped(account.kind or '')}  {escaped(screen_name)}"
            f"  id {escaped(account.user_id or '-')}  app {escaped(account.app)}  {_expiry(account)}"
        )
    return lines


def _source_name(kind: str, path: Optional[str]) -> str:
    """What the import messages call the source: the file given, or the tool's own."""
    if path is not None:
        return path
    return {"twurl": "~/.twurlrc", "xurl": "~/.xurl"}.get(kind, "the TW_OAUTH2_* variables")


def import_lines(prog: str, kind: str, path: Optional[str], store: Store, force: bool) -> List[str]:
    """`accounts import`: the lines tw-follow prints for what was imported, kept and handed over."""
    report = store.import_from(kind, path, force=force)
    source, where = _source_name(kind, path), store.path
    return (
        [f"{prog}: imported account {name} into {where}" for name in report]
        + [
            f"{prog}: kept: the store's grant for {name} is newer than the one in {source}; --force replaces it"
            for name in report.kept
        ]
        + [
            f"{prog}: warning: the OAuth 2.0 grant of {name} belongs to the store now: {source} stops working "
            "for it once twfollow refreshes it (X rotates the refresh token)"
            for name in report.handed_over
        ]
    )


def accounts_main(
    prog: str,
    words: List[str],
    store_path: Optional[str],
    as_json: bool,
    revoke: bool,
    options: Dict[str, Any],
    force: bool = False,
) -> int:
    """`accounts [--json]`, `accounts default NAME`, `accounts remove NAME [--revoke]`,
    `accounts import twurl|xurl|env [PATH] [--force]`: words after "accounts"."""
    store = Store(store_path)
    verb = words[0] if words else None
    usage = (
        f"{prog}: usage: accounts [--json] | accounts default NAME | accounts remove NAME [--revoke] | "
        "accounts import twurl|xurl|env [PATH] [--force]"
    )
    shapes = {None: (0, 0), "default": (1, 1), "remove": (1, 1), "import": (1, 2)}
    if verb not in shapes or not shapes[verb][0] <= max(len(words) - 1, 0) <= shapes[verb][1]:
        print(usage, file=sys.stderr)
        return errors.EXIT_USAGE
    if (as_json and verb is not None) or (revoke and verb != "remove") or (force and verb != "import"):
        print(
            f"{prog}: --json goes with accounts alone, --revoke with accounts remove, --force with accounts import",
            file=sys.stderr,
        )
        return errors.EXIT_USAGE
    try:
        if verb is None:
            if as_json:
                print(store.listing_json())
            else:
                print("\n".join(account_lines(store.path, store.accounts())))
        elif verb == "default":
            store.set_default(words[1])
            print(f"{prog}: {words[1]} is now the default account in {store.path}", file=sys.stderr)
        elif verb == "remove":
            store.remove(words[1], revoke=revoke, **options)
            revoked = " (its grant revoked at X)" if revoke else ""
            print(f"{prog}: removed account {words[1]}{revoked} from {store.path}", file=sys.stderr)
        else:
            for line in import_lines(prog, words[1], words[2] if len(words) > 2 else None, store, force):
                print(line, file=sys.stderr)
    except errors.TwError as e:
        print(f"{e.status_name}: {e}", file=sys.stderr)
        return errors.EXIT_CODES.get(e.status, errors.EXIT_SOFTWARE)
    return errors.EXIT_OK


def save_authorized(
    prog: str, flow: Union[OAuth1Flow, OAuth2Flow], store_path: Optional[str], account: Optional[str]
) -> int:
    """The saving step of `authorize`: the flow's user into the store, and where on stderr."""
    store = Store(store_path)
    try:
        name = store.save(flow, account)
        path = store.path
    except errors.TwError as e:
        print(f"{e.status_name}: {e}", file=sys.stderr)
        return errors.EXIT_CODES.get(e.status, errors.EXIT_SOFTWARE)
    print(f"{prog}: saved account {name} to {path}", file=sys.stderr)
    if _env_user_credentials():
        print(
            f"{prog}: note: a user token is set in the environment, and it wins over the store's default "
            f"account: unset it, or follow with --account {name}",
            file=sys.stderr,
        )
    return errors.EXIT_OK
