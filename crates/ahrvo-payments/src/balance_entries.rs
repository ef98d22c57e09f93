//! Balance Entries: each change to a Balance, with its cause and posting dates.

use ahrvo_transport::{ApiRequest, Error};
use ahrvo_types::{BalanceEntry, BalanceEntryId};

use crate::PaymentsClient;
use crate::generated::operations::GET_BALANCE_ENTRY;

impl PaymentsClient {
    /// Fetches a Balance Entry. Its `amount` is negative for debits.
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
