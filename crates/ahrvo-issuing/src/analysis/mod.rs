//! Analyses of Issuing balances, as the pages' "Common Use Cases" build them: pure functions over
//! the typed models, no I/O.
//!
//! - [`budget_overview`]: count, total, average, highest, shares and low balances, **per
//!   currency** (amounts in different currencies are never added together).
//! - [`budget_health`] and [`budget_health_report`]: the budget page's health score bands.
//! - [`card_balance_distribution`] and [`classify_card`]: the card page's balance ranges and
//!   low-balance alert levels.
//! - [`check_funds`]: the card page's pre-transaction check.
//! - [`reconcile`] and [`parse_expected_csv`]: card balances against your own records.
//! - [`diff_budgets`] and [`significant_changes`]: what changed between two budget listings.
//!
//! Every amount is an exact [`Decimal`](crate::Decimal); no float is used anywhere. Percentages
//! and averages are rounded to 2 decimals, half away from zero (`0.005` → `0.01`), and always
//! carry 2 decimals (`50` → `50.00`). No function panics on any input: a sum that would leave the
//! range of `Decimal` (about ±7.9 × 10²⁸) saturates at `Decimal::MAX`/`Decimal::MIN` and the
//! result says so (`total_saturated`), and [`check_funds`] refuses such amounts with an error.
//!
//! ```
//! use ahrvo_issuing::analysis::{budget_overview, budget_health, HealthStatus};
//! use ahrvo_issuing::{BudgetBalance, Currency, Decimal};
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

mod changes;
mod distribution;
mod funds;
mod health;
mod math;
mod overview;
mod reconcile;

pub use changes::{BudgetChange, diff_budgets, significant_changes};
pub use distribution::{
    BalanceBucket, BucketSummary, CardAlertLevel, CardAlertThresholds, Distribution,
    card_balance_distribution, classify_card,
};
pub use funds::{FundsCheck, check_funds};
pub use health::{
    BudgetHealth, BudgetHealthLine, HealthStatus, budget_health, budget_health_report,
};
pub use overview::{BudgetShare, CurrencyOverview, budget_overview};
pub use reconcile::{
    RECONCILE_TOLERANCE, ReconcileLine, ReconcileStatus, ReconcileSummary, parse_expected_csv,
    reconcile, reconcile_summary,
};
