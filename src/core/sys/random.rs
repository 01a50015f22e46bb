//! The CSPRNG every nonce, PKCE verifier and jitter draws from: one ChaCha generator
//! per thread, seeded by the OS and reseeded after a fork.

use rand::rngs::{OsRng, StdRng};
use rand::{RngCore, SeedableRng, TryRngCore};

use crate::core::sys::fork;

thread_local! {
    /// (fork generation it was seeded in, generator). Reseeded after a fork so the
    /// parent and child never draw the same nonces.
    pub(crate) static NONCE_RNG: std::cell::RefCell<Option<(u64, StdRng)>> = const { std::cell::RefCell::new(None) };
}

/// Runs `use_rng` with this thread's ChaCha generator (seeded by the OS, reseeded
/// after a fork). Where the thread's storage cannot be reached (an `atexit`
/// handler, a thread-local destructor) it gets the OS generator itself: slower,
/// never a panic.
pub(crate) fn with_csprng<T>(mut use_rng: impl FnMut(&mut dyn RngCore) -> T) -> T {
    let generation = fork::generation();
    let from_thread = NONCE_RNG.try_with(|cell| {
        let mut slot = cell.try_borrow_mut().ok()?;
        let rng = match &mut *slot {
            Some((seeded_in, rng)) if *seeded_in == generation => rng,
            slot => &mut slot.insert((generation, StdRng::from_os_rng())).1,
        };
        Some(use_rng(rng))
    });
    match from_thread {
        Ok(Some(value)) => value,
        _ => use_rng(&mut OsRng.unwrap_err()),
    }
}

/// `bytes` random bytes from [`with_csprng`] as lowercase hex: names nobody else
/// picks (a temporary file's, a lock holder's).
pub(crate) fn random_hex(bytes: usize) -> String {
    let mut raw = vec![0u8; bytes];
    with_csprng(|rng| rng.fill_bytes(&mut raw));
    raw.iter().map(|b| format!("{b:02x}")).collect()
}
