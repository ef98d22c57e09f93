//! `ahrvo cards balance | check-funds | report` (Dedicated Funds Cards, Issuing).

use ahrvo::issuing::analysis::{
    BalanceBucket, CardAlertLevel, CardAlertThresholds, Distribution, FundsCheck,
    card_balance_distribution, check_funds, classify_card,
};
use ahrvo::issuing::{CardBatchOptions, IssuingClient};
use ahrvo::types::{CardBalance, CardId};
use ahrvo::{Decimal, Error, ErrorKind};
use serde::Serialize;

use crate::Context;
use crate::cli::{CardsCommand, OutputFormat};
use crate::exit::{CliError, CliResult, Status};
use crate::output::{self, Progress, Table, left, right};

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

/// The balance of every card, in the order given, fetched with the SDK's bounded-concurrency
/// batch; a progress line on stderr when it is a terminal.
pub async fn fetch_balances(
    client: &IssuingClient,
    card_ids: &[CardId],
) -> Vec<(CardId, Result<CardBalance, Error>)> {
    let mut slots: Vec<Option<Result<CardBalance, Error>>> =
        card_ids.iter().map(|_| None).collect();
    let mut progress = Progress::new("Fetching card balances", card_ids.len());
    let mut stream = client.get_card_balances(card_ids.iter(), CardBatchOptions::default());
    while let Some(done) = stream.next().await {
        progress.tick();
        // An id given twice is queried twice: fill its first empty slot.
        let slot = card_ids
            .iter()
            .zip(slots.iter_mut())
            .find(|(id, slot)| **id == done.card_id && slot.is_none())
            .map(|(_, slot)| slot);
        if let Some(slot) = slot {
            *slot = Some(done.result);
        }
    }
    drop(progress);
    card_ids
        .iter()
        .cloned()
        .zip(slots)
        .map(|(id, slot)| {
            let result = slot.unwrap_or_else(|| {
                Err(Error::new(
                    ErrorKind::Transport,
                    "no result came back for this card",
                ))
            });
            (id, result)
        })
        .collect()
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
        output::note(&format!("error: card {id}: {e}"));
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

async fn balance(ctx: &Context, card_ids: Vec<String>) -> CliResult {
    let client = ctx.client()?;
    let ids = ids(card_ids);
    let results = fetch_balances(client.issuing()?, &ids).await;
    let (ok, failed) = split_results(results)?;
    let out: Vec<CardOut<'_>> = ok
        .iter()
        .map(|(card_id, balance)| CardOut { card_id, balance })
        .collect();
    if !ok.is_empty() || ctx.format() != OutputFormat::Table {
        output::emit(ctx.format(), &out, || {
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

/// The outcome of `cards check-funds`, decimals as strings with their scale.
#[derive(Debug, Serialize)]
struct FundsOut {
    card_id: String,
    card_number: String,
    available_balance: String,
    amount: String,
    sufficient: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    remaining: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    shortage: Option<String>,
}

async fn check(ctx: &Context, card_id: String, amount: Decimal) -> CliResult {
    let client = ctx.client()?;
    let card = client.issuing()?.get_card_balance(card_id.as_str()).await?;
    let verdict = check_funds(card.available_balance, amount)?;
    let (remaining, shortage) = match verdict {
        FundsCheck::Sufficient { remaining } => (Some(remaining.to_string()), None),
        FundsCheck::Insufficient { shortage } => (None, Some(shortage.to_string())),
    };
    let out = FundsOut {
        card_id,
        card_number: card.card_number.to_string(),
        available_balance: card.available_balance.to_string(),
        amount: amount.to_string(),
        sufficient: verdict.is_sufficient(),
        remaining,
        shortage,
    };
    output::emit(ctx.format(), &out, || {
        let verdict = match (&out.remaining, &out.shortage) {
            (Some(r), _) => format!("SUFFICIENT: {r} left after the transaction"),
            (_, Some(s)) => format!("INSUFFICIENT: top up at least {s} first"),
            _ => String::new(),
        };
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
                out.card_id.clone().into(),
                out.card_number.clone().into(),
                out.available_balance.clone().into(),
                out.amount.clone().into(),
                out.sufficient.to_string().into(),
                out.remaining.clone().unwrap_or_default().into(),
                out.shortage.clone().unwrap_or_default().into(),
                output::Cell::new(verdict, if out.sufficient { "ok" } else { "insufficient" }),
            ],
        )
    })?;
    Ok(if out.sufficient {
        Status::Ok
    } else {
        Status::Finding
    })
}

/// One card of `cards report`.
#[derive(Debug, Serialize)]
struct ReportCard<'a> {
    card_id: &'a CardId,
    #[serde(flatten)]
    balance: &'a CardBalance,
    range: &'static str,
    alert_level: &'static str,
    alert: bool,
}

/// One range of the distribution.
#[derive(Debug, Serialize)]
struct ReportBucket {
    range: &'static str,
    count: usize,
    total: String,
}

/// The statistics of `cards report`.
#[derive(Debug, Serialize)]
struct ReportDistribution {
    count: usize,
    total: String,
    total_saturated: bool,
    average: Option<String>,
    min: Option<String>,
    max: Option<String>,
    buckets: Vec<ReportBucket>,
}

/// The thresholds used.
#[derive(Debug, Serialize)]
struct ReportThresholds {
    critical: String,
    warning: String,
    low: String,
}

/// The whole of `cards report --output json`.
#[derive(Debug, Serialize)]
struct Report<'a> {
    thresholds: ReportThresholds,
    distribution: ReportDistribution,
    cards: Vec<ReportCard<'a>>,
}

fn opt(d: Option<Decimal>) -> Option<String> {
    d.map(|d| d.to_string())
}

fn distribution_out(d: &Distribution) -> ReportDistribution {
    ReportDistribution {
        count: d.count,
        total: output::sum_text(d.total),
        total_saturated: d.total_saturated,
        average: opt(d.average),
        min: opt(d.min),
        max: opt(d.max),
        buckets: d
            .buckets
            .iter()
            .map(|b| ReportBucket {
                range: b.bucket.label(),
                count: b.count,
                total: output::sum_text(b.total),
            })
            .collect(),
    }
}

async fn report(
    ctx: &Context,
    card_ids: Vec<String>,
    thresholds: CardAlertThresholds,
) -> CliResult {
    let client = ctx.client()?;
    let ids = ids(card_ids);
    let results = fetch_balances(client.issuing()?, &ids).await;
    let (ok, failed) = split_results(results)?;
    let distribution = card_balance_distribution(&ok);
    let levels: Vec<CardAlertLevel> = ok
        .iter()
        .map(|(_, b)| classify_card(b.available_balance, &thresholds))
        .collect();
    let cards: Vec<ReportCard<'_>> = ok
        .iter()
        .zip(&levels)
        .map(|((card_id, balance), level)| ReportCard {
            card_id,
            balance,
            range: BalanceBucket::of(balance.available_balance).label(),
            alert_level: level.as_str(),
            alert: level.needs_alert(),
        })
        .collect();
    let alerts = levels.iter().filter(|l| l.needs_alert()).count();
    let report = Report {
        thresholds: ReportThresholds {
            critical: thresholds.critical.to_string(),
            warning: thresholds.warning.to_string(),
            low: thresholds.low.to_string(),
        },
        distribution: distribution_out(&distribution),
        cards,
    };
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
                c.range.into(),
                c.alert_level.into(),
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
                    b.range.into(),
                    b.count.to_string().into(),
                    b.total.clone().into(),
                ]);
            }
            text.push_str(&buckets.render());
            let dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".to_owned());
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
