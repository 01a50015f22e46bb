//! OAuth 1.0a request signing with HMAC-SHA1 (RFC 5849, sections 3.4 and 3.5).
//!
//! Everything that varies between two signatures of the same request (nonce and
//! timestamp) is an argument, so the signer is tested against fixed vectors.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use rand::distr::{Alphanumeric, Distribution};
use sha1::Sha1;
use ureq::http::Uri;
use zeroize::Zeroizing;

use crate::core::sys::clock::unix_now;
use crate::core::sys::random::with_csprng;
use crate::core::wire::percent::{ascii, encode_to};
use crate::core::wire::Secret;

/// The four OAuth 1.0a user-context credentials, each a [`Secret`] (wiped when
/// dropped, its length only in `Debug`). `Default`: all four empty (an OAuth 2.0
/// config has none).
#[derive(Clone, PartialEq, Eq, Default, Debug)]
pub struct Credentials {
    pub consumer_key: Secret,
    pub consumer_secret: Secret,
    pub access_token: Secret,
    pub access_token_secret: Secret,
}

impl Credentials {
    /// The strings that must never reach a message or a log.
    pub(crate) fn secrets(&self) -> [&str; 4] {
        [
            &self.consumer_key,
            &self.consumer_secret,
            &self.access_token,
            &self.access_token_secret,
        ]
    }
}

/// Writes the RFC 5849 3.4.1.3.2 normalised parameters to `out` (each name and value
/// encoded, sorted by encoded name then encoded value, joined as `name=value` with
/// `&`; `oauth_signature` and `realm` left out), percent-encoded once more, as the
/// base string holds them. Encoding already-encoded text only turns `%` into `%25`,
/// `=` into `%3D` and `&` into `%26`, so the second pass is folded into the copy.
fn write_normalized<K: AsRef<str>, V: AsRef<str>>(out: &mut Vec<u8>, params: &[(K, V)]) {
    // Every encoded name and value goes into one buffer; the sort moves only their spans.
    let raw_len: usize = params
        .iter()
        .map(|(n, v)| n.as_ref().len() + v.as_ref().len())
        .sum();
    let mut encoded = Vec::with_capacity(raw_len * 3);
    let mut spans: Vec<(usize, usize, usize)> = Vec::with_capacity(params.len());
    for (name, value) in params {
        if matches!(name.as_ref(), "oauth_signature" | "realm") {
            continue;
        }
        let start = encoded.len();
        encode_to(&mut encoded, name.as_ref().as_bytes());
        let middle = encoded.len();
        encode_to(&mut encoded, value.as_ref().as_bytes());
        spans.push((start, middle, encoded.len()));
    }
    let pair = |&(start, middle, end): &(usize, usize, usize)| {
        (&encoded[start..middle], &encoded[middle..end])
    };
    // Callers often pass parameters already in order (the follow call does): check before sorting.
    if !spans.is_sorted_by(|a, b| pair(a) <= pair(b)) {
        spans.sort_unstable_by(|a, b| pair(a).cmp(&pair(b)));
    }
    out.reserve(encoded.len() * 3 + spans.len() * 6);
    let copy = |out: &mut Vec<u8>, text: &[u8]| {
        for (i, run) in text.split(|&b| b == b'%').enumerate() {
            if i > 0 {
                out.extend_from_slice(b"%25");
            }
            out.extend_from_slice(run);
        }
    };
    for (i, span) in spans.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(b"%26");
        }
        let (name, value) = pair(span);
        copy(out, name);
        out.extend_from_slice(b"%3D");
        copy(out, value);
    }
}

fn base_string_bytes<K: AsRef<str>, V: AsRef<str>>(
    method: &str,
    base_uri: &str,
    params: &[(K, V)],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(512);
    for byte in method.bytes() {
        encode_to(&mut out, &[byte.to_ascii_uppercase()]);
    }
    out.push(b'&');
    encode_to(&mut out, base_uri.as_bytes());
    out.push(b'&');
    write_normalized(&mut out, params);
    out
}

/// The HMAC-SHA1 key schedule for one pair of secrets, computed once and cloned for
/// each signature; RFC 5849 3.4.2: the signature is base64(HMAC-SHA1(enc(consumer_secret)
/// & enc(token_secret), base string)). `Debug` shows nothing of it, and it is
/// overwritten on drop.
#[derive(Clone)]
pub struct SigningKey(Hmac<Sha1>);

