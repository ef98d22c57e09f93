//! Transfers: fetch one (a Balance Entry of type TRANSFER points at it).

use ahrvo_transport::{ApiRequest, Error};
use ahrvo_types::{Transfer, TransferId};

use crate::PaymentsClient;
use crate::generated::operations::GET_TRANSFER;

impl PaymentsClient {
    /// Fetches a Transfer: amount and fee in cents, state, type, source and destination. An
    /// unknown id is [`ErrorKind::NotFound`](crate::ErrorKind::NotFound).
    #[doc(alias = "getTransfer")]
    pub async fn get_transfer(
        &self,
        transfer_id: impl Into<TransferId>,
    ) -> Result<Transfer, Error> {
        let id = transfer_id.into();
        self.call(ApiRequest::new(GET_TRANSFER).path_id("transfer_id", id.as_str())?)
            .await
    }
}
