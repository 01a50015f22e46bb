//! The store's format, version 1 (docs/tokens.md, "The token store"): the JSON
//! document is kept whole, so members a newer twfollow added survive a rewrite, and
//! every string in it (keys too) is wiped when it is dropped or replaced.

use std::io::Write;
use std::path::Path;

use serde_json::{Map, Value};
use zeroize::{Zeroize, Zeroizing};

use crate::core::api::store::path::store_error;
use crate::core::auth::oauth2::Tokens;
use crate::core::error::Error;

pub const VERSION: u64 = 1;

/// Wipes every string of a JSON value (the keys of its objects too).
pub fn wipe(value: &mut Value) {
    match value {
        Value::String(s) => s.zeroize(),
        Value::Array(items) => items.iter_mut().for_each(wipe),
        Value::Object(map) => wipe_map(map),
        _ => {}
    }
}

fn wipe_map(map: &mut Map<String, Value>) {
    for (mut key, mut value) in std::mem::take(map) {
        key.zeroize();
        wipe(&mut value);
    }
}

/// Inserts, wiping whatever the key held before.
pub(super) fn put(map: &mut Map<String, Value>, key: &str, value: Value) {
    if let Some(mut old) = map.insert(key.to_owned(), value) {
        wipe(&mut old);
    }
}

pub(super) fn string(value: &str) -> Value {
    Value::String(value.to_owned())
}

/// What kind of user an account holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    OAuth1,
    OAuth2,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::OAuth1 => "oauth1",
            Kind::OAuth2 => "oauth2",
        }
    }
}

/// An app: the OAuth 1.0a pair, the OAuth 2.0 client, or both. Wiped on drop.
#[derive(Default)]
pub struct App {
    pub consumer_key: Option<Zeroizing<String>>,
    pub consumer_secret: Option<Zeroizing<String>>,
    pub client_id: Option<String>,
    pub client_secret: Option<Zeroizing<String>>,
}

/// The user of an account.
pub enum User {
    OAuth1 {
        token: Zeroizing<String>,
        secret: Zeroizing<String>,
    },
    OAuth2(Tokens),
}

impl User {
    pub fn kind(&self) -> Kind {
        match self {
            User::OAuth1 { .. } => Kind::OAuth1,
            User::OAuth2(_) => Kind::OAuth2,
        }
    }
}

/// One account, whole: its app, its user, and who the user is.
pub struct Account {
    pub app_name: String,
    pub app: App,
    pub user: User,
    pub user_id: Option<u64>,
    pub screen_name: Option<String>,
}

/// The parsed store.
pub struct Document {
    pub(super) root: Map<String, Value>,
}

impl Drop for Document {
    fn drop(&mut self) {
        wipe_map(&mut self.root);
    }
}

/// Counts the bytes a serialization will take, so the real one never reallocates
/// (a growing buffer would leave copies of the tokens in freed memory).
struct Count(usize);

impl Write for Count {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Document {
    /// A new store: version 1, no apps, no accounts.
    pub fn empty() -> Document {
        let mut root = Map::new();
        root.insert("version".into(), Value::from(VERSION));
        root.insert("apps".into(), Value::Object(Map::new()));
        root.insert("accounts".into(), Value::Object(Map::new()));
        Document { root }
    }

