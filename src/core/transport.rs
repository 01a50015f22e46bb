//! HTTP transport: the ureq agent built from the settings (one per process after a
//! fork), the connector chain, and the trust anchors of a CA file.
//!
//! The connector chain is ureq's own pieces, a wrapper that halves the liveness
//! probes of pooled connections, and TLS set up once per process.
//! ureq probes a connection twice per request (when it returns to the pool and
//! when it is taken out), each probe costing three system calls. The probe on
//! return adds nothing the probe on checkout does not catch (unexpected bytes or
//! a closed socket), so the wrapper answers it from the fact that the
//! connection has just completed an exchange.

use std::sync::{Arc, LazyLock, Mutex};

use ureq::unversioned::transport::{
    Buffers, ConnectProxyConnector, ConnectionDetails, Connector, NextTimeout, RustlsConnector,
    SocksConnector, TcpConnector, Transport,
};
use ureq::Agent;

use super::config::Settings;
use super::error::Error;
use super::fork;
use super::proxy::{proxy_for, ProxyChoice};
use super::resolver::CachingResolver;
use super::tls::{PinningTls, PinningVerifier};
use super::trace::{TracedConnector, Tracer};

/// Idle connections kept per host: enough for many threads sharing one client.
const POOL_PER_HOST: usize = 64;

/// The agent of a config, and of each forked child: in a child the inherited pool
/// holds the parent's sockets, so the child builds its own, with the proxy chosen
/// when the config was set up (a call never reads the environment).
pub struct Agents {
    agent: Agent,
    proxy: Option<ureq::Proxy>,
    /// Set when the proxy environment could not be used; reported by each call.
    pub proxy_error: Option<Error>,
    /// The wire trace, when the settings have a hook.
    tracer: Option<Arc<Tracer>>,
    /// The fork generation `agent` was built in.
    built_in_generation: u64,
    child_agent: Mutex<Option<(u64, Agent)>>,
}

impl Agents {
    /// Reads the proxy environment variables now (unless the settings name a proxy).
    pub fn new(settings: &Settings) -> Agents {
        let (proxy, proxy_error) = choose_proxy(settings);
        let tracer = Tracer::new(settings, proxy.as_ref());
        Agents {
            agent: build_agent(settings, proxy.clone(), tracer.as_ref()),
            proxy,
            proxy_error,
            tracer,
            built_in_generation: fork::generation(),
            child_agent: Mutex::new(None),
        }
    }

    /// The agent for this process.
    pub fn get(&self, settings: &Settings) -> Agent {
        let generation = fork::generation();
        if generation == self.built_in_generation {
            return self.agent.clone();
        }
        let mut slot = self.child_agent.lock().unwrap_or_else(|e| e.into_inner());
        match &*slot {
            Some((built_in, agent)) if *built_in == generation => agent.clone(),
            _ => {
                let agent = build_agent(settings, self.proxy.clone(), self.tracer.as_ref());
                // The replaced agent holds sockets shared with the parent. Dropping it
                // only closes this process's descriptors: ureq sends nothing on drop.
                *slot = Some((generation, agent.clone()));
                agent
            }
        }
    }

    /// The wire trace (`None`: no hook is set).
    pub(crate) fn tracer(&self) -> Option<&Tracer> {
        self.tracer.as_deref()
    }
}

/// The proxy for `settings`: the one they name, or the environment's by curl's rules.
/// The error, if any, is a proxy environment that cannot be used; every call reports it.
fn choose_proxy(settings: &Settings) -> (Option<ureq::Proxy>, Option<Error>) {
    match &settings.proxy {
        ProxyChoice::Direct => (None, None),
        // Checked by ProxyChoice::parse.
        ProxyChoice::Url(url) => (ureq::Proxy::new(url.as_str()).ok(), None),
        ProxyChoice::FromEnvironment => {
            let Some((variable, url)) =
                proxy_for(&settings.base_url, |name| std::env::var(name).ok())
            else {
                return (None, None);
            };
            let url = if url.contains("://") {
                url
            } else {
                format!("http://{url}")
            };
            match ureq::Proxy::new(&url) {
                Ok(proxy) => (Some(proxy), None),
                // The value may hold a password: name the variable, never print it.
                Err(_) => (
                    None,
                    Some(Error::invalid_argument(format!(
                        "environment variable {variable} is not a usable proxy URL"
                    ))),
                ),
            }
        }
    }
}

