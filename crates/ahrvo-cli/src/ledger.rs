//! `ahrvo ledger BALANCE_ID`: a Balance's entries as debits and credits, and their sums set
//! beside the Balance's three amounts.
//!
//! The Balance page defines `available_amount` as the funds ready for disbursement,
//! `pending_amount` as the funds on hold or being processed and `posted_amount` as their total
//! (available + pending). Each entry falls in exactly one class ([`class`]):
//!
//! - FAILED (`state` is `FAILED`): left out of every sum (its money never moved);
//! - SETTLED (a `posted_at`, and not FAILED): its funds are available;
//! - PENDING (no `posted_at`, and not FAILED: an ACH top-up until it settles): its funds are
//!   pending.
//!
//! The sandbox keeps the same rule: an ACH top-up is `PENDING` without a `posted_at` and adds
//! to `pending_amount`; settling it sets `posted_at` and `SUCCEEDED` and moves its amount to
//! `available_amount`. So the ledger checks three sums (credits less debits, in cents): the
//! settled entries against `available_amount`, the pending entries against `pending_amount`,
//! and both together against `posted_amount`. Each agrees or differs; the command exits 1 (a
//! finding) when any differs, and names which. The Balance is fetched first, then its entries
//! are streamed page after page (newest first), each printed as it comes: memory holds one
//! page, whatever the ledger's length. Sums are exact (`i128` cents).
//!
//! Output: a table of the entries (DEBIT and CREDIT columns, in major units; POSTED marks the
//! settled ones) and then the totals; CSV the entries (amounts in cents) with the totals on
//! stderr; `-o json` one document `{"balance": ..., "entries": [...], "totals": ...}`; `-o
//! jsonl` one line per entry and a last line `{"totals": ...}`. JSON amounts are integer
//! cents; `totals` holds `available`, `pending` and `posted`, each `{"sum", "amount",
//! "difference", "agrees"}`, and `agrees` (all three do) and `differs` (the names of those that
//! do not).

use ahrvo::types::{Balance, BalanceEntry, BalanceEntryState};
use ahrvo::{Currency, Decimal, ListOptions};
use serde::Serialize;

use crate::Context;
use crate::bulk::{Flow, Rows, Style};
use crate::cli::{LedgerArgs, OutputFormat};
use crate::exit::{CliResult, Status};
use crate::output::{self, Cell, Table, json_text, left, right};

/// Which sum an entry counts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// A `posted_at` and not FAILED: counts toward `available_amount`.
    Settled,
    /// No `posted_at` and not FAILED: counts toward `pending_amount`.
    Pending,
    /// `FAILED`: counts nowhere.
    Failed,
}

/// The class of an entry: FAILED first (whatever its `posted_at`), then settled when it has a
/// `posted_at`, else pending. An unknown state is classed by its `posted_at` alone.
pub fn class(e: &BalanceEntry) -> Class {
    if e.state == BalanceEntryState::Failed {
        Class::Failed
    } else if e.posted_at.is_some() {
        Class::Settled
    } else {
        Class::Pending
    }
}

/// Whether an entry is settled (POSTED in the table): it has a `posted_at` and did not fail.
pub fn is_posted(e: &BalanceEntry) -> bool {
    class(e) == Class::Settled
}

/// The running totals of a ledger, in cents.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Entries read.
    pub entries: u64,
    /// Of which settled.
    pub settled_entries: u64,
    /// The settled credits (amounts above zero).
    pub settled_credits: i128,
    /// The settled debits (amounts below zero, as a positive number).
    pub settled_debits: i128,
    /// Of which pending.
    pub pending_entries: u64,
    /// The pending entries, credits less debits.
    pub pending_sum: i128,
    /// Of which failed.
    pub failed_entries: u64,
    /// The failed entries, credits less debits (in no check).
    pub failed_sum: i128,
}

impl Totals {
    /// Counts one entry.
    pub fn add(&mut self, e: &BalanceEntry) {
        let amount = i128::from(e.amount.get());
        self.entries += 1;
        match class(e) {
            Class::Settled => {
                self.settled_entries += 1;
                if amount >= 0 {
                    self.settled_credits += amount;
                } else {
                    self.settled_debits -= amount;
                }
            }
            Class::Pending => {
                self.pending_entries += 1;
                self.pending_sum += amount;
            }
            Class::Failed => {
                self.failed_entries += 1;
                self.failed_sum += amount;
            }
        }
    }

