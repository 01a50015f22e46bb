//! The token flows over HTTP, as calls of a [`Client`]: OAuth 1.0a request and
//! access tokens (PIN or callback), OAuth 2.0 code exchange, refresh and revoke,
//! and the OAuth 2.0 (Bearer) follow through API v2.

use zeroize::Zeroizing;

use super::oauth1::{self, AccessToken, RequestToken};
use super::oauth2;
use super::session::{OAuth2Session, TokenCallback, TokenStore};
use crate::core::client::{Body, Client, Request, RequestAuth};
use crate::core::error::{Error, ErrorKind};
use crate::core::friendship::{check_v2_target, V2Auth};
use crate::core::redact::Redactor;
use crate::core::response::{v2_user, Answer, Followed};
use crate::core::signer::{unix_now, Credentials, Signer};
use crate::core::target::Target;
use crate::core::v2;

pub const REQUEST_TOKEN_PATH: &str = "/oauth/request_token";
pub const ACCESS_TOKEN_PATH: &str = "/oauth/access_token";
pub const TOKEN_PATH: &str = "/2/oauth2/token";
pub const REVOKE_PATH: &str = "/2/oauth2/revoke";
pub const ME_PATH: &str = "/2/users/me";

/// Adds what the call was doing to an error's message.
fn during(what: &str) -> impl FnOnce(Error) -> Error + '_ {
    move |mut e| {
        e.message = format!("{what}: {}", e.message);
        e
    }
}

/// What the user opens to approve the app, and what the exchange needs later.
pub struct Authorization {
    pub url: String,
    pub state: Zeroizing<String>,
    pub code_verifier: Zeroizing<String>,
}

impl Client {
    fn session(&self) -> Result<&OAuth2Session, Error> {
        self.settings().oauth2.as_deref().ok_or_else(|| {
            Error::invalid_argument(
                "this config is not an OAuth 2.0 config: create it with tw_config_new_oauth2",
            )
        })
    }

    /// OAuth 1.0a step 1: a request token for `callback` (`oob` for the PIN flow),
    /// signed with the consumer key and secret only.
    pub fn request_token(&self, callback: &str) -> Result<RequestToken, Error> {
        oauth1::validate_callback(callback)?;
        if self.settings().oauth2.is_some() {
            return Err(Error::invalid_argument(
                "an OAuth 2.0 config has no consumer key: the PIN flow needs tw_config_new_app",
            ));
        }
        let answer = self
            .oauth1_token_request(REQUEST_TOKEN_PATH, ("", ""), ("oauth_callback", callback))
            .map_err(during("getting a request token"))?;
        let answer = Wiped(answer);
        oauth1::parse_request_token_answer(answer.0.http_status, answer.0.json.as_bytes(), &[])
    }

    /// A POST to an OAuth 1.0a token endpoint, signed with the app's consumer key and
    /// secret and `token` (none for a request token; the request token and its secret
    /// for an access token), with one more `oauth_*` parameter. The answer is a form.
    fn oauth1_token_request(
        &self,
        path: &str,
        (token, token_secret): (&str, &str),
        extra: (&str, &str),
    ) -> Result<Followed, Error> {
        let signer = Signer::new(Credentials {
            consumer_key: self.settings().credentials.consumer_key.clone(),
            consumer_secret: self.settings().credentials.consumer_secret.clone(),
            access_token: token.to_owned(),
            access_token_secret: token_secret.to_owned(),
        });
        let (url, signing_url) = self.settings().base_url.endpoint(path);
        self.send(&Request {
            url: &url,
            signing_url: &signing_url,
            body: Body::Form {
                params: &[],
                encoded: "",
            },
            answer: Answer::Form,
            auth: RequestAuth::OAuth1With {
                signer: &signer,
                extra,
            },
            secrets: &[token_secret],
        })
    }

    /// The page where the user approves the app for `request_token`.
    pub fn authorize_url(&self, request_token: &str) -> String {
        oauth1::authorize_url(self.settings().base_url.as_str(), request_token)
    }

