//! A loopback stand-in for api.twitter.com's follow endpoints: `POST
//! 1.1/friendships/create.json`, and API v2's `POST 2/users/{id}/following` with
//! `GET 2/users/by/username/{name}`.
//!
//! It checks OAuth 1.0a HMAC-SHA1 signatures with its own code (nothing from the
//! twfollow crate), refuses stale timestamps and replayed nonces, keeps a small
//! user directory and the documented follow budgets (shared by both versions),
//! and answers like the real API: 1.1 with the user object (with `status`, gzip
//! when asked, `\/`-escaped slashes) and coded errors; v2 with `{"data":…}`,
//! problem details without codes, and per-user rate limits with `x-rate-limit-*`.
//! A library (for the integration tests) and the `sandbox` binary (for the demo and the
//! binding tests).

use std::collections::{HashMap, HashSet, VecDeque};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha1::Sha1;

/// The user object of a real recorded response, used as the template for answers.
const FIXTURE: &str = include_str!("../data/friendships_create_200.json");

pub const CONSUMER_KEY: &str = "sandbox-consumer-key";
pub const CONSUMER_SECRET: &str = "sandbox-consumer-secret";

/// An authenticated user of the sandbox: the owner of an access token.
#[derive(Debug, Clone)]
pub struct Account {
    pub user_id: u64,
    pub screen_name: String,
    pub token: String,
    pub token_secret: String,
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
        }
    }
}

/// Everything that can be tuned.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    pub consumer_key: String,
    pub consumer_secret: String,
    pub accounts: Vec<Account>,
    /// New follows per account per window (Twitter: 400 per 24 h).
    pub user_budget: usize,
    /// New follows per app per window (Twitter: 1000 per 24 h).
    pub app_budget: usize,
    pub budget_window: Duration,
    /// Largest accepted distance between `oauth_timestamp` and the server clock.
    pub max_skew_secs: u64,
    /// The server clock runs this many seconds ahead of the real one (negative:
    /// behind), in its checks and in its `Date` header: a client with a drifting clock.
    pub clock_skew_secs: i64,
    /// Answer this many requests first with 503, code 130 (over capacity), before
    /// looking at them: a failure mode for retry tests.
    pub fail_first: usize,
    /// API v2 requests per user per window: follows (Twitter: 50 per 15 minutes)
    /// and user lookups (Twitter: 900 per 15 minutes).
    pub v2_follow_limit: u32,
    pub v2_lookup_limit: u32,
    pub v2_window: Duration,
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
            budget_window: Duration::from_secs(24 * 3600),
            max_skew_secs: 300,
            clock_skew_secs: 0,
            fail_first: 0,
            v2_follow_limit: 50,
            v2_lookup_limit: 900,
            v2_window: Duration::from_secs(15 * 60),
            record: true,
            log: false,
        }
    }
}

/// A user in the directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Public,
    /// Protected: the first follow sends a request; later ones get 160.
    Protected,
    /// Protected with a request already pending from every account.
    Pending,
    /// Has blocked every sandbox account.
    Blocker,
    /// One of the sandbox's own accounts.
    Account,
}

#[derive(Debug, Clone)]
struct User {
    id: u64,
    screen_name: String,
    name: String,
    kind: Kind,
}

/// Names of the seeded users, for documentation and tests.
pub const PUBLIC_USER: (&str, u64) = ("twitterdev", 2244994945);
pub const PROTECTED_USER: (&str, u64) = ("locked_lucy", 1000000001);
pub const PENDING_USER: (&str, u64) = ("pending_pat", 1000000002);
pub const BLOCKER_USER: (&str, u64) = ("blocker_bob", 1000000003);
/// `user1` .. `user999999` exist too, with ids `GENERATED_ID_BASE + n`: plenty to exhaust budgets.
pub const GENERATED_ID_BASE: u64 = 1_600_000_000;

