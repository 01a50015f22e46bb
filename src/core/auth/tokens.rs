//! A user's OAuth 2.0 tokens, and the token and revoke endpoints' answers read
//! into them (network-free).

use serde_json::{Map, Value};
use zeroize::Zeroizing;

use super::{wiped_json, Secret};
use crate::core::error::{Error, ErrorKind};
use crate::core::wire::wipe_json;

/// A user's OAuth 2.0 tokens. The tokens are wiped when dropped; `Debug` shows
/// only their lengths. Serialized as [`Tokens::to_json`] writes them.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize)]
pub struct Tokens {
    pub access_token: Secret,
    /// Present when the scope had `offline.access`. X rotates it on each refresh.
    pub refresh_token: Option<Secret>,
    /// When the access token expires, in seconds since the Unix epoch; 0 when unknown.
    pub expires_at: i64,
    pub scope: String,
}

impl Tokens {
    /// Tokens an application stored: a non-empty access token, an optional refresh
    /// token, and when the access token expires (0: unknown).
    pub fn from_parts(
        access_token: &str,
        refresh_token: Option<&str>,
        expires_at: i64,
    ) -> Result<Tokens, Error> {
        if access_token.is_empty() || refresh_token == Some("") {
            return Err(Error::invalid_argument("an OAuth 2.0 token is empty"));
        }
        if expires_at < 0 {
            return Err(Error::invalid_argument(
                "expires_at is negative: give seconds since the Unix epoch, or 0 when unknown",
            ));
        }
        Ok(Tokens {
            access_token: access_token.into(),
            refresh_token: refresh_token.map(Secret::from),
            expires_at,
            scope: String::new(),
        })
    }

    /// `{"access_token":…,"refresh_token":…|null,"expires_at":…,"scope":…}`, in a wiped buffer.
    pub fn to_json(&self) -> Zeroizing<String> {
        wiped_json(self)
    }

    /// Reads the library's own token JSON (what [`Tokens::to_json`] writes: the token
    /// callback's, `tw_config_get_tokens`' and the code exchange's shape) back into
    /// tokens, touching no config. `access_token` is a non-empty string;
    /// `refresh_token` a string, or null, `""` or absent (none); `expires_at` a whole
    /// number of seconds ≥ 0, or null or absent (0: unknown); `scope` a string, or null
    /// or absent (`""`); other members are ignored. Anything else is an invalid
    /// argument whose message names the member, never a value: the JSON holds
    /// secrets. Strings are moved out of the parsed tree into wiped buffers, and
    /// whatever is left of it is wiped.
    pub fn from_json(json: &str) -> Result<Tokens, Error> {
        with_object(
            json.as_bytes(),
            "is not a JSON object",
            bad_tokens_json,
            |root| {
                let access_token = take_access_token(root, "has an empty access_token")
                    .map_err(bad_tokens_json)?;
                let refresh_token = take_refresh_token(root).map_err(|()| {
                    bad_tokens_json("has a refresh_token that is neither a string nor null")
                })?;
                let expires_at = match root.get("expires_at") {
                None | Some(Value::Null) => Some(0),
                Some(value) => value.as_i64().filter(|secs| *secs >= 0),
            }
            .ok_or_else(|| {
                bad_tokens_json(
                    "has an expires_at that is not a whole number of seconds since the Unix epoch, 0 or more",
                )
            })?;
                let scope = match root.get_mut("scope") {
                    Some(Value::String(scope)) => std::mem::take(scope),
                    None | Some(Value::Null) => String::new(),
                    Some(_) => return Err(bad_tokens_json("has a scope that is not a string")),
                };
                // A C string cannot hold a NUL: the fields would be cut short.
                if access_token.contains('\0')
                    || refresh_token.as_ref().is_some_and(|t| t.contains('\0'))
                    || scope.contains('\0')
                {
                    return Err(bad_tokens_json("has a member holding a NUL character"));
                }
                Ok(Tokens {
                    access_token,
                    refresh_token,
                    expires_at,
                    scope,
                })
            },
        )
    }

