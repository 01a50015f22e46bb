//! HTTP/1.1 on a socket: reading requests, writing answers, the shapes of those
//! answers, and percent-encoding.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::Ordering;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::{server_now, Shared};

const MAX_HEAD: usize = 64 * 1024;
const MAX_BODY: usize = 1 << 20;

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
        find_header(&self.headers, name)
    }
}

fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

pub(crate) struct Request {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Headers every answer to this request carries, whatever it is (the 24-hour
    /// budgets, set once the caller is known).
    pub answer_headers: std::cell::RefCell<Headers>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// The credentials of the `Authorization` header when its scheme is `scheme`
    /// (compared without regard to case, as RFC 9110 says).
    pub fn credentials(&self, scheme: &str) -> Option<&str> {
        let (given, credentials) = self.header("authorization")?.split_once(' ')?;
        given
            .eq_ignore_ascii_case(scheme)
            .then(|| credentials.trim())
    }

    /// The path, without the query.
    pub fn path(&self) -> &str {
        self.target.split_once('?').map_or(&self.target, |(p, _)| p)
    }

    /// The raw query (after `?`), or "".
    pub fn raw_query(&self) -> &str {
        self.target.split_once('?').map_or("", |(_, q)| q)
    }

    /// The decoded query parameters.
    pub fn query(&self) -> Result<Vec<(String, String)>, ()> {
        parse_pairs(self.raw_query())
    }

    /// The decoded form parameters when the body is `application/x-www-form-urlencoded`,
    /// else none (a body of another type is not a form, and is not signed).
    pub fn form(&self) -> Result<Vec<(String, String)>, ()> {
        let form_type = self
            .header("content-type")
            .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
        if !form_type {
            return Ok(Vec::new());
        }
        parse_pairs(std::str::from_utf8(&self.body).unwrap_or(""))
    }
}

/// The first value of `name` among decoded pairs.
pub(crate) fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Serves one connection: requests in a row (keep-alive) until the client closes.
pub(crate) fn serve_connection(shared: &Shared, stream: TcpStream) -> io::Result<()> {
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    if crate::account::refused_tls(&stream)? {
        return Ok(()); // a TLS client on this plain-HTTP port, answered
    }
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
        if let Some(answer) = crate::inspect::answer(shared, request.path()) {
            let now = server_now(&shared.config);
            write_response(&mut writer, &answer, false, keep_alive, now)?;
            if !keep_alive {
                return Ok(());
            }
            continue;
        }
        shared.requests_seen.fetch_add(1, Ordering::SeqCst);
        let mut response = crate::handle(shared, &request);
        response.headers.extend(request.answer_headers.take());
        if shared.config.log {
            eprintln!(
                "sandbox: {} {} -> {} (code {})",
                request.method,
                redacted_target(&request),
                response.status,
                response.api_code
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

/// The target with query values hidden: request tokens and codes travel in queries,
/// and a log is no place for them.
fn redacted_target(request: &Request) -> String {
    let query = request.raw_query();
    if query.is_empty() {
        return request.path().to_owned();
    }
    let names: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').map_or(p, |(k, _)| k))
        .collect();
    format!("{}?{}=…", request.path(), names.join("=…&"))
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
    let length = find_header(&headers, "content-length")
        .and_then(|v| v.parse::<usize>().ok())
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
        answer_headers: Default::default(),
    }))
}

pub(crate) struct Response {
    pub status: u16,
    /// The Twitter code behind the answer, for the log (v2 bodies do not show it).
    pub api_code: i32,
    pub body: String,
    pub content_type: &'static str,
    pub headers: Headers,
}

pub(crate) type Headers = Vec<(&'static str, String)>;

const JSON: &str = "application/json;charset=utf-8";
const HTML: &str = "text/html;charset=utf-8";

pub(crate) fn ok(body: String) -> Response {
    Response {
        status: 200,
        api_code: 0,
        body,
        content_type: JSON,
        headers: Vec::new(),
    }
}

/// An API 1.1 error.
pub(crate) fn error(status: u16, code: i32, message: &str) -> Response {
    let body = serde_json::json!({"errors": [{"code": code, "message": message}]}).to_string();
    Response {
        status,
        api_code: code,
        ..ok(body)
    }
}

/// An API v2 error: RFC 7807 problem details, no Twitter code.
pub(crate) fn problem(status: u16, title: &str, detail: &str, code: i32) -> Response {
    let body = serde_json::json!({"title": title, "detail": detail, "type": "about:blank", "status": status});
    Response {
        status,
        api_code: code,
        content_type: "application/problem+json",
        ..ok(body.to_string())
    }
}

/// A plain-text answer, as Twitter words some OAuth 1.0a refusals.
pub(crate) fn text(status: u16, body: &str) -> Response {
    Response {
        status,
        content_type: "text/plain;charset=utf-8",
        ..ok(body.to_owned())
    }
}

/// A form-encoded answer (OAuth 1.0a tokens). Twitter labels it `text/html`; so do we.
pub(crate) fn form_answer(pairs: &[(&str, &str)]) -> Response {
    let body: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect();
    Response {
        content_type: HTML,
        ..ok(body.join("&"))
    }
}

/// An HTML page for a person. `html` is inserted as is: escape what goes into it.
pub(crate) fn page(status: u16, title: &str, html: &str) -> Response {
    let title = html_escape(title);
    let body = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title></head>\n<body><h1>{title}</h1>\n{html}\n</body></html>\n"
    );
    Response {
        status,
        content_type: HTML,
        ..ok(body)
    }
}

/// A 302 to `base` with `params` appended to its query.
pub(crate) fn redirect(base: &str, params: &[(&str, &str)]) -> Response {
    let mut location = base.to_owned();
    let mut separator = if base.contains('?') { '&' } else { '?' };
    for (k, v) in params {
        location.push(separator);
        location.push_str(&percent_encode(k));
        location.push('=');
        location.push_str(&percent_encode(v));
        separator = '&';
    }
    Response {
        status: 302,
        headers: vec![("location", location)],
        ..page(302, "Redirecting", "<p>Redirecting to the application.</p>")
    }
}

pub(crate) fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        302 => "Found",
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

/// RFC 3986 unreserved characters pass; every other byte becomes %XX (uppercase), as
/// OAuth 1.0a's signature base string needs (and safe anywhere in a query).
pub(crate) fn percent_encode(text: &str) -> String {
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
pub(crate) fn unescape(text: &str, plus_is_space: bool) -> Result<String, ()> {
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

/// Decodes `a=1&b=2` (a query or a form body).
pub(crate) fn parse_pairs(text: &str) -> Result<Vec<(String, String)>, ()> {
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            Ok((unescape(k, true)?, unescape(v, true)?))
        })
        .collect()
}