fn seeded_users(accounts: &[Account]) -> Vec<User> {
    let user = |(screen_name, id): (&str, u64), name: &str, kind| User {
        id,
        screen_name: screen_name.into(),
        name: name.into(),
        kind,
    };
    let mut users = vec![
        user(PUBLIC_USER, "Twitter Dev", Kind::Public),
        user(("Twitter", 783214), "Twitter", Kind::Public),
        user(PROTECTED_USER, "Lucy (protected)", Kind::Protected),
        user(
            PENDING_USER,
            "Pat (protected, request pending)",
            Kind::Pending,
        ),
        user(BLOCKER_USER, "Bob (blocks you)", Kind::Blocker),
    ];
    users.extend(
        accounts
            .iter()
            .map(|a| user((&a.screen_name, a.user_id), &a.screen_name, Kind::Account)),
    );
    users
}

/// What the sandbox saw of one request, and what it answered.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    /// Path and query as sent.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub status: u16,
    pub api_code: i32,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct State {
    /// (account id, followed id)
    following: HashSet<(u64, u64)>,
    requested: HashSet<(u64, u64)>,
    follows_by_account: HashMap<u64, VecDeque<Instant>>,
    follows_by_app: VecDeque<Instant>,
    seen_nonces: HashMap<String, u64>,
    recorded: Vec<Recorded>,
    failed_on_purpose: usize,
    /// (account id, v2 endpoint) → (window start, requests in it), seconds since the epoch.
    v2_windows: HashMap<(u64, V2Endpoint), (u64, u32)>,
}

struct Shared {
    config: SandboxConfig,
    users: Vec<User>,
    state: Mutex<State>,
    stopping: AtomicBool,
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
            users: seeded_users(&config.accounts),
            config,
            state: Mutex::new(State::default()),
            stopping: AtomicBool::new(false),
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
                    let _ = serve_connection(&shared, stream);
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

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.state.lock().unwrap().recorded.clone()
    }

    pub fn request_count(&self) -> usize {
        self.shared.state.lock().unwrap().recorded.len()
    }
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

const MAX_HEAD: usize = 64 * 1024;
const MAX_BODY: usize = 1 << 20;

struct Request {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn serve_connection(shared: &Shared, stream: TcpStream) -> io::Result<()> {
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    loop {
        if shared.stopping.load(Ordering::SeqCst) {
            return Ok(());
        }
        let request = match read_request(&mut reader)? {
            Some(r) => r,
            None => return Ok(()),
        };
        let keep_alive = !request
            .header("connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"));
        let gzip = request
            .header("accept-encoding")
            .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")));
        let response = handle(shared, &request);
        if shared.config.log {
            eprintln!(
                "sandbox: {} {} -> {} (code {})",
                request.method, request.target, response.status, response.api_code
            );
        }
        if shared.config.record {
            let mut state = shared.state.lock().unwrap();
            state.recorded.push(Recorded {
                method: request.method.clone(),
                target: request.target.clone(),
                headers: request.headers.clone(),
                body: String::from_utf8_lossy(&request.body).into_owned(),
                status: response.status,
                api_code: response.api_code,
            });
        }
        write_response(
            &mut writer,
            &response,
            gzip,
            keep_alive,
            server_now(&shared.config),
        )?;
        if !keep_alive {
            let _ = writer.shutdown(Shutdown::Both);
            return Ok(());
        }
    }
}

fn read_request(reader: &mut BufReader<TcpStream>) -> io::Result<Option<Request>> {
    let mut head = Vec::new();
    loop {
        let before = head.len();
        let n = reader.read_until(b'\n', &mut head)?;
        if n == 0 {
            return Ok(None);
        }
        if head.len() > MAX_HEAD {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "request head too large",
            ));
        }
        let line = &head[before..];
        if line == b"\r\n" || line == b"\n" {
            if before == 0 {
                head.clear(); // tolerate blank lines between requests
                continue;
            }
            break;
        }
    }
    let head = String::from_utf8_lossy(&head);
    let mut lines = head.lines();
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let method = parts.next().unwrap_or_default().to_owned();
    let target = parts.next().unwrap_or_default().to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let length = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    if length > MAX_BODY {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "request body too large",
        ));
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok(Some(Request {
        method,
        target,
        headers,
        body,
    }))
}

struct Response {
    status: u16,
    /// The Twitter code behind the answer, for the log (v2 bodies do not show it).
    api_code: i32,
    body: String,
    content_type: &'static str,
    headers: Headers,
}