impl SigningKey {
    pub fn new(consumer_secret: &str, token_secret: &str) -> SigningKey {
        // Sized for the worst case, so the buffer never moves and leaves no unwiped copy.
        let mut key = Zeroizing::new(Vec::with_capacity(
            (consumer_secret.len() + token_secret.len()) * 3 + 1,
        ));
        encode_to(&mut key, consumer_secret.as_bytes());
        key.push(b'&');
        encode_to(&mut key, token_secret.as_bytes());
        let mac = Hmac::<Sha1>::new_from_slice(&key).expect("HMAC accepts any key length");
        SigningKey(mac)
    }

    fn overwrite(&mut self) {
        self.0 = Hmac::<Sha1>::new_from_slice(&[]).expect("HMAC accepts any key length");
        std::hint::black_box(&mut self.0);
    }

    /// base64 of the HMAC-SHA1 of `base_string`.
    pub fn signature(&self, base_string: &[u8]) -> String {
        let mut mac = self.0.clone();
        mac.update(base_string);
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    }
}

impl Drop for SigningKey {
    /// The state holds the SHA-1 midstates of `key ^ ipad` and `key ^ opad`: enough
    /// to sign any request with these credentials. hmac 0.12 and sha1 0.10 have no
    /// `zeroize` feature and the core has no unsafe code, so the state is replaced in
    /// place by that of an empty key, and `black_box` keeps the store from being
    /// removed as dead (tests/freed_memory.rs checks the freed block).
    fn drop(&mut self) {
        self.overwrite();
    }
}

/// The values that make each signature unique. Tests inject them; requests use [`OAuthNonce::fresh`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthNonce {
    pub nonce: String,
    pub timestamp: u64,
}

impl OAuthNonce {
    /// A fresh nonce (32 alphanumerics from a CSPRNG) and the system clock shifted by `clock_offset_secs`.
    pub fn fresh(clock_offset_secs: i64) -> Self {
        OAuthNonce {
            nonce: random_nonce(),
            timestamp: unix_now().saturating_add(clock_offset_secs).max(0) as u64,
        }
    }
}

/// 32 ASCII alphanumerics from a CSPRNG (see [`with_csprng`]).
pub fn random_nonce() -> String {
    with_csprng(|rng| {
        Alphanumeric
            .sample_iter(rng)
            .take(32)
            .map(char::from)
            .collect()
    })
}

/// A request URL parsed once for signing: its base string URI and the decoded
/// parameters of its query (both signed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningUrl {
    base_uri: String,
    query: Vec<(String, String)>,
}

impl SigningUrl {
    /// An absolute `http`/`https` URL with a host, read by `http::Uri` as ureq reads the
    /// URL it sends (`None`: anything else; the library signs only its base URL's).
    /// Its base string URI (RFC 5849 3.4.1.2): scheme and host in lowercase, the
    /// scheme's default port left out.
    pub fn parse(url: &str) -> Option<SigningUrl> {
        let uri: Uri = url.parse().ok()?;
        let scheme = uri.scheme_str()?.to_ascii_lowercase();
        let default_port = match scheme.as_str() {
            "http" => 80,
            "https" => 443,
            _ => return None,
        };
        let host = uri.host().filter(|host| !host.is_empty())?;
        let port = match uri.port_u16() {
            Some(port) if port != default_port => format!(":{port}"),
            _ => String::new(),
        };
        Some(SigningUrl {
            base_uri: format!(
                "{scheme}://{}{port}{}",
                host.to_ascii_lowercase(),
                uri.path()
            ),
            // Decoded as forms are (`+` a space, malformed escapes kept, invalid UTF-8
            // as U+FFFD), in order, duplicates kept: RFC 5849 3.4.1.3.1 signs them.
            query: uri
                .query()
                .map(|query| {
                    form_urlencoded::parse(query.as_bytes())
                        .into_owned()
                        .collect()
                })
                .unwrap_or_default(),
        })
    }
}

/// A request to sign: method, URL and the decoded form-body parameters.
#[derive(Debug, Clone, Copy)]
pub struct SignableRequest<'a> {
    pub method: &'a str,
    pub url: &'a SigningUrl,
    pub form: &'a [(&'a str, &'a str)],
}

/// A computed `Authorization` header, the signature inside it, and the base string
/// that was signed.
pub struct SignedHeader {
    pub authorization: String,
    pub signature: String,
    /// The signature base string (ASCII), kept as built: a trace shows it
    /// ([`SignedHeader::base_string`]), nothing else reads it, so no work is spent on it.
    base_string: Vec<u8>,
}

impl SignedHeader {
    /// The exact signature base string that was signed (RFC 5849 3.4.1).
    pub fn base_string(&self) -> &str {
        std::str::from_utf8(&self.base_string).expect("the base string is ASCII")
    }
}

