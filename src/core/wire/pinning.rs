//! TLS for a config with a CA file: the file's certificates are the trust anchors,
//! and a server may also present one of them as its own certificate (pinning).
//!
//! The common one-liner `openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost
//! -addext subjectAltName=...` makes a self-signed certificate marked as a CA
//! (`CA:TRUE`). Given as the CA file, curl and Python trust a server presenting it;
//! webpki refuses it ("CaUsedAsEndEntity"). [`PinningVerifier`] accepts exactly that
//! case: the presented certificate is byte for byte one of the file's, is valid for
//! the server's name, and is within its validity dates. Everything else is webpki's
//! verdict, unchanged.
//!
//! The TLS connector that uses the verifier is `net::tls`.
//!
//! Why it stays (issue 31's verdict, docs/tls-and-proxies.md): ureq's own `RootCerts`
//! would take the CA file as plain trust anchors, which covers a private CA and the CA of
//! a TLS-inspecting proxy (its leaves are not CAs), but refuses the one-liner's certificate
//! that issue 11 was filed for: users whose private gateway or local stand-in presents it
//! (curl and requests accept it). tests/tls.rs `a_self_signed_ca_certificate_given_as_the_ca_file_is_trusted`.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};

/// The webpki verifier over the CA file's certificates, which also accepts a server
/// presenting one of those certificates when webpki's only objection is that it is a CA.
#[derive(Debug)]
pub struct PinningVerifier {
    webpki: Arc<WebPkiServerVerifier>,
    pinned: Vec<CertificateDer<'static>>,
    pub(crate) provider: Arc<CryptoProvider>,
}

impl PinningVerifier {
    /// Trust anchors from `certificates`; `Err` says in words why they cannot serve.
    pub fn new(certificates: &[CertificateDer<'static>]) -> Result<PinningVerifier, String> {
        let provider = crypto_provider();
        let mut roots = RootCertStore::empty();
        let (_, unusable) = roots.add_parsable_certificates(certificates.iter().cloned());
        if unusable > 0 {
            return Err(format!(
                "{unusable} of its {} certificates cannot be parsed",
                certificates.len()
            ));
        }
        let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
            .build()
            .map_err(|e| format!("its certificates cannot be trust anchors: {e}"))?;
        Ok(PinningVerifier {
            webpki,
            pinned: certificates.to_vec(),
            provider,
        })
    }
}

impl ServerCertVerifier for PinningVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self.webpki.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Err(refusal)
                if is_ca_used_as_end_entity(&refusal)
                    && self.pinned.iter().any(|pinned| pinned == end_entity) =>
            {
                // The presented certificate is one of the file's: trusted as itself, as long as it
                // names the server (webpki's own check). Its dates need no check here: webpki
                // checks a server certificate's validity before its basic constraints
                // (`check_issuer_independent_properties` in rustls-webpki 0.103), so a refusal for
                // being a CA means the dates passed; an expired or future one is refused as such
                // (tests/tls.rs `an_expired_pinned_certificate_is_refused`,
                // `a_pinned_certificate_not_valid_yet_is_refused`).
                let parsed = ParsedCertificate::try_from(end_entity)?;
                rustls::client::verify_server_name(&parsed, server_name)?;
                Ok(ServerCertVerified::assertion())
            }
            verdict => verdict,
        }
    }

    // The handshake signatures are checked as webpki checks them: pinning only changes
    // which certificate is trusted, never whether the server holds its key.
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.webpki.supported_verify_schemes()
    }
}

/// webpki's "a CA certificate was presented as the server's own", as rustls passes it on.
pub fn is_ca_used_as_end_entity(error: &rustls::Error) -> bool {
    matches!(
        error,
        rustls::Error::InvalidCertificate(CertificateError::Other(other))
            if matches!(other.0.downcast_ref::<webpki::Error>(), Some(webpki::Error::CaUsedAsEndEntity))
    )
}

/// The crypto provider ureq would pick: the process default if one was installed, else ring.
pub fn crypto_provider() -> Arc<CryptoProvider> {
    CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| Arc::new(rustls::crypto::ring::default_provider()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::pki_types::pem::PemObject;

    fn certificate(name: &str) -> CertificateDer<'static> {
        let path = format!("{}/tests/data/pinned/{name}", env!("CARGO_MANIFEST_DIR"));
        CertificateDer::from_pem_file(path).unwrap()
    }

    fn at(seconds: u64) -> UnixTime {
        UnixTime::since_unix_epoch(std::time::Duration::from_secs(seconds))
    }

    const JAN_2020: u64 = 1_577_836_800;
    const JAN_2021: u64 = 1_609_459_200;

    /// The verifier alone, at chosen times: a pinned certificate is trusted only for its
    /// names and dates; an unpinned one gets webpki's refusal.
    #[test]
    fn pinning_keeps_the_name_and_date_checks() {
        let pinned = certificate("expired-localhost-ca.cert.pem");
        let verifier =
            PinningVerifier::new(&[certificate("localhost-ca.cert.pem"), pinned.clone()]).unwrap();
        let localhost = ServerName::try_from("localhost").unwrap();
        let verify = |cert: &CertificateDer<'_>, name: &ServerName<'_>, now: u64| {
            verifier.verify_server_cert(cert, &[], name, &[], at(now))
        };
        // Its dates (2020-01-01 to 2021-01-01) are inclusive bounds, checked by webpki
        // before it objects to a CA: the same errors as for any certificate.
        verify(&pinned, &localhost, JAN_2020).unwrap();
        verify(&pinned, &localhost, JAN_2021).unwrap();
        assert_eq!(
            verify(&pinned, &localhost, JAN_2020 - 1).unwrap_err(),
            CertificateError::NotValidYetContext {
                time: at(JAN_2020 - 1),
                not_before: at(JAN_2020)
            }
            .into()
        );
        assert_eq!(
            verify(&pinned, &localhost, JAN_2021 + 1).unwrap_err(),
            CertificateError::ExpiredContext {
                time: at(JAN_2021 + 1),
                not_after: at(JAN_2021)
            }
            .into()
        );
        verify(
            &pinned,
            &ServerName::try_from("127.0.0.1").unwrap(),
            JAN_2020 + 1,
        )
        .unwrap();
        assert!(matches!(
            verify(
                &pinned,
                &ServerName::try_from("example.com").unwrap(),
                JAN_2020 + 1
            ),
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForNameContext { .. }
            ))
        ));
        // Made when make.sh ran, valid for a century from then.
        let unpinned = certificate("other-localhost-ca.cert.pem");
        let now = UnixTime::now().as_secs();
        assert!(is_ca_used_as_end_entity(
            &verify(&unpinned, &localhost, now).unwrap_err()
        ));
        verify(&certificate("localhost-ca.cert.pem"), &localhost, now).unwrap();
    }

    #[test]
    fn unusable_certificates_are_refused_up_front() {
        let junk = CertificateDer::from(b"not a certificate".to_vec());
        assert_eq!(
            PinningVerifier::new(&[certificate("localhost-ca.cert.pem"), junk]).unwrap_err(),
            "1 of its 2 certificates cannot be parsed"
        );
    }
}
