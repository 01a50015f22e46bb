//! API 1.1: `POST 1.1/friendships/create.json`, `POST 1.1/friendships/destroy.json`,
//! `GET 1.1/friendships/show.json`, `GET 1.1/account/verify_credentials.json` (the
//! token's own user).

use serde_json::{json, Value};

use crate::http::{error, json, param, refuse, Answer, Param, Request, Response, JSON};
use crate::refusals;
use crate::state::{
    self, day_budgets, find_by_id, find_by_name, relation, spend, Kind, Outcome, User,
};
use crate::{Account, Shared};

/// The user object of a real recorded response, used as the template for answers.
const FIXTURE: &str = include_str!("../data/friendships_create_200.json");

/// X's relationship answer (`show.json`), its members that depend on nobody filled in.
const RELATIONSHIP: &str = include_str!("../data/friendships_show.json");

/// What every 1.1 endpoint checks after the method and the parameters' encoding, in
/// X's order: the caller and X's refusals of its app or account, the 24-hour budgets.
/// Returns the caller's account and the parameters (form and query together).
pub(crate) fn admit(shared: &Shared, request: &Request) -> Result<(Account, Vec<Param>), Response> {
    let caller = refusals::admit(shared, request, false)?;
    let account = caller.account.expect("API 1.1 takes user context only");
    if !spend(shared, request, &day_budgets(account.user_id)) {
        return Err(refuse("rate-limited", false));
    }
    Ok((account, [&request.form[..], &request.query].concat()))
}

/// The parameters that name the user of `create` and `destroy`, and X's refusal when
/// nobody has it; then those of `show`'s target.
const FOLLOWED: (&str, &str, &str) = ("user_id", "screen_name", "cannot-find");
const SHOWN: (&str, &str, &str) = ("target_id", "target_screen_name", "user-not-found");

/// The user named by the id or the name parameter (exactly one), or the refusal: code 38
/// for neither or both, X's refusal `unknown` when nobody has it.
fn named_user(
    shared: &Shared,
    params: &[Param],
    (id_param, name_param, unknown): (&str, &str, &str),
) -> Result<User, Response> {
    let user = match (param(params, id_param), param(params, name_param)) {
        (Some(id), None) => id.parse::<u64>().ok().and_then(|id| find_by_id(shared, id)),
        (None, Some(name)) => find_by_name(shared, name),
        _ => {
            let message = format!("Exactly one of {id_param} or {name_param} is required.");
            return Err(error(400, 38, &message));
        }
    };
    user.ok_or_else(|| refuse(unknown, false))
}

/// `POST 1.1/friendships/create.json`: follows; answers the user object.
pub(crate) fn follow(shared: &Shared, request: &Request) -> Answer {
    let (account, all) = admit(shared, request)?;
    let notify = match param(&all, "follow") {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(error(400, 0, "follow must be true or false.")),
    };
    let user = named_user(shared, &all, FOLLOWED)?;
    Ok(match state::follow(shared, &account, &user) {
        Outcome::Following | Outcome::Requested => v1_answer(user_object(&user, notify)),
        Outcome::AlreadyRequested => {
            let message = format!("You've already requested to follow {}.", user.screen_name);
            error(403, 160, &message)
        }
        Outcome::Refused(name) => refuse(name, false),
    })
}

/// `POST 1.1/friendships/destroy.json`: unfollows; answers the user object (with
/// `following` still true for a moment, as the eventually consistent API does).
/// Unfollowing someone not followed is a 200 too.
pub(crate) fn unfollow(shared: &Shared, request: &Request) -> Answer {
    let (account, all) = admit(shared, request)?;
    let user = named_user(shared, &all, FOLLOWED)?;
    let was_following = relation(shared, &account, &user).contains(&"following");
    state::unfollow(shared, &account, &user);
    let mut answer = user_object(&user, false);
    answer["following"] = json!(was_following);
    Ok(v1_answer(answer))
}

/// `GET 1.1/friendships/show.json`: the relationship between the token's user (the
/// source) and `target_id` or `target_screen_name`.
pub(crate) fn relationship(shared: &Shared, request: &Request) -> Answer {
    let (account, all) = admit(shared, request)?;
    let user = named_user(shared, &all, SHOWN)?;
    let relation = relation(shared, &account, &user);
    let holds = |name| relation.contains(&name);
    // As X answers: `null` where it does not say (a request to a public account).
    let requested = user.protected().then_some(holds("follow_request_sent"));
    let mut answer: Value = serde_json::from_str(RELATIONSHIP).expect("a JSON template");
    for (member, value) in [
        ("source/id", json!(account.user_id)),
        ("source/id_str", json!(account.user_id.to_string())),
        ("source/screen_name", json!(account.screen_name)),
        ("source/following", json!(holds("following"))),
        ("source/followed_by", json!(holds("followed_by"))),
        ("source/following_requested", json!(requested)),
        ("source/can_dm", json!(holds("followed_by"))),
        ("source/blocked_by", json!(user.kind == Kind::Blocker)),
        ("source/muting", json!(holds("muting"))),
        ("target/id", json!(user.id)),
        ("target/id_str", json!(user.id.to_string())),
        ("target/screen_name", json!(user.screen_name)),
        ("target/following", json!(holds("followed_by"))),
        ("target/followed_by", json!(holds("following"))),
    ] {
        let pointer = format!("/relationship/{member}");
        *answer.pointer_mut(&pointer).expect("in the template") = value;
    }
    Ok(json(200, 0, answer))
}

/// `GET 1.1/account/verify_credentials.json`: the user the token acts as, checked as
/// every API 1.1 read is (signature, access tier, account state, credits, budgets):
/// X's user object, without `status` when `skip_status=true`.
pub(crate) fn me(shared: &Shared, request: &Request) -> Answer {
    let (account, params) = admit(shared, request)?;
    let mut object = user_object(&User::of(&account), false);
    if let Some(fields) = object.as_object_mut() {
        // Its own user: no relationship to itself.
        for member in ["following", "follow_request_sent", "notifications"] {
            fields.remove(member);
        }
        if param(&params, "skip_status") == Some("true") {
            fields.remove("status");
        }
    }
    Ok(v1_answer(object))
}

/// The fixture's user object with this user's identity.
pub(crate) fn user_object(user: &User, notify: bool) -> Value {
    let mut object: Value = serde_json::from_str(FIXTURE).expect("fixture is JSON");
    let protected = user.protected();
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
pub(crate) fn v1_answer(object: Value) -> Response {
    let body = object.to_string().replace('/', "\\/");
    Response::new(200, 0, JSON, body)
}
