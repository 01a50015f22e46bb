//! The [`Client`] and one request: the request's shape (URL, body, how it says who
//! sends it, what its answer must hold), and how the client signs it, sends it over
//! the pooled agent, retries it ([`retry`](crate::core::api::retry)), corrects the
//! clock once, and counts it. Every request of the library passes through
//! [`Client::attempt`]. The calls themselves are `impl Client` blocks above this module
//! (`client`, `friendship`, `bearer`, `flows`).

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use zeroize::Zeroizing;

use crate::core::api::deadline;
use crate::core::api::retry::{retry_delay, with_retry_count};
use crate::core::auth::session::OAuth2Session;
use crate::core::error::{Error, ErrorKind};
use crate::core::net::body::{read_response, Answer};
use crate::core::net::failure::transport_error;
use crate::core::net::transport::Agents;
use crate::core::proto::answer::Followed;
use crate::core::proto::v2;
use crate::core::settings::hooks::TraceKind;
use crate::core::settings::{ApiVersion, Settings};
use crate::core::sys::clock::unix_now;
use crate::core::wire::redact::Redactor;
use crate::core::wire::signer::{OAuthNonce, SignableRequest, Signer, SigningUrl};

/// A codeless 401 (API v2 has no code 135) is taken for a refused timestamp when
/// the server's clock is at least this far from ours.
const CLOCK_TOLERANCE_SECS: i64 = 30;

thread_local! {
    /// Requests handed to the transport on this thread, ever: what a call sent is the
    /// difference across it ([`requests_sent_on_this_thread`]).
    static REQUESTS_SENT: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// How many HTTP requests this thread has sent so far, through any client: every
/// request passes through one place (`Client::attempt`), lookups, `2/users/me`, token
/// refreshes, retries and the clock-correction retry alike. A caller takes it before
/// and after a call; the difference is what the call sent.
pub fn requests_sent_on_this_thread() -> u64 {
    REQUESTS_SENT.try_with(std::cell::Cell::get).unwrap_or(0)
}

/// One API request, before signing.
pub(crate) struct Request<'a> {
    /// The URL as sent and as signed ([`Client::endpoint`]).
    pub endpoint: &'a (String, SigningUrl),
    pub body: Body<'a>,
    pub answer: Answer,
    pub auth: Auth<'a>,
}

/// How a request says who sends it, and the values to remove from any message
/// besides the config's credentials (a request-token secret, OAuth 2.0 tokens, a
/// client secret).
#[derive(Clone, Copy)]
pub(crate) enum Auth<'a> {
    /// OAuth 1.0a, signed with the config's credentials (redacted anyway).
    OAuth1,
    /// OAuth 1.0a, signed with other credentials (a request token) and one more
    /// `oauth_*` parameter (`oauth_callback`, `oauth_verifier`).
    OAuth1With {
        signer: &'a Signer,
        extra: (&'a str, &'a str),
        secrets: &'a [&'a str],
    },
    /// This `Authorization` header value (`Bearer …`, `Basic …`), or none.
    Header {
        value: Option<&'a str>,
        secrets: &'a [&'a str],
    },
}

impl<'a> Auth<'a> {
    pub(crate) fn secrets(&self) -> &'a [&'a str] {
        match *self {
            Auth::OAuth1 => &[],
            Auth::OAuth1With { secrets, .. } | Auth::Header { secrets, .. } => secrets,
        }
    }
}

pub(crate) enum Body<'a> {
    /// A GET.
    None,
    /// A DELETE, without a body.
    Delete,
    /// A POST of form parameters, which are signed too; `encoded` is the body as sent.
    Form {
        params: &'a [(&'a str, &'a str)],
        encoded: &'a str,
    },
    /// A POST of JSON, which is not signed (OAuth 1.0a signs form bodies only).
    Json(&'a str),
}

/// Adds what the call was doing to an error's message.
pub(crate) fn during(what: &str) -> impl FnOnce(Error) -> Error + '_ {
    move |mut e| {
        e.message = format!("{what}: {}", e.message);
        e
    }
}

/// The API 1.1 follow endpoint, relative to the base URL.
pub const FOLLOW_PATH: &str = "/1.1/friendships/create.json";

/// Settings plus what sending a request needs: the signer and the agents built from
/// them, the clock correction learnt, the OAuth 2.0 session. Share it between threads
/// (`&Client`) for calls; change it only through `&mut` (no call may run then).
pub struct Client {
    pub(super) settings: Settings,
    signer: Signer,
    agents: Agents,
    /// Seconds to add to the local clock for `oauth_timestamp`, learnt from the
    /// server's `Date` when it refused a timestamp (code 135).
    pub(super) clock_offset: AtomicI64,
    /// The follow endpoint of API 1.1, and of API v2 when the follower's id is known
    /// (versions 2 and auto), as sent and as signed.
    pub(super) follow_endpoint_v1: (String, SigningUrl),
    pub(super) follow_endpoint_v2: Option<(String, SigningUrl)>,
    /// An OAuth 2.0 config's session (client, current tokens, token callback, store
    /// link): runtime state the settings do not hold, kept across `Client::update`.
    pub(super) oauth2: Option<Arc<OAuth2Session>>,
    /// API version auto: set once API 1.1 refused the app's access tier; from then on
    /// this config uses API v2.
    pub(super) auto_switched: AtomicBool,
}