/// A ureq agent for `settings` through `proxy`: no redirects, one whole-call
/// deadline, our connector chain (seen by `tracer` when there is one) and resolver.
fn build_agent(
    settings: &Settings,
    proxy: Option<ureq::Proxy>,
    tracer: Option<&Arc<Tracer>>,
) -> Agent {
    let config = Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(settings.timeout))
        .user_agent(settings.user_agent.as_str())
        .proxy(proxy)
        .max_idle_connections(POOL_PER_HOST)
        .max_idle_connections_per_host(POOL_PER_HOST)
        .build();
    let connector = connector(settings.ca_file.as_ref());
    // An http:// base is held to loopback by address too (see `resolver`).
    let resolver =
        CachingResolver::new(settings.name_lookup.clone(), !settings.base_url.is_https());
    match tracer {
        None => Agent::with_parts(config, connector, resolver),
        Some(tracer) => Agent::with_parts(
            config,
            TracedConnector {
                inner: connector,
                tracer: tracer.clone(),
            },
            resolver,
        ),
    }
}

/// Trust anchors read from a PEM file, replacing the built-in (webpki) roots; a server
/// may also present one of them as its own certificate (see `tls`).
#[derive(Clone)]
pub struct CaFile {
    pub path: String,
    verifier: Arc<PinningVerifier>,
}

impl CaFile {
    /// Reads every certificate of a PEM file; other PEM items are skipped.
    pub fn read(path: &str) -> Result<CaFile, Error> {
        let pem = std::fs::read(path)
            .map_err(|e| Error::invalid_argument(format!("cannot read CA file {path:?}: {e}")))?;
        let mut certificates = Vec::new();
        for item in ureq::tls::parse_pem(&pem) {
            match item {
                Ok(ureq::tls::PemItem::Certificate(cert)) => certificates
                    .push(rustls::pki_types::CertificateDer::from(cert.der()).into_owned()),
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
        let verifier = PinningVerifier::new(&certificates)
            .map_err(|e| Error::invalid_argument(format!("CA file {path:?}: {e}")))?;
        Ok(CaFile {
            path: path.to_owned(),
            verifier: Arc::new(verifier),
        })
    }
}

/// TCP (through a SOCKS or CONNECT proxy when configured), one probe per reuse, then TLS.
/// A config with a CA file has a TLS set-up of its own; every other config shares
/// one, built on first use.
pub fn connector(ca_file: Option<&CaFile>) -> impl Connector {
    ().chain(SocksConnector::default())
        .chain(ConnectProxyConnector::default())
        .chain(TcpConnector::default())
        .chain(ProbeOnCheckout)
        .chain(Tls {
            own: ca_file.map(|ca| PinningTls::new(ca.verifier.clone())),
        })
}

/// The rustls configuration with the built-in roots, shared by every config in the
/// process: ureq caches it per connector, and building the root store is the
/// costly part of a cold start.
static SHARED_TLS: LazyLock<RustlsConnector> = LazyLock::new(RustlsConnector::default);

#[derive(Debug)]
struct Tls {
    own: Option<PinningTls>,
}

impl<In: Transport> Connector<In> for Tls {
    type Out = Box<dyn Transport>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        match &self.own {
            Some(pinning) => pinning.connect(details, chained),
            None => Ok(SHARED_TLS.connect(details, chained)?.map(Transport::boxed)),
        }
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
    ) -> Result<Option<Self::Out>, ureq::Error> {
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

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        self.just_used = true;
        self.inner.transmit_output(amount, timeout)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
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
