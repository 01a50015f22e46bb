//! Calling the application back: its `user_data` pointer, passed back as it is
//! from any thread, and a line of text as a C string valid during the call.

use std::ffi::{c_char, c_void};

use zeroize::Zeroizing;

/// The `user_data` an application gave with a callback.
#[derive(Clone, Copy)]
pub(crate) struct UserData(pub(crate) *mut c_void);

impl UserData {
    /// Taken by a method, so that a closure captures the whole `UserData` (which is
    /// `Send`), not its pointer.
    pub(crate) fn get(self) -> *mut c_void {
        self.0
    }
}

// SAFETY: the caller of each callback setter promises that the callback may run on
// any thread that calls into the config, with this user_data.
unsafe impl Send for UserData {}
unsafe impl Sync for UserData {}

/// Runs `call` with `text` as a NUL-terminated string that lives during the call,
/// in a buffer wiped afterwards (the text may be tokens). Text holding a NUL is not
/// passed at all (a C reader would see it cut short): `call` does not run.
pub(crate) fn with_c_text(text: &str, call: impl FnOnce(*const c_char)) {
    if text.contains('\0') {
        return;
    }
    let mut bytes = Zeroizing::new(Vec::with_capacity(text.len() + 1));
    bytes.extend_from_slice(text.as_bytes());
    bytes.push(0);
    call(bytes.as_ptr().cast());
}