impl Client {
    /// Builds the agents; the proxy environment variables are read now.
    pub(super) fn with_session(settings: Settings, oauth2: Option<Arc<OAuth2Session>>) -> Client {
        let endpoint = |path: &str| settings.base_url.endpoint(path);
        let follow_v2 = match settings.api_version {
            ApiVersion::V1_1 => None,
            ApiVersion::V2 { source_user_id } | ApiVersion::Auto { source_user_id } => {
                Some(endpoint(&v2::following_path(source_user_id)))
            }
        };
        Client {
            follow_endpoint_v1: endpoint(FOLLOW_PATH),
            follow_endpoint_v2: follow_v2,
            signer: Signer::new(settings.credentials.clone()),
            agents: Agents::new(&settings, oauth2.as_ref()),
            settings,
            clock_offset: AtomicI64::new(0),
            oauth2,
            auto_switched: AtomicBool::new(false),
        }
    }

    /// `path` under the base URL, as sent and as signed.
    pub(crate) fn endpoint(&self, path: &str) -> (String, SigningUrl) {
        self.settings.base_url.endpoint(path)
    }

    /// Sends a request to `path` under the base URL (see [`Client::send`]).
    pub(crate) fn send_to(
        &self,
        path: &str,
        body: Body<'_>,
        answer: Answer,
        auth: Auth<'_>,
    ) -> Result<Followed, Error> {
        let endpoint = self.endpoint(path);
        self.send(&Request {
            endpoint: &endpoint,
            body,
            answer,
            auth,
        })
    }

    /// Sends `request`, retrying as [`Client::follow`](crate::core::Client::follow) describes.
    pub(crate) fn send(&self, request: &Request<'_>) -> Result<Followed, Error> {
        let settings = &self.settings;
        deadline::within(settings.timeout, || {
            let (mut waited, mut retries) = (Duration::ZERO, 0);
            loop {
                let error = match self.send_correcting_clock(request) {
                    Ok(followed) => return Ok(followed),
                    Err(error) => error,
                };
                // Not once the call's time is spent (a request timed out): a retry
                // would get none.
                let delay = retry_delay(&error, retries).filter(|delay| {
                    retries < settings.max_retries
                        && waited + *delay <= settings.max_wait
                        && deadline::left(settings.timeout, "retrying").is_ok()
                });
                let Some(delay) = delay else {
                    return Err(with_retry_count(error, retries));
                };
                self.trace_note(&format!(
                    "retrying in {} ms (retry {} of at most {})",
                    delay.as_millis(),
                    retries + 1,
                    settings.max_retries
                ));
                std::thread::sleep(delay);
                deadline::postpone(delay);
                waited += delay;
                retries += 1;
            }
        })
    }

    /// One request. When the server refuses the timestamp of an OAuth 1.0a-signed
    /// request (401 with code 135, or a codeless 401 from a server whose clock is far
    /// from ours) and says its time in `Date`, the difference is kept for every later
    /// call of this client, and the request is signed afresh and sent once more. A
    /// Bearer or Basic request has no timestamp: its 401 is final here.
    fn send_correcting_clock(&self, request: &Request<'_>) -> Result<Followed, Error> {
        let first = self.attempt(
            request,
            &OAuthNonce::fresh(self.clock_offset.load(Ordering::Relaxed)),
        );
        let offset = match &first {
            // A refusal with the answer's `Date` (the server's clock) of a signed request.
            Err(e) if !matches!(request.auth, Auth::Header { .. }) => {
                let offset = e.server_clock.map(|clock| clock - unix_now());
                offset.filter(|offset| {
                    e.api_code == 135
                        || (e.http_status == 401
                            && e.api_code == 0
                            && (offset - self.clock_offset.load(Ordering::Relaxed)).abs()
                                >= CLOCK_TOLERANCE_SECS)
                })
            }
            _ => None,
        };
        let Some(offset) = offset else {
            return first;
        };
        self.clock_offset.store(offset, Ordering::Relaxed);
        self.trace_note(&format!(
            "the server's clock is {offset} s from ours: signing again with the corrected timestamp"
        ));
        self.attempt(request, &OAuthNonce::fresh(offset))
            .map_err(|mut e| {
                e.message.push_str(&format!(
                    " (after correcting the clock by {offset} s and retrying once)"
                ));
                e
            })
    }

