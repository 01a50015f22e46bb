//! The error type of the core: a kind (one per C status), a one-line message that
//! never holds a secret, and what the response said (status, Twitter code, rate limit).

use std::fmt;

/// What went wrong, one variant per C status the library reports from `core`, numbered
/// as that status (the C layer maps a kind to its status by number).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    InvalidArgument = 3,
    Network = 10,
    Timeout = 11,
    Tls = 12,
    Auth = 20,
    Forbidden = 21,
    NotFound = 22,
    RateLimited = 23,
    FollowLimit = 24,
    AlreadyRequested = 25,
    Blocked = 26,
    ServerError = 27,
    HttpError = 28,
    BadResponse = 30,
    /// The app's access tier (plan, or a Project it is not attached to) does not
    /// include the endpoint: about the app, not the target.
    AccessTier = 32,
    /// The app or its token may not do this (read-only app, app-only token, ...).
    AppPermission = 33,
    /// The token's own account is suspended or locked.
    AccountState = 34,
    /// HTTP 402 or a `CreditsDepleted` problem: the app's prepaid credits are spent.
    PaymentRequired = 35,
    /// A `usage-capped` problem: a cap of the billing period is reached.
    UsageCapped = 36,
    /// A v2 `client-forbidden` problem with reason `user-not-enrolled`: X bills the
    /// request to the authenticated user, whose account is not enrolled in
    /// Pay-per-use. About that account's set-up, not the app and not the target.
    UserNotEnrolled = 40,
    /// The token store cannot be used (unreadable, unsafe, malformed, no such account).
    Store = 37,
    /// A refresh succeeded but its rotated tokens could not be written to the store.
    TokensNotSaved = 38,
    /// A call into a config from inside that config's own token callback or trace hook.
    Reentered = 39,
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
    /// The 24-hour budgets the response carried beside them, when it carried any
    /// (boxed: an error stays small, and most carry none).
    pub day_budgets: Option<Box<DayBudgets>>,
    /// The v2 problem's own members, when the refusal was one (redacted, cut to length).
    pub problem: Option<Box<Problem>>,
    /// The answer's `Date` (the server's clock), in seconds since the Unix epoch, when it
    /// sent one: a reset is measured against it, never against the local clock alone.
    pub server_clock: Option<i64>,
}

/// The 24-hour budgets X sends beside the 15-minute window:
/// `x-user-limit-24hour-limit/-remaining/-reset` and `x-app-limit-24hour-…`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DayBudgets {
    pub user: Option<RateLimit>,
    pub app: Option<RateLimit>,
}

/// The rate window of `x-rate-limit-*` (15 minutes on the follow endpoints), as
/// [`spent_windows`] names it; the others are the 24-hour budgets.
const FIFTEEN_MINUTE_WINDOW: &str = "the 15-minute rate-limit window";

/// The members of an API v2 problem (RFC 7807) that say what is wrong and what to do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Problem {
    pub type_uri: Option<String>,
    pub title: Option<String>,
    pub detail: Option<String>,
    /// `client-not-enrolled`, …
    pub reason: Option<String>,
    pub required_enrollment: Option<String>,
    pub registration_url: Option<String>,
}

/// The `x-rate-limit-limit`, `-remaining` and `-reset` headers of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// -1 when the answer sent `-remaining` and `-reset` without `-limit` (X does at
    /// times): the window is read, and spent at `remaining` 0, all the same.
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
            day_budgets: None,
            problem: None,
            server_clock: None,
        }
    }

    /// The 24-hour budgets the response carried (none: both `None`).
    pub fn day_budgets(&self) -> DayBudgets {
        self.day_budgets.as_deref().copied().unwrap_or_default()
    }

    /// Whether the answer says a 24-hour budget (the user's or the app's) is spent: no
    /// wait in a call can outlast it, so such a 429 is never retried.
    pub fn spends_a_day_budget(&self) -> bool {
        self.kind == ErrorKind::RateLimited
            && spent_windows(self.rate_limit, self.day_budgets())
                .iter()
                .any(|(window, _)| *window != FIFTEEN_MINUTE_WINDOW)
    }

    /// When a rate-limited request may succeed again: the latest reset of the spent
    /// windows, or the 15-minute reset when no window says it is spent.
    pub fn binding_reset(&self) -> Option<i64> {
        if self.kind != ErrorKind::RateLimited {
            return None;
        }
        let spent = spent_windows(self.rate_limit, self.day_budgets());
        let latest = spent.iter().map(|(_, limit)| limit.reset_epoch).max();
        latest.or(self.rate_limit.map(|limit| limit.reset_epoch))
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

/// The windows among these that are spent (remaining 0 or less), each by its name
/// in messages: the 15-minute window (`x-rate-limit-*`), the user's and the app's
/// 24-hour budgets (`x-user-limit-24hour-*`, `x-app-limit-24hour-*`: all users together).
pub fn spent_windows(window: Option<RateLimit>, day: DayBudgets) -> Vec<(&'static str, RateLimit)> {
    [
        (FIFTEEN_MINUTE_WINDOW, window),
        ("the user's 24-hour budget", day.user),
        ("the app's 24-hour budget", day.app),
    ]
    .into_iter()
    .filter_map(|(which, limit)| limit.filter(|l| l.remaining <= 0).map(|l| (which, l)))
    .collect()
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}
