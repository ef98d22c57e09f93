//! `cargo xtask bench`: runs the benchmarks of `crates/ahrvo-issuing/benches` and
//! `crates/ahrvo-reports/benches` in release mode and prints one table — benchmark, SDK, baseline, ratio, target, result — and, with
//! `--build-cost`, also measures the clean build of the SDK against a minimal reqwest + tokio +
//! serde_json crate.
//!
//! It only shells out to `cargo` and reads what the benches print: each bench ends with lines
//! `@bench <TAB> id <TAB> name <TAB> sdk <TAB> baseline <TAB> ratio <TAB> target <TAB> result`.
//! Everything else a bench prints (the details) is passed through as it comes.

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The bench targets, in the order of the issue (see [`package_of`] for their packages).
const BENCHES: &[&str] = &["overhead", "cards", "decode", "connections", "report"];

/// The package of a bench target: `report` (100k budgets reported vs decoded) is the reports'.
fn package_of(bench: &str) -> &'static str {
    match bench {
        "report" => "ahrvo-reports",
        _ => "ahrvo-issuing",
    }
}

/// The build-cost target: SDK clean build time at most 1.3 times the baseline's.
const BUILD_COST_TARGET_PERMILLE: u128 = 1_300;

pub const HELP: &str = "\
cargo xtask bench — run the benchmarks and print one table

USAGE:
    cargo xtask bench [--quick] [--build-cost] [--no-runtime] [--bench <NAME>]...

Runs `cargo bench -p ahrvo-issuing` (release) for overhead, cards, decode and connections,
and `cargo bench -p ahrvo-reports` for report (100k budgets reported vs decoded), then prints
a Markdown table: benchmark, SDK, baseline, ratio, target, result. SDK and
baseline are measured interleaved in the same run; read the ratios, not the absolute numbers.

OPTIONS:
    --quick          Fewer rounds (a smoke run; the numbers are noisier).
    --bench <NAME>   Only this bench (repeatable): overhead, cards, decode, connections,
                     report.
    --build-cost     Also time clean debug builds, each in a fresh temporary target dir:
                     a binary using ahrvo-issuing versus one using only reqwest (default
                     features), tokio and serde_json; and count the crates each compiles.
                     Takes several minutes on 2 cores.
    --no-runtime     Skip the cargo benches (with --build-cost: only the build cost).
    -h, --help       Print this help.

EXIT CODES:
    0 every row passed, 1 a row missed its target, 2 usage error or a bench/build failed.
";

/// Parsed `bench` arguments.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Options {
    pub quick: bool,
    pub build_cost: bool,
    pub runtime: bool,
    pub benches: Vec<String>,
    pub help: bool,
}

pub fn parse(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        runtime: true,
        ..Options::default()
    };
    let mut args = args.iter().map(String::as_str);
    while let Some(arg) = args.next() {
        match arg {
            "--quick" => options.quick = true,
            "--build-cost" => options.build_cost = true,
            "--no-runtime" => options.runtime = false,
            "--bench" => {
                let name = args.next().ok_or("--bench needs a name")?;
                if !BENCHES.contains(&name) {
                    return Err(format!(
                        "unknown bench {name:?} (one of {})",
                        BENCHES.join(", ")
                    ));
                }
                options.benches.push(name.to_owned());
            }
            "-h" | "--help" => options.help = true,
            other => return Err(format!("unknown argument to bench: {other:?}")),
        }
    }
    Ok(options)
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub id: String,
    pub name: String,
    pub sdk: String,
    pub baseline: String,
    pub ratio: String,
    pub target: String,
    pub result: String,
}

/// The row of an `@bench` line; `None` for any other line.
pub fn parse_row(line: &str) -> Option<Row> {
    let mut fields = line
        .strip_prefix("@bench\t")?
        .split('\t')
        .map(str::to_owned);
    let mut next = || fields.next();
    Some(Row {
        id: next()?,
        name: next()?,
        sdk: next()?,
        baseline: next()?,
        ratio: next()?,
        target: next()?,
        result: next()?,
    })
}

