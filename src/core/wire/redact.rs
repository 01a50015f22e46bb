//! Removing credentials and the request's signature from messages and trace
//! lines, before any text is cut to length, and without making a copy of a secret.
//!
//! The rule (the header and docs/guarantees-and-tests.md state it too): every
//! credential, token and the signature is replaced by `[redacted]` wherever it
//! appears in any of the forms a server may echo it in. This module is the one
//! definition of those forms, for messages and the trace alike: each character of a
//! secret may stand
//! - as it is;
//! - percent-encoded, byte by byte (`%2F`, `%2f`; RFC 3986 as the Authorization
//!   header and `quote()` write it, and application/x-www-form-urlencoded as the
//!   OAuth 2.0 token requests send it, `~` as `%7E`);
//! - a space as `+` (form encoding, `quote_plus`);
//! - JSON-escaped: `\/`, `\"`, `\\`, `\n` and the other short escapes, or `\uXXXX`
//!   (UTF-16, either case of hex digits, as Python's `json.dumps` writes non-ASCII).
//!
//! The choice is made character by character, so a mix of forms is found too. A
//! value shorter than [`SHORT_SECRET_BYTES`] (no real credential is) is replaced only
//! where it stands alone, not touching an ASCII letter or digit on either side:
//! otherwise a two-letter test secret would turn every word that contains it
//! into `[redacted]`. (Base64 inside HTTP Basic is not a form of the secret but a
//! secret of its own: callers add the Basic credential to their list.)

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

    /// `text` with every secret replaced by [`REDACTED`] (see [`redact_all`]).
    pub fn redact(&self, text: &str) -> String {
        redact_all(text, self.secrets.iter().chain(self.extra).copied())
    }
}

