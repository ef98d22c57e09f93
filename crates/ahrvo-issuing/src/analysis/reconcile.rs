//! The card page's "Balance Reconciliation": card balances against your own records.

use std::collections::HashMap;

use ahrvo_transport::{Error, ErrorKind};
use ahrvo_types::money::parse_decimal;
use ahrvo_types::{CardBalance, CardId, Decimal, MaskedCardNumber};

use super::math::sum;

/// The tolerance of [`reconcile`]: a difference of at most 0.01 (one cent) in absolute value is
/// a match, as the page allows; anything above is a discrepancy.
pub const RECONCILE_TOLERANCE: Decimal = Decimal::from_parts(1, 0, 0, false, 2);

/// The outcome for one expected card.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReconcileStatus {
    /// The actual balance is within [`RECONCILE_TOLERANCE`] of the expected one.
    Match {
        /// The balance the API reported.
        actual: Decimal,
        /// `actual - expected`: zero, or at most 0.01 either way.
        difference: Decimal,
    },
    /// The actual balance differs from the expected one by more than [`RECONCILE_TOLERANCE`].
    Discrepancy {
        /// The balance of your records.
        expected: Decimal,
        /// The balance the API reported.
        actual: Decimal,
        /// `actual - expected` (positive: the card holds more than your records say), saturating
        /// at the range of `Decimal`.
        difference: Decimal,
    },
    /// No actual balance was given for the card.
    Missing,
    /// The balance query for the card failed.
    Failed {
        /// The error's kind (e.g. `NotFound` for an unknown card, `BadRequest` for a Shared
        /// Funds Card).
        kind: ErrorKind,
        /// The error, as its `Display` shows it (never a credential).
        message: String,
    },
}

/// One expected card's reconciliation.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReconcileLine {
    /// The card.
    pub card_id: CardId,
    /// The balance of your records.
    pub expected: Decimal,
    /// The masked card number, when the query succeeded.
    pub card_number: Option<MaskedCardNumber>,
    /// The outcome.
    pub status: ReconcileStatus,
}

impl ReconcileLine {
    /// Whether the card matched.
    pub fn is_match(&self) -> bool {
        matches!(self.status, ReconcileStatus::Match { .. })
    }
}

/// Reconciles expected card balances against queried ones: one line per `expected` entry, in
/// that order. The actual result of a card is looked up by id (the first one given, if an id
/// appears twice); a card with no actual result is [`Missing`](ReconcileStatus::Missing), a
/// failed query is [`Failed`](ReconcileStatus::Failed), and otherwise the card matches when
/// `|actual - expected| <= 0.01` ([`RECONCILE_TOLERANCE`]) and is a
/// [`Discrepancy`](ReconcileStatus::Discrepancy) when it is more (so 0.011 is a discrepancy).
///
/// Feed it the results of
/// [`IssuingClient::get_card_balances`](crate::IssuingClient::get_card_balances) mapped to
/// `(card_id, result)`.
pub fn reconcile(
    expected: &[(CardId, Decimal)],
    actual: &[(CardId, Result<CardBalance, Error>)],
) -> Vec<ReconcileLine> {
    let mut by_id: HashMap<&CardId, &Result<CardBalance, Error>> = HashMap::new();
    for (card_id, result) in actual {
        by_id.entry(card_id).or_insert(result);
    }
    expected
        .iter()
        .map(|(card_id, expected)| {
            let (card_number, status) = match by_id.get(card_id) {
                None => (None, ReconcileStatus::Missing),
                Some(Err(e)) => (
                    None,
                    ReconcileStatus::Failed {
                        kind: e.kind(),
                        message: e.to_string(),
                    },
                ),
                Some(Ok(balance)) => (
                    Some(balance.card_number.clone()),
                    compare(*expected, balance.available_balance),
                ),
            };
            ReconcileLine {
                card_id: card_id.clone(),
                expected: *expected,
                card_number,
                status,
            }
        })
        .collect()
}

fn compare(expected: Decimal, actual: Decimal) -> ReconcileStatus {
    let difference = actual.saturating_sub(expected);
    if difference.abs() > RECONCILE_TOLERANCE {
        ReconcileStatus::Discrepancy {
            expected,
            actual,
            difference,
        }
    } else {
        ReconcileStatus::Match { actual, difference }
    }
}

/// Counts of a reconciliation, as the page's summary shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ReconcileSummary {
    /// Lines checked.
    pub checked: usize,
    /// Matches.
    pub matched: usize,
    /// Discrepancies.
    pub discrepancies: usize,
    /// Cards with no actual result.
    pub missing: usize,
    /// Failed queries.
    pub failed: usize,
    /// The sum of `|difference|` over the discrepancies, saturating at `Decimal::MAX`.
    pub total_discrepancy: Decimal,
}

