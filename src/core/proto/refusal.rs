//! What a refusal means: Twitter's codes, the v2 problem types and their advice,
//! mapped to an [`Error`] (Twitter code first, then v2 problem type, then HTTP
//! status); a 2xx body is checked in [`answer`](crate::core::proto::answer). No I/O.

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;
use zeroize::Zeroizing;

use crate::core::error::{Error, ErrorKind, Problem};
use crate::core::proto::answer::check_success_body;
use crate::core::wire::redact::Redactor;

/// Longest piece of API text copied into a message.
const MAX_API_TEXT: usize = 300;

/// The error fields found in a non-2xx body, in whichever shape the API used.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ApiError {
    pub code: i32,
    pub text: String,
    /// What a v2 problem `type` URI says, when it is one this library knows, with what
    /// to do when the problem is about the app or the account.
    pub problem: Option<(ErrorKind, Option<&'static str>)>,
    /// The problem's own members, when the body was a v2 problem: as sent (from
    /// [`parse_api_error`]), or redacted and cut (in [`api_failure`]'s error).
    pub fields: Option<Problem>,
}

/// What to do about a refusal of the app or the account (not of the target): one
/// line each, appended to the message after "To fix: ".
mod advice {
    pub const ACCESS_TIER: &str = "check that the app's X API package includes following (since 2026-04-20 only Enterprise does: no self-serve package, pay-per-use included) in the developer console at console.x.com, or use the other API version (API version auto switches by itself); see docs/x-api-access.md";
    pub const NOT_ENROLLED: &str = "enroll the app as X asks (attach it to a Project in the developer console at console.x.com, with a package that includes following), or use API 1.1; see docs/x-api-access.md";
    pub const USER_NOT_ENROLLED: &str = "X bills this request to the authenticated account, which is not enrolled in Pay-per-use: sign in to the Developer Console at console.x.com as that account, create its developer account and enroll it in Pay-per-use (the app's set-up is not at fault; other accounts are not affected); see docs/x-api-access.md";
    pub const PAYMENT: &str = "add credits or raise the spending limit in the developer console at console.x.com (twfollow does not retry: every request is charged)";
    pub const USAGE_CAPPED: &str = "wait for the next billing period or raise the cap in the developer console at console.x.com: the cap resets with the billing period, not with a rate window (twfollow does not retry)";
    pub const READ_ONLY: &str = "set the app's permissions to Read and Write in the X developer portal, then regenerate the access token and secret";
    pub const CREDENTIALS: &str = "use OAuth 1.0a user tokens (not a Bearer token) of an app with Read and Write permission, regenerated after any permission change";
    pub const NOT_PERMITTED: &str = "check the app's permissions and access level in the X developer portal: X does not let this app do this";
    pub const APP_ONLY: &str = "use OAuth 1.0a user tokens or an OAuth 2.0 user token: an app-only Bearer token cannot act for a user";
    pub const SUSPENDED: &str = "appeal the suspension of the access token's own account at x.com: until it is lifted every call fails";
    pub const LOCKED: &str =
        "log in at x.com as the access token's account to unlock it, then try again";
}

/// A member of any JSON type: `Some` when it has the type `T`, else `None` (a
/// member of another type is ignored as if absent, so the rest of the body still counts).
#[derive(Debug, Default)]
pub(crate) struct Lenient<T>(pub Option<T>);

impl<'de, T: DeserializeOwned> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Lenient(T::deserialize(Value::deserialize(d)?).ok()))
    }
}

/// The members an error body may have, in whichever shape the API used: Twitter's
/// `errors` and `code`/`message`, RFC 6749's `error`, a v2 problem's.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ErrorMembers {
    errors: Lenient<Vec<Value>>,
    code: Lenient<i64>,
    message: Lenient<String>,
    error: Lenient<String>,
    error_description: Lenient<String>,
    title: Lenient<String>,
    detail: Lenient<String>,
    #[serde(rename = "type")]
    type_uri: Lenient<String>,
    reason: Lenient<String>,
    required_enrollment: Lenient<String>,
    registration_url: Lenient<String>,
}

/// The members of a JSON object read into `T`, a shape of [`Lenient`] members;
/// `None` for anything but an object. Read from the parsed value, so a repeated
/// member counts once (the last).
pub(crate) fn object_members<T: DeserializeOwned>(value: Value) -> Option<T> {
    match value {
        Value::Object(_) => T::deserialize(value).ok(),
        _ => None,
    }
}

/// The hosts of X's problem types: `api.twitter.com` until 2026, `api.x.com` since;
/// both still arrive.
const PROBLEM_HOSTS: [&str; 2] = [
    "https://api.twitter.com/2/problems/",
    "https://api.x.com/2/problems/",
];

