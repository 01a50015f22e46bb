//! API v2: `GET 2/users/me`, `GET 2/users/by/username/{name}` and
//! `POST 2/users/{id}/following`, for OAuth 1.0a or OAuth 2.0 (Bearer) user
//! context, with per-user rate-limit windows.

use crate::http::{ok, problem, Headers, Request, Response};
use crate::oauth1::authenticate;
use crate::oauth2::bearer;
use crate::state::{find_by_id, find_by_name, follow, Kind, Outcome, User, V2Endpoint};
use crate::{server_now, Account, Shared};

/// What API v2 answers 200 with when a user does not exist.
fn not_found(parameter: &str, value: &str, code: i32) -> Response {
    let body = serde_json::json!({"errors": [{
        "value": value,
        "detail": format!("Could not find user with {parameter}: [{value}]."),
        "title": "Not Found Error",
        "resource_type": "user",
        "parameter": parameter,
        "resource_id": value,
        "type": "https://api.twitter.com/2/problems/resource-not-found",
    }]});
    Response {
        api_code: code,
        ..ok(body.to_string())
    }
}

fn invalid_request(parameter: &str, message: &str) -> Response {
    let body = serde_json::json!({
        "errors": [{"parameters": {parameter: []}, "message": message}],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": "https://api.twitter.com/2/problems/invalid-request",
    });
    Response {
        status: 400,
        ..ok(body.to_string())
    }
}

/// The user a request acts for, and what it may do.
struct Caller<'a> {
    account: &'a Account,
    /// The OAuth 2.0 token's scopes; `None` for OAuth 1.0a, which carries the app's
    /// permissions.
    scopes: Option<String>,
}

impl Caller<'_> {
    fn may(&self, scope: &str) -> bool {
        self.scopes
            .as_deref()
            .is_none_or(|scopes| scopes.split(' ').any(|s| s == scope))
    }
}

/// A Bearer user token from `2/oauth2/token`, or an OAuth 1.0a signature: any
/// failure is API v2's codeless 401.
fn authenticate_caller<'a>(
    shared: &'a Shared,
    request: &Request,
    query: &[(String, String)],
) -> Result<Caller<'a>, Response> {
    let unauthorized = |code| problem(401, "Unauthorized", "Unauthorized", code);
    if let Some(token) = request.credentials("Bearer") {
        let (account, scopes) = bearer(shared, token).ok_or_else(|| unauthorized(89))?;
        return Ok(Caller {
            account: &shared.config.accounts[account],
            scopes: Some(scopes),
        });
    }
    // The JSON body is not signed: only the query and the oauth_* parameters are.
    let account =
        authenticate(shared, request, &[], query).map_err(|r| unauthorized(r.api_code))?;
    Ok(Caller {
        account,
        scopes: None,
    })
}

/// `rest` is the path after `/2/users/`: `me`, `by/username/{name}` or `{id}/following`.
pub(crate) fn users(shared: &Shared, request: &Request, rest: &str) -> Response {
    let (endpoint, method, argument) = if rest == "me" {
        (V2Endpoint::Me, "GET", "")
    } else if let Some(name) = rest.strip_prefix("by/username/") {
        (V2Endpoint::Lookup, "GET", name)
    } else if let Some(id) = rest.strip_suffix("/following") {
        (V2Endpoint::Follow, "POST", id)
    } else {
        return problem(404, "Not Found", "Sorry, that page does not exist.", 34);
    };
    if request.method != method {
        return problem(405, "Method Not Allowed", &format!("Use {method}."), 0);
    }
    let Ok(query) = request.query() else {
        return invalid_request("query", "Malformed percent-encoding.");
    };
    let caller = match authenticate_caller(shared, request, &query) {
        Ok(caller) => caller,
        Err(refusal) => return refusal,
    };
    if endpoint == V2Endpoint::Follow && !caller.may("follows.write") {
        return problem(
            403,
            "Forbidden",
            "The token was not granted the follows.write scope.",
            0,
        );
    }
    let account = caller.account;
    let rate_headers = match count_request(shared, account, endpoint) {
        Ok(headers) => headers,
        Err(headers) => {
            return Response {
                headers,
                ..problem(429, "Too Many Requests", "Too Many Requests", 88)
            }
        }
    };
    let response = match endpoint {
        V2Endpoint::Me => user_data(&User {
            id: account.user_id,
            screen_name: account.screen_name.clone(),
            name: account.screen_name.clone(),
            kind: Kind::Account,
        }),
        V2Endpoint::Lookup => lookup(shared, argument),
        V2Endpoint::Follow => follow_user(shared, account, argument, request),
    };
    Response {
        headers: rate_headers,
        ..response
    }
}

