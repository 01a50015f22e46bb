//! OAuth 2.0 user tokens as X issues them: Authorization Code with PKCE
//! (`i/oauth2/authorize`, `2/oauth2/token`), rotating refresh tokens, revocation
//! (`2/oauth2/revoke`), and the Bearer check the v2 endpoints use.

use std::collections::HashMap;
use std::time::Duration;

use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::http::{json, param, redirect, refuse, Answer, Request, Response};
use crate::oauth1::{approving_account, refused_page, return_url_authority};
use crate::state::Expiring;
use crate::{random, Shared};

/// The confidential client: it authenticates with HTTP Basic at the token and revoke endpoints.
pub const OAUTH2_CLIENT_ID: &str = "sandbox-oauth2-client";
pub const OAUTH2_CLIENT_SECRET: &str = "sandbox-oauth2-client-secret";
/// The public client (a native or single-page app): no secret, `client_id` in the form body.
pub const OAUTH2_PUBLIC_CLIENT_ID: &str = "sandbox-oauth2-public-client";
const CLIENTS: [&str; 2] = [OAUTH2_CLIENT_ID, OAUTH2_PUBLIC_CLIENT_ID];

/// The scopes X knows (a scope parameter is a space-separated list of them); a request
/// for any other is refused.
const SCOPES: &str = "tweet.read tweet.write tweet.moderate.write users.read users.email \
    follows.read follows.write offline.access space.read mute.read mute.write like.read \
    like.write list.read list.write block.read block.write bookmark.read bookmark.write \
    media.write dm.read dm.write";

/// RFC 7636's S256 check: BASE64URL(SHA-256(verifier)) is the challenge the client
/// committed to at the authorize step.
fn pkce_accepts(challenge: &str, verifier: &str) -> bool {
    let digest = Sha256::digest(verifier.as_bytes());
    is_pkce_string(verifier)
        && base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest) == challenge
}