/// The rows as a Markdown table, columns padded.
pub fn table(rows: &[Row]) -> String {
    let header = [
        "#",
        "benchmark",
        "SDK",
        "baseline",
        "ratio",
        "target",
        "result",
    ];
    let cells: Vec<[&str; 7]> = rows
        .iter()
        .map(|r| {
            [
                r.id.as_str(),
                &r.name,
                &r.sdk,
                &r.baseline,
                &r.ratio,
                &r.target,
                &r.result,
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for row in &cells {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |row: &[&str; 7]| {
        let padded: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        format!("| {} |\n", padded.join(" | "))
    };
    let mut out = line(&header);
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    out.push_str(&format!("|-{}-|\n", rule.join("-|-")));
    for row in &cells {
        out.push_str(&line(row));
    }
    out
}

/// Runs `cargo xtask bench`; returns the exit code.
pub fn run(root: &Path, args: &[String]) -> u8 {
    let options = match parse(args) {
        Ok(o) => o,
        Err(message) => {
            eprintln!("error: {message}\n\n{HELP}");
            return 2;
        }
    };
    if options.help {
        print!("{HELP}");
        return 0;
    }
    let mut rows = Vec::new();
    if options.runtime {
        match run_benches(root, &options) {
            Ok(mut found) => rows.append(&mut found),
            Err(message) => {
                eprintln!("error: {message}");
                return 2;
            }
        }
    }
    if options.build_cost {
        match build_cost(root) {
            Ok(mut found) => rows.append(&mut found),
            Err(message) => {
                eprintln!("error: build cost: {message}");
                return 2;
            }
        }
    }
    // Cargo runs the benches in name order; the table follows the issue's numbering.
    rows.sort_by(|a, b| a.id.cmp(&b.id));
    println!();
    print!("{}", table(&rows));
    if !options.build_cost {
        println!("(build cost not measured: add --build-cost; it takes several minutes)");
    }
    if rows.iter().any(|r| r.result == "FAIL") {
        1
    } else {
        0
    }
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// `cargo bench -p <package> --bench ...` for each package of the selected benches, details
/// passed through, rows collected.
fn run_benches(root: &Path, options: &Options) -> Result<Vec<Row>, String> {
    let selected: Vec<&str> = if options.benches.is_empty() {
        BENCHES.to_vec()
    } else {
        options.benches.iter().map(String::as_str).collect()
    };
    let mut rows = Vec::new();
    for package in ["ahrvo-issuing", "ahrvo-reports"] {
        let benches: Vec<&str> = selected
            .iter()
            .copied()
            .filter(|b| package_of(b) == package)
            .collect();
        if !benches.is_empty() {
            rows.append(&mut run_package_benches(root, package, &benches, options)?);
        }
    }
    Ok(rows)
}

/// `cargo bench -p <package> --bench ...`, details passed through, rows collected.
fn run_package_benches(
    root: &Path,
    package: &str,
    selected: &[&str],
    options: &Options,
) -> Result<Vec<Row>, String> {
    let mut command = cargo();
    command.current_dir(root).args(["bench", "-p", package]);
    for bench in selected {
        command.args(["--bench", bench]);
    }
    if options.quick {
        command.args(["--", "--quick"]);
    }
    eprintln!(
        "running: cargo bench -p {package} --bench {}",
        selected.join(" --bench ")
    );
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let mut rows = Vec::new();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let line = line.map_err(|e| format!("reading the benches' output: {e}"))?;
            match parse_row(&line) {
                Some(row) => rows.push(row),
                None => println!("{line}"),
            }
        }
    }
    let status = child.wait().map_err(|e| format!("cargo bench: {e}"))?;
    if !status.success() {
        return Err(format!("cargo bench failed ({status})"));
    }
    Ok(rows)
}

// ---------------------------------------------------------------------------------------------
// Build cost
// ---------------------------------------------------------------------------------------------

/// The SDK side: a binary that lists budget balances.
fn sdk_project(root: &Path) -> (String, &'static str) {
    let manifest = format!(
        r#"[package]
name = "cost-sdk"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
ahrvo-issuing = {{ path = "{}" }}
tokio = {{ version = "1", features = ["rt-multi-thread", "macros"] }}

[workspace]
"#,
        root.join("crates/ahrvo-issuing").display()
    );
    let main = r#"use ahrvo_issuing::{ClientConfig, Environment, IssuingClient, IssuingCredentials};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = IssuingClient::new(
        &ClientConfig::new(Environment::Staging),
        IssuingCredentials::new("key", "token"),
    )?;
    for budget in client.list_budget_balances().await? {
        println!("{} {} {}", budget.budget_name, budget.currency, budget.balance);
    }
    Ok(())
}
"#;
    (manifest, main)
}

/// The baseline: the same call by hand with reqwest (default features), tokio, serde_json.
fn baseline_project() -> (String, &'static str) {
    let manifest = r#"[package]
name = "cost-baseline"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
reqwest = "0.13"
serde_json = "1"
tokio = { version = "1", features = ["rt-multi-thread", "macros"] }

[workspace]
"#
    .to_owned();
    let main = r#"#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let body = reqwest::Client::new()
        .get("https://staging.example/card/issuance/api/issuing/budget/v2/balance/all")
        .header("x-api-key", "key")
        .bearer_auth("token")
        .send()
        .await?
        .error_for_status()?
        .bytes()
        .await?;
    let reply: serde_json::Value = serde_json::from_slice(&body)?;
    for budget in reply["data"].as_array().into_iter().flatten() {
        println!("{} {} {}", budget["budget_name"], budget["currency"], budget["balance"]);
    }
    Ok(())
}
"#;
    (manifest, main)
}

