//! Card products: what the account can issue.

use ahrvo_transport::{ApiRequest, Error};
use ahrvo_types::CardProduct;

use crate::IssuingClient;
use crate::generated::operations::LIST_CARD_PRODUCTS;

impl IssuingClient {
    /// The card products the account can issue: network, product code, validity, fee, billing
    /// currency, BIN range and whether its cards share their budget's funds.
    #[doc(alias = "listCardProducts")]
    pub async fn list_card_products(&self) -> Result<Vec<CardProduct>, Error> {
        self.call(ApiRequest::new(LIST_CARD_PRODUCTS)).await
    }
}