    /// Reads a store: valid JSON, an object, `version` 1, `apps` and `accounts`
    /// objects. Anything else is refused with a message naming `path`.
    pub fn parse(bytes: &[u8], path: &Path) -> Result<Document, Error> {
        let untouched = "fix or remove it (it was left as it is)";
        let mut value: Value = serde_json::from_slice(bytes).map_err(|e| {
            // The position only: serde's text could quote the file.
            store_error(
                path,
                format!(
                    "is not valid JSON (line {}, column {}): {untouched}",
                    e.line(),
                    e.column()
                ),
            )
        })?;
        let Value::Object(root) = &mut value else {
            wipe(&mut value);
            return Err(store_error(
                path,
                format!("is not a JSON object: {untouched}"),
            ));
        };
        let doc = Document {
            root: std::mem::take(root),
        };
        match doc.root.get("version") {
            Some(Value::Number(n)) if n.as_u64() == Some(VERSION) => {}
            Some(Value::Number(n)) => {
                return Err(store_error(
                    path,
                    format!(
                        "has version {n}, which this twfollow does not know (it reads version {VERSION}): use a newer twfollow (the file was left as it is)"
                    ),
                ))
            }
            _ => {
                return Err(store_error(
                    path,
                    format!("has no numeric \"version\": {untouched}"),
                ))
            }
        }
        for member in ["apps", "accounts"] {
            match doc.root.get(member) {
                Some(Value::Object(_)) | None => {}
                Some(_) => {
                    return Err(store_error(
                        path,
                        format!("has an \"{member}\" that is not an object: {untouched}"),
                    ))
                }
            }
        }
        Ok(doc)
    }

    /// The document as pretty JSON with a final newline, in one wiped allocation.
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        let mut count = Count(0);
        serde_json::to_writer_pretty(&mut count, &self.root).expect("counting cannot fail");
        let mut bytes = Zeroizing::new(Vec::with_capacity(count.0 + 1));
        serde_json::to_writer_pretty(&mut *bytes, &self.root).expect("a Vec has room");
        bytes.push(b'\n');
        bytes
    }

    pub(super) fn members(&self, name: &str) -> Option<&Map<String, Value>> {
        self.root.get(name).and_then(Value::as_object)
    }

