//! The panic boundary around every exported body; what a call leaves on its thread
//! (the last error the `tw_last_*` getters read, the request count, the callback it
//! runs); calling the application back (text as a C string, the callback marked);
//! the argument checks (NULL, UTF-8) every export shares; and the strings
//! and values it hands out through out-parameters.
//!
//! The thread's state is a thread-local. While a thread's thread-locals are being
//! destroyed (an `atexit` handler after `exit()`, a `pthread_key_create`
//! destructor), it can no longer be reached: a call then records nothing and the
//! getters answer as if nothing had been recorded (`""`, 0, 0,
//! `TW_STATUS_NO_RATE_LIMIT`), rather than aborting the host.

use std::cell::{Cell, RefCell};
use std::ffi::{CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;
use std::sync::atomic::{AtomicBool, Ordering};

use zeroize::Zeroize as _;

// The exports' prelude: each takes what it uses of the plumbing with `boundary::*`.
pub(crate) use super::status::TwStatus;
use crate::core::{self, DayBudgets, Followed, Problem, RateLimit};
pub(crate) use std::ffi::{c_char, c_void};

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

/// What the last fallible call on this thread left on it, for the getters: a failure,
/// or what a successful call's response said; and the requests it sent.
#[derive(Default)]
pub(crate) struct ThreadState {
    /// `None` reads as `""`: the default allocates nothing, as every call and callback
    /// makes one (7 allocations a call, 5 lines a traced follow, as empty CStrings).
    pub message: Option<CString>,
    pub http_status: i32,
    pub api_code: i32,
    pub rate_limit: Option<RateLimit>,
    pub day_budgets: DayBudgets,
    /// When a rate-limited request may succeed again (0: not rate limited, or not said).
    pub reset_at: i64,
    /// The v2 problem's members, indexed by `TwProblemField` (`None`: absent).
    pub problem: [Option<CString>; 6],
    /// HTTP requests the last fallible call sent.
    pub request_count: i32,
}

thread_local! {
    static STATE: RefCell<ThreadState> = RefCell::new(ThreadState::default());
    /// The config (its address) whose callback this thread is running, and the
    /// callback's name, if any. Apart from STATE and without a destructor, so it still
    /// refuses a call back into the config while the thread's other storage is torn
    /// down (a callback run from an atexit handler or a thread-key destructor).
    static INSIDE: Cell<Option<(usize, &'static str)>> = const { Cell::new(None) };
}

/// Changes the thread's state; never panics (a thread being torn down, or a
/// getter's borrow still held, leaves it as it is).
fn change(f: impl FnOnce(&mut ThreadState)) {
    let _ = STATE.try_with(|state| state.try_borrow_mut().map(|mut state| f(&mut state)));
}

/// Reads this thread's state inside the panic boundary (a getter's whole body), or
/// `fallback` once the thread's storage is gone.
pub(crate) fn read<T>(fallback: T, get: impl FnOnce(&ThreadState) -> T) -> T {
    let got = || STATE.try_with(|state| state.try_borrow().map(|state| get(&state)).ok());
    infallible(None, || got().ok().flatten()).unwrap_or(fallback)
}

/// Text from outside holds no NUL in practice; the replacement only guards the invariant.
fn c_string(text: &str) -> CString {
    CString::new(text.replace('\0', "\\0")).unwrap_or_default()
}

/// A problem's members as C strings, in the order of `TwProblemField`.
fn problem_fields(problem: Option<&Problem>) -> [Option<CString>; 6] {
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
    .map(|member| member.as_deref().map(c_string))
}

/// Records a successful call's answer: its HTTP status and limits.
pub(crate) fn record_answer(answer: &Followed) {
    change(|state| {
        *state = ThreadState {
            http_status: i32::from(answer.http_status),
            rate_limit: answer.rate_limit,
            day_budgets: answer.day_budgets,
            ..ThreadState::default()
        }
    });
}

/// Runs the body of a fallible exported function: clears the thread's last
/// error, catches panics, and records the failure (if any), with what its
/// response said, for the getters. Recording never panics, even while the thread's
/// storage is being torn down, so nothing here can abort the host.
/// It also counts the HTTP requests the body sent, for `tw_last_request_count`.
pub(crate) fn fallible(body: impl FnOnce() -> Result<(), Failure>) -> TwStatus {
    change(|state| *state = ThreadState::default());
    let sent_before = core::requests_sent_on_this_thread();
    let outcome = catch_unwind(AssertUnwindSafe(body));
    let sent = core::requests_sent_on_this_thread() - sent_before;
    change(|state| state.request_count = i32::try_from(sent).unwrap_or(i32::MAX));
    let failure = match outcome {
        Ok(Ok(())) => return TwStatus::Ok,
        Ok(Err(failure)) => failure,
        Err(_) => Failure::new(
            TwStatus::Internal,
            "internal error: twfollow panicked (a bug; please report it)",
        ),
    };
    let error = &failure.error;
    change(|state| {
        *state = ThreadState {
            message: Some(c_string(&error.message)),
            http_status: i32::from(error.http_status),
            api_code: error.api_code,
            rate_limit: error.rate_limit,
            day_budgets: error.day_budgets(),
            reset_at: error.binding_reset().unwrap_or(0),
            problem: problem_fields(error.problem.as_deref()),
            request_count: state.request_count,
        }
    });
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

/// A C string the library made (an out-parameter's, a callback's text), wiped when
/// dropped unless handed to the caller. Not a `Zeroizing<CString>`: taking the string
/// out of one and wiping it allocate, 4 more allocations a follow (bench/bench.rs).
pub(crate) struct OutText(pub(crate) Option<CString>);

impl OutText {
    pub(crate) fn as_ptr(&self) -> *const c_char {
        self.0.as_deref().map_or(std::ptr::null(), CStr::as_ptr)
    }
}

impl Drop for OutText {
    fn drop(&mut self) {
        if let Some(text) = self.0.take() {
            zeroize::Zeroize::zeroize(&mut text.into_bytes_with_nul());
        }
    }
}

/// Copies `value` into a new C string for an out-parameter (see [`OutText`]).
pub(crate) fn out_string(value: &str, name: &str) -> Result<OutText, Failure> {
    match CString::new(value) {
        Ok(text) => Ok(OutText(Some(text))),
        Err(refused) => {
            // The refused copy may be a token: wiped, as tw_string_free wipes.
            refused.into_vec().zeroize();
            let message = format!("the {name} holds a NUL byte");
            Err(Failure::new(TwStatus::BadResponse, message))
        }
    }
}

/// Hands a made string to the caller, who releases it with `tw_string_free`.
fn into_raw(mut text: OutText) -> *mut c_char {
    text.0.take().map_or(ptr::null_mut(), CString::into_raw)
}

/// Publishes several string fields at once, all or none: each `(value, name, out)`
/// writes `value` (`None`: NULL) to `*out`, unless `out` is NULL (a field the caller
/// does not want). Every string is made before any is written, so a failure writes
/// nothing, and the strings made already are wiped as they drop.
///
/// # Safety
/// Each `out` is NULL or writable.
pub(crate) unsafe fn publish_fields(
    fields: &[(Option<&str>, &str, *mut *mut c_char)],
) -> Result<(), Failure> {
    let mut made = Vec::with_capacity(fields.len());
    for &(value, name, out) in fields.iter().filter(|(_, _, out)| !out.is_null()) {
        made.push((out, value.map(|value| out_string(value, name)).transpose()?));
    }
    for (out, text) in made {
        *out = text.map_or(ptr::null_mut(), into_raw);
    }
    Ok(())
}

/// Writes `value` to `*out` unless `out` is NULL (a field the caller does not want).
///
/// # Safety
/// `out` is NULL or writable.
pub(crate) unsafe fn publish_value<T>(out: *mut T, value: T) {
    if !out.is_null() {
        *out = value;
    }
}

/// Calls the application back from inside a `tw_` call: runs `call`, which calls the
/// application's `callback` (its name: "token callback", "trace hook") of the config
/// at `config`, with `text` as a NUL-terminated string that lives during the call, in
/// a buffer wiped afterwards (the text may be tokens). Text holding a NUL is not
/// passed at all (a C reader would see it cut short): `call` does not run.
///
/// The call is marked as inside that callback, so that a call back into that config
/// is refused at once instead of waiting forever for a lock the callback runs under.
/// The callback may make `tw_` calls of its own: they record into a fresh state, and
/// the calling `tw_` function's is put back afterwards, so its outcome is not
/// replaced. (`call` cannot unwind: it calls a C function.)
pub(crate) fn call_back(
    config: usize,
    callback: &'static str,
    text: &str,
    call: impl FnOnce(*const c_char),
) {
    // A refused copy (the text holds a NUL) is wiped too.
    let Ok(text) = out_string(text, callback) else {
        return;
    };
    let mut saved = None;
    // A thread whose state is torn down already records nothing, but is still marked.
    change(|state| saved = Some(std::mem::take(state)));
    let outer = INSIDE.replace(Some((config, callback)));
    call(text.as_ptr());
    INSIDE.set(outer);
    if let Some(saved) = saved {
        change(|state| *state = saved);
    }
}

/// Refuses a call on `config` made from inside one of that config's own callbacks.
/// Every export that takes a config passes here (through config.rs's `checked`)
/// before it looks at any other argument, so nothing is sent.
pub(crate) fn not_reentered<T>(config: *const T) -> Result<(), Failure> {
    match INSIDE.get() {
        Some((address, callback)) if address == config as usize => Err(Failure::new(
            TwStatus::Reentered,
            format!("called from inside this config's {callback}"),
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
        let offset = e.valid_up_to();
        let message = format!("{name} is not valid UTF-8 (bad byte at offset {offset})");
        Failure::new(TwStatus::InvalidUtf8, message)
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
    (!ptr.is_null()).then(|| arg_str(ptr, name)).transpose()
}

/// Refuses a NULL pointer argument.
pub(crate) fn non_null<T>(ptr: *const T, name: &str) -> Result<(), Failure> {
    if !ptr.is_null() {
        return Ok(());
    }
    let message = format!("{name} is NULL");
    Err(Failure::new(TwStatus::NullArgument, message))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message() -> String {
        read(String::new(), |state| {
            let message = state.message.as_deref().unwrap_or_default();
            message.to_str().unwrap().to_owned()
        })
    }

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

    #[test]
    fn a_callback_is_marked_and_leaves_its_callers_state() {
        fallible(|| Err(Failure::new(TwStatus::Network, "outer")));
        call_back(8, "trace hook", "line", |_| {
            let refused = not_reentered(8 as *const u8).err().map(|f| f.error.message);
            assert_eq!(
                refused.as_deref(),
                Some("called from inside this config's trace hook")
            );
            assert!(not_reentered(16 as *const u8).is_ok());
            fallible(|| Err(Failure::new(TwStatus::Timeout, "inner")));
        });
        assert_eq!(message(), "outer");
        assert!(not_reentered(8 as *const u8).is_ok());
    }

    #[test]
    fn several_fields_are_published_all_or_none() {
        let untouched = 0x5eed as *mut c_char;
        let (mut a, mut b, mut c) = (untouched, untouched, untouched);
        // A NUL in the last field: nothing is written (the first string, made, is wiped).
        let refused = unsafe {
            publish_fields(&[
                (Some("first"), "first", &mut a),
                (None, "second", &mut b),
                (Some("th\0ird"), "third", &mut c),
            ])
        };
        assert_eq!(refused.err().map(|f| f.status), Some(TwStatus::BadResponse));
        assert_eq!([a, b, c], [untouched; 3]);
        // None is NULL; a NULL out-pointer is a field not wanted.
        unsafe {
            publish_fields(&[
                (Some("first"), "first", &mut a),
                (None, "second", &mut b),
                (Some("third"), "third", ptr::null_mut()),
            ])
            .unwrap_or_else(|_| panic!("publishing failed"));
            assert_eq!(std::ffi::CStr::from_ptr(a).to_str(), Ok("first"));
            assert!(b.is_null());
            drop(OutText(Some(CString::from_raw(a))));
        }
    }
}
