//! A failure before or while reading an answer (time-out, TLS, proxy, network), in
//! plain words.
//!
//! Why rustls' errors are worded again (issue 31's verdict): rustls names some only by
//! their variant ("invalid peer certificate: UnknownIssuer"), gives dates in UNIX
//! seconds, and says nothing of the CA file or what to do; the tool prints these words
//! (tests/tls.rs `an_unrelated_ca_does_not_help`, `an_expired_pinned_certificate_is_refused`,
//! tests/me.rs `https_to_a_plain_http_port_is_a_tls_error_at_once`, unit test
//! `certificate_refusals_in_plain_words`).

use std::io;
use std::time::{Duration, UNIX_EPOCH};

use crate::core::error::{Error, ErrorKind};
use crate::core::net::resolver::NotLoopback;
use crate::core::proto::refusal::one_line;
use crate::core::settings::Settings;
use crate::core::wire::pinning::is_ca_used_as_end_entity;
use crate::core::wire::redact::Redactor;

/// Maps a failure before or while reading the response. `http_status` is 0 when no status line arrived.
pub(crate) fn transport_error(
    settings: &Settings,
    error: ureq::Error,
    http_status: u16,
    redactor: &Redactor<'_>,
) -> Error {
    let host = settings.base_url.host();
    let during = if http_status == 0 {
        String::new()
    } else {
        format!(" while reading the HTTP {http_status} body")
    };
    // rustls reports handshake and certificate failures as I/O errors wrapping a rustls::Error.
    let rustls_error = match &error {
        ureq::Error::Rustls(e) => Some(e),
        ureq::Error::Io(e) => e.get_ref().and_then(|inner| inner.downcast_ref()),
        _ => None,
    };
    let (kind, message) = match &error {
        ureq::Error::Timeout(_) => (
            ErrorKind::Timeout,
            format!(
                "timed out after {} ms{during} talking to {host}",
                settings.timeout.as_millis()
            ),
        ),
        ureq::Error::Io(e)
            if e.kind() == io::ErrorKind::TimedOut || e.kind() == io::ErrorKind::WouldBlock =>
        {
            (
                ErrorKind::Timeout,
                format!("timed out{during} talking to {host}: {e}"),
            )
        }
        ureq::Error::Io(e) if e.get_ref().is_some_and(|inner| inner.is::<NotLoopback>()) => (
            // Nothing was sent: the base URL (or the proxy) is not on loopback after all.
            ErrorKind::InvalidArgument,
            e.get_ref().map(ToString::to_string).unwrap_or_default(),
        ),
        ureq::Error::Tls(_) | ureq::Error::Pem(_) | ureq::Error::TlsRequired => {
            (ErrorKind::Tls, tls_failure(settings, &error, None))
        }
        _ if rustls_error.is_some() => {
            (ErrorKind::Tls, tls_failure(settings, &error, rustls_error))
        }
        ureq::Error::Decompress(..) if http_status != 0 => (
            ErrorKind::BadResponse,
            format!("HTTP {http_status}, but the gzip body is corrupt: {error}"),
        ),
        // These three messages are the tool's output that users and scripts know (issue 31 keeps them).
        ureq::Error::HostNotFound => (ErrorKind::Network, format!("host not found: {host}")),
        ureq::Error::LargeResponseHeader(..) => (
            ErrorKind::Network,
            format!("no usable response from {host}: {error}"),
        ),
        ureq::Error::ConnectProxyFailed(_) | ureq::Error::InvalidProxyUrl => (
            ErrorKind::Network,
            format!("proxy failed for {host}: {error}"),
        ),
        _ => (
            ErrorKind::Network,
            format!("network error{during} with {host}: {error}"),
        ),
    };
    Error {
        http_status,
        ..Error::new(kind, one_line(&redactor.redact(&message), 400))
    }
}

