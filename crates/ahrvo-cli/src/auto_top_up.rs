//! `ahrvo cards auto-top-up CARD_ID... --below X --to Y [--apply]`: the card page's
//! AUTO_TOPUP use case as a command.
//!
//! Each card's balance is queried (through the bulk runner: ids from arguments, `--from-file`
//! or stdin, `--concurrency`, `--rate`, progress, early stop, Ctrl-C); a card whose balance is
//! below X needs `Y - balance`. Without `--apply` nothing is sent but the balance queries: each
//! row says what would be done. With `--apply` that card is topped up, exactly once
//! ([`IssuingClient::top_up_card`](ahrvo::IssuingClient::top_up_card) with a fresh
//! `unique_order_id`, printed in the row): an id given twice is handled once (the input skips
//! duplicates), so no card is topped up twice in a run, and a second run with the same
//! thresholds finds the cards at Y, nothing to do.

use ahrvo::issuing::operations::GET_CARD_BALANCE;
use ahrvo::transport::ApiRequest;
use ahrvo::types::{CardFundingStatus, CardId};
use ahrvo::{CardTopUp, CardTopUpOutcome, Decimal, UniqueOrderId};
use serde::Serialize;

use crate::bulk::input::Ids;
use crate::bulk::{self, ErrorOut, Outcome, Rows, Style, run};
use crate::cli::{AutoTopUpArgs, CARD_CURRENCY};
use crate::exit::{CliError, CliResult};
use crate::output::{self, Cell, left, right};
use crate::top_ups::may_have_landed;
use crate::{Context, raw};

/// What was done for one card.
#[derive(Debug)]
enum Action {
    /// At or above the threshold.
    None,
    /// Dry run: it would be topped up by this much.
    Would(Decimal),
    /// Topped up.
    Done(Decimal, Box<CardTopUpOutcome>),
}

/// One card's balance and what was done.
#[derive(Debug)]
struct Plan {
    balance: Decimal,
    action: Action,
}

/// A row of `-o json`/`jsonl`.
#[derive(Debug, Serialize)]
struct RowOut<'a> {
    card_id: &'a str,
    available_balance: String,
    /// `none`, `would_top_up` or `top_up`.
    action: &'static str,
    amount: Option<String>,
    unique_order_id: Option<&'a UniqueOrderId>,
    status: Option<String>,
    resolved_by_query: Option<bool>,
}

