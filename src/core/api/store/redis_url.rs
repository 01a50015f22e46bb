//! A store URL read: `redis://[[user]:password@]host[:port][/db][?prefix=NAME]`,
//! `rediss://…` (TLS; `&ca_file=PEM` trusts that file's certificates instead of the
//! built-in roots). The user name and password are decoded into wiped buffers; no
//! reason for a refusal quotes the URL.
//!
//! By hand rather than with `url::Url`, whose serialization holds the password and is
//! freed unwiped (`the_redis_store_leaves_no_secret_in_freed_memory` would find it).

use std::sync::Arc;

use zeroize::Zeroizing;

use crate::core::settings::ca_file::CaFile;
use crate::core::wire::pinning::PinningVerifier;

/// The prefix of every key when the URL names none.
pub const DEFAULT_PREFIX: &str = "twfollow";
const DEFAULT_PORT: u16 = 6379;

/// What a store URL says.
pub(super) struct Target {
    /// The URL as messages, the listing and the trace show it: its password `***`.
    pub shown: String,
    pub tls: bool,
    pub host: String,
    pub port: u16,
    pub user: Option<Zeroizing<String>>,
    pub password: Option<Zeroizing<String>>,
    pub db: i64,
    pub prefix: String,
    /// The verifier of `?ca_file=`'s certificates, trusted instead of the built-in roots.
    pub ca: Option<Arc<PinningVerifier>>,
}

/// Percent-decodes `text` into a wiped buffer of its size (no reallocation leaves a
/// copy behind). A `%` not followed by two hex digits is refused, not kept as it is.
fn decode(text: &str, what: &str) -> Result<Zeroizing<String>, String> {
    let hex = |s: &str| {
        s.get(..2)
            .is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
    };
    if !text.split('%').skip(1).all(hex) {
        return Err(format!("has a bad percent-escape in its {what}"));
    }
    let mut bytes = Vec::with_capacity(text.len());
    bytes.extend(percent_encoding::percent_decode_str(text));
    String::from_utf8(bytes).map(Zeroizing::new).map_err(|e| {
        drop(Zeroizing::new(e.into_bytes()));
        format!("has a {what} that is not UTF-8")
    })
}

/// Reads a store URL. The reasons never quote the URL (it may hold the password).
pub(super) fn parse(url: &str) -> Result<Target, String> {
    let (tls, rest) = if let Some(rest) = url.strip_prefix("rediss://") {
        (true, rest)
    } else if let Some(rest) = url.strip_prefix("redis://") {
        (false, rest)
    } else {
        return Err("is not a redis:// or rediss:// URL".into());
    };
    let at = url.len() - rest.len(); // where the user information begins
    if rest.contains('#') {
        return Err("is a URL with a fragment (#…), which a store URL has none of".into());
    }
    let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let (userinfo, hostport) = authority.rsplit_once('@').unwrap_or(("", authority));
    let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
    let shown = match userinfo.contains(':') {
        true => format!("{}{user}:***{}", &url[..at], &url[at + userinfo.len()..]),
        false => url.to_owned(),
    };
    // Empty is none.
    let password = Some(decode(password, "password")?).filter(|p| !p.is_empty());
    let user = Some(decode(user, "user name")?).filter(|u| !u.is_empty());
    let (host, port) = split_host_port(hostport)?;
    let db = match path.trim_matches('/') {
        "" => 0,
        n => n
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .ok_or("has a database (the path) that is not a number from 0 up")?,
    };
    let mut prefix = DEFAULT_PREFIX.to_owned();
    let mut ca = None;
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        match &*name {
            "prefix" => {
                let ok = !value.is_empty()
                    && value.len() <= 100
                    && !value.chars().any(|c| c.is_control() || c.is_whitespace());
                if !ok {
                    return Err("has a prefix that is empty, longer than 100 bytes, or holds spaces or control characters".into());
                }
                prefix = value.into_owned();
            }
            "ca_file" if tls => {
                let file =
                    CaFile::read(&value).map_err(|e| format!("cannot be used: {}", e.message))?;
                let verifier = PinningVerifier::new(&file.certificates)
                    .map_err(|e| format!("cannot be used: {}", file.refusal(&e).message))?;
                ca = Some(Arc::new(verifier));
            }
            "ca_file" => {
                return Err("names a ca_file, which only a rediss:// (TLS) URL uses".into())
            }
            other => {
                return Err(format!(
                    "has the parameter {other:?}, which a store URL does not know (prefix, ca_file)"
                ))
            }
        }
    }
    Ok(Target {
        shown,
        tls,
        host,
        port,
        user,
        password,
        db,
        prefix,
        ca,
    })
}

