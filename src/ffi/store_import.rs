//! Importing accounts into the token store from twurl, xurl or the `TW_*` variables
//! (docs/tokens.md, "Importing"): `tw_store_import`, `tw_store_import_names`,
//! `tw_store_import_ex`.

use super::boundary::*;
use super::store::{open, publish_count};
use crate::core::check_import_format;
use crate::core::ImportReport;

/// The flags of `tw_store_import_ex`, as bits of its `flags` argument. Numbers never
/// change and are never reused.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TwStoreImport {
    /// Replace a stored OAuth 2.0 grant even when it differs from the source's for the
    /// same app and user (the store's is then newer, and the source's refresh token is
    /// likely dead already): the CLIs' `--force`.
    Force = 1,
}

/// Imports accounts into the store; nothing is sent. Existing names are overwritten,
/// except one rule: an account whose stored OAuth 2.0 grant (same app, same user)
/// differs from the source's is *kept*: the store refreshed it since the source
/// copied it, so the source's refresh token is dead, and writing it back would lose
/// the grant (`tw_store_import_ex` with `TW_STORE_IMPORT_FORCE` replaces it). The
/// source's default becomes the store's when the store has none. An imported OAuth
/// 2.0 grant belongs to the store from then on: its first refresh rotates the refresh
/// token, and the source tool's copy stops working then.
///
/// `format`: `"twurl"` (`~/.twurlrc`: an account per profile and app, named by the
/// screen name, or `name@consumer_key` when a user has several apps), `"xurl"`
/// (`~/.xurl/auth.yml`, or the file `~/.xurl` of xurl before 1.1: an account per
/// OAuth 2.0 user, named by the username, and `APP-oauth1` for an app's OAuth 1.0a
/// token), or `"env"` (the `TW_*` or `TW_OAUTH2_*` variables, read as
/// `tw_config_from_env_credentials` reads them, as the account `env`: `TW_API_BASE`
/// and `TW_API_VERSION` are not read, an account keeps neither; `source_path` must be
/// NULL). `source_path`: the file, NULL for the tool's default file under `HOME`. Only
/// a regular file of at most 1 MiB is read (a FIFO, a device, `/dev/zero` or a larger
/// file is `TW_STATUS_STORE`, read no further); a screen name in it with a control
/// character or over 100 bytes is refused as an account name would be. An OAuth 1.0a
/// account's user id comes from its token's numeric prefix; an OAuth 2.0 account's
/// user id is learnt by its first call (`GET 2/users/me`).
///
/// On `TW_STATUS_OK`, `*out_json` (if not NULL) receives
/// `{"imported":["name",…],"kept":["name",…],"handed_over":["name",…]}`
/// (`tw_string_free`): the names written; those kept as they were; and the imported
/// ones whose OAuth 2.0 refresh token now belongs to the store.
/// `tw_store_import_ex` gives the same without JSON.
///
/// Returns `TW_STATUS_NULL_ARGUMENT` (`format`), `TW_STATUS_INVALID_UTF8`,
/// `TW_STATUS_INVALID_ARGUMENT` (an unknown format, an empty path, a source path
/// with `"env"`, missing or bad variables), `TW_STATUS_STORE` (an unreadable,
/// malformed, oversized or not regular source file, the store as `tw_store_list`),
/// `TW_STATUS_TIMEOUT`.
/// Thread rules: reads the environment (`HOME`, the `TW_*` variables).
///
/// # Safety
/// Strings NULL or NUL-terminated; `out_json` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tw_store_import(
    store_path: *const c_char,
    format: *const c_char,
    source_path: *const c_char,
    out_json: *mut *mut c_char,
) -> TwStatus {
    fallible(|| {
        let report = import(store_path, format, source_path, false)?;
        let json = serde_json::to_string(&report).expect("lists of names");
        publish_fields(&[(Some(json.as_str()), "import answer", out_json)])
    })
}