    /// The settled entries' sum: credits less debits.
    pub fn settled_sum(&self) -> i128 {
        self.settled_credits - self.settled_debits
    }

    /// The settled and pending entries together (failed left out).
    pub fn posted_sum(&self) -> i128 {
        self.settled_sum() + self.pending_sum
    }
}

/// One sum beside one of the Balance's amounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Check {
    /// The entries' sum.
    pub sum: i128,
    /// The Balance's amount.
    pub amount: i128,
    /// `sum - amount`.
    pub difference: i128,
    /// `sum == amount`.
    pub agrees: bool,
}

impl Check {
    fn new(sum: i128, amount: i64) -> Self {
        let amount = i128::from(amount);
        Check {
            sum,
            amount,
            difference: sum - amount,
            agrees: sum == amount,
        }
    }
}

/// The three checks of a ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checks {
    /// Settled entries against `available_amount`.
    pub available: Check,
    /// Pending entries against `pending_amount`.
    pub pending: Check,
    /// Settled and pending entries against `posted_amount`.
    pub posted: Check,
}

impl Checks {
    /// The checks of `totals` against `balance`.
    pub fn new(totals: &Totals, balance: &Balance) -> Self {
        Checks {
            available: Check::new(totals.settled_sum(), balance.available_amount.get()),
            pending: Check::new(totals.pending_sum, balance.pending_amount.get()),
            posted: Check::new(totals.posted_sum(), balance.posted_amount.get()),
        }
    }

    /// Each check with its name, the entries it sums and the Balance field it is set against.
    pub fn named(&self) -> [(&'static str, &'static str, &'static str, Check); 3] {
        [
            (
                "available",
                "settled entries",
                "available_amount",
                self.available,
            ),
            ("pending", "pending entries", "pending_amount", self.pending),
            (
                "posted",
                "settled + pending entries",
                "posted_amount",
                self.posted,
            ),
        ]
    }

    /// Whether all three agree.
    pub fn agree(&self) -> bool {
        self.named().iter().all(|(.., c)| c.agrees)
    }

    /// The names of the checks that differ.
    pub fn differs(&self) -> Vec<&'static str> {
        self.named()
            .iter()
            .filter(|(.., c)| !c.agrees)
            .map(|(name, ..)| *name)
            .collect()
    }
}

/// The totals beside the Balance, as `-o json` prints them.
#[derive(Debug, Serialize)]
struct TotalsOut<'a> {
    #[serde(flatten)]
    totals: &'a Totals,
    settled_sum: i128,
    posted_sum: i128,
    available: Check,
    pending: Check,
    posted: Check,
    /// All three checks agree.
    agrees: bool,
    /// The names of the checks that differ.
    differs: Vec<&'static str>,
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
    /// Settled: a `posted_at` and not FAILED.
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
    let checks = Checks::new(&totals, &balance);
    print_totals(ctx, &balance, &totals, &checks, &mut rows)?;
    Ok(if checks.agree() {
        Status::Ok
    } else {
        Status::Finding
    })
}

/// `agrees`, or `differs by X CUR`.
fn verdict_of(check: &Check, c: Currency) -> String {
    if check.agrees {
        "agrees".to_owned()
    } else {
        format!("differs by {} {c}", units(check.difference, c))
    }
}

/// The last line: AGREE, or DISAGREE naming each amount that differs.
fn verdict(checks: &Checks, c: Currency) -> String {
    if checks.agree() {
        return "AGREE: settled entries add up to available_amount, pending entries to \
                pending_amount, both to posted_amount"
            .to_owned();
    }
    let each: Vec<String> = checks
        .named()
        .iter()
        .filter(|(.., check)| !check.agrees)
        .map(|(_, what, field, check)| {
            format!(
                "{field}: the {what} add up to {} {c}, {field} is {} {c} (difference {} {c})",
                units(check.sum, c),
                units(check.amount, c),
                units(check.difference, c)
            )
        })
        .collect();
    format!("DISAGREE on {}", each.join("; "))
}

