//! The C ABI: thin adapters over `crate::core`, split by concern. The only unsafe
//! code in the crate, and it uses only the core's public face.
//!
//! Each exported body runs inside [`boundary::fallible`] or
//! [`boundary::infallible`], which catch panics, so nothing unwinds into C.
//! `include/twfollow.h` is generated from these modules' doc comments, in the
//! order they are declared here.
//!
//! From the bottom: `status` (the table), `boundary` (the panic boundary, what a
//! call records, argument checks, the test hook), `callback`
//! (calling C back), `library` (the library's strings: publishing and freeing them);
//! then the exports, which import those and `config` (and `store` the token flows'
//! `auth`, `friendship` the target check of `follow`).

// The plumbing (exporting only the status table).
mod status;

mod boundary;

mod callback;

// The exports, in the header's order: a config, the calls, the token flows, the tokens
// a config holds, the store, the trace, what tells the outcome, the library's strings (publishing and
// releasing them).
mod config;

mod follow;

mod friendship;

mod identity;

mod auth;

mod tokens;

mod store;

mod store_import;

mod trace;

mod getters;

mod library;

pub use auth::*;
pub use config::*;
pub use follow::*;
pub use friendship::*;
pub use getters::*;
pub use identity::*;
pub use library::*;
pub use status::*;
pub use store::*;
pub use store_import::*;
pub use tokens::*;
pub use trace::*;
