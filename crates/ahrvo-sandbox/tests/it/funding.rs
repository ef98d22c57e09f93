//! Issue 14's money movements over HTTP: budget top-ups (idempotent, delayed, credited once),
//! card top-ups, transfers between budgets; refusals change nothing.

use std::time::Duration;

use ahrvo_sandbox::{Sandbox, SandboxConfig};
use serde_json::json;

use crate::common::*;

async fn top_up(sb: &Sandbox, budget: &str, amount: &str, order: &str) -> Reply {
    issuing_post(
        sb,
        TOP_UP,
        &top_up_body(budget, amount, order),
        Issuing::Good,
    )
    .await
}

async fn order(sb: &Sandbox, id: &str) -> Reply {
    issuing_get(
        sb,
        &format!("{TOP_UP_ORDER}?unique_order_id={id}"),
        Issuing::Good,
    )
    .await
}

fn transfer_body(from: &str, to: &str, amount: &str, from_cur: &str, to_cur: &str) -> String {
    json!({"source_budget_id": from, "target_budget_id": to, "transfer_amount": amount,
        "source_currency": from_cur, "target_currency": to_cur})
    .to_string()
}

fn card_body(order: &str, card: &str, amount: &str) -> String {
    json!({"unique_order_id": order, "card_id": card, "amount": amount}).to_string()
}

#[tokio::test]
async fn a_top_up_is_credited_once_and_the_same_order_is_the_same_record() {
    let sb = empty().await;
    let budget = sb.create_budget("Ops", "USD").unwrap();
    let first = top_up(&sb, &budget, "10.45", "order-1").await;
    assert_eq!(first.status, 200, "{}", first.text);
    let record = first.body["data"]["record_id"].as_str().unwrap().to_owned();
    assert!(record.starts_with("tu") && record.len() == 20, "{record}");
    // The same body again (the amount written another way, the same value): the same order.
    let again = top_up(&sb, &budget, "010.45", "order-1").await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.body["data"]["record_id"], record.as_str());
    assert_eq!(sb.budget_balance(&budget).unwrap(), "10.45");
    // Another body under the same id: 400 DUPLICATE_ORDER_ID, nothing credited.
    let before = sb.state();
    for (amount, target) in [
        ("11.00", budget.as_str()),
        ("10.45", "ci000000000000000000"),
    ] {
        let other = top_up(&sb, target, amount, "order-1").await;
        assert_issuing_error(&other, 400, "DUPLICATE_ORDER_ID");
    }
    assert_eq!(sb.state(), before);
    let reply = order(&sb, "order-1").await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        reply.body["data"],
        json!({"status": "SUCCESS", "unique_order_id": "order-1", "record_id": record,
            "budget_id": budget, "top_up_amount": "10.45", "top_up_currency": "USD"})
    );
    let counts = sb.top_up_counts(&budget).unwrap();
    assert_eq!((counts.applied, counts.processing), (1, 0));
    assert_eq!(counts.applied_amount, "10.45");
    let admin = admin_get(&sb, &format!("/_sandbox/budgets/{budget}")).await;
    assert_eq!(admin.body["budget"]["balance"], "10.45", "{}", admin.text);
    assert_eq!(admin.body["top_ups"]["applied"], 1);
}

#[tokio::test]
async fn invalid_top_ups_are_refused_and_change_nothing() {
    let sb = seeded().await;
    let before = sb.state();
    let body = |amount: serde_json::Value, currency: &str, order: &str| {
        json!({"budget_id": MARKETING, "top_up_amount": amount, "top_up_currency": currency,
            "unique_order_id": order})
        .to_string()
    };
    for bad in [
        body(json!("0"), "USD", "x"),
        body(json!("-1"), "USD", "x"),
        body(json!("1.234"), "USD", "x"),
        body(json!(10), "USD", "x"),
        body(json!("1e3"), "USD", "x"),
        body(json!("1"), "usd", "x"),
        body(json!("1"), "EUR", "x"),
        body(json!("1"), "USD", &"x".repeat(37)),
        body(json!("1"), "USD", "  "),
        json!({"budget_id": MARKETING, "top_up_amount": "1", "top_up_currency": "USD"}).to_string(),
        "[]".to_owned(),
    ] {
        let reply = issuing_post(&sb, TOP_UP, &bad, Issuing::Good).await;
        assert_issuing_error(&reply, 400, "INVALID_PARAMETER");
    }
    let unknown = top_up(&sb, "ci000000000000000000", "1", "y").await;
    assert_issuing_error(&unknown, 404, "BUDGET_NOT_FOUND");
    assert_issuing_error(&order(&sb, "y").await, 404, "ORDER_NOT_FOUND");
    assert_issuing_error(
        &issuing_get(&sb, TOP_UP_ORDER, Issuing::Good).await,
        400,
        "INVALID_PARAMETER",
    );
    assert_eq!(sb.state(), before);
    // A 36-character id (a UUID) is fine.
    let uuid = "7d3f1c2e-5b8a-4f6d-9e0c-1a2b3c4d5e6f";
    assert_eq!(top_up(&sb, MARKETING, "1", uuid).await.status, 200);
}

