//! Card funding: top up a Dedicated Funds Card exactly once, and list card funding orders.

use ahrvo_transport::{ApiRequest, Error};
use ahrvo_types::{
    CardFundingOrder, CardFundingOrderPage, CardFundingStatus, CardId, Currency, Decimal, RecordId,
    TopUpCardRequest, UniqueOrderId,
};

use crate::IssuingClient;
use crate::amounts::validate_amount;
use crate::exactly_once::{Found, OrderApi, OrderPoll, TopUpOutcome, exactly_once};
use crate::generated::operations::{LIST_CARD_FUNDING_ORDERS, TOP_UP_CARD};
use crate::paging::{
    DEFAULT_PAGE_SIZE, Paged, validate_date_time, validate_page_no, validate_page_size,
};

/// The outcome of [`IssuingClient::top_up_card`].
pub type CardTopUpOutcome = TopUpOutcome<CardFundingStatus>;

/// The funding orders of [`IssuingClient::list_card_funding_orders`], every page.
pub type CardFundingOrderStream = Paged<CardFundingOrder>;

/// A card top-up for [`IssuingClient::top_up_card`]: `amount` in USD from the card's budget
/// account to a Dedicated Funds Card.
///
/// ```
/// use ahrvo_issuing::{CardTopUp, Decimal};
///
/// let top_up = CardTopUp::new("card201907021723076245", "25.00".parse::<Decimal>()?);
/// assert!(top_up.unique_order_id().is_none()); // the SDK makes one per call
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CardTopUp {
    card_id: CardId,
    amount: Decimal,
    unique_order_id: Option<UniqueOrderId>,
    poll: OrderPoll,
    confirm: bool,
}

impl CardTopUp {
    /// A top-up of `amount` USD (positive, at most 2 decimals).
    pub fn new(card_id: impl Into<CardId>, amount: Decimal) -> Self {
        Self {
            card_id: card_id.into(),
            amount,
            unique_order_id: None,
            poll: OrderPoll::default(),
            confirm: false,
        }
    }

    /// Uses this order id; without one, each call makes a fresh UUID v4.
    pub fn with_unique_order_id(mut self, id: UniqueOrderId) -> Self {
        self.unique_order_id = Some(id);
        self
    }

    /// How long a `PROCESSING` order is awaited when it is queried.
    pub fn with_poll(mut self, poll: OrderPoll) -> Self {
        self.poll = poll;
        self
    }

    /// Also queries the order after an accepted top-up, so that its status is known.
    pub fn confirmed(mut self) -> Self {
        self.confirm = true;
        self
    }

    /// The card.
    pub fn card_id(&self) -> &CardId {
        &self.card_id
    }

    /// The amount, in USD.
    pub fn amount(&self) -> Decimal {
        self.amount
    }

    /// The order id given, if any.
    pub fn unique_order_id(&self) -> Option<&UniqueOrderId> {
        self.unique_order_id.as_ref()
    }
}

/// The filters of [`IssuingClient::list_card_funding_orders`], all optional, and the page size.
///
/// ```
/// use ahrvo_issuing::{CardFundingStatus, FundingOrderFilter};
///
/// let filter = FundingOrderFilter::new()
///     .card_id("card201907021723076245")
///     .status(CardFundingStatus::Success)
///     .between("2026-01-01 00:00:00", "2026-01-31 23:59:59")
///     .page_size(100);
/// assert_eq!(filter.get_page_size(), 100);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct FundingOrderFilter {
    start_date: Option<String>,
    end_date: Option<String>,
    status: Option<CardFundingStatus>,
    unique_order_id: Option<UniqueOrderId>,
    card_id: Option<CardId>,
    page_size: Option<u32>,
}

impl FundingOrderFilter {
    /// No filter: every order, 20 per page.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only orders created from `start` to `end` (`yyyy-MM-dd HH:mm:ss` each).
    pub fn between(mut self, start: impl Into<String>, end: impl Into<String>) -> Self {
        self.start_date = Some(start.into());
        self.end_date = Some(end.into());
        self
    }

    /// Only orders created at or after `start` (`yyyy-MM-dd HH:mm:ss`).
    pub fn start_date(mut self, start: impl Into<String>) -> Self {
        self.start_date = Some(start.into());
        self
    }

    /// Only orders created at or before `end` (`yyyy-MM-dd HH:mm:ss`).
    pub fn end_date(mut self, end: impl Into<String>) -> Self {
        self.end_date = Some(end.into());
        self
    }

    /// Only orders with this status.
    pub fn status(mut self, status: CardFundingStatus) -> Self {
        self.status = Some(status);
        self
    }

    /// Only the order with this id.
    pub fn unique_order_id(mut self, id: UniqueOrderId) -> Self {
        self.unique_order_id = Some(id);
        self
    }

    /// Only this card's orders.
    pub fn card_id(mut self, card_id: impl Into<CardId>) -> Self {
        self.card_id = Some(card_id.into());
        self
    }

