//! The store's lock and its atomic write: `flock(LOCK_EX)` on the sibling lock file
//! (waited for within the call's deadline), and every write through one temporary
//! file, fsync, rename over the store, fsync of the folder.

use std::fs::{self, File, OpenOptions, Permissions, TryLockError};
use std::io::{Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::time::{Duration, Instant};

use zeroize::Zeroizing;

use super::path::{check_private, metadata, StorePath};
use super::store_error;
use crate::core::error::{Error, ErrorKind};

/// The exclusive lock, held until dropped (closing the file releases `flock`).
pub struct StoreLock {
    _file: File,
}

/// Takes the store's exclusive lock, waiting until `deadline` at most. Creates the
/// folder (0700) and the lock file (0600) when they do not exist.
pub fn lock(path: &StorePath, deadline: Instant) -> Result<StoreLock, Error> {
    path.ensure_folder()?;
    let lock_path = path.lock_file();
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(&lock_path)
        .map_err(|e| {
            store_error(
                &path.file,
                format!("cannot open its lock file {}: {e}", lock_path.display()),
            )
        })?;
    // Polling try_lock keeps the wait within the deadline (a blocking flock cannot
    // be given one without a signal). Short sleeps at first: a holder usually
    // finishes within milliseconds (one refresh round trip).
    let mut pause = Duration::from_micros(200);
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(StoreLock { _file: file }),
            Err(TryLockError::WouldBlock) => {}
            Err(TryLockError::Error(e)) => {
                return Err(store_error(&path.file, format!("cannot be locked: {e}")))
            }
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(Error::new(
                ErrorKind::Timeout,
                format!(
                    "timed out waiting for the lock of the token store {} (another process holds it)",
                    path.file.display()
                ),
            ));
        }
        std::thread::sleep(pause.min(deadline - now));
        pause = (pause * 2).min(Duration::from_millis(10));
    }
}

/// The store's bytes in a wiped buffer, `None` when it does not exist yet. A store
/// that others may read or write, or that another user owns, is refused.
pub fn read(path: &StorePath) -> Result<Option<Zeroizing<Vec<u8>>>, Error> {
    let Some(meta) = metadata(&path.file)? else {
        return Ok(None);
    };
    check_private(&path.file, &meta)?;
    let mut file = match File::open(&path.file) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(store_error(&path.file, format!("cannot be read: {e}"))),
    };
    // One allocation of the right size: a buffer that grows leaves copies behind.
    let size = usize::try_from(meta.len()).unwrap_or(0);
    let mut bytes = Zeroizing::new(Vec::with_capacity(size.saturating_add(4096)));
    file.read_to_end(&mut bytes)
        .map_err(|e| store_error(&path.file, format!("cannot be read: {e}")))?;
    Ok(Some(bytes))
}

/// Replaces the store with `bytes`: the temporary file (0600) is written and
/// fsynced, renamed over the store, and the folder fsynced, so a crash at any
/// instant leaves the old store or the new one. The caller holds the lock.
pub fn write(path: &StorePath, bytes: &[u8]) -> Result<(), Error> {
    let temp = path.temp_file();
    let failed = |what: &str, e: std::io::Error| {
        store_error(
            &path.file,
            format!("cannot be written ({what}: {e}); it was left as it was"),
        )
    };
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&temp)
        .map_err(|e| failed("creating the temporary file", e))?;
    // A temporary file left by a crash keeps its mode: make sure it is private.
    file.set_permissions(Permissions::from_mode(0o600))
        .map_err(|e| failed("chmod of the temporary file", e))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| failed("writing the temporary file", e))?;
    drop(file);
    fs::rename(&temp, &path.file).map_err(|e| failed("renaming the temporary file", e))?;
    File::open(path.folder())
        .and_then(|folder| folder.sync_all())
        .map_err(|e| failed("fsync of the folder", e))?;
    Ok(())
}
