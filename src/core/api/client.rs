//! Every call an application makes but the token flows (their `impl Client` is in
//! [`flows`]). Each call is a few lines over the client's other `impl` blocks:
//! [`friendship`] (the requests of each API version), [`bearer`] (requests with the
//! OAuth 2.0 session) and [`request`] (the client itself: sending, retries, the clock).
//!
//! [`friendship`]: crate::core::api::friendship
//! [`bearer`]: crate::core::api::bearer
//! [`flows`]: crate::core::api::flows
//! [`request`]: crate::core::api::request

use std::borrow::Cow;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use zeroize::Zeroizing;

use crate::core::api::friendship::{check_v2_follow, check_v2_target};
use crate::core::api::request::Auth;
pub use crate::core::api::request::Client;
use crate::core::auth::oauth2;
use crate::core::auth::session::OAuth2Session;
use crate::core::error::{Error, ErrorKind};
use crate::core::proto::answer::Followed;
use crate::core::proto::relationship::Relationship;
use crate::core::proto::target::Target;
use crate::core::proto::v2;
use crate::core::settings::{ApiVersion, Identity, Settings};
use crate::core::wire::signer::{Credentials, OAuthNonce};

impl Client {
    /// Builds the agent; the proxy environment variables are read now (and again
    /// whenever the settings change).
    pub fn new(mut settings: Settings) -> Client {
        // The session takes the first tokens: the settings keep no copy.
        let oauth2 = settings.oauth2.as_mut().map(|app| {
            let session = OAuth2Session::new(app.client_id.clone(), app.client_secret.clone());
            if let Some(tokens) = app.tokens.take() {
                session.replace(tokens, false);
            }
            Arc::new(session)
        });
        Client::with_session(settings, oauth2)
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Applies `change` to a copy of the settings; on success the copy replaces
    /// them and the agent is rebuilt, on failure nothing changes.
    pub fn update(
        &mut self,
        change: impl FnOnce(&mut Settings) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let mut settings = self.settings().clone();
        change(&mut settings)?;
        let clock_offset = self.clock_offset.load(Ordering::Relaxed);
        // What auto learnt holds while the setting stays auto for the same user.
        let switched = self.auto_switched.load(Ordering::Relaxed)
            && settings.api_version == self.settings().api_version;
        *self = Client::with_session(settings, self.oauth2.clone());
        self.clock_offset.store(clock_offset, Ordering::Relaxed);
        self.auto_switched.store(switched, Ordering::Relaxed);
        Ok(())
    }

    /// The API version calls use now: the configured one, or for auto, API 1.1 until
    /// it refused the app's access tier and API v2 after.
    pub fn current_api_version(&self) -> ApiVersion {
        match self.settings().api_version {
            ApiVersion::Auto { source_user_id } if self.auto_switched.load(Ordering::Relaxed) => {
                ApiVersion::V2 { source_user_id }
            }
            ApiVersion::Auto { .. } => ApiVersion::V1_1,
            fixed => fixed,
        }
    }

    /// Runs `call` with [`Client::current_api_version`]. With auto, an access-tier
    /// refusal from API 1.1 switches this config to API v2 (once: it is remembered)
    /// and `call` runs again there.
    fn with_api_version<T>(
        &self,
        call: impl Fn(ApiVersion) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let version = self.current_api_version();
        let result = call(version);
        match (self.settings().api_version, version, &result) {
            (ApiVersion::Auto { source_user_id }, ApiVersion::V1_1, Err(e))
                if e.kind == ErrorKind::AccessTier =>
            {
                self.auto_switched.store(true, Ordering::Relaxed);
                call(ApiVersion::V2 { source_user_id }).map_err(|mut e| {
                    e.message.push_str(
                        " (API version auto: API 1.1 refused the app's access tier, so this config uses API v2 from now on)",
                    );
                    e
                })
            }
            _ => result,
        }
    }

    /// The one dispatch of a call both API versions serve: an OAuth 2.0 config calls
    /// `v2` with its Bearer token (refreshed when due, and once more after a 401); an
    /// OAuth 1.0a config calls `v1` or `v2` by the API version (auto's switch
    /// included). `check_v2` refuses what API v2 cannot do, before anything is sent.
    /// `v2` learns the follower's id from its first argument (OAuth 2.0: one
    /// `GET 2/users/me` per config, only when asked).
    fn dispatch<T>(
        &self,
        check_v2: impl Fn() -> Result<(), Error>,
        v1: impl Fn() -> Result<T, Error>,
        v2: impl Fn(&dyn Fn() -> Result<u64, Error>, Auth<'_>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        if let Some(session) = &self.oauth2 {
            check_v2()?;
            return self.with_bearer(session, |bearer| {
                // Learnt once per config (and stored, if store-backed).
                let source = || match session.identity().0 {
                    Some(id) => Ok(id),
                    None => self.learn_identity(session, bearer, true).map(|(id, _)| id),
                };
                v2(&source, bearer)
            });
        }
        self.require_user_token()?;
        self.with_api_version(|version| match version {
            ApiVersion::V2 { source_user_id } => {
                check_v2()?;
                v2(&|| Ok(source_user_id), Auth::OAuth1)
            }
            _ => v1(),
        })
    }

    /// Follows `target`, with notifications when `notify`.
    ///
    /// API 1.1: one request. API v2: a screen name is first looked up (a second
    /// request), and `notify` must be false (v2 has no such setting).
    ///
    /// With retries on (`max_retries` > 0), a failure before any response arrived,
    /// a 5xx, or a rate limit whose window resets within the wait budget is tried
    /// again, each attempt signed afresh, after an exponential backoff with jitter
    /// (or until the reset). Other 4xx answers are final. Waiting never exceeds
    /// `max_wait` in all per request; each attempt has its own `timeout`.
    pub fn follow(&self, target: &Target, notify: bool) -> Result<Followed, Error> {
        self.dispatch(
            || check_v2_follow(target, notify, self.oauth2.is_none()),
            || self.follow_v1(target, notify, None),
            |source, how| {
                let endpoint = match &self.follow_endpoint_v2 {
                    Some(endpoint) => Cow::Borrowed(endpoint),
                    None => Cow::Owned(self.endpoint(&v2::following_path(source()?))),
                };
                self.follow_v2(&endpoint, target, how)
            },
        )
    }

    /// One OAuth 1.0a follow request through API 1.1 (refused for a client of API v2),
    /// with a given nonce and timestamp and no retry (tests use it directly).
    pub fn follow_with(
        &self,
        target: &Target,
        notify: bool,
        nonce: &OAuthNonce,
    ) -> Result<Followed, Error> {
        self.require_user_token()?;
        if self.current_api_version() != ApiVersion::V1_1 {
            let refused = "follow_with sends through API 1.1: this client uses API v2";
            return Err(Error::invalid_argument(refused));
        }
        self.follow_v1(target, notify, Some(nonce))
    }

    /// Unfollows `target`. On success the answer's JSON is a
    /// [`Relationship`](crate::core::Relationship): the target as far as known and
    /// `"following":false`.
    pub fn unfollow(&self, target: &Target) -> Result<Followed, Error> {
        self.dispatch(
            || check_v2_target(target),
            || self.unfollow_v1(target),
            |source, how| self.unfollow_v2(source()?, target, how),
        )
    }

    /// What the API says of the relationship between the token's user and `target`:
    /// the answer, whose JSON is the [`Relationship`]'s, and the relationship itself
    /// (one request either way).
    pub fn relationship(&self, target: &Target) -> Result<(Followed, Relationship), Error> {
        self.dispatch(
            || check_v2_target(target),
            || self.relationship_v1(target),
            |_, how| self.relationship_v2(target, how),
        )
    }

    /// The user token an OAuth 1.0a call needs.
    fn require_user_token(&self) -> Result<(), Error> {
        if self.settings().credentials.access_token.is_empty() {
            return Err(Error::invalid_argument(
                "this config has only the app's keys, no user token yet: finish the PIN or callback flow (tw_oauth1_access_token) first",
            ));
        }
        Ok(())
    }

    /// The OAuth 2.0 session, refused for an OAuth 1.0a config.
    pub fn session(&self) -> Result<&Arc<OAuth2Session>, Error> {
        self.oauth2.as_ref().ok_or_else(|| {
            Error::invalid_argument(
                "this config is not an OAuth 2.0 config: create it with tw_config_new_oauth2",
            )
        })
    }

    /// Tokens the application stored (the callback is not called for them).
    pub fn set_oauth2_tokens(
        &self,
        access_token: &str,
        refresh_token: Option<&str>,
        expires_at: i64,
    ) -> Result<(), Error> {
        let session = self.session()?;
        session.replace(
            oauth2::Tokens::from_parts(access_token, refresh_token, expires_at)?,
            false,
        );
        Ok(())
    }

    /// OAuth 2.0: a new access token from the refresh token (see `refresh_tokens`:
    /// `seen_generation`, the callback, the store's lock).
    pub fn refresh(&self, seen_generation: Option<u64>) -> Result<(), Error> {
        self.refresh_tokens(self.session()?, seen_generation)
            .map(drop)
    }

    /// The OAuth 2.0 tokens' user: what the config learnt, else one `GET 2/users/me`
    /// (refreshing first when the token expires, as every call does). Not written to
    /// the store the config came from: saving into another store must not wait for it.
    pub fn oauth2_identity(&self) -> Result<(u64, Option<String>), Error> {
        self.oauth2_user(false)
    }

    /// [`Client::oauth2_identity`], which a store-backed config stores when `remember`.
    fn oauth2_user(&self, remember: bool) -> Result<(u64, Option<String>), Error> {
        let session = self.session()?;
        if let (Some(id), Some(name)) = session.identity() {
            return Ok((id, Some(name)));
        }
        self.with_bearer(session, |bearer| {
            self.learn_identity(session, bearer, remember)
        })
    }

    /// Records the OAuth 1.0a user: plain data, so nothing is rebuilt (the agent and its
    /// connections, the signing key) as [`Client::update`] would.
    pub fn set_identity(&mut self, identity: Identity) {
        self.settings.identity = Some(identity);
    }

    /// The OAuth 1.0a user: what the config learnt (the access token's answer, the
    /// store), else one `GET 2/users/me` signed with the user's token.
    pub fn oauth1_identity(&self) -> Result<(u64, String), Error> {
        if let Some(identity) = &self.settings().identity {
            return Ok((identity.user_id, identity.screen_name.clone()));
        }
        if self.settings().credentials.access_token.is_empty() {
            return Err(Error::invalid_argument(
                "this config has no user yet: finish the PIN flow (tw_oauth1_access_token) first",
            ));
        }
        with_username(self.users_me(Auth::OAuth1)?)
    }

    /// The user these credentials act as: (id, screen name). What the config knows
    /// (the token store's record, the access token's answer, an earlier call) costs no
    /// request; else one: `GET 2/users/me` for OAuth 2.0 (refreshing first when due, as
    /// every call does) and for OAuth 1.0a with API v2, `GET
    /// 1.1/account/verify_credentials.json` for OAuth 1.0a with API 1.1 (auto: API 1.1
    /// until it refuses the app's access tier, then API v2). A store-backed OAuth 2.0
    /// config stores what it learnt, so the next process sends nothing.
    pub fn me(&self) -> Result<(u64, String), Error> {
        if self.oauth2.is_some() {
            return with_username(self.oauth2_user(true)?);
        }
        if let Some(identity) = &self.settings().identity {
            return Ok((identity.user_id, identity.screen_name.clone()));
        }
        self.require_user_token()?;
        self.with_api_version(|version| match version {
            ApiVersion::V2 { .. } => with_username(self.users_me(Auth::OAuth1)?),
            _ => self.verify_credentials(),
        })
    }

    /// The OAuth 1.0a user's token and secret, and the user when known (see
    /// [`Identity`]). Nothing is sent.
    pub fn oauth1_tokens(&self) -> Result<(&Credentials, Option<&Identity>), Error> {
        if self.oauth2.is_some() {
            return Err(Error::invalid_argument(
                "this is an OAuth 2.0 config: its tokens are read with tw_config_get_oauth2_tokens",
            ));
        }
        self.require_user_token()?;
        let settings = self.settings();
        Ok((&settings.credentials, settings.identity.as_ref()))
    }

    /// The tokens this OAuth 2.0 config holds now.
    pub fn oauth2_tokens(&self) -> Result<oauth2::Tokens, Error> {
        self.session()?
            .tokens()
            .ok_or_else(|| Error::invalid_argument("this OAuth 2.0 config holds no tokens yet"))
    }

    /// A valid access token: refreshed first (and saved, if store-backed) when it
    /// expires within the refresh margin. With its expiry (0: unknown).
    pub fn valid_access_token(&self) -> Result<(Zeroizing<String>, i64), Error> {
        self.refresh_if_due(self.session()?)?;
        let tokens = self.oauth2_tokens()?;
        Ok((tokens.access_token.0.clone(), tokens.expires_at))
    }
}

/// A `2/users/me` answer's user, who must have a username.
fn with_username((id, name): (u64, Option<String>)) -> Result<(u64, String), Error> {
    let name =
        name.ok_or_else(|| Error::bad_response(200, "the 2/users/me answer has no username"));
    Ok((id, name?))
}
