//! `ahrvo ledger BALANCE_ID`: a Balance's entries as debits and credits, and the sum of its
//! POSTED entries set beside the Balance's own amounts.
//!
//! An entry is POSTED when it has a `posted_at` and did not fail (`state` other than `FAILED`).
//! The posted entries' sum (credits less debits, in cents) should equal the Balance's
//! `posted_amount`; the command exits 1 (a finding) when it does not. The Balance is fetched
//! first, then its entries are streamed page after page (newest first), each printed as it
//! comes: memory holds one page, whatever the ledger's length. Sums are exact (`i128` cents).
//!
//! Output: a table of the entries (DEBIT and CREDIT columns, in major units) and then the
//! totals; CSV the entries (amounts in cents) with the totals on stderr; `-o json` one
//! document `{"balance": ..., "entries": [...], "totals": ...}`; `-o jsonl` one line per entry
//! and a last line `{"totals": ...}`. JSON amounts are integer cents.

use ahrvo::types::{Balance, BalanceEntry, BalanceEntryState};
use ahrvo::{Currency, Decimal, ListOptions};
use serde::Serialize;

use crate::Context;
use crate::bulk::{Flow, Rows, Style};
use crate::cli::{LedgerArgs, OutputFormat};
use crate::exit::{CliResult, Status};
use crate::output::{self, Cell, Table, json_text, left, right};

/// Whether an entry counts in the posted sum: it has a `posted_at` and did not fail.
pub fn is_posted(e: &BalanceEntry) -> bool {
    e.posted_at.is_some() && e.state != BalanceEntryState::Failed
}

/// The running totals of a ledger.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Entries read.
    pub entries: u64,
    /// Of which POSTED.
    pub posted_entries: u64,
    /// The posted credits (amounts above zero), in cents.
    pub posted_credits: i128,
    /// The posted debits (amounts below zero, as a positive number), in cents.
    pub posted_debits: i128,
    /// The entries not posted (pending or failed), credits less debits, in cents.
    pub unposted_sum: i128,
}

impl Totals {
    /// Counts one entry.
    pub fn add(&mut self, e: &BalanceEntry) {
        let amount = i128::from(e.amount.get());
        self.entries += 1;
        if is_posted(e) {
            self.posted_entries += 1;
            if amount >= 0 {
                self.posted_credits += amount;
            } else {
                self.posted_debits -= amount;
            }
        } else {
            self.unposted_sum += amount;
        }
    }

    /// The posted entries' sum: credits less debits.
    pub fn posted_sum(&self) -> i128 {
        self.posted_credits - self.posted_debits
    }
}

/// The totals beside the Balance, as `-o json` prints them.
#[derive(Debug, Serialize)]
struct TotalsOut<'a> {
    #[serde(flatten)]
    totals: &'a Totals,
    posted_sum: i128,
    posted_amount: i64,
    pending_amount: i64,
    available_amount: i64,
    /// `posted_sum - posted_amount`.
    difference: i128,
    /// `posted_sum == posted_amount`.
    agrees: bool,
}

/// The Balance at the head of `-o json`.
#[derive(Debug, Serialize)]
struct BalanceOut<'a> {
    id: &'a str,
    currency: Currency,
    available_amount: i64,
    pending_amount: i64,
    posted_amount: i64,
}

/// One entry as a ledger line (`-o json`/`jsonl`): debit or credit in cents.
#[derive(Debug, Serialize)]
struct LineOut<'a> {
    id: &'a str,
    created_at: String,
    #[serde(rename = "type")]
    entry_type: String,
    state: String,
    description: Option<&'a str>,
    debit: Option<i64>,
    credit: Option<i64>,
    posted: bool,
    posted_at: Option<String>,
}

/// Cents as major units (`1250000` USD is `12500.00`); exact for any sum of `i64`s.
fn units(cents: i128, currency: Currency) -> String {
    Decimal::try_from_i128_with_scale(cents, currency.minor_units())
        .map_or_else(|_| format!("{cents} cents"), |d| d.to_string())
}

fn money(cents: i128, currency: Currency) -> Cell {
    Cell::new(
        format!("{} {currency}", units(cents, currency)),
        cents.to_string(),
    )
}

