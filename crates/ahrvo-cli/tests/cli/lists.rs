//! The paged lists: `cards list | funding-orders | products`, `balances list`,
//! `balance-entries list`: every page streamed, in every format.

use crate::common::{BALANCE, CARD, Scripted, ahrvo, envelope, seeded};

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

/// An Issuing page of `items` (JSON texts) out of `total`.
fn issuing_page(total: u32, items: &[String]) -> String {
    envelope(&format!(
        r#"{{"total_num":{total},"list":[{}]}}"#,
        items.join(",")
    ))
}

/// A funding order as a server might write it: a decimal the typed form would spell otherwise
/// (a leading zero: the typed form writes `10.50`), a full card number, a field this SDK does
/// not know.
fn funding_order(n: u32) -> String {
    format!(
        r#"{{"record_id":"rec{n}","unique_order_id":"order-{n}","created":"2026-01-0{n}","amount":"010.50","currency":"USD","card_number":"5157123412342686","card_id":"card201907021723076245","status":"SUCCESS","operate_type":"card_in","x_extra":{{"rate":1.50,"page":{n}}}}}"#
    )
}

/// Every filter of `cards funding-orders` set, pages of 1 item: `-o json` finds each page's
/// recorded reply by the URL the SDK sent, which the CLI rebuilds from the filter's own
/// `query_pairs`; were the two to disagree (any parameter, in any order), the output would
/// silently fall back to the typed form and lose `x_extra`. The server answers by page number
/// only, so the SDK may order its parameters as it likes.
#[tokio::test(flavor = "multi_thread")]
async fn funding_orders_json_is_each_item_as_sent_on_every_page_with_every_filter() {
    let server = Scripted::start(vec![
        ("page_no=1", 200, issuing_page(2, &[funding_order(1)])),
        ("page_no=2", 200, issuing_page(2, &[funding_order(2)])),
    ]);
    let args = [
        "cards",
        "funding-orders",
        "--page-size",
        "1",
        "--from",
        "2026-01-01 00:00:00",
        "--to",
        "2026-01-31 23:59:59",
        "--status",
        "SUCCESS",
        "--order-id",
        "order-1",
        "--card",
        CARD,
    ];
    for format in ["json", "jsonl"] {
        let mut with_format = args.to_vec();
        with_format.extend(["-o", format]);
        let run = server.ahrvo(&with_format).await;
        run.expect(0);
        let items: Vec<serde_json::Value> = if format == "json" {
            run.json().as_array().unwrap().clone()
        } else {
            run.stdout
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect()
        };
        assert_eq!(items.len(), 2, "{}", run.stdout);
        for (i, item) in items.iter().enumerate() {
            let n = i as u64 + 1;
            // Only the reply has these: the typed form knows no x_extra and writes the amount
            // "10.50".
            assert_eq!(item["x_extra"]["page"], n, "{}", run.stdout);
            assert_eq!(item["amount"], "010.50", "{}", run.stdout);
            assert_eq!(item["created"], format!("2026-01-0{n}"), "{}", run.stdout);
            assert_eq!(item["card_number"], "5157********2686");
        }
        assert!(run.stdout.contains("1.50"), "{}", run.stdout);
        assert!(!run.stdout.contains("51571234"), "{}", run.stdout);
    }
    // The table reads the typed models.
    let table = server.ahrvo(&args).await;
    table.expect(0);
    assert_eq!(table.stdout.lines().count(), 4, "{}", table.stdout);
    assert!(table.stdout.contains("10.50"), "{}", table.stdout);
}

/// A card as a server might write it, with a field this SDK does not know.
fn card(n: u32) -> String {
    format!(
        r#"{{"card_id":"card{n}","card_number":"5157123412342686","card_status":"ACTIVE","card_cancelled":"false","remark":"r x","x_extra":{{"limit":250.0,"page":{n}}}}}"#
    )
}

