//! `ahrvo budgets transfer | transfer-status` and `ahrvo transfers get`.

use crate::common::{Scripted, ahrvo, seeded};
use crate::top_up::{BUDGET, budget_balance};

/// The seeded Engineering budget (78900.00 USD).
const OTHER: &str = "ci202507232016182662";
/// The first seeded Payments Transfer.
const TRANSFER: &str = "TRf4LSyv5Ko5cBGt3ZpT8xA9";

#[tokio::test(flavor = "multi_thread")]
async fn a_transfer_moves_the_exact_amount_and_its_status_is_found() {
    let sandbox = seeded().await;
    assert_eq!(budget_balance(&sandbox, BUDGET).await, "45250.75");
    assert_eq!(budget_balance(&sandbox, OTHER).await, "78900.00");
    let run = ahrvo(
        &sandbox,
        &[
            "budgets",
            "transfer",
            BUDGET,
            OTHER,
            "1234.56",
            "--currency",
            "USD",
            "-o",
            "json",
        ],
    )
    .await;
    run.expect(0);
    let out = run.json();
    assert_eq!(out["source_budget_id"], BUDGET);
    assert_eq!(out["target_budget_id"], OTHER);
    assert_eq!(out["transfer_amount"], "1234.56");
    assert_eq!(out["in_amount"], "1234.56");
    let id = out["transfer_order_id"].as_str().unwrap().to_owned();
    assert_eq!(budget_balance(&sandbox, BUDGET).await, "44016.19");
    assert_eq!(budget_balance(&sandbox, OTHER).await, "80134.56");

    let table = ahrvo(
        &sandbox,
        &[
            "budgets",
            "transfer",
            OTHER,
            BUDGET,
            "0.01",
            "--currency",
            "USD",
        ],
    )
    .await;
    table.expect(0);
    assert!(
        table.stdout.contains("transfer_amount    0.01"),
        "{}",
        table.stdout
    );
    // Exactly 0.01 the other way: debited from OTHER, credited to BUDGET.
    assert_eq!(budget_balance(&sandbox, BUDGET).await, "44016.20");
    assert_eq!(budget_balance(&sandbox, OTHER).await, "80134.55");

    let status = ahrvo(&sandbox, &["budgets", "transfer-status", &id]).await;
    status.expect(0);
    assert!(
        status.stdout.contains("fund_result        SUCCESS"),
        "{}",
        status.stdout
    );
    assert!(
        status.stdout.contains("transfer_amount    1234.56"),
        "{}",
        status.stdout
    );
    let json = ahrvo(&sandbox, &["budgets", "transfer-status", &id, "-o", "json"]).await;
    json.expect(0);
    let order = json.json();
    assert_eq!(order["fund_result"], "SUCCESS");
    assert_eq!(order["transfer_order_id"], id.as_str());
    assert_eq!(order["source_budget_id"], BUDGET);
    assert_eq!(order["target_budget_id"], OTHER);
    assert_eq!(order["transfer_amount"], "1234.56");
    let csv = ahrvo(&sandbox, &["budgets", "transfer-status", &id, "-o", "csv"]).await;
    csv.expect(0);
    assert_eq!(
        csv.csv_lines()[0],
        "transfer_order_id,fund_result,source_budget_id,target_budget_id,transfer_amount,in_amount"
    );
    let missing = ahrvo(&sandbox, &["budgets", "transfer-status", "bt-nope"]).await;
    missing.expect(4).one_error_line("ORDER_NOT_FOUND");
}

#[tokio::test(flavor = "multi_thread")]
async fn insufficient_funds_exit_5_and_move_nothing() {
    let sandbox = seeded().await;
    let run = ahrvo(
        &sandbox,
        &[
            "budgets",
            "transfer",
            BUDGET,
            OTHER,
            "45250.76",
            "--currency",
            "USD",
        ],
    )
    .await;
    run.expect(5).one_error_line("INSUFFICIENT_BALANCE");
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert_eq!(budget_balance(&sandbox, BUDGET).await, "45250.75");
    assert_eq!(budget_balance(&sandbox, OTHER).await, "78900.00");
    // The whole balance can go.
    ahrvo(
        &sandbox,
        &[
            "budgets",
            "transfer",
            BUDGET,
            OTHER,
            "45250.75",
            "--currency",
            "USD",
        ],
    )
    .await
    .expect(0);
    assert_eq!(budget_balance(&sandbox, BUDGET).await, "0.00");
    // A card top-up from an empty budget is refused the same way.
    let card = ahrvo(
        &sandbox,
        &["cards", "top-up", "card201907021723076245", "1.00"],
    )
    .await;
    card.expect(5).one_error_line("INSUFFICIENT_BALANCE");
}

