//! Proxy choice from the environment, by curl's rules (see docs/tls-and-proxies.md).

use std::net::IpAddr;

use crate::core::auth::Secret;
use crate::core::error::Error;
use crate::core::settings::base_url::{without_trailing_dot, BaseUrl};

/// Where the proxy comes from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ProxyChoice {
    /// The environment, by curl's rules (see `proxy::proxy_for`).
    #[default]
    FromEnvironment,
    /// No proxy, whatever the environment says.
    Direct,
    /// This proxy (`http://`, `https://`, `socks5://`, `socks5h://`), for every host,
    /// loopback included. `Debug` shows its length only: it may hold a password.
    Url(Secret),
}

impl ProxyChoice {
    /// `""` means [`ProxyChoice::Direct`]; anything else must be a proxy URL ureq accepts.
    pub fn parse(url: &str) -> Result<ProxyChoice, Error> {
        if url.is_empty() {
            return Ok(ProxyChoice::Direct);
        }
        let known = ["http://", "https://", "socks5://", "socks5h://"];
        if !known.iter().any(|scheme| {
            url.len() > scheme.len() && url[..scheme.len()].eq_ignore_ascii_case(scheme)
        }) || ureq::Proxy::new(url).is_err()
        {
            // The URL may hold a password: never repeat it.
            return Err(Error::invalid_argument(
                "invalid proxy URL (not shown, it may hold a password): expected http://, https://, socks5:// or socks5h:// with a host",
            ));
        }
        Ok(ProxyChoice::Url(Secret::new(url.to_owned())))
    }
}

/// The proxy to use for `base`, as (variable name, proxy URL), or `None` for a direct connection.
///
/// - https targets: `https_proxy`, then `HTTPS_PROXY`;
/// - http targets: `http_proxy` only (uppercase `HTTP_PROXY` can be injected through a
///   CGI request header, "httpoxy", so curl ignores it and so do we);
/// - then `all_proxy`, `ALL_PROXY`;
/// - loopback hosts, and hosts that `no_proxy` (or, when it is unset, `NO_PROXY`)
///   matches by [`no_proxy_matches`], bypass every proxy.
pub fn proxy_for(
    base: &BaseUrl,
    lookup: impl Fn(&str) -> Option<String>,
) -> Option<(&'static str, String)> {
    if base.is_loopback() {
        return None;
    }
    let get = |name: &'static str| {
        lookup(name)
            .filter(|v| !v.trim().is_empty())
            .map(|v| (name, v))
    };
    let no_proxy = get("no_proxy").or_else(|| get("NO_PROXY"));
    if let Some((_, list)) = no_proxy {
        if no_proxy_matches(base.host(), base.port(), &list) {
            return None;
        }
    }
    let scheme_specific = if base.is_https() {
        get("https_proxy").or_else(|| get("HTTPS_PROXY"))
    } else {
        get("http_proxy")
    };
    scheme_specific
        .or_else(|| get("all_proxy"))
        .or_else(|| get("ALL_PROXY"))
}

/// Whether a `NO_PROXY` list exempts `host` (as in a URL: IPv6 in brackets) on `port`.
/// Hand-written: ureq 3.5.2's `NoProxy` matches exact names, prefixes and suffixes only
/// (no CIDR range, no parent domain, no port): the test `no_proxy_follows_curl`.
///
/// curl's rules (CURLOPT_NOPROXY, curl 7.86 and later):
/// - the whole value `*` matches every host (a `*` among other entries matches nothing);
/// - entries are separated by commas or blanks (or both);
/// - a host name matches an entry equal to it or to one of its parent domains
///   (`example.com` matches `example.com` and `www.example.com`, not
///   `notexample.com`), in any case; one trailing dot is ignored on both sides, and
///   one leading dot on the entry (`.example.com` is `example.com`);
/// - an IP address matches an entry that is the same address, or a CIDR range
///   (`10.0.0.0/8`, `2001:db8::/32`: IPv6 without brackets), never a name.
///
/// Two forms that curl's documentation does not cover (and its code never
/// matches) are read as users of other tools mean them: `*.example.com` is
/// `.example.com`, and an entry with a port (`example.com:8443`,
/// `10.0.0.1:443`, `[2001:db8::1]:443`) matches only that port (the URL's own port,
/// or 443 for https and 80 for http).
pub fn no_proxy_matches(host: &str, port: u16, no_proxy: &str) -> bool {
    if no_proxy.trim() == "*" {
        return true;
    }
    let address = unbracketed(host).unwrap_or(host).parse::<IpAddr>().ok();
    no_proxy
        .split(|c: char| c == ',' || c.is_ascii_whitespace())
        .filter(|entry| !entry.is_empty())
        .any(|entry| {
            let (entry, entry_port) = split_port(entry);
            if entry_port.is_some_and(|p| p != port) {
                return false;
            }
            match address {
                Some(ip) => address_matches(ip, entry),
                None => name_matches(host, entry),
            }
        })
}

