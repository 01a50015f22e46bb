//! The API base URL and its rule: `https://` for any host, `http://` only for loopback.

use std::net::IpAddr;

use ureq::http::Uri;

use crate::core::error::Error;
use crate::core::wire::signer::SigningUrl;

/// A checked API base URL: `https://` anywhere, `http://` only on loopback;
/// no user info, query or fragment; no trailing slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    url: String,
    https: bool,
    host: String,
    /// The port, explicit or the scheme's default.
    port: u16,
    loopback: bool,
}

impl BaseUrl {
    pub fn parse(input: &str) -> Result<BaseUrl, Error> {
        let refuse = |why: &str| {
            // Whatever precedes an '@' may be a password: it is never shown.
            let shown_input = match (input.split_once("://"), input.rfind('@')) {
                (Some((scheme, _)), Some(at)) => format!("{scheme}://…{}", &input[at..]),
                (None, Some(at)) => format!("…{}", &input[at..]),
                _ => input.to_owned(),
            };
            let shown: String = shown_input.chars().take(100).collect();
            Error::invalid_argument(format!("invalid base URL {shown:?}: {why}"))
        };
        // Far below http::Uri's 64 KiB, so an endpoint under it always parses.
        if input.len() > 4096 {
            return Err(refuse("longer than 4096 bytes"));
        }
        if input.bytes().any(|b| b.is_ascii_control() || b == b' ') {
            return Err(refuse("contains spaces or control characters"));
        }
        // A query or fragment would be dropped or sent on; refused, even empty.
        if input.contains(['?', '#']) {
            return Err(refuse("a query or fragment is not allowed"));
        }
        let uri: Uri = input
            .parse()
            .map_err(|_| refuse("expected https://host[:port][/path]"))?;
        let https = match uri.scheme_str().map(str::to_ascii_lowercase).as_deref() {
            Some("https") => true,
            Some("http") => false,
            Some(_) => {
                return Err(refuse(
                    "the scheme must be https (or http for a loopback host)",
                ))
            }
            None => return Err(refuse("expected https://host[:port][/path]")),
        };
        let authority = uri.authority().map(|a| a.as_str()).unwrap_or_default();
        if authority.contains('@') {
            return Err(refuse("credentials in the URL are not allowed"));
        }
        let host = uri.host().unwrap_or_default();
        // http::Uri takes any text after the colon ("host:", "host:0", "host:65536") and
        // then reports no port: the digits are checked here.
        let after_host = &authority[host.len()..];
        let port = match after_host
            .strip_prefix(':')
            .map(|digits| (digits, digits.parse()))
        {
            None if after_host.is_empty() => None,
            Some((digits, Ok(port))) if port != 0 && digits.bytes().all(|b| b.is_ascii_digit()) => {
                Some(port)
            }
            _ => return Err(refuse("bad host or port")),
        };
        if !is_valid_host(host) {
            return Err(refuse("bad host"));
        }
        let loopback = is_loopback_host(host);
        if !https && !loopback {
            return Err(refuse("http:// is only allowed for loopback hosts (127.0.0.0/8, ::1, localhost); use https://"));
        }
        let path = uri.path().trim_end_matches('/');
        let scheme = if https { "https" } else { "http" };
        let host = host.to_ascii_lowercase();
        let url = match port {
            Some(port) => format!("{scheme}://{host}:{port}{path}"),
            None => format!("{scheme}://{host}{path}"),
        };
        Ok(BaseUrl {
            url,
            https,
            host,
            port: port.unwrap_or(if https { 443 } else { 80 }),
            loopback,
        })
    }

    /// `path_and_query` under this base, as sent and as parsed for signing.
    pub fn endpoint(&self, path_and_query: &str) -> (String, SigningUrl) {
        let url = format!("{}{path_and_query}", self.url);
        let signing_url = SigningUrl::parse(&url).expect("a checked base URL parses");
        (url, signing_url)
    }

    pub fn as_str(&self) -> &str {
        &self.url
    }

    pub fn is_https(&self) -> bool {
        self.https
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port the base URL names, or its scheme's default.
    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn is_loopback(&self) -> bool {
        self.loopback
    }
}

/// By hand beside http::Uri, which takes what no host name holds (`https://h_st`,
/// `https://a..b`: the test `base_urls`).
fn is_valid_host(host: &str) -> bool {
    if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return v6.parse::<std::net::Ipv6Addr>().is_ok();
    }
    // One trailing dot (an absolute name) is allowed; empty labels are not.
    let name = without_trailing_dot(host);
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| !label.is_empty())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

