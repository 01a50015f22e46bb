//! The retry policy: which failures are tried again, and after how long
//! (exponential backoff with jitter, or until a rate window resets).

use std::time::Duration;

use crate::core::error::{Error, ErrorKind};
use crate::core::sys::clock::unix_now;

/// First backoff; it doubles with each retry, up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(8);

/// How long to wait before retrying after `error`, or `None` when it must not be retried.
pub(crate) fn retry_delay(error: &Error, retries: u32) -> Option<Duration> {
    match error.kind {
        // No response arrived: nothing was refused. (A TLS failure will not mend itself.)
        ErrorKind::Network | ErrorKind::Timeout if error.http_status == 0 => Some(backoff(retries)),
        ErrorKind::ServerError => Some(backoff(retries)),
        // A 429 that names a spent 24-hour budget is never retried, however near its
        // reset: a retry is one more billed request, and X's day budgets are not
        // promised to open on the second.
        ErrorKind::RateLimited if error.spends_a_day_budget() => None,
        // Only when the API said when the window resets, and then until that reset,
        // measured against the answer's `Date` (the server's clock, which set the
        // reset), not against the local clock, which may be hours off. (402 and usage
        // caps are never retried: not listed.)
        ErrorKind::RateLimited => error.binding_reset().map(|reset| {
            let now = error.server_clock.unwrap_or_else(unix_now);
            Duration::from_secs(reset.saturating_sub(now).max(0) as u64) + backoff(0)
        }),
        _ => None,
    }
}

/// Exponential backoff with "equal jitter": half fixed, half random, so clients
/// that failed together do not retry together.
fn backoff(retries: u32) -> Duration {
    let full = FIRST_BACKOFF
        .saturating_mul(1 << retries.min(16))
        .min(MAX_BACKOFF);
    let unit: f64 = crate::core::sys::random::with_csprng(|rng| rand::Rng::random(rng));
    full / 2 + full.mul_f64(unit / 2.0)
}

pub(crate) fn with_retry_count(mut error: Error, retries: u32) -> Error {
    if retries > 0 {
        error.message.push_str(&format!(
            " (after {retries} retr{})",
            if retries == 1 { "y" } else { "ies" }
        ));
    }
    error
}
