//! Fork awareness. A forked child inherits the parent's nonce generator state,
//! pooled sockets and the descriptors of the store locks held at the fork; all must
//! be replaced or closed in the child. Something outside `core` (the C layer, through
//! `pthread_atfork`) calls [`note_fork_prepare`] before a fork, [`note_fork_in_parent`]
//! after it in the parent, and [`close_held_in_child`](super::held::close_held_in_child)
//! and [`note_fork_in_child`] in the child; `core` compares [`generation`] with the one
//! its state was made in. A lock a child would inherit held by a thread it does not
//! have (and wait for forever) is taken by [`lock`]: the prepare handler
//! waits for those short holds to end, and lets none begin until the fork is done
//! (tests/store/rounds.rs `children_forked_while_another_thread_reads_the_tokens_never_wait`
//! hangs within 300 forks without it).

use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

static GENERATION: AtomicU64 = AtomicU64::new(0);
static FORKS_BEGUN: AtomicU64 = AtomicU64::new(0);
static GATE: Gate = Gate::new();

/// Whether a fork is under way, and how many threads hold forks off.
struct Gate {
    forking: AtomicBool,
    holds: AtomicU64,
}

/// While alive, no fork begins.
struct NoFork(&'static Gate);

impl Drop for NoFork {
    fn drop(&mut self) {
        self.0.holds.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Gate {
    const fn new() -> Gate {
        Gate {
            forking: AtomicBool::new(false),
            holds: AtomicU64::new(0),
        }
    }

    fn hold(&'static self) -> NoFork {
        loop {
            while self.forking.load(Ordering::SeqCst) {
                std::thread::yield_now();
            }
            self.holds.fetch_add(1, Ordering::SeqCst);
            if !self.forking.load(Ordering::SeqCst) {
                return NoFork(self);
            }
            self.holds.fetch_sub(1, Ordering::SeqCst);
        }
    }

    fn close(&self) {
        self.forking.store(true, Ordering::SeqCst);
        while self.holds.load(Ordering::SeqCst) != 0 {
            std::thread::yield_now();
        }
    }

    fn open(&self) {
        self.forking.store(false, Ordering::SeqCst);
    }
}

/// `mutex` locked with forks held off until the result is dropped: for a lock held
/// briefly, never across a call out nor around another such lock (a fork begun
/// meanwhile would wait for a hold that waits for the fork).
pub fn lock<T>(mutex: &Mutex<T>) -> Locked<'_, T> {
    let no_fork = GATE.hold();
    let guard = mutex.lock().unwrap_or_else(|e| e.into_inner());
    Locked {
        guard,
        _no_fork: no_fork,
    }
}

/// A lock taken by [`lock`]; the lock is released first (fields drop in order).
pub struct Locked<'a, T> {
    guard: MutexGuard<'a, T>,
    _no_fork: NoFork,
}

impl<T> Deref for Locked<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.guard
    }
}

impl<T> DerefMut for Locked<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.guard
    }
}

/// How many forks this process's ancestry has gone through since the library loaded.
pub fn generation() -> u64 {
    GENERATION.load(Ordering::SeqCst)
}

/// Records that this process is a freshly forked child. Async-signal-safe: atomics.
pub fn note_fork_in_child() {
    GENERATION.fetch_add(1, Ordering::SeqCst);
    GATE.open();
}

/// Records, in the parent, that a fork is about to happen (the atfork prepare
/// handler), and waits until no thread holds off forks.
pub fn note_fork_prepare() {
    FORKS_BEGUN.fetch_add(1, Ordering::SeqCst);
    GATE.close();
}

/// Records, in the parent, that the fork is done (the atfork parent handler).
pub fn note_fork_in_parent() {
    GATE.open();
}

/// How many forks this process has begun (see [`note_fork_prepare`]).
pub fn forks_begun() -> u64 {
    FORKS_BEGUN.load(Ordering::SeqCst)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    #[test]
    fn a_fork_waits_for_the_holds_and_holds_wait_for_the_fork() {
        static GATE: Gate = Gate::new();
        let hold = GATE.hold();
        let (done, prepared) = mpsc::channel();
        let forker = std::thread::spawn(move || {
            GATE.close();
            done.send(()).unwrap();
        });
        let waited = prepared.recv_timeout(Duration::from_millis(200));
        assert!(
            waited.is_err(),
            "the prepare handler did not wait for the hold"
        );
        drop(hold);
        prepared.recv_timeout(Duration::from_secs(10)).unwrap();
        forker.join().unwrap();
        let (entered, held) = mpsc::channel();
        let holder = std::thread::spawn(move || {
            let _hold = GATE.hold();
            entered.send(()).unwrap();
        });
        let early = held.recv_timeout(Duration::from_millis(200));
        assert!(early.is_err(), "a hold began during the fork");
        GATE.open();
        held.recv_timeout(Duration::from_secs(10)).unwrap();
        holder.join().unwrap();
    }
}
