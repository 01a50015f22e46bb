//! The token refreshes this process has in flight: from just before a refresh's
//! request is sent until its answer is saved (or the refresh has failed). X rotates
//! the refresh token when it answers, so a process that dies in that window loses
//! the grant; a CLI defers SIGINT, SIGTERM and SIGHUP while this is not zero. One
//! atomic, so a signal handler may read it.

use std::sync::atomic::{AtomicU32, Ordering};

static IN_FLIGHT: AtomicU32 = AtomicU32::new(0);

/// A refresh in flight, counted until dropped.
#[must_use = "the refresh counts as in flight until this is dropped"]
pub struct InFlight(());

impl Drop for InFlight {
    fn drop(&mut self) {
        IN_FLIGHT.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Counts a refresh as in flight until the returned guard is dropped.
pub fn begin() -> InFlight {
    IN_FLIGHT.fetch_add(1, Ordering::SeqCst);
    InFlight(())
}

/// How many refreshes are in flight now. Async-signal-safe: one atomic load.
pub fn count() -> u32 {
    IN_FLIGHT.load(Ordering::SeqCst)
}