    pub(super) fn members_mut(&mut self, name: &str) -> &mut Map<String, Value> {
        let slot = self
            .root
            .entry(name.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if !slot.is_object() {
            wipe(slot);
            *slot = Value::Object(Map::new());
        }
        slot.as_object_mut().expect("just made an object")
    }

    pub fn default_account(&self) -> Option<&str> {
        self.root.get("default").and_then(Value::as_str)
    }

    pub fn set_default(&mut self, name: Option<&str>) {
        match name {
            Some(name) => put(&mut self.root, "default", string(name)),
            None => {
                if let Some(mut old) = self.root.remove("default") {
                    wipe(&mut old);
                }
            }
        }
    }

    /// The accounts' names, sorted.
    pub fn account_names(&self) -> Vec<&str> {
        self.members("accounts")
            .map(|accounts| accounts.keys().map(String::as_str).collect())
            .unwrap_or_default()
    }

    pub fn has_account(&self, name: &str) -> bool {
        self.members("accounts")
            .is_some_and(|a| a.contains_key(name))
    }

    /// The account `name`, whole, or a message naming what is missing.
    pub fn account(&self, name: &str, path: &Path) -> Result<Account, Error> {
        let record = self
            .members("accounts")
            .and_then(|accounts| accounts.get(name))
            .ok_or_else(|| {
                let known = self.account_names().join(", ");
                store_error(
                    path,
                    if known.is_empty() {
                        format!("has no account {name:?} (it has none: run `tw-follow authorize` to save one)")
                    } else {
                        format!("has no account {name:?} (it has: {known})")
                    },
                )
            })?;
        let broken = |what: &str| store_error(path, format!("account {name:?} {what}"));
        let record = record
            .as_object()
            .ok_or_else(|| broken("is not an object"))?;
        let text = |key: &str| {
            record
                .get(key)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
        };
        let secret = |key: &str| {
            text(key)
                .map(|s| Zeroizing::new(s.to_owned()))
                .ok_or_else(|| broken(&format!("has no {key}")))
        };
        let app_name = text("app")
            .ok_or_else(|| broken("names no app"))?
            .to_owned();
        let app_record = self
            .members("apps")
            .and_then(|apps| apps.get(&app_name))
            .and_then(Value::as_object)
            .ok_or_else(|| {
                broken(&format!(
                    "names the app {app_name:?}, which the store does not have"
                ))
            })?;
        let app_text = |key: &str| {
            app_record
                .get(key)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
        };
        let app = App {
            consumer_key: app_text("consumer_key").map(|s| Zeroizing::new(s.to_owned())),
            consumer_secret: app_text("consumer_secret").map(|s| Zeroizing::new(s.to_owned())),
            client_id: app_text("client_id").map(str::to_owned),
            client_secret: app_text("client_secret").map(|s| Zeroizing::new(s.to_owned())),
        };
        let user = match text("kind") {
            Some("oauth1") => {
                if app.consumer_key.is_none() || app.consumer_secret.is_none() {
                    return Err(broken(&format!(
                        "is an OAuth 1.0a account, but its app {app_name:?} has no consumer_key and consumer_secret"
                    )));
                }
                User::OAuth1 {
                    token: secret("access_token")?,
                    secret: secret("access_token_secret")?,
                }
            }
            Some("oauth2") => {
                if app.client_id.is_none() {
                    return Err(broken(&format!(
                        "is an OAuth 2.0 account, but its app {app_name:?} has no client_id"
                    )));
                }
                let expires_at = match record.get("expires_at") {
                    None | Some(Value::Null) => 0,
                    Some(v) => v.as_i64().filter(|n| *n >= 0).ok_or_else(|| {
                        broken("has an expires_at that is not a whole number of seconds")
                    })?,
                };
                let mut tokens =
                    Tokens::from_parts(&secret("access_token")?, text("refresh_token"), expires_at)
                        .map_err(|e| broken(&e.message))?;
                tokens.scope = text("scope").unwrap_or_default().to_owned();
                User::OAuth2(tokens)
            }
            _ => return Err(broken("has no kind \"oauth1\" or \"oauth2\"")),
        };
        let user_id = match record.get("user_id") {
            None | Some(Value::Null) => None,
            Some(Value::String(id)) if id.is_empty() => None,
            Some(Value::String(id)) => Some(
                id.parse::<u64>()
                    .ok()
                    .filter(|id| *id != 0)
                    .ok_or_else(|| broken("has a user_id that is not a string of digits"))?,
            ),
            Some(_) => return Err(broken("has a user_id that is not a string of digits")),
        };
        Ok(Account {
            app_name,
            app,
            user,
            user_id,
            screen_name: text("screen_name").map(str::to_owned),
        })
    }

    /// The record of the account `name` as the file has it (secrets too), if any.
    pub fn record(&self, name: &str) -> Option<&Map<String, Value>> {
        self.members("accounts")
            .and_then(|a| a.get(name))
            .and_then(Value::as_object)
    }

    /// Adds or overwrites the account `name` and merges its app (the app's other
    /// members, such as the other protocol's pair, stay).
    pub fn put_account(&mut self, name: &str, account: &Account) {
        let apps = self.members_mut("apps");
        let app = apps
            .entry(account.app_name.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        if !app.is_object() {
            wipe(app);
            *app = Value::Object(Map::new());
        }
        let app = app.as_object_mut().expect("an object");
        let fields = [
            (
                "consumer_key",
                account.app.consumer_key.as_deref().map(String::as_str),
            ),
            (
                "consumer_secret",
                account.app.consumer_secret.as_deref().map(String::as_str),
            ),
            ("client_id", account.app.client_id.as_deref()),
            (
                "client_secret",
                account.app.client_secret.as_deref().map(String::as_str),
            ),
        ];
        for (key, value) in fields {
            if let Some(value) = value {
                put(app, key, string(value));
            }
        }
        let mut record = Map::new();
        put(&mut record, "app", string(&account.app_name));
        put(&mut record, "kind", string(account.user.kind().as_str()));
        if let Some(id) = account.user_id {
            put(&mut record, "user_id", string(&id.to_string()));
        }
        if let Some(screen_name) = &account.screen_name {
            put(&mut record, "screen_name", string(screen_name));
        }
        match &account.user {
            User::OAuth1 { token, secret } => {
                put(&mut record, "access_token", string(token));
                put(&mut record, "access_token_secret", string(secret));
            }
            User::OAuth2(tokens) => write_tokens(&mut record, tokens),
        }
        let version = self.version(name);
        record.insert("version".into(), Value::from(version + 1));
        put(self.members_mut("accounts"), name, Value::Object(record));
    }

    /// Replaces the OAuth 2.0 tokens of the account `name`, keeping its other members.
    pub fn put_tokens(&mut self, name: &str, tokens: &Tokens, path: &Path) -> Result<(), Error> {
        let record = self
            .members_mut("accounts")
            .get_mut(name)
            .and_then(Value::as_object_mut)
            .ok_or_else(|| store_error(path, format!("has no account {name:?} any more")))?;
        write_tokens(record, tokens);
        if let Some(mut old) = record.remove(IN_FLIGHT) {
            wipe(&mut old);
        }
        bump(record);
        Ok(())
    }

    /// Records who the account's user is, when the store did not know it.
    pub fn put_identity(&mut self, name: &str, user_id: u64, screen_name: Option<&str>) {
        if let Some(record) = self
            .members_mut("accounts")
            .get_mut(name)
            .and_then(Value::as_object_mut)
        {
            put(record, "user_id", string(&user_id.to_string()));
            if let Some(screen_name) = screen_name {
                put(record, "screen_name", string(screen_name));
            }
            bump(record);
        }
    }

    /// Removes the account, its app when no other account uses it, and the default
    /// when it named the account. False when there is no such account.
    pub fn remove_account(&mut self, name: &str) -> bool {
        let Some(mut record) = self.members_mut("accounts").remove(name) else {
            return false;
        };
        let app = record.get("app").and_then(Value::as_str).map(str::to_owned);
        wipe(&mut record);
        if let Some(app) = app {
            let used = self.members("accounts").is_some_and(|a| {
                a.values()
                    .any(|r| r.get("app").and_then(Value::as_str) == Some(&app))
            });
            if !used {
                if let Some(mut old) = self.members_mut("apps").remove(&app) {
                    wipe(&mut old);
                }
            }
        }
        if self.default_account() == Some(name) {
            self.set_default(None);
        }
        true
    }
}

/// The record member that says a refresh is in flight (`Document::refresh_in_flight`).
pub(super) const IN_FLIGHT: &str = "refresh_in_flight";

/// Stores the record's next version.
pub(super) fn bump(record: &mut Map<String, Value>) {
    let version = record.get("version").and_then(Value::as_u64).unwrap_or(0);
    record.insert("version".into(), Value::from(version + 1));
}

fn write_tokens(record: &mut Map<String, Value>, tokens: &Tokens) {
    put(record, "access_token", string(&tokens.access_token));
    match &tokens.refresh_token {
        Some(refresh) => put(record, "refresh_token", string(refresh)),
        None => {
            if let Some(mut old) = record.remove("refresh_token") {
                wipe(&mut old);
            }
        }
    }
    put(record, "expires_at", Value::from(tokens.expires_at));
    put(record, "scope", string(&tokens.scope));
}

#[cfg(test)]
mod tests {
    use super::*;

    const PATH: &str = "/tmp/accounts.json";

    fn parse(text: &str) -> Result<Document, Error> {
        Document::parse(text.as_bytes(), Path::new(PATH))
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
                "\"accounts\" that is not an object",
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
        doc.set_default(Some("a"));
        let text = String::from_utf8(doc.to_bytes().to_vec()).unwrap();
        for kept in ["\"future\"", "\"icon\"", "\"note\"", "\"default\": \"a\""] {
            assert!(text.contains(kept), "{text}");
        }
        let account = doc.account("a", Path::new(PATH)).unwrap();
        assert_eq!(account.user.kind(), Kind::OAuth1);
        assert!(doc.remove_account("a"));
        assert_eq!(doc.default_account(), None);
        assert!(doc.members("apps").unwrap().is_empty());
    }

    #[test]
    fn a_missing_account_or_field_is_named() {
        let doc = parse(r#"{"version":1,"apps":{},"accounts":{"b":{"app":"x","kind":"oauth2"}}}"#)
            .unwrap();
        let e = doc.account("a", Path::new(PATH)).err().unwrap();
        assert!(e.message.contains("no account \"a\" (it has: b)"), "{e}");
        let e = doc.account("b", Path::new(PATH)).err().unwrap();
        assert!(e.message.contains("names the app \"x\""), "{e}");
    }
}
