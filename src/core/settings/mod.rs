//! Settings: credentials, API version, timeout, retries, user agent, and where
//! the base URL, proxy and trust anchors come from.

use std::time::Duration;

use zeroize::Zeroizing;

pub mod base_url;
pub mod ca_file;
pub mod hooks;
pub mod proxy;

use crate::core::auth::oauth2::Tokens;
use crate::core::error::Error;
use crate::core::settings::base_url::BaseUrl;
use crate::core::settings::ca_file::CaFile;
use crate::core::settings::hooks::{NameLookup, TraceHook};
use crate::core::settings::proxy::ProxyChoice;
use crate::core::wire::signer::Credentials;
use crate::core::wire::Secret;

pub const DEFAULT_BASE_URL: &str = "https://api.twitter.com";
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(30_000);
pub const DEFAULT_USER_AGENT: &str = concat!("twfollow/", env!("CARGO_PKG_VERSION"));
/// Retries are opt-in.
pub const DEFAULT_MAX_RETRIES: u32 = 0;
pub const MAX_RETRIES: u32 = 10;
/// How long a call may spend waiting between retries, in all.
pub const DEFAULT_MAX_WAIT: Duration = Duration::from_millis(30_000);

/// Real keys and tokens are under 100 bytes; anything far longer is a mistake.
pub const MAX_CREDENTIAL_BYTES: usize = 1024;

/// Which Twitter API the follow goes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ApiVersion {
    /// `POST 1.1/friendships/create.json`, form parameters (the default).
    #[default]
    V1_1,
    /// `POST 2/users/{source_user_id}/following` with a JSON body; a screen name is
    /// first looked up with `GET 2/users/by/username/{name}`.
    V2 { source_user_id: u64 },
    /// "auto" (opt-in): API 1.1 first; when it refuses the app's access tier, this
    /// config switches to API v2 once, remembers it, and sends the call again there.
    Auto { source_user_id: u64 },
}

impl ApiVersion {
    /// `1` (meaning 1.1), `2`, or `0` for auto. Version 2 (and auto, which may switch to
    /// it) needs the id of the user who follows: the numeric prefix of an access token
    /// (`"<user id>-…"`), as Twitter issues them.
    pub fn new(version: u32, access_token: &str) -> Result<ApiVersion, Error> {
        let source_user_id = || {
            access_token
                .split_once('-')
                .map(|(prefix, _)| prefix)
                .filter(|p| p.len() <= 19 && p.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|p| p.parse::<u64>().ok())
                .filter(|&id| id != 0)
                .ok_or_else(|| {
                    // The token is a secret: describe it, never show it.
                    Error::invalid_argument(
                        "API v2 needs the following user's id, taken from the access token's numeric prefix (\"<user id>-...\"), and this access token has none",
                    )
                })
        };
        match version {
            1 => Ok(ApiVersion::V1_1),
            0 => Ok(ApiVersion::Auto {
                source_user_id: source_user_id()?,
            }),
            2 => Ok(ApiVersion::V2 {
                source_user_id: source_user_id()?,
            }),
            _ => Err(Error::invalid_argument(format!(
                "unsupported API version {version}: expected 1 (meaning 1.1), 2, or 0 (auto)"
            ))),
        }
    }

    /// The number [`ApiVersion::new`] takes for `"1.1"`, `"1"`, `"2"` or `"auto"`, as
    /// `TW_API_VERSION` holds it.
    pub fn number(text: &str) -> Result<u32, Error> {
        match text.trim() {
            "1.1" | "1" => Ok(1),
            "2" => Ok(2),
            "auto" => Ok(0),
            other => Err(Error::invalid_argument(format!(
                "unsupported API version {:?}: expected 1.1, 2 or auto",
                other.chars().take(20).collect::<String>()
            ))),
        }
    }
}

/// The OAuth 1.0a user of a config, when known: from the access token's answer or
/// the token store (saving an account needs it; a follow does not).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub user_id: u64,
    pub screen_name: String,
}

/// An OAuth 2.0 config's client, and the tokens it starts with (the client's
/// session takes them: from then on it holds the current ones, and these are `None`).
#[derive(Clone)]
pub struct OAuth2App {
    pub client_id: String,
    /// `None` for a public client (PKCE only).
    pub client_secret: Option<Secret>,
    pub tokens: Option<Tokens>,
}

