//! The library's own strings: publishing one to an out-parameter, releasing what it
//! returned, and its version.

use std::ffi::{c_char, CString};

use zeroize::Zeroize as _;

use super::boundary::{infallible, Failure};
use super::status::TwStatus;

/// Copies `value` into a new C string for an out-parameter.
pub(crate) fn out_string(value: &str, name: &str) -> Result<CString, Failure> {
    CString::new(value).map_err(|_| {
        Failure::new(
            TwStatus::BadResponse,
            format!("the {name} holds a NUL byte"),
        )
    })
}

/// One new C string per `(value, name)`, all or none: after a failure those made
/// are released (and so wiped) with `tw_string_free`. Each is the caller's to publish.
pub(crate) fn out_strings<const N: usize>(
    values: [(&str, &str); N],
) -> Result<[*mut c_char; N], Failure> {
    let mut made = [std::ptr::null_mut(); N];
    for (i, (value, name)) in values.into_iter().enumerate() {
        match out_string(value, name) {
            Ok(text) => made[i] = text.into_raw(),
            Err(failure) => {
                // SAFETY: each is NULL or a string just made here.
                made.into_iter().for_each(|s| unsafe { tw_string_free(s) });
                return Err(failure);
            }
        }
    }
    Ok(made)
}

/// Writes `value` to `*out` as a new C string (see [`out_string`]).
///
/// # Safety
/// `out` is writable.
pub(crate) unsafe fn publish_string(
    value: &str,
    name: &str,
    out: *mut *mut c_char,
) -> Result<(), Failure> {
    *out = out_string(value, name)?.into_raw();
    Ok(())
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
