//! A connection to the Redis server: TCP, or TLS by rustls directly (by hand in place of
//! the redis crate, for the reason resp.rs gives), then `AUTH` and `SELECT` when the URL
//! asks for them.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, StreamOwned};

use super::resp::{pack, read_reply, Reply};
use crate::core::api::store::redis_url::Target;

/// Why a command got no answer of its own.
pub enum Failure {
    /// The connection failed: it is of no more use.
    Io(io::Error),
    /// The server refused the command (`-ERR …`): its text.
    Refused(String),
}

impl Failure {
    /// The connection was found closed (a restarted server): a new one may do.
    pub fn is_dropped(&self) -> bool {
        use ErrorKind::*;
        let Failure::Io(e) = self else { return false };
        matches!(
            e.kind(),
            UnexpectedEof | BrokenPipe | ConnectionReset | ConnectionAborted
        )
    }
}

enum Stream {
    Plain(TcpStream),
    Tls(Box<StreamOwned<ClientConnection, TcpStream>>),
}

pub struct Connection(Stream);

impl Connection {
    /// A new connection within `budget`: TCP to each of the host's addresses in turn,
    /// TLS verified by `tls` when given, then `AUTH` (packed in a wiped buffer) and
    /// `SELECT`.
    pub fn open(
        target: &Target,
        tls: Option<&Arc<ClientConfig>>,
        budget: Duration,
    ) -> Result<Connection, Failure> {
        let socket = tcp(&target.host, target.port, budget).map_err(Failure::Io)?;
        let stream = match tls {
            None => Stream::Plain(socket),
            Some(config) => {
                let name = ServerName::try_from(target.host.as_str())
                    .map_err(|e| Failure::Io(io::Error::new(ErrorKind::InvalidInput, e)))?;
                let tls = ClientConnection::new(config.clone(), name.to_owned())
                    .map_err(|e| Failure::Io(io::Error::other(e)))?;
                let mut stream = StreamOwned::new(tls, socket);
                stream
                    .conn
                    .complete_io(&mut stream.sock)
                    .map_err(Failure::Io)?;
                Stream::Tls(Box::new(stream))
            }
        };
        let mut connection = Connection(stream);
        if let Some(password) = &target.password {
            let mut auth: Vec<&[u8]> = vec![b"AUTH"];
            auth.extend(target.user.as_ref().map(|user| user.as_bytes()));
            auth.push(password.as_bytes());
            connection.command(&pack(&auth), budget)?;
        }
        if target.db != 0 {
            let db = target.db.to_string();
            connection.command(&pack(&[b"SELECT", db.as_bytes()]), budget)?;
        }
        Ok(connection)
    }

    /// Sends a packed command and reads its reply, each within `budget`.
    pub fn command(&mut self, packed: &[u8], budget: Duration) -> Result<Reply, Failure> {
        fn exchange(stream: &mut (impl Read + Write), packed: &[u8]) -> io::Result<Reply> {
            stream.write_all(packed)?;
            stream.flush()?;
            read_reply(stream)
        }
        let reply = match &mut self.0 {
            Stream::Plain(socket) => {
                set_timeouts(socket, budget).and_then(|()| exchange(socket, packed))
            }
            Stream::Tls(stream) => {
                set_timeouts(&stream.sock, budget).and_then(|()| exchange(&mut **stream, packed))
            }
        };
        match reply.map_err(Failure::Io)? {
            Reply::Error(text) => Err(Failure::Refused(text)),
            reply => Ok(reply),
        }
    }
}

fn set_timeouts(socket: &TcpStream, budget: Duration) -> io::Result<()> {
    socket.set_read_timeout(Some(budget))?;
    socket.set_write_timeout(Some(budget))
}

/// A TCP connection to the first of `host`'s addresses that takes one within `budget`,
/// without Nagle's delay, `budget` its read and write timeouts (the TLS handshake's).
fn tcp(host: &str, port: u16, budget: Duration) -> io::Result<TcpStream> {
    let until = Instant::now() + budget;
    let mut last = io::Error::new(ErrorKind::NotFound, "its host name has no address");
    for address in (host, port).to_socket_addrs()? {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        match TcpStream::connect_timeout(&address, left) {
            Ok(socket) => {
                socket.set_nodelay(true)?;
                set_timeouts(&socket, budget)?;
                return Ok(socket);
            }
            Err(e) => last = e,
        }
    }
    Err(last)
}
