//! A minimal, fast keep-alive HTTP server for benchmarks: answers every request
//! with the recorded follow response (no signature check, no gzip), so a
//! benchmark measures the client, not the server. Loopback only; prints its base
//! URL on the first line.
//!
//! ```text
//! cargo run --release --example fastserver
//! ```

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};

const BODY: &str = include_str!("../sandbox/data/friendships_create_200.json");

fn serve(stream: TcpStream, response: &[u8]) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::with_capacity(16 * 1024, stream);
    let mut line = String::new();
    let mut body = Vec::new();
    loop {
        let mut length = 0usize;
        loop {
            line.clear();
            if reader.read_line(&mut line)? == 0 {
                return Ok(());
            }
            if line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
        }
        body.resize(length, 0);
        reader.read_exact(&mut body)?;
        writer.write_all(response)?;
    }
}

fn main() -> std::io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    println!("http://{}", listener.local_addr()?);
    std::io::stdout().flush()?;
    let response: &'static [u8] = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json;charset=utf-8\r\ncontent-length: {}\r\n\r\n{}",
        BODY.len(),
        BODY
    )
    .leak()
    .as_bytes();
    for stream in listener.incoming() {
        let stream = stream?;
        std::thread::spawn(move || serve(stream, response));
    }
    Ok(())
}
