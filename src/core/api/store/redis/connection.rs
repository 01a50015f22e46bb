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
    Plain(Socket),
    Tls(Box<StreamOwned<ClientConnection, Socket>>),
}

/// The TCP socket, each read and write of which ends by `until` (a timeout per system
/// call alone would let a server that drips its answer hold a call as long as it likes:
/// test `a_dripping_server_cannot_hold_a_command_past_its_budget`).
struct Socket {
    tcp: TcpStream,
    until: Instant,
}

fn ran_out_of_time() -> io::Error {
    io::Error::new(ErrorKind::TimedOut, "ran out of time")
}

impl Socket {
    fn left(&self) -> io::Result<Duration> {
        let left = self.until.saturating_duration_since(Instant::now());
        match left.is_zero() {
            true => Err(ran_out_of_time()),
            false => Ok(left),
        }
    }
}

/// A blocking socket's `WouldBlock` is its timeout, which is `until`: said as such.
fn in_time(result: io::Result<usize>) -> io::Result<usize> {
    result.map_err(|e| match e.kind() {
        ErrorKind::WouldBlock => ran_out_of_time(),
        _ => e,
    })
}

impl Read for Socket {
    fn read(&mut self, into: &mut [u8]) -> io::Result<usize> {
        self.tcp.set_read_timeout(Some(self.left()?))?;
        in_time(self.tcp.read(into))
    }
}

impl Write for Socket {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.tcp.set_write_timeout(Some(self.left()?))?;
        in_time(self.tcp.write(bytes))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.tcp.flush()
    }
}

pub struct Connection(Stream);

impl Connection {
    /// A new connection, all of it by `until`: TCP to each of the host's addresses in turn,
    /// TLS verified by `tls` when given, then `AUTH` (packed in a wiped buffer) and
    /// `SELECT`.
    pub fn open(
        target: &Target,
        tls: Option<&Arc<ClientConfig>>,
        until: Instant,
    ) -> Result<Connection, Failure> {
        let tcp = tcp(&target.host, target.port, until).map_err(Failure::Io)?;
        let socket = Socket { tcp, until };
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
            connection.command(&pack(&auth), until)?;
        }
        if target.db != 0 {
            let db = target.db.to_string();
            connection.command(&pack(&[b"SELECT", db.as_bytes()]), until)?;
        }
        Ok(connection)
    }

    /// Sends a packed command and reads its reply, both by `until`.
    pub fn command(&mut self, packed: &[u8], until: Instant) -> Result<Reply, Failure> {
        fn exchange(stream: &mut (impl Read + Write), packed: &[u8]) -> io::Result<Reply> {
            stream.write_all(packed)?;
            stream.flush()?;
            read_reply(stream)
        }
        let reply = match &mut self.0 {
            Stream::Plain(socket) => {
                socket.until = until;
                exchange(socket, packed)
            }
            Stream::Tls(stream) => {
                stream.sock.until = until;
                exchange(&mut **stream, packed)
            }
        };
        match reply.map_err(Failure::Io)? {
            Reply::Error(text) => Err(Failure::Refused(text)),
            reply => Ok(reply),
        }
    }
}

/// A TCP connection to the first of `host`'s addresses that takes one by `until`,
/// without Nagle's delay.
fn tcp(host: &str, port: u16, until: Instant) -> io::Result<TcpStream> {
    let mut last = io::Error::new(ErrorKind::NotFound, "its host name has no address");
    for address in (host, port).to_socket_addrs()? {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        match TcpStream::connect_timeout(&address, left) {
            Ok(socket) => {
                socket.set_nodelay(true)?;
                return Ok(socket);
            }
            Err(e) => last = e,
        }
    }
    Err(last)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;
    use std::thread::JoinHandle;

    /// A server on a loopback port that hands its first connection to `answer`.
    fn serve(answer: impl FnOnce(TcpStream) + Send + 'static) -> (u16, JoinHandle<()>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = std::thread::spawn(move || answer(listener.accept().unwrap().0));
        (port, server)
    }

    #[test]
    fn a_dripping_server_cannot_hold_a_command_past_its_budget() {
        let (port, server) = serve(|mut peer| {
            let mut command = [0u8; 64];
            let _ = peer.read(&mut command);
            // A byte every 100 ms: each read is quick, the whole answer takes 4 s.
            for byte in b"$34\r\n0123456789012345678901234567890123\r\n" {
                std::thread::sleep(Duration::from_millis(100));
                if peer.write_all(&[*byte]).is_err() {
                    return;
                }
            }
        });
        let started = Instant::now();
        let until = started + Duration::from_millis(500);
        let tcp = tcp("127.0.0.1", port, until).unwrap();
        let mut connection = Connection(Stream::Plain(Socket { tcp, until }));
        let result = connection.command(&pack(&[b"GET", b"k"]), until);
        let took = started.elapsed();
        let Err(Failure::Io(e)) = result else {
            panic!("the dripped answer was taken")
        };
        assert_eq!(e.kind(), ErrorKind::TimedOut, "{e}");
        assert!(took < Duration::from_millis(1500), "{took:?}");
        drop(connection);
        server.join().unwrap();
    }

    #[test]
    fn connecting_and_the_command_share_one_deadline() {
        let (port, server) = serve(|mut peer| {
            let mut command = [0u8; 256];
            // AUTH, SELECT, GET: each answered after 300 ms.
            while let Ok(1..) = peer.read(&mut command) {
                std::thread::sleep(Duration::from_millis(300));
                let _ = peer.write_all(b"+OK\r\n");
            }
        });
        let url = format!("redis://:pw@127.0.0.1:{port}/1");
        let target = crate::core::api::store::redis_url::parse(&url).unwrap();
        let started = Instant::now();
        let until = started + Duration::from_millis(800);
        let result = Connection::open(&target, None, until)
            .and_then(|mut connection| connection.command(&pack(&[b"GET", b"k"]), until));
        let took = started.elapsed();
        let Err(Failure::Io(e)) = result else {
            panic!("AUTH, SELECT and GET each had 800 ms")
        };
        assert_eq!(e.kind(), ErrorKind::TimedOut, "{e}");
        assert!(took < Duration::from_millis(1100), "{took:?}");
        server.join().unwrap();
    }
}
