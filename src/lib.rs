pub mod core;
pub mod ffi;
