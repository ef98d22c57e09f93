//! Analyses of a Payments [`Balance`](crate::Balance), as the Balance page's use cases build
//! them: pure functions over the typed model, no I/O.
//!
//! - [`check_payout`]: "Verify Sufficient Funds Before Payout" and "Pre-Flight Check", with the
//!   page's safety buffer ([`DEFAULT_SAFETY_BUFFER`]).
//! - [`balance_health`]: the dashboard's HEALTHY / LOW / CRITICAL status and the available and
//!   pending shares of the posted amount.
//! - [`balance_changes`]: "Balance Change Detection" between two snapshots.
//!
//! Decisions use `available_amount` only: pending funds never count as spendable, as the page
//! insists. Amounts are [`Cents`](crate::Cents) and exact [`Decimal`](crate::Decimal)s, never
//! floats, and no function panics on any input (see each function for how it treats amounts at
//! the edge of `i64`).

mod changes;
mod funds;
mod health;

pub use changes::{BalanceChange, balance_changes};
pub use funds::{DEFAULT_SAFETY_BUFFER, PayoutCheck, check_payout};
pub use health::{BalanceHealth, BalanceHealthThresholds, BalanceStatus, balance_health};
