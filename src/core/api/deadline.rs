//! One deadline per call: the wait for a store's lock, a refresh and the call's own
//! requests share the config's timeout, and each request gets what is left of it.
//! The deadline is the calling thread's while a call runs (a call never moves to
//! another thread); the first call on the stack sets it, nested ones keep it.

use std::cell::Cell;
use std::time::{Duration, Instant};

use crate::core::error::{Error, ErrorKind};

/// How long a refresh whose request has been sent may go on past the call's
/// deadline: X rotates the refresh token when it answers, so abandoning the answer
/// could lose the grant. Also what a Redis lock lives beyond the call's timeout.
pub const REFRESH_GRACE: Duration = Duration::from_secs(10);

thread_local! {
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// The deadline of the call running on this thread, set by [`within`].
pub fn current() -> Option<Instant> {
    DEADLINE.try_with(Cell::get).ok().flatten()
}

/// Restores the thread's deadline when the call that set it ends (unwinding too).
struct Restore(Option<Option<Instant>>);

impl Drop for Restore {
    fn drop(&mut self) {
        if let Some(previous) = self.0 {
            let _ = DEADLINE.try_with(|d| d.set(previous));
        }
    }
}

/// Sets the thread's deadline until the returned guard is dropped.
fn set(deadline: Instant) -> Restore {
    Restore(DEADLINE.try_with(|d| d.replace(Some(deadline))).ok())
}

/// Runs `call` under a deadline `timeout` from now, unless a call further up this
/// thread's stack already set one (which then binds).
pub fn within<T>(timeout: Duration, call: impl FnOnce() -> T) -> T {
    let _restore = current().is_none().then(|| set(Instant::now() + timeout));
    call()
}

/// Moves the call's deadline `by` later (a retry's deliberate wait is not the call's
/// time); the call that set the deadline still restores the one before it.
pub fn postpone(by: Duration) {
    if let Some(deadline) = current() {
        let _ = DEADLINE.try_with(|d| d.set(Some(deadline + by)));
    }
}

/// Runs `call` with the deadline `grace` later (and restores it): for a request that
/// must not be abandoned once sent, such as a refresh.
pub fn with_grace<T>(grace: Duration, call: impl FnOnce() -> T) -> T {
    let _restore = current().map(|deadline| set(deadline + grace));
    call()
}

/// What is left of the call's time (`fallback` outside a call), or a timeout error
/// saying what was not done when nothing is left.
pub fn left(fallback: Duration, what: &str) -> Result<Duration, Error> {
    let Some(deadline) = current() else {
        return Ok(fallback);
    };
    let now = Instant::now();
    if now >= deadline {
        return Err(Error::new(
            ErrorKind::Timeout,
            format!("the call's time ran out before {what} (nothing was sent for it)"),
        ));
    }
    Ok(deadline - now)
}

/// The call's deadline, or `fallback` from now outside a call.
pub fn at(fallback: Duration) -> Instant {
    current().unwrap_or_else(|| Instant::now() + fallback)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_outermost_call_sets_the_deadline_and_restores_it() {
        assert_eq!(current(), None);
        within(Duration::from_secs(5), || {
            let outer = current().unwrap();
            within(Duration::from_secs(60), || {
                assert_eq!(current(), Some(outer))
            });
            assert!(left(Duration::ZERO, "x").unwrap() <= Duration::from_secs(5));
            postpone(Duration::from_secs(2));
            assert_eq!(current(), Some(outer + Duration::from_secs(2)));
        });
        assert_eq!(current(), None);
        within(Duration::ZERO, || {
            let e = left(Duration::from_secs(1), "sending the follow").unwrap_err();
            assert_eq!(e.kind, ErrorKind::Timeout);
            assert!(e.message.contains("before sending the follow"), "{e}");
        });
    }

    #[test]
    fn a_panic_inside_a_call_restores_the_deadline() {
        let caught = std::panic::catch_unwind(|| within(Duration::from_secs(1), || panic!("x")));
        assert!(caught.is_err());
        assert_eq!(current(), None);
    }
}
