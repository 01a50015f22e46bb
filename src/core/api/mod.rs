//! The top rank of the core: what an application keeps between calls and processes.
//! Today that is the token store ([`store`]).

pub mod store;
