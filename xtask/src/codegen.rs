//! `cargo xtask codegen [--check]`: generate from the spec, write it, or check for drift.
//!
//! Generation is pure (spec in, file contents out) and happens in memory, so writing and
//! checking share one code path: `--check` is "generate, then compare instead of write", plus
//! the check that keeps the spec and its example fixtures in step. That every operation has its
//! method is not checked here: the generated `mod.rs` of each domain crate names them, so the
//! compiler checks it.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::spec::{Spec, SpecError};
use crate::{copies, diff, examples, models, operations, rustfmt, schema};

/// The spec, relative to the workspace root.
pub const SPEC_PATH: &str = "docs/openapi/ahrvo.json";
/// The 200-reply fixtures, relative to the workspace root.
pub const EXAMPLES_DIR: &str = "docs/openapi/examples";
/// Where the models go, relative to the workspace root.
const TYPES_DIR: &str = "crates/ahrvo-types/src/generated";

/// Why codegen could not run at all (exit code 2).
#[derive(Debug)]
pub enum Fatal {
    /// The spec breaks the conventions.
    Spec(Vec<SpecError>),
    /// Reading, formatting or writing failed.
    Other(String),
}

impl From<Vec<SpecError>> for Fatal {
    fn from(errors: Vec<SpecError>) -> Self {
        Fatal::Spec(errors)
    }
}

/// The generated files, by path relative to the workspace root (always `/`-separated).
#[derive(Debug, Default)]
pub struct Generated {
    /// Path → formatted contents.
    pub files: BTreeMap<String, String>,
    /// The directories codegen owns entirely.
    pub dirs: Vec<String>,
}

/// A spec that passed validation, with what it generates.
#[derive(Debug)]
pub struct Api {
    /// The document.
    pub spec: Spec,
    /// Models to generate.
    pub items: Vec<schema::Item>,
    /// Operations, in spec order.
    pub operations: Vec<operations::Operation>,
}

/// Parses and validates the spec text, reporting every problem at once.
pub fn parse_api(text: &str) -> Result<Api, Vec<SpecError>> {
    let spec = Spec::parse(text).map_err(|e| vec![e])?;
    let mut errors = spec.unresolved_refs();
    errors.extend(spec.numbers());
    if !errors.is_empty() {
        return Err(errors);
    }
    let items = schema::collect_items(&spec.root);
    let operations = operations::collect(&spec.root);
    match (items, operations) {
        (Ok(items), Ok(operations)) => Ok(Api {
            spec,
            items,
            operations,
        }),
        (items, operations) => Err(items
            .err()
            .into_iter()
            .chain(operations.err())
            .flatten()
            .collect()),
    }
}

/// Every generated file, formatted by rustfmt (run in `workspace`).
pub fn generate(api: &Api, workspace: &Path) -> Result<Generated, Fatal> {
    let mut generated = Generated::default();
    let mut add = |path: String, source: String| -> Result<(), Fatal> {
        let formatted = rustfmt::format(&source, workspace).map_err(Fatal::Other)?;
        generated.files.insert(path, formatted);
        Ok(())
    };
    for item in &api.items {
        add(
            format!("{TYPES_DIR}/{}.rs", item.module),
            models::render_item(item),
        )?;
    }
    add(
        format!("{TYPES_DIR}/mod.rs"),
        models::render_mod(&api.items),
    )?;
    let tags = operations::tags(&api.operations);
    for tag in &tags {
        let dir = tag_dir(tag);
        add(
            format!("{dir}/mod.rs"),
            operations::render_mod(tag, &api.operations),
        )?;
        add(
            format!("{dir}/operations.rs"),
            operations::render_table(tag, &api.operations),
        )?;
    }
    generated.dirs = std::iter::once(TYPES_DIR.to_owned())
        .chain(tags.iter().map(|t| tag_dir(t)))
        .collect();
    Ok(generated)
}

fn tag_dir(tag: &str) -> String {
    format!("crates/ahrvo-{tag}/src/generated")
}

/// How a file on disk differs from the generated one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drift {
    /// Contents differ: the unified diff.
    Changed(String),
    /// Would be generated but is absent.
    Missing,
    /// Present in a generated directory but would not be generated.
    Extra,
}

/// Compares the generated files with those under `root`.
pub fn drift(root: &Path, generated: &Generated) -> BTreeMap<String, Drift> {
    let mut drifts = BTreeMap::new();
    for (path, contents) in &generated.files {
        match fs::read_to_string(root.join(path)) {
            Ok(on_disk) if &on_disk == contents => {}
            Ok(on_disk) => {
                drifts.insert(
                    path.clone(),
                    Drift::Changed(diff::unified(path, &on_disk, contents)),
                );
            }
            Err(_) => {
                drifts.insert(path.clone(), Drift::Missing);
            }
        }
    }
    for path in extra_files(root, generated) {
        drifts.insert(path, Drift::Extra);
    }
    drifts
}

