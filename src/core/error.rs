//! The error type of the core: a kind (one per C status), a one-line message that
//! never holds a secret, and what the response said (status, Twitter code, rate limit).

use std::fmt;

/// What went wrong, one variant per C status the library reports from `core`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    InvalidArgument,
    Network,
    Timeout,
    Tls,
    Auth,
    Forbidden,
    NotFound,
    RateLimited,
    FollowLimit,
    AlreadyRequested,
    Blocked,
    ServerError,
    HttpError,
    BadResponse,
    /// The app's access tier (plan, or a Project it is not attached to) does not
    /// include the endpoint: about the app, not the target.
    AccessTier,
    /// The app or its token may not do this (read-only app, app-only token, ...).
    AppPermission,
    /// The token's own account is suspended or locked.
    AccountState,
    /// HTTP 402 or a `CreditsDepleted` problem: the app's prepaid credits are spent.
    PaymentRequired,
    /// A `usage-capped` problem: a cap of the billing period is reached.
    UsageCapped,
    /// The token store cannot be used (unreadable, unsafe, malformed, no such account).
    Store,
    /// A refresh succeeded but its rotated tokens could not be written to the store.
    TokensNotSaved,
    /// A call into a config from inside that config's own token callback or trace hook.
    Reentered,
}

/// An error with a one-line message that never contains a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
    /// The HTTP status of the response, 0 when none arrived.
    pub http_status: u16,
    /// The first Twitter error code in the body, 0 when none.
    pub api_code: i32,
    /// The `x-rate-limit-*` headers of the response, when it carried them.
    pub rate_limit: Option<RateLimit>,
}

/// The `x-rate-limit-limit`, `-remaining` and `-reset` headers of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub limit: i64,
    pub remaining: i64,
    /// When the window resets, in seconds since the Unix epoch.
    pub reset_epoch: i64,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            http_status: 0,
            api_code: 0,
            rate_limit: None,
        }
    }

    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidArgument, message)
    }

    /// A 2xx answer that is not what the call needs: "HTTP 200, but {what}".
    pub fn bad_response(http_status: u16, what: &str) -> Self {
        Error {
            http_status,
            ..Error::new(
                ErrorKind::BadResponse,
                format!("HTTP {http_status}, but {what}"),
            )
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}
