//! The layout's rules, checked on the source tree (docs/architecture.md).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

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

// ---- The import graph (docs/architecture.md, "Ranks") ----

/// The core's folders (and root modules) from the bottom up: a module may import
/// from its own rank (no circle) and from lower ones, never from a higher one.
const RANKS: &[&[&str]] = &[
    &["error"],
    &["sys"],
    &["wire"],
    &["proto"],
    &["auth"],
    &["settings"],
    &["net"],
    &["api"],
];

/// Longest source file: of the library or the sandbox in lines outside test modules,
/// of the bindings, scripts and benchmarks in lines.
const MAX_NON_TEST_LINES: usize = 500;

/// `text` without comments, string and char literals (their contents become spaces,
/// so a URL in a string is no path and a path in a comment is no import).
fn without_comments_and_strings(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let rest = &text[i..];
        if rest.starts_with("//") {
            let end = rest.find('\n').unwrap_or(rest.len());
            i += end;
        } else if rest.starts_with("/*") {
            let end = rest.find("*/").map_or(rest.len(), |e| e + 2);
            out.extend(rest[..end].chars().filter(|&c| c == '\n'));
            i += end;
        } else if rest.starts_with("r#\"") || rest.starts_with("r\"") || rest.starts_with("br\"") {
            let start = rest.find('r').unwrap() + 1;
            let hashes = rest[start..].bytes().take_while(|&b| b == b'#').count();
            let close = format!("\"{}", "#".repeat(hashes));
            let body = start + hashes + 1;
            let end = rest[body..]
                .find(&close)
                .map_or(rest.len(), |e| body + e + close.len());
            out.extend(
                rest[..end]
                    .chars()
                    .map(|c| if c == '\n' { '\n' } else { ' ' }),
            );
            i += end;
        } else if bytes[i] == b'"' {
            let mut j = i + 1;
            while j < bytes.len() && bytes[j] != b'"' {
                j += if bytes[j] == b'\\' { 2 } else { 1 };
            }
            let end = (j + 1).min(bytes.len());
            out.extend(
                text[i..end]
                    .chars()
                    .map(|c| if c == '\n' { '\n' } else { ' ' }),
            );
            i = end;
        } else if bytes[i] == b'\'' {
            // A char literal ('x', '\n', '\''), else a lifetime.
            let len = if let Some(escaped) = rest.strip_prefix("'\\") {
                escaped.find('\'').map(|e| e + 3)
            } else {
                rest[1..]
                    .char_indices()
                    .nth(1)
                    .filter(|&(_, c)| c == '\'')
                    .map(|(e, _)| e + 2)
            };
            match len {
                Some(len) => {
                    out.push_str(&" ".repeat(len));
                    i += len;
                }
                None => {
                    out.push('\'');
                    i += 1;
                }
            }
        } else {
            let c = rest.chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// `code` (already without comments and strings) without the items marked
/// `#[cfg(test)]` (their lines too, so what is left counts the non-test lines).
fn without_tests(code: &str) -> String {
    let mut out = String::new();
    let mut rest = code;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let item = &rest[at..];
        let end = match (item.find(';'), item.find('{')) {
            (Some(semi), Some(open)) if semi < open => semi + 1,
            (_, Some(open)) => {
                let mut depth = 0;
                let mut end = item.len();
                for (k, c) in item[open..].char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = open + k + 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                end
            }
            (Some(semi), None) => semi + 1,
            (None, None) => item.len(),
        };
        rest = &item[end..];
    }
    out.push_str(rest);
    out
}

/// The module a file under src/ is: `core::wire::signer`, `core::settings`, `ffi`.
fn module_of(path: &Path) -> Vec<String> {
    let rel = path.strip_prefix("src").unwrap();
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_str().unwrap().trim_end_matches(".rs").to_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The paths a `use` tree names: `a::{b, c::{d, self}}` gives a::b, a::c::d, a::c.
fn expand_use(tree: &str) -> Vec<Vec<String>> {
    fn split_top(list: &str) -> Vec<&str> {
        let (mut depth, mut start, mut out) = (0, 0, Vec::new());
        for (i, c) in list.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    out.push(&list[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        out.push(&list[start..]);
        out
    }
    // Drop renames (`x as y`), then the spaces.
    let mut words = Vec::new();
    let mut tokens = tree.split_whitespace();
    while let Some(token) = tokens.next() {
        if token == "as" {
            let renamed = tokens.next().unwrap_or("");
            // What follows the new name (`,`, `}`) stays.
            words.push(renamed.trim_start_matches(is_ident));
        } else {
            words.push(token);
        }
    }
    let tree: String = words.concat();
    let mut out = Vec::new();
    let Some(open) = tree.find('{') else {
        let mut segs: Vec<String> = tree.split("::").map(str::to_owned).collect();
        if segs.last().is_some_and(|s| s == "self" || s == "*") {
            segs.pop();
        }
        if !segs.is_empty() && !segs[0].is_empty() {
            out.push(segs);
        }
        return out;
    };
    let prefix = tree[..open].trim_end_matches("::");
    let inner = &tree[open + 1..tree.rfind('}').unwrap()];
    for part in split_top(inner) {
        if part.is_empty() {
            continue;
        }
        let joined = if prefix.is_empty() {
            part.to_owned()
        } else {
            format!("{prefix}::{part}")
        };
        out.extend(expand_use(&joined));
    }
    out
}

/// Every module a file's non-test code names through `use crate::`, `use super::`,
/// `use self::`, a `use` of a child module, or an inline `crate::`/`super::` path.
fn imports_of(
    module: &[String],
    is_folder: bool,
    code: &str,
    modules: &BTreeSet<Vec<String>>,
) -> BTreeSet<Vec<String>> {
    // The module `super` means: a mod.rs file's parent is one folder up.
    let parent: Vec<String> = module[..module.len().saturating_sub(1)].to_vec();
    let resolve = |segs: &[String]| -> Option<Vec<String>> {
        let mut base: Vec<String> = match segs.first()?.as_str() {
            "crate" => Vec::new(),
            "super" => parent.clone(),
            "self" => module.to_vec(),
            first => {
                let mut child = module.to_vec();
                child.push(first.to_owned());
                if !modules.contains(&child) {
                    return None;
                }
                module.to_vec()
            }
        };
        let mut rest = &segs[1..];
        if segs[0] != "crate" && segs[0] != "super" && segs[0] != "self" {
            rest = segs;
        }
        while rest.first().is_some_and(|s| s == "super") {
            base.pop();
            rest = &rest[1..];
        }
        for seg in rest {
            let mut next = base.clone();
            next.push(seg.clone());
            if !modules.contains(&next) {
                break;
            }
            base = next;
        }
        Some(base)
    };
    let _ = is_folder;
    let mut found = BTreeSet::new();
    // `use` statements (braces expanded).
    let mut uses_removed = String::new();
    let mut rest = code;
    while let Some(at) = find_word(rest, "use") {
        uses_removed.push_str(&rest[..at]);
        let stmt = &rest[at + 3..];
        let end = stmt.find(';').unwrap_or(stmt.len());
        for path in expand_use(&stmt[..end]) {
            if let Some(target) = resolve(&path) {
                found.insert(target);
            }
        }
        rest = &stmt[(end + 1).min(stmt.len())..];
    }
    uses_removed.push_str(rest);
    // Inline paths.
    for start_word in ["crate", "super"] {
        let mut rest = uses_removed.as_str();
        while let Some(at) = find_word(rest, start_word) {
            let tail = &rest[at..];
            let len = tail
                .char_indices()
                .find(|&(_, c)| !(is_ident(c) || c == ':'))
                .map_or(tail.len(), |(i, _)| i);
            let segs: Vec<String> = tail[..len]
                .split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            if segs.len() > 1 {
                if let Some(target) = resolve(&segs) {
                    found.insert(target);
                }
            }
            rest = &tail[len.max(1)..];
        }
    }
    found.remove(module);
    found
}

/// Where `word` starts as a whole word in `text`.
fn find_word(text: &str, word: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(at) = text[from..].find(word) {
        let at = from + at;
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        if !before.is_some_and(|c| is_ident(c) || c == ':') && !after.is_some_and(is_ident) {
            return Some(at);
        }
        from = at + word.len();
    }
    None
}

struct Graph {
    edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
    lines: BTreeMap<String, usize>,
}

fn import_graph() -> Graph {
    let files: Vec<(PathBuf, String)> = ["src/core", "src/ffi"]
        .iter()
        .flat_map(|d| rust_files(Path::new(d)))
        .map(|(p, t)| (PathBuf::from(p), t))
        .chain(std::iter::once((
            PathBuf::from("src/lib.rs"),
            fs::read_to_string("src/lib.rs").unwrap(),
        )))
        .collect();
    let modules: BTreeSet<Vec<String>> = files.iter().map(|(p, _)| module_of(p)).collect();
    let mut edges = BTreeMap::new();
    let mut lines = BTreeMap::new();
    for (path, text) in &files {
        let module = module_of(path);
        let code = without_tests(&without_comments_and_strings(text));
        lines.insert(path.display().to_string(), code.lines().count());
        let is_folder = path.ends_with("mod.rs");
        edges.insert(
            module.clone(),
            imports_of(&module, is_folder, &code, &modules),
        );
    }
    Graph { edges, lines }
}

fn name(module: &[String]) -> String {
    if module.is_empty() {
        "crate".to_owned()
    } else {
        module.join("::")
    }
}

/// The strongly connected components with more than one module (Tarjan).
fn circles(edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Vec<Vec<String>> {
    struct State<'a> {
        edges: &'a BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        index: BTreeMap<&'a Vec<String>, usize>,
        low: BTreeMap<&'a Vec<String>, usize>,
        stack: Vec<&'a Vec<String>>,
        on_stack: BTreeSet<&'a Vec<String>>,
        next: usize,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a Vec<String>) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on_stack.insert(v);
        let empty = BTreeSet::new();
        let targets = s.edges.get(v).unwrap_or(&empty);
        for w in targets {
            let Some((w, _)) = s.edges.get_key_value(w) else {
                continue;
            };
            if !s.index.contains_key(w) {
                visit(s, w);
                let low = s.low[v].min(s.low[w]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w) {
                let low = s.low[v].min(s.index[w]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            loop {
                let w = s.stack.pop().unwrap();
                s.on_stack.remove(w);
                component.push(name(w));
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.found.push(component);
            }
        }
    }
    let mut s = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        found: Vec::new(),
    };
    for v in edges.keys() {
        if !s.index.contains_key(v) {
            visit(&mut s, v);
        }
    }
    s.found
}

/// The rank of a core module (its folder's, or its own at the root); `None` for
/// the core's face (`core`, which re-exports every rank) and anything outside.
fn rank(module: &[String]) -> Option<usize> {
    if module.first().is_none_or(|m| m != "core") {
        return None;
    }
    let top = module.get(1)?;
    RANKS.iter().position(|rank| rank.contains(&top.as_str()))
}

#[test]
fn the_parser_sees_what_a_reader_sees() {
    let code = without_tests(&without_comments_and_strings(
        "use a::{b, c::{d, self}};\n// use crate::x::y;\nlet s = \"crate::z::w\";\nlet c = '\"'; fn f<'a>() {}\n#[cfg(test)]\nmod tests { use crate::t::u; }\nlet v = super::q::r();\n",
    ));
    assert!(!code.contains("crate::x") && !code.contains("crate::z") && !code.contains("crate::t"));
    assert!(code.contains("super::q::r") && code.contains("fn f<'a>"));
    let paths = expand_use("crate::a::{b as last, c::{d, self}}");
    let joined: Vec<String> = paths.iter().map(|p| p.join("::")).collect();
    assert_eq!(joined, ["crate::a::b", "crate::a::c::d", "crate::a::c"]);
    let modules: BTreeSet<Vec<String>> = ["core", "core::a", "core::a::b", "core::c"]
        .iter()
        .map(|m| m.split("::").map(str::to_owned).collect())
        .collect();
    let me: Vec<String> = vec!["core".into(), "a".into(), "b".into()];
    let found = imports_of(
        &me,
        false,
        "use super::X;\nfn f() { crate::core::c::g(); }\n",
        &modules,
    );
    let found: Vec<String> = found.iter().map(|m| name(m)).collect();
    assert_eq!(found, ["core::a", "core::c"]);
    let mut edges = BTreeMap::new();
    edges.insert(vec!["x".to_owned()], BTreeSet::from([vec!["y".to_owned()]]));
    edges.insert(vec!["y".to_owned()], BTreeSet::from([vec!["x".to_owned()]]));
    edges.insert(vec!["z".to_owned()], BTreeSet::from([vec!["x".to_owned()]]));
    assert_eq!(circles(&edges), [vec!["x".to_owned(), "y".to_owned()]]);
}

#[test]
fn a_core_module_imports_only_from_its_rank_and_below() {
    let graph = import_graph();
    let mut wrong = Vec::new();
    for (from, targets) in &graph.edges {
        let Some(from_rank) = rank(from) else {
            continue;
        };
        for to in targets {
            let ok = rank(to).is_some_and(|to_rank| to_rank <= from_rank);
            if !ok {
                wrong.push(format!("{} -> {}", name(from), name(to)));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the ranks:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_module_imports_in_a_circle() {
    let graph = import_graph();
    let found = circles(&graph.edges);
    assert!(
        found.is_empty(),
        "import circles:\n{}",
        found
            .iter()
            .map(|c| c.join(", "))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn no_source_file_is_over_500_lines_of_non_test_code() {
    let mut graph = import_graph();
    for (path, text) in rust_files(Path::new("sandbox/src")) {
        let code = without_tests(&without_comments_and_strings(&text));
        graph.lines.insert(path, code.lines().count());
    }
    let long: Vec<String> = graph
        .lines
        .iter()
        .filter(|(_, &n)| n > MAX_NON_TEST_LINES)
        .map(|(path, n)| format!("{path}: {n} lines"))
        .collect();
    assert!(
        long.is_empty(),
        "files over {MAX_NON_TEST_LINES} lines of non-test code:\n{}",
        long.join("\n")
    );
}

/// Every other source file that ships or builds: the C tool and its parts, the C++
/// wrapper, the Python package, the scripts and the benchmarks (their tests aside).
fn other_sources(dir: &Path, out: &mut Vec<(String, usize)>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.display().to_string();
        if path.is_dir() {
            if !name.ends_with("/tests") && !name.ends_with("__pycache__") {
                other_sources(&path, out);
            }
        } else if ["c", "h", "hpp", "py", "sh", "rs"]
            .iter()
            .any(|e| path.extension().is_some_and(|x| x == *e))
        {
            out.push((name, fs::read_to_string(&path).unwrap().lines().count()));
        }
    }
}

#[test]
fn no_binding_script_or_benchmark_is_over_500_lines() {
    let mut files = Vec::new();
    for dir in ["bindings/c", "bindings/python/twfollow", "scripts", "bench"] {
        other_sources(Path::new(dir), &mut files);
    }
    assert!(files.iter().any(|(path, _)| path.ends_with("tw-follow.c")));
    let long: Vec<String> = files
        .iter()
        .filter(|(_, n)| *n > MAX_NON_TEST_LINES)
        .map(|(path, n)| format!("{path}: {n} lines"))
        .collect();
    assert!(
        long.is_empty(),
        "files over {MAX_NON_TEST_LINES} lines (split them by concern):\n{}",
        long.join("\n")
    );
}

#[test]
fn every_core_folder_has_a_rank() {
    let graph = import_graph();
    let unranked: Vec<String> = graph
        .edges
        .keys()
        .filter(|m| m.len() >= 2 && m[0] == "core" && rank(m).is_none())
        .map(|m| name(m))
        .collect();
    assert!(
        unranked.is_empty(),
        "core modules outside the ranks (add their folder to RANKS and docs/architecture.md):\n{}",
        unranked.join("\n")
    );
}

// ---- The bindings: the Python package and the C tool (docs/architecture.md, "Ranks") ----

/// One-name modules for `circles`.
fn graph_of(
    edges: BTreeMap<String, BTreeSet<String>>,
) -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    edges
        .into_iter()
        .map(|(from, to)| (vec![from], to.into_iter().map(|t| vec![t]).collect()))
        .collect()
}

/// Python source without its comments and string literals (triple-quoted ones too), so
/// that an import in a docstring's example is no import.
fn python_code(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '#' {
            let end = rest.find('\n').unwrap_or(rest.len());
            rest = &rest[end..];
        } else if c == '"' || c == '\'' {
            let quote = if rest.starts_with("\"\"\"") || rest.starts_with("'''") {
                &rest[..3]
            } else {
                &rest[..1]
            };
            let mut i = quote.len();
            while i < rest.len() && !rest[i..].starts_with(quote) {
                i += if rest[i..].starts_with('\\') { 2 } else { 1 };
                while !rest.is_char_boundary(i.min(rest.len())) {
                    i += 1;
                }
            }
            let end = (i + quote.len()).min(rest.len());
            out.extend(rest[..end].chars().filter(|&c| c == '\n'));
            rest = &rest[end..];
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// The modules of the package a file imports, wherever the import stands (in a function or
/// under `if TYPE_CHECKING:` too): `from .m import x`, `from . import m`, `from twfollow.m
/// import x`, `import twfollow.m`; `__init__` for the package itself.
fn python_imports(code: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let statements = code.replace("\\\n", " ");
    let mut lines = statements.lines();
    while let Some(line) = lines.next() {
        let mut line = line.trim().to_owned();
        if line.contains('(') && !line.contains(')') {
            for more in lines.by_ref() {
                line.push(' ');
                line.push_str(more.trim());
                if more.contains(')') {
                    break;
                }
            }
        }
        let words: Vec<&str> = line
            .split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')')
            .filter(|w| !w.is_empty())
            .collect();
        let (from, names): (&str, &[&str]) = match words.as_slice() {
            ["from", from, "import", names @ ..] => (from, names),
            ["import", names @ ..] => ("", names),
            _ => continue,
        };
        let module_of = |path: &str| -> Option<String> {
            let path = path
                .strip_prefix("twfollow")
                .filter(|p| p.is_empty() || p.starts_with('.'))
                .unwrap_or(path);
            match path.strip_prefix('.') {
                Some("") => None,
                Some(name) => Some(name.split('.').next().unwrap().to_owned()),
                None if path.is_empty() => Some("__init__".to_owned()),
                None => None,
            }
        };
        if from.is_empty() {
            // `import twfollow.m as x`: the names are module paths.
            let mut names = names.iter();
            while let Some(name) = names.next() {
                if *name == "as" {
                    names.next();
                } else if name.starts_with("twfollow") {
                    found.extend(module_of(name));
                }
            }
        } else if from == "." || from == "twfollow" {
            // `from . import m, n as o`: each name a module of the package, else (a name
            // __init__ exports) the package itself.
            let mut names = names.iter();
            while let Some(name) = names.next() {
                if *name == "as" {
                    names.next();
                } else if modules.contains(*name) {
                    found.insert((*name).to_owned());
                } else if from == "twfollow" {
                    found.insert("__init__".to_owned());
                }
            }
        } else {
            found.extend(module_of(from));
        }
    }
    found
}

fn python_graph() -> BTreeMap<String, BTreeSet<String>> {
    let dir = Path::new("bindings/python/twfollow");
    let files: Vec<(String, String)> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "py"))
        .map(|p| {
            let stem = p.file_stem().unwrap().to_str().unwrap().to_owned();
            (stem, fs::read_to_string(&p).unwrap())
        })
        .collect();
    let modules: BTreeSet<String> = files.iter().map(|(m, _)| m.clone()).collect();
    files
        .iter()
        .map(|(module, text)| {
            let mut imports = python_imports(&python_code(text), &modules);
            imports.remove(module);
            (module.clone(), imports)
        })
        .collect()
}

/// The C tool's files (bindings/c/tw-follow.c and tw-follow/*.c), each without comments
/// and strings: (file name, code).
fn c_tool_files() -> Vec<(String, String)> {
    let mut paths = vec![PathBuf::from("bindings/c/tw-follow.c")];
    paths.extend(
        fs::read_dir("bindings/c/tw-follow")
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "c")),
    );
    paths
        .iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_str().unwrap().to_owned();
            (
                name,
                without_comments_and_strings(&fs::read_to_string(p).unwrap()),
            )
        })
        .collect()
}

/// `code` with everything inside braces blanked: what stands at file scope.
fn file_scope(code: &str) -> String {
    let mut depth = 0usize;
    code.chars()
        .map(|c| match c {
            '{' => {
                depth += 1;
                ' '
            }
            '}' => {
                depth = depth.saturating_sub(1);
                ' '
            }
            _ if depth > 0 && c != '\n' => ' ',
            _ => c,
        })
        .collect()
}

/// The names a file defines at file scope and shares (not `static`): each function with a
/// body and each variable with a value.
fn c_definitions(code: &str) -> BTreeSet<String> {
    let scope = file_scope(code);
    let mut found = BTreeSet::new();
    // File-scope statements end with `;` or at a function's body (blanked: two spaces or a
    // line end after `)`), so split on `;` and look at what each piece declares.
    for piece in code_pieces(code, &scope) {
        let head = piece.0.trim_start();
        if head.starts_with("static") || head.starts_with("extern") || head.starts_with('#') {
            continue;
        }
        let Some(open) = head.find(['(', '=']) else {
            continue;
        };
        let name: String = head[..open]
            .trim_end()
            .chars()
            .rev()
            .take_while(|&c| is_ident(c))
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let defines = head[open..].starts_with('=') || piece.1;
        if !name.is_empty() && defines {
            found.insert(name);
        }
    }
    found
}

/// The file-scope declarations of `code` with whether each has a body.
fn code_pieces<'a>(code: &'a str, scope: &str) -> Vec<(&'a str, bool)> {
    let mut pieces = Vec::new();
    let (mut start, mut depth) = (0, 0usize);
    let bytes = code.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'{' => {
                if depth == 0 {
                    pieces.push((&code[start..i], true));
                }
                depth += 1;
            }
            b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    start = i + 1;
                }
            }
            b';' if depth == 0 => {
                pieces.push((&code[start..i], false));
                start = i + 1;
            }
            b'\n' if depth == 0 && scope[start..i].trim_start().starts_with('#') => {
                start = i + 1;
            }
            _ => {}
        }
    }
    // A struct or enum at file scope is a piece with a body but no `(`: not a definition.
    pieces
        .into_iter()
        .map(|(p, body)| (p, body && p.contains('(')))
        .collect()
}

