//! Helpers shared by the integration tests: the sandbox, a scripted server for
//! responses the sandbox never gives, and a safe wrapper over the C ABI.

#![allow(dead_code)] // each test binary uses a different part

pub use twfollow_sandbox as sandbox;

use std::ffi::{c_char, CStr, CString};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Child;
use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use twfollow::ffi::*;

pub use sandbox::{
    Account, Sandbox, SandboxConfig, CONSUMER_KEY, CONSUMER_SECRET, OAUTH2_CLIENT_ID,
    OAUTH2_CLIENT_SECRET, OAUTH2_PUBLIC_CLIENT_ID,
};

/// The sandbox's main app, as (consumer key, secret).
pub const MAIN_APP: (&str, &str) = (CONSUMER_KEY, CONSUMER_SECRET);

/// The redirect URI the OAuth 2.0 tests register (nothing listens there).
pub const REDIRECT: &str = "http://127.0.0.1:9/callback";

pub fn start_sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig::default(), 0).expect("sandbox starts")
}

/// The last error of this thread, as the C getters report it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Last {
    pub message: String,
    pub http_status: i32,
    pub api_code: i32,
}

pub fn last() -> Last {
    let message = unsafe { CStr::from_ptr(tw_last_error_message()) }
        .to_str()
        .unwrap()
        .to_owned();
    Last {
        message,
        http_status: tw_last_http_status(),
        api_code: tw_last_api_error_code(),
    }
}

/// `tw_last_rate_limit` with its three outputs (-1 where it wrote nothing).
pub fn rate_limit() -> (TwStatus, [i64; 3]) {
    let mut values = [-1i64; 3];
    let [a, b, c] = &mut values;
    let status = unsafe { tw_last_rate_limit(a, b, c) };
    (status, values)
}

pub fn cstr(s: &str) -> CString {
    CString::new(s).unwrap()
}

/// Owns a `TwConfig`; every call goes through the exported C functions.
pub struct Config(pub *mut TwConfig);

unsafe impl Send for Config {}
unsafe impl Sync for Config {}

impl Config {
    pub fn new(key: &str, secret: &str, token: &str, token_secret: &str) -> Config {
        let mut out = ptr::null_mut();
        let (k, s, t, ts) = (cstr(key), cstr(secret), cstr(token), cstr(token_secret));
        let status =
            unsafe { tw_config_new(k.as_ptr(), s.as_ptr(), t.as_ptr(), ts.as_ptr(), &mut out) };
        assert_eq!(status, TwStatus::Ok, "{:?}", last());
        assert!(!out.is_null());
        Config(out)
    }

    /// A config for the sandbox's account `n` (1 = `sandbox_me`), pointed at `base_url`.
    pub fn for_account(base_url: &str, n: u64) -> Config {
        let account = Account::builtin(n);
        let config = Config::new(
            CONSUMER_KEY,
            CONSUMER_SECRET,
            &account.token,
            &account.token_secret,
        );
        assert_eq!(config.set_base_url(base_url), TwStatus::Ok, "{:?}", last());
        config
    }

    pub fn for_sandbox(sandbox: &Sandbox) -> Config {
        Config::for_account(&sandbox.base_url(), 1)
    }

    pub fn set_base_url(&self, url: &str) -> TwStatus {
        let url = cstr(url);
        unsafe { tw_config_set_base_url(self.0, url.as_ptr()) }
    }

    pub fn set_timeout_ms(&self, ms: u32) -> TwStatus {
        unsafe { tw_config_set_timeout_ms(self.0, ms) }
    }

    pub fn set_api_version(&self, version: u32) -> TwStatus {
        unsafe { tw_config_set_api_version(self.0, version) }
    }

    pub fn set_user_agent(&self, ua: &str) -> TwStatus {
        let ua = cstr(ua);
        unsafe { tw_config_set_user_agent(self.0, ua.as_ptr()) }
    }

    /// Follows through `tw_follow`; on success returns the JSON (freed with `tw_string_free`).
    pub fn follow(&self, target: &str, notify: bool) -> Result<String, (TwStatus, Last)> {
        let target = cstr(target);
        let mut json: *mut c_char = ptr::null_mut();
        let status = unsafe { tw_follow(self.0, target.as_ptr(), notify, &mut json) };
        if status != TwStatus::Ok {
            assert!(json.is_null(), "out_json written on failure");
            return Err((status, last()));
        }
        assert!(!json.is_null());
        let text = unsafe { CStr::from_ptr(json) }.to_str().unwrap().to_owned();
        unsafe { tw_string_free(json) };
        Ok(text)
    }