/// Everything needed to sign for one set of credentials.
#[derive(Clone)]
pub struct Signer {
    credentials: Credentials,
    key: SigningKey,
}

impl Signer {
    pub fn new(credentials: Credentials) -> Signer {
        let key = SigningKey::new(
            &credentials.consumer_secret,
            &credentials.access_token_secret,
        );
        Signer { credentials, key }
    }

    /// Signs `request` and returns the `Authorization: OAuth …` header value
    /// (`oauth_version="1.0"` included and signed).
    pub fn sign(&self, request: &SignableRequest<'_>, nonce: &OAuthNonce) -> SignedHeader {
        self.sign_with(request, nonce, None)
    }

    /// [`Signer::sign`] with one more `oauth_*` protocol parameter (`oauth_callback` of
    /// a request-token request, `oauth_verifier` of an access-token request), sent in
    /// the header and signed. Without an access token (app keys only), `oauth_token`
    /// is left out, as RFC 5849 allows.
    pub fn sign_with(
        &self,
        request: &SignableRequest<'_>,
        nonce: &OAuthNonce,
        extra: Option<(&str, &str)>,
    ) -> SignedHeader {
        let query = &request.url.query;
        // On the stack: to_string was one more heap allocation per follow (89, not 88).
        let mut timestamp = itoa::Buffer::new();
        let timestamp = timestamp.format(nonce.timestamp);
        let token = &self.credentials.access_token;
        // In name order, so the normalisation below rarely needs its sort. On the
        // stack: at most seven of the eight are present.
        let mut oauth = [("", ""); 8];
        let mut present = 0;
        for param in [
            Some(("oauth_consumer_key", self.credentials.consumer_key.as_str())),
            extra.filter(|(name, _)| *name < "oauth_nonce"),
            Some(("oauth_nonce", &nonce.nonce)),
            Some(("oauth_signature_method", "HMAC-SHA1")),
            Some(("oauth_timestamp", timestamp)),
            (!token.is_empty()).then_some(("oauth_token", token.as_str())),
            extra.filter(|(name, _)| *name >= "oauth_nonce"),
            Some(("oauth_version", "1.0")),
        ]
        .into_iter()
        .flatten()
        {
            oauth[present] = param;
            present += 1;
        }
        let oauth = &oauth[..present];
        let mut params: Vec<(&str, &str)> =
            Vec::with_capacity(oauth.len() + request.form.len() + query.len());
        // Parameters named below "oauth_" go first, so that a sorted form keeps
        // the whole list sorted and normalisation can skip its sort.
        params.extend(request.form.iter().filter(|(name, _)| *name < "oauth_"));
        params.extend_from_slice(oauth);
        params.extend(request.form.iter().filter(|(name, _)| *name >= "oauth_"));
        params.extend(query.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        let base = base_string_bytes(request.method, &request.url.base_uri, &params);
        let signature = self.key.signature(&base);

        let mut authorization = Vec::with_capacity(base.len());
        authorization.extend_from_slice(b"OAuth ");
        for (i, (name, value)) in oauth
            .iter()
            .copied()
            .chain([("oauth_signature", signature.as_str())])
            .enumerate()
        {
            if i > 0 {
                authorization.extend_from_slice(b", ");
            }
            authorization.extend_from_slice(name.as_bytes());
            authorization.extend_from_slice(b"=\"");
            encode_to(&mut authorization, value.as_bytes());
            authorization.push(b'"');
        }
        SignedHeader {
            authorization: ascii(authorization),
            signature,
            base_string: base,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 5849 3.4.1.2 base string URI: lowercase scheme and host, default port
    /// dropped, query and fragment removed, empty path as `/`.
    fn base_string_uri(url: &str) -> Option<String> {
        SigningUrl::parse(url).map(|url| url.base_uri)
    }

    /// RFC 5849 3.4.1 signature base string from the method, the base string URI
    /// and every request parameter (query, form body and `oauth_*`, decoded).
    fn signature_base_string<K: AsRef<str>, V: AsRef<str>>(
        method: &str,
        base_uri: &str,
        params: &[(K, V)],
    ) -> String {
        ascii(base_string_bytes(method, base_uri, params))
    }

    /// The normalised parameters as RFC 5849 3.4.1.3.2 writes them: what the base
    /// string holds, decoded once.
    fn normalized_parameters<K: AsRef<str>, V: AsRef<str>>(params: &[(K, V)]) -> String {
        let mut out = Vec::new();
        write_normalized(&mut out, params);
        let decoded = percent_encoding::percent_decode(&out)
            .decode_utf8()
            .unwrap();
        decoded.into_owned()
    }
    use crate::core::sys::fork;
    use crate::core::sys::random::NONCE_RNG;
    use crate::core::wire::percent::percent_encode;
    use percent_encoding::percent_decode_str;
    use serde_json::Value;
    use zeroize::Zeroize as _;

    fn vectors() -> Value {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/oauth1_hmac_sha1.json"
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn s(v: &Value) -> &str {
        v.as_str().unwrap()
    }

    #[test]
    fn percent_encoding_vectors() {
        let table = vectors()["percent_encoding"].as_array().unwrap().clone();
        assert!(table.len() >= 10);
        for case in &table {
            assert_eq!(
                percent_encode(s(&case["input"])),
                s(&case["encoded"]),
                "{case}"
            );
        }
    }

    #[test]
    fn percent_encoding_every_byte() {
        for b in 0u8..0x80 {
            let expected = if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            };
            assert_eq!(
                percent_encode(&(b as char).to_string()),
                expected,
                "byte {b:#04x}"
            );
        }
        // Bytes 0x80-0xFF only occur inside multi-byte characters: check all of U+0080..U+00FF.
        for c in '\u{80}'..='\u{FF}' {
            let mut utf8 = [0u8; 4];
            let want: String = c
                .encode_utf8(&mut utf8)
                .bytes()
                .map(|b| format!("%{b:02X}"))
                .collect();
            assert_eq!(percent_encode(&c.to_string()), want, "{c:?}");
        }
        // A string holding every byte value that can appear in UTF-8 round-trips
        // through percent-encoding's decoder.
        let all: String = (0u32..=0x10FF).filter_map(char::from_u32).collect();
        assert_eq!(
            percent_decode_str(&percent_encode(&all))
                .decode_utf8()
                .unwrap(),
            all
        );
    }

    #[test]
    fn base_string_uri_vectors() {
        for case in vectors()["base_string_uri"].as_array().unwrap() {
            assert_eq!(
                base_string_uri(s(&case["input"])).unwrap(),
                s(&case["normalized"]),
                "{case}"
            );
        }
        assert_eq!(base_string_uri("https://h/p#frag").unwrap(), "https://h/p");
        assert!(base_string_uri("ftp://h/").is_none());
        assert!(base_string_uri("nohost").is_none());
    }

    #[test]
    fn signature_vectors() {
        let signatures = vectors()["signatures"].as_array().unwrap().clone();
        assert_eq!(signatures.len(), 6);
        for case in &signatures {
            let params: Vec<(String, String)> = case["params"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| (s(&p[0]).to_owned(), s(&p[1]).to_owned()))
                .collect();
            let uri = base_string_uri(s(&case["url"])).unwrap();
            let base = signature_base_string(s(&case["method"]), &uri, &params);
            if let Some(expected) = case.get("base_string") {
                assert_eq!(base, s(expected), "{}", case["name"]);
            }
            let key = SigningKey::new(s(&case["consumer_secret"]), s(&case["token_secret"]));
            let signature = key.signature(base.as_bytes());
            assert_eq!(signature, s(&case["signature"]), "{}", case["name"]);
        }
    }

    /// `sign` builds the same signature as the Twitter docs example when given its inputs.
    #[test]
    fn sign_matches_twitter_docs_example() {
        let credentials = Credentials {
            consumer_key: "xvz1evFS4wEEPTGEFPHBog".into(),
            consumer_secret: "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw".into(),
            access_token: "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb".into(),
            access_token_secret: "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE".into(),
        };
        let nonce = OAuthNonce {
            nonce: "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg".into(),
            timestamp: 1318622958,
        };
        // The query carries include_entities, the body carries status: both are signed.
        let url = SigningUrl::parse(
            "https://api.twitter.com/1.1/statuses/update.json?include_entities=true",
        )
        .unwrap();
        let request = SignableRequest {
            method: "POST",
            url: &url,
            form: &[(
                "status",
                "Hello Ladies + Gentlemen, a signed OAuth request!",
            )],
        };
        let signed = Signer::new(credentials).sign(&request, &nonce);
        assert_eq!(signed.signature, "hCtSmYh+iHYCEqBWrE7C7hYmtUk=");
        // The base string of Twitter's "Creating a signature" guide, byte for byte.
        assert_eq!(
            signed.base_string(),
            "POST&https%3A%2F%2Fapi.twitter.com%2F1.1%2Fstatuses%2Fupdate.json&\
             include_entities%3Dtrue%26oauth_consumer_key%3Dxvz1evFS4wEEPTGEFPHBog%26\
             oauth_nonce%3DkYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg%26\
             oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1318622958%26\
             oauth_token%3D370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb%26\
             oauth_version%3D1.0%26status%3DHello%2520Ladies%2520%252B%2520Gentlemen%252C%2520\
             a%2520signed%2520OAuth%2520request%2521"
        );
        assert_eq!(
            signed.authorization,
            "OAuth oauth_consumer_key=\"xvz1evFS4wEEPTGEFPHBog\", \
             oauth_nonce=\"kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg\", \
             oauth_signature_method=\"HMAC-SHA1\", oauth_timestamp=\"1318622958\", \
             oauth_token=\"370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb\", \
             oauth_version=\"1.0\", oauth_signature=\"hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D\""
        );
    }

    #[test]
    fn normalization_sorts_by_encoded_name_then_value_and_keeps_duplicates() {
        let params = [
            ("b", "2"),
            ("a", "z"),
            ("a", "b"),
            ("a-b", "1"),
            ("oauth_signature", "x"),
            ("realm", "r"),
        ];
        assert_eq!(normalized_parameters(&params), "a=b&a=z&a-b=1&b=2");
        // Encoded order, not decoded order: "%20" sorts before "A".
        assert_eq!(normalized_parameters(&[("A", ""), (" ", "")]), "%20=&A=");
    }

    #[test]
    fn form_parsing() {
        let query = |url: &str| SigningUrl::parse(url).unwrap().query;
        let pairs = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        assert_eq!(
            query("https://h/?a=1&b=x+y&c=%3D%zz&&d"),
            pairs(&[("a", "1"), ("b", "x y"), ("c", "=%zz"), ("d", "")])
        );
        assert_eq!(
            query("https://h/?a=%&b=%4&c=%e2%82%ac"),
            pairs(&[("a", "%"), ("b", "%4"), ("c", "€")])
        );
    }

    #[test]
    fn nonces_are_32_alphanumerics_and_differ() {
        let a = random_nonce();
        let b = random_nonce();
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
    }

    #[test]
    fn a_fork_reseeds_the_nonce_generator() {
        // Two threads see the same generation; bumping it must change the stream.
        // (The real fork test is in tests/c: parent and child follow after fork().)
        let _ = random_nonce();
        let before = NONCE_RNG.with_borrow(|slot| slot.as_ref().unwrap().0);
        fork::note_fork_in_child();
        let _ = random_nonce();
        let after = NONCE_RNG.with_borrow(|slot| slot.as_ref().unwrap().0);
        assert!(after > before);
    }

    #[test]
    fn wiping_zeroes_the_strings_own_buffer() {
        // Credentials are wiped with `zeroize`, in place: the same allocation, not a copy.
        let secret = String::from("token-secret-0123456789");
        let address = secret.as_ptr();
        let mut bytes = secret.into_bytes();
        bytes.as_mut_slice().zeroize();
        assert_eq!(bytes.as_ptr(), address, "the same allocation, not a copy");
        assert!(bytes.iter().all(|&b| b == 0));
        let mut s = String::from("x");
        s.zeroize();
        assert!(s.is_empty());
    }

    #[test]
    fn a_dropped_signing_key_holds_only_the_empty_keys_state() {
        // What `drop` does, looked at before the memory goes (tests/freed_memory.rs
        // checks the freed block itself).
        let mut key = SigningKey::new("cs-0123456789", "ts-0123456789");
        let empty = SigningKey(Hmac::<Sha1>::new_from_slice(&[]).unwrap());
        assert_ne!(key.signature(b"base"), empty.signature(b"base"));
        key.overwrite();
        assert_eq!(key.signature(b"base"), empty.signature(b"base"));
    }

    #[test]
    fn the_os_generator_stands_in_for_the_threads() {
        // Where the thread's generator is busy (or gone), nonces still come, from the OS.
        let nested = NONCE_RNG.with_borrow_mut(|_| random_nonce());
        assert_eq!(nested.len(), 32);
        assert!(nested.bytes().all(|c| c.is_ascii_alphanumeric()));
    }

    #[test]
    fn debug_hides_credentials() {
        let c = Credentials {
            consumer_key: "key-AAAA".into(),
            consumer_secret: "secret-BBBB".into(),
            access_token: "token-CCCC".into(),
            access_token_secret: "tsecret-DDDD".into(),
        };
        let shown = format!("{c:?}");
        for secret in c.secrets() {
            assert!(!shown.contains(secret));
        }
    }
}
