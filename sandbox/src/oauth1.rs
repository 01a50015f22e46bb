//! OAuth 1.0a HMAC-SHA1, verified with code written independently of the library's signer.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha1::Sha1;

use crate::http::{error, percent_encode, unescape, Request, Response};
use crate::{server_now, Account, Shared};

/// Parses `OAuth k="v", k2="v2"` into decoded pairs.
fn parse_authorization(header: &str) -> Result<Vec<(String, String)>, ()> {
    let rest = header.strip_prefix("OAuth ").ok_or(())?;
    rest.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').ok_or(())?;
            let v = v
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .ok_or(())?;
            Ok((unescape(k, false)?, unescape(v, false)?))
        })
        .collect()
}

fn expected_signature(
    method: &str,
    url: &str,
    params: &[(String, String)],
    consumer_secret: &str,
    token_secret: &str,
) -> String {
    let mut pairs: Vec<(String, String)> = params
        .iter()
        .filter(|(k, _)| k != "oauth_signature" && k != "realm")
        .map(|(k, v)| (percent_encode(k), percent_encode(v)))
        .collect();
    pairs.sort();
    let pairs: Vec<String> = pairs.into_iter().map(|(k, v)| format!("{k}={v}")).collect();
    let base = format!(
        "{}&{}&{}",
        method,
        percent_encode(url),
        percent_encode(&pairs.join("&"))
    );
    let key = format!(
        "{}&{}",
        percent_encode(consumer_secret),
        percent_encode(token_secret)
    );
    let mut mac = Hmac::<Sha1>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(base.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Returns the authenticated account or the API's error response.
pub(crate) fn authenticate<'a>(
    shared: &'a Shared,
    request: &Request,
    path: &str,
    form: &[(String, String)],
    query: &[(String, String)],
) -> Result<&'a Account, Response> {
    let config = &shared.config;
    let Some(header) = request.header("authorization") else {
        return Err(error(400, 215, "Bad Authentication data."));
    };
    let oauth =
        parse_authorization(header).map_err(|_| error(400, 215, "Bad Authentication data."))?;
    let get = |name: &str| {
        oauth
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let bad = || error(401, 32, "Could not authenticate you.");
    if get("oauth_signature_method") != Some("HMAC-SHA1")
        || get("oauth_version").is_some_and(|v| v != "1.0")
    {
        return Err(bad());
    }
    if get("oauth_consumer_key") != Some(config.consumer_key.as_str()) {
        return Err(bad());
    }
    let account = config
        .accounts
        .iter()
        .find(|a| Some(a.token.as_str()) == get("oauth_token"))
        .ok_or_else(|| error(401, 89, "Invalid or expired token."))?;
    let timestamp: u64 = get("oauth_timestamp")
        .and_then(|t| t.parse().ok())
        .ok_or_else(bad)?;
    if server_now(config).abs_diff(timestamp) > config.max_skew_secs {
        return Err(error(401, 135, "Timestamp out of bounds."));
    }
    let nonce = get("oauth_nonce")
        .filter(|n| !n.is_empty())
        .ok_or_else(bad)?;
    let host = request.header("host").unwrap_or("127.0.0.1");
    let url = format!("http://{}{}", host.to_ascii_lowercase(), path);
    let mut params: Vec<(String, String)> = oauth.clone();
    params.extend_from_slice(form);
    params.extend_from_slice(query);
    let expected = expected_signature(
        &request.method,
        &url,
        &params,
        &config.consumer_secret,
        &account.token_secret,
    );
    if get("oauth_signature") != Some(expected.as_str()) {
        return Err(bad());
    }
    let mut state = shared.state.lock().unwrap();
    // Nonces older than the skew window can be forgotten: their timestamps are refused anyway.
    let horizon = server_now(config).saturating_sub(config.max_skew_secs + 1);
    if state.seen_nonces.len() > 100_000 {
        state.seen_nonces.retain(|_, t| *t >= horizon);
    }
    let key = format!("{}:{}:{}", account.token, timestamp, nonce);
    if state.seen_nonces.insert(key, timestamp).is_some() {
        return Err(error(401, 32, "Could not authenticate you."));
    }
    Ok(account)
}
