//! Bytes and text: percent-encoding and OAuth 1.0a signing, redaction,
//! certificate pinning checks, and [`Secret`]. Imports only `error` and `sys`.

pub mod percent;
pub mod pinning;
pub mod redact;
pub mod signer;

use std::fmt;

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// A secret text: wiped when dropped, shown by `Debug` as its length only, so the
/// types that hold one derive their `Debug`; (de)serialized as the plain string (the
/// token store's secrets).
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(pub Zeroizing<String>);

impl Secret {
    pub fn new(text: String) -> Secret {
        Secret(Zeroizing::new(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(text: String) -> Secret {
        Secret::new(text)
    }
}

impl From<&str> for Secret {
    fn from(text: &str) -> Secret {
        Secret::new(text.to_owned())
    }
}

impl AsRef<str> for Secret {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Secret {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} bytes>", self.0.len())
    }
}

/// Wipes every string inside a JSON value, member names included, before it is
/// dropped (a misshapen `refresh_token`, an error a server echoed a token into, the
/// token store's members kept unread).
pub(crate) fn wipe_json(value: &mut serde_json::Value) {
    use zeroize::Zeroize as _;
    match value {
        serde_json::Value::String(s) => s.zeroize(),
        serde_json::Value::Array(items) => items.iter_mut().for_each(wipe_json),
        serde_json::Value::Object(map) => {
            for (mut name, mut value) in std::mem::take(map) {
                name.zeroize();
                wipe_json(&mut value);
            }
        }
        _ => {}
    }
}

/// `value` as JSON (`pretty`: indented), then `end`, in a wiped buffer allocated once
/// at the size a first pass measured: it never grows, so no unwiped copy is left behind.
pub(crate) fn wiped_json_bytes(
    value: &impl Serialize,
    pretty: bool,
    end: &[u8],
) -> Zeroizing<Vec<u8>> {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    fn write(out: impl std::io::Write, value: &impl Serialize, pretty: bool) {
        let written = if pretty {
            serde_json::to_writer_pretty(out, value)
        } else {
            serde_json::to_writer(out, value)
        };
        written.expect("plain data serializes");
    }
    let mut count = Count(0);
    write(&mut count, value, pretty);
    let mut out = Zeroizing::new(Vec::with_capacity(count.0 + end.len()));
    write(&mut *out, value, pretty);
    out.extend_from_slice(end);
    out
}