/// Everything a follow needs besides the target. Built by [`Settings::new`], adjusted by the setters.
#[derive(Clone)]
pub struct Settings {
    pub credentials: Credentials,
    pub base_url: BaseUrl,
    pub timeout: Duration,
    pub user_agent: String,
    /// `None`: the webpki root store built into the library.
    pub ca_file: Option<CaFile>,
    pub proxy: ProxyChoice,
    pub max_retries: u32,
    pub max_wait: Duration,
    pub api_version: ApiVersion,
    /// An OAuth 2.0 config: its client and first tokens. `None`: OAuth 1.0a.
    pub oauth2: Option<OAuth2App>,
    /// Where host names are looked up (tests inject a table: they cannot use DNS).
    pub name_lookup: NameLookup,
    /// The wire trace's hook (`None`: off, and free). See [`crate::core::net::trace`].
    pub trace: Option<TraceHook>,
    /// The OAuth 1.0a user, when known (see [`Identity`]).
    pub identity: Option<Identity>,
}

/// Shows nothing of the settings: they hold the credentials.
impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Settings { .. }")
    }
}

impl Settings {
    /// Checks the four credentials (none may be empty) and applies the defaults.
    pub fn new(credentials: Credentials) -> Result<Settings, Error> {
        let names = [
            "consumer_key",
            "consumer_secret",
            "access_token",
            "access_token_secret",
        ];
        for (name, value) in names.iter().zip(credentials.secrets()) {
            check_credential(name, value)?;
        }
        Ok(Settings::with_defaults(credentials))
    }

    /// An OAuth 1.0a app with no user yet (for the PIN or callback flow): the
    /// consumer key and secret only. Follows are refused until an access token is set.
    pub fn new_app(consumer_key: String, consumer_secret: String) -> Result<Settings, Error> {
        check_credential("consumer_key", &consumer_key)?;
        check_credential("consumer_secret", &consumer_secret)?;
        Ok(Settings::with_defaults(Credentials {
            consumer_key: consumer_key.into(),
            consumer_secret: consumer_secret.into(),
            ..Credentials::default()
        }))
    }

    /// An OAuth 2.0 client (`client_secret` `None`: a public client), no tokens yet.
    pub fn new_oauth2(client_id: &str, client_secret: Option<&str>) -> Result<Settings, Error> {
        check_credential("client_id", client_id)?;
        if let Some(secret) = client_secret {
            check_credential("client_secret", secret)?;
        }
        Ok(Settings::for_oauth2(OAuth2App {
            client_id: client_id.to_owned(),
            client_secret: client_secret.map(Secret::from),
            tokens: None,
        }))
    }

    /// An OAuth 2.0 config of `app` (no OAuth 1.0a credentials at all).
    fn for_oauth2(app: OAuth2App) -> Settings {
        let mut settings = Settings::with_defaults(Credentials::default());
        settings.oauth2 = Some(app);
        settings
    }

    fn with_defaults(credentials: Credentials) -> Settings {
        Settings {
            credentials,
            base_url: BaseUrl::parse(DEFAULT_BASE_URL).expect("the default base URL is valid"),
            timeout: DEFAULT_TIMEOUT,
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            ca_file: None,
            proxy: ProxyChoice::FromEnvironment,
            max_retries: DEFAULT_MAX_RETRIES,
            max_wait: DEFAULT_MAX_WAIT,
            api_version: ApiVersion::V1_1,
            oauth2: None,
            name_lookup: NameLookup::System,
            trace: None,
            identity: None,
        }
    }

    /// An OAuth 1.0a config from the four `TW_*` credentials; names every missing one.
    fn oauth1_from_lookup(lookup: &impl Fn(&str) -> Option<String>) -> Result<Settings, Error> {
        let names = [
            "TW_CONSUMER_KEY",
            "TW_CONSUMER_SECRET",
            "TW_ACCESS_TOKEN",
            "TW_ACCESS_TOKEN_SECRET",
        ];
        // Wiped if the others are missing; moved into `Credentials` (wiped on drop) otherwise.
        let values = names.map(|name| Zeroizing::new(lookup(name).unwrap_or_default()));
        let missing: Vec<&str> = names
            .iter()
            .zip(&values)
            .filter(|(_, value)| value.is_empty())
            .map(|(name, _)| *name)
            .collect();
        if !missing.is_empty() {
            let (s, are) = if missing.len() == 1 {
                ("", "is")
            } else {
                ("s", "are")
            };
            return Err(Error::invalid_argument(format!(
                "environment variable{s} {} {are} not set or empty",
                missing.join(", ")
            )));
        }
        let [consumer_key, consumer_secret, access_token, access_token_secret] = values.map(Secret);
        Settings::new(Credentials {
            consumer_key,
            consumer_secret,
            access_token,
            access_token_secret,
        })
    }

