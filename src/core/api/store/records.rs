//! What the store's rules add to its format: the document's revision and each
//! account's version (every write is a compare-and-set on them), the refresh
//! recorded in flight, and which accounts hold which grant.

use serde_json::{Map, Value};

use crate::core::api::store::file::{
    bump, put, string, wipe, Account, Document, Kind, User, IN_FLIGHT,
};
use crate::core::auth::session::InFlightRefresh;

impl Document {
    /// The document's revision: every write stores the next one, and a write is a
    /// compare-and-set on it ([`Backend::write`](super::backend::Backend::write)).
    pub fn revision(&self) -> u64 {
        self.root
            .get("revision")
            .and_then(Value::as_u64)
            .unwrap_or(0)
    }

    pub fn set_revision(&mut self, revision: u64) {
        put(&mut self.root, "revision", Value::from(revision));
    }

    /// The account's version: each change of its record stores the next one, so a
    /// writer can tell whether the record it read is still the one stored.
    pub fn version(&self, name: &str) -> u64 {
        self.record(name)
            .and_then(|r| r.get("version"))
            .and_then(Value::as_u64)
            .unwrap_or(0)
    }

    /// The refresh recorded as in flight for the account, if any: recorded before
    /// its request was sent and cleared by the write that stores its answer, so one
    /// found later tells that a process died (or lost its store) with X's answer on
    /// the way, which may have cost the grant.
    pub fn refresh_in_flight(&self, name: &str) -> Option<InFlightRefresh> {
        let record = self.record(name)?.get(IN_FLIGHT)?.as_object()?;
        Some(InFlightRefresh {
            since: record.get("since").and_then(Value::as_i64).unwrap_or(0),
            host: record
                .get("host")
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_owned(),
            pid: record.get("pid").and_then(Value::as_u64).unwrap_or(0),
            refused: record
                .get("refused")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        })
    }

    /// Records (or, with `None`, clears) a refresh in flight for the account.
    pub fn set_refresh_in_flight(&mut self, name: &str, in_flight: Option<&InFlightRefresh>) {
        let Some(record) = self.record_mut(name) else {
            return;
        };
        match in_flight {
            Some(f) => {
                let mut value = Map::new();
                value.insert("since".into(), Value::from(f.since));
                value.insert("host".into(), string(&f.host));
                value.insert("pid".into(), Value::from(f.pid));
                value.insert("refused".into(), Value::from(f.refused));
                put(record, IN_FLIGHT, Value::Object(value));
            }
            None => {
                if let Some(mut old) = record.remove(IN_FLIGHT) {
                    wipe(&mut old);
                }
            }
        }
        bump(record);
    }

    /// The names of the other accounts that hold `refresh_token`.
    pub fn holders_of(&self, refresh_token: &str, except: &str) -> Vec<String> {
        self.members("accounts")
            .map(|accounts| {
                accounts
                    .iter()
                    .filter(|(name, record)| {
                        name.as_str() != except
                            && record.get("refresh_token").and_then(Value::as_str)
                                == Some(refresh_token)
                    })
                    .map(|(name, _)| name.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether the store holds, for the app and user of `account`, an OAuth 2.0
    /// grant other than the one `account` brings: the store's is then the newer one
    /// (it has refreshed since; the source's copy is dead). The same user is the same
    /// account name, or the same user id, or the same screen name.
    pub fn holds_newer_grant(&self, name: &str, account: &Account) -> bool {
        let User::OAuth2(theirs) = &account.user else {
            return false;
        };
        let Some(accounts) = self.members("accounts") else {
            return false;
        };
        accounts.iter().any(|(stored_name, record)| {
            let text = |key: &str| record.get(key).and_then(Value::as_str);
            let same_app = text("app") == Some(account.app_name.as_str())
                && text("kind") == Some(Kind::OAuth2.as_str());
            let same_user = stored_name == name
                || account
                    .user_id
                    .is_some_and(|id| text("user_id") == Some(&id.to_string()))
                || account.screen_name.as_deref().is_some_and(|theirs| {
                    text("screen_name").is_some_and(|ours| ours.eq_ignore_ascii_case(theirs))
                });
            let differs = text("refresh_token")
                != theirs.refresh_token.as_deref().map(String::as_str)
                || text("access_token") != Some(theirs.access_token.as_str());
            same_app && same_user && differs
        })
    }

    fn record_mut(&mut self, name: &str) -> Option<&mut Map<String, Value>> {
        self.members_mut("accounts")
            .get_mut(name)
            .and_then(Value::as_object_mut)
    }
}
