//! The wire trace: what each request of a call sent and what came back, line by
//! line, for a hook the application sets (off by default), so a refusal such as
//! "401, error 32" can be debugged by comparing the signature base string.
//!
//! Free when off: without a hook the client formats nothing and the agent has no
//! [`TracedConnector`] in its chain.
//!
//! What goes to the hook: the signature base string (before sending), each new
//! connection, the request line and headers as the connection sent them (read from
//! the bytes handed to the transport, above TLS), the response status line and
//! headers, at most [`MAX_BODY_EXCERPT_BYTES`] of a non-2xx body, and notes (a
//! retry, a clock correction, a failure). Every line passes through [`redact_all`],
//! with every secret the config and the request know — the consumer secret, the
//! access-token secret, a request-token secret, the OAuth 2.0 tokens held at that
//! moment and the client secret, the proxy password — in each form a server could
//! echo one in (the redactor's one definition: raw, percent-encoded,
//! form-encoded, JSON-escaped; and base64 inside Basic credentials). An `Authorization` or `Proxy-Authorization` value other
//! than OAuth 1.0a is shown as its scheme and length only (a long Bearer token also
//! by its first 4 characters). The consumer key, the access token, the nonce,
//! the timestamp and the signature are not secrets and are shown: they are what
//! a 401 is debugged with. Control characters are shown escaped (`\u{1b}`), so a
//! hostile server cannot drive the reader's terminal.

use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use ureq::unversioned::transport::{Buffers, ConnectionDetails, Connector, NextTimeout, Transport};
use ureq::Proxy;
use zeroize::{Zeroize, Zeroizing};

use crate::core::auth::session::OAuth2Session;
use crate::core::settings::hooks::{TraceHook, TraceKind};
use crate::core::settings::Settings;
use crate::core::wire::redact::{redact_all, REDACTED};
use crate::core::wire::signer::Credentials;

/// The most of a non-2xx body a trace shows, in bytes (redacted first, then cut).
pub const MAX_BODY_EXCERPT_BYTES: usize = 1024;

/// The longest request head read for the trace; a longer one is not shown.
const MAX_HEAD_BYTES: usize = 8 * 1024;

/// A Bearer token is shown by this many first characters, when it has at least
/// [`BEARER_SHOWN_FROM_CHARS`] (a shorter one would give too much of itself away).
const BEARER_SHOWN_CHARS: usize = 4;
const BEARER_SHOWN_FROM_CHARS: usize = 16;

/// The hook of one config's agent, with the secrets its lines must never show.
pub struct Tracer {
    hook: TraceHook,
    /// Every secret of the config, in every form it could be echoed in (wiped on drop).
    secrets: Vec<Zeroizing<String>>,
    /// The proxy as connection lines show it: without its password.
    proxy: Option<String>,
    /// An OAuth 2.0 config's tokens, which rotate: redacted as they are at each line.
    session: Option<Arc<OAuth2Session>>,
}

impl fmt::Debug for Tracer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Tracer { .. }")
    }
}