    /// Follows through `tw_follow_ex`: the status and, on success, the outcome it wrote.
    pub fn follow_ex(&self, target: &str) -> (TwStatus, Option<TwFollowOutcome>) {
        let target = cstr(target);
        let mut outcome = std::mem::MaybeUninit::<TwFollowOutcome>::uninit();
        let mut json: *mut c_char = ptr::null_mut();
        let status = unsafe {
            tw_follow_ex(
                self.0,
                target.as_ptr(),
                false,
                outcome.as_mut_ptr(),
                &mut json,
            )
        };
        if status != TwStatus::Ok {
            assert!(json.is_null(), "out_json written on failure");
            return (status, None);
        }
        unsafe { tw_string_free(json) };
        (status, Some(unsafe { outcome.assume_init() }))
    }

    /// Follows and expects a failure; returns its status and last error.
    pub fn follow_err(&self, target: &str) -> (TwStatus, Last) {
        match self.follow(target, false) {
            Ok(json) => panic!("expected a failure, got {json}"),
            Err(e) => e,
        }
    }

    /// A config of `app` (consumer key, secret) for `account`, pointed at `base_url`.
    pub fn for_app(base_url: &str, app: (&str, &str), account: &Account) -> Config {
        let config = Config::new(app.0, app.1, &account.token, &account.token_secret);
        assert_eq!(config.set_base_url(base_url), TwStatus::Ok, "{:?}", last());
        config
    }

    /// `tw_unfollow`; on success its JSON.
    pub fn unfollow(&self, target: &str) -> Result<serde_json::Value, (TwStatus, Last)> {
        self.json_call(target, tw_unfollow)
    }

    /// `tw_relationship`; on success its JSON.
    pub fn relationship(&self, target: &str) -> Result<serde_json::Value, (TwStatus, Last)> {
        self.json_call(target, tw_relationship)
    }

    fn json_call(
        &self,
        target: &str,
        call: unsafe extern "C" fn(*const TwConfig, *const c_char, *mut *mut c_char) -> TwStatus,
    ) -> Result<serde_json::Value, (TwStatus, Last)> {
        let target = cstr(target);
        let mut json: *mut c_char = ptr::null_mut();
        let status = unsafe { call(self.0, target.as_ptr(), &mut json) };
        if status != TwStatus::Ok {
            assert!(json.is_null(), "out_json written on failure");
            return Err((status, last()));
        }
        Ok(serde_json::from_str(&take(json)).expect("the answer is JSON"))
    }
}

impl Drop for Config {
    fn drop(&mut self) {
        unsafe { tw_config_free(self.0) };
    }
}

/// One request as the scripted server read it.
#[derive(Debug, Clone)]
pub struct SeenRequest {
    pub head: String,
    pub body: Vec<u8>,
}

pub type Script = dyn Fn(&SeenRequest, &mut TcpStream) + Send + Sync;

/// A loopback server that answers every request with a closure writing raw bytes.
pub struct Scripted {
    pub addr: SocketAddr,
    pub seen: Arc<Mutex<Vec<SeenRequest>>>,
    pub connections: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl Scripted {
    pub fn start(
        script: impl Fn(&SeenRequest, &mut TcpStream) + Send + Sync + 'static,
    ) -> Scripted {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let script: Arc<Script> = Arc::new(script);
        let (seen2, conns2, stop2) = (seen.clone(), connections.clone(), stop.clone());
        thread::spawn(move || {
            for stream in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                conns2.fetch_add(1, Ordering::SeqCst);
                let (script, seen) = (script.clone(), seen2.clone());
                thread::spawn(move || serve(stream, &*script, &seen));
            }
        });
        Scripted {
            addr,
            seen,
            connections,
            stop,
        }
    }

