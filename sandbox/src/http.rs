//! HTTP/1.1 on a socket: reading requests, writing answers, the shapes of those
//! answers, and percent-encoding.
//!
//! The connection loop is written here rather than taken from a small server crate
//! (tiny_http): the sandbox must answer a TLS ClientHello on its plain-HTTP port at
//! once (`refused_tls`, tests/me.rs `https_to_a_plain_http_port_is_a_tls_error_at_once`),
//! which needs the socket before any HTTP parsing, and tiny_http waits for a CRLF the
//! ClientHello never sends. The request head is parsed by httparse.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::Ordering;
use std::sync::OnceLock;
use std::time::{Duration, UNIX_EPOCH};

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::Value;

use crate::{server_now, Shared};

/// RFC 7231 IMF-fixdate, e.g. `Fri, 12 Feb 2021 03:43:02 GMT`, as the `Date` header says it.
pub use httpdate::fmt_http_date as http_date;

const MAX_HEAD: usize = 64 * 1024;
const MAX_BODY: usize = 1 << 20;

/// RFC 3986's unreserved characters pass; every other byte becomes %XX (uppercase), as
/// OAuth 1.0a's signature base string needs (and safe anywhere in a query).
const NOT_UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// What the sandbox saw of one request, and what it answered; in JSON (`GET
/// /sandbox/recorded`) without the headers (they hold credentials) but its content type.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Recorded {
    pub method: String,
    /// Path and query as sent.
    pub target: String,
    #[serde(rename = "content_type", serialize_with = "content_type")]
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub status: u16,
    #[serde(skip)]
    pub api_code: i32,
}

fn content_type<S: serde::Serializer>(
    headers: &[(String, String)],
    to: S,
) -> Result<S::Ok, S::Error> {
    serde::Serialize::serialize(&find_header(headers, "content-type"), to)
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

#[derive(Default)]
pub(crate) struct Request {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The decoded query and form (set by the router: see [`Request::decode`]).
    pub query: Vec<Param>,
    pub form: Vec<Param>,
    /// What the `{}` segments of the endpoint's path matched.
    pub path_params: Vec<String>,
    /// Headers every answer to this request carries, whatever it is (the 24-hour
    /// budgets, set once the caller is known).
    pub answer_headers: std::cell::RefCell<Headers>,
}

impl Request {
    /// The request of a parsed head, its body not yet read.
    fn from_head(head: &httparse::Request) -> Request {
        let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).trim().to_owned();
        Request {
            method: head.method.unwrap_or_default().to_owned(),
            target: head.path.unwrap_or_default().to_owned(),
            headers: head
                .headers
                .iter()
                .map(|h| (h.name.to_owned(), text(h.value)))
                .collect(),
            ..Default::default()
        }
    }

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

    /// Decodes the query when `query`, and the body when `form_body` and it is
    /// `application/x-www-form-urlencoded` (a body of another type is not a form, and
    /// is not signed); an error for bad percent-encoding.
    pub fn decode(&mut self, query: bool, form_body: bool) -> Result<(), ()> {
        if query {
            self.query = parse_pairs(self.raw_query())?;
        }
        let form_type = self
            .header("content-type")
            .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
        if form_body && form_type {
            self.form = parse_pairs(std::str::from_utf8(&self.body).unwrap_or(""))?;
        }
        Ok(())
    }
}

/// The first value of `name` among decoded pairs.
pub(crate) fn param<'a>(pairs: &'a [Param], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Serves one connection: requests in a row (keep-alive) until the client closes.
pub(crate) fn serve_connection(shared: &Shared, stream: TcpStream) -> io::Result<()> {
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    if refused_tls(&stream)? {
        return Ok(()); // a TLS client on this plain-HTTP port, answered
    }
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    while !shared.stopping.load(Ordering::SeqCst) {
        let Some(mut request) = read_request(&mut reader)? else {
            return Ok(());
        };
        let keep_alive = !request
            .header("connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"));
        let gzip = request
            .header("accept-encoding")
            .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")));
        // A test's question to the sandbox is answered plainly, neither counted nor recorded.
        let (response, gzip) = match crate::inspect(shared, request.path()) {
            Some(answer) => (answer, false),
            None => (answer_api_request(shared, &mut request), gzip),
        };
        write_response(&mut writer, &response, gzip, keep_alive, shared)?;
        if !keep_alive {
            let _ = writer.shutdown(Shutdown::Both);
            return Ok(());
        }
    }
    Ok(())
}

