//! The user directory, and what changes as requests arrive: follows, follow requests,
//! budgets, seen nonces, the recorded requests.

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::Instant;

use crate::http::Recorded;
use crate::{Account, Shared};

/// A user in the directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Public,
    /// Protected: the first follow sends a request; later ones get 160.
    Protected,
    /// Protected with a request already pending from every account.
    Pending,
    /// Has blocked every sandbox account.
    Blocker,
    /// One of the sandbox's own accounts.
    Account,
}

#[derive(Debug, Clone)]
pub(crate) struct User {
    pub id: u64,
    pub screen_name: String,
    pub name: String,
    pub kind: Kind,
}

/// Names of the seeded users, for documentation and tests.
pub const PUBLIC_USER: (&str, u64) = ("twitterdev", 2244994945);
pub const PROTECTED_USER: (&str, u64) = ("locked_lucy", 1000000001);
pub const PENDING_USER: (&str, u64) = ("pending_pat", 1000000002);
pub const BLOCKER_USER: (&str, u64) = ("blocker_bob", 1000000003);
/// Follows every sandbox account (`followed_by` in a relationship lookup).
pub const FOLLOWER_USER: (&str, u64) = ("Twitter", 783214);
/// Muted by every sandbox account (`muting` in a relationship lookup).
pub const MUTED_USER: (&str, u64) = ("muted_mia", 1000000004);
/// `user1` .. `user999999` exist too, with ids `GENERATED_ID_BASE + n`: plenty to exhaust budgets.
pub const GENERATED_ID_BASE: u64 = 1_600_000_000;

pub(crate) fn seeded_users(accounts: &[Account]) -> Vec<User> {
    let user = |(screen_name, id): (&str, u64), name: &str, kind| User {
        id,
        screen_name: screen_name.into(),
        name: name.into(),
        kind,
    };
    let mut users = vec![
        user(PUBLIC_USER, "Twitter Dev", Kind::Public),
        user(FOLLOWER_USER, "Twitter", Kind::Public),
        user(PROTECTED_USER, "Lucy (protected)", Kind::Protected),
        user(
            PENDING_USER,
            "Pat (protected, request pending)",
            Kind::Pending,
        ),
        user(BLOCKER_USER, "Bob (blocks you)", Kind::Blocker),
        user(MUTED_USER, "Mia (muted by you)", Kind::Public),
    ];
    users.extend(
        accounts
            .iter()
            .map(|a| user((&a.screen_name, a.user_id), &a.screen_name, Kind::Account)),
    );
    users
}

pub(crate) fn find_by_id(shared: &Shared, id: u64) -> Option<User> {
    if let Some(u) = shared.users.iter().find(|u| u.id == id) {
        return Some(u.clone());
    }
    let n = id.checked_sub(GENERATED_ID_BASE)?;
    (1..=999_999).contains(&n).then(|| generated(n))
}

pub(crate) fn find_by_name(shared: &Shared, name: &str) -> Option<User> {
    if let Some(u) = shared
        .users
        .iter()
        .find(|u| u.screen_name.eq_ignore_ascii_case(name))
    {
        return Some(u.clone());
    }
    let digits = name.strip_prefix("user")?;
    if digits.starts_with('0') {
        return None;
    }
    let n: u64 = digits.parse().ok()?;
    (1..=999_999).contains(&n).then(|| generated(n))
}

