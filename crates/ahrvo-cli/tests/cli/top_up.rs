//! `ahrvo budgets top-up | top-up-status` and `ahrvo cards top-up`: exactly once, through the
//! binary.

use ahrvo_sandbox::{FaultConfig, FaultKind, FaultTiming, Sandbox};

use crate::common::{CARD, ahrvo, seeded};

/// The seeded Marketing budget (45250.75 USD).
pub const BUDGET: &str = "ci202507232016182661";

/// A budget's balance as `ahrvo budgets list -o json` prints it.
pub async fn budget_balance(sandbox: &Sandbox, budget_id: &str) -> String {
    let run = ahrvo(sandbox, &["budgets", "list", "-o", "json"]).await;
    run.expect(0);
    let json = run.json();
    let budget = json
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["budget_id"] == budget_id)
        .unwrap_or_else(|| panic!("{budget_id} not listed: {json}"))
        .clone();
    budget["balance"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_top_up_prints_its_order_and_top_up_status_finds_it_in_every_format() {
    let sandbox = seeded().await;
    let run = ahrvo(
        &sandbox,
        &[
            "budgets",
            "top-up",
            BUDGET,
            "10.45",
            "--currency",
            "USD",
            "--order-id",
            "inv-0001",
        ],
    )
    .await;
    run.expect(0);
    for line in [
        "unique_order_id    inv-0001",
        "budget_id          ci202507232016182661",
        "amount             10.45",
        "status             SUCCESS",
        "resolved_by_query  false",
    ] {
        assert!(run.stdout.contains(line), "{line:?} in\n{}", run.stdout);
    }
    assert!(
        run.stdout.contains("record_id          tu"),
        "{}",
        run.stdout
    );

    // Without --order-id: a UUID, printed, and JSON of the outcome.
    let run = ahrvo(
        &sandbox,
        &[
            "budgets",
            "top-up",
            BUDGET,
            "1.00",
            "--currency",
            "usd",
            "-o",
            "json",
        ],
    )
    .await;
    run.expect(0);
    let out = run.json();
    let id = out["unique_order_id"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 36, "{out}");
    assert_eq!(out["status"], "SUCCESS");
    assert_eq!(out["amount"], "1.00");
    assert_eq!(out["currency"], "USD");
    assert_eq!(out["resolved_by_query"], false);
    assert!(
        out["record_id"].as_str().unwrap().starts_with("tu"),
        "{out}"
    );

    let table = ahrvo(&sandbox, &["budgets", "top-up-status", "inv-0001"]).await;
    table.expect(0);
    assert!(
        table.stdout.contains("status           SUCCESS"),
        "{}",
        table.stdout
    );
    assert!(
        table.stdout.contains("top_up_amount    10.45"),
        "{}",
        table.stdout
    );
    let json = ahrvo(&sandbox, &["budgets", "top-up-status", &id, "-o", "json"]).await;
    json.expect(0);
    let order = json.json();
    assert_eq!(order["unique_order_id"], id.as_str());
    assert_eq!(order["status"], "SUCCESS");
    assert_eq!(order["top_up_amount"], "1.00");
    assert_eq!(order["budget_id"], BUDGET);
    let csv = ahrvo(
        &sandbox,
        &["budgets", "top-up-status", "inv-0001", "-o", "csv"],
    )
    .await;
    csv.expect(0);
    let lines = csv.csv_lines();
    assert_eq!(
        lines[0],
        "unique_order_id,status,record_id,budget_id,top_up_amount,top_up_currency"
    );
    assert!(lines[1].starts_with("inv-0001,SUCCESS,tu"), "{lines:?}");
    assert!(
        lines[1].ends_with(",ci202507232016182661,10.45,USD"),
        "{lines:?}"
    );
    let jsonl = ahrvo(
        &sandbox,
        &["budgets", "top-up-status", "inv-0001", "-o", "jsonl"],
    )
    .await;
    jsonl.expect(0);
    assert_eq!(jsonl.stdout.lines().count(), 1);
    assert!(
        jsonl.stdout.starts_with("{\"status\":\"SUCCESS\""),
        "{}",
        jsonl.stdout
    );

    let missing = ahrvo(&sandbox, &["budgets", "top-up-status", "never-sent"]).await;
    missing.expect(4).one_error_line("ORDER_NOT_FOUND");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_order_id_twice_credits_once() {
    let sandbox = seeded().await;
    let before = budget_balance(&sandbox, BUDGET).await;
    assert_eq!(before, "45250.75");
    let args = [
        "budgets",
        "top-up",
        BUDGET,
        "100.10",
        "--currency",
        "USD",
        "--order-id",
        "once-only",
        "-o",
        "json",
    ];
    let first = ahrvo(&sandbox, &args).await;
    first.expect(0);
    let second = ahrvo(&sandbox, &args).await;
    second.expect(0);
    let (a, b) = (first.json(), second.json());
    assert_eq!(a["unique_order_id"], "once-only");
    assert_eq!(b["unique_order_id"], "once-only");
    assert_eq!(a["record_id"], b["record_id"], "the same order: {a} {b}");
    assert_eq!(budget_balance(&sandbox, BUDGET).await, "45350.85");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_outcome_prints_the_generated_order_id_to_query() {
    let sandbox = seeded().await;
    // Every request fails: the top-up lands (the fault strikes after processing), its reply
    // and every query of the order are lost.
    sandbox.set_faults(
        FaultConfig::with_rate(1.0)
            .kinds([FaultKind::InternalServerError])
            .timing(FaultTiming::After),
    );
    let run = ahrvo(
        &sandbox,
        &[
            "--timeout",
            "20s",
            "budgets",
            "top-up",
            BUDGET,
            "5.00",
            "--currency",
            "USD",
        ],
    )
    .await;
    run.expect(5);
    let note = run
        .stderr
        .lines()
        .find(|l| l.starts_with("note: unique_order_id "))
        .unwrap_or_else(|| panic!("no note naming the order id:\n{}", run.stderr));
    let id = note["note: unique_order_id ".len()..]
        .split(':')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(id.len(), 36, "{note}");
    assert!(
        note.contains(&format!("ahrvo budgets top-up-status {id}")),
        "{note}"
    );
    assert!(run.stderr.contains("error: "), "{}", run.stderr);
    sandbox.set_faults(FaultConfig::none());
    let status = ahrvo(&sandbox, &["budgets", "top-up-status", &id, "-o", "json"]).await;
    status.expect(0);
    assert_eq!(status.json()["status"], "SUCCESS");
    assert_eq!(budget_balance(&sandbox, BUDGET).await, "45255.75");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_card_top_up_debits_the_budget_and_lists_its_funding_order() {
    let sandbox = seeded().await;
    let before = budget_balance(&sandbox, BUDGET).await;
    let run = ahrvo(
        &sandbox,
        &["cards", "top-up", CARD, "25.00", "--order-id", "card-0001"],
    )
    .await;
    run.expect(0);
    assert!(
        run.stdout.contains("unique_order_id    card-0001"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("card_id            card201907021723076245"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("status             SUCCESS"),
        "{}",
        run.stdout
    );
    assert_eq!(before, "45250.75");
    assert_eq!(budget_balance(&sandbox, BUDGET).await, "45225.75");
    let card = ahrvo(&sandbox, &["cards", "balance", CARD, "-o", "json"]).await;
    card.expect(0);
    assert_eq!(card.json()[0]["available_balance"], "1493.87");

    let record = run
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("record_id          "))
        .unwrap_or_else(|| panic!("no record_id in\n{}", run.stdout))
        .trim()
        .to_owned();

    let json = ahrvo(&sandbox, &["cards", "top-up", CARD, "0.50", "-o", "json"]).await;
    json.expect(0);
    let out = json.json();
    assert_eq!(out["card_id"], CARD);
    assert_eq!(out["amount"], "0.50");
    assert_eq!(out["currency"], "USD");
    assert_eq!(out["status"], "SUCCESS");
    assert_eq!(out["attempts"], 1);
    let second = out["unique_order_id"].as_str().unwrap().to_owned();
    assert_eq!(second.len(), 36, "a UUID made by the CLI: {out}");
    // Each top-up moved exactly its amount, from the budget to the card.
    assert_eq!(budget_balance(&sandbox, BUDGET).await, "45225.25");
    let card = ahrvo(&sandbox, &["cards", "balance", CARD, "-o", "json"]).await;
    card.expect(0);
    assert_eq!(card.json()[0]["available_balance"], "1494.37");
    // The same order id again is the same order: nothing moves.
    ahrvo(
        &sandbox,
        &["cards", "top-up", CARD, "0.50", "--order-id", &second],
    )
    .await
    .expect(0);
    assert_eq!(budget_balance(&sandbox, BUDGET).await, "45225.25");
    let orders = ahrvo(
        &sandbox,
        &[
            "cards",
            "funding-orders",
            "--order-id",
            "card-0001",
            "-o",
            "json",
        ],
    )
    .await;
    orders.expect(0);
    let list = orders.json();
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["amount"], "25.00");
    assert_eq!(list[0]["operate_type"], "card_in");
    assert_eq!(list[0]["card_id"], CARD);
    assert_eq!(list[0]["record_id"], record.as_str(), "the record printed");
    assert_eq!(list[0]["status"], "SUCCESS");
    let orders = ahrvo(
        &sandbox,
        &[
            "cards",
            "funding-orders",
            "--order-id",
            &second,
            "-o",
            "json",
        ],
    )
    .await;
    orders.expect(0);
    let list = orders.json();
    assert_eq!(list.as_array().unwrap().len(), 1, "once: {list}");
    assert_eq!(list[0]["amount"], "0.50");
}

/// A seeded sandbox whose budget top-ups stay PROCESSING for `delay` before they credit.
async fn slow_top_ups(delay: std::time::Duration) -> Sandbox {
    Sandbox::start_with(
        ahrvo_sandbox::SandboxConfig::default()
            .with_seed(true)
            .with_top_up_delay(delay),
    )
    .await
    .expect("sandbox starts")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_processing_top_up_is_awaited_until_it_succeeds() {
    // PROCESSING for 0.6 s: the SDK's bounded poll (8 more queries, 250 ms apart) sees SUCCESS.
    let sandbox = slow_top_ups(std::time::Duration::from_millis(600)).await;
    let run = ahrvo(
        &sandbox,
        &[
            "budgets",
            "top-up",
            BUDGET,
            "12.34",
            "--currency",
            "USD",
            "--order-id",
            "slow-0001",
            "-o",
            "json",
        ],
    )
    .await;
    run.expect(0);
    let out = run.json();
    assert_eq!(out["status"], "SUCCESS", "{out}");
    assert_eq!(out["resolved_by_query"], false);
    // The first query found it PROCESSING, a later one SUCCESS.
    let queries = out["queries"].as_u64().unwrap();
    assert!((2..=9).contains(&queries), "{out}");
    assert!(!run.stderr.contains("PROCESSING"), "{}", run.stderr);
    assert_eq!(budget_balance(&sandbox, BUDGET).await, "45263.09");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_top_up_still_processing_when_the_poll_runs_out_says_so_and_exits_1() {
    // PROCESSING for a minute: longer than the poll's bound (about 2 s).
    let sandbox = slow_top_ups(std::time::Duration::from_secs(60)).await;
    let run = ahrvo(
        &sandbox,
        &[
            "budgets",
            "top-up",
            BUDGET,
            "12.34",
            "--currency",
            "USD",
            "--order-id",
            "slow-0002",
        ],
    )
    .await;
    run.expect(1);
    assert!(
        run.stdout.contains("status             PROCESSING"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("queries            9"),
        "the first query and 8 more: {}",
        run.stdout
    );
    assert!(
        run.stderr.contains(
            "note: unique_order_id slow-0002 is still PROCESSING after 9 queries: the order was \
             accepted but is not settled yet; check it with `ahrvo budgets top-up-status slow-0002`"
        ),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("error:"), "{}", run.stderr);
    // Not credited yet, and the order is there to check.
    assert_eq!(budget_balance(&sandbox, BUDGET).await, "45250.75");
    let status = ahrvo(
        &sandbox,
        &["budgets", "top-up-status", "slow-0002", "-o", "json"],
    )
    .await;
    status.expect(0);
    assert_eq!(status.json()["status"], "PROCESSING");
    let json = ahrvo(
        &sandbox,
        &[
            "budgets",
            "top-up",
            BUDGET,
            "12.34",
            "--currency",
            "USD",
            "--order-id",
            "slow-0002",
            "-o",
            "json",
        ],
    )
    .await;
    // The same id again: the same order, still PROCESSING, never credited twice.
    json.expect(1);
    assert_eq!(json.json()["status"], "PROCESSING");
    assert_eq!(json.json()["unique_order_id"], "slow-0002");
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_input_exits_2_before_any_request() {
    let sandbox = seeded().await;
    let long_id = "x".repeat(37);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["budgets", "top-up", BUDGET, "0", "--currency", "USD"],
            "positive",
        ),
        (
            vec!["budgets", "top-up", BUDGET, "-5", "--currency", "USD"],
            "positive",
        ),
        (
            vec!["budgets", "top-up", BUDGET, "1.234", "--currency", "USD"],
            "2 decimal",
        ),
        (
            vec!["budgets", "top-up", BUDGET, "1e3", "--currency", "USD"],
            "1e3",
        ),
        (
            vec!["budgets", "top-up", BUDGET, "5", "--currency", "ABC"],
            "ISO 4217",
        ),
        (
            vec![
                "budgets",
                "top-up",
                BUDGET,
                "5",
                "--currency",
                "USD",
                "--order-id",
                &long_id,
            ],
            "36",
        ),
        (vec!["budgets", "top-up", BUDGET, "5"], "--currency"),
        (vec!["budgets", "top-up-status", &long_id], "36"),
        (vec!["cards", "top-up", CARD, "0.001"], "2 decimal"),
        (
            vec!["cards", "top-up", CARD, "5", "--order-id", " "],
            "blank",
        ),
        (
            vec![
                "budgets",
                "transfer",
                BUDGET,
                BUDGET,
                "5",
                "--currency",
                "USD",
            ],
            "two different budgets",
        ),
        (
            vec![
                "budgets",
                "transfer",
                BUDGET,
                "ci202507232016182662",
                "0",
                "--currency",
                "USD",
            ],
            "positive",
        ),
        (
            vec![
                "budgets",
                "transfer",
                BUDGET,
                "ci202507232016182662",
                "5",
                "--currency",
                "USD",
                "--target-currency",
                "XYZ",
            ],
            "ISO 4217",
        ),
        (vec!["cards", "list", "--last4", "12"], "4 digits"),
        (vec!["cards", "list", "--from", "2026-01-01"], "--to"),
        (
            vec!["cards", "funding-orders", "--from", "yesterday"],
            "2026-01-31",
        ),
        (vec!["balance-entries", "list", "b1", "--limit", "0"], "0"),
        (
            vec!["balance-entries", "list", "b1", "--limit", "101"],
            "101",
        ),
        (
            vec!["cards", "auto-top-up", CARD, "--below", "100", "--to", "50"],
            "--to must be at least --below",
        ),
        (
            vec![
                "cards",
                "auto-top-up",
                CARD,
                "--below",
                "100",
                "--to",
                "150.001",
            ],
            "2 decimal",
        ),
    ];
    sandbox.reset_stats();
    for (args, needle) in cases {
        let run = ahrvo(&sandbox, &args).await;
        run.expect(2);
        assert!(
            run.stderr.contains(needle),
            "{args:?}: {needle:?} not in {}",
            run.stderr
        );
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    }
    assert_eq!(sandbox.stats().requests, 0, "no request was sent");
}
