"""Exceptions: one class per status family, all under TwError (docs/python.md, "Errors")."""

from __future__ import annotations

import enum
from typing import Any, Dict, NamedTuple, Optional, Tuple, Type


class Status(enum.IntEnum):
    """Status numbers, as in include/twfollow.h (TW_STATUS_<name>); tests/drift checks them."""

    OK = 0
    NULL_ARGUMENT = 1
    INVALID_UTF8 = 2
    INVALID_ARGUMENT = 3
    NETWORK = 10
    TIMEOUT = 11
    TLS = 12
    AUTH = 20
    FORBIDDEN = 21
    NOT_FOUND = 22
    RATE_LIMITED = 23
    FOLLOW_LIMIT = 24
    ALREADY_REQUESTED = 25
    BLOCKED = 26
    SERVER_ERROR = 27
    HTTP_ERROR = 28
    BAD_RESPONSE = 30
    NO_RATE_LIMIT = 31
    ACCESS_TIER = 32
    APP_PERMISSION = 33
    ACCOUNT_STATE = 34
    PAYMENT_REQUIRED = 35
    USAGE_CAPPED = 36
    STORE = 37
    TOKENS_NOT_SAVED = 38
    REENTERED = 39
    USER_NOT_ENROLLED = 40
    INTERNAL = 99


class Problem(NamedTuple):
    """The members of an API v2 problem (RFC 7807, with X's own), each None when not sent."""

    type: Optional[str] = None
    title: Optional[str] = None
    detail: Optional[str] = None
    reason: Optional[str] = None  # e.g. "client-not-enrolled"
    required_enrollment: Optional[str] = None
    registration_url: Optional[str] = None


# Each status's exception class, filled in by the classes below: each names its statuses.
ERROR_CLASSES: Dict[int, Type[TwError]] = {}


class TwError(Exception):
    """A failed call: `str(err)` is the library's message; the status and what the answer said are attributes."""

    def __init__(
        self,
        status: int,
        message: str,
        http_status: int = 0,
        api_code: int = 0,
        problem: Optional[Problem] = None,
        request_count: int = 0,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.status_name = f"TW_STATUS_{Status(status).name}" if status in list(Status) else f"unknown status {status}"
        self.message = message
        self.http_status = http_status
        self.api_code = api_code
        self.problem: Optional[Problem] = problem
        fields = problem or Problem()
        self.problem_type: Optional[str] = fields.type
        self.title: Optional[str] = fields.title
        self.detail: Optional[str] = fields.detail
        self.reason: Optional[str] = fields.reason
        self.required_enrollment: Optional[str] = fields.required_enrollment
        self.registration_url: Optional[str] = fields.registration_url
        self.request_count = request_count

    def __init_subclass__(cls, statuses: Tuple[Status, ...] = (), **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        ERROR_CLASSES.update(dict.fromkeys(statuses, cls))

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status_name}, http_status={self.http_status}, "
            f"api_code={self.api_code}, message={self.message!r})"
        )


class InvalidArgumentError(
    TwError, ValueError, statuses=(Status.NULL_ARGUMENT, Status.INVALID_UTF8, Status.INVALID_ARGUMENT)
):
    """Bad input (NULL, not UTF-8, bad target, empty credential, bad URL): nothing was sent."""


class NetworkError(TwError, statuses=(Status.NETWORK,)):
    """No HTTP response: refused, reset, DNS, garbage, proxy failure."""


class TimeoutError(NetworkError, statuses=(Status.TIMEOUT,)):
    """The whole call exceeded the configured timeout."""


class TLSError(NetworkError, statuses=(Status.TLS,)):
    """TLS handshake or certificate verification failed."""


class AuthError(TwError, statuses=(Status.AUTH,)):
    """401, or Twitter codes 32, 89, 135, 215."""


class ForbiddenError(TwError, statuses=(Status.FORBIDDEN,)):
    """403 refusals; the more specific ones below are subclasses."""


class FollowLimitError(ForbiddenError, statuses=(Status.FOLLOW_LIMIT,)):
    """Twitter code 161: the daily follow limit is reached."""


class AlreadyRequestedError(ForbiddenError, statuses=(Status.ALREADY_REQUESTED,)):
    """Twitter code 160: a follow request to this protected account is pending."""


class BlockedError(ForbiddenError, statuses=(Status.BLOCKED,)):
    """Twitter code 162: the user has blocked you."""


class NotFoundError(TwError, statuses=(Status.NOT_FOUND,)):
    """404, or Twitter codes 34, 50, 63, 108."""


class RateLimitError(TwError, statuses=(Status.RATE_LIMITED,)):
    """429, or Twitter code 88; `reset_at`: when the request may succeed again (None: not said)."""

    reset_at: Optional[int] = None


class ServerError(TwError, statuses=(Status.SERVER_ERROR,)):
    """5xx."""


class HTTPError(TwError, statuses=(Status.HTTP_ERROR,)):
    """Any other non-2xx status, including redirects (never followed)."""


class BadResponseError(TwError, statuses=(Status.BAD_RESPONSE,)):
    """2xx, but the body is not a JSON object, or is over 1 MiB."""


class NoRateLimitError(TwError, statuses=(Status.NO_RATE_LIMIT,)):
    """No rate-limit headers (`tw_last_rate_limit`'s; `Client.last_rate_limit` is None instead)."""


# Refusals of the app or the account, not of the target: not ForbiddenError, so code
# that skips a target on ForbiddenError does not skip every target for them. Each
# message ends with "To fix: ..." (one line on what to do).


class AccessTierError(TwError, statuses=(Status.ACCESS_TIER,)):
    """Twitter code 453, or API v2's `client-not-enrolled`: the app's access tier lacks the endpoint."""


class AppPermissionError(TwError, statuses=(Status.APP_PERMISSION,)):
    """Codes 87, 220, 261, or v2's `oauth1-permissions`: the app or its token may not do this."""


class AccountStateError(TwError, statuses=(Status.ACCOUNT_STATE,)):
    """Twitter codes 64 (suspended) and 326 (locked): the access token's own account cannot act."""


class UserNotEnrolledError(TwError, statuses=(Status.USER_NOT_ENROLLED,)):
    """API v2's `user-not-enrolled`: the authenticated account is not enrolled in Pay-per-use."""


class PaymentRequiredError(TwError, statuses=(Status.PAYMENT_REQUIRED,)):
    """HTTP 402 or a `CreditsDepleted` problem: the app's pay-per-use credits are spent."""


class UsageCappedError(TwError, statuses=(Status.USAGE_CAPPED,)):
    """A `usage-capped` problem: a cap of the app's billing period is reached."""


class StoreError(TwError, statuses=(Status.STORE,)):
    """The token store cannot be used (unreadable, unsafe, unknown version), or no such account."""


class TokensNotSavedError(TwError, statuses=(Status.TOKENS_NOT_SAVED,)):
    """A refresh succeeded but the store could not be written: the client holds the new tokens."""


class ReentrantCallError(TwError, statuses=(Status.REENTERED,)):
    """A call into a client from inside its own token handler or trace hook: refused at once."""


class InternalError(TwError, statuses=(Status.INTERNAL,)):
    """A bug in twfollow."""


def error_for(
    status: int,
    message: str,
    http_status: int = 0,
    api_code: int = 0,
    problem: Optional[Problem] = None,
    request_count: int = 0,
) -> TwError:
    """The exception for a status (TwError itself for a number this package does not know)."""
    return ERROR_CLASSES.get(status, TwError)(status, message, http_status, api_code, problem, request_count)
