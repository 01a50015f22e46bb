//! A `redis-server` of a test's own (tests/store_redis.rs, tests/freed_memory.rs):
//! loopback, a free port, AOF on, in a folder of its own, killed when dropped; with
//! TLS (`rediss://`) when given certificates the test minted ([`Pki`]). Included with
//! `#[path]` by the binaries that start one.

#![allow(dead_code)] // each test binary uses a different part

use std::fs;
use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub use crate::support::TempDir;

/// A private CA and a server certificate it issued for `IP:127.0.0.1` and
/// `DNS:localhost` (ECDSA P-256, valid two days), minted by `openssl` (as
/// tests/data/pinned/make.sh mints the committed ones) into a folder of their own.
pub struct Pki {
    _dir: TempDir,
    /// The CA's certificate (PEM): what a client trusts.
    pub ca: PathBuf,
    /// The server's certificate and key (PEM).
    pub cert: PathBuf,
    pub key: PathBuf,
}

fn openssl(args: &[&str], dir: &Path) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl is installed (scripts/test.sh installs it)");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Pki {
    pub fn mint(name: &str) -> Pki {
        let dir = TempDir::new(&format!("pki-{name}"));
        let ec = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
        ];
        let ca_subject = format!("/CN=twfollow test CA {name}");
        // The CA: self-signed, CA:TRUE (OpenSSL 3's default for `req -x509`).
        let mut args = vec!["req", "-x509", "-days", "2", "-subj", &ca_subject];
        args.extend(ec);
        args.extend(["-keyout", "ca.key.pem", "-out", "ca.cert.pem"]);
        openssl(&args, &dir.0);
        // The server: a request, signed by the CA as an end entity.
        let mut args = vec!["req", "-subj", "/CN=localhost"];
        args.extend(ec);
        args.extend(["-keyout", "server.key.pem", "-out", "server.csr.pem"]);
        openssl(&args, &dir.0);
        fs::write(
            dir.0.join("server.ext"),
            "basicConstraints=critical,CA:FALSE\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n",
        )
        .unwrap();
        openssl(
            &[
                "x509",
                "-req",
                "-in",
                "server.csr.pem",
                "-CA",
                "ca.cert.pem",
                "-CAkey",
                "ca.key.pem",
                "-set_serial",
                "2",
                "-days",
                "2",
                "-extfile",
                "server.ext",
                "-out",
                "server.cert.pem",
            ],
            &dir.0,
        );
        Pki {
            ca: dir.0.join("ca.cert.pem"),
            cert: dir.0.join("server.cert.pem"),
            key: dir.0.join("server.key.pem"),
            _dir: dir,
        }
    }

    /// A server certificate that is its own CA (self-signed, `CA:TRUE`, for localhost
    /// and 127.0.0.1): tests/data/pinned's, which a client pins.
    pub fn pinned() -> Pki {
        let file = |name: &str| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/data/pinned")
                .join(name)
        };
        Pki {
            _dir: TempDir::new("pki-pinned"),
            ca: file("localhost-ca.cert.pem"),
            cert: file("localhost-ca.cert.pem"),
            key: file("localhost-ca.key.pem"),
        }
    }
}

/// A `redis-server` of the test's own: loopback, a free port (found by binding port
/// 0; another is tried when someone takes it first), AOF on with `appendfsync always`.
/// With TLS, it listens for TLS alone (`--port 0 --tls-port PORT`), presenting the
/// certificate of its [`Pki`], and asks clients for none.
pub struct Redis {
    child: Option<Child>,
    pub port: u16,
    pub dir: TempDir,
    pub password: Option<String>,
    /// The server's certificate, key and CA (PEM files), for TLS.
    tls: Option<(PathBuf, PathBuf, PathBuf)>,
}

impl Redis {
    pub fn start(password: Option<&str>) -> Redis {
        Redis::start_with(password, None)
    }

    /// A server that speaks TLS only, with `pki`'s server certificate.
    pub fn start_tls(password: Option<&str>, pki: &Pki) -> Redis {
        Redis::start_with(password, Some(pki))
    }

    fn start_with(password: Option<&str>, pki: Option<&Pki>) -> Redis {
        let mut redis = Redis {
            child: None,
            port: 0,
            dir: TempDir::new("server"),
            password: password.map(str::to_owned),
            tls: pki.map(|p| (p.cert.clone(), p.key.clone(), p.ca.clone())),
        };
        for _ in 0..10 {
            let port = TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            redis.port = port;
            if redis.launch() {
                return redis;
            }
        }
        panic!("redis-server did not start on any port");
    }

