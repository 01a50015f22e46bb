#![no_main]
// Invariants: twfollow::core::fuzzing::percent_encoding (also replayed over the corpus by tests/fuzz_corpus.rs).
libfuzzer_sys::fuzz_target!(|data: &[u8]| twfollow::core::fuzzing::percent_encoding(data));
