//! The Redis store: the store's document on a Redis server that many hosts share
//! (`redis://[[user]:password@]host[:port][/db][?prefix=NAME]`, `rediss://…` for TLS).
//!
//! Keys, all under the prefix (`twfollow` unless `?prefix=` names another):
//! `{prefix}:store` holds the document (the same JSON as the file store),
//! `{prefix}:lock:{account}` an account's refresh lock, `{prefix}:lock` the
//! store-wide one. A lock is `SET key random NX PX ttl` (in a script that also counts
//! a lock already holding this holder's value as taken), released by its holder alone
//! (a compare-and-delete script); a write is a script that sets the document only if
//! the revision inside the stored one is still the one the writer read, so a holder
//! paused past its lock's expiry changes nothing. Nothing is created on this host.
//!
//! The client is this module's own (connection.rs, resp.rs: RESP2 over TCP or rustls):
//! every command is packed and every answer read in wiped buffers, the password (parsed
//! into wiped buffers) and the document (tokens and app secrets) alike (over TLS,
//! rustls's own buffers hold them too). The password is never named: the location is
//! the URL with the password replaced by `***`.

mod connection;
mod resp;

use std::fmt;
use std::io::ErrorKind;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustls::ClientConfig;
use zeroize::Zeroizing;

use self::connection::{Connection, Failure};
use self::resp::{pack, Reply};
use crate::core::api::deadline;
use crate::core::api::store::backend::{poll, Backend, Held, STORE_WIDE};
use crate::core::api::store::redis_url::{parse, Target};
use crate::core::error::Error;
use crate::core::net::tls::client_config;
use crate::core::settings::DEFAULT_TIMEOUT;
use crate::core::sys::fork;
use crate::core::sys::random::random_hex;

/// The least time one command gets, even when the call's time is (almost) spent: the
/// store of a refresh already sent, the release of a lock and the read that explains a
/// lock wait that ran out must still be tried.
const COMMAND_FLOOR: Duration = Duration::from_secs(1);

/// Sets the document only when its stored revision is still `ARGV[1]`: 1 when it did,
/// 0 when another writer got in first. The revision is read from the document itself
/// (cjson), so no second key can drift from it. A document that already is `ARGV[2]`
/// is 1 too: the same write sent again after its answer was lost with the connection.
const COMPARE_AND_SET: &str = r#"local doc = redis.call('GET', KEYS[1])
local current = 0
if doc then
  local ok, parsed = pcall(cjson.decode, doc)
  if not ok or type(parsed) ~= 'table' then
    return redis.error_reply('ERR twfollow: the stored document is not a JSON object')
  end
  current = tonumber(parsed['revision']) or 0
end
if doc == ARGV[2] then return 1 end
if current ~= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1"#;

/// Takes the lock (`SET NX PX`): 1 when taken, 0 when another holds it. A lock that
/// already holds this holder's value is taken: the same command sent again after its
/// answer was lost with the connection.
const TAKE_LOCK: &str = r#"if redis.call('GET', KEYS[1]) == ARGV[1] then return 1 end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0"#;

/// Deletes the lock only if it still holds this holder's random value.
const COMPARE_AND_DELETE: &str = r#"if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0"#;

/// The store on a Redis server.
pub struct RedisBackend {
    target: Target,
    /// How a `rediss://` server is verified: the CA file's certificates, or the built-in roots.
    tls: Option<Arc<ClientConfig>>,
    /// One connection kept per process, reused by its calls (and replaced in a forked
    /// child: its parent's socket is not its to write on). A call takes it out while it
    /// uses it: no lock is held across the network, where a fork would catch it held.
    pooled: Mutex<Option<Pooled>>,
}

struct Pooled {
    owner: (u32, u64),
    connection: Connection,
}

/// The process and fork generation a connection belongs to.
fn owner() -> (u32, u64) {
    (std::process::id(), fork::generation())
}

impl fmt::Debug for RedisBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisBackend")
            .field("location", &self.target.shown)
            .field("prefix", &self.target.prefix)
            .finish_non_exhaustive()
    }
}