/// A pretty JSON item indented one level.
fn indent(pretty: &str, by: &str) -> String {
    pretty
        .trim_end_matches('\n')
        .lines()
        .map(|l| format!("{by}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs `ahrvo ledger`.
pub async fn run(ctx: &Context, args: LedgerArgs) -> CliResult {
    let client = ctx.client()?;
    let payments = client.payments()?;
    let balance = payments.get_balance(args.balance_id.as_str()).await?;
    let currency = balance.currency;
    let format = ctx.format();
    let mut rows = Rows::new(
        format,
        vec![
            left("ID", "id"),
            left("CREATED", "created_at"),
            left("TYPE", "type"),
            left("STATE", "state"),
            left("POSTED", "posted"),
            right("DEBIT", "debit"),
            right("CREDIT", "credit"),
            left("DESCRIPTION", "description"),
        ],
    );
    if format == OutputFormat::Json {
        let head = output::compact_json(&BalanceOut {
            id: balance.id.as_str(),
            currency,
            available_amount: balance.available_amount.get(),
            pending_amount: balance.pending_amount.get(),
            posted_amount: balance.posted_amount.get(),
        })?;
        let head = format!(
            "{{\n  \"balance\": {},\n  \"entries\": [",
            indent(&json_text(&head, true), "  ").trim_start()
        );
        if crate::bulk::sink::write(&head)? == Flow::Closed {
            return Ok(Status::Ok);
        }
    }
    let mut totals = Totals::default();
    let mut entries = payments.list_balance_entries(
        args.balance_id.as_str(),
        ListOptions::new().limit(args.limit),
    );
    while let Some(entry) = entries.next().await {
        let e = entry?;
        totals.add(&e);
        let posted = is_posted(&e);
        let cents = e.amount.get();
        let (debit, credit) = if cents < 0 {
            (Some(cents.unsigned_abs()), None)
        } else {
            (None, Some(cents.unsigned_abs()))
        };
        let flow = match format {
            OutputFormat::Json | OutputFormat::Jsonl => {
                let line = LineOut {
                    id: e.id.as_str(),
                    created_at: e.created_at.to_string(),
                    entry_type: e.entry_type.to_string(),
                    state: e.state.to_string(),
                    description: e.description.as_deref(),
                    debit: debit.and_then(|d| i64::try_from(d).ok()),
                    credit: credit.and_then(|c| i64::try_from(c).ok()),
                    posted,
                    posted_at: e.posted_at.as_ref().map(ToString::to_string),
                };
                let text = output::compact_json(&line)?;
                if format == OutputFormat::Jsonl {
                    crate::bulk::sink::write(&format!("{}\n", json_text(&text, false)))?
                } else {
                    let lead = if totals.entries == 1 { "\n" } else { ",\n" };
                    let item = indent(&json_text(&text, true), "    ");
                    crate::bulk::sink::write(&format!("{lead}{item}"))?
                }
            }
            OutputFormat::Table | OutputFormat::Csv => {
                let amount = |v: Option<u64>| {
                    v.map_or_else(
                        || Cell::from(""),
                        |v| {
                            let v = i128::from(v);
                            Cell::new(units(v, currency), v.to_string())
                        },
                    )
                };
                rows.push(
                    vec![
                        e.id.to_string().into(),
                        e.created_at.to_string().into(),
                        e.entry_type.to_string().into(),
                        e.state.to_string().into(),
                        if posted { "POSTED" } else { "" }.into(),
                        amount(debit),
                        amount(credit),
                        e.description.clone().unwrap_or_default().into(),
                    ],
                    "",
                    Style::Plain,
                )?
            }
        };
        if flow == Flow::Closed {
            return Ok(Status::Ok);
        }
    }
    let agrees = totals.posted_sum() == i128::from(balance.posted_amount.get());
    print_totals(ctx, &balance, &totals, &mut rows)?;
    Ok(if agrees { Status::Ok } else { Status::Finding })
}

fn print_totals(
    ctx: &Context,
    balance: &Balance,
    totals: &Totals,
    rows: &mut Rows,
) -> Result<(), crate::exit::CliError> {
    let c = balance.currency;
    let posted_amount = i128::from(balance.posted_amount.get());
    let out = TotalsOut {
        totals,
        posted_sum: totals.posted_sum(),
        posted_amount: balance.posted_amount.get(),
        pending_amount: balance.pending_amount.get(),
        available_amount: balance.available_amount.get(),
        difference: totals.posted_sum() - posted_amount,
        agrees: totals.posted_sum() == posted_amount,
    };
    let verdict = if out.agrees {
        "AGREE: the posted entries add up to posted_amount".to_owned()
    } else {
        format!(
            "DISAGREE: the posted entries add up to {} {c}, posted_amount is {} {c} (difference {} {c})",
            units(out.posted_sum, c),
            units(posted_amount, c),
            units(out.difference, c)
        )
    };
    match ctx.format() {
        OutputFormat::Json => {
            let text = output::compact_json(&out)?;
            let lead = if totals.entries == 0 { "]" } else { "\n  ]" };
            let body = indent(&json_text(&text, true), "  ");
            output::print(&format!(
                "{lead},\n  \"totals\": {}\n}}\n",
                body.trim_start()
            ))
        }
        OutputFormat::Jsonl => {
            #[derive(Serialize)]
            struct Last<'a> {
                totals: &'a TotalsOut<'a>,
            }
            let text = output::compact_json(&Last { totals: &out })?;
            output::print(&format!("{}\n", json_text(&text, false)))
        }
        OutputFormat::Csv => {
            rows.finish()?;
            output::note(&format!(
                "ledger: {} entries, {} posted: credits {} {c}, debits {} {c}, sum {} {c}; \
                 balance posted {} {c}, pending {} {c}, available {} {c}; {verdict}",
                totals.entries,
                totals.posted_entries,
                units(totals.posted_credits, c),
                units(totals.posted_debits, c),
                units(out.posted_sum, c),
                units(posted_amount, c),
                units(out.pending_amount.into(), c),
                units(out.available_amount.into(), c),
            ));
            Ok(())
        }
        OutputFormat::Table => {
            rows.finish()?;
            let record = Table::record(
                vec![
                    left("BALANCE", "balance_id"),
                    right("ENTRIES", "entries"),
                    right("POSTED ENTRIES", "posted_entries"),
                    right("POSTED CREDITS", "posted_credits"),
                    right("POSTED DEBITS", "posted_debits"),
                    right("POSTED SUM", "posted_sum"),
                    right("BALANCE POSTED", "posted_amount"),
                    right("BALANCE PENDING", "pending_amount"),
                    right("BALANCE AVAILABLE", "available_amount"),
                    right("NOT POSTED SUM", "unposted_sum"),
                    left("RESULT", "agrees"),
                ],
                vec![
                    balance.id.to_string().into(),
                    totals.entries.to_string().into(),
                    totals.posted_entries.to_string().into(),
                    money(totals.posted_credits, c),
                    money(totals.posted_debits, c),
                    money(out.posted_sum, c),
                    money(posted_amount, c),
                    money(out.pending_amount.into(), c),
                    money(out.available_amount.into(), c),
                    money(totals.unposted_sum, c),
                    Cell::new(verdict, out.agrees.to_string()),
                ],
            );
            let lead = if totals.entries == 0 {
                "(no entries)\n"
            } else {
                ""
            };
            output::print(&format!("{lead}\n{}", record.render()))
        }
    }
}

/// An entry of `amount` cents, for tests.
#[cfg(test)]
fn entry(amount: i64, posted: bool, state: BalanceEntryState) -> BalanceEntry {
    let mut e: BalanceEntry = serde_json::from_value(serde_json::json!({
        "id": "balance_entry_x",
        "created_at": "2024-05-01T18:04:33.42Z",
        "updated_at": "2024-05-01T18:04:33.42Z",
        "amount": amount,
        "currency": "USD",
        "state": "SUCCEEDED",
        "type": "TRANSFER",
    }))
    .expect("an entry");
    e.state = state;
    if posted {
        e.posted_at = serde_json::from_value(serde_json::json!("2024-05-02T00:00:00Z")).ok();
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posted_entries_are_summed_as_credits_less_debits() {
        let mut t = Totals::default();
        for e in [
            entry(1000, true, BalanceEntryState::Succeeded),
            entry(-250, true, BalanceEntryState::Succeeded),
            entry(-50, false, BalanceEntryState::Pending),
            entry(7000, true, BalanceEntryState::Failed),
        ] {
            t.add(&e);
        }
        assert_eq!(t.entries, 4);
        assert_eq!(t.posted_entries, 2);
        assert_eq!(t.posted_credits, 1000);
        assert_eq!(t.posted_debits, 250);
        assert_eq!(t.posted_sum(), 750);
        assert_eq!(t.unposted_sum, 6950);
        assert_eq!(units(-12345, Currency::USD), "-123.45");
    }
}
