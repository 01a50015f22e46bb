//! The OAuth 2.0 state of a config: the client, the current tokens, the follower's
//! id, and the application's callback for rotated tokens. Shared (`Arc`) by every
//! copy of the settings, so a setter that rebuilds the client keeps it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use zeroize::Zeroizing;

use crate::core::auth::oauth2::{basic_auth_header, Tokens, REFRESH_MARGIN_SECS};
use crate::core::auth::Secret;
use crate::core::error::{Error, ErrorKind};
use crate::core::sys::fork::{self, Locked};

/// Receives the tokens as JSON each time they change (a refresh, a code exchange).
pub type TokenCallback = Arc<dyn Fn(&str) + Send + Sync>;

/// Where a store-backed config's tokens live between processes (the token store in
/// api/store implements it, so that `auth` needs nothing of the rank above).
pub trait TokenStore: Send + Sync {
    /// Takes the account's lock, waiting at most until `deadline` (`ErrorKind::Timeout`
    /// after it, saying who refreshes when the store knows), and reads the account's
    /// tokens under it.
    fn lock(&self, deadline: Instant) -> Result<Box<dyn LockedTokens + '_>, Error>;
    /// The account's name in the store.
    fn account(&self) -> &str;
    /// Records the user's id and screen name when the account lacked them (an
    /// imported account), so the next process sends no `GET 2/users/me`.
    fn remember_identity(&self, user_id: u64, screen_name: Option<&str>, deadline: Instant);
}

/// The account's tokens while the store's lock is held; dropping it releases the lock.
pub trait LockedTokens {
    /// The tokens stored now (another process may have written newer ones).
    fn stored(&self) -> &Tokens;
    /// A refresh that a process recorded as in flight and never finished.
    fn interrupted(&self) -> Option<InFlightRefresh>;
    /// Records this process's refresh as in flight, before its request is sent: a
    /// refresh that cannot be recorded is not sent.
    fn begin_refresh(&mut self) -> Result<(), Error>;
    /// Writes `tokens` to the account and clears the in-flight record, in one write
    /// (still under the lock; refused when the account changed under it).
    fn save(&mut self, tokens: &Tokens) -> Result<(), Error>;
    /// X refused the refresh. `lost`: after an interrupted refresh, so the grant is
    /// gone (recorded, so that no later call sends another refresh that cannot
    /// succeed); else the record goes back to what it was before (best effort).
    fn refresh_refused(&mut self, lost: bool);
}

/// A refresh recorded in the store as in flight: when, where, and whether a later
/// refresh was refused after it (the grant is then known lost).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InFlightRefresh {
    /// Seconds since the Unix epoch.
    pub since: i64,
    pub host: String,
    pub pid: u64,
    pub refused: bool,
}

impl InFlightRefresh {
    /// One made by this process now.
    pub fn now() -> InFlightRefresh {
        let host = rustix::system::uname()
            .nodename()
            .to_string_lossy()
            .into_owned();
        InFlightRefresh {
            since: crate::core::sys::clock::unix_now(),
            host,
            pid: u64::from(std::process::id()),
            refused: false,
        }
    }

    /// "Mon, 07 Dec 2026 12:00:00 GMT on host web-1 (pid 4242)".
    pub fn describe(&self) -> String {
        let when = std::time::UNIX_EPOCH + std::time::Duration::from_secs(self.since.max(0) as u64);
        format!(
            "{} on host {} (pid {})",
            httpdate::fmt_http_date(when),
            self.host,
            self.pid
        )
    }

    /// The refusal of a refresh whose grant a refresh that never finished took away.
    pub fn lost_grant(&self, account: &str) -> Error {
        Error::new(
            ErrorKind::Auth,
            format!(
                "the OAuth 2.0 grant of the account {account:?} was lost: a process died (or lost its store) during a refresh at {}, after X had rotated the refresh token and before the new one was stored, so X refuses the stored one; authorize again: tw-follow authorize --account {account} (nothing more is sent until then)",
                self.describe()
            ),
        )
    }
}

pub struct OAuth2Session {
    pub client_id: String,
    /// `None` for a public client (PKCE only).
    pub client_secret: Option<Secret>,
    /// The client's `Authorization: Basic` value, for a confidential client.
    pub basic_authorization: Option<Secret>,
    /// Counts token changes, so a thread that saw a 401 with tokens of generation
    /// `g` refreshes only if nobody did since.
    generation: AtomicU64,
    /// Who refreshes now (see [`RefreshTurn`]): concurrent calls refresh at most once.
    refresh_holder: AtomicU64,
    state: Mutex<State>,
}

