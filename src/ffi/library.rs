//! The library's own strings: releasing what it returned, and its version.

use std::ffi::{c_char, CString};

use super::boundary::infallible;

/// Releases a string returned by `tw_follow`. NULL is a no-op. Passing any other
/// pointer, or freeing twice, is undefined behaviour.
///
/// # Safety
/// `s` is NULL or a string from `tw_follow`, freed once.
#[no_mangle]
pub unsafe extern "C" fn tw_string_free(s: *mut c_char) {
    infallible((), || {
        if !s.is_null() {
            drop(CString::from_raw(s));
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
