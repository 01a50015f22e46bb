//! Every HTTP answer, in one place: the body read within its limits, a transport
//! failure, a 2xx checked for what the call needs, and a refusal mapped to an
//! [`Error`] (Twitter code first, then v2 problem type, then HTTP status).

use std::io;
use std::time::{Duration, UNIX_EPOCH};

use serde::Deserialize as _;
use zeroize::Zeroizing;

use super::config::Settings;
use super::error::{spent_windows, DayBudgets, Error, ErrorKind, Problem, RateLimit};
use super::httpdate::parse_http_date;
use super::redact::Redactor;
use super::resolver::NotLoopback;
use super::signer::unix_now;
use super::tls::is_ca_used_as_end_entity;
use super::trace::RequestTrace;
use super::v2;

/// Largest error body read for its Twitter code; a larger one is mapped by status alone.
const MAX_ERROR_BODY_BYTES: u64 = 64 * 1024;

/// A successful answer (a follow, or a v2 user lookup).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Followed {
    /// The user object exactly as the API sent it (after gzip decoding).
    pub json: String,
    pub http_status: u16,
    pub rate_limit: Option<RateLimit>,
    /// The 24-hour budgets the answer carried.
    pub day_budgets: DayBudgets,
}

impl Followed {
    /// Whether the follow waits for the user's approval (a protected account):
    /// API 1.1 answers `"follow_request_sent": true` then, API v2 `"pending_follow": true`.
    pub fn is_pending(&self) -> bool {
        serde_json::from_str::<serde_json::Value>(&self.json)
            .ok()
            .and_then(|answer| {
                answer
                    .get("follow_request_sent")
                    .or_else(|| answer.get("data")?.get("pending_follow"))?
                    .as_bool()
            })
            .unwrap_or(false)
    }
}

/// What a 2xx answer must hold.
#[derive(Clone, Copy)]
pub(crate) enum Answer {
    /// A JSON object, nothing more checked (API 1.1's user object, OAuth 2.0 token answers).
    User,
    /// A form-encoded body (OAuth 1.0a token endpoints); their refusals may be plain
    /// text, which the message then quotes.
    Form,
    /// API v2: `data.id` of a user lookup.
    V2User,
    /// API v2: `data.following` of a follow.
    V2Follow,
}

/// What one request produced, with what the retry on a clock error needs.
pub(crate) struct Received {
    pub result: Result<Followed, Error>,
    /// The response's `Date`, in seconds since the Unix epoch.
    pub server_clock: Option<i64>,
}

/// Reads one response. Every piece of text from outside that goes into a message
/// passes through `redactor` before it is cut to length. `trace` (when tracing)
/// receives the start of a non-2xx body.
pub(crate) fn read_response(
    settings: &Settings,
    mut response: ureq::http::Response<ureq::Body>,
    answer: Answer,
    redactor: &Redactor<'_>,
    trace: Option<&RequestTrace<'_>>,
) -> Received {
    let status = response.status().as_u16();
    let headers = response.headers();
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let location = header("location").map(str::to_owned);
    let server_clock = header("date").and_then(parse_http_date);
    // One reader for the three families: `x-rate-limit-*`, `x-user-limit-24hour-*`, `x-app-limit-24hour-*`.
    let window = |prefix: &str| {
        let field = |name: &str| header(&format!("{prefix}-{name}"))?.trim().parse().ok();
        Some(RateLimit {
            limit: field("limit")?,
            remaining: field("remaining")?,
            reset_epoch: field("reset")?,
        })
    };
    let rate_limit = window("x-rate-limit");
    let day_budgets = DayBudgets {
        user: window("x-user-limit-24hour"),
        app: window("x-app-limit-24hour"),
    };
    let result = read_body(
        settings,
        &mut response,
        status,
        location.as_deref(),
        answer,
        redactor,
        trace,
    )
    .and_then(|json| {
        match answer {
            Answer::User | Answer::Form => Ok(()),
            Answer::V2User => v2_user_id(status, &json, redactor).map(drop),
            Answer::V2Follow => check_v2_follow_answer(status, &json, redactor),
        }
        .map(|()| json)
    })
    .map_err(|mut e| {
        if e.kind == ErrorKind::RateLimited {
            e.message
                .push_str(&spent_window_text(rate_limit, day_budgets));
        }
        e.rate_limit = rate_limit;
        e.day_budgets = (day_budgets != DayBudgets::default()).then(|| Box::new(day_budgets));
        e
    });
    Received {
        result: result.map(|json| Followed {
            json,
            http_status: status,
            rate_limit,
            day_budgets,
        }),
        server_clock,
    }
}

/// What a 429's message adds: which windows are spent and when each resets
/// ("; the user's 24-hour budget is spent (0 of 1000 left), it resets at … (in … s)"),
/// or the 15-minute reset when no window says it is spent.
fn spent_window_text(rate_limit: Option<RateLimit>, day_budgets: DayBudgets) -> String {
    let now = unix_now() as i64;
    let resets = |limit: &RateLimit| {
        format!(
            "it resets at {} (in {} s)",
            limit.reset_epoch,
            (limit.reset_epoch - now).max(0)
        )
    };
    let spent = spent_windows(rate_limit, day_budgets);
    if spent.is_empty() {
        return rate_limit.map_or_else(String::new, |limit| {
            format!(
                "; the rate-limit window resets at {} (in {} s)",
                limit.reset_epoch,
                (limit.reset_epoch - now).max(0)
            )
        });
    }
    spent
        .iter()
        .map(|(window, limit)| {
            format!(
                "; {} is spent ({} of {} left), {}",
                window.describe(),
                limit.remaining.max(0),
                limit.limit,
                resets(limit)
            )
        })
        .collect()
}

fn read_body(
    settings: &Settings,
    response: &mut ureq::http::Response<ureq::Body>,
    status: u16,
    location: Option<&str>,
    answer: Answer,
    redactor: &Redactor<'_>,
    trace: Option<&RequestTrace<'_>>,
) -> Result<String, Error> {
    let limit = if (200..300).contains(&status) {
        MAX_BODY_BYTES
    } else {
        MAX_ERROR_BODY_BYTES
    };
    let body = match read_to_vec(response.body_mut(), limit) {
        Ok(body) => body,
        Err(ureq::Error::BodyExceedsLimit(_)) => {
            let success = (200..300).contains(&status);
            return Err(Error {
                kind: if success {
                    ErrorKind::BadResponse
                } else {
                    kind_for(status, 0)
                },
                message: if success {
                    format!("HTTP {status}, but the body is larger than {limit} bytes")
                } else {
                    format!("HTTP {status}: response body is larger than {limit} bytes (not read)")
                },
                http_status: status,
                ..Error::new(ErrorKind::HttpError, "")
            });
        }
        Err(e) => return Err(transport_error(settings, e, status, redactor)),
    };
    if let Some(trace) = trace.filter(|_| !(200..300).contains(&status)) {
        trace.body_excerpt(&body);
    }
    match answer {
        Answer::Form => form_response(status, body, redactor),
        _ => map_response(status, body, location, redactor),
    }
}