    /// OAuth 1.0a step 2: trades the request token and the verifier (the PIN, or
    /// `oauth_verifier` from the callback) for the user's access token.
    pub fn access_token(
        &self,
        request_token: &str,
        request_token_secret: &str,
        verifier: &str,
    ) -> Result<AccessToken, Error> {
        for (name, value) in [
            ("request_token", request_token),
            ("request_token_secret", request_token_secret),
            ("verifier", verifier),
        ] {
            if value.is_empty() {
                return Err(Error::invalid_argument(format!("{name} is empty")));
            }
        }
        let answer = self
            .oauth1_token_request(
                ACCESS_TOKEN_PATH,
                (request_token, request_token_secret),
                ("oauth_verifier", verifier),
            )
            .map_err(during("getting the access token"))?;
        let answer = Wiped(answer);
        oauth1::parse_access_token_answer(
            answer.0.http_status,
            answer.0.json.as_bytes(),
            &[request_token_secret],
        )
    }

    /// Sends a form to an OAuth 2.0 endpoint with the client's authentication.
    fn oauth2_post(
        &self,
        session: &OAuth2Session,
        path: &str,
        form: &str,
        secrets: &[&str],
    ) -> Result<Followed, Error> {
        let (url, signing_url) = self.settings().base_url.endpoint(path);
        let basic = session.basic_authorization();
        let held = session.secrets();
        let mut all_secrets: Vec<&str> = held.iter().map(|s| s.as_str()).collect();
        all_secrets.extend_from_slice(secrets);
        self.send(&Request {
            url: &url,
            signing_url: &signing_url,
            body: Body::Form {
                params: &[],
                encoded: form,
            },
            answer: Answer::User,
            auth: RequestAuth::Header(basic.as_deref().map(String::as_str)),
            secrets: &all_secrets,
        })
    }

