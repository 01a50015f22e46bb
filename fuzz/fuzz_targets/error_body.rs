#![no_main]
// Invariants: twfollow::core::fuzzing::error_body (also replayed over the corpus by tests/fuzz_corpus.rs).
libfuzzer_sys::fuzz_target!(|data: &[u8]| twfollow::core::fuzzing::error_body(data));
