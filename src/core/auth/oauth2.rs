//! OAuth 2.0 authorization code flow with PKCE (RFC 6749, RFC 7636), network-free
//! parts: the PKCE pair and state, the authorize URL, the redirected URL, the form
//! bodies of the token and revoke endpoints (their answers are read in `tokens`).
//!
//! Hand-written beside the `oauth2` crate (5.1, ramosbugs/oauth2-rs), on purpose (see
//! docs/architecture.md, "Why not the oauth2 crate"): its token answer is refused
//! unless the status is exactly 200 with a `token_type` and an integer `expires_in`,
//! but X has already rotated the refresh token at any 2xx (test: `a_rotated_pair_is_kept_whatever_the_optional_fields_say`);
//! its secrets are plain `String`s that are never wiped, and a refused answer is kept
//! whole in its error; its sync clients are reqwest, ureq 2 and curl, not our ureq 3
//! `Client::send`. It would replace about 90 of these lines (PKCE, the authorize URL, the
//! forms, the Basic header) and add url, chrono, thiserror, serde_path_to_error and a
//! second rand.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use sha2::{Digest as _, Sha256};
use zeroize::Zeroizing;

use super::{check_absolute_http_url, random_bytes, Secret};
pub use crate::core::auth::tokens::{parse_revoke_answer, parse_token_answer, Tokens};
use crate::core::error::{Error, ErrorKind};
use crate::core::proto::refusal::one_line;

/// The scopes a v2 follow needs (`tweet.read users.read follows.write`) plus a
/// refresh token (`offline.access`).
pub const DEFAULT_SCOPE: &str = "tweet.read users.read follows.write offline.access";

/// How long before `expires_at` a config refreshes by itself.
pub const REFRESH_MARGIN_SECS: i64 = 60;

/// Where X's users approve an app; its API hosts do not serve this page.
const X_AUTHORIZE_ENDPOINT: &str = "https://x.com/i/oauth2/authorize";

/// Base URLs that mean "the real API", whose authorize page is [`X_AUTHORIZE_ENDPOINT`].
const X_API_BASE_URLS: [&str; 2] = ["https://api.twitter.com", "https://api.x.com"];

/// Random bytes behind a verifier: base64url turns 48 bytes into 64 characters.
const VERIFIER_RANDOM_BYTES: usize = 48;

/// Random bytes behind a state (256 bits; at least 128 are required).
const STATE_RANDOM_BYTES: usize = 32;

/// A PKCE pair (RFC 7636): the verifier stays with the caller until the code
/// exchange; the challenge goes into the authorize URL. `Debug` hides the verifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pkce {
    pub verifier: Secret,
    /// BASE64URL-nopad(SHA-256(verifier)), sent with `code_challenge_method=S256`.
    pub challenge: String,
}

impl Pkce {
    /// A fresh pair: a 64-character verifier (base64url of 48 bytes from the
    /// operating system's CSPRNG, so only unreserved characters) and its S256 challenge.
    pub fn generate() -> Pkce {
        let bytes = random_bytes::<VERIFIER_RANDOM_BYTES>();
        let mut verifier = Zeroizing::new(String::with_capacity(VERIFIER_RANDOM_BYTES / 3 * 4));
        URL_SAFE_NO_PAD.encode_string(&bytes[..], &mut verifier);
        let challenge = challenge_of(&verifier);
        Pkce {
            verifier: Secret(verifier),
            challenge,
        }
    }
}

