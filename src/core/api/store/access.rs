//! A store's document through its backend: reading it, and changing it under a
//! lock as a compare-and-set on its revision. What the store does with accounts
//! builds on this (the parent module, and `link` for refreshes). A module of its own
//! because the parent uses `link`, which uses this: in the parent it would be an
//! import circle (`tests/architecture.rs`, `no_module_imports_in_a_circle`).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::core::api::deadline::REFRESH_GRACE;
use crate::core::api::store::backend::Backend;
use crate::core::api::store::file::Document;
use crate::core::error::{Error, ErrorKind};

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
        Ok(self
            .read_document()?
            .unwrap_or_else(|| Document::empty(Path::new(&self.location()))))
    }

    /// Like `load`, but a store that does not exist is an error.
    pub(super) fn load_existing(&self) -> Result<Document, Error> {
        self.read_document()?.ok_or_else(|| {
            store_error!(
                &self.location(),
                "does not exist: run `tw-follow authorize` to save an account"
            )
        })
    }

    /// Under the lock of `scope` (waited for until `deadline` at most): reads the
    /// store, applies `change` and writes it back (see [`Store::write_changed`]).
    pub(super) fn modify<T>(
        &self,
        scope: &str,
        deadline: Instant,
        change: impl FnMut(&mut Document) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let _held = self.backend.lock(scope, deadline, hold_for(deadline))?;
        self.write_changed(&mut self.load()?, Some(deadline), change)
    }

    /// Applies `change` to `doc` and writes it with the next revision, as a
    /// compare-and-set on the one it has. When another writer got in first (a refresh
    /// of another account, on another host), the change is applied again to what it
    /// wrote, and written while `deadline` has not passed (`None`: for as long as
    /// `change` accepts what it reads, as a refresh's answer must be stored).
    pub(super) fn write_changed<T>(
        &self,
        doc: &mut Document,
        deadline: Option<Instant>,
        mut change: impl FnMut(&mut Document) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let mut retried = false;
        loop {
            // Applied first, so a change that refuses what another writer wrote says so.
            let out = change(doc)?;
            if retried && deadline.is_some_and(|deadline| Instant::now() >= deadline) {
                return Err(Error::new(
                    ErrorKind::Timeout,
                    format!("the token store {} kept changing under this write until the call's time ran out (nothing was changed)", self.location()),
                ));
            }
            doc.revision += 1;
            if self.backend.write(&doc.to_bytes(), doc.revision - 1)? {
                return Ok(out);
            }
            *doc = self.load_existing()?;
            retried = true;
        }
    }
}

/// How long a lock taken at `deadline`'s call may live: the call's time, the grace a
/// refresh already sent gets, and a margin for the write that follows.
pub(super) fn hold_for(deadline: Instant) -> Duration {
    deadline.saturating_duration_since(Instant::now()) + REFRESH_GRACE + Duration::from_secs(5)
}
