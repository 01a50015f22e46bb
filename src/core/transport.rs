//! The connector chain: ureq's own pieces, a wrapper that halves the liveness
//! probes of pooled connections, and TLS set up once per process.
//!
//! ureq probes a connection twice per request (when it returns to the pool and
//! when it is taken out), each probe costing three system calls. The probe on
//! return adds nothing the probe on checkout does not catch (unexpected bytes or
//! a closed socket), so the wrapper answers it from the fact that the
//! connection has just completed an exchange.

use std::sync::LazyLock;

use ureq::unversioned::transport::{
    Buffers, ConnectProxyConnector, ConnectionDetails, Connector, NextTimeout, RustlsConnector,
    SocksConnector, TcpConnector, Transport,
};
use ureq::Error;

/// TCP (through a SOCKS or CONNECT proxy when configured), one probe per reuse, then TLS.
/// `own_roots`: the config trusts its own CA file, so its TLS set-up is its own;
/// every other config shares one, built on first use.
pub fn connector(own_roots: bool) -> impl Connector {
    ().chain(SocksConnector::default())
        .chain(ConnectProxyConnector::default())
        .chain(TcpConnector::default())
        .chain(ProbeOnCheckout)
        .chain(Tls {
            own: own_roots.then(RustlsConnector::default),
        })
}

/// The rustls configuration with the built-in roots, shared by every config in the
/// process: ureq caches it per connector, and building the root store is the
/// costly part of a cold start.
static SHARED_TLS: LazyLock<RustlsConnector> = LazyLock::new(RustlsConnector::default);

#[derive(Debug)]
struct Tls {
    own: Option<RustlsConnector>,
}

impl<In: Transport> Connector<In> for Tls {
    type Out = Box<dyn Transport>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, Error> {
        let rustls = self.own.as_ref().unwrap_or(&SHARED_TLS);
        Ok(rustls.connect(details, chained)?.map(Transport::boxed))
    }
}

#[derive(Debug)]
struct ProbeOnCheckout;

impl<In: Transport> Connector<In> for ProbeOnCheckout {
    type Out = ProbedTransport<In>;

    fn connect(
        &self,
        _details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, Error> {
        Ok(chained.map(|inner| ProbedTransport {
            inner,
            just_used: false,
        }))
    }
}

#[derive(Debug)]
struct ProbedTransport<T> {
    inner: T,
    /// Set by any I/O; the next liveness question (the return to the pool) is answered without a probe.
    just_used: bool,
}

impl<T: Transport> Transport for ProbedTransport<T> {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), Error> {
        self.just_used = true;
        self.inner.transmit_output(amount, timeout)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, Error> {
        self.just_used = true;
        self.inner.await_input(timeout)
    }

    fn is_open(&mut self) -> bool {
        std::mem::take(&mut self.just_used) || self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}