/// What went wrong, in words that never hold the password.
fn redis_detail(failure: &Failure, target: &Target) -> String {
    let text = match failure {
        Failure::Refused(text) => match text.split(' ').next() {
            Some("WRONGPASS" | "NOAUTH") if target.password.is_none() => {
                "asks for a password, and the URL gives none".to_owned()
            }
            Some("WRONGPASS") => {
                "refused the user name and password of the URL (WRONGPASS)".to_owned()
            }
            Some("NOAUTH") => "asks for a password (NOAUTH)".to_owned(),
            _ => text.clone(),
        },
        Failure::Io(e) => match e.kind() {
            ErrorKind::ConnectionRefused => format!("is unreachable (connection refused: {e})"),
            ErrorKind::WouldBlock | ErrorKind::TimedOut => {
                "did not answer within the call's time (unreachable, or too slow)".to_owned()
            }
            _ => e.to_string(),
        },
    };
    match target.password.as_deref() {
        // The text that held it is wiped, not freed as it is.
        Some(p) if !p.is_empty() && text.contains(p.as_str()) => {
            Zeroizing::new(text).replace(p.as_str(), "***")
        }
        _ => text,
    }
}

impl RedisBackend {
    /// The store at `url` (`redis://` or `rediss://`). Nothing is sent yet: the first
    /// read or lock connects.
    pub fn open(url: &str) -> Result<RedisBackend, Error> {
        let target = parse(url).map_err(|why| {
            // Which '@' ends the user information of a URL read no further is unknown (a
            // password may hold '/', '?' or '#' unencoded): a refused URL shows only its host.
            let host = url.split_once("://").and_then(|(scheme, rest)| {
                Some(format!("{scheme}://***@{}", rest.rsplit_once('@')?.1))
            });
            store_error!(host.as_deref().unwrap_or(url), "{why}")
        })?;
        let tls = target.tls.then(|| client_config(target.ca.as_ref()));
        Ok(RedisBackend {
            target,
            tls,
            pooled: Mutex::new(None),
        })
    }

    /// A key under the prefix: `store` (the document), `lock` (the store-wide lock),
    /// `lock:ACCOUNT` (an account's).
    fn key(&self, what: &str, scope: &str) -> String {
        let prefix = &self.target.prefix;
        match scope {
            STORE_WIDE => format!("{prefix}:{what}"),
            account => format!("{prefix}:{what}:{account}"),
        }
    }

    /// Sends `command` on this process's connection (made first when there is none),
    /// connecting and the command both done by `deadline` (or [`COMMAND_FLOOR`] from now
    /// when that is later); its reply. A reused connection that turns out dropped (a
    /// restarted server) is replaced and `command` sent once more.
    fn run(&self, deadline: Instant, what: &str, command: &[u8]) -> Result<Reply, Error> {
        let mut taken = self.pooled().take().filter(|p| p.owner == owner());
        loop {
            let until = deadline.max(Instant::now() + COMMAND_FLOOR);
            let reused = taken.is_some();
            let pooled = match taken.as_mut() {
                Some(pooled) => pooled,
                None => taken.insert(Pooled {
                    owner: owner(),
                    connection: Connection::open(&self.target, self.tls.as_ref(), until)
                        .map_err(|e| self.failure("cannot be reached", &e))?,
                }),
            };
            match pooled.connection.command(command, until) {
                Err(e @ Failure::Io(_)) => {
                    taken = None;
                    if !(reused && e.is_dropped()) {
                        return Err(self.failure(what, &e));
                    }
                }
                result => {
                    self.pooled()
                        .get_or_insert_with(|| taken.take().expect("connected"));
                    return result.map_err(|e| self.failure(what, &e));
                }
            }
        }
    }

    /// The kept connection's place, locked with forks held off (briefly: taking or
    /// putting back a connection).
    fn pooled(&self) -> fork::Locked<'_, Option<Pooled>> {
        fork::lock(&self.pooled)
    }

    fn failure(&self, what: &str, e: &Failure) -> Error {
        let detail = redis_detail(e, &self.target);
        store_error!(&self.target.shown, "{what}: {detail}")
    }

    /// An answer of a type the command never gives (its content may be the document:
    /// never shown).
    fn unexpected(&self, what: &str) -> Error {
        store_error!(
            &self.target.shown,
            "answered {what} with a value of an unexpected type"
        )
    }
}