    /// Whether the access token expires within `margin_secs` of `now_unix`
    /// (see [`REFRESH_MARGIN_SECS`](crate::core::auth::oauth2::REFRESH_MARGIN_SECS)). Never when the expiry is unknown.
    pub fn needs_refresh(&self, now_unix: i64, margin_secs: i64) -> bool {
        self.expires_at > 0 && now_unix.saturating_add(margin_secs) >= self.expires_at
    }
}

/// A refusal of [`Tokens::from_json`]'s input: `what` names a member, never a value.
fn bad_tokens_json(what: &str) -> Error {
    Error::invalid_argument(format!("the tokens JSON {what}"))
}

/// Reads the token endpoint's answer to a code exchange or a refresh. A 2xx
/// answer must be a JSON object with a non-empty string `access_token`; anything
/// else about it is forgiven, because X has already rotated the grant when it
/// answers 2xx (the old refresh token is dead and the new one is in this answer):
/// `expires_in` (seconds) sets `expires_at` from `now_unix`, read also from a
/// whole float (`7200.0`) or a string of digits (`"7200"`), and unknown (0: refresh
/// after the next 401) when absent or unreadable; `scope` is a string or a list of
/// strings; a missing `token_type` is taken for bearer. Only a `token_type` other
/// than bearer with no `refresh_token` is refused (nothing is lost then). Each
/// oddity is a line handed to `on_note` (for the trace): names and shapes, never a
/// token. A non-2xx answer never comes here:
/// the client maps it (`api_failure`, which reads RFC 6749's `error`). Hold `body`
/// in a wiped buffer: it has the tokens.
pub fn parse_token_answer(
    http_status: u16,
    body: &[u8],
    now_unix: i64,
    mut on_note: impl FnMut(&str),
) -> Result<Tokens, Error> {
    let bad = |what: &str| Error::bad_response(http_status, &format!("the token answer {what}"));
    with_object(body, "is JSON without an object at the top", bad, |root| {
        let mut note = |what: &str| on_note(&format!("note: the token answer {what}"));
        // Strings are moved out of the parsed tree into wiped buffers, never copied.
        let access_token = take_access_token(root, "has no access_token").map_err(bad)?;
        let refresh_token = take_refresh_token(root).unwrap_or_else(|()| {
            note("has a refresh_token that is not a string: ignored (the config keeps its refresh token)");
            None
        });
        match root.get("token_type") {
            Some(Value::String(t)) if t.eq_ignore_ascii_case("bearer") => {}
            None | Some(Value::Null) => note("has no token_type: taken for bearer"),
            Some(_) if refresh_token.is_none() => {
                return Err(bad("has a token_type other than bearer"))
            }
            Some(_) => note(
                "has a token_type other than bearer: kept as a Bearer token, since the grant was rotated",
            ),
        }
        let expires_in = root.get("expires_in").filter(|value| !value.is_null());
        let expires_at = match expires_in.map(expires_in_secs) {
            None => 0,
            Some(Some((secs, odd_shape))) => {
                if let Some(shape) = odd_shape {
                    note(&format!(
                        "has an expires_in that is {shape}: read as {secs} s"
                    ));
                }
                now_unix.saturating_add(i64::try_from(secs).unwrap_or(i64::MAX))
            }
            Some(None) => {
                note("has an expires_in that is not a number of seconds: the expiry is unknown (refreshed after the next 401)");
                0
            }
        };
        let scope = match root.remove("scope") {
            Some(Value::String(scope)) => scope,
            None | Some(Value::Null) => String::new(),
            Some(Value::Array(items)) if items.iter().all(Value::is_string) => {
                note("has a scope that is a list: joined with spaces");
                let items: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
                items.join(" ")
            }
            Some(_) => {
                note("has a scope that is neither a string nor a list of strings: ignored");
                String::new()
            }
        };
        Ok(Tokens {
            access_token,
            refresh_token,
            expires_at,
            scope,
        })
    })
}

