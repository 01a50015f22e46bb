//! Requests with an OAuth 2.0 session: a form to the token endpoints with the
//! client's authentication, the refresh (across processes when store-backed), and
//! calls with `Authorization: Bearer` that refresh first when the token expires and
//! once more after a 401.

use zeroize::Zeroizing;

use crate::core::api::deadline::{self, REFRESH_GRACE};
use crate::core::api::request::{during, Auth, Body, Client};
use crate::core::auth::oauth2;
use crate::core::auth::session::{OAuth2Session, TokenStore};
use crate::core::error::{Error, ErrorKind};
use crate::core::net::body::Answer;
use crate::core::proto::answer::Followed;
use crate::core::sys::clock::unix_now;
use crate::core::sys::in_flight;

impl Client {
    /// Sends a form to an OAuth 2.0 endpoint with the client's authentication.
    pub(super) fn oauth2_post(
        &self,
        session: &OAuth2Session,
        path: &str,
        form: &str,
        secrets: &[&str],
    ) -> Result<Followed, Error> {
        let body = Body::Form {
            params: &[],
            encoded: form,
        };
        let header = session.basic_authorization.as_deref();
        with_session_auth(session, header, secrets, |auth| {
            self.send_to(path, body, Answer::User, auth)
        })
    }

    /// A new access token from the refresh token. X rotates refresh tokens: the new
    /// pair reaches the application's callback before this returns. On failure the old
    /// tokens stay in place. `seen_generation`: refresh only if the tokens are still the
    /// ones a refused call used (another thread may have refreshed meanwhile). A
    /// store-backed session refreshes under the store's lock (see [`Self::refresh_stored`]).
    /// The wait for another thread's refresh, the store's lock and the request share
    /// the call's one deadline. `Ok(true)`: the refresh was sent and the new pair is in
    /// place (and stored, if store-backed); `Ok(false)`: none was sent, as another
    /// thread had changed the tokens since the refused call, or this config took the
    /// tokens another process stored.
    pub(super) fn refresh_tokens(
        &self,
        session: &OAuth2Session,
        seen_generation: Option<u64>,
    ) -> Result<bool, Error> {
        let timeout = self.settings.timeout;
        deadline::within(timeout, || {
            let _turn = session.refresh_turn(deadline::at(timeout))?;
            if seen_generation.is_some_and(|seen| seen != session.generation()) {
                return Ok(false);
            }
            if let Some(store) = session.token_store() {
                return self.refresh_stored(session, store.as_ref());
            }
            session.check_refresh_allowed()?;
            let _in_flight = in_flight::begin();
            let tokens = self.refresh_request(session)?;
            session.store(tokens, true);
            Ok(true)
        })
    }

    /// The refresh of a store-backed config, across processes and hosts: under the
    /// account's lock, the account is read again; tokens another process stored
    /// meanwhile are taken instead of refreshing (unless they too are about to expire).
    /// Otherwise the refresh is recorded as in flight, sent, and its answer written to
    /// the store (clearing the record) before the lock is released; the callback gets
    /// the new pair after that, before this returns. A request already sent may run
    /// [`REFRESH_GRACE`] past the call's deadline: abandoning X's answer could lose the
    /// grant.
    fn refresh_stored(
        &self,
        session: &OAuth2Session,
        store: &dyn TokenStore,
    ) -> Result<bool, Error> {
        let mut locked = store.lock(deadline::at(self.settings.timeout))?;
        let stored = locked.stored();
        // Tokens someone else stored since this config last synced win. (Tokens this
        // config holds that the store lacks, after a failed write, are not replaced:
        // they are the newer ones, refreshed and saved below.)
        if !session.is_synced(&stored.access_token) {
            let usable = !stored.needs_refresh(unix_now(), oauth2::REFRESH_MARGIN_SECS);
            session.store(stored.clone(), false);
            session.set_synced(&stored.access_token);
            if usable || stored.refresh_token.is_none() {
                return Ok(false);
            }
        }
        let interrupted = locked.interrupted();
        if let Some(lost) = interrupted.as_ref().filter(|f| f.refused) {
            return Err(lost.lost_grant(store.account()));
        }
        if session.refresh_token().is_none() {
            return Err(OAuth2Session::no_refresh_token());
        }
        deadline::left(
            self.settings.timeout,
            "refreshing the OAuth 2.0 access token",
        )?;
        locked.begin_refresh()?;
        let in_flight = in_flight::begin();
        let tokens = match deadline::with_grace(REFRESH_GRACE, || self.refresh_request(session)) {
            Ok(tokens) => tokens,
            // X answered no, so this request rotated nothing. (Without an answer, X may
            // have rotated the token: the in-flight record stays, to explain it later.)
            Err(e) if e.http_status != 0 => {
                let lost = interrupted.is_some() && e.kind == ErrorKind::Auth;
                locked.refresh_refused(lost);
                return Err(match interrupted.filter(|_| lost) {
                    Some(found) => found.lost_grant(store.account()),
                    None => e,
                });
            }
            Err(e) => return Err(e),
        };
        // The window no client can close starts when X answers; this process's part of
        // it ends when the pair is durable (scripts/bench.sh prints it, from this note).
        let answered = std::time::Instant::now();
        session.store(tokens, false);
        let current = session.tokens().expect("just stored");
        let saved = locked.save(&current);
        if saved.is_ok() {
            session.set_synced(&current.access_token);
            self.trace_note(&format!(
                "the refreshed pair was durable in the store {} us after its answer was read",
                answered.elapsed().as_micros()
            ));
        }
        drop(locked);
        drop(in_flight);
        session.notify();
        saved.map_err(|e| {
            Error::new(
                ErrorKind::TokensNotSaved,
                format!(
                    "the OAuth 2.0 tokens were refreshed, but writing them to the token store failed ({}): the new tokens are still held by this config (tw_config_get_tokens) and went to the token callback, if one is set; save them before this config is freed",
                    e.message
                ),
            )
        })?;
        Ok(true)
    }

