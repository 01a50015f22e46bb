//! What Twitter's answers mean, without I/O: refusals and their advice, targets,
//! API v2 shapes, relationships. Imports only `error`, `sys` and `wire`.

pub mod answer;
pub mod refusal;
pub mod relationship;
pub mod target;
pub mod v2;
