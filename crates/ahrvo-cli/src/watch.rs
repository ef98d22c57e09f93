//! `ahrvo watch budgets`: polls every budget balance and prints what changed.
//!
//! Each poll's changes come from the SDK's `diff_budgets`. Output is a stream, one event per
//! line: in table format a readable line per change (after the starting balances as a table);
//! in JSON one compact object per line (NDJSON); in CSV a header then one row per event. The
//! first poll reports every budget as a `snapshot` event.

use std::pin::pin;
use std::time::Duration;

use ahrvo::issuing::analysis::{BudgetChange, diff_budgets};
use ahrvo::types::{BudgetBalance, Timestamp};
use ahrvo::{Decimal, IssuingClient};
use serde::Serialize;

use crate::Context;
use crate::budgets::budget_table;
use crate::cli::{OutputFormat, WatchBudgetsArgs, WatchCommand};
use crate::exit::{CliError, CliResult, Status};
use crate::output::{self, csv_line};

/// Runs a `watch` subcommand.
pub async fn run(ctx: &Context, command: WatchCommand) -> CliResult {
    match command {
        WatchCommand::Budgets(args) => budgets(ctx, args).await,
    }
}

/// One event of the stream.
#[derive(Debug, Serialize)]
struct Event<'a> {
    at: String,
    event: &'static str,
    budget_id: &'a str,
    budget_name: &'a str,
    currency: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    previous_balance: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    balance: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    delta: Option<String>,
    alert: bool,
}

const CSV_HEADER: &[&str] = &[
    "at",
    "event",
    "budget_id",
    "budget_name",
    "currency",
    "previous_balance",
    "balance",
    "delta",
    "alert",
];

/// `+12.50`, `-3.00`, `0.00`.
fn signed(d: Decimal) -> String {
    if d.is_sign_positive() && !d.is_zero() {
        format!("+{d}")
    } else {
        d.to_string()
    }
}

fn snapshot_event<'a>(at: &str, b: &'a BudgetBalance) -> Event<'a> {
    Event {
        at: at.to_owned(),
        event: "snapshot",
        budget_id: b.budget_id.as_str(),
        budget_name: &b.budget_name,
        currency: b.currency.to_string(),
        previous_balance: None,
        balance: Some(b.balance.to_string()),
        delta: None,
        alert: false,
    }
}

/// The event of one change; `alert_change` marks a balance moving by strictly more.
fn change_event<'a>(
    at: &str,
    change: &'a BudgetChange,
    alert_change: Option<Decimal>,
) -> Event<'a> {
    let (event, budget, previous, balance) = match change {
        BudgetChange::Added(b) => ("added", Some(b), None, Some(b.balance)),
        BudgetChange::Removed(b) => ("removed", Some(b), Some(b.balance), None),
        BudgetChange::Changed { before, after, .. } => (
            "changed",
            Some(after),
            Some(before.balance),
            Some(after.balance),
        ),
        // A kind of change this CLI does not know yet: shown with what every change has.
        _ => ("changed", None, None, None),
    };
    let delta = change.delta();
    Event {
        at: at.to_owned(),
        event,
        budget_id: change.budget_id().as_str(),
        budget_name: budget.map_or("", |b| b.budget_name.as_str()),
        currency: budget.map(|b| b.currency.to_string()).unwrap_or_default(),
        previous_balance: previous.map(|d| d.to_string()),
        balance: balance.map(|d| d.to_string()),
        delta: delta.map(signed),
        alert: matches!((delta, alert_change), (Some(d), Some(limit)) if d.abs() > limit),
    }
}

/// A readable line for table format.
fn text_line(e: &Event<'_>) -> String {
    let at = short_time(&e.at);
    let amount = |v: &Option<String>| v.clone().unwrap_or_default();
    let what = match e.event {
        "added" => format!("{} {}", amount(&e.balance), e.currency),
        "removed" => format!("was {} {}", amount(&e.previous_balance), e.currency),
        _ => format!(
            "{} -> {} {} ({})",
            amount(&e.previous_balance),
            amount(&e.balance),
            e.currency,
            amount(&e.delta)
        ),
    };
    let alert = if e.alert { "  ALERT" } else { "" };
    format!(
        "{at}  {:<8} {}  {}  {what}{alert}\n",
        e.event.to_ascii_uppercase(),
        e.budget_id,
        e.budget_name
    )
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
    let mut text = String::new();
    for e in events {
        match format {
            OutputFormat::Table => text.push_str(&text_line(e)),
            OutputFormat::Json => {
                let line = serde_json::to_string(e)
                    .map_err(|err| CliError::Other(format!("cannot write JSON: {err}")))?;
                text.push_str(&line);
                text.push('\n');
            }
            OutputFormat::Csv => {
                let alert = e.alert.to_string();
                let opt = |v: &Option<String>| v.clone().unwrap_or_default();
                let (previous, balance, delta) =
                    (opt(&e.previous_balance), opt(&e.balance), opt(&e.delta));
                csv_line(
                    &mut text,
                    &[
                        &e.at,
                        e.event,
                        e.budget_id,
                        e.budget_name,
                        &e.currency,
                        &previous,
                        &balance,
                        &delta,
                        &alert,
                    ],
                );
            }
        }
    }
    output::print(&text)
}

/// What a poll that failed means: the first poll's failure, or a failure that retrying cannot
/// fix (credentials, a bad request), ends the watch; a transient one (network, 5xx, 429) is
/// reported on stderr and the next poll tries again.
async fn poll(client: &IssuingClient, first: bool) -> Result<Option<Vec<BudgetBalance>>, CliError> {
    match client.list_budget_balances().await {
        Ok(budgets) => Ok(Some(budgets)),
        Err(e) if !first && e.is_retryable() => {
            output::note(&format!("warning: {e} (trying again at the next poll)"));
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
        let mut header = String::new();
        csv_line(&mut header, CSV_HEADER);
        output::print(&header)?;
    }
    loop {
        let current = tokio::select! {
            r = poll(issuing, previous.is_none()) => r?,
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

/// `300s` → `5m`, `1500ms` → `1500ms`, `5400s` → `1h30m`.
fn show_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms % 1000 != 0 {
        return format!("{ms}ms");
    }
    let secs = d.as_secs();
    let (h, m, s) = (secs / 3600, (secs % 3600) / 60, secs % 60);
    let mut out = String::new();
    for (n, unit) in [(h, "h"), (m, "m"), (s, "s")] {
        if n > 0 {
            out.push_str(&format!("{n}{unit}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_print_like_they_parse() {
        assert_eq!(show_duration(Duration::from_secs(300)), "5m");
        assert_eq!(show_duration(Duration::from_millis(500)), "500ms");
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
        assert_eq!(e.delta.as_deref(), Some("-1500.00"));
        assert_eq!(
            short_time("2026-01-02T03:04:05.123Z"),
            "2026-01-02T03:04:05Z"
        );
    }
}