/// A measured clean build.
#[derive(Debug)]
struct Build {
    took: Duration,
    /// Packages compiled, the project itself excluded.
    crates: usize,
}

/// The number of `Compiling` lines of cargo's output, the project itself excluded.
pub fn count_compiled(stderr: &str, project: &str) -> usize {
    stderr
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("Compiling "))
        .filter(|rest| rest.split_whitespace().next() != Some(project))
        .count()
}

/// Writes the project, fetches its dependencies (not timed), then times a clean `cargo build`
/// into its own target dir.
fn clean_build(
    dir: &Path,
    name: &str,
    manifest: &str,
    main: &str,
    lock: Option<&Path>,
) -> Result<Build, String> {
    let io = |e: std::io::Error| format!("{}: {e}", dir.display());
    fs::create_dir_all(dir.join("src")).map_err(io)?;
    fs::write(dir.join("Cargo.toml"), manifest).map_err(io)?;
    fs::write(dir.join("src/main.rs"), main).map_err(io)?;
    if let Some(lock) = lock {
        // The workspace's versions where they apply, so both sides build what the SDK pins.
        fs::copy(lock, dir.join("Cargo.lock")).map_err(io)?;
    }
    let target = dir.join("target");
    let _ = fs::remove_dir_all(&target);
    let status = cargo()
        .current_dir(dir)
        .arg("fetch")
        .status()
        .map_err(|e| format!("cargo fetch: {e}"))?;
    if !status.success() {
        return Err(format!("cargo fetch failed in {}", dir.display()));
    }
    eprintln!("building {name} from clean ({})...", target.display());
    let start = Instant::now();
    let output = cargo()
        .current_dir(dir)
        .args(["build", "--color", "never"])
        .env("CARGO_TARGET_DIR", &target)
        .env("CARGO_INCREMENTAL", "0")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("cargo build: {e}"))?;
    let took = start.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(format!("cargo build of {name} failed:\n{stderr}"));
    }
    let crates = count_compiled(&stderr, name);
    eprintln!(
        "{name}: {:.1} s, {crates} crates compiled",
        took.as_secs_f64()
    );
    let _ = fs::remove_dir_all(&target);
    Ok(Build { took, crates })
}

/// `a / b` in thousandths, and as text `1.234`.
fn ratio_permille(a: u128, b: u128) -> (u128, String) {
    let permille = a * 1000 / b.max(1);
    (
        permille,
        format!("{}.{:03}", permille / 1000, permille % 1000),
    )
}