    /// A note for the trace hook, if one is set.
    pub(crate) fn trace_note(&self, text: &str) {
        if let Some(tracer) = self.agents.tracer() {
            tracer.info(text);
        }
    }

    /// One request with `nonce`: no retry, no clock correction.
    pub(crate) fn attempt(
        &self,
        request: &Request<'_>,
        nonce: &OAuthNonce,
    ) -> Result<Followed, Error> {
        if let Some(error) = &self.agents.setup_error {
            self.trace_note(&error.message);
            return Err(error.clone());
        }
        const FORM: Option<&str> = Some("application/x-www-form-urlencoded");
        let (method, form, content_type, body): (_, &[(&str, &str)], _, _) = match request.body {
            Body::None => ("GET", &[], None, None),
            Body::Delete => ("DELETE", &[], None, None),
            Body::Form { params, encoded } => ("POST", params, FORM, Some(encoded)),
            Body::Json(json) => ("POST", &[], Some("application/json"), Some(json)),
        };
        let signable = SignableRequest {
            method,
            url: &request.endpoint.1,
            form,
        };
        let signed = match request.auth {
            Auth::OAuth1 => Some(self.signer.sign(&signable, nonce)),
            Auth::OAuth1With { signer, extra, .. } => {
                Some(signer.sign_with(&signable, nonce, Some(extra)))
            }
            Auth::Header { .. } => None,
        };
        let authorization = match request.auth {
            Auth::Header { value, .. } => value,
            _ => signed.as_ref().map(|signed| signed.authorization.as_str()),
        };
        // Only with a hook set: nothing is formatted otherwise.
        let trace = self
            .agents
            .tracer()
            .map(|tracer| tracer.for_request(request.auth.secrets(), authorization));
        if let (Some(trace), Some(signed)) = (&trace, &signed) {
            trace.base_string(signed.base_string());
            trace.credential_notes(&self.settings.credentials);
        }

        // What is left of the call's one deadline (a lock wait or a refresh may have
        // used some): nothing left, nothing sent.
        let timeout = deadline::left(self.settings.timeout, "sending the request")?;
        let agent = self.agents.get(&self.settings);
        let mut http = ureq::http::Request::builder()
            .method(method)
            .uri(&request.endpoint.0);
        if let Some(value) = authorization.map(wiped_header_value).transpose()? {
            http = http.header("Authorization", value);
        }
        if let Some(content_type) = content_type {
            http = http.header("Content-Type", content_type);
        }
        let result = match body {
            Some(body) => run(&agent, http.body(body.as_bytes()), timeout),
            None => run(&agent, http.body(()), timeout),
        };
        let signature = signed
            .as_ref()
            .map_or("", |signed| signed.signature.as_str());
        let redactor = Redactor::new(self.settings.credentials.secrets(), signature)
            .with_extra(request.auth.secrets());
        let received = match result {
            Ok(response) => {
                if let Some(trace) = &trace {
                    trace.response_head(&response);
                }
                read_response(
                    &self.settings,
                    response,
                    request.answer,
                    &redactor,
                    trace.as_ref(),
                )
            }
            Err(e) => Err(transport_error(&self.settings, e, 0, &redactor)),
        };
        // Handed to the network, so counted (even if the connection then failed), unless
        // refused before anything left: only that is InvalidArgument here (not loopback).
        if !matches!(&received, Err(e) if e.kind == ErrorKind::InvalidArgument) {
            let _ = REQUESTS_SENT.try_with(|sent| sent.set(sent.get() + 1));
        }
        if let (Some(trace), Err(e)) = (&trace, &received) {
            trace.line(TraceKind::Info, &e.message);
        }
        received
    }
}

/// Sends `request` on `agent` within `timeout` (what is left of the call's deadline).
fn run(
    agent: &ureq::Agent,
    request: Result<ureq::http::Request<impl ureq::AsSendBody>, ureq::http::Error>,
    timeout: Duration,
) -> Result<ureq::http::Response<ureq::Body>, ureq::Error> {
    let request = agent.configure_request(request?);
    agent.run(request.timeout_global(Some(timeout)).build())
}

/// A header value whose bytes are wiped when ureq drops the request: a Bearer token
/// or a client's Basic credential would otherwise stay in a freed copy.
/// Refused (nothing sent) when the value cannot be a header: a token with a control
/// character in it.
fn wiped_header_value(value: &str) -> Result<ureq::http::HeaderValue, Error> {
    let bytes = bytes::Bytes::from_owner(Zeroizing::new(value.as_bytes().to_vec()));
    ureq::http::HeaderValue::from_maybe_shared(bytes).map_err(|_| {
        Error::invalid_argument(
            "the Authorization value is not a valid HTTP header value (a token with a control character?); nothing was sent",
        )
    })
}
