//! Removing credentials and the request's signature from messages, before any
//! text is cut to length, and without making a copy of a secret.
//!
//! The rule (the header and docs/guarantees-hardening.md state it too): every
//! credential and the signature are replaced by `[redacted]` wherever they
//! appear, as they are or percent-encoded (hex digits in either case). A value
//! shorter than [`SHORT_SECRET_BYTES`] (no real credential is) is replaced only
//! where it stands alone, not touching an ASCII letter or digit on either side:
//! otherwise a two-letter test secret would turn every word that contains it
//! into `[redacted]`.

use percent_encoding::percent_encode;

use crate::core::wire::percent::OAUTH_ENCODE_SET;

/// What a removed secret is replaced with.
pub const REDACTED: &str = "[redacted]";

/// Values shorter than this are replaced only where they stand alone.
pub const SHORT_SECRET_BYTES: usize = 6;

/// The secrets of one request: the four credentials, the signature, and those of
/// a token flow (a request-token secret, OAuth 2.0 tokens, a client secret).
#[derive(Clone, Copy)]
pub struct Redactor<'a> {
    secrets: [&'a str; 5],
    extra: &'a [&'a str],
}

impl<'a> Redactor<'a> {
    /// Removes nothing: for text that cannot hold a secret (tests, fuzzing).
    pub const NONE: Redactor<'static> = Redactor {
        secrets: [""; 5],
        extra: &[],
    };

    pub fn new(credentials: [&'a str; 4], signature: &'a str) -> Redactor<'a> {
        let [a, b, c, d] = credentials;
        Redactor {
            secrets: [a, b, c, d, signature],
            extra: &[],
        }
    }

    /// Also removes `extra`.
    pub fn with_extra(self, extra: &'a [&'a str]) -> Redactor<'a> {
        Redactor { extra, ..self }
    }

    /// `text` with every secret replaced by [`REDACTED`]. Reads the secrets in
    /// place (the percent-encoded form is compared piece by piece, never built),
    /// so no copy of one is left behind in freed memory.
    pub fn redact(&self, text: &str) -> String {
        let bytes = text.as_bytes();
        let mut out = String::with_capacity(text.len());
        let (mut copied_up_to, mut at) = (0, 0);
        while at < bytes.len() {
            match self.longest_match(bytes, at) {
                Some(len) => {
                    // A match starts and ends on character boundaries: secrets are UTF-8.
                    out.push_str(&text[copied_up_to..at]);
                    out.push_str(REDACTED);
                    at += len;
                    copied_up_to = at;
                }
                None => at += 1,
            }
        }
        out.push_str(&text[copied_up_to..]);
        out
    }

    /// The length of the longest secret, in either form, that starts at `at`.
    fn longest_match(&self, text: &[u8], at: usize) -> Option<usize> {
        self.secrets
            .iter()
            .chain(self.extra)
            .filter(|secret| !secret.is_empty())
            .flat_map(|secret| {
                [raw_match(text, at, secret), encoded_match(text, at, secret)]
                    .into_iter()
                    .flatten()
                    .filter(|&len| {
                        secret.len() >= SHORT_SECRET_BYTES || stands_alone(text, at, len)
                    })
            })
            .max()
    }
}

fn raw_match(text: &[u8], at: usize, secret: &str) -> Option<usize> {
    text[at..]
        .starts_with(secret.as_bytes())
        .then_some(secret.len())
}

/// The length of `secret`'s percent-encoded form if `text` holds it at `at`.
fn encoded_match(text: &[u8], at: usize, secret: &str) -> Option<usize> {
    let mut end = at;
    let mut encoded_anything = false;
    for piece in percent_encode(secret.as_bytes(), OAUTH_ENCODE_SET) {
        let piece = piece.as_bytes();
        let found = text.get(end..end + piece.len())?;
        let same = if piece[0] == b'%' {
            encoded_anything = true;
            found.eq_ignore_ascii_case(piece)
        } else {
            found == piece
        };
        if !same {
            return None;
        }
        end += piece.len();
    }
    // Without an escape the encoded form is the raw one, already looked for.
    encoded_anything.then_some(end - at)
}

/// Nothing alphanumeric touches `text[at..at + len]` on either side.
fn stands_alone(text: &[u8], at: usize, len: usize) -> bool {
    let before = at.checked_sub(1).map(|i| text[i]);
    let after = text.get(at + len).copied();
    [before, after]
        .into_iter()
        .flatten()
        .all(|b| !b.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redactor() -> Redactor<'static> {
        Redactor::new(["consumer-KEY", "cs/Secret+1", "ab", "t s"], "sig+nature/=")
    }

    #[test]
    fn every_form_of_every_secret_goes() {
        let r = redactor();
        for (text, want) in [
            ("key consumer-KEY here", "key [redacted] here"),
            (
                "cs/Secret+1 and cs%2FSecret%2B1",
                "[redacted] and [redacted]",
            ),
            ("lowercase hex cs%2fSecret%2b1", "lowercase hex [redacted]"),
            ("sig sig%2Bnature%2F%3D.", "sig [redacted]."),
            (
                "glued:consumer-KEYconsumer-KEY",
                "glued:[redacted][redacted]",
            ),
            ("nothing secret", "nothing secret"),
            ("", ""),
            ("ünïcode consumer-KEY ✓", "ünïcode [redacted] ✓"),
        ] {
            assert_eq!(r.redact(text), want, "{text}");
        }
    }

    #[test]
    fn short_values_go_where_they_stand_alone() {
        let r = redactor();
        for (text, want) in [
            ("ab", "[redacted]"),
            ("token=ab,", "token=[redacted],"),
            ("(ab)", "([redacted])"),
            ("t s", "[redacted]"),
            ("t%20s", "[redacted]"),
            ("about crab cabs", "about crab cabs"),
            ("ab1 1ab", "ab1 1ab"),
            ("cat s", "cat s"),
        ] {
            assert_eq!(r.redact(text), want, "{text}");
        }
    }

    #[test]
    fn the_longest_secret_at_a_place_wins() {
        let r = Redactor::new(["abcdef", "abcdefghij", "x", "y"], "");
        assert_eq!(r.redact("<abcdefghij>"), "<[redacted]>");
        assert_eq!(r.redact("<abcdefgh>"), "<[redacted]gh>");
    }

    #[test]
    fn none_removes_nothing() {
        assert_eq!(Redactor::NONE.redact("a b %2F"), "a b %2F");
    }
}
