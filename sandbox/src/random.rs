//! Unguessable strings for request tokens, verifiers, codes and OAuth 2.0 tokens.

use base64::Engine as _;

fn fill(buf: &mut [u8]) {
    getrandom::fill(buf).expect("the operating system's random source works");
}

/// `len` characters from `alphabet` (at most 256 of them), without modulo bias.
fn from_alphabet(len: usize, alphabet: &[u8]) -> String {
    let limit = 256 - 256 % alphabet.len();
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 64];
    while out.len() < len {
        fill(&mut buf);
        for &b in buf.iter().filter(|&&b| usize::from(b) < limit) {
            if out.len() == len {
                break;
            }
            out.push(char::from(alphabet[usize::from(b) % alphabet.len()]));
        }
    }
    out
}

/// Letters and digits, like Twitter's request tokens, secrets and verifiers.
pub(crate) fn alphanumeric(len: usize) -> String {
    from_alphabet(
        len,
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
    )
}

/// A PIN.
pub(crate) fn digits(len: usize) -> String {
    from_alphabet(len, b"0123456789")
}

/// 32 random bytes, base64url without padding (43 characters): codes and OAuth 2.0 tokens.
pub(crate) fn token() -> String {
    let mut bytes = [0u8; 32];
    fill(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
