//! The store's format, version 1 (docs/tokens.md, "The token store"): serde shapes
//! whose secrets are [`Secret`]s (wiped when dropped or replaced), each keeping the
//! members it does not know (wiped too), so what a newer twfollow added survives a
//! rewrite. A record is kept as the file has it; what an account needs is checked
//! when it is used ([`Document::account`]), so the listing shows a record edited by
//! hand, and the other accounts work. Also the store's rules' members: the
//! document's revision and each account's version (every write is a compare-and-set
//! on them), and the refresh recorded in flight.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use zeroize::Zeroizing;

use crate::core::auth::oauth2::Tokens;
use crate::core::auth::session::InFlightRefresh;
use crate::core::error::Error;
use crate::core::wire::{wipe_json, wiped_json_bytes, Secret};

pub const VERSION: u64 = 1;

/// The members of an object that this twfollow does not know, kept for the rewrite
/// and wiped (keys too) when dropped.
#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Unknown(Map<String, Value>);

impl Drop for Unknown {
    fn drop(&mut self) {
        wipe_json(&mut Value::Object(std::mem::take(&mut self.0)));
    }
}

/// An account name (and an imported screen name): 1 to 100 bytes of UTF-8, no
/// control characters.
pub fn is_account_name(name: &str) -> bool {
    !name.is_empty() && name.len() <= 100 && !name.chars().any(char::is_control)
}

/// The text of a member, `None` when it is absent or empty.
pub fn filled<S: AsRef<str>>(value: &Option<S>) -> Option<&str> {
    value.as_ref().map(AsRef::as_ref).filter(|s| !s.is_empty())
}

/// The store (members in the order the file has them: sorted).
#[derive(Default, Serialize, Deserialize)]
pub struct Document {
    #[serde(default, deserialize_with = "records")]
    pub accounts: BTreeMap<String, Record>,
    #[serde(default)]
    pub apps: BTreeMap<String, App>,
    /// The account used when none is named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// Every write stores the next one, and a write is a compare-and-set on it
    /// ([`Backend::write`](super::backend::Backend::write)).
    #[serde(default)]
    pub revision: u64,
    pub version: u64,
    #[serde(flatten)]
    pub unknown: Unknown,
    /// Where the store is, for messages (a URL without its password).
    #[serde(skip)]
    pub at: PathBuf,
}

/// An app: the OAuth 1.0a pair, the OAuth 2.0 client, or both.
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct App {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<Secret>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumer_key: Option<Secret>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumer_secret: Option<Secret>,
    #[serde(flatten)]
    pub unknown: Unknown,
}

/// An account's record, as the file has it.
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct Record {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_token: Option<Secret>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_token_secret: Option<Secret>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app: Option<String>,
    /// Seconds since the Unix epoch (OAuth 2.0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
    /// `"oauth1"` or `"oauth2"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Recorded before a refresh's request is sent and cleared by the write that
    /// stores its answer, so one found later tells that a process died (or lost its
    /// store) with X's answer on the way, which may have cost the grant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_in_flight: Option<InFlightRefresh>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<Secret>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub screen_name: Option<String>,
    /// Decimal digits (ids exceed 2^53).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Each change of the record stores the next one, so a writer can tell whether
    /// the record it read is still the one stored.
    #[serde(default)]
    pub version: u64,
    #[serde(flatten)]
    pub unknown: Unknown,
    /// A member of the wrong type (edited by hand): the record is kept in `unknown` as
    /// the file has it, and only its account fails.
    #[serde(skip)]
    pub unreadable: bool,
}

/// Each record read on its own, so one that does not read fails only its account
/// (`a_record_of_the_wrong_shape_fails_only_its_account`).
fn records<'de, D: serde::Deserializer<'de>>(
    records: D,
) -> Result<BTreeMap<String, Record>, D::Error> {
    let raw = BTreeMap::<String, Unknown>::deserialize(records)?;
    Ok(raw
        .into_iter()
        .map(|(name, raw)| (name, Record::read(raw)))
        .collect())
}

impl Record {
    fn read(mut raw: Unknown) -> Record {
        // From a borrowed map: the read copies each secret into its own wiped string.
        Record::deserialize(&raw.0).unwrap_or_else(|_| {
            let version = raw.0.remove("version").and_then(|v| v.as_u64());
            Record {
                version: version.unwrap_or(0),
                unknown: raw,
                unreadable: true,
                ..Record::default()
            }
        })
    }

    pub fn set_tokens(&mut self, tokens: &Tokens) {
        self.access_token = Some(tokens.access_token.clone());
        self.refresh_token = tokens.refresh_token.clone();
        self.expires_at = Some(tokens.expires_at);
        self.scope = Some(tokens.scope.clone());
    }
}

