"""Getting a user's tokens: the OAuth 1.0a PIN / callback flow and OAuth 2.0 with PKCE (docs/tokens.md)."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Optional, Sequence, Tuple

from ._options import OAUTH2_OPTION_NAMES, OAuth2Options, Options, Self, Unpack, check_names
from ._results import _encode, _encode_optional, _parse_object, api, invalid
from .client import Client, TokenHandler
from .errors import AuthError, Status


class _AppConfig:
    """What both flows share: a config of the app's own for the flow's requests, closed with it."""

    def _make_config(self, make: Callable[..., int], arguments: Sequence[Any], options: OAuth2Options) -> None:
        check_names(options, OAUTH2_OPTION_NAMES)
        self._options = options
        self._client = Client.__new__(Client)
        self._client._adopt(make, arguments, options, {})

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


@dataclass(frozen=True)
class OAuth1Token:
    """A user's OAuth 1.0a access token, from `OAuth1Flow.fetch_access_token`: it does not expire."""

    token: str = field(repr=False)
    secret: str = field(repr=False)
    user_id: str
    screen_name: str
    # A closure, not the flow: dataclasses.asdict and copy.deepcopy copy a function as it is, and the
    # flow holds a ctypes pointer they cannot copy (test_the_pin_flow_gets_a_token_that_follows).
    _make_client: Callable[..., Client] = field(repr=False, compare=False, default=None)  # type: ignore[assignment]

    def client(self, **options: Unpack[Options]) -> Client:
        """A new `Client` that follows as this user, with the flow's app keys and options (`options` win)."""
        return self._make_client(self.token, self.secret, **options)


class OAuth1Flow(_AppConfig):
    """The OAuth 1.0a three-legged flow for one user (`callback="oob"`: the PIN flow). Close it, or use `with`."""

    def __init__(
        self,
        consumer_key: str,
        consumer_secret: str,
        callback: str = "oob",
        *,
        request_token: Optional[str] = None,
        request_token_secret: Optional[str] = None,
        **options: Unpack[OAuth2Options],
    ) -> None:
        if (request_token is None) != (request_token_secret is None):
            raise invalid("request_token and request_token_secret go together: give both or neither")
        self._consumer = (consumer_key, consumer_secret)
        self._callback = _encode(callback, "callback")
        self.request_token = request_token
        self.request_token_secret = request_token_secret
        keys = (_encode(consumer_key, "consumer_key"), _encode(consumer_secret, "consumer_secret"))
        self._make_config(api.tw_config_new_app, keys, options)

    def authorization_url(self) -> str:
        """Step 1: gets a request token (kept in the flow) and returns the URL the user opens."""
        token, secret, url = self._client._call(api.tw_oauth1_request_token, self._callback, count=3)
        self.request_token, self.request_token_secret = token, secret
        return url

    def fetch_access_token(self, verifier: str) -> OAuth1Token:
        """Step 2: the user's access token for the PIN, the callback's `oauth_verifier` or its whole URL."""
        if self.request_token is None or self.request_token_secret is None:
            raise invalid(
                "no request token: call authorization_url() first, or make the flow with request_token and "
                "request_token_secret"
            )
        if isinstance(verifier, str) and verifier.strip().startswith(("http://", "https://")):
            verifier = self._verifier_from_callback(verifier.strip())
        elif isinstance(verifier, str):
            verifier = verifier.strip()  # a PIN pasted with its line ending
        arguments = (
            _encode(self.request_token, "request_token"),
            _encode(self.request_token_secret, "request_token_secret"),
            _encode(verifier, "verifier"),
        )
        answer = _parse_object(self._client._call(api.tw_oauth1_access_token, *arguments)[0])
        consumer_key, consumer_secret = self._consumer

        def make_client(token: str, secret: str, **overrides: Any) -> Client:
            return Client(consumer_key, consumer_secret, token, secret, **dict(self._options, **overrides))

        return OAuth1Token(
            answer["oauth_token"], answer["oauth_token_secret"], answer["user_id"], answer["screen_name"], make_client
        )

    def _verifier_from_callback(self, url: str) -> str:
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query, keep_blank_values=True))
        if "denied" in query:
            raise AuthError(Status.AUTH, "the user denied access to the app (the callback says denied)")
        if query.get("oauth_token") != self.request_token:
            raise invalid("the callback's oauth_token is not this flow's request token: nothing was sent")
        if not query.get("oauth_verifier"):
            raise invalid("the callback URL has no oauth_verifier")
        return query["oauth_verifier"]

    def __repr__(self) -> str:
        step = "request token held" if self.request_token else "no request token yet"
        return f"<twfollow.OAuth1Flow {step}>"


