//! The user directory, and what changes as requests arrive: follows, follow requests,
//! budgets, seen nonces, the recorded requests.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use crate::http::{Headers, Recorded, Request};
use crate::{server_now, Account, SandboxConfig, Shared};

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

impl User {
    /// An account of the sandbox as a user of the directory.
    pub(crate) fn of(account: &Account) -> User {
        User {
            id: account.user_id,
            screen_name: account.screen_name.clone(),
            name: account.screen_name.clone(),
            kind: Kind::Public,
        }
    }
}

/// The seeded users besides the accounts: who, display name, kind.
const SEEDED: [((&str, u64), &str, Kind); 6] = [
    (PUBLIC_USER, "Twitter Dev", Kind::Public),
    (FOLLOWER_USER, "Twitter", Kind::Public),
    (PROTECTED_USER, "Lucy (protected)", Kind::Protected),
    (
        PENDING_USER,
        "Pat (protected, request pending)",
        Kind::Pending,
    ),
    (BLOCKER_USER, "Bob (blocks you)", Kind::Blocker),
    (MUTED_USER, "Mia (muted by you)", Kind::Public),
];

/// The seeded users, then the accounts.
fn directory(shared: &Shared) -> impl Iterator<Item = User> + '_ {
    let seeded = SEEDED.map(|((screen_name, id), name, kind)| User {
        id,
        screen_name: screen_name.into(),
        name: name.into(),
        kind,
    });
    let accounts = shared.config.accounts.iter().map(User::of);
    seeded.into_iter().chain(accounts)
}

pub(crate) fn find_by_id(shared: &Shared, id: u64) -> Option<User> {
    let seeded = directory(shared).find(|u| u.id == id);
    seeded.or_else(|| generated(id.checked_sub(GENERATED_ID_BASE)?))
}

pub(crate) fn find_by_name(shared: &Shared, name: &str) -> Option<User> {
    let seeded = directory(shared).find(|u| u.screen_name.eq_ignore_ascii_case(name));
    // `user` and a number without a leading zero.
    let digits = name.strip_prefix("user").filter(|d| !d.starts_with('0'));
    seeded.or_else(|| generated(digits?.parse().ok()?))
}

/// `user{n}`, for `n` from 1 to 999999.
fn generated(n: u64) -> Option<User> {
    (1..=999_999).contains(&n).then(|| User {
        id: GENERATED_ID_BASE + n,
        screen_name: format!("user{n}"),
        name: format!("Sandbox user {n}"),
        kind: Kind::Public,
    })
}

/// Values that live until a deadline, by key: request tokens, codes, access tokens.
pub(crate) struct Expiring<T>(HashMap<String, (T, Instant)>);

impl<T> Default for Expiring<T> {
    fn default() -> Self {
        Expiring(HashMap::new())
    }
}

impl<T> Expiring<T> {
    /// Keeps `value` for `lifetime`, and forgets the entries that have expired.
    pub fn insert(&mut self, key: String, value: T, lifetime: Duration) {
        let now = Instant::now();
        self.0.retain(|_, (_, until)| now < *until);
        self.0.insert(key, (value, now + lifetime));
    }

    pub fn live(&mut self, key: &str) -> Option<&mut T> {
        let (value, until) = self.0.get_mut(key)?;
        (Instant::now() < *until).then_some(value)
    }

    /// Removes `key`, and answers its value if it had not expired.
    pub fn take(&mut self, key: &str) -> Option<T> {
        let (value, until) = self.0.remove(key)?;
        (Instant::now() < until).then_some(value)
    }

    /// Test hook: everything held expires now.
    pub fn expire_all(&mut self) {
        let now = Instant::now();
        self.0.values_mut().for_each(|(_, until)| *until = now);
    }
}

/// What a window of requests counts, each with its own limit and length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Budget {
    /// New follows per account, and per app (id 0), in 24 hours.
    Follows,
    AppFollows,
    /// API requests per account (id 0: the app-only token), and per app (id 0), in 24 hours.
    Day,
    AppDay,
    /// API v2's 15-minute windows, by account (id 0: the app-only token) and endpoint:
    /// `me`, `lookup`, `follow` or `unfollow`.
    V2(&'static str),
}

/// User lookups per user per window (X: 900 per 15 minutes). X counts /2/users/me in
/// its own window; the sandbox gives it the lookups' size.
const V2_LOOKUP_LIMIT: u32 = 900;

impl Budget {
    /// Its limit, its length in seconds, and the prefix of the headers that tell the
    /// window on every answer, if any do.
    fn size(self, config: &SandboxConfig) -> (u32, u64, Option<&'static str>) {
        const DAY: u64 = 24 * 3600;
        let v2_window = config.v2_window.as_secs().max(1);
        match self {
            Budget::Follows => (config.user_budget, DAY, None),
            Budget::AppFollows => (config.app_budget, DAY, None),
            Budget::Day => (config.day_budget, DAY, Some("x-user-limit-24hour")),
            Budget::AppDay => (config.app_day_budget, DAY, Some("x-app-limit-24hour")),
            // X: 50 follows and 50 unfollows per user per 15 minutes, each in its window.
            Budget::V2("follow" | "unfollow") => {
                (config.v2_follow_limit, v2_window, Some("x-rate-limit"))
            }
            Budget::V2(_) => (V2_LOOKUP_LIMIT, v2_window, Some("x-rate-limit")),
        }
    }
}

