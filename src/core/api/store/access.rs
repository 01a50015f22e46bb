//! A store's document through its backend: reading it, and changing it under a
//! lock as a compare-and-set on its revision; and [`StoreLink`], a store-backed OAuth
//! 2.0 config's link to its account: its refreshes take the account's lock, record
//! themselves as in flight before sending, and store their answer with a
//! compare-and-set on the account's version. What the store does with accounts builds
//! on this (the parent module). A module of its own because the parent uses the link,
//! which uses this: in the parent it would be an import circle
//! (`tests/architecture.rs`, `no_module_imports_in_a_circle`).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::core::api::deadline::REFRESH_GRACE;
use crate::core::api::store::backend::{Backend, Held};
use crate::core::api::store::file::{Document, Record};
use crate::core::auth::oauth2::Tokens;
use crate::core::auth::session::{InFlightRefresh, LockedTokens, TokenStore};
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
    fn write_changed<T>(
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
fn hold_for(deadline: Instant) -> Duration {
    deadline.saturating_duration_since(Instant::now()) + REFRESH_GRACE + Duration::from_secs(5)
}

/// The link from a store-backed OAuth 2.0 config to its account in the store.
pub(super) struct StoreLink {
    pub(super) store: Store,
    pub(super) account: String,
}

/// The account while its lock is held.
struct LockedAccount<'a> {
    link: &'a StoreLink,
    _held: Held<'a>,
    doc: Document,
    tokens: Tokens,
    /// The account's version this process last read or wrote.
    version: u64,
    /// The in-flight record found when the lock was taken.
    found: Option<InFlightRefresh>,
    /// The call's deadline, which bounds every write but the save of a refreshed pair.
    deadline: Instant,
}

impl TokenStore for StoreLink {
    fn lock(&self, deadline: Instant) -> Result<Box<dyn LockedTokens + '_>, Error> {
        let held = self.store.backend
            .lock(&self.account, deadline, hold_for(deadline))
            .map_err(|mut e| {
                // Waiting ran out: say who refreshes, when the store knows.
                let doc = (e.kind == ErrorKind::Timeout).then(|| self.store.load().ok());
                if let Some(f) = doc.flatten().and_then(|d| d.refresh_in_flight(&self.account)) {
                    let (since, account) = (f.describe(), &self.account);
                    e.message.push_str(&format!(
                        "; a refresh of this account has been in flight since {since} (if that process died, the lock expires by itself, but the refresh may have cost the grant: then run tw-follow authorize --account {account})"
                    ));
                }
                e
            })?;
        let doc = self.store.load_existing()?;
        let settings = doc.account(&self.account)?.settings;
        let Some(tokens) = settings.oauth2.and_then(|app| app.tokens) else {
            let what = "holds OAuth 1.0a tokens now, not this config's OAuth 2.0 grant";
            return Err(store_error!(&doc.at, "account {:?} {what}", self.account));
        };
        Ok(Box::new(LockedAccount {
            link: self,
            _held: held,
            version: doc.version(&self.account),
            found: doc.refresh_in_flight(&self.account),
            doc,
            tokens,
            deadline,
        }))
    }

    fn account(&self) -> &str {
        &self.account
    }

    /// Best effort: a store that cannot be written now costs a `GET 2/users/me`
    /// in the next process, nothing more, so a failure is not the call's.
    fn remember_identity(&self, user_id: u64, screen_name: Option<&str>, deadline: Instant) {
        let _ = self.store.modify(&self.account, deadline, |doc| {
            doc.change(&self.account, |record| {
                record.user_id = Some(user_id.to_string());
                if let Some(screen_name) = screen_name {
                    record.screen_name = Some(screen_name.to_owned());
                }
            })
        });
    }
}

