//! Unguessable strings for request tokens, verifiers, codes and OAuth 2.0 tokens, from
//! rand's thread-local generator (a CSPRNG seeded by the operating system).

use base64::Engine as _;
use rand::distr::{Alphanumeric, SampleString, Uniform};
use rand::Rng;

/// Letters and digits, like Twitter's request tokens, secrets and verifiers.
pub(crate) fn alphanumeric(len: usize) -> String {
    Alphanumeric.sample_string(&mut rand::rng(), len)
}

/// A PIN.
pub(crate) fn digits(len: usize) -> String {
    let digit = Uniform::new(b'0', b'9' + 1).expect("a non-empty range");
    rand::rng()
        .sample_iter(digit)
        .take(len)
        .map(char::from)
        .collect()
}

/// 32 random bytes, base64url without padding (43 characters): codes and OAuth 2.0 tokens.
pub(crate) fn token() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::rng().random::<[u8; 32]>())
}