impl ErrorMembers {
    /// What a v2 problem says beyond its HTTP status, with the advice of those about the
    /// app or the account: by the last segment of its `type` (on either host), with its
    /// `reason` (`client-not-enrolled`, `user-not-enrolled`), else by its `title` (X names
    /// spent credits and caps there too, whatever the type says), else nothing (the
    /// status decides). v2 problems carry no Twitter code.
    fn problem(&self) -> Option<(ErrorKind, Option<&'static str>)> {
        let name = self
            .type_uri
            .0
            .as_deref()
            .and_then(|uri| PROBLEM_HOSTS.iter().find_map(|host| uri.strip_prefix(host)));
        let by_type = name.and_then(|name| {
            Some(match (name, self.reason.0.as_deref()) {
                ("resource-not-found", _) => (ErrorKind::NotFound, None),
                // Whatever the HTTP status: waiting for a rate window does not lift a cap.
                ("usage-capped", _) => (ErrorKind::UsageCapped, Some(advice::USAGE_CAPPED)),
                // `credits` early in 2026, `credits-depleted` from about August.
                ("credits" | "credits-depleted", _) => {
                    (ErrorKind::PaymentRequired, Some(advice::PAYMENT))
                }
                ("client-forbidden", Some("client-not-enrolled")) => {
                    (ErrorKind::AccessTier, Some(advice::NOT_ENROLLED))
                }
                ("client-forbidden", Some("user-not-enrolled")) => {
                    (ErrorKind::UserNotEnrolled, Some(advice::USER_NOT_ENROLLED))
                }
                ("unsupported-authentication", _) => {
                    (ErrorKind::AppPermission, Some(advice::APP_ONLY))
                }
                ("oauth1-permissions", _) => (ErrorKind::AppPermission, Some(advice::READ_ONLY)),
                ("client-forbidden" | "not-authorized-for-resource", _) => {
                    (ErrorKind::Forbidden, None)
                }
                _ => return None,
            })
        });
        by_type.or_else(|| {
            Some(match self.title.0.as_deref()? {
                "CreditsDepleted" | "Payment Required" => {
                    (ErrorKind::PaymentRequired, Some(advice::PAYMENT))
                }
                "UsageCapExceeded" => (ErrorKind::UsageCapped, Some(advice::USAGE_CAPPED)),
                _ => return None,
            })
        })
    }

    fn code(&self) -> i32 {
        self.code.0.and_then(|c| i32::try_from(c).ok()).unwrap_or(0)
    }

    fn text(&self) -> Option<String> {
        [&self.message, &self.detail, &self.title]
            .into_iter()
            .find_map(|text| text.0.clone())
    }

    /// The problem's members that were sent (not empty), each passed through `clean`.
    fn fields(&self, clean: &dyn Fn(&str) -> String) -> Option<Problem> {
        let field = |text: &Lenient<String>| text.0.as_deref().filter(|t| !t.is_empty()).map(clean);
        let fields = Problem {
            type_uri: field(&self.type_uri),
            title: field(&self.title),
            detail: field(&self.detail),
            reason: field(&self.reason),
            required_enrollment: field(&self.required_enrollment),
            registration_url: field(&self.registration_url),
        };
        (fields != Problem::default()).then_some(fields)
    }
}

/// Reads `{"errors":[{"code","message"}]}`, the legacy `{"error": "…"}` and the
/// v2 problem shape (`title`, `detail`, `type`), alone or as the first of `errors`.
/// Returns the default when the body is none of them.
pub fn parse_api_error(body: &[u8]) -> ApiError {
    read_api_error(body, &str::to_owned)
}

/// [`parse_api_error`], with each member of a problem passed through `clean`.
fn read_api_error(body: &[u8], clean: &dyn Fn(&str) -> String) -> ApiError {
    let Some(mut root) = serde_json::from_slice(body)
        .ok()
        .and_then(object_members::<ErrorMembers>)
    else {
        return ApiError::default();
    };
    if let Some(first) = root.errors.0.take().and_then(|e| e.into_iter().next()) {
        if let Value::String(text) = first {
            return ApiError {
                text,
                ..ApiError::default()
            };
        }
        let Some(err) = object_members::<ErrorMembers>(first) else {
            return ApiError::default();
        };
        let code = err.code();
        // A problem named in `errors[0]`, else (no code there either) the one at the
        // root: X sends a usage cap in an `errors` envelope with its `type` and
        // `title` beside it.
        let named_by = match err.problem() {
            None if code == 0 && root.problem().is_some() => &root,
            _ => &err,
        };
        let problem = named_by.problem();
        return ApiError {
            code,
            text: err.text().or_else(|| named_by.text()).unwrap_or_default(),
            problem,
            fields: named_by.fields(clean).or_else(|| err.fields(clean)),
        };
    }
    // X's OpenAPI `Error`: `{"code": N, "message": "…"}` at the top, as sent with
    // `application/json`.
    if let (Some(_), Some(message)) = (root.code.0, root.message.0.clone()) {
        return ApiError {
            code: root.code(),
            text: message,
            ..ApiError::default()
        };
    }
    if let Some(error) = root.error.0.clone() {
        // RFC 6749 5.2: {"error": "invalid_grant", "error_description": "…"}.
        let problem = matches!(
            error.as_str(),
            "invalid_request"
                | "invalid_grant"
                | "invalid_client"
                | "unauthorized_client"
                | "invalid_token"
        )
        .then_some((ErrorKind::Auth, None));
        let text = match &root.error_description.0 {
            Some(description) => format!("{error}: {description}"),
            None => error,
        };
        return ApiError {
            code: root.code(),
            text,
            problem,
            ..ApiError::default()
        };
    }
    let text = match (root.title.0.clone(), root.detail.0.clone()) {
        (Some(t), Some(d)) if t != d => format!("{t}: {d}"),
        (Some(t), _) => t,
        (None, d) => d.unwrap_or_default(),
    };
    ApiError {
        code: 0,
        text,
        problem: root.problem(),
        fields: root.fields(clean),
    }
}

