//! `cargo xtask`: project automation for ahrvo-rs.
//!
//! A plain binary with hand-parsed arguments (no clap), so it builds in seconds; the only
//! dependencies are `serde_json` (to read the OpenAPI spec), `heck` (case conversion) and
//! `similar` (the unified diff of `--check`).

mod bench;
mod codegen;
mod copies;
mod diff;
mod doc;
mod examples;
mod models;
mod names;
mod operations;
mod publish;
mod rustfmt;
mod schema;
mod spec;

#[cfg(test)]
mod tests;

use std::path::PathBuf;
use std::process::ExitCode;

const HELP: &str = "\
cargo xtask — ahrvo-rs project automation

USAGE:
    cargo xtask codegen [--check] [--root <DIR>]
    cargo xtask bench [--quick] [--build-cost] [--no-runtime] [--bench <NAME>]...
    cargo xtask publish-check
    cargo xtask --help

COMMANDS:
    codegen     Generate code from docs/openapi/ahrvo.json:
                  crates/ahrvo-types/src/generated/*.rs       (models)
                  crates/ahrvo-<tag>/src/generated/*.rs       (operation tables and
                                                              the method check)
                Files are formatted with rustfmt; stale generated files are removed.
                Also copies what each published crate's package needs into the crate:
                  crates/<crate>/LICENSE-MIT, LICENSE-APACHE  (from the root)
                  crates/<crate>/tests/fixtures/...          (from docs/openapi/)
    publish-check
                Every crate meant for crates.io has its metadata (description, readme,
                keywords, categories, documentation, homepage, repository), both license
                files and a README in its directory, no unchecked rust-version, only
                published and versioned path dependencies, no test switch in its features,
                and no include_str!/include_bytes!/CARGO_MANIFEST_DIR read outside itself.
                Exit 1 on any problem.
    bench       Run the benchmarks (release) and print one table; see `cargo xtask bench
                --help` and docs/performance.md.

OPTIONS:
    --check         Write nothing; exit 1 if a generated file differs from the spec or a
                    200 example differs from docs/openapi/examples/<operationId>.json, or a
                    copy in a crate differs from its original. (That every operation has its
                    method is checked by the compiler: each domain crate's generated/mod.rs
                    names them.)
    --root <DIR>    Workspace root (default: the parent of the xtask crate).
    -h, --help      Print this help.

EXIT CODES:
    0 ok, 1 drift or mismatch (--check), 2 usage error or unreadable/invalid spec.
";

/// A parsed command line.
#[derive(Debug, PartialEq, Eq)]
enum Command {
    Help,
    Codegen { check: bool, root: PathBuf },
}

fn default_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn parse_args(args: &[String]) -> Result<Command, String> {
    let mut args = args.iter().map(String::as_str);
    match args.next() {
        None | Some("-h" | "--help" | "help") => Ok(Command::Help),
        Some("codegen") => {
            let mut check = false;
            let mut root = default_root();
            while let Some(arg) = args.next() {
                match arg {
                    "--check" => check = true,
                    "--root" => {
                        root = args.next().ok_or("--root needs a directory")?.into();
                    }
                    "-h" | "--help" => return Ok(Command::Help),
                    other => return Err(format!("unknown argument to codegen: {other:?}")),
                }
            }
            Ok(Command::Codegen { check, root })
        }
        Some(other) => Err(format!("unknown command: {other:?}")),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|a| a == "bench") {
        return ExitCode::from(bench::run(&default_root(), &args[1..]));
    }
    if args.first().is_some_and(|a| a == "publish-check") {
        return ExitCode::from(publish::run(&default_root()));
    }
    match parse_args(&args) {
        Ok(Command::Help) => {
            print!("{HELP}");
            ExitCode::SUCCESS
        }
        Ok(Command::Codegen { check, root }) => ExitCode::from(codegen::run(&root, check)),
        Err(message) => {
            eprintln!("error: {message}\n\n{HELP}");
            ExitCode::from(2)
        }
    }
}
