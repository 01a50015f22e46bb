//! The exported getters: a status's description (`tw_status_str`) and what the last
//! call on this thread left (`tw_last_*`). Getters leave the last error as it is.
//! Last, the library's own strings: `tw_string_free` and `tw_version`.

use std::ffi::CString;

use super::boundary::*;
use crate::core::{DayBudgets, RateLimit};

/// A static description of a status number, e.g. `"TW_STATUS_OK: success"`.
/// Takes `int32_t` so any number is safe: unknown ones give `"unknown status"`.
/// Never NULL; never free it.
#[no_mangle]
pub extern "C" fn tw_status_str(status: i32) -> *const c_char {
    let text = || TwStatus::numbered(status).map_or(c"unknown status", |(_, text)| text);
    infallible(c"unknown status".as_ptr(), || text().as_ptr())
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
        let Some(rate) = read(None, |state| state.rate_limit) else {
            return TwStatus::NoRateLimit;
        };
        publish_window([limit, remaining, reset_epoch], Some(rate));
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
        let budgets = read(DayBudgets::default(), |state| state.day_budgets);
        if budgets == DayBudgets::default() {
            return TwStatus::NoRateLimit;
        }
        publish_window([user_limit, user_remaining, user_reset_epoch], budgets.user);
        publish_window([app_limit, app_remaining, app_reset_epoch], budgets.app);
        TwStatus::Ok
    })
}

/// Writes a window's limit, remaining and reset (-1 each for a window not carried)
/// to those of `outs` that are not NULL.
///
/// # Safety
/// Each pointer is NULL or writable.
unsafe fn publish_window(outs: [*mut i64; 3], window: Option<RateLimit>) {
    let values = window.map_or([-1; 3], |w| [w.limit, w.remaining, w.reset_epoch]);
    for (out, value) in outs.into_iter().zip(values) {
        publish_value(out, value);
    }
}

/// After `TW_STATUS_RATE_LIMITED`: when the refused request may succeed again, in
/// seconds since the Unix epoch. That is the reset that binds: the latest reset of
/// the windows the response says are spent (15-minute window, user's or app's 24-hour
/// budget), or the 15-minute reset when none says it is spent. 0 after any other
/// outcome, or when the response said no reset. A getter: it leaves the last error as
/// it is.
#[no_mangle]
pub extern "C" fn tw_last_reset_at() -> i64 {
    read(0, |state| state.reset_at)
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
    read(0, |state| state.request_count)
}

/// How many OAuth 2.0 token refreshes this process has in flight now, in all threads
/// and configs: each counts from just before its request is sent until its answer is
/// saved (in the token store, for a store-backed config, and handed to the token
/// callback) or the refresh has failed. X rotates the refresh token when it answers,
/// so a process that dies in that window loses the grant: a program defers its exit
/// on a signal (SIGINT, SIGTERM, SIGHUP) while this is not 0, and exits once the call
/// returns (`tw-follow` does; docs/tokens.md, "Signals").
///
/// Async-signal-safe: one atomic load, no lock, no allocation, no thread-local
/// storage; call it from a signal handler. A getter: it leaves the last error as it
/// is. Never negative.
#[no_mangle]
pub extern "C" fn tw_refreshes_in_flight() -> i32 {
    // The boundary costs nothing unless a panic unwinds (none can here).
    infallible(0, || {
        i32::try_from(crate::core::refreshes_in_flight()).unwrap_or(i32::MAX)
    })
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
    read(c"".as_ptr(), |state| {
        // TwProblemField's numbers are the indexes of the members (any other: none).
        let index = usize::try_from(field).unwrap_or(usize::MAX);
        let member = state.problem.get(index).and_then(Option::as_deref);
        member.unwrap_or_default().as_ptr()
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
    read(c"".as_ptr(), |state| {
        state.message.as_deref().unwrap_or_default().as_ptr()
    })
}

/// The HTTP status of the last response on this thread (200 after a successful
/// follow), or 0 when the last call got no response (or sent nothing).
#[no_mangle]
pub extern "C" fn tw_last_http_status() -> i32 {
    read(0, |state| state.http_status)
}

/// The first Twitter error code of the last response on this thread, or 0 when there was none.
#[no_mangle]
pub extern "C" fn tw_last_api_error_code() -> i32 {
    read(0, |state| state.api_code)
}

/// Releases a string returned by any `tw_` function (`tw_follow`'s JSON, tokens,
/// URLs). Its bytes are overwritten first: token strings hold secrets. NULL is a
/// no-op. Passing any other pointer, or freeing twice, is undefined behaviour.
///
/// # Safety
/// `s` is NULL or a string from a `tw_` function, freed once.
#[no_mangle]
pub unsafe extern "C" fn tw_string_free(s: *mut c_char) {
    infallible((), || {
        if !s.is_null() {
            drop(OutText(Some(CString::from_raw(s))));
        }
    })
}

/// The library's name and version, e.g. `"twfollow/0.1.0"`. Static; never free it.
#[no_mangle]
pub extern "C" fn tw_version() -> *const c_char {
    concat!("twfollow/", env!("CARGO_PKG_VERSION"), "\0")
        .as_ptr()
        .cast()
}
