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

import types

from ._native import LibraryNotFoundError as LibraryNotFoundError
from ._results import Budget as Budget
from ._results import DayBudgets as DayBudgets
from ._results import RateLimit as RateLimit
from ._results import refreshes_in_flight as refreshes_in_flight
from ._results import version as version
from .aio import AsyncClient as AsyncClient
from .auth import OAuth1Flow as OAuth1Flow
from .auth import OAuth1Token as OAuth1Token
from .auth import OAuth2Flow as OAuth2Flow
from .client import Client as Client
from .errors import AccessTierError as AccessTierError
from .errors import AccountStateError as AccountStateError
from .errors import AlreadyRequestedError as AlreadyRequestedError
from .errors import AppPermissionError as AppPermissionError
from .errors import AuthError as AuthError
from .errors import BadResponseError as BadResponseError
from .errors import BlockedError as BlockedError
from .errors import FollowLimitError as FollowLimitError
from .errors import ForbiddenError as ForbiddenError
from .errors import HTTPError as HTTPError
from .errors import InternalError as InternalError
from .errors import InvalidArgumentError as InvalidArgumentError
from .errors import NetworkError as NetworkError
from .errors import NoRateLimitError as NoRateLimitError
from .errors import NotFoundError as NotFoundError
from .errors import PaymentRequiredError as PaymentRequiredError
from .errors import Problem as Problem
from .errors import RateLimitError as RateLimitError
from .errors import ReentrantCallError as ReentrantCallError
from .errors import ServerError as ServerError
from .errors import Status as Status
from .errors import StoreError as StoreError
from .errors import TimeoutError as TimeoutError
from .errors import TLSError as TLSError
from .errors import TokensNotSavedError as TokensNotSavedError
from .errors import TwError as TwError
from .errors import UsageCappedError as UsageCappedError
from .errors import UserNotEnrolledError as UserNotEnrolledError
from .store import Account as Account
from .store import ImportedAccounts as ImportedAccounts
from .store import Store as Store
from .trace import TraceKind as TraceKind

__version__ = "0.1.0"

# What `from twfollow import *` takes: every name imported above (not the submodules).
__all__ = [
    name for name, value in list(globals().items()) if name[0] != "_" and not isinstance(value, types.ModuleType)
]
