//! `budgets report`: the budget page's overview per currency and its health score per budget, in
//! one report.

use ahrvo_types::money::decimal_string;
use ahrvo_types::{BudgetBalance, Decimal};
use serde::Serialize;

use super::health::{HealthStatus, health_order};
use super::overview::{CurrencyOverview, overview_with_percents};

/// The budget page's "Dashboard Overview", "Budget Allocation Report" and "Budget Health Score"
/// together, from [`budget_report`].
///
/// Serialized as `{"threshold": "1000.00", "currencies": [CurrencyOverview...], "budgets":
/// [BudgetReportLine...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct BudgetReport<'a> {
    /// A budget holding less than this, in its own currency, is low.
    #[serde(with = "decimal_string")]
    pub threshold: Decimal,
    /// One overview per currency, sorted by currency code (see [`budget_overview`](super::budget_overview)).
    pub currencies: Vec<CurrencyOverview<'a>>,
    /// Every budget, least healthy first (see [`budget_health_report`](super::budget_health_report)).
    pub budgets: Vec<BudgetReportLine<'a>>,
}

impl BudgetReport<'_> {
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
pub struct BudgetReportLine<'a> {
    /// The budget, as listed (borrowed from the input).
    #[serde(flatten)]
    pub budget: &'a BudgetBalance,
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

/// The overview per currency ([`budget_overview`](super::budget_overview)) and every budget's share, health and low flag
/// (`balance < low_threshold`), least healthy first ([`budget_health_report`](super::budget_health_report)).
///
/// Linear in the number of budgets but for the sorts (`n log n`), and nothing is copied: the
/// report borrows the budgets. Each budget's share is computed once, with the overview's
/// ([`BudgetShare::percent`](super::BudgetShare)), never looked up among the shares (a lookup
/// per budget made 100,000 budgets take hours). `cargo bench -p ahrvo-reports --bench report`
/// compares it with decoding the same budgets.
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
pub fn budget_report(budgets: &[BudgetBalance], low_threshold: Decimal) -> BudgetReport<'_> {
    let (currencies, percents) = overview_with_percents(budgets, low_threshold);
    let (health, order) = health_order(budgets);
    let lines = order
        .into_iter()
        .map(|i| {
            let budget = &budgets[i];
            BudgetReportLine {
                share_percent: percents[i],
                health_score: health[i].score,
                health_status: health[i].status,
                low_balance: budget.balance < low_threshold,
                budget,
            }
        })
        .collect();
    BudgetReport {
        threshold: low_threshold,
        currencies,
        budgets: lines,
    }
}