/// A lock held on the server, released (if still this holder's) when dropped.
struct RedisLock<'a> {
    backend: &'a RedisBackend,
    key: String,
    token: String,
    owner: (u32, u64),
}

impl Drop for RedisLock<'_> {
    fn drop(&mut self) {
        // A forked child does not release its parent's lock. A failure leaves the lock
        // to expire by itself.
        if self.owner != owner() {
            return;
        }
        let deadline = Instant::now() + COMMAND_FLOOR;
        let command = pack(&[
            b"EVAL",
            COMPARE_AND_DELETE.as_bytes(),
            b"1",
            self.key.as_bytes(),
            self.token.as_bytes(),
        ]);
        let _ = self
            .backend
            .run(deadline, "cannot release its lock", &command);
    }
}

impl Backend for RedisBackend {
    fn location(&self) -> String {
        self.target.shown.clone()
    }

    fn read(&self) -> Result<Option<Zeroizing<Vec<u8>>>, Error> {
        let key = self.key("store", STORE_WIDE);
        let deadline = deadline::at(DEFAULT_TIMEOUT);
        match self.run(deadline, "cannot be read", &pack(&[b"GET", key.as_bytes()]))? {
            Reply::Nil => Ok(None),
            Reply::Bulk(bytes) => Ok(Some(bytes)),
            _ => Err(self.unexpected("GET")),
        }
    }

    fn lock(&self, scope: &str, deadline: Instant, hold: Duration) -> Result<Held<'_>, Error> {
        let key = self.key("lock", scope);
        let token = random_hex(16);
        let ttl = hold.as_millis().clamp(1, u128::from(u64::MAX)).to_string();
        let whose = match scope {
            STORE_WIDE => "store-wide".to_owned(),
            account => format!("account {account:?}'s"),
        };
        let holder = format!("{whose} lock, which another process, on this host or another, holds");
        let take = || {
            let args = [
                b"EVAL",
                TAKE_LOCK.as_bytes(),
                b"1",
                key.as_bytes(),
                token.as_bytes(),
                ttl.as_bytes(),
            ];
            match self.run(deadline, "cannot take its lock", &pack(&args))? {
                Reply::Integer(1) => Ok(true),
                Reply::Integer(0) => Ok(false),
                _ => Err(self.unexpected("SET NX")),
            }
        };
        let pause = Duration::from_millis(50);
        poll(deadline, pause, &self.target.shown, &holder, take)?;
        Ok(Box::new(RedisLock {
            backend: self,
            key,
            token,
            owner: owner(),
        }))
    }

    fn write(&self, bytes: &[u8], expected: u64) -> Result<bool, Error> {
        let key = self.key("store", STORE_WIDE);
        let expected = expected.to_string();
        let command = pack(&[
            b"EVAL",
            COMPARE_AND_SET.as_bytes(),
            b"1",
            key.as_bytes(),
            expected.as_bytes(),
            bytes,
        ]);
        let deadline = deadline::at(DEFAULT_TIMEOUT);
        match self.run(deadline, "cannot be written", &command)? {
            Reply::Integer(1) => Ok(true),
            Reply::Integer(0) => Ok(false),
            _ => Err(self.unexpected("the compare-and-set")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_location_hold_no_password() {
        let store = RedisBackend::open("redis://u:hunter2@127.0.0.1:1/0?prefix=p").unwrap();
        assert_eq!(store.location(), "redis://u:***@127.0.0.1:1/0?prefix=p");
        assert!(!format!("{store:?}").contains("hunter2"));
        assert_eq!(store.key("lock", STORE_WIDE), "p:lock");
        assert_eq!(store.key("lock", "brand"), "p:lock:brand");
        // A password holding '/', '?' or '#' unencoded: refused, and not shown either.
        for (url, password) in [
            ("redis://u:xq1/zq2@h:6379/0", "xq1/zq2"),
            ("redis://:xq3?zq4@h", "xq3?zq4"),
            ("rediss://u:xq5#zq6@h", "xq5#zq6"),
        ] {
            let message = RedisBackend::open(url).unwrap_err().message;
            let hidden = password
                .split(['/', '?', '#'])
                .all(|part| !message.contains(part));
            assert!(message.contains("://***@h") && hidden, "{message}");
        }
    }
}
