//! `cargo xtask publish-check`: every crate meant for crates.io is ready to publish, and each
//! package builds its tests from its own files.
//!
//! `cargo package` verifies that a package's library and binaries build, not its tests, benches or
//! metadata: a test that `include_str!`s `../../../docs/...`, a dev-dependency on an unpublished
//! crate (cargo drops a version-less one), a missing license file or README all pass it and break
//! later, on crates.io or for whoever runs the packaged tests. This check reads `cargo metadata`
//! and the crates' sources and says what is wrong, in a second.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::copies::LICENSES;

/// crates.io's category slugs (<https://crates.io/category_slugs>) that a crate here may use.
const CATEGORIES: &[&str] = &[
    "accessibility",
    "algorithms",
    "api-bindings",
    "asynchronous",
    "authentication",
    "caching",
    "command-line-interface",
    "command-line-utilities",
    "compression",
    "concurrency",
    "config",
    "cryptography",
    "data-structures",
    "database",
    "date-and-time",
    "development-tools",
    "development-tools::build-utils",
    "development-tools::debugging",
    "development-tools::testing",
    "email",
    "encoding",
    "filesystem",
    "finance",
    "mathematics",
    "network-programming",
    "no-std",
    "parser-implementations",
    "parsing",
    "rust-patterns",
    "text-processing",
    "value-formatting",
    "web-programming",
    "web-programming::http-client",
    "web-programming::http-server",
    "web-programming::websocket",
];

/// Runs the check under `root`; returns the exit code (0 ready, 1 problems, 2 could not run).
pub fn run(root: &Path) -> u8 {
    let metadata = match metadata(root) {
        Ok(metadata) => metadata,
        Err(message) => {
            eprintln!("error: {message}");
            return 2;
        }
    };
    let problems = check(&metadata);
    if problems.is_empty() {
        println!(
            "publish-check: ok ({} crates to publish)",
            published(&metadata).len()
        );
        return 0;
    }
    println!("publish-check: {} problem(s):", problems.len());
    for problem in &problems {
        println!("  {problem}");
    }
    1
}

fn metadata(root: &Path) -> Result<Value, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--manifest-path",
        ])
        .arg(root.join("Cargo.toml"))
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    serde_json::from_slice(&output.stdout).map_err(|e| format!("cargo metadata: {e}"))
}

/// The workspace members meant for crates.io (`publish` not `false`).
fn published(metadata: &Value) -> BTreeSet<&str> {
    packages(metadata)
        .filter(|p| !matches!(p.get("publish"), Some(Value::Array(a)) if a.is_empty()))
        .filter_map(|p| p["name"].as_str())
        .collect()
}

fn packages(metadata: &Value) -> impl Iterator<Item = &Value> {
    metadata["packages"].as_array().into_iter().flatten()
}

/// Every problem of every crate to publish, as `<crate>: <what>`.
pub fn check(metadata: &Value) -> Vec<String> {
    let published = published(metadata);
    let mut problems = Vec::new();
    for package in packages(metadata) {
        let name = package["name"].as_str().unwrap_or("?");
        if !published.contains(name) {
            continue;
        }
        let dir = package["manifest_path"]
            .as_str()
            .and_then(|m| Path::new(m).parent())
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let mut found = check_manifest(package, &published, &|file| dir.join(file).is_file());
        for file in rust_files(&dir) {
            let text = fs::read_to_string(&file).unwrap_or_default();
            let shown = file
                .strip_prefix(&dir)
                .unwrap_or(&file)
                .display()
                .to_string();
            found.extend(
                outside_reads(&dir, &file, &text)
                    .into_iter()
                    .map(|p| format!("{shown}: {p}")),
            );
        }
        problems.extend(found.into_iter().map(|p| format!("{name}: {p}")));
    }
    problems
}

