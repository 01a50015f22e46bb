//! Replays every committed fuzz corpus and crash input (fuzz/corpus, fuzz/regressions)
//! through the same invariant checks the fuzz targets run, so a found bug stays fixed
//! without needing cargo-fuzz.

use std::path::Path;

#[path = "../fuzz/invariants.rs"]
mod fuzzing;

fn replay(target: &str, check: fn(&[u8])) -> usize {
    let mut count = 0;
    for dir in ["fuzz/corpus", "fuzz/regressions"] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir).join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            check(&std::fs::read(&path).unwrap());
            count += 1;
        }
    }
    count
}

#[test]
fn corpora_pass_their_invariants() {
    for (target, check) in [
        ("target_parse", fuzzing::target_parse as fn(&[u8])),
        ("percent_encoding", fuzzing::percent_encoding),
        ("error_body", fuzzing::error_body),
        ("response_mapping", fuzzing::response_mapping),
        ("tokens_json", fuzzing::tokens_json),
    ] {
        let count = replay(target, check);
        assert!(count >= 3, "{target}: only {count} inputs");
        println!("{target}: {count} inputs replayed");
    }
}