/// `host:port`, `[v6]:port` or `[v6]` to the host part and the port; anything else
/// (an IPv6 address without brackets included) has no port.
fn split_port(entry: &str) -> (&str, Option<u16>) {
    if let Some(v6) = unbracketed(entry) {
        return (v6, None);
    }
    match entry
        .rsplit_once(':')
        .map(|(host, port)| (host, port.parse()))
    {
        Some((host, Ok(port))) => match unbracketed(host) {
            Some(v6) => (v6, Some(port)),
            None if !host.contains(':') => (host, Some(port)),
            None => (entry, None),
        },
        _ => (entry, None),
    }
}

/// The IPv6 address inside `[…]`.
fn unbracketed(host: &str) -> Option<&str> {
    host.strip_prefix('[')?.strip_suffix(']')
}

fn name_matches(host: &str, entry: &str) -> bool {
    let host = without_trailing_dot(host);
    let entry = without_trailing_dot(entry);
    let entry = entry.strip_prefix('*').unwrap_or(entry);
    let entry = entry.strip_prefix('.').unwrap_or(entry);
    if entry.is_empty() || host.len() < entry.len() {
        return false;
    }
    let (head, tail) = host.split_at(host.len() - entry.len());
    tail.eq_ignore_ascii_case(entry) && (head.is_empty() || head.ends_with('.'))
}

/// `ip` equals the entry's address, or lies in its CIDR range.
fn address_matches(ip: IpAddr, entry: &str) -> bool {
    let (network, bits) = match entry.split_once('/') {
        Some((network, bits)) => match bits.parse::<u8>() {
            Ok(bits) => (network, Some(bits)),
            Err(_) => return false,
        },
        None => (entry, None),
    };
    let Ok(network) = network.parse::<IpAddr>() else {
        return false;
    };
    match (ip, network) {
        (IpAddr::V4(ip), IpAddr::V4(network)) => same_prefix(
            u128::from(ip.to_bits()),
            u128::from(network.to_bits()),
            32,
            bits,
        ),
        (IpAddr::V6(ip), IpAddr::V6(network)) => {
            same_prefix(ip.to_bits(), network.to_bits(), 128, bits)
        }
        _ => false,
    }
}