    /// Answers every request with `status` and `body` (and extra header lines).
    pub fn respond(status: u16, extra_headers: &str, body: &'static [u8]) -> Scripted {
        let extra = extra_headers.to_owned();
        Scripted::start(move |_, out| {
            let head = format!(
                "HTTP/1.1 {status} X\r\ncontent-length: {}\r\n{extra}\r\n",
                body.len()
            );
            let _ = out.write_all(head.as_bytes());
            let _ = out.write_all(body);
        })
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn requests(&self) -> Vec<SeenRequest> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for Scripted {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
    }
}

fn serve(stream: TcpStream, script: &Script, seen: &Mutex<Vec<SeenRequest>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(20)));
    let mut out = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    loop {
        let mut head = String::new();
        loop {
            let mut line = String::new();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            head.push_str(&line);
            if line == "\r\n" {
                break;
            }
        }
        let length = head
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("content-length")
                    .then(|| v.trim().parse::<usize>().ok())?
            })
            .unwrap_or(0);
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let request = SeenRequest { head, body };
        seen.lock().unwrap().push(request.clone());
        script(&request, &mut out);
        let _ = out.flush();
    }
}

/// A loopback HTTPS server with the test certificate (tests/data/localhost.*.pem,
/// self-signed for 127.0.0.1 and localhost); answers every request with `response`.
pub struct TlsServer {
    pub addr: SocketAddr,
    pub requests: Arc<AtomicUsize>,
    /// The SNI name of each request's connection (`None`: none was sent).
    pub server_names: Arc<Mutex<Vec<Option<String>>>>,
}

pub const TEST_CERT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/localhost.cert.pem");
pub const UNRELATED_CA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/other-ca.cert.pem");

impl TlsServer {
    pub fn start(response: &'static [u8]) -> TlsServer {
        TlsServer::start_with(
            TEST_CERT,
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/localhost.key.pem"),
            response,
        )
    }

    /// The same server with another certificate (PEM files: certificate chain, key).
    pub fn start_with(cert: &str, key: &str, response: &'static [u8]) -> TlsServer {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let key = PrivateKeyDer::from_pem_file(key).unwrap();
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
        let config = Arc::new(config);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(AtomicUsize::new(0));
        let server_names = Arc::new(Mutex::new(Vec::new()));
        let (counter, names) = (requests.clone(), server_names.clone());
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (config, counter, names) = (config.clone(), counter.clone(), names.clone());
                thread::spawn(move || {
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                    let connection = rustls::ServerConnection::new(config).unwrap();
                    let mut tls = rustls::StreamOwned::new(connection, stream);
                    let mut reader = BufReader::new(&mut tls);
                    let mut head = String::new();
                    while reader.read_line(&mut head).map(|n| n > 0).unwrap_or(false)
                        && !head.ends_with("\r\n\r\n")
                    {}
                    if head.is_empty() {
                        return; // the client refused our certificate
                    }
                    let length = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    let mut body = vec![0; length];
                    let _ = reader.read_exact(&mut body);
                    counter.fetch_add(1, Ordering::SeqCst);
                    names
                        .lock()
                        .unwrap()
                        .push(tls.conn.server_name().map(str::to_owned));
                    let _ = tls.write_all(response);
                    let _ = tls.flush();
                    tls.conn.send_close_notify();
                    let _ = tls.flush();
                });
            }
        });
        TlsServer {
            addr,
            requests,
            server_names,
        }
    }

    pub fn base_url(&self) -> String {
        format!("https://{}", self.addr)
    }
}

/// A loopback proxy (HTTP CONNECT or SOCKS5 without authentication) that tunnels
/// to the requested address and records each destination it was asked for.
pub struct TunnelProxy {
    pub addr: SocketAddr,
    pub destinations: Arc<Mutex<Vec<String>>>,
}

impl TunnelProxy {
    pub fn connect() -> TunnelProxy {
        TunnelProxy::start(|stream| {
            let mut reader = BufReader::new(stream.try_clone().ok()?);
            let mut head = String::new();
            while reader.read_line(&mut head).ok()? > 0 && !head.ends_with("\r\n\r\n") {}
            let destination = head.strip_prefix("CONNECT ")?.split(' ').next()?.to_owned();
            let upstream = TcpStream::connect(&destination).ok()?;
            stream
                .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                .ok()?;
            Some((destination, upstream))
        })
    }

