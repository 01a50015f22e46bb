#![no_main]
// Invariants: fuzz/invariants.rs response_mapping (also replayed over the corpus by tests/fuzz_corpus.rs).
#[path = "../invariants.rs"]
#[allow(dead_code)] // each target runs one of the checks
mod invariants;
libfuzzer_sys::fuzz_target!(|data: &[u8]| invariants::response_mapping(data));