impl ReconcileSummary {
    /// Whether every line matched (true for no lines).
    pub fn all_matched(&self) -> bool {
        self.matched == self.checked
    }
}

/// Summarises [`reconcile`]'s lines.
pub fn reconcile_summary(lines: &[ReconcileLine]) -> ReconcileSummary {
    let count = |f: fn(&ReconcileStatus) -> bool| lines.iter().filter(|l| f(&l.status)).count();
    let (total_discrepancy, _) = sum(lines.iter().filter_map(|l| match l.status {
        ReconcileStatus::Discrepancy { difference, .. } => Some(difference.abs()),
        _ => None,
    }));
    ReconcileSummary {
        checked: lines.len(),
        matched: count(|s| matches!(s, ReconcileStatus::Match { .. })),
        discrepancies: count(|s| matches!(s, ReconcileStatus::Discrepancy { .. })),
        missing: count(|s| matches!(s, ReconcileStatus::Missing)),
        failed: count(|s| matches!(s, ReconcileStatus::Failed { .. })),
        total_discrepancy,
    }
}

/// Reads expected balances from CSV text: a header row `card_id,balance`, then one
/// `card_id,balance` row per card.
///
/// Lenient on the form: a leading byte-order mark, `\r\n` line ends, blank lines, spaces around
/// fields, fields in double quotes and a header in any letter case are accepted. Strict on the
/// content: exactly two fields per row, a non-empty card id given once, and a plain decimal
/// balance read exactly with [`parse_decimal`] (no `$`, thousands separators or exponents).
///
/// # Errors
///
/// An [`ErrorKind::Validation`] error naming the line number (1-based, blank lines counted) of
/// the first problem: a missing or wrong header, a row without exactly two fields, an empty
/// card id, a card id already given (and where), or a balance that is not a plain decimal.
///
/// ```
/// use ahrvo_issuing::analysis::parse_expected_csv;
///
/// let rows = parse_expected_csv("card_id,balance\ncard201907021723076245,1468.87\n")?;
/// assert_eq!(rows[0].0, "card201907021723076245");
/// assert_eq!(rows[0].1.to_string(), "1468.87");
///
/// let e = parse_expected_csv("card_id,balance\ncard1,12.5\ncard2,$3\n").unwrap_err();
/// assert!(e.message().starts_with("line 3:"), "{e}");
/// # Ok::<(), ahrvo_issuing::Error>(())
/// ```
pub fn parse_expected_csv(text: &str) -> Result<Vec<(CardId, Decimal)>, Error> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rows = Vec::new();
    let mut seen: HashMap<CardId, usize> = HashMap::new();
    let mut header_seen = false;
    for (index, line) in text.lines().enumerate() {
        let number = index.saturating_add(1);
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split(',').map(unquote).collect();
        let bad = |what: String| Error::validation(format!("line {number}: {what}"));
        if !header_seen {
            let is_header = matches!(fields.as_slice(), [a, b]
                if a.eq_ignore_ascii_case("card_id") && b.eq_ignore_ascii_case("balance"));
            if !is_header {
                return Err(bad(format!(
                    "expected the header `card_id,balance`, found {:?}",
                    shown(line)
                )));
            }
            header_seen = true;
            continue;
        }
        let [card_id, balance] = fields.as_slice() else {
            return Err(bad(format!(
                "expected 2 fields (card_id,balance), found {}",
                fields.len()
            )));
        };
        if card_id.is_empty() {
            return Err(bad("the card_id is empty".to_owned()));
        }
        let amount = parse_decimal(balance).map_err(|e| bad(e.to_string()))?;
        let card_id = CardId::new(*card_id);
        if let Some(first) = seen.get(&card_id) {
            return Err(bad(format!(
                "card {:?} was already given on line {first}",
                shown(card_id.as_str())
            )));
        }
        seen.insert(card_id.clone(), number);
        rows.push((card_id, amount));
    }
    if !header_seen {
        return Err(Error::validation(
            "line 1: expected the header `card_id,balance`, found nothing",
        ));
    }
    Ok(rows)
}

/// A field trimmed and, when wrapped in double quotes, unwrapped.
fn unquote(field: &str) -> &str {
    let field = field.trim();
    field
        .strip_prefix('"')
        .and_then(|f| f.strip_suffix('"'))
        .map_or(field, str::trim)
}

/// At most 40 characters of an input, for error messages.
fn shown(s: &str) -> String {
    s.chars().take(40).collect()
}
