//! Proxy choice from the environment, by curl's rules (see the README's "Proxies").

use super::config::BaseUrl;

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
