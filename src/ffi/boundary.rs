//! The panic boundary around every exported body, and the argument checks
//! (NULL, UTF-8) every export shares.

use std::cell::Cell;
use std::ffi::{c_char, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};

use super::last_error;
use super::status::TwStatus;
use crate::core;

pub(crate) use super::last_error::Failure;

/// Runs the body of a fallible exported function: clears the thread's last
/// error, catches panics, and records the failure (if any) for the getters.
/// Recording never panics, even while the thread's storage is being torn down
/// (see [`last_error::clear`]), so nothing here can abort the host.
/// It also counts the HTTP requests the body sent, for `tw_last_request_count`.
pub(crate) fn fallible(body: impl FnOnce() -> Result<(), Failure>) -> TwStatus {
    last_error::clear();
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

/// Test hook, in debug builds only: with `TWFOLLOW_TEST_PANIC` set when a config
/// is created, `tw_follow` panics inside its boundary, so tests can see that a
/// panic becomes `TW_STATUS_INTERNAL` and that nothing secret reaches stderr.
/// Read with the other environment variables, so `tw_follow` reads none.
static PANIC_ON_FOLLOW: AtomicBool = AtomicBool::new(false);

pub(crate) fn read_test_hook() {
    if cfg!(debug_assertions) && std::env::var_os("TWFOLLOW_TEST_PANIC").is_some() {
        PANIC_ON_FOLLOW.store(true, Ordering::Relaxed);
    }
}

pub(crate) fn panic_if_asked_by_tests() {
    if PANIC_ON_FOLLOW.load(Ordering::Relaxed) {
        panic!("forced panic for tests (TWFOLLOW_TEST_PANIC is set)");
    }
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

/// Borrows a NUL-terminated UTF-8 argument.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string that outlives the call.
pub(crate) unsafe fn arg_str<'a>(ptr: *const c_char, name: &str) -> Result<&'a str, Failure> {
    non_null(ptr, name)?;
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
