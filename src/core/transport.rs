//! The connector chain: ureq's own pieces, plus a wrapper that halves the
//! liveness probes of pooled connections.
//!
//! ureq probes a connection twice per request (when it returns to the pool and
//! when it is taken out), each probe costing three system calls. The probe on
//! return adds nothing the probe on checkout does not catch (unexpected bytes or
//! a closed socket), so the wrapper answers it from the fact that the
//! connection has just completed an exchange.

use ureq::unversioned::transport::{
    Buffers, ConnectProxyConnector, ConnectionDetails, Connector, NextTimeout, RustlsConnector,
    TcpConnector, Transport,
};
use ureq::Error;

/// TCP (through a CONNECT proxy when configured), one probe per reuse, then TLS.
pub fn connector() -> impl Connector {
    ().chain(ConnectProxyConnector::default())
        .chain(TcpConnector::default())
        .chain(ProbeOnCheckout)
        .chain(RustlsConnector::default())
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
