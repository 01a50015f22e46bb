//! API 1.1: `POST 1.1/friendships/create.json`, `POST 1.1/friendships/destroy.json`,
//! `GET 1.1/friendships/show.json`.

use serde_json::json;

use crate::billing::{billing_refusal, day_budget_refusal};
use crate::http::{error, json, ok, param, Answer, Param, Request, Response};
use crate::oauth1::{account_refusal_words, authenticate, Authenticated};
use crate::state::{
    find_by_id, find_by_name, follow, relation, spend_day_budgets, unfollow, Kind, Outcome, User,
};
use crate::{AppLimit, Shared};

/// The user object of a real recorded response, used as the template for answers.
const FIXTURE: &str = include_str!("../data/friendships_create_200.json");

/// What every 1.1 endpoint checks first, in X's order: the method, the parameters'
/// encoding, OAuth 1.0a user context (any Bearer token is 403, code 220), the
/// signature; then the app's access tier (453), the account (64, 326) and, for a
/// write, the app's permission (261). Returns the caller and its parameters (form
/// and query together).
pub(crate) fn admit<'a>(
    shared: &'a Shared,
    request: &Request,
    method: &str,
    write: bool,
) -> Result<(Authenticated<'a>, Vec<Param>), Response> {
    if request.method != method {
        return Err(error(405, 0, &format!("Method not allowed: use {method}.")));
    }
    let (Ok(query), Ok(form)) = (request.query(), request.form()) else {
        return Err(error(400, 0, "Malformed percent-encoding."));
    };
    if request.credentials("Bearer").is_some() {
        // API 1.1 takes OAuth 1.0a user context only.
        return Err(error(
            403,
            220,
            "Your credentials do not allow access to this resource.",
        ));
    }
    let caller = authenticate(shared, request, &form, &query)?;
    if caller.app.has(AppLimit::NoV1Access) {
        return Err(error(
            403,
            453,
            "You currently have access to a subset of X API V2 endpoints and limited v1.1 endpoints (e.g. media post, oauth) only. If you need access to this endpoint, you may need a different access level. You can learn more here: https://developer.x.com/en/portal/product",
        ));
    }
    if let Some(state) = caller.state {
        let (code, message) = account_refusal_words(state);
        return Err(error(403, code, message));
    }
    if write && caller.app.has(AppLimit::ReadOnly) {
        return Err(error(
            403,
            261,
            "Application cannot perform write actions. Contact API support to request write access.",
        ));
    }
    if let Some(refusal) = billing_refusal(&caller.app.limits) {
        return Err(refusal);
    }
    if !spend_day_budgets(shared, request, caller.account.user_id) {
        return Err(day_budget_refusal(false));
    }
    let mut all = form;
    all.extend(query);
    Ok((caller, all))
}

/// The user named by `user_id` or `screen_name` (exactly one; for
/// `friendships/show`, `target_id` or `target_screen_name`), or the refusal: code 38
/// for neither or both, `unknown` when nobody has it.
fn named_user(
    shared: &Shared,
    params: &[Param],
    (id_param, name_param): (&str, &str),
    unknown: Response,
) -> Result<User, Response> {
    let user = match (param(params, id_param), param(params, name_param)) {
        (Some(id), None) => id.parse::<u64>().ok().and_then(|id| find_by_id(shared, id)),
        (None, Some(name)) => find_by_name(shared, name),
        _ => {
            let message = format!("Exactly one of {id_param} or {name_param} is required.");
            return Err(error(400, 38, &message));
        }
    };
    user.ok_or(unknown)
}

/// What 1.1 answers for a user nobody has, in `create` and `destroy`.
fn cannot_find() -> Response {
    error(403, 108, "Cannot find specified user.")
}

pub(crate) fn friendships_create(shared: &Shared, request: &Request) -> Answer {
    let (caller, all) = admit(shared, request, "POST", true)?;
    let notify = match param(&all, "follow") {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(error(400, 0, "follow must be true or false.")),
    };
    let user = named_user(shared, &all, ("user_id", "screen_name"), cannot_find())?;
    Ok(match follow(shared, caller.account, &user) {
        Outcome::Following | Outcome::Requested => v1_answer(user_object(&user, notify)),
        Outcome::AlreadyRequested => {
            let message = format!("You've already requested to follow {}.", user.screen_name);
            error(403, 160, &message)
        }
        Outcome::Refused { code, message } => error(403, code, message),
    })
}

/// Unfollows; answers the user object (with `following` still true for a moment, as
/// the eventually consistent API does). Unfollowing someone not followed is a 200 too.
pub(crate) fn friendships_destroy(shared: &Shared, request: &Request) -> Answer {
    let (caller, all) = admit(shared, request, "POST", true)?;
    let user = named_user(shared, &all, ("user_id", "screen_name"), cannot_find())?;
    let was_following = relation(shared, caller.account, &user).following;
    unfollow(shared, caller.account, &user);
    let mut answer = user_object(&user, false);
    answer["following"] = json!(was_following);
    Ok(v1_answer(answer))
}

/// The relationship between the token's user (the source) and `target_id` or
/// `target_screen_name`.
pub(crate) fn friendships_show(shared: &Shared, request: &Request) -> Answer {
    let (caller, all) = admit(shared, request, "GET", false)?;
    let account = caller.account;
    let names = ("target_id", "target_screen_name");
    let user = named_user(shared, &all, names, error(404, 50, "User not found."))?;
    let r = relation(shared, account, &user);
    // As X answers: `null` where it does not say (a request to a public account).
    let requested = r.protected.then_some(r.follow_request_sent);
    let answer = json!({"relationship": {
        "source": {
            "id": account.user_id,
            "id_str": account.user_id.to_string(),
            "screen_name": account.screen_name,
            "following": r.following,
            "followed_by": r.followed_by,
            "live_following": false,
            "following_received": null,
            "following_requested": requested,
            "notifications_enabled": null,
            "can_dm": r.followed_by,
            "blocking": false,
            "blocked_by": r.blocked_by,
            "muting": r.muting,
            "want_retweets": null,
            "all_replies": null,
            "marked_spam": null,
        },
        "target": {
            "id": user.id,
            "id_str": user.id.to_string(),
            "screen_name": user.screen_name,
            "following": r.followed_by,
            "followed_by": r.following,
            "following_received": null,
            "following_requested": null,
        },
    }});
    Ok(json(200, 0, answer))
}

/// The fixture's user object with this user's identity.
pub(crate) fn user_object(user: &User, notify: bool) -> serde_json::Value {
    let mut object: serde_json::Value = serde_json::from_str(FIXTURE).expect("fixture is JSON");
    let protected = matches!(user.kind, Kind::Protected | Kind::Pending);
    for (key, value) in [
        ("id", json!(user.id)),
        ("id_str", json!(user.id.to_string())),
        ("name", json!(user.name)),
        ("screen_name", json!(user.screen_name)),
        ("protected", json!(protected)),
        // Eventually consistent, like the real endpoint: `following` stays false in the answer.
        ("following", json!(false)),
        ("follow_request_sent", json!(protected)),
        ("notifications", json!(notify)),
    ] {
        object[key] = value;
    }
    if protected {
        object.as_object_mut().unwrap().remove("status");
    }
    object
}

/// An API 1.1 answer, its slashes escaped `\/` as the API does.
pub(crate) fn v1_answer(object: serde_json::Value) -> Response {
    ok(object.to_string().replace('/', "\\/"))
}
