//! Unguessable strings for request tokens, verifiers, codes and OAuth 2.0 tokens, from
//! rand's thread-local generator (a CSPRNG seeded by the operating system).

use base64::Engine as _;
use rand::distr::{Alphanumeric, SampleString};
use rand::Rng;

/// Letters and digits, like Twitter's request tokens, secrets and verifiers.
pub(crate) fn alphanumeric(len: usize) -> String {
    Alphanumeric.sample_string(&mut rand::rng(), len)
}

/// A PIN of seven digits.
pub(crate) fn pin() -> String {
    format!("{:07}", rand::rng().random_range(0..10_000_000))
}

/// 32 random bytes, base64url without padding (43 characters): codes and OAuth 2.0 tokens.
pub(crate) fn token() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::rng().random::<[u8; 32]>())
}