    /// An OAuth 2.0 config from `TW_OAUTH2_*` (the access token is set; `set` gives
    /// only non-empty values). Without a client id it can follow but not refresh.
    fn oauth2_from_lookup(set: impl Fn(&str) -> Option<String>) -> Result<Settings, Error> {
        let refresh_token = set("TW_OAUTH2_REFRESH_TOKEN");
        let client_id = match set("TW_OAUTH2_CLIENT_ID") {
            Some(id) => id,
            None if refresh_token.is_some() => {
                return Err(Error::invalid_argument(
                    "environment variable TW_OAUTH2_CLIENT_ID is not set: TW_OAUTH2_REFRESH_TOKEN needs it",
                ))
            }
            None => String::new(),
        };
        let client_secret = set("TW_OAUTH2_CLIENT_SECRET").map(Secret::from);
        let expires_at = match set("TW_OAUTH2_EXPIRES_AT") {
            None => 0,
            Some(text) => text.trim().parse::<i64>().ok().filter(|t| *t >= 0).ok_or_else(|| {
                Error::invalid_argument(
                    "environment variable TW_OAUTH2_EXPIRES_AT is not a time in seconds since the Unix epoch",
                )
            })?,
        };
        let access_token = set("TW_OAUTH2_ACCESS_TOKEN").unwrap_or_default();
        let tokens = Tokens::from_parts(
            &Zeroizing::new(access_token),
            refresh_token.as_deref(),
            expires_at,
        )
        .map_err(in_variable("TW_OAUTH2_ACCESS_TOKEN"))?;
        Ok(Settings::for_oauth2(OAuth2App {
            client_id,
            client_secret,
            tokens: Some(tokens),
        }))
    }

    /// Sets the user's OAuth 1.0a access token (after the PIN or callback flow).
    pub fn set_access_token(&mut self, token: &str, secret: &str) -> Result<(), Error> {
        check_credential("access_token", token)?;
        check_credential("access_token_secret", secret)?;
        self.credentials.access_token = token.into();
        self.credentials.access_token_secret = secret.into();
        // Another user's token, maybe: the caller sets the identity it learnt.
        self.identity = None;
        match self.api_version {
            ApiVersion::V2 { .. } => self.set_api_version(2)?,
            ApiVersion::Auto { .. } => self.set_api_version(0)?,
            ApiVersion::V1_1 => {}
        }
        Ok(())
    }

