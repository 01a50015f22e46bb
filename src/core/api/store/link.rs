//! A store-backed OAuth 2.0 config's link to its account: its refreshes take the
//! account's lock, record themselves as in flight before sending, and store their
//! answer with a compare-and-set on the account's version.

use std::path::Path;
use std::time::Instant;

use crate::core::api::store::access::{hold_for, Store};
use crate::core::api::store::backend::Held;
use crate::core::api::store::checked::User;
use crate::core::api::store::file::Document;
use crate::core::api::store::path::store_error;
use crate::core::auth::oauth2::Tokens;
use crate::core::auth::session::{InFlightRefresh, LockedTokens, TokenStore};
use crate::core::error::{Error, ErrorKind};

/// The link from a store-backed OAuth 2.0 config to its account in the store.
pub(super) struct StoreLink {
    pub(super) store: Store,
    pub(super) account: String,
}

/// The account while its lock is held.
struct LockedAccount<'a> {
    link: &'a StoreLink,
    _held: Box<dyn Held>,
    doc: Document,
    tokens: Tokens,
    /// The account's version this process last read or wrote.
    version: u64,
    /// The in-flight record found when the lock was taken.
    found: Option<InFlightRefresh>,
}

impl TokenStore for StoreLink {
    fn lock(&self, deadline: Instant) -> Result<Box<dyn LockedTokens + '_>, Error> {
        let held = self.store.backend
            .lock(&self.account, deadline, hold_for(deadline))
            .map_err(|mut e| {
                // Waiting ran out: say who refreshes, when the store knows.
                if e.kind == ErrorKind::Timeout {
                    if let Some(f) = self.store.load().ok().and_then(|d| d.refresh_in_flight(&self.account)) {
                        e.message.push_str(&format!(
                            "; a refresh of this account has been in flight since {} (if that process died, the lock expires by itself, but the refresh may have cost the grant: then run tw-follow authorize --account {})",
                            f.describe(),
                            self.account
                        ));
                    }
                }
                e
            })?;
        let doc = self.store.load_existing()?;
        let at = self.store.location();
        let User::OAuth2 { tokens, .. } = doc.account(&self.account, Path::new(&at))?.user else {
            let what = "holds OAuth 1.0a tokens now, not this config's OAuth 2.0 grant";
            return Err(store_error(
                Path::new(&at),
                format!("account {:?} {what}", self.account),
            ));
        };
        Ok(Box::new(LockedAccount {
            link: self,
            _held: held,
            version: doc.version(&self.account),
            found: doc.refresh_in_flight(&self.account),
            doc,
            tokens,
        }))
    }

    fn describe(&self) -> String {
        format!("{} (account {:?})", self.store.location(), self.account)
    }

    fn account(&self) -> &str {
        &self.account
    }

    /// Best effort: a store that cannot be written now costs a `GET 2/users/me`
    /// in the next process, nothing more, so a failure is not the call's.
    fn remember_identity(&self, user_id: u64, screen_name: Option<&str>, deadline: Instant) {
        let _ = self.store.modify(&self.account, deadline, |doc| {
            doc.put_identity(&self.account, user_id, screen_name);
            Ok(())
        });
    }
}

impl LockedAccount<'_> {
    /// Applies `change` to the account and writes the store, as a compare-and-set:
    /// when another writer got in first, the change is applied again to what it
    /// wrote, as long as the account itself is still the version this process knew.
    fn write(
        &mut self,
        change: impl Fn(&mut Document, &str) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let (store, name, version) = (&self.link.store, &self.link.account, self.version);
        store.write_changed(&mut self.doc, None, |doc| {
            if doc.version(name) != version {
                return Err(store_error(
                    Path::new(&store.location()),
                    format!(
                        "account {name:?} was changed by another writer while this process held its lock (a lock that expired under a paused process?): this write was refused, and the store keeps the other one"
                    ),
                ));
            }
            change(doc, name)
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
        self.write(|doc, name| {
            doc.set_refresh_in_flight(name, Some(&mine));
            Ok(())
        })
    }

    fn save(&mut self, tokens: &Tokens) -> Result<(), Error> {
        let at = self.link.store.location();
        self.write(|doc, name| doc.put_tokens(name, tokens, Path::new(&at)))
    }

    fn refresh_refused(&mut self, lost: bool) {
        let record = match (&self.found, lost) {
            (Some(found), true) => Some(InFlightRefresh {
                refused: true,
                ..found.clone()
            }),
            (found, _) => found.clone(),
        };
        let _ = self.write(|doc, name| {
            doc.set_refresh_in_flight(name, record.as_ref());
            Ok(())
        });
    }
}
