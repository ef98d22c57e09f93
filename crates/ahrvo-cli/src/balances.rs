//! `ahrvo balances get | check` and `ahrvo balance-entries get` (Payments, integer cents);
//! `balances list` and `balance-entries list` are in [`crate::lists`].

use ahrvo::payments::operations::{GET_BALANCE, GET_BALANCE_ENTRY};
use ahrvo::reports::payments::{BalanceHealthThresholds, payout_report};
use ahrvo::transport::ApiRequest;
use ahrvo::types::{Balance, BalanceEntry, Tags};
use ahrvo::{Cents, Currency};

use crate::cli::{BalanceEntriesCommand, BalancesCommand};
use crate::exit::{CliError, CliResult, Status};
use crate::output::{self, Cell, Table, left, right};
use crate::{Context, raw};

/// Runs a `balances` subcommand.
pub async fn run(ctx: &Context, command: BalancesCommand) -> CliResult {
    match command {
        BalancesCommand::Get { ids, bulk } => match ids.as_slice() {
            [id] if id != "-" && bulk.input.from_file.is_none() => get(ctx, id).await,
            _ => crate::bulk::payments::get_many(ctx, ids, bulk).await,
        },
        BalancesCommand::Check { id, amount, buffer } => check(ctx, &id, amount, buffer).await,
        BalancesCommand::List { limit } => crate::lists::balances(ctx, limit).await,
    }
}

/// Runs a `balance-entries` subcommand.
pub async fn run_entries(ctx: &Context, command: BalanceEntriesCommand) -> CliResult {
    match command {
        BalanceEntriesCommand::Get { id } => {
            let client = ctx.client()?;
            let payments = client.payments()?;
            let entry = payments.get_balance_entry(id.as_str()).await?;
            // JSON: the reply as sent (all 19 fields, null ones too; dates as written).
            let request = ApiRequest::new(GET_BALANCE_ENTRY).path_id("balance_entry_id", &id);
            let url = raw::url(payments.base_url(), request);
            let reply = ctx
                .reply(url.as_deref())
                .and_then(|b| raw::payments_body(&b));
            output::emit_reply(ctx.format(), reply, &entry, || entry_table(&entry))?;
            Ok(Status::Ok)
        }
        BalanceEntriesCommand::List { balance_id, limit } => {
            crate::lists::balance_entries(ctx, &balance_id, limit).await
        }
    }
}

async fn get(ctx: &Context, id: &str) -> CliResult {
    let client = ctx.client()?;
    let payments = client.payments()?;
    let balance = payments.get_balance(id).await?;
    let url = raw::url(
        payments.base_url(),
        ApiRequest::new(GET_BALANCE).path_id("balance_id", id),
    );
    let reply = ctx
        .reply(url.as_deref())
        .and_then(|b| raw::payments_body(&b));
    output::emit_reply(ctx.format(), reply, &balance, || balance_table(&balance))?;
    Ok(Status::Ok)
}

/// Cents shown as major units with the currency and the raw cents:
/// `12500.00 USD (1250000 cents)`; CSV keeps the raw cents.
pub fn money_cell(cents: Cents, currency: Currency) -> Cell {
    Cell::new(
        format!("{} {currency} ({cents} cents)", cents.to_decimal(currency)),
        cents.to_string(),
    )
}

/// Several amounts of one record, their decimal parts aligned on the right.
fn money_cells(amounts: &[Cents], currency: Currency) -> Vec<Cell> {
    let shown: Vec<String> = amounts
        .iter()
        .map(|c| c.to_decimal(currency).to_string())
        .collect();
    let width = shown.iter().map(String::len).max().unwrap_or(0);
    amounts
        .iter()
        .zip(shown)
        .map(|(cents, s)| {
            Cell::new(
                format!("{s:>width$} {currency} ({cents} cents)"),
                cents.to_string(),
            )
        })
        .collect()
}

fn opt<T: ToString>(value: Option<&T>) -> Cell {
    value.map(ToString::to_string).unwrap_or_default().into()
}

fn tags(tags: Option<&Tags>) -> Cell {
    tags.map(|t| {
        t.iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", ")
    })
    .unwrap_or_default()
    .into()
}

/// One Balance as a record.
pub fn balance_table(b: &Balance) -> Table {
    let mut cells = vec![
        b.id.to_string().into(),
        b.balance_type.to_string().into(),
        b.currency.to_string().into(),
    ];
    cells.extend(money_cells(
        &[b.available_amount, b.pending_amount, b.posted_amount],
        b.currency,
    ));
    cells.extend([
        opt(b.linked_to.as_ref()),
        opt(b.linked_type.as_ref()),
        tags(b.tags.as_ref()),
        b.created_at.to_string().into(),
        b.updated_at.to_string().into(),
    ]);
    Table::record(
        vec![
            left("ID", "id"),
            left("TYPE", "type"),
            left("CURRENCY", "currency"),
            right("AVAILABLE", "available_amount"),
            right("PENDING", "pending_amount"),
            right("POSTED", "posted_amount"),
            left("LINKED TO", "linked_to"),
            left("LINKED TYPE", "linked_type"),
            left("TAGS", "tags"),
            left("CREATED", "created_at"),
            left("UPDATED", "updated_at"),
        ],
        cells,
    )
}