fn generated(n: u64) -> User {
    User {
        id: GENERATED_ID_BASE + n,
        screen_name: format!("user{n}"),
        name: format!("Sandbox user {n}"),
        kind: Kind::Public,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum V2Endpoint {
    Follow,
    Unfollow,
    Lookup,
    Me,
}

#[derive(Default)]
pub(crate) struct State {
    /// (account id, followed id)
    following: HashSet<(u64, u64)>,
    requested: HashSet<(u64, u64)>,
    follows_by_account: HashMap<u64, VecDeque<Instant>>,
    follows_by_app: VecDeque<Instant>,
    pub seen_nonces: HashMap<String, u64>,
    pub recorded: Vec<Recorded>,
    pub failed_on_purpose: usize,
    /// (account id, v2 endpoint) → (window start, requests in it), seconds since the epoch.
    pub v2_windows: HashMap<(u64, V2Endpoint), (u64, u32)>,
    /// 24-hour budgets: account id (0: the app-only token) → (start, requests), and
    /// all accounts together, seconds since the epoch.
    pub day_windows: HashMap<u64, (u64, u32)>,
    pub app_day_window: (u64, u32),
    pub request_tokens: crate::oauth1::RequestTokens,
    pub oauth2: crate::oauth2::Grants,
}

/// What a follow did, before either API version words it.
pub(crate) enum Outcome {
    Following,
    /// A protected account: a follow request was sent.
    Requested,
    /// A protected account with a request from this account already pending.
    AlreadyRequested,
    Refused {
        code: i32,
        message: &'static str,
    },
}

const SELF_FOLLOW: &str = "You can't follow yourself.";
const BLOCKED: &str =
    "You have been blocked from following this account at the request of the user.";
const FOLLOW_LIMIT: &str = "You are unable to follow more people at this time. Learn more <a href='http://support.twitter.com/articles/66885-i-can-t-follow-people-follow-limits'>here</a>.";

/// Applies the follow rules and budgets, the same for both API versions.
pub(crate) fn follow(shared: &Shared, account: &Account, user: &User) -> Outcome {
    let config = &shared.config;
    match user.kind {
        Kind::Account if user.id == account.user_id => {
            return Outcome::Refused {
                code: 158,
                message: SELF_FOLLOW,
            }
        }
        Kind::Blocker => {
            return Outcome::Refused {
                code: 162,
                message: BLOCKED,
            }
        }
        Kind::Pending => return Outcome::AlreadyRequested,
        _ => {}
    }
    let mut state = shared.state.lock().unwrap();
    let edge = (account.user_id, user.id);
    if user.kind == Kind::Protected && state.requested.contains(&edge) {
        return Outcome::AlreadyRequested;
    }
    if !state.following.contains(&edge) {
        let now = Instant::now();
        let window = config.budget_window;
        let app = &mut state.follows_by_app;
        while app
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            app.pop_front();
        }
        let app_used = app.len();
        let mine = state.follows_by_account.entry(account.user_id).or_default();
        while mine
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            mine.pop_front();
        }
        if mine.len() >= config.user_budget || app_used >= config.app_budget {
            return Outcome::Refused {
                code: 161,
                message: FOLLOW_LIMIT,
            };
        }
        mine.push_back(now);
        state.follows_by_app.push_back(now);
        if user.kind == Kind::Protected {
            state.requested.insert(edge);
            return Outcome::Requested;
        }
        state.following.insert(edge);
    }
    Outcome::Following
}

/// Unfollows: the account no longer follows the user (a pending request stays).
/// Unfollowing someone it does not follow changes nothing and is no error.
pub(crate) fn unfollow(shared: &Shared, account: &Account, user: &User) {
    let mut state = shared.state.lock().unwrap();
    state.following.remove(&(account.user_id, user.id));
}

/// What holds between an account and a user, before either API version words it.
pub(crate) struct Relation {
    pub following: bool,
    pub follow_request_sent: bool,
    pub followed_by: bool,
    pub blocked_by: bool,
    pub muting: bool,
    /// The user's account is protected (API 1.1 then says whether a request is
    /// pending; for public accounts it answers `null`).
    pub protected: bool,
}

pub(crate) fn relation(shared: &Shared, account: &Account, user: &User) -> Relation {
    let state = shared.state.lock().unwrap();
    let edge = (account.user_id, user.id);
    Relation {
        following: state.following.contains(&edge),
        follow_request_sent: user.kind == Kind::Pending
            || (user.kind == Kind::Protected && state.requested.contains(&edge)),
        followed_by: user.id == FOLLOWER_USER.1,
        blocked_by: user.kind == Kind::Blocker,
        muting: user.id == MUTED_USER.1,
        protected: matches!(user.kind, Kind::Protected | Kind::Pending),
    }
}

/// Counts an API request against the 24-hour budgets of `user_id` (0: the app-only
/// token) and of the app, and puts their headers on the answer. Returns the 429
/// refusal's words when either budget was already spent (then nothing is counted).
pub(crate) fn spend_day_budgets(
    shared: &Shared,
    request: &crate::http::Request,
    user_id: u64,
) -> Result<(), ()> {
    const DAY: u64 = 24 * 3600;
    let config = &shared.config;
    let now = crate::server_now(config);
    let mut state = shared.state.lock().unwrap();
    let fresh = |window: &mut (u64, u32)| {
        if now >= window.0 + DAY {
            *window = (now, 0);
        }
    };
    let mut user = *state.day_windows.entry(user_id).or_insert((now, 0));
    let mut app = state.app_day_window;
    if app == (0, 0) {
        app = (now, 0);
    }
    fresh(&mut user);
    fresh(&mut app);
    let allowed = user.1 < config.day_budget && app.1 < config.app_day_budget;
    if allowed {
        user.1 += 1;
        app.1 += 1;
    }
    state.day_windows.insert(user_id, user);
    state.app_day_window = app;
    let (user_limit, app_limit) = (config.day_budget, config.app_day_budget);
    request.answer_headers.borrow_mut().extend([
        ("x-user-limit-24hour-limit", user_limit.to_string()),
        (
            "x-user-limit-24hour-remaining",
            user_limit.saturating_sub(user.1).to_string(),
        ),
        ("x-user-limit-24hour-reset", (user.0 + DAY).to_string()),
        ("x-app-limit-24hour-limit", app_limit.to_string()),
        (
            "x-app-limit-24hour-remaining",
            app_limit.saturating_sub(app.1).to_string(),
        ),
        ("x-app-limit-24hour-reset", (app.0 + DAY).to_string()),
    ]);
    if allowed {
        Ok(())
    } else {
        Err(())
    }
}
