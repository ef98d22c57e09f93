//! The Balance page's payout checks: sufficient funds, and a safety buffer left afterwards.

use ahrvo_types::{Balance, BalanceId, Cents, Currency};
use serde::Serialize;

use super::health::{BalanceHealthThresholds, BalanceStatus, balance_health};
use crate::InvalidInput;

/// The page's safety buffer: never let a payout leave less than $500 (50000 cents) available.
pub const DEFAULT_SAFETY_BUFFER: Cents = Cents::new(50_000);

/// The outcome of [`check_payout`].
///
/// Serialized with these field names (`available` as the API's `available_amount`), cents as
/// integers; `shortage` is left out when the funds suffice.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub struct PayoutCheck {
    /// The Balance checked.
    pub balance_id: BalanceId,
    /// The payout amount checked.
    pub amount: Cents,
    /// The balance's `available_amount`, the only amount a payout may use.
    #[serde(rename = "available_amount")]
    pub available: Cents,
    /// The balance's currency (the amount is taken to be in it).
    pub currency: Currency,
    /// The safety buffer checked against.
    pub safety_buffer: Cents,
    /// `available >= amount`: the payout can be made.
    pub can_proceed: bool,
    /// `available - amount >= safety_buffer`: the payout leaves at least the buffer (implies
    /// `can_proceed`).
    pub safe_to_proceed: bool,
    /// `available - amount` (negative when the funds do not suffice).
    pub post_transaction_available: Cents,
    /// `amount - available` when the funds do not suffice; `None` when they do.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shortage: Option<Cents>,
}

/// Checks a payout of `amount` against a Balance's `available_amount` only (pending funds never
/// count, whatever `posted_amount` says), and whether it leaves `safety_buffer` available
/// ([`DEFAULT_SAFETY_BUFFER`] is the page's $500).
///
/// # Errors
///
/// An [`InvalidInput`] error when `amount` is not above zero, when `safety_buffer` is negative, or when a difference does not fit in `i64` cents
/// (only possible with an `available_amount` near `i64::MIN`).
///
/// ```
/// use ahrvo_reports::payments::{check_payout, DEFAULT_SAFETY_BUFFER};
/// # use ahrvo_types::{Balance, BalanceType, Cents, Currency, Timestamp};
/// # let now = Timestamp::parse("2024-01-01T00:00:00Z")?;
/// # let balance = Balance::new("balance_1".into(), now, now, Cents::new(100_000), Currency::USD,
/// #     Cents::new(900_000), Cents::new(1_000_000), BalanceType::Disbursement);
/// // available 1000.00, pending 9000.00
/// let check = check_payout(&balance, Cents::new(60_000), DEFAULT_SAFETY_BUFFER)?;
/// assert!(check.can_proceed && !check.safe_to_proceed);
/// assert_eq!(check.post_transaction_available, Cents::new(40_000));
///
/// let check = check_payout(&balance, Cents::new(150_000), DEFAULT_SAFETY_BUFFER)?;
/// assert!(!check.can_proceed); // the pending 9000.00 does not count
/// assert_eq!(check.shortage, Some(Cents::new(50_000)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check_payout(
    balance: &Balance,
    amount: Cents,
    safety_buffer: Cents,
) -> Result<PayoutCheck, InvalidInput> {
    if amount <= Cents::ZERO {
        return Err(InvalidInput::new(format!(
            "the payout amount must be greater than zero cents, not {amount}"
        )));
    }
    if safety_buffer.is_negative() {
        return Err(InvalidInput::new(format!(
            "the safety buffer must not be negative, not {safety_buffer}"
        )));
    }
    let available = balance.available_amount;
    let out_of_range = || InvalidInput::new("the payout arithmetic is out of range of i64 cents");
    let post = available.checked_sub(amount).ok_or_else(out_of_range)?;
    let can_proceed = available >= amount;
    let shortage = if can_proceed {
        None
    } else {
        Some(amount.checked_sub(available).ok_or_else(out_of_range)?)
    };
    Ok(PayoutCheck {
        balance_id: balance.id.clone(),
        amount,
        available,
        currency: balance.currency,
        safety_buffer,
        can_proceed,
        safe_to_proceed: can_proceed && post >= safety_buffer,
        post_transaction_available: post,
        shortage,
    })
}

/// A payout check with the Balance's pending amount and health status, from [`payout_report`],
/// as `ahrvo balances check` prints it.
///
/// Serialized flat: the fields of [`PayoutCheck`], then `pending_amount` (cents) and
/// `balance_status` (`"HEALTHY"`, `"LOW"` or `"CRITICAL"`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub struct PayoutReport {
    /// The check.
    #[serde(flatten)]
    pub check: PayoutCheck,
    /// The Balance's `pending_amount`: shown, never counted.
    pub pending_amount: Cents,
    /// The Balance's status by its `available_amount`, before the payout.
    pub balance_status: BalanceStatus,
}

/// [`check_payout`] plus the Balance's pending amount and its [`balance_health`] status by
/// `thresholds`.
///
/// # Errors
///
/// As [`check_payout`].
///
/// ```
/// use ahrvo_reports::payments::{payout_report, BalanceHealthThresholds};
/// # use ahrvo_types::{Balance, BalanceType, Cents, Currency, Timestamp};
/// # let now = Timestamp::parse("2024-01-01T00:00:00Z")?;
/// # let balance = Balance::new("balance_1".into(), now, now, Cents::new(1_250_000), Currency::USD,
/// #     Cents::new(250_000), Cents::new(1_500_000), BalanceType::Disbursement);
/// let report = payout_report(&balance, Cents::new(100_000), Cents::new(50_000), &BalanceHealthThresholds::default())?;
/// let json = serde_json::to_value(&report)?;
/// assert_eq!(json["available_amount"], 1_250_000);
/// assert_eq!(json["pending_amount"], 250_000);
/// assert_eq!(json["post_transaction_available"], 1_150_000);
/// assert_eq!(json["balance_status"], "HEALTHY");
/// assert!(json.get("shortage").is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn payout_report(
    balance: &Balance,
    amount: Cents,
    safety_buffer: Cents,
    thresholds: &BalanceHealthThresholds,
) -> Result<PayoutReport, InvalidInput> {
    Ok(PayoutReport {
        check: check_payout(balance, amount, safety_buffer)?,
        pending_amount: balance.pending_amount,
        balance_status: balance_health(balance, thresholds).status,
    })
}
