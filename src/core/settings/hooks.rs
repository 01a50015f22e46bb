//! The application's hooks, as settings hold them: the wire trace's callback and
//! where host names are looked up. Plain values; what runs them is in `net`.

use std::net::IpAddr;
use std::sync::Arc;

/// What a trace line shows. Numbered as the C API's `TwTraceKind`, which the hook
/// passes on as a number (`src/ffi/trace.rs` checks that they agree).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraceKind {
    /// The request line as sent (`POST /1.1/friendships/create.json HTTP/1.1`).
    RequestLine = 0,
    /// One request header as sent (`authorization: OAuth oauth_consumer_key=…`).
    RequestHeader = 1,
    /// The exact OAuth 1.0a signature base string that was signed.
    BaseString = 2,
    /// The response status line (`HTTP/1.1 401 Unauthorized`).
    ResponseStatus = 3,
    /// One response header (`content-type: application/json`).
    ResponseHeader = 4,
    /// One line of the first [`MAX_BODY_EXCERPT_BYTES`](crate::core::net::trace::MAX_BODY_EXCERPT_BYTES) of a non-2xx body.
    ResponseBody = 5,
    /// A note: a new connection, a retry, a clock correction, a failure.
    Info = 6,
}

/// The application's hook: called once per line, on the thread making the call.
pub type TraceHook = Arc<dyn Fn(TraceKind, &str) + Send + Sync>;

/// Where host names are looked up: the system's resolver, or (for tests, which
/// cannot use DNS) a fixed table.
#[derive(Debug, Clone, Default)]
pub enum NameLookup {
    #[default]
    System,
    /// Each name (as written, any case) with its addresses; other names are not found.
    Table(Arc<[(String, Vec<IpAddr>)]>),
}

/// The unit tests' table; an integration test builds [`NameLookup::Table`] itself.
#[cfg(test)]
impl NameLookup {
    pub fn table(entries: &[(&str, &[IpAddr])]) -> NameLookup {
        NameLookup::Table(
            entries
                .iter()
                .map(|(name, addrs)| (name.to_string(), addrs.to_vec()))
                .collect(),
        )
    }
}
