//! A loopback stand-in for api.twitter.com: the follow endpoints (`POST
//! 1.1/friendships/create.json`; API v2's `POST 2/users/{id}/following`, `GET
//! 2/users/by/username/{name}`, `GET 2/users/me`), unfollow (`POST
//! 1.1/friendships/destroy.json`, `DELETE 2/users/{id}/following/{target}`), the
//! relationship (`GET 1.1/friendships/show.json`, v2 lookups with
//! `user.fields=connection_status`, `GET 2/users/{id}`), and the ways to a user's token
//! (OAuth 1.0a's `oauth/request_token`, `oauth/authorize`, `oauth/access_token`;
//! OAuth 2.0's `i/oauth2/authorize`, `2/oauth2/token`, `2/oauth2/revoke`), the token's
//! own user (`GET 1.1/account/verify_credentials.json`, `GET 2/users/me`).
//! It checks OAuth 1.0a HMAC-SHA1 signatures with its own code (nothing from the
//! twfollow crate), refuses stale timestamps and replayed nonces, checks PKCE and
//! rotates refresh tokens, keeps a small user directory and the documented follow
//! budgets (shared by both versions), and answers like the real API: 1.1 with the
//! user object (with `status`, gzip when asked, `\/`-escaped slashes) and coded
//! errors; v2 with `{"data":…}`, problem details without codes, and per-user rate
//! limits with `x-rate-limit-*`. Apps and accounts in the states X refuses for reasons
//! of their own (read-only, an access tier without API 1.1, no Project, suspended,
//! locked, an app-only Bearer token) are built in. A library (for the integration
//! tests, with hooks to expire tokens) and the `sandbox` binary (for the demo and the
//! binding tests). Its manual: docs/sandbox.md.

mod http;
mod oauth1;
mod oauth2;
mod random;
mod refusals;
mod state;
mod v1;
mod v2;

use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub use http::{http_date, Recorded};
pub use oauth2::{OAUTH2_CLIENT_ID, OAUTH2_CLIENT_SECRET, OAUTH2_PUBLIC_CLIENT_ID};
pub use state::{
    BLOCKER_USER, FOLLOWER_USER, GENERATED_ID_BASE, MUTED_USER, PENDING_USER, PROTECTED_USER,
    PUBLIC_USER,
};

use http::{json, Answer, Request, Response};
use serde_json::json;
use state::State;

pub const CONSUMER_KEY: &str = "sandbox-consumer-key";
pub const CONSUMER_SECRET: &str = "sandbox-consumer-secret";

/// Built-in apps (consumer key, secret), each in a state X refuses for reasons of
/// the app, not of the target: see [`AppLimit`].
pub const READ_ONLY_APP: (&str, &str) = ("sandbox-readonly-key", "sandbox-readonly-secret");
pub const NO_V1_APP: (&str, &str) = ("sandbox-no-v1-key", "sandbox-no-v1-secret");
pub const UNENROLLED_APP: (&str, &str) = ("sandbox-unenrolled-key", "sandbox-unenrolled-secret");
pub const CREDITLESS_APP: (&str, &str) = ("sandbox-creditless-key", "sandbox-creditless-secret");
pub const CAPPED_APP: (&str, &str) = ("sandbox-capped-key", "sandbox-capped-secret");

/// The built-in apps besides the main one, each with what X does not let it do. Every
/// account's token works with every app.
const OTHER_APPS: [((&str, &str), AppLimit); 5] = [
    (READ_ONLY_APP, AppLimit::ReadOnly),
    (NO_V1_APP, AppLimit::NoV1Access),
    (UNENROLLED_APP, AppLimit::NotEnrolled),
    (CREDITLESS_APP, AppLimit::CreditsDepleted),
    (CAPPED_APP, AppLimit::UsageCapped),
];

/// An app-only Bearer token of the main app (what the developer portal shows as
/// "Bearer Token"): API v2 lookups take it; acting for a user (`2/users/me`, follow,
/// unfollow) is 403 `unsupported-authentication`; API 1.1 refuses every Bearer token
/// (403, code 220).
pub const APP_ONLY_BEARER_TOKEN: &str = "AAAAAAAAAAAAAAAAAAAAAsandboxAppOnlyBearerToken";

