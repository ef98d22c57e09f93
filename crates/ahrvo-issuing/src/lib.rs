//! Ahrvo Issuing's operations: budget accounts (balances, creation, top-ups, transfers) and
//! cards (Dedicated Funds Card balances and top-ups, funding orders, the card list, products).
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

mod amounts;
mod auth;
mod budgets;
mod card_funding;
mod card_list;
mod cards;
mod client;
mod envelope;
mod error_code;
mod exactly_once;
mod generated;
mod paging;
mod products;
mod top_ups;
mod transfers;

pub use amounts::{MAX_AMOUNT_DECIMALS, validate_amount};
pub use auth::{IssuingCredentials, StaticToken, TokenProvider};
pub use budgets::CreatedBudget;
pub use budgets::{MAX_BUDGET_NAME_CHARS, validate_budget_name};
pub use card_funding::{
    CARD_TOP_UP_CURRENCY, CardFundingOrderStream, CardTopUp, CardTopUpOutcome, FundingOrderFilter,
};
pub use card_list::{CardFilter, CardStream};
pub use cards::{CardBalanceResult, CardBalanceStream, CardBatchOptions};
pub use client::IssuingClient;
pub use error_code::{IssuingErrorCode, error_code};
pub use exactly_once::{MAX_ROUNDS, OrderPoll, TopUpOutcome};
pub use generated::operations;
pub use paging::{DEFAULT_PAGE_SIZE, MAX_PAGE_NO, MAX_PAGE_SIZE, Paged};
pub use top_ups::{BudgetTopUpOutcome, TopUpBudget};
pub use transfers::BudgetTransfer;

pub use ahrvo_transport::{
    ClientConfig, Environment, Error, ErrorKind, Result, RetryConfig, Secret, TimeoutConfig,
};
pub use ahrvo_types::{
    BudgetBalance, BudgetId, CardBalance, CardDetail, CardDetailPage, CardFundingOperateType,
    CardFundingOrder, CardFundingOrderPage, CardFundingStatus, CardId, CardNetwork, CardProduct,
    CardStatus, CardType, Currency, Decimal, RecordId, TopUpOrder, TopUpOrderStatus, TopUpResult,
    TransferFundResult, TransferOrder, TransferOrderId, TransferResult, UniqueOrderId,
};
