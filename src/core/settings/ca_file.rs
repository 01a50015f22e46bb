//! The CA file setting: its path and the certificates it held when it was set.

use std::sync::Arc;

use rustls::pki_types::CertificateDer;

use crate::core::error::Error;
use crate::core::wire::pinning::PinningVerifier;

/// Trust anchors read from a PEM file, replacing the built-in (webpki) roots; a server
/// may also present one of them as its own certificate (see `wire::pinning`).
/// Plain data: the certificates themselves; the client builds the verifier.
#[derive(Clone)]
pub struct CaFile {
    pub path: String,
    pub certificates: Arc<[CertificateDer<'static>]>,
}

impl CaFile {
    /// Reads every certificate of a PEM file; other PEM items are skipped.
    pub fn read(path: &str) -> Result<CaFile, Error> {
        let pem = std::fs::read(path)
            .map_err(|e| Error::invalid_argument(format!("cannot read CA file {path:?}: {e}")))?;
        let mut certificates = Vec::new();
        for item in ureq::tls::parse_pem(&pem) {
            match item {
                Ok(ureq::tls::PemItem::Certificate(cert)) => {
                    certificates.push(CertificateDer::from(cert.der()).into_owned())
                }
                Ok(_) => {}
                Err(e) => {
                    return Err(Error::invalid_argument(format!(
                        "CA file {path:?} is not valid PEM: {e}"
                    )))
                }
            }
        }
        if certificates.is_empty() {
            return Err(Error::invalid_argument(format!(
                "CA file {path:?} holds no PEM certificate"
            )));
        }
        let ca = CaFile {
            path: path.to_owned(),
            certificates: certificates.into(),
        };
        // Refused now rather than at the first call.
        PinningVerifier::new(&ca.certificates).map_err(|e| ca.refusal(&e))?;
        Ok(ca)
    }

    /// Why these certificates cannot be trust anchors, as a message.
    pub fn refusal(&self, why: &str) -> Error {
        Error::invalid_argument(format!("CA file {:?}: {why}", self.path))
    }
}
