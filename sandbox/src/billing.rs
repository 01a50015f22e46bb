//! X's refusals of an app or an account for what it pays and may spend, whatever it
//! asks: spent credits (402, in X's early-2026 and August-2026 forms), a monthly usage
//! cap (429), an account not enrolled in Pay-per-use (403), a spent 24-hour budget, and
//! the 503 of an overloaded server.

use crate::http::{error, json, problem, problem_json, Response};
use crate::AppLimit;

/// The developer account the sandbox's apps are enrolled under (X names it in a 402).
pub const DEVELOPER_ACCOUNT_ID: u64 = 1_700_000_000_000_000_001;

/// X's pay-per-use refusals of an app whatever it asks (its credits spent, a monthly
/// cap reached), in the v2 problem shape X sends them in for both API versions. Their
/// types are not in X's OpenAPI document (2.167): the bodies are X's wire, as in
/// tests/data/x-answers.
pub(crate) fn billing_refusal(limits: &[AppLimit]) -> Option<Response> {
    let (status, body) = if limits.contains(&AppLimit::CreditsDepleted) {
        (
            402,
            serde_json::json!({
                "account_id": DEVELOPER_ACCOUNT_ID,
                "title": "CreditsDepleted",
                "detail": format!("Your enrolled account [{DEVELOPER_ACCOUNT_ID}] does not have any credits to fulfill this request."),
                "type": "https://api.twitter.com/2/problems/credits",
            }),
        )
    } else if limits.contains(&AppLimit::CreditsDepletedAugust2026) {
        (
            402,
            serde_json::json!({
                "title": "Payment Required",
                "detail": "credits depleted",
                "status": 402,
                "type": "https://api.x.com/2/problems/credits-depleted",
            }),
        )
    } else if limits.contains(&AppLimit::UsageCapped) {
        (
            429,
            serde_json::json!({
                "title": "UsageCapExceeded",
                "detail": "Usage cap exceeded: Monthly product cap",
                "type": "https://api.x.com/2/problems/usage-capped",
                "period": "Monthly",
                "scope": "Product",
                "status": 429,
            }),
        )
    } else {
        return None;
    };
    Some(problem_json(status, 0, body))
}

/// API v2's refusal of a request billed to the authenticated user when that user's
/// account is not enrolled in Pay-per-use.
pub(crate) fn user_not_enrolled() -> Response {
    problem_json(
        403,
        0,
        serde_json::json!({
            "title": "Client Forbidden",
            "detail": "This request is billed to the authenticated user. Create a developer account at the Developer Console and enroll it in Pay-per-use.",
            "reason": "user-not-enrolled",
            "required_enrollment": "Pay-per-use",
            "type": "https://api.x.com/2/problems/client-forbidden",
        }),
    )
}

/// The 429 of a spent 24-hour budget, in each version's words.
pub(crate) fn day_budget_refusal(v2: bool) -> Response {
    if v2 {
        problem(429, "Too Many Requests", "Too Many Requests", 88)
    } else {
        error(429, 88, "Rate limit exceeded")
    }
}

/// 503, code 130 (over capacity): API 1.1's `{"errors":[…]}`, and on API v2 the shape
/// X's OpenAPI document gives an `application/json` failure (`Error`: `code` and
/// `message` at the top).
pub(crate) fn over_capacity(v2: bool) -> Response {
    if v2 {
        coded(503, 130, "Over capacity")
    } else {
        error(503, 130, "Over capacity")
    }
}

/// X's OpenAPI `Error`: `{"code": N, "message": "…"}`, as `application/json`.
pub(crate) fn coded(status: u16, code: i32, message: &str) -> Response {
    json(
        status,
        code,
        serde_json::json!({"code": code, "message": message}),
    )
}