    /// Starts the server on `self.port` with `self.dir`; false when it exits (its port
    /// was taken meanwhile).
    fn launch(&mut self) -> bool {
        let mut command = Command::new("redis-server");
        let port = self.port.to_string();
        command.args(["--bind", "127.0.0.1"]);
        match &self.tls {
            None => {
                command.args(["--port", &port]);
            }
            Some((cert, key, ca)) => {
                command
                    .args(["--port", "0", "--tls-port", &port])
                    .arg("--tls-cert-file")
                    .arg(cert)
                    .arg("--tls-key-file")
                    .arg(key)
                    .arg("--tls-ca-cert-file")
                    .arg(ca)
                    .args(["--tls-auth-clients", "no"]);
            }
        }
        command
            .args([
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--save",
                "",
            ])
            .arg("--dir")
            .arg(&self.dir.0)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some(password) = &self.password {
            command.args(["--requirepass", password]);
        }
        let mut child = command.spawn().expect(
            "redis-server is installed (scripts/test.sh installs it: apt-get install redis-server)",
        );
        let until = Instant::now() + Duration::from_secs(10);
        while Instant::now() < until {
            if child.try_wait().unwrap().is_some() {
                let _ = child.wait();
                return false;
            }
            if self.ping() {
                self.child = Some(child);
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
        false
    }

    fn ping(&self) -> bool {
        self.try_cli(&["PING"], b"")
            .is_some_and(|answer| answer.starts_with(b"PONG"))
    }

    /// Kills the server (-9: only what the AOF holds survives).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port, from its AOF.
    pub fn restart(&mut self) {
        let until = Instant::now() + Duration::from_secs(10);
        while !self.launch() {
            assert!(Instant::now() < until, "redis-server did not start again");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// `:PASSWORD@`, the password percent-encoded, or nothing.
    fn auth(&self) -> String {
        self.password
            .as_ref()
            .map(|p| format!(":{}@", percent_encoded(p)))
            .unwrap_or_default()
    }

    /// The store URL (with the server's password), under `prefix`: `rediss://` for a
    /// TLS server (which needs `&ca_file=` to be trusted).
    pub fn url(&self, prefix: &str) -> String {
        let scheme = if self.tls.is_some() {
            "rediss"
        } else {
            "redis"
        };
        format!(
            "{scheme}://{}127.0.0.1:{}/0?prefix={prefix}",
            self.auth(),
            self.port
        )
    }

    /// `redis-cli ARGS` on this server (with its password, and its TLS), `input` on its
    /// standard input (`-x`: the last argument); its raw answer, `None` if it failed.
    fn try_cli(&self, args: &[&str], input: &[u8]) -> Option<Vec<u8>> {
        let mut command = Command::new("redis-cli");
        command.args(["-h", "127.0.0.1", "-p", &self.port.to_string()]);
        if let Some((_, _, ca)) = &self.tls {
            command.arg("--tls").arg("--cacert").arg(ca);
        }
        if let Some(password) = &self.password {
            command.env("REDISCLI_AUTH", password);
        }
        let mut child = command
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-cli is installed (with redis-server)");
        child.stdin.take().unwrap().write_all(input).unwrap();
        let out = child.wait_with_output().unwrap();
        out.status.success().then_some(out.stdout)
    }

    /// `redis-cli ARGS` on this server (see `try_cli`): its answer, without the line end.
    pub fn cli(&self, args: &[&str]) -> Vec<u8> {
        let mut answer = self.try_cli(args, b"").expect("redis-cli succeeds");
        answer.pop_if(|end| *end == b'\n');
        answer
    }

    pub fn document(&self, prefix: &str) -> serde_json::Value {
        serde_json::from_slice(&self.cli(&["GET", &format!("{prefix}:store")])).unwrap()
    }

    /// Rewrites the document as a test needs it (nobody else writes then).
    pub fn edit(&self, prefix: &str, change: impl FnOnce(&mut serde_json::Value)) {
        let mut doc = self.document(prefix);
        change(&mut doc);
        self.put_document(prefix, &doc);
    }

    /// Stores `doc` as the document under `prefix`.
    pub fn put_document(&self, prefix: &str, doc: &serde_json::Value) {
        let key = format!("{prefix}:store");
        let answer = self.try_cli(
            &["-x", "SET", &key],
            &serde_json::to_vec_pretty(doc).unwrap(),
        );
        assert_eq!(answer.as_deref(), Some(&b"OK\n"[..]));
    }

    pub fn keys(&self) -> Vec<String> {
        let answer = String::from_utf8(self.cli(&["KEYS", "*"])).unwrap();
        let mut keys: Vec<String> = answer
            .lines()
            .filter(|k| !k.is_empty())
            .map(str::to_owned)
            .collect();
        keys.sort();
        keys
    }
}

/// `text` with every byte but RFC 3986's unreserved ones percent-encoded: as a
/// password goes in a URL.
pub fn percent_encoded(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.stop();
    }
}
