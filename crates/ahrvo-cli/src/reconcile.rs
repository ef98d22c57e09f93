//! `ahrvo reconcile --expected FILE.csv`: card balances against your own records.

use ahrvo::ErrorKind;
use ahrvo::issuing::analysis::{
    ReconcileLine, ReconcileStatus, parse_expected_csv, reconcile, reconcile_summary,
};
use serde::Serialize;

use crate::Context;
use crate::cards::fetch_balances;
use crate::cli::{OutputFormat, ReconcileArgs};
use crate::exit::{CliError, CliResult, Status};
use crate::output::{self, Table, left, right};

/// One line of the reconciliation, decimals as strings.
#[derive(Debug, Serialize)]
struct LineOut {
    card_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    card_number: Option<String>,
    expected: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    actual: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    difference: Option<String>,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// The counts of the reconciliation.
#[derive(Debug, Serialize)]
struct SummaryOut {
    checked: usize,
    matched: usize,
    discrepancies: usize,
    missing: usize,
    failed: usize,
    total_discrepancy: String,
}

/// The whole of `reconcile --output json`.
#[derive(Debug, Serialize)]
struct Report {
    summary: SummaryOut,
    lines: Vec<LineOut>,
}

fn line_out(line: &ReconcileLine) -> LineOut {
    let mut out = LineOut {
        card_id: line.card_id.to_string(),
        card_number: line.card_number.as_ref().map(ToString::to_string),
        expected: line.expected.to_string(),
        actual: None,
        difference: None,
        status: "",
        error: None,
    };
    match &line.status {
        ReconcileStatus::Match { actual, difference } => {
            out.actual = Some(actual.to_string());
            out.difference = Some(difference.to_string());
            out.status = "MATCH";
        }
        ReconcileStatus::Discrepancy {
            actual, difference, ..
        } => {
            out.actual = Some(actual.to_string());
            out.difference = Some(signed(difference));
            out.status = "DISCREPANCY";
        }
        ReconcileStatus::Missing => out.status = "MISSING",
        ReconcileStatus::Failed { message, .. } => {
            out.status = "FAILED";
            out.error = Some(message.clone());
        }
        _ => out.status = "UNKNOWN",
    }
    out
}

/// A difference with its sign: `+12.50`, `-0.02`, `0.00`.
fn signed(d: &ahrvo::Decimal) -> String {
    if d.is_sign_positive() && !d.is_zero() {
        format!("+{d}")
    } else {
        d.to_string()
    }
}

/// Reads the expected balances, queries every card, and prints one line per card and a
/// summary. Exit 0 when everything matched; 1 on a discrepancy, a missing result, or a card the
/// API refused (unknown, not a Dedicated Funds Card); 5 when a query failed for another reason
/// (the reconciliation is then incomplete); 2 for a bad CSV file.
pub async fn run(ctx: &Context, args: ReconcileArgs) -> CliResult {
    let path = args.expected.display().to_string();
    let bytes = std::fs::read(&args.expected)
        .map_err(|e| CliError::Usage(format!("cannot read {path}: {e}")))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| CliError::Usage(format!("{path}: the file is not UTF-8 text")))?;
    let expected = parse_expected_csv(&text)
        .map_err(|e| CliError::Usage(format!("{path}: {}", e.message())))?;
    let client = ctx.client()?;
    let issuing = client.issuing()?;
    let ids: Vec<_> = expected.iter().map(|(id, _)| id.clone()).collect();
    let mut actual = fetch_balances(issuing, &ids).await;
    // A refused credential fails every card the same way: one error line, exit 3.
    if let Some(i) = actual.iter().position(|(_, r)| {
        r.as_ref()
            .is_err_and(|e| matches!(e.kind(), ErrorKind::Unauthorized | ErrorKind::Forbidden))
    }) {
        let (_, result) = actual.swap_remove(i);
        if let Err(e) = result {
            return Err(e.into());
        }
    }
    let lines = reconcile(&expected, &actual);
    let summary = reconcile_summary(&lines);
    // A card the API refused (unknown, not a Dedicated Funds Card, an impossible id) is a
    // finding; any other failure (5xx, timeout, ...) leaves the reconciliation incomplete.
    let incomplete = actual
        .iter()
        .filter(|(_, r)| {
            r.as_ref().is_err_and(|e| {
                !matches!(
                    e.kind(),
                    ErrorKind::NotFound | ErrorKind::BadRequest | ErrorKind::Validation
                )
            })
        })
        .count();
    let report = Report {
        summary: SummaryOut {
            checked: summary.checked,
            matched: summary.matched,
            discrepancies: summary.discrepancies,
            missing: summary.missing,
            failed: summary.failed,
            total_discrepancy: output::sum_text(summary.total_discrepancy),
        },
        lines: lines.iter().map(line_out).collect(),
    };
    let table = || {
        let mut table = Table::new(vec![
            left("CARD ID", "card_id"),
            left("CARD NUMBER", "card_number"),
            right("EXPECTED", "expected"),
            right("ACTUAL", "actual"),
            right("DIFFERENCE", "difference"),
            left("STATUS", "status"),
            left("ERROR", "error"),
        ]);
        for l in &report.lines {
            table.push(vec![
                l.card_id.clone().into(),
                l.card_number.clone().unwrap_or_default().into(),
                l.expected.clone().into(),
                l.actual.clone().unwrap_or_default().into(),
                l.difference.clone().unwrap_or_default().into(),
                l.status.into(),
                {
                    // The whole message in CSV; a readable part of it in the table.
                    let error = l.error.clone().unwrap_or_default();
                    let short = error.strip_prefix("getCardBalance: ").unwrap_or(&error);
                    output::Cell::new(output::truncate(short, 60), error.clone())
                },
            ]);
        }
        table
    };
    match ctx.format() {
        OutputFormat::Json | OutputFormat::Csv => output::emit(ctx.format(), &report, table)?,
        OutputFormat::Table => {
            let s = &report.summary;
            let text = format!(
                "{}\n{} checked: {} matched, {} {} (total {}), {} missing, {} failed\n",
                table().render(),
                s.checked,
                s.matched,
                s.discrepancies,
                if s.discrepancies == 1 {
                    "discrepancy"
                } else {
                    "discrepancies"
                },
                s.total_discrepancy,
                s.missing,
                s.failed
            );
            output::print(&text)?;
        }
    }
    if incomplete > 0 {
        return Err(CliError::Other(format!(
            "the reconciliation is incomplete: {incomplete} of {} card balance queries failed \
             (see the ERROR of each card)",
            summary.checked
        )));
    }
    Ok(if summary.all_matched() {
        Status::Ok
    } else {
        Status::Finding
    })
}
