//! The pages' example replies decode exactly and encode back unchanged. CI runs this file twice:
//! as is, and in crates/ahrvo-precision-check (serde_json's `arbitrary_precision` on, as another
//! crate in a user's tree may turn it on), where money must decode the same.

use ahrvo_types::*;
use serde_json::Value;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("fixtures/", $name, ".json"))
    };
}

/// `text` with `from` replaced by `to`. `from` must occur exactly once: an edit that matched
/// nothing would leave the fixture as it was, and the test would check nothing.
#[track_caller]
fn edit(text: &str, from: &str, to: &str) -> String {
    assert_ne!(from, to, "an edit that changes nothing");
    let n = text.matches(from).count();
    assert_eq!(n, 1, "{from:?} occurs {n} times in the fixture, not once");
    text.replacen(from, to, 1)
}

fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(json: &str) -> T {
    let decoded: T = serde_json::from_str(json).unwrap();
    let again: T = serde_json::from_str(&serde_json::to_string(&decoded).unwrap()).unwrap();
    assert_eq!(
        serde_json::to_string(&again).unwrap(),
        serde_json::to_string(&decoded).unwrap()
    );
    decoded
}

#[test]
fn budget_balances_keep_exact_decimals() {
    let env: Envelope<Vec<BudgetBalance>> = round_trip(fixture!("listBudgetBalances"));
    assert!(env.is_success());
    let data = env.data.unwrap();
    let shown: Vec<String> = data.iter().map(|b| b.balance.to_string()).collect();
    assert_eq!(shown, ["45250.75", "78900.00", "12500.50"]);
    let total: Decimal = data.iter().map(|b| b.balance).sum();
    assert_eq!(total.to_string(), "136651.25");
    let json: Value = serde_json::from_str(&serde_json::to_string(&data).unwrap()).unwrap();
    assert_eq!(json[1]["balance"], Value::String("78900.00".into()));
}

#[test]
fn card_balance_and_create_result_decode() {
    let env: Envelope<CardBalance> = round_trip(fixture!("getCardBalance"));
    let card = env.data.unwrap();
    assert_eq!(card.available_balance.to_string(), "1468.87");
    assert_eq!(card.card_number.as_str(), "5157********2686");
    let env: Envelope<CreateBudgetResult> = round_trip(fixture!("createBudget"));
    assert_eq!(env.data.unwrap().budget_id, "ci202507232016182661");
}

#[test]
fn payments_cents_decode_exactly() {
    let b: Balance = round_trip(fixture!("getBalance"));
    assert_eq!(b.posted_amount, Cents::new(1_500_000));
    assert!(b.is_consistent());
    let e: BalanceEntry = round_trip(fixture!("getBalanceEntry"));
    assert_eq!(e.amount, Cents::new(250_000));
    let big: Balance = serde_json::from_str(&edit(
        fixture!("getBalance"),
        "1500000",
        "9223372036854775807",
    ))
    .unwrap();
    assert_eq!(big.posted_amount.get(), i64::MAX);
}

#[test]
fn money_is_never_read_from_a_json_number() {
    let as_number = edit(fixture!("getCardBalance"), "\"1468.87\"", "1468.87");
    assert!(serde_json::from_str::<Envelope<CardBalance>>(&as_number).is_err());
    let fraction = edit(fixture!("getBalance"), "1250000", "1250000.5");
    assert!(serde_json::from_str::<Balance>(&fraction).is_err());
}

#[test]
fn unknown_fields_are_ignored() {
    let extra = edit(
        fixture!("getBalance"),
        "\"tags\"",
        "\"new_field\": {\"x\": [1, 2.5]}, \"tags\"",
    );
    // The reply really carries the new field, nested numbers and all.
    let json: Value = serde_json::from_str(&extra).unwrap();
    assert_eq!(json["new_field"]["x"].as_array().map(Vec::len), Some(2));
    let b: Balance = serde_json::from_str(&extra).unwrap();
    assert_eq!(b.available_amount, Cents::new(1_250_000));
}
