//! The tests' questions to a running sandbox, not requests to the API: neither counted,
//! recorded nor logged.

use std::sync::atomic::Ordering;

use crate::http::{json, Response};
use crate::Shared;

/// `GET` this path for `{"requests": N}`: how many requests the sandbox has received
/// (this question not included), for tests that drive the binary and must show that
/// nothing was sent twice.
pub const REQUEST_COUNT_PATH: &str = "/sandbox/requests";

/// `GET` this path for the requests recorded so far (the binary records with
/// `--record`): `{"recorded":[{"method","target","content_type","body","status"}…]}`,
/// in arrival order, without their other headers (they hold credentials).
pub const RECORDED_PATH: &str = "/sandbox/recorded";

/// The answer to a test's question at `path`, or `None` when it is none.
pub(crate) fn answer(shared: &Shared, path: &str) -> Option<Response> {
    if path == REQUEST_COUNT_PATH {
        let count = shared.requests_seen.load(Ordering::SeqCst);
        return Some(json(200, 0, serde_json::json!({ "requests": count })));
    }
    if path != RECORDED_PATH {
        return None;
    }
    let state = shared.state.lock().unwrap();
    let recorded: Vec<serde_json::Value> = state
        .recorded
        .iter()
        .map(|r| {
            serde_json::json!({
                "method": r.method,
                "target": r.target,
                "content_type": r.header("content-type"),
                "body": r.body,
                "status": r.status,
            })
        })
        .collect();
    Some(json(200, 0, serde_json::json!({ "recorded": recorded })))
}
