//! The admin API (`/_sandbox/`) and the library helpers: invariants, overdrafts, ACH settling.

use ahrvo_sandbox::{CardKind, NewBalance, NewBalanceEntry, SandboxConfig};
use serde_json::{Value, json};

use crate::common::*;

#[tokio::test]
async fn overdrafts_are_refused_and_change_nothing() {
    let sb = seeded().await;
    let budget = "ci202507232016182663"; // 12500.50
    let before = sb.state();

    let withdraw = admin_post(
        &sb,
        &format!("/_sandbox/budgets/{budget}/withdraw"),
        r#"{"amount": "12500.51"}"#,
    )
    .await;
    assert_eq!(withdraw.status, 409, "{}", withdraw.text);
    assert!(
        withdraw.body["error"]
            .as_str()
            .unwrap()
            .contains("Insufficient"),
        "{}",
        withdraw.text
    );
    let err = sb.withdraw_budget(budget, "99999").unwrap_err();
    assert_eq!(err.status(), 409);

    let card = sb.create_card(budget, CardKind::Dedicated).unwrap();
    let after_card = sb.state();
    let top_up = admin_post(
        &sb,
        &format!("/_sandbox/cards/{card}/top_up"),
        r#"{"amount": "20000.00"}"#,
    )
    .await;
    assert_eq!(top_up.status, 409, "{}", top_up.text);
    assert_eq!(sb.state(), after_card);

    let payout = admin_post(
        &sb,
        &format!("/_sandbox/balances/{SEED_BALANCE}/entries"),
        r#"{"type": "PAYOUT", "amount": -1250001}"#,
    )
    .await;
    assert_eq!(payout.status, 409, "{}", payout.text);
    assert!(payout.body["error"].as_str().unwrap().contains("overdraw"));
    assert_eq!(
        sb.post_balance_entry(SEED_BALANCE, NewBalanceEntry::new("FEE", -1_250_001))
            .unwrap_err()
            .status(),
        409
    );
    // Pending funds cannot be spent either.
    assert_eq!(sb.state()["balances"], before["balances"]);
    assert_eq!(sb.state()["balance_entries"], before["balance_entries"]);
    assert_eq!(sb.state()["budgets"], before["budgets"]);

    // Exactly the available amount is fine, and leaves zero.
    sb.withdraw_budget(budget, "12500.50").unwrap();
    sb.post_balance_entry(SEED_BALANCE, NewBalanceEntry::new("PAYOUT", -1_250_000))
        .unwrap();
    let balance = payments_get(
        &sb,
        &format!("/payments/na/balances/{SEED_BALANCE}"),
        Payments::Good,
    )
    .await;
    assert_eq!(balance.body["available_amount"], 0);
    assert_eq!(balance.body["posted_amount"], 250_000);
}

