//! A successful answer, as the API sent it, and the check that a 2xx body is a
//! JSON object.

use serde::Deserialize as _;
use zeroize::Zeroizing;

use crate::core::error::{DayBudgets, Error, RateLimit};

/// A successful answer (a follow, or a v2 user lookup).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Followed {
    /// The user object exactly as the API sent it (after gzip decoding), wiped when
    /// dropped: a token endpoint's answer holds tokens.
    pub json: Zeroizing<String>,
    pub http_status: u16,
    pub rate_limit: Option<RateLimit>,
    /// The 24-hour budgets the answer carried.
    pub day_budgets: DayBudgets,
}

impl Followed {
    /// Whether the follow waits for the user's approval (a protected account):
    /// API 1.1 answers `"follow_request_sent": true` then, API v2 `"pending_follow": true`.
    pub fn is_pending(&self) -> bool {
        serde_json::from_str::<serde_json::Value>(&self.json)
            .ok()
            .and_then(|answer| {
                answer
                    .get("follow_request_sent")
                    .or_else(|| answer.get("data")?.get("pending_follow"))?
                    .as_bool()
            })
            .unwrap_or(false)
    }
}

/// The body of a 2xx answer, which must be UTF-8 JSON with an object at the top.
/// A refused body is wiped with its buffer: it may echo a token.
pub(crate) fn check_success_body(
    http_status: u16,
    body: Zeroizing<Vec<u8>>,
) -> Result<Zeroizing<String>, Error> {
    let bad = |what: &str| Error::bad_response(http_status, what);
    let text = utf8(http_status, body)?;
    // Validated without building it: a parsed tree would cost an allocation per key and string.
    let mut parser = serde_json::Deserializer::from_str(&text);
    match serde::de::IgnoredAny::deserialize(&mut parser).and_then(|_| parser.end()) {
        // Skipping a string does not decode its escapes: a lone surrogate passes
        // the skip, and a strict parser (serde_json's own, into a value) refuses it.
        Ok(()) if !surrogates_pair(&text) => Err(bad(
            "the body is not valid JSON (an unpaired UTF-16 surrogate escape in a string)",
        )),
        Ok(()) if text.trim_start().starts_with('{') => Ok(text),
        Ok(()) => Err(bad("the body is JSON without an object at the top")),
        Err(e) => Err(bad(&format!("the body is not valid JSON ({e})"))),
    }
}

/// The text of a 2xx body, in the same buffer (wiped when dropped, refused or not).
pub(crate) fn utf8(
    http_status: u16,
    mut body: Zeroizing<Vec<u8>>,
) -> Result<Zeroizing<String>, Error> {
    match String::from_utf8(std::mem::take(&mut *body)) {
        Ok(text) => Ok(Zeroizing::new(text)),
        Err(e) => {
            drop(Zeroizing::new(e.into_bytes()));
            Err(Error::bad_response(http_status, "the body is not UTF-8"))
        }
    }
}

/// Whether every `\uD800`–`\uDBFF` escape in `json` (grammatically valid JSON) is
/// followed at once by a `\uDC00`–`\uDFFF` one, and no low one comes alone: what a
/// strict parser requires of strings, keys included. In valid JSON a backslash stands
/// only in a string and starts an escape, so no quote needs tracking.
fn surrogates_pair(json: &str) -> bool {
    let bytes = json.as_bytes();
    // The UTF-16 unit of a `\uXXXX` escape at `at`.
    let unit = |at: usize| {
        let hex = bytes.get(at..at + 6)?.strip_prefix(b"\\u")?;
        u16::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()
    };
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] != b'\\' {
            at += 1;
            continue;
        }
        match unit(at) {
            Some(0xD800..=0xDBFF) if matches!(unit(at + 6), Some(0xDC00..=0xDFFF)) => at += 12,
            Some(0xD800..=0xDFFF) => return false,
            // Any other escape: its first two bytes (a `\uXXXX`'s hex digits follow).
            _ => at += 2,
        }
    }
    true
}
