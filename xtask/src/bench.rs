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
/// release `ahrvo-sandbox` binary ([`cli_bench`]).
fn package_of(bench: &str) -> &'static str {
    match bench {
        "report" => "ahrvo-reports",
        "cli" => "ahrvo-cli",
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
`cargo bench -p ahrvo-reports` for report (100k budgets reported vs decoded), and, for cli,
builds the release `ahrvo` and `ahrvo-sandbox` binaries and times the binary itself: 10,000
card balances from a file at --concurrency 64 against 20 ms of latency (throughput, peak RSS),
and 2,000 Balances against a sandbox started with --rate-limit 100 (rate, 429s). Then it
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

// ---------------------------------------------------------------------------------------------
// The CLI's own rows (7): the release `ahrvo` binary against the release `ahrvo-sandbox` binary
// ---------------------------------------------------------------------------------------------

/// Card ids in the file of row 7a.
const CLI_CARDS: usize = 10_000;
/// Card ids of the small run row 7c compares the peak RSS with.
const CLI_CARDS_SMALL: usize = 1_000;
/// `--concurrency` of row 7a.
const CLI_CONCURRENCY: u64 = 64;
/// `--latency-ms` of the sandbox of row 7a.
const CLI_LATENCY_MS: u64 = 20;
/// Distinct Balance ids of row 7d.
const CLI_BALANCES: usize = 2_000;
/// `--rate-limit` of the sandbox of row 7d (Payments' documented limit).
const CLI_RATE_LIMIT: u64 = 100;
/// The sandbox's default credentials, given to both processes explicitly so that the
/// developer's own `AHRVO_*` variables play no part.
const SANDBOX_ENV: [(&str, &str); 4] = [
    ("AHRVO_API_KEY", "sandbox-api-key"),
    ("AHRVO_ACCESS_TOKEN", "sandbox-access-token"),
    ("AHRVO_USERNAME", "sandbox"),
    ("AHRVO_PASSWORD", "sandbox-password"),
];

/// The whole number a cell starts with: `2907 req/s` is 2907.
pub fn leading_number(cell: &str) -> Option<u64> {
    let digits: String = cell
        .trim()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// `VmHWM` (peak resident set size) in KiB from the text of a `/proc/<pid>/status`.
pub fn vm_hwm_kib(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// `n` items in `took`, in thousandths of an item per second.
pub fn milli_per_sec(n: u64, took: Duration) -> u128 {
    u128::from(n) * 1_000_000_000 / took.as_micros().max(1)
}

/// KiB as `12.3 MiB`.
fn mib(kib: u64) -> String {
    format!("{}.{} MiB", kib / 1024, kib % 1024 * 10 / 1024)
}

/// The seed state of the sandbox (`GET /_sandbox/state`) with `cards` copies of its first
/// Dedicated Funds Card and `balances` copies of its first Balance appended, and `totals`
/// emptied so that the sandbox books what the copies hold when it loads the file (the seed's own
/// cards and Balances stay: its orders and entries name them). Returns the new ids.
pub fn bench_state(
    state: &mut serde_json::Value,
    cards: usize,
    balances: usize,
) -> Result<(Vec<String>, Vec<String>), String> {
    let card = state["cards"]
        .as_array()
        .and_then(|all| all.iter().find(|c| c["type"] == "DEDICATED"))
        .cloned()
        .ok_or("the seed state has no Dedicated Funds Card")?;
    let balance = state["balances"]
        .as_array()
        .and_then(|all| all.first())
        .cloned()
        .ok_or("the seed state has no Balance")?;
    let card_ids: Vec<String> = (0..cards as u64)
        .map(|i| format!("card{:018}", 202_607_010_000_000_000 + i))
        .collect();
    let balance_ids: Vec<String> = (0..balances).map(|i| format!("balance_B{i:021}")).collect();
    let copies = |template: &serde_json::Value, key: &str, ids: &[String]| {
        ids.iter()
            .enumerate()
            .map(|(i, id)| {
                let mut copy = template.clone();
                copy[key] = id.as_str().into();
                if key == "card_id" {
                    copy["card_number"] = format!("5157********{:04}", i % 10_000).into();
                }
                copy
            })
            .collect::<Vec<_>>()
    };
    let new_cards = copies(&card, "card_id", &card_ids);
    let new_balances = copies(&balance, "id", &balance_ids);
    let append = |list: &mut serde_json::Value, more: Vec<serde_json::Value>| {
        list.as_array_mut()
            .map(|l| l.extend(more))
            .ok_or("not a list")
    };
    append(&mut state["cards"], new_cards)?;
    append(&mut state["balances"], new_balances)?;
    state["totals"] = serde_json::json!({});
    Ok((card_ids, balance_ids))
}

/// `GET path` on `addr` (`127.0.0.1:PORT`) by hand, HTTP/1.0 (no chunks, the connection closes
/// after the reply): the admin API of the sandbox, without an HTTP client in xtask.
fn http_get(addr: &str, path: &str) -> Result<String, String> {
    use std::io::{Read, Write};
    let fail = |e: std::io::Error| format!("GET {path} on {addr}: {e}");
    let mut stream = std::net::TcpStream::connect(addr).map_err(fail)?;
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .map_err(fail)?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").map_err(fail)?;
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).map_err(fail)?;
    let reply = String::from_utf8(reply).map_err(|e| format!("GET {path}: {e}"))?;
    let (head, body) = reply
        .split_once("\r\n\r\n")
        .ok_or_else(|| format!("GET {path}: no HTTP reply"))?;
    if head.split_whitespace().nth(1) != Some("200") {
        return Err(format!(
            "GET {path}: {}",
            head.lines().next().unwrap_or_default()
        ));
    }
    Ok(body.to_owned())
}

/// A running `ahrvo-sandbox` process, killed when dropped.
struct SandboxProcess {
    child: std::process::Child,
    /// `127.0.0.1:PORT`.
    addr: String,
}

impl SandboxProcess {
    /// Starts the binary with `args` and waits for its banner (read to its end, so that the
    /// process never writes into a closed pipe).
    fn start(exe: &Path, args: &[String]) -> Result<SandboxProcess, String> {
        let child = Command::new(exe)
            .args(args)
            .envs(SANDBOX_ENV)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
        let mut sandbox = SandboxProcess {
            child,
            addr: String::new(),
        };
        let stdout = sandbox.child.stdout.take().ok_or("no stdout")?;
        for line in BufReader::new(stdout).lines() {
            let line = line.map_err(|e| format!("reading the sandbox's banner: {e}"))?;
            if let Some(url) = line.trim().strip_prefix("ahrvo-sandbox listening on ") {
                sandbox.addr = url.trim_start_matches("http://").to_owned();
            }
            if line.starts_with("Press Ctrl-C") {
                break;
            }
        }
        if sandbox.addr.is_empty() {
            return Err(format!("ahrvo-sandbox {} did not start", args.join(" ")));
        }
        Ok(sandbox)
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// An admin route's JSON.
    fn admin(&self, path: &str) -> Result<serde_json::Value, String> {
        let body = http_get(&self.addr, path)?;
        serde_json::from_str(&body).map_err(|e| format!("GET {path}: {e}"))
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One run of the `ahrvo` binary.
struct Measured {
    took: Duration,
    /// The last `VmHWM` read from `/proc/<pid>/status` before the process ended (read every
    /// 2 ms while it runs; `None` where `/proc` is missing).
    peak_kib: Option<u64>,
    stderr: String,
}

/// Runs `ahrvo --base-url URL args...` (stdout to `/dev/null`, no profile, the sandbox's
/// credentials), timing it and following its peak RSS; an error unless it exits 0.
fn run_cli(exe: &Path, url: &str, args: &[&str], config: &Path) -> Result<Measured, String> {
    let mut command = Command::new(exe);
    command
        .arg("--base-url")
        .arg(url)
        .args(args)
        .envs(SANDBOX_ENV)
        .env("AHRVO_CONFIG", config)
        .env_remove("AHRVO_PROFILE")
        .env_remove("AHRVO_BASE_URL")
        .env_remove("AHRVO_ENVIRONMENT")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
    let stderr = child.stderr.take();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut stderr) = stderr {
            let _ = std::io::Read::read_to_string(&mut stderr, &mut text);
        }
        text
    });
    let status_file = PathBuf::from(format!("/proc/{}/status", child.id()));
    let mut peak_kib: Option<u64> = None;
    let status = loop {
        // A zombie's status has no VmHWM: the reading before `try_wait` sees the end is kept.
        if let Some(kib) = fs::read_to_string(&status_file)
            .ok()
            .as_deref()
            .and_then(vm_hwm_kib)
        {
            peak_kib = Some(peak_kib.map_or(kib, |p| p.max(kib)));
        }
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => std::thread::sleep(Duration::from_millis(2)),
            Err(e) => return Err(format!("waiting for ahrvo: {e}")),
        }
    };
    let took = start.elapsed();
    let stderr = reader.join().unwrap_or_default();
    if !status.success() {
        return Err(format!(
            "ahrvo {} failed ({status}):\n{stderr}",
            args.join(" ")
        ));
    }
    Ok(Measured {
        took,
        peak_kib,
        stderr,
    })
}

/// The release binaries `ahrvo` and `ahrvo-sandbox`, built now; their paths as cargo reports
/// them (whatever the target dir).
fn release_binaries(root: &Path) -> Result<(PathBuf, PathBuf), String> {
    let args = [
        "build",
        "--release",
        "-p",
        "ahrvo-cli",
        "-p",
        "ahrvo-sandbox",
        "--bin",
        "ahrvo",
        "--bin",
        "ahrvo-sandbox",
    ];
    eprintln!("running: cargo {}", args.join(" "));
    let output = cargo()
        .current_dir(root)
        .args(args)
        .args(["--message-format", "json-render-diagnostics"])
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !output.status.success() {
        return Err(format!("cargo build --release failed ({})", output.status));
    }
    let (mut cli, mut sandbox) = (None, None);
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let Some(exe) = message["executable"].as_str() else {
            continue;
        };
        match message["target"]["name"].as_str() {
            Some("ahrvo") => cli = Some(PathBuf::from(exe)),
            Some("ahrvo-sandbox") => sandbox = Some(PathBuf::from(exe)),
            _ => {}
        }
    }
    cli.zip(sandbox)
        .ok_or_else(|| "cargo did not report the ahrvo and ahrvo-sandbox binaries".to_owned())
}

