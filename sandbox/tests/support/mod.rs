//! A tiny HTTP client over std's TcpStream and an OAuth 1.0a signer, written here
//! and not taken from the sandbox (nor from twfollow), so the sandbox's checks are
//! tested against a second implementation.

#![allow(dead_code)] // each test binary uses a different part

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};

use twfollow_sandbox::{Sandbox, SandboxConfig, CONSUMER_KEY, CONSUMER_SECRET};

pub fn start() -> Sandbox {
    start_with(SandboxConfig::default())
}

pub fn start_with(config: SandboxConfig) -> Sandbox {
    Sandbox::start(config, 0).expect("the sandbox starts")
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The body as `application/x-www-form-urlencoded` pairs.
    pub fn form(&self) -> HashMap<String, String> {
        decode_pairs(&self.body)
    }

    /// The query of the `Location` header.
    pub fn location_query(&self) -> HashMap<String, String> {
        let location = self.header("location").expect("a Location header");
        decode_pairs(location.split_once('?').map_or("", |(_, q)| q))
    }
}

/// One request on a fresh connection (`Connection: close`); `base` is
/// `http://127.0.0.1:PORT`.
pub fn send(base: &str, method: &str, target: &str, headers: &[(&str, &str)], body: &str) -> Reply {
    let authority = base.strip_prefix("http://").expect("an http:// base URL");
    let mut stream = TcpStream::connect(authority).expect("the sandbox accepts");
    let mut request = format!("{method} {target} HTTP/1.1\r\nHost: {authority}\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    ));
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let raw = String::from_utf8(raw).expect("a UTF-8 answer (no gzip was asked for)");
    let (head, body) = raw.split_once("\r\n\r\n").expect("a complete answer");
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Reply {
        status,
        headers,
        body: body.to_owned(),
    }
}

pub fn get(base: &str, target: &str) -> Reply {
    send(base, "GET", target, &[], "")
}

/// A form POST with extra headers.
pub fn post_form(
    base: &str,
    path: &str,
    headers: &[(&str, &str)],
    pairs: &[(&str, &str)],
) -> Reply {
    let mut all = vec![("Content-Type", "application/x-www-form-urlencoded")];
    all.extend_from_slice(headers);
    send(base, "POST", path, &all, &encode_pairs(pairs))
}

/// RFC 3986 percent-encoding: unreserved characters stay, every other byte is %XX.
pub fn encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

pub fn encode_pairs(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap()
}

pub fn decode_pairs(text: &str) -> HashMap<String, String> {
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// What signs an OAuth 1.0a request: the consumer's secret and, once there is one,
/// a token with its secret.
#[derive(Clone, Copy)]
pub struct Signer<'a> {
    pub consumer_key: &'a str,
    pub consumer_secret: &'a str,
    pub token: Option<(&'a str, &'a str)>,
}

impl<'a> Signer<'a> {
    /// The sandbox's app, no token yet (`oauth/request_token`).
    pub fn app() -> Signer<'static> {
        Signer {
            consumer_key: CONSUMER_KEY,
            consumer_secret: CONSUMER_SECRET,
            token: None,
        }
    }

    pub fn with_token(self, token: &'a str, secret: &'a str) -> Signer<'a> {
        Signer {
            token: Some((token, secret)),
            ..self
        }
    }

    /// The `Authorization` header for a request to `url` (no query) with `extra`
    /// `oauth_*` parameters (e.g. `oauth_callback`) and the request's `params`
    /// (query and form), all signed.
    pub fn header(
        &self,
        method: &str,
        url: &str,
        extra: &[(&str, &str)],
        params: &[(&str, &str)],
    ) -> String {
        static NONCES: AtomicU64 = AtomicU64::new(0);
        let nonce = format!(
            "n{}x{}",
            std::process::id(),
            NONCES.fetch_add(1, Ordering::SeqCst)
        );
        let timestamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
            .to_string();
        let mut oauth: Vec<(&str, &str)> = vec![
            ("oauth_consumer_key", self.consumer_key),
            ("oauth_nonce", &nonce),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", &timestamp),
            ("oauth_version", "1.0"),
        ];
        if let Some((token, _)) = self.token {
            oauth.push(("oauth_token", token));
        }
        oauth.extend_from_slice(extra);
        let mut all = oauth.clone();
        all.extend_from_slice(params);
        let signature = self.signature(method, url, &all);
        oauth.push(("oauth_signature", &signature));
        let fields: Vec<String> = oauth
            .iter()
            .map(|(k, v)| format!("{}=\"{}\"", encode(k), encode(v)))
            .collect();
        format!("OAuth {}", fields.join(", "))
    }

    /// RFC 5849 section 3.4: HMAC-SHA1 over the signature base string.
    pub fn signature(&self, method: &str, url: &str, params: &[(&str, &str)]) -> String {
        let mut encoded: Vec<(String, String)> =
            params.iter().map(|(k, v)| (encode(k), encode(v))).collect();
        encoded.sort();
        let normalized: Vec<String> = encoded.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let base = format!("{method}&{}&{}", encode(url), encode(&normalized.join("&")));
        let token_secret = self.token.map_or("", |(_, s)| s);
        let key = format!("{}&{}", encode(self.consumer_secret), encode(token_secret));
        let mut mac = Hmac::<Sha1>::new_from_slice(key.as_bytes()).unwrap();
        mac.update(base.as_bytes());
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    }
}

/// A signed form POST to `path` on the sandbox.
pub fn signed_post(
    base: &str,
    path: &str,
    signer: Signer,
    extra: &[(&str, &str)],
    form: &[(&str, &str)],
) -> Reply {
    let authorization = signer.header("POST", &format!("{base}{path}"), extra, form);
    post_form(base, path, &[("Authorization", &authorization)], form)
}

/// A PKCE pair: a 43-character verifier from the clock and a counter (unique, not
/// secret: this is a test), and its S256 challenge.
pub fn pkce_pair() -> (String, String) {
    static PAIRS: AtomicU64 = AtomicU64::new(0);
    let seed = format!(
        "{:?}{}",
        SystemTime::now(),
        PAIRS.fetch_add(1, Ordering::SeqCst)
    );
    let verifier = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(seed));
    let challenge =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(&verifier));
    (verifier, challenge)
}

pub fn basic(id: &str, secret: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
    )
}

pub fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}
