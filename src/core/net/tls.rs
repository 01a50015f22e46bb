//! TLS: the one connector of the chain for it, [`Tls`].
//!
//! A config without a CA file uses ureq's own `RustlsConnector` (the built-in roots),
//! one for the whole process. A config with a CA file needs its [`PinningVerifier`],
//! and ureq 3.5.2 builds its rustls `ClientConfig` itself and takes no certificate
//! verifier (its `TlsConfig` has root certificates and a crypto provider only), so that
//! case wraps the stream here, with the pieces of ureq's `unversioned` transport module
//! (ureq is held to 3.5.x for them; see Cargo.toml). Why pinning stays (issue 31's
//! verdict): see `wire::pinning`.

use std::fmt;
use std::io::{Read, Write};
use std::sync::{Arc, LazyLock};

use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};
use ureq::unversioned::transport::time::{Duration as UreqDuration, Instant as UreqInstant};
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, LazyBuffers, NextTimeout, RustlsConnector, Transport,
    TransportAdapter,
};

use crate::core::wire::pinning::{crypto_provider, PinningVerifier};

/// The rustls configuration with the built-in roots, shared by every config in the
/// process: ureq caches it per connector, and building the root store is the
/// costly part of a cold start.
static SHARED_TLS: LazyLock<RustlsConnector> = LazyLock::new(RustlsConnector::default);

/// TLS for the connections of one agent: the process's shared set-up, or the one
/// of a config's CA file.
#[derive(Debug)]
pub struct Tls {
    /// The rustls configuration of a CA file's [`PinningVerifier`]: one per agent (each
    /// holds its own session cache, so a forked child's agent resumes no session of its
    /// parent's).
    pinned: Option<Arc<ClientConfig>>,
}

impl Tls {
    pub fn new(trust: Option<&Arc<PinningVerifier>>) -> Tls {
        Tls {
            pinned: trust.map(|verifier| client_config(Some(verifier))),
        }
    }
}

/// A rustls configuration (TLS 1.2 and 1.3) that verifies servers by a CA file's
/// [`PinningVerifier`], or else by the built-in roots: webpki-roots, as ureq's own
/// connector does for HTTPS. The Redis store's TLS is made with it too.
pub fn client_config(trust: Option<&Arc<PinningVerifier>>) -> Arc<ClientConfig> {
    let provider = trust.map_or_else(crypto_provider, |verifier| verifier.provider.clone());
    let builder = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(rustls::ALL_VERSIONS)
        .expect("the crypto provider supports TLS 1.2 and 1.3");
    let builder = match trust {
        // "dangerous" is rustls' name for any verifier of one's own; this one adds only
        // the pinned case to webpki's verdict.
        Some(verifier) => builder
            .dangerous()
            .with_custom_certificate_verifier(verifier.clone()),
        None => builder.with_root_certificates(RootCertStore::from_iter(
            webpki_roots::TLS_SERVER_ROOTS.iter().cloned(),
        )),
    };
    Arc::new(builder.with_no_client_auth())
}

impl<In: Transport> Connector<In> for Tls {
    type Out = Box<dyn Transport>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        let Some(transport) = chained else {
            return Ok(None);
        };
        if !details.needs_tls() || transport.is_tls() {
            return Ok(Some(transport.boxed()));
        }
        match &self.pinned {
            Some(config) => wrap(config, details, transport).map(Some),
            None => Ok(SHARED_TLS
                .connect(details, Some(transport))?
                .map(Transport::boxed)),
        }
    }
}

/// `transport` wrapped in TLS verified by a CA file's [`PinningVerifier`], the
/// handshake done within the connection's budget.
fn wrap(
    config: &Arc<ClientConfig>,
    details: &ConnectionDetails,
    transport: impl Transport,
) -> Result<Box<dyn Transport>, ureq::Error> {
    let host = details.uri.host().unwrap_or_default();
    // An IPv6 literal comes in brackets; rustls wants the bare address.
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let name = ServerName::try_from(host)
        .map_err(|_| ureq::Error::Tls("the host is not a valid TLS server name"))?
        .to_owned();
    let connection = ClientConnection::new(config.clone(), name)?;
    let mut socket = TransportAdapter::new(transport.boxed(), details.current_time.clone());
    socket.set_timeout(handshake_timeout(details));
    let mut stream = StreamOwned::new(connection, socket);
    stream.conn.complete_io(&mut stream.sock)?;
    Ok(Box::new(PinningTlsTransport {
        buffers: LazyBuffers::new(
            details.config.input_buffer_size(),
            details.config.output_buffer_size(),
        ),
        stream,
    }))
}

/// The connection's time budget less what the connectors before TLS already used, so
/// the handshake keeps to the whole-call deadline.
fn handshake_timeout(details: &ConnectionDetails) -> NextTimeout {
    let mut timeout = details.timeout;
    if let (UreqDuration::Exact(budget), UreqInstant::Exact(started), UreqInstant::Exact(now)) =
        (timeout.after, details.now, (details.current_time)())
    {
        timeout.after =
            UreqDuration::Exact(budget.saturating_sub(now.saturating_duration_since(started)));
    }
    timeout
}

struct PinningTlsTransport {
    buffers: LazyBuffers,
    stream: StreamOwned<ClientConnection, TransportAdapter>,
}

impl Transport for PinningTlsTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        self.stream.sock.set_timeout(timeout);
        self.stream.write_all(&self.buffers.output()[..amount])?;
        Ok(())
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.stream.sock.set_timeout(timeout);
        let amount = self.stream.read(self.buffers.input_append_buf())?;
        self.buffers.input_appended(amount);
        Ok(amount > 0)
    }

    fn is_open(&mut self) -> bool {
        self.stream.sock.get_mut().is_open()
    }

    fn is_tls(&self) -> bool {
        true
    }
}

impl fmt::Debug for PinningTlsTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PinningTlsTransport")
            .field("chained", &self.stream.sock.inner())
            .finish()
    }
}
