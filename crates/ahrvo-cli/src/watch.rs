//! `ahrvo watch budgets` and `ahrvo watch cards`: poll balances and print what changed.
//!
//! `watch budgets`: each poll's changes come from the reports' `diff_budgets`. Output is a
//! stream, one event per line: in table format a readable line per change (after the starting
//! balances as a table); in JSON one compact object per line (NDJSON: the change as the report
//! serializes it, with `at` and `alert`); in CSV a header then one row per event. The first poll
//! reports every budget as a `snapshot` event.
//!
//! `watch cards`: the same for the Dedicated Funds Cards given as arguments, with
//! `--from-file` or on stdin (read once, at the start); every poll queries them through the bulk
//! runner (`--concurrency`, `--rate`). See [`cards`] for its events and exit status.

use std::pin::pin;
use std::time::Duration;

use ahrvo::reports::issuing::{BudgetChange, diff_budgets};
use ahrvo::types::{BudgetBalance, Timestamp};
use ahrvo::{Decimal, IssuingClient};
use serde::Serialize;

use crate::Context;
use crate::budgets::budget_table;
use crate::bulk::input::Ids;
use crate::bulk::summary::Summary;
use crate::bulk::{self, Done, End, ErrorOut, Flow, Outcome, Shared, run};
use crate::cli::{OutputFormat, WatchBudgetsArgs, WatchCardsArgs, WatchCommand};
use crate::exit::{CliError, CliResult, Status};
use crate::output::{self, Cell, Table, escape, left, right};

/// Runs a `watch` subcommand.
pub async fn run(ctx: &Context, command: WatchCommand) -> CliResult {
    match command {
        WatchCommand::Budgets(args) => budgets(ctx, args).await,
        WatchCommand::Cards(args) => cards(ctx, args).await,
    }
}

/// One line of the stream: when, what, and whether it alerts. Not a copy of the report: the
/// change is the report's own [`BudgetChange`], serialized by it.
#[derive(Debug, Serialize)]
struct Event<'a> {
    at: &'a str,
    #[serde(flatten)]
    what: What<'a>,
    alert: bool,
}

/// A budget as the first poll listed it, or a change between two polls.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum What<'a> {
    /// `{"event": "snapshot", ...the API's fields}`.
    Snapshot {
        event: &'static str,
        #[serde(flatten)]
        budget: &'a BudgetBalance,
    },
    /// As [`BudgetChange`] serializes itself.
    Change(&'a BudgetChange),
}

impl What<'_> {
    fn event(&self) -> &'static str {
        match self {
            What::Snapshot { event, .. } => event,
            What::Change(c) => c.event(),
        }
    }

    fn budget(&self) -> &BudgetBalance {
        match self {
            What::Snapshot { budget, .. } => budget,
            What::Change(c) => c.budget(),
        }
    }

    /// (previous balance, balance, delta).
    fn amounts(&self) -> (Option<Decimal>, Option<Decimal>, Option<Decimal>) {
        match self {
            What::Snapshot { budget, .. } => (None, Some(budget.balance), None),
            What::Change(c) => (c.previous_balance(), c.balance(), c.delta()),
        }
    }
}

/// The CSV columns of the stream (amounts numeric: a delta's sign is kept, never guarded).
fn csv_table() -> Table {
    Table::new(vec![
        left("AT", "at"),
        left("EVENT", "event"),
        left("BUDGET ID", "budget_id"),
        left("NAME", "budget_name"),
        left("CURRENCY", "currency"),
        right("PREVIOUS", "previous_balance"),
        right("BALANCE", "balance"),
        right("DELTA", "delta"),
        left("ALERT", "alert"),
    ])
}

/// `+12.50`, `-3.00`, `0.00`.
pub(crate) fn signed(d: Decimal) -> String {
    if d.is_sign_positive() && !d.is_zero() {
        format!("+{d}")
    } else {
        d.to_string()
    }
}

fn snapshot_event<'a>(at: &'a str, budget: &'a BudgetBalance) -> Event<'a> {
    Event {
        at,
        what: What::Snapshot {
            event: "snapshot",
            budget,
        },
        alert: false,
    }
}

