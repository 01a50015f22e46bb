//! The panic boundary around every exported body, and the argument checks
//! (NULL, UTF-8) every export shares.

use std::cell::Cell;
use std::ffi::{c_char, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};

use super::last_error;
use super::status::TwStatus;
use crate::core::{self, DayBudgets, Problem, RateLimit};

/// A failed call, as it will be reported through the `tw_last_*` getters.
pub(crate) struct Failure {
    pub status: TwStatus,
    pub message: String,
    pub http_status: u16,
    pub api_code: i32,
    pub rate_limit: Option<RateLimit>,
    pub day_budgets: Option<Box<DayBudgets>>,
    /// `tw_last_reset_at`: the reset that binds a rate-limited request, 0 otherwise.
    pub reset_at: i64,
    pub problem: Option<Box<Problem>>,
}

impl Failure {
    pub fn new(status: TwStatus, message: impl Into<String>) -> Self {
        Failure {
            status,
            message: message.into(),
            http_status: 0,
            api_code: 0,
            rate_limit: None,
            day_budgets: None,
            reset_at: 0,
            problem: None,
        }
    }
}

impl From<core::Error> for Failure {
    fn from(e: core::Error) -> Self {
        Failure {
            status: TwStatus::from_kind(e.kind),
            reset_at: e.binding_reset().unwrap_or(0),
            message: e.message,
            http_status: e.http_status,
            api_code: e.api_code,
            rate_limit: e.rate_limit,
            day_budgets: e.day_budgets,
            problem: e.problem,
        }
    }
}

/// Runs the body of a fallible exported function: clears the thread's last
/// error, catches panics, and records the failure (if any) for the getters.
/// Recording never panics, even while the thread's storage is being torn down
/// (see [`last_error::record`]), so nothing here can abort the host.
/// It also counts the HTTP requests the body sent, for `tw_last_request_count`.
pub(crate) fn fallible(body: impl FnOnce() -> Result<(), Failure>) -> TwStatus {
    last_error::record("", 0, 0, None);
    let sent_before = core::requests_sent_on_this_thread();
    let outcome = catch_unwind(AssertUnwindSafe(body));
    last_error::record_request_count(core::requests_sent_on_this_thread() - sent_before);
    let failure = match outcome {
        Ok(Ok(())) => return TwStatus::Ok,
        Ok(Err(failure)) => failure,
        Err(_) => Failure::new(
            TwStatus::Internal,
            "internal error: twfollow panicked (a bug; please report it)",
        ),
    };
    last_error::record_failure(&failure);
    failure.status
}

/// Runs the body of an infallible exported function; a panic yields `fallback`.
pub(crate) fn infallible<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
}

/// Which of a config's callbacks a thread is running.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum InCallback {
    TokenCallback,
    TraceHook,
}

thread_local! {
    /// The config (its address) whose callback this thread is running, if any.
    static INSIDE: Cell<Option<(usize, InCallback)>> = const { Cell::new(None) };
}

/// Runs `call` (the application's callback of the config at `config`) marked as
/// inside it, so that a call back into that config is refused at once instead of
/// waiting forever for a lock the callback runs under.
pub(crate) fn inside_callback(config: usize, which: InCallback, call: impl FnOnce()) {
    struct Restore(Option<(usize, InCallback)>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let _ = INSIDE.try_with(|inside| inside.set(self.0));
        }
    }
    // A thread whose storage is being torn down cannot mark: the call then runs unmarked.
    let _restore = INSIDE
        .try_with(|inside| inside.replace(Some((config, which))))
        .ok()
        .map(Restore);
    last_error::preserved(call);
}

/// Refuses a call on `config` made from inside one of that config's own callbacks.
/// Every export that takes a config passes here (through `config_ref`/`config_mut`)
/// before it looks at any other argument, so nothing is sent.
pub(crate) fn not_reentered<T>(config: *const T) -> Result<(), Failure> {
    let inside = INSIDE.try_with(Cell::get).ok().flatten();
    match inside {
        Some((address, which)) if address == config as usize => Err(Failure::new(
            TwStatus::Reentered,
            match which {
                InCallback::TokenCallback => "called from inside this config's token callback",
                InCallback::TraceHook => "called from inside this config's trace hook",
            },
        )),
        _ => Ok(()),
    }
}

/// Whether this thread is running a callback of `config` now.
pub(crate) fn is_inside_callback_of<T>(config: *const T) -> bool {
    not_reentered(config).is_err()
}

/// Borrows a NUL-terminated UTF-8 argument.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string that outlives the call.
pub(crate) unsafe fn arg_str<'a>(ptr: *const c_char, name: &str) -> Result<&'a str, Failure> {
    if ptr.is_null() {
        return Err(Failure::new(
            TwStatus::NullArgument,
            format!("{name} is NULL"),
        ));
    }
    CStr::from_ptr(ptr).to_str().map_err(|e| {
        Failure::new(
            TwStatus::InvalidUtf8,
            format!(
                "{name} is not valid UTF-8 (bad byte at offset {})",
                e.valid_up_to()
            ),
        )
    })
}

/// Borrows an optional NUL-terminated UTF-8 argument: NULL is `None`.
///
/// # Safety
/// As [`arg_str`].
pub(crate) unsafe fn opt_arg_str<'a>(
    ptr: *const c_char,
    name: &str,
) -> Result<Option<&'a str>, Failure> {
    if ptr.is_null() {
        Ok(None)
    } else {
        arg_str(ptr, name).map(Some)
    }
}

pub(crate) fn non_null<T>(ptr: *const T, name: &str) -> Result<(), Failure> {
    if ptr.is_null() {
        Err(Failure::new(
            TwStatus::NullArgument,
            format!("{name} is NULL"),
        ))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ffi::last_error::tests::message;

    #[test]
    fn a_panic_becomes_internal_and_never_unwinds() {
        let status = fallible(|| panic!("boom"));
        assert_eq!(status, TwStatus::Internal);
        assert_eq!(
            message(),
            "internal error: twfollow panicked (a bug; please report it)"
        );
        assert_eq!(infallible(7, || panic!("boom")), 7);
    }

    #[test]
    fn failures_are_recorded_and_successes_clear() {
        let status = fallible(|| Err(Failure::new(TwStatus::Network, "no route")));
        assert_eq!(
            (status, message()),
            (TwStatus::Network, "no route".to_owned())
        );
        assert_eq!(fallible(|| Ok(())), TwStatus::Ok);
        assert_eq!(message(), "");
    }

    #[test]
    fn nul_bytes_in_messages_are_escaped() {
        fallible(|| Err(Failure::new(TwStatus::Network, "a\0b")));
        assert_eq!(message(), "a\\0b");
    }
}