/// The manifest's problems: metadata crates.io shows, the files the package must contain, the
/// dependencies its package can resolve, and its features.
pub fn check_manifest(
    package: &Value,
    published: &BTreeSet<&str>,
    exists: &dyn Fn(&str) -> bool,
) -> Vec<String> {
    let mut problems = Vec::new();
    let name = package["name"].as_str().unwrap_or("?");
    let text = |key: &str| package[key].as_str().filter(|s| !s.trim().is_empty());
    for key in ["description", "license", "repository", "homepage"] {
        if text(key).is_none() {
            problems.push(format!("no `{key}`"));
        }
    }
    let docs = format!("https://docs.rs/{name}");
    if text("documentation") != Some(docs.as_str()) {
        problems.push(format!("`documentation` is not {docs:?}"));
    }
    match text("readme") {
        None => problems.push("no `readme`".to_owned()),
        Some(readme) if !exists(readme) => problems.push(format!("readme {readme} does not exist")),
        Some(_) => {}
    }
    for license in LICENSES {
        if !exists(license) {
            problems.push(format!(
                "no {license} in the crate (cargo packages only the crate's directory; \
                 `cargo xtask codegen` copies it)"
            ));
        }
    }
    let keywords = strings(&package["keywords"]);
    if keywords.is_empty() || keywords.len() > 5 {
        problems.push(format!(
            "{} keywords (crates.io takes 1 to 5)",
            keywords.len()
        ));
    }
    for keyword in keywords {
        let valid = keyword.len() <= 20
            && keyword.starts_with(|c: char| c.is_ascii_alphabetic())
            && keyword
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+'));
        if !valid {
            problems.push(format!("keyword {keyword:?} is not valid on crates.io"));
        }
    }
    let categories = strings(&package["categories"]);
    if categories.is_empty() {
        problems.push("no `categories`".to_owned());
    }
    for category in categories {
        if !CATEGORIES.contains(&category) {
            problems.push(format!("category {category:?} is not a crates.io slug"));
        }
    }
    if let Some(version) = text("rust_version") {
        problems.push(format!(
            "declares rust-version {version}, which no CI step checks (remove it, or build with \
             that toolchain in CI)"
        ));
    }
    for dep in package["dependencies"].as_array().into_iter().flatten() {
        let Some(dep_name) = dep["name"].as_str() else {
            continue;
        };
        if dep["path"].is_null() {
            continue;
        }
        let kind = dep["kind"].as_str().unwrap_or("normal");
        if dep_name == name {
            // A dev-dependency on itself (to turn on its own features in its tests) cannot be
            // resolved from a registry: it must stay version-less, and cargo drops it.
            if dep["req"].as_str().is_some_and(|r| r != "*") {
                problems.push(format!(
                    "{kind} dependency on itself has a version: `cargo package` looks for \
                     {name} in the registry and fails; give it a path only"
                ));
            }
            continue;
        }
        if dep["req"].as_str().is_none_or(|r| r == "*") {
            problems.push(format!(
                "{kind} dependency {dep_name} has a path but no version: `cargo publish` drops \
                 it and the packaged {} do not build",
                if kind == "dev" { "tests" } else { "crate" }
            ));
        } else if !published.contains(dep_name) {
            problems.push(format!(
                "{kind} dependency {dep_name} is not published (`publish = false`)"
            ));
        }
    }
    for (feature, enables) in package["features"].as_object().into_iter().flatten() {
        if strings(enables).contains(&"serde_json/arbitrary_precision") {
            problems.push(format!(
                "feature `{feature}` turns on serde_json/arbitrary_precision for everyone who \
                 enables it: a test switch in the public features"
            ));
        }
    }
    problems
}

fn strings(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

/// The `.rs` files of a crate that its package holds and compiles: `src`, `tests`, `benches`,
/// `examples`, and `build.rs`.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    for sub in ["src", "tests", "benches", "examples"] {
        walk(&dir.join(sub), &mut files);
    }
    if dir.join("build.rs").is_file() {
        files.push(dir.join("build.rs"));
    }
    files.sort();
    files
}

/// Files that `text` (the source at `file`, in the crate at `crate_dir`) includes or reads from
/// outside the crate: `include_str!`/`include_bytes!` of a path (the first string literal of the
/// invocation, also inside `concat!`), and `env!("CARGO_MANIFEST_DIR")` joined with `..`.
pub fn outside_reads(crate_dir: &Path, file: &Path, text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let base = file.parent().unwrap_or(crate_dir);
    for (number, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        for mac in ["include_str!(", "include_bytes!("] {
            let mut rest = code;
            while let Some(at) = rest.find(mac) {
                rest = &rest[at + mac.len()..];
                let Some(literal) = first_literal(rest) else {
                    continue;
                };
                if escapes(crate_dir, &base.join(literal)) {
                    problems.push(format!(
                        "line {}: {mac}{literal:?}) is outside the crate",
                        number + 1
                    ));
                }
            }
        }
        if let Some(at) = code.find("env!(\"CARGO_MANIFEST_DIR\")") {
            let rest = &code[at..];
            if let Some(literal) = rest.find(".join(").and_then(|j| first_literal(&rest[j..]))
                && escapes(crate_dir, &crate_dir.join(literal))
            {
                problems.push(format!(
                    "line {}: reads CARGO_MANIFEST_DIR/{literal}, outside the crate",
                    number + 1
                ));
            }
        }
    }
    problems
}

/// The first `"..."` literal (no escapes) in `text`, if it comes before any `;`.
fn first_literal(text: &str) -> Option<&str> {
    let start = text.find('"')?;
    if text[..start].contains(';') {
        return None;
    }
    let rest = &text[start + 1..];
    Some(&rest[..rest.find('"')?])
}

