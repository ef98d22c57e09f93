//! `ahrvo reconcile --expected FILE.csv`: card balances against your own records.

use ahrvo::ErrorKind;
use ahrvo::reports::issuing::{ReconcileReport, ReconcileStatus, parse_expected_csv, reconcile};

use crate::Context;
use crate::cards::fetch_balances;
use crate::cli::{OutputFormat, ReconcileArgs};
use crate::exit::{CliError, CliResult, Status};
use crate::output::{self, Table, left, right};

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
    let bytes = if path == "-" {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)
            .map_err(|e| CliError::Usage(format!("cannot read stdin: {e}")))?;
        bytes
    } else {
        std::fs::read(&args.expected)
            .map_err(|e| CliError::Usage(format!("cannot read {path}: {e}")))?
    };
    let text = String::from_utf8(bytes)
        .map_err(|_| CliError::Usage(format!("{path}: the file is not UTF-8 text")))?;
    let expected = parse_expected_csv(&text)
        .map_err(|e| CliError::Usage(format!("{path}: {}", e.message())))?;
    let ids: Vec<String> = expected.iter().map(|(id, _)| id.to_string()).collect();
    let (mut actual, shared) = fetch_balances(ctx, ids, &args.run).await?;
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
    let report = ReconcileReport::new(reconcile(&expected, &actual));
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
            let status = &l.status;
            // The difference with its sign for a discrepancy (`+12.50`), as read by people.
            let difference = match status {
                ReconcileStatus::Discrepancy { difference, .. } => signed(difference),
                _ => status
                    .difference()
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
            };
            // The whole message in CSV; a readable part of it in the table.
            let error = status.error().map(ToString::to_string).unwrap_or_default();
            let short = error.strip_prefix("getCardBalance: ").unwrap_or(&error);
            table.push(vec![
                l.card_id.to_string().into(),
                l.card_number
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default()
                    .into(),
                l.expected.to_string().into(),
                status
                    .actual()
                    .map(|d| d.to_string())
                    .unwrap_or_default()
                    .into(),
                difference.into(),
                status.label().into(),
                output::Cell::new(output::truncate(short, 60), error.clone()),
            ]);
        }
        table
    };
    match ctx.format() {
        OutputFormat::Json | OutputFormat::Jsonl | OutputFormat::Csv => {
            output::emit(ctx.format(), &report, table)?
        }
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
    shared.print("summary");
    if incomplete > 0 {
        return Err(CliError::Other(format!(
            "the reconciliation is incomplete: {incomplete} of {} card balance queries failed \
             (see the ERROR of each card)",
            report.summary.checked
        )));
    }
    Ok(if report.summary.all_matched() {
        Status::Ok
    } else {
        Status::Finding
    })
}