#[tokio::test]
async fn ach_top_up_is_pending_until_settled() {
    let sb = empty().await;
    let balance = sb
        .create_balance(NewBalance::new().with_available_amount(1_000))
        .unwrap();
    let created = admin_post(
        &sb,
        &format!("/_sandbox/balances/{balance}/entries"),
        r#"{"type": "BALANCE_TOP_UP_ACH", "amount": 50000, "description": "ACH in"}"#,
    )
    .await;
    assert_eq!(created.status, 200, "{}", created.text);
    let entry = created.body["id"].as_str().unwrap().to_owned();
    assert!(entry.starts_with("balance_entry_"));

    let pending = payments_get(
        &sb,
        &format!("/payments/na/balance_entries/{entry}"),
        Payments::Good,
    )
    .await;
    assert_eq!(pending.body["state"], "PENDING");
    assert_eq!(pending.body["posted_at"], Value::Null);
    assert_eq!(pending.body["entity_type"], "BALANCE_ADJUSTMENT");
    assert_eq!(pending.body["description"], "ACH in");
    let b = payments_get(
        &sb,
        &format!("/payments/na/balances/{balance}"),
        Payments::Good,
    )
    .await;
    assert_eq!(
        (
            &b.body["available_amount"],
            &b.body["pending_amount"],
            &b.body["posted_amount"]
        ),
        (&json!(1_000), &json!(50_000), &json!(51_000))
    );
    // Pending money cannot be paid out.
    assert_eq!(
        sb.post_balance_entry(&balance, NewBalanceEntry::new("PAYOUT", -2_000))
            .unwrap_err()
            .status(),
        409
    );

    let settled = admin_post(
        &sb,
        &format!("/_sandbox/balance_entries/{entry}/settle"),
        "",
    )
    .await;
    assert_eq!(settled.status, 200, "{}", settled.text);
    assert_eq!(settled.body["state"], "SUCCEEDED");
    let entry_reply = payments_get(
        &sb,
        &format!("/payments/na/balance_entries/{entry}"),
        Payments::Good,
    )
    .await;
    assert_eq!(entry_reply.body["state"], "SUCCEEDED");
    assert!(entry_reply.body["posted_at"].is_string());
    let b = payments_get(
        &sb,
        &format!("/payments/na/balances/{balance}"),
        Payments::Good,
    )
    .await;
    assert_eq!(
        (
            &b.body["available_amount"],
            &b.body["pending_amount"],
            &b.body["posted_amount"]
        ),
        (&json!(51_000), &json!(0), &json!(51_000))
    );

    // Settling twice is a conflict; an unknown entry is 404.
    let again = admin_post(
        &sb,
        &format!("/_sandbox/balance_entries/{entry}/settle"),
        "",
    )
    .await;
    assert_eq!(again.status, 409);
    assert_eq!(
        sb.settle_balance_entry("balance_entry_nope")
            .unwrap_err()
            .status(),
        404
    );
}

