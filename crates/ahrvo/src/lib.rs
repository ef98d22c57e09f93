//! The Rust SDK for the Ahrvo Network API: one [`Client`] over the API families, each behind a
//! cargo feature, re-exporting the crates that do the work.
//!
//! One [`Client`], built from one [`Config`], reaches both API families:
//!
//! - **Issuing** (feature `issuing`): budget accounts (balances, creation, top-ups exactly once,
//!   transfers between budgets) and cards (Dedicated Funds Card balances and top-ups, funding
//!   orders, the card list, card products), money as exact [`Decimal`]s; paged lists are
//!   streams ([`issuing::Paged`]).
//! - **Payments** (feature `payments`): Balances, Balance Entries, Balance Adjustments and
//!   Transfers, money as integer [`Cents`]; lists page by cursor ([`payments::CursorStream`]).
//! - **Reports** (feature `reports`, off by default): the pages' "Common Use Cases" as exact,
//!   serializable reports in `ahrvo::reports` (the `ahrvo-reports` crate).
//!
//! ```no_run
//! # async fn run() -> Result<(), ahrvo::Error> {
//! // AHRVO_API_KEY, AHRVO_ACCESS_TOKEN, AHRVO_USERNAME, AHRVO_PASSWORD, AHRVO_ENVIRONMENT
//! let client = ahrvo::Client::from_env()?;
//! for budget in client.issuing()?.list_budget_balances().await? {
//!     println!("{:<30} {} {}", budget.budget_name, budget.currency, budget.balance);
//! }
//! let balance = client.payments()?.get_balance("balance_dyz5APsJebDef9oTW9J2Hc").await?;
//! println!("available: {}", balance.available_amount.to_decimal(balance.currency));
//! # Ok(()) }
//! ```
//!
//! Money that moves, exactly once: a top-up carries a `unique_order_id` (yours, or a UUID v4 the
//! SDK makes and keeps for every retry); an attempt whose outcome is unknown is resolved by
//! querying the order, never by guessing. A transfer between budgets has no such key, so it is
//! never sent again once it may have reached the server.
//!
//! ```no_run
//! # async fn run() -> Result<(), ahrvo::Error> {
//! use ahrvo::{Currency, ListOptions, TopUpBudget};
//!
//! let client = ahrvo::Client::from_env()?;
//! let top_up = TopUpBudget::new("ci202507232016182661", "250.00".parse().unwrap(), Currency::USD);
//! let outcome = client.issuing()?.top_up_budget(&top_up).await?;
//! println!("order {} (resolved by query: {})", outcome.unique_order_id, outcome.resolved_by_query);
//!
//! let mut entries = client
//!     .payments()?
//!     .list_balance_entries("balance_dyz5APsJebDef9oTW9J2Hc", ListOptions::new().limit(100));
//! while let Some(entry) = entries.next().await {
//!     let entry = entry?;
//!     println!("{} {}", entry.id, entry.amount);
//! }
//! # Ok(()) }
//! ```
//!
//! The crates behind it can be used alone: `ahrvo-issuing` does not pull Payments and the reverse.
//! TLS is rustls by default (feature `rustls`); `native-tls` uses the platform library instead.

#![cfg_attr(docsrs, feature(doc_cfg))]

mod config;

pub use config::{
    Config, SANDBOX_ACCESS_TOKEN, SANDBOX_API_KEY, SANDBOX_PASSWORD, SANDBOX_USERNAME,
};

pub use ahrvo_transport as transport;
pub use ahrvo_transport::{
    ClientConfig, Environment, Error, ErrorKind, Result, RetryConfig, Secret, TimeoutConfig,
};
pub use ahrvo_types as types;
pub use ahrvo_types::{Cents, Currency, Decimal, UniqueOrderId};

