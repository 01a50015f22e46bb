//! The trace's place in the connector chain: above TLS, it sees each new connection
//! and the request heads as they are sent.

use std::fmt;
use std::sync::Arc;

use ureq::unversioned::transport::{Buffers, ConnectionDetails, Connector, NextTimeout, Transport};
use zeroize::{Zeroize, Zeroizing};

use crate::core::net::trace::{Tracer, MAX_HEAD_BYTES};

/// The outermost connector of a traced config's agent: notes each new connection
/// and wraps it in a [`TracedTransport`].
#[derive(Debug)]
pub(crate) struct TracedConnector<C> {
    pub inner: C,
    pub tracer: Arc<Tracer>,
}

impl<C: Connector> Connector for TracedConnector<C> {
    type Out = TracedTransport;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<()>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        let Some(inner) = self.inner.connect(details, chained)? else {
            return Ok(None);
        };
        // For an HTTP CONNECT proxy ureq runs this chain twice: first to reach the
        // proxy itself (with the proxy taken out of the config), then for the target
        // through the tunnel.
        let proxy = self.tracer.proxy.as_ref();
        let through_proxy = details
            .config
            .proxy()
            .is_some_and(|p| !p.is_no_proxy(details.uri));
        let to_connect_proxy = proxy.is_some_and(|p| p.connect) && details.config.proxy().is_none();
        let target = format!(
            "{}://{}",
            details.uri.scheme_str().unwrap_or("http"),
            details.uri.authority().map_or("", |a| a.as_str())
        );
        self.tracer.info(&match proxy {
            Some(proxy) if to_connect_proxy => format!("connected to the proxy {}", proxy.text),
            Some(proxy) if through_proxy => {
                format!("connected to {target} through the proxy {}", proxy.text)
            }
            _ => format!("connected to {target}"),
        });
        Ok(Some(TracedTransport {
            inner: inner.boxed(),
            tracer: self.tracer.clone(),
            head: Zeroizing::new(Vec::new()),
            capturing: true,
            first_request_only: to_connect_proxy,
        }))
    }
}

/// A connection whose request heads go to the trace: the bytes handed to it are
/// what is sent (in plaintext: it sits above TLS).
pub(crate) struct TracedTransport {
    inner: Box<dyn Transport>,
    tracer: Arc<Tracer>,
    /// The request head read so far; it may hold a Bearer token (wiped).
    head: Zeroizing<Vec<u8>>,
    /// The next bytes sent belong to a request head.
    capturing: bool,
    /// A connection to a CONNECT proxy: after its CONNECT request the bytes are the
    /// tunnel's (TLS, or a request the target connection traces).
    first_request_only: bool,
}

impl fmt::Debug for TracedTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TracedTransport { .. }")
    }
}

impl TracedTransport {
    fn capture(&mut self, amount: usize) {
        if self.head.capacity() == 0 {
            // Allocated once: growing would leave unwiped copies behind.
            self.head.reserve_exact(MAX_HEAD_BYTES);
        }
        let room = MAX_HEAD_BYTES - self.head.len();
        let sent = &self.inner.buffers().output()[..amount];
        self.head.extend_from_slice(&sent[..sent.len().min(room)]);
        let end = self.head.windows(4).position(|w| w == b"\r\n\r\n");
        match end {
            Some(end) => self.tracer.request_head(&self.head[..end]),
            None if self.head.len() == MAX_HEAD_BYTES => self.tracer.info(&format!(
                "(a request head longer than {MAX_HEAD_BYTES} bytes: not shown)"
            )),
            None => return,
        }
        self.head.zeroize();
        self.capturing = false;
    }
}

impl Transport for TracedTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        if self.capturing {
            self.capture(amount);
        }
        self.inner.transmit_output(amount, timeout)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        // A response is being read: whatever is sent next starts a new request.
        if !self.first_request_only {
            self.head.zeroize();
            self.capturing = true;
        }
        self.inner.await_input(timeout)
    }

    fn is_open(&mut self) -> bool {
        self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}
