//! Cards: the balance of a Dedicated Funds Card.

use ahrvo_transport::{ApiRequest, Error};
use ahrvo_types::{CardBalance, CardId};

use crate::IssuingClient;
use crate::generated::operations::GET_CARD_BALANCE;

impl IssuingClient {
    /// The available balance of a Dedicated Funds Card, with its masked number.
    ///
    /// A Shared Funds Card has no balance of its own: the API answers 400, an
    /// [`ErrorKind::BadRequest`](crate::ErrorKind::BadRequest) error carrying its message. An
    /// unknown card is [`ErrorKind::NotFound`](crate::ErrorKind::NotFound).
    #[doc(alias = "getCardBalance")]
    pub async fn get_card_balance(&self, card_id: impl Into<CardId>) -> Result<CardBalance, Error> {
        let card_id = card_id.into();
        let request = ApiRequest::new(GET_CARD_BALANCE).query_id("card_id", card_id.as_str())?;
        self.call(request).await
    }
}