/// Which file of the C tool uses a name another defines: file -> files it depends on.
fn c_tool_graph() -> BTreeMap<String, BTreeSet<String>> {
    let files = c_tool_files();
    let defined: Vec<(String, BTreeSet<String>)> = files
        .iter()
        .map(|(name, code)| (name.clone(), c_definitions(code)))
        .collect();
    files
        .iter()
        .map(|(name, code)| {
            let uses: BTreeSet<String> = defined
                .iter()
                .filter(|(other, names)| {
                    other != name && names.iter().any(|n| find_word(code, n).is_some())
                })
                .map(|(other, _)| other.clone())
                .collect();
            (name.clone(), uses)
        })
        .collect()
}

#[test]
fn the_binding_parsers_see_what_a_reader_sees() {
    let modules: BTreeSet<String> = ["a", "b", "c", "d", "e"].map(str::to_owned).into();
    let code = python_code(
        "\"\"\"import twfollow\nfrom .e import x\"\"\"\nfrom . import a, b as bee\nfrom .c import (\n    y,\n)\n# from .e import z\ndef f():\n    import twfollow.d as dee\n",
    );
    let found: Vec<String> = python_imports(&code, &modules).into_iter().collect();
    assert_eq!(found, ["a", "b", "c", "d"]);
    let code = without_comments_and_strings(
        "#include \"cli.h\"\nstatic int hidden(void) { return 1; }\nconst char *shared = \"x\";\nint used(int a);\nint body(int a) {\n    return used(a) + hidden(); /* other() */\n}\nstruct s { int (*f)(void); };\n",
    );
    let defined: Vec<String> = c_definitions(&code).into_iter().collect();
    assert_eq!(defined, ["body", "shared"]);
}

