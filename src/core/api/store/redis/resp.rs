//! RESP2, Redis's wire format, as far as the store speaks it: commands packed, replies
//! read. By hand instead of the redis crate, whose parser reads every answer (the
//! document: app secrets and tokens) through a buffer it grows and frees unwiped
//! (`the_redis_store_leaves_no_secret_in_freed_memory`): here a reply is read into
//! wiped buffers only, a line a byte at a time into a fixed one on the stack (lines
//! are short: no read-ahead buffer holds what follows them), a bulk string into one
//! that grows as its bytes arrive, each outgrown one wiped.

use std::io::{self, ErrorKind, Read};

use zeroize::Zeroizing;

/// The longest line of a reply (a status, an error, an integer, a length).
const LINE_MAX: usize = 4096;
/// The longest bulk string: Redis's own limit (`proto-max-bulk-len`).
const BULK_MAX: i64 = 512 << 20;

/// One reply of the server (`Debug` shows a bulk string's length, never its bytes: the
/// document holds tokens).
#[derive(PartialEq)]
pub enum Reply {
    /// `+OK`
    Status(String),
    /// `-ERR …`: the server's refusal, its text.
    Error(String),
    Integer(i64),
    Bulk(Zeroizing<Vec<u8>>),
    /// A nil bulk string (`$-1`): no such key, a `SET NX` that set nothing.
    Nil,
}

impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reply::Bulk(bytes) => write!(f, "Bulk({} bytes)", bytes.len()),
            Reply::Status(text) => write!(f, "Status({text:?})"),
            Reply::Error(text) => write!(f, "Error({text:?})"),
            Reply::Integer(n) => write!(f, "Integer({n})"),
            Reply::Nil => f.write_str("Nil"),
        }
    }
}