/// Why X may refuse an app, whatever the target. Its names, as `--restrict-app` takes
/// them: `read-only`, `no-v1-access`, `not-enrolled`, `credits-depleted`,
/// `credits-depleted-2026-08`, `user-not-enrolled` and `usage-capped`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AppLimit {
    /// Read-only permissions (or tokens made before Read and Write): writes are 403,
    /// code 261 in API 1.1 and the problem `oauth1-permissions` in API v2.
    ReadOnly,
    /// An access tier without API 1.1 follows: every 1.1 request is 403, code 453.
    NoV1Access,
    /// Not attached to a Project: every API v2 request is 403 `client-forbidden`,
    /// reason `client-not-enrolled`.
    NotEnrolled,
    /// Pay-per-use credits spent: every API request (1.1 and v2, OAuth 1.0a or a
    /// Bearer token) is 402 with X's early-2026 problem (`CreditsDepleted`, type
    /// `…/problems/credits`, an `account_id`).
    CreditsDepleted,
    /// The same in X's form from about August 2026 (`Payment Required`, type
    /// `https://api.x.com/2/problems/credits-depleted`).
    #[serde(rename = "credits-depleted-2026-08")]
    CreditsDepletedAugust2026,
    /// The authenticated user's account is not enrolled in Pay-per-use: every API v2
    /// request is 403 `client-forbidden`, reason `user-not-enrolled`.
    UserNotEnrolled,
    /// A monthly usage cap reached: every API request is 429 with a `usage-capped`
    /// problem (its 15-minute window and 24-hour budgets are not spent).
    UsageCapped,
}

impl std::str::FromStr for AppLimit {
    type Err = ();

    /// One of its names.
    fn from_str(text: &str) -> Result<AppLimit, ()> {
        serde_json::from_value(text.into()).map_err(drop)
    }
}

/// Why X refuses an account, whatever it asks: its token authenticates, and then
/// every request is 403 with this code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountState {
    /// Code 64: "Your account is suspended and is not permitted to access this feature."
    Suspended,
    /// Code 326: the account is temporarily locked until its owner logs in.
    Locked,
}

/// An authenticated user of the sandbox: the owner of an access token.
#[derive(Debug, Clone)]
pub struct Account {
    pub user_id: u64,
    pub screen_name: String,
    pub token: String,
    pub token_secret: String,
    /// Set by [`Account::restricted`] alone: its token authenticates, then every
    /// request is refused. The sandbox adds both restricted accounts beside the
    /// configured ones, which approve the token flows.
    pub(crate) state: Option<AccountState>,
}

impl Account {
    /// The `n`-th built-in account (1-based): `sandbox_me` is 1, then `sandbox_2`, ...
    pub fn builtin(n: u64) -> Account {
        let user_id = 1_500_000_000 + n;
        Account {
            user_id,
            screen_name: if n == 1 {
                "sandbox_me".into()
            } else {
                format!("sandbox_{n}")
            },
            token: format!("{user_id}-sandboxAccessToken{n}"),
            token_secret: format!("sandbox-token-secret-{n}"),
            state: None,
        }
    }

    /// The built-in account in `state`: `sandbox_suspended` (user id 1500000064) or
    /// `sandbox_locked` (1500000326), the id ending in the code X refuses it with.
    pub fn restricted(state: AccountState) -> Account {
        let (user_id, word) = match state {
            AccountState::Suspended => (1_500_000_064, "Suspended"),
            AccountState::Locked => (1_500_000_326, "Locked"),
        };
        let lower = word.to_ascii_lowercase();
        Account {
            user_id,
            screen_name: format!("sandbox_{lower}"),
            token: format!("{user_id}-sandbox{word}Token"),
            token_secret: format!("sandbox-token-secret-{lower}"),
            state: Some(state),
        }
    }
}