    /// Reads the `TW_*` variables through `lookup` (the process environment in production):
    /// the credentials, then the optional `TW_API_BASE` and `TW_API_VERSION`.
    /// A missing or empty credential variable is refused, naming every one that is.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Settings, Error> {
        let mut settings = Settings::from_credentials_lookup(&lookup)?;
        settings.apply_environment(lookup)?;
        Ok(settings)
    }

    /// Applies the optional `TW_API_BASE` and `TW_API_VERSION` read through `lookup`
    /// (empty is unset), as [`Settings::from_lookup`] does; an error names the variable.
    /// Settings from elsewhere (the token store) take them this way.
    pub fn apply_environment(
        &mut self,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<(), Error> {
        if let Some(base) = lookup("TW_API_BASE").filter(|v| !v.is_empty()) {
            self.base_url = BaseUrl::parse(&base).map_err(in_variable("TW_API_BASE"))?;
        }
        if let Some(version) = lookup("TW_API_VERSION").filter(|v| !v.is_empty()) {
            let number = match ApiVersion::number(&version) {
                // An OAuth 2.0 config refuses every version but v2 in its own words.
                Err(_) if self.oauth2.is_some() => Ok(1),
                number => number,
            };
            number
                .and_then(|number| self.set_api_version(number))
                .map_err(in_variable("TW_API_VERSION"))?;
        }
        Ok(())
    }

    /// The credential variables alone, chosen as [`Settings::from_lookup`] chooses them
    /// (the four OAuth 1.0a ones, or `TW_OAUTH2_*` when `TW_OAUTH2_ACCESS_TOKEN` is set
    /// and `TW_ACCESS_TOKEN` is not), with the defaults for everything else: for a
    /// caller whose own options replace `TW_API_BASE` and `TW_API_VERSION`, which are
    /// then not read at all.
    pub fn from_credentials_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Settings, Error> {
        let set = |name: &str| lookup(name).filter(|v| !v.is_empty());
        if set("TW_OAUTH2_ACCESS_TOKEN").is_some() && set("TW_ACCESS_TOKEN").is_none() {
            Settings::oauth2_from_lookup(set)
        } else {
            Settings::oauth1_from_lookup(&lookup)
        }
    }

    pub fn set_api_version(&mut self, version: u32) -> Result<(), Error> {
        if self.oauth2.is_some() {
            // OAuth 2.0 user tokens work with API v2 only, which such a config always
            // uses (auto included: there is no other version to switch to).
            return match version {
                0 | 2 => Ok(()),
                _ => Err(Error::invalid_argument(
                    "an OAuth 2.0 config follows through API v2 only: OAuth 2.0 tokens do not work with API 1.1",
                )),
            };
        }
        self.api_version = ApiVersion::new(version, &self.credentials.access_token)?;
        Ok(())
    }

    pub fn set_timeout_ms(&mut self, timeout_ms: u32) -> Result<(), Error> {
        if timeout_ms == 0 {
            return Err(Error::invalid_argument("timeout_ms must be at least 1"));
        }
        self.timeout = Duration::from_millis(timeout_ms.into());
        Ok(())
    }

    pub fn set_max_retries(&mut self, retries: u32) -> Result<(), Error> {
        if retries > MAX_RETRIES {
            return Err(Error::invalid_argument(format!(
                "max_retries must be 0 to {MAX_RETRIES}"
            )));
        }
        self.max_retries = retries;
        Ok(())
    }

    pub fn set_user_agent(&mut self, user_agent: &str) -> Result<(), Error> {
        if user_agent.is_empty() || user_agent.len() > 1024 {
            return Err(Error::invalid_argument(
                "user_agent must be 1 to 1024 bytes",
            ));
        }
        if user_agent.bytes().any(|b| b.is_ascii_control()) {
            return Err(Error::invalid_argument(
                "user_agent must not contain control characters",
            ));
        }
        self.user_agent = user_agent.to_owned();
        Ok(())
    }
}

/// Names the environment variable a refused value came from.
fn in_variable(name: &str) -> impl FnOnce(Error) -> Error + '_ {
    move |e| Error::invalid_argument(format!("environment variable {name}: {}", e.message))
}