#[tokio::test]
async fn admin_validation_errors_are_400_with_a_message() {
    let sb = seeded().await;
    let budget = "ci202507232016182661";
    let before = sb.state();
    for amount in [
        r#""0""#,
        r#""0.00""#,
        r#""-5""#,
        r#""1.234""#,
        r#""abc""#,
        r#""""#,
        "5",
        "null",
        r#""1e3""#,
        r#"" 1""#,
    ] {
        let reply = admin_post(
            &sb,
            &format!("/_sandbox/budgets/{budget}/fund"),
            &format!(r#"{{"amount": {amount}}}"#),
        )
        .await;
        assert_eq!(reply.status, 400, "{amount}: {}", reply.text);
        assert!(reply.body["error"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let cases = [
        (
            "/_sandbox/budgets",
            r#"{"budget_name": "X", "currency": "usd"}"#,
        ),
        ("/_sandbox/budgets", r#"{"budget_name": ""}"#),
        (
            "/_sandbox/budgets",
            r#"{"budget_name": "X", "balance": "-1"}"#,
        ),
        (
            "/_sandbox/budgets",
            r#"{"budget_name": "X", "surprise": 1}"#,
        ),
        ("/_sandbox/budgets", "not json"),
        (
            "/_sandbox/cards",
            r#"{"budget_id": "ci202507232016182661", "type": "GOLD"}"#,
        ),
        (
            "/_sandbox/cards",
            r#"{"budget_id": "ci202507232016182661", "type": "DEDICATED", "last4": "12a4"}"#,
        ),
        ("/_sandbox/balances", r#"{"available_amount": -1}"#),
        ("/_sandbox/balances", r#"{"currency": "dollars"}"#),
        ("/_sandbox/balances", r#"{"available_amount": "12"}"#),
        (
            "/_sandbox/balances/balance_dyz5APsJebDef9oTW9J2Hc/entries",
            r#"{"type": "BALANCE_TOP_UP_ACH", "amount": -5}"#,
        ),
        (
            "/_sandbox/balances/balance_dyz5APsJebDef9oTW9J2Hc/entries",
            r#"{"type": "PAYOUT", "amount": 5}"#,
        ),
        (
            "/_sandbox/balances/balance_dyz5APsJebDef9oTW9J2Hc/entries",
            r#"{"type": "GIFT", "amount": 5}"#,
        ),
        (
            "/_sandbox/balances/balance_dyz5APsJebDef9oTW9J2Hc/entries",
            r#"{"type": "REFUND", "amount": 0}"#,
        ),
        (
            "/_sandbox/balances/balance_dyz5APsJebDef9oTW9J2Hc/entries",
            r#"{"type": "REFUND", "amount": 5, "entity_type": "CHARGE"}"#,
        ),
        (
            "/_sandbox/balances/balance_dyz5APsJebDef9oTW9J2Hc/entries",
            r#"{"type": "FEE", "amount": -5, "external_reference_number": "X"}"#,
        ),
        (
            "/_sandbox/cards/card201907021723076250/top_up",
            r#"{"amount": "1.00"}"#,
        ),
    ];
    for (path, body) in cases {
        let reply = admin_post(&sb, path, body).await;
        assert_eq!(reply.status, 400, "{path} {body}: {}", reply.text);
        assert!(
            reply.body["error"].as_str().is_some_and(|m| !m.is_empty()),
            "{}",
            reply.text
        );
    }
    for (path, body) in [
        (
            "/_sandbox/budgets/ci000000000000000000/fund",
            r#"{"amount": "1"}"#,
        ),
        (
            "/_sandbox/cards",
            r#"{"budget_id": "ci000000000000000000", "type": "SHARED"}"#,
        ),
        ("/_sandbox/cards/card000/top_up", r#"{"amount": "1"}"#),
        (
            "/_sandbox/balances/balance_nope/entries",
            r#"{"type": "FEE", "amount": -1}"#,
        ),
        ("/_sandbox/nothing-here", "{}"),
    ] {
        let reply = admin_post(&sb, path, body).await;
        assert_eq!(reply.status, 404, "{path}: {}", reply.text);
    }
    let duplicate = admin_post(
        &sb,
        "/_sandbox/budgets",
        r#"{"budget_name": "Travel Expenses"}"#,
    )
    .await;
    assert_eq!(duplicate.status, 409);
    assert_eq!(sb.state(), before, "refused calls changed the state");
}

#[tokio::test]
async fn admin_routes_shape_the_state() {
    let sb = empty().await;
    let budget = admin_post(
        &sb,
        "/_sandbox/budgets",
        r#"{"budget_name": "Euro ops", "currency": "EUR", "balance": "10"}"#,
    )
    .await;
    assert_eq!(budget.status, 200, "{}", budget.text);
    assert_eq!(budget.body["currency"], "EUR");
    assert_eq!(budget.body["balance"], "10.00");
    let id = budget.body["budget_id"].as_str().unwrap().to_owned();

    let funded = admin_post(
        &sb,
        &format!("/_sandbox/budgets/{id}/fund"),
        r#"{"amount": "100.25"}"#,
    )
    .await;
    assert_eq!(funded.body["balance"], "110.25", "{}", funded.text);
    let withdrawn = admin_post(
        &sb,
        &format!("/_sandbox/budgets/{id}/withdraw"),
        r#"{"amount": "0.25"}"#,
    )
    .await;
    assert_eq!(withdrawn.body["balance"], "110.00");

    let card = admin_post(
        &sb,
        "/_sandbox/cards",
        &format!(r#"{{"budget_id": "{id}", "type": "DEDICATED", "last4": "4242"}}"#),
    )
    .await;
    assert_eq!(card.status, 200, "{}", card.text);
    assert_eq!(card.body["card_number"], "5157********4242");
    assert_eq!(card.body["type"], "DEDICATED");
    let card_id = card.body["card_id"].as_str().unwrap().to_owned();
    let topped = admin_post(
        &sb,
        &format!("/_sandbox/cards/{card_id}/top_up"),
        r#"{"amount": "60"}"#,
    )
    .await;
    assert_eq!(topped.body["available_balance"], "60.00", "{}", topped.text);
    let shared = admin_post(
        &sb,
        "/_sandbox/cards",
        &format!(r#"{{"budget_id": "{id}", "type": "SHARED"}}"#),
    )
    .await;
    assert_eq!(shared.status, 200);

    let listed = issuing_get(&sb, LIST, Issuing::Good).await;
    assert_eq!(
        listed.body["data"],
        json!([{"budget_id": id, "budget_name": "Euro ops", "balance": "50.00", "currency": "EUR"}])
    );
    let card_reply = issuing_get(&sb, &format!("{CARD}?card_id={card_id}"), Issuing::Good).await;
    assert_eq!(
        card_reply.body["data"],
        json!({"card_number": "5157********4242", "available_balance": "60.00"})
    );

    let balance = admin_post(&sb, "/_sandbox/balances", r#"{"pending_amount": 700}"#).await;
    assert_eq!(balance.status, 200, "{}", balance.text);
    assert_eq!(balance.body["posted_amount"], 700);
    assert_eq!(balance.body["currency"], "USD");
    assert_eq!(balance.body["type"], "DISBURSEMENT");
    let empty_body = admin_post(&sb, "/_sandbox/balances", "").await;
    assert_eq!(empty_body.status, 200, "{}", empty_body.text);

    let state = admin_get(&sb, "/_sandbox/state").await;
    assert_eq!(state.status, 200);
    assert_eq!(state.body, sb.state());
    assert_eq!(state.body["budgets"].as_array().unwrap().len(), 1);
    assert_eq!(state.body["cards"].as_array().unwrap().len(), 2);
    assert_eq!(state.body["balances"].as_array().unwrap().len(), 2);
    // No full card number is ever stored or shown.
    assert!(!state.text.contains("5157000"), "{}", state.text);

    let reset = admin_post(&sb, "/_sandbox/reset", r#"{"seed": true}"#).await;
    assert_eq!(reset.status, 200, "{}", reset.text);
    assert_eq!(sb.state()["budgets"].as_array().unwrap().len(), 3);
    let reset = admin_post(&sb, "/_sandbox/reset", "").await;
    assert_eq!(reset.status, 200);
    assert_eq!(sb.state()["budgets"].as_array().unwrap().len(), 0);
    assert_eq!(issuing_get(&sb, LIST, Issuing::Good).await.status, 404);
}

#[tokio::test]
async fn library_reset_and_currency_choice() {
    let sb = ahrvo_sandbox::Sandbox::start_with(SandboxConfig::default().with_seed(true))
        .await
        .unwrap();
    sb.reset(false).unwrap();
    assert_eq!(issuing_get(&sb, LIST, Issuing::Good).await.status, 404);
    let gbp = sb.create_budget("Pounds", "GBP").unwrap();
    assert_eq!(sb.create_budget("Pounds", "GBP").unwrap_err().status(), 409);
    assert_eq!(sb.create_budget("Bad", "gbp").unwrap_err().status(), 400);
    let list = issuing_get(&sb, LIST, Issuing::Good).await;
    assert_eq!(
        list.body["data"][0],
        json!({"budget_id": gbp, "budget_name": "Pounds", "balance": "0.00", "currency": "GBP"})
    );
    sb.reset(true).unwrap();
    assert_eq!(
        issuing_get(&sb, LIST, Issuing::Good).await.body["data"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

#[tokio::test]
async fn secrets_are_redacted_in_debug() {
    let sb = seeded().await;
    let shown = format!(
        "{sb:?} {:?} {:?}",
        sb.credentials(),
        SandboxConfig::default()
    );
    for secret in [
        "sandbox-api-key",
        "sandbox-access-token",
        "sandbox-password",
    ] {
        assert!(!shown.contains(secret), "{secret} leaked in {shown}");
    }
    assert!(shown.contains("<redacted>"));
    assert!(sb.base_url().starts_with("http://127.0.0.1:"));
}