impl Tracer {
    /// The tracer of `settings` (`None` without a hook), for an agent that goes
    /// through `proxy`.
    pub(crate) fn new(
        settings: &Settings,
        session: Option<&Arc<OAuth2Session>>,
        proxy: Option<&Proxy>,
    ) -> Option<Arc<Tracer>> {
        let hook = settings.trace.clone()?;
        let mut secrets = Vec::new();
        let creds = &settings.credentials;
        for secret in [&creds.consumer_secret, &creds.access_token_secret] {
            add_secret(&mut secrets, secret);
        }
        if let Some(password) = proxy.and_then(Proxy::password) {
            add_secret(&mut secrets, password);
            // As the Proxy-Authorization header carries it.
            let user = proxy.and_then(Proxy::username).unwrap_or_default();
            let basic = Zeroizing::new(format!("{user}:{password}"));
            let encoded =
                Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(basic.as_bytes()));
            add_secret(&mut secrets, &encoded);
        }
        Some(Arc::new(Tracer {
            hook,
            secrets,
            proxy: proxy.map(shown_proxy),
            session: session.cloned(),
        }))
    }

    /// `text` without the config's secrets and `extra`.
    fn redact(&self, extra: &[Zeroizing<String>], text: &str) -> String {
        redact_all(text, self.secrets.iter().chain(extra).map(|s| s.as_str()))
    }

    /// Redacts `text` of the config's secrets and `extra`, and hands it to the hook.
    fn emit(&self, extra: &[Zeroizing<String>], kind: TraceKind, text: &str) {
        (self.hook)(kind, &printable(&self.redact(extra, text)));
    }

    /// A note ([`TraceKind::Info`]).
    pub(crate) fn info(&self, text: &str) {
        self.emit(&self.token_forms(), TraceKind::Info, text);
    }

    /// What an OAuth 2.0 session holds now: the tokens (they rotate, and a server may
    /// echo any of them, also in a request that does not carry it), the client secret
    /// and its Basic credential.
    fn token_forms(&self) -> Vec<Zeroizing<String>> {
        self.session.as_ref().map_or_else(Vec::new, |s| s.secrets())
    }

    /// The trace of one request: also redacts `request_secrets`, the credentials of a
    /// Basic `authorization`, and the OAuth 2.0 tokens.
    pub(crate) fn for_request(
        &self,
        request_secrets: &[&str],
        authorization: Option<&str>,
    ) -> RequestTrace<'_> {
        let mut extra = self.token_forms();
        for secret in request_secrets {
            add_secret(&mut extra, secret);
        }
        if let Some((scheme, credentials)) = authorization.and_then(|a| a.split_once(' ')) {
            if scheme.eq_ignore_ascii_case("Basic") {
                add_secret(&mut extra, credentials.trim());
            }
        }
        RequestTrace {
            tracer: self,
            extra,
        }
    }

    /// The request head the transport sent: its request line and each header (which
    /// carry no secret of the request's own but its credentials, shown masked).
    fn request_head(&self, head: &[u8]) {
        let tokens = self.token_forms();
        // A copy (wiped) as text: the head may hold a Bearer token.
        let head = Zeroizing::new(String::from_utf8_lossy(head).into_owned());
        let mut lines = head.lines();
        if let Some(request_line) = lines.next() {
            self.emit(&tokens, TraceKind::RequestLine, request_line);
        }
        for header in lines.filter(|line| !line.is_empty()) {
            let shown = match header.split_once(':') {
                Some((name, value))
                    if name.eq_ignore_ascii_case("authorization")
                        || name.eq_ignore_ascii_case("proxy-authorization") =>
                {
                    format!("{name}: {}", shown_credentials(value.trim_ascii()))
                }
                _ => header.to_owned(),
            };
            self.emit(&tokens, TraceKind::RequestHeader, &shown);
        }
    }
}

/// The trace of one request (one attempt).
pub(crate) struct RequestTrace<'a> {
    tracer: &'a Tracer,
    /// The request's own secrets, in every form (wiped on drop).
    extra: Vec<Zeroizing<String>>,
}

