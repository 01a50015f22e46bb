//! A store's document through its backend: reading it, and changing it under a
//! lock as a compare-and-set on its revision. What the store does with accounts
//! builds on this (the parent module, and `link` for refreshes).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::core::api::deadline::{self, REFRESH_GRACE};
use crate::core::api::store::backend::Backend;
use crate::core::api::store::file::Document;
use crate::core::api::store::path::store_error;
use crate::core::error::{Error, ErrorKind};
use crate::core::settings::DEFAULT_TIMEOUT;

/// One token store (by its location; nothing is read until asked).
#[derive(Debug, Clone)]
pub struct Store {
    pub(super) backend: Arc<dyn Backend>,
}

impl Store {
    /// Where the store is, for messages: its path, or its URL without the password.
    pub fn location(&self) -> String {
        self.backend.location()
    }

    /// The document, `None` when there is no store yet. No lock: every write replaces
    /// it whole.
    fn read_document(&self) -> Result<Option<Document>, Error> {
        let bytes = self.backend.read()?;
        bytes
            .map(|bytes| Document::parse(&bytes, Path::new(&self.location())))
            .transpose()
    }

    /// The document; a store that does not exist yet reads as empty.
    pub(super) fn load(&self) -> Result<Document, Error> {
        Ok(self.read_document()?.unwrap_or_else(Document::empty))
    }

    /// Like `load`, but a store that does not exist is an error.
    pub(super) fn load_existing(&self) -> Result<Document, Error> {
        self.read_document()?.ok_or_else(|| {
            store_error(
                Path::new(&self.location()),
                "does not exist: run `tw-follow authorize` to save an account",
            )
        })
    }

    /// Under the lock of `scope`: reads the store, applies `change`, writes it back
    /// when `change` succeeded, as a compare-and-set on the revision read. When
    /// another writer got in first (a refresh of another account, on another host),
    /// the change is applied again to what it wrote. The lock is waited for until
    /// `deadline` at most.
    pub(super) fn modify<T>(
        &self,
        scope: &str,
        deadline: Instant,
        mut change: impl FnMut(&mut Document) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let _held = self.backend.lock(scope, deadline, hold_for(deadline))?;
        loop {
            let mut doc = self.load()?;
            let out = change(&mut doc)?;
            if self.write_next(&mut doc)? {
                return Ok(out);
            }
            if Instant::now() >= deadline {
                return Err(stale(&self.location()));
            }
        }
    }

    /// Writes `doc` with the next revision, as a compare-and-set on the one it has.
    /// False: another writer got in first, and nothing was written.
    pub(super) fn write_next(&self, doc: &mut Document) -> Result<bool, Error> {
        let revision = doc.revision;
        doc.revision = revision + 1;
        self.backend.write(&doc.to_bytes(), revision)
    }

    pub(super) fn default_deadline() -> Instant {
        deadline::at(DEFAULT_TIMEOUT)
    }
}

/// A compare-and-set that kept losing until the deadline.
fn stale(at: &str) -> Error {
    Error::new(
        ErrorKind::Timeout,
        format!("the token store {at} kept changing under this write until the call's time ran out (nothing was changed)"),
    )
}

/// How long a lock taken at `deadline`'s call may live: the call's time, the grace a
/// refresh already sent gets, and a margin for the write that follows.
pub(super) fn hold_for(deadline: Instant) -> Duration {
    deadline.saturating_duration_since(Instant::now()) + REFRESH_GRACE + Duration::from_secs(5)
}