/// Counts, answers, logs and records a request to the API.
fn answer_api_request(shared: &Shared, request: &mut Request) -> Response {
    // Its place in arrival order, from 1: the counter's own answer, which no other
    // request's arrival changes.
    let number = shared.requests_seen.fetch_add(1, Ordering::SeqCst) + 1;
    let answer = crate::handle(shared, request, number);
    let mut response = answer.unwrap_or_else(|refusal| refusal);
    response.headers.extend(request.answer_headers.take());
    if shared.config.log {
        // The query hidden: request tokens and codes travel in queries.
        let query = (!request.raw_query().is_empty()).then_some("?…");
        eprintln!(
            "sandbox: {} {}{} -> {} (code {})",
            request.method,
            request.path(),
            query.unwrap_or_default(),
            response.status,
            response.api_code
        );
    }
    if shared.config.record {
        shared.state.lock().unwrap().recorded.push(Recorded {
            method: request.method.clone(),
            target: request.target.clone(),
            headers: request.headers.clone(),
            body: String::from_utf8_lossy(&request.body).into_owned(),
            status: response.status,
            api_code: response.api_code,
        });
    }
    response
}

/// The next request on the connection, or `None` when the client closed it. Blank
/// lines before a request line are skipped (httparse does), as RFC 9112 allows.
fn read_request(reader: &mut BufReader<TcpStream>) -> io::Result<Option<Request>> {
    let invalid = |what| io::Error::new(io::ErrorKind::InvalidData, what);
    let mut head = Vec::new();
    let mut request = loop {
        if reader.read_until(b'\n', &mut head)? == 0 {
            return Ok(None);
        }
        let mut slots = [httparse::EMPTY_HEADER; 64];
        let mut parsed = httparse::Request::new(&mut slots);
        match parsed.parse(&head) {
            Ok(httparse::Status::Complete(_)) => break Request::from_head(&parsed),
            Ok(httparse::Status::Partial) if head.len() <= MAX_HEAD => {}
            _ => return Err(invalid("a malformed or too large request head")),
        }
    };
    let length = request
        .header("content-length")
        .and_then(|v| v.parse().ok());
    let length: usize = length.unwrap_or(0);
    if length > MAX_BODY {
        return Err(invalid("request body too large"));
    }
    request.body = vec![0; length];
    reader.read_exact(&mut request.body)?;
    Ok(Some(request))
}

pub(crate) struct Response {
    pub status: u16,
    /// The Twitter code behind the answer, for the log (v2 bodies do not show it).
    pub api_code: i32,
    pub body: String,
    pub content_type: &'static str,
    pub headers: Headers,
}

pub(crate) type Headers = Vec<(String, String)>;

/// A decoded `name=value` pair of a query or a form.
pub(crate) type Param = (String, String);

/// An endpoint's answer; `Err` holds a refusal, so that `?` sends it.
pub(crate) type Answer = Result<Response, Response>;

pub(crate) const JSON: &str = "application/json;charset=utf-8";
const HTML: &str = "text/html;charset=utf-8";

impl Response {
    /// `body` as `content_type`; `api_code` is the Twitter code behind it, for the log.
    pub fn new(status: u16, api_code: i32, content_type: &'static str, body: String) -> Response {
        Response {
            status,
            api_code,
            body,
            content_type,
            headers: Vec::new(),
        }
    }
}

/// A JSON answer; `api_code` is the Twitter code behind it, for the log.
pub(crate) fn json(status: u16, api_code: i32, body: Value) -> Response {
    Response::new(status, api_code, JSON, body.to_string())
}

