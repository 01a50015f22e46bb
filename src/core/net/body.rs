//! Reading an answer: the body within its limits, the rate-limit headers and the
//! server's clock, a 2xx checked for what the call needs, a refusal mapped through
//! `proto`.

use crate::core::auth::answer_failure;
use crate::core::error::{Error, ErrorKind, RateLimit};
use crate::core::net::failure::transport_error;
use crate::core::net::trace::RequestTrace;
use crate::core::proto::answer::Followed;
use crate::core::proto::refusal::{kind_for, map_response};
use crate::core::proto::v2::{check_v2_follow_answer, v2_user_id};
use crate::core::settings::Settings;
use crate::core::sys::clock::unix_now;
use crate::core::wire::httpdate::parse_http_date;
use crate::core::wire::redact::Redactor;

/// Largest error body read for its Twitter code; a larger one is mapped by status alone.
const MAX_ERROR_BODY_BYTES: u64 = 64 * 1024;

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
    let rate_limit = (|| {
        Some(RateLimit {
            limit: header("x-rate-limit-limit")?.trim().parse().ok()?,
            remaining: header("x-rate-limit-remaining")?.trim().parse().ok()?,
            reset_epoch: header("x-rate-limit-reset")?.trim().parse().ok()?,
        })
    })();
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
        if let (ErrorKind::RateLimited, Some(limit)) = (e.kind, rate_limit) {
            let wait = limit.reset_epoch - unix_now() as i64;
            e.message.push_str(&format!(
                "; the rate-limit window resets at {} (in {} s)",
                limit.reset_epoch,
                wait.max(0)
            ));
        }
        e.rate_limit = rate_limit;
        e
    });
    Received {
        result: result.map(|json| Followed {
            json,
            http_status: status,
            rate_limit,
        }),
        server_clock,
    }
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
                api_code: 0,
                rate_limit: None,
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
/// with one byte to spare for the NUL of the C string it may become.
fn read_to_vec(body: &mut ureq::Body, limit: u64) -> Result<Vec<u8>, ureq::Error> {
    use std::io::Read as _;
    let expected = body.content_length().unwrap_or(0).min(limit);
    let mut out = Vec::with_capacity(usize::try_from(expected).unwrap_or(0) + 1);
    body.with_config()
        .limit(limit)
        .reader()
        .read_to_end(&mut out)?;
    Ok(out)
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
        return Err(answer_failure(http_status, &body, &[]));
    }
    String::from_utf8(body).map_err(|_| Error::bad_response(http_status, "the body is not UTF-8"))
}

/// Largest 2xx body accepted (after gzip decoding).
pub const MAX_BODY_BYTES: u64 = 1 << 20;
