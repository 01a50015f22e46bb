//! The listing: each account as `tw_store_list` and the command-line tools show it,
//! without any secret, as fields ([`AccountSummary`]) and as the contract's JSON.
//!
//! Names come from other tools' files and from hand edits: the JSON escapes every
//! character a terminal could act on (serde_json leaves DEL, the C1 controls and the
//! bidirectional overrides raw), so `accounts --json` never prints one raw. The
//! fields are as stored: the command-line tools escape them when they print them.

use std::path::Path;

use serde_json::Value;

use crate::core::api::store::file::Document;

/// One account as the listing shows it: no secret in it. A string is `None` when
/// the record lacks it (a screen name or id not learnt yet, a record edited by hand).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSummary {
    pub name: String,
    /// `"oauth1"` or `"oauth2"`, as the record says.
    pub kind: Option<String>,
    pub screen_name: Option<String>,
    /// Decimal digits (ids exceed 2^53).
    pub user_id: Option<String>,
    pub app: Option<String>,
    /// Seconds since the Unix epoch; 0 when unknown, and for OAuth 1.0a.
    pub expires_at: i64,
    pub has_refresh_token: bool,
    pub is_default: bool,
}

impl AccountSummary {
    /// The summary of the account `name` of `doc`.
    pub fn of(doc: &Document, name: &str) -> AccountSummary {
        let record = doc.record(name);
        let field = |key: &str| {
            record
                .and_then(|r| r.get(key))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        AccountSummary {
            name: name.to_owned(),
            kind: field("kind"),
            screen_name: field("screen_name"),
            user_id: field("user_id"),
            app: field("app"),
            expires_at: record
                .and_then(|r| r.get("expires_at"))
                .and_then(Value::as_i64)
                .unwrap_or(0),
            has_refresh_token: record
                .and_then(|r| r.get("refresh_token"))
                .and_then(Value::as_str)
                .is_some_and(|t| !t.is_empty()),
            is_default: doc.default_account() == Some(name),
        }
    }

    /// The listing's JSON record as text, every terminal control escaped.
    pub fn to_json_text(&self) -> String {
        escape_terminal_controls(&self.to_json().to_string())
    }

    /// The listing's JSON record.
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "name": self.name,
            "kind": self.kind,
            "screen_name": self.screen_name,
            "user_id": self.user_id,
            "app": self.app,
            "expires_at": self.expires_at,
            "has_refresh_token": self.has_refresh_token,
            "default": self.is_default,
        })
    }
}

/// Every account of `doc`, sorted by name.
pub fn summaries(doc: &Document) -> Vec<AccountSummary> {
    doc.account_names()
        .into_iter()
        .map(|name| AccountSummary::of(doc, name))
        .collect()
}

/// The contract's listing of the store at `path`:
/// `{"path":…,"default":…|null,"accounts":[record…]}`.
pub fn listing_json(doc: &Document, path: &Path) -> String {
    let accounts: Vec<Value> = summaries(doc).iter().map(AccountSummary::to_json).collect();
    let json = serde_json::json!({
        "path": path.display().to_string(),
        "default": doc.default_account(),
        "accounts": accounts,
    })
    .to_string();
    escape_terminal_controls(&json)
}

/// A character a terminal acts on that serde_json leaves raw: DEL, the C1 controls
/// (U+0080 to U+009F: CSI among them) and the bidirectional marks and overrides.
pub fn is_terminal_control(c: char) -> bool {
    matches!(c, '\u{7f}'..='\u{9f}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// JSON text with each [`is_terminal_control`] character written `\uXXXX`: the same
/// JSON value (such characters can only be inside strings).
pub fn escape_terminal_controls(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if is_terminal_control(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_controls_are_escaped_and_the_value_is_kept() {
        let value = serde_json::json!({"name": "a\u{9b}31mb\u{7f}\u{202e}c\u{1b}"});
        let text = escape_terminal_controls(&value.to_string());
        assert!(text.is_ascii(), "{text}");
        assert_eq!(text, r#"{"name":"a\u009b31mb\u007f\u202ec\u001b"}"#);
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), value);
    }
}
