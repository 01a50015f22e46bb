//! The OAuth 2.0 state of a config: the client, the current tokens, the follower's
//! id, and the application's callback for rotated tokens. Shared (`Arc`) by every
//! copy of the settings, so a setter that rebuilds the client keeps it.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use zeroize::Zeroizing;

use super::oauth2::{Tokens, REFRESH_MARGIN_SECS};
use crate::core::error::{Error, ErrorKind};

/// Receives the tokens as JSON each time they change (a refresh, a code exchange).
pub type TokenCallback = Arc<dyn Fn(&str) + Send + Sync>;

/// Where a store-backed config's tokens live between processes (the token store in
/// api/store implements it, so that `auth` needs nothing of the rank above).
pub trait TokenStore: Send + Sync {
    /// Takes the store's exclusive lock, waiting at most until `deadline`
    /// (`ErrorKind::Timeout` after it), and reads the account's tokens under it.
    fn lock(&self, deadline: Instant) -> Result<Box<dyn LockedTokens + '_>, Error>;
    /// Where the store is, for messages.
    fn describe(&self) -> String;
    /// Records the user's id and screen name when the account lacked them (an
    /// imported account), so the next process sends no `GET 2/users/me`.
    fn remember_identity(&self, user_id: u64, screen_name: Option<&str>, deadline: Instant);
}

/// The account's tokens while the store's lock is held; dropping it releases the lock.
pub trait LockedTokens {
    /// The tokens stored now (another process may have written newer ones).
    fn stored(&self) -> &Tokens;
    /// Writes `tokens` to the account (atomically, still under the lock).
    fn save(&mut self, tokens: &Tokens) -> Result<(), Error>;
}

pub struct OAuth2Session {
    pub client_id: String,
    /// `None` for a public client (PKCE only).
    pub client_secret: Option<Zeroizing<String>>,
    tokens: Mutex<Option<Tokens>>,
    /// Counts token changes, so a thread that saw a 401 with tokens of generation
    /// `g` refreshes only if nobody did since.
    generation: AtomicU64,
    /// Held for the whole of a refresh: concurrent calls refresh at most once.
    refresh_lock: Mutex<()>,
    /// The id of the tokens' user (`GET 2/users/me`), for the follow path.
    user_id: Mutex<Option<u64>>,
    /// Their screen name, when an answer told it (for saving the account).
    screen_name: Mutex<Option<String>>,
    callback: Mutex<Option<TokenCallback>>,
    /// Set for a store-backed config: refreshes happen under the store's lock.
    token_store: Mutex<Option<Arc<dyn TokenStore>>>,
    /// The access token this config last read from or wrote to the store: stored
    /// tokens other than these were written by someone else (and win); held tokens
    /// other than these are ones a failed write did not keep (and are kept).
    synced: Mutex<Option<Zeroizing<String>>>,
    /// The fork generation (`crate::core::fork`) the tokens were given in: a child
    /// of a fork must not refresh tokens it shares with its parent (X rotates).
    born: AtomicU64,
}

