//! `ahrvo watch budgets` and `ahrvo watch cards`: polls, prints changes, exit 1 when a change
//! exceeds --alert-change.

use std::process::Stdio;
use std::time::Duration;

use ahrvo_sandbox::Sandbox;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

use crate::common::{CARD, Run, ahrvo, seeded, with_sandbox};

const ENGINEERING: &str = "ci202507232016182662";

/// Starts `ahrvo watch budgets ARGS`, waits for its first line (the first poll is done), calls
/// `change` on the sandbox, then waits for the end (`--count` bounds it) and returns everything.
async fn watch_while(sandbox: &Sandbox, args: &[&str], change: impl FnOnce(&Sandbox)) -> Run {
    let mut all = vec!["watch", "budgets"];
    all.extend_from_slice(args);
    watch_with(sandbox, &all, None, 1, change).await
}

/// [`watch_while`] for any `ahrvo ARGS`, with `stdin` written to its standard input (then
/// closed) when given, and `change` made after `wait_lines` lines of stdout (a CSV header comes
/// before the first poll).
async fn watch_with(
    sandbox: &Sandbox,
    all: &[&str],
    stdin: Option<&str>,
    wait_lines: usize,
    change: impl FnOnce(&Sandbox),
) -> Run {
    let mut cmd = Command::from(with_sandbox(sandbox, all));
    cmd.stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if stdin.is_some() {
        cmd.stdin(Stdio::piped());
    }
    let mut child = cmd.spawn().unwrap();
    if let Some(text) = stdin {
        let mut input = child.stdin.take().unwrap();
        tokio::io::AsyncWriteExt::write_all(&mut input, text.as_bytes())
            .await
            .unwrap();
    }
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    for _ in 0..wait_lines {
        tokio::time::timeout(Duration::from_secs(60), stdout.read_line(&mut first))
            .await
            .expect("the first poll prints")
            .unwrap();
    }
    change(sandbox);
    let mut rest = String::new();
    let out = tokio::time::timeout(Duration::from_secs(60), async {
        tokio::io::AsyncReadExt::read_to_string(&mut stdout, &mut rest)
            .await
            .unwrap();
        child.wait_with_output().await.unwrap()
    })
    .await
    .expect("--count ends the watch");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: first + &rest,
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_above_the_limit_alerts_and_exits_1() {
    let sandbox = seeded().await;
    // Three polls one second apart: the change made after the first shows in the second or
    // the third, and exactly once.
    let run = watch_while(
        &sandbox,
        &["--interval", "1s", "--count", "3", "--alert-change", "1000"],
        |s| s.fund_budget(ENGINEERING, "2500.00").unwrap(),
    )
    .await;
    run.expect(1);
    let out = &run.stdout;
    assert!(
        out.contains("watching 3 budget accounts every 1s, alert on a change above 1000"),
        "{out}"
    );
    assert!(
        out.contains("Engineering Team Budget      78900.00  USD"),
        "{out}"
    );
    let changed: Vec<&str> = out.lines().filter(|l| l.contains("CHANGED")).collect();
    assert_eq!(changed.len(), 1, "{out}");
    assert!(
        changed[0].ends_with(&format!(
            "CHANGED  {ENGINEERING}  Engineering Team Budget  78900.00 -> 81400.00 USD (+2500.00)  ALERT"
        )),
        "{}",
        changed[0]
    );
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn json_events_one_per_line_and_small_changes_do_not_alert() {
    let sandbox = seeded().await;
    let run = watch_while(
        &sandbox,
        &[
            "--interval",
            "1s",
            "--count",
            "3",
            "--alert-change",
            "1000",
            "-o",
            "json",
        ],
        |s| {
            s.withdraw_budget(ENGINEERING, "0.50").unwrap();
            s.create_budget("New Team", "EUR").unwrap();
        },
    )
    .await;
    run.expect(0);
    let events: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["snapshot", "snapshot", "snapshot", "changed", "added"],
        "{}",
        run.stdout
    );
    assert_eq!(events[1]["budget_id"], ENGINEERING);
    assert_eq!(events[1]["balance"], "78900.00");
    let changed = &events[3];
    assert_eq!(changed["previous_balance"], "78900.00");
    assert_eq!(changed["balance"], "78899.50");
    assert_eq!(changed["delta"], "-0.50");
    assert_eq!(changed["alert"], false);
    assert_eq!(events[4]["budget_name"], "New Team");
    assert_eq!(events[4]["currency"], "EUR");
    assert_eq!(events[4]["balance"], "0.00");
}

#[tokio::test(flavor = "multi_thread")]
async fn csv_has_one_header_then_rows() {
    let sandbox = seeded().await;
    let run = ahrvo(
        &sandbox,
        &[
            "watch",
            "budgets",
            "--interval",
            "500ms",
            "--count",
            "2",
            "-o",
            "csv",
        ],
    )
    .await;
    run.expect(0);
    let lines = run.csv_lines();
    assert_eq!(
        lines[0],
        "at,event,budget_id,budget_name,currency,previous_balance,balance,delta,alert"
    );
    assert_eq!(lines.len(), 4, "no change, no more rows: {lines:?}");
    assert!(
        lines[2].ends_with(
            ",snapshot,ci202507232016182662,Engineering Team Budget,USD,,78900.00,,false"
        )
    );
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_stops_the_watch_with_exit_0() {
    let sandbox = seeded().await;
    let mut cmd = Command::from(with_sandbox(
        &sandbox,
        &["watch", "budgets", "--interval", "1h"],
    ));
    cmd.stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = cmd.spawn().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    tokio::time::timeout(Duration::from_secs(60), stdout.read_line(&mut first))
        .await
        .unwrap()
        .unwrap();
    assert!(
        first.contains("watching 3 budget accounts every 1h"),
        "{first}"
    );
    let pid = child.id().unwrap().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("exits after Ctrl-C")
        .unwrap();
    assert_eq!(status.code(), Some(0));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_key_ends_the_watch_at_once_with_exit_3() {
    let sandbox = seeded().await;
    let run = ahrvo(
        &sandbox,
        &["--api-key", "nope", "watch", "budgets", "--interval", "1h"],
    )
    .await;
    run.expect(3)
        .one_error_line("listBudgetBalances: unauthorized (HTTP 401)");
    assert!(run.stdout.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_poll_after_the_first_is_a_warning_and_the_watch_goes_on() {
    use ahrvo_sandbox::{FaultConfig, FaultKind};

    let sandbox = seeded().await;
    let run = watch_while(
        &sandbox,
        &[
            "--interval",
            "200ms",
            "--count",
            "3",
            "--timeout",
            "1s",
            "-o",
            "json",
        ],
        |s| s.set_faults(FaultConfig::with_rate(1.0).kinds([FaultKind::ServiceUnavailable])),
    )
    .await;
    run.expect(0);
    assert_eq!(
        run.stdout.lines().count(),
        3,
        "the snapshot only: {}",
        run.stdout
    );
    let warnings: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(warnings.len(), 2, "{}", run.stderr);
    assert!(
        warnings
            .iter()
            .all(|w| w.starts_with("warning: listBudgetBalances")),
        "{}",
        run.stderr
    );
    assert!(warnings[0].ends_with("(trying again at the next poll)"));
}

// ---------------------------------------------------------------------------------------------
// watch cards
// ---------------------------------------------------------------------------------------------

/// A second seeded Dedicated Funds Card (2500.00, in the Engineering budget).
const CARD_2: &str = "card201907021723076246";
/// A card id of the right form that the sandbox does not have.
const NO_CARD: &str = "card209912319999999999";

#[tokio::test(flavor = "multi_thread")]
async fn watch_cards_prints_a_change_above_the_limit_once_and_exits_1() {
    let sandbox = seeded().await;
    let run = watch_with(
        &sandbox,
        &[
            "watch",
            "cards",
            CARD,
            CARD_2,
            "--interval",
            "1s",
            "--count",
            "3",
            "--alert-change",
            "100",
        ],
        None,
        1,
        |s| s.top_up_card(CARD, "250.00").unwrap(),
    )
    .await;
    run.expect(1);
    let out = &run.stdout;
    assert!(
        out.contains("watching 2 cards every 1s, alert on a change above 100 (Ctrl-C to stop)"),
        "{out}"
    );
    assert!(
        out.contains(&format!("{CARD}  5157********2686    1468.87")),
        "the first poll's table: {out}"
    );
    assert!(
        out.contains(&format!("{CARD_2}  5157********1357    2500.00")),
        "{out}"
    );
    let changed: Vec<&str> = out.lines().filter(|l| l.contains("CHANGED")).collect();
    assert_eq!(changed.len(), 1, "one change, printed once: {out}");
    assert!(
        changed[0].ends_with(&format!(
            "CHANGED  {CARD}  5157********2686  1468.87 -> 1718.87 USD (+250.00)  ALERT"
        )),
        "{}",
        changed[0]
    );
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn watch_cards_reads_a_file_reports_a_missing_card_once_and_small_changes_do_not_alert() {
    let sandbox = seeded().await;
    let dir = std::env::temp_dir().join(format!("ahrvo-watch-cards-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("ids.txt");
    std::fs::write(
        &file,
        format!("# the cards to watch\n{CARD}\n\n{NO_CARD}\n{CARD_2}\n{CARD}\n"),
    )
    .unwrap();
    let path = file.display().to_string();
    let run = watch_with(
        &sandbox,
        &[
            "watch",
            "cards",
            "--from-file",
            &path,
            "--interval",
            "1s",
            "--count",
            "3",
            "--alert-change",
            "100",
            "-o",
            "jsonl",
        ],
        None,
        1,
        |s| s.top_up_card(CARD_2, "0.50").unwrap(),
    )
    .await;
    let _ = std::fs::remove_dir_all(&dir);
    // The missing card's 404 wins over "no alert": exit 4, as `cards balance` would.
    run.expect(4);
    let events: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    let kinds: Vec<(&str, &str)> = events
        .iter()
        .map(|e| (e["event"].as_str().unwrap(), e["card_id"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("snapshot", CARD),
            ("error", NO_CARD),
            ("snapshot", CARD_2),
            ("changed", CARD_2)
        ],
        "input order, the duplicate once, the error once over three polls: {}",
        run.stdout
    );
    assert_eq!(events[0]["available_balance"], "1468.87");
    assert_eq!(events[0]["card_number"], "5157********2686");
    assert_eq!(events[1]["error"]["kind"], "not_found");
    assert_eq!(events[1]["error"]["status"], 404);
    assert_eq!(events[1]["error"]["code"], "CARD_NOT_FOUND");
    let changed = &events[3];
    assert_eq!(changed["previous_balance"], "2500.00");
    assert_eq!(changed["available_balance"], "2500.50");
    assert_eq!(changed["delta"], "+0.50");
    assert_eq!(changed["alert"], false);
    assert!(changed["at"].as_str().unwrap().ends_with('Z'));
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn watch_cards_reads_stdin_and_prints_csv_with_one_header() {
    let sandbox = seeded().await;
    let run = watch_with(
        &sandbox,
        &[
            "watch",
            "cards",
            "-",
            "--interval",
            "500ms",
            "--count",
            "2",
            "--concurrency",
            "1",
            "-o",
            "csv",
        ],
        Some(&format!("{CARD}\n{CARD_2}\n")),
        2,
        |s| s.top_up_card(CARD, "1.25").unwrap(),
    )
    .await;
    run.expect(0);
    let lines = run.csv_lines();
    assert_eq!(
        lines[0],
        "at,event,card_id,card_number,previous_balance,available_balance,delta,alert,error_kind,error"
    );
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert!(
        lines[1].ends_with(&format!(
            ",snapshot,{CARD},5157********2686,,1468.87,,false,,"
        )),
        "{}",
        lines[1]
    );
    assert!(
        lines[3].ends_with(&format!(
            ",changed,{CARD},5157********2686,1468.87,1470.12,+1.25,false,,"
        )),
        "{}",
        lines[3]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn watch_cards_with_no_card_to_read_ends_after_the_first_poll() {
    let sandbox = seeded().await;
    // No --count and an hour between polls: only the end of the watch makes this return.
    let run = tokio::time::timeout(
        Duration::from_secs(60),
        ahrvo(
            &sandbox,
            &["watch", "cards", NO_CARD, "--interval", "1h", "-o", "json"],
        ),
    )
    .await
    .expect("the watch ends");
    run.expect(4);
    let event: serde_json::Value = serde_json::from_str(run.stdout.trim()).unwrap();
    assert_eq!(event["event"], "error");
    assert_eq!(event["card_id"], NO_CARD);
}

#[tokio::test(flavor = "multi_thread")]
async fn watch_cards_with_a_wrong_key_ends_at_once_with_exit_3() {
    let sandbox = seeded().await;
    let run = ahrvo(
        &sandbox,
        &[
            "--api-key",
            "nope",
            "watch",
            "cards",
            CARD,
            "--interval",
            "1h",
        ],
    )
    .await;
    run.expect(3).one_error_line("unauthorized (HTTP 401)");
    assert!(run.stdout.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn watch_cards_without_ids_is_a_usage_error() {
    let sandbox = seeded().await;
    let run = ahrvo(&sandbox, &["watch", "cards", "--count", "1"]).await;
    run.expect(2).one_error_line("no card ids");
}