/// One Balance Entry as a record.
pub fn entry_table(e: &BalanceEntry) -> Table {
    Table::record(
        vec![
            left("ID", "id"),
            left("TYPE", "type"),
            left("STATE", "state"),
            right("AMOUNT", "amount"),
            left("CURRENCY", "currency"),
            left("DESCRIPTION", "description"),
            left("ENTITY TYPE", "entity_type"),
            left("ENTITY ID", "entity_id"),
            left("LINKED TO", "linked_to"),
            left("LINKED TYPE", "linked_type"),
            left("PARENT", "parent_balance_entry_id"),
            left("CREATED BY", "created_by"),
            left("WIRE REFERENCE", "wire_details.external_reference_number"),
            left("TAGS", "tags"),
            left("CREATED", "created_at"),
            left("UPDATED", "updated_at"),
            left("TRANSACTION DATE", "transaction_date"),
            left("ESTIMATED POSTING", "estimated_posted_date"),
            left("POSTED", "posted_at"),
        ],
        vec![
            e.id.to_string().into(),
            e.entry_type.to_string().into(),
            e.state.to_string().into(),
            money_cell(e.amount, e.currency),
            e.currency.to_string().into(),
            opt(e.description.as_ref()),
            opt(e.entity_type.as_ref()),
            opt(e.entity_id.as_ref()),
            opt(e.linked_to.as_ref()),
            opt(e.linked_type.as_ref()),
            opt(e.parent_balance_entry_id.as_ref()),
            opt(e.created_by.as_ref()),
            opt(e
                .wire_details
                .as_ref()
                .and_then(|w| w.external_reference_number.as_ref())),
            tags(e.tags.as_ref()),
            e.created_at.to_string().into(),
            e.updated_at.to_string().into(),
            opt(e.transaction_date.as_ref()),
            opt(e.estimated_posted_date.as_ref()),
            opt(e.posted_at.as_ref()),
        ],
    )
}

/// Checks a payout against the Balance's `available_amount` (pending funds never count) and
/// the buffer it must leave. Exit 0 when the payout can be made and leaves the buffer, else 1.
async fn check(ctx: &Context, id: &str, amount: Cents, buffer: Option<Cents>) -> CliResult {
    let client = ctx.client()?;
    let balance = client.payments()?.get_balance(id).await?;
    // The amount (above zero) and the buffer (not negative) were checked when parsed: a refusal
    // here is of the reply (an amount whose arithmetic overflows), exit 5.
    let out = payout_report(
        &balance,
        amount,
        buffer.unwrap_or(Cents::ZERO),
        &BalanceHealthThresholds::default(),
    )
    .map_err(|e| CliError::unusable("getBalance", &e))?;
    let check = &out.check;
    let c = balance.currency;
    let verdict = if !check.can_proceed {
        format!(
            "INSUFFICIENT: short by {} {c}",
            check.shortage.unwrap_or_default().to_decimal(c)
        )
    } else if !check.safe_to_proceed {
        format!(
            "BELOW BUFFER: the payout would leave {} {c}, under the {} {c} buffer",
            check.post_transaction_available.to_decimal(c),
            check.safety_buffer.to_decimal(c)
        )
    } else {
        format!(
            "OK: {} {c} left available after the payout",
            check.post_transaction_available.to_decimal(c)
        )
    };
    output::emit(ctx.format(), &out, || {
        let mut cells = vec![check.balance_id.to_string().into(), c.to_string().into()];
        let mut amounts = vec![
            check.available,
            out.pending_amount,
            check.amount,
            check.safety_buffer,
            check.post_transaction_available,
        ];
        amounts.extend(check.shortage);
        let mut money = money_cells(&amounts, c);
        if check.shortage.is_none() {
            money.push(Cell::from(""));
        }
        cells.extend(money);
        cells.extend([
            check.can_proceed.to_string().into(),
            check.safe_to_proceed.to_string().into(),
            out.balance_status.as_str().into(),
            Cell::new(
                verdict.clone(),
                verdict.split(':').next().unwrap_or_default(),
            ),
        ]);
        Table::record(
            vec![
                left("ID", "balance_id"),
                left("CURRENCY", "currency"),
                right("AVAILABLE", "available_amount"),
                right("PENDING", "pending_amount"),
                right("AMOUNT", "amount"),
                right("BUFFER", "safety_buffer"),
                right("AFTER", "post_transaction_available"),
                right("SHORTAGE", "shortage"),
                left("CAN PROCEED", "can_proceed"),
                left("SAFE", "safe_to_proceed"),
                left("STATUS", "balance_status"),
                left("RESULT", "result"),
            ],
            cells,
        )
    })?;
    Ok(if check.safe_to_proceed {
        Status::Ok
    } else {
        Status::Finding
    })
}
