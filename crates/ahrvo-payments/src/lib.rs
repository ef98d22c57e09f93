//! Ahrvo Payments' operations: Balances, Balance Entries, Balance Adjustments and Transfers,
//! amounts in integer cents; lists page by cursor (`Finix-Version: 2022-02-01`).
//!
//! Every call goes through [`PaymentsClient`], which signs requests with HTTP Basic
//! ([`PaymentsCredentials`]), decodes the Finix-style resources and reads Payments' error lists.
//! The HTTP pipeline under it is `ahrvo-transport`'s, which knows nothing of Payments.
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

mod auth;
mod balance_adjustments;
mod balance_entries;
mod balances;
mod client;
mod errors;
mod generated;
mod paging;
mod transfers;

pub use auth::PaymentsCredentials;
pub use balance_adjustments::BalanceAdjustmentStream;
pub use balance_entries::BalanceEntryStream;
pub use balances::BalanceStream;
pub use client::PaymentsClient;
pub use generated::operations;
pub use paging::{
    CursorStream, DEFAULT_LIMIT, FINIX_VERSION, FINIX_VERSION_HEADER, ListOptions, MAX_LIMIT,
};

pub use ahrvo_transport::{
    ClientConfig, Environment, Error, ErrorKind, Result, RetryConfig, Secret, TimeoutConfig,
};
pub use ahrvo_types::{
    AdjustmentRail, Balance, BalanceAdjustment, BalanceAdjustmentId, BalanceAdjustmentList,
    BalanceAdjustmentState, BalanceAdjustmentType, BalanceEntry, BalanceEntryId, BalanceEntryList,
    BalanceId, BalanceList, Cents, Currency, Decimal, ListLinks, ListPage, Transfer, TransferId,
    TransferState, TransferType,
};
