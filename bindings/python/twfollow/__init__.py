"""Follow a user on Twitter/X through the twfollow C library: `Client(...).follow("@twitterdev")`;
`AsyncClient` for asyncio; `OAuth1Flow` and `OAuth2Flow` get a user's tokens, `Store` keeps them."""

from ._native import LibraryNotFoundError
from ._results import Budget, DayBudgets, RateLimit, refreshes_in_flight, version
from .aio import AsyncClient
from .auth import OAuth1Flow, OAuth1Token, OAuth2Flow
from .client import Client
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

# What `from twfollow import *` takes: every public name above, written out for type checkers
# (test_typing.py checks it is complete).
__all__ = [
    "AccessTierError",
    "Account",
    "AccountStateError",
    "AlreadyRequestedError",
    "AppPermissionError",
    "AsyncClient",
    "AuthError",
    "BadResponseError",
    "BlockedError",
    "Budget",
    "Client",
    "DayBudgets",
    "FollowLimitError",
    "ForbiddenError",
    "HTTPError",
    "ImportedAccounts",
    "InternalError",
    "InvalidArgumentError",
    "LibraryNotFoundError",
    "NetworkError",
    "NoRateLimitError",
    "NotFoundError",
    "OAuth1Flow",
    "OAuth1Token",
    "OAuth2Flow",
    "PaymentRequiredError",
    "Problem",
    "RateLimit",
    "RateLimitError",
    "ReentrantCallError",
    "ServerError",
    "Status",
    "Store",
    "StoreError",
    "TLSError",
    "TimeoutError",
    "TokensNotSavedError",
    "TraceKind",
    "TwError",
    "UsageCappedError",
    "UserNotEnrolledError",
    "refreshes_in_flight",
    "version",
]
