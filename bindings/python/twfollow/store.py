"""The token store: named accounts in one locked JSON file (docs/tokens.md), each call one tw_store_* call."""

from __future__ import annotations

import ctypes
import dataclasses
import os
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Union

from ._options import Options, StorePath, Unpack
from ._results import _encode, _encode_optional, _parse_object, api, checked_int, invalid, strings, take_string
from .aio import AsyncClient
from .auth import OAuth1Flow, OAuth2Flow
from .client import Client
from .errors import TwError

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
        # What the record lacks (null in the listing) is "", 0 or False by its field's type (a missing kind: None).
        empty: Dict[str, Any] = {"str": "", "int": 0, "bool": False}
        values: Dict[str, Any] = {f.name: record.get(f.name) or empty.get(str(f.type)) for f in dataclasses.fields(cls)}
        return cls(**values)


class ImportedAccounts(List[str]):
    """The names `Store.import_from` imported, with those it `kept` and those `handed_over` (docs/python.md)."""

    def __init__(self, imported: List[str], kept: List[str], handed_over: List[str]) -> None:
        super().__init__(imported)
        self.kept = kept
        self.handed_over = handed_over

    @property
    def imported(self) -> List[str]:
        return list(self)


class Store:
    """The token store at `path` (None: the usual path) or a `redis://`/`rediss://` URL; each method takes its
    lock, and leaves the store untouched when it raises StoreError."""

    def __init__(self, path: StorePath = None) -> None:
        self._given = None if path is None else os.fspath(path)
        self._path = _encode_optional(self._given, "path")

    @property
    def path(self) -> str:
        """The file this store names (it may not exist yet), or its URL without the password."""
        return strings(api.tw_store_path, self._path)[0]

    def _listing(self) -> Dict[str, Any]:
        return _parse_object(self.listing_json())

    def accounts(self) -> List[Account]:
        """The accounts (none when the file does not exist yet)."""
        return [Account.from_listing(record) for record in self._listing().get("accounts", [])]

    def account_at(self, index: int) -> Optional[Account]:
        """The `index`-th account of `accounts()`, or None past the end (its record alone is read)."""
        index = checked_int(index, 0, 2**32 - 1, "index must be an int from 0 to 2**32-1")
        out = ctypes.c_void_p()
        api.tw_store_account_at(self._path, index, ctypes.byref(out), None)
        if not out.value:
            return None
        return Account.from_listing(_parse_object(take_string(out)))

    def listing_json(self) -> str:
        """The listing as the library gives it: {"path", "default", "accounts": [...]}."""
        return strings(api.tw_store_list, self._path)[0]

    @property
    def default(self) -> Optional[str]:
        """The default account's name, or None."""
        name = self._listing().get("default")
        return None if name is None else str(name)

    def save(self, source: Union[Client, AsyncClient, OAuth1Flow, OAuth2Flow], account: Optional[str] = None) -> str:
        """Saves a client's or a flow's user and app as `account` (None: the screen name); returns the name."""
        client = source if isinstance(source, Client) else source._client  # the flow's or AsyncClient's
        return client._call(api.tw_store_save_account, self._path, _encode_optional(account, "account"))[0]

    def set_default(self, name: str) -> None:
        """Makes `name` the default account."""
        api.tw_store_set_default(self._path, _encode(name, "name"))

    def remove(self, name: str, revoke: bool = False, **options: Unpack[Options]) -> None:
        """Removes the account (and its app when no other account uses it); with `revoke`, revokes it first, and
        removes nothing when the revoke fails."""
        name_bytes = _encode(name, "name")
        if revoke:
            self.revoke(name, **options)
        api.tw_store_remove(self._path, name_bytes)

    def revoke(self, name: str, **options: Unpack[Options]) -> None:
        """Revokes the account's OAuth 2.0 grant at X (InvalidArgumentError for OAuth 1.0a); it stays stored."""
        with Client.from_store(name, self._given, **options) as client:
            if not client._holds_oauth2_tokens():
                raise invalid(
                    f"account {name} is OAuth 1.0a: its tokens are revoked by the user in the app's settings at X "
                    "(nothing was revoked or removed)",
                )
            tokens = client.tokens
            client.revoke(tokens.get("refresh_token") or tokens["access_token"])

    def import_from(self, kind: str, path: StorePath = None, force: bool = False) -> ImportedAccounts:
        """Imports the accounts of "twurl", "xurl" or "env" (the TW_* variables) from `path` (None: the tool's);
        a stored OAuth 2.0 grant newer than the imported one is kept unless `force`."""
        source = None if path is None else _encode(os.fspath(path), "path")
        flags = _TW_STORE_IMPORT_FORCE if force else 0
        lists = strings(api.tw_store_import_ex, self._path, _encode(kind, "kind"), source, flags, count=3)
        # Each list's names are each ended by a newline ("" for none).
        return ImportedAccounts(*(text.split("\n")[:-1] for text in lists))

    def __repr__(self) -> str:
        if self._given is None:
            return "<twfollow.Store (default path)>"
        try:
            shown = self.path  # a URL's password removed
        except TwError:
            shown = "(refused)"
        return f"<twfollow.Store {shown}>"
