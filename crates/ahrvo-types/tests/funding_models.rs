//! Issue 14's models (top-ups, transfers, card funding, the card list, products; the Payments
//! lists and transfers) decode their spec examples exactly. CI runs this file twice: as is, and
//! in crates/ahrvo-precision-check with serde_json's `arbitrary_precision` on, where decimal
//! strings, integer cents and the "true"/"false" booleans must decode the same.

use ahrvo_types::*;
use serde_json::{Value, json};

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("fixtures/", $name, ".json"))
    };
}

fn decode<T: serde::de::DeserializeOwned>(json: &str) -> T {
    serde_json::from_str(json).unwrap()
}

#[test]
fn issuing_orders_keep_exact_decimals() {
    let env: Envelope<TopUpOrder> = decode(fixture!("getTopUpOrder"));
    let order = env.data.unwrap();
    assert_eq!(order.status, TopUpOrderStatus::Success);
    assert_eq!(order.top_up_amount.unwrap().to_string(), "10.45");
    let env: Envelope<TransferResult> = decode(fixture!("transferBetweenBudgets"));
    assert_eq!(env.data.unwrap().in_amount.to_string(), "100.00");
    let env: Envelope<TransferOrder> = decode(fixture!("getTransferOrder"));
    assert_eq!(env.data.unwrap().fund_result, TransferFundResult::Success);
    let env: Envelope<TopUpResult> = decode(fixture!("topUpCard"));
    assert_eq!(env.data.unwrap().record_id, "rec202601131200000002");
    // A decimal with many digits stays exact, and a float is refused.
    let order: TopUpOrder =
        decode(r#"{"status":"PROCESSING","top_up_amount":"12345678901234567890.12345678"}"#);
    assert_eq!(
        order.top_up_amount.unwrap().to_string(),
        "12345678901234567890.12345678"
    );
    assert!(
        serde_json::from_str::<TopUpOrder>(r#"{"status":"SUCCESS","top_up_amount":10.45}"#)
            .is_err()
    );
}

#[test]
fn requests_write_amounts_as_strings_with_their_scale() {
    let body = TopUpBudgetRequest::new(
        BudgetId::from("ci1"),
        "10.50".parse().unwrap(),
        Currency::USD,
        UniqueOrderId::parse("o-1").unwrap(),
    );
    assert_eq!(
        serde_json::to_value(&body).unwrap(),
        json!({"budget_id": "ci1", "top_up_amount": "10.50", "top_up_currency": "USD",
               "unique_order_id": "o-1"})
    );
}

#[test]
fn card_pages_decode_lenient_booleans_and_masked_numbers() {
    let env: Envelope<CardDetailPage> = decode(fixture!("listCards"));
    let page = env.data.unwrap();
    assert_eq!(page.total_num, 1);
    let card = &page.list[0];
    assert_eq!(card.allow_withdrawal, Some(true));
    assert_eq!(card.card_cancelled, Some(false));
    assert_eq!(card.card_type, Some(CardType::Share));
    let env: Envelope<CardFundingOrderPage> = decode(fixture!("listCardFundingOrders"));
    let order = &env.data.unwrap().list[0];
    assert_eq!(order.amount.to_string(), "10.45");
    assert_eq!(order.status, CardFundingStatus::Success);
    let env: Envelope<Vec<CardProduct>> = decode(fixture!("listCardProducts"));
    let product = &env.data.unwrap()[0];
    assert_eq!(product.card_application_fee.unwrap().to_string(), "5.00");
    assert_eq!(
        (product.allow_withdrawal, product.share),
        (Some(true), Some(false))
    );
    assert_eq!(product.valid_month, Some(36));
    // A number is not a boolean, whatever serde_json's features.
    let bad: Value = json!({"card_id": "c", "card_status": "ACTIVE", "allow_withdrawal": 1});
    assert!(serde_json::from_value::<CardDetail>(bad).is_err());
}

#[test]
fn payments_lists_decode_cents_exactly() {
    let list: BalanceEntryList = decode(fixture!("listBalanceEntries"));
    assert_eq!(list.page.limit, 10);
    let entries = list.embedded.unwrap().balance_entries;
    assert_eq!(entries[0].amount, Cents::new(250_000));
    let list: BalanceList = decode(fixture!("listBalances"));
    assert_eq!(
        list.embedded.unwrap().balances[0].posted_amount,
        Cents::new(1_500_000)
    );
    let list: BalanceAdjustmentList = decode(fixture!("listBalanceAdjustments"));
    let adjustment = &list.embedded.unwrap().balance_adjustments[0];
    assert_eq!(adjustment.amount, Cents::new(250_000));
    assert_eq!(adjustment.adjustment_type, BalanceAdjustmentType::TopUp);
    let transfer: Transfer = decode(fixture!("getTransfer"));
    assert_eq!(transfer.amount, Cents::new(250_000));
    assert_eq!(transfer.fee, Some(Cents::ZERO));
    assert_eq!(transfer.transfer_type, TransferType::Debit);
    // Cents are integers: a fraction is refused.
    let bad = fixture!("getTransfer").replace("\"amount\": 250000", "\"amount\": 2500.5");
    assert!(serde_json::from_str::<Transfer>(&bad).is_err());
}
