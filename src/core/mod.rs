//! The safe core: signing, target parsing, settings, the HTTP call and response
//! mapping. It knows nothing of C; `crate::ffi` adapts it.
//!
//! Ranked folders (docs/architecture.md): a module imports only from lower ranks.
//! From the bottom: `error` and `sys` (clock, CSPRNG, fork); `wire` (bytes and text);
//! `proto` (what Twitter's answers mean); `auth` (OAuth pieces, the session);
//! `settings` (plain data); `net` (transport, TLS, trace, bodies); `api` (the
//! client and the call sequence, the token store).
#![forbid(unsafe_code)]

pub mod api;
pub mod auth;
pub mod error;
pub mod net;
pub mod proto;
pub mod settings;
pub mod sys;
pub mod wire;

pub use api::request::requests_sent_on_this_thread;
pub use api::request::Client;
pub use api::store::{check_import_format, AccountSummary, ImportReport, Store};
pub use auth::oauth2::DEFAULT_SCOPE as OAUTH2_DEFAULT_SCOPE;
pub use auth::tokens::Tokens as OAuth2Tokens;
pub use error::{DayBudgets, Error, ErrorKind, Problem, RateLimit};
pub use proto::answer::Followed;
pub use proto::relationship::Relationship;
pub use proto::target::Target;
pub use settings::base_url::BaseUrl;
pub use settings::ca_file::CaFile;
pub use settings::hooks::{NameLookup, TraceHook, TraceKind};
pub use settings::proxy::ProxyChoice;
pub use settings::{Identity, Settings};
pub use sys::fork::{note_fork_in_child, note_fork_in_parent, note_fork_prepare};
pub use sys::held::close_held_in_child;
pub use sys::in_flight::count as refreshes_in_flight;
pub use wire::signer::{Credentials, OAuthNonce};