class OAuth2Flow(_AppConfig):
    """OAuth 2.0 Authorization Code with PKCE for one user. Close it, or use `with`."""

    def __init__(
        self,
        client_id: str,
        redirect_uri: str,
        client_secret: Optional[str] = None,
        scope: Optional[str] = None,
        *,
        state: Optional[str] = None,
        code_verifier: Optional[str] = None,
        **options: Unpack[OAuth2Options],
    ) -> None:
        self.client_id = client_id
        self.redirect_uri = redirect_uri
        self.scope = scope
        self.state = state
        self.code_verifier = code_verifier
        self._client_secret = client_secret
        self._redirect_uri = _encode(redirect_uri, "redirect_uri")
        self._scope = _encode_optional(scope, "scope")
        self._tokens: Optional[Dict[str, Any]] = None
        client = (_encode(client_id, "client_id"), _encode_optional(client_secret, "client_secret"))
        self._make_config(api.tw_config_new_oauth2, client, options)

    def authorization_url(self) -> Tuple[str, str]:
        """Step 1: (the URL the user opens to approve the app, its `state`); sends nothing."""
        url, state, verifier = self._client._call(api.tw_oauth2_authorize_url, self._redirect_uri, self._scope, count=3)
        self.state, self.code_verifier = state, verifier
        return url, state

    def fetch_token(self, redirected_url: Optional[str] = None, *, code: Optional[str] = None) -> Dict[str, Any]:
        """Step 2: the tokens, to store, for the whole redirected URL (its `state` checked) or a bare `code=`."""
        if (redirected_url is None) == (code is None):
            raise invalid("pass the redirected URL, or code= for a bare code (one of them)")
        if self.code_verifier is None:
            raise invalid(
                "no PKCE verifier: call authorization_url() first, or make the flow with state and code_verifier",
            )
        # One of the two is given (checked above).
        text = code if code is not None else (redirected_url or "")
        if isinstance(text, str):
            text = text.strip()
            # tw_oauth2_exchange_code's rule for a redirected URL (whose state it checks): "://" in it, or a
            # query starting with "?".
            if code is None and not ("://" in text or text.startswith("?")):
                raise invalid(
                    "fetch_token takes the whole redirected URL, whose state is checked against this flow's; this is "
                    "a bare code, which would skip that check: pass the URL (a web app: the callback request's full "
                    "URL), or code=... where a person pasted it. Nothing was sent",
                )
        arguments = (
            self._redirect_uri,
            _encode(text, "redirected_url" if code is None else "code"),
            _encode_optional(self.state, "state"),
            _encode(self.code_verifier, "code_verifier"),
        )
        self._tokens = _parse_object(self._client._call(api.tw_oauth2_exchange_code, *arguments)[0])
        return dict(self._tokens)

    def client(self, on_token_refresh: Optional[TokenHandler] = None, **options: Unpack[OAuth2Options]) -> Client:
        """A new `Client` that follows with the tokens `fetch_token` got (`options` win over the flow's)."""
        if self._tokens is None:
            raise invalid("no tokens yet: call fetch_token() first")
        tokens = self._tokens
        merged: OAuth2Options = {**self._options, **options}
        return Client.oauth2(
            self.client_id,
            tokens["access_token"],
            tokens.get("refresh_token"),
            tokens.get("expires_at") or 0,
            client_secret=self._client_secret,
            on_token_refresh=on_token_refresh,
            **merged,
        )

    def __repr__(self) -> str:
        return f"<twfollow.OAuth2Flow client_id={self.client_id!r} redirect_uri={self.redirect_uri!r}>"
