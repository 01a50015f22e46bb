//! A store file that cannot be renamed over (a bind-mounted file: `rename()` onto a
//! mount point fails with `EBUSY`), or whose recovery copy a writer finds (an
//! in-place rewrite that did not finish), is rewritten in place, behind a recovery
//! copy:
//!
//! 1. the new store is written to a temporary file of its own, fsynced, and renamed
//!    to `accounts.json.recovery` beside the store (its folder is an ordinary folder,
//!    where renames work), and the folder fsynced: from then on the copy, whole by
//!    construction, is what every reader reads;
//! 2. under an exclusive `flock` on the store file itself (readers hold a shared one
//!    while they read it), the file is rewritten in place: write, truncate, fsync;
//! 3. the copy is removed and the folder fsynced.
//!
//! A reader takes the shared lock, then reads the copy when there is one (with or
//! without the file: a stale copy beside no file is the store too), else the file:
//! before step 1 the file is the old store, whole; from step 1 until step 3 the copy
//! is the new one; after step 3 the file is. `kill -9` at any instant leaves one of
//! these states (a dead process's locks are released), so every reader sees the old
//! store or the new one. A reader that finds a copy mends the file when the store's
//! lock is free.

use std::fs::{self, OpenOptions};
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::Path;
use std::time::{Duration, Instant};

use zeroize::Zeroizing;

use super::{failed, sync_folder, wait_for, SHARED_WAIT};
use crate::core::api::store::backend::{Backend, STORE_WIDE};
use crate::core::api::store::path::{check_private, StorePath};
use crate::core::error::Error;
use crate::core::sys::held::HeldFile;

/// Whether a recovery copy is there, as a reader sees it (a regular file; anything
/// else in its place is no copy of ours; a folder there fails the rename onto it).
pub(super) fn exists(path: &StorePath) -> bool {
    fs::symlink_metadata(path.recovery_file()).is_ok_and(|meta| meta.is_file())
}

/// The recovery copy, when there is one (a reader's view: anything but a regular
/// file is no copy of ours). A copy another user owns or others may read is refused.
/// A copy that vanishes before it is opened was removed by a writer that had made the
/// file whole (under the exclusive lock the reader's shared one now keeps out): none.
pub(super) fn read_copy(path: &StorePath) -> Result<Option<Zeroizing<Vec<u8>>>, Error> {
    let copy = path.recovery_file();
    let gone = |e: &std::io::Error| e.kind() == std::io::ErrorKind::NotFound;
    let cannot = |e: std::io::Error| store_error!(&path.file, "cannot be read: {e}");
    let meta = match fs::symlink_metadata(&copy) {
        Ok(meta) if meta.is_file() => meta,
        Err(e) if !gone(&e) => return Err(cannot(e)),
        _ => return Ok(None),
    };
    check_private(&copy, &meta)?;
    // O_NOFOLLOW: a copy replaced by a link since it was looked at is not followed.
    let opened = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&copy);
    let file = match opened {
        Ok(file) => file,
        Err(e) if gone(&e) => return Ok(None),
        Err(e) => return Err(cannot(e)),
    };
    super::read_all(path, &file).map(Some)
}

/// Step 1: the temporary file `temp` (written and fsynced) becomes the recovery copy.
pub(super) fn commit(path: &StorePath, temp: &Path) -> Result<(), Error> {
    if let Err(e) = fs::rename(temp, path.recovery_file()) {
        let _ = fs::remove_file(temp);
        return Err(failed(path, "renaming the recovery copy", e));
    }
    sync_folder(path).map_err(|e| failed(path, "fsync of the folder", e))
}

/// Steps 2 and 3. The new store is already the recovery copy, whole and durable, so
/// nothing here can lose it: a failure leaves the copy for the next writer or reader
/// to mend the file from. A file that is missing (a stale copy beside no file) is
/// created (0600), and the folder fsynced before the copy goes.
pub(super) fn rewrite_in_place(path: &StorePath, bytes: &[u8]) {
    let Ok(held) = HeldFile::open(|| {
        OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&path.real)
    }) else {
        return;
    };
    let file = held.file();
    let written = wait_for(path, Instant::now() + SHARED_WAIT, || file.try_lock()).is_ok()
        && file.write_all_at(bytes, 0).is_ok()
        && file.set_len(bytes.len() as u64).is_ok()
        && file.sync_all().is_ok()
        && sync_folder(path).is_ok();
    // Step 3 (the file is whole): the copy goes. Best effort: a copy left is the store
    // as the file is, and the next writer removes it.
    if written && fs::remove_file(path.recovery_file()).is_ok() {
        let _ = sync_folder(path);
    }
}

/// A reader found a copy: when the store's lock is free, the file is made whole
/// again (written as any write is). Best effort: otherwise the next writer does it.
pub(super) fn mend(path: &StorePath) {
    let Ok(_lock) = path.lock(STORE_WIDE, Instant::now(), Duration::ZERO) else {
        return;
    };
    if let Ok(Some(bytes)) = read_copy(path) {
        let _ = path.write(&bytes, 0);
    }
}