/// The event of one change; `alert_change` marks a balance moving by strictly more.
fn change_event<'a>(
    at: &'a str,
    change: &'a BudgetChange,
    alert_change: Option<Decimal>,
) -> Event<'a> {
    let delta = change.delta();
    Event {
        at,
        what: What::Change(change),
        alert: matches!((delta, alert_change), (Some(d), Some(limit)) if d.abs() > limit),
    }
}

/// A readable line for table format.
fn text_line(e: &Event<'_>) -> String {
    let at = short_time(e.at);
    let budget = e.what.budget();
    let (previous, balance, delta) = e.what.amounts();
    let amount = |v: Option<Decimal>| v.map(|d| d.to_string()).unwrap_or_default();
    let currency = budget.currency;
    let what = match e.what.event() {
        "added" => format!("{} {currency}", amount(balance)),
        "removed" => format!("was {} {currency}", amount(previous)),
        _ => format!(
            "{} -> {} {currency} ({})",
            amount(previous),
            amount(balance),
            delta.map(signed).unwrap_or_default()
        ),
    };
    let alert = if e.alert { "  ALERT" } else { "" };
    format!(
        "{at}  {:<8} {}  {}  {}{alert}\n",
        e.what.event().to_ascii_uppercase(),
        escape(budget.budget_id.as_str()),
        escape(&budget.budget_name),
        escape(&what),
    )
}

/// One CSV row: the amounts as written in tables (a delta with its sign).
fn csv_row(e: &Event<'_>) -> [String; 9] {
    let budget = e.what.budget();
    let (previous, balance, delta) = e.what.amounts();
    let amount = |v: Option<Decimal>| v.map(|d| d.to_string()).unwrap_or_default();
    [
        e.at.to_owned(),
        e.what.event().to_owned(),
        budget.budget_id.to_string(),
        budget.budget_name.clone(),
        budget.currency.to_string(),
        amount(previous),
        amount(balance),
        delta.map(signed).unwrap_or_default(),
        e.alert.to_string(),
    ]
}

/// `2026-01-02T03:04:05.123456Z` → `2026-01-02T03:04:05Z`.
pub(crate) fn short_time(at: &str) -> String {
    match at.split_once('.') {
        Some((secs, _)) => format!("{secs}Z"),
        None => at.to_owned(),
    }
}