/// The body, up to `limit` bytes, in one allocation when the server said its length
/// (ureq's `read_to_vec` grows from empty: seven allocations for a user object),
/// with one byte to spare for the NUL of the C string it may become. A body of
/// unknown length grows by hand, each outgrown block wiped: a token answer must not
/// leave copies in freed memory.
fn read_to_vec(body: &mut ureq::Body, limit: u64) -> Result<Vec<u8>, ureq::Error> {
    use std::io::Read as _;
    let expected = body.content_length().unwrap_or(0).min(limit);
    let mut out = Zeroizing::new(Vec::with_capacity(
        usize::try_from(expected).unwrap_or(0) + 1,
    ));
    let mut reader = body.with_config().limit(limit).reader();
    loop {
        if out.len() == out.capacity() {
            let mut grown = Zeroizing::new(Vec::with_capacity((2 * out.capacity()).max(1024)));
            grown.extend_from_slice(&out);
            out = grown;
        }
        let filled = out.len();
        let room = out.capacity();
        out.resize(room, 0);
        match reader.read(&mut out[filled..]) {
            Ok(0) => {
                out.truncate(filled);
                break;
            }
            Ok(read) => out.truncate(filled + read),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => out.truncate(filled),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(std::mem::take(&mut *out))
}

/// A form-encoded answer (2xx), or a refusal, which the OAuth 1.0a token endpoints
/// often send as plain text ("Invalid oauth_verifier parameter"): then it is quoted,
/// redacted before it is cut.
fn form_response(
    http_status: u16,
    body: Vec<u8>,
    redactor: &Redactor<'_>,
) -> Result<String, Error> {
    if !(200..300).contains(&http_status) {
        let redacted = String::from_utf8(body).map(|text| redactor.redact(&text).into_bytes());
        let body = redacted.unwrap_or_else(|e| e.into_bytes());
        return Err(super::auth::answer_failure(http_status, &body, &[]));
    }
    String::from_utf8(body).map_err(|_| Error::bad_response(http_status, "the body is not UTF-8"))
}

/// Maps a failure before or while reading the response. `http_status` is 0 when no status line arrived.
pub(crate) fn transport_error(
    settings: &Settings,
    error: ureq::Error,
    http_status: u16,
    redactor: &Redactor<'_>,
) -> Error {
    let host = settings.base_url.host();
    let during = if http_status == 0 {
        String::new()
    } else {
        format!(" while reading the HTTP {http_status} body")
    };
    let (kind, message) = match &error {
        ureq::Error::Timeout(_) => (
            ErrorKind::Timeout,
            format!(
                "timed out after {} ms{during} talking to {host}",
                settings.timeout.as_millis()
            ),
        ),
        ureq::Error::Io(e)
            if e.kind() == io::ErrorKind::TimedOut || e.kind() == io::ErrorKind::WouldBlock =>
        {
            (
                ErrorKind::Timeout,
                format!("timed out{during} talking to {host}: {e}"),
            )
        }
        ureq::Error::Io(e) if e.get_ref().is_some_and(|inner| inner.is::<NotLoopback>()) => (
            // Nothing was sent: the base URL (or the proxy) is not on loopback after all.
            ErrorKind::InvalidArgument,
            e.get_ref().map(ToString::to_string).unwrap_or_default(),
        ),
        ureq::Error::Io(e) if is_tls_io_error(e) => (ErrorKind::Tls, tls_failure(settings, &error)),
        ureq::Error::Tls(_)
        | ureq::Error::Pem(_)
        | ureq::Error::Rustls(_)
        | ureq::Error::TlsRequired => (ErrorKind::Tls, tls_failure(settings, &error)),
        ureq::Error::Decompress(..) if http_status != 0 => (
            ErrorKind::BadResponse,
            format!("HTTP {http_status}, but the gzip body is corrupt: {error}"),
        ),
        ureq::Error::HostNotFound => (ErrorKind::Network, format!("host not found: {host}")),
        ureq::Error::LargeResponseHeader(..) => (
            ErrorKind::Network,
            format!("no usable response from {host}: {error}"),
        ),
        ureq::Error::ConnectProxyFailed(_) | ureq::Error::InvalidProxyUrl => (
            ErrorKind::Network,
            format!("proxy failed for {host}: {error}"),
        ),
        _ => (
            ErrorKind::Network,
            format!("network error{during} with {host}: {error}"),
        ),
    };
    Error {
        http_status,
        ..Error::new(kind, one_line(&redactor.redact(&message), 400))
    }
}

/// rustls reports handshake and certificate failures as I/O errors that wrap a `rustls::Error`.
fn is_tls_io_error(error: &io::Error) -> bool {
    error
        .get_ref()
        .is_some_and(|inner| inner.is::<rustls::Error>())
}

/// "TLS error with HOST: ...", a refused server certificate in plain words.
fn tls_failure(settings: &Settings, error: &ureq::Error) -> String {
    let host = settings.base_url.host();
    let rustls_error = match error {
        ureq::Error::Rustls(e) => Some(e),
        ureq::Error::Io(e) => e.get_ref().and_then(|inner| inner.downcast_ref()),
        _ => None,
    };
    let ca_file = settings.ca_file.as_ref().map(|ca| ca.path.as_str());
    match (
        rustls_error.and_then(|e| certificate_refusal(e, ca_file)),
        error,
    ) {
        (Some(reason), _) => format!("TLS error with {host}: {reason}"),
        (None, ureq::Error::Io(e)) => format!("TLS error with {host}: {e}"),
        (None, _) => format!("TLS error with {host}: {error}"),
    }
}

/// Why the server's certificate was refused, starting with the kind of problem in a few
/// words ("unknown issuer", "name mismatch", "expired", ...); `None` for other TLS failures.
fn certificate_refusal(error: &rustls::Error, ca_file: Option<&str>) -> Option<String> {
    use rustls::CertificateError as Problem;
    let rustls::Error::InvalidCertificate(problem) = error else {
        return None;
    };
    let date = |time: &rustls::pki_types::UnixTime| {
        httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(time.as_secs()))
    };
    Some(match problem {
        Problem::UnknownIssuer => match ca_file {
            Some(path) => format!(
                "unknown issuer: the server's certificate is neither one of the certificates in the CA file {path:?} nor signed by one of them"
            ),
            None => "unknown issuer: the server's certificate is not signed by a certificate authority the library trusts (for a private or self-signed server, give its certificate as the CA file)".to_owned(),
        },
        _ if is_ca_used_as_end_entity(error) => match ca_file {
            Some(path) => format!(
                "CA used as server certificate: the server presented a certificate authority's certificate as its own, and it is not one of the certificates in the CA file {path:?} (only those are trusted as they are)"
            ),
            None => "CA used as server certificate: the server presented a certificate authority's certificate as its own (for a self-signed server, give its certificate as the CA file)".to_owned(),
        },
        Problem::NotValidForNameContext { expected, presented } => {
            let names: Vec<&str> = presented.iter().map(|name| presented_name(name)).collect();
            let names = if names.is_empty() { "no name".to_owned() } else { names.join(", ") };
            format!(
                "name mismatch: the server's certificate is for {names}, not for {}",
                expected.to_str()
            )
        }
        Problem::NotValidForName => {
            "name mismatch: the server's certificate is not for this host name".to_owned()
        }
        Problem::ExpiredContext { not_after, .. } => format!(
            "expired: the server's certificate expired on {}",
            date(not_after)
        ),
        Problem::Expired => "expired: the server's certificate has expired".to_owned(),
        Problem::NotValidYetContext { not_before, .. } => format!(
            "not yet valid: the server's certificate is valid only from {} (is this computer's clock right?)",
            date(not_before)
        ),
        Problem::NotValidYet => "not yet valid: the server's certificate is not valid yet (is this computer's clock right?)".to_owned(),
        Problem::Revoked => "revoked: the server's certificate has been revoked".to_owned(),
        Problem::BadSignature => "bad signature: the server's certificate is not signed by the key it names as its issuer's".to_owned(),
        Problem::BadEncoding => "malformed: the server's certificate cannot be parsed".to_owned(),
        Problem::InvalidPurpose | Problem::InvalidPurposeContext { .. } => {
            "wrong purpose: the server's certificate is not for TLS servers (extended key usage)".to_owned()
        }
        _ => format!("certificate refused: {problem:?}"),
    })
}

/// webpki lists a certificate's names as `DnsName("example.com")` or `IpAddress(192.0.2.1)`.
fn presented_name(name: &str) -> &str {
    name.strip_prefix("DnsName(\"")
        .and_then(|rest| rest.strip_suffix("\")"))
        .or_else(|| name.strip_prefix("IpAddress(")?.strip_suffix(')'))
        .unwrap_or(name)
}

/// Largest 2xx body accepted (after gzip decoding).
pub const MAX_BODY_BYTES: u64 = 1 << 20;

/// Longest piece of API text copied into a message.
const MAX_API_TEXT: usize = 300;

/// The error fields found in a non-2xx body, in whichever shape the API used.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ApiError {
    pub code: i32,
    pub text: String,
    /// What a v2 problem `type` URI says, when it is one this library knows.
    pub problem: Option<ErrorKind>,
    /// What to do, when the problem is about the app or the account.
    pub advice: Option<&'static str>,
    /// The problem's own members as sent (not yet redacted), when the body was a v2 problem.
    pub fields: Option<Problem>,
}