/// Everything that can be tuned.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    pub consumer_key: String,
    pub consumer_secret: String,
    pub accounts: Vec<Account>,
    /// New follows per account per 24 h (Twitter: 400).
    pub user_budget: u32,
    /// New follows per app per 24 h (Twitter: 1000).
    pub app_budget: u32,
    /// The server clock runs this many seconds ahead of the real one (negative:
    /// behind), in its checks and in its `Date` header: a client with a drifting clock.
    pub clock_skew_secs: i64,
    /// Answer this many requests first 503, code 130 (over capacity): for retry tests.
    pub fail_first: usize,
    /// API v2 follows per user per window (Twitter: 50 per 15 minutes); lookups: 900.
    pub v2_follow_limit: u32,
    pub v2_window: Duration,
    /// How long an OAuth 2.0 access token lives (X: two hours).
    pub oauth2_token_lifetime_secs: u64,
    /// How long an OAuth 2.0 authorization code waits for its exchange (X: 30 seconds).
    pub oauth2_code_lifetime: Duration,
    /// How long an OAuth 1.0a request token waits for the person's approval and its
    /// exchange (Twitter: 10 minutes).
    pub request_token_lifetime: Duration,
    /// A refresh answers this late, after rotating (X has the pair, the client not yet).
    pub oauth2_refresh_delay: Duration,
    /// API requests per account per 24 h, all endpoints (`x-user-limit-24hour-*`); then 429.
    pub day_budget: u32,
    /// API requests per 24 hours of all accounts together (`x-app-limit-24hour-*`).
    pub app_day_budget: u32,
    /// What X does not let the main app (`consumer_key`) do; none by default.
    pub app_limits: Vec<AppLimit>,
    /// Keep every request for [`Sandbox::requests`] (tests); the binary logs instead.
    pub record: bool,
    /// Print one line per request on stderr.
    pub log: bool,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            consumer_key: CONSUMER_KEY.into(),
            consumer_secret: CONSUMER_SECRET.into(),
            accounts: (1..=3).map(Account::builtin).collect(),
            user_budget: 400,
            app_budget: 1000,
            clock_skew_secs: 0,
            fail_first: 0,
            v2_follow_limit: 50,
            v2_window: Duration::from_secs(15 * 60),
            oauth2_token_lifetime_secs: 7200,
            oauth2_code_lifetime: Duration::from_secs(30),
            request_token_lifetime: Duration::from_secs(10 * 60),
            oauth2_refresh_delay: Duration::ZERO,
            day_budget: 100_000,
            app_day_budget: 1_000_000,
            app_limits: Vec::new(),
            record: true,
            log: false,
        }
    }
}

#[derive(Default)]
pub(crate) struct Shared {
    pub config: SandboxConfig,
    pub state: Mutex<State>,
    pub stopping: AtomicBool,
    /// Every request that arrived (what [`REQUEST_COUNT_PATH`] answers).
    pub requests_seen: AtomicUsize,
}

/// A running sandbox. Dropping it stops the server.
pub struct Sandbox {
    shared: Arc<Shared>,
    addr: SocketAddr,
    accept_thread: Option<thread::JoinHandle<()>>,
}

impl Sandbox {
    /// Starts on `127.0.0.1:port` (0 picks a free port).
    pub fn start(config: SandboxConfig, port: u16) -> io::Result<Sandbox> {
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            config,
            ..Default::default()
        });
        let accept_shared = shared.clone();
        let accept_thread = thread::spawn(move || {
            for stream in listener.incoming() {
                if accept_shared.stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let shared = accept_shared.clone();
                thread::spawn(move || {
                    let _ = http::serve_connection(&shared, stream);
                });
            }
        });
        Ok(Sandbox {
            shared,
            addr,
            accept_thread: Some(accept_thread),
        })
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.shared.state.lock().unwrap()
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.state().recorded.clone()
    }

    pub fn request_count(&self) -> usize {
        self.state().recorded.len()
    }

    /// Every request received so far, recorded or not (what [`REQUEST_COUNT_PATH`] answers).
    pub fn requests_seen(&self) -> usize {
        self.shared.requests_seen.load(Ordering::SeqCst)
    }

    /// Every OAuth 2.0 access token issued so far expires now (as if two hours had
    /// passed); refresh tokens still work.
    pub fn expire_oauth2_access_tokens(&self) {
        self.state().oauth2.access.expire_all();
    }

    /// Successful `grant_type=refresh_token` exchanges so far.
    pub fn oauth2_refresh_count(&self) -> usize {
        self.state().oauth2.refreshes
    }
}