#[tokio::test(flavor = "multi_thread")]
async fn transfers_get_in_every_format_one_or_many() {
    let sandbox = seeded().await;
    let table = ahrvo(&sandbox, &["transfers", "get", TRANSFER]).await;
    table.expect(0);
    assert!(
        table
            .stdout
            .contains("id           TRf4LSyv5Ko5cBGt3ZpT8xA9"),
        "{}",
        table.stdout
    );
    assert!(
        table.stdout.contains("state        SUCCEEDED"),
        "{}",
        table.stdout
    );
    let json = ahrvo(&sandbox, &["transfers", "get", TRANSFER, "-o", "json"]).await;
    json.expect(0);
    let t = json.json();
    assert_eq!(t["id"], TRANSFER);
    // The reply as sent: null fields and the _links the SDK does not print are there.
    assert!(t.get("_links").is_some(), "{t}");
    assert!(t.as_object().unwrap().contains_key("source"), "{t}");
    let csv = ahrvo(&sandbox, &["transfers", "get", TRANSFER, "-o", "csv"]).await;
    csv.expect(0);
    assert!(
        csv.csv_lines()[0].starts_with("id,state,type,amount,currency,fee"),
        "{}",
        csv.stdout
    );

    let many = ahrvo(
        &sandbox,
        &[
            "transfers",
            "get",
            TRANSFER,
            "TRnope",
            TRANSFER,
            "-o",
            "jsonl",
        ],
    )
    .await;
    many.expect(4);
    let lines: Vec<serde_json::Value> = many
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{}", many.stdout);
    assert_eq!(lines[0]["id"], TRANSFER);
    assert_eq!(lines[1]["error"]["kind"], "not_found");
    assert!(
        many.stderr.contains("1 duplicate skipped"),
        "{}",
        many.stderr
    );
    let csv = ahrvo(
        &sandbox,
        &["transfers", "get", TRANSFER, "TRnope", "-o", "csv"],
    )
    .await;
    csv.expect(4);
    let lines = csv.csv_lines();
    assert_eq!(lines[0], "id,state,type,amount,currency,error_kind,error");
    assert!(
        lines[1].starts_with("TRf4LSyv5Ko5cBGt3ZpT8xA9,SUCCEEDED,CREDIT,2696,USD"),
        "{lines:?}"
    );
    assert!(lines[2].starts_with("TRnope,,,,,not_found,"), "{lines:?}");
}

/// `transfers get -o json|jsonl` prints each Transfer as the API sent it: a server's reply with
/// a field this SDK does not know and a timestamp the typed form would write otherwise keeps
/// both, for one id and for many (through the bulk runner).
#[tokio::test(flavor = "multi_thread")]
async fn transfers_get_json_is_the_reply_as_sent_one_or_many() {
    // The sandbox's own Transfer, then as a server might also write it.
    let sandbox = seeded().await;
    let typed = ahrvo(&sandbox, &["transfers", "get", TRANSFER, "-o", "json"]).await;
    typed.expect(0);
    let mut t = typed.json();
    let as_sent = |t: &serde_json::Value, n: u32| {
        let compact = serde_json::to_string(t).unwrap();
        format!(r#"{{"x_extra":{{"rate":1.50,"n":{n}}},{}"#, &compact[1..])
    };
    t["created_at"] = "2024-05-01T18:04:33.42Z".into();
    let first = as_sent(&t, 1);
    t["id"] = "TRsecond".into();
    let second = as_sent(&t, 2);
    let server = Scripted::start(vec![
        ("/payments/na/transfers/TRsecond", 200, second),
        (
            "/payments/na/transfers/TRf4LSyv5Ko5cBGt3ZpT8xA9",
            200,
            first,
        ),
    ]);
    let one = server
        .ahrvo(&["transfers", "get", TRANSFER, "-o", "json"])
        .await;
    one.expect(0);
    let json = one.json();
    assert_eq!(json["id"], TRANSFER);
    assert_eq!(json["x_extra"]["n"], 1, "{}", one.stdout);
    assert_eq!(json["created_at"], "2024-05-01T18:04:33.42Z");
    assert!(one.stdout.contains("\"rate\": 1.50"), "{}", one.stdout);
    let many = server
        .ahrvo(&["transfers", "get", TRANSFER, "TRsecond", "-o", "jsonl"])
        .await;
    many.expect(0);
    let lines: Vec<serde_json::Value> = many
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{}", many.stdout);
    assert_eq!(lines[0]["id"], TRANSFER);
    assert_eq!(lines[0]["x_extra"]["n"], 1, "{}", many.stdout);
    assert_eq!(lines[1]["id"], "TRsecond");
    assert_eq!(lines[1]["x_extra"]["n"], 2, "{}", many.stdout);
    assert_eq!(lines[1]["created_at"], "2024-05-01T18:04:33.42Z");
}