    /// Items per page, 1 to 100 (default 20); checked when the list is asked for.
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = Some(page_size);
        self
    }

    /// The page size in force.
    pub fn get_page_size(&self) -> u32 {
        self.page_size.unwrap_or(DEFAULT_PAGE_SIZE)
    }

    /// The query parameters of page `page_no`, in the order the SDK sends them: the request of
    /// [`IssuingClient::list_card_funding_orders_page`] is built from exactly these pairs
    /// (after checking them), so a caller that matches a page by its URL (a recorded reply, a
    /// log line) can rebuild it without copying the SDK's order.
    ///
    /// ```
    /// use ahrvo_issuing::{CardFundingStatus, FundingOrderFilter};
    ///
    /// let filter = FundingOrderFilter::new()
    ///     .card_id("card201907021723076245")
    ///     .status(CardFundingStatus::Success)
    ///     .page_size(100);
    /// assert_eq!(
    ///     filter.query_pairs(1),
    ///     [
    ///         ("page_no", "1".to_owned()),
    ///         ("page_size", "100".to_owned()),
    ///         ("status", "SUCCESS".to_owned()),
    ///         ("card_id", "card201907021723076245".to_owned()),
    ///     ]
    /// );
    /// ```
    pub fn query_pairs(&self, page_no: u32) -> Vec<(&'static str, String)> {
        let mut pairs = vec![
            ("page_no", page_no.to_string()),
            ("page_size", self.get_page_size().to_string()),
        ];
        if let Some(start) = &self.start_date {
            pairs.push(("start_date", start.clone()));
        }
        if let Some(end) = &self.end_date {
            pairs.push(("end_date", end.clone()));
        }
        if let Some(status) = &self.status {
            pairs.push(("status", status.as_str().to_owned()));
        }
        if let Some(id) = &self.unique_order_id {
            pairs.push(("unique_order_id", id.as_str().to_owned()));
        }
        if let Some(card_id) = &self.card_id {
            pairs.push(("card_id", card_id.as_str().to_owned()));
        }
        pairs
    }

    /// Checks the filter and the page number as a list call does before sending.
    fn validate(&self, page_no: u32) -> Result<(), Error> {
        validate_page_no(page_no)?;
        validate_page_size(self.get_page_size())?;
        if let Some(start) = &self.start_date {
            validate_date_time("start_date", start)?;
        }
        if let Some(end) = &self.end_date {
            validate_date_time("end_date", end)?;
        }
        if let Some(id) = &self.unique_order_id {
            ahrvo_transport::validate_id("unique_order_id", id.as_str())?;
        }
        if let Some(card_id) = &self.card_id {
            ahrvo_transport::validate_id("card_id", card_id.as_str())?;
        }
        Ok(())
    }

    fn request(&self, page_no: u32) -> Result<ApiRequest<CardFundingOrderPage>, Error> {
        self.validate(page_no)?;
        let request = ApiRequest::new(LIST_CARD_FUNDING_ORDERS);
        Ok(self
            .query_pairs(page_no)
            .into_iter()
            .fold(request, |r, (name, value)| r.query(name, value)))
    }
}

struct CardOrder<'a> {
    client: &'a IssuingClient,
    request: ApiRequest<ahrvo_types::TopUpResult>,
    body: TopUpCardRequest,
}

impl OrderApi for CardOrder<'_> {
    type Status = CardFundingStatus;
    const WHAT: &'static str = "card top-up";

    fn query_hint(id: &UniqueOrderId) -> String {
        format!("list_card_funding_orders_page (FundingOrderFilter::unique_order_id(\"{id}\"))")
    }

    fn is_processing(status: &CardFundingStatus) -> bool {
        *status == CardFundingStatus::Processing
    }

    async fn send(&self) -> Result<(RecordId, u32), Error> {
        let (result, attempts) = self.client.call_counted(self.request.clone()).await?;
        Ok((result.record_id, attempts))
    }

    async fn query(&self) -> Result<Option<Found<CardFundingStatus>>, Error> {
        let id = &self.body.unique_order_id;
        let filter = FundingOrderFilter::new()
            .unique_order_id(id.clone())
            .page_size(10);
        let page = self
            .client
            .list_card_funding_orders_page(&filter, 1)
            .await?;
        let Some(order) = page
            .list
            .into_iter()
            .find(|o| o.unique_order_id.as_ref() == Some(id))
        else {
            return Ok(None);
        };
        let same_order = match &order.card_id {
            Some(card) => Some(*card == self.body.card_id && order.amount == self.body.amount),
            None => None,
        };
        Ok(Some(Found {
            status: order.status,
            record_id: Some(order.record_id),
            same_order,
        }))
    }
}

