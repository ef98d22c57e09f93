//! Balance Entries: each change to a Balance, with its cause and posting dates.

use ahrvo_transport::{ApiRequest, Error};
use ahrvo_types::{BalanceEntry, BalanceEntryId, BalanceEntryList, BalanceId};

use crate::PaymentsClient;
use crate::generated::operations::{GET_BALANCE_ENTRY, LIST_BALANCE_ENTRIES};
use crate::paging::{CursorStream, ListOptions};

/// The Balance Entries of [`PaymentsClient::list_balance_entries`], every page.
pub type BalanceEntryStream = CursorStream<BalanceEntry>;

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

    /// One page of a Balance's entries, newest first; `page.next_cursor` leads to the next.
    /// An unknown Balance is [`ErrorKind::NotFound`](crate::ErrorKind::NotFound).
    #[doc(alias = "listBalanceEntries")]
    pub async fn list_balance_entries_page(
        &self,
        balance_id: impl Into<BalanceId>,
        options: &ListOptions,
    ) -> Result<BalanceEntryList, Error> {
        let id = balance_id.into();
        let request = ApiRequest::new(LIST_BALANCE_ENTRIES).path_id("balance_id", id.as_str())?;
        self.call(options.apply(request)?).await
    }

    /// Every entry of a Balance, newest first, page after page ([`CursorStream`]): it follows
    /// `next_cursor` until it is null; a cursor that repeats is an error, never an endless
    /// loop. Amounts are integer cents, negative for debits.
    ///
    /// ```no_run
    /// # async fn run(client: ahrvo_payments::PaymentsClient) -> Result<(), ahrvo_payments::Error> {
    /// use ahrvo_payments::ListOptions;
    ///
    /// let mut entries = client.list_balance_entries("balance_dyz5APsJebDef9oTW9J2Hc", ListOptions::new().limit(100));
    /// while let Some(entry) = entries.next().await {
    ///     let entry = entry?;
    ///     println!("{} {} {}", entry.id, entry.amount, entry.state);
    /// }
    /// # Ok(()) }
    /// ```
    #[doc(alias = "listBalanceEntries")]
    pub fn list_balance_entries(
        &self,
        balance_id: impl Into<BalanceId>,
        options: ListOptions,
    ) -> BalanceEntryStream {
        let client = self.clone();
        let balance_id = balance_id.into();
        CursorStream::new(options, move |options| {
            let client = client.clone();
            let balance_id = balance_id.clone();
            async move {
                let list = client
                    .list_balance_entries_page(balance_id, &options)
                    .await?;
                let items = list.embedded.map(|e| e.balance_entries).unwrap_or_default();
                Ok((items, list.page))
            }
        })
    }
}