/// Counts a v2 request against the user's window: the rate-limit headers to send,
/// or (as `Err`) those of a refusal when the window is used up.
fn count_request(
    shared: &Shared,
    account: &Account,
    endpoint: V2Endpoint,
) -> Result<Headers, Headers> {
    let config = &shared.config;
    let limit = match endpoint {
        V2Endpoint::Follow => config.v2_follow_limit,
        // X counts /2/users/me in its own window; the sandbox gives it the lookups' size.
        V2Endpoint::Lookup | V2Endpoint::Me => config.v2_lookup_limit,
    };
    let now = server_now(config);
    let window = config.v2_window.as_secs().max(1);
    let mut state = shared.state.lock().unwrap();
    let (start, used) = state
        .v2_windows
        .entry((account.user_id, endpoint))
        .or_insert((now, 0));
    if now >= *start + window {
        (*start, *used) = (now, 0);
    }
    let allowed = *used < limit;
    if allowed {
        *used += 1;
    }
    let headers = vec![
        ("x-rate-limit-limit", limit.to_string()),
        ("x-rate-limit-remaining", (limit - *used).to_string()),
        ("x-rate-limit-reset", (*start + window).to_string()),
    ];
    if allowed {
        Ok(headers)
    } else {
        Err(headers)
    }
}

fn lookup(shared: &Shared, name: &str) -> Response {
    let valid = (1..=15).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !valid {
        return invalid_request(
            "username",
            &format!("The `username` query parameter value [{name}] does not match ^[A-Za-z0-9_]{{1,15}}$"),
        );
    }
    match find_by_name(shared, name) {
        Some(user) => user_data(&user),
        None => not_found("username", name, 50),
    }
}

fn user_data(user: &User) -> Response {
    ok(serde_json::json!({"data": {
        "id": user.id.to_string(),
        "name": user.name,
        "username": user.screen_name,
    }})
    .to_string())
}

fn follow_user(shared: &Shared, account: &Account, source: &str, request: &Request) -> Response {
    if source != account.user_id.to_string() {
        return problem(
            403,
            "Forbidden",
            "You are not permitted to follow on behalf of another user: the id in the path must be the authenticating user's.",
            0,
        );
    }
    let json_type = request
        .header("content-type")
        .is_some_and(|t| t.starts_with("application/json"));
    let body: Option<serde_json::Value> = serde_json::from_slice(&request.body).ok();
    let target = body
        .as_ref()
        .and_then(|b| b.get("target_user_id")?.as_str())
        .filter(|id| (1..=19).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit()));
    let Some(target) = target.filter(|_| json_type) else {
        return invalid_request(
            "target_user_id",
            "The request body must be JSON with target_user_id, a string of 1 to 19 digits.",
        );
    };
    let Some(user) = target.parse().ok().and_then(|id| find_by_id(shared, id)) else {
        return not_found("target_user_id", target, 108);
    };
    let answer = |following: bool| {
        ok(
            serde_json::json!({"data": {"following": following, "pending_follow": !following}})
                .to_string(),
        )
    };
    match follow(shared, account, &user) {
        Outcome::Following => answer(true),
        // v2 answers a repeated request to a protected account like the first one.
        Outcome::Requested | Outcome::AlreadyRequested => answer(false),
        Outcome::Refused { code, message } => problem(403, "Forbidden", message, code),
    }
}
