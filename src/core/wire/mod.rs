//! Bytes and text: percent-encoding and OAuth 1.0a signing, redaction,
//! certificate pinning checks. Imports only `error` and `sys`.

pub mod percent;
pub mod pinning;
pub mod redact;
pub mod signer;
