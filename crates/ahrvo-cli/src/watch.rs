//! `ahrvo watch budgets`: polls every budget balance and prints what changed.
//!
//! Each poll's changes come from the reports' `diff_budgets`. Output is a stream, one event per
//! line: in table format a readable line per change (after the starting balances as a table);
//! in JSON one compact object per line (NDJSON: the change as the report serializes it, with
//! `at` and `alert`); in CSV a header then one row per event. The first poll reports every
//! budget as a `snapshot` event.

use std::pin::pin;
use std::time::Duration;

use ahrvo::reports::issuing::{BudgetChange, diff_budgets};
use ahrvo::types::{BudgetBalance, Timestamp};
use ahrvo::{Decimal, IssuingClient};
use serde::Serialize;

use crate::Context;
use crate::budgets::budget_table;
use crate::cli::{OutputFormat, WatchBudgetsArgs, WatchCommand};
use crate::exit::{CliError, CliResult, Status};
use crate::output::{self, Cell, Table, escape, left, right};

/// Runs a `watch` subcommand.
pub async fn run(ctx: &Context, command: WatchCommand) -> CliResult {
    match command {
        WatchCommand::Budgets(args) => budgets(ctx, args).await,
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
fn signed(d: Decimal) -> String {
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
fn short_time(at: &str) -> String {
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
fn show_duration(d: Duration) -> String {
    humantime::format_duration(d).to_string().replace(' ', "")
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
