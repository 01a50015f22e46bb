//! API 1.1: `POST 1.1/friendships/create.json`.

use crate::http::{error, ok, Request, Response};
use crate::oauth1::authenticate;
use crate::state::{find_by_id, find_by_name, follow, Kind, Outcome, User};
use crate::Shared;

/// The user object of a real recorded response, used as the template for answers.
const FIXTURE: &str = include_str!("../data/friendships_create_200.json");

pub(crate) fn friendships_create(shared: &Shared, request: &Request) -> Response {
    if request.method != "POST" {
        return error(405, 0, "Method not allowed: use POST.");
    }
    let (Ok(query), Ok(form)) = (request.query(), request.form()) else {
        return error(400, 0, "Malformed percent-encoding.");
    };
    if request.credentials("Bearer").is_some() {
        // API 1.1 takes OAuth 1.0a user context only.
        return error(
            403,
            220,
            "Your credentials do not allow access to this resource.",
        );
    }
    let account = match authenticate(shared, request, &form, &query) {
        Ok(account) => account,
        Err(response) => return response,
    };
    let mut all = form.clone();
    all.extend(query);
    let param = |name: &str| all.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let notify = match param("follow") {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return error(400, 0, "follow must be true or false."),
    };
    let user = match (param("user_id"), param("screen_name")) {
        (Some(id), None) => id.parse::<u64>().ok().and_then(|id| find_by_id(shared, id)),
        (None, Some(name)) => find_by_name(shared, name),
        _ => {
            return error(
                400,
                38,
                "Exactly one of user_id or screen_name is required.",
            )
        }
    };
    let Some(user) = user else {
        return error(403, 108, "Cannot find specified user.");
    };
    match follow(shared, account, &user) {
        Outcome::Following | Outcome::Requested => ok(user_json(&user, notify)),
        Outcome::AlreadyRequested => error(
            403,
            160,
            &format!("You've already requested to follow {}.", user.screen_name),
        ),
        Outcome::Refused { code, message } => error(403, code, message),
    }
}

/// The fixture's user object with this user's identity; slashes escaped as the API does.
fn user_json(user: &User, notify: bool) -> String {
    let mut object: serde_json::Value = serde_json::from_str(FIXTURE).expect("fixture is JSON");
    let protected = matches!(user.kind, Kind::Protected | Kind::Pending);
    for (key, value) in [
        ("id", serde_json::json!(user.id)),
        ("id_str", serde_json::json!(user.id.to_string())),
        ("name", serde_json::json!(user.name)),
        ("screen_name", serde_json::json!(user.screen_name)),
        ("protected", serde_json::json!(protected)),
        // Eventually consistent, like the real endpoint: `following` stays false in the answer.
        ("following", serde_json::json!(false)),
        ("follow_request_sent", serde_json::json!(protected)),
        ("notifications", serde_json::json!(notify)),
    ] {
        object[key] = value;
    }
    if protected {
        object.as_object_mut().unwrap().remove("status");
    }
    object.to_string().replace('/', "\\/")
}