/// One command (an array of bulk strings) packed in a wiped buffer of exactly its
/// size: the commands carry the password and the document.
pub fn pack(args: &[&[u8]]) -> Zeroizing<Vec<u8>> {
    let head = |n: usize, mark: char| format!("{mark}{n}\r\n");
    let size: usize = args
        .iter()
        .map(|a| head(a.len(), '$').len() + a.len() + 2)
        .sum();
    let mut out = Zeroizing::new(Vec::with_capacity(head(args.len(), '*').len() + size));
    out.extend_from_slice(head(args.len(), '*').as_bytes());
    for arg in args {
        out.extend_from_slice(head(arg.len(), '$').as_bytes());
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
    out
}

fn invalid(why: &str) -> io::Error {
    io::Error::new(ErrorKind::InvalidData, format!("answered {why}"))
}

/// `read_exact`, its end of file in words: the connection closed mid-answer (a dropped
/// connection, as `UnexpectedEof`).
fn read_exact(source: &mut impl Read, into: &mut [u8]) -> io::Result<()> {
    source.read_exact(into).map_err(|e| match e.kind() {
        ErrorKind::UnexpectedEof => io::Error::new(
            ErrorKind::UnexpectedEof,
            "closed the connection before its answer ended",
        ),
        _ => e,
    })
}

/// `size` bytes in a wiped buffer that grows only as they arrive (each outgrown one
/// wiped): a length header alone cannot make the reader allocate that length.
fn read_bulk(source: &mut impl Read, size: usize) -> io::Result<Zeroizing<Vec<u8>>> {
    let mut bulk = Zeroizing::new(Vec::new());
    while bulk.len() < size {
        let have = bulk.len();
        let mut grown = Zeroizing::new(vec![0; size.min((2 * have).max(64 << 10))]);
        grown[..have].copy_from_slice(&bulk);
        read_exact(source, &mut grown[have..])?;
        bulk = grown;
    }
    Ok(bulk)
}

/// Reads one reply from `source`.
pub fn read_reply(source: &mut impl Read) -> io::Result<Reply> {
    let mut line = Zeroizing::new([0u8; LINE_MAX]);
    let mut n = 0;
    while n < 2 || line[n - 2..n] != *b"\r\n" {
        if n == LINE_MAX {
            return Err(invalid(&format!("a line longer than {LINE_MAX} bytes")));
        }
        read_exact(source, &mut line[n..=n])?;
        n += 1;
    }
    let text = line.get(1..n - 2).unwrap_or_default();
    let number = || {
        let parsed = std::str::from_utf8(text).ok().and_then(|t| t.parse().ok());
        parsed.ok_or_else(|| invalid("a length or an integer that is not a number"))
    };
    match line[0] {
        b'+' => Ok(Reply::Status(String::from_utf8_lossy(text).into_owned())),
        b'-' => Ok(Reply::Error(String::from_utf8_lossy(text).into_owned())),
        b':' => Ok(Reply::Integer(number()?)),
        b'$' => match number()? {
            -1 => Ok(Reply::Nil),
            len @ 0..=BULK_MAX => {
                let mut bulk = read_bulk(source, len as usize + 2)?;
                if !bulk.ends_with(b"\r\n") {
                    return Err(invalid("a bulk string longer than its length"));
                }
                bulk.truncate(len as usize);
                Ok(Reply::Bulk(bulk))
            }
            _ => Err(invalid("a bulk string of a length out of bounds")),
        },
        // Arrays (`*`) included: no command of the store's gets one.
        _ => Err(invalid("with a type the store's commands never get")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A source that gives its bytes `step` at a time: replies split across reads.
    struct Trickle<'a> {
        bytes: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, into: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(into.len()).min(self.bytes.len());
            into[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    fn read(bytes: &[u8], step: usize) -> io::Result<Reply> {
        read_reply(&mut Trickle { bytes, step })
    }

    #[test]
    fn commands_are_packed_as_resp_arrays() {
        assert_eq!(
            &pack(&[b"AUTH", b"u", b"pw"])[..],
            b"*3\r\n$4\r\nAUTH\r\n$1\r\nu\r\n$2\r\npw\r\n"
        );
        let p = pack(&[&b"x"[..]; 12]);
        assert_eq!(p.len(), p.capacity());
    }

    #[test]
    fn each_reply_type_is_read_whole_and_split_across_reads() {
        let bulk = || Reply::Bulk(Zeroizing::new(b"{\"a\":\r\n1}".to_vec()));
        for step in [1, 3, 1000] {
            for (bytes, reply) in [
                (&b"+OK\r\n"[..], Reply::Status("OK".into())),
                (b"-WRONGPASS invalid password\r\n", {
                    Reply::Error("WRONGPASS invalid password".into())
                }),
                (b":1\r\n", Reply::Integer(1)),
                (b":-42\r\n", Reply::Integer(-42)),
                (b"$9\r\n{\"a\":\r\n1}\r\n", bulk()),
                (b"$0\r\n\r\n", Reply::Bulk(Zeroizing::new(Vec::new()))),
                (b"$-1\r\n", Reply::Nil),
            ] {
                assert_eq!(read(bytes, step).unwrap(), reply, "{bytes:?} by {step}");
            }
        }
        let secret = Reply::Bulk(Zeroizing::new(b"token".to_vec()));
        assert_eq!(format!("{secret:?}"), "Bulk(5 bytes)");
        // A bulk string longer than the first block, trickled in: read whole.
        let long: Vec<u8> = (0..200_000u32).map(|i| b'a' + (i % 26) as u8).collect();
        let sent = [format!("${}\r\n", long.len()).as_bytes(), &long, b"\r\n"].concat();
        let reply = read(&sent, 1000).unwrap();
        assert_eq!(reply, Reply::Bulk(Zeroizing::new(long)));
        // Two replies in a row: the first is read to its end, and no further.
        let mut both = Trickle {
            bytes: b"$2\r\nab\r\n:0\r\n",
            step: 100,
        };
        let first = read_reply(&mut both).unwrap();
        assert_eq!(first, Reply::Bulk(Zeroizing::new(b"ab".to_vec())));
        assert_eq!(read_reply(&mut both).unwrap(), Reply::Integer(0));
    }

    #[test]
    fn a_cut_short_answer_is_a_dropped_connection_and_nonsense_is_refused() {
        for cut in [
            &b""[..],
            b"+OK\r",
            b"$10\r\n{\"a\"",
            b"$2\r\nab",
            b"$536870911\r\n",
        ] {
            let e = read(cut, 2).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::UnexpectedEof, "{cut:?}");
            assert_eq!(
                e.to_string(),
                "closed the connection before its answer ended"
            );
        }
        let long = [&b"-ERR "[..], &[b'x'; LINE_MAX], b"\r\n"].concat();
        for (bytes, why) in [
            (&long[..], "answered a line longer than 4096 bytes"),
            (
                b"$3\r\nabcd\r\n",
                "answered a bulk string longer than its length",
            ),
            (
                b"$-2\r\n",
                "answered a bulk string of a length out of bounds",
            ),
            (
                b"$536870913\r\n",
                "answered a bulk string of a length out of bounds",
            ),
            (
                b":one\r\n",
                "answered a length or an integer that is not a number",
            ),
            (
                b"*1\r\n:1\r\n",
                "answered with a type the store's commands never get",
            ),
            (
                b"\r\n",
                "answered with a type the store's commands never get",
            ),
        ] {
            let e = read(bytes, 7).unwrap_err();
            assert_eq!(
                (e.kind(), e.to_string()),
                (ErrorKind::InvalidData, why.into())
            );
        }
    }
}