/// An RFC 7807 problem (`application/problem+json`), as API v2 sends its refusals.
pub(crate) fn problem_json(status: u16, api_code: i32, body: Value) -> Response {
    let content_type = "application/problem+json";
    Response::new(status, api_code, content_type, body.to_string())
}

/// An API 1.1 error.
pub(crate) fn error(status: u16, code: i32, message: &str) -> Response {
    let body = serde_json::json!({"errors": [{"code": code, "message": message}]});
    json(status, code, body)
}

/// The refusal `name` of data/refusals.json: its `body` as it is; else its `problem`
/// as `application/problem+json` in API v2 (`v2`), and in API 1.1 when it has no
/// `message` (X words those refusals as problems alone); else its `code` (0 when it has
/// none: the sandbox's 405, whose 1.1 form nobody recorded from X) and `message`, as
/// `{"code","message"}` (API v2: X's OpenAPI `Error`) or
/// `{"errors":[{"code","message"}]}` (API 1.1).
pub(crate) fn refuse(name: &str, v2: bool) -> Response {
    static TABLE: OnceLock<Value> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        serde_json::from_str(include_str!("../data/refusals.json")).expect("refusals.json")
    });
    let entry = &table[name];
    let status = entry["status"]
        .as_u64()
        .expect("every refusal has a status") as u16;
    let code = entry["code"].as_i64().unwrap_or(0) as i32;
    let (problem, message) = (&entry["problem"], entry["message"].as_str());
    if entry["body"].is_object() {
        json(status, code, entry["body"].clone())
    } else if problem.is_object() && (v2 || message.is_none()) {
        problem_json(status, code, problem.clone())
    } else if v2 {
        let body = serde_json::json!({"code": code, "message": message});
        json(status, code, body)
    } else {
        error(status, code, message.unwrap_or_default())
    }
}

/// A plain-text answer, as Twitter words some OAuth 1.0a refusals.
pub(crate) fn text(status: u16, body: &str) -> Response {
    Response::new(status, 0, "text/plain;charset=utf-8", body.to_owned())
}

/// `k=v&k2=v2`, each part percent-encoded.
fn encode_pairs(pairs: &[(&str, &str)]) -> String {
    let pairs = pairs
        .iter()
        .map(|(k, v)| [percent_encode(k), percent_encode(v)].join("="));
    pairs.collect::<Vec<_>>().join("&")
}

/// A form-encoded answer (OAuth 1.0a tokens). Twitter labels it `text/html`; so do we.
pub(crate) fn form_answer(pairs: &[(&str, &str)]) -> Response {
    Response::new(200, 0, HTML, encode_pairs(pairs))
}

/// An HTML page for a person: `title`, and `html` (the sandbox's own words) below it.
pub(crate) fn page(status: u16, title: &str, html: &str) -> Response {
    let body = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title></head>\n<body><h1>{title}</h1>\n<p>{html}</p>\n</body></html>\n"
    );
    Response::new(status, 0, HTML, body)
}

/// A 302 to `base` with `params` appended to its query.
pub(crate) fn redirect(base: &str, params: &[(&str, &str)]) -> Response {
    let separator = if base.contains('?') { '&' } else { '?' };
    let location = format!("{base}{separator}{}", encode_pairs(params));
    Response {
        headers: vec![("location".into(), location)],
        ..page(302, "Redirecting", "Back to the application.")
    }
}

