//! The store's lock and its atomic write: `flock(LOCK_EX)` on the lock file beside
//! the real file (waited for within the call's deadline), and every write through a
//! temporary file of the writer's own, fsync, rename over the store, fsync of the
//! folder. A file that cannot be renamed over (a bind-mounted file) is rewritten in
//! place behind a recovery copy instead ([`recovery`]). Nothing is created before
//! the store, its folder and its lock file are checked
//! ([`StorePath::check_before_creating`]). Every descriptor that carries a lock is in
//! the fork registry ([`HeldFile`]): a forked child never keeps one.

mod recovery;

use std::fs::{self, DirBuilder, File, OpenOptions, TryLockError};
use std::io::{self, Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use zeroize::Zeroizing;

use crate::core::api::deadline;
use crate::core::api::store::backend::{poll, Backend, Held};
use crate::core::api::store::path::StorePath;
use crate::core::error::Error;
use crate::core::sys::held::HeldFile;

/// How long a reader waits for an in-place rewrite (milliseconds of disk writes) and
/// such a rewrite for the readers before it.
const SHARED_WAIT: Duration = Duration::from_secs(30);

/// The file store: one JSON file, its `flock`ed sibling lock file, atomic renames.
/// Every scope takes the one lock of the file, which cannot expire: a writer holding
/// it has read the latest revision, so `write` need not check it.
impl Backend for StorePath {
    fn location(&self) -> String {
        self.file.display().to_string()
    }

    /// The store's bytes in a wiped buffer, `None` when it does not exist yet. A store
    /// that others may read or write, or that another user owns, or whose folder or lock
    /// file is not this user's, is refused. The read holds a shared `flock` on the file
    /// itself, which only an in-place rewrite takes exclusively (waited for until
    /// [`read_deadline`]); when a recovery copy is there (an in-place rewrite began and
    /// may not have finished), the copy is the store, with or without the file. A copy gone before it is read was removed after the
    /// file was made whole: a reader that found neither looks once more.
    fn read(&self) -> Result<Option<Zeroizing<Vec<u8>>>, Error> {
        self.check_before_creating()?;
        for _ in 0..2 {
            let held = match HeldFile::open(|| File::open(&self.real)) {
                Ok(held) => Some(held),
                Err(e) if e.kind() == io::ErrorKind::NotFound => None,
                Err(e) => return Err(store_error!(&self.file, "cannot be read: {e}")),
            };
            if let Some(held) = &held {
                wait_for(self, read_deadline(), || held.file().try_lock_shared())?;
            }
            if let Some(copy) = recovery::read_copy(self)? {
                drop(held);
                recovery::mend(self);
                return Ok(Some(copy));
            }
            if let Some(held) = held {
                return read_all(self, held.file()).map(Some);
            }
        }
        Ok(None)
    }

    /// Takes the store's exclusive lock, waiting until `deadline` at most. Checks the
    /// store, its folder and its lock file first, then creates the folder (0700) and the
    /// lock file (0600) when they do not exist.
    fn lock(&self, _scope: &str, deadline: Instant, _hold: Duration) -> Result<Held<'_>, Error> {
        self.check_before_creating()?;
        // The folder (0700) and any missing parents; an existing folder is no error.
        let (folder, lock_path) = (self.folder(), self.lock_file());
        let shown = folder.display();
        DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&folder)
            .map_err(|e| store_error!(&self.file, "cannot create its folder {shown}: {e}"))?;
        let held = HeldFile::open(|| {
            OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .mode(0o600)
                .custom_flags(libc::O_NOFOLLOW)
                .open(&lock_path)
        })
        .map_err(|e| {
            let hint = match e.raw_os_error() {
                Some(libc::EACCES | libc::EPERM | libc::EROFS) => format!(
                    ": the folder {shown} must be writable by this user (a bind-mounted file: mount its folder instead)"
                ),
                _ => String::new(),
            };
            let lock_path = lock_path.display();
            store_error!(&self.file, "cannot open its lock file {lock_path}: {e}{hint}")
        })?;
        wait_for(self, deadline, || held.file().try_lock())?;
        Ok(Box::new(held))
    }

    /// Replaces the store with `bytes`: a temporary file of this writer's own (0600) is
    /// written and fsynced, renamed over the real file, and the folder fsynced, so a
    /// crash at any instant leaves the old store or the new one. A file that cannot be
    /// renamed over (`EBUSY`, `EXDEV`: a bind-mounted file), or one whose recovery copy
    /// is there (an in-place rewrite that did not finish: readers read the copy), is
    /// rewritten in place behind a new recovery copy ([`recovery`]), old or new just the
    /// same. The caller holds the lock.
    fn write(&self, bytes: &[u8], _expected: u64) -> Result<bool, Error> {
        let temp = write_temp(self, bytes)?;
        if !recovery::exists(self) {
            match fs::rename(&temp, &self.real) {
                Ok(()) => {
                    sync_folder(self).map_err(|e| failed(self, "fsync of the folder", e))?;
                    remove_leftovers(self);
                    return Ok(true);
                }
                Err(e) if matches!(e.raw_os_error(), Some(libc::EBUSY | libc::EXDEV)) => {}
                Err(e) => {
                    let _ = fs::remove_file(&temp);
                    return Err(failed(self, "renaming the temporary file", e));
                }
            }
        }
        recovery::commit(self, &temp)?;
        recovery::rewrite_in_place(self, bytes);
        Ok(true)
    }
}

