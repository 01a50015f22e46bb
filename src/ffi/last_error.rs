//! The thread's last error and the getters that read it.
//!
//! The storage is a thread-local. While a thread's thread-locals are being
//! destroyed (an `atexit` handler after `exit()`, a `pthread_key_create`
//! destructor), it can no longer be reached: a call then records nothing and the
//! getters answer as if nothing had been recorded (`""`, 0, 0,
//! `TW_STATUS_NO_RATE_LIMIT`), rather than aborting the host.

use std::cell::RefCell;
use std::ffi::{c_char, CString};

use super::boundary::{infallible, Failure};
use super::status::TwStatus;
use crate::core::{DayBudgets, Followed, Problem, RateLimit};

#[derive(Default)]
struct LastError {
    message: CString,
    http_status: i32,
    api_code: i32,
    rate_limit: Option<RateLimit>,
    day_budgets: DayBudgets,
    /// When a rate-limited request may succeed again (0: not rate limited, or not said).
    reset_at: i64,
    problem: ProblemFields,
    /// HTTP requests the last fallible call sent.
    request_count: i32,
}

/// The problem's members as C strings, `""` for each one not sent.
#[derive(Default)]
struct ProblemFields {
    type_uri: CString,
    title: CString,
    detail: CString,
    reason: CString,
    required_enrollment: CString,
    registration_url: CString,
}

impl ProblemFields {
    fn from(problem: Option<&Problem>) -> ProblemFields {
        let Some(problem) = problem else {
            return ProblemFields::default();
        };
        let c = |field: &Option<String>| c_string(field.as_deref().unwrap_or(""));
        ProblemFields {
            type_uri: c(&problem.type_uri),
            title: c(&problem.title),
            detail: c(&problem.detail),
            reason: c(&problem.reason),
            required_enrollment: c(&problem.required_enrollment),
            registration_url: c(&problem.registration_url),
        }
    }
}

thread_local! {
    static LAST_ERROR: RefCell<LastError> = RefCell::new(LastError::default());
}

/// Text from outside holds no NUL in practice; the replacement only guards the invariant.
fn c_string(text: &str) -> CString {
    CString::new(text.replace('\0', "\\0")).unwrap_or_default()
}

/// Replaces what this thread's getters report; never panics. The request count is
/// kept: only [`record_request_count`] sets it.
fn store(new: LastError) {
    let _ = LAST_ERROR.try_with(|last| {
        if let Ok(mut last) = last.try_borrow_mut() {
            *last = LastError {
                request_count: last.request_count,
                ..new
            };
        }
    });
}

/// Records the outcome of a call for this thread's getters; never panics.
pub(crate) fn record(
    message: &str,
    http_status: u16,
    api_code: i32,
    rate_limit: Option<RateLimit>,
) {
    store(LastError {
        message: c_string(message),
        http_status: i32::from(http_status),
        api_code,
        rate_limit,
        ..LastError::default()
    });
}

/// Records a failed call, with what its response said (limits, problem).
pub(crate) fn record_failure(failure: &Failure) {
    store(LastError {
        message: c_string(&failure.message),
        http_status: i32::from(failure.http_status),
        api_code: failure.api_code,
        rate_limit: failure.rate_limit,
        day_budgets: failure.day_budgets.as_deref().copied().unwrap_or_default(),
        reset_at: failure.reset_at,
        problem: ProblemFields::from(failure.problem.as_deref()),
        request_count: 0,
    });
}

/// Records a successful answer: its status and limits.
pub(crate) fn record_answer(answer: &Followed) {
    store(LastError {
        http_status: i32::from(answer.http_status),
        rate_limit: answer.rate_limit,
        day_budgets: answer.day_budgets,
        ..LastError::default()
    });
}

/// Records how many requests the last fallible call sent.
pub(crate) fn record_request_count(count: u64) {
    let _ = LAST_ERROR.try_with(|last| {
        if let Ok(mut last) = last.try_borrow_mut() {
            last.request_count = i32::try_from(count).unwrap_or(i32::MAX);
        }
    });
}