fn write_response(
    out: &mut TcpStream,
    response: &Response,
    gzip: bool,
    keep_alive: bool,
    shared: &Shared,
) -> io::Result<()> {
    let body = if gzip {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(response.body.as_bytes())?;
        encoder.finish()?
    } else {
        response.body.clone().into_bytes()
    };
    let reason = ::http::StatusCode::from_u16(response.status)
        .ok()
        .and_then(|status| status.canonical_reason());
    let now = UNIX_EPOCH + Duration::from_secs(server_now(&shared.config));
    let mut head = format!(
        "HTTP/1.1 {} {}\r\ndate: {}\r\nserver: twfollow-sandbox\r\ncontent-type: {}\r\ncontent-length: {}\r\n",
        response.status,
        reason.unwrap_or("Unknown"),
        http_date(now),
        response.content_type,
        body.len()
    );
    for (name, value) in &response.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if gzip {
        head.push_str("content-encoding: gzip\r\n");
    }
    let connection = if keep_alive { "keep-alive" } else { "close" };
    head.push_str(&format!("connection: {connection}\r\n\r\n"));
    out.write_all(&[head.as_bytes(), &body].concat())
}

/// The first byte of a TLS connection: a handshake record (ClientHello).
const TLS_HANDSHAKE: u8 = 0x16;

/// What a plain-HTTP server says to a TLS ClientHello (as nginx, Apache or Python's
/// http.server do: an HTTP 400 in plain text, then the connection closed), so a client
/// given `https://` for this `http://` port fails at once instead of waiting out its
/// timeout for a ServerHello that never comes.
const NOT_TLS: &[u8] = b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: 66\r\n\r\nThis is the sandbox's plain-HTTP port: use http://, not https://.\n";

/// True when the client opened with a TLS handshake: then it has been answered and the
/// connection closed, and nothing more is read from it.
pub(crate) fn refused_tls(stream: &TcpStream) -> io::Result<bool> {
    let mut first = [0u8; 1];
    if stream.peek(&mut first)? == 0 || first[0] != TLS_HANDSHAKE {
        return Ok(false);
    }
    let mut writer = stream;
    writer.write_all(NOT_TLS)?;
    let _ = stream.shutdown(Shutdown::Both);
    Ok(true)
}

pub(crate) fn percent_encode(text: &str) -> String {
    utf8_percent_encode(text, NOT_UNRESERVED).to_string()
}

/// Decodes %XX escapes, strictly: a `%` without two hex digits after it, or bytes that
/// are not UTF-8, are an error (form_urlencoded::parse would pass them through;
/// docs/sandbox.md promises a 400 for bad percent-encoding).
pub(crate) fn unescape(text: &str) -> Result<String, ()> {
    let hex_pair = |after: &str| {
        after
            .get(..2)
            .is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
    };
    if !text.split('%').skip(1).all(hex_pair) {
        return Err(());
    }
    let decoded = percent_decode_str(text).decode_utf8().map_err(drop)?;
    Ok(decoded.into_owned())
}

/// Decodes `a=1&b=2` (a query or a form body) with form_urlencoded, once [`unescape`]
/// has found its escapes sound (the separators are ASCII: the whole text's escapes
/// are sound exactly when each part's are).
pub(crate) fn parse_pairs(text: &str) -> Result<Vec<Param>, ()> {
    unescape(text)?;
    let pairs = form_urlencoded::parse(text.as_bytes());
    Ok(pairs.into_owned().collect())
}

#[cfg(test)]
mod tests {
    use super::{parse_pairs, NOT_TLS};

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn pairs_decode_plus_escapes_and_bare_names() {
        let decoded = parse_pairs("a=1+2&b=%2B%C3%A9&&c&d=").unwrap();
        assert_eq!(
            decoded,
            pairs(&[("a", "1 2"), ("b", "+é"), ("c", ""), ("d", "")])
        );
        assert_eq!(parse_pairs("").unwrap(), pairs(&[]));
    }

    #[test]
    fn the_plain_answer_says_its_own_length() {
        let text = std::str::from_utf8(NOT_TLS).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.contains(&format!("Content-Length: {}", body.len())));
    }

    #[test]
    fn bad_escapes_and_bytes_that_are_not_utf_8_are_refused() {
        for bad in [
            "a=%",
            "a=%4",
            "a=%zz",
            "%G1=x",
            "a=%C3",
            "a=%C3&b=%A9",
            "a=%FF",
        ] {
            assert_eq!(parse_pairs(bad), Err(()), "{bad}");
        }
    }
}
