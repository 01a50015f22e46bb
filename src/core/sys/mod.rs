//! The bottom rank beside `error`: what the operating system gives (the clock, the
//! CSPRNG, fork awareness).

pub mod clock;
pub mod fork;
pub mod in_flight;
pub mod random;