    /// Sends `grant_type=refresh_token` with the session's refresh token: the new tokens.
    fn refresh_request(&self, session: &OAuth2Session) -> Result<oauth2::Tokens, Error> {
        let refresh_token = session
            .refresh_token()
            .ok_or_else(OAuth2Session::no_refresh_token)?;
        let form = session.form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh_token),
        ]);
        self.token_request(session, &form, &[&refresh_token])
            .map_err(during(
                "refreshing the OAuth 2.0 access token failed (the old tokens are kept)",
            ))
    }

    /// Posts `form` (which holds `secrets`) to the token endpoint: the tokens it answers.
    /// The answer is wiped once read; its oddities become trace notes.
    pub(super) fn token_request(
        &self,
        session: &OAuth2Session,
        form: &str,
        secrets: &[&str],
    ) -> Result<oauth2::Tokens, Error> {
        let answer = self.oauth2_post(session, "/2/oauth2/token", form, secrets)?;
        let body = answer.json.as_bytes();
        oauth2::parse_token_answer(answer.http_status, body, unix_now(), |note| {
            self.trace_note(note)
        })
    }

    /// Refreshes first when the access token expires within the refresh margin.
    pub(super) fn refresh_if_due(&self, session: &OAuth2Session) -> Result<(), Error> {
        if session.wants_refresh(unix_now()) {
            self.refresh_tokens(session, Some(session.generation()))?;
        }
        Ok(())
    }

    /// Runs `call` with the access token, refreshing first when it is about to
    /// expire, and once more after a 401 (then `call` runs again). When the 401's cure
    /// was tokens another process stored and those are refused too (this client fell
    /// behind while others refreshed), the stored refresh token is used, once. One
    /// deadline covers it all.
    pub(super) fn with_bearer<T>(
        &self,
        session: &OAuth2Session,
        call: impl Fn(Auth<'_>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let refused = |r: &Result<T, Error>| matches!(r, Err(e) if e.http_status == 401 && e.kind == ErrorKind::Auth);
        deadline::within(self.settings.timeout, || {
            self.refresh_if_due(session)?;
            // The generation of the tokens each call used: a refresh happens only if no
            // other thread has changed them since.
            let mut used = session.generation();
            let mut result = call_with_bearer(session, &call);
            for _ in 0..2 {
                if !refused(&result) || session.refresh_token().is_none() {
                    return result;
                }
                let rotated = self.refresh_tokens(session, Some(used))?;
                used = session.generation();
                result = call_with_bearer(session, &call);
                if rotated {
                    break;
                }
            }
            result
        })
    }

    /// The user of a token (`GET 2/users/me`): id and screen name.
    pub(super) fn users_me(&self, how: Auth<'_>) -> Result<(u64, Option<String>), Error> {
        self.get_user("/2/users/me", how)
            .map_err(during("finding the token's user (GET 2/users/me)"))
    }

    /// The OAuth 2.0 tokens' user by `GET 2/users/me`, kept by the session and, when
    /// `remember` and the session is store-backed, stored for the next process.
    pub(super) fn learn_identity(
        &self,
        session: &OAuth2Session,
        bearer: Auth<'_>,
        remember: bool,
    ) -> Result<(u64, Option<String>), Error> {
        let (id, screen_name) = self.users_me(bearer)?;
        if let Some(store) = session.token_store().filter(|_| remember) {
            store.remember_identity(
                id,
                screen_name.as_deref(),
                deadline::at(self.settings.timeout),
            );
        }
        session.set_identity(id, screen_name.clone());
        Ok((id, screen_name))
    }
}

/// Runs `call` with `header` as the request's `Authorization`, and every secret the
/// session holds and `extra` for its requests to redact.
fn with_session_auth<T>(
    session: &OAuth2Session,
    header: Option<&str>,
    extra: &[&str],
    call: impl FnOnce(Auth<'_>) -> T,
) -> T {
    let held = session.secrets();
    let mut secrets: Vec<&str> = held.iter().map(|s| s.as_str()).collect();
    secrets.extend_from_slice(extra);
    call(Auth::Header {
        value: header,
        secrets: &secrets,
    })
}

/// Runs `call` once with the current access token, and every secret the session
/// holds (the token included) for its requests to redact.
fn call_with_bearer<T>(
    session: &OAuth2Session,
    call: &impl Fn(Auth<'_>) -> Result<T, Error>,
) -> Result<T, Error> {
    let token = session.access_token()?;
    let header = Zeroizing::new(format!("Bearer {}", token.as_str()));
    with_session_auth(session, Some(&header), &[&token], call)
}
