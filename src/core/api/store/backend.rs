//! Where a store keeps its document: a file on this host (its
//! [`StorePath`](super::path::StorePath), [`lock`](super::lock)), or a server that
//! many hosts share (the Redis store). The store's rules — versioned
//! records, the in-flight record of a refresh, the import rule — live above, in
//! [`Store`](super::Store); a backend only reads, locks and writes whole documents.

use std::time::{Duration, Instant};

use zeroize::Zeroizing;

use crate::core::error::{Error, ErrorKind};
use crate::core::sys::random::with_csprng;

/// The lock scope of changes to the store as a whole (the default account, imports,
/// saves, removals); a refresh locks its account's name alone.
pub const STORE_WIDE: &str = "";

/// A lock, held until dropped (it may borrow its backend).
pub type Held<'a> = Box<dyn Send + 'a>;

/// What a store's document is kept in.
pub trait Backend: Send + Sync + std::fmt::Debug {
    /// Where the store is, for messages: a path, or a URL without its password.
    fn location(&self) -> String;
    /// The document's bytes, `None` when there is no store yet. Readers take no lock:
    /// every write replaces the document whole, so a reader sees the old or the new.
    fn read(&self) -> Result<Option<Zeroizing<Vec<u8>>>, Error>;
    /// Takes the lock of `scope` (an account's name, or [`STORE_WIDE`]), waiting until
    /// `deadline` at most (`ErrorKind::Timeout` after it). A lock that can expire
    /// (Redis) lives `hold` at least; one that cannot (the file's `flock`) ignores it.
    fn lock(&self, scope: &str, deadline: Instant, hold: Duration) -> Result<Held<'_>, Error>;
    /// Replaces the document with `bytes` if its revision is still `expected` (the
    /// revision the writer read; 0: no store yet), atomically. `Ok(false)`: someone
    /// wrote since, and nothing was changed (a lock that expired under a paused
    /// holder cannot let it overwrite a newer document).
    fn write(&self, bytes: &[u8], expected: u64) -> Result<bool, Error>;
}

/// Calls `attempt` until it takes the lock (`Ok(true)`), or `deadline` passes: then an
/// `ErrorKind::Timeout` naming the store `at` and who holds the lock (`holder`). With
/// pauses that double from 200 µs up to `longest`, each up to a quarter longer
/// at random, so that waiters on many hosts do not poll in step. A holder usually
/// finishes within milliseconds (one refresh round trip).
pub fn poll(
    deadline: Instant,
    longest: Duration,
    at: &str,
    holder: &str,
    mut attempt: impl FnMut() -> Result<bool, Error>,
) -> Result<(), Error> {
    let mut pause = Duration::from_micros(200);
    loop {
        if attempt()? {
            return Ok(());
        }
        let now = Instant::now();
        if now >= deadline {
            let waited =
                format!("timed out waiting for the lock of the token store {at} ({holder})");
            return Err(Error::new(ErrorKind::Timeout, waited));
        }
        let jitter = pause / 4 * with_csprng(|rng| rng.next_u32() % 100) / 100;
        std::thread::sleep((pause + jitter).min(deadline - now));
        pause = (pause * 2).min(longest);
    }
}
