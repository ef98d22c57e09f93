//! `ahrvo cards balance | check-funds | report` (Dedicated Funds Cards, Issuing).

use ahrvo::issuing::operations::GET_CARD_BALANCE;
use ahrvo::issuing::{CardBatchOptions, IssuingClient};
use ahrvo::reports::issuing::{CardAlertThresholds, FundsCheck, card_report, check_card_funds};
use ahrvo::transport::ApiRequest;
use ahrvo::types::{CardBalance, CardId};
use ahrvo::{Decimal, Error, ErrorKind};
use serde::Serialize;

use crate::cli::{CardsCommand, OutputFormat};
use crate::exit::{CliError, CliResult, Status};
use crate::output::{self, Progress, Table, left, right};
use crate::{Context, raw};

/// Runs a `cards` subcommand.
pub async fn run(ctx: &Context, command: CardsCommand) -> CliResult {
    match command {
        CardsCommand::Balance { card_ids } => balance(ctx, card_ids).await,
        CardsCommand::CheckFunds { card_id, amount } => check(ctx, card_id, amount).await,
        CardsCommand::Report {
            card_ids,
            critical,
            warning,
            low,
        } => {
            let defaults = CardAlertThresholds::default();
            let thresholds = CardAlertThresholds::new(
                critical.unwrap_or(defaults.critical),
                warning.unwrap_or(defaults.warning),
                low.unwrap_or(defaults.low),
            );
            report(ctx, card_ids, thresholds).await
        }
    }
}

/// The balance of every card, in the order given (the SDK's bounded-concurrency batch yields
/// them so); a progress line on stderr when it is a terminal.
pub async fn fetch_balances(
    client: &IssuingClient,
    card_ids: &[CardId],
) -> Vec<(CardId, Result<CardBalance, Error>)> {
    let mut progress = Progress::new("Fetching card balances", card_ids.len());
    let mut stream = client.get_card_balances(card_ids.iter(), CardBatchOptions::default());
    let mut results = Vec::with_capacity(card_ids.len());
    while let Some(done) = stream.next().await {
        progress.tick();
        results.push((done.card_id, done.result));
    }
    results
}

/// Whether an error concerns the whole invocation (credentials, configuration) rather than one
/// card: such an error ends the command with one line instead of one line per card.
fn is_global(e: &Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::Unauthorized | ErrorKind::Forbidden | ErrorKind::Config
    )
}

/// The cards whose balance came back, and the worst status of those that failed (if any).
pub type Split = (Vec<(CardId, CardBalance)>, Option<Status>);

/// Splits per-card results: a global error (401/403/config) is returned as the command's error;
/// other failures are printed on stderr, one line per card, and their worst status returned.
pub fn split_results(
    ctx: &Context,
    results: Vec<(CardId, Result<CardBalance, Error>)>,
) -> Result<Split, CliError> {
    let mut ok = Vec::new();
    let mut failures = Vec::new();
    for (id, result) in results {
        match result {
            Ok(balance) => ok.push((id, balance)),
            Err(e) if is_global(&e) => return Err(e.into()),
            Err(e) => failures.push((id, e)),
        }
    }
    let mut status = None;
    for (id, e) in &failures {
        output::note(&format!("error: card {id}: {}", ctx.describe_api(e)));
        let s = Status::of_kind(e.kind());
        status = Some(status.map_or(s, |worst: Status| worst.max(s)));
    }
    Ok((ok, status))
}

fn ids(card_ids: Vec<String>) -> Vec<CardId> {
    card_ids.into_iter().map(CardId::from).collect()
}

/// A card balance with its id, in the API's field names.
#[derive(Debug, Serialize)]
struct CardOut<'a> {
    card_id: &'a CardId,
    #[serde(flatten)]
    balance: &'a CardBalance,
}

/// The reply of one card as `-o json` prints it: `card_id`, then the reply's `data` as sent
/// ([`raw::card_object`]); the typed card when no reply text was recorded.
fn card_json(ctx: &Context, issuing: &IssuingClient, id: &CardId, b: &CardBalance) -> String {
    let request = ApiRequest::new(GET_CARD_BALANCE).query_id("card_id", id.as_str());
    let url = raw::url(issuing.base_url(), request);
    ctx.reply(url.as_deref())
        .and_then(|body| raw::issuing_data(&body))
        .and_then(|data| raw::card_object(id.as_str(), &data, &b.card_number))
        .or_else(|| {
            raw::to_json(&CardOut {
                card_id: id,
                balance: b,
            })
        })
        .unwrap_or_default()
}

