//! The library's own strings: releasing what it returned, and its version.

use std::ffi::{c_char, CString};

use zeroize::Zeroize as _;

use super::boundary::infallible;

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
            CString::from_raw(s).into_bytes_with_nul().zeroize();
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
