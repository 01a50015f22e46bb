//! The token store: apps and named accounts in one JSON file that several processes
//! share. Every change happens under an exclusive lock and lands atomically
//! ([`lock`]); a store-backed OAuth 2.0 config refreshes under that lock, so N
//! processes meeting one expired grant refresh it once ([`StoreLink`]).
//!
//! - [`path`]: where the store is, who may read it.
//! - [`lock`]: the lock, the read, the atomic write.
//! - [`file`]: the format (version 1) and its accounts.
//! - [`listing`]: the accounts without their secrets.
//! - [`import`]: accounts from twurl, xurl and the `TW_*` variables.

pub mod file;
pub mod import;
pub mod listing;
pub mod lock;
pub mod path;

use std::ffi::OsString;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use zeroize::Zeroizing;

use self::file::{Account, App, Document, User};
use self::path::{store_error, StorePath};
use crate::core::api::client::Client;
use crate::core::auth::oauth2::Tokens;
use crate::core::auth::session::{LockedTokens, TokenStore};
use crate::core::error::Error;
use crate::core::settings::{Identity, Settings, DEFAULT_TIMEOUT};
use crate::core::wire::signer::Credentials;

pub use self::import::{ImportFormat, ImportReport};
pub use self::listing::AccountSummary;

/// One token store (by its path; nothing is read until asked).
#[derive(Debug, Clone)]
pub struct Store {
    path: StorePath,
}