/// Files in the generated directories that codegen would not write.
fn extra_files(root: &Path, generated: &Generated) -> Vec<String> {
    let mut extra = Vec::new();
    for dir in &generated.dirs {
        let Ok(entries) = fs::read_dir(root.join(dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = format!("{dir}/{}", entry.file_name().to_string_lossy());
            if !generated.files.contains_key(&path) {
                extra.push(path);
            }
        }
    }
    extra.sort();
    extra
}

/// Writes the files that changed and deletes stale `.rs` files; returns what it did.
pub fn write(root: &Path, generated: &Generated) -> Result<Vec<String>, Fatal> {
    let io = |path: &Path, e: std::io::Error| Fatal::Other(format!("{}: {e}", path.display()));
    let mut done = Vec::new();
    for (path, drift) in drift(root, generated) {
        let full = root.join(&path);
        match drift {
            Drift::Changed(_) | Drift::Missing => {
                if let Some(parent) = full.parent() {
                    fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
                }
                fs::write(&full, &generated.files[&path]).map_err(|e| io(&full, e))?;
                done.push(format!("wrote   {path}"));
            }
            Drift::Extra if path.ends_with(".rs") => {
                fs::remove_file(&full).map_err(|e| io(&full, e))?;
                done.push(format!("removed {path}"));
            }
            Drift::Extra => done.push(format!("warning: {path} is not generated; left in place")),
        }
    }
    Ok(done)
}

/// Reads and validates the spec under `root`.
pub fn load(root: &Path) -> Result<Api, Fatal> {
    let path = root.join(SPEC_PATH);
    let text = fs::read_to_string(&path)
        .map_err(|e| Fatal::Other(format!("cannot read the spec {}: {e}", path.display())))?;
    let api = parse_api(&text)?;
    for tag in operations::tags(&api.operations) {
        let manifest = root.join(format!("crates/ahrvo-{tag}/Cargo.toml"));
        if !manifest.is_file() {
            return Err(Fatal::Other(format!(
                "operations are tagged `{tag}` but there is no crate at crates/ahrvo-{tag}"
            )));
        }
    }
    Ok(api)
}

/// Longest diff printed per file, in lines.
const MAX_DIFF_LINES: usize = 80;

/// Runs `codegen` (write) or `codegen --check` under `root`; returns the exit code.
pub fn run(root: &Path, check: bool) -> u8 {
    match try_run(root, check) {
        Ok(true) => 0,
        Ok(false) => 1,
        Err(Fatal::Spec(errors)) => {
            eprintln!("error: {SPEC_PATH} breaks the conventions of docs/openapi/README.md:");
            for error in errors {
                eprintln!("  {error}");
            }
            2
        }
        Err(Fatal::Other(message)) => {
            eprintln!("error: {message}");
            2
        }
    }
}

/// `Ok(true)` when everything is in order.
fn try_run(root: &Path, check: bool) -> Result<bool, Fatal> {
    let api = load(root)?;
    let mut generated = generate(&api, root)?;
    // The licenses and spec fixtures each published crate carries (see `copies`): written and
    // checked like generated files.
    generated.files.extend(copies::read(root, &api)?);
    if !check {
        let done = write(root, &generated)?;
        for line in &done {
            println!("{line}");
        }
        println!(
            "codegen: {} files up to date ({} changed)",
            generated.files.len(),
            done.len()
        );
        return Ok(true);
    }
    let drifts = drift(root, &generated);
    report_drift(&drifts);
    let example_problems = examples::check(
        &api.spec,
        &api.operations,
        &root.join(EXAMPLES_DIR),
        EXAMPLES_DIR,
    );
    report("examples", &example_problems);
    let ok = drifts.is_empty() && example_problems.is_empty();
    if ok {
        println!(
            "codegen --check: ok ({} generated files and copies, {} operations, examples match)",
            generated.files.len(),
            api.operations.len()
        );
    }
    Ok(ok)
}

fn report_drift(drifts: &BTreeMap<String, Drift>) {
    if drifts.is_empty() {
        return;
    }
    println!(
        "generated files and copies: {} differ from {SPEC_PATH}, {EXAMPLES_DIR} or the licenses:",
        drifts.len()
    );
    for (path, drift) in drifts {
        let what = match drift {
            Drift::Changed(_) => "M",
            Drift::Missing => "A",
            Drift::Extra => "D",
        };
        println!("  {what} {path}");
    }
    println!("  (M: differs, A: missing on disk, D: on disk but not generated)");
    for drift in drifts.values() {
        if let Drift::Changed(diff) = drift {
            let lines: Vec<&str> = diff.lines().collect();
            for line in lines.iter().take(MAX_DIFF_LINES) {
                println!("{line}");
            }
            if lines.len() > MAX_DIFF_LINES {
                println!("... ({} more diff lines)", lines.len() - MAX_DIFF_LINES);
            }
        }
    }
    println!("run `cargo xtask codegen` to regenerate.\n");
}

fn report(what: &str, problems: &[String]) {
    if problems.is_empty() {
        return;
    }
    println!("{what}: {} problem(s):", problems.len());
    for problem in problems {
        println!("  {problem}");
    }
    println!();
}