/// Twitter's error code decides first; unknown codes fall back to the HTTP status.
pub fn kind_for(http_status: u16, api_code: i32) -> ErrorKind {
    code_kind(api_code).map_or_else(|| kind_for_status(http_status), |(kind, _)| kind)
}

/// What a Twitter code says, with the advice of those about the app or the account.
fn code_kind(api_code: i32) -> Option<(ErrorKind, Option<&'static str>)> {
    Some(match api_code {
        160 => (ErrorKind::AlreadyRequested, None),
        161 => (ErrorKind::FollowLimit, None),
        162 => (ErrorKind::Blocked, None),
        34 | 50 | 63 | 108 => (ErrorKind::NotFound, None),
        88 => (ErrorKind::RateLimited, None),
        32 | 89 | 135 | 215 => (ErrorKind::Auth, None),
        // About the app or the account, not the target.
        453 => (ErrorKind::AccessTier, Some(advice::ACCESS_TIER)),
        261 => (ErrorKind::AppPermission, Some(advice::READ_ONLY)),
        220 => (ErrorKind::AppPermission, Some(advice::CREDENTIALS)),
        87 => (ErrorKind::AppPermission, Some(advice::NOT_PERMITTED)),
        64 => (ErrorKind::AccountState, Some(advice::SUSPENDED)),
        326 => (ErrorKind::AccountState, Some(advice::LOCKED)),
        _ => return None,
    })
}

fn kind_for_status(http_status: u16) -> ErrorKind {
    match http_status {
        401 => ErrorKind::Auth,
        402 => ErrorKind::PaymentRequired,
        403 => ErrorKind::Forbidden,
        404 => ErrorKind::NotFound,
        429 => ErrorKind::RateLimited,
        500..=599 => ErrorKind::ServerError,
        _ => ErrorKind::HttpError,
    }
}

/// Makes API text safe for a one-line message: control characters become
/// spaces, runs of white space fold, and the length is capped.
pub fn one_line(text: &str, max_chars: usize) -> String {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|word| !word.is_empty())
        .collect();
    let line = words.join(" ");
    // The cap counts the words' characters, not the spaces between them.
    match line
        .char_indices()
        .filter(|&(_, c)| c != ' ')
        .nth(max_chars)
    {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}

/// Turns a response into the user JSON (2xx) or an [`Error`] (anything else).
/// `location` is the `Location` header of a redirect, for the message.
pub fn map_response(
    http_status: u16,
    body: Vec<u8>,
    location: Option<&str>,
    redactor: &Redactor<'_>,
) -> Result<Zeroizing<String>, Error> {
    // Wiped when dropped, whatever the answer: a refusal may echo a token.
    let body = Zeroizing::new(body);
    if (200..300).contains(&http_status) {
        return check_success_body(http_status, body);
    }
    Err(api_failure(http_status, &body, location, redactor))
}

/// API v2 refuses a follow with a codeless 403 problem. Three refusals have their
/// own status in 1.1 (codes 160-162); v2 words them as 1.1 does, so on a codeless
/// 403 the wording is recognised. Anything else stays a plain 403.
fn follow_refusal_kind(http_status: u16, api: &ApiError) -> Option<ErrorKind> {
    const WORDINGS: [(&str, ErrorKind); 3] = [
        (
            "You've already requested to follow",
            ErrorKind::AlreadyRequested,
        ),
        (
            "You are unable to follow more people",
            ErrorKind::FollowLimit,
        ),
        ("You have been blocked from following", ErrorKind::Blocked),
    ];
    if http_status != 403 || api.code != 0 {
        return None;
    }
    WORDINGS
        .iter()
        .find(|(wording, _)| api.text.contains(wording))
        .map(|&(_, kind)| kind)
}