/// Runs `call` (an application callback, which may make `tw_` calls of its own) and
/// then puts back what the calling `tw_` function had recorded so far, so its
/// outcome is not replaced by that of a call made from inside the callback.
pub(crate) fn preserved(call: impl FnOnce()) {
    // Taken out whole (the callback's calls record into a fresh one), put back after.
    let saved = LAST_ERROR
        .try_with(|last| {
            last.try_borrow_mut()
                .map(|mut last| std::mem::take(&mut *last))
                .ok()
        })
        .ok()
        .flatten();
    call();
    if let Some(saved) = saved {
        let _ = LAST_ERROR.try_with(|last| {
            if let Ok(mut last) = last.try_borrow_mut() {
                *last = saved;
            }
        });
    }
}

/// Reads this thread's last error, or `fallback` once the thread's storage is gone.
fn read<T>(fallback: T, get: impl FnOnce(&LastError) -> T) -> T {
    LAST_ERROR
        .try_with(|last| last.try_borrow().map(|last| get(&last)).ok())
        .ok()
        .flatten()
        .unwrap_or(fallback)
}

/// The `x-rate-limit-limit`, `-remaining` and `-reset` headers (reset in seconds
/// since the Unix epoch) of the last response on this thread. Each output pointer
/// may be NULL if you do not need it.
///
/// Returns `TW_STATUS_OK` with the outputs written, or `TW_STATUS_NO_RATE_LIMIT`
/// when the last call got no response or the response had no such headers (the
/// v1.1 follow endpoint usually sends none). Unlike other functions returning a
/// status, this one is a getter: it leaves the last error as it is.
///
/// # Safety
/// Each pointer is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tw_last_rate_limit(
    limit: *mut i64,
    remaining: *mut i64,
    reset_epoch: *mut i64,
) -> TwStatus {
    infallible(TwStatus::Internal, || {
        let Some(rate) = read(None, |last| last.rate_limit) else {
            return TwStatus::NoRateLimit;
        };
        for (out, value) in [
            (limit, rate.limit),
            (remaining, rate.remaining),
            (reset_epoch, rate.reset_epoch),
        ] {
            if !out.is_null() {
                *out = value;
            }
        }
        TwStatus::Ok
    })
}

/// The 24-hour budgets of the last response on this thread, which X sends beside
/// the 15-minute window of `tw_last_rate_limit`: the user's
/// (`x-user-limit-24hour-limit`, `-remaining`, `-reset`) and the app's, all users
/// together (`x-app-limit-24hour-…`); resets in seconds since the Unix epoch. Each
/// output pointer may be NULL if you do not need it. A budget the response did not
/// carry gets -1 in each of its three outputs.
///
/// Returns `TW_STATUS_OK` with the outputs written when the response carried at least
/// one of the two, or `TW_STATUS_NO_RATE_LIMIT` (nothing written) when it carried
/// neither or no response arrived. A getter: it leaves the last error as it is.
///
/// # Safety
/// Each pointer is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tw_last_day_budgets(
    user_limit: *mut i64,
    user_remaining: *mut i64,
    user_reset_epoch: *mut i64,
    app_limit: *mut i64,
    app_remaining: *mut i64,
    app_reset_epoch: *mut i64,
) -> TwStatus {
    infallible(TwStatus::Internal, || {
        let budgets = read(DayBudgets::default(), |last| last.day_budgets);
        if budgets == DayBudgets::default() {
            return TwStatus::NoRateLimit;
        }
        let fields = |budget: Option<RateLimit>| {
            budget.map_or([-1; 3], |b| [b.limit, b.remaining, b.reset_epoch])
        };
        let [ul, ur, ue] = fields(budgets.user);
        let [al, ar, ae] = fields(budgets.app);
        for (out, value) in [
            (user_limit, ul),
            (user_remaining, ur),
            (user_reset_epoch, ue),
            (app_limit, al),
            (app_remaining, ar),
            (app_reset_epoch, ae),
        ] {
            if !out.is_null() {
                *out = value;
            }
        }
        TwStatus::Ok
    })
}

/// After `TW_STATUS_RATE_LIMITED`: when the refused request may succeed again, in
/// seconds since the Unix epoch. That is the reset that binds: the latest reset of
/// the windows the response says are spent (15-minute window, user's or app's 24-hour
/// budget), or the 15-minute reset when none says it is spent. 0 after any other
/// outcome, or when the response said no reset. A getter: it leaves the last error as
/// it is.
#[no_mangle]
pub extern "C" fn tw_last_reset_at() -> i64 {
    infallible(0, || read(0, |last| last.reset_at))
}