/// A credential must be non-empty and at most [`MAX_CREDENTIAL_BYTES`] long.
fn check_credential(name: &str, value: &str) -> Result<(), Error> {
    if value.is_empty() {
        return Err(Error::invalid_argument(format!("{name} is empty")));
    }
    if value.len() > MAX_CREDENTIAL_BYTES {
        return Err(Error::invalid_argument(format!(
            "{name} is longer than {MAX_CREDENTIAL_BYTES} bytes"
        )));
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Credentials for tests that need a Settings (here, net/body.rs, net/failure.rs).
    pub(crate) fn creds() -> Credentials {
        Credentials {
            consumer_key: "ck".into(),
            consumer_secret: "cs".into(),
            access_token: "at".into(),
            access_token_secret: "ats".into(),
        }
    }

    #[test]
    fn settings_defaults_and_checks() {
        let s = Settings::new(creds()).unwrap();
        assert_eq!(s.base_url.as_str(), DEFAULT_BASE_URL);
        assert_eq!(s.timeout, Duration::from_secs(30));
        assert_eq!(s.user_agent, "twfollow/0.1.0");
        let mut empty = creds();
        empty.access_token_secret = Secret::default();
        assert_eq!(
            Settings::new(empty).unwrap_err().message,
            "access_token_secret is empty"
        );
        let mut s = s;
        assert!(s.set_timeout_ms(0).is_err());
        s.set_timeout_ms(1).unwrap();
        assert_eq!(s.timeout, Duration::from_millis(1));
        assert!(s.set_user_agent("").is_err());
        assert!(s.set_user_agent("a\r\nX-Evil: 1").is_err());
        s.set_user_agent("my-app/1.0").unwrap();
        assert_eq!(s.user_agent, "my-app/1.0");
    }

    /// An environment of `pairs`, as `from_lookup` reads one.
    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn from_lookup_names_every_missing_variable() {
        let err = Settings::from_lookup(env(&[
            ("TW_CONSUMER_KEY", "a"),
            ("TW_CONSUMER_SECRET", "b"),
            ("TW_ACCESS_TOKEN_SECRET", "d"),
        ]))
        .unwrap_err();
        assert_eq!(
            err.message,
            "environment variable TW_ACCESS_TOKEN is not set or empty"
        );
        // Every missing (or empty) variable is named, in the documented order.
        let err =
            Settings::from_lookup(env(&[("TW_CONSUMER_KEY", "a"), ("TW_CONSUMER_SECRET", "")]))
                .unwrap_err();
        assert_eq!(
            err.message,
            "environment variables TW_CONSUMER_SECRET, TW_ACCESS_TOKEN, TW_ACCESS_TOKEN_SECRET are not set or empty"
        );
        assert_eq!(
            Settings::from_lookup(env(&[])).unwrap_err().message,
            "environment variables TW_CONSUMER_KEY, TW_CONSUMER_SECRET, TW_ACCESS_TOKEN, TW_ACCESS_TOKEN_SECRET are not set or empty"
        );
        let all = &[
            ("TW_CONSUMER_KEY", "a"),
            ("TW_CONSUMER_SECRET", "b"),
            ("TW_ACCESS_TOKEN", "c"),
            ("TW_ACCESS_TOKEN_SECRET", "d"),
            ("TW_API_BASE", "http://127.0.0.1:5/"),
        ];
        let s = Settings::from_lookup(env(all)).unwrap();
        assert_eq!(s.base_url.as_str(), "http://127.0.0.1:5");
        assert_eq!(s.api_version, ApiVersion::V1_1);
        let v2 = &[
            ("TW_CONSUMER_KEY", "a"),
            ("TW_CONSUMER_SECRET", "b"),
            ("TW_ACCESS_TOKEN", "42-c"),
            ("TW_ACCESS_TOKEN_SECRET", "d"),
            ("TW_API_VERSION", "2"),
        ];
        let s = Settings::from_lookup(env(v2)).unwrap();
        assert_eq!(s.api_version, ApiVersion::V2 { source_user_id: 42 });
        let err = Settings::from_lookup(env(&[
            ("TW_CONSUMER_KEY", "a"),
            ("TW_CONSUMER_SECRET", "b"),
            ("TW_ACCESS_TOKEN", "c"),
            ("TW_ACCESS_TOKEN_SECRET", "d"),
            ("TW_API_VERSION", "3"),
        ]))
        .unwrap_err();
        assert!(
            err.message
                .starts_with("environment variable TW_API_VERSION: unsupported API version"),
            "{}",
            err.message
        );
        assert_eq!(s.credentials.access_token_secret.as_str(), "d");
        let err = Settings::from_lookup(env(&[
            ("TW_CONSUMER_KEY", "a"),
            ("TW_CONSUMER_SECRET", "b"),
            ("TW_ACCESS_TOKEN", "c"),
            ("TW_ACCESS_TOKEN_SECRET", "d"),
            ("TW_API_BASE", "http://example.com"),
        ]))
        .unwrap_err();
        assert!(
            err.message
                .starts_with("environment variable TW_API_BASE: invalid base URL"),
            "{}",
            err.message
        );
    }

    #[test]
    fn from_credentials_lookup_reads_the_credentials_alone() {
        // A bad base URL or version is not read: the defaults stay.
        let s = Settings::from_credentials_lookup(env(&[
            ("TW_CONSUMER_KEY", "a"),
            ("TW_CONSUMER_SECRET", "b"),
            ("TW_ACCESS_TOKEN", "42-c"),
            ("TW_ACCESS_TOKEN_SECRET", "d"),
            ("TW_API_BASE", "http://example.com"),
            ("TW_API_VERSION", "3"),
        ]))
        .unwrap();
        assert_eq!(s.base_url.as_str(), DEFAULT_BASE_URL);
        assert_eq!(s.api_version, ApiVersion::V1_1);
        assert_eq!(s.credentials.access_token.as_str(), "42-c");
        assert!(s.oauth2.is_none());
        // The same refusals as from_lookup, in the same words.
        for pairs in [
            &[("TW_API_BASE", "http://example.com")][..],
            &[("TW_CONSUMER_KEY", "a"), ("TW_ACCESS_TOKEN", "")][..],
            &[
                ("TW_OAUTH2_ACCESS_TOKEN", "t"),
                ("TW_OAUTH2_REFRESH_TOKEN", "r"),
            ][..],
            &[
                ("TW_OAUTH2_ACCESS_TOKEN", "t"),
                ("TW_OAUTH2_EXPIRES_AT", "soon"),
            ][..],
        ] {
            let alone = Settings::from_credentials_lookup(env(pairs)).unwrap_err();
            let all = Settings::from_lookup(env(pairs)).unwrap_err();
            assert_eq!((alone.kind, &alone.message), (all.kind, &all.message));
        }
        // OAuth 2.0 when its access token is set and the OAuth 1.0a one is not.
        let s = Settings::from_credentials_lookup(env(&[
            ("TW_CONSUMER_KEY", "a"),
            ("TW_OAUTH2_ACCESS_TOKEN", "t"),
            ("TW_OAUTH2_CLIENT_ID", "client"),
            ("TW_OAUTH2_EXPIRES_AT", "1700000000"),
            ("TW_API_VERSION", "1.1"),
        ]))
        .unwrap();
        let app = s.oauth2.as_ref().unwrap();
        assert_eq!(app.client_id, "client");
        assert!(app.tokens.is_some());
        // Its TW_API_VERSION: 2 and auto are taken, anything else refused in OAuth 2.0's words.
        let oauth2 = |version: &str| {
            let version = version.to_owned();
            Settings::from_lookup(move |name: &str| match name {
                "TW_OAUTH2_ACCESS_TOKEN" => Some("t".into()),
                "TW_OAUTH2_CLIENT_ID" => Some("client".into()),
                "TW_API_VERSION" => Some(version.clone()),
                _ => None,
            })
        };
        assert!(oauth2("2").is_ok() && oauth2("auto").is_ok());
        for version in ["1.1", "3", "v2"] {
            assert_eq!(
                oauth2(version).unwrap_err().message,
                "environment variable TW_API_VERSION: an OAuth 2.0 config follows through API v2 only: OAuth 2.0 tokens do not work with API 1.1"
            );
        }
        assert!(Settings::from_credentials_lookup(env(&[
            ("TW_OAUTH2_ACCESS_TOKEN", "t"),
            ("TW_ACCESS_TOKEN", "c"),
        ]))
        .unwrap_err()
        .message
        .contains("TW_CONSUMER_KEY"));
    }

    #[test]
    fn api_versions() {
        let v2 = |id| ApiVersion::V2 { source_user_id: id };
        assert_eq!(ApiVersion::new(1, "x").unwrap(), ApiVersion::V1_1);
        assert_eq!(
            ApiVersion::new(2, "1500000001-abc").unwrap(),
            v2(1500000001)
        );
        assert_eq!(ApiVersion::new(2, "12-").unwrap(), v2(12));
        assert_eq!(
            ApiVersion::new(2, "9999999999999999999-x").unwrap(),
            v2(9999999999999999999)
        );
        for token in [
            "abc",
            "-12",
            "0-x",
            "x12-y",
            "1 2-x",
            "+12-x",
            "18446744073709551615-x",
            "12345",
            "",
        ] {
            let err = ApiVersion::new(2, token).unwrap_err();
            assert!(err.message.starts_with("API v2 needs"), "{token}");
            assert!(token.len() < 4 || !err.message.contains(token), "{token}");
        }
        // 0 is auto (it was refused before auto existed); it needs the token's user id too.
        assert_eq!(
            ApiVersion::new(0, "1500000001-abc").unwrap(),
            ApiVersion::Auto {
                source_user_id: 1500000001
            }
        );
        assert!(ApiVersion::new(0, "abc")
            .unwrap_err()
            .message
            .starts_with("API v2 needs"));
        assert_eq!(ApiVersion::number("auto").unwrap(), 0);
        for bad in [3, 11, u32::MAX] {
            assert!(ApiVersion::new(bad, "1-x")
                .unwrap_err()
                .message
                .starts_with("unsupported API version"));
        }
        assert_eq!(ApiVersion::number("1.1").unwrap(), 1);
        assert_eq!(ApiVersion::number(" 2 ").unwrap(), 2);
        assert!(ApiVersion::number("2.0").is_err());
        assert!(ApiVersion::number("v2").is_err());

        let mut s = Settings::new(creds()).unwrap();
        assert_eq!(s.api_version, ApiVersion::V1_1);
        assert!(s.set_api_version(2).is_err(), "token \"at\" has no id");
        assert_eq!(s.api_version, ApiVersion::V1_1);
    }

    #[test]
    fn debug_hides_secrets() {
        let s = Settings::new(creds()).unwrap();
        let shown = format!("{s:?}");
        assert!(
            !shown.contains("\"cs\"") && !shown.contains("ats"),
            "{shown}"
        );
    }
}