/// What a session holds under its one lock (never held across a call out).
#[derive(Default)]
struct State {
    tokens: Option<Tokens>,
    /// The tokens' user: their id (`GET 2/users/me`), for the follow path, and their
    /// screen name when an answer told it (for saving the account).
    identity: (Option<u64>, Option<String>),
    callback: Option<TokenCallback>,
    /// Set for a store-backed config: refreshes happen under the store's lock.
    token_store: Option<Arc<dyn TokenStore>>,
    /// The access token this config last read from or wrote to the store: stored
    /// tokens other than these were written by someone else (and win); held tokens
    /// other than these are ones a failed write did not keep (and are kept).
    synced: Option<Zeroizing<String>>,
    /// The fork generation (`crate::core::sys::fork`) the tokens were given in: a child
    /// of a fork must not refresh tokens it shares with its parent (X rotates).
    born: u64,
}

/// A config's turn to refresh ([`OAuth2Session::refresh_turn`]), until dropped.
pub struct RefreshTurn<'a>(&'a OAuth2Session);

impl Drop for RefreshTurn<'_> {
    fn drop(&mut self) {
        self.0.refresh_holder.store(0, Ordering::SeqCst);
    }
}

impl OAuth2Session {
    pub fn new(client_id: String, client_secret: Option<Secret>) -> OAuth2Session {
        let basic = |secret: &Secret| Secret(basic_auth_header(&client_id, secret));
        OAuth2Session {
            basic_authorization: client_secret.as_ref().map(basic),
            client_id,
            client_secret,
            generation: AtomicU64::new(0),
            refresh_holder: AtomicU64::new(0),
            state: Mutex::new(State {
                born: fork::generation(),
                ..State::default()
            }),
        }
    }

