//! `budgets report`: the budget page's overview per currency and its health score per budget, in
//! one report.

use ahrvo_types::money::decimal_string;
use ahrvo_types::{BudgetBalance, Decimal};
use serde::Serialize;

use super::health::{HealthStatus, budget_health_report};
use super::overview::{CurrencyOverview, budget_overview};

/// The budget page's "Dashboard Overview", "Budget Allocation Report" and "Budget Health Score"
/// together, from [`budget_report`].
///
/// Serialized as `{"threshold": "1000.00", "currencies": [CurrencyOverview...], "budgets":
/// [BudgetReportLine...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct BudgetReport {
    /// A budget holding less than this, in its own currency, is low.
    #[serde(with = "decimal_string")]
    pub threshold: Decimal,
    /// One overview per currency, sorted by currency code (see [`budget_overview`]).
    pub currencies: Vec<CurrencyOverview>,
    /// Every budget, least healthy first (see [`budget_health_report`]).
    pub budgets: Vec<BudgetReportLine>,
}

impl BudgetReport {
    /// The budgets below the threshold.
    pub fn low_count(&self) -> usize {
        self.budgets.iter().filter(|b| b.low_balance).count()
    }
}

/// One budget of a [`BudgetReport`]: the API's fields, then its share of its currency's total,
/// its health and whether it is low.
///
/// Serialized flat: `{"budget_id": ..., "budget_name": ..., "balance": "12500.50", "currency":
/// "USD", "share_percent": "9.15", "health_score": 60, "health_status": "Fair", "low_balance":
/// false}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct BudgetReportLine {
    /// The budget, as listed.
    #[serde(flatten)]
    pub budget: BudgetBalance,
    /// Its share of its currency's total, as in [`BudgetShare::percent`](super::BudgetShare).
    #[serde(with = "decimal_string")]
    pub share_percent: Decimal,
    /// 100, 80, 60, 40 or 20.
    pub health_score: u8,
    /// The band of the score.
    pub health_status: HealthStatus,
    /// `balance < threshold`.
    pub low_balance: bool,
}

/// The overview per currency ([`budget_overview`]) and every budget's share, health and low flag
/// (`balance < low_threshold`), least healthy first ([`budget_health_report`]).
///
/// ```
/// use ahrvo_reports::issuing::budget_report;
/// use ahrvo_types::{BudgetBalance, Currency, Decimal};
///
/// let budgets = vec![
///     BudgetBalance::new("a".into(), "Ops".into(), "900.00".parse()?, Currency::USD),
///     BudgetBalance::new("b".into(), "R&D".into(), "60000.00".parse()?, Currency::USD),
/// ];
/// let report = budget_report(&budgets, Decimal::from(1000));
/// assert_eq!(report.low_count(), 1);
/// let json = serde_json::to_value(&report)?;
/// assert_eq!(json["budgets"][0]["budget_name"], "Ops");
/// assert_eq!(json["budgets"][0]["share_percent"], "1.48");
/// assert_eq!(json["budgets"][0]["health_status"], "Critical");
/// assert_eq!(json["currencies"][0]["total"], "60900.00");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn budget_report(budgets: &[BudgetBalance], low_threshold: Decimal) -> BudgetReport {
    let currencies = budget_overview(budgets, low_threshold);
    let share_of = |b: &BudgetBalance| {
        currencies
            .iter()
            .filter(|o| o.currency == b.currency)
            .flat_map(|o| &o.shares)
            .find(|s| s.budget.budget_id == b.budget_id)
            .map_or(Decimal::ZERO, |s| s.percent)
    };
    let lines = budget_health_report(budgets)
        .into_iter()
        .map(|line| BudgetReportLine {
            share_percent: share_of(&line.budget),
            health_score: line.health.score,
            health_status: line.health.status,
            low_balance: line.budget.balance < low_threshold,
            budget: line.budget,
        })
        .collect();
    BudgetReport {
        threshold: low_threshold,
        currencies,
        budgets: lines,
    }
}
