//! Hostile and broken servers. Each case must give its documented status within
//! the deadline (plus a margin), leave no thread or connection behind, and keep
//! memory bounded. One test function, so the thread and memory accounting of the
//! process is not disturbed by other tests running beside it.

mod support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use support::*;
use twfollow::ffi::TwStatus;

const DEADLINE_MS: u32 = 500;
const MARGIN: Duration = Duration::from_millis(700);

fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").unwrap().count()
}

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Blocks until the client closes the connection (or 10 s pass).
fn wait_for_close(stream: &mut TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut buf = [0u8; 1024];
    while matches!(stream.read(&mut buf), Ok(n) if n > 0) {}
}

/// Writes `chunk` every `pause` until the client goes away.
fn drip(stream: &mut TcpStream, head: &[u8], chunk: &[u8], pause: Duration) {
    let _ = stream.write_all(head);
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(pause);
        if stream.write_all(chunk).is_err() {
            return;
        }
    }
}

/// Makes the connection end with a TCP reset instead of a FIN: with a zero linger
/// time, the close that follows (when the server loop sees its read side shut) resets.
fn reset(stream: &TcpStream) {
    use std::os::fd::AsRawFd;
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: a valid socket and a correctly sized linger struct.
    unsafe {
        libc::setsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&linger as *const libc::linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        );
    }
    let _ = stream.shutdown(std::net::Shutdown::Read);
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

