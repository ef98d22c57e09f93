//! Budget top-ups: top up a budget account exactly once, and query a top-up order.

use ahrvo_transport::{ApiRequest, Error, ErrorKind};
use ahrvo_types::{
    BudgetId, Currency, Decimal, RecordId, TopUpBudgetRequest, TopUpOrder, TopUpOrderStatus,
    UniqueOrderId,
};

use crate::IssuingClient;
use crate::amounts::{validate_amount, validate_currency};
use crate::exactly_once::{Found, OrderApi, OrderPoll, TopUpOutcome, exactly_once};
use crate::generated::operations::{GET_TOP_UP_ORDER, TOP_UP_BUDGET};

/// The outcome of [`IssuingClient::top_up_budget`].
pub type BudgetTopUpOutcome = TopUpOutcome<TopUpOrderStatus>;

/// A budget top-up for [`IssuingClient::top_up_budget`]: which budget, how much, in which
/// currency, and (optionally) the order id and how long to await a `PROCESSING` order.
///
/// ```
/// use ahrvo_issuing::{Currency, Decimal, OrderPoll, TopUpBudget, UniqueOrderId};
///
/// let top_up = TopUpBudget::new("ci202507232016182661", "10.45".parse::<Decimal>()?, Currency::USD)
///     .with_unique_order_id(UniqueOrderId::parse("invoice-2026-0001")?)
///     .with_poll(OrderPoll::default())
///     .confirmed();
/// assert_eq!(top_up.amount().to_string(), "10.45");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TopUpBudget {
    budget_id: BudgetId,
    amount: Decimal,
    currency: Currency,
    unique_order_id: Option<UniqueOrderId>,
    poll: OrderPoll,
    confirm: bool,
}

impl TopUpBudget {
    /// A top-up of `amount` (positive, at most 2 decimals) in `currency` (the budget's own).
    pub fn new(budget_id: impl Into<BudgetId>, amount: Decimal, currency: Currency) -> Self {
        Self {
            budget_id: budget_id.into(),
            amount,
            currency,
            unique_order_id: None,
            poll: OrderPoll::default(),
            confirm: false,
        }
    }

    /// Uses this order id (to retry a top-up of your own, or to choose ids yourself). Without
    /// one, each call makes a fresh UUID v4.
    pub fn with_unique_order_id(mut self, id: UniqueOrderId) -> Self {
        self.unique_order_id = Some(id);
        self
    }

    /// How long a `PROCESSING` order is awaited when it is queried (default
    /// [`OrderPoll::default`]).
    pub fn with_poll(mut self, poll: OrderPoll) -> Self {
        self.poll = poll;
        self
    }

    /// Also queries the order after an accepted top-up, awaiting a `PROCESSING` one as
    /// [`with_poll`](Self::with_poll) allows, so that [`TopUpOutcome::status`] is known.
    pub fn confirmed(mut self) -> Self {
        self.confirm = true;
        self
    }

    /// The budget.
    pub fn budget_id(&self) -> &BudgetId {
        &self.budget_id
    }

    /// The amount.
    pub fn amount(&self) -> Decimal {
        self.amount
    }

    /// The currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The order id given, if any.
    pub fn unique_order_id(&self) -> Option<&UniqueOrderId> {
        self.unique_order_id.as_ref()
    }
}

struct BudgetOrder<'a> {
    client: &'a IssuingClient,
    request: ApiRequest<ahrvo_types::TopUpResult>,
    body: TopUpBudgetRequest,
}

impl OrderApi for BudgetOrder<'_> {
    type Status = TopUpOrderStatus;
    const WHAT: &'static str = "budget top-up";

    fn query_hint(id: &UniqueOrderId) -> String {
        format!("get_top_up_order(\"{id}\")")
    }

    fn is_processing(status: &TopUpOrderStatus) -> bool {
        *status == TopUpOrderStatus::Processing
    }

    async fn send(&self) -> Result<(RecordId, u32), Error> {
        let (result, attempts) = self.client.call_counted(self.request.clone()).await?;
        Ok((result.record_id, attempts))
    }

    async fn query(&self) -> Result<Option<Found<TopUpOrderStatus>>, Error> {
        let order = match self
            .client
            .get_top_up_order(&self.body.unique_order_id)
            .await
        {
            Ok(order) => order,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let body = &self.body;
        let same_order = match (&order.budget_id, order.top_up_amount, order.top_up_currency) {
            (Some(budget), Some(amount), Some(currency)) => Some(
                *budget == body.budget_id
                    && amount == body.top_up_amount
                    && currency == body.top_up_currency,
            ),
            _ => None,
        };
        Ok(Some(Found {
            status: order.status,
            record_id: order.record_id,
            same_order,
        }))
    }
}