    pub fn socks5() -> TunnelProxy {
        TunnelProxy::start(|stream| {
            let mut greeting = [0u8; 2];
            stream.read_exact(&mut greeting).ok()?;
            let mut methods = vec![0u8; usize::from(greeting[1])];
            stream.read_exact(&mut methods).ok()?;
            stream.write_all(&[5, 0]).ok()?; // no authentication
            let mut request = [0u8; 4];
            stream.read_exact(&mut request).ok()?;
            let host = match request[3] {
                1 => {
                    let mut ip = [0u8; 4];
                    stream.read_exact(&mut ip).ok()?;
                    std::net::Ipv4Addr::from(ip).to_string()
                }
                3 => {
                    let mut len = [0u8; 1];
                    stream.read_exact(&mut len).ok()?;
                    let mut name = vec![0u8; usize::from(len[0])];
                    stream.read_exact(&mut name).ok()?;
                    String::from_utf8(name).ok()?
                }
                _ => return None,
            };
            let mut port = [0u8; 2];
            stream.read_exact(&mut port).ok()?;
            let destination = format!("{host}:{}", u16::from_be_bytes(port));
            let upstream = TcpStream::connect(&destination).ok()?;
            stream.write_all(&[5, 0, 0, 1, 0, 0, 0, 0, 0, 0]).ok()?;
            Some((destination, upstream))
        })
    }

    /// `handshake` reads the client's request and returns where to and the upstream socket.
    fn start(handshake: fn(&mut TcpStream) -> Option<(String, TcpStream)>) -> TunnelProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let destinations = Arc::new(Mutex::new(Vec::new()));
        let seen = destinations.clone();
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut client) = stream else { continue };
                let seen = seen.clone();
                thread::spawn(move || {
                    let Some((destination, upstream)) = handshake(&mut client) else {
                        return;
                    };
                    seen.lock().unwrap().push(destination);
                    let (mut client_read, mut upstream_write) =
                        (client.try_clone().unwrap(), upstream.try_clone().unwrap());
                    let forward = thread::spawn(move || {
                        let _ = std::io::copy(&mut client_read, &mut upstream_write);
                        let _ = upstream_write.shutdown(std::net::Shutdown::Write);
                    });
                    let (mut upstream_read, mut client_write) = (upstream, client);
                    let _ = std::io::copy(&mut upstream_read, &mut client_write);
                    let _ = client_write.shutdown(std::net::Shutdown::Write);
                    let _ = forward.join();
                });
            }
        });
        TunnelProxy { addr, destinations }
    }
}

/// Takes ownership of a string the library returned.
pub fn take(s: *mut c_char) -> String {
    assert!(!s.is_null());
    let text = unsafe { CStr::from_ptr(s) }.to_str().unwrap().to_owned();
    unsafe { tw_string_free(s) };
    text
}

/// A GET without following redirects: (status, Location, body).
pub fn visit(url: &str) -> (u16, Option<String>, String) {
    let rest = url.strip_prefix("http://").expect("a sandbox URL");
    let (authority, path) = rest.split_at(rest.find('/').unwrap());
    let mut stream = TcpStream::connect(authority).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    let status = head[9..12].parse().unwrap();
    let location = head.lines().find_map(|l| {
        l.to_ascii_lowercase()
            .starts_with("location:")
            .then(|| l[9..].trim().to_owned())
    });
    (status, location, body.to_owned())
}

/// An OAuth 2.0 config of the sandbox's confidential or public client.
pub fn oauth2_config(base_url: &str, confidential: bool) -> Config {
    let mut out = ptr::null_mut();
    let id = cstr(if confidential {
        OAUTH2_CLIENT_ID
    } else {
        OAUTH2_PUBLIC_CLIENT_ID
    });
    let secret = cstr(OAUTH2_CLIENT_SECRET);
    let secret_ptr = if confidential {
        secret.as_ptr()
    } else {
        ptr::null()
    };
    let status = unsafe { tw_config_new_oauth2(id.as_ptr(), secret_ptr, &mut out) };
    assert_eq!(status, TwStatus::Ok, "{:?}", last());
    let config = Config(out);
    assert_eq!(config.set_base_url(base_url), TwStatus::Ok);
    config
}

