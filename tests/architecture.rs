//! The layout's rules, checked on the source tree (docs/architecture.md).

use std::fs;
use std::path::Path;

fn rust_files(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push((
                path.display().to_string(),
                fs::read_to_string(&path).unwrap(),
            ));
        }
    }
    out
}

#[test]
fn the_sandbox_never_depends_on_the_library_it_checks() {
    let manifest = fs::read_to_string("sandbox/Cargo.toml").unwrap();
    let deps = manifest
        .split("[dependencies]")
        .nth(1)
        .expect("a [dependencies] table");
    let deps = deps.split("\n[").next().unwrap();
    for line in deps.lines().filter(|l| !l.trim_start().starts_with('#')) {
        let name = line.split('=').next().unwrap().trim();
        assert!(!name.starts_with("twfollow"), "sandbox depends on {name}");
    }
    for (path, text) in rust_files(Path::new("sandbox/src")) {
        assert!(!text.contains("twfollow::"), "{path} uses the library");
    }
}

#[test]
fn the_core_is_safe_and_knows_nothing_of_c() {
    let core = fs::read_to_string("src/core/mod.rs").unwrap();
    assert!(core.contains("#![forbid(unsafe_code)]"));
    for (path, text) in rust_files(Path::new("src/core")) {
        assert!(
            !text.contains("use crate::ffi"),
            "{path} reaches into the FFI"
        );
        assert!(!text.contains("extern \"C\""), "{path} has a C export");
    }
}

#[test]
fn the_ffi_uses_only_the_cores_public_face() {
    let modules: Vec<String> = fs::read_dir("src/core")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter_map(|p| Some(p.file_stem()?.to_str()?.to_owned()))
        .filter(|m| m != "mod")
        .collect();
    for (path, text) in rust_files(Path::new("src/ffi")) {
        for module in &modules {
            let inner = format!("core::{module}::");
            assert!(!text.contains(&inner), "{path} reaches into {inner}");
        }
    }
}

#[test]
fn the_token_store_is_above_what_it_uses() {
    // api/ is the top rank of the core: it may use auth, config and the client, but
    // nothing below reaches up into it (auth sees the store through a trait).
    for (path, text) in rust_files(Path::new("src/core")) {
        if path.contains("src/core/api/") || path.ends_with("src/core/mod.rs") {
            continue;
        }
        assert!(
            !text.contains("core::api") && !text.contains("super::api"),
            "{path} reaches up into the token store"
        );
    }
}
