//! API v2: `GET 2/users/me`, `GET 2/users/by/username/{name}`, `GET 2/users/{id}`
//! (both lookups with `user.fields=connection_status`), `POST 2/users/{id}/following`
//! and `DELETE 2/users/{id}/following/{target}`, for OAuth 1.0a or OAuth 2.0 (Bearer)
//! user context (lookups also for the app-only token), with per-user rate-limit
//! windows.

use serde_json::json;

use crate::http::{json, param, problem_json, refuse, Answer, Request, Response};
use crate::refusals;
use crate::state::{
    self, day_budgets, find_by_id, find_by_name, relation, spend, Budget, Outcome, User,
};
use crate::{Account, Shared};

/// A user id as X's paths and bodies take it: 1 to 19 digits.
const USER_ID_PATTERN: &str = "^[0-9]{1,19}$";

/// Whether `text` is a user id ([`USER_ID_PATTERN`]).
fn is_user_id(text: &str) -> bool {
    (1..=19).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit())
}

/// What API v2 answers 200 with when a user does not exist.
fn not_found(parameter: &str, value: &str, code: i32) -> Response {
    let body = json!({"errors": [{
        "value": value,
        "detail": format!("Could not find user with {parameter}: [{value}]."),
        "title": "Not Found Error",
        "resource_type": "user",
        "parameter": parameter,
        "resource_id": value,
        // X's OpenAPI document (2.167) requires this host; X sent api.twitter.com before.
        "type": "https://api.x.com/2/problems/resource-not-found",
    }]});
    json(200, code, body)
}

/// A 400 `invalid-request` problem, as X's OpenAPI document declares it: a `Problem`
/// (`application/problem+json`, on the `api.x.com` host), with X's `errors` beside.
fn invalid_request(parameter: &str, message: &str) -> Response {
    let body = json!({
        "errors": [{"parameters": {parameter: []}, "message": message}],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": "https://api.x.com/2/problems/invalid-request",
        "status": 400,
    });
    problem_json(400, 0, body)
}

/// The 400 of a value that does not match its pattern.
fn mismatch(what: &str, parameter: &str, value: &str, pattern: &str) -> Response {
    let message = format!("The `{parameter}` {what} value [{value}] does not match {pattern}");
    invalid_request(parameter, &message)
}

/// What every v2 endpoint (`me`, `lookup`, `follow`, `unfollow`: its window's name)
/// checks after the method and the query's encoding, in X's order: the caller and X's
/// refusals of its app or account, the app-only token (for lookups only), the
/// `follows.write` scope of a write, the 15-minute window and the
/// 24-hour budgets, and that a write acts for the caller (the path's first id).
/// Returns the caller's account (`None`: the app-only token).
fn admit(
    shared: &Shared,
    request: &Request,
    endpoint: &'static str,
) -> Result<Option<Account>, Response> {
    let writes = request.method != "GET";
    // The JSON body is not signed: only the query and the oauth_* parameters are.
    let caller = refusals::admit(shared, request, true)?;
    if caller.account.is_none() && endpoint != "lookup" {
        return Err(refuse("app-only", true));
    }
    if writes && !caller.may("follows.write") {
        return Err(refuse("no-follows-write-scope", true));
    }
    // 0: the app-only token, which looks users up with no relationship to anyone.
    let user_id = caller.account.as_ref().map_or(0, |account| account.user_id);
    let window = [(Budget::V2(endpoint), user_id)];
    if !spend(shared, request, &window) || !spend(shared, request, &day_budgets(user_id)) {
        return Err(refuse("rate-limited", true));
    }
    if writes && request.path_params[0] != user_id.to_string() {
        let detail = format!("You are not permitted to {endpoint} on behalf of another user: the id in the path must be the authenticating user's.");
        let body =
            json!({"title": "Forbidden", "detail": detail, "type": "about:blank", "status": 403});
        return Err(problem_json(403, 0, body));
    }
    Ok(caller.account)
}

/// What only a user's credentials may do.
const USER_ONLY: &str = "the app-only token only looks users up";

