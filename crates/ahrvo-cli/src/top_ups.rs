//! `ahrvo budgets top-up | top-up-status` and `ahrvo cards top-up`: money in, exactly once.
//!
//! Every top-up carries a `unique_order_id`: `--order-id`, or a UUID v4 the CLI makes before
//! the call, so that it is known (and printed) however the call ends. The SDK keeps it for every
//! retry and resolves an unknown outcome by querying the order ([`ahrvo::TopUpOutcome`]); the
//! top-up is `confirmed`, so the order's status is printed too.
//!
//! A `PROCESSING` order is awaited within the SDK's bound ([`ahrvo::OrderPoll`]'s default: 8
//! more queries, 250 ms apart). When the bound runs out first, the outcome is printed as it is
//! (`status PROCESSING`), a note on stderr says that the order was accepted but is not settled
//! and how to check it, and the command exits 1 (a finding: act on it, do not send a new order).
//! Exit 0 means the order was accepted and, when queried, ended `SUCCESS`.

use ahrvo::issuing::operations::GET_TOP_UP_ORDER;
use ahrvo::transport::ApiRequest;
use ahrvo::types::{CardFundingStatus, RecordId, TopUpOrderStatus};
use ahrvo::{CardTopUp, Currency, Decimal, ErrorKind, TopUpBudget, TopUpOutcome, UniqueOrderId};
use serde::Serialize;

use crate::cli::CARD_CURRENCY;
use crate::exit::{CliError, CliResult, Status};
use crate::output::{self, Cell, Table, left, right};
use crate::{Context, raw};

/// What a top-up printed: the order id first (keep it), the funding record, the order's status
/// and how the outcome was learnt. `-o json` prints this object (a top-up is not a fetch: its
/// reply holds only the record id).
#[derive(Debug, Serialize)]
struct TopUpOut<'a> {
    unique_order_id: &'a UniqueOrderId,
    #[serde(skip_serializing_if = "Option::is_none")]
    budget_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    card_id: Option<&'a str>,
    amount: String,
    currency: Currency,
    record_id: Option<&'a RecordId>,
    /// The order's status when it was queried (`null`: the reply was taken as it is).
    status: Option<String>,
    resolved_by_query: bool,
    attempts: u32,
    queries: u32,
}

/// Whether the call may have moved money although it failed: the user must query the order
/// before sending another one.
pub fn may_have_landed(e: &ahrvo::Error) -> bool {
    e.is_outcome_unknown()
        || e.prior_outcome_unknown()
        || matches!(
            e.kind(),
            ErrorKind::Server | ErrorKind::Decode | ErrorKind::Protocol | ErrorKind::Timeout
        )
}

/// The note of an order still `PROCESSING` when the poll bound ran out: it was accepted and
/// may still be credited (or fail); checking it, not sending it again, is what to do.
fn still_processing(id: &UniqueOrderId, queries: u32, query: &str) {
    output::note(&format!(
        "note: unique_order_id {id} is still PROCESSING after {queries} queries: the order was \
         accepted but is not settled yet; check it with `{query}` (sending it again with \
         --order-id {id} never credits it twice)"
    ));
}

/// The error of a failed top-up, after a note naming its order id when the outcome may be
/// unknown (the id the CLI chose is then the only way to find the order).
fn failed(e: ahrvo::Error, id: &UniqueOrderId, query: &str) -> CliError {
    if may_have_landed(&e) {
        output::note(&format!(
            "note: unique_order_id {id}: the outcome is unknown; check it with `{query}` and send \
             it again only with --order-id {id} (the same id is never credited twice)"
        ));
    }
    e.into()
}