/// `text` with every one of `secrets` replaced by [`REDACTED`]. Reads the secrets in
/// place (the percent-encoded form is compared piece by piece, never built), so no
/// copy of one is left behind in freed memory.
pub fn redact_all<'s>(text: &str, secrets: impl Iterator<Item = &'s str> + Clone) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    // A form of a secret starts with its first byte, '%', '+' or '\\' (char_forms): every
    // other place is passed over at once (comparing every form at every place was
    // two-thirds of a traced follow's instructions, callgrind showed).
    let mut may_start = [false; 256];
    let first_bytes = secrets.clone().filter_map(|secret| secret.bytes().next());
    for byte in first_bytes.chain(*b"%+\\") {
        may_start[usize::from(byte)] = true;
    }
    let (mut copied_up_to, mut at) = (0, 0);
    while at < bytes.len() {
        if !may_start[usize::from(bytes[at])] {
            at += 1;
            continue;
        }
        // The longest secret, in any of its forms, that starts here.
        let longest = secrets
            .clone()
            .filter(|secret| !secret.is_empty())
            .filter_map(|secret| {
                longest_form(bytes, at, secret).filter(|&len| {
                    secret.len() >= SHORT_SECRET_BYTES || stands_alone(bytes, at, len)
                })
            })
            .max();
        match longest {
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

/// The length of the longest form of `secret` (see the module's rule) that `text`
/// holds at `at`. Compared in place, character by character: no form is ever built.
fn longest_form(text: &[u8], at: usize, secret: &str) -> Option<usize> {
    let Some(c) = secret.chars().next() else {
        return Some(0);
    };
    let rest = &secret[c.len_utf8()..];
    // Only '%', '+' and '\\' start more than one form: the branching stays small.
    let mut best = None;
    for len in char_forms(text, at, c).into_iter().flatten() {
        if let Some(tail) = longest_form(text, at + len, rest) {
            best = best.max(Some(len + tail));
        }
    }
    best
}

/// The lengths of each form of the character `c` that `text` holds at `at`.
fn char_forms(text: &[u8], at: usize, c: char) -> [Option<usize>; 5] {
    let here = text.get(at..).unwrap_or_default();
    let mut utf8 = [0u8; 4];
    let raw = c.encode_utf8(&mut utf8).as_bytes();
    let percent = raw.len() * 3;
    let is_percent = here.len() >= percent
        && raw
            .iter()
            .zip(here.chunks(3))
            .all(|(&b, piece)| piece[0] == b'%' && hex_is(&piece[1..3], b));
    // JSON's short escapes: a backslash, then the byte at the same place in the second list.
    let short_escape = ['"', '\\', '/', '\n', '\r', '\t', '\u{8}', '\u{c}']
        .iter()
        .position(|&escaped| escaped == c)
        .map(|i| b"\"\\/nrtbf"[i]);
    let mut units = [0u16; 2];
    let units = c.encode_utf16(&mut units);
    let unicode = units.len() * 6;
    let is_unicode = here.len() >= unicode
        && units.iter().zip(here.chunks(6)).all(|(&unit, piece)| {
            piece.starts_with(b"\\u")
                && hex_is(&piece[2..4], (unit >> 8) as u8)
                && hex_is(&piece[4..6], unit as u8)
        });
    [
        here.starts_with(raw).then_some(raw.len()),
        is_percent.then_some(percent),
        (c == ' ' && here.first() == Some(&b'+')).then_some(1),
        short_escape
            .filter(|&e| here.starts_with(&[b'\\', e]))
            .map(|_| 2),
        is_unicode.then_some(unicode),
    ]
}

/// Whether two ASCII hex digits (either case) stand for `byte`.
fn hex_is(digits: &[u8], byte: u8) -> bool {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    digits.len() == 2
        && digits[0].to_ascii_uppercase() == HEX[usize::from(byte >> 4)]
        && digits[1].to_ascii_uppercase() == HEX[usize::from(byte & 15)]
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

    /// Every form a server may echo a secret in, each written out by hand.
    #[test]
    fn every_encoding_of_a_secret_is_found() {
        let secret = "OLD/REFRESH+tok:en~1 ü\"😀\\";
        let forms = [
            ("raw", "OLD/REFRESH+tok:en~1 ü\"😀\\"),
            (
                "RFC 3986",
                "OLD%2FREFRESH%2Btok%3Aen~1%20%C3%BC%22%F0%9F%98%80%5C",
            ),
            (
                "RFC 3986, lowercase hex",
                "OLD%2fREFRESH%2btok%3aen~1%20%c3%bc%22%f0%9f%98%80%5c",
            ),
            (
                "form-encoded",
                "OLD%2FREFRESH%2Btok%3Aen%7E1+%C3%BC%22%F0%9F%98%80%5C",
            ),
            (
                "quote_plus",
                "OLD%2FREFRESH%2Btok%3Aen~1+%C3%BC%22%F0%9F%98%80%5C",
            ),
            ("everything escaped", "%4F%4C%44%2F%52%45%46%52%45%53%48%2B%74%6F%6B%3A%65%6E%7E%31%20%C3%BC%22%F0%9F%98%80%5C"),
            ("JSON, minimal", r#"OLD/REFRESH+tok:en~1 ü\"😀\\"#),
            ("JSON, / escaped", r#"OLD\/REFRESH+tok:en~1 ü\"😀\\"#),
            (
                "JSON, ASCII only",
                r#"OLD/REFRESH+tok:en~1 \u00fc\"\ud83d\ude00\\"#,
            ),
            (
                "JSON, ASCII only, uppercase, / escaped",
                r#"OLD\/REFRESH+tok:en~1 \u00FC\"\uD83D\uDE00\\"#,
            ),
            (
                "JSON, everything as \\u",
                r#"\u004F\u004C\u0044\u002F\u0052\u0045\u0046\u0052\u0045\u0053\u0048\u002B\u0074\u006F\u006B\u003A\u0065\u006E\u007E\u0031\u0020\u00FC\u0022\uD83D\uDE00\u005C"#,
            ),
        ];
        let extra = [secret];
        let r = Redactor::NONE.with_extra(&extra);
        for (name, form) in forms {
            let text = format!("echo: refresh_token={form}&grant_type=refresh_token.");
            assert_eq!(
                r.redact(&text),
                "echo: refresh_token=[redacted]&grant_type=refresh_token.",
                "{name}: {form}"
            );
        }
        // What the issue saw: a server echoing the form-encoded refresh request.
        let body = form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "refresh_token")
            .append_pair("refresh_token", secret)
            .finish();
        assert!(!r.redact(&body).contains("REFRESH"), "{}", r.redact(&body));
        // A near miss is left alone.
        let near = "OLD%2FREFRESH%2Btok%3Aen~2";
        assert_eq!(r.redact(near), near);
    }

    /// The scan passes over every byte no form can start with: forms that start with
    /// '+', '%' or '\\' instead of the secret's first byte are still found.
    #[test]
    fn forms_that_start_with_another_byte_are_found() {
        let extra = [" secret/1", "\"quoted-secret"];
        let r = Redactor::NONE.with_extra(&extra);
        for text in [
            "x=+secret%2F1&",
            "x=%20secret/1&",
            r"x=\u0020secret\/1&",
            r#"x=\"quoted-secret&"#,
            "x=%22quoted-secret&",
            r"x=\u0022quoted-secret&",
        ] {
            assert_eq!(r.redact(text), "x=[redacted]&", "{text}");
        }
    }

    #[test]
    fn none_removes_nothing() {
        assert_eq!(Redactor::NONE.redact("a b %2F"), "a b %2F");
    }
}
