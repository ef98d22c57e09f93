//! Balances: the funds of an application, available, pending and posted.

use ahrvo_transport::{ApiRequest, Error};
use ahrvo_types::{Balance, BalanceId};

use crate::PaymentsClient;
use crate::generated::operations::GET_BALANCE;

impl PaymentsClient {
    /// Fetches a Balance. Check [`Balance::is_consistent`] (posted = available + pending) before
    /// acting on it; decide payouts on `available_amount` alone.
    #[doc(alias = "getBalance")]
    pub async fn get_balance(&self, balance_id: impl Into<BalanceId>) -> Result<Balance, Error> {
        let id = balance_id.into();
        self.call(ApiRequest::new(GET_BALANCE).path_id("balance_id", id.as_str())?)
            .await
    }
}
