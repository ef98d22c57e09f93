//! Reports over a Payments [`Balance`](ahrvo_types::Balance), as the Balance page's use cases
//! build them: pure functions over the typed model, no I/O.
//!
//! - [`check_payout`]: "Verify Sufficient Funds Before Payout" and "Pre-Flight Check", with the
//!   page's safety buffer ([`DEFAULT_SAFETY_BUFFER`]); [`payout_report`] adds the pending
//!   amount and the health status.
//! - [`balance_health`]: the dashboard's HEALTHY / LOW / CRITICAL status and the available and
//!   pending shares of the posted amount.
//! - [`balance_changes`]: "Balance Change Detection" between two snapshots.
//!
//! Decisions use `available_amount` only: pending funds never count as spendable, as the page
//! insists. Amounts are [`Cents`](ahrvo_types::Cents) and exact
//! [`Decimal`](ahrvo_types::Decimal)s, never floats, and no function panics on any input (see
//! each function for how it treats amounts at the edge of `i64`). Every result derives
//! `Serialize`: cents as integers, percentages as decimal strings, statuses in the page's words.

mod changes;
mod funds;
mod health;

pub use changes::{BalanceChange, balance_changes};
pub use funds::{DEFAULT_SAFETY_BUFFER, PayoutCheck, PayoutReport, check_payout, payout_report};
pub use health::{BalanceHealth, BalanceHealthThresholds, BalanceStatus, balance_health};