/// An account to store: its app (merged into the stored one) and its record.
#[derive(Clone)]
pub struct Account {
    pub app: App,
    pub record: Record,
}

impl Account {
    /// An OAuth 1.0a account; the user's id is the token's numeric prefix (`"<user
    /// id>-…"`) when it has one.
    pub fn oauth1(
        consumer_key: &str,
        consumer_secret: &str,
        token: &str,
        token_secret: &str,
        screen_name: Option<&str>,
    ) -> Account {
        let user_id = token
            .split_once('-')
            .and_then(|(id, _)| id.parse::<u64>().ok());
        Account {
            app: App {
                consumer_key: Some(consumer_key.into()),
                consumer_secret: Some(consumer_secret.into()),
                ..App::default()
            },
            record: Record {
                access_token: Some(token.into()),
                access_token_secret: Some(token_secret.into()),
                app: Some(consumer_key.to_owned()),
                kind: Some("oauth1".into()),
                screen_name: screen_name.map(str::to_owned),
                user_id: user_id.filter(|id| *id != 0).map(|id| id.to_string()),
                ..Record::default()
            },
        }
    }

    /// An OAuth 2.0 account of the client `client_id`.
    pub fn oauth2(
        client_id: &str,
        client_secret: Option<Secret>,
        tokens: &Tokens,
        screen_name: Option<String>,
    ) -> Account {
        let mut record = Record {
            app: Some(client_id.to_owned()),
            kind: Some("oauth2".into()),
            screen_name,
            ..Record::default()
        };
        record.set_tokens(tokens);
        let app = App {
            client_id: Some(client_id.to_owned()),
            client_secret,
            ..App::default()
        };
        Account { app, record }
    }
}

/// Counts the bytes a serialization will take, so the real one never reallocates
/// (a growing buffer would leave copies of the tokens in freed memory).
/// Only the version: read first, so a document of another version is named as one.
#[derive(Deserialize)]
struct Head {
    version: Option<serde_json::Number>,
}

impl Document {
    /// A new store at `at`: version 1, no apps, no accounts.
    pub fn empty(at: &Path) -> Document {
        Document {
            version: VERSION,
            at: at.to_owned(),
            ..Document::default()
        }
    }

    /// Reads a store: valid JSON, an object, `version` 1, then the shapes above.
    /// Anything else is refused with a message naming `path` and the position only
    /// (serde's text could quote the file).
    pub fn parse(bytes: &[u8], path: &Path) -> Result<Document, Error> {
        let refused =
            |what: String| store_error!(path, "{what}: fix or remove it (it was left as it is)");
        let at = |e: serde_json::Error| format!("(line {}, column {})", e.line(), e.column());
        if let Err(e) = serde_json::from_slice::<IgnoredAny>(bytes) {
            return Err(refused(format!("is not valid JSON {}", at(e))));
        }
        if bytes.trim_ascii_start().first() != Some(&b'{') {
            return Err(refused("is not a JSON object".into()));
        }
        match serde_json::from_slice::<Head>(bytes).map(|head| head.version) {
            Ok(Some(n)) if n.as_u64() == Some(VERSION) => {}
            Ok(Some(n)) => {
                return Err(store_error!(
                    path,
                    "has version {n}, which this twfollow does not know (it reads version {VERSION}): use a newer twfollow (the file was left as it is)"
                ))
            }
            _ => return Err(refused("has no numeric \"version\"".into())),
        }
        let mut doc: Document = serde_json::from_slice(bytes)
            .map_err(|e| refused(format!("has a member of the wrong type {}", at(e))))?;
        doc.at = path.to_owned();
        Ok(doc)
    }

