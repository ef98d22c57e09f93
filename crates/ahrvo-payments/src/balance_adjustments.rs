//! Balance Adjustments: the top-ups and deductions of a Balance, by ACH or wire.

use ahrvo_transport::{ApiRequest, Error};
use ahrvo_types::{BalanceAdjustment, BalanceAdjustmentList};

use crate::PaymentsClient;
use crate::generated::operations::LIST_BALANCE_ADJUSTMENTS;
use crate::paging::{CursorStream, ListOptions};

/// The Balance Adjustments of [`PaymentsClient::list_balance_adjustments`], every page.
pub type BalanceAdjustmentStream = CursorStream<BalanceAdjustment>;

impl PaymentsClient {
    /// One page of Balance Adjustments, newest first; `page.next_cursor` leads to the next.
    #[doc(alias = "listBalanceAdjustments")]
    pub async fn list_balance_adjustments_page(
        &self,
        options: &ListOptions,
    ) -> Result<BalanceAdjustmentList, Error> {
        self.call(options.apply(ApiRequest::new(LIST_BALANCE_ADJUSTMENTS))?)
            .await
    }

    /// Every Balance Adjustment, newest first, page after page ([`CursorStream`]).
    #[doc(alias = "listBalanceAdjustments")]
    pub fn list_balance_adjustments(&self, options: ListOptions) -> BalanceAdjustmentStream {
        let client = self.clone();
        CursorStream::new(options, move |options| {
            let client = client.clone();
            async move {
                let list = client.list_balance_adjustments_page(&options).await?;
                let items = list
                    .embedded
                    .map(|e| e.balance_adjustments)
                    .unwrap_or_default();
                Ok((items, list.page))
            }
        })
    }
}
