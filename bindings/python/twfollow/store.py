"""The token store: named accounts in one locked JSON file (docs/tokens.md).

    store = twfollow.Store()              # TWFOLLOW_STORE, else ~/.config/twfollow/accounts.json
    name = store.save(flow_or_client)     # after authorizing
    with twfollow.Client.from_store() as client:   # the default account
        client.follow("@twitterdev")

Every call here is one C call of the store API (include/twfollow.h, tw_store_*):
the file's locking, permissions and atomic rewrites are the library's.
"""

from __future__ import annotations

import ctypes
import json
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Union

from ._options import Options
from ._results import _encode, api, strings, take_string
from .aio import AsyncClient
from .auth import OAuth1Flow, OAuth2Flow
from .client import Client
from .errors import InvalidArgumentError, Status, TwError

if TYPE_CHECKING:
    from typing_extensions import Unpack

StorePath = Union[str, "os.PathLike[str]", None]
# TwStoreImport: the flag of tw_store_import_ex.
_TW_STORE_IMPORT_FORCE = 1


@dataclass(frozen=True)
class Account:
    """One stored account, as the listing gives it: no secret in it."""

    name: str
    kind: Optional[str]  # "oauth1" or "oauth2"; None for a record without one (edited by hand)
    screen_name: str
    user_id: str  # digits: ids exceed 2**53
    app: str
    expires_at: int  # seconds since the Unix epoch; 0 unknown (always 0 for OAuth 1.0a)
    has_refresh_token: bool
    default: bool

    @classmethod
    def from_listing(cls, record: Dict[str, Any]) -> "Account":
        return cls(
            name=str(record["name"]),
            kind=None if record.get("kind") is None else str(record["kind"]),
            screen_name=str(record.get("screen_name") or ""),
            user_id=str(record.get("user_id") or ""),
            app=str(record.get("app") or ""),
            expires_at=int(record.get("expires_at") or 0),
            has_refresh_token=bool(record.get("has_refresh_token")),
            default=bool(record.get("default")),
        )


class ImportedAccounts(List[str]):
    """What `Store.import_from` did: the names imported (it is their list, in the source's
    order, as before), and `kept`, the accounts left as they were because the store holds
    another OAuth 2.0 grant of the same app and user, newer than the source's (`force=True`
    replaces them), and `handed_over`, the imported accounts whose OAuth 2.0 refresh token
    belongs to the store from now on (the source tool's copy stops working at the store's
    first refresh)."""

    def __init__(self, imported: List[str], kept: List[str], handed_over: List[str]) -> None:
        super().__init__(imported)
        self.kept = kept
        self.handed_over = handed_over

    @property
    def imported(self) -> List[str]:
        return list(self)


def _names(text: str) -> List[str]:
    """tw_store_import_ex's names: each ended by a newline."""
    return text.split("\n")[:-1] if text else []


def _optional(value: Optional[str], name: str) -> Optional[bytes]:
    return None if value is None else _encode(value, name)