/// "TLS error with HOST: ...", a refused server certificate in plain words.
fn tls_failure(
    settings: &Settings,
    error: &ureq::Error,
    rustls_error: Option<&rustls::Error>,
) -> String {
    let ca_file = settings.ca_file.as_ref().map(|ca| ca.path.as_str());
    let reason = match (rustls_error.and_then(|e| tls_refusal(e, ca_file)), error) {
        (Some(reason), _) => reason,
        (None, ureq::Error::Io(e)) => e.to_string(),
        (None, _) => error.to_string(),
    };
    format!("TLS error with {}: {reason}", settings.base_url.host())
}

const NOT_TLS: &str = "the server does not speak TLS: it answered the TLS handshake with something else (plain HTTP?); check the base URL's port, or use http:// for a plain-HTTP server on loopback";

/// Why the handshake failed, starting with the kind of problem in a few words ("the
/// server does not speak TLS", "unknown issuer", "name mismatch", "expired", ...);
/// `None` for other TLS failures.
fn tls_refusal(error: &rustls::Error, ca_file: Option<&str>) -> Option<String> {
    use rustls::CertificateError as Problem;
    use rustls::InvalidMessage as Bad;
    let problem = match error {
        // The server's first bytes were no TLS record at all (an HTTP answer such as
        // `HTTP/1.1 400`, or another protocol): it does not speak TLS on this port.
        rustls::Error::InvalidMessage(Bad::InvalidContentType | Bad::UnknownProtocolVersion) => {
            return Some(NOT_TLS.to_owned());
        }
        rustls::Error::InvalidCertificate(problem) => problem,
        _ => return None,
    };
    let date = |time: &rustls::pki_types::UnixTime| {
        httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(time.as_secs()))
    };
    Some(match problem {
        Problem::UnknownIssuer => match ca_file {
            Some(path) => format!(
                "unknown issuer: the server's certificate is neither one of the certificates in the CA file {path:?} nor signed by one of them"
            ),
            None => "unknown issuer: the server's certificate is not signed by a certificate authority the library trusts (for a private or self-signed server, give its certificate as the CA file)".to_owned(),
        },
        _ if is_ca_used_as_end_entity(error) => match ca_file {
            Some(path) => format!(
                "CA used as server certificate: the server presented a certificate authority's certificate as its own, and it is not one of the certificates in the CA file {path:?} (only those are trusted as they are)"
            ),
            None => "CA used as server certificate: the server presented a certificate authority's certificate as its own (for a self-signed server, give its certificate as the CA file)".to_owned(),
        },
        Problem::NotValidForNameContext { expected, presented } => {
            let names: Vec<&str> = presented.iter().map(|name| presented_name(name)).collect();
            let names = if names.is_empty() { "no name".to_owned() } else { names.join(", ") };
            format!(
                "name mismatch: the server's certificate is for {names}, not for {}",
                expected.to_str()
            )
        }
        Problem::ExpiredContext { not_after, .. } => format!(
            "expired: the server's certificate expired on {}",
            date(not_after)
        ),
        // webpki's InvalidCertValidity (the end date before the start date) comes as this.
        Problem::Expired => "expired: the server's certificate has expired".to_owned(),
        Problem::NotValidYetContext { not_before, .. } => format!(
            "not yet valid: the server's certificate is valid only from {} (is this computer's clock right?)",
            date(not_before)
        ),
        Problem::Revoked => "revoked: the server's certificate has been revoked".to_owned(),
        Problem::BadSignature => "bad signature: the server's certificate is not signed by the key it names as its issuer's".to_owned(),
        Problem::BadEncoding => "malformed: the server's certificate cannot be parsed".to_owned(),
        Problem::InvalidPurpose | Problem::InvalidPurposeContext { .. } => {
            "wrong purpose: the server's certificate is not for TLS servers (extended key usage)".to_owned()
        }
        // rustls 0.23's webpki verifier (and wire::pinning) give a name mismatch and a
        // date not yet reached only as their *Context variants.
        _ => format!("certificate refused: {problem:?}"),
    })
}