async fn balance(ctx: &Context, card_ids: Vec<String>) -> CliResult {
    let client = ctx.client()?;
    let issuing = client.issuing()?;
    let ids = ids(card_ids);
    let results = fetch_balances(issuing, &ids).await;
    let (ok, failed) = split_results(ctx, results)?;
    let out: Vec<CardOut<'_>> = ok
        .iter()
        .map(|(card_id, balance)| CardOut { card_id, balance })
        .collect();
    let reply = (ctx.format() == OutputFormat::Json).then(|| {
        let cards: Vec<String> = ok
            .iter()
            .map(|(id, b)| card_json(ctx, issuing, id, b))
            .collect();
        raw::array(&cards)
    });
    if !ok.is_empty() || ctx.format() != OutputFormat::Table {
        output::emit_reply(ctx.format(), reply, &out, || {
            let mut table = Table::new(vec![
                left("CARD ID", "card_id"),
                left("CARD NUMBER", "card_number"),
                right("AVAILABLE", "available_balance"),
            ]);
            for (id, b) in &ok {
                table.push(vec![
                    id.to_string().into(),
                    b.card_number.to_string().into(),
                    b.available_balance.to_string().into(),
                ]);
            }
            table
        })?;
    }
    Ok(failed.unwrap_or(Status::Ok))
}

async fn check(ctx: &Context, card_id: String, amount: Decimal) -> CliResult {
    let client = ctx.client()?;
    let card = client.issuing()?.get_card_balance(card_id.as_str()).await?;
    // The amount was checked when parsed (above zero, at most 2 decimals): a refusal here is of
    // the reply, exit 5.
    let out = check_card_funds(card_id.into(), card, amount)
        .map_err(|e| CliError::unusable("getCardBalance", &e))?;
    let sufficient = out.check.is_sufficient();
    output::emit(ctx.format(), &out, || {
        let verdict = match out.check {
            FundsCheck::Sufficient { remaining } => {
                format!("SUFFICIENT: {remaining} left after the transaction")
            }
            FundsCheck::Insufficient { shortage } => {
                format!("INSUFFICIENT: top up at least {shortage} first")
            }
        };
        let opt = |d: Option<Decimal>| d.map(|d| d.to_string()).unwrap_or_default().into();
        Table::record(
            vec![
                left("CARD ID", "card_id"),
                left("CARD NUMBER", "card_number"),
                right("AVAILABLE", "available_balance"),
                right("AMOUNT", "amount"),
                left("SUFFICIENT", "sufficient"),
                right("REMAINING", "remaining"),
                right("SHORTAGE", "shortage"),
                left("RESULT", "result"),
            ],
            vec![
                out.card_id.to_string().into(),
                out.card.card_number.to_string().into(),
                out.card.available_balance.to_string().into(),
                out.amount.to_string().into(),
                sufficient.to_string().into(),
                opt(out.check.remaining()),
                opt(out.check.shortage()),
                output::Cell::new(verdict, if sufficient { "ok" } else { "insufficient" }),
            ],
        )
    })?;
    Ok(if sufficient {
        Status::Ok
    } else {
        Status::Finding
    })
}

async fn report(
    ctx: &Context,
    card_ids: Vec<String>,
    thresholds: CardAlertThresholds,
) -> CliResult {
    let client = ctx.client()?;
    let ids = ids(card_ids);
    let results = fetch_balances(client.issuing()?, &ids).await;
    let (ok, failed) = split_results(ctx, results)?;
    let report = card_report(&ok, thresholds);
    let alerts = report.alert_count();
    let cards_table = || {
        let mut table = Table::new(vec![
            left("CARD ID", "card_id"),
            left("CARD NUMBER", "card_number"),
            right("AVAILABLE", "available_balance"),
            left("RANGE", "range"),
            left("ALERT LEVEL", "alert_level"),
        ]);
        for c in &report.cards {
            table.push(vec![
                c.card_id.to_string().into(),
                c.balance.card_number.to_string().into(),
                c.balance.available_balance.to_string().into(),
                c.range.label().into(),
                c.alert_level.as_str().into(),
            ]);
        }
        table
    };
    match ctx.format() {
        OutputFormat::Json | OutputFormat::Csv => output::emit(ctx.format(), &report, cards_table)?,
        OutputFormat::Table => {
            let d = &report.distribution;
            let mut text = format!(
                "Cards (alert levels: CRITICAL at or below {}, WARNING at or below {}, LOW at or \
                 below {})\n",
                report.thresholds.critical, report.thresholds.warning, report.thresholds.low
            );
            text.push_str(&cards_table().render());
            text.push_str("\nDistribution\n");
            let mut buckets = Table::new(vec![
                left("RANGE", "range"),
                right("CARDS", "count"),
                right("TOTAL", "total"),
            ]);
            for b in &d.buckets {
                buckets.push(vec![
                    b.bucket.label().into(),
                    b.count.to_string().into(),
                    b.total.to_string().into(),
                ]);
            }
            text.push_str(&buckets.render());
            let dash = |v: &Option<Decimal>| v.map_or_else(|| "-".to_owned(), |d| d.to_string());
            text.push_str(&format!(
                "\n{} card{}, total {}{}, average {}, min {}, max {}; {alerts} need{} an alert\n",
                d.count,
                if d.count == 1 { "" } else { "s" },
                d.total,
                if d.total_saturated {
                    " (saturated)"
                } else {
                    ""
                },
                dash(&d.average),
                dash(&d.min),
                dash(&d.max),
                if alerts == 1 { "s" } else { "" },
            ));
            output::print(&text)?;
        }
    }
    Ok(match failed {
        Some(status) => status,
        None if alerts > 0 => Status::Finding,
        None => Status::Ok,
    })
}
