//! Transfers between budget accounts: make one (at most once), query one.

use ahrvo_transport::{ApiRequest, Error, ErrorKind};
use ahrvo_types::{
    BudgetId, Currency, Decimal, TransferBetweenBudgetsRequest, TransferOrder, TransferOrderId,
    TransferResult,
};

use crate::IssuingClient;
use crate::amounts::{validate_amount, validate_currency};
use crate::generated::operations::{GET_TRANSFER_ORDER, TRANSFER_BETWEEN_BUDGETS};

/// A transfer for [`IssuingClient::transfer_between_budgets`]: `amount` in the source
/// currency from one budget account to another.
///
/// ```
/// use ahrvo_issuing::{BudgetTransfer, Currency, Decimal};
///
/// let transfer = BudgetTransfer::new(
///     "ci202507232016182661",
///     "ci202507232016182662",
///     "100.00".parse::<Decimal>()?,
///     Currency::USD,
/// )
/// .with_target_currency(Currency::EUR);
/// assert_eq!(transfer.target_currency(), Currency::EUR);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BudgetTransfer {
    source_budget_id: BudgetId,
    target_budget_id: BudgetId,
    amount: Decimal,
    source_currency: Currency,
    target_currency: Currency,
}

impl BudgetTransfer {
    /// A transfer of `amount` (positive, at most 2 decimals) in `currency`, which both budgets
    /// hold; see [`with_target_currency`](Self::with_target_currency) when the target's differs.
    pub fn new(
        source_budget_id: impl Into<BudgetId>,
        target_budget_id: impl Into<BudgetId>,
        amount: Decimal,
        currency: Currency,
    ) -> Self {
        Self {
            source_budget_id: source_budget_id.into(),
            target_budget_id: target_budget_id.into(),
            amount,
            source_currency: currency,
            target_currency: currency,
        }
    }

    /// The target budget's currency, when it is not the source's (the API converts).
    pub fn with_target_currency(mut self, currency: Currency) -> Self {
        self.target_currency = currency;
        self
    }

    /// The budget debited.
    pub fn source_budget_id(&self) -> &BudgetId {
        &self.source_budget_id
    }

    /// The budget credited.
    pub fn target_budget_id(&self) -> &BudgetId {
        &self.target_budget_id
    }

    /// The amount debited, in the source currency.
    pub fn amount(&self) -> Decimal {
        self.amount
    }

    /// The source budget's currency.
    pub fn source_currency(&self) -> Currency {
        self.source_currency
    }

    /// The target budget's currency.
    pub fn target_currency(&self) -> Currency {
        self.target_currency
    }
}

impl IssuingClient {
    /// Transfers funds from one budget account to another, at most once.
    ///
    /// Checked before anything is sent: two different budgets, an amount that is positive with
    /// at most 2 decimal places, ISO 4217 currencies. The reply gives the transfer's id and the
    /// amount credited (`in_amount`, converted when the currencies differ).
    ///
    /// The API documents no idempotency key for transfers, so a transfer is **never sent again
    /// once it may have reached the server**: only a connection that failed before sending, or
    /// a 429, is retried. When the outcome is unknown (no reply in time, a connection lost
    /// after sending, a 5xx, an unreadable reply), the error says so plainly
    /// ([`Error::is_outcome_unknown`] for the first two, and in every case
    /// [`Error::context`]: "the transfer ... may or may not have been made"): check both
    /// budgets' balances before sending it again.
    ///
    /// ```no_run
    /// # async fn run(client: ahrvo_issuing::IssuingClient) -> Result<(), ahrvo_issuing::Error> {
    /// use ahrvo_issuing::{BudgetTransfer, Currency};
    ///
    /// let transfer = BudgetTransfer::new("ci-from", "ci-to", "100.00".parse().unwrap(), Currency::USD);
    /// let done = client.transfer_between_budgets(&transfer).await?;
    /// println!("transfer {} credited {}", done.transfer_order_id, done.in_amount);
    /// # Ok(()) }
    /// ```
    #[doc(alias = "transferBetweenBudgets")]
    pub async fn transfer_between_budgets(
        &self,
        transfer: &BudgetTransfer,
    ) -> Result<TransferResult, Error> {
        let (from, to) = (&transfer.source_budget_id, &transfer.target_budget_id);
        ahrvo_transport::validate_id("source_budget_id", from.as_str())?;
        ahrvo_transport::validate_id("target_budget_id", to.as_str())?;
        if from == to {
            return Err(Error::validation(format!(
                "a transfer needs two different budgets: source and target are both {from}"
            )));
        }
        let amount = validate_amount("transfer_amount", transfer.amount)?;
        let source_currency = validate_currency("source_currency", transfer.source_currency)?;
        let target_currency = validate_currency("target_currency", transfer.target_currency)?;
        let body = TransferBetweenBudgetsRequest::new(
            from.clone(),
            to.clone(),
            amount,
            source_currency,
            target_currency,
        );
        // Not `resend_on_unknown_outcome`: with no idempotency key, a resend could move the
        // money twice.
        let request = ApiRequest::new(TRANSFER_BETWEEN_BUDGETS).json(&body)?;
        self.call(request).await.map_err(|e| {
            let unknown =
                e.is_outcome_unknown() || matches!(e.kind(), ErrorKind::Server | ErrorKind::Decode);
            if unknown {
                e.with_context(format!(
                    "the transfer of {amount} {source_currency} from {from} to {to} may or may \
                     not have been made: transfers have no idempotency key, so it was not sent \
                     again; check both budgets' balances before sending it again"
                ))
            } else {
                e
            }
        })
    }

    /// The result of a transfer between budget accounts (SUCCESS or FAILED), by its id. No
    /// such transfer is [`ErrorKind::NotFound`] (code `ORDER_NOT_FOUND`).
    #[doc(alias = "getTransferOrder")]
    pub async fn get_transfer_order(
        &self,
        transfer_order_id: impl Into<TransferOrderId>,
    ) -> Result<TransferOrder, Error> {
        let id = transfer_order_id.into();
        let request =
            ApiRequest::new(GET_TRANSFER_ORDER).query_id("transfer_order_id", id.as_str())?;
        self.call(request).await
    }
}