#[tokio::test]
async fn a_delayed_top_up_is_processing_then_credited_exactly_once() {
    let config = SandboxConfig::default().with_top_up_delay(Duration::from_millis(400));
    let sb = Sandbox::start_with(config).await.unwrap();
    let budget = sb.create_budget("Slow", "USD").unwrap();
    let reply = top_up(&sb, &budget, "5.00", "slow-1").await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        order(&sb, "slow-1").await.body["data"]["status"],
        "PROCESSING"
    );
    assert_eq!(sb.budget_balance(&budget).unwrap(), "0.00");
    assert_eq!(sb.top_up_counts(&budget).unwrap().processing, 1);
    // A retry while processing is the same order and credits nothing more.
    assert_eq!(
        top_up(&sb, &budget, "5.00", "slow-1").await.body,
        reply.body
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(order(&sb, "slow-1").await.body["data"]["status"], "SUCCESS");
    assert_eq!(sb.budget_balance(&budget).unwrap(), "5.00");
    assert_eq!(
        top_up(&sb, &budget, "5.00", "slow-1").await.body,
        reply.body
    );
    for _ in 0..3 {
        let _ = order(&sb, "slow-1").await;
    }
    assert_eq!(sb.budget_balance(&budget).unwrap(), "5.00");
    let counts = sb.top_up_counts(&budget).unwrap();
    assert_eq!(
        (counts.applied, counts.processing, counts.failed),
        (1, 0, 0)
    );
    // An admin-failed order is never credited.
    assert_eq!(top_up(&sb, &budget, "7.00", "slow-2").await.status, 200);
    let failed = admin_post(&sb, "/_sandbox/top_up_orders/slow-2/fail", "").await;
    assert_eq!(failed.body["status"], "FAILED", "{}", failed.text);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(order(&sb, "slow-2").await.body["data"]["status"], "FAILED");
    assert_eq!(sb.budget_balance(&budget).unwrap(), "5.00");
}