fn response(status: &str, headers: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\ncontent-length: {}\r\n{headers}\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

struct Case {
    name: &'static str,
    script: Box<Script>,
    status: TwStatus,
    http_status: i32,
}

fn case(
    name: &'static str,
    status: TwStatus,
    http_status: i32,
    script: impl Fn(&SeenRequest, &mut TcpStream) + Send + Sync + 'static,
) -> Case {
    Case {
        name,
        script: Box::new(script),
        status,
        http_status,
    }
}

/// Answers with fixed bytes, then waits for the client to close.
fn fixed(bytes: Vec<u8>) -> impl Fn(&SeenRequest, &mut TcpStream) + Send + Sync {
    move |_, out| {
        let _ = out.write_all(&bytes);
        wait_for_close(out);
    }
}

fn cases() -> Vec<Case> {
    let nested_open = "[".repeat(100_000);
    let nested = format!("{nested_open}{}", "]".repeat(100_000)).into_bytes();
    let nested_small = format!("{}{}", "[".repeat(30_000), "]".repeat(30_000)).into_bytes();
    let bomb = gzip(&vec![b' '; 64 << 20]);
    vec![
        case(
            "headers dripped one byte at a time",
            TwStatus::Timeout,
            0,
            |_, out| {
                for byte in b"HTTP/1.1 200 OK\r\nx-drip: "
                    .iter()
                    .chain(std::iter::repeat_n(&b'a', 1000))
                {
                    std::thread::sleep(Duration::from_millis(20));
                    if out.write_all(&[*byte]).is_err() {
                        return;
                    }
                }
            },
        ),
        case("body dripped", TwStatus::Timeout, 200, |_, out| {
            drip(
                out,
                b"HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\n{",
                b" ",
                Duration::from_millis(20),
            )
        }),
        case(
            "accepted, never answered",
            TwStatus::Timeout,
            0,
            |_, out| wait_for_close(out),
        ),
        case(
            "content-length longer than the body, then close",
            TwStatus::Network,
            200,
            |_, out| {
                let _ = out.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{\"id\":");
                let _ = out.shutdown(std::net::Shutdown::Both);
            },
        ),
        case("reset mid-body", TwStatus::Network, 200, |_, out| {
            let _ = out.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{\"id\":");
            std::thread::sleep(Duration::from_millis(50));
            reset(out);
        }),
        case("20 MiB body", TwStatus::BadResponse, 200, |_, out| {
            let _ = out.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 20971520\r\n\r\n{\"a\":\"");
            let block = vec![b'x'; 64 << 10];
            for _ in 0..320 {
                if out.write_all(&block).is_err() {
                    return;
                }
            }
        }),
        case(
            "endless chunked body",
            TwStatus::BadResponse,
            200,
            |_, out| {
                let _ = out.write_all(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n");
                let chunk = format!("10000\r\n{}\r\n", "y".repeat(0x10000)).into_bytes();
                drip(out, b"", &chunk, Duration::ZERO);
            },
        ),
        case(
            "gzip bomb (64 MiB of spaces)",
            TwStatus::BadResponse,
            200,
            {
                let bytes = response("200 OK", "content-encoding: gzip\r\n", &bomb);
                fixed(bytes)
            },
        ),
        case(
            "corrupt gzip",
            TwStatus::BadResponse,
            200,
            fixed(response(
                "200 OK",
                "content-encoding: gzip\r\n",
                b"\x1f\x8bnot gzip at all",
            )),
        ),
        case("100 KiB header", TwStatus::Network, 0, {
            let header = format!(
                "HTTP/1.1 200 OK\r\nx-big: {}\r\ncontent-length: 2\r\n\r\n{{}}",
                "h".repeat(100 << 10)
            );
            fixed(header.into_bytes())
        }),
        case(
            "garbage status line",
            TwStatus::Network,
            0,
            fixed(b"SSH-2.0-OpenSSH_9.2\r\n\r\n".to_vec()),
        ),
        case(
            "invalid JSON",
            TwStatus::BadResponse,
            200,
            fixed(response("200 OK", "", b"{\"id\": 1,}")),
        ),
        case(
            "JSON with a NUL byte",
            TwStatus::BadResponse,
            200,
            fixed(response("200 OK", "", b"{\"id\":\"a\0b\"}")),
        ),
        case(
            "non-UTF-8 JSON",
            TwStatus::BadResponse,
            200,
            fixed(response("200 OK", "", b"{\"name\":\"\xe9t\xe9\"}")),
        ),
        case(
            "100 000-deep nested array",
            TwStatus::BadResponse,
            200,
            fixed(response("200 OK", "", &nested)),
        ),
        case(
            "100 000-deep nested error body",
            TwStatus::Forbidden,
            403,
            fixed(response("403 Forbidden", "", &nested)),
        ),
        case(
            "30 000-deep nested error body",
            TwStatus::Forbidden,
            403,
            fixed(response("403 Forbidden", "", &nested_small)),
        ),
        case(
            "HTML 502 page",
            TwStatus::ServerError,
            502,
            fixed(response(
                "502 Bad Gateway",
                "content-type: text/html\r\n",
                b"<html><h1>502</h1></html>",
            )),
        ),
    ]
}

#[test]
fn every_fault_gets_its_status_in_time_and_leaves_nothing_behind() {
    let baseline_threads = threads();
    let baseline_rss = rss_kib();
    let mut report = Vec::new();
    for Case {
        name,
        script,
        status,
        http_status,
    } in cases()
    {
        let server = Scripted::start(script);
        let config = Config::for_account(&server.base_url(), 1);
        assert_eq!(config.set_timeout_ms(DEADLINE_MS), TwStatus::Ok);
        let started = Instant::now();
        let (got, last) = config.follow_err("twitterdev");
        let took = started.elapsed();
        assert_eq!(
            (got, last.http_status),
            (status, http_status),
            "{name}: {last:?}"
        );
        assert!(
            !last.message.is_empty() && !last.message.contains("empty response body"),
            "{name}: {}",
            last.message
        );
        assert!(
            took < Duration::from_millis(DEADLINE_MS.into()) + MARGIN,
            "{name} took {took:?}"
        );
        drop(config);
        drop(server);
        // The server's threads end when the client has closed its connections.
        let settle = Instant::now();
        while threads() > baseline_threads && settle.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(
            threads(),
            baseline_threads,
            "{name}: a thread or connection was left behind"
        );
        report.push(format!("{name}: {got:?} in {took:?}: {}", last.message));
    }
    let grown_mib = rss_kib().saturating_sub(baseline_rss) / 1024;
    assert!(grown_mib < 32, "memory grew by {grown_mib} MiB");
    println!("{}", report.join("\n"));

    connection_refused_is_network();
    a_connection_closed_between_calls_is_never_sent_twice();
}

fn connection_refused_is_network() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = Config::for_account(&format!("http://127.0.0.1:{port}"), 1);
    assert_eq!(config.follow_err("twitterdev").0, TwStatus::Network);
}

/// A server that closes each kept-alive connection right after answering: the
/// next call either works on a new connection or fails cleanly, and the request
/// never arrives twice.
fn a_connection_closed_between_calls_is_never_sent_twice() {
    let server = Scripted::start(|_, out| {
        let _ = out.write_all(&response(
            "200 OK",
            "connection: keep-alive\r\n",
            b"{\"id\":1}",
        ));
        let _ = out.flush();
        std::thread::sleep(Duration::from_millis(20));
        let _ = out.shutdown(std::net::Shutdown::Both);
    });
    let config = Config::for_account(&server.base_url(), 1);
    let mut succeeded = 0;
    for _ in 0..20 {
        match config.follow("twitterdev", false) {
            Ok(_) => succeeded += 1,
            Err((status, last)) => assert_eq!(status, TwStatus::Network, "{last:?}"),
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let arrived = server.requests().len();
    assert!(
        arrived <= 20,
        "{arrived} requests arrived for 20 calls: one was sent twice"
    );
    assert!(succeeded <= arrived);
    println!("closed between calls: {succeeded} of 20 succeeded, {arrived} arrived");
}