/// How many HTTP requests the last fallible call on this thread sent: user lookups,
/// `2/users/me`, token refreshes, the request itself, its retries and the
/// clock-correction retry, each counted once it was handed to the network (a
/// connection that failed counts: the library cannot know it never arrived). 0 when
/// nothing was sent (a refused argument or target). Under pay-per-use each request
/// may be charged: docs/x-api-access.md says what each call costs. A getter: it
/// leaves the last error as it is.
#[no_mangle]
pub extern "C" fn tw_last_request_count() -> i32 {
    infallible(0, || read(0, |last| last.request_count))
}

/// A member of an API v2 problem, for `tw_last_problem`. Numbers never change.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TwProblemField {
    /// `type`, e.g. `https://api.x.com/2/problems/usage-capped`.
    Type = 0,
    /// `title`, e.g. `CreditsDepleted`, `UsageCapExceeded`, `Client Forbidden`.
    Title = 1,
    /// `detail`: X's explanation.
    Detail = 2,
    /// `reason`, e.g. `client-not-enrolled`.
    Reason = 3,
    /// `required_enrollment`: the access the endpoint needs.
    RequiredEnrollment = 4,
    /// `registration_url`: where to get it.
    RegistrationUrl = 5,
}

/// The members of the API v2 problem of the last failed call on this thread (RFC
/// 7807 problem details: `type`, `title`, `detail`, and X's `reason`,
/// `required_enrollment`, `registration_url`), each redacted and cut to length like
/// the message. `""` for a member the problem did not have, and for all of them when
/// the last call succeeded or its refusal was not a v2 problem. Never NULL.
///
/// Ownership: owned by the library; valid until the next `tw_` call on this thread.
/// `field` is a `TwProblemField` number (`TW_PROBLEM_FIELD_TITLE`, …); any other
/// number gives `""`.
#[no_mangle]
pub extern "C" fn tw_last_problem(field: i32) -> *const c_char {
    infallible(c"".as_ptr(), || {
        read(c"".as_ptr(), |last| {
            let p = &last.problem;
            use TwProblemField as F;
            let fields = [
                (F::Type, &p.type_uri),
                (F::Title, &p.title),
                (F::Detail, &p.detail),
                (F::Reason, &p.reason),
                (F::RequiredEnrollment, &p.required_enrollment),
                (F::RegistrationUrl, &p.registration_url),
            ];
            fields
                .iter()
                .find(|(which, _)| *which as i32 == field)
                .map_or(c"".as_ptr(), |(_, value)| value.as_ptr())
        })
    })
}

/// The message of the last failed call on this thread: one line, never NULL,
/// `""` after a success. Never contains a credential, a token or the signature:
/// each is replaced by `[redacted]` wherever it appears, as it is, percent-encoded,
/// form-encoded (`%7E`, `+`) or JSON-escaped, before any text from the server is cut to length (a credential under 6 bytes,
/// which no real one is, only where no letter or digit touches it).
///
/// Ownership: owned by the library; valid until the next `tw_` call on this thread.
///
/// Shutdown: every `tw_` function may be called while the thread's storage is
/// being torn down: from an `atexit` handler (after `exit()` or a return from
/// `main`) or from a `pthread_key_create` destructor. The last error can no longer
/// be kept then: the call itself works and returns its status, but records
/// nothing, and the getters answer as if nothing had been recorded (`""`, 0, 0,
/// `TW_STATUS_NO_RATE_LIMIT`). Nothing aborts the process (tested by
/// tests/c/teardown_atexit.c and tests/c/teardown_thread_key.c).
#[no_mangle]
pub extern "C" fn tw_last_error_message() -> *const c_char {
    infallible(c"".as_ptr(), || {
        read(c"".as_ptr(), |last| last.message.as_ptr())
    })
}

/// The HTTP status of the last response on this thread (200 after a successful
/// follow), or 0 when the last call got no response (or sent nothing).
#[no_mangle]
pub extern "C" fn tw_last_http_status() -> i32 {
    infallible(0, || read(0, |last| last.http_status))
}

/// The first Twitter error code of the last response on this thread, or 0 when there was none.
#[no_mangle]
pub extern "C" fn tw_last_api_error_code() -> i32 {
    infallible(0, || read(0, |last| last.api_code))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn message() -> String {
        read(String::new(), |last| {
            last.message.to_str().unwrap().to_owned()
        })
    }
}
