//! The state file keeps issue 14's state (orders, transfers, totals) and still loads files
//! written before it existed.

use std::time::Duration;

use ahrvo_sandbox::{Sandbox, SandboxConfig};
use serde_json::Value;

use crate::common::*;

#[tokio::test]
async fn orders_survive_a_restart_and_a_processing_one_is_credited_once() {
    let dir = temp_dir("funding-restart");
    let file = dir.join("state.json");
    let config = SandboxConfig::default()
        .with_seed(true)
        .with_state_file(&file)
        .with_top_up_delay(Duration::from_millis(300));
    let sb = Sandbox::start_with(config.clone()).await.unwrap();
    let first = issuing_post(
        &sb,
        TOP_UP,
        &top_up_body(MARKETING, "10.00", "kept-1"),
        Issuing::Good,
    )
    .await;
    assert_eq!(first.status, 200, "{}", first.text);
    let on_disk: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(
        on_disk["top_up_orders"].as_array().map(|o| o.len()),
        Some(3),
        "the seed's two and this one"
    );
    drop(sb);
    tokio::time::sleep(Duration::from_millis(400)).await;

    let sb = Sandbox::start_with(config.clone()).await.unwrap();
    // Due while the sandbox was down: credited at the first read after the restart, once.
    assert_eq!(sb.budget_balance(MARKETING).unwrap(), "45260.75");
    let again = issuing_post(
        &sb,
        TOP_UP,
        &top_up_body(MARKETING, "10.00", "kept-1"),
        Issuing::Good,
    )
    .await;
    assert_eq!(again.body, first.body);
    drop(sb);
    let sb = Sandbox::start_with(config).await.unwrap();
    assert_eq!(sb.budget_balance(MARKETING).unwrap(), "45260.75");
    assert_eq!(sb.top_up_counts(MARKETING).unwrap().applied, 2);
    drop(sb);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_state_file_from_before_issue_14_still_loads() {
    let dir = temp_dir("old-format");
    let file = dir.join("state.json");
    // The format of the previous release: no orders, transfers, totals, card status or remark.
    let mut old: Value = {
        let sb = seeded().await;
        sb.state()
    };
    let object = old.as_object_mut().unwrap();
    for key in [
        "totals",
        "top_up_orders",
        "funding_orders",
        "transfer_orders",
        "transfers",
        "balance_adjustments",
    ] {
        assert!(object.remove(key).is_some(), "{key}");
    }
    for card in object["cards"].as_array_mut().unwrap() {
        let card = card.as_object_mut().unwrap();
        card.remove("status");
        card.remove("remark");
    }
    std::fs::write(&file, serde_json::to_vec(&old).unwrap()).unwrap();
    let sb = Sandbox::start_with(SandboxConfig::default().with_state_file(&file))
        .await
        .unwrap();
    sb.check_invariants().unwrap();
    let cards = issuing_get(&sb, CARD_LIST, Issuing::Good).await;
    assert_eq!(
        cards.body["data"]["list"][0]["card_status"], "ACTIVE",
        "{}",
        cards.text
    );
    let reply = issuing_post(
        &sb,
        TOP_UP,
        &top_up_body(TRAVEL, "0.50", "after-upgrade"),
        Issuing::Good,
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(sb.budget_balance(TRAVEL).unwrap(), "12501.00");
    drop(sb);
    std::fs::remove_dir_all(&dir).unwrap();
}
