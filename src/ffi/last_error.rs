//! The thread's last error and the getters that read it.
//!
//! The storage is a thread-local. While a thread's thread-locals are being
//! destroyed (an `atexit` handler after `exit()`, a `pthread_key_create`
//! destructor), it can no longer be reached: a call then records nothing and the
//! getters answer as if nothing had been recorded (`""`, 0, 0,
//! `TW_STATUS_NO_RATE_LIMIT`), rather than aborting the host.

use std::cell::RefCell;
use std::ffi::{c_char, CString};

use super::boundary::infallible;
use super::status::TwStatus;
use crate::core::RateLimit;

struct LastError {
    message: CString,
    http_status: i32,
    api_code: i32,
    rate_limit: Option<RateLimit>,
}

thread_local! {
    static LAST_ERROR: RefCell<LastError> = RefCell::new(LastError {
        message: CString::default(),
        http_status: 0,
        api_code: 0,
        rate_limit: None,
    });
}

/// Records the outcome of a call for this thread's getters; never panics.
pub(crate) fn record(
    message: &str,
    http_status: u16,
    api_code: i32,
    rate_limit: Option<RateLimit>,
) {
    // Messages are built without NUL bytes; the replacement only guards the invariant.
    let message = CString::new(message.replace('\0', "\\0")).unwrap_or_default();
    let _ = LAST_ERROR.try_with(|last| {
        if let Ok(mut last) = last.try_borrow_mut() {
            *last = LastError {
                message,
                http_status: i32::from(http_status),
                api_code,
                rate_limit,
            }
        }
    });
}

/// Runs `call` (an application callback, which may make `tw_` calls of its own) and
/// then puts back what the calling `tw_` function had recorded so far, so its
/// outcome is not replaced by that of a call made from inside the callback.
pub(crate) fn preserved(call: impl FnOnce()) {
    let saved = LAST_ERROR
        .try_with(|last| {
            last.try_borrow()
                .map(|last| {
                    (
                        last.message.clone(),
                        last.http_status,
                        last.api_code,
                        last.rate_limit,
                    )
                })
                .ok()
        })
        .ok()
        .flatten();
    call();
    if let Some((message, http_status, api_code, rate_limit)) = saved {
        let _ = LAST_ERROR.try_with(|last| {
            if let Ok(mut last) = last.try_borrow_mut() {
                *last = LastError {
                    message,
                    http_status,
                    api_code,
                    rate_limit,
                };
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