/// The import every export here makes.
unsafe fn import(
    store_path: *const c_char,
    format: *const c_char,
    source_path: *const c_char,
    force: bool,
) -> Result<ImportReport, Failure> {
    let store = open(store_path)?;
    let format = arg_str(format, "format")?;
    check_import_format(format)?;
    let source = opt_arg_str(source_path, "source_path")?;
    Ok(store.import(format, source, |name| std::env::var_os(name), force)?)
}

/// Names one a line, each followed by a newline (`""` for none).
fn lines(names: &[String]) -> String {
    names.iter().map(|name| format!("{name}\n")).collect()
}

/// Imports accounts as `tw_store_import` does, and gives their names without JSON:
/// on `TW_STATUS_OK`, `*out_names` (if not NULL) receives the names imported, in
/// the source's order, each followed by a newline (`"sandbox_me\nsandbox_2\n"`;
/// `""` when the source held none): an account name never holds a newline (1 to 100
/// bytes of UTF-8 without control characters). Release it with `tw_string_free`.
/// `*out_count` (if not NULL) receives how many there are. Nothing is written on any
/// other status. The accounts kept and handed over: `tw_store_import_ex`.
///
/// Returns, and thread rules, as `tw_store_import`.
///
/// # Safety
/// Strings NULL or NUL-terminated; `out_names` and `out_count` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tw_store_import_names(
    store_path: *const c_char,
    format: *const c_char,
    source_path: *const c_char,
    out_names: *mut *mut c_char,
    out_count: *mut u32,
) -> TwStatus {
    fallible(|| {
        let report = import(store_path, format, source_path, false)?;
        let names = lines(&report.imported);
        publish_fields(&[(Some(&names), "account names", out_names)])?;
        publish_count(report.imported.len(), out_count);
        Ok(())
    })
}

/// Imports accounts as `tw_store_import` does, with `flags` (`TwStoreImport` bits:
/// `TW_STORE_IMPORT_FORCE` replaces a stored OAuth 2.0 grant that differs from the
/// source's; 0 for none), and gives the three lists of names without JSON, each as
/// `tw_store_import_names` gives its own (each name followed by a newline, `""` for
/// none; account names hold no control character):
///
/// - `*out_imported_names`: the accounts written, in the source's order;
/// - `*out_kept_names`: the accounts left as they were, because the store holds
///   another OAuth 2.0 grant of the same app and user, which is newer than the
///   source's (say so, and that `TW_STORE_IMPORT_FORCE` replaces it); always `""`
///   with that flag;
/// - `*out_handed_over_names`: imported accounts whose OAuth 2.0 refresh token belongs
///   to the store from now on (warn that the source tool stops working for that grant
///   once twfollow refreshes it).
///
/// Each out-pointer may be NULL (that list is not wanted); each string is released
/// with `tw_string_free`. All are written only on `TW_STATUS_OK`.
///
/// Returns as `tw_store_import`, and `TW_STATUS_INVALID_ARGUMENT` for a flag bit this
/// library does not know (nothing is read or written). Thread rules: as
/// `tw_store_import`.
///
/// # Safety
/// Strings NULL or NUL-terminated; each out-pointer NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn tw_store_import_ex(
    store_path: *const c_char,
    format: *const c_char,
    source_path: *const c_char,
    flags: u32,
    out_imported_names: *mut *mut c_char,
    out_kept_names: *mut *mut c_char,
    out_handed_over_names: *mut *mut c_char,
) -> TwStatus {
    fallible(|| {
        let unknown = flags & !(TwStoreImport::Force as u32);
        if unknown != 0 {
            let why = format!("flags has bits this library does not know: {unknown:#x}");
            return Err(Failure::new(TwStatus::InvalidArgument, why));
        }
        let report = import(store_path, format, source_path, flags != 0)?;
        let [imported, kept, handed_over] =
            [&report.imported, &report.kept, &report.handed_over].map(|names| lines(names));
        publish_fields(&[
            (Some(&imported), "account names", out_imported_names),
            (Some(&kept), "account names", out_kept_names),
            (Some(&handed_over), "account names", out_handed_over_names),
        ])
    })
}
