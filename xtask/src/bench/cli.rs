//! The CLI's own rows (7): the release `ahrvo` binary against the release `ahrvo-sandbox`
//! binary, and the helpers that start the sandbox process, build its state and follow a
//! process's peak RSS.

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{Options, Row, cargo, ratio_permille};

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
/// The SDK-only program of rows 7b and 7f: `crates/ahrvo/examples/card_balances.rs`.
const SDK_EXAMPLE: &str = "card_balances";
/// Row 7b's target: the binary's throughput at least 0.90 of the SDK program's, in thousandths.
const CLI_VS_SDK_TARGET_PERMILLE: u128 = 900;
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

/// One run of the `ahrvo` binary or of the SDK program.
struct Measured {
    took: Duration,
    /// The last `VmHWM` read from `/proc/<pid>/status` before the process ended (read every
    /// 2 ms while it runs; `None` where `/proc` is missing).
    peak_kib: Option<u64>,
    stderr: String,
}

/// Runs `EXE --base-url URL args...` (the `ahrvo` binary or the SDK program: stdout to
/// `/dev/null`, no profile, the sandbox's credentials), timing it from spawn to exit and
/// following its peak RSS; an error unless it exits 0.
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
    let name = exe.file_name().unwrap_or_default().to_string_lossy();
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
            Err(e) => return Err(format!("waiting for {name}: {e}")),
        }
    };
    let took = start.elapsed();
    let stderr = reader.join().unwrap_or_default();
    if !status.success() {
        return Err(format!(
            "{name} {} failed ({status}):\n{stderr}",
            args.join(" ")
        ));
    }
    Ok(Measured {
        took,
        peak_kib,
        stderr,
    })
}

/// The executables cargo reports in its `--message-format json` output, by target name.
pub fn executables(cargo_stdout: &str) -> Vec<(String, PathBuf)> {
    cargo_stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter_map(|message| {
            let exe = message["executable"].as_str()?;
            let name = message["target"]["name"].as_str()?;
            Some((name.to_owned(), PathBuf::from(exe)))
        })
        .collect()
}

/// `cargo <args>` (a release build), returning the path of each of `names` as cargo reports it
/// (whatever the target dir), in the order of `names`.
fn release_build(root: &Path, args: &[&str], names: &[&str]) -> Result<Vec<PathBuf>, String> {
    eprintln!("running: cargo {}", args.join(" "));
    let output = cargo()
        .current_dir(root)
        .args(args)
        .args(["--message-format", "json-render-diagnostics"])
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo {} failed ({})",
            args.join(" "),
            output.status
        ));
    }
    let built = executables(&String::from_utf8_lossy(&output.stdout));
    names
        .iter()
        .map(|name| {
            built
                .iter()
                .rev()
                .find(|(n, _)| n == name)
                .map(|(_, exe)| exe.clone())
                .ok_or_else(|| format!("cargo did not report the {name} executable"))
        })
        .collect()
}

/// The release `ahrvo` and `ahrvo-sandbox` binaries and the release SDK program, built now.
/// The example is built on its own, as a user builds it: in one invocation with the CLI,
/// cargo would unify the features of their shared dependencies.
fn release_binaries(root: &Path) -> Result<(PathBuf, PathBuf, PathBuf), String> {
    let binaries = release_build(
        root,
        &[
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
        ],
        &["ahrvo", "ahrvo-sandbox"],
    )?;
    let example = release_build(
        root,
        &[
            "build",
            "--release",
            "-p",
            "ahrvo",
            "--example",
            SDK_EXAMPLE,
        ],
        &[SDK_EXAMPLE],
    )?;
    match (&binaries[..], &example[..]) {
        ([cli, sandbox], [sdk]) => Ok((cli.clone(), sandbox.clone(), sdk.clone())),
        _ => Err(
            "cargo did not report the ahrvo, ahrvo-sandbox and card_balances executables".into(),
        ),
    }
}

fn pass(ok: bool) -> String {
    if ok { "pass" } else { "FAIL" }.to_owned()
}

/// Rows 7a to 7f; `in_process_rate`: row 2a's req/s when the cards bench ran in this
/// invocation (printed beside the rows, for reference).
pub(super) fn cli_bench(
    root: &Path,
    options: &Options,
    in_process_rate: Option<u64>,
) -> Result<Vec<Row>, String> {
    let dir = std::env::temp_dir().join(format!("ahrvo-bench-cli-{}", std::process::id()));
    fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let rows = cli_rows(root, options, in_process_rate, &dir);
    let _ = fs::remove_dir_all(&dir);
    rows
}

