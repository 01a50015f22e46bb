//! A name resolver for ureq that answers IP literals at once and caches names,
//! and that enforces the plain-http rule on what names resolve to.
//!
//! ureq's default resolver starts a thread per lookup whenever a timeout is set,
//! even for an IP address on a reused connection. Measured again for issue 31 (2,200
//! keep-alive follows to nginx on 127.0.0.1, release build): with ureq's resolver one
//! thread per follow, 23 system calls a follow instead of 5, and 2.7x the CPU time
//! (122 ms against 45 ms); 4.1k against 18.9k follows/s (medians of 5 interleaved rounds).
//!
//! For an `http://` base URL, the signed request travels in plaintext, so every
//! address it may go to must be loopback: the name `localhost.` passes the base
//! URL's check by name, but the system resolver does not treat it as the hosts
//! file entry and asks DNS. Each resolution is checked (every address must be
//! loopback), so a refusal comes before any connection is made.

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

use crate::core::settings::hooks::NameLookup;

/// How long a looked-up name is reused. Short, so DNS changes are picked up.
const NAME_TTL: Duration = Duration::from_secs(30);

/// The refusal of a plain-http request to a name that resolves beyond loopback: its message.
#[derive(Debug)]
pub struct NotLoopback(String);

impl fmt::Display for NotLoopback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NotLoopback {}

/// Loopback by address: 127.0.0.0/8, ::1, and those IPv4 addresses mapped into IPv6.
pub fn is_loopback_address(ip: IpAddr) -> bool {
    ip.to_canonical().is_loopback()
}

#[derive(Debug, Default)]
pub struct CachingResolver {
    names: Mutex<HashMap<String, (Instant, ResolvedSocketAddrs)>>,
    fallback: DefaultResolver,
    lookup: NameLookup,
    /// Set for an `http://` base URL: every address must be loopback.
    loopback_only: bool,
}

impl CachingResolver {
    pub fn new(lookup: NameLookup, loopback_only: bool) -> CachingResolver {
        CachingResolver {
            lookup,
            loopback_only,
            ..CachingResolver::default()
        }
    }

    /// The addresses of `host` (an IP literal or a name), from the cache when fresh.
    fn addresses(
        &self,
        uri: &Uri,
        host: &str,
        port: u16,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let at_port = |ips: &[IpAddr]| {
            let mut addrs = self.empty();
            ips.iter()
                .for_each(|ip| addrs.push(SocketAddr::new(*ip, port)));
            addrs
        };
        if let Ok(ip) = host.parse::<IpAddr>() {
            return Ok(at_port(&[ip]));
        }
        let key = format!("{host}:{port}");
        let now = Instant::now();
        if let Some((at, addrs)) = self
            .names
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
        {
            if now.duration_since(*at) < NAME_TTL {
                return Ok(addrs.clone());
            }
        }
        let addrs = match &self.lookup {
            NameLookup::System => self.fallback.resolve(uri, config, timeout)?,
            NameLookup::Table(entries) => {
                let (_, ips) = entries
                    .iter()
                    .find(|(name, _)| name.eq_ignore_ascii_case(host))
                    .ok_or(ureq::Error::HostNotFound)?;
                at_port(ips)
            }
        };
        if addrs.is_empty() {
            return Err(ureq::Error::HostNotFound);
        }
        self.names
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, (now, addrs.clone()));
        Ok(addrs)
    }
}

impl Resolver for CachingResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let Some(authority) = uri.authority() else {
            return self.fallback.resolve(uri, config, timeout);
        };
        let port = authority
            .port_u16()
            .unwrap_or(if uri.scheme_str() == Some("http") {
                80
            } else {
                443
            });
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']');
        let addrs = self.addresses(uri, host, port, config, timeout)?;
        if self.loopback_only {
            if let Some(outside) = addrs.iter().find(|a| !is_loopback_address(a.ip())) {
                return Err(ureq::Error::Io(io::Error::new(
                    io::ErrorKind::PermissionDenied,
                    NotLoopback(format!(
                        "refused to send over plain http:// to {host}: it resolves to {}, which is not a loopback address (http:// is only for loopback; use https://)",
                        outside.ip()
                    )),
                )));
            }
        }
        Ok(addrs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_addresses() {
        for ip in ["127.0.0.1", "127.255.0.9", "::1", "::ffff:127.0.0.1"] {
            assert!(is_loopback_address(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "0.0.0.0",
            "10.0.0.1",
            "::",
            "::2",
            "::ffff:10.0.0.1",
            "192.0.2.1",
        ] {
            assert!(!is_loopback_address(ip.parse().unwrap()), "{ip}");
        }
    }

    fn resolve(resolver: &CachingResolver, url: &str) -> Result<Vec<SocketAddr>, String> {
        let uri: Uri = url.parse().unwrap();
        let config = Config::default();
        resolver
            .resolve(&uri, &config, NextTimeout::default())
            .map(|addrs| addrs.iter().copied().collect())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn plain_http_needs_every_address_on_loopback() {
        let v4 = |s: &str| -> IpAddr { s.parse().unwrap() };
        let table = NameLookup::table(&[
            ("localhost.", &[v4("127.0.0.1"), v4("::1")]),
            ("mixed.test", &[v4("127.0.0.1"), v4("192.0.2.7")]),
            ("outside.test", &[v4("192.0.2.8")]),
        ]);
        let strict = CachingResolver::new(table.clone(), true);
        assert_eq!(
            resolve(&strict, "http://LOCALHOST.:8080/x").unwrap(),
            [
                "127.0.0.1:8080".parse().unwrap(),
                "[::1]:8080".parse().unwrap()
            ]
        );
        assert_eq!(resolve(&strict, "http://[::1]/").unwrap().len(), 1);
        for (url, address) in [
            ("http://mixed.test/", "192.0.2.7"),
            ("http://outside.test/", "192.0.2.8"),
            ("http://10.1.2.3/", "10.1.2.3"),
        ] {
            let err = resolve(&strict, url).unwrap_err();
            assert!(
                err.contains(&format!(
                    "it resolves to {address}, which is not a loopback address"
                )),
                "{url}: {err}"
            );
        }
        assert!(resolve(&strict, "http://unknown.test/").is_err());
        // Only http:// bases are held to it.
        let open = CachingResolver::new(table, false);
        assert_eq!(resolve(&open, "https://outside.test/").unwrap().len(), 1);
    }
}
