//! The token store: apps and named accounts in one JSON document that several
//! processes share, in a file of this host or on a Redis server that many hosts
//! share ([`backend`]). Every change happens under a lock and lands whole, as a
//! compare-and-set on the document's revision; a store-backed OAuth 2.0 config
//! refreshes under its account's lock, so N processes meeting one expired grant
//! refresh it once ([`access`]).
//!
//! - [`path`]: where the file store is, who may read it.
//! - [`lock`]: the file store's lock, read and atomic write.
//! - [`backend`]: the file store and the Redis store behind one face.
//! - [`redis`]: the Redis store (a server many hosts share).
//! - [`redis_url`]: its URL.
//! - [`file`]: the format (version 1) and its accounts, their versions, the refresh
//!   in flight, who holds which grant.
//! - [`access`]: the document through its backend, and a config's refreshes through
//!   the store.
//! - [`import`]: accounts from twurl, xurl and the `TW_*` variables.

/// A `TW_STATUS_STORE` error about the store at `$at` (a path, or a URL without its
/// password): "the token store AT", then the rest as `format!` words it.
macro_rules! store_error {
    ($at:expr, $($what:tt)+) => {
        $crate::core::error::Error::new(
            $crate::core::error::ErrorKind::Store,
            format!(
                "the token store {} {}",
                std::path::Path::new($at).display(),
                format_args!($($what)+)
            ),
        )
    };
}

mod access;
mod backend;
mod checked;
mod file;
mod import;
mod lock;
mod path;
mod redis;
mod redis_url;

use std::ffi::OsString;
use std::sync::Arc;

use zeroize::Zeroizing;

pub use self::access::Store;
use self::access::StoreLink;
use self::backend::{Backend, STORE_WIDE};
use self::file::{is_account_name, Account, Document};
pub use self::import::check_format as check_import_format;
use self::import::Found;
use self::path::{StorePath, ENV_STORE};
use crate::core::api::client::Client;
use crate::core::api::deadline;
use crate::core::error::Error;
use crate::core::settings::{Identity, DEFAULT_TIMEOUT};

/// What an import did, by account name (see [`Store::import`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportReport {
    /// The accounts written (new, or replaced).
    pub imported: Vec<String>,
    /// The accounts whose stored OAuth 2.0 grant was kept: the store holds another
    /// grant of the same app and user, which is the newer one (the source's copy
    /// died at the store's first refresh). `force` replaces it.
    pub kept: Vec<String>,
    /// The imported accounts whose refresh token belongs to the store from now on:
    /// the first refresh kills the source tool's copy.
    pub handed_over: Vec<String>,
}

/// One account as the listing shows it: no secret in it. A string is `None` when
/// the record lacks it (a screen name or id not learnt yet, a record edited by hand).
/// Its JSON is the listing's record (members sorted, as the contract shows them).
///
/// Names come from other tools' files and from hand edits: the JSON escapes every
/// character a terminal could act on (serde_json leaves DEL, the C1 controls and the
/// bidirectional overrides raw), so `accounts --json` never prints one raw. The
/// fields are as stored: the command-line tools escape them when they print them.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct AccountSummary {
    pub app: Option<String>,
    #[serde(rename = "default")]
    pub is_default: bool,
    /// Seconds since the Unix epoch; 0 when unknown, and for OAuth 1.0a.
    pub expires_at: i64,
    pub has_refresh_token: bool,
    /// `"oauth1"` or `"oauth2"`, as the record says.
    pub kind: Option<String>,
    pub name: String,
    pub screen_name: Option<String>,
    /// Decimal digits (ids exceed 2^53).
    pub user_id: Option<String>,
}

impl AccountSummary {
    /// The summary of the account `name` of `doc`.
    pub fn of(doc: &Document, name: &str) -> AccountSummary {
        let record = &doc.accounts[name];
        AccountSummary {
            name: name.to_owned(),
            kind: record.kind.clone(),
            screen_name: record.screen_name.clone(),
            user_id: record.user_id.clone(),
            app: record.app.clone(),
            expires_at: record.expires_at.unwrap_or(0),
            has_refresh_token: record.refresh_token.as_ref().is_some_and(|t| !t.is_empty()),
            is_default: doc.default.as_deref() == Some(name),
        }
    }

    /// The listing's JSON record as text, every terminal control escaped.
    pub fn to_json_text(&self) -> String {
        escape_terminal_controls(&serde_json::to_string(self).expect("plain fields"))
    }
}

