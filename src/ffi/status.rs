//! `TwStatus`, the one table of statuses: numbers, meanings (the doc comments become
//! the header's manual), the static texts of `tw_status_str`, and the mapping from
//! the core's error kinds.

use std::ffi::CStr;

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
    /// Each status's `tw_status_str` text, static: no allocation, nothing a fork could
    /// catch half made (`texts_are_named_as_the_header_names_the_statuses` checks the names).
    const TEXTS: [(TwStatus, &'static CStr); 28] = {
        use TwStatus::*;
        [
            (Ok, c"TW_STATUS_OK: success"),
            (NullArgument, c"TW_STATUS_NULL_ARGUMENT: a required pointer argument was NULL"),
            (InvalidUtf8, c"TW_STATUS_INVALID_UTF8: a string argument was not valid UTF-8"),
            (InvalidArgument, c"TW_STATUS_INVALID_ARGUMENT: an argument was refused"),
            (Network, c"TW_STATUS_NETWORK: no HTTP response (connection or protocol failure)"),
            (Timeout, c"TW_STATUS_TIMEOUT: the call did not finish within the timeout"),
            (Tls, c"TW_STATUS_TLS: TLS handshake or certificate verification failed"),
            (Auth, c"TW_STATUS_AUTH: the credentials or the signature were refused"),
            (Forbidden, c"TW_STATUS_FORBIDDEN: the API refused the follow"),
            (NotFound, c"TW_STATUS_NOT_FOUND: no such user"),
            (RateLimited, c"TW_STATUS_RATE_LIMITED: too many requests"),
            (FollowLimit, c"TW_STATUS_FOLLOW_LIMIT: the daily follow limit is reached"),
            (AlreadyRequested, c"TW_STATUS_ALREADY_REQUESTED: a follow request is already pending"),
            (Blocked, c"TW_STATUS_BLOCKED: the user has blocked you"),
            (ServerError, c"TW_STATUS_SERVER_ERROR: the API had a server error (5xx)"),
            (HttpError, c"TW_STATUS_HTTP_ERROR: unexpected HTTP status (redirects are not followed)"),
            (BadResponse, c"TW_STATUS_BAD_RESPONSE: 2xx, but the body is not a JSON object or is too large"),
            (NoRateLimit, c"TW_STATUS_NO_RATE_LIMIT: the last response carried no rate-limit headers"),
            (AccessTier, c"TW_STATUS_ACCESS_TIER: the app's access tier does not include this endpoint"),
            (AppPermission, c"TW_STATUS_APP_PERMISSION: the app or its token may not do this"),
            (AccountState, c"TW_STATUS_ACCOUNT_STATE: the token's own account is suspended or locked"),
            (PaymentRequired, c"TW_STATUS_PAYMENT_REQUIRED: the app's pay-per-use credits are spent"),
            (UsageCapped, c"TW_STATUS_USAGE_CAPPED: a usage cap of the billing period is reached"),
            (Store, c"TW_STATUS_STORE: the token store cannot be used"),
            (TokensNotSaved, c"TW_STATUS_TOKENS_NOT_SAVED: refreshed tokens could not be written to the store"),
            (Reentered, c"TW_STATUS_REENTERED: called from inside this config's own callback"),
            (UserNotEnrolled, c"TW_STATUS_USER_NOT_ENROLLED: the authenticated account is not enrolled in Pay-per-use"),
            (Internal, c"TW_STATUS_INTERNAL: internal error in twfollow"),
        ]
    };

    /// The status numbered `number`, with its text.
    pub(crate) fn numbered(number: i32) -> Option<(TwStatus, &'static CStr)> {
        let mut statuses = Self::TEXTS.into_iter();
        statuses.find(|(status, _)| *status as i32 == number)
    }

    pub(crate) fn from_kind(kind: ErrorKind) -> TwStatus {
        Self::numbered(kind as i32).map_or(TwStatus::Internal, |(status, _)| status)
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
        // A kind added without a status fails to compile here (no wildcard arm).
        let _every_kind_is_listed = |kind: ErrorKind| match kind {
            K::InvalidArgument | K::Network | K::Timeout | K::Tls | K::Auth | K::Forbidden => {}
            K::NotFound | K::RateLimited | K::FollowLimit | K::AlreadyRequested => {}
            K::Blocked | K::ServerError | K::HttpError | K::BadResponse | K::AccessTier => {}
            K::AppPermission | K::AccountState | K::PaymentRequired | K::UsageCapped => {}
            K::Store | K::TokensNotSaved | K::Reentered | K::UserNotEnrolled => {}
        };
        for kind in kinds {
            let status = TwStatus::from_kind(kind);
            assert_eq!(format!("{status:?}"), format!("{kind:?}"));
        }
    }

    #[test]
    fn texts_are_named_as_the_header_names_the_statuses() {
        let text = |n| TwStatus::numbered(n).map(|(_, t)| t.to_str().unwrap());
        assert_eq!(text(0), Some("TW_STATUS_OK: success"));
        assert_eq!(
            text(2),
            Some("TW_STATUS_INVALID_UTF8: a string argument was not valid UTF-8")
        );
        assert_eq!(text(5), None);
        for (status, text) in TwStatus::TEXTS {
            let mut name = String::from("TW_STATUS");
            for c in format!("{status:?}").chars() {
                if c.is_ascii_uppercase() {
                    name.push('_');
                }
                name.push(c.to_ascii_uppercase());
            }
            assert!(
                text.to_str().unwrap().starts_with(&(name + ": ")),
                "{text:?}"
            );
        }
    }
}
