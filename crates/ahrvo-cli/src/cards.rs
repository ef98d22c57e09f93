//! `ahrvo cards balance | check-funds | report` (Dedicated Funds Cards, Issuing); `top-up`
//! ([`crate::top_ups`]), `list`, `funding-orders`, `products` ([`crate::lists`]) and
//! `auto-top-up` ([`crate::auto_top_up`]).

use ahrvo::Decimal;
use ahrvo::issuing::IssuingClient;
use ahrvo::issuing::operations::GET_CARD_BALANCE;
use ahrvo::reports::issuing::{CardAlertThresholds, FundsCheck, card_report, check_card_funds};
use ahrvo::transport::ApiRequest;
use ahrvo::types::{CardBalance, CardId};
use serde::Serialize;

use crate::bulk::input::Ids;
use crate::bulk::{self, Done, ErrorOut, Outcome, Rows, Style, run};
use crate::cli::{BulkArgs, CardsCommand, OutputFormat};
use crate::exit::{CliError, CliResult, Status};
use crate::output::{self, Cell, Table, left, right};
use crate::{Context, raw};

/// Runs a `cards` subcommand.
pub async fn run(ctx: &Context, command: CardsCommand) -> CliResult {
    match command {
        CardsCommand::Balance { card_ids, bulk } => balance(ctx, card_ids, bulk).await,
        CardsCommand::CheckFunds { card_id, amount } => check(ctx, card_id, amount).await,
        CardsCommand::Report {
            card_ids,
            bulk,
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
            report(ctx, card_ids, bulk, thresholds).await
        }
        CardsCommand::TopUp {
            card_id,
            amount,
            order_id,
        } => crate::top_ups::top_up_card(ctx, &card_id, amount, order_id).await,
        CardsCommand::List(args) => crate::lists::cards(ctx, args).await,
        CardsCommand::FundingOrders(args) => crate::lists::funding_orders(ctx, args).await,
        CardsCommand::Products => crate::lists::products(ctx).await,
        CardsCommand::AutoTopUp(args) => crate::auto_top_up::run(ctx, args).await,
    }
}

/// The number of ids given as arguments, when they are all the input (for the progress bar).
fn known_total(card_ids: &[String], bulk: &BulkArgs) -> Option<u64> {
    (bulk.input.from_file.is_none() && !card_ids.iter().any(|a| a == "-"))
        .then_some(card_ids.len() as u64)
}

