//! The token flows, as calls of the [`Client`]: OAuth 1.0a request and access
//! tokens (PIN or callback), and OAuth 2.0's authorization, code exchange and revoke
//! (the refresh is in [`bearer`](crate::core::api::bearer)).

use zeroize::Zeroizing;

use crate::core::api::request::{during, Auth, Body, Client};
use crate::core::auth::oauth1::{self, AccessToken, RequestToken};
use crate::core::auth::oauth2;
use crate::core::error::Error;
use crate::core::net::body::Answer;
use crate::core::proto::answer::Followed;
use crate::core::wire::signer::{Credentials, Signer};

pub const REQUEST_TOKEN_PATH: &str = "/oauth/request_token";
pub const ACCESS_TOKEN_PATH: &str = "/oauth/access_token";

/// What the user opens to approve the app, and what the exchange needs later.
pub struct Authorization {
    pub url: String,
    pub state: Zeroizing<String>,
    pub code_verifier: Zeroizing<String>,
}

impl Client {
    /// OAuth 1.0a step 1: a request token for `callback` (`oob` for the PIN flow),
    /// signed with the consumer key and secret only.
    pub fn request_token(&self, callback: &str) -> Result<RequestToken, Error> {
        oauth1::validate_callback(callback)?;
        self.refuse_oauth2()?;
        let answer = self
            .oauth1_token_request(REQUEST_TOKEN_PATH, ("", ""), ("oauth_callback", callback))
            .map_err(during("getting a request token"))?;
        oauth1::parse_request_token_answer(answer.http_status, answer.json.as_bytes())
    }

    /// The page where the user approves the app for `request_token`.
    pub fn authorize_url(&self, request_token: &str) -> String {
        oauth1::authorize_url(self.settings().base_url.as_str(), request_token)
    }

    /// The OAuth 1.0a flow signs with a consumer key, which an OAuth 2.0 config has not:
    /// refused before anything is sent.
    fn refuse_oauth2(&self) -> Result<(), Error> {
        match self.session() {
            Ok(_) => Err(Error::invalid_argument(
                "an OAuth 2.0 config has no consumer key: the PIN flow needs tw_config_new_app",
            )),
            Err(_) => Ok(()),
        }
    }

    /// A POST to an OAuth 1.0a token endpoint, signed with the app's consumer key and
    /// secret and `token` (none for a request token; the request token and its secret
    /// for an access token), with one more `oauth_*` parameter. The answer is a form.
    /// The token secret and `oauth_verifier` are the request's secrets.
    fn oauth1_token_request(
        &self,
        path: &str,
        (token, token_secret): (&str, &str),
        extra: (&str, &str),
    ) -> Result<Followed, Error> {
        let verifier = if extra.0 == "oauth_verifier" {
            extra.1
        } else {
            ""
        };
        let credentials = &self.settings().credentials;
        let signer = Signer::new(Credentials {
            consumer_key: credentials.consumer_key.clone(),
            consumer_secret: credentials.consumer_secret.clone(),
            access_token: token.into(),
            access_token_secret: token_secret.into(),
        });
        let body = Body::Form {
            params: &[],
            encoded: "",
        };
        let auth = Auth::OAuth1With {
            signer: &signer,
            extra,
            secrets: &[token_secret, verifier],
        };
        self.send_to(path, body, Answer::Form, auth)
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
        self.refuse_oauth2()?;
        let answer = self
            .oauth1_token_request(
                ACCESS_TOKEN_PATH,
                (request_token, request_token_secret),
                ("oauth_verifier", verifier),
            )
            .map_err(during("getting the access token"))?;
        oauth1::parse_access_token_answer(answer.http_status, answer.json.as_bytes())
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
        let url = oauth2::authorize_url(
            self.settings().base_url.as_str(),
            &session.client_id,
            redirect_uri,
            scope,
            &state,
            &pkce.challenge,
        );
        Ok(Authorization {
            url,
            state: Zeroizing::new(state),
            code_verifier: pkce.verifier.0,
        })
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
        let form = session.form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", redirect_uri),
            ("code_verifier", code_verifier),
        ]);
        let tokens = self
            .token_request(session, &form, &[code.as_str(), code_verifier])
            .map_err(during("exchanging the authorization code"))?;
        session.replace(tokens, true);
        Ok(session.tokens_json().expect("just stored"))
    }

    /// OAuth 2.0: revokes `token` (an access or a refresh token).
    pub fn revoke(&self, token: &str) -> Result<(), Error> {
        let session = self.session()?;
        if token.is_empty() {
            return Err(Error::invalid_argument("token is empty"));
        }
        let form = session.form(&[("token", token)]);
        self.oauth2_post(session, "/2/oauth2/revoke", &form, &[token])
            .and_then(|answer| {
                oauth2::parse_revoke_answer(answer.http_status, answer.json.as_bytes())
            })
            .map_err(during("revoking the token"))
    }
}
