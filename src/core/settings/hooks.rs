//! The application's hooks, as settings hold them: the wire trace's callback and
//! where host names are looked up. Plain values; what runs them is in `net`.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;

/// What a trace line shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraceKind {
    /// The request line as sent (`POST /1.1/friendships/create.json HTTP/1.1`).
    RequestLine,
    /// One request header as sent (`authorization: OAuth oauth_consumer_key=…`).
    RequestHeader,
    /// The exact OAuth 1.0a signature base string that was signed.
    BaseString,
    /// The response status line (`HTTP/1.1 401 Unauthorized`).
    ResponseStatus,
    /// One response header (`content-type: application/json`).
    ResponseHeader,
    /// One line of the first [`MAX_BODY_EXCERPT_BYTES`](crate::core::net::trace::MAX_BODY_EXCERPT_BYTES) of a non-2xx body.
    ResponseBody,
    /// A note: a new connection, a retry, a clock correction, a failure.
    Info,
}

/// The application's hook: called once per line, on the thread making the call.
pub type TraceHook = Arc<dyn Fn(TraceKind, &str) + Send + Sync>;

/// Where host names are looked up: the system's resolver, or (for tests, which
/// cannot use DNS) a fixed table.
#[derive(Clone, Default)]
pub enum NameLookup {
    #[default]
    System,
    /// Each name (as written, any case) with its addresses; other names are not found.
    Table(Arc<[(String, Vec<IpAddr>)]>),
}

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

impl fmt::Debug for NameLookup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NameLookup::System => f.write_str("System"),
            NameLookup::Table(entries) => write!(f, "Table({} names)", entries.len()),
        }
    }
}