impl Store {
    /// The store at `explicit`, else the path rule (see [`StorePath::resolve`]);
    /// `env` reads the variables (the process environment in production).
    pub fn open(
        explicit: Option<&str>,
        env: impl Fn(&str) -> Option<OsString>,
    ) -> Result<Store, Error> {
        Ok(Store {
            path: StorePath::resolve(explicit, env)?,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path.file
    }

    /// Reads the store without the lock (renames are atomic: a reader sees the old
    /// store or the new one). A store that does not exist yet reads as empty.
    fn load(&self) -> Result<Document, Error> {
        match lock::read(&self.path)? {
            Some(bytes) => Document::parse(&bytes, &self.path.file),
            None => Ok(Document::empty()),
        }
    }

    /// Like `load`, but a store that does not exist is an error.
    fn load_existing(&self) -> Result<Document, Error> {
        match lock::read(&self.path)? {
            Some(bytes) => Document::parse(&bytes, &self.path.file),
            None => Err(store_error(
                &self.path.file,
                "does not exist: run `tw-follow authorize` (or tw_store_save_account) to save an account",
            )),
        }
    }

    /// Under the lock: reads the store, applies `change`, writes it back when
    /// `change` succeeded. The lock is waited for until `deadline` at most.
    fn modify<T>(
        &self,
        deadline: Instant,
        change: impl FnOnce(&mut Document) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let _lock = lock::lock(&self.path, deadline)?;
        let mut doc = self.load()?;
        let out = change(&mut doc)?;
        lock::write(&self.path, &doc.to_bytes())?;
        Ok(out)
    }

    fn default_deadline() -> Instant {
        Instant::now() + DEFAULT_TIMEOUT
    }

    /// The name `account` stands for: itself, or the store's default.
    fn account_name(&self, doc: &Document, account: Option<&str>) -> Result<String, Error> {
        match account {
            Some(name) => Ok(name.to_owned()),
            None => doc.default_account().map(str::to_owned).ok_or_else(|| {
                store_error(
                    &self.path.file,
                    "has no default account: name one (--account NAME) or choose one (tw-follow accounts default NAME)",
                )
            }),
        }
    }

    /// A client for a stored account (`None`: the default). An OAuth 2.0 account
    /// is store-backed: its refreshes go through the store's lock.
    pub fn client_for(&self, account: Option<&str>) -> Result<Client, Error> {
        let doc = self.load_existing()?;
        let name = self.account_name(&doc, account)?;
        let stored = doc.account(&name, &self.path.file)?;
        let App {
            consumer_key,
            consumer_secret,
            client_id,
            client_secret,
        } = stored.app;
        match stored.user {
            User::OAuth1 { token, secret } => {
                let mut settings = Settings::new(Credentials {
                    consumer_key: consumer_key.as_deref().cloned().unwrap_or_default(),
                    consumer_secret: consumer_secret.as_deref().cloned().unwrap_or_default(),
                    access_token: token.to_string(),
                    access_token_secret: secret.to_string(),
                })
                .map_err(|e| {
                    store_error(&self.path.file, format!("account {name:?}: {}", e.message))
                })?;
                settings.identity =
                    stored
                        .user_id
                        .zip(stored.screen_name)
                        .map(|(user_id, screen_name)| Identity {
                            user_id,
                            screen_name,
                        });
                Ok(Client::new(settings))
            }
            User::OAuth2(tokens) => {
                let client_id = client_id.unwrap_or_default();
                let mut settings =
                    Settings::new_oauth2(&client_id, client_secret.as_deref().map(String::as_str))
                        .map_err(|e| {
                            store_error(&self.path.file, format!("account {name:?}: {}", e.message))
                        })?;
                if let Some(app) = settings.oauth2.as_mut() {
                    app.tokens = Some(tokens);
                }
                let client = Client::new(settings);
                let session = client.oauth2_session().expect("an OAuth 2.0 config");
                if let Some(id) = stored.user_id {
                    session.set_identity(id, stored.screen_name);
                }
                session.set_token_store(Arc::new(StoreLink {
                    path: self.path.clone(),
                    account: name,
                }));
                Ok(client)
            }
        }
    }

    /// The accounts without any secret, as the contract's JSON.
    pub fn list_json(&self) -> Result<String, Error> {
        Ok(listing::listing_json(&self.load()?, &self.path.file))
    }

    /// The number of accounts, and the `index`-th of `list_json`'s list (the same
    /// order and members), or `None` past the end.
    pub fn account_at(&self, index: usize) -> Result<(usize, Option<AccountSummary>), Error> {
        let doc = self.load()?;
        let names = doc.account_names();
        let summary = names.get(index).map(|n| AccountSummary::of(&doc, n));
        Ok((names.len(), summary))
    }

    pub fn set_default(&self, name: &str) -> Result<(), Error> {
        self.modify(Store::default_deadline(), |doc| {
            doc.account(name, &self.path.file)?;
            doc.set_default(Some(name));
            Ok(())
        })
    }

    /// Removes the account (and its app when no other account uses it).
    pub fn remove(&self, name: &str) -> Result<(), Error> {
        self.modify(Store::default_deadline(), |doc| {
            if doc.remove_account(name) {
                Ok(())
            } else {
                Err(store_error(
                    &self.path.file,
                    format!("has no account {name:?}"),
                ))
            }
        })
    }

    /// Saves the config's user and app as `name` (`None`: the user's screen name),
    /// with the user's id and screen name (learnt, or one `GET 2/users/me`). The
    /// config is store-backed from then on. Returns the name.
    pub fn save_account(&self, client: &mut Client, name: Option<&str>) -> Result<String, Error> {
        let settings = client.settings();
        let deadline_budget = settings.timeout;
        let account = if settings.oauth2.is_some() {
            let (user_id, screen_name) = client.oauth2_identity()?;
            let session = client.oauth2_session().expect("OAuth 2.0");
            let tokens = client.oauth2_tokens()?;
            Account {
                app_name: session.client_id.clone(),
                app: App {
                    client_id: Some(session.client_id.clone()),
                    client_secret: session.client_secret.clone(),
                    ..App::default()
                },
                user: User::OAuth2(tokens),
                user_id: Some(user_id),
                screen_name,
            }
        } else {
            let (user_id, screen_name) = client.oauth1_identity()?;
            client.update(|s| {
                s.identity = Some(Identity {
                    user_id,
                    screen_name: screen_name.clone(),
                });
                Ok(())
            })?;
            let credentials = &client.settings().credentials;
            Account {
                app_name: credentials.consumer_key.clone(),
                app: App {
                    consumer_key: Some(Zeroizing::new(credentials.consumer_key.clone())),
                    consumer_secret: Some(Zeroizing::new(credentials.consumer_secret.clone())),
                    ..App::default()
                },
                user: User::OAuth1 {
                    token: Zeroizing::new(credentials.access_token.clone()),
                    secret: Zeroizing::new(credentials.access_token_secret.clone()),
                },
                user_id: Some(user_id),
                screen_name: Some(screen_name),
            }
        };
        let name = match name {
            Some(name) => name.to_owned(),
            None => account.screen_name.clone().ok_or_else(|| {
                Error::invalid_argument(
                    "the user's screen name is unknown (the server did not say it): give the account a name",
                )
            })?,
        };
        check_account_name(&name)?;
        self.modify(Instant::now() + deadline_budget, |doc| {
            doc.put_account(&name, &account);
            if doc.default_account().is_none_or(|d| !doc.has_account(d)) {
                doc.set_default(Some(&name));
            }
            Ok(())
        })?;
        if client.oauth2_session().is_some() {
            client.set_token_store(Arc::new(StoreLink {
                path: self.path.clone(),
                account: name.clone(),
            }))?;
        }
        Ok(name)
    }

    /// Imports accounts from another tool's file or the environment (see
    /// [`import`]); existing names are overwritten, except an OAuth 2.0 account of the
    /// same app whose stored grant differs from the source's (the store's is newer:
    /// kept, unless `force`).
    // STUB (branch clipy): the lead's core change replaces this body; the signature
    // and the report are the contract the bindings use.
    pub fn import(
        &self,
        format: ImportFormat,
        source: Option<&str>,
        env: impl Fn(&str) -> Option<OsString>,
        force: bool,
    ) -> Result<ImportReport, Error> {
        let found = import::read(format, source, &env)?;
        for (name, _) in &found.accounts {
            check_account_name(name)?;
        }
        let path = self.path.file.clone();
        self.modify(Store::default_deadline(), |doc| {
            let mut report = ImportReport::default();
            for (name, account) in &found.accounts {
                let newer_stored = match (&account.user, doc.account(name, &path)) {
                    (User::OAuth2(source), Ok(stored)) => {
                        stored.app_name == account.app_name
                            && matches!(&stored.user, User::OAuth2(t)
                                if t.refresh_token.as_deref() != source.refresh_token.as_deref()
                                    || t.access_token != source.access_token)
                    }
                    _ => false,
                };
                if newer_stored && !force {
                    report.kept.push(name.clone());
                    continue;
                }
                doc.put_account(name, account);
                report.imported.push(name.clone());
                if matches!(&account.user, User::OAuth2(t) if t.refresh_token.is_some()) {
                    report.handed_over.push(name.clone());
                }
            }
            let default_ok = doc.default_account().is_some_and(|d| doc.has_account(d));
            if !default_ok {
                let choice = found
                    .default
                    .as_deref()
                    .or_else(|| found.accounts.first().map(|(n, _)| n.as_str()));
                doc.set_default(choice);
            }
            Ok(report)
        })
    }
}

/// An account name: 1 to 100 bytes of UTF-8, no control characters.
fn check_account_name(name: &str) -> Result<(), Error> {
    if name.is_empty() || name.len() > 100 || name.chars().any(char::is_control) {
        return Err(Error::invalid_argument(
            "an account name has 1 to 100 bytes and no control characters",
        ));
    }
    Ok(())
}

/// The link from a store-backed OAuth 2.0 config to its account in the store.
struct StoreLink {
    path: StorePath,
    account: String,
}

/// The account while the lock is held.
struct LockedAccount<'a> {
    link: &'a StoreLink,
    _lock: lock::StoreLock,
    doc: Document,
    tokens: Tokens,
}

impl TokenStore for StoreLink {
    fn lock(&self, deadline: Instant) -> Result<Box<dyn LockedTokens + '_>, Error> {
        let held = lock::lock(&self.path, deadline)?;
        let store = Store {
            path: self.path.clone(),
        };
        let doc = store.load_existing()?;
        let tokens = match doc.account(&self.account, &self.path.file)?.user {
            User::OAuth2(tokens) => tokens,
            User::OAuth1 { .. } => {
                return Err(store_error(
                    &self.path.file,
                    format!(
                    "account {:?} holds OAuth 1.0a tokens now, not this config's OAuth 2.0 grant",
                    self.account
                ),
                ))
            }
        };
        Ok(Box::new(LockedAccount {
            link: self,
            _lock: held,
            doc,
            tokens,
        }))
    }

    fn describe(&self) -> String {
        format!("{} (account {:?})", self.path.file.display(), self.account)
    }

    /// Best effort: a store that cannot be written now costs a `GET 2/users/me`
    /// in the next process, nothing more, so a failure is not the call's.
    fn remember_identity(&self, user_id: u64, screen_name: Option<&str>, deadline: Instant) {
        let store = Store {
            path: self.path.clone(),
        };
        let _ = store.modify(deadline, |doc| {
            doc.put_identity(&self.account, user_id, screen_name);
            Ok(())
        });
    }
}

impl LockedTokens for LockedAccount<'_> {
    fn stored(&self) -> &Tokens {
        &self.tokens
    }

    fn save(&mut self, tokens: &Tokens) -> Result<(), Error> {
        self.doc
            .put_tokens(&self.link.account, tokens, &self.link.path.file)?;
        lock::write(&self.link.path, &self.doc.to_bytes())
    }
}
