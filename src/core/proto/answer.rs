//! A successful answer, as the API sent it.

use crate::core::error::{DayBudgets, RateLimit};

/// A successful answer (a follow, or a v2 user lookup).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Followed {
    /// The user object exactly as the API sent it (after gzip decoding).
    pub json: String,
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