/// A fixed window of requests: when it started (seconds since the epoch) and how many
/// it has counted.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Window {
    start: u64,
    used: u32,
}

#[derive(Default)]
pub(crate) struct State {
    /// (account id, followed id)
    following: HashSet<(u64, u64)>,
    requested: HashSet<(u64, u64)>,
    pub seen_nonces: HashMap<String, u64>,
    pub recorded: Vec<Recorded>,
    windows: HashMap<(Budget, u64), Window>,
    pub request_tokens: crate::oauth1::RequestTokens,
    pub oauth2: crate::oauth2::Grants,
}

impl State {
    /// Counts one request in each of these windows (a budget and a user id) when every
    /// one has room, renewing those whose time has passed; tells whether it counted,
    /// and the headers that tell the windows.
    pub fn spend(&mut self, config: &SandboxConfig, windows: &[(Budget, u64)]) -> (bool, Headers) {
        let now = server_now(config);
        let mut allowed = true;
        for &(budget, id) in windows {
            let (limit, length, _) = budget.size(config);
            let window = self.windows.entry((budget, id)).or_default();
            if now >= window.start + length {
                (window.start, window.used) = (now, 0);
            }
            allowed &= window.used < limit;
        }
        let mut headers = Headers::new();
        for &(budget, id) in windows {
            let (limit, length, prefix) = budget.size(config);
            let window = self.windows.get_mut(&(budget, id)).expect("renewed above");
            window.used += u32::from(allowed);
            if let Some(prefix) = prefix {
                let remaining = limit.saturating_sub(window.used);
                let reset = window.start + length;
                headers.push((format!("{prefix}-limit"), limit.to_string()));
                headers.push((format!("{prefix}-remaining"), remaining.to_string()));
                headers.push((format!("{prefix}-reset"), reset.to_string()));
            }
        }
        (allowed, headers)
    }
}

/// What a follow did, before either API version words it.
pub(crate) enum Outcome {
    Following,
    /// A protected account: a follow request was sent.
    Requested,
    /// A protected account with a request from this account already pending.
    AlreadyRequested,
    /// The name of X's refusal in data/refusals.json.
    Refused(&'static str),
}

/// Applies the follow rules and budgets, the same for both API versions.
pub(crate) fn follow(shared: &Shared, account: &Account, user: &User) -> Outcome {
    match user.kind {
        _ if user.id == account.user_id => return Outcome::Refused("self-follow"),
        Kind::Blocker => return Outcome::Refused("blocked"),
        Kind::Pending => return Outcome::AlreadyRequested,
        _ => {}
    }
    let mut state = shared.state.lock().unwrap();
    let edge = (account.user_id, user.id);
    if user.kind == Kind::Protected && state.requested.contains(&edge) {
        return Outcome::AlreadyRequested;
    }
    if !state.following.contains(&edge) {
        let budgets = [(Budget::Follows, account.user_id), (Budget::AppFollows, 0)];
        if !state.spend(&shared.config, &budgets).0 {
            return Outcome::Refused("follow-limit");
        }
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

impl User {
    pub(crate) fn protected(&self) -> bool {
        matches!(self.kind, Kind::Protected | Kind::Pending)
    }
}

/// What holds between an account and a user, as API v2's `connection_status` names
/// it (API 1.1's relationship reads the same).
pub(crate) fn relation(shared: &Shared, account: &Account, user: &User) -> Vec<&'static str> {
    let state = shared.state.lock().unwrap();
    let edge = (account.user_id, user.id);
    let requested = user.kind == Kind::Pending
        || (user.kind == Kind::Protected && state.requested.contains(&edge));
    [
        (state.following.contains(&edge), "following"),
        (requested, "follow_request_sent"),
        (user.id == FOLLOWER_USER.1, "followed_by"),
        (user.id == MUTED_USER.1, "muting"),
    ]
    .into_iter()
    .filter_map(|(holds, name)| holds.then_some(name))
    .collect()
}

/// Counts a request in these windows when every one has room ([`State::spend`]), and
/// puts their headers on its answer, whatever that is. False when one was used up
/// (then nothing is counted).
pub(crate) fn spend(shared: &Shared, request: &Request, windows: &[(Budget, u64)]) -> bool {
    let (allowed, headers) = shared.state.lock().unwrap().spend(&shared.config, windows);
    request.answer_headers.borrow_mut().extend(headers);
    allowed
}

/// The 24-hour budgets of `user_id` (0: the app-only token) and of the app.
pub(crate) fn day_budgets(user_id: u64) -> [(Budget, u64); 2] {
    [(Budget::Day, user_id), (Budget::AppDay, 0)]
}
