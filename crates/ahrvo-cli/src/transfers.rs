//! `ahrvo budgets transfer | transfer-status` (Issuing: between budget accounts, at most once)
//! and `ahrvo transfers get` (Payments: Transfers, one or many).

use ahrvo::issuing::operations::GET_TRANSFER_ORDER;
use ahrvo::payments::operations::GET_TRANSFER;
use ahrvo::transport::ApiRequest;
use ahrvo::types::{BudgetId, Transfer, TransferOrderId};
use ahrvo::{BudgetTransfer, Currency, Decimal};
use serde::Serialize;

use crate::balances::money_cell;
use crate::bulk::input::Ids;
use crate::bulk::{self, ErrorOut, Outcome, Rows, Style, run};
use crate::cli::BulkArgs;
use crate::exit::{CliError, CliResult, Status};
use crate::output::{self, Cell, Table, left, right};
use crate::top_ups::may_have_landed;
use crate::{Context, raw};

/// What `budgets transfer` printed (`-o json` too: the reply alone holds only the transfer id
/// and the amount credited).
#[derive(Debug, Serialize)]
struct TransferOut<'a> {
    transfer_order_id: &'a TransferOrderId,
    source_budget_id: &'a str,
    target_budget_id: &'a str,
    transfer_amount: String,
    source_currency: Currency,
    in_amount: String,
    target_currency: Currency,
}

/// `ahrvo budgets transfer FROM TO AMOUNT --currency CUR [--target-currency CUR]`.
///
/// A transfer to the budget itself is refused before anything is sent (exit 2). The SDK never
/// sends a transfer twice (there is no idempotency key): an unknown outcome is an error that
/// says so, with a note on how to check.
pub async fn transfer(
    ctx: &Context,
    from: &str,
    to: &str,
    amount: Decimal,
    currency: Currency,
    target_currency: Option<Currency>,
) -> CliResult {
    if from.trim() == to.trim() {
        return Err(CliError::Usage(format!(
            "a transfer needs two different budgets: FROM and TO are both {from}"
        )));
    }
    let target_currency = target_currency.unwrap_or(currency);
    let client = ctx.client()?;
    let issuing = client.issuing()?;
    let request = BudgetTransfer::new(BudgetId::from(from), BudgetId::from(to), amount, currency)
        .with_target_currency(target_currency);
    let done = issuing
        .transfer_between_budgets(&request)
        .await
        .map_err(|e| {
            if may_have_landed(&e) {
                output::note(
                    "note: the transfer was NOT retried and its outcome is unknown: compare both \
                     budgets' balances (`ahrvo budgets list`) before sending it again",
                );
            }
            CliError::from(e)
        })?;
    let out = TransferOut {
        transfer_order_id: &done.transfer_order_id,
        source_budget_id: from,
        target_budget_id: to,
        transfer_amount: amount.to_string(),
        source_currency: currency,
        in_amount: done.in_amount.to_string(),
        target_currency,
    };
    output::emit(ctx.format(), &out, || {
        Table::record(
            vec![
                left("TRANSFER ORDER ID", "transfer_order_id"),
                left("FROM", "source_budget_id"),
                left("TO", "target_budget_id"),
                right("AMOUNT", "transfer_amount"),
                left("CURRENCY", "source_currency"),
                right("CREDITED", "in_amount"),
                left("TARGET CURRENCY", "target_currency"),
            ],
            vec![
                out.transfer_order_id.to_string().into(),
                from.into(),
                to.into(),
                out.transfer_amount.clone().into(),
                currency.to_string().into(),
                out.in_amount.clone().into(),
                target_currency.to_string().into(),
            ],
        )
    })?;
    Ok(Status::Ok)
}

/// `ahrvo budgets transfer-status ID`: the transfer order (SUCCESS or FAILED).
pub async fn transfer_status(ctx: &Context, id: &str) -> CliResult {
    let client = ctx.client()?;
    let issuing = client.issuing()?;
    let order = issuing.get_transfer_order(id).await?;
    let url = raw::url(
        issuing.base_url(),
        ApiRequest::new(GET_TRANSFER_ORDER).query_id("transfer_order_id", id),
    );
    let reply = ctx
        .reply(url.as_deref())
        .and_then(|b| raw::issuing_data(&b));
    let opt = |v: Option<String>| Cell::from(v.unwrap_or_default());
    output::emit_reply(ctx.format(), reply, &order, || {
        Table::record(
            vec![
                left("TRANSFER ORDER ID", "transfer_order_id"),
                left("RESULT", "fund_result"),
                left("FROM", "source_budget_id"),
                left("TO", "target_budget_id"),
                right("AMOUNT", "transfer_amount"),
                right("CREDITED", "in_amount"),
            ],
            vec![
                order
                    .transfer_order_id
                    .as_ref()
                    .map_or_else(|| id.to_owned(), ToString::to_string)
                    .into(),
                order.fund_result.to_string().into(),
                opt(order.source_budget_id.as_ref().map(ToString::to_string)),
                opt(order.target_budget_id.as_ref().map(ToString::to_string)),
                opt(order.transfer_amount.map(|a| a.to_string())),
                opt(order.in_amount.map(|a| a.to_string())),
            ],
        )
    })?;
    Ok(Status::Ok)
}

