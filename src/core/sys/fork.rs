//! Fork awareness. A forked child inherits the parent's nonce generator state,
//! pooled sockets and the descriptors of the store locks held at the fork; all must
//! be replaced or closed in the child. Something outside `core` (the C layer, through
//! `pthread_atfork`) calls [`note_fork_prepare`] before a fork, and
//! [`close_held_in_child`](super::held::close_held_in_child) and
//! [`note_fork_in_child`] in the child; `core` compares [`generation`] with the one
//! its state was made in.

use std::sync::atomic::{AtomicU64, Ordering};

static GENERATION: AtomicU64 = AtomicU64::new(0);
static FORKS_BEGUN: AtomicU64 = AtomicU64::new(0);

/// How many forks this process's ancestry has gone through since the library loaded.
pub fn generation() -> u64 {
    GENERATION.load(Ordering::SeqCst)
}

/// Records that this process is a freshly forked child. Async-signal-safe: one atomic add.
pub fn note_fork_in_child() {
    GENERATION.fetch_add(1, Ordering::SeqCst);
}

/// Records, in the parent, that a fork is about to happen (the atfork prepare
/// handler). Async-signal-safe: one atomic add.
pub fn note_fork_prepare() {
    FORKS_BEGUN.fetch_add(1, Ordering::SeqCst);
}

/// How many forks this process has begun (see [`note_fork_prepare`]).
pub fn forks_begun() -> u64 {
    FORKS_BEGUN.load(Ordering::SeqCst)
}
