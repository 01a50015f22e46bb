//! `TwStatus`, the one table of statuses: numbers, meanings (the doc comments become
//! the header's manual), the static texts of `tw_status_str`, and the mapping from
//! the core's error kinds.

use std::ffi::{CStr, CString};
use std::sync::OnceLock;

use crate::core::ErrorKind;

/// The result of every fallible call. Numbers never change and are never reused.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TwStatus {
    /// Success. Out-parameters were written.
    Ok = 0,
    /// A required pointer argument was NULL. Nothing was sent.
    NullArgument = 1,
    /// A string argument was not valid UTF-8. Nothing was sent.
    InvalidUtf8 = 2,
    /// An argument was refused (empty credential, bad target, bad URL, zero timeout, unusable
    /// proxy URL or proxy variable). Nothing was sent.
    InvalidArgument = 3,
    /// No HTTP response: connection refused or reset, DNS failure, malformed response, proxy
    /// failure.
    Network = 10,
    /// The whole call did not finish within the configured timeout.
    Timeout = 11,
    /// TLS handshake or certificate verification failed.
    Tls = 12,
    /// 401 or Twitter codes 32, 89, 135, 215: the credentials or the signature were refused;
    /// in the token flows also a wrong PIN, a refused code, token or client, or denied access.
    Auth = 20,
    /// 403 without a more specific Twitter code (e.g. 158: you cannot follow yourself; 226: the
    /// request looks automated): the API refused this target.
    Forbidden = 21,
    /// 404 or Twitter codes 34, 50, 63, 108: no such user.
    NotFound = 22,
    /// 429 or Twitter code 88.
    RateLimited = 23,
    /// Twitter code 161: the daily follow limit is reached (400 follows per user and 1000 per
    /// app per 24 hours).
    FollowLimit = 24,
    /// Twitter code 160: a follow request to this protected account is already pending.
    AlreadyRequested = 25,
    /// Twitter code 162: the user has blocked you.
    Blocked = 26,
    /// 5xx (e.g. Twitter codes 130 over capacity, 131 internal error).
    ServerError = 27,
    /// Any other non-2xx status, including every 3xx (redirects are never followed).
    HttpError = 28,
    /// 2xx, but the body is not UTF-8 JSON with an object at the top, or is over 1 MiB.
    BadResponse = 30,
    /// `tw_last_rate_limit`: the last response carried no `x-rate-limit-*` headers
    /// (or no response arrived).
    NoRateLimit = 31,
    /// Twitter code 453, or a v2 problem with reason `client-not-enrolled`: the app's
    /// access tier (its plan, or no Project) does not include this endpoint. About the
    /// app, not the target; `tw_config_set_api_version` 0 (auto) tries the other version.
    AccessTier = 32,
    /// Twitter codes 87, 220, 261, or the v2 problems `oauth1-permissions` and
    /// `unsupported-authentication`: the app or its token may not do this (a read-only
    /// app, tokens made before Read and Write, an app-only Bearer token). Not the target.
    AppPermission = 33,
    /// Twitter codes 64 (suspended) and 326 (locked): the access token's own account
    /// cannot act. Not the target.
    AccountState = 34,
    /// HTTP 402, or a v2 `CreditsDepleted` problem: the app's prepaid credits for X's
    /// pay-per-use API are spent. About the app, not the target; never retried: add
    /// credits or raise the spending limit in the developer console.
    PaymentRequired = 35,
    /// A v2 `usage-capped` problem (whatever the HTTP status): a cap of the app's billing
    /// period (e.g. its monthly cap) is reached. It resets with the billing period, not a
    /// rate window; never retried.
    UsageCapped = 36,
    /// The token store cannot be used: it is unreadable, not valid JSON, of an unknown
    /// version, readable or writable by others or owned by another user, or lacks the named
    /// account. The message names the path and the fix; the file is left as it was and
    /// nothing was sent.
    Store = 37,
    /// An OAuth 2.0 refresh succeeded (X rotated the refresh token) but the new tokens could
    /// not be written to the token store. This config still holds them
    /// (`tw_config_get_tokens`) and the token callback, if any, received them: save them
    /// now, or the user must authorize again.
    TokensNotSaved = 38,
    /// Called from inside this config's own token callback or trace hook, on the same
    /// config: refused at once (it would wait forever for the lock the callback runs
    /// under). Nothing was sent.
    Reentered = 39,
    /// A v2 problem `client-forbidden` with reason `user-not-enrolled`: X bills this request
    /// to the authenticated user, whose account is not enrolled in Pay-per-use. About that
    /// account's set-up, not the app (other accounts of the app are not affected; switching
    /// API versions does not help) and not the target: its owner enrolls it at the
    /// Developer Console. Never retried.
    UserNotEnrolled = 40,
    /// A bug in twfollow (a caught panic). Please report it.
    Internal = 99,
}