/// The same for `cards list`, every filter set.
#[tokio::test(flavor = "multi_thread")]
async fn cards_list_json_is_each_item_as_sent_on_every_page_with_every_filter() {
    let server = Scripted::start(vec![
        ("page_no=1", 200, issuing_page(2, &[card(1)])),
        ("page_no=2", 200, issuing_page(2, &[card(2)])),
    ]);
    let run = server
        .ahrvo(&[
            "cards",
            "list",
            "-o",
            "json",
            "--page-size",
            "1",
            "--status",
            "active",
            "--last4",
            "2686",
            "--remark",
            "r x",
            "--from",
            "2026-01-01 00:00:00",
            "--to",
            "2026-01-31 23:59:59",
        ])
        .await;
    run.expect(0);
    let cards = run.json();
    let cards = cards.as_array().unwrap();
    assert_eq!(cards.len(), 2, "{}", run.stdout);
    for (i, c) in cards.iter().enumerate() {
        assert_eq!(c["x_extra"]["page"], i as u64 + 1, "{}", run.stdout);
        assert_eq!(c["card_number"], "5157********2686");
    }
    assert!(run.stdout.contains("\"limit\": 250.0"), "{}", run.stdout);
}

/// A Balance as a server might write it: a timestamp with two fractional digits and a field
/// this SDK does not know.
fn balance(id: &str, available: i64) -> String {
    format!(
        r#"{{"id":"{id}","created_at":"2024-05-01T18:04:33.42Z","updated_at":"2024-05-06T15:21:09Z","available_amount":{available},"pending_amount":0,"posted_amount":{available},"currency":"USD","type":"DISBURSEMENT","x_extra":{{"rate":1.50}}}}"#
    )
}

/// The same for `balances list`: the second page is the one after the first's cursor.
#[tokio::test(flavor = "multi_thread")]
async fn balances_list_json_is_each_item_as_sent_on_every_page() {
    let page = |items: &[String], next: &str| {
        format!(
            r#"{{"_embedded":{{"balances":[{}]}},"page":{{"limit":1,"next_cursor":{next}}}}}"#,
            items.join(",")
        )
    };
    let server = Scripted::start(vec![
        (
            "after_cursor=balance_a",
            200,
            page(&[balance("balance_b", 2)], "null"),
        ),
        (
            "/payments/na/balances?",
            200,
            page(&[balance("balance_a", 1)], r#""balance_a""#),
        ),
    ]);
    for format in ["json", "jsonl"] {
        let run = server
            .ahrvo(&["balances", "list", "--limit", "1", "-o", format])
            .await;
        run.expect(0);
        let items: Vec<serde_json::Value> = if format == "json" {
            run.json().as_array().unwrap().clone()
        } else {
            run.stdout
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect()
        };
        assert_eq!(items.len(), 2, "{}", run.stdout);
        for (item, (id, available)) in items.iter().zip([("balance_a", 1), ("balance_b", 2)]) {
            assert_eq!(item["id"], id);
            assert_eq!(item["available_amount"], available);
            assert_eq!(item["created_at"], "2024-05-01T18:04:33.42Z", "{item}");
            assert_eq!(item["x_extra"]["rate"], 1.5, "{item}");
        }
        assert!(run.stdout.contains("1.50"), "{}", run.stdout);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn products_json_is_the_reply_as_sent() {
    let server = Scripted::start(vec![(
        "/card/issuance/api/issuing/card/v2/product",
        200,
        envelope(
            r#"[{"card_product_code":"P1","card_net_work":"MASTERCARD","card_application_fee":"05.0","share":"true","valid_month":36,"x_extra":null}]"#,
        ),
    )]);
    let run = server.ahrvo(&["cards", "products", "-o", "json"]).await;
    run.expect(0);
    let list = run.json();
    let p = &list[0];
    assert_eq!(p["card_product_code"], "P1");
    // As sent: the fee with its leading zero (the typed form writes "5.0"), the flag the
    // string "true" (typed: the boolean), the unknown field and its null.
    assert_eq!(p["card_application_fee"], "05.0", "{}", run.stdout);
    assert_eq!(p["share"], "true", "{}", run.stdout);
    assert!(
        p.as_object().unwrap().contains_key("x_extra"),
        "{}",
        run.stdout
    );
    let table = server.ahrvo(&["cards", "products"]).await;
    table.expect(0);
    assert!(table.stdout.contains("5.0"), "{}", table.stdout);
}