fn challenge_of(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// A fresh `state` for one authorization: 256 bits from the operating system's
/// CSPRNG, base64url (43 characters, safe in a URL as they are).
pub fn new_state() -> String {
    URL_SAFE_NO_PAD.encode(&random_bytes::<STATE_RANDOM_BYTES>()[..])
}

/// Checks a `redirect_uri` argument: an absolute `http(s)` URL (the value is not echoed).
pub fn validate_redirect_uri(redirect_uri: &str) -> Result<(), Error> {
    check_absolute_http_url(redirect_uri, "redirect_uri must be an absolute http(s) URL")
}

/// The URL the person opens to approve the app: X's own page for the real API,
/// `{base}/i/oauth2/authorize` for any other base URL (the sandbox), with every
/// parameter form-encoded: `response_type=code`, `client_id`, `redirect_uri`,
/// `scope`, `state`, `code_challenge` and `code_challenge_method=S256`.
pub fn authorize_url(
    base_url: &str,
    client_id: &str,
    redirect_uri: &str,
    scope: &str,
    state: &str,
    code_challenge: &str,
) -> String {
    let base = base_url.trim_end_matches('/');
    let mut url = if X_API_BASE_URLS.iter().any(|x| x.eq_ignore_ascii_case(base)) {
        X_AUTHORIZE_ENDPOINT.to_owned()
    } else {
        format!("{base}/i/oauth2/authorize")
    };
    url.push('?');
    let query_start = url.len();
    form_urlencoded::Serializer::for_suffix(url, query_start)
        .append_pair("response_type", "code")
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("scope", scope)
        .append_pair("state", state)
        .append_pair("code_challenge", code_challenge)
        .append_pair("code_challenge_method", "S256") // the SHA-256 of the verifier
        .finish()
}

/// Takes the code from what the person pasted: the bare code, or the whole
/// redirected URL (anything with `://`, or a query starting with `?`). A URL
/// must carry `state` equal to `expected_state`, checked before anything else;
/// an `error` in it (`access_denied` when the person said no) is a refusal of
/// kind [`ErrorKind::Auth`]. Surrounding white space is ignored.
/// The code is a [`Secret`] (short-lived, one use).
pub fn parse_redirect(code_or_url: &str, expected_state: &str) -> Result<Secret, Error> {
    let input = code_or_url.trim();
    if input.is_empty() {
        return Err(Error::invalid_argument(
            "the authorization code or redirected URL is empty",
        ));
    }
    if !(input.contains("://") || input.starts_with('?')) {
        if input.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(Error::invalid_argument(
                "the authorization code contains spaces or control characters",
            ));
        }
        return Ok(input.into());
    }
    if expected_state.is_empty() {
        return Err(Error::invalid_argument(
            "expected_state is empty: the state issued with the authorization URL is needed to check a redirected URL",
        ));
    }
    let query = input.split_once('?').map_or("", |(_, query)| query);
    let query = query.split('#').next().unwrap_or_default();

    const NAMES: [&str; 4] = ["state", "code", "error", "error_description"];
    let mut found: [Option<Zeroizing<String>>; 4] = Default::default();
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        let Some(slot) = NAMES.iter().position(|known| *known == name) else {
            continue;
        };
        if found[slot].is_some() {
            return Err(Error::invalid_argument(format!(
                "the redirected URL has more than one {name} parameter"
            )));
        }
        found[slot] = Some(Zeroizing::new(value.into_owned()));
    }
    let [state, code, error, description] = found;

    let Some(state) = state else {
        return Err(Error::invalid_argument(
            "state mismatch: the redirected URL has no state, so it cannot be matched to the authorization URL; nothing was sent",
        ));
    };
    if state.as_str() != expected_state {
        return Err(Error::invalid_argument(
            "state mismatch: the redirected URL does not belong to the authorization URL that was issued (stale or forged); nothing was sent",
        ));
    }
    if let Some(error) = error {
        let mut message = if error.as_str() == "access_denied" {
            "the user denied access (access_denied)".to_owned()
        } else {
            format!("authorization failed: {}", one_line(&error, 100))
        };
        if let Some(description) = description.filter(|d| !d.trim().is_empty()) {
            message.push_str(": ");
            message.push_str(&one_line(&description, 200));
        }
        return Err(Error::new(ErrorKind::Auth, message));
    }
    match code {
        Some(code) if !code.is_empty() => Ok(Secret(code)),
        _ => Err(Error::invalid_argument(
            "the redirected URL has no code parameter",
        )),
    }
}