fn print_outcome<S: ToString>(
    ctx: &Context,
    outcome: &TopUpOutcome<S>,
    target: (&'static str, &str),
    amount: Decimal,
    currency: Currency,
) -> Result<(), CliError> {
    let (target_key, target_id) = target;
    let out = TopUpOut {
        unique_order_id: &outcome.unique_order_id,
        budget_id: (target_key == "budget_id").then_some(target_id),
        card_id: (target_key == "card_id").then_some(target_id),
        amount: amount.to_string(),
        currency,
        record_id: outcome.record_id.as_ref(),
        status: outcome.status.as_ref().map(ToString::to_string),
        resolved_by_query: outcome.resolved_by_query,
        attempts: outcome.attempts,
        queries: outcome.queries,
    };
    output::emit(ctx.format(), &out, || {
        Table::record(
            vec![
                left("ORDER ID", "unique_order_id"),
                left(
                    if target_key == "budget_id" {
                        "BUDGET ID"
                    } else {
                        "CARD ID"
                    },
                    target_key,
                ),
                right("AMOUNT", "amount"),
                left("CURRENCY", "currency"),
                left("RECORD ID", "record_id"),
                left("STATUS", "status"),
                left("RESOLVED BY QUERY", "resolved_by_query"),
                right("ATTEMPTS", "attempts"),
                right("QUERIES", "queries"),
            ],
            vec![
                out.unique_order_id.to_string().into(),
                target_id.into(),
                out.amount.clone().into(),
                currency.to_string().into(),
                out.record_id
                    .map(ToString::to_string)
                    .unwrap_or_default()
                    .into(),
                out.status.clone().unwrap_or_default().into(),
                out.resolved_by_query.to_string().into(),
                out.attempts.to_string().into(),
                out.queries.to_string().into(),
            ],
        )
    })
}

/// `ahrvo budgets top-up BUDGET_ID AMOUNT --currency CUR [--order-id ID]`. Exit 1 when the
/// order ended `FAILED`, or is still `PROCESSING` when the poll bound runs out (with a note).
pub async fn top_up_budget(
    ctx: &Context,
    budget_id: &str,
    amount: Decimal,
    currency: Currency,
    order_id: Option<UniqueOrderId>,
) -> CliResult {
    let client = ctx.client()?;
    let issuing = client.issuing()?;
    let id = order_id.unwrap_or_else(UniqueOrderId::new_v4);
    let top_up = TopUpBudget::new(budget_id, amount, currency)
        .with_unique_order_id(id.clone())
        .confirmed();
    let outcome = issuing
        .top_up_budget(&top_up)
        .await
        .map_err(|e| failed(e, &id, &format!("ahrvo budgets top-up-status {id}")))?;
    print_outcome(ctx, &outcome, ("budget_id", budget_id), amount, currency)?;
    Ok(match outcome.status {
        Some(TopUpOrderStatus::Failed) => Status::Finding,
        Some(TopUpOrderStatus::Processing) => {
            let query = format!("ahrvo budgets top-up-status {id}");
            still_processing(&id, outcome.queries, &query);
            Status::Finding
        }
        _ => Status::Ok,
    })
}

/// `ahrvo cards top-up CARD_ID AMOUNT [--order-id ID]`. Exit 1 when the order ended `FAIL`, or
/// is still `PROCESSING` when the poll bound runs out (with a note).
pub async fn top_up_card(
    ctx: &Context,
    card_id: &str,
    amount: Decimal,
    order_id: Option<UniqueOrderId>,
) -> CliResult {
    let client = ctx.client()?;
    let issuing = client.issuing()?;
    let id = order_id.unwrap_or_else(UniqueOrderId::new_v4);
    let top_up = CardTopUp::new(card_id, amount)
        .with_unique_order_id(id.clone())
        .confirmed();
    let outcome = issuing.top_up_card(&top_up).await.map_err(|e| {
        failed(
            e,
            &id,
            &format!("ahrvo cards funding-orders --order-id {id}"),
        )
    })?;
    print_outcome(ctx, &outcome, ("card_id", card_id), amount, CARD_CURRENCY)?;
    Ok(match outcome.status {
        Some(CardFundingStatus::Fail) => Status::Finding,
        Some(CardFundingStatus::Processing) => {
            let query = format!("ahrvo cards funding-orders --order-id {id}");
            still_processing(&id, outcome.queries, &query);
            Status::Finding
        }
        _ => Status::Ok,
    })
}

/// `ahrvo budgets top-up-status ORDER_ID`: the order as the API sent it (`-o json`), or a
/// record. Unknown order ids exit 4.
pub async fn top_up_status(ctx: &Context, order_id: &UniqueOrderId) -> CliResult {
    let client = ctx.client()?;
    let issuing = client.issuing()?;
    let order = issuing.get_top_up_order(order_id.as_str()).await?;
    let url = raw::url(
        issuing.base_url(),
        ApiRequest::new(GET_TOP_UP_ORDER).query_id("unique_order_id", order_id.as_str()),
    );
    let reply = ctx
        .reply(url.as_deref())
        .and_then(|b| raw::issuing_data(&b));
    let opt = |v: Option<String>| Cell::from(v.unwrap_or_default());
    output::emit_reply(ctx.format(), reply, &order, || {
        Table::record(
            vec![
                left("ORDER ID", "unique_order_id"),
                left("STATUS", "status"),
                left("RECORD ID", "record_id"),
                left("BUDGET ID", "budget_id"),
                right("AMOUNT", "top_up_amount"),
                left("CURRENCY", "top_up_currency"),
            ],
            vec![
                order
                    .unique_order_id
                    .as_ref()
                    .unwrap_or(order_id)
                    .to_string()
                    .into(),
                order.status.to_string().into(),
                opt(order.record_id.as_ref().map(ToString::to_string)),
                opt(order.budget_id.as_ref().map(ToString::to_string)),
                opt(order.top_up_amount.map(|a| a.to_string())),
                opt(order.top_up_currency.map(|c| c.to_string())),
            ],
        )
    })?;
    Ok(Status::Ok)
}
