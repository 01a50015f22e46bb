//! The descriptors that carry a `flock` this process holds (the store's lock, a
//! reader's shared lock on the store, an in-place rewrite's exclusive one), so that
//! a forked child never keeps them. A `fork()` copies every descriptor, and a
//! `flock` belongs to the open file, not to the process: while the child's copy is
//! open the lock stays held, even after the parent has closed its own. The atfork
//! child handler (outside `core`: it needs `close`) closes the copies with
//! [`close_held_in_child`]; closing the child's copy leaves the parent's lock as it is.
//!
//! The registry is a fixed array of atomics, so the child (which inherits memory as
//! it was at the fork, locks held by vanished threads included) reads it without a
//! lock, and async-signal-safely.

use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, IntoRawFd};
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::{Duration, Instant};

use crate::core::sys::fork;

const SLOTS: usize = 128;
const FREE: i32 = -1;
static HELD: [AtomicI32; SLOTS] = [const { AtomicI32::new(FREE) }; SLOTS];

/// For the atfork child handler only: calls `close` on every registered descriptor
/// and empties the registry. Async-signal-safe if `close` is (atomics only).
pub fn close_held_in_child(close: fn(i32)) {
    for slot in &HELD {
        let fd = slot.swap(FREE, Ordering::SeqCst);
        if fd >= 0 {
            close(fd);
        }
    }
}

/// A file whose descriptor is in the registry from before it is locked until after
/// it is unlocked. Dropping it unlocks explicitly (`LOCK_UN` reaches every copy of
/// the descriptor, a child's too), then leaves the registry, then closes.
pub struct HeldFile {
    slot: usize,
    file: Option<File>,
    generation: u64,
}

impl HeldFile {
    /// Opens a file with `open` and registers its descriptor, before anyone locks it.
    /// A fork that fell between the open and the registration (the child may keep an
    /// unregistered copy) is noticed through the prepare handler's count, and the file
    /// is opened again: the child's copy then refers to a file nobody locks.
    pub fn open(mut open: impl FnMut() -> io::Result<File>) -> io::Result<HeldFile> {
        loop {
            let begun = fork::forks_begun();
            let file = open()?;
            let slot = register(file.as_raw_fd())?;
            let held = HeldFile {
                slot,
                file: Some(file),
                generation: fork::generation(),
            };
            if fork::forks_begun() == begun {
                return Ok(held);
            }
        }
    }

    pub fn file(&self) -> &File {
        self.file.as_ref().expect("present until dropped")
    }
}

impl Drop for HeldFile {
    fn drop(&mut self) {
        let Some(file) = self.file.take() else {
            return;
        };
        if fork::generation() != self.generation {
            // A forked child (the thread that forked held it): the child handler has
            // closed the descriptor already, and its number may be another file's now.
            let _ = file.into_raw_fd();
            return;
        }
        let _ = file.unlock();
        HELD[self.slot].store(FREE, Ordering::SeqCst);
        // `file` closes here, after its slot is free.
    }
}

/// Takes a free slot for `fd`; waits (up to 10 s) when all are taken.
fn register(fd: i32) -> io::Result<usize> {
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        for (i, slot) in HELD.iter().enumerate() {
            if slot
                .compare_exchange(FREE, fd, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
            {
                return Ok(i);
            }
        }
        if Instant::now() >= until {
            return Err(io::Error::other(format!(
                "{SLOTS} store locks are held in this process at once"
            )));
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_file_is_registered_until_dropped() {
        let path = std::env::temp_dir().join(format!("twfollow-held-{}", std::process::id()));
        let held = HeldFile::open(|| File::create(&path)).unwrap();
        let fd = held.file().as_raw_fd();
        assert!(HELD.iter().any(|s| s.load(Ordering::SeqCst) == fd));
        held.file().lock().unwrap();
        drop(held);
        assert!(!HELD.iter().any(|s| s.load(Ordering::SeqCst) == fd));
        // Unlocked and closed: another descriptor takes the lock at once.
        let other = File::open(&path).unwrap();
        other.try_lock().unwrap();
        let _ = std::fs::remove_file(&path);
    }
}
