//! The bottom rank beside `error`: what the operating system gives (the clock, the
//! CSPRNG, fork awareness, the registry of held lock descriptors).

pub mod clock;
pub mod fork;
pub mod held;
pub mod in_flight;
pub mod random;