/// The seconds an `expires_in` says, with how it was written when that is not as
/// RFC 6749 says (a whole number): a whole float, or a string of digits. `None`:
/// unreadable.
fn expires_in_secs(value: &Value) -> Option<(u64, Option<&'static str>)> {
    match value {
        Value::Number(n) => n.as_u64().map(|secs| (secs, None)).or_else(|| {
            let f = n
                .as_f64()
                .filter(|f| f.is_finite() && *f >= 0.0 && f.fract() == 0.0)?;
            // Saturates at u64::MAX, as the integer case does through i64::MAX.
            Some((f as u64, Some("a number with a fraction part")))
        }),
        Value::String(s) => Some((s.trim().parse().ok()?, Some("a string"))),
        _ => None,
    }
}

/// `access_token` moved out of `root` into a wiped buffer; the words of the refusal
/// when it is absent (or `""`: `empty`) or not a string.
fn take_access_token(
    root: &mut Map<String, Value>,
    empty: &'static str,
) -> Result<Secret, &'static str> {
    match root.get_mut("access_token") {
        Some(Value::String(t)) if !t.is_empty() => Ok(Secret::new(std::mem::take(t))),
        Some(Value::String(_)) => Err(empty),
        Some(_) => Err("has an access_token that is not a string"),
        None => Err("has no access_token"),
    }
}

/// `refresh_token` moved out of `root` into a wiped buffer (`None`: absent, null or
/// `""`); `Err` when it is of another type.
fn take_refresh_token(root: &mut Map<String, Value>) -> Result<Option<Secret>, ()> {
    match root.get_mut("refresh_token") {
        Some(Value::String(t)) => {
            Ok(Some(Secret::new(std::mem::take(t))).filter(|t| !t.is_empty()))
        }
        None | Some(Value::Null) => Ok(None),
        Some(_) => Err(()),
    }
}

/// `json` parsed to its top object (else the words of the refusal: the position
/// only, as serde's text could quote the secrets), handed to `read`, which moves the
/// secrets it takes into wiped buffers; whatever is left of the tree is wiped after.
fn with_object<T>(
    json: &[u8],
    not_an_object: &str,
    refuse: impl Fn(&str) -> Error,
    read: impl FnOnce(&mut Map<String, Value>) -> Result<T, Error>,
) -> Result<T, Error> {
    // Checked whole first, building nothing: a tree cut short by an error is freed unwiped.
    if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(json) {
        let (line, column) = (e.line(), e.column());
        return Err(refuse(&format!(
            "is not valid JSON (line {line}, column {column})"
        )));
    }
    let Ok(WipingObject(mut root)) = serde_json::from_slice(json) else {
        return Err(refuse(not_an_object));
    };
    let read = read(&mut root);
    root.values_mut().for_each(wipe_json);
    read
}

/// A JSON object whose member given twice is wiped where a later one replaces it
/// (serde_json's Map drops it as it is); the last one stays, as X's reader keeps it.
struct WipingObject(Map<String, Value>);

impl<'de> serde::Deserialize<'de> for WipingObject {
    fn deserialize<D: serde::Deserializer<'de>>(json: D) -> Result<Self, D::Error> {
        struct Members;
        impl<'de> serde::de::Visitor<'de> for Members {
            type Value = WipingObject;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut object = Map::new();
                while let Some((name, value)) = map.next_entry::<String, Value>()? {
                    if let Some(mut replaced) = object.insert(name, value) {
                        wipe_json(&mut replaced);
                    }
                }
                Ok(WipingObject(object))
            }
        }
        json.deserialize_map(Members)
    }
}

