//! Balance Entries: each change to a Balance, with its cause and posting dates.

use ahrvo_transport::{ApiRequest, Error};
use ahrvo_types::{BalanceEntry, BalanceEntryId};

use crate::PaymentsClient;
use crate::generated::operations::GET_BALANCE_ENTRY;

impl PaymentsClient {
    /// Fetches a Balance Entry. Its `amount` is negative for debits.
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
    /// use ahrvo_payments::ErrorKind;
    ///
    /// let entry = client.get_balance_entry("balance_entry_i5YzFZYEh6CoCrN2zqgPdW").await?;
    /// println!("{} {} {}", entry.entry_type, entry.amount.to_decimal(entry.currency), entry.currency);
    ///
    /// let missing = client.get_balance_entry("balance_entry_nope").await.unwrap_err();
    /// assert_eq!(missing.kind(), ErrorKind::NotFound);
    /// # Ok(()) }
    /// ```
    #[doc(alias = "getBalanceEntry")]
    pub async fn get_balance_entry(
        &self,
        balance_entry_id: impl Into<BalanceEntryId>,
    ) -> Result<BalanceEntry, Error> {
        let id = balance_entry_id.into();
        self.call(ApiRequest::new(GET_BALANCE_ENTRY).path_id("balance_entry_id", id.as_str())?)
            .await
    }
}
