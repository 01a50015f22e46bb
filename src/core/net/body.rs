//! Reading an answer: the body within its limits, the rate-limit headers and the
//! server's clock, a 2xx checked for what the call needs, a refusal mapped through
//! `proto`.

use zeroize::Zeroizing;

use crate::core::auth::answer_failure;
use crate::core::error::{spent_windows, DayBudgets, Error, ErrorKind, RateLimit};
use crate::core::net::failure::transport_error;
use crate::core::net::trace::RequestTrace;
use crate::core::proto::answer::{utf8, Followed};
use crate::core::proto::refusal::{kind_for, map_response};
use crate::core::proto::v2::{check_v2_follow_answer, v2_user};
use crate::core::settings::Settings;
use crate::core::sys::clock::unix_now;
use crate::core::wire::redact::Redactor;

/// Largest error body read for its Twitter code; a larger one is mapped by status alone.
const MAX_ERROR_BODY_BYTES: u64 = 64 * 1024;

/// What a 429's message adds: which windows are spent and when each resets
/// ("; the user's 24-hour budget is spent (0 of 1000 left), it resets at … (in … s)"),
/// or the 15-minute reset when no window says it is spent.
/// "In … s" is measured against `now`, the server's clock when the answer said it.
fn spent_window_text(rate_limit: Option<RateLimit>, day_budgets: DayBudgets, now: i64) -> String {
    let resets = |limit: &RateLimit| {
        format!(
            "resets at {} (in {} s)",
            limit.reset_epoch,
            limit.reset_epoch.saturating_sub(now).max(0)
        )
    };
    let spent = spent_windows(rate_limit, day_budgets);
    if spent.is_empty() {
        return rate_limit.map_or_else(String::new, |limit| {
            format!("; the rate-limit window {}", resets(&limit))
        });
    }
    spent
        .iter()
        .map(|(window, limit)| {
            let of_limit = if limit.limit < 0 {
                String::new()
            } else {
                format!(" of {}", limit.limit)
            };
            format!(
                "; {} is spent ({}{of_limit} left), it {}",
                window,
                limit.remaining.max(0),
                resets(limit)
            )
        })
        .collect()
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

/// Reads one response. Every piece of text from outside that goes into a message
/// passes through `redactor` before it is cut to length. `trace` (when tracing)
/// receives the start of a non-2xx body.
pub(crate) fn read_response(
    settings: &Settings,
    mut response: ureq::http::Response<ureq::Body>,
    answer: Answer,
    redactor: &Redactor<'_>,
    trace: Option<&RequestTrace<'_>>,
) -> Result<Followed, Error> {
    let status = response.status().as_u16();
    let headers = response.headers();
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let location = header("location").map(str::to_owned);
    // All three formats RFC 9110 (5.6.7) has recipients accept.
    let server_clock = header("date")
        .and_then(|date| httpdate::parse_http_date(date.trim()).ok())
        .and_then(|time| time.duration_since(std::time::UNIX_EPOCH).ok())
        .and_then(|since| i64::try_from(since.as_secs()).ok());
    // One reader for the three families: `x-rate-limit-*`, `x-user-limit-24hour-*`,
    // `x-app-limit-24hour-*`. `-remaining` and `-reset` make a window; `-limit` may be
    // missing (-1), and a window at 0 remaining is spent all the same. A header that is
    // there but not a number spoils its window (none is better than a guessed one).
    let window = |prefix: &str| {
        let field = |name: &str| header(&format!("{prefix}-{name}"))?.trim().parse().ok();
        let limit = match headers.get(format!("{prefix}-limit")) {
            None => -1,
            Some(_) => field("limit")?,
        };
        Some(RateLimit {
            limit,
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
            Answer::V2User => v2_user(status, &json, redactor).map(drop),
            Answer::V2Follow => check_v2_follow_answer(status, &json, redactor),
        }
        .map(|()| json)
    })
    .map_err(|mut e| {
        if e.kind == ErrorKind::RateLimited {
            let now = server_clock.unwrap_or_else(unix_now);
            e.message
                .push_str(&spent_window_text(rate_limit, day_budgets, now));
        }
        e.server_clock = server_clock;
        e.rate_limit = rate_limit;
        e.day_budgets = (day_budgets != DayBudgets::default()).then(|| Box::new(day_budgets));
        e
    });
    result.map(|json| Followed {
        json,
        http_status: status,
        rate_limit,
        day_budgets,
    })
}

fn read_body(
    settings: &Settings,
    response: &mut ureq::http::Response<ureq::Body>,
    status: u16,
    location: Option<&str>,
    answer: Answer,
    redactor: &Redactor<'_>,
    trace: Option<&RequestTrace<'_>>,
) -> Result<Zeroizing<String>, Error> {
    let success = (200..300).contains(&status);
    let limit = if success {
        MAX_BODY_BYTES
    } else {
        MAX_ERROR_BODY_BYTES
    };
    let mut body = match read_to_vec(response.body_mut(), limit) {
        Ok(body) => body,
        Err(ureq::Error::BodyExceedsLimit(_)) if success => {
            let what = format!("the body is larger than {limit} bytes");
            return Err(Error::bad_response(status, &what));
        }
        Err(ureq::Error::BodyExceedsLimit(_)) => {
            let message =
                format!("HTTP {status}: response body is larger than {limit} bytes (not read)");
            return Err(Error {
                http_status: status,
                ..Error::new(kind_for(status, 0), message)
            });
        }
        Err(e) => return Err(transport_error(settings, e, status, redactor)),
    };
    if let Some(trace) = trace.filter(|_| !success) {
        trace.body_excerpt(&body);
    }
    match answer {
        // The OAuth 1.0a token endpoints answer a form, and often refuse in plain
        // text ("Invalid oauth_verifier parameter"), which the message then quotes.
        Answer::Form if success => utf8(status, body),
        Answer::Form => Err(answer_failure(status, &body, redactor)),
        _ => map_response(status, std::mem::take(&mut *body), location, redactor),
    }
}

/// The body, up to `limit` bytes, in one allocation when the server said its length
/// (ureq's `read_to_vec` grows from empty: seven allocations for a user object),
/// with one byte to spare for the NUL of the C string it may become. A body of
/// unknown length grows by hand, each outgrown block wiped: a token answer must not
/// leave copies in freed memory.
fn read_to_vec(body: &mut ureq::Body, limit: u64) -> Result<Zeroizing<Vec<u8>>, ureq::Error> {
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
    Ok(out)
}

/// Largest 2xx body accepted (after gzip decoding).
pub const MAX_BODY_BYTES: u64 = 1 << 20;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hostile_reset_time_neither_overflows_nor_goes_negative() {
        let window = |reset_epoch| RateLimit {
            limit: 15,
            remaining: 0,
            reset_epoch,
        };
        let text = spent_window_text(Some(window(i64::MIN)), DayBudgets::default(), 1_000);
        assert!(text.ends_with("(in 0 s)"), "{text}");
        let text = spent_window_text(Some(window(i64::MAX)), DayBudgets::default(), -1_000);
        assert!(text.contains(&format!("(in {} s)", i64::MAX)), "{text}");
    }

    #[test]
    fn form_refusals_never_echo_request_secrets() {
        let secret = "RequestTokenSecret123";
        let secrets = [secret];
        let redactor = Redactor::NONE.with_extra(&secrets);
        for body in [
            format!("Invalid request token {secret}"),
            format!(r#"{{"errors":[{{"code":89,"message":"bad token {secret}"}}]}}"#),
            format!(r#"{{"title":"Unauthorized","detail":"token {secret} expired"}}"#),
        ] {
            let e = answer_failure(401, body.as_bytes(), &redactor);
            assert!(!e.message.contains(secret), "{}", e.message);
            assert!(e.message.contains("[redacted]"), "{}", e.message);
        }
    }

    /// RFC 9110 5.6.7's own example, in each of the three formats it has recipients
    /// accept, read from an answer as the clock correction reads it; other text is none.
    #[test]
    fn date_headers_in_all_three_formats_give_the_server_clock() {
        let settings = Settings::new(crate::core::settings::tests::creds()).unwrap();
        let clock = |date: &str| {
            let response = ureq::http::Response::builder()
                .status(401)
                .header("date", date)
                .body(ureq::Body::builder().data(r#"{"id":1}"#))
                .unwrap();
            let read = read_response(&settings, response, Answer::User, &Redactor::NONE, None);
            read.unwrap_err().server_clock
        };
        for date in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
        ] {
            assert_eq!(clock(date), Some(784_111_777), "{date}");
        }
        for bad in ["Sun, 06 Nov 1994 08:49:37 UTC", "1994-11-06T08:49:37Z", ""] {
            assert_eq!(clock(bad), None, "{bad}");
        }
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
            0,
        );
        assert!(
            text.starts_with(
                "; the user's 24-hour budget is spent (0 of 50 left), it resets at 5000"
            ),
            "{text}"
        );
        let text = spent_window_text(window(3, 100), DayBudgets::default(), 0);
        assert_eq!(text, "; the rate-limit window resets at 100 (in 100 s)");
        // Without `-limit`, the window is spent at 0 all the same, and said so.
        let no_limit = Some(RateLimit {
            limit: -1,
            remaining: 0,
            reset_epoch: 5000,
        });
        let text = spent_window_text(
            None,
            DayBudgets {
                user: no_limit,
                app: None,
            },
            4000,
        );
        assert_eq!(
            text,
            "; the user's 24-hour budget is spent (0 left), it resets at 5000 (in 1000 s)"
        );
        assert!(limited(None, no_limit, None).spends_a_day_budget());
        assert!(!limited(window(0, 100), None, None).spends_a_day_budget());
    }
}