    /// The document as pretty JSON with a final newline, in one wiped allocation.
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        wiped_json_bytes(self, true, b"\n")
    }

    /// The account's version (0: no such account).
    pub fn version(&self, name: &str) -> u64 {
        self.accounts.get(name).map_or(0, |r| r.version)
    }

    /// Adds or overwrites the account `name` and merges its app (the app's other
    /// members, such as the other protocol's pair, stay).
    pub fn put_account(&mut self, name: &str, account: &Account) {
        let app_name = account.record.app.clone().unwrap_or_default();
        let (given, app) = (&account.app, self.apps.entry(app_name).or_default());
        app.client_id = given.client_id.clone().or(app.client_id.take());
        app.client_secret = given.client_secret.clone().or(app.client_secret.take());
        app.consumer_key = given.consumer_key.clone().or(app.consumer_key.take());
        app.consumer_secret = given.consumer_secret.clone().or(app.consumer_secret.take());
        // Past the document's revision, which no version of a removed account passed:
        // an account removed and added again never shows a version a writer knew.
        let record = Record {
            version: self.version(name).max(self.revision) + 1,
            ..account.record.clone()
        };
        self.accounts.insert(name.to_owned(), record);
    }

    /// Applies `change` to the account `name`'s record and stores its next version.
    pub fn change(&mut self, name: &str, change: impl FnOnce(&mut Record)) -> Result<(), Error> {
        let Some(record) = self.accounts.get_mut(name) else {
            return Err(store_error!(&self.at, "has no account {name:?} any more"));
        };
        change(record);
        record.version += 1;
        Ok(())
    }

    /// The refresh recorded as in flight for the account, if any.
    pub fn refresh_in_flight(&self, name: &str) -> Option<InFlightRefresh> {
        self.accounts.get(name)?.refresh_in_flight.clone()
    }

    /// Removes the account, its app when no other account uses it, and the default
    /// when it named the account. False when there is no such account.
    pub fn remove_account(&mut self, name: &str) -> bool {
        let Some(record) = self.accounts.remove(name) else {
            return false;
        };
        if let Some(app) = &record.app {
            if !self.accounts.values().any(|r| r.app == record.app) {
                self.apps.remove(app);
            }
        }
        if self.default.as_deref() == Some(name) {
            self.default = None;
        }
        true
    }

    /// Another account than `except` that holds `refresh_token`, if any.
    pub fn holder_of(&self, refresh_token: &str, except: &str) -> Option<&str> {
        self.accounts
            .iter()
            .find(|(name, record)| {
                name.as_str() != except && filled(&record.refresh_token) == Some(refresh_token)
            })
            .map(|(name, _)| name.as_str())
    }

    /// Whether the store holds, for the app and user of `account`, an OAuth 2.0
    /// grant other than the one `account` brings: the store's is then the newer one
    /// (it has refreshed since; the source's copy is dead). The same user is the same
    /// account name, or the same user id, or the same screen name.
    pub fn holds_newer_grant(&self, name: &str, account: &Account) -> bool {
        let theirs = &account.record;
        if theirs.kind.as_deref() != Some("oauth2") {
            return false;
        }
        self.accounts.iter().any(|(stored_name, ours)| {
            let same_app = ours.app == theirs.app && ours.kind == theirs.kind;
            let same_user = stored_name == name
                || (theirs.user_id.is_some() && ours.user_id == theirs.user_id)
                || matches!((&ours.screen_name, &theirs.screen_name),
                    (Some(o), Some(t)) if o.eq_ignore_ascii_case(t));
            let differs = ours.refresh_token != theirs.refresh_token
                || ours.access_token != theirs.access_token;
            same_app && same_user && differs
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PATH: &str = "/tmp/accounts.json";

    fn parse(text: &str) -> Result<Document, Error> {
        Document::parse(text.as_bytes(), Path::new(PATH))
    }

    #[test]
    fn a_record_of_the_wrong_shape_fails_only_its_account() {
        let text = r#"{"version":1,"revision":3,
          "apps":{"ck":{"consumer_key":"ck","consumer_secret":"cs"}},
          "accounts":{
            "good":{"kind":"oauth1","app":"ck","access_token":"1-at","access_token_secret":"ats","version":2},
            "odd":{"kind":"oauth1","app":"ck","access_token":"SECRET","user_id":5,"version":4}}}"#;
        let doc = parse(text).unwrap();
        assert!(doc.account("good").is_ok());
        let e = doc.account("odd").err().unwrap();
        assert!(
            e.message.contains("\"odd\" has a member of the wrong type"),
            "{e}"
        );
        assert!(!e.message.contains("SECRET"), "{e}");
        assert_eq!(doc.version("odd"), 4);
        // Written back as the file has it.
        let again: Value = serde_json::from_slice(&doc.to_bytes()).unwrap();
        assert_eq!(again["accounts"]["odd"]["user_id"], 5);
        assert_eq!(again["accounts"]["odd"]["access_token"], "SECRET");
        assert_eq!(again["accounts"]["odd"]["version"], 4);
    }

    #[test]
    fn an_account_removed_and_added_again_never_shows_a_version_it_had() {
        let mut doc = parse(r#"{"version":1,"revision":12,"accounts":{}}"#).unwrap();
        let account = Account::oauth1("ck", "cs", "1-at", "ats", None);
        doc.put_account("a", &account);
        let known = doc.version("a");
        doc.revision = 20; // written, and changed by others, meanwhile
        assert!(doc.remove_account("a"));
        doc.put_account("a", &account);
        assert!(
            doc.version("a") > known,
            "{} after {known}",
            doc.version("a")
        );
        assert_eq!(doc.version("a"), 21);
    }

    #[test]
    fn refusals_name_the_path_and_never_quote_the_file() {
        for (text, says) in [
            (
                "{\"version\":1,\"accounts\":{\"a\":\"SECRET",
                "is not valid JSON",
            ),
            ("[\"SECRET\"]", "is not a JSON object"),
            ("{\"version\":2,\"x\":\"SECRET\"}", "has version 2"),
            ("{\"x\":\"SECRET\"}", "has no numeric \"version\""),
            (
                "{\"version\":1,\"accounts\":[\"SECRET\"]}",
                "has a member of the wrong type (line 1, column 24)",
            ),
        ] {
            let e = parse(text).err().unwrap();
            assert_eq!(e.kind, crate::core::ErrorKind::Store, "{text}");
            assert!(e.message.contains(PATH) && e.message.contains(says), "{e}");
            assert!(!e.message.contains("SECRET"), "{e}");
        }
    }

    #[test]
    fn unknown_members_survive_a_rewrite() {
        let doc = parse(
            r#"{"version":1,"future":{"x":1},"apps":{"k":{"consumer_key":"k","consumer_secret":"s","icon":"i"}},
                "accounts":{"a":{"app":"k","kind":"oauth1","access_token":"1-t","access_token_secret":"ts","note":"n"}}}"#,
        )
        .unwrap();
        let mut doc = doc;
        doc.default = Some("a".into());
        let text = String::from_utf8(doc.to_bytes().to_vec()).unwrap();
        for kept in ["\"future\"", "\"icon\"", "\"note\"", "\"default\": \"a\""] {
            assert!(text.contains(kept), "{text}");
        }
        let account = doc.account("a").unwrap();
        assert!(account.settings.oauth2.is_none());
        assert!(doc.remove_account("a"));
        assert_eq!(doc.default, None);
        assert!(doc.apps.is_empty());
    }

    #[test]
    fn a_missing_account_or_field_is_named() {
        let doc = parse(r#"{"version":1,"apps":{},"accounts":{"b":{"app":"x","kind":"oauth2"}}}"#)
            .unwrap();
        let e = doc.account("a").err().unwrap();
        assert!(e.message.contains("no account \"a\" (it has: b)"), "{e}");
        let e = doc.account("b").err().unwrap();
        assert!(e.message.contains("names the app \"x\""), "{e}");
    }

    /// A store as the previous release (a `serde_json::Value` tree) wrote it: read
    /// and written again, it is the same JSON, member for member; and what this one
    /// writes has the members, and their types, that release reads.
    #[test]
    fn the_previous_release_s_store_reads_and_writes_back_the_same() {
        let text = r#"{
  "accounts": {
    "grant": {
      "access_token": "at",
      "app": "client",
      "expires_at": 1764620000,
      "kind": "oauth2",
      "refresh_in_flight": {"host": "web-1", "pid": 42, "refused": false, "since": 1764610000},
      "refresh_token": "rt",
      "scope": "follows.write offline.access",
      "screen_name": "me",
      "user_id": "1500000001",
      "version": 7
    },
    "me": {
      "access_token": "1500000001-t",
      "access_token_secret": "ts",
      "app": "ck",
      "kind": "oauth1",
      "note": ["a", 1],
      "version": 1
    }
  },
  "apps": {
    "ck": {"consumer_key": "ck", "consumer_secret": "cs"},
    "client": {"client_id": "client", "client_secret": "s", "icon": "i"}
  },
  "default": "me",
  "future": {"x": 1},
  "revision": 12,
  "version": 1
}"#;
        let doc = parse(text).unwrap();
        let again: Value = serde_json::from_slice(&doc.to_bytes()).unwrap();
        assert_eq!(again, serde_json::from_str::<Value>(text).unwrap());
        let grant = doc.account("grant").unwrap();
        let tokens = grant.settings.oauth2.and_then(|app| app.tokens);
        let tokens = tokens.expect("an OAuth 2.0 account");
        assert_eq!(
            (tokens.expires_at, grant.user_id),
            (1764620000, Some(1500000001))
        );
        assert_eq!(doc.refresh_in_flight("grant").unwrap().host, "web-1");
        let mut doc = Document::empty(Path::new(PATH));
        let account = Account::oauth1("ck", "cs", "1500000001-t", "ts", Some("me"));
        doc.put_account("me", &account);
        let written: Value = serde_json::from_slice(&doc.to_bytes()).unwrap();
        assert_eq!(
            written,
            serde_json::json!({
                "accounts": {"me": {"access_token": "1500000001-t", "access_token_secret": "ts",
                    "app": "ck", "kind": "oauth1", "screen_name": "me", "user_id": "1500000001",
                    "version": 1}},
                "apps": {"ck": {"consumer_key": "ck", "consumer_secret": "cs"}},
                "revision": 0,
                "version": 1
            })
        );
    }
}