/// The v2 problem types (`https://api.twitter.com/2/problems/<name>`) that say more
/// than the HTTP status, with the advice of those about the app. v2 problems carry no
/// Twitter code; `reason` is the problem's `reason` member (`client-not-enrolled`).
fn problem_kind(type_uri: &str, reason: Option<&str>) -> Option<(ErrorKind, Option<&'static str>)> {
    let (_, name) = type_uri.rsplit_once("/2/problems/")?;
    Some(match (name, reason) {
        ("resource-not-found", _) => (ErrorKind::NotFound, None),
        // Whatever the HTTP status: waiting for a rate window does not lift a cap.
        ("usage-capped", _) => (ErrorKind::UsageCapped, Some(advice::USAGE_CAPPED)),
        ("credits-depleted", _) => (ErrorKind::PaymentRequired, Some(advice::PAYMENT)),
        ("client-forbidden", Some("client-not-enrolled")) => {
            (ErrorKind::AccessTier, Some(advice::NOT_ENROLLED))
        }
        ("unsupported-authentication", _) => (ErrorKind::AppPermission, Some(advice::APP_ONLY)),
        ("oauth1-permissions", _) => (ErrorKind::AppPermission, Some(advice::READ_ONLY)),
        ("client-forbidden" | "not-authorized-for-resource", _) => (ErrorKind::Forbidden, None),
        _ => return None,
    })
}

/// What to do about a refusal of the app or the account (not of the target): one
/// line each, appended to the message after "To fix: ".
mod advice {
    pub const ACCESS_TIER: &str = "check that the app's X API package includes following (since 2026-04-20 only Enterprise does: no self-serve package, pay-per-use included) in the developer console at console.x.com, or use the other API version (API version auto switches by itself); see docs/x-api-access.md";
    pub const NOT_ENROLLED: &str = "enroll the app as X asks (attach it to a Project in the developer console at console.x.com, with a package that includes following), or use API 1.1; see docs/x-api-access.md";
    pub const PAYMENT: &str = "add credits or raise the spending limit in the developer console at console.x.com (twfollow does not retry: every request is charged)";
    pub const USAGE_CAPPED: &str = "wait for the next billing period or raise the cap in the developer console at console.x.com: the cap resets with the billing period, not with a rate window (twfollow does not retry)";
    pub const READ_ONLY: &str = "set the app's permissions to Read and Write in the X developer portal, then regenerate the access token and secret";
    pub const CREDENTIALS: &str = "use OAuth 1.0a user tokens (not a Bearer token) of an app with Read and Write permission, regenerated after any permission change";
    pub const NOT_PERMITTED: &str = "check the app's permissions and access level in the X developer portal: X does not let this app do this";
    pub const APP_ONLY: &str = "use OAuth 1.0a user tokens or an OAuth 2.0 user token: an app-only Bearer token cannot act for a user";
    pub const SUSPENDED: &str = "appeal the suspension of the access token's own account at x.com: until it is lifted every call fails";
    pub const LOCKED: &str =
        "log in at x.com as the access token's account to unlock it, then try again";
}

/// The advice for a Twitter code about the app or the account.
fn advice_for_code(api_code: i32) -> Option<&'static str> {
    Some(match api_code {
        453 => advice::ACCESS_TIER,
        261 => advice::READ_ONLY,
        220 => advice::CREDENTIALS,
        87 => advice::NOT_PERMITTED,
        64 => advice::SUSPENDED,
        326 => advice::LOCKED,
        _ => return None,
    })
}

/// Reads `{"errors":[{"code","message"}]}`, the legacy `{"error": "…"}` and the
/// v2 problem shape (`title`, `detail`, `type`), alone or as the first of `errors`.
/// Returns the default when the body is none of them.
pub fn parse_api_error(body: &[u8]) -> ApiError {
    let Ok(serde_json::Value::Object(root)) = serde_json::from_slice::<serde_json::Value>(body)
    else {
        return ApiError::default();
    };
    let as_code = |v: Option<&serde_json::Value>| {
        v.and_then(serde_json::Value::as_i64)
            .and_then(|c| i32::try_from(c).ok())
            .unwrap_or(0)
    };
    let as_text =
        |v: Option<&serde_json::Value>| v.and_then(serde_json::Value::as_str).map(str::to_owned);
    let as_problem = |object: &serde_json::Map<String, serde_json::Value>| {
        let reason = object.get("reason").and_then(serde_json::Value::as_str);
        // X names the spent credits in the title; its type URI is not documented.
        if object.get("title").and_then(serde_json::Value::as_str) == Some("CreditsDepleted") {
            return Some((ErrorKind::PaymentRequired, Some(advice::PAYMENT)));
        }
        problem_kind(object.get("type")?.as_str()?, reason)
    };
    let fields_of = |object: &serde_json::Map<String, serde_json::Value>| {
        let field = |name: &str| as_text(object.get(name)).filter(|t| !t.is_empty());
        let fields = Problem {
            type_uri: field("type"),
            title: field("title"),
            detail: field("detail"),
            reason: field("reason"),
            required_enrollment: field("required_enrollment"),
            registration_url: field("registration_url"),
        };
        (fields != Problem::default()).then_some(fields)
    };

    if let Some(first) = root
        .get("errors")
        .and_then(|e| e.as_array())
        .and_then(|a| a.first())
    {
        return match first {
            serde_json::Value::Object(err) => ApiError {
                code: as_code(err.get("code")),
                text: as_text(err.get("message"))
                    .or_else(|| as_text(err.get("detail")))
                    .or_else(|| as_text(err.get("title")))
                    .unwrap_or_default(),
                problem: as_problem(err).map(|(kind, _)| kind),
                advice: as_problem(err).and_then(|(_, advice)| advice),
                fields: fields_of(err),
            },
            serde_json::Value::String(text) => ApiError {
                code: 0,
                text: text.clone(),
                ..ApiError::default()
            },
            _ => ApiError::default(),
        };
    }
    if let Some(error) = as_text(root.get("error")) {
        // RFC 6749 5.2: {"error": "invalid_grant", "error_description": "…"}.
        let problem = matches!(
            error.as_str(),
            "invalid_request"
                | "invalid_grant"
                | "invalid_client"
                | "unauthorized_client"
                | "invalid_token"
        )
        .then_some(ErrorKind::Auth);
        let text = match as_text(root.get("error_description")) {
            Some(description) => format!("{error}: {description}"),
            None => error,
        };
        return ApiError {
            code: as_code(root.get("code")),
            text,
            problem,
            ..ApiError::default()
        };
    }
    let title = as_text(root.get("title"));
    let detail = as_text(root.get("detail"));
    let text = match (title, detail) {
        (Some(t), Some(d)) if t != d => format!("{t}: {d}"),
        (Some(t), _) => t,
        (None, Some(d)) => d,
        (None, None) => String::new(),
    };
    let problem = as_problem(&root);
    ApiError {
        code: 0,
        text,
        problem: problem.map(|(kind, _)| kind),
        advice: problem.and_then(|(_, advice)| advice),
        fields: fields_of(&root),
    }
}