/// Whether `path` (lexically normalized) leaves `crate_dir`.
fn escapes(crate_dir: &Path, path: &Path) -> bool {
    let mut normal = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                if !normal.pop() {
                    return true;
                }
            }
            Component::CurDir => {}
            other => normal.push(other),
        }
    }
    !normal.starts_with(crate_dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(extra: Value) -> Value {
        let mut package = serde_json::json!({
            "name": "ahrvo-x",
            "description": "X.",
            "license": "MIT OR Apache-2.0",
            "repository": "https://github.com/ahrvo/ahrvo-rs",
            "homepage": "https://github.com/ahrvo/ahrvo-rs",
            "documentation": "https://docs.rs/ahrvo-x",
            "readme": "README.md",
            "keywords": ["ahrvo"],
            "categories": ["api-bindings"],
            "rust_version": null,
            "dependencies": [],
            "features": {},
        });
        for (key, value) in extra.as_object().unwrap() {
            package[key] = value.clone();
        }
        package
    }

    fn problems(extra: Value, files: &[&str]) -> Vec<String> {
        let published = BTreeSet::from(["ahrvo-x", "ahrvo-types"]);
        check_manifest(&package(extra), &published, &|f| files.contains(&f))
    }

    const ALL_FILES: &[&str] = &["README.md", "LICENSE-MIT", "LICENSE-APACHE"];

    #[test]
    fn a_complete_manifest_passes() {
        assert_eq!(
            problems(serde_json::json!({}), ALL_FILES),
            Vec::<String>::new()
        );
    }

    #[test]
    fn missing_metadata_and_files_are_named() {
        let found = problems(
            serde_json::json!({
                "documentation": null, "readme": null, "keywords": [], "categories": ["sdk"],
                "rust_version": "1.85",
            }),
            &["LICENSE-MIT"],
        )
        .join("\n");
        for expected in [
            "`documentation` is not \"https://docs.rs/ahrvo-x\"",
            "no `readme`",
            "no LICENSE-APACHE in the crate",
            "0 keywords",
            "category \"sdk\" is not a crates.io slug",
            "declares rust-version 1.85",
        ] {
            assert!(found.contains(expected), "{expected:?} in\n{found}");
        }
        assert!(!found.contains("LICENSE-MIT"), "{found}");
    }

    #[test]
    fn path_dependencies_must_be_versioned_and_published() {
        let dep = |name: &str, req: &str, kind: Value| serde_json::json!({"name": name, "req": req, "kind": kind, "path": "/w/crates/x"});
        let found = problems(
            serde_json::json!({"dependencies": [
                dep("ahrvo-testkit", "*", "dev".into()),
                dep("ahrvo-internal", "^0.1.0", Value::Null),
                dep("ahrvo-types", "^0.1.0", Value::Null),
                dep("ahrvo-x", "*", "dev".into()),
                dep("ahrvo-x", "^0.1.0", "dev".into()),
                {"name": "serde", "req": "^1", "kind": null, "path": null},
            ]}),
            ALL_FILES,
        );
        assert_eq!(found.len(), 3, "{found:#?}");
        assert!(found[0].starts_with("dev dependency ahrvo-testkit has a path but no version"));
        assert_eq!(
            found[1],
            "normal dependency ahrvo-internal is not published (`publish = false`)"
        );
        assert!(found[2].starts_with("dev dependency on itself has a version"));
    }

    #[test]
    fn a_feature_turning_on_arbitrary_precision_is_refused() {
        let found = problems(
            serde_json::json!({"features": {"default": [], "check": ["serde_json/arbitrary_precision"]}}),
            ALL_FILES,
        );
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(
            found[0].starts_with("feature `check` turns on"),
            "{found:#?}"
        );
    }

    #[test]
    fn reads_outside_the_crate_are_found() {
        let dir = Path::new("/w/crates/ahrvo-x");
        let file = dir.join("tests/wire.rs");
        let text = r#"
const A: &str = include_str!("../../../docs/openapi/examples/a.json");
const B: &str = include_str!("fixtures/b.json");
// include_str!("../../../in/a/comment.json")
macro_rules! f { ($n:literal) => { include_str!(concat!("../../../docs/", $n, ".json")) } }
const C: &[u8] = include_bytes!("../Cargo.toml");
fn d() -> PathBuf { Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi") }
fn e() -> PathBuf { Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures") }
"#;
        let found = outside_reads(dir, &file, text);
        assert_eq!(found.len(), 3, "{found:#?}");
        assert!(
            found[0].starts_with("line 2: include_str!(\"../../../docs/openapi/examples/a.json\")")
        );
        assert!(found[1].starts_with("line 5: include_str!(\"../../../docs/\")"));
        assert!(found[2].starts_with("line 7: reads CARGO_MANIFEST_DIR/../../docs/openapi"));
    }
}
