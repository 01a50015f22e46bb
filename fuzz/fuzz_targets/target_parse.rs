#![no_main]
// Invariants: twfollow::core::fuzzing::target_parse (also replayed over the corpus by tests/fuzz_corpus.rs).
libfuzzer_sys::fuzz_target!(|data: &[u8]| twfollow::core::fuzzing::target_parse(data));
