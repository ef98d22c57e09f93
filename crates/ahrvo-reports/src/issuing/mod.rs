//! Reports over Issuing budgets and cards, as the pages' "Common Use Cases" build them: pure
//! functions over the typed models, no I/O.
//!
//! - [`budget_overview`]: count, total, average, highest, shares and low balances, **per
//!   currency** (amounts in different currencies are never added together).
//! - [`budget_health`] and [`budget_health_report`]: the budget page's health score bands.
//! - [`budget_report()`]: both of them for every budget, as `ahrvo budgets report` prints them.
//! - [`card_balance_distribution`] and [`classify_card`]: the card page's balance ranges and
//!   low-balance alert levels; [`card_report`] both for every card.
//! - [`check_funds`] and [`check_card_funds`]: the card page's pre-transaction check.
//! - [`reconcile()`], [`ReconcileReport`] and [`parse_expected_csv`] (feature `csv`): card
//!   balances against your own records.
//! - [`diff_budgets`] and [`significant_changes`]: what changed between two budget listings.
//!
//! Every amount is an exact [`Decimal`](ahrvo_types::Decimal); no float is used anywhere.
//! Percentages and averages are rounded to 2 decimals, half away from zero (`0.005` → `0.01`),
//! and always carry 2 decimals (`50` → `50.00`); totals carry at least 2 (`0.00` for none). No
//! function panics on any input: a sum that would leave the range of `Decimal` (about
//! ±7.9 × 10²⁸) saturates at `Decimal::MAX`/`Decimal::MIN` and the result says so
//! (`total_saturated`), and [`check_funds`] refuses such amounts with an error.
//!
//! Every result derives `Serialize`: amounts as decimal strings with their scale, models in the
//! API's own field names, statuses in the pages' words.
//!
//! ```
//! use ahrvo_reports::issuing::{budget_overview, budget_health, HealthStatus};
//! use ahrvo_types::{BudgetBalance, Currency, Decimal};
//!
//! let budgets = vec![
//!     BudgetBalance::new("ci1".into(), "Marketing".into(), "45250.75".parse()?, Currency::USD),
//!     BudgetBalance::new("ci2".into(), "Engineering".into(), "78900.00".parse()?, Currency::USD),
//!     BudgetBalance::new("ci3".into(), "Travel".into(), "12500.50".parse()?, Currency::USD),
//! ];
//! let overview = budget_overview(&budgets, Decimal::from(1000));
//! assert_eq!(overview[0].total.to_string(), "136651.25");
//! assert_eq!(overview[0].average.to_string(), "45550.42");
//! assert_eq!(budget_health("12500.50".parse()?).status, HealthStatus::Fair);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod budget_report;
mod changes;
mod distribution;
mod funds;
mod health;
mod overview;
mod reconcile;

pub use budget_report::{BudgetReport, BudgetReportLine, budget_report};
pub use changes::{BudgetChange, diff_budgets, significant_changes};
pub use distribution::{
    BalanceBucket, BucketSummary, CardAlertLevel, CardAlertThresholds, CardReport, CardReportLine,
    Distribution, card_balance_distribution, card_report, classify_card,
};
pub use funds::{CardFundsCheck, FundsCheck, check_card_funds, check_funds};
pub use health::{
    BudgetHealth, BudgetHealthLine, HealthStatus, budget_health, budget_health_report,
};
pub use overview::{BudgetShare, CurrencyOverview, budget_overview};
#[cfg(feature = "csv")]
pub use reconcile::parse_expected_csv;
pub use reconcile::{
    RECONCILE_TOLERANCE, ReconcileLine, ReconcileReport, ReconcileStatus, ReconcileSummary,
    reconcile, reconcile_summary,
};