fn print_totals(
    ctx: &Context,
    balance: &Balance,
    totals: &Totals,
    checks: &Checks,
    rows: &mut Rows,
) -> Result<(), crate::exit::CliError> {
    let c = balance.currency;
    let out = TotalsOut {
        totals,
        settled_sum: totals.settled_sum(),
        posted_sum: totals.posted_sum(),
        available: checks.available,
        pending: checks.pending,
        posted: checks.posted,
        agrees: checks.agree(),
        differs: checks.differs(),
    };
    let verdict = verdict(checks, c);
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
            let sums: Vec<String> = checks
                .named()
                .iter()
                .map(|(_, what, field, check)| {
                    format!(
                        "{what} {} {c} beside {field} {} {c}: {}",
                        units(check.sum, c),
                        units(check.amount, c),
                        verdict_of(check, c)
                    )
                })
                .collect();
            output::note(&format!(
                "ledger: {} entries ({} settled: credits {} {c}, debits {} {c}; {} pending; \
                 {} failed, {} {c}, left out); {}; {verdict}",
                totals.entries,
                totals.settled_entries,
                units(totals.settled_credits, c),
                units(totals.settled_debits, c),
                totals.pending_entries,
                totals.failed_entries,
                units(totals.failed_sum, c),
                sums.join("; "),
            ));
            Ok(())
        }
        OutputFormat::Table => {
            rows.finish()?;
            let record = Table::record(
                vec![
                    left("BALANCE", "balance_id"),
                    right("ENTRIES", "entries"),
                    right("SETTLED ENTRIES", "settled_entries"),
                    right("SETTLED CREDITS", "settled_credits"),
                    right("SETTLED DEBITS", "settled_debits"),
                    right("SETTLED SUM", "settled_sum"),
                    right("BALANCE AVAILABLE", "available_amount"),
                    left("AVAILABLE", "available"),
                    right("PENDING ENTRIES", "pending_entries"),
                    right("PENDING SUM", "pending_sum"),
                    right("BALANCE PENDING", "pending_amount"),
                    left("PENDING", "pending"),
                    right("SETTLED + PENDING", "posted_sum"),
                    right("BALANCE POSTED", "posted_amount"),
                    left("POSTED", "posted"),
                    right("FAILED ENTRIES", "failed_entries"),
                    right("FAILED SUM (LEFT OUT)", "failed_sum"),
                    left("RESULT", "agrees"),
                ],
                vec![
                    balance.id.to_string().into(),
                    totals.entries.to_string().into(),
                    totals.settled_entries.to_string().into(),
                    money(totals.settled_credits, c),
                    money(totals.settled_debits, c),
                    money(checks.available.sum, c),
                    money(checks.available.amount, c),
                    Cell::new(
                        verdict_of(&checks.available, c),
                        checks.available.agrees.to_string(),
                    ),
                    totals.pending_entries.to_string().into(),
                    money(checks.pending.sum, c),
                    money(checks.pending.amount, c),
                    Cell::new(
                        verdict_of(&checks.pending, c),
                        checks.pending.agrees.to_string(),
                    ),
                    money(checks.posted.sum, c),
                    money(checks.posted.amount, c),
                    Cell::new(
                        verdict_of(&checks.posted, c),
                        checks.posted.agrees.to_string(),
                    ),
                    totals.failed_entries.to_string().into(),
                    money(totals.failed_sum, c),
                    Cell::new(verdict, checks.agree().to_string()),
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
    fn entries_are_classed_and_summed_as_credits_less_debits() {
        let mut t = Totals::default();
        for e in [
            entry(1000, true, BalanceEntryState::Succeeded),
            entry(-250, true, BalanceEntryState::Succeeded),
            entry(-50, false, BalanceEntryState::Pending),
            entry(300, false, BalanceEntryState::Pending),
            entry(7000, true, BalanceEntryState::Failed),
            entry(9, false, BalanceEntryState::Failed),
        ] {
            t.add(&e);
        }
        assert_eq!(t.entries, 6);
        assert_eq!(t.settled_entries, 2);
        assert_eq!(t.settled_credits, 1000);
        assert_eq!(t.settled_debits, 250);
        assert_eq!(t.settled_sum(), 750);
        assert_eq!((t.pending_entries, t.pending_sum), (2, 250));
        assert_eq!((t.failed_entries, t.failed_sum), (2, 7009));
        assert_eq!(t.posted_sum(), 1000);
        assert_eq!(units(-12345, Currency::USD), "-123.45");
    }

    #[test]
    fn a_posted_at_settles_any_state_but_failed() {
        let pending_posted = entry(1, true, BalanceEntryState::Pending);
        assert_eq!(class(&pending_posted), Class::Settled);
        let succeeded_unposted = entry(1, false, BalanceEntryState::Succeeded);
        assert_eq!(class(&succeeded_unposted), Class::Pending);
        assert_eq!(
            class(&entry(1, true, BalanceEntryState::Failed)),
            Class::Failed
        );
    }
}
