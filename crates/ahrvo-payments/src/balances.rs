//! Balances: the funds of an application, available, pending and posted.

use ahrvo_transport::{ApiRequest, Error};
use ahrvo_types::{Balance, BalanceId, BalanceList};

use crate::PaymentsClient;
use crate::generated::operations::{GET_BALANCE, LIST_BALANCES};
use crate::paging::{CursorStream, ListOptions};

/// The Balances of [`PaymentsClient::list_balances`], every page.
pub type BalanceStream = CursorStream<Balance>;

impl PaymentsClient {
    /// Fetches a Balance. Check [`Balance::is_consistent`] (posted = available + pending) before
    /// acting on it; decide payouts on `available_amount` alone.
    ///
    /// ```
    /// # use ahrvo_payments::{ClientConfig, Environment, PaymentsClient, PaymentsCredentials};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sandbox = ahrvo_sandbox::Sandbox::start_seeded().await?;
    /// # let c = sandbox.credentials();
    /// # let client = PaymentsClient::new(
    /// #     &ClientConfig::new(Environment::custom(sandbox.base_url())?),
    /// #     PaymentsCredentials::new(c.username.clone(), c.password.clone()),
    /// # )?;
    /// // `client` is a `PaymentsClient` (here against a local, seeded sandbox).
    /// let balance = client.get_balance("balance_dyz5APsJebDef9oTW9J2Hc").await?;
    /// assert!(balance.is_consistent());
    /// let available = balance.available_amount.to_decimal(balance.currency); // cents → units
    /// println!("available {available} {}", balance.currency);
    /// # Ok(()) }
    /// ```
    #[doc(alias = "getBalance")]
    pub async fn get_balance(&self, balance_id: impl Into<BalanceId>) -> Result<Balance, Error> {
        let id = balance_id.into();
        self.call(ApiRequest::new(GET_BALANCE).path_id("balance_id", id.as_str())?)
            .await
    }

    /// One page of Balances, newest first; `page.next_cursor` leads to the next page
    /// (`ListOptions::after_cursor`). Sends `Finix-Version: 2022-02-01`; `limit` is checked
    /// (1 to 100) before sending.
    #[doc(alias = "listBalances")]
    pub async fn list_balances_page(&self, options: &ListOptions) -> Result<BalanceList, Error> {
        self.call(options.apply(ApiRequest::new(LIST_BALANCES))?)
            .await
    }

    /// Every Balance, newest first, page after page ([`CursorStream`]): it follows
    /// `next_cursor` until it is null; a cursor that repeats is an error, never an endless
    /// loop.
    #[doc(alias = "listBalances")]
    pub fn list_balances(&self, options: ListOptions) -> BalanceStream {
        let client = self.clone();
        CursorStream::new(options, move |options| {
            let client = client.clone();
            async move {
                let list = client.list_balances_page(&options).await?;
                let items = list.embedded.map(|e| e.balances).unwrap_or_default();
                Ok((items, list.page))
            }
        })
    }
}