impl LockedAccount<'_> {
    /// Applies `change` to the account's record and writes the store, as a compare-and-set:
    /// when another writer got in first, the change is applied again to what it
    /// wrote, as long as the account itself is still the version this process knew,
    /// until `deadline` (`None`: for as long as that holds, as a rotated pair must be
    /// stored; see [`Store::write_changed`]).
    fn write(
        &mut self,
        deadline: Option<Instant>,
        change: impl Fn(&mut Record),
    ) -> Result<(), Error> {
        let (store, name, version) = (&self.link.store, &self.link.account, self.version);
        store.write_changed(&mut self.doc, deadline, |doc| {
            if doc.version(name) != version {
                return Err(store_error!(
                    &doc.at,
                    "account {name:?} was changed by another writer while this process held its lock (a lock that expired under a paused process?): this write was refused, and the store keeps the other one"
                ));
            }
            doc.change(name, &change)
        })?;
        self.version = self.doc.version(name);
        Ok(())
    }
}

impl LockedTokens for LockedAccount<'_> {
    fn stored(&self) -> &Tokens {
        &self.tokens
    }

    fn interrupted(&self) -> Option<InFlightRefresh> {
        self.found.clone()
    }

    fn begin_refresh(&mut self) -> Result<(), Error> {
        let mine = InFlightRefresh::now();
        self.write(Some(self.deadline), |record| {
            record.refresh_in_flight = Some(mine.clone());
        })
    }

    fn save(&mut self, tokens: &Tokens) -> Result<(), Error> {
        self.write(None, |record| {
            record.set_tokens(tokens);
            record.refresh_in_flight = None;
        })
    }

    fn refresh_refused(&mut self, lost: bool) {
        let record = match (&self.found, lost) {
            (Some(found), true) => Some(InFlightRefresh {
                refused: true,
                ..found.clone()
            }),
            (found, _) => found.clone(),
        };
        let _ = self.write(Some(self.deadline), |stored| {
            stored.refresh_in_flight = record.clone();
        });
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, Ordering::SeqCst};

    use zeroize::Zeroizing;

    use super::*;

    /// Writes another writer always gets in before, at first.
    const LOSSES: u64 = 20;

    /// A store whose compare-and-set is lost `LOSSES` times: every read finds a newer
    /// revision (another account changed), the account itself never changes.
    #[derive(Debug, Default)]
    struct Contended {
        revision: AtomicU64,
        writes: AtomicU64,
    }

    impl Backend for Contended {
        fn location(&self) -> String {
            "contended".to_owned()
        }

        fn read(&self) -> Result<Option<Zeroizing<Vec<u8>>>, Error> {
            let revision = self.revision.fetch_add(1, SeqCst);
            let doc = format!(
                r#"{{"version":1,"revision":{revision},"apps":{{"app":{{"client_id":"client"}}}},
                "accounts":{{"grant":{{"app":"app","kind":"oauth2","access_token":"at",
                "refresh_token":"rt","expires_at":1,"version":1}}}}}}"#
            );
            Ok(Some(Zeroizing::new(doc.into_bytes())))
        }

        fn lock(&self, _: &str, _: Instant, _: Duration) -> Result<Held<'_>, Error> {
            Ok(Box::new(()))
        }

        fn write(&self, _bytes: &[u8], _expected: u64) -> Result<bool, Error> {
            Ok(self.writes.fetch_add(1, SeqCst) >= LOSSES)
        }
    }

    #[test]
    fn the_writes_around_a_refresh_end_at_the_deadline_and_its_save_does_not() {
        let backend = Arc::new(Contended::default());
        let link = StoreLink {
            store: Store {
                backend: backend.clone(),
            },
            account: "grant".to_owned(),
        };
        // The call's time is up: a write lost to another writer is not tried again.
        let e = link
            .lock(Instant::now())
            .unwrap()
            .begin_refresh()
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Timeout, "{}", e.message);
        assert_eq!(backend.writes.load(SeqCst), 1);
        link.lock(Instant::now()).unwrap().refresh_refused(true);
        assert_eq!(backend.writes.load(SeqCst), 2);
        // The rotated pair is stored for as long as the account is this process's version.
        let tokens = Tokens::from_parts("new-access", Some("new-refresh"), 4_000_000_000).unwrap();
        link.lock(Instant::now()).unwrap().save(&tokens).unwrap();
        assert_eq!(backend.writes.load(SeqCst), LOSSES + 1);
    }
}
