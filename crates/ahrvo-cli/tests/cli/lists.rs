//! The paged lists: `cards list | funding-orders | products`, `balances list`,
//! `balance-entries list`: every page streamed, in every format.

use crate::common::{BALANCE, CARD, ahrvo, seeded};

#[tokio::test(flavor = "multi_thread")]
async fn cards_list_in_every_format_with_filters() {
    let sandbox = seeded().await;
    let json = ahrvo(
        &sandbox,
        &["cards", "list", "-o", "json", "--page-size", "2"],
    )
    .await;
    json.expect(0);
    let cards = json.json();
    let cards = cards.as_array().unwrap();
    assert!(cards.len() >= 6, "{cards:?}");
    let card = cards.iter().find(|c| c["card_id"] == CARD).unwrap();
    assert_eq!(card["card_number"], "5157********2686");
    // The reply as sent: the booleans the API writes as strings stay strings.
    assert!(card["card_cancelled"].is_string(), "{card}");
    let mut ids: Vec<&str> = cards
        .iter()
        .map(|c| c["card_id"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), cards.len(), "no card twice across pages");

    let table = ahrvo(&sandbox, &["cards", "list"]).await;
    table.expect(0);
    let lines: Vec<&str> = table.stdout.lines().collect();
    assert!(lines[0].starts_with("CARD ID "), "{}", table.stdout);
    assert_eq!(lines.len(), cards.len() + 2, "{}", table.stdout);
    let csv = ahrvo(&sandbox, &["cards", "list", "-o", "csv", "--last4", "2686"]).await;
    csv.expect(0);
    let lines = csv.csv_lines();
    assert_eq!(
        lines[0],
        "card_id,card_number,card_status,type,budget_id,billing_currency,created,remark"
    );
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[1].starts_with("card201907021723076245,5157********2686,ACTIVE,"));
    let jsonl = ahrvo(
        &sandbox,
        &["cards", "list", "-o", "jsonl", "--status", "revoked"],
    )
    .await;
    jsonl.expect(0);
    assert!(!jsonl.stdout.is_empty());
    for line in jsonl.stdout.lines() {
        let card: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(card["card_status"], "REVOKED", "{line}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn funding_orders_and_products_in_every_format() {
    let sandbox = seeded().await;
    let json = ahrvo(
        &sandbox,
        &["cards", "funding-orders", "-o", "json", "--page-size", "1"],
    )
    .await;
    json.expect(0);
    let orders = json.json();
    let n = orders.as_array().unwrap().len();
    assert!(n >= 2, "{orders}");
    let table = ahrvo(&sandbox, &["cards", "funding-orders"]).await;
    table.expect(0);
    assert_eq!(table.stdout.lines().count(), n + 2, "{}", table.stdout);
    assert!(table.stdout.contains("card_in"), "{}", table.stdout);
    let csv = ahrvo(
        &sandbox,
        &["cards", "funding-orders", "-o", "csv", "--card", CARD],
    )
    .await;
    csv.expect(0);
    let lines = csv.csv_lines();
    assert!(lines[0].starts_with("record_id,unique_order_id,card_id,card_number,amount"));
    assert!(lines.len() >= 2, "{lines:?}");
    assert!(lines[1..].iter().all(|l| l.contains(CARD)), "{lines:?}");
    let jsonl = ahrvo(
        &sandbox,
        &[
            "cards",
            "funding-orders",
            "-o",
            "jsonl",
            "--status",
            "SUCCESS",
        ],
    )
    .await;
    jsonl.expect(0);
    for line in jsonl.stdout.lines() {
        assert!(line.contains("\"status\":\"SUCCESS\""), "{line}");
    }

    let products = ahrvo(&sandbox, &["cards", "products", "-o", "json"]).await;
    products.expect(0);
    let list = products.json();
    assert!(!list.as_array().unwrap().is_empty());
    // As sent: the API's own spelling of the network field.
    assert!(list[0].get("card_net_work").is_some(), "{list}");
    let table = ahrvo(&sandbox, &["cards", "products"]).await;
    table.expect(0);
    assert!(table.stdout.starts_with("CODE "), "{}", table.stdout);
    assert!(
        table.stdout.contains("MC_DEDICATED_USD"),
        "{}",
        table.stdout
    );
    let csv = ahrvo(&sandbox, &["cards", "products", "-o", "csv"]).await;
    csv.expect(0);
    assert!(csv.csv_lines()[0].starts_with("card_product_code,name_en,card_network"));
}

#[tokio::test(flavor = "multi_thread")]
async fn balances_list_in_every_format() {
    let sandbox = seeded().await;
    let table = ahrvo(&sandbox, &["balances", "list"]).await;
    table.expect(0);
    assert!(table.stdout.contains(BALANCE), "{}", table.stdout);
    assert!(table.stdout.contains("12500.00"), "{}", table.stdout);
    let json = ahrvo(&sandbox, &["balances", "list", "-o", "json"]).await;
    json.expect(0);
    let b = &json.json()[0];
    assert_eq!(b["id"], BALANCE);
    assert_eq!(b["available_amount"], 1_250_000);
    let csv = ahrvo(&sandbox, &["balances", "list", "-o", "csv"]).await;
    csv.expect(0);
    let lines = csv.csv_lines();
    assert!(lines[0].starts_with("id,type,currency,available_amount,pending_amount,posted_amount"));
    assert!(lines[1].contains(",1250000,250000,1500000,"), "{lines:?}");
    let jsonl = ahrvo(
        &sandbox,
        &["balances", "list", "-o", "jsonl", "--limit", "1"],
    )
    .await;
    jsonl.expect(0);
    assert_eq!(jsonl.stdout.lines().count(), 1, "{}", jsonl.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn balance_entries_list_streams_every_page() {
    let sandbox = seeded().await;
    sandbox.reset_stats();
    let jsonl = ahrvo(
        &sandbox,
        &["balance-entries", "list", BALANCE, "-o", "jsonl"],
    )
    .await;
    jsonl.expect(0);
    let entries: Vec<serde_json::Value> = jsonl
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(entries.len() >= 250, "{} entries", entries.len());
    // Three pages of 100.
    assert_eq!(sandbox.stats().requests, 3);
    let mut ids: Vec<&str> = entries.iter().map(|e| e["id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), entries.len(), "no entry twice");
    // Each item as sent: the null fields too.
    assert!(
        entries[0]
            .as_object()
            .unwrap()
            .contains_key("parent_balance_entry_id")
    );

    let table = ahrvo(
        &sandbox,
        &["balance-entries", "list", BALANCE, "--limit", "7"],
    )
    .await;
    table.expect(0);
    assert_eq!(table.stdout.lines().count(), entries.len() + 2);
    let csv = ahrvo(
        &sandbox,
        &[
            "balance-entries",
            "list",
            BALANCE,
            "-o",
            "csv",
            "--limit",
            "100",
        ],
    )
    .await;
    csv.expect(0);
    let lines = csv.csv_lines();
    assert_eq!(
        lines[0],
        "id,type,state,amount,currency,description,created_at,posted_at"
    );
    assert_eq!(lines.len(), entries.len() + 1);
    assert!(lines[1].starts_with(
        "balance_entry_i5YzFZYEh6CoCrN2zqgPdW,BALANCE_TOP_UP_ACH,SUCCEEDED,250000,USD"
    ));
    let json = ahrvo(
        &sandbox,
        &[
            "balance-entries",
            "list",
            BALANCE,
            "-o",
            "json",
            "--limit",
            "50",
        ],
    )
    .await;
    json.expect(0);
    assert_eq!(json.json().as_array().unwrap().len(), entries.len());

    let missing = ahrvo(&sandbox, &["balance-entries", "list", "balance_nope"]).await;
    missing.expect(4);
}
