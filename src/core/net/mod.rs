//! The network: the ureq agent and its connector chain, TLS, the name resolver, the
//! wire trace, reading a body within limits. Imports every rank below, never `api`.

pub mod body;
pub mod failure;
pub mod resolver;
pub mod tls;
pub mod trace;
pub mod transport;