impl IssuingClient {
    /// Tops up a Dedicated Funds Card from its budget account, exactly once (USD).
    ///
    /// The same rules as [`top_up_budget`](Self::top_up_budget): the amount is checked before
    /// sending, every top-up carries a `unique_order_id` (the caller's or a fresh UUID v4, kept
    /// for every retry and returned), an unknown outcome is resolved by looking the order up
    /// (here: [`list_card_funding_orders_page`](Self::list_card_funding_orders_page) filtered
    /// by the id, since the card top-up has no query of its own; no order listed means it did
    /// not land and is sent again with the same id), and a duplicate refusal after an earlier
    /// attempt is the earlier attempt's success. A Shared Funds Card is a
    /// [`BadRequest`](crate::ErrorKind::BadRequest) with code `INVALID_CARD_TYPE`, too little
    /// in the budget one with `INSUFFICIENT_BALANCE`, an unknown card a
    /// [`NotFound`](crate::ErrorKind::NotFound) (`CARD_NOT_FOUND`); see
    /// [`error_code`](crate::error_code).
    #[doc(alias = "topUpCard")]
    pub async fn top_up_card(&self, top_up: &CardTopUp) -> Result<CardTopUpOutcome, Error> {
        let amount = validate_amount("amount", top_up.amount)?;
        ahrvo_transport::validate_id("card_id", top_up.card_id.as_str())?;
        let id = top_up
            .unique_order_id
            .clone()
            .unwrap_or_else(UniqueOrderId::new_v4);
        let body = TopUpCardRequest::new(id.clone(), top_up.card_id.clone(), amount);
        let request = ApiRequest::new(TOP_UP_CARD)
            .json(&body)?
            .resend_on_unknown_outcome();
        let order = CardOrder {
            client: self,
            request,
            body,
        };
        exactly_once(
            &order,
            &id,
            top_up.poll,
            top_up.confirm,
            self.api.retry_config(),
        )
        .await
    }

    /// One page of card funding orders (newest first), with `total_num`, the number of
    /// matches over all pages. `page_no` starts at 1; the filter's page size is 1 to 100.
    #[doc(alias = "listCardFundingOrders")]
    pub async fn list_card_funding_orders_page(
        &self,
        filter: &FundingOrderFilter,
        page_no: u32,
    ) -> Result<CardFundingOrderPage, Error> {
        self.call(filter.request(page_no)?).await
    }

    /// Every card funding order that matches `filter`, newest first, page after page, as a
    /// stream ([`Paged`]): it stops at `total_num` or a short page; a page that repeats is an
    /// error, never an endless loop. The filter is checked at the first poll (an invalid
    /// date or page size is the stream's one item, an error).
    ///
    /// ```no_run
    /// # async fn run(client: ahrvo_issuing::IssuingClient) -> Result<(), ahrvo_issuing::Error> {
    /// use ahrvo_issuing::FundingOrderFilter;
    ///
    /// let mut orders = client.list_card_funding_orders(&FundingOrderFilter::new().page_size(100));
    /// while let Some(order) = orders.next().await {
    ///     let order = order?;
    ///     println!("{} {} {} {}", order.record_id, order.amount, order.currency, order.status);
    /// }
    /// # Ok(()) }
    /// ```
    #[doc(alias = "listCardFundingOrders")]
    pub fn list_card_funding_orders(&self, filter: &FundingOrderFilter) -> CardFundingOrderStream {
        let client = self.clone();
        let filter = filter.clone();
        Paged::new(filter.get_page_size(), move |page_no| {
            let client = client.clone();
            let filter = filter.clone();
            async move {
                let page = client
                    .list_card_funding_orders_page(&filter, page_no)
                    .await?;
                Ok((page.total_num, page.list))
            }
        })
    }
}

/// The currency of a card top-up: the page says USD.
pub const CARD_TOP_UP_CURRENCY: Currency = Currency::USD;

#[cfg(test)]
mod tests {
    use super::*;

    /// The request of a page is its `query_pairs`, in their order: what a caller rebuilds from
    /// them is the URL sent.
    #[test]
    fn the_request_of_a_page_is_its_query_pairs() {
        let filter = FundingOrderFilter::new()
            .between("2026-01-01 00:00:00", "2026-01-31 23:59:59")
            .status(CardFundingStatus::Processing)
            .unique_order_id(UniqueOrderId::parse("order-1").unwrap())
            .card_id("card1")
            .page_size(3);
        let pairs = filter.query_pairs(2);
        assert_eq!(pairs.len(), 7);
        let rebuilt = pairs
            .into_iter()
            .fold(ApiRequest::new(LIST_CARD_FUNDING_ORDERS), |r, (k, v)| {
                r.query(k, v)
            });
        let sent = filter.request(2).unwrap();
        assert_eq!(sent.target().unwrap(), rebuilt.target().unwrap());
        assert!(
            sent.target().unwrap().ends_with(
                "?page_no=2&page_size=3&start_date=2026-01-01%2000%3A00%3A00&end_date=2026-01-31%2023%3A59%3A59&status=PROCESSING&unique_order_id=order-1&card_id=card1"
            ),
            "{}",
            sent.target().unwrap()
        );
        assert!(
            FundingOrderFilter::new()
                .card_id("a\nb")
                .request(1)
                .is_err()
        );
        assert!(
            FundingOrderFilter::new()
                .start_date("yesterday")
                .request(1)
                .is_err()
        );
    }
}