#[cfg(feature = "issuing")]
#[cfg_attr(docsrs, doc(cfg(feature = "issuing")))]
pub use ahrvo_issuing as issuing;
#[cfg(feature = "issuing")]
#[cfg_attr(docsrs, doc(cfg(feature = "issuing")))]
pub use ahrvo_issuing::{
    BudgetTopUpOutcome, BudgetTransfer, CardFilter, CardTopUp, CardTopUpOutcome,
    FundingOrderFilter, IssuingClient, IssuingCredentials, OrderPoll, StaticToken, TokenProvider,
    TopUpBudget, TopUpOutcome,
};
#[cfg(feature = "payments")]
#[cfg_attr(docsrs, doc(cfg(feature = "payments")))]
pub use ahrvo_payments as payments;
#[cfg(feature = "payments")]
#[cfg_attr(docsrs, doc(cfg(feature = "payments")))]
pub use ahrvo_payments::{ListOptions, PaymentsClient, PaymentsCredentials};
/// The pages' use-case reports (feature `reports`): pure, exact and serializable.
#[cfg(feature = "reports")]
#[cfg_attr(docsrs, doc(cfg(feature = "reports")))]
pub use ahrvo_reports as reports;

/// One client for both API families. Cheap to clone, `Send + Sync`.
#[derive(Clone, Debug)]
pub struct Client {
    #[cfg(feature = "issuing")]
    issuing: Option<IssuingClient>,
    #[cfg(feature = "payments")]
    payments: Option<PaymentsClient>,
}

impl Client {
    /// Builds the clients for which `config` holds credentials.
    ///
    /// ```
    /// use ahrvo::{Client, Config};
    /// use ahrvo_sandbox::Sandbox;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let sandbox = Sandbox::start_seeded().await?; // a local Ahrvo server, seeded
    /// let client = Client::new(Config::sandbox(sandbox.base_url())?)?;
    ///
    /// let budgets = client.issuing()?.list_budget_balances().await?;
    /// let balance = client.payments()?.get_balance("balance_dyz5APsJebDef9oTW9J2Hc").await?;
    /// println!("{} budgets; available {}", budgets.len(), balance.available_amount);
    /// assert!(balance.is_consistent());
    /// # Ok(()) }
    /// ```
    pub fn new(config: Config) -> Result<Self> {
        #[cfg(not(any(feature = "issuing", feature = "payments")))]
        let _ = &config;
        Ok(Self {
            #[cfg(feature = "issuing")]
            issuing: config
                .issuing
                .map(|c| IssuingClient::new(&config.client, c))
                .transpose()?,
            #[cfg(feature = "payments")]
            payments: config
                .payments
                .map(|c| PaymentsClient::new(&config.client, c))
                .transpose()?,
        })
    }

    /// Builds a client from the `AHRVO_*` environment variables (see [`Config::from_env`]).
    ///
    /// ```no_run
    /// // AHRVO_API_KEY, AHRVO_ACCESS_TOKEN (Issuing), AHRVO_USERNAME, AHRVO_PASSWORD (Payments),
    /// // AHRVO_ENVIRONMENT=production|staging or AHRVO_BASE_URL.
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), ahrvo::Error> {
    /// let client = ahrvo::Client::from_env()?;
    /// for budget in client.issuing()?.list_budget_balances().await? {
    ///     println!("{:<30} {} {}", budget.budget_name, budget.currency, budget.balance);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn from_env() -> Result<Self> {
        Self::new(Config::from_env()?)
    }

    /// The Issuing client; a [`ErrorKind::Config`] error if no Issuing credentials were given.
    #[cfg(feature = "issuing")]
    #[cfg_attr(docsrs, doc(cfg(feature = "issuing")))]
    pub fn issuing(&self) -> Result<&IssuingClient> {
        self.issuing.as_ref().ok_or_else(|| {
            Error::config("no Issuing credentials: set AHRVO_API_KEY and AHRVO_ACCESS_TOKEN")
        })
    }

    /// The Payments client; a [`ErrorKind::Config`] error if no Payments credentials were given.
    #[cfg(feature = "payments")]
    #[cfg_attr(docsrs, doc(cfg(feature = "payments")))]
    pub fn payments(&self) -> Result<&PaymentsClient> {
        self.payments.as_ref().ok_or_else(|| {
            Error::config("no Payments credentials: set AHRVO_USERNAME and AHRVO_PASSWORD")
        })
    }
}
