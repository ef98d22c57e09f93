//! The budget page's "Budget Health Score".

use std::fmt;

use ahrvo_types::{BudgetBalance, Decimal};
use serde::{Serialize, Serializer};

/// A budget's health band, from the budget page's health score.
///
/// | balance | score | status |
/// |---|---|---|
/// | ≥ 50000 | 100 | Excellent |
/// | ≥ 25000 | 80 | Good |
/// | ≥ 10000 | 60 | Fair |
/// | ≥ 5000 | 40 | Low |
/// | below | 20 | Critical |
///
/// The bands are the page's, in the budget's own currency units whatever the currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HealthStatus {
    /// Balance ≥ 50000: score 100.
    Excellent,
    /// Balance ≥ 25000: score 80.
    Good,
    /// Balance ≥ 10000: score 60.
    Fair,
    /// Balance ≥ 5000: score 40.
    Low,
    /// Balance below 5000: score 20.
    Critical,
}

impl HealthStatus {
    /// Every status, healthiest first.
    pub const ALL: [HealthStatus; 5] = [
        HealthStatus::Excellent,
        HealthStatus::Good,
        HealthStatus::Fair,
        HealthStatus::Low,
        HealthStatus::Critical,
    ];

    /// The page's word for it: `Excellent`, `Good`, `Fair`, `Low` or `Critical`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Excellent => "Excellent",
            Self::Good => "Good",
            Self::Fair => "Fair",
            Self::Low => "Low",
            Self::Critical => "Critical",
        }
    }

    /// The page's score for it: 100, 80, 60, 40 or 20.
    pub fn score(&self) -> u8 {
        match self {
            Self::Excellent => 100,
            Self::Good => 80,
            Self::Fair => 60,
            Self::Low => 40,
            Self::Critical => 20,
        }
    }

    /// The lowest balance of the band (inclusive); `None` for `Critical`, which has no floor.
    pub fn min_balance(&self) -> Option<Decimal> {
        match self {
            Self::Excellent => Some(Decimal::from(50_000)),
            Self::Good => Some(Decimal::from(25_000)),
            Self::Fair => Some(Decimal::from(10_000)),
            Self::Low => Some(Decimal::from(5_000)),
            Self::Critical => None,
        }
    }
}

impl fmt::Display for HealthStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Serialized as the page's word: `"Excellent"`, ..., `"Critical"`.
impl Serialize for HealthStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A health score and its status, from [`budget_health`]: `{"score": 80, "status": "Good"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub struct BudgetHealth {
    /// 100, 80, 60, 40 or 20.
    pub score: u8,
    /// The band.
    pub status: HealthStatus,
}

/// The health of a budget balance, by the page's bands (see [`HealthStatus`]); each band's
/// floor is inclusive: exactly 50000 is `Excellent`, 49999.99 is `Good`.
///
/// ```
/// use ahrvo_reports::issuing::{budget_health, HealthStatus};
///
/// let health = budget_health("45250.75".parse()?);
/// assert_eq!((health.score, health.status), (80, HealthStatus::Good));
/// assert_eq!(health.status.to_string(), "Good");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn budget_health(balance: Decimal) -> BudgetHealth {
    let status = HealthStatus::ALL
        .into_iter()
        .find(|s| s.min_balance().is_none_or(|floor| balance >= floor))
        .unwrap_or(HealthStatus::Critical);
    BudgetHealth {
        score: status.score(),
        status,
    }
}

/// One line of [`budget_health_report`]: `{"budget": {...}, "health": {...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct BudgetHealthLine<'a> {
    /// The budget (borrowed from the input).
    pub budget: &'a BudgetBalance,
    /// Its health.
    pub health: BudgetHealth,
}

/// The health of every budget, least healthy first: sorted by score ascending, as the page does,
/// then by budget name and budget id so the order never depends on the input's.
pub fn budget_health_report(budgets: &[BudgetBalance]) -> Vec<BudgetHealthLine<'_>> {
    let (health, order) = health_order(budgets);
    order
        .into_iter()
        .map(|i| BudgetHealthLine {
            budget: &budgets[i],
            health: health[i],
        })
        .collect()
}

/// Every budget's health (by input index) and the indices least healthy first, as
/// [`budget_health_report`] orders its lines: the budgets are put in their score's bucket (five
/// scores, one pass), then each bucket is sorted by `(name, id, index)` keys that borrow the
/// budgets (the index breaks ties, so the unstable sort gives the stable order).
pub(crate) fn health_order(budgets: &[BudgetBalance]) -> (Vec<BudgetHealth>, Vec<usize>) {
    let health: Vec<BudgetHealth> = budgets.iter().map(|b| budget_health(b.balance)).collect();
    // Least healthy first: Critical (20) ... Excellent (100).
    let mut buckets: [Vec<(&str, &str, usize)>; 5] = Default::default();
    for (i, (b, h)) in budgets.iter().zip(&health).enumerate() {
        let rank = HealthStatus::ALL.len() - 1 - (h.status as usize);
        buckets[rank].push((b.budget_name.as_str(), b.budget_id.as_str(), i));
    }
    let mut order = Vec::with_capacity(budgets.len());
    for mut bucket in buckets {
        bucket.sort_unstable();
        order.extend(bucket.into_iter().map(|(_, _, i)| i));
    }
    (health, order)
}