class Store:
    """The token store at `path` (None: TWFOLLOW_STORE, else
    $XDG_CONFIG_HOME/twfollow/accounts.json, else ~/.config/twfollow/accounts.json,
    read at each call), or on the Redis server of a `redis://` or `rediss://` URL (the
    store many hosts share; docs/tokens.md, "Many hosts"). Holds no file open and no
    secret: each method reads or rewrites the store under its lock. Raises StoreError for an unusable store (bad
    permissions, not JSON, unknown version) or a missing account, the file untouched."""

    def __init__(self, path: StorePath = None) -> None:
        self._given = None if path is None else os.fspath(path)
        self._path = _optional(self._given, "path")

    @property
    def path(self) -> str:
        """The file this store names (it may not exist yet), or its URL without the password."""
        return strings(api.tw_store_path, self._path)[0]

    def _listing(self) -> Dict[str, Any]:
        listing = json.loads(self.listing_json())
        if not isinstance(listing, dict):
            raise ValueError("the library's account list is not a JSON object")
        return listing

    def accounts(self) -> List[Account]:
        """The accounts (none when the file does not exist yet)."""
        return [Account.from_listing(record) for record in self._listing().get("accounts", [])]

    def account_at(self, index: int) -> Optional[Account]:
        """The `index`-th account of `accounts()` (None past the end), read with one C
        call that returns its record alone (tw_store_account_at)."""
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < 2**32:
            raise InvalidArgumentError(Status.INVALID_ARGUMENT, "index must be an int from 0 to 2**32-1")
        out = ctypes.c_void_p()
        api.tw_store_account_at(self._path, index, ctypes.byref(out), None)
        if not out.value:
            return None
        record = json.loads(take_string(out))
        return Account.from_listing(record) if isinstance(record, dict) else None

    def listing_json(self) -> str:
        """The listing as the library gives it: {"path", "default", "accounts": [...]}."""
        return strings(api.tw_store_list, self._path)[0]

    @property
    def default(self) -> Optional[str]:
        """The default account's name, or None."""
        name = self._listing().get("default")
        return None if name is None else str(name)

    def save(self, source: Union[Client, AsyncClient, OAuth1Flow, OAuth2Flow], account: Optional[str] = None) -> str:
        """Saves the user `source` follows as (a Client or AsyncClient, or a flow after
        `fetch_access_token` / `fetch_token`) and its app as `account` (None: the
        user's screen name; one of that name is replaced), the default when the store
        has none. Returns the name. From then on an OAuth 2.0 `source` is store-backed:
        its refreshes are saved here. A flow holds the tokens `fetch_token` got: save it
        before a client made from it refreshes (or save that client instead)."""
        client = source if isinstance(source, Client) else source._client  # the flow's or AsyncClient's
        name = _optional(account, "account")
        with client._borrowed() as config:
            return strings(api.tw_store_save_account, config, self._path, name)[0]

    def set_default(self, name: str) -> None:
        """Makes `name` the default account."""
        api.tw_store_set_default(self._path, _encode(name, "name"))

    def remove(self, name: str, revoke: bool = False, **options: Unpack[Options]) -> None:
        """Removes the account (and its app when no other account uses it). With
        `revoke`, first revokes its OAuth 2.0 grant at X (the refresh token, else the
        access token; `options` as for `revoke`): when X refuses, the account stays.
        OAuth 1.0a tokens are revoked by the user in their settings
        (InvalidArgumentError, nothing removed)."""
        name_bytes = _encode(name, "name")
        if revoke:
            self.revoke(name, **options)
        api.tw_store_remove(self._path, name_bytes)

    def revoke(self, name: str, **options: Unpack[Options]) -> None:
        """Revokes the account's OAuth 2.0 grant at X (the account stays stored);
        `options` are those of `Client` (base_url, timeout, proxy...)."""
        with Client.from_store(name, self._given, **options) as client:
            if not client._holds_oauth2_tokens():
                raise InvalidArgumentError(
                    Status.INVALID_ARGUMENT,
                    f"account {name} is OAuth 1.0a: its tokens are revoked by the user in the app's settings at X "
                    "(nothing was revoked or removed)",
                )
            tokens = client.tokens
            client.revoke(tokens.get("refresh_token") or tokens["access_token"])

    def import_from(self, kind: str, path: StorePath = None, force: bool = False) -> ImportedAccounts:
        """Imports the accounts of another tool: "twurl" (~/.twurlrc), "xurl" (~/.xurl)
        or "env" (the TW_* and TW_OAUTH2_* variables; `path` must be None). `path`
        None: the tool's own file (a regular file of at most 1 MiB). Accounts of the same
        names are replaced, except a stored OAuth 2.0 grant of the same app and user that
        differs from the source's: the store's is newer, and it is kept unless `force`.
        Returns the names imported, with `.kept` and `.handed_over` (ImportedAccounts)."""
        source = None if path is None else _encode(os.fspath(path), "path")
        flags = _TW_STORE_IMPORT_FORCE if force else 0
        lists = strings(api.tw_store_import_ex, self._path, _encode(kind, "kind"), source, flags, count=3)
        return ImportedAccounts(*map(_names, lists))

    def __repr__(self) -> str:
        if self._given is None:
            return "<twfollow.Store (default path)>"
        try:
            shown = self.path  # a URL's password removed
        except TwError:
            shown = "(refused)"
        return f"<twfollow.Store {shown}>"
