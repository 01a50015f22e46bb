//! The C ABI: thin adapters over `crate::core`, split by concern. The only unsafe
//! code in the crate, and it uses only the core's public face.
//!
//! Each exported body runs inside [`boundary::fallible`] or
//! [`boundary::infallible`], which catch panics, so nothing unwinds into C.
//! `include/twfollow.h` is generated from these modules' doc comments.

mod auth;
mod boundary;
mod config;
mod follow;
mod friendship;
mod last_error;
mod library;
mod status;
mod store;
mod trace;

pub use auth::*;
pub use config::*;
pub use follow::*;
pub use friendship::*;
pub use last_error::*;
pub use library::*;
pub use status::*;
pub use store::*;
pub use trace::*;