fn cli_rows(
    root: &Path,
    options: &Options,
    in_process_rate: Option<u64>,
    dir: &Path,
) -> Result<Vec<Row>, String> {
    let (cli, sandbox_exe, sdk_exe) = release_binaries(root)?;
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

    // 7a-7c, 7f: 10,000 cards at concurrency 64, 20 ms latency.
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
    // The SDK program on the same file, at the same concurrency, measured the same way.
    let sdk_args = [
        "--concurrency".to_owned(),
        concurrency.clone(),
        path(&cards_file),
    ];
    let sdk_run: Vec<&str> = sdk_args.iter().map(String::as_str).collect();
    eprintln!("running: ahrvo --base-url URL {}", big.join(" "));
    eprintln!(
        "running: {SDK_EXAMPLE} --base-url URL {} (the SDK alone)",
        sdk_run.join(" ")
    );
    let rounds = if options.quick { 1 } else { 3 };
    let (mut rates, mut peaks, mut small_peaks) = (Vec::new(), Vec::new(), Vec::new());
    let (mut sdk_rates, mut sdk_peaks) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        // The binary and the SDK program run back to back, the binary first in even rounds
        // (the only one with --quick); the small run alternates before and after the pair.
        let odd = round % 2 == 1;
        let small_run = |peaks: &mut Vec<u64>| -> Result<(), String> {
            let m = run_cli(&cli, &sandbox.url(), &small, &config)?;
            peaks.extend(m.peak_kib);
            Ok(())
        };
        let big_run = || -> Result<Measured, String> {
            let m = run_cli(&cli, &sandbox.url(), &big, &config)?;
            if !m.stderr.contains(&format!("summary: {CLI_CARDS} ok")) {
                return Err(format!(
                    "ahrvo cards balance did not get every card:\n{}",
                    m.stderr
                ));
            }
            Ok(m)
        };
        let sdk_big_run = || -> Result<Measured, String> {
            let m = run_cli(&sdk_exe, &sandbox.url(), &sdk_run, &config)?;
            if !m
                .stderr
                .contains(&format!("summary: {CLI_CARDS} ok, 0 failed"))
            {
                return Err(format!(
                    "{SDK_EXAMPLE} did not get every card:\n{}",
                    m.stderr
                ));
            }
            Ok(m)
        };
        let (m, sdk) = if odd {
            small_run(&mut small_peaks)?;
            let sdk = sdk_big_run()?;
            (big_run()?, sdk)
        } else {
            let m = big_run()?;
            let sdk = sdk_big_run()?;
            small_run(&mut small_peaks)?;
            (m, sdk)
        };
        let rate = milli_per_sec(CLI_CARDS as u64, m.took);
        let sdk_rate = milli_per_sec(CLI_CARDS as u64, sdk.took);
        let peak = |m: &Measured| m.peak_kib.map(mib).unwrap_or_else(|| "unknown".into());
        println!(
            "cli round {round}: {CLI_CARDS} cards in {:.2} s, {} req/s, peak RSS {}; \
             {SDK_EXAMPLE} (SDK alone) in {:.2} s, {} req/s, peak RSS {}",
            m.took.as_secs_f64(),
            rate / 1000,
            peak(&m),
            sdk.took.as_secs_f64(),
            sdk_rate / 1000,
            peak(&sdk)
        );
        rates.push(rate);
        peaks.extend(m.peak_kib);
        sdk_rates.push(sdk_rate);
        sdk_peaks.extend(sdk.peak_kib);
    }
    drop(sandbox);
    rates.sort_unstable();
    sdk_rates.sort_unstable();
    let rate = rates[rates.len() / 2];
    let sdk_rate = sdk_rates[sdk_rates.len() / 2];
    if let Some(in_process) = in_process_rate {
        println!(
            "cli: the SDK in-process with its sandbox (row 2a of this run): {in_process} req/s"
        );
    }
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
    let (permille, ratio) = ratio_permille(rate, sdk_rate);
    rows.push(Row {
        id: "7b".into(),
        name: format!("ahrvo binary vs the SDK alone (example {SDK_EXAMPLE}), same run"),
        sdk: format!("{} req/s", rate / 1000),
        baseline: format!("{} req/s", sdk_rate / 1000),
        ratio,
        target: ">= 0.90".into(),
        result: pass(permille >= CLI_VS_SDK_TARGET_PERMILLE),
    });
    if let (Some(&peak), Some(&sdk_peak)) = (peaks.iter().max(), sdk_peaks.iter().max()) {
        let (_, ratio) = ratio_permille(u128::from(peak), u128::from(sdk_peak));
        rows.push(Row {
            id: "7f".into(),
            name: format!("peak RSS (VmHWM), 10k ids: ahrvo vs {SDK_EXAMPLE}"),
            sdk: mib(peak),
            baseline: format!("{} (SDK alone)", mib(sdk_peak)),
            ratio,
            target: "(info)".into(),
            result: "info".into(),
        });
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_executables_cargo_reports_are_found_by_target_name() {
        let stdout = concat!(
            r#"{"reason":"compiler-artifact","target":{"name":"ahrvo_types","kind":["lib"]},"executable":null}"#,
            "\n",
            r#"{"reason":"compiler-artifact","target":{"name":"card_balances","kind":["example"]},"executable":"/t/release/examples/card_balances"}"#,
            "\nnot json\n",
            r#"{"reason":"compiler-artifact","target":{"name":"ahrvo","kind":["bin"]},"executable":"/t/release/ahrvo"}"#,
            "\n",
            r#"{"reason":"build-finished","success":true}"#,
        );
        assert_eq!(
            executables(stdout),
            [
                (
                    "card_balances".to_owned(),
                    PathBuf::from("/t/release/examples/card_balances")
                ),
                ("ahrvo".to_owned(), PathBuf::from("/t/release/ahrvo")),
            ]
        );
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