#[test]
fn no_module_of_the_python_package_imports_in_a_circle() {
    let graph = python_graph();
    assert!(graph.contains_key("_native") && graph.contains_key("client"));
    let found = circles(&graph_of(graph.clone()));
    assert!(
        found.is_empty(),
        "import circles in the Python package: {found:?}"
    );
    // The low module: the loaded library and its C types, on which the others stand.
    assert!(
        graph["_native"].is_empty(),
        "_native imports {:?}",
        graph["_native"]
    );
    let up: Vec<&String> = graph
        .iter()
        .filter(|(module, imports)| *module != "__main__" && imports.contains("__init__"))
        .map(|(module, _)| module)
        .collect();
    assert!(
        up.is_empty(),
        "modules importing the package's __init__: {up:?}"
    );
}

#[test]
fn no_file_of_the_c_tool_uses_another_in_a_circle() {
    let graph = c_tool_graph();
    assert!(
        graph["tw-follow.c"].contains("output.c"),
        "the parser sees no use: {graph:?}"
    );
    let found = circles(&graph_of(graph.clone()));
    assert!(
        found.is_empty(),
        "files of tw-follow that use each other: {found:?}"
    );
    // The command (main, the dispatch) is the top: no verb or helper uses it.
    let up: Vec<&String> = graph
        .iter()
        .filter(|(_, uses)| uses.contains("tw-follow.c"))
        .map(|(file, _)| file)
        .collect();
    assert!(up.is_empty(), "files using tw-follow.c: {up:?}");
}
