//! The safe core: signing, target parsing, settings, the HTTP call and response
//! mapping. It knows nothing of C; `crate::ffi` adapts it.
#![forbid(unsafe_code)]

pub mod api;
pub mod auth;
pub mod base_url;
pub mod client;
pub mod config;
pub mod error;
pub mod fork;
pub mod friendship;
#[doc(hidden)]
pub mod fuzzing;
pub mod httpdate;
pub mod proxy;
pub mod redact;
pub mod resolver;
pub mod response;
pub mod signer;
pub mod target;
pub mod tls;
pub mod trace;
pub mod transport;
pub mod v2;

pub use api::store::{ImportFormat, Store};
pub use auth::oauth2::DEFAULT_SCOPE as OAUTH2_DEFAULT_SCOPE;
pub use base_url::BaseUrl;
pub use client::{requests_sent_on_this_thread, Client};
pub use config::{ApiVersion, Identity, Settings};
pub use error::{DayBudgets, Error, ErrorKind, Problem, RateLimit, Window};
pub use fork::note_fork_in_child;
pub use friendship::Relationship;
pub use proxy::ProxyChoice;
pub use resolver::NameLookup;
pub use response::Followed;
pub use signer::{Credentials, OAuthNonce};
pub use target::Target;
pub use trace::{TraceHook, TraceKind};
pub use transport::CaFile;
