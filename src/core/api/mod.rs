//! The top rank of the core: the client and the call sequence (requests with retry
//! and clock correction, follow, friendship, the token flows), and what an
//! application keeps between calls and processes (the token store).

pub mod client;
pub mod flows;
pub mod friendship;
pub mod store;
