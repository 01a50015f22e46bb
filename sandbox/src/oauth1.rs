//! OAuth 1.0a: HMAC-SHA1 signatures, verified with code written independently of the
//! library's signer, and the three-legged flow that gets a user's token
//! (`oauth/request_token`, `oauth/authorize`, `oauth/access_token`).

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha1::Sha1;

use crate::http::{
    form_answer, page, param, percent_encode, redirect, refuse, text, unescape, Answer, Param,
    Request, Response,
};
use crate::state::Expiring;
use crate::{random, server_now, Account, AppLimit, Shared};

/// The largest distance X accepts between `oauth_timestamp` and its clock.
const MAX_SKEW_SECS: u64 = 300;

/// Parses `OAuth k="v", k2="v2"` into decoded pairs.
fn parse_authorization(header: &str) -> Option<Vec<Param>> {
    let pairs = header.strip_prefix("OAuth ")?.split(',').map(str::trim);
    pairs
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=')?;
            let v = v.strip_prefix('"')?.strip_suffix('"')?;
            Some((unescape(k).ok()?, unescape(v).ok()?))
        })
        .collect()
}

fn expected_signature(
    method: &str,
    url: &str,
    params: &[Param],
    // The consumer secret and the token secret.
    secrets: [&str; 2],
) -> String {
    let mut pairs: Vec<Param> = params
        .iter()
        .filter(|(k, _)| k != "oauth_signature" && k != "realm")
        .map(|(k, v)| (percent_encode(k), percent_encode(v)))
        .collect();
    pairs.sort();
    let pairs: Vec<String> = pairs.into_iter().map(|(k, v)| format!("{k}={v}")).collect();
    let (url, pairs) = (percent_encode(url), percent_encode(&pairs.join("&")));
    let base = format!("{method}&{url}&{pairs}");
    let key = secrets.map(percent_encode).join("&");
    let mut mac = Hmac::<Sha1>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(base.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

fn could_not_authenticate() -> Response {
    refuse("could-not-authenticate", false)
}

/// Checks a request's OAuth 1.0a header: method, version, consumer key (one of the
/// apps), timestamp, nonce (no replays), and the HMAC-SHA1 signature over the header,
/// form and query parameters. `token` is given the `oauth_token` parameter
/// (absent or not) and answers what it stands for and its secret, or the refusal to
/// send. Returns that, every signed parameter (the header's, the form's, the
/// query's, in that order) and the app's limits.
fn verify<T>(
    shared: &Shared,
    request: &Request,
    token: impl FnOnce(Option<&str>) -> Result<(T, String), Response>,
) -> Result<(T, Vec<Param>, Vec<AppLimit>), Response> {
    let config = &shared.config;
    let header = request.header("authorization");
    let oauth = header.and_then(parse_authorization);
    let oauth = oauth.ok_or_else(|| refuse("bad-authentication", false))?;
    let get = |name| param(&oauth, name);
    if get("oauth_signature_method") != Some("HMAC-SHA1")
        || get("oauth_version").is_some_and(|v| v != "1.0")
    {
        return Err(could_not_authenticate());
    }
    let (consumer_secret, limits) = get("oauth_consumer_key")
        .and_then(|key| config.app(key))
        .ok_or_else(could_not_authenticate)?;
    let (owner, token_secret) = token(get("oauth_token"))?;
    let timestamp: u64 = get("oauth_timestamp")
        .and_then(|t| t.parse().ok())
        .ok_or_else(could_not_authenticate)?;
    if server_now(config).abs_diff(timestamp) > MAX_SKEW_SECS {
        return Err(refuse("timestamp", false));
    }
    let nonce = get("oauth_nonce")
        .filter(|n| !n.is_empty())
        .ok_or_else(could_not_authenticate)?;
    let host = request.header("host").unwrap_or("127.0.0.1");
    let url = format!("http://{}{}", host.to_ascii_lowercase(), request.path());
    let params = [&oauth[..], &request.form, &request.query].concat();
    let expected = expected_signature(
        &request.method,
        &url,
        &params,
        [&consumer_secret, &token_secret],
    );
    if get("oauth_signature") != Some(expected.as_str()) {
        return Err(could_not_authenticate());
    }
    let mut state = shared.state.lock().unwrap();
    // Nonces older than the skew window can be forgotten: their timestamps are refused anyway.
    let horizon = server_now(config).saturating_sub(MAX_SKEW_SECS + 1);
    if state.seen_nonces.len() > 100_000 {
        state.seen_nonces.retain(|_, t| *t >= horizon);
    }
    let token = get("oauth_token").unwrap_or_default();
    let key = format!("{token}:{timestamp}:{nonce}");
    if state.seen_nonces.insert(key, timestamp).is_some() {
        return Err(could_not_authenticate());
    }
    drop(state);
    Ok((owner, params, limits))
}

/// Checks a request signed with a user's access token: returns that user's account
/// and the app's limits, or the API's error response.
pub(crate) fn authenticate(
    shared: &Shared,
    request: &Request,
) -> Result<(Account, Vec<AppLimit>), Response> {
    let (account, _, limits) = verify(shared, request, |token| {
        let account = token.and_then(|token| shared.config.account(token));
        let account = account.ok_or_else(|| refuse("invalid-token", false))?;
        let secret = account.token_secret.clone();
        Ok((account, secret))
    })?;
    Ok((account, limits))
}

/// Where the person goes after approving: `oob` (a PIN page), or back to the
/// application at an absolute http(s) URL without a fragment.
fn callback_accepted(callback: &str) -> bool {
    callback == "oob" || return_url_authority(callback).is_some()
}

/// Whether an absolute URL a person may be sent back to is `https`, and its authority
/// (not empty); `None` for another scheme, a fragment, white space or control
/// characters. OAuth 1.0a callbacks and OAuth 2.0 redirect URIs alike.
/// (Not http::Uri: it takes `#frag`, `localhost:` and `localhost:80x` without a word,
/// which oauth2's redirect_uris_are_https_or_loopback_http refuses.)
pub(crate) fn return_url_authority(url: &str) -> Option<(bool, &str)> {
    if url.contains('#') || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    let (https, rest) = match url.strip_prefix("https://") {
        Some(rest) => (true, rest),
        None => (false, url.strip_prefix("http://")?),
    };
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    (!authority.is_empty()).then_some((https, authority))
}

/// A request token between `request_token` and `access_token`.
pub(crate) struct RequestToken {
    secret: String,
    /// `oob` or a URL ([`callback_accepted`]).
    callback: String,
    /// Set once the person approved: the account (index) and the verifier issued.
    approval: Option<(usize, String)>,
}

/// The request tokens alive, by token.
pub(crate) type RequestTokens = Expiring<RequestToken>;

/// `POST oauth/request_token`: signed with the consumer secret alone (no token), with
/// `oauth_callback` among the signed parameters.
pub(crate) fn request_token(shared: &Shared, request: &Request) -> Answer {
    let ((), signed, _) = verify(shared, request, |token| match token {
        None | Some("") => Ok(((), String::new())),
        Some(_) => Err(could_not_authenticate()),
    })?;
    let callback = param(&signed, "oauth_callback").filter(|c| callback_accepted(c));
    let callback = callback.ok_or_else(|| refuse("callback-not-approved", false))?;
    let token = random::alphanumeric(27);
    let secret = random::alphanumeric(32);
    let pending = RequestToken {
        secret: secret.clone(),
        callback: callback.to_owned(),
        approval: None,
    };
    let mut state = shared.state.lock().unwrap();
    let lifetime = shared.config.request_token_lifetime;
    state
        .request_tokens
        .insert(token.clone(), pending, lifetime);
    Ok(form_answer(&[
        ("oauth_token", &token),
        ("oauth_token_secret", &secret),
        ("oauth_callback_confirmed", "true"),
    ]))
}

/// A page that refuses what a person's browser asked for (no redirect: the request
/// cannot be trusted).
pub(crate) fn refused_page(text: &str) -> Response {
    page(400, "Something went wrong", text)
}

/// The account a person approves as: `account=N` (1-based, default 1) in the query.
pub(crate) fn approving_account(shared: &Shared, query: &[Param]) -> Result<usize, Response> {
    let count = shared.config.accounts.len();
    let index = param(query, "account")
        .map_or(Some(1), |n| n.parse::<usize>().ok())
        .and_then(|n| n.checked_sub(1))
        .filter(|&i| i < count);
    index.ok_or_else(|| refused_page(&format!("account must be a number from 1 to {count}.")))
}

/// `GET oauth/authorize?oauth_token=RT[&account=N][&deny=1]`:
/// the page a person opens. It approves at once as account N, and shows the PIN
/// (`oob`) or sends the person back to the callback with the verifier.
pub(crate) fn authorize(shared: &Shared, request: &Request) -> Answer {
    let query = &request.query;
    let account = approving_account(shared, query)?;
    let mut state = shared.state.lock().unwrap();
    let token = param(query, "oauth_token").unwrap_or_default();
    let Some(pending) = state.request_tokens.live(token) else {
        return Err(refused_page(
            "This request token is unknown or has expired.",
        ));
    };
    if pending.approval.is_some() {
        return Err(refused_page(
            "This request token has already been approved.",
        ));
    }
    let callback = pending.callback.clone();
    let out_of_band = callback == "oob";
    if param(query, "deny") == Some("1") {
        state.request_tokens.take(token);
        return Ok(match out_of_band {
            true => page(200, "Authorization denied", "No PIN was issued."),
            false => redirect(&callback, &[("denied", token)]),
        });
    }
    let verifier = match out_of_band {
        true => random::pin(),
        false => random::alphanumeric(32),
    };
    pending.approval = Some((account, verifier.clone()));
    drop(state);
    let name = &shared.config.accounts[account].screen_name;
    Ok(match out_of_band {
        true => page(
            200,
            "Application authorized",
            &format!("You (@{name}) authorized the application. Enter this PIN in the application: <code id=\"oauth_pin\">{verifier}</code>"),
        ),
        false => redirect(&callback, &[("oauth_token", token), ("oauth_verifier", &verifier)]),
    })
}

/// `POST oauth/access_token`: `oauth_token` is the approved request token and the
/// signature uses its secret; `oauth_verifier` (header or form) is the PIN or the
/// callback's verifier. One attempt per request token, right or wrong.
pub(crate) fn access_token(shared: &Shared, request: &Request) -> Answer {
    const INVALID_TOKEN: &str = "Invalid request token.";
    let (token, signed, _) = verify(shared, request, |token| {
        let token = token.unwrap_or_default();
        let mut state = shared.state.lock().unwrap();
        let pending = state.request_tokens.live(token);
        let pending = pending.ok_or_else(|| text(401, INVALID_TOKEN))?;
        Ok((token.to_owned(), pending.secret.clone()))
    })?;
    let verifier = param(&signed, "oauth_verifier");
    // Removed whatever the outcome: a request token is good for one attempt.
    let Some(used) = shared.state.lock().unwrap().request_tokens.take(&token) else {
        return Err(text(401, INVALID_TOKEN));
    };
    Ok(match used.approval {
        Some((account, expected)) if verifier == Some(expected.as_str()) => {
            let account = &shared.config.accounts[account];
            form_answer(&[
                ("oauth_token", &account.token),
                ("oauth_token_secret", &account.token_secret),
                ("user_id", &account.user_id.to_string()),
                ("screen_name", &account.screen_name),
            ])
        }
        _ => text(
            401,
            "Error processing your OAuth request: Invalid oauth_verifier parameter",
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<Param> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// RFC 5849 section 1.2: the temporary-credential request (no token, a callback)
    /// and the token request (request token, verifier), with their published signatures.
    #[test]
    fn reproduces_the_rfc_5849_three_legged_signatures() {
        let initiate = pairs(&[
            ("oauth_consumer_key", "dpf43f3p2l4k3l03"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "137131200"),
            ("oauth_nonce", "wIjqoS"),
            ("oauth_callback", "http://printer.example.com/ready"),
        ]);
        assert_eq!(
            expected_signature(
                "POST",
                "https://photos.example.net/initiate",
                &initiate,
                ["kd94hf93k423kf44", ""]
            ),
            "74KNZJeDHnMBp0EMJ9ZHt/XKycU="
        );
        let token = pairs(&[
            ("oauth_consumer_key", "dpf43f3p2l4k3l03"),
            ("oauth_token", "hh5s93j4hdidpola"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "137131201"),
            ("oauth_nonce", "walatlh"),
            ("oauth_verifier", "hfdp7dh39dks9884"),
        ]);
        assert_eq!(
            expected_signature(
                "POST",
                "https://photos.example.net/token",
                &token,
                ["kd94hf93k423kf44", "hdhd0244k9j7ao03"]
            ),
            "gKgrFCywp7rO0OXSjdot/IHF7IU="
        );
    }

    #[test]
    fn callbacks_are_oob_or_absolute_http_urls() {
        let good = [
            "oob",
            "https://app.example/cb",
            "http://localhost:8080/cb?x=1",
            "http://127.0.0.1",
        ];
        for good in good {
            assert!(callback_accepted(good), "{good}");
        }
        for bad in [
            "",
            "OOB",
            "/relative",
            "ftp://x/y",
            "https://",
            "https:///path",
            "https://a/b#frag",
            "https://a/b c",
            "javascript:alert(1)",
        ] {
            assert!(!callback_accepted(bad), "{bad}");
        }
    }
}
