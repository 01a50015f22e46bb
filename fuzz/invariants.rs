//! Invariant checks shared by the fuzz targets (`fuzz/fuzz_targets`) and the corpus
//! replay test (`tests/fuzz_corpus.rs`), each of which includes this file with
//! `#[path]`: test code, so not in the library. Each takes arbitrary bytes and panics
//! when an invariant breaks; any panic is a bug.

use twfollow::core::auth::tokens::Tokens;
use twfollow::core::error::ErrorKind;
use twfollow::core::proto::refusal::{map_response, parse_api_error};
use twfollow::core::proto::target::Target;
use twfollow::core::proto::v2;
use twfollow::core::proto::v2::{check_v2_follow_answer, v2_user};
use twfollow::core::wire::percent::percent_encode;
use twfollow::core::wire::redact::Redactor;

/// Target parsing: never panics; what it accepts is exactly the documented grammar.
pub fn target_parse(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Target::parse(text) {
        Ok(Target::ScreenName(name)) => {
            assert!((1..=15).contains(&name.len()), "{text:?}");
            assert!(
                name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'),
                "{text:?}"
            );
            assert_eq!(text.strip_prefix('@').unwrap_or(text), name);
        }
        Ok(Target::UserId(id)) => {
            assert!(id >= 1);
            assert!(text.bytes().all(|b| b.is_ascii_digit()), "{text:?}");
            assert_eq!(text.parse::<u64>().ok(), Some(id));
        }
        Err(e) => {
            assert!(e.message.starts_with("invalid"));
            assert!(
                !e.message.contains('\n') && e.message.len() < 300,
                "{:?}",
                e.message
            );
        }
    }
}

/// Percent-encoding: only unreserved characters and `%XX` come out, and decoding gives the input back.
pub fn percent_encoding(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let encoded = percent_encode(&text);
    let bytes = encoded.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            assert!(bytes[i + 1..i + 3]
                .iter()
                .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(b)));
            i += 3;
        } else {
            assert!(bytes[i].is_ascii_alphanumeric() || b"-._~".contains(&bytes[i]));
            i += 1;
        }
    }
    let decoded = percent_encoding::percent_decode_str(&encoded).decode_utf8();
    assert_eq!(decoded.as_deref(), Ok(&*text));
}

/// Error-body parsing, and reading API v2 answers: never panics, whatever the shape
/// or depth; a refused v2 answer is a one-line error about that response.
pub fn error_body(data: &[u8]) {
    let parsed = parse_api_error(data);
    if parsed.code != 0 || !parsed.text.is_empty() {
        assert!(std::str::from_utf8(data).is_ok());
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let errors = [
        v2_user(200, text, &Redactor::NONE)
            .map(|(id, _)| assert!((1..=v2::MAX_USER_ID).contains(&id))),
        check_v2_follow_answer(200, text, &Redactor::NONE),
    ];
    for e in errors.into_iter().filter_map(Result::err) {
        assert_eq!(e.http_status, 200);
        assert!(e.message.starts_with("HTTP 200"), "{:?}", e.message);
        assert!(!e.message.contains('\n'), "{:?}", e.message);
    }
}

/// Response mapping: the first two bytes pick the HTTP status, the rest is the body.
/// Success only for 2xx with a JSON object, returned verbatim; failures carry the
/// status and a one-line message.
pub fn response_mapping(data: &[u8]) {
    let Some((status, body)) = data.split_first_chunk::<2>() else {
        return;
    };
    let status = 100 + u16::from_be_bytes(*status) % 500;
    match map_response(status, body.to_vec(), None, &Redactor::NONE) {
        Ok(json) => {
            assert!((200..300).contains(&status));
            assert_eq!(json.as_bytes(), body);
            // Valid JSON may hold numbers no f64 can represent (found by fuzzing:
            // `1e2222…`): the grammar allows them, and the body is passed on verbatim.
            match serde_json::from_str::<serde_json::Value>(&json) {
                Ok(value) => assert!(value.is_object()),
                Err(e) => assert!(e.to_string().starts_with("number out of range"), "{e}"),
            }
        }
        Err(e) => {
            assert_eq!(e.http_status, status);
            assert!(!e.message.contains('\n'), "{:?}", e.message);
            assert!(
                e.message.starts_with(&format!("HTTP {status}")),
                "{:?}",
                e.message
            );
            if (200..300).contains(&status) {
                assert_eq!(e.kind, ErrorKind::BadResponse);
            }
        }
    }
}

/// Reading the library's token JSON as fields: never panics; what it accepts has a
/// non-empty access token and an expiry of 0 or more, and reads back from its own
/// JSON unchanged; what it refuses is an invalid argument in one of its fixed words,
/// which quote nothing of the input (it holds secrets).
pub fn tokens_json(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Tokens::from_json(text) {
        Ok(tokens) => {
            assert!(!tokens.access_token.is_empty() && tokens.expires_at >= 0);
            assert!(tokens.refresh_token.as_ref().is_none_or(|t| !t.is_empty()));
            assert_eq!(Tokens::from_json(&tokens.to_json()).ok(), Some(tokens));
        }
        Err(e) => {
            assert_eq!(e.kind, ErrorKind::InvalidArgument);
            let what = e
                .message
                .strip_prefix("the tokens JSON ")
                .expect("its words");
            let fixed = [
                "is not a JSON object",
                "has no access_token",
                "has an empty access_token",
                "has an access_token that is not a string",
                "has a refresh_token that is neither a string nor null",
                "has an expires_at that is not a whole number",
                "has a scope that is not a string",
                "has a member holding a NUL character",
            ];
            let position = what
                .strip_prefix("is not valid JSON (line ")
                .and_then(|rest| rest.strip_suffix(')'))
                .is_some_and(|rest| {
                    rest.split_once(", column ").is_some_and(|(line, column)| {
                        line.parse::<usize>().is_ok() && column.parse::<usize>().is_ok()
                    })
                });
            assert!(
                position || fixed.iter().any(|f| what.starts_with(f)),
                "{:?}",
                e.message
            );
        }
    }
}