fn build_cost(root: &Path) -> Result<Vec<Row>, String> {
    let dir: PathBuf =
        std::env::temp_dir().join(format!("ahrvo-build-cost-{}", std::process::id()));
    let lock = root.join("Cargo.lock");
    let lock = lock.exists().then_some(lock.as_path());
    let (base_manifest, base_main) = baseline_project();
    let (sdk_manifest, sdk_main) = sdk_project(root);
    // Baseline first, then the SDK: the OS file cache warms for both alike after the fetches.
    let base = clean_build(
        &dir.join("baseline"),
        "cost-baseline",
        &base_manifest,
        base_main,
        lock,
    );
    let sdk = base.and_then(|base| {
        clean_build(&dir.join("sdk"), "cost-sdk", &sdk_manifest, sdk_main, lock).map(|s| (s, base))
    });
    let _ = fs::remove_dir_all(&dir);
    let (sdk, base) = sdk?;
    let (permille, ratio) = ratio_permille(sdk.took.as_millis(), base.took.as_millis());
    let (_, crates_ratio) = ratio_permille(sdk.crates as u128, base.crates as u128);
    Ok(vec![
        Row {
            id: "5a".into(),
            name: "clean debug build time".into(),
            sdk: format!("{:.1} s", sdk.took.as_secs_f64()),
            baseline: format!("{:.1} s", base.took.as_secs_f64()),
            ratio,
            target: "<= 1.30".into(),
            result: if permille <= BUILD_COST_TARGET_PERMILLE {
                "pass".into()
            } else {
                "FAIL".into()
            },
        },
        Row {
            id: "5b".into(),
            name: "crates compiled".into(),
            sdk: sdk.crates.to_string(),
            baseline: base.crates.to_string(),
            ratio: crates_ratio,
            target: "(info)".into(),
            result: "info".into(),
        },
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bench_lines_become_rows_and_other_lines_do_not() {
        let row = parse_row("@bench\t1a\tper-call\t10 µs\t9 µs\t1.111\t<= 1.10\tFAIL").unwrap();
        assert_eq!((row.id.as_str(), row.result.as_str()), ("1a", "FAIL"));
        assert_eq!(parse_row("round 0: 2000 req/s"), None);
        assert_eq!(parse_row("@bench\ttoo\tfew"), None);
    }

    #[test]
    fn the_table_is_markdown_with_padded_columns() {
        let row = parse_row("@bench\t4\tconnections\t1\t1\t1.000\tSDK == 1\tpass").unwrap();
        let text = table(&[row]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with("| # | benchmark   | SDK |"));
        assert!(lines[1].starts_with("|---|-------------|-----|"));
        assert!(lines[2].ends_with("| pass   |"));
        assert!(
            lines
                .iter()
                .all(|l| l.chars().count() == lines[0].chars().count())
        );
    }

    #[test]
    fn compiling_lines_are_counted_without_the_project() {
        let stderr = "   Compiling libc v0.2.1\n   Compiling cost-sdk v0.0.0 (/tmp/x)\n\
                      warning: x\n   Compiling ahrvo-types v0.1.0 (/w)\n    Finished `dev`";
        assert_eq!(count_compiled(stderr, "cost-sdk"), 2);
    }

    #[test]
    fn arguments() {
        let args = |a: &[&str]| parse(&a.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        let o = args(&["--quick", "--bench", "decode", "--build-cost"]).unwrap();
        assert!(o.quick && o.build_cost && o.runtime);
        assert_eq!(o.benches, ["decode"]);
        assert_eq!(args(&["--bench", "report"]).unwrap().benches, ["report"]);
        assert_eq!(package_of("report"), "ahrvo-reports");
        assert_eq!(package_of("decode"), "ahrvo-issuing");
        assert!(!args(&["--no-runtime"]).unwrap().runtime);
        assert!(args(&["--bench", "nope"]).is_err());
        assert!(args(&["--fast"]).is_err());
        assert_eq!(ratio_permille(2600, 2000).1, "1.300");
    }
}
