//! Ahrvo Issuing: budget accounts and Dedicated Funds Card balances.
//!
//! Every call goes through [`IssuingClient`], which signs requests with a Bearer access token and
//! an `x-api-key`, unwraps the `{"code", "data"}` envelope, and returns exact decimal amounts.
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

pub mod analysis;
mod budgets;
mod cards;
mod client;
mod generated;

pub use budgets::CreatedBudget;
pub use budgets::{MAX_BUDGET_NAME_CHARS, validate_budget_name};
pub use cards::{CardBalanceResult, CardBalanceStream, CardBatchOptions};
pub use client::IssuingClient;
pub use generated::operations;

pub use ahrvo_transport::{
    ClientConfig, Environment, Error, ErrorKind, IssuingCredentials, Result, RetryConfig, Secret,
    TimeoutConfig, TokenProvider,
};
pub use ahrvo_types::{BudgetBalance, BudgetId, CardBalance, CardId, Currency, Decimal};
