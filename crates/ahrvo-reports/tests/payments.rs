//! The Balance reports with the page's numbers and their edges.
#![cfg(feature = "payments")]

use ahrvo_reports::InvalidInput;
use ahrvo_reports::payments::*;
use ahrvo_types::{Balance, BalanceType, Cents, Currency, Timestamp};

fn balance(available: i64, pending: i64, posted: i64) -> Balance {
    let at = Timestamp::parse("2024-03-01T12:00:00Z").unwrap();
    Balance::new(
        "balance_dyz5APsJebDef9oTW9J2Hc".into(),
        at,
        at,
        Cents::new(available),
        Currency::USD,
        Cents::new(pending),
        Cents::new(posted),
        BalanceType::Disbursement,
    )
}

fn consistent(available: i64, pending: i64) -> Balance {
    balance(available, pending, available + pending)
}

// ---- payouts ----------------------------------------------------------------------------------

#[test]
fn payout_uses_available_only() {
    // $100.00 available, $5000.00 pending: a $100.01 payout cannot proceed, whatever is pending.
    let b = consistent(10_000, 500_000);
    let check = check_payout(&b, Cents::new(10_001), DEFAULT_SAFETY_BUFFER).unwrap();
    assert!(!check.can_proceed && !check.safe_to_proceed);
    assert_eq!(check.shortage, Some(Cents::new(1)));
    assert_eq!(check.post_transaction_available, Cents::new(-1));
    // The page's "$100 available?" check: exactly 10000 cents can.
    let check = check_payout(&b, Cents::new(10_000), Cents::ZERO).unwrap();
    assert!(check.can_proceed && check.safe_to_proceed);
    assert_eq!(
        (check.post_transaction_available, check.shortage),
        (Cents::ZERO, None)
    );
    assert_eq!(check.available, Cents::new(10_000));
    assert_eq!(check.currency, Currency::USD);
}

#[test]
fn safety_buffer_is_the_pages_500_dollars_inclusive() {
    assert_eq!(DEFAULT_SAFETY_BUFFER, Cents::new(50_000));
    let b = consistent(150_000, 0);
    let at = check_payout(&b, Cents::new(100_000), DEFAULT_SAFETY_BUFFER).unwrap();
    assert!(at.can_proceed && at.safe_to_proceed, "leaves exactly $500");
    let over = check_payout(&b, Cents::new(100_001), DEFAULT_SAFETY_BUFFER).unwrap();
    assert!(over.can_proceed && !over.safe_to_proceed);
    assert_eq!(over.post_transaction_available, Cents::new(49_999));
    assert_eq!(over.shortage, None);
}

#[test]
fn payout_inputs_are_checked_and_extremes_do_not_panic() {
    let b = consistent(1_000, 0);
    // The one error of the reports is invalid input (what the SDK's `ErrorKind::Validation` was).
    for amount in [0, -1, i64::MIN] {
        let e: InvalidInput =
            check_payout(&b, Cents::new(amount), DEFAULT_SAFETY_BUFFER).unwrap_err();
        assert!(
            e.message()
                .starts_with("the payout amount must be greater than zero"),
            "{amount}: {e}"
        );
    }
    let e: InvalidInput = check_payout(&b, Cents::new(1), Cents::new(-1)).unwrap_err();
    assert!(e.message().contains("safety buffer"), "{e}");
    let e: InvalidInput =
        check_payout(&balance(i64::MIN, 0, 0), Cents::new(1), Cents::ZERO).unwrap_err();
    assert!(e.message().contains("out of range"), "{e}");
    let e: InvalidInput =
        check_payout(&balance(-2, 0, 0), Cents::new(i64::MAX), Cents::ZERO).unwrap_err();
    assert!(e.message().contains("out of range"), "{e}");
    let max = check_payout(&balance(i64::MAX, 0, 0), Cents::new(i64::MAX), Cents::ZERO).unwrap();
    assert!(max.safe_to_proceed);
    assert_eq!(max.post_transaction_available, Cents::ZERO);
}

// ---- health -----------------------------------------------------------------------------------