type Headers = Vec<(&'static str, String)>;

const JSON: &str = "application/json;charset=utf-8";

fn ok(body: String) -> Response {
    Response {
        status: 200,
        api_code: 0,
        body,
        content_type: JSON,
        headers: Vec::new(),
    }
}

/// An API 1.1 error.
fn error(status: u16, code: i32, message: &str) -> Response {
    let body = serde_json::json!({"errors": [{"code": code, "message": message}]}).to_string();
    Response {
        status,
        api_code: code,
        ..ok(body)
    }
}

/// An API v2 error: RFC 7807 problem details, no Twitter code.
fn problem(status: u16, title: &str, detail: &str, code: i32) -> Response {
    let body = serde_json::json!({"title": title, "detail": detail, "type": "about:blank", "status": status});
    Response {
        status,
        api_code: code,
        content_type: "application/problem+json",
        ..ok(body.to_string())
    }
}

/// What API v2 answers 200 with when a user does not exist.
fn v2_not_found(parameter: &str, value: &str, code: i32) -> Response {
    let body = serde_json::json!({"errors": [{
        "value": value,
        "detail": format!("Could not find user with {parameter}: [{value}]."),
        "title": "Not Found Error",
        "resource_type": "user",
        "parameter": parameter,
        "resource_id": value,
        "type": "https://api.twitter.com/2/problems/resource-not-found",
    }]});
    Response {
        api_code: code,
        ..ok(body.to_string())
    }
}

fn v2_invalid_request(parameter: &str, message: &str) -> Response {
    let body = serde_json::json!({
        "errors": [{"parameters": {parameter: []}, "message": message}],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": "https://api.twitter.com/2/problems/invalid-request",
    });
    Response {
        status: 400,
        ..ok(body.to_string())
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        429 => "Too Many Requests",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

fn write_response(
    out: &mut TcpStream,
    response: &Response,
    gzip: bool,
    keep_alive: bool,
    now: u64,
) -> io::Result<()> {
    let body = if gzip {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(response.body.as_bytes())?;
        encoder.finish()?
    } else {
        response.body.clone().into_bytes()
    };
    let mut head = format!(
        "HTTP/1.1 {} {}\r\ndate: {}\r\nserver: twfollow-sandbox\r\ncontent-type: {}\r\ncontent-length: {}\r\n",
        response.status,
        reason(response.status),
        http_date(UNIX_EPOCH + Duration::from_secs(now)),
        response.content_type,
        body.len()
    );
    for (name, value) in &response.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if gzip {
        head.push_str("content-encoding: gzip\r\n");
    }
    head.push_str(if keep_alive {
        "connection: keep-alive\r\n\r\n"
    } else {
        "connection: close\r\n\r\n"
    });
    let mut message = head.into_bytes();
    message.extend_from_slice(&body);
    out.write_all(&message)
}

/// RFC 7231 IMF-fixdate, e.g. `Fri, 12 Feb 2021 03:43:02 GMT`.
pub fn http_date(time: SystemTime) -> String {
    let secs = time
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = (secs / 86_400) as i64;
    let (h, m, s) = (secs % 86_400 / 3600, secs % 3600 / 60, secs % 60);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} GMT",
        WEEKDAYS[days.rem_euclid(7) as usize],
        day,
        MONTHS[(month - 1) as usize],
        year,
        h,
        m,
        s
    )
}

// ---- OAuth 1.0a verification, written independently of the library's signer ----

/// RFC 3986 unreserved characters pass; every other byte becomes %XX (uppercase).
fn oauth_escape(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Decodes %XX escapes (and `+` when `plus_is_space`), strictly: a bad escape is an error.
fn unescape(text: &str, plus_is_space: bool) -> Result<String, ()> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut iter = text.bytes();
    while let Some(b) = iter.next() {
        match b {
            b'%' => {
                let hex = [iter.next().ok_or(())?, iter.next().ok_or(())?];
                let hex = std::str::from_utf8(&hex).map_err(|_| ())?;
                bytes.push(u8::from_str_radix(hex, 16).map_err(|_| ())?);
            }
            b'+' if plus_is_space => bytes.push(b' '),
            b => bytes.push(b),
        }
    }
    String::from_utf8(bytes).map_err(|_| ())
}

fn parse_pairs(text: &str) -> Result<Vec<(String, String)>, ()> {
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            Ok((unescape(k, true)?, unescape(v, true)?))
        })
        .collect()
}

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
        .map(|(k, v)| (oauth_escape(k), oauth_escape(v)))
        .collect();
    pairs.sort();
    let pairs: Vec<String> = pairs.into_iter().map(|(k, v)| format!("{k}={v}")).collect();
    let base = format!(
        "{}&{}&{}",
        method,
        oauth_escape(url),
        oauth_escape(&pairs.join("&"))
    );
    let key = format!(
        "{}&{}",
        oauth_escape(consumer_secret),
        oauth_escape(token_secret)
    );
    let mut mac = Hmac::<Sha1>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(base.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The sandbox's clock: the real one shifted by `clock_skew_secs`.
fn server_now(config: &SandboxConfig) -> u64 {
    now_secs().saturating_add_signed(config.clock_skew_secs)
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Returns the authenticated account or the API's error response.
fn authenticate<'a>(
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

fn handle(shared: &Shared, request: &Request) -> Response {
    {
        let mut state = shared.state.lock().unwrap();
        if state.failed_on_purpose < shared.config.fail_first {
            state.failed_on_purpose += 1;
            return error(503, 130, "Over capacity");
        }
    }
    let (path, query) = request
        .target
        .split_once('?')
        .unwrap_or((&request.target, ""));
    if path.ends_with("/1.1/friendships/create.json") {
        return handle_v1(shared, request, path, query);
    }
    if let Some(at) = path.rfind("/2/users/") {
        return handle_v2(
            shared,
            request,
            path,
            query,
            &path[at + "/2/users/".len()..],
        );
    }
    error(404, 34, "Sorry, that page does not exist.")
}

fn handle_v1(shared: &Shared, request: &Request, path: &str, query: &str) -> Response {
    if request.method != "POST" {
        return error(405, 0, "Method not allowed: use POST.");
    }
    let form_type = request
        .header("content-type")
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    let body = std::str::from_utf8(&request.body).unwrap_or("");
    let (Ok(query), Ok(form)) = (
        parse_pairs(query),
        if form_type {
            parse_pairs(body)
        } else {
            Ok(Vec::new())
        },
    ) else {
        return error(400, 0, "Malformed percent-encoding.");
    };
    let account = match authenticate(shared, request, path, &form, &query) {
        Ok(account) => account,
        Err(response) => return response,
    };
    let mut all = form.clone();
    all.extend(query);
    let param = |name: &str| all.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let notify = match param("follow") {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return error(400, 0, "follow must be true or false."),
    };
    let user = match (param("user_id"), param("screen_name")) {
        (Some(id), None) => id.parse::<u64>().ok().and_then(|id| find_by_id(shared, id)),
        (None, Some(name)) => find_by_name(shared, name),
        _ => {
            return error(
                400,
                38,
                "Exactly one of user_id or screen_name is required.",
            )
        }
    };
    let Some(user) = user else {
        return error(403, 108, "Cannot find specified user.");
    };
    match follow(shared, account, &user) {
        Outcome::Following | Outcome::Requested => ok(user_json(&user, notify)),
        Outcome::AlreadyRequested => error(
            403,
            160,
            &format!("You've already requested to follow {}.", user.screen_name),
        ),
        Outcome::Refused { code, message } => error(403, code, message),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum V2Endpoint {
    Follow,
    Lookup,
}

/// `rest` is the path after `/2/users/`: `by/username/{name}` or `{id}/following`.
fn handle_v2(shared: &Shared, request: &Request, path: &str, query: &str, rest: &str) -> Response {
    let (endpoint, method, argument) = if let Some(name) = rest.strip_prefix("by/username/") {
        (V2Endpoint::Lookup, "GET", name)
    } else if let Some(id) = rest.strip_suffix("/following") {
        (V2Endpoint::Follow, "POST", id)
    } else {
        return problem(404, "Not Found", "Sorry, that page does not exist.", 34);
    };
    if request.method != method {
        return problem(405, "Method Not Allowed", &format!("Use {method}."), 0);
    }
    let Ok(query) = parse_pairs(query) else {
        return v2_invalid_request("query", "Malformed percent-encoding.");
    };
    // The JSON body is not signed: only the query and the oauth_* parameters are.
    let account = match authenticate(shared, request, path, &[], &query) {
        Ok(account) => account,
        Err(refusal) => return problem(401, "Unauthorized", "Unauthorized", refusal.api_code),
    };
    let rate_headers = match count_v2_request(shared, account, endpoint) {
        Ok(headers) => headers,
        Err(headers) => {
            return Response {
                headers,
                ..problem(429, "Too Many Requests", "Too Many Requests", 88)
            }
        }
    };
    let response = match endpoint {
        V2Endpoint::Lookup => v2_lookup(shared, argument),
        V2Endpoint::Follow => v2_follow(shared, account, argument, request),
    };
    Response {
        headers: rate_headers,
        ..response
    }
}

/// Counts a v2 request against the user's window: the rate-limit headers to send,
/// or (as `Err`) those of a refusal when the window is used up.
fn count_v2_request(
    shared: &Shared,
    account: &Account,
    endpoint: V2Endpoint,
) -> Result<Headers, Headers> {
    let config = &shared.config;
    let limit = match endpoint {
        V2Endpoint::Follow => config.v2_follow_limit,
        V2Endpoint::Lookup => config.v2_lookup_limit,
    };
    let now = server_now(config);
    let window = config.v2_window.as_secs().max(1);
    let mut state = shared.state.lock().unwrap();
    let (start, used) = state
        .v2_windows
        .entry((account.user_id, endpoint))
        .or_insert((now, 0));
    if now >= *start + window {
        (*start, *used) = (now, 0);
    }
    let allowed = *used < limit;
    if allowed {
        *used += 1;
    }
    let headers = vec![
        ("x-rate-limit-limit", limit.to_string()),
        ("x-rate-limit-remaining", (limit - *used).to_string()),
        ("x-rate-limit-reset", (*start + window).to_string()),
    ];
    if allowed {
        Ok(headers)
    } else {
        Err(headers)
    }
}

fn v2_lookup(shared: &Shared, name: &str) -> Response {
    let valid = (1..=15).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !valid {
        return v2_invalid_request(
            "username",
            &format!("The `username` query parameter value [{name}] does not match ^[A-Za-z0-9_]{{1,15}}$"),
        );
    }
    match find_by_name(shared, name) {
        Some(user) => ok(serde_json::json!({"data": {
            "id": user.id.to_string(),
            "name": user.name,
            "username": user.screen_name,
        }})
        .to_string()),
        None => v2_not_found("username", name, 50),
    }
}

fn v2_follow(shared: &Shared, account: &Account, source: &str, request: &Request) -> Response {
    if source != account.user_id.to_string() {
        return problem(
            403,
            "Forbidden",
            "You are not permitted to follow on behalf of another user: the id in the path must be the authenticating user's.",
            0,
        );
    }
    let json_type = request
        .header("content-type")
        .is_some_and(|t| t.starts_with("application/json"));
    let body: Option<serde_json::Value> = serde_json::from_slice(&request.body).ok();
    let target = body
        .as_ref()
        .and_then(|b| b.get("target_user_id")?.as_str())
        .filter(|id| (1..=19).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit()));
    let Some(target) = target.filter(|_| json_type) else {
        return v2_invalid_request(
            "target_user_id",
            "The request body must be JSON with target_user_id, a string of 1 to 19 digits.",
        );
    };
    let Some(user) = target.parse().ok().and_then(|id| find_by_id(shared, id)) else {
        return v2_not_found("target_user_id", target, 108);
    };
    let answer = |following: bool| {
        ok(
            serde_json::json!({"data": {"following": following, "pending_follow": !following}})
                .to_string(),
        )
    };
    match follow(shared, account, &user) {
        Outcome::Following => answer(true),
        // v2 answers a repeated request to a protected account like the first one.
        Outcome::Requested | Outcome::AlreadyRequested => answer(false),
        Outcome::Refused { code, message } => problem(403, "Forbidden", message, code),
    }
}

fn find_by_id(shared: &Shared, id: u64) -> Option<User> {
    if let Some(u) = shared.users.iter().find(|u| u.id == id) {
        return Some(u.clone());
    }
    let n = id.checked_sub(GENERATED_ID_BASE)?;
    (1..=999_999).contains(&n).then(|| generated(n))
}

fn find_by_name(shared: &Shared, name: &str) -> Option<User> {
    if let Some(u) = shared
        .users
        .iter()
        .find(|u| u.screen_name.eq_ignore_ascii_case(name))
    {
        return Some(u.clone());
    }
    let digits = name.strip_prefix("user")?;
    if digits.starts_with('0') {
        return None;
    }
    let n: u64 = digits.parse().ok()?;
    (1..=999_999).contains(&n).then(|| generated(n))
}

fn generated(n: u64) -> User {
    User {
        id: GENERATED_ID_BASE + n,
        screen_name: format!("user{n}"),
        name: format!("Sandbox user {n}"),
        kind: Kind::Public,
    }
}

/// What a follow did, before either API version words it.
enum Outcome {
    Following,
    /// A protected account: a follow request was sent.
    Requested,
    /// A protected account with a request from this account already pending.
    AlreadyRequested,
    Refused {
        code: i32,
        message: &'static str,
    },
}

const SELF_FOLLOW: &str = "You can't follow yourself.";
const BLOCKED: &str =
    "You have been blocked from following this account at the request of the user.";
const FOLLOW_LIMIT: &str = "You are unable to follow more people at this time. Learn more <a href='http://support.twitter.com/articles/66885-i-can-t-follow-people-follow-limits'>here</a>.";

/// Applies the follow rules and budgets, the same for both API versions.
fn follow(shared: &Shared, account: &Account, user: &User) -> Outcome {
    let config = &shared.config;
    match user.kind {
        Kind::Account if user.id == account.user_id => {
            return Outcome::Refused {
                code: 158,
                message: SELF_FOLLOW,
            }
        }
        Kind::Blocker => {
            return Outcome::Refused {
                code: 162,
                message: BLOCKED,
            }
        }
        Kind::Pending => return Outcome::AlreadyRequested,
        _ => {}
    }
    let mut state = shared.state.lock().unwrap();
    let edge = (account.user_id, user.id);
    if user.kind == Kind::Protected && state.requested.contains(&edge) {
        return Outcome::AlreadyRequested;
    }
    if !state.following.contains(&edge) {
        let now = Instant::now();
        let window = config.budget_window;
        let app = &mut state.follows_by_app;
        while app
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            app.pop_front();
        }
        let app_used = app.len();
        let mine = state.follows_by_account.entry(account.user_id).or_default();
        while mine
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            mine.pop_front();
        }
        if mine.len() >= config.user_budget || app_used >= config.app_budget {
            return Outcome::Refused {
                code: 161,
                message: FOLLOW_LIMIT,
            };
        }
        mine.push_back(now);
        state.follows_by_app.push_back(now);
        if user.kind == Kind::Protected {
            state.requested.insert(edge);
            return Outcome::Requested;
        }
        state.following.insert(edge);
    }
    Outcome::Following
}

/// The fixture's user object with this user's identity; slashes escaped as the API does.
fn user_json(user: &User, notify: bool) -> String {
    let mut object: serde_json::Value = serde_json::from_str(FIXTURE).expect("fixture is JSON");
    let protected = matches!(user.kind, Kind::Protected | Kind::Pending);
    for (key, value) in [
        ("id", serde_json::json!(user.id)),
        ("id_str", serde_json::json!(user.id.to_string())),
        ("name", serde_json::json!(user.name)),
        ("screen_name", serde_json::json!(user.screen_name)),
        ("protected", serde_json::json!(protected)),
        // Eventually consistent, like the real endpoint: `following` stays false in the answer.
        ("following", serde_json::json!(false)),
        ("follow_request_sent", serde_json::json!(protected)),
        ("notifications", serde_json::json!(notify)),
    ] {
        object[key] = value;
    }
    if protected {
        object.as_object_mut().unwrap().remove("status");
    }
    object.to_string().replace('/', "\\/")
}
