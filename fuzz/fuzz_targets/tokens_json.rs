#![no_main]
// Invariants: twfollow::core::fuzzing::tokens_json (also replayed over the corpus by tests/fuzz_corpus.rs).
libfuzzer_sys::fuzz_target!(|data: &[u8]| twfollow::core::fuzzing::tokens_json(data));
