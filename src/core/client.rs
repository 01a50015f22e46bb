//! The follow call: sign, send over a pooled ureq agent, map the response.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::Duration;

use zeroize::Zeroizing;

use super::config::{ApiVersion, Settings};
use super::error::{Error, ErrorKind};
use super::redact::Redactor;
use super::response::{read_response, transport_error, v2_user_id, Answer, Followed, Received};
use super::signer::{percent_encode, unix_now, OAuthNonce, SignableRequest, Signer, SigningUrl};
use super::target::Target;
use super::trace::TraceKind;
use super::transport::Agents;
use super::v2;

/// The API 1.1 follow endpoint, relative to the base URL.
pub const FOLLOW_PATH: &str = "/1.1/friendships/create.json";

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
    pub url: &'a str,
    pub signing_url: &'a SigningUrl,
    pub body: Body<'a>,
    pub answer: Answer,
    pub auth: RequestAuth<'a>,
    /// Values to remove from any message besides the config's credentials (a
    /// request-token secret, OAuth 2.0 tokens, a client secret).
    pub secrets: &'a [&'a str],
}

/// How a request says who sends it.
#[derive(Clone, Copy)]
pub(crate) enum RequestAuth<'a> {
    /// OAuth 1.0a, signed with the config's credentials.
    OAuth1,
    /// OAuth 1.0a, signed with other credentials (a request token) and one more
    /// `oauth_*` parameter (`oauth_callback`, `oauth_verifier`).
    OAuth1With {
        signer: &'a Signer,
        extra: (&'a str, &'a str),
    },
    /// This `Authorization` header value (`Bearer …`, `Basic …`), or none.
    Header(Option<&'a str>),
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

/// Settings plus the HTTP agent built from them. Share it between threads
/// (`&Client`) for calls; change it only through `&mut` (no call may run then).
pub struct Client {
    settings: Settings,
    signer: Signer,
    /// The follow endpoint of API 1.1, and of API v2 when the follower's id is known
    /// (versions 2 and auto), as sent and as signed.
    follow_v1: (String, SigningUrl),
    follow_v2: Option<(String, SigningUrl)>,
    agents: Agents,
    /// Seconds to add to the local clock for `oauth_timestamp`, learnt from the
    /// server's `Date` when it refused a timestamp (code 135).
    clock_offset: AtomicI64,
    /// API version auto: set once API 1.1 refused the app's access tier; from then on
    /// this config uses API v2.
    auto_switched: AtomicBool,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Builds the agent; the proxy environment variables are read now (and again
    /// whenever the settings change).
    pub fn new(settings: Settings) -> Client {
        let endpoint = |path: &str| settings.base_url.endpoint(path);
        let follow_v2 = match settings.api_version {
            ApiVersion::V1_1 => None,
            ApiVersion::V2 { source_user_id } | ApiVersion::Auto { source_user_id } => {
                Some(endpoint(&v2::following_path(source_user_id)))
            }
        };
        Client {
            signer: Signer::new(settings.credentials.clone()),
            follow_v1: endpoint(FOLLOW_PATH),
            follow_v2,
            agents: Agents::new(&settings),
            settings,
            clock_offset: AtomicI64::new(0),
            auto_switched: AtomicBool::new(false),
        }
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Applies `change` to a copy of the settings; on success the copy replaces
    /// them and the agent is rebuilt, on failure nothing changes.
    pub fn update(
        &mut self,
        change: impl FnOnce(&mut Settings) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let mut settings = self.settings.clone();
        change(&mut settings)?;
        let clock_offset = self.clock_offset();
        // What auto learnt holds while the setting stays auto for the same user.
        let switched = self.auto_switched.load(Ordering::Relaxed)
            && settings.api_version == self.settings.api_version;
        *self = Client::new(settings);
        self.clock_offset.store(clock_offset, Ordering::Relaxed);
        self.auto_switched.store(switched, Ordering::Relaxed);
        Ok(())
    }

    /// The API version calls use now: the configured one, or for auto, API 1.1 until
    /// it refused the app's access tier and API v2 after.
    pub fn current_api_version(&self) -> ApiVersion {
        match self.settings.api_version {
            ApiVersion::Auto { source_user_id } if self.auto_switched.load(Ordering::Relaxed) => {
                ApiVersion::V2 { source_user_id }
            }
            ApiVersion::Auto { .. } => ApiVersion::V1_1,
            fixed => fixed,
        }
    }

    /// Runs `call` with [`Client::current_api_version`]. With auto, an access-tier
    /// refusal from API 1.1 switches this config to API v2 (once: it is remembered)
    /// and `call` runs again there.
    pub(crate) fn with_api_version<T>(
        &self,
        call: impl Fn(ApiVersion) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let version = self.current_api_version();
        let result = call(version);
        match (self.settings.api_version, version, &result) {
            (ApiVersion::Auto { source_user_id }, ApiVersion::V1_1, Err(e))
                if e.kind == ErrorKind::AccessTier =>
            {
                self.auto_switched.store(true, Ordering::Relaxed);
                call(ApiVersion::V2 { source_user_id }).map_err(|mut e| {
                    e.message.push_str(
                        " (API version auto: API 1.1 refused the app's access tier, so this config uses API v2 from now on)",
                    );
                    e
                })
            }
            _ => result,
        }
    }

    /// Follows `target`, with notifications when `notify`.
    ///
    /// API 1.1: one request. API v2: a screen name is first looked up (a second
    /// request), and `notify` must be false (v2 has no such setting).
    ///
    /// With retries on (`max_retries` > 0), a failure before any response arrived,
    /// a 5xx, or a rate limit whose window resets within the wait budget is tried
    /// again, each attempt signed afresh, after an exponential backoff with jitter
    /// (or until the reset). Other 4xx answers are final. Waiting never exceeds
    /// `max_wait` in all per request; each attempt has its own `timeout`.
    pub fn follow(&self, target: &Target, notify: bool) -> Result<Followed, Error> {
        if self.settings.oauth2.is_some() {
            return self.follow_oauth2(target, notify);
        }
        self.with_api_version(|version| {
            self.with_follow_request(version, target, notify, |request| self.send(request))
        })
    }

    /// One follow request with a given nonce and timestamp, no retry (tests use it
    /// directly). An API v2 screen name is still looked up first, with a fresh nonce.
    pub fn follow_with(
        &self,
        target: &Target,
        notify: bool,
        nonce: &OAuthNonce,
    ) -> Result<Followed, Error> {
        self.with_follow_request(self.current_api_version(), target, notify, |request| {
            self.attempt(request, nonce).result
        })
    }

    /// The user token an OAuth 1.0a call needs.
    pub(crate) fn require_user_token(&self) -> Result<(), Error> {
        if self.settings.credentials.access_token.is_empty() {
            return Err(Error::invalid_argument(
                "this config has only the app's keys, no user token yet: finish the PIN or callback flow (tw_oauth1_access_token) first",
            ));
        }
        Ok(())
    }

    /// Builds the follow request of `version` (1.1 or 2) and hands it to `send`.
    fn with_follow_request(
        &self,
        version: ApiVersion,
        target: &Target,
        notify: bool,
        send: impl FnOnce(&Request<'_>) -> Result<Followed, Error>,
    ) -> Result<Followed, Error> {
        self.require_user_token()?;
        if let ApiVersion::V2 { .. } = version {
            let (follow_url, follow_signing_url) = self
                .follow_v2
                .as_ref()
                .expect("versions 2 and auto have the v2 endpoint");
            if notify {
                return Err(Error::invalid_argument(
                    "API v2 cannot turn on notifications for a follow: pass notify = false, or use API 1.1",
                ));
            }
            let target_user_id = match target {
                Target::UserId(id) if *id > v2::MAX_USER_ID => {
                    return Err(Error::invalid_argument(format!(
                        "invalid user id {id} for API v2: ids have at most 19 digits"
                    )))
                }
                Target::UserId(id) => *id,
                Target::ScreenName(name) => self.look_up(name)?,
            };
            let body = v2::follow_body(target_user_id);
            return send(&Request {
                url: follow_url,
                signing_url: follow_signing_url,
                body: Body::Json(&body),
                answer: Answer::V2Follow,
                auth: RequestAuth::OAuth1,
                secrets: &[],
            });
        }
        let (name, value) = target.param();
        let follow = if notify { "true" } else { "false" };
        // In parameter order ("follow" < "screen_name" | "user_id"): signing then needs no sort.
        let params = [("follow", follow), (name, value.as_str())];
        let encoded = format!("{name}={}&follow={follow}", percent_encode(&value));
        let (follow_url, follow_signing_url) = &self.follow_v1;
        send(&Request {
            url: follow_url,
            signing_url: follow_signing_url,
            body: Body::Form {
                params: &params,
                encoded: &encoded,
            },
            answer: Answer::User,
            auth: RequestAuth::OAuth1,
            secrets: &[],
        })
    }

    /// API v2: the id of the user with screen name `name`.
    pub(crate) fn look_up(&self, name: &str) -> Result<u64, Error> {
        let (url, signing_url) = self.settings.base_url.endpoint(&v2::lookup_path(name));
        let found = self
            .send(&Request {
                url: &url,
                signing_url: &signing_url,
                body: Body::None,
                answer: Answer::V2User,
                auth: RequestAuth::OAuth1,
                secrets: &[],
            })
            .map_err(|mut e| {
                e.message.push_str(&format!(" (looking up @{name})"));
                e
            })?;
        // Already checked by `read_response`: no message is built from it here.
        v2_user_id(found.http_status, &found.json, &Redactor::NONE)
    }

    /// Sends `request`, retrying as [`Client::follow`] describes.
    pub(crate) fn send(&self, request: &Request<'_>) -> Result<Followed, Error> {
        let mut waited = Duration::ZERO;
        let mut retries = 0;
        loop {
            let error = match self.send_correcting_clock(request) {
                Ok(followed) => return Ok(followed),
                Err(error) => error,
            };
            let delay = match retry_delay(&error, retries) {
                Some(delay)
                    if retries < self.settings.max_retries
                        && waited + delay <= self.settings.max_wait =>
                {
                    delay
                }
                _ => return Err(with_retry_count(error, retries)),
            };
            if let Some(tracer) = self.agents.tracer() {
                tracer.info(&format!(
                    "retrying in {} ms (retry {} of at most {})",
                    delay.as_millis(),
                    retries + 1,
                    self.settings.max_retries
                ));
            }
            std::thread::sleep(delay);
            waited += delay;
            retries += 1;
        }
    }

    /// One request. When the server refuses the timestamp of an OAuth 1.0a-signed
    /// request (401 with code 135, or a codeless 401 from a server whose clock is far
    /// from ours) and says its time in `Date`, the difference is kept for every later
    /// call of this client, and the request is signed afresh and sent once more. A
    /// Bearer or Basic request has no timestamp: its 401 is final here.
    fn send_correcting_clock(&self, request: &Request<'_>) -> Result<Followed, Error> {
        let first = self.attempt(request, &OAuthNonce::fresh(self.clock_offset()));
        if let RequestAuth::Header(_) = request.auth {
            return first.result;
        }
        let (Err(e), Some(server_clock)) = (&first.result, first.server_clock) else {
            return first.result;
        };
        let offset = server_clock - unix_now() as i64;
        let clock_refused = e.api_code == 135
            || (e.http_status == 401
                && e.api_code == 0
                && (offset - self.clock_offset()).abs() >= CLOCK_TOLERANCE_SECS);
        if !clock_refused {
            return first.result;
        }
        self.clock_offset.store(offset, Ordering::Relaxed);
        if let Some(tracer) = self.agents.tracer() {
            tracer.info(&format!(
                "the server's clock is {offset} s from ours: signing again with the corrected timestamp"
            ));
        }
        self.attempt(request, &OAuthNonce::fresh(offset))
            .result
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

    /// The correction applied to the local clock for `oauth_timestamp`, in seconds.
    pub fn clock_offset(&self) -> i64 {
        self.clock_offset.load(Ordering::Relaxed)
    }

    fn attempt(&self, request: &Request<'_>, nonce: &OAuthNonce) -> Received {
        if let Some(error) = &self.agents.proxy_error {
            if let Some(tracer) = self.agents.tracer() {
                tracer.info(&error.message);
            }
            return Received {
                result: Err(error.clone()),
                server_clock: None,
            };
        }
        let (method, form): (_, &[(&str, &str)]) = match request.body {
            Body::None => ("GET", &[]),
            Body::Delete => ("DELETE", &[]),
            Body::Form { params, .. } => ("POST", params),
            Body::Json(_) => ("POST", &[]),
        };
        let signable = SignableRequest {
            method,
            url: request.signing_url,
            form,
        };
        let signed = match request.auth {
            RequestAuth::OAuth1 => Some(self.signer.sign(&signable, nonce)),
            RequestAuth::OAuth1With { signer, extra } => {
                Some(signer.sign_with(&signable, nonce, Some(extra)))
            }
            RequestAuth::Header(_) => None,
        };
        let authorization = match (&signed, request.auth) {
            (Some(signed), _) => Some(signed.authorization.as_str()),
            (None, RequestAuth::Header(value)) => value,
            (None, _) => None,
        };
        // Only with a hook set: nothing is formatted otherwise.
        let trace = self
            .agents
            .tracer()
            .map(|tracer| tracer.for_request(request.secrets, authorization));
        if let (Some(trace), Some(signed)) = (&trace, &signed) {
            trace.line(TraceKind::BaseString, signed.base_string());
            trace.credential_notes(&self.settings.credentials);
        }

        let agent = self.agents.get(&self.settings);
        let authorization_header = match authorization.map(wiped_header_value).transpose() {
            Ok(value) => value,
            Err(error) => {
                return Received {
                    result: Err(error),
                    server_clock: None,
                }
            }
        };
        let result = match request.body {
            Body::None => {
                let mut get = agent.get(request.url);
                if let Some(value) = authorization_header {
                    get = get.header("Authorization", value);
                }
                get.call()
            }
            Body::Delete => {
                let mut delete = agent.delete(request.url);
                if let Some(value) = authorization_header {
                    delete = delete.header("Authorization", value);
                }
                delete.call()
            }
            Body::Form { encoded, .. } | Body::Json(encoded) => {
                let mut post = agent.post(request.url).content_type(match request.body {
                    Body::Json(_) => "application/json",
                    _ => "application/x-www-form-urlencoded",
                });
                if let Some(value) = authorization_header {
                    post = post.header("Authorization", value);
                }
                post.send(encoded.as_bytes())
            }
        };
        let signature = signed
            .as_ref()
            .map_or("", |signed| signed.signature.as_str());
        let redactor = Redactor::new(self.settings.credentials.secrets(), signature)
            .with_extra(request.secrets);
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
            Err(e) => Received {
                result: Err(transport_error(&self.settings, e, 0, &redactor)),
                server_clock: None,
            },
        };
        // Handed to the network, so counted (even if the connection then failed), unless
        // refused before anything left: only that is InvalidArgument here (not loopback).
        if !matches!(&received.result, Err(e) if e.kind == ErrorKind::InvalidArgument) {
            let _ = REQUESTS_SENT.try_with(|sent| sent.set(sent.get() + 1));
        }
        if let (Some(trace), Err(e)) = (&trace, &received.result) {
            trace.line(TraceKind::Info, &e.message);
        }
        received
    }
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

/// First backoff; it doubles with each retry, up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(8);

/// How long to wait before retrying after `error`, or `None` when it must not be retried.
fn retry_delay(error: &Error, retries: u32) -> Option<Duration> {
    match error.kind {
        // No response arrived: nothing was refused. (A TLS failure will not mend itself.)
        ErrorKind::Network | ErrorKind::Timeout if error.http_status == 0 => Some(backoff(retries)),
        ErrorKind::ServerError => Some(backoff(retries)),
        // Only when the API said when the window resets, and then until the reset
        // that binds: a spent 24-hour budget outlasts any wait budget, so that 429
        // comes back at once. (402 and usage caps are never retried: not listed.)
        ErrorKind::RateLimited => error.binding_reset().map(|reset| {
            let now = unix_now() as i64;
            Duration::from_secs((reset - now).max(0) as u64) + backoff(0)
        }),
        _ => None,
    }
}

/// Exponential backoff with "equal jitter": half fixed, half random, so clients
/// that failed together do not retry together.
fn backoff(retries: u32) -> Duration {
    let full = FIRST_BACKOFF
        .saturating_mul(1 << retries.min(16))
        .min(MAX_BACKOFF);
    let unit: f64 = super::signer::with_csprng(|rng| rand::Rng::random(rng));
    full / 2 + full.mul_f64(unit / 2.0)
}

fn with_retry_count(mut error: Error, retries: u32) -> Error {
    if retries > 0 {
        error.message.push_str(&format!(
            " (after {retries} retr{})",
            if retries == 1 { "y" } else { "ies" }
        ));
    }
    error
}
