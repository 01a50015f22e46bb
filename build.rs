//! Generates the C header from src/ffi with cbindgen.
//!
//! The fresh header goes to `$OUT_DIR/twfollow.h`; `tests/header.rs` fails when the
//! committed `include/twfollow.h` differs. Outside CI it is also copied to
//! `include/`, so a developer only has to commit it; in CI (`CI` set) the source
//! tree is never written.

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=src/ffi");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-env-changed=CI");
    let crate_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    let config =
        cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).expect("cbindgen.toml");
    let header = cbindgen::generate_with_config(&crate_dir, config)
        .expect("cbindgen could not generate the header");
    header.write_to_file(out_dir.join("twfollow.h"));
    if std::env::var_os("CI").is_none() {
        // cbindgen writes only when the text differs, so the committed file's time stays.
        header.write_to_file(crate_dir.join("include/twfollow.h"));
    }
}