    /// OAuth 2.0 step 1: the authorize URL with a fresh state and PKCE pair. Nothing is sent.
    pub fn oauth2_authorization(
        &self,
        redirect_uri: &str,
        scope: &str,
    ) -> Result<Authorization, Error> {
        let session = self.session()?;
        oauth2::validate_redirect_uri(redirect_uri)?;
        if scope.trim().is_empty() {
            return Err(Error::invalid_argument("scope is empty"));
        }
        let pkce = oauth2::Pkce::generate();
        let state = oauth2::new_state();
        let endpoint = oauth2::authorize_endpoint_for(self.settings().base_url.as_str());
        let url = oauth2::authorize_url(
            &endpoint,
            &session.client_id,
            redirect_uri,
            scope,
            &state,
            pkce.challenge(),
        );
        Ok(Authorization {
            url,
            state: Zeroizing::new(state),
            code_verifier: Zeroizing::new(pkce.verifier().to_owned()),
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

    pub fn set_token_callback(&self, callback: Option<TokenCallback>) -> Result<(), Error> {
        self.session()?.set_callback(callback);
        Ok(())
    }

    pub fn oauth2_tokens_json(&self) -> Result<Zeroizing<String>, Error> {
        self.session()?
            .tokens_json()
            .ok_or_else(|| Error::invalid_argument("this OAuth 2.0 config holds no tokens yet"))
    }

    /// OAuth 2.0: trades an authorization code for tokens, which this config then
    /// holds (the callback receives them too). `code_or_url` is the bare code or the
    /// whole redirected URL (then its `state` must be `expected_state`).
    pub fn exchange_code(
        &self,
        redirect_uri: &str,
        code_or_url: &str,
        expected_state: Option<&str>,
        code_verifier: &str,
    ) -> Result<Zeroizing<String>, Error> {
        let session = self.session()?;
        let code = oauth2::parse_redirect(code_or_url, expected_state.unwrap_or(""))?;
        let form = oauth2::code_exchange_form(
            code.as_str(),
            redirect_uri,
            code_verifier,
            session.public_client_id(),
        );
        let answer = self
            .oauth2_post(session, TOKEN_PATH, &form, &[code.as_str(), code_verifier])
            .and_then(|answer| {
                let answer = Wiped(answer);
                oauth2::parse_token_answer(
                    answer.0.http_status,
                    answer.0.json.as_bytes(),
                    now(),
                    &[code.as_str(), code_verifier],
                )
            })
            .map_err(during("exchanging the authorization code"))?;
        answer.notes.iter().for_each(|note| self.trace_note(note));
        session.replace(answer.tokens, true);
        Ok(session.tokens_json().expect("just stored"))
    }

    /// OAuth 2.0: a new access token from the refresh token. X rotates refresh
    /// tokens: the new pair reaches the application's callback before this returns.
    /// On failure the old tokens stay in place. `seen_generation`: refresh only if
    /// the tokens are still the ones a refused call used (another thread may have
    /// refreshed meanwhile). A store-backed config refreshes under the store's lock
    /// (see [`Client::refresh_stored`]).
    pub fn refresh(&self, seen_generation: Option<u64>) -> Result<(), Error> {
        let session = self.session()?;
        let _refreshing = session.refreshing();
        if seen_generation.is_some_and(|seen| seen != session.generation()) {
            return Ok(());
        }
        if let Some(store) = session.token_store() {
            return self.refresh_stored(session, store.as_ref());
        }
        session.check_refresh_allowed()?;
        let tokens = self.refresh_request(session)?;
        session.store(tokens, true);
        Ok(())
    }

    /// The refresh of a store-backed config, across processes: under the store's
    /// lock, the account is read again; tokens another process stored meanwhile are
    /// taken instead of refreshing (unless they too are about to expire). Otherwise
    /// the refresh is sent and its answer written to the store before the lock is
    /// released; the callback gets the new pair after that, before this returns.
    fn refresh_stored(&self, session: &OAuth2Session, store: &dyn TokenStore) -> Result<(), Error> {
        let deadline = std::time::Instant::now() + self.settings().timeout;
        let mut locked = store.lock(deadline)?;
        let stored = locked.stored();
        // Tokens someone else stored since this config last synced win. (Tokens this
        // config holds that the store lacks, after a failed write, are not replaced:
        // they are the newer ones, refreshed and saved below.)
        if !session.is_synced(&stored.access_token) {
            let usable = !stored.needs_refresh(now(), oauth2::REFRESH_MARGIN_SECS);
            session.store(stored.clone(), false);
            session.set_synced(&stored.access_token);
            if usable || stored.refresh_token.is_none() {
                return Ok(());
            }
        }
        let tokens = self.refresh_request(session)?;
        session.store(tokens, false);
        let current = session.tokens().expect("just stored");
        let saved = locked.save(&current);
        if saved.is_ok() {
            session.set_synced(&current.access_token);
        }
        drop(locked);
        session.notify();
        saved.map_err(|e| {
            Error::new(
                ErrorKind::TokensNotSaved,
                format!(
                    "the OAuth 2.0 tokens were refreshed, but writing them to the token store failed ({}): the new tokens are still held by this config (tw_config_get_tokens) and went to the token callback, if one is set; save them before this config is freed",
                    e.message
                ),
            )
        })
    }

    /// Sends `grant_type=refresh_token` with the session's refresh token: the new tokens.
    fn refresh_request(&self, session: &OAuth2Session) -> Result<oauth2::Tokens, Error> {
        let refresh_token = session
            .refresh_token()
            .ok_or_else(OAuth2Session::no_refresh_token)?;
        let form = oauth2::refresh_form(&refresh_token, session.public_client_id());
        self.oauth2_post(session, TOKEN_PATH, &form, &[&refresh_token])
            .and_then(|answer| {
                let answer = Wiped(answer);
                oauth2::parse_token_answer(
                    answer.0.http_status,
                    answer.0.json.as_bytes(),
                    now(),
                    &[&refresh_token],
                )
            })
            .map_err(during(
                "refreshing the OAuth 2.0 access token failed (the old tokens are kept)",
            ))
            .map(|answer| {
                answer.notes.iter().for_each(|note| self.trace_note(note));
                answer.tokens
            })
    }

    /// OAuth 2.0: revokes `token` (an access or a refresh token).
    pub fn revoke(&self, token: &str) -> Result<(), Error> {
        let session = self.session()?;
        if token.is_empty() {
            return Err(Error::invalid_argument("token is empty"));
        }
        let form = oauth2::revoke_form(token, session.public_client_id());
        self.oauth2_post(session, REVOKE_PATH, &form, &[token])
            .and_then(|answer| {
                oauth2::parse_revoke_answer(answer.http_status, answer.json.as_bytes(), &[token])
            })
            .map_err(during("revoking the token"))
    }

    /// Runs `call` with the access token, refreshing first when it is about to
    /// expire, and once more after a 401 (then `call` runs again once).
    fn with_bearer<T>(
        &self,
        session: &OAuth2Session,
        call: impl Fn(Bearer<'_>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        if session.wants_refresh(now()) {
            self.refresh(Some(session.generation()))?;
        }
        let generation = session.generation();
        match self.call_with_bearer(session, &call) {
            Err(e) if e.http_status == 401 && e.kind == ErrorKind::Auth => {
                if session.refresh_token().is_none() {
                    return Err(e);
                }
                self.refresh(Some(generation))?;
                self.call_with_bearer(session, &call)
            }
            other => other,
        }
    }

    /// Runs `call` once with the current access token, and every secret the session
    /// holds (the token included) for its requests to redact.
    fn call_with_bearer<T>(
        &self,
        session: &OAuth2Session,
        call: &impl Fn(Bearer<'_>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let (token, _) = session.access_token()?;
        let header = Zeroizing::new(format!("Bearer {}", token.as_str()));
        let held = session.secrets();
        let mut secrets: Vec<&str> = held.iter().map(|s| s.as_str()).collect();
        secrets.push(&token);
        call(Bearer {
            header: &header,
            secrets: &secrets,
        })
    }

    /// A GET with a Bearer token whose answer holds `data.id`.
    fn bearer_user_id(&self, path: &str, bearer: Bearer<'_>) -> Result<u64, Error> {
        self.bearer_user(path, bearer).map(|(id, _)| id)
    }

    /// A GET with a Bearer token whose answer holds `data.id` (and `data.username`).
    fn bearer_user(&self, path: &str, bearer: Bearer<'_>) -> Result<(u64, Option<String>), Error> {
        let (url, signing_url) = self.settings().base_url.endpoint(path);
        let found = self.send(&Request {
            url: &url,
            signing_url: &signing_url,
            body: Body::None,
            answer: Answer::V2User,
            auth: RequestAuth::Header(Some(bearer.header)),
            secrets: bearer.secrets,
        })?;
        v2_user(
            found.http_status,
            &found.json,
            &Redactor::NONE.with_extra(bearer.secrets),
        )
    }

    /// The OAuth 2.0 follow: API v2 with `Authorization: Bearer`. The follower's id
    /// comes from `GET 2/users/me`, once per config.
    pub(crate) fn follow_oauth2(&self, target: &Target, notify: bool) -> Result<Followed, Error> {
        let session = self.session()?;
        if notify {
            return Err(Error::invalid_argument(
                "API v2 cannot turn on notifications for a follow: pass notify = false",
            ));
        }
        if let Target::UserId(id) = target {
            if *id > v2::MAX_USER_ID {
                return Err(Error::invalid_argument(format!(
                    "invalid user id {id} for API v2: ids have at most 19 digits"
                )));
            }
        }
        self.with_bearer(session, |bearer| {
            let source = self.oauth2_source(session, bearer)?;
            let target_id = match target {
                Target::UserId(id) => *id,
                Target::ScreenName(name) => self
                    .bearer_user_id(&v2::lookup_path(name), bearer)
                    .map_err(|mut e| {
                        e.message.push_str(&format!(" (looking up @{name})"));
                        e
                    })?,
            };
            let (url, signing_url) = self
                .settings()
                .base_url
                .endpoint(&v2::following_path(source));
            let body = v2::follow_body(target_id);
            self.send(&Request {
                url: &url,
                signing_url: &signing_url,
                body: Body::Json(&body),
                answer: Answer::V2Follow,
                auth: RequestAuth::Header(Some(bearer.header)),
                secrets: bearer.secrets,
            })
        })
    }
}

impl Client {
    /// The id of the OAuth 2.0 tokens' user (`GET 2/users/me`, once per config).
    fn oauth2_source(&self, session: &OAuth2Session, bearer: Bearer<'_>) -> Result<u64, Error> {
        if let Some(id) = session.user_id() {
            return Ok(id);
        }
        let (id, screen_name) = self
            .bearer_user(ME_PATH, bearer)
            .map_err(during("finding the token's user (GET 2/users/me)"))?;
        if let Some(store) = session.token_store() {
            let deadline = std::time::Instant::now() + self.settings().timeout;
            store.remember_identity(id, screen_name.as_deref(), deadline);
        }
        session.set_identity(id, screen_name);
        Ok(id)
    }

    /// The OAuth 2.0 tokens' user: what the config learnt, else one `GET 2/users/me`
    /// (refreshing first when the token expires, as every call does).
    pub fn oauth2_identity(&self) -> Result<(u64, Option<String>), Error> {
        let session = self.session()?;
        if let (Some(id), Some(name)) = (session.user_id(), session.screen_name()) {
            return Ok((id, Some(name)));
        }
        self.with_bearer(session, |bearer| {
            let (id, screen_name) = self
                .bearer_user(ME_PATH, bearer)
                .map_err(during("finding the token's user (GET 2/users/me)"))?;
            session.set_identity(id, screen_name.clone());
            Ok((id, screen_name))
        })
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
        let (url, signing_url) = self.settings().base_url.endpoint(ME_PATH);
        let found = self
            .send(&Request {
                url: &url,
                signing_url: &signing_url,
                body: Body::None,
                answer: Answer::V2User,
                auth: RequestAuth::OAuth1,
                secrets: &[],
            })
            .and_then(|found| v2_user(found.http_status, &found.json, &Redactor::NONE))
            .map_err(during("finding the token's user (GET 2/users/me)"))?;
        match found {
            (id, Some(name)) => Ok((id, name)),
            (_, None) => Err(Error::bad_response(
                200,
                "the 2/users/me answer has no username",
            )),
        }
    }

    /// Makes this OAuth 2.0 config store-backed: its refreshes go through `store`.
    pub fn set_token_store(&self, store: std::sync::Arc<dyn TokenStore>) -> Result<(), Error> {
        self.session()?.set_token_store(store);
        Ok(())
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
        let session = self.session()?;
        if session.wants_refresh(now()) {
            self.refresh(Some(session.generation()))?;
        }
        let tokens = self.oauth2_tokens()?;
        Ok((tokens.access_token.clone(), tokens.expires_at))
    }

    /// The OAuth 2.0 unfollow: API v2's `DELETE` with `Authorization: Bearer`.
    pub(crate) fn unfollow_oauth2(&self, target: &Target) -> Result<Followed, Error> {
        let session = self.session()?;
        check_v2_target(target)?;
        self.with_bearer(session, |bearer| {
            let source = self.oauth2_source(session, bearer)?;
            let how = V2Auth {
                auth: RequestAuth::Header(Some(bearer.header)),
                secrets: bearer.secrets,
            };
            self.unfollow_v2(source, target, how)
        })
    }

    /// The OAuth 2.0 relationship lookup: API v2's user lookup with `Authorization: Bearer`.
    pub(crate) fn relationship_oauth2(&self, target: &Target) -> Result<Followed, Error> {
        let session = self.session()?;
        check_v2_target(target)?;
        self.with_bearer(session, |bearer| {
            let how = V2Auth {
                auth: RequestAuth::Header(Some(bearer.header)),
                secrets: bearer.secrets,
            };
            self.relationship_v2(target, how)
        })
    }
}

/// A token endpoint's answer (new tokens, a request-token secret), wiped when dropped.
struct Wiped(Followed);

impl Drop for Wiped {
    fn drop(&mut self) {
        use zeroize::Zeroize as _;
        self.0.json.zeroize();
    }
}

/// What a request with the session's access token carries: the `Authorization`
/// value, and the secrets its messages must not hold.
#[derive(Clone, Copy)]
struct Bearer<'a> {
    header: &'a str,
    secrets: &'a [&'a str],
}

fn now() -> i64 {
    unix_now() as i64
}
