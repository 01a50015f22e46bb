//! The thread's last error: what a failed call records for the `tw_last_*` getters
//! (`getters`) to read.
//!
//! The storage is a thread-local. While a thread's thread-locals are being
//! destroyed (an `atexit` handler after `exit()`, a `pthread_key_create`
//! destructor), it can no longer be reached: a call then records nothing and the
//! getters answer as if nothing had been recorded (`""`, 0, 0,
//! `TW_STATUS_NO_RATE_LIMIT`), rather than aborting the host.

use std::cell::RefCell;
use std::ffi::CString;

use super::status::TwStatus;
use crate::core::{self, DayBudgets, Followed, Problem, RateLimit};

/// A failed call, as it will be reported through the `tw_last_*` getters.
pub(crate) struct Failure {
    pub status: TwStatus,
    /// What the getters report: the message and what the response said. Its kind
    /// is not read (the status says it); a failure of the C layer's own checks
    /// carries the message alone.
    pub error: core::Error,
}

impl Failure {
    pub fn new(status: TwStatus, message: impl Into<String>) -> Self {
        Failure {
            status,
            error: core::Error::new(core::ErrorKind::InvalidArgument, message),
        }
    }
}

impl From<core::Error> for Failure {
    fn from(error: core::Error) -> Self {
        Failure {
            status: TwStatus::from_kind(error.kind),
            error,
        }
    }
}

#[derive(Default)]
pub(crate) struct LastError {
    pub message: CString,
    pub http_status: i32,
    pub api_code: i32,
    pub rate_limit: Option<RateLimit>,
    pub day_budgets: DayBudgets,
    /// When a rate-limited request may succeed again (0: not rate limited, or not said).
    pub reset_at: i64,
    /// The v2 problem's members, indexed by `TwProblemField`.
    pub problem: [CString; 6],
    /// HTTP requests the last fallible call sent.
    pub request_count: i32,
}

/// A problem's members as C strings, in the order of `TwProblemField` (`""`: absent).
fn problem_fields(problem: Option<&Problem>) -> [CString; 6] {
    let Some(p) = problem else {
        return Default::default();
    };
    [
        &p.type_uri,
        &p.title,
        &p.detail,
        &p.reason,
        &p.required_enrollment,
        &p.registration_url,
    ]
    .map(|member| c_string(member.as_deref().unwrap_or("")))
}

thread_local! {
    static LAST_ERROR: RefCell<LastError> = RefCell::new(LastError::default());
}

/// Text from outside holds no NUL in practice; the replacement only guards the invariant.
fn c_string(text: &str) -> CString {
    CString::new(text.replace('\0', "\\0")).unwrap_or_default()
}

/// Changes the thread's last error; never panics (a thread being torn down, or a
/// getter's borrow still held, leaves it as it is).
fn change(f: impl FnOnce(&mut LastError)) {
    let _ = LAST_ERROR.try_with(|last| last.try_borrow_mut().map(|mut last| f(&mut last)));
}

/// Replaces what this thread's getters report. The request count is kept: only
/// [`record_request_count`] sets it.
fn store(new: LastError) {
    change(|last| {
        *last = LastError {
            request_count: last.request_count,
            ..new
        }
    });
}

/// Clears the thread's last error at the start of a call (the request count stays
/// until the call sets it); never panics.
pub(crate) fn clear() {
    store(LastError::default());
}

/// Records a failed call, with what its response said (limits, problem).
pub(crate) fn record_failure(failure: &Failure) {
    let error = &failure.error;
    store(LastError {
        message: c_string(&error.message),
        http_status: i32::from(error.http_status),
        api_code: error.api_code,
        rate_limit: error.rate_limit,
        day_budgets: error.day_budgets(),
        reset_at: error.binding_reset().unwrap_or(0),
        problem: problem_fields(error.problem.as_deref()),
        request_count: 0,
    });
}

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
    change(|last| last.request_count = i32::try_from(count).unwrap_or(i32::MAX));
}

/// Runs `call` (an application callback, which may make `tw_` calls of its own) and
/// then puts back what the calling `tw_` function had recorded so far, so its
/// outcome is not replaced by that of a call made from inside the callback.
pub(crate) fn preserved(call: impl FnOnce()) {
    // Taken out whole (the callback's calls record into a fresh one), put back after.
    let mut saved = None;
    change(|last| saved = Some(std::mem::take(last)));
    call();
    if let Some(saved) = saved {
        change(|last| *last = saved);
    }
}

/// Reads this thread's last error, or `fallback` once the thread's storage is gone.
pub(crate) fn read<T>(fallback: T, get: impl FnOnce(&LastError) -> T) -> T {
    LAST_ERROR
        .try_with(|last| last.try_borrow().map(|last| get(&last)).ok())
        .ok()
        .flatten()
        .unwrap_or(fallback)
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