/// The first `bits` of two `width`-bit numbers agree (all of them when `bits` is `None`).
fn same_prefix(a: u128, b: u128, width: u8, bits: Option<u8>) -> bool {
    let bits = bits.unwrap_or(width);
    if bits > width {
        return false;
    }
    let ignored = u32::from(width - bits);
    a.checked_shr(ignored).unwrap_or(0) == b.checked_shr(ignored).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_choices() {
        assert_eq!(ProxyChoice::parse("").unwrap(), ProxyChoice::Direct);
        for ok in [
            "http://p:3128",
            "HTTPS://p",
            "socks5://u:pw@p:1080",
            "socks5h://p",
        ] {
            assert_eq!(
                ProxyChoice::parse(ok).unwrap(),
                ProxyChoice::Url(Secret::new(ok.into())),
                "{ok}"
            );
        }
        for bad in ["p:3128", "ftp://p", "socks4://p", "http://", "http://a b"] {
            let err = ProxyChoice::parse(bad).unwrap_err();
            assert!(
                err.message.starts_with("invalid proxy URL (not shown"),
                "{bad}"
            );
        }
        assert_eq!(
            format!(
                "{:?}",
                ProxyChoice::Url(Secret::new("http://u:pw@p".into()))
            ),
            "Url(<13 bytes>)"
        );
    }

    fn pick(base: &str, vars: &[(&str, &str)]) -> Option<String> {
        let base = BaseUrl::parse(base).unwrap();
        proxy_for(&base, |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        })
        .map(|(name, url)| format!("{name}={url}"))
    }

    #[test]
    fn scheme_rules() {
        let all = [
            ("https_proxy", "hs"),
            ("HTTPS_PROXY", "HS"),
            ("http_proxy", "h"),
            ("HTTP_PROXY", "H"),
            ("ALL_PROXY", "A"),
        ];
        assert_eq!(
            pick("https://api.twitter.com", &all).unwrap(),
            "https_proxy=hs"
        );
        assert_eq!(
            pick("https://api.twitter.com", &all[1..]).unwrap(),
            "HTTPS_PROXY=HS"
        );
        assert_eq!(
            pick("https://api.twitter.com", &all[2..]).unwrap(),
            "ALL_PROXY=A"
        );
        assert_eq!(
            pick(
                "https://api.twitter.com",
                &[("all_proxy", "a"), ("ALL_PROXY", "A")]
            )
            .unwrap(),
            "all_proxy=a"
        );
        assert_eq!(
            pick("https://api.twitter.com", &[("HTTP_PROXY", "H")]),
            None
        );
        assert_eq!(
            pick("https://api.twitter.com", &[("https_proxy", " ")]),
            None
        );
        assert_eq!(pick("https://api.twitter.com", &[]), None);
    }

    #[test]
    fn loopback_never_proxied() {
        let vars = [
            ("http_proxy", "h"),
            ("https_proxy", "hs"),
            ("ALL_PROXY", "A"),
        ];
        assert_eq!(pick("http://127.0.0.1:8080", &vars), None);
        assert_eq!(pick("http://localhost:8080", &vars), None);
        assert_eq!(pick("https://[::1]:8443", &vars), None);
    }

    #[test]
    fn no_proxy() {
        let with = |no: &str| {
            pick(
                "https://api.twitter.com",
                &[("https_proxy", "p"), ("NO_PROXY", no)],
            )
        };
        assert_eq!(with("*"), None);
        assert_eq!(with("twitter.com"), None);
        assert_eq!(with(".twitter.com"), None);
        assert_eq!(with("example.org, API.TWITTER.COM"), None);
        assert!(with("witter.com").is_some());
        assert!(with("api.twitter.com.evil").is_some());
        assert!(with("example.org").is_some());
        assert!(with("").is_some());
        // lowercase no_proxy wins over uppercase
        assert!(pick(
            "https://api.twitter.com",
            &[
                ("https_proxy", "p"),
                ("no_proxy", "x.org"),
                ("NO_PROXY", "*")
            ]
        )
        .is_some());
    }

    /// `no_proxy_matches` against curl: the cases of curl's own unit test of
    /// `Curl_check_noproxy` (tests/unit/unit1614.c), the examples of its
    /// documentation (CURLOPT_NOPROXY), and the two forms curl does not cover.
    #[test]
    fn no_proxy_follows_curl() {
        // (host as in a URL, port, NO_PROXY, bypass?)
        let curl_unit_test: &[(&str, u16, &str, bool)] = &[
            ("www.example.com", 443, "localhost .example.com .example.de", true),
            ("www.example.com", 443, "localhost,.example.com,.example.de", true),
            ("www.example.com.", 443, "localhost,.example.com,.example.de", true),
            ("example.com", 443, "localhost,.example.com,.example.de", true),
            ("example.com.", 443, "localhost,.example.com,.example.de", true),
            ("www.example.com", 443, "localhost,.example.com.,.example.de", true),
            ("www.example.com", 443, "localhost,www.example.com.,.example.de", true),
            ("example.com", 443, "localhost,example.com,.example.de", true),
            ("example.com.", 443, "localhost,example.com,.example.de", true),
            ("nexample.com", 443, "localhost,example.com,.example.de", false),
            ("www.example.com", 443, "localhost,example.com,.example.de", true),
            ("127.0.0.1", 80, "127.0.0.1,localhost", true),
            ("127.0.0.1", 80, "127.0.0.1,localhost,", true),
            ("127.0.0.1", 80, "127.0.0.1/8,localhost,", true),
            ("127.0.0.1", 80, "127.0.0.1/28,localhost,", true),
            ("127.0.0.1", 80, "127.0.0.1/31,localhost,", true),
            ("127.0.0.1", 80, "localhost,127.0.0.1", true),
            ("127.0.0.1", 80, "localhost,127.0.0.1.127.0.0.1.127.0.0.1.127.0.0.1.127.0.0.1.127.0.0.1.127.0.0.1.127.0.0.1.127.0.0.1.127.0.0.1.127.0.0.1.127.0.0.1.127.0.0.", false),
            ("localhost", 80, "localhost,127.0.0.1", true),
            ("localhost", 80, "127.0.0.1,localhost", true),
            ("foobar", 443, "barfoo", false),
            ("foobar", 443, "foobar", true),
            ("192.168.0.1", 443, "foobar", false),
            ("192.168.0.1", 443, "192.168.0.0/16", true),
            ("192.168.0.1", 443, "192.168.0.0/24", true),
            ("192.168.0.1", 443, "192.168.0.0/32", false),
            ("192.168.0.1", 443, "192.168.0.0", false),
            ("192.168.1.1", 443, "192.168.0.0/24", false),
            ("192.168.1.1", 443, "foo, bar, 192.168.0.0/24", false),
            ("192.168.1.1", 443, "foo, bar, 192.168.0.0/16", true),
            ("[::1]", 443, "foo, bar, 192.168.0.0/16", false),
            ("[::1]", 443, "foo, bar, ::1/64", true),
            ("bar", 443, "foo, bar, ::1/64", true),
            ("BAr", 443, "foo, bar, ::1/64", true),
            ("BAr", 443, "foo,,,,,              bar, ::1/64", true),
            ("www.example.com", 443, "foo, .example.com", true),
            ("www.example.com", 443, "www2.example.com, .example.net", false),
            ("example.com", 443, ".example.com, .example.net", true),
            ("nonexample.com", 443, ".example.com, .example.net", false),
        ];
        let curl_documentation: &[(&str, u16, &str, bool)] = &[
            // "ample.com" matches ample.com, ample.com:80 and www.ample.com ...
            ("ample.com", 443, "ample.com", true),
            ("ample.com", 80, "ample.com", true),
            ("www.ample.com", 443, "ample.com", true),
            // ... but not www.example.com or ample.com.org.
            ("www.example.com", 443, "ample.com", false),
            ("ample.com.org", 443, "ample.com", false),
            // The only wildcard: a single *, which matches all hosts.
            ("api.twitter.com", 443, "*", true),
            ("10.1.2.3", 443, " * ", true),
            ("[2001:db8::1]", 443, "*", true),
            ("api.twitter.com", 443, "example.org,*", false),
            ("api.twitter.com", 443, "*example.com", false),
            // IPv6 addresses without brackets, CIDR for both families.
            (
                "[2001:db8::1]",
                443,
                "example.com,2001:db8::1,localhost",
                true,
            ),
            ("[2001:db8:ffff::1]", 443, "2001:db8::/32", true),
            ("[2001:db9::1]", 443, "2001:db8::/32", false),
            ("[2001:db8::1]", 443, "2001:db8::/129", false),
            ("10.200.3.4", 443, "10.0.0.0/8", true),
            ("11.0.0.1", 443, "10.0.0.0/8", false),
            ("10.0.0.1", 443, "10.0.0.0/33", false),
            ("10.0.0.1", 443, "10.0.0.0/x", false),
            ("10.0.0.1", 443, "0.0.0.0/0", true),
            ("[2001:db8::1]", 443, "10.0.0.0/8", false),
            ("10.0.0.1", 443, "::/0", false),
            // A name entry never matches an address, nor an address a name.
            ("10.0.0.1", 443, "10.0.0.1.example.com", false),
            ("one.example", 443, "10.0.0.0/8", false),
            // Case does not matter.
            ("API.Twitter.COM", 443, "twitter.com", true),
            ("api.twitter.com", 443, "TWITTER.COM", true),
        ];
        let beyond_curl: &[(&str, u16, &str, bool)] = &[
            // *.domain is .domain (curl matches it literally: never).
            ("www.example.com", 443, "*.example.com", true),
            ("example.com", 443, "*.example.com", true),
            ("notexample.com", 443, "*.example.com", false),
            // host:port entries match that port only (curl: never).
            ("api.twitter.com", 443, "api.twitter.com:443", true),
            ("api.twitter.com", 8443, "api.twitter.com:443", false),
            ("api.twitter.com", 443, "twitter.com:443", true),
            ("10.0.0.1", 8080, "10.0.0.1:8080", true),
            ("10.0.0.1", 8081, "10.0.0.1:8080", false),
            ("[2001:db8::1]", 443, "[2001:db8::1]:443", true),
            ("[2001:db8::1]", 444, "[2001:db8::1]:443", false),
            ("[2001:db8::1]", 443, "[2001:db8::1]", true),
            ("api.twitter.com", 443, "api.twitter.com:https", false),
        ];
        for (table, rows) in [
            ("curl's unit test", curl_unit_test),
            ("curl's documentation", curl_documentation),
            ("beyond curl", beyond_curl),
        ] {
            for &(host, port, no_proxy, bypass) in rows {
                assert_eq!(
                    no_proxy_matches(host, port, no_proxy),
                    bypass,
                    "{table}: {host} port {port} with NO_PROXY={no_proxy:?}"
                );
            }
        }
    }

    /// Through `proxy_for`: a base URL's host and port, trailing dot included.
    #[test]
    fn no_proxy_for_base_urls() {
        let via =
            |base: &str, no: &str| pick(base, &[("https_proxy", "p"), ("no_proxy", no)]).is_some();
        assert!(!via("https://api.twitter.com.", "twitter.com"));
        assert!(!via("https://api.twitter.com", "twitter.com."));
        assert!(!via("https://10.1.2.3", "10.0.0.0/8"));
        assert!(!via("https://[2001:db8::5]:8443", "[2001:db8::5]:8443"));
        assert!(via("https://[2001:db8::5]", "[2001:db8::5]:8443"));
        assert!(!via("https://gw.example:8443/api", "gw.example:8443"));
        assert!(via("https://gw.example/api", "gw.example:8443"));
        assert_eq!(pick("http://localhost.:8080", &[("http_proxy", "h")]), None);
    }
}