/// Reads the revoke endpoint's 2xx answer: done (RFC 7009) unless it says
/// `"revoked": false`.
pub fn parse_revoke_answer(http_status: u16, body: &[u8]) -> Result<(), Error> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(root)) if root.get("revoked") == Some(&Value::Bool(false)) => {
            Err(Error {
                http_status,
                ..Error::new(
                    ErrorKind::Auth,
                    format!("HTTP {http_status}, but the server did not revoke the token (\"revoked\": false)"),
                )
            })
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACCESS: &str = "access-Zq9-secret";
    const REFRESH: &str = "refresh-Wk3-secret";

    #[test]
    fn from_json_reads_back_what_to_json_writes() {
        for refresh in [Some(REFRESH), None] {
            let mut tokens = Tokens::from_parts(ACCESS, refresh, 1_700_007_200).unwrap();
            tokens.scope = "follows.write offline.access".into();
            assert_eq!(Tokens::from_json(&tokens.to_json()).unwrap(), tokens);
        }
        // Absent, null and "" members are none / unknown; unknown members are ignored.
        let tokens = Tokens::from_json(&format!(
            r#"{{"access_token":"{ACCESS}","extra":[1,{{}}]}}"#
        ))
        .unwrap();
        assert_eq!(tokens, Tokens::from_parts(ACCESS, None, 0).unwrap());
        let tokens = Tokens::from_json(&format!(
            r#" {{"access_token":"{ACCESS}","refresh_token":"","expires_at":null,"scope":null}} "#
        ))
        .unwrap();
        assert_eq!(tokens, Tokens::from_parts(ACCESS, None, 0).unwrap());
        // Escapes are read as JSON reads them.
        let tokens = Tokens::from_json(r#"{"access_token":"a\"b\u00e9"}"#).unwrap();
        assert_eq!(tokens.access_token.as_str(), "a\"b\u{e9}");
    }

    #[test]
    fn from_json_refuses_what_is_not_the_librarys_shape_without_quoting_it() {
        let cases = [
            ("", "is not valid JSON (line 1, column 0)"),
            (r#"{"access_token":"Zq9-secret""#, "is not valid JSON"),
            (r#"["Zq9-secret"]"#, "is not a JSON object"),
            (r#""Zq9-secret""#, "is not a JSON object"),
            (r#"{"refresh_token":"Zq9-secret"}"#, "has no access_token"),
            (r#"{"access_token":""}"#, "has an empty access_token"),
            (
                r#"{"access_token":["Zq9-secret"]}"#,
                "access_token that is not a string",
            ),
            (
                r#"{"access_token":"Zq9-secret","refresh_token":7}"#,
                "refresh_token that is neither a string nor null",
            ),
            (
                r#"{"access_token":"Zq9-secret","expires_at":-1}"#,
                "expires_at",
            ),
            (
                r#"{"access_token":"Zq9-secret","expires_at":1.5}"#,
                "expires_at",
            ),
            (
                r#"{"access_token":"Zq9-secret","expires_at":"7"}"#,
                "expires_at",
            ),
            (
                r#"{"access_token":"Zq9-secret","expires_at":1e30}"#,
                "expires_at",
            ),
            (
                r#"{"access_token":"Zq9-secret","scope":["Zq9-secret"]}"#,
                "scope that is not a string",
            ),
            (r#"{"access_token":"Zq9\u0000-secret"}"#, "NUL character"),
            (
                r#"{"access_token":"a","refresh_token":"Zq9\u0000"}"#,
                "NUL character",
            ),
        ];
        for (json, expected) in cases {
            let e = Tokens::from_json(json).unwrap_err();
            assert_eq!(e.kind, ErrorKind::InvalidArgument, "{json}");
            assert!(
                e.message.starts_with("the tokens JSON "),
                "{json}: {}",
                e.message
            );
            assert!(e.message.contains(expected), "{json}: {}", e.message);
            assert!(!e.message.contains("Zq9"), "{json}: {}", e.message);
        }
    }
}