/// `GET 2/users/me`: the caller's own user.
pub(crate) fn me(shared: &Shared, request: &Request) -> Answer {
    let account = admit(shared, request, "me")?.expect(USER_ONLY);
    Ok(user_data(&User::of(&account), None))
}

/// `GET 2/users/by/username/{name}` or `GET 2/users/{id}`: the user, with
/// `connection_status` when `user.fields` asks for it and a user asks.
pub(crate) fn lookup(shared: &Shared, request: &Request) -> Answer {
    let caller = admit(shared, request, "lookup")?;
    let value = request.path_params[0].as_str();
    // By the route matched: `…/by/username/{name}` (a base URL's prefix may hold those words too).
    let by_name = request.path().rsplit('/').nth(1) == Some("username");
    let (parameter, pattern, valid, found) = if by_name {
        let valid = (1..=15).contains(&value.len())
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_');
        let found = find_by_name(shared, value);
        ("username", "^[A-Za-z0-9_]{1,15}$", valid, found)
    } else {
        let found = value.parse().ok().and_then(|id| find_by_id(shared, id));
        ("id", USER_ID_PATTERN, is_user_id(value), found)
    };
    if !valid {
        return Err(mismatch("query parameter", parameter, value, pattern));
    }
    let user = found.ok_or_else(|| not_found(parameter, value, 50))?;
    let wants_connection = param(&request.query, "user.fields")
        .is_some_and(|fields| fields.split(',').any(|f| f == "connection_status"));
    let connection = caller
        .filter(|_| wants_connection)
        .map(|account| relation(shared, &account, &user));
    Ok(user_data(&user, connection))
}

fn user_data(user: &User, connection_status: Option<Vec<&str>>) -> Response {
    let mut data = json!({
        "id": user.id.to_string(),
        "name": user.name,
        "username": user.screen_name,
    });
    if let Some(list) = connection_status {
        data["connection_status"] = json!(list);
    }
    json(200, 0, json!({ "data": data }))
}

/// `POST 2/users/{id}/following`, with `{"target_user_id":"…"}`.
pub(crate) fn follow(shared: &Shared, request: &Request) -> Answer {
    let account = admit(shared, request, "follow")?.expect(USER_ONLY);
    let json_type = request
        .header("content-type")
        .is_some_and(|t| t.starts_with("application/json"));
    let body: Option<serde_json::Value> = serde_json::from_slice(&request.body).ok();
    let target = body
        .as_ref()
        .and_then(|b| b.get("target_user_id")?.as_str())
        .filter(|id| json_type && is_user_id(id));
    let Some(target) = target else {
        return Err(invalid_request(
            "target_user_id",
            "The request body must be JSON with target_user_id, a string of 1 to 19 digits.",
        ));
    };
    let user = target_user(shared, target)?;
    let following = match state::follow(shared, &account, &user) {
        Outcome::Following => true,
        // v2 answers a repeated request to a protected account like the first one.
        Outcome::Requested | Outcome::AlreadyRequested => false,
        Outcome::Refused(name) => return Err(refuse(name, true)),
    };
    let body = json!({"data": {"following": following, "pending_follow": !following}});
    Ok(json(200, 0, body))
}

/// The user a follow or an unfollow aims at, by id; X's 200 with `errors` when nobody has it.
fn target_user(shared: &Shared, target: &str) -> Result<User, Response> {
    let found = target.parse().ok().and_then(|id| find_by_id(shared, id));
    found.ok_or_else(|| not_found("target_user_id", target, 108))
}

/// `DELETE 2/users/{source}/following/{target}`: `{"data":{"following":false}}`,
/// also when the account did not follow the target.
pub(crate) fn unfollow(shared: &Shared, request: &Request) -> Answer {
    let account = admit(shared, request, "unfollow")?.expect(USER_ONLY);
    let target = request.path_params[1].as_str();
    if !is_user_id(target) {
        let refused = mismatch("path parameter", "target_user_id", target, USER_ID_PATTERN);
        return Err(refused);
    }
    state::unfollow(shared, &account, &target_user(shared, target)?);
    Ok(json(200, 0, json!({"data": {"following": false}})))
}