impl RequestTrace<'_> {
    pub(crate) fn line(&self, kind: TraceKind, text: &str) {
        self.tracer.emit(&self.extra, kind, text);
    }

    /// The signature base string, its verifier masked by its place: percent-encoded
    /// twice there, and a short one never stands alone, so the redactor could miss it.
    pub(crate) fn base_string(&self, base_string: &str) {
        const VERIFIER: &str = "oauth_verifier%3D";
        let Some((head, rest)) = base_string.split_once(VERIFIER) else {
            return self.line(TraceKind::BaseString, base_string);
        };
        let tail = rest.find("%26").map_or("", |end| &rest[end..]);
        let shown = Zeroizing::new(format!("{head}{VERIFIER}{REDACTED}{tail}"));
        self.line(TraceKind::BaseString, &shown);
    }

    /// A note for each credential with white space at its start or end (a line break
    /// left by a file or `echo`, a pasted space): it is signed as given, and the server's
    /// copy has none, so the signatures differ although the base strings agree. Says
    /// which credential and where, nothing of its value.
    pub(crate) fn credential_notes(&self, credentials: &Credentials) {
        let named = [
            ("consumer key", &credentials.consumer_key),
            ("consumer secret", &credentials.consumer_secret),
            ("access token", &credentials.access_token),
            ("access-token secret", &credentials.access_token_secret),
        ];
        for (name, value) in named {
            let at_start = value.starts_with(char::is_whitespace);
            let at_end = value.ends_with(char::is_whitespace);
            let place = match (at_start, at_end) {
                (false, false) => continue,
                (true, false) => "at its start",
                (false, true) => "at its end",
                (true, true) => "at its start and end",
            };
            self.line(
                TraceKind::Info,
                &format!(
                    "note: the {name} has white space {place} (a line break or a space?): \
                     it is signed as given, so a server that has it without signs differently"
                ),
            );
        }
    }

    /// The status line and the headers (names as ureq keeps them: lowercase).
    pub(crate) fn response_head(&self, response: &ureq::http::Response<ureq::Body>) {
        let status = response.status();
        self.line(
            TraceKind::ResponseStatus,
            format!(
                "{:?} {} {}",
                response.version(),
                status.as_u16(),
                status.canonical_reason().unwrap_or_default()
            )
            .trim_end(),
        );
        for (name, value) in response.headers() {
            self.line(
                TraceKind::ResponseHeader,
                &format!("{name}: {}", String::from_utf8_lossy(value.as_bytes())),
            );
        }
    }

    /// The first [`MAX_BODY_EXCERPT_BYTES`] of `body` (after gzip decoding), redacted
    /// before it is cut, one line per line.
    pub(crate) fn body_excerpt(&self, body: &[u8]) {
        let text = Zeroizing::new(String::from_utf8_lossy(body).into_owned());
        let redacted = self.tracer.redact(&self.extra, &text);
        let mut end = redacted.len().min(MAX_BODY_EXCERPT_BYTES);
        while !redacted.is_char_boundary(end) {
            end -= 1;
        }
        for line in redacted[..end].lines() {
            (self.tracer.hook)(TraceKind::ResponseBody, &printable(line));
        }
        if end < redacted.len() {
            let total = body.len();
            let note = format!("(body cut: the first {end} of {total} bytes shown)");
            self.tracer.info(&note);
        }
    }
}

/// Adds `secret` (once) to the secrets a trace removes; [`redact_all`] finds every
/// form a server could echo it in. The copy is wiped when dropped.
fn add_secret(out: &mut Vec<Zeroizing<String>>, secret: &str) {
    if !secret.is_empty() && !out.iter().any(|known| **known == *secret) {
        out.push(Zeroizing::new(secret.to_owned()));
    }
}

/// An `Authorization` value as a trace shows it: OAuth 1.0a as is (nothing in it is
/// secret); any other scheme by its name and length only, a long Bearer token also
/// by its first characters.
fn shown_credentials(value: &str) -> String {
    let (scheme, credentials) = value
        .split_once(' ')
        .map_or((value, ""), |(scheme, credentials)| {
            (scheme, credentials.trim_ascii())
        });
    if scheme.eq_ignore_ascii_case("OAuth") {
        // Nothing in it is secret but a verifier, which trades a request token for the user's.
        let verifier = value.split_once("oauth_verifier=\"");
        return match verifier.and_then(|(head, rest)| Some((head, rest.split_once('"')?.1))) {
            Some((head, tail)) => format!("{head}oauth_verifier=\"{REDACTED}\"{tail}"),
            None => value.to_owned(),
        };
    }
    let chars = credentials.chars().count();
    let shown_head = credentials
        .get(..BEARER_SHOWN_CHARS)
        .filter(|head| head.bytes().all(|b| b.is_ascii_graphic()));
    match shown_head {
        Some(head) if scheme.eq_ignore_ascii_case("Bearer") && chars >= BEARER_SHOWN_FROM_CHARS => {
            format!("{scheme} {head}... ({chars} characters)")
        }
        _ => format!("{scheme} [redacted] ({chars} characters)"),
    }
}