/// Twitter's error code decides first; unknown codes fall back to the HTTP status.
pub fn kind_for(http_status: u16, api_code: i32) -> ErrorKind {
    kind_for_code(api_code).unwrap_or_else(|| kind_for_status(http_status))
}

fn kind_for_code(api_code: i32) -> Option<ErrorKind> {
    Some(match api_code {
        160 => ErrorKind::AlreadyRequested,
        161 => ErrorKind::FollowLimit,
        162 => ErrorKind::Blocked,
        34 | 50 | 63 | 108 => ErrorKind::NotFound,
        88 => ErrorKind::RateLimited,
        32 | 89 | 135 | 215 => ErrorKind::Auth,
        // About the app or the account, not the target.
        453 => ErrorKind::AccessTier,
        87 | 220 | 261 => ErrorKind::AppPermission,
        64 | 326 => ErrorKind::AccountState,
        _ => return None,
    })
}

fn kind_for_status(http_status: u16) -> ErrorKind {
    match http_status {
        401 => ErrorKind::Auth,
        402 => ErrorKind::PaymentRequired,
        403 => ErrorKind::Forbidden,
        404 => ErrorKind::NotFound,
        429 => ErrorKind::RateLimited,
        500..=599 => ErrorKind::ServerError,
        _ => ErrorKind::HttpError,
    }
}

/// Makes API text safe for a one-line message: control characters become
/// spaces, runs of white space fold, and the length is capped.
pub fn one_line(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars * 4));
    let mut count = 0;
    for word in text.split(|c: char| c.is_whitespace() || c.is_control()) {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars() {
            if count == max_chars {
                out.push('…');
                return out;
            }
            out.push(c);
            count += 1;
        }
    }
    out
}

/// Turns a response into the user JSON (2xx) or an [`Error`] (anything else).
/// `location` is the `Location` header of a redirect, for the message.
pub fn map_response(
    http_status: u16,
    body: Vec<u8>,
    location: Option<&str>,
    redactor: &Redactor<'_>,
) -> Result<String, Error> {
    if (200..300).contains(&http_status) {
        return check_success_body(http_status, body);
    }
    Err(api_failure(http_status, &body, location, redactor))
}

/// API v2 refuses a follow with a codeless 403 problem. Three refusals have their
/// own status in 1.1 (codes 160-162); v2 words them as 1.1 does, so on a codeless
/// 403 the wording is recognised. Anything else stays a plain 403.
fn follow_refusal_kind(http_status: u16, api: &ApiError) -> Option<ErrorKind> {
    const WORDINGS: [(&str, ErrorKind); 3] = [
        (
            "You've already requested to follow",
            ErrorKind::AlreadyRequested,
        ),
        (
            "You are unable to follow more people",
            ErrorKind::FollowLimit,
        ),
        ("You have been blocked from following", ErrorKind::Blocked),
    ];
    if http_status != 403 || api.code != 0 {
        return None;
    }
    WORDINGS
        .iter()
        .find(|(wording, _)| api.text.contains(wording))
        .map(|&(_, kind)| kind)
}

/// The error a refusal stands for: the Twitter code decides first, then a known v2
/// problem type, then (codeless 403) the wording of a follow refusal, then the HTTP status. `body` may also be a 2xx answer that holds
/// only `errors` (v2 answers a failed lookup that way).
/// The API's text and the `Location` are redacted first, then cut to length.
pub fn api_failure(
    http_status: u16,
    body: &[u8],
    location: Option<&str>,
    redactor: &Redactor<'_>,
) -> Error {
    let api = parse_api_error(body);
    let kind = kind_for_code(api.code)
        .or(api.problem)
        .or_else(|| follow_refusal_kind(http_status, &api))
        .unwrap_or_else(|| kind_for_status(http_status));
    let advice = match kind_for_code(api.code) {
        Some(_) => advice_for_code(api.code),
        None => api.advice,
    }
    // A bare 402 says no more than its status.
    .or((kind == ErrorKind::PaymentRequired).then_some(advice::PAYMENT));
    let mut message = format!("HTTP {http_status}");
    if api.code != 0 {
        message.push_str(&format!(", error {}", api.code));
    }
    let text = one_line(&redactor.redact(&api.text), MAX_API_TEXT);
    // Each member from outside is redacted before it is cut, as the text is.
    let clean = |field: &Option<String>| {
        field
            .as_deref()
            .map(|value| one_line(&redactor.redact(value), MAX_API_TEXT))
    };
    let problem = api.fields.as_ref().map(|fields| {
        Box::new(Problem {
            type_uri: clean(&fields.type_uri),
            title: clean(&fields.title),
            detail: clean(&fields.detail),
            reason: clean(&fields.reason),
            required_enrollment: clean(&fields.required_enrollment),
            registration_url: clean(&fields.registration_url),
        })
    });
    if !text.is_empty() {
        message.push_str(": ");
        message.push_str(&text);
        if let Some(problem) = &problem {
            message.push_str(&problem_members_text(problem));
        }
    } else if (300..400).contains(&http_status) {
        message.push_str(": redirect not followed");
        if let Some(location) = location {
            message.push_str(" (Location: ");
            message.push_str(&one_line(&redactor.redact(location), 200));
            message.push(')');
        }
    } else if body.is_empty() {
        message.push_str(": empty response body");
    } else {
        message.push_str(&format!(
            ": response body is not a Twitter error ({} bytes)",
            body.len()
        ));
    }
    if let Some(advice) = advice {
        // A closing parenthesis ends the problem's members: no period after a URL.
        if !message.ends_with(['.', '!', '?', ')']) {
            message.push('.');
        }
        message.push_str(" To fix: ");
        message.push_str(advice);
    }
    Error {
        http_status,
        api_code: api.code,
        problem,
        ..Error::new(kind, message)
    }
}

/// What the message says of a problem besides its title and detail:
/// " (reason: …; required enrollment: …; registration: URL)", or "" when none was sent.
fn problem_members_text(problem: &Problem) -> String {
    let parts: Vec<String> = [
        ("reason", &problem.reason),
        ("required enrollment", &problem.required_enrollment),
        ("registration", &problem.registration_url),
    ]
    .into_iter()
    .filter_map(|(label, value)| Some(format!("{label}: {}", value.as_deref()?)))
    .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join("; "))
    }
}