/// `Basic base64(id:secret)`, where id and secret are form-encoded first
/// (RFC 6749, section 2.3.1), for a confidential client.
pub fn basic_auth_header(client_id: &str, client_secret: &str) -> Zeroizing<String> {
    // Both buffers are sized for the worst case, so neither moves and leaves a copy.
    let mut pair = Zeroizing::new(String::with_capacity(
        3 * (client_id.len() + client_secret.len()) + 1,
    ));
    pair.extend(form_urlencoded::byte_serialize(client_id.as_bytes()));
    pair.push(':');
    pair.extend(form_urlencoded::byte_serialize(client_secret.as_bytes()));
    let mut header = Zeroizing::new(String::with_capacity(6 + pair.len().div_ceil(3) * 4));
    header.push_str("Basic ");
    STANDARD.encode_string(pair.as_bytes(), &mut header);
    header
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;
    use std::collections::HashSet;

    /// The tokens of a token answer, and the notes it handed out.
    #[derive(Debug)]
    struct TokenAnswer {
        tokens: Tokens,
        notes: Vec<String>,
    }

    fn parse_token_answer(status: u16, body: &[u8], now: i64) -> Result<TokenAnswer, Error> {
        let mut notes = Vec::new();
        let tokens =
            super::parse_token_answer(status, body, now, |note| notes.push(note.to_owned()))?;
        Ok(TokenAnswer { tokens, notes })
    }

    const ACCESS: &str = "bWdzeGNTTUtGMm9JTkZJZ0xRRUFfNllOdXZOWUl5V3pNRFFGVjpzZWNyZXQ";
    const REFRESH: &str = "UkZRV3dDX3VPQnBLeFdFTlJfOWpvdGZxWXNQLWxKZVdpTjpyZWZyZXNo";

    fn unreserved(s: &str) -> bool {
        s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
    }

    #[test]
    fn rfc7636_appendix_b_vector() {
        // RFC 7636 Appendix B: 32 random octets, their base64url (the verifier), and
        // the S256 challenge.
        let octets = [
            116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212,
            37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
        ];
        let verifier = URL_SAFE_NO_PAD.encode(octets);
        assert_eq!(verifier, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(
            challenge_of(&verifier),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn challenge_agrees_with_python_hashlib() {
        // Expected value from Python: base64.urlsafe_b64encode(hashlib.sha256(v).digest())
        // without '=' (openssl dgst -sha256 agrees).
        assert_eq!(
            challenge_of("dBjftJeZ4CVP-mJ92K9cgZtNhf3vdnU9fJ6XO5qNCm8"),
            "44kmVnIsm6l79ntkKdvZe_WN88v3NMnqktRruLSDkWo"
        );
    }

    #[test]
    fn generated_verifiers_are_64_unreserved_characters_with_their_challenge() {
        let mut seen = HashSet::new();
        for _ in 0..200 {
            let pkce = Pkce::generate();
            assert_eq!(pkce.verifier.as_str().len(), 64);
            assert!(
                unreserved(pkce.verifier.as_str()),
                "{}",
                pkce.verifier.as_str()
            );
            // The challenge is that of the verifier, as an independent rebuild says.
            assert_eq!(
                pkce.challenge.as_str(),
                challenge_of(pkce.verifier.as_str())
            );
            assert_eq!(pkce.challenge.as_str().len(), 43);
            assert!(
                seen.insert(pkce.verifier.as_str().to_owned()),
                "a verifier repeated"
            );
        }
    }

    #[test]
    fn generated_verifiers_use_the_whole_base64url_alphabet() {
        // 200 verifiers x 64 characters: all 64 symbols show up unless the source is broken.
        let mut symbols = HashSet::new();
        for _ in 0..200 {
            symbols.extend(Pkce::generate().verifier.bytes());
        }
        assert_eq!(symbols.len(), 64);
    }

    #[test]
    fn pkce_debug_hides_the_verifier() {
        let pkce = Pkce::generate();
        let shown = format!("{pkce:?}");
        assert!(!shown.contains(pkce.verifier.as_str()), "{shown}");
        assert!(shown.contains("<64 bytes>") && shown.contains(pkce.challenge.as_str()));
    }

    #[test]
    fn states_are_unique_and_url_safe() {
        let states: HashSet<String> = (0..1000).map(|_| new_state()).collect();
        assert_eq!(states.len(), 1000);
        for state in &states {
            assert_eq!(state.len(), 43, "256 bits in base64url");
            assert!(state
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        }
    }

    #[test]
    fn authorize_url_is_xs_page_for_the_real_api_else_under_the_base() {
        let endpoint = |base| {
            let url = authorize_url(base, "c", "https://r/", "s", "t", "ch");
            url.split_once('?').unwrap().0.to_owned()
        };
        for real in [
            "https://api.twitter.com",
            "https://api.twitter.com/",
            "https://api.x.com",
            "HTTPS://API.X.COM",
        ] {
            assert_eq!(endpoint(real), "https://x.com/i/oauth2/authorize");
        }
        assert_eq!(
            endpoint("http://127.0.0.1:8123"),
            "http://127.0.0.1:8123/i/oauth2/authorize"
        );
        assert_eq!(
            endpoint("https://proxy.example/twitter/"),
            "https://proxy.example/twitter/i/oauth2/authorize"
        );
    }

    #[test]
    fn authorize_url_form_encodes_every_parameter() {
        let url = authorize_url(
            "https://api.x.com",
            "client id&x",
            "http://127.0.0.1:9/cb?a=1",
            DEFAULT_SCOPE,
            "st=ate",
            "E9Melhoa2OwvFrEXTjCHL6Kw6sDK-nZVfhAzpcmJXHU",
        );
        assert_eq!(
            url,
            "https://x.com/i/oauth2/authorize?response_type=code&client_id=client+id%26x\
             &redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb%3Fa%3D1\
             &scope=tweet.read+users.read+follows.write+offline.access&state=st%3Date\
             &code_challenge=E9Melhoa2OwvFrEXTjCHL6Kw6sDK-nZVfhAzpcmJXHU&code_challenge_method=S256"
        );
        let (_, query) = url.split_once('?').unwrap();
        let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        assert_eq!(pairs[1], ("client_id".into(), "client id&x".into()));
        assert_eq!(pairs[3], ("scope".into(), DEFAULT_SCOPE.into()));
    }

    #[test]
    fn redirect_uri_checks() {
        assert!(validate_redirect_uri("http://localhost:8080/cb").is_ok());
        assert!(validate_redirect_uri("https://app.example/cb").is_ok());
        for bad in ["", "oob", "localhost/cb", "ftp://x/"] {
            let e = validate_redirect_uri(bad).unwrap_err();
            assert_eq!(e.kind, ErrorKind::InvalidArgument);
        }
    }

    #[test]
    fn a_bare_code_is_taken_as_is() {
        let code = parse_redirect("  VGNibzFWSWREZm01bjN1N3dicWlNUG1o\n", "").unwrap();
        assert_eq!(code.as_str(), "VGNibzFWSWREZm01bjN1N3dicWlNUG1o");
        let code = parse_redirect("abc", "state").unwrap();
        assert_eq!(code.as_str(), "abc");
        for bad in ["", "   ", "ab cd", "ab\u{7}cd"] {
            let e = parse_redirect(bad, "s").unwrap_err();
            assert_eq!(e.kind, ErrorKind::InvalidArgument, "{bad:?}");
        }
    }

    #[test]
    fn a_redirected_url_gives_its_code_when_the_state_matches() {
        for url in [
            "http://127.0.0.1:9/cb?state=S1&code=C%2B1",
            "http://127.0.0.1:9/cb?code=C%2B1&state=S1#fragment",
            "?state=S1&code=C%2B1",
            "https://app.example/cb?x=y&state=S1&code=C%2B1&extra",
        ] {
            assert_eq!(parse_redirect(url, "S1").unwrap().as_str(), "C+1", "{url}");
        }
    }

    #[test]
    fn state_mismatch_is_refused_without_echoing_values() {
        for (url, expected) in [
            (
                "http://h/cb?state=OTHER-STATE&code=SECRET-CODE",
                "EXPECTED-STATE",
            ),
            ("http://h/cb?code=SECRET-CODE", "EXPECTED-STATE"),
            ("http://h/cb?state=&code=SECRET-CODE", "EXPECTED-STATE"),
            // The state is checked first, even before an error.
            (
                "http://h/cb?state=OTHER-STATE&error=access_denied",
                "EXPECTED-STATE",
            ),
        ] {
            let e = parse_redirect(url, expected).unwrap_err();
            assert_eq!(e.kind, ErrorKind::InvalidArgument, "{url}");
            assert!(e.message.starts_with("state mismatch"), "{}", e.message);
            for value in ["OTHER-STATE", "SECRET-CODE", "EXPECTED-STATE"] {
                assert!(!e.message.contains(value), "{}", e.message);
            }
        }
        let e = parse_redirect("http://h/cb?state=S&code=C", "").unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidArgument);
        assert!(e.message.starts_with("expected_state is empty"));
    }

    #[test]
    fn repeated_state_or_code_is_refused() {
        for url in [
            "http://h/cb?state=S&state=S&code=C",
            "http://h/cb?state=S&code=C&code=D",
        ] {
            let e = parse_redirect(url, "S").unwrap_err();
            assert_eq!(e.kind, ErrorKind::InvalidArgument);
            assert!(e.message.contains("more than one"), "{}", e.message);
        }
    }

    #[test]
    fn access_denied_is_an_auth_refusal() {
        let e = parse_redirect("http://h/cb?error=access_denied&state=S", "S").unwrap_err();
        assert_eq!(e.kind, ErrorKind::Auth);
        assert_eq!(e.message, "the user denied access (access_denied)");
        let e = parse_redirect(
            "http://h/cb?error=access_denied&error_description=The+user%0Adenied%0D+it&state=S",
            "S",
        )
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Auth);
        assert_eq!(
            e.message,
            "the user denied access (access_denied): The user denied it"
        );
        let long = format!(
            "http://h/cb?error=access_denied&error_description={}&state=S",
            "x".repeat(5000)
        );
        let e = parse_redirect(&long, "S").unwrap_err();
        assert!(e.message.chars().count() < 300, "bounded");
    }

    #[test]
    fn other_errors_are_auth_refusals_with_their_name() {
        let e = parse_redirect(
            "http://h/cb?state=S&error=invalid_scope&error_description=bad+scope",
            "S",
        )
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Auth);
        assert_eq!(e.message, "authorization failed: invalid_scope: bad scope");
    }

    #[test]
    fn a_url_without_code_is_an_invalid_argument() {
        for url in [
            "http://h/cb?state=S",
            "http://h/cb?state=S&code=",
            "?state=S",
        ] {
            let e = parse_redirect(url, "S").unwrap_err();
            assert_eq!(e.kind, ErrorKind::InvalidArgument, "{url}");
            assert_eq!(e.message, "the redirected URL has no code parameter");
        }
        let e = parse_redirect("http://h/cb", "S").unwrap_err();
        assert!(e.message.starts_with("state mismatch"), "{}", e.message);
    }

    #[test]
    fn code_debug_hides_the_code() {
        let code = parse_redirect("?state=S&code=SECRET-CODE", "S").unwrap();
        let shown = format!("{code:?}");
        assert!(!shown.contains("SECRET-CODE"));
        assert_eq!(shown, "<11 bytes>");
    }

    fn pairs(body: &str) -> Vec<(String, String)> {
        form_urlencoded::parse(body.as_bytes())
            .into_owned()
            .collect()
    }

    fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn endpoint_forms_for_public_and_confidential_clients() {
        use crate::core::auth::session::OAuth2Session;
        let public = OAuth2Session::new("pub id".into(), None);
        let confidential = OAuth2Session::new("id".into(), Some("secret".into()));
        let code = |session: &OAuth2Session, code, redirect_uri, verifier| {
            session.form(&[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", redirect_uri),
                ("code_verifier", verifier),
            ])
        };
        assert_eq!(
            code(&public, "c+/=", "http://127.0.0.1:9/cb?a=1&b", "verifier~").as_str(),
            "grant_type=authorization_code&code=c%2B%2F%3D\
             &redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb%3Fa%3D1%26b\
             &code_verifier=verifier%7E&client_id=pub+id"
        );
        assert_eq!(
            pairs(&code(&confidential, "c", "https://r/", "v")),
            owned(&[
                ("grant_type", "authorization_code"),
                ("code", "c"),
                ("redirect_uri", "https://r/"),
                ("code_verifier", "v"),
            ])
        );
        assert_eq!(
            pairs(&public.form(&[("token", "t=1")])),
            owned(&[("token", "t=1"), ("client_id", "pub id")])
        );
        assert_eq!(confidential.form(&[("token", "tok")]).as_str(), "token=tok");
    }

    #[test]
    fn basic_auth_form_encodes_then_base64s() {
        // RFC 6749 section 2.3.1: the id and secret are form-encoded before joining.
        let header = basic_auth_header("sandbox-oauth2-client", "sandbox-oauth2-client-secret");
        assert_eq!(
            header.as_str(),
            format!(
                "Basic {}",
                STANDARD.encode("sandbox-oauth2-client:sandbox-oauth2-client-secret")
            )
        );
        // "Aladdin" / "open sesame" from RFC 7617, with the space form-encoded as '+'.
        assert_eq!(
            basic_auth_header("Aladdin", "open sesame").as_str(),
            "Basic QWxhZGRpbjpvcGVuK3Nlc2FtZQ=="
        );
        let header = basic_auth_header("a:b", "c%d");
        let decoded = STANDARD
            .decode(header.strip_prefix("Basic ").unwrap())
            .unwrap();
        assert_eq!(decoded, b"a%3Ab:c%25d");
    }

    fn sandbox_answer() -> String {
        format!(
            r#"{{"token_type":"bearer","expires_in":7200,"access_token":"{ACCESS}","scope":"{DEFAULT_SCOPE}","refresh_token":"{REFRESH}"}}"#
        )
    }

    #[test]
    fn token_answer_is_read_and_expiry_computed() {
        let answer = parse_token_answer(200, sandbox_answer().as_bytes(), 1_700_000_000).unwrap();
        assert!(answer.notes.is_empty(), "{:?}", answer.notes);
        let tokens = answer.tokens;
        assert_eq!(tokens.access_token.as_str(), ACCESS);
        assert_eq!(tokens.refresh_token.as_deref(), Some(REFRESH));
        assert_eq!(tokens.expires_at, 1_700_007_200);
        assert_eq!(tokens.scope, DEFAULT_SCOPE);

        let minimal = format!(r#"{{"token_type":"Bearer","access_token":"{ACCESS}"}}"#);
        let tokens = parse_token_answer(200, minimal.as_bytes(), 5)
            .unwrap()
            .tokens;
        assert_eq!(
            (
                tokens.refresh_token.is_none(),
                tokens.expires_at,
                tokens.scope.as_str()
            ),
            (true, 0, "")
        );
        let nulls = format!(
            r#"{{"token_type":"BEARER","access_token":"{ACCESS}","refresh_token":null,"expires_in":null,"scope":null}}"#
        );
        assert!(parse_token_answer(200, nulls.as_bytes(), 5).is_ok());
        let huge = format!(
            r#"{{"token_type":"bearer","access_token":"{ACCESS}","expires_in":18446744073709551615}}"#
        );
        assert_eq!(
            parse_token_answer(200, huge.as_bytes(), 5)
                .unwrap()
                .tokens
                .expires_at,
            i64::MAX
        );
    }

    #[test]
    fn a_rotated_pair_is_kept_whatever_the_optional_fields_say() {
        // Each 2xx answer has the new pair: X already rotated, so refusing it would
        // lose the grant. (body, expires_at from now = 1000, scope, a note about)
        let pair = format!(r#""access_token":"{ACCESS}","refresh_token":"{REFRESH}""#);
        let cases = [
            (
                format!(r#"{{{pair},"token_type":"bearer","expires_in":7200.0}}"#),
                8200,
                "",
                Some("expires_in that is a number with a fraction part: read as 7200 s"),
            ),
            (
                format!(r#"{{{pair},"token_type":"bearer","expires_in":"7200"}}"#),
                8200,
                "",
                Some("expires_in that is a string: read as 7200 s"),
            ),
            (
                format!(r#"{{{pair},"token_type":"bearer","expires_in":"soon"}}"#),
                0,
                "",
                Some("the expiry is unknown"),
            ),
            (
                format!(r#"{{{pair},"token_type":"bearer","expires_in":-1}}"#),
                0,
                "",
                Some("the expiry is unknown"),
            ),
            (
                format!(r#"{{{pair},"token_type":"bearer","expires_in":1.5}}"#),
                0,
                "",
                Some("the expiry is unknown"),
            ),
            (
                format!(r#"{{{pair},"token_type":"bearer","expires_in":{{}}}}"#),
                0,
                "",
                Some("the expiry is unknown"),
            ),
            (
                format!(r#"{{{pair},"token_type":"bearer","scope":["a","b"]}}"#),
                0,
                "a b",
                Some("scope that is a list"),
            ),
            (
                format!(r#"{{{pair},"token_type":"bearer","scope":7}}"#),
                0,
                "",
                Some("scope that is neither"),
            ),
            (
                format!(r#"{{{pair},"expires_in":7200}}"#),
                8200,
                "",
                Some("has no token_type"),
            ),
            (
                format!(r#"{{{pair},"token_type":"mac"}}"#),
                0,
                "",
                Some("token_type other than bearer"),
            ),
            (
                format!(r#"{{{pair},"token_type":"Bearer","expires_in":60}}"#),
                1060,
                "",
                None,
            ),
        ];
        for (body, expires_at, scope, about) in &cases {
            let answer = parse_token_answer(200, body.as_bytes(), 1000)
                .unwrap_or_else(|e| panic!("{body}: {e:?}"));
            let t = &answer.tokens;
            assert_eq!(t.access_token.as_str(), ACCESS, "{body}");
            assert_eq!(t.refresh_token.as_deref(), Some(REFRESH));
            assert_eq!(
                (t.expires_at, t.scope.as_str()),
                (*expires_at, *scope),
                "{body}"
            );
            match about {
                Some(about) => assert!(
                    answer.notes.len() == 1 && answer.notes[0].contains(about),
                    "{body}: {:?}",
                    answer.notes
                ),
                None => assert!(answer.notes.is_empty(), "{body}: {:?}", answer.notes),
            }
            for note in &answer.notes {
                assert!(!note.contains(ACCESS) && !note.contains(REFRESH), "{note}");
            }
        }
        // A refresh token that is not a string is ignored (the config keeps its own).
        let body = format!(
            r#"{{"token_type":"bearer","access_token":"{ACCESS}","refresh_token":["{REFRESH}"]}}"#
        );
        let answer = parse_token_answer(200, body.as_bytes(), 0).unwrap();
        assert!(answer.tokens.refresh_token.is_none());
        assert!(answer.notes[0].contains("refresh_token that is not a string"));
        assert!(!answer.notes[0].contains(REFRESH));
    }

    #[test]
    fn token_answer_refusals_are_bad_responses_without_values() {
        let cases = [
            ("", "is not valid JSON (line 1, column 0)"),
            ("{\"access_token\":", "is not valid JSON"),
            ("[1]", "is JSON without an object at the top"),
            (
                r#"{"token_type":"mac","access_token":"SECRET-A"}"#,
                "has a token_type other than bearer",
            ),
            (r#"{"token_type":"bearer"}"#, "has no access_token"),
            (
                r#"{"token_type":"bearer","access_token":""}"#,
                "has no access_token",
            ),
            (
                r#"{"token_type":"bearer","access_token":7}"#,
                "has an access_token that is not a string",
            ),
        ];
        for (body, expected) in cases {
            let e = parse_token_answer(200, body.as_bytes(), 0).unwrap_err();
            assert_eq!(
                (e.kind, e.http_status),
                (ErrorKind::BadResponse, 200),
                "{body}"
            );
            assert!(
                e.message.starts_with("HTTP 200, but the token answer ")
                    && e.message.contains(expected),
                "{body}: {}",
                e.message
            );
            assert!(!e.message.contains("SECRET"), "{}", e.message);
        }
    }

    #[test]
    fn revoke_answers() {
        assert_eq!(parse_revoke_answer(200, br#"{"revoked":true}"#), Ok(()));
        assert_eq!(parse_revoke_answer(200, b""), Ok(()));
        let e = parse_revoke_answer(200, br#"{"revoked":false}"#).unwrap_err();
        assert_eq!((e.kind, e.http_status), (ErrorKind::Auth, 200));
    }

    fn tokens(refresh: Option<&str>, expires_at: i64) -> Tokens {
        Tokens {
            access_token: ACCESS.into(),
            refresh_token: refresh.map(Into::into),
            expires_at,
            scope: DEFAULT_SCOPE.into(),
        }
    }

    #[test]
    fn tokens_to_json_round_trips() {
        let json: Value =
            serde_json::from_str(&tokens(Some(REFRESH), 1_700_007_200).to_json()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "access_token": ACCESS, "refresh_token": REFRESH,
                "expires_at": 1_700_007_200, "scope": DEFAULT_SCOPE
            })
        );
        let json = tokens(None, 0).to_json();
        assert_eq!(
            json.as_str(),
            format!(
                r#"{{"access_token":"{ACCESS}","refresh_token":null,"expires_at":0,"scope":"{DEFAULT_SCOPE}"}}"#
            )
        );
        // Parsing an answer and writing it back keeps every value.
        let parsed = parse_token_answer(200, sandbox_answer().as_bytes(), 100)
            .unwrap()
            .tokens;
        let back: Value = serde_json::from_str(&parsed.to_json()).unwrap();
        assert_eq!(back["expires_at"], 7300);
        assert_eq!(back["refresh_token"], REFRESH);
    }

    #[test]
    fn needs_refresh_within_the_margin_only() {
        let t = tokens(Some(REFRESH), 10_000);
        assert!(!t.needs_refresh(9_939, REFRESH_MARGIN_SECS));
        assert!(t.needs_refresh(9_940, REFRESH_MARGIN_SECS));
        assert!(t.needs_refresh(20_000, REFRESH_MARGIN_SECS));
        assert!(!t.needs_refresh(9_999, 0));
        assert!(t.needs_refresh(10_000, 0));
        assert!(!tokens(Some(REFRESH), 0).needs_refresh(i64::MAX, REFRESH_MARGIN_SECS));
        assert!(
            t.needs_refresh(i64::MAX, REFRESH_MARGIN_SECS),
            "no overflow"
        );
    }

    #[test]
    fn tokens_debug_shows_only_lengths() {
        let t = tokens(Some(REFRESH), 42);
        for shown in [format!("{t:?}"), format!("{t:#?}")] {
            assert!(
                !shown.contains(ACCESS) && !shown.contains(REFRESH),
                "{shown}"
            );
            assert!(
                shown.contains(&format!("<{} bytes>", ACCESS.len())),
                "{shown}"
            );
            assert!(
                shown.contains(&format!("<{} bytes>", REFRESH.len())),
                "{shown}"
            );
        }
    }
}
