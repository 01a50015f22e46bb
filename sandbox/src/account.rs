//! API 1.1 `GET 1.1/account/verify_credentials.json` (the token's own user), and what
//! the sandbox answers on its plain-HTTP port to a client that starts TLS there.

use std::io::{self, Write};
use std::net::{Shutdown, TcpStream};

use crate::http::{param, Answer, Request};
use crate::state::User;
use crate::v1::{admit, user_object, v1_answer};
use crate::Shared;

/// The user the token acts as, checked as every API 1.1 read is (signature, access
/// tier, account state, credits, budgets): X's user object, without `status` when
/// `skip_status=true`.
pub(crate) fn verify_credentials(shared: &Shared, request: &Request) -> Answer {
    let (account, params) = admit(shared, request)?;
    let mut object = user_object(&User::of(&account), false);
    if let Some(fields) = object.as_object_mut() {
        // Its own user: no relationship to itself.
        for member in ["following", "follow_request_sent", "notifications"] {
            fields.remove(member);
        }
        if param(&params, "skip_status") == Some("true") {
            fields.remove("status");
        }
    }
    Ok(v1_answer(object))
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

#[cfg(test)]
mod tests {
    use super::NOT_TLS;

    #[test]
    fn the_plain_answer_says_its_own_length() {
        let text = std::str::from_utf8(NOT_TLS).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.contains(&format!("Content-Length: {}", body.len())));
    }
}
