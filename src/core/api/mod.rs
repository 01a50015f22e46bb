//! The top rank of the core: the client and the call sequence, and what an
//! application keeps between calls and processes (the token store). Within the
//! folder, from the bottom: `deadline` (one per call), `retry` and `request` (the
//! [`Client`](request::Client) and one request: sending, retries, the clock); over it,
//! the client's other `impl` blocks: `friendship` (the requests of each API version,
//! and who the token is), `bearer` (requests with an OAuth 2.0 session), `client`
//! (every call, over those), `flows` (the token flows); then `store`.

pub mod bearer;
pub mod client;
pub mod deadline;
pub mod flows;
pub mod friendship;
pub mod request;
pub mod retry;
pub mod store;