/// webpki lists a certificate's names as `DnsName("example.com")` or `IpAddress(192.0.2.1)`.
fn presented_name(name: &str) -> &str {
    name.strip_prefix("DnsName(\"")
        .and_then(|rest| rest.strip_suffix("\")"))
        .or_else(|| name.strip_prefix("IpAddress(")?.strip_suffix(')'))
        .unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tool prints these; issue 31 kept their words (ureq's own would differ).
    #[test]
    fn network_failures_name_what_failed() {
        let settings = Settings::new(crate::core::settings::tests::creds()).unwrap();
        let message = |error| transport_error(&settings, error, 0, &Redactor::NONE).message;
        assert_eq!(
            message(ureq::Error::HostNotFound),
            "host not found: api.twitter.com"
        );
        assert!(
            message(ureq::Error::InvalidProxyUrl).starts_with("proxy failed for api.twitter.com: ")
        );
        assert!(message(ureq::Error::LargeResponseHeader(70_000, 65_536))
            .starts_with("no usable response from api.twitter.com: "));
    }

    #[test]
    fn certificate_refusals_in_plain_words() {
        use rustls::pki_types::{ServerName, UnixTime};
        use rustls::{CertificateError as Problem, OtherError};
        use std::sync::Arc;
        let refusal = |problem: Problem, ca_file: Option<&str>| {
            tls_refusal(&rustls::Error::InvalidCertificate(problem), ca_file).unwrap()
        };
        let ca_used = || Problem::Other(OtherError(Arc::new(webpki::Error::CaUsedAsEndEntity)));
        let at = |seconds| UnixTime::since_unix_epoch(Duration::from_secs(seconds));
        let cases = [
            (refusal(Problem::UnknownIssuer, None), "unknown issuer: the server's certificate is not signed by a certificate authority the library trusts (for a private or self-signed server, give its certificate as the CA file)"),
            (refusal(ca_used(), None), "CA used as server certificate: the server presented a certificate authority's certificate as its own (for a self-signed server, give its certificate as the CA file)"),
            (refusal(ca_used(), Some("/etc/ca.pem")), "CA used as server certificate: the server presented a certificate authority's certificate as its own, and it is not one of the certificates in the CA file \"/etc/ca.pem\" (only those are trusted as they are)"),
            (
                refusal(
                    Problem::NotValidForNameContext {
                        expected: ServerName::try_from("api.example").unwrap(),
                        presented: vec![
                            "DnsName(\"localhost\")".into(),
                            "IpAddress(127.0.0.1)".into(),
                            "DirectoryName".into(),
                        ],
                    },
                    None,
                ),
                "name mismatch: the server's certificate is for localhost, 127.0.0.1, DirectoryName, not for api.example",
            ),
            (
                refusal(
                    Problem::NotValidForNameContext {
                        expected: ServerName::try_from("127.0.0.1").unwrap(),
                        presented: vec![],
                    },
                    None,
                ),
                "name mismatch: the server's certificate is for no name, not for 127.0.0.1",
            ),
            (refusal(Problem::ExpiredContext { time: at(1_700_000_000), not_after: at(1_609_459_200) }, None), "expired: the server's certificate expired on Fri, 01 Jan 2021 00:00:00 GMT"),
            (refusal(Problem::Expired, None), "expired: the server's certificate has expired"),
            (refusal(Problem::Revoked, None), "revoked: the server's certificate has been revoked"),
            (refusal(Problem::BadSignature, None), "bad signature: the server's certificate is not signed by the key it names as its issuer's"),
            (refusal(Problem::InvalidPurpose, None), "wrong purpose: the server's certificate is not for TLS servers (extended key usage)"),
        ];
        for (message, expected) in cases {
            assert_eq!(message, expected);
        }
        for bad in [
            rustls::InvalidMessage::InvalidContentType,
            rustls::InvalidMessage::UnknownProtocolVersion,
        ] {
            let answer = tls_refusal(&rustls::Error::InvalidMessage(bad), None);
            assert_eq!(answer.as_deref(), Some(NOT_TLS));
        }
        // Not a certificate problem: the caller keeps rustls' own words.
        assert_eq!(
            tls_refusal(&rustls::Error::HandshakeNotComplete, None),
            None
        );
    }
}