/// `scheme://user:[redacted]@host:port`: the proxy without its password.
fn shown_proxy(proxy: &Proxy) -> String {
    let scheme = proxy.uri().scheme_str().unwrap_or("http");
    let user = match (proxy.username(), proxy.password()) {
        (Some(user), Some(_)) => format!("{user}:[redacted]@"),
        (Some(user), None) => format!("{user}@"),
        (None, Some(_)) => ":[redacted]@".to_owned(),
        (None, None) => String::new(),
    };
    format!("{scheme}://{user}{}:{}", proxy.host(), proxy.port())
}

/// Control characters (but tab) escaped, so a line cannot move the cursor or hold a NUL.
fn printable(line: &str) -> std::borrow::Cow<'_, str> {
    // Control characters are the bytes below 0x20, 0x7F, and U+0080..U+009F (0xC2, 0x80..).
    let control = |b: u8| b < 0x20 && b != b'\t' || b == 0x7f || b == 0xc2;
    if !line.bytes().any(control) {
        return line.into();
    }
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        if c.is_control() && c != '\t' {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out.into()
}

// The trace's place in the connector chain: above TLS, it sees each new connection
// and the request heads as they are sent.

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
        // proxy itself (with the proxy taken out of the config: the agent's has it
        // otherwise), then for the target through the tunnel.
        let proxy = self.tracer.proxy.as_ref();
        let through_proxy = details
            .config
            .proxy()
            .is_some_and(|p| !p.is_no_proxy(details.uri));
        let to_connect_proxy = proxy.is_some() && details.config.proxy().is_none();
        let target = format!(
            "{}://{}",
            details.uri.scheme_str().unwrap_or("http"),
            details.uri.authority().map_or("", |a| a.as_str())
        );
        self.tracer.info(&match proxy {
            Some(proxy) if to_connect_proxy => format!("connected to the proxy {proxy}"),
            Some(proxy) if through_proxy => {
                format!("connected to {target} through the proxy {proxy}")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_other_than_oauth_show_their_scheme_and_length() {
        let oauth = r#"OAuth oauth_consumer_key="k", oauth_signature="s%3D""#;
        assert_eq!(shown_credentials(oauth), oauth);
        assert_eq!(
            shown_credentials(
                r#"OAuth oauth_token="t", oauth_verifier="4711", oauth_version="1.0""#
            ),
            r#"OAuth oauth_token="t", oauth_verifier="[redacted]", oauth_version="1.0""#
        );
        assert_eq!(
            shown_credentials("Bearer AAAAbbbbccccdddd1234"),
            "Bearer AAAA... (20 characters)"
        );
        // Too short to show any of it.
        assert_eq!(
            shown_credentials("Bearer AAAAbbbb"),
            "Bearer [redacted] (8 characters)"
        );
        assert_eq!(
            shown_credentials("Basic dXNlcjpwYXNzd29yZA=="),
            "Basic [redacted] (20 characters)"
        );
        assert_eq!(
            shown_credentials("Token"),
            "Token [redacted] (0 characters)"
        );
    }

    #[test]
    fn each_secret_is_kept_once_and_its_forms_are_the_redactors() {
        // The trace keeps each secret once; the Redactor finds its forms.
        let mut forms = Vec::new();
        add_secret(&mut forms, "a/b \"ü\"");
        add_secret(&mut forms, "a/b \"ü\"");
        add_secret(&mut forms, "");
        assert_eq!(forms.len(), 1);
        let secrets = forms.iter().map(|f| f.as_str());
        for echoed in ["a%2Fb+%22%C3%BC%22", r#"a\/b \"\u00FC\""#] {
            assert_eq!(
                redact_all(echoed, secrets.clone()),
                "[redacted]",
                "{echoed}"
            );
        }
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(printable("a\u{1b}[2Jb\0c\td"), "a\\u{1b}[2Jb\\u{0}c\td");
        assert_eq!(printable("plain"), "plain");
        // C1 controls (U+0080..U+009F) too, but not other text written after 0xC2.
        assert_eq!(printable("a\u{85}b\u{9f}"), "a\\u{85}b\\u{9f}");
        assert_eq!(printable("¢ ü\u{7f}"), "¢ ü\\u{7f}");
    }
}
