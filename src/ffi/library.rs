//! The library's own strings: publishing one or several to out-parameters, releasing
//! what it returned, and its version.

use std::ffi::{c_char, CString};
use std::ptr;

use zeroize::Zeroize as _;

use super::boundary::{infallible, Failure, OutText};
use super::status::TwStatus;

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

/// Writes `value` to `*out` as a new C string (see [`out_string`]).
///
/// # Safety
/// `out` is writable.
pub(crate) unsafe fn publish_string(
    value: &str,
    name: &str,
    out: *mut *mut c_char,
) -> Result<(), Failure> {
    *out = into_raw(out_string(value, name)?);
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

#[cfg(test)]
mod tests {
    use super::*;

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
            tw_string_free(a);
        }
    }
}
