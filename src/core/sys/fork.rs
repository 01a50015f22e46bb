//! Fork awareness. A forked child inherits the parent's nonce generator state and
//! pooled sockets; both must be replaced in the child. Something outside `core`
//! (the C layer, through `pthread_atfork`) calls [`note_fork_in_child`]; `core`
//! compares [`generation`] with the one its state was made in.

use std::sync::atomic::{AtomicU64, Ordering};

static GENERATION: AtomicU64 = AtomicU64::new(0);

/// How many forks this process's ancestry has gone through since the library loaded.
pub fn generation() -> u64 {
    GENERATION.load(Ordering::Relaxed)
}

/// Records that this process is a freshly forked child. Async-signal-safe: one atomic add.
pub fn note_fork_in_child() {
    GENERATION.fetch_add(1, Ordering::Relaxed);
}