/// `ahrvo transfers get ID...`: one Transfer as a record, many through the bulk runner.
pub async fn get(ctx: &Context, ids: Vec<String>, bulk: BulkArgs) -> CliResult {
    match ids.as_slice() {
        [id] if id != "-" && bulk.input.from_file.is_none() => get_one(ctx, id).await,
        _ => get_many(ctx, ids, bulk).await,
    }
}

fn transfer_url(base_url: &str, id: &str) -> Option<String> {
    raw::url(
        base_url,
        ApiRequest::new(GET_TRANSFER).path_id("transfer_id", id),
    )
}

fn opt<T: ToString>(value: Option<&T>) -> Cell {
    value.map(ToString::to_string).unwrap_or_default().into()
}

async fn get_one(ctx: &Context, id: &str) -> CliResult {
    let client = ctx.client()?;
    let payments = client.payments()?;
    let t = payments.get_transfer(id).await?;
    let url = transfer_url(payments.base_url(), id);
    let reply = ctx
        .reply(url.as_deref())
        .and_then(|b| raw::payments_body(&b));
    output::emit_reply(ctx.format(), reply, &t, || {
        Table::record(
            vec![
                left("ID", "id"),
                left("STATE", "state"),
                left("TYPE", "type"),
                right("AMOUNT", "amount"),
                left("CURRENCY", "currency"),
                right("FEE", "fee"),
                left("MERCHANT", "merchant"),
                left("SOURCE", "source"),
                left("DESTINATION", "destination"),
                left("TRACE ID", "trace_id"),
                left("READY TO SETTLE", "ready_to_settle_at"),
                left("CREATED", "created_at"),
                left("UPDATED", "updated_at"),
            ],
            vec![
                t.id.to_string().into(),
                t.state.to_string().into(),
                t.transfer_type.to_string().into(),
                money_cell(t.amount, t.currency),
                t.currency.to_string().into(),
                t.fee
                    .map_or_else(|| Cell::from(""), |fee| money_cell(fee, t.currency)),
                opt(t.merchant.as_ref()),
                opt(t.source.as_ref()),
                opt(t.destination.as_ref()),
                opt(t.trace_id.as_ref()),
                opt(t.ready_to_settle_at.as_ref()),
                t.created_at.to_string().into(),
                t.updated_at.to_string().into(),
            ],
        )
    })?;
    Ok(Status::Ok)
}

async fn get_many(ctx: &Context, ids: Vec<String>, bulk: BulkArgs) -> CliResult {
    let total = (bulk.input.from_file.is_none() && !ids.iter().any(|a| a == "-"))
        .then_some(ids.len() as u64);
    let ids = Ids::new(ids, &bulk.input, "transfer ids")?;
    let (client, shared) = bulk::start(ctx, &bulk.run, Some(bulk::PAYMENTS_RATE))?;
    let payments = client.payments()?.clone();
    let query = payments.clone();
    let mut rows = Rows::new(
        ctx.format(),
        vec![
            left("ID", "id"),
            left("STATE", "state"),
            left("TYPE", "type"),
            right("AMOUNT", "amount"),
            left("CURRENCY", "currency"),
            left("ERROR", "error_kind"),
            left("MESSAGE", "error"),
        ],
    );
    let end = run::run(
        ids,
        bulk::options(&bulk.run, total),
        &shared,
        move |entry| {
            let client = query.clone();
            let id = entry.id.clone();
            async move { client.get_transfer(id.as_str()).await }
        },
        |done: bulk::Done<Transfer>| {
            let url = transfer_url(payments.base_url(), &done.entry.id);
            let reply = ctx
                .take_reply(url.as_deref())
                .and_then(|b| raw::payments_body(&b));
            match (&done.outcome, ErrorOut::of_outcome(ctx, &done)) {
                (Outcome::Ok(t), _) => {
                    let json = reply.or_else(|| raw::to_json(t)).unwrap_or_default();
                    rows.push(
                        vec![
                            t.id.to_string().into(),
                            t.state.to_string().into(),
                            t.transfer_type.to_string().into(),
                            t.amount.to_string().into(),
                            t.currency.to_string().into(),
                        ],
                        &json,
                        Style::Plain,
                    )
                }
                (_, error) => {
                    let error = error.unwrap_or_else(|| ErrorOut::invalid(&done.entry, ""));
                    let json = bulk::error_json("id", &done.entry.id, &error);
                    rows.push(error.row(&done.entry.id, 4), &json, Style::Alert)
                }
            }
        },
    )
    .await?;
    bulk::finish(&shared, end, &mut rows)
}