/// Runs `ahrvo cards auto-top-up`.
pub async fn run(ctx: &Context, args: AutoTopUpArgs) -> CliResult {
    let (below, to, apply) = (args.below, args.to, args.apply);
    if below > to {
        return Err(CliError::Usage(format!(
            "--below {below} is above --to {to}: a card topped up to --to would still be below \
             --below; --to must be at least --below"
        )));
    }
    let bulk_args = args.bulk;
    let total = (bulk_args.input.from_file.is_none() && !args.card_ids.iter().any(|a| a == "-"))
        .then_some(args.card_ids.len() as u64);
    let ids = Ids::new(args.card_ids, &bulk_args.input, "card ids")?;
    let (client, shared) = bulk::start(ctx, &bulk_args.run, None)?;
    let issuing = client.issuing()?.clone();
    let query = issuing.clone();
    let mut rows = Rows::new(
        ctx.format(),
        vec![
            left("CARD ID", "card_id"),
            right("BALANCE", "available_balance"),
            left("ACTION", "action"),
            right("AMOUNT", "amount"),
            left("ORDER ID", "unique_order_id"),
            left("STATUS", "status"),
            left("ERROR", "error_kind"),
            left("MESSAGE", "error"),
        ],
    );
    let (mut count, mut sum, mut fine) = (0_u64, Decimal::ZERO, 0_u64);
    let counts = shared.clone();
    let end = run::run(
        ids,
        bulk::options(&bulk_args.run, total),
        &shared,
        move |entry| {
            let client = query.clone();
            let id = CardId::from(entry.id.clone());
            async move {
                let card = client.get_card_balance(id.clone()).await?;
                let balance = card.available_balance;
                if balance >= below {
                    return Ok(Plan {
                        balance,
                        action: Action::None,
                    });
                }
                let amount = to - balance;
                if !apply {
                    return Ok(Plan {
                        balance,
                        action: Action::Would(amount),
                    });
                }
                let order = UniqueOrderId::new_v4();
                let top_up = CardTopUp::new(id, amount)
                    .with_unique_order_id(order.clone())
                    .confirmed();
                let outcome = client.top_up_card(&top_up).await.map_err(|e| {
                    if may_have_landed(&e) {
                        e.with_context(format!(
                            "unique_order_id {order}: the outcome is unknown; check it with \
                             `ahrvo cards funding-orders --order-id {order}` before running again"
                        ))
                    } else {
                        e
                    }
                })?;
                Ok(Plan {
                    balance,
                    action: Action::Done(amount, Box::new(outcome)),
                })
            }
        },
        |done: bulk::Done<Plan>| {
            // The balance query's reply is not printed: take it so that none is kept.
            let url = raw::url(
                issuing.base_url(),
                ApiRequest::new(GET_CARD_BALANCE).query_id("card_id", &done.entry.id),
            );
            let _ = ctx.take_reply(url.as_deref());
            let id = done.entry.id.as_str();
            match (&done.outcome, ErrorOut::of_outcome(ctx, &done)) {
                (Outcome::Ok(plan), _) => {
                    let (action, amount, outcome) = match &plan.action {
                        Action::None => {
                            fine += 1;
                            ("none", None, None)
                        }
                        Action::Would(a) => {
                            count += 1;
                            sum += *a;
                            ("would_top_up", Some(*a), None)
                        }
                        Action::Done(a, o) => {
                            count += 1;
                            sum += *a;
                            // The top-up and its order queries are requests of their own, not
                            // retries of the balance query: the summary's `retried` counts
                            // only the others.
                            counts.summary().sent_more(1 + u64::from(o.queries));
                            ("top_up", Some(*a), Some(o.as_ref()))
                        }
                    };
                    let status = outcome.and_then(|o| o.status.as_ref());
                    let out = RowOut {
                        card_id: id,
                        available_balance: plan.balance.to_string(),
                        action,
                        amount: amount.map(|a| a.to_string()),
                        unique_order_id: outcome.map(|o| &o.unique_order_id),
                        status: status.map(ToString::to_string),
                        resolved_by_query: outcome.map(|o| o.resolved_by_query),
                    };
                    let json = raw::to_json(&out).unwrap_or_default();
                    let shown = match action {
                        "none" => "none",
                        "would_top_up" => "would top up",
                        _ => "topped up",
                    };
                    let style = match status {
                        Some(CardFundingStatus::Fail) => Style::Alert,
                        _ if action == "would_top_up" => Style::Warn,
                        _ => Style::Plain,
                    };
                    rows.push(
                        vec![
                            id.into(),
                            out.available_balance.clone().into(),
                            Cell::new(shown, action),
                            out.amount.clone().unwrap_or_default().into(),
                            out.unique_order_id
                                .map(ToString::to_string)
                                .unwrap_or_default()
                                .into(),
                            out.status.clone().unwrap_or_default().into(),
                        ],
                        &json,
                        style,
                    )
                }
                (_, error) => {
                    if let Outcome::Failed(e) = &done.outcome
                        && e.operation() == Some("topUpCard")
                    {
                        counts.summary().sent_more(1);
                    }
                    let error = error.unwrap_or_else(|| ErrorOut::invalid(&done.entry, ""));
                    let json = bulk::error_json("card_id", id, &error);
                    rows.push(error.row(id, 5), &json, Style::Alert)
                }
            }
        },
    )
    .await?;
    let status = bulk::finish(&shared, end, &mut rows)?;
    if end == bulk::End::Finished && !bulk_args.run.quiet {
        let c = CARD_CURRENCY;
        let shown = |d: Decimal| {
            let mut d = d;
            if d.scale() < 2 {
                d.rescale(2);
            }
            d
        };
        let (to, below, sum) = (shown(to), shown(below), shown(sum));
        let cards = |n: u64| format!("{n} card{}", if n == 1 { "" } else { "s" });
        output::note(&if apply {
            format!(
                "auto-top-up: {} topped up to {to} {c} ({sum} {c} in all); {} at or above {below} \
                 {c}",
                cards(count),
                cards(fine)
            )
        } else {
            format!(
                "dry run: {} would be topped up to {to} {c} ({sum} {c} in all); {} at or above \
                 {below} {c}; nothing was sent{}",
                cards(count),
                cards(fine),
                if count > 0 {
                    ": pass --apply to top them up"
                } else {
                    ""
                }
            )
        });
    }
    Ok(status)
}