    /// The state, locked with forks held off: a child forked while another thread held
    /// the lock would wait for it forever.
    fn state(&self) -> Locked<'_, State> {
        fork::lock(&self.state)
    }

    /// Makes the session store-backed (see [`TokenStore`]); the store holds the
    /// session's current tokens.
    pub fn set_token_store(&self, store: Arc<dyn TokenStore>) {
        let mut state = self.state();
        state.synced = state.tokens.as_ref().map(|t| t.access_token.0.clone());
        state.token_store = Some(store);
    }

    /// Records that the store holds `access_token` as this config last saw it.
    pub fn set_synced(&self, access_token: &str) {
        self.state().synced = Some(Zeroizing::new(access_token.to_owned()));
    }

    /// Whether the store still holds what this config last read from or wrote to it.
    pub fn is_synced(&self, access_token: &str) -> bool {
        let state = self.state();
        state
            .synced
            .as_ref()
            .is_some_and(|synced| synced.as_str() == access_token)
    }

    pub fn token_store(&self) -> Option<Arc<dyn TokenStore>> {
        self.state().token_store.clone()
    }

    /// A copy of the current tokens (wiped on drop).
    pub fn tokens(&self) -> Option<Tokens> {
        self.state().tokens.clone()
    }

    /// Refuses a refresh in a forked child of the process that got these tokens,
    /// unless a store coordinates the processes: the parent and its other children
    /// hold the same refresh token, and the first refresh kills it for the others.
    pub fn check_refresh_allowed(&self) -> Result<(), Error> {
        let state = self.state();
        if state.born == fork::generation() || state.token_store.is_some() {
            return Ok(());
        }
        Err(Error::invalid_argument(
            "this OAuth 2.0 config was made before fork(): make it after the fork, or use a token store (nothing was sent)",
        ))
    }

    /// The current access token; refused when there is none yet.
    pub fn access_token(&self) -> Result<Secret, Error> {
        let tokens = self.state().tokens.as_ref().map(|t| t.access_token.clone());
        tokens.ok_or_else(|| {
            Error::invalid_argument(
                "this OAuth 2.0 config has no access token yet: exchange an authorization code or set the tokens first",
            )
        })
    }

    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Whether the access token expires within the margin and a refresh token exists.
    pub fn wants_refresh(&self, now: i64) -> bool {
        let state = self.state();
        let tokens = state.tokens.as_ref();
        tokens
            .is_some_and(|t| t.refresh_token.is_some() && t.needs_refresh(now, REFRESH_MARGIN_SECS))
    }

    pub fn refresh_token(&self) -> Option<Secret> {
        self.state().tokens.as_ref()?.refresh_token.clone()
    }

    pub fn tokens_json(&self) -> Option<Zeroizing<String>> {
        self.state().tokens.as_ref().map(Tokens::to_json)
    }

    /// The tokens' user as far as known: id and screen name.
    pub fn identity(&self) -> (Option<u64>, Option<String>) {
        self.state().identity.clone()
    }

    /// The tokens' user, as an answer or the store told it.
    pub fn set_identity(&self, id: u64, screen_name: Option<String>) {
        self.state().identity = (Some(id), screen_name);
    }

    /// This config's turn to refresh, waited for until `deadline` at most: the caller
    /// refreshes while holding it. Not a mutex held across the network: a child
    /// forked while a thread of its parent refreshed would inherit it locked forever.
    /// The holder is a fork generation instead, and a turn taken in a parent process
    /// belongs to a thread the child does not have, so the child takes it over.
    pub fn refresh_turn(&self, deadline: Instant) -> Result<RefreshTurn<'_>, Error> {
        let mine = fork::generation() + 1;
        let mut pause = std::time::Duration::from_micros(200);
        loop {
            let holder = self.refresh_holder.load(Ordering::SeqCst);
            if holder != mine
                && self
                    .refresh_holder
                    .compare_exchange(holder, mine, Ordering::SeqCst, Ordering::SeqCst)
                    .is_ok()
            {
                return Ok(RefreshTurn(self));
            }
            let now = Instant::now();
            if holder == mine && now >= deadline {
                return Err(Error::new(
                    ErrorKind::Timeout,
                    "timed out waiting for another thread's refresh of this OAuth 2.0 config (nothing was sent)",
                ));
            }
            if holder == mine {
                std::thread::sleep(pause.min(deadline - now));
                pause = (pause * 2).min(std::time::Duration::from_millis(10));
            }
        }
    }

    /// Replaces the tokens. `notify`: hand them to the application's callback before
    /// returning (a refresh or an exchange; not when the application set them).
    /// A token that belongs to another user forgets the cached user id.
    pub fn store(&self, mut tokens: Tokens, notify: bool) {
        {
            let state = &mut *self.state();
            if let Some(old) = &state.tokens {
                // X rotates refresh tokens; an answer without one keeps the old one.
                if tokens.refresh_token.is_none() {
                    tokens.refresh_token = old.refresh_token.clone();
                }
            } else {
                state.identity = (None, None);
            }
            state.tokens = Some(tokens);
            self.generation.fetch_add(1, Ordering::SeqCst);
        }
        if notify {
            self.notify();
        }
    }

    /// Hands the current tokens to the application's callback, if one is set.
    pub fn notify(&self) {
        let callback = self.state().callback.clone();
        if let (Some(callback), Some(json)) = (callback, self.tokens_json()) {
            callback(&json);
        }
    }

    /// Tokens of a user who may not be the previous one: set by the application
    /// (`notify` false) or from a code exchange (`notify` true). They belong to this
    /// process (and fork generation) from now on, and no longer to a store's account
    /// (saving them again links the config anew): all but the callback is forgotten.
    pub fn replace(&self, tokens: Tokens, notify: bool) {
        {
            let mut state = self.state();
            *state = State {
                callback: state.callback.take(),
                born: fork::generation(),
                ..State::default()
            };
        }
        self.store(tokens, notify);
    }

    pub fn set_callback(&self, callback: Option<TokenCallback>) {
        self.state().callback = callback;
    }

    /// Everything secret this session holds: the tokens, the client secret and the
    /// client's Basic credential. Each request of an OAuth 2.0 config removes all of
    /// them from its messages, whatever the request sent.
    pub fn secrets(&self) -> Vec<Zeroizing<String>> {
        let mut secrets = Vec::with_capacity(4);
        if let Some(tokens) = &self.state().tokens {
            secrets.push(tokens.access_token.0.clone());
            secrets.extend(tokens.refresh_token.clone().map(|refresh| refresh.0));
        }
        if let Some(secret) = &self.client_secret {
            secrets.push(secret.0.clone());
        }
        if let Some(basic) = &self.basic_authorization {
            let credential = basic.strip_prefix("Basic ").unwrap_or(basic);
            secrets.push(Zeroizing::new(credential.to_owned()));
        }
        secrets
    }

    /// A token or revoke endpoint's form (RFC 6749 4.1.3 and 6, RFC 7009 2.1):
    /// `pairs`, then `client_id` for a public client (a confidential one sends
    /// `basic_authorization` instead).
    pub fn form(&self, pairs: &[(&str, &str)]) -> Zeroizing<String> {
        let mut pairs = pairs.to_vec();
        if self.client_secret.is_none() {
            pairs.push(("client_id", &self.client_id));
        }
        super::form_body(&pairs)
    }

    /// The error for a call that needs a refresh token the config does not have.
    pub fn no_refresh_token() -> Error {
        Error::new(
            ErrorKind::Auth,
            "the OAuth 2.0 access token was refused or has expired, and this config has no refresh token: authorize again",
        )
    }
}
