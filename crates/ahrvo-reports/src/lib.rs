//! The "Common Use Cases" of the Ahrvo Network pages as reports: pure, exact functions over the
//! models of [`ahrvo_types`], whose results derive [`serde::Serialize`].
//!
//! This crate's one job is to turn API models into reports. It makes no request and knows no
//! transport: feed it what `ahrvo-issuing` and `ahrvo-payments` return (or your own data), print
//! or serialize what it gives back. Money is serialized exactly, the way `ahrvo-types` does:
//! Issuing decimals as strings with their scale (`"78900.00"`), Payments cents as integers.
//!
//! - [`issuing`] (feature `issuing`): budget overview per currency, health scores, card balance
//!   distribution and alert levels, fund checks, reconciliation against your records
//!   ([`issuing::parse_expected_csv`], feature `csv`), and what changed between two listings.
//! - [`payments`] (feature `payments`): payout checks on `available_amount`, Balance health, and
//!   what changed between two snapshots of a Balance.
//!
//! No float is used anywhere and no function panics on any input; invalid arguments (a payout of
//! zero, a malformed CSV row) are an [`InvalidInput`] error.
//!
//! ```
//! # #[cfg(feature = "issuing")] {
//! use ahrvo_reports::issuing::budget_overview;
//! use ahrvo_types::{BudgetBalance, Currency, Decimal};
//!
//! let budgets = vec![
//!     BudgetBalance::new("ci1".into(), "Marketing".into(), "45250.75".parse().unwrap(), Currency::USD),
//!     BudgetBalance::new("ci2".into(), "Travel".into(), "12500.50".parse().unwrap(), Currency::USD),
//! ];
//! let overview = budget_overview(&budgets, Decimal::from(1000));
//! let json = serde_json::to_value(&overview[0]).unwrap();
//! assert_eq!(json["total"], "57751.25");
//! assert_eq!(json["shares"][0]["percent"], "78.35");
//! # }
//! ```

#![cfg_attr(docsrs, feature(doc_cfg))]

mod error;
#[cfg(feature = "issuing")]
#[cfg_attr(docsrs, doc(cfg(feature = "issuing")))]
pub mod issuing;
#[cfg(feature = "issuing")]
mod math;
#[cfg(feature = "payments")]
#[cfg_attr(docsrs, doc(cfg(feature = "payments")))]
pub mod payments;
#[cfg(feature = "issuing")]
mod ser;

pub use error::InvalidInput;