/// JSON text with each character a terminal acts on that serde_json leaves raw
/// written `\uXXXX`: DEL, the C1 controls (U+0080 to U+009F: CSI among them) and the
/// bidirectional marks and overrides. The same JSON value (such characters can only
/// be inside strings).
fn escape_terminal_controls(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if matches!(c, '\u{7f}'..='\u{9f}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

impl Store {
    /// The store at `explicit`, else the path rule (see [`StorePath::resolve`]); a
    /// `redis://` or `rediss://` URL (given, or in `TWFOLLOW_STORE`) is the shared
    /// store on that server. `env` reads the variables (the process environment in
    /// production).
    pub fn open(
        explicit: Option<&str>,
        env: impl Fn(&str) -> Option<OsString>,
    ) -> Result<Store, Error> {
        // A URL may hold a password: the variable's copy of it is wiped.
        let variable = env(ENV_STORE)
            .and_then(|v| v.into_string().ok())
            .map(Zeroizing::new);
        let named = explicit.or(variable.as_deref().map(String::as_str));
        let backend: Arc<dyn Backend> = match named {
            Some(url) if url.starts_with("redis://") || url.starts_with("rediss://") => {
                Arc::new(self::redis::RedisBackend::open(url)?)
            }
            _ => Arc::new(StorePath::resolve(explicit, env)?),
        };
        Ok(Store { backend })
    }

    /// The link of a store-backed OAuth 2.0 config to the account `name`.
    fn link(&self, name: String) -> StoreLink {
        StoreLink {
            store: self.clone(),
            account: name,
        }
    }

    /// A client for a stored account (`None`: the default). An OAuth 2.0 account
    /// is store-backed: its refreshes go through the store's lock.
    pub fn client_for(&self, account: Option<&str>) -> Result<Client, Error> {
        let doc = self.load_existing()?;
        let name = match account.map(str::to_owned).or_else(|| doc.default.clone()) {
            Some(name) => name,
            None => return Err(store_error!(
                &doc.at,
                "has no default account: name one (--account NAME) or choose one (tw-follow accounts default NAME)"
            )),
        };
        let stored = doc.account(&name)?;
        let client = Client::new(stored.settings);
        if let Ok(session) = client.session() {
            if let Some(id) = stored.user_id {
                session.set_identity(id, stored.screen_name);
            }
            session.set_token_store(Arc::new(self.link(name)));
        }
        Ok(client)
    }

    /// The accounts without any secret, as the contract's JSON:
    /// `{"path":…,"default":…|null,"accounts":[record…]}`, accounts sorted by name.
    pub fn list_json(&self) -> Result<String, Error> {
        let doc = self.load()?;
        let summary = |name: &String| AccountSummary::of(&doc, name);
        let accounts: Vec<_> = doc.accounts.keys().map(summary).collect();
        let path = self.location();
        let listing =
            serde_json::json!({"accounts": accounts, "default": doc.default, "path": path});
        Ok(escape_terminal_controls(&listing.to_string()))
    }

    /// The number of accounts, and the `index`-th of `list_json`'s list (the same
    /// order and members), or `None` past the end.
    pub fn account_at(&self, index: usize) -> Result<(usize, Option<AccountSummary>), Error> {
        let doc = self.load()?;
        let summary = doc.accounts.keys().nth(index);
        let summary = summary.map(|name| AccountSummary::of(&doc, name));
        Ok((doc.accounts.len(), summary))
    }

    pub fn set_default(&self, name: &str) -> Result<(), Error> {
        self.modify(STORE_WIDE, deadline::at(DEFAULT_TIMEOUT), |doc| {
            doc.account(name)?;
            doc.default = Some(name.to_owned());
            Ok(())
        })
    }

    /// Removes the account (and its app when no other account uses it).
    pub fn remove(&self, name: &str) -> Result<(), Error> {
        self.modify(STORE_WIDE, deadline::at(DEFAULT_TIMEOUT), |doc| {
            if doc.remove_account(name) {
                Ok(())
            } else {
                Err(store_error!(&doc.at, "has no account {name:?}"))
            }
        })
    }

    /// Saves the config's user and app as `name` (`None`: the user's screen name),
    /// with the user's id and screen name (learnt, or one `GET 2/users/me`). The
    /// config is store-backed from then on. Returns the name. An OAuth 2.0 grant is
    /// never saved under a second name: two accounts holding one refresh token would
    /// kill each other's copy at the first refresh.
    pub fn save_account(&self, client: &mut Client, name: Option<&str>) -> Result<String, Error> {
        deadline::within(client.settings().timeout, || self.save_within(client, name))
    }

    fn save_within(&self, client: &mut Client, name: Option<&str>) -> Result<String, Error> {
        let session = client.session().ok().cloned();
        let (mut account, user_id) = if let Some(session) = &session {
            let (user_id, screen_name) = client.oauth2_identity()?;
            let (id, secret) = (&session.client_id, session.client_secret.clone());
            let tokens = client.oauth2_tokens()?;
            (Account::oauth2(id, secret, &tokens, screen_name), user_id)
        } else {
            let (user_id, screen_name) = client.oauth1_identity()?;
            client.set_identity(Identity {
                user_id,
                screen_name: screen_name.clone(),
            });
            let c = &client.settings().credentials;
            let (key, secret) = (&c.consumer_key, &c.consumer_secret);
            let (token, token_secret) = (&c.access_token, &c.access_token_secret);
            let account = Account::oauth1(key, secret, token, token_secret, Some(&screen_name));
            (account, user_id)
        };
        account.record.user_id = Some(user_id.to_string());
        let name = name
            .map(str::to_owned)
            .or(account.record.screen_name.clone());
        let name = name.ok_or_else(|| {
            Error::invalid_argument(
                "the user's screen name is unknown (the server did not say it): give the account a name",
            )
        })?;
        let found = Found {
            accounts: vec![(name.clone(), account)],
            default: None,
        };
        self.put_accounts(&found, true)?;
        if let Some(session) = session {
            session.set_token_store(Arc::new(self.link(name.clone())));
        }
        Ok(name)
    }

    /// Imports accounts from another tool's file or the environment (`format`:
    /// `"twurl"`, `"xurl"` or `"env"`; see [`import`]). Existing names are overwritten, except that an OAuth 2.0 grant
    /// the store holds for the same app and user is never replaced by a different
    /// one from the source (the store's is the newer: X rotated the source's away at
    /// the store's first refresh) unless `force`.
    pub fn import(
        &self,
        format: &str,
        source: Option<&str>,
        env: impl Fn(&str) -> Option<OsString>,
        force: bool,
    ) -> Result<ImportReport, Error> {
        self.put_accounts(&import::read(format, source, &env)?, force)
    }

    /// Writes the accounts `found` (and makes its default, else its first, the
    /// store's when the store has none); unless `force`, an account whose stored
    /// OAuth 2.0 grant is newer is kept. No two accounts may hold one refresh token:
    /// the first refresh of either would kill the other's copy.
    fn put_accounts(&self, found: &Found, force: bool) -> Result<ImportReport, Error> {
        if !found.accounts.iter().all(|(name, _)| is_account_name(name)) {
            return Err(Error::invalid_argument(
                "an account name has 1 to 100 bytes and no control characters",
            ));
        }
        self.modify(STORE_WIDE, deadline::at(DEFAULT_TIMEOUT), |doc| {
            let mut report = ImportReport::default();
            for (name, account) in &found.accounts {
                if !force && doc.holds_newer_grant(name, account) {
                    report.kept.push(name.clone());
                    continue;
                }
                let refresh = account.record.refresh_token.as_deref();
                if let Some(other) = refresh.and_then(|token| doc.holder_of(token, name)) {
                    return Err(store_error!(
                        &doc.at,
                        "already holds this OAuth 2.0 grant as the account {other:?}: two accounts must never hold one refresh token (the first refresh would kill the other's copy); use --account {other:?}, or remove it first"
                    ));
                }
                doc.put_account(name, account);
                report.imported.push(name.clone());
                if refresh.is_some() {
                    report.handed_over.push(name.clone());
                }
            }
            let first = found.accounts.first().map(|(name, _)| name);
            // The default, when the store has none (or one it no longer holds).
            let held = doc.default.as_ref().filter(|d| doc.accounts.contains_key(*d));
            if let (None, Some(name)) = (held, found.default.as_ref().or(first)) {
                doc.default = Some(name.clone());
            }
            Ok(report)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn terminal_controls_are_escaped_and_the_value_is_kept() {
        let value = serde_json::json!({"name": "a\u{9b}31mb\u{7f}\u{202e}c\u{1b}"});
        let text = escape_terminal_controls(&value.to_string());
        assert!(text.is_ascii(), "{text}");
        assert_eq!(text, r#"{"name":"a\u009b31mb\u007f\u202ec\u001b"}"#);
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), value);
    }
}
