//! `cargo xtask bench`: runs the benchmarks of `crates/ahrvo-issuing/benches` and
//! `crates/ahrvo-reports/benches` in release mode and prints one table — benchmark, SDK, baseline, ratio, target, result — and, with
//! `--build-cost`, also measures the clean build of the SDK against a minimal reqwest + tokio +
//! serde_json crate.
//!
//! It only shells out to `cargo` and reads what the benches print: each bench ends with lines
//! `@bench <TAB> id <TAB> name <TAB> sdk <TAB> baseline <TAB> ratio <TAB> target <TAB> result`.
//! Everything else a bench prints (the details) is passed through as it comes.

mod build_cost;
mod cli;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use build_cost::build_cost;
use cli::{cli_bench, leading_number};

/// The bench targets, in the order of the issue (see [`package_of`] for their packages).
const BENCHES: &[&str] = &[
    "overhead",
    "cards",
    "decode",
    "connections",
    "report",
    "cli",
];

/// The package of a bench target: `report` (100k budgets reported vs decoded) is the reports';
/// `cli` is not a cargo bench: xtask itself runs the release `ahrvo` binary against the
/// release `ahrvo-sandbox` binary ([`cli_bench`], in `cli.rs`).
fn package_of(bench: &str) -> &'static str {
    match bench {
        "report" => "ahrvo-reports",
        "cli" => "ahrvo-cli",
        _ => "ahrvo-issuing",
    }
}

pub const HELP: &str = "\
cargo xtask bench — run the benchmarks and print one table

USAGE:
    cargo xtask bench [--quick] [--build-cost] [--no-runtime] [--bench <NAME>]...

Runs `cargo bench -p ahrvo-issuing` (release) for overhead, cards, decode and connections,
`cargo bench -p ahrvo-reports` for report (100k budgets reported vs decoded), and, for cli,
builds the release `ahrvo` and `ahrvo-sandbox` binaries and times the binary itself: 10,000
card balances from a file at --concurrency 64 against 20 ms of latency (throughput, peak RSS),
beside the same file through the SDK alone (the release example card_balances of the ahrvo
crate, run the same way against the same sandbox), and 2,000 Balances against a sandbox
started with --rate-limit 100 (rate, 429s). Then it
prints a Markdown table: benchmark, SDK, baseline, ratio, target, result. SDK and
baseline are measured interleaved in the same run; read the ratios, not the absolute numbers.

OPTIONS:
    --quick          Fewer rounds (a smoke run; the numbers are noisier).
    --bench <NAME>   Only this bench (repeatable): overhead, cards, decode, connections,
                     report, cli.
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
    // Cargo runs the benches in name order; the table follows the numbering.
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
    if selected.contains(&"cli") {
        let sdk_rate = rows
            .iter()
            .find(|r| r.id == "2a")
            .and_then(|r| leading_number(&r.sdk));
        rows.append(&mut cli_bench(root, options, sdk_rate)?);
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

/// `a / b` in thousandths, and as text `1.234`.
fn ratio_permille(a: u128, b: u128) -> (u128, String) {
    let permille = a * 1000 / b.max(1);
    (
        permille,
        format!("{}.{:03}", permille / 1000, permille % 1000),
    )
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
        assert_eq!(args(&["--bench", "cli"]).unwrap().benches, ["cli"]);
        assert_eq!(package_of("cli"), "ahrvo-cli");
    }
}
