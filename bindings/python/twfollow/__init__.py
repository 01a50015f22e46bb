"""Follow a user on Twitter/X through the twfollow C library.

    import twfollow
    with twfollow.Client(consumer_key, consumer_secret, access_token, access_token_secret) as client:
        user = client.follow("@twitterdev")

    async with twfollow.AsyncClient(...same arguments...) as client:  # asyncio
        user = await client.follow("@twitterdev")

Getting a user's tokens: twfollow.OAuth1Flow (PIN or callback), twfollow.OAuth2Flow
(PKCE), and Client.oauth2 for OAuth 2.0 user tokens (see twfollow.auth). Keeping
them: twfollow.Store and Client.from_store (the token store, docs/tokens.md).
"""

from ._native import LibraryNotFoundError
from .aio import AsyncClient
from .auth import OAuth1Flow, OAuth1Token, OAuth2Flow
from .client import Budget, Client, DayBudgets, RateLimit, refreshes_in_flight, version
from .errors import (
    AccessTierError,
    AccountStateError,
    AlreadyRequestedError,
    AppPermissionError,
    AuthError,
    BadResponseError,
    BlockedError,
    FollowLimitError,
    ForbiddenError,
    HTTPError,
    InternalError,
    InvalidArgumentError,
    NetworkError,
    NoRateLimitError,
    NotFoundError,
    PaymentRequiredError,
    Problem,
    RateLimitError,
    ReentrantCallError,
    ServerError,
    Status,
    StoreError,
    TimeoutError,
    TLSError,
    TokensNotSavedError,
    TwError,
    UsageCappedError,
    UserNotEnrolledError,
)
from .store import Account, ImportedAccounts, Store
from .trace import TraceKind

__version__ = "0.1.0"

__all__ = [
    "AccessTierError",
    "Account",
    "AccountStateError",
    "PaymentRequiredError",
    "UsageCappedError",
    "UserNotEnrolledError",
    "StoreError",
    "TokensNotSavedError",
    "ReentrantCallError",
    "AlreadyRequestedError",
    "AppPermissionError",
    "AsyncClient",
    "AuthError",
    "BadResponseError",
    "BlockedError",
    "Client",
    "FollowLimitError",
    "ForbiddenError",
    "HTTPError",
    "InternalError",
    "InvalidArgumentError",
    "LibraryNotFoundError",
    "NetworkError",
    "NoRateLimitError",
    "NotFoundError",
    "OAuth1Flow",
    "OAuth1Token",
    "OAuth2Flow",
    "RateLimit",
    "RateLimitError",
    "Budget",
    "DayBudgets",
    "Problem",
    "ServerError",
    "Status",
    "Store",
    "TimeoutError",
    "TLSError",
    "TraceKind",
    "TwError",
    "version",
    "refreshes_in_flight",
    "ImportedAccounts",
]