impl IssuingClient {
    /// Tops up a budget account, exactly once, and says how it ended.
    ///
    /// Checked before anything is sent: the amount is positive with at most 2 decimal places
    /// ([`validate_amount`](crate::validate_amount)), the currency is an ISO 4217 code, the
    /// order id (if given) at most 36 characters. Every top-up carries a `unique_order_id`: the
    /// caller's, or a fresh UUID v4 made for this call and kept for every retry of it; the
    /// outcome returns it ([`TopUpOutcome::unique_order_id`]): store it.
    ///
    /// The API makes the same id with the same body one order, so an attempt whose outcome is
    /// unknown (no reply in time, a dropped connection, a 5xx after the body was sent) is sent
    /// again by the client's retry policy. When the outcome is still unknown, or a later
    /// attempt is refused as a duplicate (400 `DUPLICATE_ORDER_ID`), the call queries the order
    /// by its id ([`get_top_up_order`](Self::get_top_up_order)) instead of guessing:
    ///
    /// - found: the outcome is the order's (status and record), with
    ///   [`resolved_by_query`](TopUpOutcome::resolved_by_query) set; a `PROCESSING` order is
    ///   awaited as [`TopUpBudget::with_poll`] allows (default [`OrderPoll::default`]: up to 8
    ///   more queries 250 ms apart), then reported as it is;
    /// - not found (404): it did not land, and is sent again with the same id (in all at most
    ///   [`MAX_ROUNDS`](crate::MAX_ROUNDS) rounds, each retried under the client's policy);
    /// - the query fails too: the error says that the outcome is unknown and how to learn it
    ///   ([`Error::is_outcome_unknown`], [`Error::context`]).
    ///
    /// A duplicate refusal on the first attempt means the id was used before: by this body
    /// (an earlier call of yours landed: success, resolved by query), by another (an error),
    /// or, when the order found does not say its body, an error saying that it cannot be told
    /// and how to check the order.
    /// An accepted top-up's [`status`](TopUpOutcome::status) is `None` unless the top-up was
    /// [`confirmed`](TopUpBudget::confirmed); a `FAILED` order is an outcome, not an error:
    /// check its status.
    ///
    /// ```no_run
    /// # async fn run(client: ahrvo_issuing::IssuingClient) -> Result<(), ahrvo_issuing::Error> {
    /// use ahrvo_issuing::{Currency, TopUpBudget};
    ///
    /// let top_up = TopUpBudget::new("ci202507232016182661", "250.00".parse().unwrap(), Currency::USD);
    /// let outcome = client.top_up_budget(&top_up).await?;
    /// println!("order {} record {:?} (resolved by query: {})",
    ///     outcome.unique_order_id, outcome.record_id, outcome.resolved_by_query);
    /// # Ok(()) }
    /// ```
    #[doc(alias = "topUpBudget")]
    pub async fn top_up_budget(&self, top_up: &TopUpBudget) -> Result<BudgetTopUpOutcome, Error> {
        let amount = validate_amount("top_up_amount", top_up.amount)?;
        let currency = validate_currency("top_up_currency", top_up.currency)?;
        ahrvo_transport::validate_id("budget_id", top_up.budget_id.as_str())?;
        let id = top_up
            .unique_order_id
            .clone()
            .unwrap_or_else(UniqueOrderId::new_v4);
        let body = TopUpBudgetRequest::new(top_up.budget_id.clone(), amount, currency, id.clone());
        let request = ApiRequest::new(TOP_UP_BUDGET)
            .json(&body)?
            .resend_on_unknown_outcome();
        let order = BudgetOrder {
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

    /// The status of a budget top-up order, by the `unique_order_id` it was sent with. No such
    /// order (it never landed) is [`ErrorKind::NotFound`] (code `ORDER_NOT_FOUND`); an id that
    /// is not a valid order id is refused before sending.
    #[doc(alias = "getTopUpOrder")]
    pub async fn get_top_up_order(
        &self,
        unique_order_id: impl AsRef<str>,
    ) -> Result<TopUpOrder, Error> {
        let id = UniqueOrderId::parse(unique_order_id.as_ref())
            .map_err(|e| Error::validation(e.to_string()))?;
        let request = ApiRequest::new(GET_TOP_UP_ORDER).query_id("unique_order_id", id.as_str())?;
        self.call(request).await
    }
}
