//! The C ABI: thin adapters over `crate::core`, split by concern. The only unsafe
//! code in the crate, and it uses only the core's public face.
//!
//! Each exported body runs inside [`boundary::fallible`] or
//! [`boundary::infallible`] (a getter's through [`boundary::read`]), which catch
//! panics, so nothing unwinds into C.
//! `include/twfollow.h` is generated from these modules' doc comments, in the
//! order they are declared here.
//!
//! From the bottom: `status` (the table), `boundary` (the panic boundary, what a
//! call records, calling C back, argument checks, publishing out-parameters, the test
//! hook: the exports' prelude, which each imports whole); then the exports, which
//! import it and `config`.

// The plumbing (exporting only the status table).
mod status;

mod boundary;

// The exports, in the header's order: a config, the calls, the token flows, the tokens
// a config holds, the store, the trace, what tells the outcome and the library's strings.
mod config;

mod calls;

mod auth;

mod tokens;

mod store;

mod store_import;

mod trace;

mod getters;

pub use {
    auth::*, calls::*, config::*, getters::*, status::*, store::*, store_import::*, tokens::*,
    trace::*,
};
