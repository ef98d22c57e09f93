//! Bulk input and output through the binary: ids from files and stdin, JSON Lines, failed rows,
//! the summary and exit codes, the early stop, a closed pipe, Ctrl-C, and a pseudo-terminal.

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;
use std::time::Duration;

use ahrvo_sandbox::{Sandbox, SandboxConfig};

use crate::common::{CARD, SHARED_CARD, ahrvo, command, run, seeded, with_sandbox};

/// A file holding `text`, removed when dropped.
struct TempFile(std::path::PathBuf);

impl TempFile {
    fn new(name: &str, text: &str) -> TempFile {
        let path = std::env::temp_dir().join(format!("ahrvo-bulk-{}-{name}", std::process::id()));
        std::fs::write(&path, text).unwrap();
        TempFile(path)
    }
    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Ids of cards the sandbox does not have (404 each), `n` of them, one per line.
fn unknown_ids(n: usize) -> String {
    (0..n)
        .map(|i| format!("card{:018}\n", 900_000_000_000_000_000_u64 + i as u64))
        .collect()
}

const MIXED: &str =
    "card201907021723076245\n\n# a comment\n  card201907021723076245  \nbad id\ncardnope\n";

#[tokio::test(flavor = "multi_thread")]
async fn ids_from_a_file_skip_blanks_comments_duplicates_and_flag_malformed_ones() {
    let sandbox = seeded().await;
    let file = TempFile::new("mixed.txt", MIXED);
    let run = ahrvo(
        &sandbox,
        &[
            "cards",
            "balance",
            "--from-file",
            file.path(),
            "-o",
            "jsonl",
        ],
    )
    .await;
    run.expect(4);
    let lines: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    assert_eq!(lines[0]["card_id"], CARD);
    assert_eq!(lines[0]["available_balance"], "1468.87");
    assert_eq!(lines[1]["card_id"], "bad id");
    assert_eq!(lines[1]["error"]["kind"], "invalid_input");
    assert_eq!(
        lines[1]["error"]["message"],
        "line 5: the id contains spaces"
    );
    assert_eq!(lines[2]["error"]["kind"], "not_found");
    let summary = run.stderr.trim_end();
    assert!(
        summary.starts_with(
            "summary: 1 ok, 2 failed (1 invalid input, 1 not found), 1 duplicate skipped, 0 retried, "
        ),
        "{summary}"
    );
    assert_eq!(run.stderr.lines().count(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn ids_from_stdin_and_a_csv_column() {
    let sandbox = seeded().await;
    let mut cmd = with_sandbox(&sandbox, &["cards", "balance", "-", "-o", "csv"]);
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(MIXED.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(4));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<&str> = stdout.split_terminator("\r\n").collect();
    assert_eq!(
        rows[0],
        "card_id,card_number,available_balance,error_kind,error"
    );
    assert_eq!(rows.len(), 4, "{stdout}");
    assert!(
        rows[2].starts_with("bad id,,,invalid_input,line 5: "),
        "{}",
        rows[2]
    );

    let csv = TempFile::new(
        "cards.csv",
        &format!("name,card_id\nops,{CARD}\n# skipped\nshared,{SHARED_CARD}\n"),
    );
    let run = ahrvo(
        &sandbox,
        &[
            "cards",
            "balance",
            "--from-file",
            csv.path(),
            "--column",
            "card_id",
            "-o",
            "json",
        ],
    )
    .await;
    run.expect(5);
    let json = run.json();
    assert_eq!(json.as_array().unwrap().len(), 2);
    assert_eq!(json[1]["error"]["kind"], "bad_request");
    let run = ahrvo(
        &sandbox,
        &[
            "cards",
            "balance",
            "--from-file",
            csv.path(),
            "--column",
            "id",
        ],
    )
    .await;
    run.expect(2)
        .one_error_line("no column \"id\" in the header (name,card_id)");
    let run = ahrvo(&sandbox, &["cards", "balance"]).await;
    run.expect(2).one_error_line("no card ids");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_run_stops_early_when_the_server_is_gone() {
    // Nothing listens on this port: every request fails to connect.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let ids = TempFile::new("gone.txt", &unknown_ids(500));
    let mut cmd = command();
    cmd.args([
        "--base-url",
        &url,
        "cards",
        "balance",
        "--from-file",
        ids.path(),
    ])
    .args(["-o", "jsonl", "--concurrency", "4"])
    .env("AHRVO_API_KEY", "k")
    .env("AHRVO_ACCESS_TOKEN", "t");
    let started = std::time::Instant::now();
    let run = run(cmd).await;
    run.expect(5);
    let rows = run.stdout.lines().count();
    assert_eq!(rows, 10, "ten failures, then nothing: {}", run.stdout);
    assert!(run.stdout.lines().all(|l| l.contains("connection_failed")));
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("10 failed (10 connection failed)")
            && run
                .stderr
                .contains("stopped after 10 consecutive connection failures: 490 not attempted"),
        "{}",
        run.stderr
    );
    assert!(started.elapsed() < Duration::from_secs(15));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_closed_pipe_ends_the_run_quietly() {
    let sandbox = seeded().await;
    let ids = TempFile::new("pipe.txt", &unknown_ids(3000));
    let mut cmd = with_sandbox(
        &sandbox,
        &["cards", "balance", "--from-file", ids.path(), "-o", "jsonl"],
    );
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    assert!(first.contains("not_found"), "{first}");
    drop(stdout); // as `| head -1` does
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.is_empty(), "nothing on stderr: {stderr}");
    // The status of what was done: these ids are unknown (4); no broken-pipe error.
    assert_eq!(out.status.code(), Some(4));
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_prints_the_summary_so_far_and_exits_130() {
    let sandbox =
        Sandbox::start_with(SandboxConfig::default().with_latency(Duration::from_millis(50)))
            .await
            .unwrap();
    let ids = TempFile::new("ctrlc.txt", &unknown_ids(2000));
    let mut cmd = with_sandbox(
        &sandbox,
        &[
            "cards",
            "balance",
            "--from-file",
            ids.path(),
            "-o",
            "jsonl",
            "--concurrency",
            "1",
        ],
    );
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    for _ in 0..3 {
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
    }
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(out.status.code(), Some(130));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.starts_with("interrupted: 0 ok, "), "{stderr}");
    assert!(stderr.contains(" not found)"), "{stderr}");
}

/// Runs `shell` (with the sandbox's environment) under `script`, in a pseudo-terminal; returns
/// what the terminal showed.
fn in_terminal(sandbox: &Sandbox, shell: &str) -> String {
    let mut cmd = with_sandbox(sandbox, &[]);
    let bin = cmd.get_program().to_owned();
    let mut script = std::process::Command::new("script");
    script.args(["-q", "-e", "-c"]);
    script.arg(shell.replace("AHRVO", bin.to_str().unwrap()));
    script.arg("/dev/null");
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => script.env(k, v),
            None => script.env_remove(k),
        };
    }
    script.stdin(Stdio::null());
    cmd.stdin(Stdio::null());
    let out = script.output().expect("script (util-linux) runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_progress_bar_is_drawn_on_a_terminal_and_stdout_carries_only_results() {
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: no `script` (util-linux) on this machine");
        return;
    }
    let sandbox = seeded().await;
    let ids = TempFile::new("pty.txt", &unknown_ids(300));
    let out = TempFile::new("pty-out.jsonl", "");
    let shown = tokio::task::spawn_blocking({
        let sandbox_cmd = format!(
            "AHRVO cards balance --from-file {} -o jsonl > {}",
            ids.path(),
            out.path()
        );
        let sandbox = sandbox;
        move || (in_terminal(&sandbox, &sandbox_cmd), sandbox)
    })
    .await
    .unwrap();
    let (terminal, sandbox) = shown;
    assert!(
        terminal.contains(" done  "),
        "the bar on the terminal: {terminal:?}"
    );
    assert!(terminal.contains("\r\u{1b}[2K"), "{terminal:?}");
    assert!(
        terminal.contains("summary: 0 ok, 300 failed"),
        "{terminal:?}"
    );
    let results = std::fs::read_to_string(&out.0).unwrap();
    assert_eq!(results.lines().count(), 300);
    assert!(
        results.lines().all(|l| l.starts_with("{\"card_id\":")),
        "only results on stdout"
    );

    // --quiet: no bar, no summary.
    let quiet = in_terminal(
        &sandbox,
        &format!(
            "AHRVO cards balance --quiet --from-file {} > /dev/null",
            ids.path()
        ),
    );
    assert!(
        !quiet.contains(" done  ") && !quiet.contains("summary"),
        "{quiet:?}"
    );
    // Off a terminal (stderr a pipe): the summary only.
    let run = ahrvo(
        &sandbox,
        &["cards", "balance", "--from-file", ids.path(), "-o", "jsonl"],
    )
    .await;
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(!run.stderr.contains('\u{1b}'));
}