/// 43 to 128 unreserved characters: the shape RFC 7636 gives verifiers (and so
/// plain challenges; an S256 challenge is 43 of them).
fn is_pkce_string(text: &str) -> bool {
    (43..=128).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// What a code, an access token or a refresh token stands for.
#[derive(Clone)]
pub(crate) struct Grant {
    /// The client's id.
    client: String,
    /// Index into the configured accounts.
    account: usize,
    scope: String,
}

/// An authorization code: its grant, for this redirect URI and PKCE challenge.
pub(crate) struct Code {
    grant: Grant,
    redirect_uri: String,
    challenge: String,
}

/// Codes and tokens alive, and counters for the tests.
#[derive(Default)]
pub(crate) struct Grants {
    pub codes: Expiring<Code>,
    pub access: Expiring<Grant>,
    /// Each with the access token issued with it: revoking one revokes both.
    pub refresh: HashMap<String, (Grant, String)>,
    pub refreshes: usize,
}

impl Grants {
    /// A new access token (and refresh token when the scope has `offline.access`):
    /// the token endpoint's answer.
    fn issue(&mut self, grant: Grant, lifetime: u64) -> Response {
        let access_token = random::token();
        let mut answer = serde_json::json!({
            "token_type": "bearer",
            "expires_in": lifetime,
            "access_token": access_token,
            "scope": grant.scope,
        });
        if grant.scope.split(' ').any(|s| s == "offline.access") {
            let refresh_token = random::token();
            let refresh = (grant.clone(), access_token.clone());
            self.refresh.insert(refresh_token.clone(), refresh);
            answer["refresh_token"] = refresh_token.into();
        }
        let lifetime = Duration::from_secs(lifetime);
        self.access.insert(access_token, grant, lifetime);
        Response {
            headers: vec![("cache-control".into(), "no-store".into())],
            ..json(200, 0, answer)
        }
    }
}

/// The user (account index) and scope of a live access token; `None` for an unknown,
/// expired or revoked one.
pub(crate) fn bearer(shared: &Shared, token: &str) -> Option<(usize, String)> {
    let mut state = shared.state.lock().unwrap();
    let grant = state.oauth2.access.live(token)?;
    Some((grant.account, grant.scope.clone()))
}

/// Where X lets a registered app send the person back: any https URL, or http on
/// loopback (for native apps); never with a fragment.
fn redirect_uri_allowed(uri: &str) -> bool {
    match return_url_authority(uri) {
        Some((true, _)) => true,
        Some((false, authority)) => {
            let (host, port) = authority
                .split_once(':')
                .map_or((authority, None), |(h, p)| (h, Some(p)));
            matches!(host, "localhost" | "127.0.0.1")
                && port.is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        }
        None => false,
    }
}

/// `GET i/oauth2/authorize`: the page a person opens. It approves at once as account
/// `N` (`account=N`, default 1) and redirects with a one-use code, or with
/// `error=access_denied` for `deny=1`. A request it cannot trust gets a 400 page and
/// no redirect.
pub(crate) fn authorize(shared: &Shared, request: &Request) -> Answer {
    let query = &request.query;
    let get = |name| param(query, name).unwrap_or_default();
    let (client, redirect_uri) = (get("client_id"), get("redirect_uri"));
    let (state, challenge, scope) = (get("state"), get("code_challenge"), get("scope"));
    let known = |scope| SCOPES.split_whitespace().any(|known| known == scope);
    let s256 = get("code_challenge_method") == "S256";
    // X's checks, in its order, each with what the page says when it fails.
    let checks = [
        (CLIENTS.contains(&client), "Unknown client_id."),
        (
            redirect_uri_allowed(redirect_uri),
            "redirect_uri must be an https URL, or http on localhost or 127.0.0.1, without a fragment.",
        ),
        (get("response_type") == "code", "response_type must be code."),
        (!state.is_empty(), "state is required."),
        (
            challenge.len() == 43 && is_pkce_string(challenge) && s256,
            "code_challenge is required, with code_challenge_method S256.",
        ),
        (
            scope.split_whitespace().next().is_some() && scope.split_whitespace().all(known),
            "scope must list scopes X knows, separated by spaces.",
        ),
    ];
    if let Some((_, detail)) = checks.into_iter().find(|(passed, _)| !passed) {
        let text = format!("You weren't able to give access to the App. {detail}");
        return Err(refused_page(&text));
    }
    let account = approving_account(shared, query)?;
    if param(query, "deny") == Some("1") {
        let denied = [("error", "access_denied"), ("state", state)];
        return Ok(redirect(redirect_uri, &denied));
    }
    let code = random::token();
    let grant = Code {
        grant: Grant {
            client: client.to_owned(),
            account,
            scope: scope.split_whitespace().collect::<Vec<_>>().join(" "),
        },
        redirect_uri: redirect_uri.to_owned(),
        challenge: challenge.to_owned(),
    };
    let lifetime = shared.config.oauth2_code_lifetime;
    let mut held = shared.state.lock().unwrap();
    held.oauth2.codes.insert(code.clone(), grant, lifetime);
    Ok(redirect(redirect_uri, &[("state", state), ("code", &code)]))
}

/// X's one answer for a bad, used, expired or mismatched code or token.
fn invalid_token() -> Response {
    refuse("invalid-oauth2-token", false)
}

/// X's answer when the token or revoke endpoint misses a parameter it needs.
fn missing(name: &str) -> Response {
    let description = format!("Missing required parameter [{name}].");
    let body = serde_json::json!({"error": "invalid_request", "error_description": description});
    json(400, 0, body)
}

/// Who is calling the token or revoke endpoint: the confidential client proves it
/// with HTTP Basic (its id and secret); the public client names itself in the form.
fn authenticate_client(request: &Request) -> Result<&'static str, Response> {
    let named = param(&request.form, "client_id");
    let client = match request.credentials("Basic") {
        // RFC 6749 2.3.1 form-encodes both parts before joining them; ours encode to themselves.
        Some(basic) => {
            let expected = format!("{OAUTH2_CLIENT_ID}:{OAUTH2_CLIENT_SECRET}");
            let decoded = base64::engine::general_purpose::STANDARD.decode(basic);
            let proven = decoded.is_ok_and(|decoded| decoded == expected.as_bytes());
            let agreed = named.is_none_or(|named| named == OAUTH2_CLIENT_ID);
            (proven && agreed).then_some(OAUTH2_CLIENT_ID)
        }
        None => (named == Some(OAUTH2_PUBLIC_CLIENT_ID)).then_some(OAUTH2_PUBLIC_CLIENT_ID),
    };
    client.ok_or_else(|| refuse("unauthorized-client", false))
}