fn check_success_body(http_status: u16, body: Vec<u8>) -> Result<String, Error> {
    let bad = |what: &str| Error::bad_response(http_status, what);
    let text = String::from_utf8(body).map_err(|_| bad("the body is not UTF-8"))?;
    // Validated without building it: a parsed tree would cost an allocation per key and string.
    let mut parser = serde_json::Deserializer::from_str(&text);
    match serde::de::IgnoredAny::deserialize(&mut parser).and_then(|_| parser.end()) {
        Ok(()) if text.trim_start().starts_with('{') => Ok(text),
        Ok(()) => Err(bad("the body is JSON without an object at the top")),
        Err(e) => Err(bad(&format!("the body is not valid JSON ({e})"))),
    }
}

/// The `data` object of a 2xx answer; a body with only `errors` is the error they describe.
pub(crate) fn v2_data(
    http_status: u16,
    json: &str,
    redactor: &Redactor<'_>,
) -> Result<serde_json::Value, Error> {
    let mut root: serde_json::Value = serde_json::from_str(json).map_err(|e| {
        Error::bad_response(http_status, &format!("the body is not usable JSON ({e})"))
    })?;
    match root.get_mut("data").map(serde_json::Value::take) {
        Some(data @ serde_json::Value::Object(_)) => Ok(data),
        Some(_) => Err(Error::bad_response(
            http_status,
            "\"data\" is not an object",
        )),
        None if root.get("errors").is_some() => {
            Err(api_failure(http_status, json.as_bytes(), None, redactor))
        }
        None => Err(Error::bad_response(
            http_status,
            "the answer has neither \"data\" nor \"errors\"",
        )),
    }
}

/// The id in a user lookup answer (`{"data":{"id":"2244994945",…}}`).
pub fn v2_user_id(http_status: u16, json: &str, redactor: &Redactor<'_>) -> Result<u64, Error> {
    v2_user(http_status, json, redactor).map(|(id, _)| id)
}

/// The id and, when present, the `username` of a user lookup answer.
pub fn v2_user(
    http_status: u16,
    json: &str,
    redactor: &Redactor<'_>,
) -> Result<(u64, Option<String>), Error> {
    let data = v2_data(http_status, json, redactor)?;
    let username = data
        .get("username")
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned);
    let id = data
        .get("id")
        .and_then(serde_json::Value::as_str)
        .and_then(|id| id.parse::<u64>().ok())
        .filter(|id| (1..=v2::MAX_USER_ID).contains(id))
        .ok_or_else(|| {
            Error::bad_response(
                http_status,
                "the user lookup answer has no valid \"data.id\"",
            )
        })?;
    Ok((id, username))
}