/// `GET` this path for `{"requests": N}`: how many requests the sandbox has received
/// (this question not included), for tests that drive the binary and must show that
/// nothing was sent twice.
pub const REQUEST_COUNT_PATH: &str = "/sandbox/requests";

/// `GET` this path for the requests recorded so far (the binary records with
/// `--record`): `{"recorded":[{"method","target","content_type","body","status"}…]}`,
/// in arrival order, without their other headers (they hold credentials).
pub const RECORDED_PATH: &str = "/sandbox/recorded";

/// The answer to a test's question at `path` (not a request to the API: neither
/// counted, recorded nor logged), or `None` when it is none.
fn inspect(shared: &Shared, path: &str) -> Option<Response> {
    let body = match path {
        REQUEST_COUNT_PATH => json!({ "requests": shared.requests_seen.load(Ordering::SeqCst) }),
        RECORDED_PATH => json!({ "recorded": shared.state.lock().unwrap().recorded }),
        _ => return None,
    };
    Some(json(200, 0, body))
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr); // wakes the accept loop
        if let Some(t) = self.accept_thread.take() {
            let _ = t.join();
        }
    }
}

type Endpoint = fn(&Shared, &Request) -> Answer;

/// How an endpoint words a refusal of its method or of its parameters' encoding.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Family {
    /// API 1.1 and OAuth 1.0a's token endpoints: `{"errors":[{"code","message"}]}`.
    V1,
    /// API v2: problems (its JSON body is no form).
    V2,
    /// A page a person opens: HTML.
    Page,
    /// OAuth 2.0's token and revoke endpoints: `{"error","error_description"}`.
    Token,
}

use Family::{Page, Token, V1, V2};

/// Every endpoint: its method and the end of its path (`{}`: any one segment, handed
/// to it in `path_params`), its family and its handler. Paths are matched on their
/// end, so a base URL with a path prefix works.
const ENDPOINTS: [(&str, Family, Endpoint); 15] = [
    ("GET /1.1/account/verify_credentials.json", V1, v1::me),
    ("POST /1.1/friendships/create.json", V1, v1::follow),
    ("POST /1.1/friendships/destroy.json", V1, v1::unfollow),
    ("GET /1.1/friendships/show.json", V1, v1::relationship),
    ("POST /oauth/request_token", V1, oauth1::request_token),
    ("GET /oauth/authorize", Page, oauth1::authorize),
    ("POST /oauth/access_token", V1, oauth1::access_token),
    ("GET /i/oauth2/authorize", Page, oauth2::authorize),
    ("POST /2/oauth2/token", Token, oauth2::token),
    ("POST /2/oauth2/revoke", Token, oauth2::revoke),
    ("GET /2/users/me", V2, v2::me),
    ("GET /2/users/by/username/{}", V2, v2::lookup),
    ("GET /2/users/{}", V2, v2::lookup),
    ("POST /2/users/{}/following", V2, v2::follow),
    ("DELETE /2/users/{}/following/{}", V2, v2::unfollow),
];

/// What the `{}` segments of `pattern` match when `path` ends with it.
fn path_params(pattern: &str, path: &str) -> Option<Vec<String>> {
    let wanted: Vec<&str> = pattern.split('/').skip(1).collect();
    let given: Vec<&str> = path.split('/').collect();
    // Not from 0: the pattern's leading slash must be in the path.
    let start = given.len().checked_sub(wanted.len()).filter(|&at| at > 0)?;
    let pairs = wanted.into_iter().zip(&given[start..]);
    let matches = pairs
        .clone()
        .all(|(wanted, given)| (wanted == "{}" && !given.is_empty()) || wanted == *given);
    let params = pairs.filter(|(wanted, _)| *wanted == "{}");
    matches.then(|| params.map(|(_, given)| given.to_string()).collect())
}