/// `POST 2/oauth2/token`: `grant_type=authorization_code` (with `code`,
/// `redirect_uri`, `code_verifier`) or `grant_type=refresh_token` (with
/// `refresh_token`). A code and a refresh token each work once: a refresh rotates.
pub(crate) fn token(shared: &Shared, request: &Request) -> Answer {
    let client = authenticate_client(request)?;
    let get = |name| param(&request.form, name).ok_or_else(|| missing(name));
    let lifetime = shared.config.oauth2_token_lifetime_secs;
    let mut state = shared.state.lock().unwrap();
    let grants = &mut state.oauth2;
    match get("grant_type")? {
        "authorization_code" => {
            let (code, redirect_uri) = (get("code")?, get("redirect_uri")?);
            let verifier = get("code_verifier")?;
            // Whatever follows, the code is spent: one attempt each.
            let code = grants.codes.take(code).ok_or_else(invalid_token)?;
            let valid = code.grant.client == client
                && code.redirect_uri == redirect_uri
                && pkce_accepts(&code.challenge, verifier);
            if !valid {
                return Err(invalid_token());
            }
            Ok(grants.issue(code.grant, lifetime))
        }
        "refresh_token" => {
            let refresh_token = get("refresh_token")?;
            let known = grants.refresh.get(refresh_token);
            if known.is_none_or(|(grant, _)| grant.client != client) {
                return Err(invalid_token());
            }
            let (used, _) = grants.refresh.remove(refresh_token).expect("just found");
            grants.refreshes += 1;
            let answer = grants.issue(used, lifetime);
            drop(state);
            std::thread::sleep(shared.config.oauth2_refresh_delay);
            Ok(answer)
        }
        _ => Err(refuse("unsupported-grant-type", false)),
    }
}

/// `POST 2/oauth2/revoke`: `token` (access or refresh, `token_type_hint` optional).
/// Revoking a refresh token revokes the access token issued with it. An unknown token
/// is answered like a revoked one (RFC 7009); another client's token is refused.
pub(crate) fn revoke(shared: &Shared, request: &Request) -> Answer {
    let client = authenticate_client(request)?;
    let token = param(&request.form, "token").ok_or_else(|| missing("token"))?;
    let mut state = shared.state.lock().unwrap();
    let grants = &mut state.oauth2;
    let owner = grants
        .access
        .live(token)
        .map(|g| g.client.as_str())
        .or_else(|| grants.refresh.get(token).map(|(g, _)| g.client.as_str()));
    if owner.is_some_and(|owner| owner != client) {
        return Err(invalid_token());
    }
    grants.access.take(token);
    if let Some((_, access_token)) = grants.refresh.remove(token) {
        grants.access.take(&access_token);
    }
    Ok(json(200, 0, serde_json::json!({"revoked": true})))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s256_matches_the_rfc_7636_example() {
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(pkce_accepts(
            challenge,
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        ));
        assert!(!pkce_accepts(
            challenge,
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXK"
        ));
        // The challenge itself is no verifier.
        assert!(!pkce_accepts(challenge, challenge));
    }

    #[test]
    fn verifiers_are_43_to_128_unreserved_characters() {
        assert!(is_pkce_string(&"a".repeat(43)));
        assert!(is_pkce_string(&"-._~".repeat(32)));
        assert!(!is_pkce_string(&"a".repeat(42)));
        assert!(!is_pkce_string(&"a".repeat(129)));
        assert!(!is_pkce_string(&format!("{}+", "a".repeat(43))));
    }

    #[test]
    fn redirect_uris_are_https_or_loopback_http() {
        for good in [
            "https://app.example/cb",
            "https://app.example",
            "http://localhost/cb",
            "http://localhost:8080/cb?x=1",
            "http://127.0.0.1:3000",
        ] {
            assert!(redirect_uri_allowed(good), "{good}");
        }
        for bad in [
            "",
            "http://app.example/cb",
            "http://localhost.evil.example/cb",
            "http://localhost@evil.example/cb",
            "http://localhost:/cb",
            "http://localhost:80x/cb",
            "https://",
            "https://app.example/cb#x",
            "https://app.example/c b",
            "ftp://localhost/cb",
            "com.example.app:/cb",
        ] {
            assert!(!redirect_uri_allowed(bad), "{bad}");
        }
    }
}
