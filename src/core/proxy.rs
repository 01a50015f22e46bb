//! Proxy choice from the environment, by curl's rules (see docs/tls-and-proxies.md).

use std::fmt;

use super::base_url::BaseUrl;
use super::error::Error;

/// Where the proxy comes from.
#[derive(Clone, PartialEq, Eq, Default)]
pub enum ProxyChoice {
    /// The environment, by curl's rules (see `proxy::proxy_for`).
    #[default]
    FromEnvironment,
    /// No proxy, whatever the environment says.
    Direct,
    /// This proxy (`http://`, `https://`, `socks5://`, `socks5h://`), for every host,
    /// loopback included. `Debug` hides it: it may hold a password.
    Url(String),
}

impl fmt::Debug for ProxyChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ProxyChoice::FromEnvironment => "FromEnvironment",
            ProxyChoice::Direct => "Direct",
            ProxyChoice::Url(_) => "Url(..)",
        })
    }
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
        Ok(ProxyChoice::Url(url.to_owned()))
    }
}

/// The proxy to use for `base`, as (variable name, proxy URL), or `None` for a direct connection.
///
/// - https targets: `https_proxy`, then `HTTPS_PROXY`;
/// - http targets: `http_proxy` only (uppercase `HTTP_PROXY` can be injected through a
///   CGI request header, "httpoxy", so curl ignores it and so do we);
/// - then `all_proxy`, `ALL_PROXY`;
/// - `no_proxy` / `NO_PROXY` (comma-separated hosts or domain suffixes, `*` for all) and
///   loopback hosts bypass every proxy.
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
        if bypasses(base.host(), &list) {
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

/// curl's `NO_PROXY` matching: `*` matches everything; an entry (leading dot
/// ignored) matches the host itself and any name ending in `.entry`.
fn bypasses(host: &str, no_proxy: &str) -> bool {
    let host = host
        .trim_end_matches('.')
        .trim_start_matches('[')
        .trim_end_matches(']');
    no_proxy
        .split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .any(|entry| {
            if entry == "*" {
                return true;
            }
            let entry = entry.trim_start_matches('.').trim_end_matches('.');
            let entry = entry.trim_start_matches('[').trim_end_matches(']');
            host.eq_ignore_ascii_case(entry)
                || (host.len() > entry.len()
                    && host.as_bytes()[host.len() - entry.len() - 1] == b'.'
                    && host[host.len() - entry.len()..].eq_ignore_ascii_case(entry))
        })
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
                ProxyChoice::Url(ok.into()),
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
            format!("{:?}", ProxyChoice::Url("http://u:pw@p".into())),
            "Url(..)"
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
}
