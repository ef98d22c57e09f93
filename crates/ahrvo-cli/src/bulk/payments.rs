//! `ahrvo balances get ID...` with more than one id: Balances (Payments) through the bulk
//! runner, at [`PAYMENTS_RATE`](super::PAYMENTS_RATE) requests per second unless `--rate` says
//! otherwise (Ahrvo's Payments API documents a limit of 100).

use ahrvo::payments::operations::GET_BALANCE;
use ahrvo::transport::ApiRequest;
use ahrvo::types::Balance;

use super::input::Ids;
use super::{ErrorOut, Outcome, Rows, Style, run};
use crate::cli::BulkArgs;
use crate::exit::CliResult;
use crate::output::{left, right};
use crate::{Context, raw};

/// Fetches every Balance of `ids` (and `--from-file`), printing each as it completes, in input
/// order; failed ones are rows with their error.
pub async fn get_many(ctx: &Context, ids: Vec<String>, bulk: BulkArgs) -> CliResult {
    let total = (bulk.input.from_file.is_none() && !ids.iter().any(|a| a == "-"))
        .then_some(ids.len() as u64);
    let ids = Ids::new(ids, &bulk.input, "balance ids")?;
    let (client, shared) = super::start(ctx, &bulk.run, Some(super::PAYMENTS_RATE))?;
    let payments = client.payments()?.clone();
    let query = payments.clone();
    let mut rows = Rows::new(
        ctx.format(),
        vec![
            left("ID", "id"),
            right("AVAILABLE", "available_amount"),
            right("PENDING", "pending_amount"),
            left("CURRENCY", "currency"),
            left("ERROR", "error_kind"),
            left("MESSAGE", "error"),
        ],
    );
    let end = run::run(
        ids,
        super::options(&bulk.run, total),
        &shared,
        move |entry| {
            let client = query.clone();
            let id = entry.id.clone();
            async move { client.get_balance(id.as_str()).await }
        },
        |done: super::Done<Balance>| {
            let url = raw::url(
                payments.base_url(),
                ApiRequest::new(GET_BALANCE).path_id("balance_id", &done.entry.id),
            );
            let reply = ctx
                .take_reply(url.as_deref())
                .and_then(|b| raw::payments_body(&b));
            match (&done.outcome, ErrorOut::of_outcome(ctx, &done)) {
                (Outcome::Ok(b), _) => {
                    let json = reply.or_else(|| raw::to_json(b)).unwrap_or_default();
                    rows.push(
                        vec![
                            b.id.to_string().into(),
                            b.available_amount.to_string().into(),
                            b.pending_amount.to_string().into(),
                            b.currency.to_string().into(),
                        ],
                        &json,
                        Style::Plain,
                    )
                }
                (_, error) => {
                    let error = error.unwrap_or_else(|| ErrorOut::invalid(&done.entry, ""));
                    let json = super::error_json("id", &done.entry.id, &error);
                    rows.push(error.row(&done.entry.id, 3), &json, Style::Alert)
                }
            }
        },
    )
    .await?;
    super::finish(&shared, end, &mut rows)
}
