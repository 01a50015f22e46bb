//! API v2: `GET 2/users/me`, `GET 2/users/by/username/{name}`, `GET 2/users/{id}`
//! (both lookups with `user.fields=connection_status`), `POST 2/users/{id}/following`
//! and `DELETE 2/users/{id}/following/{target}`, for OAuth 1.0a or OAuth 2.0 (Bearer)
//! user context (lookups also for the app-only token), with per-user rate-limit
//! windows.

use serde_json::json;

use crate::http::{json, param, problem_json, refuse, Answer, Param, Request, Response};
use crate::refusals;
use crate::state::{
    day_budgets, find_by_id, find_by_name, follow, relation, spend, unfollow, Budget, Outcome,
    User, V2Endpoint,
};
use crate::{Account, Shared};

/// A user id as X's paths and bodies take it: 1 to 19 digits.
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

/// `rest` is the path after `/2/users/`: `me`, `by/username/{name}`, `{id}`,
/// `{id}/following` or `{id}/following/{target}`.
pub(crate) fn users(shared: &Shared, request: &Request, rest: &str) -> Answer {
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (endpoint, method, argument, target) = if rest == "me" {
        (V2Endpoint::Me, "GET", "", "")
    } else if let Some(name) = rest.strip_prefix("by/username/") {
        (V2Endpoint::Lookup, "GET", name, "")
    } else if let Some(id) = rest.strip_suffix("/following") {
        (V2Endpoint::Follow, "POST", id, "")
    } else if let Some((id, target)) = rest.split_once("/following/") {
        (V2Endpoint::Unfollow, "DELETE", id, target)
    } else if all_digits(rest) {
        (V2Endpoint::Lookup, "GET", rest, "")
    } else {
        return Err(refuse("page-not-found", true));
    };
    if request.method != method {
        return Err(refuse("method-not-allowed", true));
    }
    let query = request
        .query()
        .map_err(|()| invalid_request("query", "Malformed percent-encoding."))?;
    let writes = matches!(endpoint, V2Endpoint::Follow | V2Endpoint::Unfollow);
    // The JSON body is not signed: only the query and the oauth_* parameters are.
    let caller = refusals::admit(shared, request, (&query, &[]), true, writes)?;
    if caller.account.is_none() && endpoint != V2Endpoint::Lookup {
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
    if writes && argument != user_id.to_string() {
        let verb = match endpoint {
            V2Endpoint::Follow => "follow",
            _ => "unfollow",
        };
        let detail = format!("You are not permitted to {verb} on behalf of another user: the id in the path must be the authenticating user's.");
        let body =
            json!({"title": "Forbidden", "detail": detail, "type": "about:blank", "status": 403});
        return Err(problem_json(403, 0, body));
    }
    match (endpoint, &caller.account) {
        (V2Endpoint::Lookup, account) => {
            let by = if rest.starts_with("by/") {
                "username"
            } else {
                "id"
            };
            lookup(shared, (by, argument), account.as_ref(), &query)
        }
        (V2Endpoint::Me, Some(account)) => Ok(user_data(&User::of(account), None)),
        (V2Endpoint::Follow, Some(account)) => follow_user(shared, account, request),
        (V2Endpoint::Unfollow, Some(account)) => unfollow_user(shared, account, target),
        (_, None) => unreachable!("the app-only token only looks users up"),
    }
}

/// A lookup by `username` (`by/username/{name}`) or by `id` (`{id}`): the user, with
/// `connection_status` when `user.fields` asks for it and a user asks.
fn lookup(
    shared: &Shared,
    (parameter, value): (&str, &str),
    caller: Option<&Account>,
    query: &[Param],
) -> Answer {
    let (valid, pattern, found) = match parameter {
        "id" => {
            let found = value.parse().ok().and_then(|id| find_by_id(shared, id));
            (is_user_id(value), "^[0-9]{1,19}$", found)
        }
        _ => {
            let valid = (1..=15).contains(&value.len())
                && value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_');
            (valid, "^[A-Za-z0-9_]{1,15}$", find_by_name(shared, value))
        }
    };
    if !valid {
        return Err(mismatch("query parameter", parameter, value, pattern));
    }
    let user = found.ok_or_else(|| not_found(parameter, value, 50))?;
    let wants_connection = param(query, "user.fields")
        .is_some_and(|fields| fields.split(',').any(|f| f == "connection_status"));
    let connection = caller
        .filter(|_| wants_connection)
        .map(|account| connection_status(shared, account, &user));
    Ok(user_data(&user, connection))
}

/// API v2's `connection_status`: what holds, by name (what it omits does not hold).
fn connection_status(shared: &Shared, account: &Account, user: &User) -> Vec<&'static str> {
    let r = relation(shared, account, user);
    [
        (r.following, "following"),
        (r.follow_request_sent, "follow_request_sent"),
        (r.followed_by, "followed_by"),
        (r.muting, "muting"),
    ]
    .into_iter()
    .filter_map(|(holds, name)| holds.then_some(name))
    .collect()
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

fn follow_user(shared: &Shared, account: &Account, request: &Request) -> Answer {
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
    let answer = |following: bool| {
        json(
            200,
            0,
            json!({"data": {"following": following, "pending_follow": !following}}),
        )
    };
    Ok(match follow(shared, account, &user) {
        Outcome::Following => answer(true),
        // v2 answers a repeated request to a protected account like the first one.
        Outcome::Requested | Outcome::AlreadyRequested => answer(false),
        Outcome::Refused(name) => refuse(name, true),
    })
}

/// The user a follow or an unfollow aims at, by id; X's 200 with `errors` when nobody has it.
fn target_user(shared: &Shared, target: &str) -> Result<User, Response> {
    let found = target.parse().ok().and_then(|id| find_by_id(shared, id));
    found.ok_or_else(|| not_found("target_user_id", target, 108))
}

/// `DELETE 2/users/{source}/following/{target}`: `{"data":{"following":false}}`,
/// also when the account did not follow the target.
fn unfollow_user(shared: &Shared, account: &Account, target: &str) -> Answer {
    if !is_user_id(target) {
        let pattern = "^[0-9]{1,19}$";
        return Err(mismatch(
            "path parameter",
            "target_user_id",
            target,
            pattern,
        ));
    }
    unfollow(shared, account, &target_user(shared, target)?);
    Ok(json(200, 0, json!({"data": {"following": false}})))
}