/// The URL `-o json` recorded the reply of a card's balance under.
fn card_url(issuing: &IssuingClient, id: &str) -> Option<String> {
    raw::url(
        issuing.base_url(),
        ApiRequest::new(GET_CARD_BALANCE).query_id("card_id", id),
    )
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
fn card_json(reply: Option<bytes::Bytes>, id: &CardId, b: &CardBalance) -> String {
    reply
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

/// The error columns every bulk table ends with: the kind, and the message.
fn error_cells(error: Option<&ErrorOut>) -> [Cell; 2] {
    match error {
        None => ["".into(), "".into()],
        Some(e) => e.cells(),
    }
}

/// The table and CSV columns of `cards balance`.
fn balance_columns() -> Vec<output::Column> {
    vec![
        left("CARD ID", "card_id"),
        left("CARD NUMBER", "card_number"),
        right("AVAILABLE", "available_balance"),
        left("ERROR", "error_kind"),
        left("MESSAGE", "error"),
    ]
}

/// Queries every card through the bulk runner and hands each result to `each` in input order.
async fn each_card<S>(
    ctx: &Context,
    card_ids: Vec<String>,
    bulk: &BulkArgs,
    shared_out: &mut Option<std::sync::Arc<bulk::Shared>>,
    mut each: S,
) -> Result<bulk::End, CliError>
where
    S: FnMut(&IssuingClient, Done<CardBalance>) -> Result<bulk::Flow, CliError>,
{
    let total = known_total(&card_ids, bulk);
    let ids = Ids::new(card_ids, &bulk.input, "card ids")?;
    let (client, shared) = bulk::start(ctx, &bulk.run, None)?;
    *shared_out = Some(shared.clone());
    let issuing = client.issuing()?.clone();
    let query = issuing.clone();
    run::run(
        ids,
        bulk::options(&bulk.run, total),
        &shared,
        move |entry| {
            let client = query.clone();
            let id = CardId::from(entry.id.clone());
            async move { client.get_card_balance(id).await }
        },
        |done| each(&issuing, done),
    )
    .await
}

/// The balance of every card of `ids`, in that order, through the bulk runner (concurrency,
/// rate, progress, early stop and Ctrl-C of `bulk`); a malformed id comes back as a validation
/// error. For commands that need them all at once (`reconcile`).
pub async fn fetch_balances(
    ctx: &Context,
    ids: Vec<String>,
    run_args: &crate::cli::RunArgs,
) -> Result<
    (
        Vec<(CardId, Result<CardBalance, ahrvo::Error>)>,
        std::sync::Arc<bulk::Shared>,
    ),
    CliError,
> {
    let bulk = BulkArgs {
        input: crate::cli::InputArgs {
            from_file: None,
            column: None,
        },
        run: run_args.clone(),
    };
    let mut out = Vec::with_capacity(ids.len());
    let mut shared = None;
    let none = ids.is_empty();
    if !none {
        each_card(ctx, ids, &bulk, &mut shared, |_, done| {
            let id = CardId::from(done.entry.id);
            out.push(match done.outcome {
                Outcome::Ok(b) => (id, Ok(b)),
                Outcome::Failed(e) => (id, Err(e)),
                Outcome::Invalid(why) => (id, Err(ahrvo::Error::validation(why))),
            });
            Ok(bulk::Flow::Continue)
        })
        .await?;
    }
    let shared = match shared {
        Some(shared) => shared,
        None => bulk::start(ctx, run_args, None)?.1,
    };
    Ok((out, shared))
}

async fn balance(ctx: &Context, card_ids: Vec<String>, bulk: BulkArgs) -> CliResult {
    let mut rows = Rows::new(ctx.format(), balance_columns());
    let mut shared = None;
    let end = each_card(ctx, card_ids, &bulk, &mut shared, |issuing, done| {
        let reply = ctx.take_reply(card_url(issuing, &done.entry.id).as_deref());
        let error = ErrorOut::of_outcome(ctx, &done);
        let id = CardId::from(done.entry.id.clone());
        match (&done.outcome, error) {
            (Outcome::Ok(b), _) => {
                let [kind, message] = error_cells(None);
                rows.push(
                    vec![
                        id.to_string().into(),
                        b.card_number.to_string().into(),
                        b.available_balance.to_string().into(),
                        kind,
                        message,
                    ],
                    &card_json(reply, &id, b),
                    Style::Plain,
                )
            }
            (_, error) => {
                let error = error.unwrap_or_else(|| ErrorOut::invalid(&done.entry, ""));
                let json = bulk::error_json("card_id", id.as_str(), &error);
                let [kind, message] = error_cells(Some(&error));
                rows.push(
                    vec![id.to_string().into(), "".into(), "".into(), kind, message],
                    &json,
                    Style::Alert,
                )
            }
        }
    })
    .await?;
    match shared {
        Some(shared) => bulk::finish(&shared, end, &mut rows),
        None => Ok(Status::Ok),
    }
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

/// A card the report could not include, as its JSON lists it.
#[derive(Debug, Serialize)]
struct FailedCard {
    card_id: String,
    error: ErrorOut,
}

/// The report's JSON: the report's own fields, and the cards that failed.
#[derive(Debug, Serialize)]
struct ReportOut<'a, T: Serialize> {
    #[serde(flatten)]
    report: &'a T,
    #[serde(skip_serializing_if = "<[FailedCard]>::is_empty")]
    failed: &'a [FailedCard],
}

async fn report(
    ctx: &Context,
    card_ids: Vec<String>,
    bulk: BulkArgs,
    thresholds: CardAlertThresholds,
) -> CliResult {
    let mut ok = Vec::new();
    let mut failed: Vec<FailedCard> = Vec::new();
    let mut shared = None;
    // A report is of all the cards: it keeps each card's balance (not its reply).
    let end = each_card(ctx, card_ids, &bulk, &mut shared, |issuing, done| {
        let _ = ctx.take_reply(card_url(issuing, &done.entry.id).as_deref());
        let error = ErrorOut::of_outcome(ctx, &done);
        match (done.outcome, error) {
            (Outcome::Ok(b), _) => ok.push((CardId::from(done.entry.id), b)),
            (_, Some(error)) => failed.push(FailedCard {
                card_id: done.entry.id,
                error,
            }),
            (_, None) => {}
        }
        Ok(bulk::Flow::Continue)
    })
    .await?;
    let Some(shared) = shared else {
        return Ok(Status::Ok);
    };
    let report = card_report(&ok, thresholds);
    let alerts = report.alert_count();
    let cards_table = || {
        let mut table = Table::new(vec![
            left("CARD ID", "card_id"),
            left("CARD NUMBER", "card_number"),
            right("AVAILABLE", "available_balance"),
            left("RANGE", "range"),
            left("ALERT LEVEL", "alert_level"),
            left("ERROR", "error_kind"),
            left("MESSAGE", "error"),
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
        for f in &failed {
            let [kind, message] = error_cells(Some(&f.error));
            table.push(vec![
                f.card_id.clone().into(),
                "".into(),
                "".into(),
                "".into(),
                "".into(),
                kind,
                message,
            ]);
        }
        table
    };
    let out = ReportOut {
        report: &report,
        failed: &failed,
    };
    match ctx.format() {
        OutputFormat::Json | OutputFormat::Jsonl | OutputFormat::Csv => {
            output::emit(ctx.format(), &out, cards_table)?
        }
        OutputFormat::Table => {
            let d = &report.distribution;
            let mut text = format!(
                "Cards (alert levels: CRITICAL at or below {}, WARNING at or below {}, LOW at or \
                 below {})\n",
                report.thresholds.critical, report.thresholds.warning, report.thresholds.low
            );
            text.push_str(&paint_levels(&cards_table().render()));
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
    if end == bulk::End::Closed {
        return Ok(shared.summary().status());
    }
    shared.print("summary");
    Ok(bulk::with_finding(shared.summary().status(), alerts > 0))
}

/// The report's table with its rows coloured on a terminal (`NO_COLOR` unset): CRITICAL and
/// failed cards red, WARNING yellow.
fn paint_levels(text: &str) -> String {
    if !output::color_stdout() {
        return text.to_owned();
    }
    text.lines()
        .enumerate()
        .map(|(i, line)| {
            let level = ["CRITICAL", "WARNING", "LOW", "NORMAL"]
                .into_iter()
                .find(|level| line.contains(level));
            let sgr = match level {
                _ if i < 2 => None,
                Some("CRITICAL") | None => Some("31"),
                Some("WARNING") => Some("33"),
                Some(_) => None,
            };
            match sgr {
                Some(sgr) => format!("\x1b[{sgr}m{line}\x1b[0m\n"),
                None => format!("{line}\n"),
            }
        })
        .collect()
}
