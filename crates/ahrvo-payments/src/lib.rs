//! Ahrvo Payments: Balances and Balance Entries, amounts in integer cents.
//!
//! Every call goes through [`PaymentsClient`], which signs requests with HTTP Basic and decodes
//! the Finix-style resources.
//!
//! ```no_run
//! use ahrvo_payments::{ClientConfig, Environment, PaymentsClient, PaymentsCredentials};
//!
//! # async fn run() -> Result<(), ahrvo_payments::Error> {
//! let client = PaymentsClient::new(
//!     &ClientConfig::new(Environment::Staging),
//!     PaymentsCredentials::new("username", "password"),
//! )?;
//! let balance = client.get_balance("balance_dyz5APsJebDef9oTW9J2Hc").await?;
//! println!("available: {} {}", balance.available_amount.to_decimal(balance.currency), balance.currency);
//! assert!(balance.is_consistent());
//! # Ok(()) }
//! ```

pub mod analysis;
mod balance_entries;
mod balances;
mod client;
mod generated;

pub use client::PaymentsClient;
pub use generated::operations;

pub use ahrvo_transport::{
    ClientConfig, Environment, Error, ErrorKind, PaymentsCredentials, Result, RetryConfig, Secret,
    TimeoutConfig,
};
pub use ahrvo_types::{Balance, BalanceEntry, BalanceEntryId, BalanceId, Cents, Currency, Decimal};