/// Sends each request to its endpoint, after its method and its parameters' encoding
/// are checked; `number` is its place in arrival order (from 1): the first
/// `fail_first` fail.
fn handle(shared: &Shared, request: &mut Request, number: usize) -> Answer {
    let v2_path = request.path().contains("/2/users/");
    if number <= shared.config.fail_first {
        return Err(http::refuse("over-capacity", v2_path));
    }
    let routes: Vec<_> = ENDPOINTS
        .into_iter()
        .filter_map(|(route, family, endpoint)| {
            let (method, pattern) = route.split_once(' ')?;
            let params = path_params(pattern, request.path())?;
            Some((method, family, endpoint, params))
        })
        .collect();
    let Some(&(_, path_family, _, _)) = routes.first() else {
        return Err(http::refuse("page-not-found", v2_path));
    };
    // A refusal of the method or of the encoding, in the words of the endpoint's family.
    let refused = |family, name: &str| match family {
        V1 | V2 => http::refuse(name, family == V2),
        Token => http::refuse(&format!("oauth2-{name}"), false),
        Page if name == "malformed" => oauth1::refused_page("Malformed percent-encoding."),
        Page => http::page(405, "Method not allowed", "Open this page with GET."),
    };
    let route = routes.into_iter().find(|route| route.0 == request.method);
    let Some((_, family, endpoint, params)) = route else {
        return Err(refused(path_family, "method-not-allowed"));
    };
    request.path_params = params;
    // The token endpoints read no query; a form body only where one is read (not a page's GET).
    request
        .decode(family != Token, matches!(family, V1 | Token))
        .map_err(|()| refused(family, "malformed"))?;
    endpoint(shared, request)
}

impl SandboxConfig {
    /// The consumer secret and the limits of the app with this consumer key: the main
    /// one or a built-in other.
    pub(crate) fn app(&self, consumer_key: &str) -> Option<(String, Vec<AppLimit>)> {
        if consumer_key == self.consumer_key {
            return Some((self.consumer_secret.clone(), self.app_limits.clone()));
        }
        let found = OTHER_APPS
            .into_iter()
            .find(|((key, _), _)| *key == consumer_key);
        found.map(|((_, secret), limit)| (secret.to_owned(), vec![limit]))
    }

    /// The account with this access token: a configured one or a restricted one.
    pub(crate) fn account(&self, token: &str) -> Option<Account> {
        let restricted = [AccountState::Suspended, AccountState::Locked].map(Account::restricted);
        let mut accounts = self.accounts.iter().cloned().chain(restricted);
        accounts.find(|account| account.token == token)
    }
}

/// The sandbox's clock, in seconds since the epoch: the real one shifted by
/// `clock_skew_secs`.
fn server_now(config: &SandboxConfig) -> u64 {
    let now = SystemTime::now().duration_since(UNIX_EPOCH);
    let now = now.map_or(0, |since| since.as_secs());
    now.saturating_add_signed(config.clock_skew_secs)
}

#[cfg(test)]
mod tests {
    use super::{path_params, AppLimit};

    #[test]
    fn paths_match_on_their_end_segment_by_segment() {
        let follow = "/2/users/{}/following";
        let params = |path| path_params(follow, path);
        assert_eq!(params("/2/users/12/following"), Some(vec!["12".into()]));
        assert_eq!(
            params("/proxy/2/users/12/following"),
            Some(vec!["12".into()])
        );
        for other in [
            "/x2/users/12/following",
            "2/users/12/following",
            "/2/users/12/following/",
        ] {
            assert_eq!(params(other), None, "{other}");
        }
        assert_eq!(path_params("/2/users/me", "/2/users/me"), Some(vec![]));
        assert_eq!(path_params("/2/users/me", "/2/users/mee"), None);
    }

    #[test]
    fn app_limits_parse_by_their_flag_names() {
        let names = [
            ("read-only", AppLimit::ReadOnly),
            ("no-v1-access", AppLimit::NoV1Access),
            ("not-enrolled", AppLimit::NotEnrolled),
            ("credits-depleted", AppLimit::CreditsDepleted),
            (
                "credits-depleted-2026-08",
                AppLimit::CreditsDepletedAugust2026,
            ),
            ("user-not-enrolled", AppLimit::UserNotEnrolled),
            ("usage-capped", AppLimit::UsageCapped),
        ];
        for (name, limit) in names {
            assert_eq!(name.parse(), Ok(limit), "{name}");
        }
        for bad in ["", "ReadOnly", "read_only", "credits-depleted-august-2026"] {
            assert_eq!(bad.parse::<AppLimit>(), Err(()), "{bad}");
        }
    }
}
