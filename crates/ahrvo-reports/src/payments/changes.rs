//! The Balance page's "Balance Change Detection".

use ahrvo_types::{Balance, Cents};
use serde::Serialize;

/// What changed between two snapshots of a Balance, from [`balance_changes`]; serialized with
/// these field names, cents as integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub struct BalanceChange {
    /// `current.available_amount - previous.available_amount`.
    pub available_change: Cents,
    /// `current.pending_amount - previous.pending_amount`.
    pub pending_change: Cents,
    /// `current.posted_amount - previous.posted_amount`.
    pub posted_change: Cents,
    /// Whether any of the three changed.
    pub changed: bool,
}

/// The change of each amount from `previous` to `current` (two snapshots of the same Balance;
/// neither the id nor the currency is compared). A difference that does not fit in `i64` cents
/// saturates at `i64::MAX`/`i64::MIN`; it is never zero unless the amounts are equal, so
/// `changed` is always right.
///
/// ```
/// use ahrvo_reports::payments::balance_changes;
/// # use ahrvo_types::{Balance, BalanceType, Cents, Currency, Timestamp};
/// # let now = Timestamp::parse("2024-01-01T00:00:00Z")?;
/// # let snap = |a, p| Balance::new("balance_1".into(), now, now, Cents::new(a), Currency::USD,
/// #     Cents::new(p), Cents::new(a + p), BalanceType::Disbursement);
/// let change = balance_changes(&snap(100_000, 5_000), &snap(90_000, 15_000));
/// assert_eq!(change.available_change, Cents::new(-10_000));
/// assert_eq!(change.pending_change, Cents::new(10_000));
/// assert_eq!(change.posted_change, Cents::ZERO);
/// assert!(change.changed);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn balance_changes(previous: &Balance, current: &Balance) -> BalanceChange {
    let diff = |before: Cents, after: Cents| Cents::new(after.get().saturating_sub(before.get()));
    let available_change = diff(previous.available_amount, current.available_amount);
    let pending_change = diff(previous.pending_amount, current.pending_amount);
    let posted_change = diff(previous.posted_amount, current.posted_amount);
    BalanceChange {
        available_change,
        pending_change,
        posted_change,
        changed: [available_change, pending_change, posted_change]
            .iter()
            .any(|c| *c != Cents::ZERO),
    }
}