/// How long a read waits for an in-place rewrite: [`SHARED_WAIT`], cut short by the
/// deadline of the call it serves
/// (test `a_stalled_in_place_rewrite_costs_a_follow_its_timeout_and_no_more`).
fn read_deadline() -> Instant {
    let longest = Instant::now() + SHARED_WAIT;
    deadline::current().map_or(longest, |call| call.min(longest))
}

/// Polls `try_lock` until it succeeds or `deadline` passes (a blocking flock cannot
/// be given a deadline without a signal).
fn wait_for(
    path: &StorePath,
    deadline: Instant,
    try_lock: impl Fn() -> Result<(), TryLockError>,
) -> Result<(), Error> {
    let at = path.location();
    let attempt = || match try_lock() {
        Ok(()) => Ok(true),
        Err(TryLockError::WouldBlock) => Ok(false),
        Err(TryLockError::Error(e)) => Err(store_error!(&path.file, "cannot be locked: {e}")),
    };
    let pause = Duration::from_millis(10);
    poll(deadline, pause, &at, "another process holds it", attempt)
}

/// All of `file` in one wiped allocation of its size and some room (a buffer that
/// grows leaves copies behind); a file that outgrew the room while it was read is refused.
fn read_all(path: &StorePath, file: &File) -> Result<Zeroizing<Vec<u8>>, Error> {
    let size = file.metadata().map_or(0, |meta| meta.len());
    let room = usize::try_from(size).unwrap_or(0).saturating_add(4096);
    let mut bytes = Zeroizing::new(Vec::with_capacity(room));
    file.take(room as u64)
        .read_to_end(&mut bytes)
        .map_err(|e| store_error!(&path.file, "cannot be read: {e}"))?;
    if bytes.len() == room {
        let grew = "it grew while it was read (edited by hand?); try again";
        return Err(store_error!(&path.file, "cannot be read: {grew}"));
    }
    Ok(bytes)
}

/// A writer's failure: the store was left as it was.
fn failed(path: &StorePath, what: &str, e: io::Error) -> Error {
    store_error!(
        &path.file,
        "cannot be written ({what}: {e}); it was left as it was"
    )
}

/// A new temporary file (0600, created exclusively under a name of its own) beside
/// the real file, holding `bytes`, fsynced.
fn write_temp(path: &StorePath, bytes: &[u8]) -> Result<PathBuf, Error> {
    let temp = path.temp_file();
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&temp)
        .map_err(|e| failed(path, "creating the temporary file", e))?;
    if let Err(e) = file.write_all(bytes).and_then(|()| file.sync_all()) {
        drop(file);
        let _ = fs::remove_file(&temp);
        return Err(failed(path, "writing the temporary file", e));
    }
    Ok(temp)
}

/// fsync of the real file's folder (a rename or a removal is durable after it).
fn sync_folder(path: &StorePath) -> io::Result<()> {
    File::open(path.folder()).and_then(|folder| folder.sync_all())
}

/// Removes temporary files that crashed writers left (the caller holds the lock, so
/// no other writer is writing one). Best effort: they are harmless.
fn remove_leftovers(path: &StorePath) {
    let Ok(entries) = fs::read_dir(path.folder()) else {
        return;
    };
    for entry in entries.flatten() {
        if path.is_temp_name(&entry.file_name()) && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_longer_than_its_size_said_is_refused_not_read_into_a_grown_buffer() {
        // /proc says 0 bytes for smaps, then gives tens of kilobytes: as a store that
        // grew while it was read.
        let file = File::open("/proc/self/smaps").unwrap();
        let path = StorePath::new(PathBuf::from("/proc/self/smaps"));
        let refused = read_all(&path, &file).unwrap_err();
        assert!(
            refused.message.contains("grew while it was read"),
            "{refused:?}"
        );
        let small = File::open("/proc/self/stat").unwrap();
        assert!(!read_all(&path, &small).unwrap().is_empty());
    }
}
