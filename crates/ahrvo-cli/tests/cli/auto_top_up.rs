//! `ahrvo cards auto-top-up CARD_ID... --below X --to Y [--apply]`.

use crate::common::{ahrvo, seeded, with_sandbox};

/// 850.50, 320.00 and 45.00: below 1000.00.
const LOW: [&str; 3] = [
    "card201907021723076247",
    "card201907021723076248",
    "card201907021723076249",
];
/// 2500.00: above.
const HIGH: &str = "card201907021723076246";

async fn balances(sandbox: &ahrvo_sandbox::Sandbox) -> Vec<String> {
    let mut args = vec!["cards", "balance", "-o", "json", HIGH];
    args.extend(LOW);
    let run = ahrvo(sandbox, &args).await;
    run.expect(0);
    run.json()
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["available_balance"].as_str().unwrap().to_owned())
        .collect()
}

async fn funding_orders(sandbox: &ahrvo_sandbox::Sandbox) -> usize {
    let run = ahrvo(sandbox, &["cards", "funding-orders", "-o", "jsonl"]).await;
    run.expect(0);
    run.stdout.lines().count()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_changes_nothing_and_says_what_it_would_do() {
    let sandbox = seeded().await;
    let before = balances(&sandbox).await;
    let orders = funding_orders(&sandbox).await;
    let mut args = vec![
        "cards",
        "auto-top-up",
        "--below",
        "1000",
        "--to",
        "1200.00",
        HIGH,
    ];
    args.extend(LOW);
    let run = ahrvo(&sandbox, &args).await;
    run.expect(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(lines[0].starts_with("CARD ID "), "{}", run.stdout);
    assert!(
        lines[2].starts_with(HIGH) && lines[2].contains("none"),
        "{}",
        run.stdout
    );
    for (line, amount) in lines[3..].iter().zip(["349.50", "880.00", "1155.00"]) {
        assert!(
            line.contains("would top up") && line.contains(amount),
            "{line}"
        );
    }
    assert!(
        run.stderr
            .contains("dry run: 3 cards would be topped up to 1200.00 USD (2384.50 USD in all)"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("pass --apply"), "{}", run.stderr);
    assert_eq!(balances(&sandbox).await, before);
    assert_eq!(funding_orders(&sandbox).await, orders);
}

#[tokio::test(flavor = "multi_thread")]
async fn apply_tops_up_each_low_card_once_and_a_second_run_finds_nothing() {
    let sandbox = seeded().await;
    let orders = funding_orders(&sandbox).await;
    // Ids from stdin, one low card given three times.
    let input = format!(
        "{HIGH}\n{}\n{}\n{}\n{}\n{}\n",
        LOW[0], LOW[1], LOW[0], LOW[2], LOW[0]
    );
    let mut cmd = with_sandbox(
        &sandbox,
        &[
            "cards",
            "auto-top-up",
            "-",
            "--below",
            "1000",
            "--to",
            "1200",
            "--apply",
            "-o",
            "jsonl",
        ],
    );
    cmd.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    let rows: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 4, "{stdout}");
    assert_eq!(rows[0]["action"], "none");
    let mut ids = Vec::new();
    for (row, amount) in rows[1..].iter().zip(["349.50", "880.00", "1155.00"]) {
        assert_eq!(row["action"], "top_up", "{row}");
        assert_eq!(row["amount"], amount, "{row}");
        assert_eq!(row["status"], "SUCCESS", "{row}");
        let id = row["unique_order_id"].as_str().unwrap();
        assert_eq!(id.len(), 36, "{row}");
        ids.push(id.to_owned());
    }
    assert!(stderr.contains("2 duplicates skipped"), "{stderr}");
    assert!(
        stderr.contains("auto-top-up: 3 cards topped up"),
        "{stderr}"
    );
    assert!(stderr.contains("0 retried"), "{stderr}");
    // Each low card once: at 1200.00, three new funding orders, each under its printed id.
    assert_eq!(
        balances(&sandbox).await,
        ["2500.00", "1200.00", "1200.00", "1200.00"]
    );
    assert_eq!(funding_orders(&sandbox).await, orders + 3);
    for id in &ids {
        let run = ahrvo(
            &sandbox,
            &["cards", "funding-orders", "--order-id", id, "-o", "json"],
        )
        .await;
        run.expect(0);
        assert_eq!(run.json().as_array().unwrap().len(), 1, "{id}");
    }

    let mut args = vec![
        "cards",
        "auto-top-up",
        "--below",
        "1000",
        "--to",
        "1200",
        "--apply",
        HIGH,
    ];
    args.extend(LOW);
    let again = ahrvo(&sandbox, &args).await;
    again.expect(0);
    assert!(!again.stdout.contains("topped up"), "{}", again.stdout);
    assert!(
        again.stderr.contains("auto-top-up: 0 cards topped up"),
        "{}",
        again.stderr
    );
    assert_eq!(funding_orders(&sandbox).await, orders + 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn csv_rows_and_failed_cards() {
    let sandbox = seeded().await;
    let run = ahrvo(
        &sandbox,
        &[
            "cards",
            "auto-top-up",
            LOW[0],
            "card000000000000000000",
            "--below",
            "900",
            "--to",
            "900",
            "-o",
            "csv",
        ],
    )
    .await;
    run.expect(4);
    let lines = run.csv_lines();
    assert_eq!(
        lines[0],
        "card_id,available_balance,action,amount,unique_order_id,status,error_kind,error"
    );
    assert_eq!(
        lines[1],
        "card201907021723076247,850.50,would_top_up,49.50,,,,"
    );
    assert!(
        lines[2].starts_with("card000000000000000000,,,,,,not_found,"),
        "{lines:?}"
    );
}
