//! The Balance page's health status and fund allocation.

use std::fmt;

use ahrvo_types::money::decimal_string;
use ahrvo_types::{Balance, Cents, Currency, Decimal};
use serde::{Serialize, Serializer};

/// The thresholds of [`balance_health`], on `available_amount`. The defaults are the page's:
/// HEALTHY above 100000 cents ($1000), LOW above 50000 ($500), CRITICAL otherwise.
/// Serialized with these field names, cents as integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub struct BalanceHealthThresholds {
    /// Strictly above: [`BalanceStatus::Healthy`]. Default 100000 cents.
    pub healthy_above: Cents,
    /// Strictly above (and not healthy): [`BalanceStatus::Low`]. Default 50000 cents.
    pub low_above: Cents,
}

impl BalanceHealthThresholds {
    /// Thresholds of your own (checked healthy first, then low).
    pub fn new(healthy_above: Cents, low_above: Cents) -> Self {
        Self {
            healthy_above,
            low_above,
        }
    }
}

impl Default for BalanceHealthThresholds {
    fn default() -> Self {
        Self {
            healthy_above: Cents::new(100_000),
            low_above: Cents::new(50_000),
        }
    }
}

/// A Balance's status, by its `available_amount`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BalanceStatus {
    /// Above the healthy threshold.
    Healthy,
    /// Above the low threshold.
    Low,
    /// At or below the low threshold.
    Critical,
}

impl BalanceStatus {
    /// The page's word: `HEALTHY`, `LOW` or `CRITICAL`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Healthy => "HEALTHY",
            Self::Low => "LOW",
            Self::Critical => "CRITICAL",
        }
    }
}

impl fmt::Display for BalanceStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Serialized as the page's word: `"HEALTHY"`, `"LOW"` or `"CRITICAL"`.
impl Serialize for BalanceStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A Balance's health, from [`balance_health`]: `{"status": "HEALTHY", "currency": "USD",
/// "available_percent": "33.33", "pending_percent": "66.67", "consistent": true}` (`null`
/// percentages when nothing is posted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub struct BalanceHealth {
    /// The status, from `available_amount` alone.
    pub status: BalanceStatus,
    /// The balance's currency.
    pub currency: Currency,
    /// `available_amount / posted_amount × 100`, 2 decimals, half away from zero; `None` when
    /// `posted_amount` is zero.
    #[serde(with = "decimal_string::option")]
    pub available_percent: Option<Decimal>,
    /// `pending_amount / posted_amount × 100`, the same way.
    #[serde(with = "decimal_string::option")]
    pub pending_percent: Option<Decimal>,
    /// Whether `posted = available + pending` holds ([`Balance::is_consistent`]); when it does
    /// not, the percentages need not add up to 100.
    pub consistent: bool,
}

/// The health of a Balance: HEALTHY when `available_amount > thresholds.healthy_above`, LOW when
/// `> thresholds.low_above`, CRITICAL otherwise (so exactly 100000 cents is LOW and exactly
/// 50000 is CRITICAL with the defaults), plus the available and pending percentages of the
/// posted amount.
///
/// ```
/// use ahrvo_reports::payments::{balance_health, BalanceHealthThresholds, BalanceStatus};
/// # use ahrvo_types::{Balance, BalanceType, Cents, Currency, Timestamp};
/// # let now = Timestamp::parse("2024-01-01T00:00:00Z")?;
/// # let balance = Balance::new("balance_1".into(), now, now, Cents::new(100_001), Currency::USD,
/// #     Cents::new(200_000), Cents::new(300_001), BalanceType::Disbursement);
/// let health = balance_health(&balance, &BalanceHealthThresholds::default());
/// assert_eq!(health.status, BalanceStatus::Healthy);
/// assert_eq!(health.available_percent.unwrap().to_string(), "33.33");
/// assert_eq!(health.pending_percent.unwrap().to_string(), "66.67");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn balance_health(balance: &Balance, thresholds: &BalanceHealthThresholds) -> BalanceHealth {
    let available = balance.available_amount;
    let status = if available > thresholds.healthy_above {
        BalanceStatus::Healthy
    } else if available > thresholds.low_above {
        BalanceStatus::Low
    } else {
        BalanceStatus::Critical
    };
    BalanceHealth {
        status,
        currency: balance.currency,
        available_percent: percent(available, balance.posted_amount),
        pending_percent: percent(balance.pending_amount, balance.posted_amount),
        consistent: balance.is_consistent(),
    }
}

/// `part / whole × 100` with 2 decimals, rounded half away from zero, in exact integer
/// arithmetic; `None` when `whole` is zero.
fn percent(part: Cents, whole: Cents) -> Option<Decimal> {
    let whole = i128::from(whole.get());
    if whole == 0 {
        return None;
    }
    // |part| × 10000 < 2^78: no i128 overflow, and the quotient fits a Decimal.
    let scaled = i128::from(part.get()).checked_mul(10_000)?;
    let quotient = scaled.checked_div(whole)?;
    let remainder = scaled.checked_rem(whole)?;
    let rounded = if remainder.unsigned_abs().saturating_mul(2) >= whole.unsigned_abs() {
        quotient.checked_add(scaled.signum().checked_mul(whole.signum())?)?
    } else {
        quotient
    };
    Decimal::try_from_i128_with_scale(rounded, 2).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(part: i64, whole: i64) -> Option<String> {
        percent(Cents::new(part), Cents::new(whole)).map(|d| d.to_string())
    }

    #[test]
    fn percentages_round_half_away_from_zero() {
        assert_eq!(p(1, 3).as_deref(), Some("33.33"));
        assert_eq!(p(2, 3).as_deref(), Some("66.67"));
        assert_eq!(p(1, 8).as_deref(), Some("12.50"));
        // 1/80000 = 0.00125 % → 0.00; 1/20000 = 0.005 % → 0.01 (half away from zero)
        assert_eq!(p(1, 80_000).as_deref(), Some("0.00"));
        assert_eq!(p(1, 20_000).as_deref(), Some("0.01"));
        assert_eq!(p(-1, 20_000).as_deref(), Some("-0.01"));
        assert_eq!(p(1, -20_000).as_deref(), Some("-0.01"));
        assert_eq!(p(5, 0), None);
        assert_eq!(p(0, 7).as_deref(), Some("0.00"));
        assert_eq!(p(10, 10).as_deref(), Some("100.00"));
    }

    #[test]
    fn extreme_cents_do_not_panic() {
        assert_eq!(p(i64::MAX, 1).as_deref(), Some("922337203685477580700.00"));
        assert_eq!(p(i64::MIN, -1).as_deref(), Some("922337203685477580800.00"));
        assert_eq!(p(i64::MIN, i64::MIN).as_deref(), Some("100.00"));
        assert_eq!(p(i64::MAX, i64::MIN).as_deref(), Some("-100.00"));
    }
}