impl TwStatus {
    /// Every status with what `tw_status_str` says after its name, in number order.
    const DESCRIPTIONS: [(TwStatus, &'static str); 28] = {
        use TwStatus::*;
        [
            (Ok, "success"),
            (NullArgument, "a required pointer argument was NULL"),
            (InvalidUtf8, "a string argument was not valid UTF-8"),
            (InvalidArgument, "an argument was refused"),
            (Network, "no HTTP response (connection or protocol failure)"),
            (Timeout, "the call did not finish within the timeout"),
            (Tls, "TLS handshake or certificate verification failed"),
            (Auth, "the credentials or the signature were refused"),
            (Forbidden, "the API refused the follow"),
            (NotFound, "no such user"),
            (RateLimited, "too many requests"),
            (FollowLimit, "the daily follow limit is reached"),
            (AlreadyRequested, "a follow request is already pending"),
            (Blocked, "the user has blocked you"),
            (ServerError, "the API had a server error (5xx)"),
            (
                HttpError,
                "unexpected HTTP status (redirects are not followed)",
            ),
            (
                BadResponse,
                "2xx, but the body is not a JSON object or is too large",
            ),
            (
                NoRateLimit,
                "the last response carried no rate-limit headers",
            ),
            (
                AccessTier,
                "the app's access tier does not include this endpoint",
            ),
            (AppPermission, "the app or its token may not do this"),
            (
                AccountState,
                "the token's own account is suspended or locked",
            ),
            (PaymentRequired, "the app's pay-per-use credits are spent"),
            (UsageCapped, "a usage cap of the billing period is reached"),
            (Store, "the token store cannot be used"),
            (
                TokensNotSaved,
                "refreshed tokens could not be written to the store",
            ),
            (Reentered, "called from inside this config's own callback"),
            (
                UserNotEnrolled,
                "the authenticated account is not enrolled in Pay-per-use",
            ),
            (Internal, "internal error in twfollow"),
        ]
    };

    /// The text of `tw_status_str` for a status number, e.g. `"TW_STATUS_OK: success"`:
    /// its name as the header spells it (cbindgen's `QualifiedScreamingSnakeCase`;
    /// tests/drift holds each text to the header), then its description. Made once.
    pub(crate) fn text(number: i32) -> Option<&'static CStr> {
        static TEXTS: OnceLock<Vec<(i32, CString)>> = OnceLock::new();
        let texts = TEXTS.get_or_init(|| {
            let texts = Self::DESCRIPTIONS.iter().map(|&(status, description)| {
                let mut name = String::new();
                for (i, c) in format!("{status:?}").char_indices() {
                    if i > 0 && c.is_ascii_uppercase() {
                        name.push('_');
                    }
                    name.push(c.to_ascii_uppercase());
                }
                let text = format!("TW_STATUS_{name}: {description}");
                (status as i32, CString::new(text).expect("no NUL"))
            });
            texts.collect()
        });
        let (_, text) = texts.iter().find(|(status, _)| *status == number)?;
        Some(text)
    }

    /// The status of a core error: its kind is numbered as the status of the same name.
    pub(crate) fn from_kind(kind: ErrorKind) -> TwStatus {
        let mut statuses = Self::DESCRIPTIONS.iter().map(|&(status, _)| status);
        statuses
            .find(|&status| status as i32 == kind as i32)
            .unwrap_or(TwStatus::Internal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_error_kind_is_numbered_as_its_status() {
        use ErrorKind as K;
        let kinds = [
            K::InvalidArgument,
            K::Network,
            K::Timeout,
            K::Tls,
            K::Auth,
            K::Forbidden,
            K::NotFound,
            K::RateLimited,
            K::FollowLimit,
            K::AlreadyRequested,
            K::Blocked,
            K::ServerError,
            K::HttpError,
            K::BadResponse,
            K::AccessTier,
            K::AppPermission,
            K::AccountState,
            K::PaymentRequired,
            K::UsageCapped,
            K::Store,
            K::TokensNotSaved,
            K::Reentered,
            K::UserNotEnrolled,
        ];
        for kind in kinds {
            let status = TwStatus::from_kind(kind);
            assert_eq!(format!("{status:?}"), format!("{kind:?}"));
        }
    }

    #[test]
    fn texts_are_named_as_the_header_names_the_statuses() {
        let text = |n| TwStatus::text(n).map(|t| t.to_str().unwrap());
        assert_eq!(text(0), Some("TW_STATUS_OK: success"));
        assert_eq!(
            text(2),
            Some("TW_STATUS_INVALID_UTF8: a string argument was not valid UTF-8")
        );
        assert_eq!(text(5), None);
    }
}