fn pass(ok: bool) -> String {
    if ok { "pass" } else { "FAIL" }.to_owned()
}

/// Rows 7a to 7e; `sdk_rate`: row 2a's req/s when the cards bench ran in this invocation.
fn cli_bench(root: &Path, options: &Options, sdk_rate: Option<u64>) -> Result<Vec<Row>, String> {
    let dir = std::env::temp_dir().join(format!("ahrvo-bench-cli-{}", std::process::id()));
    fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let rows = cli_rows(root, options, sdk_rate, &dir);
    let _ = fs::remove_dir_all(&dir);
    rows
}

fn cli_rows(
    root: &Path,
    options: &Options,
    sdk_rate: Option<u64>,
    dir: &Path,
) -> Result<Vec<Row>, String> {
    let (cli, sandbox_exe) = release_binaries(root)?;
    let io = |e: std::io::Error| format!("{}: {e}", dir.display());
    let config = dir.join("no-config.toml");

    // The state: the seed, plus 10,000 cards and 2,000 Balances copied from its own.
    let seed = SandboxProcess::start(&sandbox_exe, &["--seed".to_owned()])?;
    let mut state = seed.admin("/_sandbox/state")?;
    drop(seed);
    let (card_ids, balance_ids) = bench_state(&mut state, CLI_CARDS, CLI_BALANCES)?;
    let state_text = serde_json::to_vec(&state).map_err(|e| e.to_string())?;
    let cards_file = dir.join("card-ids.txt");
    let small_file = dir.join("card-ids-1k.txt");
    let balances_file = dir.join("balance-ids.txt");
    let lines = |ids: &[String]| ids.iter().map(|id| format!("{id}\n")).collect::<String>();
    fs::write(&cards_file, lines(&card_ids)).map_err(io)?;
    fs::write(&small_file, lines(&card_ids[..CLI_CARDS_SMALL])).map_err(io)?;
    fs::write(&balances_file, lines(&balance_ids)).map_err(io)?;
    let path = |p: &Path| p.display().to_string();

    // 7a-7c: 10,000 cards at concurrency 64, 20 ms latency.
    let cards_state = dir.join("state-cards.json");
    fs::write(&cards_state, &state_text).map_err(io)?;
    let sandbox = SandboxProcess::start(
        &sandbox_exe,
        &[
            "--state".to_owned(),
            path(&cards_state),
            "--latency-ms".to_owned(),
            CLI_LATENCY_MS.to_string(),
        ],
    )?;
    let concurrency = CLI_CONCURRENCY.to_string();
    let cards_args = |file: &Path| {
        [
            "cards".to_owned(),
            "balance".to_owned(),
            "--from-file".to_owned(),
            path(file),
            "--concurrency".to_owned(),
            concurrency.clone(),
            "-o".to_owned(),
            "jsonl".to_owned(),
        ]
    };
    let (big_args, small_args) = (cards_args(&cards_file), cards_args(&small_file));
    let big: Vec<&str> = big_args.iter().map(String::as_str).collect();
    let small: Vec<&str> = small_args.iter().map(String::as_str).collect();
    eprintln!("running: ahrvo --base-url URL {}", big.join(" "));
    let rounds = if options.quick { 1 } else { 3 };
    let (mut rates, mut peaks, mut small_peaks) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        // The small run alternates before and after the big one.
        let small_first = round % 2 == 1;
        let small_run = |peaks: &mut Vec<u64>| -> Result<(), String> {
            let m = run_cli(&cli, &sandbox.url(), &small, &config)?;
            peaks.extend(m.peak_kib);
            Ok(())
        };
        if small_first {
            small_run(&mut small_peaks)?;
        }
        let m = run_cli(&cli, &sandbox.url(), &big, &config)?;
        if !m.stderr.contains(&format!("summary: {CLI_CARDS} ok")) {
            return Err(format!(
                "ahrvo cards balance did not get every card:\n{}",
                m.stderr
            ));
        }
        if !small_first {
            small_run(&mut small_peaks)?;
        }
        let rate = milli_per_sec(CLI_CARDS as u64, m.took);
        println!(
            "cli round {round}: {CLI_CARDS} cards in {:.2} s, {} req/s, peak RSS {}",
            m.took.as_secs_f64(),
            rate / 1000,
            m.peak_kib.map(mib).unwrap_or_else(|| "unknown".into())
        );
        rates.push(rate);
        peaks.extend(m.peak_kib);
    }
    drop(sandbox);
    rates.sort_unstable();
    let rate = rates[rates.len() / 2];
    let limit = u128::from(CLI_CONCURRENCY) * 1000 / u128::from(CLI_LATENCY_MS);
    let (permille, ratio) = ratio_permille(rate, limit * 1000);
    let mut rows = vec![Row {
        id: "7a".into(),
        name: "ahrvo cards balance, 10k ids from a file, --concurrency 64, 20 ms".into(),
        sdk: format!("{} req/s", rate / 1000),
        baseline: format!("{limit} req/s (limit)"),
        ratio,
        target: ">= 0.80".into(),
        result: pass(permille >= 800),
    }];
    rows.push(match sdk_rate {
        Some(sdk) => Row {
            id: "7b".into(),
            name: "ahrvo binary vs the SDK alone (row 2a)".into(),
            sdk: format!("{} req/s", rate / 1000),
            baseline: format!("{sdk} req/s (2a)"),
            ratio: ratio_permille(rate, u128::from(sdk) * 1000).1,
            target: "(info)".into(),
            result: "info".into(),
        },
        None => Row {
            id: "7b".into(),
            name: "ahrvo binary vs the SDK alone (row 2a)".into(),
            sdk: format!("{} req/s", rate / 1000),
            baseline: "(add --bench cards)".into(),
            ratio: "-".into(),
            target: "(info)".into(),
            result: "info".into(),
        },
    });
    if let (Some(&peak), Some(&small_peak)) = (peaks.iter().max(), small_peaks.iter().max()) {
        let (permille, ratio) = ratio_permille(u128::from(peak), u128::from(small_peak));
        rows.push(Row {
            id: "7c".into(),
            name: "ahrvo peak RSS (VmHWM), 10k ids vs 1k ids".into(),
            sdk: mib(peak),
            baseline: format!("{} (1k ids)", mib(small_peak)),
            ratio,
            target: "<= 1.25".into(),
            result: pass(permille <= 1_250),
        });
    }

    // 7d, 7e: 2,000 Balances against --rate-limit 100, the CLI's default Payments rate.
    let balances_state = dir.join("state-balances.json");
    fs::write(&balances_state, &state_text).map_err(io)?;
    let sandbox = SandboxProcess::start(
        &sandbox_exe,
        &[
            "--state".to_owned(),
            path(&balances_state),
            "--rate-limit".to_owned(),
            CLI_RATE_LIMIT.to_string(),
        ],
    )?;
    let balances_args = [
        "balances".to_owned(),
        "get".to_owned(),
        "--from-file".to_owned(),
        path(&balances_file),
        "--concurrency".to_owned(),
        concurrency.clone(),
        "-o".to_owned(),
        "jsonl".to_owned(),
    ];
    let balances: Vec<&str> = balances_args.iter().map(String::as_str).collect();
    eprintln!("running: ahrvo --base-url URL {}", balances.join(" "));
    let m = run_cli(&cli, &sandbox.url(), &balances, &config)?;
    if !m.stderr.contains(&format!("summary: {CLI_BALANCES} ok")) {
        return Err(format!(
            "ahrvo balances get did not get every Balance:\n{}",
            m.stderr
        ));
    }
    let stats = sandbox.admin("/_sandbox/stats")?;
    drop(sandbox);
    let requests = stats["requests"].as_u64().unwrap_or(0);
    let rate_limited = stats["rate_limited"].as_u64().unwrap_or(u64::MAX);
    let rate = milli_per_sec(CLI_BALANCES as u64, m.took);
    println!(
        "cli: {CLI_BALANCES} Balances in {:.2} s, {}.{:03} req/s; the sandbox counted {requests} \
         requests, {rate_limited} answered 429; {}",
        m.took.as_secs_f64(),
        rate / 1000,
        rate % 1000,
        m.stderr.trim()
    );
    let (permille, ratio) = ratio_permille(rate, u128::from(CLI_RATE_LIMIT) * 1000);
    rows.push(Row {
        id: "7d".into(),
        name: "ahrvo balances get, 2,000 ids, sandbox --rate-limit 100".into(),
        sdk: format!("{}.{} req/s", rate / 1000, rate % 1000 / 100),
        baseline: format!("{CLI_RATE_LIMIT} req/s (limit)"),
        ratio,
        target: ">= 0.90".into(),
        result: pass(permille >= 900),
    });
    let (_, share) = ratio_permille(u128::from(rate_limited), u128::from(requests));
    rows.push(Row {
        id: "7e".into(),
        name: "requests answered 429 (sandbox stats.rate_limited)".into(),
        sdk: rate_limited.to_string(),
        baseline: format!("{requests} requests"),
        ratio: share,
        target: "< 0.010".into(),
        result: pass(requests > 0 && u128::from(rate_limited) * 100 < u128::from(requests)),
    });
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
        assert_eq!(args(&["--bench", "cli"]).unwrap().benches, ["cli"]);
        assert_eq!(package_of("cli"), "ahrvo-cli");
    }

    #[test]
    fn the_cli_rows_helpers() {
        assert_eq!(leading_number("2907 req/s"), Some(2907));
        assert_eq!(leading_number("(none)"), None);
        let status = "Name:\tahrvo\nVmPeak:\t  99999 kB\nVmHWM:\t   12345 kB\nVmRSS:\t 1 kB\n";
        assert_eq!(vm_hwm_kib(status), Some(12_345));
        assert_eq!(vm_hwm_kib("Name:\tzombie\n"), None);
        assert_eq!(milli_per_sec(2_000, Duration::from_secs(20)), 100_000);
        assert_eq!(milli_per_sec(3, Duration::from_millis(2)), 1_500_000);
        assert_eq!(mib(1536), "1.5 MiB");
    }

    #[test]
    fn the_bench_state_appends_distinct_copies_and_lets_the_sandbox_book_them() {
        let mut state = serde_json::json!({
            "cards": [
                {"card_id": "card1", "type": "SHARED", "available_balance": "0.00"},
                {"card_id": "card2", "type": "DEDICATED", "card_number": "x",
                 "available_balance": "12.34"}
            ],
            "balances": [{"id": "balance_seed", "available_amount": 5}],
            "totals": {"USD": "12.34"}
        });
        let (cards, balances) = bench_state(&mut state, 3, 2).unwrap();
        assert_eq!(cards.len(), 3);
        assert_eq!(cards[0], "card202607010000000000");
        assert_eq!(cards[0].len(), 4 + 18);
        assert_eq!(
            balances,
            [
                "balance_B000000000000000000000",
                "balance_B000000000000000000001"
            ]
        );
        let all = state["cards"].as_array().unwrap();
        assert_eq!(all.len(), 5);
        assert_eq!(all[0]["card_id"], "card1", "the seed's own cards stay");
        assert_eq!(all[4]["card_id"], "card202607010000000002");
        assert_eq!(all[4]["type"], "DEDICATED");
        assert_eq!(all[4]["card_number"], "5157********0002");
        assert_eq!(state["balances"].as_array().unwrap().len(), 3);
        assert_eq!(state["balances"][2]["id"], "balance_B000000000000000000001");
        assert_eq!(state["balances"][2]["available_amount"], 5);
        assert_eq!(state["totals"], serde_json::json!({}));
        assert!(bench_state(&mut serde_json::json!({"cards": [], "balances": []}), 1, 1).is_err());
    }
}
