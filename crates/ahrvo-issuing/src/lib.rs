//! Ahrvo Issuing's operations: budget accounts and Dedicated Funds Card balances.
//!
//! Every call goes through [`IssuingClient`], which signs requests with a Bearer access token and
//! an `x-api-key` ([`IssuingCredentials`]), unwraps the `{"code", "data"}` envelope, reads
//! Issuing's error bodies, and returns exact decimal amounts. The HTTP pipeline under it is
//! `ahrvo-transport`'s, which knows nothing of Issuing.
//!
//! ```no_run
//! use ahrvo_issuing::{ClientConfig, Environment, IssuingClient, IssuingCredentials};
//!
//! # async fn run() -> Result<(), ahrvo_issuing::Error> {
//! let client = IssuingClient::new(
//!     &ClientConfig::new(Environment::Staging),
//!     IssuingCredentials::new("my-api-key", "my-access-token"),
//! )?;
//! for budget in client.list_budget_balances().await? {
//!     println!("{}: {} {}", budget.budget_name, budget.currency, budget.balance);
//! }
//! # Ok(()) }
//! ```

mod auth;
mod budgets;
mod cards;
mod client;
mod envelope;
mod error_code;
mod generated;

pub use auth::{IssuingCredentials, StaticToken, TokenProvider};
pub use budgets::CreatedBudget;
pub use budgets::{MAX_BUDGET_NAME_CHARS, validate_budget_name};
pub use cards::{CardBalanceResult, CardBalanceStream, CardBatchOptions};
pub use client::IssuingClient;
pub use error_code::{IssuingErrorCode, error_code};
pub use generated::operations;

pub use ahrvo_transport::{
    ClientConfig, Environment, Error, ErrorKind, Result, RetryConfig, Secret, TimeoutConfig,
};
pub use ahrvo_types::{BudgetBalance, BudgetId, CardBalance, CardId, Currency, Decimal};
