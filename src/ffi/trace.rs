//! The wire trace: `tw_config_set_trace` and the kinds of line it reports.

use std::sync::Arc;

use super::boundary::*;
use super::config::{field, set, TwConfig};
use crate::core::{TraceHook, TraceKind};

/// What a trace line shows; a `TwTraceCallback` receives it as `int32_t` (a newer
/// library may add kinds: treat an unknown number like `TW_TRACE_KIND_INFO`).
/// Numbers never change and are never reused.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TwTraceKind {
    /// The request line as sent, e.g. `POST /1.1/friendships/create.json HTTP/1.1`
    /// (`CONNECT host:port HTTP/1.1` to an HTTP proxy).
    RequestLine = 0,
    /// One request header as sent, e.g. `authorization: OAuth oauth_consumer_key="…",
    /// …, oauth_signature="…"`. OAuth 1.0a headers are shown whole (key, token, nonce,
    /// timestamp and signature are not secrets); any other credentials (Bearer, Basic,
    /// a proxy's) by scheme and length only, a Bearer token of 16 characters or more
    /// also by its first 4.
    RequestHeader = 1,
    /// The exact OAuth 1.0a signature base string that was signed for this request
    /// (RFC 5849 3.4.1): compare it with the server's to find why a signature is refused.
    BaseString = 2,
    /// The response status line, e.g. `HTTP/1.1 401 Unauthorized` (the standard reason
    /// phrase for the code).
    ResponseStatus = 3,
    /// One response header, name in lowercase, e.g. `content-type: application/json`.
    /// A gzip body is decoded on arrival, and its `content-encoding` and
    /// `content-length` headers are not shown.
    ResponseHeader = 4,
    /// One line of the first 1024 bytes of a non-2xx response body (after gzip
    /// decoding). 2xx bodies are not traced.
    ResponseBody = 5,
    /// A note from the library: a new connection (and the proxy it goes through, its
    /// password redacted), a credential with white space at its start or end (which
    /// one, not its value), a retry and its delay, a clock correction, the failure a
    /// request ended with, a cut body.
    Info = 6,
}

/// Receives one trace line: `kind` is a `TwTraceKind` number, `line` one line of
/// UTF-8 text without its line ending, control characters escaped (`\u{1b}`).
///
/// Runs on the thread making the call, while the call runs: when several threads call
/// on one config it runs on several threads at once, and their lines interleave (each
/// call's own lines come in order). A call on the same config from inside it is
/// refused at once with `TW_STATUS_REENTERED` ("called from inside this config's
/// trace hook"), nothing sent, and `tw_config_free` of it does nothing; calls on
/// other configs work. `line` is valid only during the call.
pub type TwTraceCallback =
    Option<unsafe extern "C" fn(user_data: *mut c_void, kind: i32, line: *const c_char)>;

/// Sets (or, with a NULL `callback`, removes) the wire trace of this config: every
/// request of every later call on it — follows, the API v2 user lookup, retries,
/// clock-skew retries, token requests and refreshes — reports what it sent and what
/// came back, one line per callback call (see `TwTraceKind` for what each kind holds,
/// and `TwTraceCallback` for the thread rules). `user_data` is passed to it as is.
/// Off by default; without a callback nothing is formatted.
///
/// Never in a line: the consumer secret, the access-token secret, a request-token
/// secret, an OAuth 2.0 access or refresh token (a Bearer token shows its first 4
/// characters and its length), a client secret, or a proxy password — raw,
/// percent-encoded, form-encoded, JSON-escaped, or base64 inside Basic credentials,
/// wherever a server echoes them. The consumer key, access token, nonce, timestamp
/// and signature are shown: they are what a refusal is debugged with. A line may
/// show what the API sent back about your account (a non-2xx body).
///
/// Returns `TW_STATUS_NULL_ARGUMENT` (`config`).
/// Thread rules: a setter: no other call on this config may run at the same time.
/// Reads the proxy environment variables (see `tw_config_new`): do not call while
/// another thread changes the environment.
///
/// # Safety
/// `config` is NULL or a live config; `callback` and `user_data` stay usable, from
/// any thread, while the config lives or until the trace is removed.
#[no_mangle]
pub unsafe extern "C" fn tw_config_set_trace(
    config: *mut TwConfig,
    callback: TwTraceCallback,
    user_data: *mut c_void,
) -> TwStatus {
    let address = config as usize;
    // An address is Send: the caller promises that the callback may run on any thread
    // that calls into the config, with this user_data.
    let user_data = user_data as usize;
    let hook = move || {
        Ok(callback.map(|callback| {
            Arc::new(move |kind: TraceKind, line: &str| {
                call_back(address, "trace hook", line, |text| {
                    // SAFETY: as promised to tw_config_set_trace; the line lives during
                    // the call.
                    unsafe { callback(user_data as *mut c_void, kind as i32, text) }
                })
            }) as TraceHook
        }))
    };
    set(config, hook, field(|settings| &mut settings.trace))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_trace_kind_is_passed_as_its_tw_trace_kind() {
        use {TraceKind as K, TwTraceKind as C};
        for (kind, number) in [
            (K::RequestLine, C::RequestLine),
            (K::RequestHeader, C::RequestHeader),
            (K::BaseString, C::BaseString),
            (K::ResponseStatus, C::ResponseStatus),
            (K::ResponseHeader, C::ResponseHeader),
            (K::ResponseBody, C::ResponseBody),
            (K::Info, C::Info),
        ] {
            assert_eq!(kind as i32, number as i32, "{kind:?}");
        }
    }
}
