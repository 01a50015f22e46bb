//! twfollow: follow a user on Twitter/X (`POST 1.1/friendships/create.json`, OAuth
//! 1.0a HMAC-SHA1) from C, C++ and Python.
//!
//! - [`core`]: safe Rust that knows nothing of C: the signer, target parsing,
//!   settings, the HTTP client and the mapping of responses to errors.
//! - [`ffi`]: the C ABI (`include/twfollow.h` is generated from it): thin adapters
//!   with a panic boundary, argument checks and a thread-local last error.

pub mod core;
pub mod ffi;