/// Prints events in the chosen format.
fn emit(format: OutputFormat, events: &[Event<'_>]) -> Result<(), CliError> {
    let text = match format {
        OutputFormat::Table => events.iter().map(text_line).collect(),
        OutputFormat::Json | OutputFormat::Jsonl => {
            let mut text = String::new();
            for e in events {
                text.push_str(&output::json_text(&output::compact_json(e)?, false));
                text.push('\n');
            }
            text
        }
        OutputFormat::Csv => {
            let mut table = csv_table();
            for e in events {
                table.push(csv_row(e).into_iter().map(Cell::from).collect());
            }
            table.csv(false)
        }
    };
    output::print(&text)
}

/// What a poll that failed means: the first poll's failure, or a failure that retrying cannot
/// fix (credentials, a bad request), ends the watch; a transient one (network, 5xx, 429) is
/// reported on stderr and the next poll tries again.
async fn poll(
    ctx: &Context,
    client: &IssuingClient,
    first: bool,
) -> Result<Option<Vec<BudgetBalance>>, CliError> {
    match client.list_budget_balances().await {
        Ok(budgets) => Ok(Some(budgets)),
        Err(e) if !first && e.is_retryable() => {
            output::note(&format!(
                "warning: {} (trying again at the next poll)",
                ctx.describe_api(&e)
            ));
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

/// Polls until `--count` polls are done or Ctrl-C; exit 1 if any change exceeded
/// `--alert-change`.
async fn budgets(ctx: &Context, args: WatchBudgetsArgs) -> CliResult {
    let client = ctx.client()?;
    let issuing = client.issuing()?;
    let format = ctx.format();
    let mut stop = pin!(tokio::signal::ctrl_c());
    let mut previous: Option<Vec<BudgetBalance>> = None;
    let mut alerts = 0_u64;
    let mut polls = 0_u64;
    if format == OutputFormat::Csv {
        output::print(&csv_table().csv(true))?;
    }
    loop {
        let current = tokio::select! {
            r = poll(ctx, issuing, previous.is_none()) => r?,
            _ = &mut stop => break,
        };
        polls = polls.saturating_add(1);
        let at = Timestamp::now().to_string();
        if let Some(current) = current {
            match &previous {
                None => {
                    if format == OutputFormat::Table {
                        output::print(&format!(
                            "{}  watching {} budget accounts every {}{} (Ctrl-C to stop)\n{}",
                            short_time(&at),
                            current.len(),
                            show_duration(args.interval),
                            args.alert_change
                                .map(|n| format!(", alert on a change above {n}"))
                                .unwrap_or_default(),
                            budget_table(&current).render()
                        ))?;
                    } else {
                        let events: Vec<Event<'_>> =
                            current.iter().map(|b| snapshot_event(&at, b)).collect();
                        emit(format, &events)?;
                    }
                }
                Some(before) => {
                    let changes = diff_budgets(before, &current);
                    let events: Vec<Event<'_>> = changes
                        .iter()
                        .map(|c| change_event(&at, c, args.alert_change))
                        .collect();
                    let new_alerts = events.iter().filter(|e| e.alert).count();
                    alerts = alerts.saturating_add(u64::try_from(new_alerts).unwrap_or(u64::MAX));
                    emit(format, &events)?;
                }
            }
            previous = Some(current);
        }
        if args.count.is_some_and(|k| polls >= k) {
            break;
        }
        tokio::select! {
            () = tokio::time::sleep(args.interval) => {}
            _ = &mut stop => break,
        }
    }
    Ok(if alerts > 0 {
        Status::Finding
    } else {
        Status::Ok
    })
}

/// `300s` → `5m`, `1500ms` → `1s500ms`, `5400s` → `1h30m`: `humantime`'s form, one word, as
/// `--interval` reads it.
pub(crate) fn show_duration(d: Duration) -> String {
    humantime::format_duration(d).to_string().replace(' ', "")
}

// ---------------------------------------------------------------------------------------------
// watch cards
// ---------------------------------------------------------------------------------------------

/// What a watched card was at its last poll.
#[derive(Debug, Default)]
struct Watched {
    /// Its number and balance, once a poll returned them.
    balance: Option<(String, Decimal)>,
    /// The message of the failure last reported as an `error` event (not reported again while
    /// the card keeps failing the same way).
    error: Option<String>,
}

/// One line of `watch cards`' stream.
#[derive(Debug, Serialize)]
struct CardEvent {
    at: String,
    /// `snapshot` (a card's first balance), `changed`, or `error`.
    event: &'static str,
    card_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    card_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    previous_balance: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    available_balance: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    delta: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<ErrorOut>,
    alert: bool,
}

/// The CSV columns of `watch cards` (amounts numeric: a delta keeps its sign).
fn card_csv_table() -> Table {
    Table::new(vec![
        left("AT", "at"),
        left("EVENT", "event"),
        left("CARD ID", "card_id"),
        left("CARD NUMBER", "card_number"),
        right("PREVIOUS", "previous_balance"),
        right("AVAILABLE", "available_balance"),
        right("DELTA", "delta"),
        left("ALERT", "alert"),
        left("ERROR", "error_kind"),
        left("MESSAGE", "error"),
    ])
}

impl CardEvent {
    fn csv_row(&self) -> Vec<Cell> {
        let text = |v: &Option<String>| Cell::from(v.clone().unwrap_or_default());
        vec![
            self.at.clone().into(),
            self.event.into(),
            self.card_id.clone().into(),
            text(&self.card_number),
            text(&self.previous_balance),
            text(&self.available_balance),
            text(&self.delta),
            self.alert.to_string().into(),
            text(&self.error.as_ref().map(|e| e.kind.clone())),
            text(&self.error.as_ref().map(|e| e.message.clone())),
        ]
    }

    /// A readable line (table format).
    fn text_line(&self) -> String {
        let at = short_time(&self.at);
        let number = self.card_number.as_deref().unwrap_or_default();
        let amount = |v: &Option<String>| v.clone().unwrap_or_default();
        let currency = crate::cli::CARD_CURRENCY;
        let what = match (self.event, &self.error) {
            (_, Some(e)) => format!("{}: {}", e.label(), e.message),
            ("snapshot", None) => {
                format!("{number}  {} {currency}", amount(&self.available_balance))
            }
            _ => format!(
                "{number}  {} -> {} {currency} ({})",
                amount(&self.previous_balance),
                amount(&self.available_balance),
                amount(&self.delta),
            ),
        };
        let alert = if self.alert { "  ALERT" } else { "" };
        format!(
            "{at}  {:<8} {}  {}{alert}\n",
            self.event.to_ascii_uppercase(),
            escape(&self.card_id),
            escape(&what),
        )
    }
}

/// Prints card events in the chosen format (JSON and JSON Lines alike: one object per line).
fn emit_cards(format: OutputFormat, events: &[CardEvent]) -> Result<(), CliError> {
    if events.is_empty() {
        return Ok(());
    }
    let text = match format {
        OutputFormat::Table => events.iter().map(CardEvent::text_line).collect(),
        OutputFormat::Json | OutputFormat::Jsonl => {
            let mut text = String::new();
            for e in events {
                text.push_str(&output::json_text(&output::compact_json(e)?, false));
                text.push('\n');
            }
            text
        }
        OutputFormat::Csv => {
            let mut table = card_csv_table();
            for e in events {
                table.push(e.csv_row());
            }
            table.csv(false)
        }
    };
    output::print(&text)
}

/// The first poll's cards as a table: CARD ID, CARD NUMBER, AVAILABLE (failed cards follow as
/// `ERROR` lines).
fn card_snapshot_table(events: &[CardEvent]) -> String {
    let mut table = Table::new(vec![
        left("CARD ID", "card_id"),
        left("CARD NUMBER", "card_number"),
        right("AVAILABLE", "available_balance"),
    ]);
    for e in events.iter().filter(|e| e.error.is_none()) {
        table.push(vec![
            e.card_id.clone().into(),
            e.card_number.clone().unwrap_or_default().into(),
            e.available_balance.clone().unwrap_or_default().into(),
        ]);
    }
    table.render()
}

/// What one item of a poll means for its card: an event to print, or nothing (no change, or a
/// transient failure, counted in `transient` for the poll's one warning).
fn card_event(
    ctx: &Context,
    at: &str,
    watched: &mut Watched,
    done: &Done<ahrvo::types::CardBalance>,
    alert_change: Option<Decimal>,
    transient: &mut Vec<String>,
) -> Option<CardEvent> {
    let event = |event: &'static str| CardEvent {
        at: at.to_owned(),
        event,
        card_id: done.entry.id.clone(),
        card_number: None,
        previous_balance: None,
        available_balance: None,
        delta: None,
        error: None,
        alert: false,
    };
    match &done.outcome {
        Outcome::Ok(b) => {
            watched.error = None;
            let number = b.card_number.to_string();
            let now = b.available_balance;
            let before = watched.balance.replace((number.clone(), now));
            let mut e = match before {
                None => event("snapshot"),
                Some((_, previous)) if previous == now => return None,
                Some((_, previous)) => {
                    let delta = now - previous;
                    let mut e = event("changed");
                    e.previous_balance = Some(previous.to_string());
                    e.delta = Some(signed(delta));
                    e.alert = alert_change.is_some_and(|limit| delta.abs() > limit);
                    e
                }
            };
            e.card_number = Some(number);
            e.available_balance = Some(now.to_string());
            Some(e)
        }
        Outcome::Failed(err) if err.is_retryable() => {
            transient.push(format!("{}: {}", done.entry.id, ctx.describe_api(err)));
            None
        }
        Outcome::Failed(_) | Outcome::Invalid(_) => {
            let error = ErrorOut::of_outcome(ctx, done)?;
            if watched.error.as_deref() == Some(error.message.as_str()) {
                return None;
            }
            watched.error = Some(error.message.clone());
            let mut e = event("error");
            e.error = Some(error);
            Some(e)
        }
    }
}

/// `ahrvo watch cards`: polls the balances of the cards until `--count` polls are done or
/// Ctrl-C, and prints each change.
///
/// - The ids are read once (arguments, `--from-file`, stdin; blanks, comments and duplicates
///   skipped), then every poll queries them all through the bulk runner, at most
///   `--concurrency` at once and `--rate` per second.
/// - Events: `snapshot` (a card's first balance: every card at the first poll), `changed` (with
///   `previous_balance` and a signed `delta`; `alert` when it moved by strictly more than
///   `--alert-change`), `error` (a card that cannot be read: not found, not a Dedicated Funds
///   Card, a malformed id; reported once, again only when its error changes).
/// - A transient failure (network, 5xx, 429) is one warning on stderr per poll, and the next
///   poll tries again; a first poll that reads no card at all because of one ends the watch.
///   Credentials refused end it at once (exit 3).
/// - Exit: 1 if a change exceeded `--alert-change`; the worst `error` event's status (2 a
///   malformed id, 4 not found, 5 other) wins over it; else 0 (Ctrl-C included).
async fn cards(ctx: &Context, args: WatchCardsArgs) -> CliResult {
    use std::collections::HashMap;

    // The ids, once: a watch polls them again and again.
    let mut ids: Vec<String> = Vec::new();
    for entry in Ids::new(args.card_ids.clone(), &args.bulk.input, "card ids")? {
        ids.push(entry?.id);
    }
    let (client, limiter) = ctx.limited_client(args.bulk.run.rate)?;
    let shared = Shared::new(limiter, true);
    let issuing = client.issuing()?.clone();
    let format = ctx.format();
    let mut watched: HashMap<String, Watched> = HashMap::with_capacity(ids.len());
    let mut stop = pin!(tokio::signal::ctrl_c());
    let mut alerts = 0_u64;
    let mut failures = Summary::default();
    let mut polls = 0_u64;
    if format == OutputFormat::Csv {
        output::print(&card_csv_table().csv(true))?;
    }
    let no_file = crate::cli::InputArgs {
        from_file: None,
        column: None,
    };
    loop {
        let first = polls == 0;
        let at = Timestamp::now().to_string();
        *shared.summary() = Summary::default();
        let mut first_events = Vec::new();
        let mut transient = Vec::new();
        let mut first_error: Option<ahrvo::Error> = None;
        let poll = {
            let query = issuing.clone();
            let options = run::Options {
                concurrency: usize::from(args.bulk.run.concurrency),
                // The bar of the first poll only: later polls print their changes as they come.
                quiet: args.bulk.run.quiet || !first,
                total: Some(ids.len() as u64),
            };
            run::run(
                Ids::new(ids.clone(), &no_file, "card ids")?,
                options,
                &shared,
                move |entry| {
                    let client = query.clone();
                    let id = ahrvo::types::CardId::from(entry.id.clone());
                    async move { client.get_card_balance(id).await }
                },
                |done| {
                    // The recorded reply of -o json is not used here: drop it.
                    let _ = ctx.take_reply(card_url(&issuing, &done.entry.id).as_deref());
                    let card = watched.entry(done.entry.id.clone()).or_default();
                    let event =
                        card_event(ctx, &at, card, &done, args.alert_change, &mut transient);
                    let Some(event) = event else {
                        if first
                            && first_error.is_none()
                            && let Outcome::Failed(e) = done.outcome
                        {
                            first_error = Some(e);
                        }
                        return Ok(Flow::Continue);
                    };
                    alerts += u64::from(event.alert);
                    if event.error.is_some() {
                        failures.failed(match &done.outcome {
                            Outcome::Failed(e) => Some(e.kind()),
                            _ => None,
                        });
                    }
                    if first {
                        first_events.push(event);
                    } else {
                        emit_cards(format, std::slice::from_ref(&event))?;
                    }
                    Ok(Flow::Continue)
                },
            )
        };
        let end = tokio::select! {
            end = poll => end?,
            _ = &mut stop => break,
        };
        if end == End::Closed {
            break;
        }
        polls = polls.saturating_add(1);
        let not_polled = shared.summary().not_attempted;
        let none_read = first && first_events.iter().all(|e| e.error.is_some());
        if none_read && let Some(e) = first_error {
            // Nothing came back, and the server did not answer: as for `watch budgets`, the
            // first poll's failure ends the watch.
            return Err(e.into());
        }
        if first {
            if format == OutputFormat::Table {
                let (ok, rest): (Vec<_>, Vec<_>) =
                    first_events.into_iter().partition(|e| e.error.is_none());
                output::print(&format!(
                    "{}  watching {} cards every {}{} (Ctrl-C to stop)\n{}",
                    short_time(&at),
                    ids.len(),
                    show_duration(args.interval),
                    args.alert_change
                        .map(|n| format!(", alert on a change above {n}"))
                        .unwrap_or_default(),
                    card_snapshot_table(&ok),
                ))?;
                emit_cards(format, &rest)?;
            } else {
                emit_cards(format, &first_events)?;
            }
        }
        if !transient.is_empty() || not_polled > 0 {
            let skipped = if not_polled > 0 {
                format!(", {not_polled} not polled after repeated connection failures")
            } else {
                String::new()
            };
            output::note(&format!(
                "warning: {} card{} failed this poll{skipped} (first: {}; trying again at the \
                 next poll)",
                transient.len(),
                if transient.len() == 1 { "" } else { "s" },
                transient.first().map_or("-", String::as_str),
            ));
        }
        // No card can be read (every one not found, not a Dedicated Funds Card, malformed):
        // there is nothing to watch.
        if none_read || args.count.is_some_and(|k| polls >= k) {
            break;
        }
        tokio::select! {
            () = tokio::time::sleep(args.interval) => {}
            _ = &mut stop => break,
        }
    }
    Ok(bulk::with_finding(failures.status(), alerts > 0))
}

/// The URL `-o json` records a card's reply under.
fn card_url(issuing: &IssuingClient, id: &str) -> Option<String> {
    crate::raw::url(
        issuing.base_url(),
        ahrvo::transport::ApiRequest::new(ahrvo::issuing::operations::GET_CARD_BALANCE)
            .query_id("card_id", id),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_print_like_they_parse() {
        assert_eq!(show_duration(Duration::from_secs(300)), "5m");
        assert_eq!(show_duration(Duration::from_millis(500)), "500ms");
        assert_eq!(show_duration(Duration::from_millis(1500)), "1s500ms");
        for ms in [500, 1500, 300_000, 5_400_000, 90_061_000] {
            let d = Duration::from_millis(ms);
            assert_eq!(crate::cli::parse_duration(&show_duration(d)), Ok(d), "{ms}");
        }
        assert_eq!(show_duration(Duration::from_secs(5400)), "1h30m");
        assert_eq!(show_duration(Duration::from_secs(3601)), "1h1s");
    }

    #[test]
    fn alerts_are_strictly_above_the_limit() {
        let b = |balance: &str| {
            BudgetBalance::new(
                "ci1".into(),
                "Ops".into(),
                balance.parse().unwrap(),
                ahrvo::Currency::USD,
            )
        };
        let changes = diff_budgets(&[b("1000.00")], &[b("2000.00")]);
        let limit = |s: &str| Some(s.parse().unwrap());
        assert!(!change_event("t", &changes[0], limit("1000")).alert);
        assert!(change_event("t", &changes[0], limit("999.99")).alert);
        assert!(!change_event("t", &changes[0], None).alert);
        let down = diff_budgets(&[b("2000.00")], &[b("500.00")]);
        let e = change_event("t", &down[0], limit("1000"));
        assert!(e.alert);
        assert_eq!(e.what.amounts().2.map(signed).as_deref(), Some("-1500.00"));
        let up = change_event("t", &changes[0], None);
        assert_eq!(csv_row(&up)[7], "+1000.00");
        let json = serde_json::to_value(&up).unwrap();
        assert_eq!(json["delta"], "1000.00");
        assert_eq!(json["at"], "t");
        assert_eq!(json["alert"], false);
        assert_eq!(
            short_time("2026-01-02T03:04:05.123Z"),
            "2026-01-02T03:04:05Z"
        );
    }
}