/// A host name without its one trailing dot, if it has one: `localhost.` and
/// `localhost` name the same host. Every comparison of names (this loopback test,
/// `NO_PROXY`) uses it; rustls does the same for SNI and certificate names.
pub fn without_trailing_dot(host: &str) -> &str {
    host.strip_suffix('.').unwrap_or(host)
}

/// 127.0.0.0/8, ::1 and `localhost` (any case, one trailing dot allowed), by name.
/// For `http://` this is only the first check: at each call every address the
/// name resolves to must be loopback too (see `resolver`).
pub fn is_loopback_host(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => without_trailing_dot(bare).eq_ignore_ascii_case("localhost"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        let ok = |input: &str, want: &str| {
            assert_eq!(BaseUrl::parse(input).unwrap().as_str(), want, "{input}");
        };
        ok("https://api.twitter.com", "https://api.twitter.com");
        ok("https://api.twitter.com/", "https://api.twitter.com");
        // X's documentation now names api.x.com: the same rules.
        ok("https://api.x.com", "https://api.x.com");
        ok("https://API.X.COM/2/", "https://api.x.com/2");
        ok(
            "HTTPS://API.Twitter.com:8443/prefix/",
            "https://api.twitter.com:8443/prefix",
        );
        ok("http://127.0.0.1:8080", "http://127.0.0.1:8080");
        ok("http://127.1.2.3:1", "http://127.1.2.3:1");
        ok("http://localhost:9/x", "http://localhost:9/x");
        ok("http://LOCALHOST.", "http://localhost.");
        ok("http://[::1]:8080/", "http://[::1]:8080");
        ok("https://[2001:db8::1]", "https://[2001:db8::1]");
        let port = |input: &str| BaseUrl::parse(input).unwrap().port();
        assert_eq!(
            [
                port("https://h"),
                port("http://[::1]"),
                port("https://h:8443/p")
            ],
            [443, 80, 8443]
        );
        for bad in [
            "",
            "api.twitter.com",
            "ftp://api.twitter.com",
            "http://api.twitter.com",
            "http://10.0.0.1",
            "http://128.0.0.1",
            "http://[::2]",
            "http://localhost.evil.com",
            "http://localhost..",
            "https://a..b",
            "https://.a",
            "https://.",
            "https://user:pw@api.twitter.com",
            "https://api.twitter.com?x=1",
            "https://api.twitter.com/#f",
            "https://",
            "https://host:0",
            "https://host:65536",
            "https://host:-1",
            "https://host:",
            "https://ho st",
            "https://host\n",
            "https://[::1",
            "https://[zz]",
            "https://h_st",
            "https://[::1]x",
            // What http::Uri (ureq's URL) cannot hold could never be sent.
            "https://h/<x>",
        ] {
            let err = BaseUrl::parse(bad).expect_err(bad);
            assert!(
                err.message.starts_with("invalid base URL"),
                "{bad}: {}",
                err.message
            );
        }
        // Under http::Uri's limit, but no endpoint under it could be (this panicked).
        let long = format!("http://127.0.0.1/{}", "p".repeat(65_490));
        let err = BaseUrl::parse(&long).unwrap_err();
        assert!(
            err.message.ends_with("longer than 4096 bytes"),
            "{}",
            err.message
        );
        let longest = format!("http://127.0.0.1/{}", "p".repeat(4096 - 17));
        assert!(
            BaseUrl::parse(&longest)
                .unwrap()
                .endpoint("/2/users/me")
                .0
                .len()
                > 4096
        );
    }

    #[test]
    fn a_password_in_a_refused_url_is_never_shown() {
        for bad in [
            "https://user:s3cret@api.twitter.com",
            "http://user:s3cret@example.com",
            "user:s3cret@api.twitter.com",
            "https://user:s3cret@@api.twitter.com?x",
            "https://user:s3cret@api.twitter.com/\n",
        ] {
            let message = BaseUrl::parse(bad).expect_err(bad).message;
            assert!(!message.contains("s3cret"), "{message}");
        }
    }

    #[test]
    fn loopback() {
        assert!(is_loopback_host("127.0.0.1"));
        assert!(is_loopback_host("127.255.0.9"));
        assert!(is_loopback_host("[::1]"));
        assert!(is_loopback_host("Localhost"));
        assert!(is_loopback_host("localhost."));
        assert!(!is_loopback_host("localhost.."));
        assert!(!is_loopback_host("localhost.localdomain"));
        assert!(!is_loopback_host("0.0.0.0"));
        assert!(!is_loopback_host("example.com"));
    }
}
