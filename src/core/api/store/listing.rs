//! The listing: each account as `tw_store_list` and the command-line tools show it,
//! without any secret, as fields ([`AccountSummary`]) and as the contract's JSON.
//!
//! Names come from other tools' files and from hand edits: the JSON escapes every
//! character a terminal could act on (serde_json leaves DEL, the C1 controls and the
//! bidirectional overrides raw), so `accounts --json` never prints one raw. The
//! fields are as stored: the command-line tools escape them when they print them.

use serde::Serialize;

use crate::core::api::store::file::Document;

/// One account as the listing shows it: no secret in it. A string is `None` when
/// the record lacks it (a screen name or id not learnt yet, a record edited by hand).
/// Its JSON is the listing's record (members sorted, as the contract shows them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
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

/// The contract's listing of the store at `path`:
/// `{"path":…,"default":…|null,"accounts":[record…]}`, accounts sorted by name.
pub fn listing_json(doc: &Document, path: &str) -> String {
    let summary = |name: &String| AccountSummary::of(doc, name);
    let accounts: Vec<_> = doc.accounts.keys().map(summary).collect();
    let listing = serde_json::json!({"accounts": accounts, "default": doc.default, "path": path});
    escape_terminal_controls(&listing.to_string())
}

/// JSON text with each character a terminal acts on that serde_json leaves raw
/// written `\uXXXX`: DEL, the C1 controls (U+0080 to U+009F: CSI among them) and the
/// bidirectional marks and overrides. The same JSON value (such characters can only
/// be inside strings).
pub fn escape_terminal_controls(json: &str) -> String {
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