/// (authorize URL, state, verifier).
pub fn authorize(config: &Config) -> (String, String, String) {
    let redirect = cstr(REDIRECT);
    let (mut u, mut s, mut v) = (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
    let status = unsafe {
        tw_oauth2_authorize_url(
            config.0,
            redirect.as_ptr(),
            ptr::null(),
            &mut u,
            &mut s,
            &mut v,
        )
    };
    assert_eq!(status, TwStatus::Ok, "{:?}", last());
    (take(u), take(s), take(v))
}

pub fn exchange(
    config: &Config,
    code_or_url: &str,
    state: Option<&str>,
    verifier: &str,
) -> Result<serde_json::Value, (TwStatus, Last)> {
    let (redirect, code, verifier) = (cstr(REDIRECT), cstr(code_or_url), cstr(verifier));
    let state = state.map(cstr);
    let mut json = ptr::null_mut();
    let status = unsafe {
        tw_oauth2_exchange_code(
            config.0,
            redirect.as_ptr(),
            code.as_ptr(),
            state.as_ref().map_or(ptr::null(), |s| s.as_ptr()),
            verifier.as_ptr(),
            &mut json,
        )
    };
    if status != TwStatus::Ok {
        assert!(json.is_null());
        return Err((status, last()));
    }
    Ok(serde_json::from_str(&take(json)).unwrap())
}

/// Runs the whole PKCE flow; returns the redirected URL's tokens.
pub fn sign_in(config: &Config) -> serde_json::Value {
    let (url, state, verifier) = authorize(config);
    let (code, location, _) = visit(&url);
    assert_eq!(code, 302, "{url}");
    exchange(config, &location.unwrap(), Some(&state), &verifier).unwrap()
}

/// A fresh private folder (0700) for one test, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "twfollow-test-{}-{}-{name}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        TempDir(dir)
    }

    /// `relative` inside the folder, as a string.
    pub fn path(&self, relative: &str) -> String {
        self.0.join(relative).display().to_string()
    }

    /// The folder's token store file.
    pub fn store(&self) -> String {
        self.path("accounts.json")
    }

    /// A folder `name` inside, made.
    pub fn sub(&self, name: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::create_dir_all(&path).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Waits for a worker process: its exit code (-1 when a signal ended it) and stderr.
pub fn finish(child: Child) -> (i32, String) {
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `tw_store_save_account`: the name saved, or the status and last error (nothing written).
pub fn save(
    config: &Config,
    store: &str,
    account: Option<&str>,
) -> Result<String, (TwStatus, Last)> {
    let (store, account) = (cstr(store), account.map(cstr));
    let mut name = ptr::null_mut();
    let status = unsafe {
        tw_store_save_account(
            config.0,
            store.as_ptr(),
            account.as_ref().map_or(ptr::null(), |a| a.as_ptr()),
            &mut name,
        )
    };
    if status != TwStatus::Ok {
        assert!(name.is_null());
        return Err((status, last()));
    }
    Ok(take(name))
}

/// `tw_config_from_store`: the config, or the status and last error (nothing written).
pub fn from_store(store: &str, account: Option<&str>) -> Result<Config, (TwStatus, Last)> {
    let (store, account) = (cstr(store), account.map(cstr));
    let mut out = ptr::null_mut();
    let status = unsafe {
        tw_config_from_store(
            store.as_ptr(),
            account.as_ref().map_or(ptr::null(), |a| a.as_ptr()),
            &mut out,
        )
    };
    if status != TwStatus::Ok {
        assert!(out.is_null());
        return Err((status, last()));
    }
    Ok(Config(out))
}

/// The store file as JSON.
pub fn read_store(store: &str) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(store).unwrap()).unwrap()
}

/// A small deterministic generator (the test must not depend on a crate for this).
pub struct Lcg(pub u64);

impl Lcg {
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// This test binary run again as a worker process: its ignored test `entry` (which
/// reads `args` from `TWFOLLOW_STORE_WORKER`), through `wrapper` (nsenter, setpriv)
/// when one is given; stdout dropped, stderr kept for `finish`.
pub fn worker_process(entry: &str, wrapper: &[&str], args: &[&str]) -> std::process::Command {
    let exe = std::env::current_exe().unwrap().display().to_string();
    let mut argv: Vec<&str> = wrapper.to_vec();
    argv.extend([
        exe.as_str(),
        "--ignored",
        "--exact",
        entry,
        "--nocapture",
        "--test-threads=1",
    ]);
    let mut command = std::process::Command::new(argv[0]);
    command
        .args(&argv[1..])
        .env("TWFOLLOW_STORE_WORKER", args.join("\n"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    command
}