fn split_host_port(hostport: &str) -> Result<(String, u16), String> {
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        let (host, after) = v6
            .split_once(']')
            .ok_or("has an IPv6 host without its ']'")?;
        let port = after.strip_prefix(':');
        if port.is_none() && !after.is_empty() {
            return Err("has more than a port after its IPv6 host".into());
        }
        (host, port)
    } else {
        hostport
            .rsplit_once(':')
            .map_or((hostport, None), |(host, port)| (host, Some(port)))
    };
    if host.is_empty() {
        return Err("names no host".into());
    }
    let port = match port {
        None | Some("") => DEFAULT_PORT,
        Some(p) => p
            .parse::<u16>()
            .ok()
            .filter(|p| *p != 0)
            .ok_or("has a port that is not a number from 1 to 65535")?,
    };
    Ok((host.to_owned(), port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_is_shown_without_its_password_and_keeps_the_rest() {
        for (url, shown) in [
            (
                "redis://u:p%40ss@h:6379/2?prefix=x",
                "redis://u:***@h:6379/2?prefix=x",
            ),
            ("rediss://:secret@h/0", "rediss://:***@h/0"),
            ("redis://:@h", "redis://:***@h"),
            ("redis://user@h", "redis://user@h"),
            ("redis://h:1/0?prefix=a@b", "redis://h:1/0?prefix=a@b"),
            ("redis://a:b@c@h", "redis://a:***@h"),
        ] {
            assert_eq!(parse(url).ok().unwrap().shown, shown, "{url}");
        }
    }

    #[test]
    fn urls_are_read_and_their_passwords_stay_out_of_every_reason() {
        let t = parse("redis://u%3A1:p%40ss@[::1]:7000/3?prefix=app-1").unwrap();
        assert_eq!((t.host.as_str(), t.port, t.db), ("::1", 7000, 3));
        assert_eq!(t.user.as_deref().map(String::as_str), Some("u:1"));
        assert_eq!(t.password.as_deref().map(String::as_str), Some("p@ss"));
        assert_eq!((t.prefix.as_str(), t.tls), ("app-1", false));
        let t = parse("rediss://:secret@cache.example").unwrap();
        assert_eq!(
            (t.host.as_str(), t.port, t.db, t.tls),
            ("cache.example", 6379, 0, true)
        );
        assert!(t.user.is_none());
        assert_eq!(t.prefix, DEFAULT_PREFIX);
        for bad in [
            "redis://:secret@",
            "redis://:secret@h:0",
            "redis://:secret@[::1]x",
            "redis://:secret@h:99999",
            "redis://:secret@h/x",
            "redis://:secret@h?prefix=",
            "redis://:secret@h?pefix=a",
            "redis://:secret@h#frag",
            "redis://:sec%zzret@h",
            "redis://:secret@h?ca_file=/x.pem",
            "rediss://:secret@h?ca_file=/nonexistent.pem",
        ] {
            let why = parse(bad).err().unwrap_or_else(|| panic!("{bad} accepted"));
            assert!(!why.contains("secret") && !why.contains("sec%"), "{why}");
        }
    }
}
