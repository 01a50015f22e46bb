//! Who may call the API, and X's refusals of the app or the account whatever the
//! target, in the order X checks them (their words: data/refusals.json, http::refuse).

use crate::http::{refuse, Request, Response};
use crate::oauth1::authenticate;
use crate::oauth2::bearer;
use crate::{Account, AccountState, AppLimit, Shared, APP_ONLY_BEARER_TOKEN};

/// Who a request acts for, and what its app may do.
pub(crate) struct Caller {
    /// `None` for the app-only Bearer token, which acts for no user.
    pub account: Option<Account>,
    /// What X does not let the app do (the main app's, for Bearer tokens).
    limits: Vec<AppLimit>,
    /// An OAuth 2.0 user token's scopes; `None` for OAuth 1.0a, which carries the
    /// app's permissions, and for the app-only token.
    scopes: Option<String>,
}

impl Caller {
    pub fn may(&self, scope: &str) -> bool {
        self.scopes
            .as_deref()
            .is_none_or(|scopes| scopes.split(' ').any(|s| s == scope))
    }

    /// X's refusal of the app or the account whatever the target, by name, in the
    /// order X checks them (docs/sandbox.md).
    fn refusal(&self, v2: bool, write: bool) -> Option<&'static str> {
        use AppLimit::*;
        let has = |limit| self.limits.contains(&limit);
        let user = self.account.is_some();
        let state = self.account.as_ref().and_then(|account| account.state);
        let oauth1_user = user && self.scopes.is_none();
        [
            (!v2 && has(NoV1Access), "no-v1-access"),
            (v2 && has(NotEnrolled), "not-enrolled"),
            (state == Some(AccountState::Suspended), "suspended"),
            (state == Some(AccountState::Locked), "locked"),
            // OAuth 2.0 tokens have scopes instead.
            (write && oauth1_user && has(ReadOnly), "read-only"),
            (has(CreditsDepleted), "credits-depleted"),
            (has(CreditsDepletedAugust2026), "credits-depleted-2026-08"),
            (has(UsageCapped), "usage-capped"),
            // The request is billed to the user (OAuth 1.0a and OAuth 2.0 user tokens).
            (v2 && user && has(UserNotEnrolled), "user-not-enrolled"),
        ]
        .into_iter()
        .find_map(|(refused, name)| refused.then_some(name))
    }
}

/// Who calls, from the credentials: API 1.1 takes an OAuth 1.0a signature only (any
/// Bearer token is 403, code 220); API v2 also an OAuth 2.0 user token or the app-only
/// token, and words any authentication failure as one codeless 401. Then X's refusals
/// of the app or the account, for a write (every method but GET) or a read.
pub(crate) fn admit(shared: &Shared, request: &Request, v2: bool) -> Result<Caller, Response> {
    let config = &shared.config;
    let unauthorized = |api_code| Response {
        api_code,
        ..refuse("unauthorized", true)
    };
    let (account, limits, scopes) = match request.credentials("Bearer") {
        Some(_) if !v2 => return Err(refuse("bearer-on-v1", false)),
        Some(APP_ONLY_BEARER_TOKEN) => (None, config.app_limits.clone(), None),
        Some(token) => {
            let (index, scopes) = bearer(shared, token).ok_or_else(|| unauthorized(89))?;
            let account = config.accounts[index].clone();
            (Some(account), config.app_limits.clone(), Some(scopes))
        }
        None => {
            let (account, limits) = authenticate(shared, request).map_err(|refused| match v2 {
                true => unauthorized(refused.api_code),
                false => refused,
            })?;
            (Some(account), limits, None)
        }
    };
    let caller = Caller {
        account,
        limits,
        scopes,
    };
    match caller.refusal(v2, request.method != "GET") {
        Some(name) => Err(refuse(name, v2)),
        None => Ok(caller),
    }
}