#[tokio::test]
async fn a_card_top_up_moves_budget_money_to_the_card_and_records_an_order() {
    let sb = seeded().await;
    let reply = issuing_post(
        &sb,
        CARD_TOP_UP,
        &card_body("card-in-1", SEED_CARD, "100.00"),
        Issuing::Good,
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let record = reply.body["data"]["record_id"].as_str().unwrap().to_owned();
    let balance = issuing_get(&sb, &format!("{CARD}?card_id={SEED_CARD}"), Issuing::Good).await;
    assert_eq!(balance.body["data"]["available_balance"], "1568.87");
    assert_eq!(sb.budget_balance(MARKETING).unwrap(), "45150.75");
    let again = issuing_post(
        &sb,
        CARD_TOP_UP,
        &card_body("card-in-1", SEED_CARD, "100.00"),
        Issuing::Good,
    )
    .await;
    assert_eq!(again.body["data"]["record_id"], record.as_str());
    assert_eq!(sb.budget_balance(MARKETING).unwrap(), "45150.75");
    let listed = issuing_get(
        &sb,
        &format!("{FUNDING_LIST}?unique_order_id=card-in-1"),
        Issuing::Good,
    )
    .await;
    assert_eq!(listed.body["data"]["total_num"], 1, "{}", listed.text);
    let item = &listed.body["data"]["list"][0];
    assert_eq!(item["record_id"], record.as_str());
    assert_eq!(item["operate_type"], "card_in");
    assert_eq!(item["status"], "SUCCESS");
    assert_eq!(item["amount"], "100.00");
    assert_eq!(item["card_number"], "5157********2686");
    let before = sb.state();
    let refusals = [
        (
            card_body("card-in-1", SEED_CARD, "1.00"),
            400,
            "DUPLICATE_ORDER_ID",
        ),
        (
            card_body("c2", SEED_SHARED_CARD, "1.00"),
            400,
            "INVALID_CARD_TYPE",
        ),
        (
            card_body("c3", "card000000000000000000", "1.00"),
            404,
            "CARD_NOT_FOUND",
        ),
        // Card 247's budget (Travel) holds 12500.50.
        (
            card_body("c4", "card201907021723076247", "12500.51"),
            400,
            "INSUFFICIENT_BALANCE",
        ),
        (card_body("c5", SEED_CARD, "0"), 400, "INVALID_PARAMETER"),
    ];
    for (body, status, code) in refusals {
        let reply = issuing_post(&sb, CARD_TOP_UP, &body, Issuing::Good).await;
        assert_issuing_error(&reply, status, code);
    }
    assert_eq!(sb.state(), before, "refusals change nothing");
    // Exactly the budget's balance is fine.
    let all = issuing_post(
        &sb,
        CARD_TOP_UP,
        &card_body("c6", "card201907021723076247", "12500.50"),
        Issuing::Good,
    )
    .await;
    assert_eq!(all.status, 200, "{}", all.text);
    assert_eq!(sb.budget_balance(TRAVEL).unwrap(), "0.00");
    sb.check_invariants().unwrap();
}

#[tokio::test]
async fn a_transfer_debits_one_budget_and_credits_another() {
    let sb = seeded().await;
    let reply = issuing_post(
        &sb,
        TRANSFER,
        &transfer_body(MARKETING, ENGINEERING, "250.25", "USD", "USD"),
        Issuing::Good,
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.body["data"]["in_amount"], "250.25");
    let id = reply.body["data"]["transfer_order_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(sb.budget_balance(MARKETING).unwrap(), "45000.50");
    assert_eq!(sb.budget_balance(ENGINEERING).unwrap(), "79150.25");
    let queried = issuing_get(
        &sb,
        &format!("{TRANSFER_ORDER}?transfer_order_id={id}"),
        Issuing::Good,
    )
    .await;
    assert_eq!(
        queried.body["data"],
        json!({"fund_result": "SUCCESS", "transfer_order_id": id, "source_budget_id": MARKETING,
            "target_budget_id": ENGINEERING, "transfer_amount": "250.25", "in_amount": "250.25"})
    );
    let before = sb.state();
    let refusals = [
        (
            transfer_body(MARKETING, MARKETING, "1", "USD", "USD"),
            400,
            "INVALID_PARAMETER",
        ),
        (
            transfer_body(TRAVEL, MARKETING, "12500.51", "USD", "USD"),
            400,
            "INSUFFICIENT_BALANCE",
        ),
        (
            transfer_body(MARKETING, TRAVEL, "1", "EUR", "USD"),
            400,
            "INVALID_PARAMETER",
        ),
        (
            transfer_body(MARKETING, "ci000000000000000000", "1", "USD", "USD"),
            404,
            "BUDGET_NOT_FOUND",
        ),
        (
            transfer_body(MARKETING, TRAVEL, "1.001", "USD", "USD"),
            400,
            "INVALID_PARAMETER",
        ),
    ];
    for (body, status, code) in refusals {
        assert_issuing_error(
            &issuing_post(&sb, TRANSFER, &body, Issuing::Good).await,
            status,
            code,
        );
    }
    let unknown = issuing_get(
        &sb,
        &format!("{TRANSFER_ORDER}?transfer_order_id=bt0"),
        Issuing::Good,
    )
    .await;
    assert_issuing_error(&unknown, 404, "ORDER_NOT_FOUND");
    assert_eq!(sb.state(), before, "refusals change nothing");
    // Across currencies, at the documented fixed rate (1 EUR = 1.08 USD), half-even.
    let euro = sb.create_budget("Euro", "EUR").unwrap();
    let fx = issuing_post(
        &sb,
        TRANSFER,
        &transfer_body(MARKETING, &euro, "10.00", "USD", "EUR"),
        Issuing::Good,
    )
    .await;
    assert_eq!(fx.body["data"]["in_amount"], "9.26", "{}", fx.text);
    assert_eq!(sb.budget_balance(&euro).unwrap(), "9.26");
    sb.check_invariants().unwrap();
}