#[test]
fn health_bands_are_strictly_above_the_pages_thresholds() {
    let t = BalanceHealthThresholds::default();
    assert_eq!(
        (t.healthy_above, t.low_above),
        (Cents::new(100_000), Cents::new(50_000))
    );
    let cases = [
        (100_001, BalanceStatus::Healthy),
        (100_000, BalanceStatus::Low),
        (50_001, BalanceStatus::Low),
        (50_000, BalanceStatus::Critical),
        (0, BalanceStatus::Critical),
        (-1, BalanceStatus::Critical),
    ];
    for (available, status) in cases {
        assert_eq!(
            balance_health(&consistent(available, 0), &t).status,
            status,
            "{available}"
        );
    }
    assert_eq!(BalanceStatus::Healthy.to_string(), "HEALTHY");
    assert_eq!(BalanceStatus::Low.to_string(), "LOW");
    assert_eq!(BalanceStatus::Critical.to_string(), "CRITICAL");
    let own = BalanceHealthThresholds::new(Cents::new(10), Cents::new(5));
    assert_eq!(
        balance_health(&consistent(6, 0), &own).status,
        BalanceStatus::Low
    );
}

#[test]
fn health_percentages_of_posted() {
    let t = BalanceHealthThresholds::default();
    // Pending never counts towards the status: $900 available is LOW however much is pending.
    let h = balance_health(&consistent(90_000, 210_000), &t);
    assert_eq!(h.status, BalanceStatus::Low);
    assert_eq!(h.available_percent.unwrap().to_string(), "30.00");
    assert_eq!(h.pending_percent.unwrap().to_string(), "70.00");
    assert!(h.consistent);

    let h = balance_health(&consistent(1, 2), &t);
    assert_eq!(h.available_percent.unwrap().to_string(), "33.33");
    assert_eq!(h.pending_percent.unwrap().to_string(), "66.67");

    let empty = balance_health(&consistent(0, 0), &t);
    assert_eq!(
        (empty.available_percent, empty.pending_percent),
        (None, None)
    );
    assert_eq!(empty.status, BalanceStatus::Critical);

    let odd = balance_health(&balance(100, 100, 100), &t);
    assert!(!odd.consistent);
    assert_eq!(odd.available_percent.unwrap().to_string(), "100.00");

    let extreme = balance_health(&balance(i64::MAX, i64::MIN, 1), &t);
    assert!(extreme.available_percent.is_some() && !extreme.consistent);
}

// ---- changes ----------------------------------------------------------------------------------

#[test]
fn changes_between_snapshots() {
    let before = consistent(100_000, 25_000);
    let same = balance_changes(&before, &before);
    assert!(!same.changed);
    assert_eq!(
        (
            same.available_change,
            same.pending_change,
            same.posted_change
        ),
        (Cents::ZERO, Cents::ZERO, Cents::ZERO)
    );

    // A $250.00 pending entry settles: available up, pending down, posted unchanged.
    let after = consistent(125_000, 0);
    let c = balance_changes(&before, &after);
    assert!(c.changed);
    assert_eq!(c.available_change, Cents::new(25_000));
    assert_eq!(c.pending_change, Cents::new(-25_000));
    assert_eq!(c.posted_change, Cents::ZERO);

    let c = balance_changes(&balance(i64::MIN, 0, 0), &balance(i64::MAX, 0, 0));
    assert_eq!(c.available_change, Cents::new(i64::MAX));
    let c = balance_changes(&balance(i64::MAX, 0, 0), &balance(i64::MIN, 0, 0));
    assert_eq!(c.available_change, Cents::new(i64::MIN));
    assert!(c.changed);
}

// ---- serialization ----------------------------------------------------------------------------

#[test]
fn payout_reports_serialize_cents_as_integers() {
    let b = consistent(1_250_000, 250_000);
    let report = payout_report(
        &b,
        Cents::new(1_300_000),
        DEFAULT_SAFETY_BUFFER,
        &BalanceHealthThresholds::default(),
    )
    .unwrap();
    assert_eq!(
        serde_json::to_value(&report).unwrap(),
        serde_json::json!({
            "balance_id": "balance_dyz5APsJebDef9oTW9J2Hc",
            "currency": "USD",
            "available_amount": 1_250_000,
            "pending_amount": 250_000,
            "amount": 1_300_000,
            "safety_buffer": 50_000,
            "post_transaction_available": -50_000,
            "shortage": 50_000,
            "can_proceed": false,
            "safe_to_proceed": false,
            "balance_status": "HEALTHY"
        })
    );
    let health = balance_health(&consistent(1, 2), &BalanceHealthThresholds::default());
    assert_eq!(
        serde_json::to_value(health).unwrap(),
        serde_json::json!({
            "status": "CRITICAL", "currency": "USD", "available_percent": "33.33",
            "pending_percent": "66.67", "consistent": true
        })
    );
    let change = balance_changes(&consistent(100, 0), &consistent(50, 50));
    assert_eq!(
        serde_json::to_value(change).unwrap(),
        serde_json::json!({
            "available_change": -50, "pending_change": 50, "posted_change": 0, "changed": true
        })
    );
}