/// The error a refusal stands for: the Twitter code decides first, then a known v2
/// problem type, then (codeless 403) the wording of a follow refusal, then the HTTP status. `body` may also be a 2xx answer that holds
/// only `errors` (v2 answers a failed lookup that way).
/// The API's text and the `Location` are redacted first, then cut to length.
pub fn api_failure(
    http_status: u16,
    body: &[u8],
    location: Option<&str>,
    redactor: &Redactor<'_>,
) -> Error {
    // Each member from outside is redacted before it is cut, as the text is; the
    // body is redacted before it is parsed, so that no unwiped copy of what the parse
    // takes out of it (an echoed token) is left in freed memory.
    let clean = |text: &str| one_line(&redactor.redact(text), MAX_API_TEXT);
    let redacted =
        std::str::from_utf8(body).map_or_else(|_| String::new(), |text| redactor.redact(text));
    let api = read_api_error(redacted.as_bytes(), &clean);
    // The Twitter code decides first, then a known v2 problem.
    let named = code_kind(api.code).or(api.problem);
    let kind = named
        .map(|(kind, _)| kind)
        .or_else(|| follow_refusal_kind(http_status, &api))
        .unwrap_or_else(|| kind_for_status(http_status));
    let advice = named
        .and_then(|(_, advice)| advice)
        // A bare 402 says no more than its status.
        .or((kind == ErrorKind::PaymentRequired).then_some(advice::PAYMENT));
    let code = match api.code {
        0 => String::new(),
        code => format!(", error {code}"),
    };
    let text = clean(&api.text);
    let problem = api.fields.clone().map(Box::new);
    let said = if !text.is_empty() {
        let members = problem.as_deref().and_then(problem_members_text);
        format!("{text}{}", members.unwrap_or_default())
    } else if (300..400).contains(&http_status) {
        let shown =
            location.map(|to| format!(" (Location: {})", one_line(&redactor.redact(to), 200)));
        format!("redirect not followed{}", shown.unwrap_or_default())
    } else if body.is_empty() {
        "empty response body".to_owned()
    } else {
        format!(
            "response body is not a Twitter error ({} bytes)",
            body.len()
        )
    };
    let mut message = format!("HTTP {http_status}{code}: {said}");
    if let Some(advice) = advice {
        // A closing parenthesis ends the problem's members: no period after a URL.
        if !message.ends_with(['.', '!', '?', ')']) {
            message.push('.');
        }
        message.push_str(" To fix: ");
        message.push_str(advice);
    }
    Error {
        http_status,
        api_code: api.code,
        problem,
        ..Error::new(kind, message)
    }
}

