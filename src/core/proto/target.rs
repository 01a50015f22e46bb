//! Who to follow: a screen name or a numeric user id, checked before any I/O.

use crate::core::error::Error;

/// A validated follow target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// 1–15 of `[A-Za-z0-9_]`, without the `@`.
    ScreenName(String),
    /// A user id in `1..=u64::MAX`.
    UserId(u64),
}

const MAX_SCREEN_NAME: usize = 15;

fn is_screen_name(s: &str) -> bool {
    (1..=MAX_SCREEN_NAME).contains(&s.len())
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Shows a refused input escaped and cut to 60 characters, so a message stays one short line.
fn describe(input: &str) -> String {
    const MAX_SHOWN: usize = 60;
    let escaped = format!("{input:?}");
    match escaped.char_indices().nth(MAX_SHOWN) {
        Some((cut, _)) => format!("{}…", &escaped[..cut]),
        None => escaped,
    }
}

impl Target {
    /// `@name` → screen name; all ASCII digits → user id; another valid name → screen name.
    pub fn parse(input: &str) -> Result<Target, Error> {
        if let Some(name) = input.strip_prefix('@') {
            return if is_screen_name(name) {
                Ok(Target::ScreenName(name.to_owned()))
            } else {
                Err(Error::invalid_argument(format!(
                    "invalid screen name {}: expected @ and 1-15 letters, digits or underscores",
                    describe(input)
                )))
            };
        }
        if !input.is_empty() && input.bytes().all(|b| b.is_ascii_digit()) {
            return match input.parse::<u64>() {
                Ok(0) => Err(Error::invalid_argument("invalid user id 0: ids start at 1")),
                Ok(id) => Ok(Target::UserId(id)),
                Err(_) => Err(Error::invalid_argument(format!(
                    "invalid user id {}: larger than 18446744073709551615",
                    describe(input)
                ))),
            };
        }
        if is_screen_name(input) {
            return Ok(Target::ScreenName(input.to_owned()));
        }
        Err(Error::invalid_argument(format!(
            "invalid target {}: expected a user id (digits) or a screen name (optional @, 1-15 letters, digits or underscores)",
            describe(input)
        )))
    }

    /// The API parameter naming this target.
    pub fn param(&self) -> (&'static str, String) {
        match self {
            Target::ScreenName(name) => ("screen_name", name.clone()),
            Target::UserId(id) => ("user_id", id.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_names_and_ids() {
        let name = |s: &str| Target::ScreenName(s.into());
        assert_eq!(Target::parse("@jack"), Ok(name("jack")));
        assert_eq!(Target::parse("jack"), Ok(name("jack")));
        assert_eq!(Target::parse("a"), Ok(name("a")));
        assert_eq!(
            Target::parse("Abc_123_xyz_789"),
            Ok(name("Abc_123_xyz_789"))
        );
        assert_eq!(Target::parse("@_"), Ok(name("_")));
        assert_eq!(Target::parse("2244994945"), Ok(Target::UserId(2244994945)));
        assert_eq!(Target::parse("1"), Ok(Target::UserId(1)));
        assert_eq!(Target::parse("007"), Ok(Target::UserId(7)));
        assert_eq!(
            Target::parse("18446744073709551615"),
            Ok(Target::UserId(u64::MAX))
        );
        // A digits-only name after @ is a screen name, not an id.
        assert_eq!(Target::parse("@12345"), Ok(name("12345")));
        // Mixed letters and digits is a name.
        assert_eq!(Target::parse("123abc"), Ok(name("123abc")));
    }

    #[test]
    fn refuses_everything_else() {
        for bad in [
            "",
            "@",
            "@@jack",
            "0",
            "000",
            "18446744073709551616",
            "99999999999999999999999",
            "+12",
            "-12",
            " 12",
            "12 ",
            "ja ck",
            "jack!",
            "sixteen_chars_xx",
            "@sixteen_chars_xx",
            "jаck", // Cyrillic а
            "ｊａｃｋ",
            "１２３", // full-width digits
            "jack\n",
            "ja\0ck",
            "a.b",
        ] {
            let err = Target::parse(bad).expect_err(bad);
            assert!(
                err.message.starts_with("invalid"),
                "{bad:?}: {}",
                err.message
            );
        }
    }

    #[test]
    fn messages_are_short_and_escaped() {
        let long = "x".repeat(1 << 20);
        let err = Target::parse(&long).unwrap_err();
        assert!(err.message.len() < 200, "{}", err.message.len());
        let err = Target::parse("a\nb").unwrap_err();
        assert!(!err.message.contains('\n'));
        // Found by fuzzing: escaped control characters once made a 400-byte message.
        let err = Target::parse(&"\u{15}".repeat(40)).unwrap_err();
        assert!(err.message.len() < 200, "{}", err.message.len());
    }

    #[test]
    fn params() {
        assert_eq!(Target::UserId(5).param(), ("user_id", "5".to_string()));
        assert_eq!(
            Target::ScreenName("x".into()).param(),
            ("screen_name", "x".to_string())
        );
    }
}