impl fmt::Debug for OAuth2Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuth2Session")
            .field("client_id", &self.client_id)
            .field("confidential", &self.client_secret.is_some())
            .field(
                "store",
                &lock(&self.token_store).as_ref().map(|s| s.describe()),
            )
            .finish_non_exhaustive()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl OAuth2Session {
    pub fn new(client_id: String, client_secret: Option<Zeroizing<String>>) -> OAuth2Session {
        OAuth2Session {
            client_id,
            client_secret,
            tokens: Mutex::new(None),
            generation: AtomicU64::new(0),
            refresh_lock: Mutex::new(()),
            user_id: Mutex::new(None),
            screen_name: Mutex::new(None),
            callback: Mutex::new(None),
            token_store: Mutex::new(None),
            synced: Mutex::new(None),
            born: AtomicU64::new(crate::core::fork::generation()),
        }
    }

    /// Makes the session store-backed (see [`TokenStore`]); the store holds the
    /// session's current tokens.
    pub fn set_token_store(&self, store: Arc<dyn TokenStore>) {
        *lock(&self.token_store) = Some(store);
        let current = lock(&self.tokens).as_ref().map(|t| t.access_token.clone());
        *lock(&self.synced) = current;
    }

    /// Records that the store holds `access_token` as this config last saw it.
    pub fn set_synced(&self, access_token: &str) {
        *lock(&self.synced) = Some(Zeroizing::new(access_token.to_owned()));
    }

    /// Whether the store still holds what this config last read from or wrote to it.
    pub fn is_synced(&self, access_token: &str) -> bool {
        lock(&self.synced)
            .as_ref()
            .is_some_and(|synced| synced.as_str() == access_token)
    }

    pub fn token_store(&self) -> Option<Arc<dyn TokenStore>> {
        lock(&self.token_store).clone()
    }

    /// A copy of the current tokens (wiped on drop).
    pub fn tokens(&self) -> Option<Tokens> {
        lock(&self.tokens).clone()
    }

    /// Refuses a refresh in a forked child of the process that got these tokens,
    /// unless a store coordinates the processes: the parent and its other children
    /// hold the same refresh token, and the first refresh kills it for the others.
    pub fn check_refresh_allowed(&self) -> Result<(), Error> {
        if self.born.load(Ordering::SeqCst) == crate::core::fork::generation()
            || lock(&self.token_store).is_some()
        {
            return Ok(());
        }
        Err(Error::invalid_argument(
            "this OAuth 2.0 config was made before fork(): make it after the fork, or use a token store (nothing was sent)",
        ))
    }

    /// The current access token and its generation; refused when there is none yet.
    pub fn access_token(&self) -> Result<(Zeroizing<String>, u64), Error> {
        let tokens = lock(&self.tokens);
        let tokens = tokens.as_ref().ok_or_else(|| {
            Error::invalid_argument(
                "this OAuth 2.0 config has no access token yet: exchange an authorization code or set the tokens first",
            )
        })?;
        Ok((
            Zeroizing::new(tokens.access_token.to_string()),
            self.generation.load(Ordering::SeqCst),
        ))
    }

    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Whether the access token expires within the margin and a refresh token exists.
    pub fn wants_refresh(&self, now: i64) -> bool {
        lock(&self.tokens)
            .as_ref()
            .is_some_and(|t| t.refresh_token.is_some() && t.needs_refresh(now, REFRESH_MARGIN_SECS))
    }

    pub fn refresh_token(&self) -> Option<Zeroizing<String>> {
        lock(&self.tokens)
            .as_ref()
            .and_then(|t| t.refresh_token.as_ref())
            .map(|r| Zeroizing::new(r.to_string()))
    }

    pub fn tokens_json(&self) -> Option<Zeroizing<String>> {
        lock(&self.tokens).as_ref().map(Tokens::to_json)
    }

    pub fn user_id(&self) -> Option<u64> {
        *lock(&self.user_id)
    }

    pub fn set_user_id(&self, id: u64) {
        *lock(&self.user_id) = Some(id);
    }

    pub fn screen_name(&self) -> Option<String> {
        lock(&self.screen_name).clone()
    }

    /// The tokens' user, as an answer or the store told it.
    pub fn set_identity(&self, id: u64, screen_name: Option<String>) {
        *lock(&self.user_id) = Some(id);
        *lock(&self.screen_name) = screen_name;
    }

    /// Takes the refresh lock: the caller refreshes while holding it.
    pub fn refreshing(&self) -> MutexGuard<'_, ()> {
        lock(&self.refresh_lock)
    }

    /// Replaces the tokens. `notify`: hand them to the application's callback before
    /// returning (a refresh or an exchange; not when the application set them).
    /// A token that belongs to another user forgets the cached user id.
    pub fn store(&self, mut tokens: Tokens, notify: bool) {
        {
            let mut slot = lock(&self.tokens);
            if let Some(old) = slot.as_ref() {
                // X rotates refresh tokens; an answer without one keeps the old one.
                if tokens.refresh_token.is_none() {
                    tokens.refresh_token = old.refresh_token.clone();
                }
            } else {
                *lock(&self.user_id) = None;
                *lock(&self.screen_name) = None;
            }
            *slot = Some(tokens);
            self.generation.fetch_add(1, Ordering::SeqCst);
        }
        if notify {
            self.notify();
        }
    }

    /// Hands the current tokens to the application's callback, if one is set.
    pub fn notify(&self) {
        let callback = lock(&self.callback).clone();
        if let (Some(callback), Some(json)) = (callback, self.tokens_json()) {
            callback(&json);
        }
    }

    /// Tokens of a user who may not be the previous one: set by the application
    /// (`notify` false) or from a code exchange (`notify` true). They belong to this
    /// process (and fork generation) from now on, and no longer to a store's account
    /// (saving them again links the config anew).
    pub fn replace(&self, tokens: Tokens, notify: bool) {
        *lock(&self.token_store) = None;
        *lock(&self.synced) = None;
        *lock(&self.user_id) = None;
        *lock(&self.screen_name) = None;
        *lock(&self.tokens) = None;
        self.born
            .store(crate::core::fork::generation(), Ordering::SeqCst);
        self.store(tokens, notify);
    }

    pub fn set_callback(&self, callback: Option<TokenCallback>) {
        *lock(&self.callback) = callback;
    }

    /// The client's `Authorization: Basic` value, for a confidential client.
    pub fn basic_authorization(&self) -> Option<Zeroizing<String>> {
        self.client_secret
            .as_ref()
            .map(|secret| super::oauth2::basic_auth_header(&self.client_id, secret))
    }

    /// Everything secret this session holds: the tokens, the client secret and the
    /// client's Basic credential. Each request of an OAuth 2.0 config removes all of
    /// them from its messages, whatever the request sent.
    pub fn secrets(&self) -> Vec<Zeroizing<String>> {
        let mut secrets = Vec::with_capacity(4);
        if let Some(tokens) = lock(&self.tokens).as_ref() {
            secrets.push(Zeroizing::new(tokens.access_token.to_string()));
            if let Some(refresh) = &tokens.refresh_token {
                secrets.push(Zeroizing::new(refresh.to_string()));
            }
        }
        if let Some(secret) = &self.client_secret {
            secrets.push(secret.clone());
        }
        if let Some(basic) = self.basic_authorization() {
            let credential = basic.strip_prefix("Basic ").unwrap_or(&basic);
            secrets.push(Zeroizing::new(credential.to_owned()));
        }
        secrets
    }

    /// `client_id` for the form body of a public client.
    pub fn public_client_id(&self) -> Option<&str> {
        self.client_secret
            .is_none()
            .then_some(self.client_id.as_str())
    }

    /// The error for a call that needs a refresh token the config does not have.
    pub fn no_refresh_token() -> Error {
        Error::new(
            ErrorKind::Auth,
            "the OAuth 2.0 access token was refused or has expired, and this config has no refresh token: authorize again",
        )
    }
}