/// Checks a follow answer (`{"data":{"following":…,"pending_follow":…}}`).
pub fn check_v2_follow_answer(
    http_status: u16,
    json: &str,
    redactor: &Redactor<'_>,
) -> Result<(), Error> {
    match v2_data(http_status, json, redactor)?.get("following") {
        Some(serde_json::Value::Bool(_)) => Ok(()),
        _ => Err(Error::bad_response(
            http_status,
            "the follow answer has no boolean \"data.following\"",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONE: Redactor<'static> = Redactor::NONE;

    fn err(status: u16, body: &str) -> Error {
        map_response(status, body.as_bytes().to_vec(), None, &NONE).unwrap_err()
    }

    #[test]
    fn twitter_code_decides_before_status() {
        let cases: &[(u16, i32, ErrorKind)] = &[
            (403, 160, ErrorKind::AlreadyRequested),
            (403, 161, ErrorKind::FollowLimit),
            (403, 162, ErrorKind::Blocked),
            (403, 108, ErrorKind::NotFound),
            (404, 108, ErrorKind::NotFound),
            (404, 50, ErrorKind::NotFound),
            (404, 34, ErrorKind::NotFound),
            (403, 63, ErrorKind::NotFound),
            (429, 88, ErrorKind::RateLimited),
            (400, 88, ErrorKind::RateLimited),
            (401, 32, ErrorKind::Auth),
            (401, 89, ErrorKind::Auth),
            (401, 135, ErrorKind::Auth),
            (400, 215, ErrorKind::Auth),
            (403, 158, ErrorKind::Forbidden),
            (403, 226, ErrorKind::Forbidden),
            // Refusals of the app or the account, not of the target (issue 11).
            (403, 326, ErrorKind::AccountState),
            (403, 64, ErrorKind::AccountState),
            (403, 453, ErrorKind::AccessTier),
            (403, 261, ErrorKind::AppPermission),
            (403, 220, ErrorKind::AppPermission),
            (403, 87, ErrorKind::AppPermission),
            (401, 261, ErrorKind::AppPermission),
            (503, 130, ErrorKind::ServerError),
            (500, 131, ErrorKind::ServerError),
            (403, 99999, ErrorKind::Forbidden),
            (401, 0, ErrorKind::Auth),
            (404, 0, ErrorKind::NotFound),
            (429, 0, ErrorKind::RateLimited),
            (502, 0, ErrorKind::ServerError),
            (599, 0, ErrorKind::ServerError),
            (400, 0, ErrorKind::HttpError),
            (418, 0, ErrorKind::HttpError),
            (301, 0, ErrorKind::HttpError),
            (302, 0, ErrorKind::HttpError),
            (100, 0, ErrorKind::HttpError),
            (600, 0, ErrorKind::HttpError),
        ];
        for &(status, code, kind) in cases {
            assert_eq!(kind_for(status, code), kind, "HTTP {status}, code {code}");
            let body = format!(r#"{{"errors":[{{"code":{code},"message":"m"}}]}}"#);
            let e = err(status, &body);
            assert_eq!((e.kind, e.http_status, e.api_code), (kind, status, code));
        }
    }

    #[test]
    fn message_has_status_code_and_text() {
        let e = err(
            403,
            r#"{"errors":[{"code":161,"message":"You are unable to follow more people at this time."}]}"#,
        );
        assert_eq!(
            e.message,
            "HTTP 403, error 161: You are unable to follow more people at this time."
        );
    }

    #[test]
    fn refusals_of_the_app_or_account_say_what_to_do() {
        let e = err(
            403,
            r#"{"errors":[{"code":261,"message":"Application cannot perform write actions. Contact API support to request write access."}]}"#,
        );
        assert_eq!(
            (e.kind, e.http_status, e.api_code),
            (ErrorKind::AppPermission, 403, 261)
        );
        assert_eq!(
            e.message,
            "HTTP 403, error 261: Application cannot perform write actions. Contact API support to request write access. To fix: set the app's permissions to Read and Write in the X developer portal, then regenerate the access token and secret"
        );
        let e = err(
            403,
            r#"{"errors":[{"code":326,"message":"To protect our users from spam and other malicious activity, this account is temporarily locked"}]}"#,
        );
        assert_eq!(e.kind, ErrorKind::AccountState);
        assert!(
            e.message.ends_with(
                "temporarily locked. To fix: log in at x.com as the access token's account to unlock it, then try again"
            ),
            "{}",
            e.message
        );
        let e = err(
            403,
            r#"{"title":"Client Forbidden","detail":"When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from a Twitter developer App that is attached to a Project.","reason":"client-not-enrolled","type":"https://api.twitter.com/2/problems/client-forbidden","required_enrollment":"Appropriate Level of API Access"}"#,
        );
        assert_eq!((e.kind, e.api_code), (ErrorKind::AccessTier, 0));
        assert!(
            e.message.starts_with("HTTP 403: Client Forbidden: When authenticating")
                && e.message.ends_with(
                    "attached to a Project. (reason: client-not-enrolled; required enrollment: Appropriate Level of API Access) To fix: enroll the app as X asks (attach it to a Project in the developer console at console.x.com, with a package that includes following), or use API 1.1; see docs/x-api-access.md"
                ),
            "{}",
            e.message
        );
        // Every code of the three families has its advice; a target's refusal has none.
        for code in [453, 261, 220, 87, 64, 326] {
            let e = err(
                403,
                &format!(r#"{{"errors":[{{"code":{code},"message":"m"}}]}}"#),
            );
            assert!(
                e.message
                    .starts_with(&format!("HTTP 403, error {code}: m. To fix: ")),
                "{}",
                e.message
            );
        }
        for code in [158, 160, 161, 162, 226, 108] {
            let e = err(
                403,
                &format!(r#"{{"errors":[{{"code":{code},"message":"m"}}]}}"#),
            );
            assert_eq!(e.message, format!("HTTP 403, error {code}: m"));
        }
        // A Twitter code decides the advice, as it decides the status.
        let e = err(
            403,
            r#"{"errors":[{"code":64,"message":"Suspended.","type":"https://api.twitter.com/2/problems/unsupported-authentication"}]}"#,
        );
        assert_eq!(e.kind, ErrorKind::AccountState);
        assert!(
            e.message.ends_with("until it is lifted every call fails"),
            "{}",
            e.message
        );
    }

    #[test]
    fn error_shapes() {
        assert_eq!(
            parse_api_error(
                br#"{"errors":[{"code":32,"message":"Could not authenticate you."},{"code":1}]}"#
            ),
            ApiError {
                code: 32,
                text: "Could not authenticate you.".into(),
                problem: None,
                advice: None,
                fields: None,
            }
        );
        assert_eq!(
            parse_api_error(br#"{"error":"Not authorized.","request":"/1.1/x.json"}"#),
            ApiError {
                code: 0,
                text: "Not authorized.".into(),
                problem: None,
                advice: None,
                fields: None,
            }
        );
        assert_eq!(
            parse_api_error(
                br#"{"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}"#
            ),
            ApiError {
                code: 0,
                text: "Unauthorized".into(),
                problem: None,
                advice: None,
                fields: Some(Problem {
                    type_uri: Some("about:blank".into()),
                    title: Some("Unauthorized".into()),
                    detail: Some("Unauthorized".into()),
                    ..Problem::default()
                }),
            }
        );
        assert_eq!(
            parse_api_error(
                br#"{"title":"Too Many Requests","detail":"Too Many Requests","status":429}"#
            )
            .text,
            "Too Many Requests"
        );
        assert_eq!(
            parse_api_error(
                br#"{"title":"Forbidden","detail":"You are not permitted to follow."}"#
            )
            .text,
            "Forbidden: You are not permitted to follow."
        );
        assert_eq!(parse_api_error(br#"{"errors":["plain"]}"#).text, "plain");
        assert_eq!(parse_api_error(br#"{"errors":[{"code":"x"}]}"#).code, 0);
        assert_eq!(
            parse_api_error(br#"{"errors":[{"code":99999999999}]}"#).code,
            0
        );
        for junk in [
            &b""[..],
            b"<html>502</html>",
            b"[1,2]",
            b"\xff\xfe",
            b"null",
            b"{\"errors\":5}",
        ] {
            assert_eq!(parse_api_error(junk), ApiError::default());
        }
    }

    #[test]
    fn v2_problems_map_by_type_then_status() {
        let not_found = r#"{"errors":[{"value":"nobody","detail":"Could not find user with username: [nobody].","title":"Not Found Error","resource_type":"user","parameter":"username","resource_id":"nobody","type":"https://api.twitter.com/2/problems/resource-not-found"}]}"#;
        let e = api_failure(200, not_found.as_bytes(), None, &NONE);
        assert_eq!(
            (e.kind, e.http_status, e.api_code),
            (ErrorKind::NotFound, 200, 0)
        );
        assert_eq!(
            e.message,
            "HTTP 200: Could not find user with username: [nobody]."
        );
        let cases: &[(u16, &str, ErrorKind)] = &[
            (
                403,
                r#"{"title":"Client Forbidden","detail":"Attach your App to a Project.","reason":"client-not-enrolled","type":"https://api.twitter.com/2/problems/client-forbidden"}"#,
                ErrorKind::AccessTier,
            ),
            // client-forbidden for another reason stays a plain refusal.
            (
                403,
                r#"{"title":"Client Forbidden","detail":"No.","reason":"official-client-forbidden","type":"https://api.twitter.com/2/problems/client-forbidden"}"#,
                ErrorKind::Forbidden,
            ),
            (
                403,
                r#"{"title":"Unsupported Authentication","detail":"Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.","type":"https://api.twitter.com/2/problems/unsupported-authentication","status":403}"#,
                ErrorKind::AppPermission,
            ),
            (
                403,
                r#"{"title":"Forbidden","status":403,"detail":"Your client app is not configured with the appropriate oauth1 app permissions for this endpoint.","type":"https://api.twitter.com/2/problems/oauth1-permissions"}"#,
                ErrorKind::AppPermission,
            ),
            // X sends code 453 in v2 answers too, in the 1.1 shape.
            (
                403,
                r#"{"errors":[{"message":"You currently have access to a subset of X API V2 endpoints and limited v1.1 endpoints (e.g. media post, oauth) only.","code":453}]}"#,
                ErrorKind::AccessTier,
            ),
            (
                429,
                r#"{"title":"UsageCapExceeded","detail":"Usage cap exceeded: Monthly product cap","type":"https://api.x.com/2/problems/usage-capped","status":429}"#,
                ErrorKind::UsageCapped,
            ),
            // A cap is a cap whatever the status X sends it with.
            (
                403,
                r#"{"title":"UsageCapExceeded","detail":"Usage cap exceeded: Monthly product cap","type":"https://api.x.com/2/problems/usage-capped"}"#,
                ErrorKind::UsageCapped,
            ),
            (
                402,
                r#"{"title":"CreditsDepleted","detail":"Your enrolled account [1] does not have any credits to fulfill this request.","type":"https://api.x.com/2/problems/credits-depleted"}"#,
                ErrorKind::PaymentRequired,
            ),
            // The title alone says it, whatever the status.
            (
                403,
                r#"{"title":"CreditsDepleted","detail":"No credits."}"#,
                ErrorKind::PaymentRequired,
            ),
            (402, "", ErrorKind::PaymentRequired),
            (
                429,
                r#"{"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429}"#,
                ErrorKind::RateLimited,
            ),
            (
                401,
                r#"{"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}"#,
                ErrorKind::Auth,
            ),
            (
                403,
                r#"{"title":"Forbidden","type":"about:blank","status":403,"detail":"You are not allowed to follow this user."}"#,
                ErrorKind::Forbidden,
            ),
            (
                400,
                r#"{"errors":[{"parameters":{"target_user_id":["x"]},"message":"The `target_user_id` query parameter value [x] is not valid"}],"title":"Invalid Request","detail":"One or more parameters to your request was invalid.","type":"https://api.twitter.com/2/problems/invalid-request"}"#,
                ErrorKind::HttpError,
            ),
            (
                503,
                r#"{"title":"Service Unavailable","type":"about:blank","status":503,"detail":"Service Unavailable"}"#,
                ErrorKind::ServerError,
            ),
            // A Twitter code still decides first.
            (
                403,
                r#"{"errors":[{"code":162,"message":"Blocked.","type":"https://api.twitter.com/2/problems/client-forbidden"}]}"#,
                ErrorKind::Blocked,
            ),
            // The follow refusals that have their own status in 1.1, worded as 1.1 words them.
            (
                403,
                r#"{"title":"Forbidden","type":"about:blank","status":403,"detail":"You have been blocked from following this account at the request of the user."}"#,
                ErrorKind::Blocked,
            ),
            (
                403,
                r#"{"title":"Forbidden","type":"about:blank","status":403,"detail":"You are unable to follow more people at this time."}"#,
                ErrorKind::FollowLimit,
            ),
            (
                403,
                r#"{"title":"Forbidden","detail":"You've already requested to follow x."}"#,
                ErrorKind::AlreadyRequested,
            ),
            // ...only on a codeless 403.
            (
                400,
                r#"{"title":"Bad","detail":"You have been blocked from following this account."}"#,
                ErrorKind::HttpError,
            ),
            (
                403,
                r#"{"errors":[{"code":226,"message":"You are unable to follow more people (automated)."}]}"#,
                ErrorKind::Forbidden,
            ),
            // Unknown problem types fall back to the status.
            (
                404,
                r#"{"title":"x","type":"https://api.twitter.com/2/problems/something-new"}"#,
                ErrorKind::NotFound,
            ),
        ];
        for &(status, body, kind) in cases {
            let e = err(status, body);
            assert_eq!((e.kind, e.http_status), (kind, status), "{body}");
            assert!(
                e.message.starts_with(&format!("HTTP {status}")),
                "{}",
                e.message
            );
        }
        assert_eq!(
            err(403, r#"{"title":"Forbidden","type":"about:blank","status":403,"detail":"You are not allowed to follow this user."}"#).message,
            "HTTP 403: Forbidden: You are not allowed to follow this user."
        );
    }

    #[test]
    fn pay_per_use_refusals_keep_x_detail_then_say_what_to_do() {
        let e = err(
            402,
            r#"{"title":"CreditsDepleted","detail":"Your enrolled account [1500000001] does not have any credits to fulfill this request.","type":"https://api.x.com/2/problems/credits-depleted"}"#,
        );
        assert_eq!(e.kind, ErrorKind::PaymentRequired);
        assert_eq!(
            e.message,
            format!("HTTP 402: CreditsDepleted: Your enrolled account [1500000001] does not have any credits to fulfill this request. To fix: {}", advice::PAYMENT)
        );
        let problem = e.problem.unwrap();
        assert_eq!(problem.title.as_deref(), Some("CreditsDepleted"));
        assert!(err(402, "").message.ends_with(advice::PAYMENT));
        let e = err(
            429,
            r#"{"title":"UsageCapExceeded","detail":"Usage cap exceeded: Monthly product cap","type":"https://api.x.com/2/problems/usage-capped","period":"Monthly","scope":"Product"}"#,
        );
        assert_eq!(e.kind, ErrorKind::UsageCapped);
        assert!(
            e.message.starts_with(
                "HTTP 429: UsageCapExceeded: Usage cap exceeded: Monthly product cap. To fix: "
            ),
            "{}",
            e.message
        );
        assert!(e
            .message
            .contains("resets with the billing period, not with a rate window"));
    }

    #[test]
    fn problem_members_reach_the_message_and_the_error() {
        let e = err(
            403,
            r#"{"title":"Client Forbidden","detail":"Attach your App to a Project.","reason":"client-not-enrolled","required_enrollment":"Appropriate Level of API Access","registration_url":"https://developer.x.com/en/portal/product","type":"https://api.twitter.com/2/problems/client-forbidden"}"#,
        );
        assert_eq!(e.kind, ErrorKind::AccessTier);
        assert_eq!(
            e.message,
            format!("HTTP 403: Client Forbidden: Attach your App to a Project. (reason: client-not-enrolled; required enrollment: Appropriate Level of API Access; registration: https://developer.x.com/en/portal/product) To fix: {}", advice::NOT_ENROLLED)
        );
        assert_eq!(
            *e.problem.unwrap(),
            Problem {
                type_uri: Some("https://api.twitter.com/2/problems/client-forbidden".into()),
                title: Some("Client Forbidden".into()),
                detail: Some("Attach your App to a Project.".into()),
                reason: Some("client-not-enrolled".into()),
                required_enrollment: Some("Appropriate Level of API Access".into()),
                registration_url: Some("https://developer.x.com/en/portal/product".into()),
            }
        );
        // Each member is redacted like the text.
        let redactor = Redactor::new(
            ["ck-0123456789", "tokenSECRET0123", "at-0123456789", "x"],
            "",
        );
        let e = api_failure(
            403,
            br#"{"title":"Client Forbidden","detail":"d","reason":"tokenSECRET0123","registration_url":"https://x.example/?t=tokenSECRET0123","type":"https://api.twitter.com/2/problems/client-forbidden"}"#,
            None,
            &redactor,
        );
        assert!(!e.message.contains("tokenSECRET"), "{}", e.message);
        assert!(!format!("{:?}", e.problem).contains("tokenSECRET"));
        // 1.1 errors have no problem members.
        assert_eq!(
            err(403, r#"{"errors":[{"code":453,"message":"m"}]}"#).problem,
            None
        );
    }

    #[test]
    fn the_reset_that_binds_is_the_latest_spent_window() {
        let window = |remaining, reset_epoch| {
            Some(RateLimit {
                limit: 50,
                remaining,
                reset_epoch,
            })
        };
        let limited = |rate_limit, user, app| Error {
            rate_limit,
            day_budgets: Some(Box::new(DayBudgets { user, app })),
            ..Error::new(ErrorKind::RateLimited, "")
        };
        // Only the user's 24-hour budget is spent: its reset binds, not the window's.
        assert_eq!(
            limited(window(49, 100), window(0, 5000), window(7, 9000)).binding_reset(),
            Some(5000)
        );
        // Both 24-hour budgets spent: the later one.
        assert_eq!(
            limited(window(49, 100), window(0, 5000), window(0, 9000)).binding_reset(),
            Some(9000)
        );
        // Nothing says it is spent: the 15-minute reset, as before.
        assert_eq!(
            limited(window(3, 100), None, None).binding_reset(),
            Some(100)
        );
        assert_eq!(limited(None, None, None).binding_reset(), None);
        // Only rate limits have one.
        let mut capped = limited(window(0, 100), None, None);
        capped.kind = ErrorKind::UsageCapped;
        assert_eq!(capped.binding_reset(), None);
        let text = spent_window_text(
            window(49, 100),
            DayBudgets {
                user: window(0, 5000),
                app: None,
            },
        );
        assert!(
            text.starts_with(
                "; the user's 24-hour budget is spent (0 of 50 left), it resets at 5000"
            ),
            "{text}"
        );
        let text = spent_window_text(window(3, 100), DayBudgets::default());
        assert!(
            text.starts_with("; the rate-limit window resets at 100"),
            "{text}"
        );
    }

    #[test]
    fn certificate_refusals_in_plain_words() {
        use rustls::pki_types::{ServerName, UnixTime};
        use rustls::{CertificateError as Problem, OtherError};
        use std::sync::Arc;
        let refusal = |problem: Problem, ca_file: Option<&str>| {
            certificate_refusal(&rustls::Error::InvalidCertificate(problem), ca_file).unwrap()
        };
        let ca_used = || Problem::Other(OtherError(Arc::new(webpki::Error::CaUsedAsEndEntity)));
        let at = |seconds| UnixTime::since_unix_epoch(Duration::from_secs(seconds));
        let cases = [
            (refusal(Problem::UnknownIssuer, None), "unknown issuer: the server's certificate is not signed by a certificate authority the library trusts (for a private or self-signed server, give its certificate as the CA file)"),
            (refusal(ca_used(), None), "CA used as server certificate: the server presented a certificate authority's certificate as its own (for a self-signed server, give its certificate as the CA file)"),
            (refusal(ca_used(), Some("/etc/ca.pem")), "CA used as server certificate: the server presented a certificate authority's certificate as its own, and it is not one of the certificates in the CA file \"/etc/ca.pem\" (only those are trusted as they are)"),
            (
                refusal(
                    Problem::NotValidForNameContext {
                        expected: ServerName::try_from("api.example").unwrap(),
                        presented: vec![
                            "DnsName(\"localhost\")".into(),
                            "IpAddress(127.0.0.1)".into(),
                            "DirectoryName".into(),
                        ],
                    },
                    None,
                ),
                "name mismatch: the server's certificate is for localhost, 127.0.0.1, DirectoryName, not for api.example",
            ),
            (
                refusal(
                    Problem::NotValidForNameContext {
                        expected: ServerName::try_from("127.0.0.1").unwrap(),
                        presented: vec![],
                    },
                    None,
                ),
                "name mismatch: the server's certificate is for no name, not for 127.0.0.1",
            ),
            (refusal(Problem::ExpiredContext { time: at(1_700_000_000), not_after: at(1_609_459_200) }, None), "expired: the server's certificate expired on Fri, 01 Jan 2021 00:00:00 GMT"),
            (refusal(Problem::Expired, None), "expired: the server's certificate has expired"),
            (refusal(Problem::NotValidYet, None), "not yet valid: the server's certificate is not valid yet (is this computer's clock right?)"),
            (refusal(Problem::Revoked, None), "revoked: the server's certificate has been revoked"),
            (refusal(Problem::BadSignature, None), "bad signature: the server's certificate is not signed by the key it names as its issuer's"),
            (refusal(Problem::InvalidPurpose, None), "wrong purpose: the server's certificate is not for TLS servers (extended key usage)"),
        ];
        for (message, expected) in cases {
            assert_eq!(message, expected);
        }
        // Not a certificate problem: the caller keeps rustls' own words.
        assert_eq!(
            certificate_refusal(&rustls::Error::HandshakeNotComplete, None),
            None
        );
    }

    #[test]
    fn messages_for_bodies_without_errors() {
        assert_eq!(
            err(502, "<html>Bad Gateway</html>").message,
            "HTTP 502: response body is not a Twitter error (24 bytes)"
        );
        assert_eq!(err(500, "").message, "HTTP 500: empty response body");
        let e =
            map_response(302, Vec::new(), Some("https://elsewhere.example/x"), &NONE).unwrap_err();
        assert_eq!(e.kind, ErrorKind::HttpError);
        assert_eq!(e.http_status, 302);
        assert_eq!(
            e.message,
            "HTTP 302: redirect not followed (Location: https://elsewhere.example/x)"
        );
    }

    #[test]
    fn api_text_is_redacted_before_it_is_cut() {
        // The secret straddles the 300-character cut: cut first, its head would survive.
        let secret = "tokenSECRETabcdef0123456789";
        let redactor = Redactor::new(["ck-0123456789", secret, "at-0123456789", "x"], "");
        for lead in 290..300 {
            let text = format!("{} {secret} trailing words", "w".repeat(lead));
            // Code 226: a refusal without advice, so the cut text ends the message.
            let body = serde_json::json!({"errors":[{"code":226,"message": text}]}).to_string();
            let e = api_failure(403, body.as_bytes(), None, &redactor);
            for n in 4..=secret.len() {
                assert!(!e.message.contains(&secret[..n]), "{lead}: {}", e.message);
            }
            assert!(e.message.ends_with('…'), "{}", e.message);
        }
        let e = api_failure(
            302,
            b"",
            Some(&format!("https://x.example/{}?t={secret}", "p".repeat(190))),
            &redactor,
        );
        assert!(!e.message.contains("tokenSECRET"), "{}", e.message);
    }

    #[test]
    fn api_text_is_one_bounded_line() {
        let long = "word\n".repeat(1000);
        let e = err(
            403,
            &format!(
                r#"{{"errors":[{{"code":1,"message":{}}}]}}"#,
                serde_json::to_string(&long).unwrap()
            ),
        );
        assert!(!e.message.contains('\n'));
        assert!(e.message.chars().count() < 400, "{}", e.message);
        assert_eq!(one_line("a\r\n\tb\u{0}c  ", 10), "a b c");
        assert_eq!(one_line("abcdef", 3), "abc…");
    }

    #[test]
    fn success_body_must_be_a_json_object() {
        let ok = r#"{"id":1,"url":"https:\/\/t.co"}"#;
        // Numbers beyond f64 are valid JSON and passed on as sent.
        let huge = r#"{"n":1122222222222222e22222222}"#;
        assert_eq!(map_response(200, huge.into(), None, &NONE).unwrap(), huge);
        assert_eq!(map_response(200, ok.into(), None, &NONE).unwrap(), ok);
        assert_eq!(
            map_response(201, b" {}".to_vec(), None, &NONE).unwrap(),
            " {}"
        );
        for bad in [
            &b""[..],
            b"[]",
            b"null",
            b"\"s\"",
            b"{",
            b"{}x",
            b"\xff{}",
            b"<html>",
        ] {
            let e = map_response(200, bad.to_vec(), None, &NONE).unwrap_err();
            assert_eq!(
                (e.kind, e.http_status),
                (ErrorKind::BadResponse, 200),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn lookup_answers() {
        assert_eq!(
            v2_user_id(
                200,
                r#"{"data":{"id":"2244994945","name":"X","username":"TwitterDev"}}"#,
                &NONE
            ),
            Ok(2244994945)
        );
        let e = v2_user_id(200, r#"{"errors":[{"detail":"Could not find user with username: [nobody].","title":"Not Found Error","type":"https://api.twitter.com/2/problems/resource-not-found"}]}"#, &NONE).unwrap_err();
        assert_eq!((e.kind, e.http_status), (ErrorKind::NotFound, 200));
        for bad in [
            r#"{"data":{"id":2244994945}}"#,
            r#"{"data":{"id":"0"}}"#,
            r#"{"data":{"id":"10000000000000000000"}}"#,
            r#"{"data":{"id":"-1"}}"#,
            r#"{"data":[]}"#,
            r#"{"data":null}"#,
            r#"{}"#,
            r#"{"n":1e999999}"#,
        ] {
            let e = v2_user_id(200, bad, &NONE).unwrap_err();
            assert_eq!(e.kind, ErrorKind::BadResponse, "{bad}");
            assert!(e.message.starts_with("HTTP 200, but"), "{}", e.message);
        }
    }

    #[test]
    fn follow_answers() {
        check_v2_follow_answer(
            200,
            r#"{"data":{"following":true,"pending_follow":false}}"#,
            &NONE,
        )
        .unwrap();
        check_v2_follow_answer(
            200,
            r#"{"data":{"following":false,"pending_follow":true}}"#,
            &NONE,
        )
        .unwrap();
        let e = check_v2_follow_answer(200, r#"{"data":{"following":"yes"}}"#, &NONE).unwrap_err();
        assert_eq!(e.kind, ErrorKind::BadResponse);
        let e = check_v2_follow_answer(
            200,
            r#"{"errors":[{"title":"Forbidden","type":"about:blank","detail":"No."}]}"#,
            &NONE,
        )
        .unwrap_err();
        assert_eq!(
            (e.kind, e.message.as_str()),
            (ErrorKind::HttpError, "HTTP 200: No.")
        );
    }
}