/// What the message says of a problem besides its title and detail:
/// " (reason: …; required enrollment: …; registration: URL)", or `None` when none was sent.
fn problem_members_text(problem: &Problem) -> Option<String> {
    let parts: Vec<String> = [
        ("reason", &problem.reason),
        ("required enrollment", &problem.required_enrollment),
        ("registration", &problem.registration_url),
    ]
    .into_iter()
    .filter_map(|(label, value)| Some(format!("{label}: {}", value.as_deref()?)))
    .collect();
    (!parts.is_empty()).then(|| format!(" ({})", parts.join("; ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONE: Redactor<'static> = Redactor::NONE;

    fn err(status: u16, body: &str) -> Error {
        map_response(status, body.as_bytes().to_vec(), None, &NONE).unwrap_err()
    }

    #[test]
    fn twitter_code_decides_before_status() {
        let cases: &[(u16, i32, ErrorKind)] = &[
            (403, 160, ErrorKind::AlreadyRequested),
            (403, 161, ErrorKind::FollowLimit),
            (403, 162, ErrorKind::Blocked),
            (403, 108, ErrorKind::NotFound),
            (404, 108, ErrorKind::NotFound),
            (404, 50, ErrorKind::NotFound),
            (404, 34, ErrorKind::NotFound),
            (403, 63, ErrorKind::NotFound),
            (429, 88, ErrorKind::RateLimited),
            (400, 88, ErrorKind::RateLimited),
            (401, 32, ErrorKind::Auth),
            (401, 89, ErrorKind::Auth),
            (401, 135, ErrorKind::Auth),
            (400, 215, ErrorKind::Auth),
            (403, 158, ErrorKind::Forbidden),
            (403, 226, ErrorKind::Forbidden),
            // Refusals of the app or the account, not of the target (issue 11).
            (403, 326, ErrorKind::AccountState),
            (403, 64, ErrorKind::AccountState),
            (403, 453, ErrorKind::AccessTier),
            (403, 261, ErrorKind::AppPermission),
            (403, 220, ErrorKind::AppPermission),
            (403, 87, ErrorKind::AppPermission),
            (401, 261, ErrorKind::AppPermission),
            (503, 130, ErrorKind::ServerError),
            (500, 131, ErrorKind::ServerError),
            (403, 99999, ErrorKind::Forbidden),
            (401, 0, ErrorKind::Auth),
            (404, 0, ErrorKind::NotFound),
            (429, 0, ErrorKind::RateLimited),
            (502, 0, ErrorKind::ServerError),
            (599, 0, ErrorKind::ServerError),
            (400, 0, ErrorKind::HttpError),
            (418, 0, ErrorKind::HttpError),
            (301, 0, ErrorKind::HttpError),
            (302, 0, ErrorKind::HttpError),
            (100, 0, ErrorKind::HttpError),
            (600, 0, ErrorKind::HttpError),
        ];
        for &(status, code, kind) in cases {
            assert_eq!(kind_for(status, code), kind, "HTTP {status}, code {code}");
            let body = format!(r#"{{"errors":[{{"code":{code},"message":"m"}}]}}"#);
            let e = err(status, &body);
            assert_eq!((e.kind, e.http_status, e.api_code), (kind, status, code));
        }
    }

    #[test]
    fn message_has_status_code_and_text() {
        let e = err(
            403,
            r#"{"errors":[{"code":161,"message":"You are unable to follow more people at this time."}]}"#,
        );
        assert_eq!(
            e.message,
            "HTTP 403, error 161: You are unable to follow more people at this time."
        );
    }

    #[test]
    fn refusals_of_the_app_or_account_say_what_to_do() {
        // (body, kind, Twitter code, message): "…" stands for the text between the
        // message's start and its end; without one the message is exactly this.
        let refusals = [
            (
                r#"{"errors":[{"code":261,"message":"Application cannot perform write actions. Contact API support to request write access."}]}"#,
                ErrorKind::AppPermission,
                261,
                "HTTP 403, error 261: Application cannot perform write actions. Contact API support to request write access. To fix: set the app's permissions to Read and Write in the X developer portal, then regenerate the access token and secret",
            ),
            (
                r#"{"errors":[{"code":326,"message":"To protect our users from spam and other malicious activity, this account is temporarily locked"}]}"#,
                ErrorKind::AccountState,
                326,
                "HTTP 403, error 326: To protect our users…temporarily locked. To fix: log in at x.com as the access token's account to unlock it, then try again",
            ),
            (
                r#"{"title":"Client Forbidden","detail":"When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from a Twitter developer App that is attached to a Project.","reason":"client-not-enrolled","type":"https://api.twitter.com/2/problems/client-forbidden","required_enrollment":"Appropriate Level of API Access"}"#,
                ErrorKind::AccessTier,
                0,
                "HTTP 403: Client Forbidden: When authenticating…attached to a Project. (reason: client-not-enrolled; required enrollment: Appropriate Level of API Access) To fix: enroll the app as X asks (attach it to a Project in the developer console at console.x.com, with a package that includes following), or use API 1.1; see docs/x-api-access.md",
            ),
            // A Twitter code decides the advice, as it decides the status.
            (
                r#"{"errors":[{"code":64,"message":"Suspended.","type":"https://api.twitter.com/2/problems/unsupported-authentication"}]}"#,
                ErrorKind::AccountState,
                64,
                "HTTP 403, error 64: Suspended.…until it is lifted every call fails",
            ),
        ];
        for (body, kind, api_code, message) in refusals {
            let e = err(403, body);
            assert_eq!((e.kind, e.http_status, e.api_code), (kind, 403, api_code));
            match message.split_once('…') {
                Some((start, end)) => assert!(
                    e.message.starts_with(start) && e.message.ends_with(end),
                    "{}",
                    e.message
                ),
                None => assert_eq!(e.message, message),
            }
        }
        // Every code of the three families has its advice; a target's refusal has none.
        let advised = [453, 261, 220, 87, 64, 326].map(|code| (code, true));
        let plain = [158, 160, 161, 162, 226, 108].map(|code| (code, false));
        for (code, advice) in advised.into_iter().chain(plain) {
            let e = err(
                403,
                &format!(r#"{{"errors":[{{"code":{code},"message":"m"}}]}}"#),
            );
            let refusal = format!("HTTP 403, error {code}: m");
            if advice {
                assert!(
                    e.message.starts_with(&format!("{refusal}. To fix: ")),
                    "{}",
                    e.message
                );
            } else {
                assert_eq!(e.message, refusal);
            }
        }
    }

    #[test]
    fn error_shapes() {
        assert_eq!(
            parse_api_error(
                br#"{"errors":[{"code":32,"message":"Could not authenticate you."},{"code":1}]}"#
            ),
            ApiError {
                code: 32,
                text: "Could not authenticate you.".into(),
                problem: None,
                fields: None,
            }
        );
        assert_eq!(
            parse_api_error(br#"{"error":"Not authorized.","request":"/1.1/x.json"}"#),
            ApiError {
                code: 0,
                text: "Not authorized.".into(),
                problem: None,
                fields: None,
            }
        );
        assert_eq!(
            parse_api_error(
                br#"{"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}"#
            ),
            ApiError {
                code: 0,
                text: "Unauthorized".into(),
                problem: None,
                fields: Some(Problem {
                    type_uri: Some("about:blank".into()),
                    title: Some("Unauthorized".into()),
                    detail: Some("Unauthorized".into()),
                    ..Problem::default()
                }),
            }
        );
        assert_eq!(
            parse_api_error(
                br#"{"title":"Too Many Requests","detail":"Too Many Requests","status":429}"#
            )
            .text,
            "Too Many Requests"
        );
        assert_eq!(
            parse_api_error(
                br#"{"title":"Forbidden","detail":"You are not permitted to follow."}"#
            )
            .text,
            "Forbidden: You are not permitted to follow."
        );
        assert_eq!(parse_api_error(br#"{"errors":["plain"]}"#).text, "plain");
        assert_eq!(parse_api_error(br#"{"errors":[{"code":"x"}]}"#).code, 0);
        assert_eq!(
            parse_api_error(br#"{"errors":[{"code":99999999999}]}"#).code,
            0
        );
        for junk in [
            &b""[..],
            b"<html>502</html>",
            b"[1,2]",
            b"\xff\xfe",
            b"null",
            b"{\"errors\":5}",
        ] {
            assert_eq!(parse_api_error(junk), ApiError::default());
        }
    }

    #[test]
    fn v2_problems_map_by_type_then_status() {
        let not_found = r#"{"errors":[{"value":"nobody","detail":"Could not find user with username: [nobody].","title":"Not Found Error","resource_type":"user","parameter":"username","resource_id":"nobody","type":"https://api.twitter.com/2/problems/resource-not-found"}]}"#;
        let e = api_failure(200, not_found.as_bytes(), None, &NONE);
        assert_eq!(
            (e.kind, e.http_status, e.api_code),
            (ErrorKind::NotFound, 200, 0)
        );
        assert_eq!(
            e.message,
            "HTTP 200: Could not find user with username: [nobody]."
        );
        let cases: &[(u16, &str, ErrorKind)] = &[
            (
                403,
                r#"{"title":"Client Forbidden","detail":"Attach your App to a Project.","reason":"client-not-enrolled","type":"https://api.twitter.com/2/problems/client-forbidden"}"#,
                ErrorKind::AccessTier,
            ),
            // client-forbidden for another reason stays a plain refusal.
            (
                403,
                r#"{"title":"Client Forbidden","detail":"No.","reason":"official-client-forbidden","type":"https://api.twitter.com/2/problems/client-forbidden"}"#,
                ErrorKind::Forbidden,
            ),
            (
                403,
                r#"{"title":"Unsupported Authentication","detail":"Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.","type":"https://api.twitter.com/2/problems/unsupported-authentication","status":403}"#,
                ErrorKind::AppPermission,
            ),
            (
                403,
                r#"{"title":"Forbidden","status":403,"detail":"Your client app is not configured with the appropriate oauth1 app permissions for this endpoint.","type":"https://api.twitter.com/2/problems/oauth1-permissions"}"#,
                ErrorKind::AppPermission,
            ),
            // X sends code 453 in v2 answers too, in the 1.1 shape.
            (
                403,
                r#"{"errors":[{"message":"You currently have access to a subset of X API V2 endpoints and limited v1.1 endpoints (e.g. media post, oauth) only.","code":453}]}"#,
                ErrorKind::AccessTier,
            ),
            (
                429,
                r#"{"title":"UsageCapExceeded","detail":"Usage cap exceeded: Monthly product cap","type":"https://api.x.com/2/problems/usage-capped","status":429}"#,
                ErrorKind::UsageCapped,
            ),
            // A cap is a cap whatever the status X sends it with.
            (
                403,
                r#"{"title":"UsageCapExceeded","detail":"Usage cap exceeded: Monthly product cap","type":"https://api.x.com/2/problems/usage-capped"}"#,
                ErrorKind::UsageCapped,
            ),
            (
                402,
                r#"{"title":"CreditsDepleted","detail":"Your enrolled account [1] does not have any credits to fulfill this request.","type":"https://api.x.com/2/problems/credits-depleted"}"#,
                ErrorKind::PaymentRequired,
            ),
            // The title alone says it, whatever the status.
            (
                403,
                r#"{"title":"CreditsDepleted","detail":"No credits."}"#,
                ErrorKind::PaymentRequired,
            ),
            (402, "", ErrorKind::PaymentRequired),
            (
                429,
                r#"{"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429}"#,
                ErrorKind::RateLimited,
            ),
            (
                401,
                r#"{"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}"#,
                ErrorKind::Auth,
            ),
            (
                403,
                r#"{"title":"Forbidden","type":"about:blank","status":403,"detail":"You are not allowed to follow this user."}"#,
                ErrorKind::Forbidden,
            ),
            (
                400,
                r#"{"errors":[{"parameters":{"target_user_id":["x"]},"message":"The `target_user_id` query parameter value [x] is not valid"}],"title":"Invalid Request","detail":"One or more parameters to your request was invalid.","type":"https://api.twitter.com/2/problems/invalid-request"}"#,
                ErrorKind::HttpError,
            ),
            (
                503,
                r#"{"title":"Service Unavailable","type":"about:blank","status":503,"detail":"Service Unavailable"}"#,
                ErrorKind::ServerError,
            ),
            // A Twitter code still decides first.
            (
                403,
                r#"{"errors":[{"code":162,"message":"Blocked.","type":"https://api.twitter.com/2/problems/client-forbidden"}]}"#,
                ErrorKind::Blocked,
            ),
            // The follow refusals that have their own status in 1.1, worded as 1.1 words them.
            (
                403,
                r#"{"title":"Forbidden","type":"about:blank","status":403,"detail":"You have been blocked from following this account at the request of the user."}"#,
                ErrorKind::Blocked,
            ),
            (
                403,
                r#"{"title":"Forbidden","type":"about:blank","status":403,"detail":"You are unable to follow more people at this time."}"#,
                ErrorKind::FollowLimit,
            ),
            (
                403,
                r#"{"title":"Forbidden","detail":"You've already requested to follow x."}"#,
                ErrorKind::AlreadyRequested,
            ),
            // ...only on a codeless 403.
            (
                400,
                r#"{"title":"Bad","detail":"You have been blocked from following this account."}"#,
                ErrorKind::HttpError,
            ),
            (
                403,
                r#"{"errors":[{"code":226,"message":"You are unable to follow more people (automated)."}]}"#,
                ErrorKind::Forbidden,
            ),
            // 2026 (issue 29): both hosts, the early and the late credits problem, the title
            // alone, the account's enrollment, the spec's `Error` at the top.
            (
                402,
                r#"{"account_id":1,"title":"CreditsDepleted","detail":"d","type":"https://api.twitter.com/2/problems/credits"}"#,
                ErrorKind::PaymentRequired,
            ),
            (
                403,
                r#"{"title":"Payment Required","detail":"credits depleted","type":"about:blank"}"#,
                ErrorKind::PaymentRequired,
            ),
            (
                403,
                r#"{"title":"UsageCapExceeded","detail":"d"}"#,
                ErrorKind::UsageCapped,
            ),
            (
                403,
                r#"{"title":"Client Forbidden","detail":"d","reason":"user-not-enrolled","type":"https://api.x.com/2/problems/client-forbidden"}"#,
                ErrorKind::UserNotEnrolled,
            ),
            (
                403,
                r#"{"title":"Client Forbidden","detail":"d","reason":"client-not-enrolled","type":"https://api.x.com/2/problems/client-forbidden"}"#,
                ErrorKind::AccessTier,
            ),
            (
                403,
                r#"{"errors":[{"detail":"d","title":"Not Found Error","type":"https://api.x.com/2/problems/resource-not-found"}]}"#,
                ErrorKind::NotFound,
            ),
            (
                403,
                r#"{"code":64,"message":"Suspended."}"#,
                ErrorKind::AccountState,
            ),
            (
                503,
                r#"{"code":130,"message":"Over capacity"}"#,
                ErrorKind::ServerError,
            ),
            // Another host's problem types are not X's.
            (
                403,
                r#"{"title":"x","reason":"client-not-enrolled","type":"https://example.com/2/problems/client-forbidden"}"#,
                ErrorKind::Forbidden,
            ),
            // Unknown problem types fall back to the status.
            (
                404,
                r#"{"title":"x","type":"https://api.twitter.com/2/problems/something-new"}"#,
                ErrorKind::NotFound,
            ),
        ];
        for &(status, body, kind) in cases {
            let e = err(status, body);
            assert_eq!((e.kind, e.http_status), (kind, status), "{body}");
            assert!(
                e.message.starts_with(&format!("HTTP {status}")),
                "{}",
                e.message
            );
        }
        assert_eq!(
            err(403, r#"{"title":"Forbidden","type":"about:blank","status":403,"detail":"You are not allowed to follow this user."}"#).message,
            "HTTP 403: Forbidden: You are not allowed to follow this user."
        );
    }

    #[test]
    fn pay_per_use_refusals_keep_x_detail_then_say_what_to_do() {
        let e = err(
            402,
            r#"{"title":"CreditsDepleted","detail":"Your enrolled account [1500000001] does not have any credits to fulfill this request.","type":"https://api.x.com/2/problems/credits-depleted"}"#,
        );
        assert_eq!(e.kind, ErrorKind::PaymentRequired);
        assert_eq!(
            e.message,
            format!("HTTP 402: CreditsDepleted: Your enrolled account [1500000001] does not have any credits to fulfill this request. To fix: {}", advice::PAYMENT)
        );
        let problem = e.problem.unwrap();
        assert_eq!(problem.title.as_deref(), Some("CreditsDepleted"));
        assert!(err(402, "").message.ends_with(advice::PAYMENT));
        let e = err(
            429,
            r#"{"title":"UsageCapExceeded","detail":"Usage cap exceeded: Monthly product cap","type":"https://api.x.com/2/problems/usage-capped","period":"Monthly","scope":"Product"}"#,
        );
        assert_eq!(e.kind, ErrorKind::UsageCapped);
        assert!(
            e.message.starts_with(
                "HTTP 429: UsageCapExceeded: Usage cap exceeded: Monthly product cap. To fix: "
            ),
            "{}",
            e.message
        );
        assert!(e
            .message
            .contains("resets with the billing period, not with a rate window"));
    }

    #[test]
    fn problem_members_reach_the_message_and_the_error() {
        let e = err(
            403,
            r#"{"title":"Client Forbidden","detail":"Attach your App to a Project.","reason":"client-not-enrolled","required_enrollment":"Appropriate Level of API Access","registration_url":"https://developer.x.com/en/portal/product","type":"https://api.twitter.com/2/problems/client-forbidden"}"#,
        );
        assert_eq!(e.kind, ErrorKind::AccessTier);
        assert_eq!(
            e.message,
            format!("HTTP 403: Client Forbidden: Attach your App to a Project. (reason: client-not-enrolled; required enrollment: Appropriate Level of API Access; registration: https://developer.x.com/en/portal/product) To fix: {}", advice::NOT_ENROLLED)
        );
        assert_eq!(
            *e.problem.unwrap(),
            Problem {
                type_uri: Some("https://api.twitter.com/2/problems/client-forbidden".into()),
                title: Some("Client Forbidden".into()),
                detail: Some("Attach your App to a Project.".into()),
                reason: Some("client-not-enrolled".into()),
                required_enrollment: Some("Appropriate Level of API Access".into()),
                registration_url: Some("https://developer.x.com/en/portal/product".into()),
            }
        );
        // Each member is redacted like the text.
        let redactor = Redactor::new(
            ["ck-0123456789", "tokenSECRET0123", "at-0123456789", "x"],
            "",
        );
        let e = api_failure(
            403,
            br#"{"title":"Client Forbidden","detail":"d","reason":"tokenSECRET0123","registration_url":"https://x.example/?t=tokenSECRET0123","type":"https://api.twitter.com/2/problems/client-forbidden"}"#,
            None,
            &redactor,
        );
        assert!(!e.message.contains("tokenSECRET"), "{}", e.message);
        assert!(!format!("{:?}", e.problem).contains("tokenSECRET"));
        // 1.1 errors have no problem members.
        assert_eq!(
            err(403, r#"{"errors":[{"code":453,"message":"m"}]}"#).problem,
            None
        );
    }

    #[test]
    fn messages_for_bodies_without_errors() {
        assert_eq!(
            err(502, "<html>Bad Gateway</html>").message,
            "HTTP 502: response body is not a Twitter error (24 bytes)"
        );
        assert_eq!(err(500, "").message, "HTTP 500: empty response body");
        let e =
            map_response(302, Vec::new(), Some("https://elsewhere.example/x"), &NONE).unwrap_err();
        assert_eq!(e.kind, ErrorKind::HttpError);
        assert_eq!(e.http_status, 302);
        assert_eq!(
            e.message,
            "HTTP 302: redirect not followed (Location: https://elsewhere.example/x)"
        );
    }

    #[test]
    fn api_text_is_redacted_before_it_is_cut() {
        // The secret straddles the 300-character cut: cut first, its head would survive.
        let secret = "tokenSECRETabcdef0123456789";
        let redactor = Redactor::new(["ck-0123456789", secret, "at-0123456789", "x"], "");
        for lead in 290..300 {
            let text = format!("{} {secret} trailing words", "w".repeat(lead));
            // Code 226: a refusal without advice, so the cut text ends the message.
            let body = serde_json::json!({"errors":[{"code":226,"message": text}]}).to_string();
            let e = api_failure(403, body.as_bytes(), None, &redactor);
            for n in 4..=secret.len() {
                assert!(!e.message.contains(&secret[..n]), "{lead}: {}", e.message);
            }
            assert!(e.message.ends_with('…'), "{}", e.message);
        }
        let e = api_failure(
            302,
            b"",
            Some(&format!("https://x.example/{}?t={secret}", "p".repeat(190))),
            &redactor,
        );
        assert!(!e.message.contains("tokenSECRET"), "{}", e.message);
    }

    #[test]
    fn api_text_is_one_bounded_line() {
        let long = "word\n".repeat(1000);
        let e = err(
            403,
            &format!(
                r#"{{"errors":[{{"code":1,"message":{}}}]}}"#,
                serde_json::to_string(&long).unwrap()
            ),
        );
        assert!(!e.message.contains('\n'));
        assert!(e.message.chars().count() < 400, "{}", e.message);
        assert_eq!(one_line("a\r\n\tb\u{0}c  ", 10), "a b c");
        assert_eq!(one_line("abcdef", 3), "abc…");
        // The spaces between words do not count.
        assert_eq!(one_line("abc def", 3), "abc …");
        assert_eq!(one_line("ab  cd ef", 4), "ab cd …");
    }

    #[test]
    fn success_body_must_be_a_json_object() {
        let ok = r#"{"id":1,"url":"https:\/\/t.co"}"#;
        // Numbers beyond f64 are valid JSON and passed on as sent.
        let huge = r#"{"n":1122222222222222e22222222}"#;
        assert_eq!(*map_response(200, huge.into(), None, &NONE).unwrap(), huge);
        assert_eq!(*map_response(200, ok.into(), None, &NONE).unwrap(), ok);
        assert_eq!(
            *map_response(201, b" {}".to_vec(), None, &NONE).unwrap(),
            " {}"
        );
        for bad in [
            &b""[..],
            b"[]",
            b"null",
            b"\"s\"",
            b"{",
            b"{}x",
            b"\xff{}",
            b"<html>",
        ] {
            let e = map_response(200, bad.to_vec(), None, &NONE).unwrap_err();
            assert_eq!(
                (e.kind, e.http_status),
                (ErrorKind::BadResponse, 200),
                "{bad:?}"
            );
        }
    }
}
