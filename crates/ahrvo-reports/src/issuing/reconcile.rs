//! The card page's "Balance Reconciliation": card balances against your own records.

use std::collections::HashMap;
use std::fmt;

use ahrvo_types::money::decimal_string;
use ahrvo_types::{CardBalance, CardId, Decimal, MaskedCardNumber};
use serde::Serialize;

use crate::math::sum;

/// The tolerance of [`reconcile`]: a difference of at most 0.01 (one cent) in absolute value is
/// a match, as the page allows; anything above is a discrepancy.
pub const RECONCILE_TOLERANCE: Decimal = Decimal::from_parts(1, 0, 0, false, 2);

/// The outcome for one expected card. `E` is the error type of the balance queries (e.g.
/// `&ahrvo::Error`, as [`reconcile`] borrows it).
///
/// Serialized flat into its [`ReconcileLine`]: `"status": "MATCH"` (or `DISCREPANCY`, `MISSING`,
/// `FAILED`), with `actual` and `difference` for a match or a discrepancy and `error` (the
/// error's `Display`) for a failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(
    tag = "status",
    rename_all = "SCREAMING_SNAKE_CASE",
    bound(serialize = "E: fmt::Display")
)]
#[non_exhaustive]
pub enum ReconcileStatus<E> {
    /// The actual balance is within [`RECONCILE_TOLERANCE`] of the expected one.
    Match {
        /// The balance the API reported.
        #[serde(with = "decimal_string")]
        actual: Decimal,
        /// `actual - expected`: zero, or at most 0.01 either way.
        #[serde(with = "decimal_string")]
        difference: Decimal,
    },
    /// The actual balance differs from the expected one by more than [`RECONCILE_TOLERANCE`].
    Discrepancy {
        /// The balance of your records (serialized once, as the line's `expected`).
        #[serde(skip)]
        expected: Decimal,
        /// The balance the API reported.
        #[serde(with = "decimal_string")]
        actual: Decimal,
        /// `actual - expected` (positive: the card holds more than your records say), saturating
        /// at the range of `Decimal`.
        #[serde(with = "decimal_string")]
        difference: Decimal,
    },
    /// No actual balance was given for the card.
    Missing,
    /// The balance query for the card failed.
    Failed {
        /// Why (e.g. a `NotFound` error for an unknown card, `BadRequest` for a Shared Funds
        /// Card); serialized as its `Display`, which never shows a credential.
        #[serde(serialize_with = "crate::ser::display")]
        error: E,
    },
}

impl<E> ReconcileStatus<E> {
    /// The serialized `status` word: `MATCH`, `DISCREPANCY`, `MISSING` or `FAILED`.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Match { .. } => "MATCH",
            Self::Discrepancy { .. } => "DISCREPANCY",
            Self::Missing => "MISSING",
            Self::Failed { .. } => "FAILED",
        }
    }

    /// The balance the API reported, for a match or a discrepancy.
    pub fn actual(&self) -> Option<Decimal> {
        match self {
            Self::Match { actual, .. } | Self::Discrepancy { actual, .. } => Some(*actual),
            _ => None,
        }
    }

    /// `actual - expected`, for a match or a discrepancy.
    pub fn difference(&self) -> Option<Decimal> {
        match self {
            Self::Match { difference, .. } | Self::Discrepancy { difference, .. } => {
                Some(*difference)
            }
            _ => None,
        }
    }

    /// The error of a failed query.
    pub fn error(&self) -> Option<&E> {
        match self {
            Self::Failed { error } => Some(error),
            _ => None,
        }
    }
}

/// One expected card's reconciliation.
///
/// Serialized flat: `{"card_id": ..., "card_number": "5157********2686", "expected":
/// "1468.87", "status": "MATCH", "actual": "1468.87", "difference": "0.00"}`; `card_number` is
/// left out when the query failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(bound(serialize = "E: fmt::Display"))]
#[non_exhaustive]
pub struct ReconcileLine<E> {
    /// The card.
    pub card_id: CardId,
    /// The masked card number, when the query succeeded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_number: Option<MaskedCardNumber>,
    /// The balance of your records.
    #[serde(with = "decimal_string")]
    pub expected: Decimal,
    /// The outcome.
    #[serde(flatten)]
    pub status: ReconcileStatus<E>,
}

impl<E> ReconcileLine<E> {
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
/// Feed it the results of `IssuingClient::get_card_balances` (in `ahrvo-issuing`) mapped to
/// `(card_id, result)`; the lines borrow the errors.
pub fn reconcile<'a, E>(
    expected: &[(CardId, Decimal)],
    actual: &'a [(CardId, Result<CardBalance, E>)],
) -> Vec<ReconcileLine<&'a E>> {
    let mut by_id: HashMap<&CardId, &Result<CardBalance, E>> = HashMap::new();
    for (card_id, result) in actual {
        by_id.entry(card_id).or_insert(result);
    }
    expected
        .iter()
        .map(|(card_id, expected)| {
            let (card_number, status) = match by_id.get(card_id) {
                None => (None, ReconcileStatus::Missing),
                Some(Err(error)) => (None, ReconcileStatus::Failed { error }),
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

fn compare<E>(expected: Decimal, actual: Decimal) -> ReconcileStatus<E> {
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

/// Counts of a reconciliation, as the page's summary shows them: `{"checked": 3, "matched": 0,
/// "discrepancies": 1, "missing": 0, "failed": 2, "total_discrepancy": "31.13"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
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
    /// The sum of `|difference|` over the discrepancies, saturating at `Decimal::MAX`, at least
    /// 2 decimals (`0.00` for none).
    #[serde(with = "decimal_string")]
    pub total_discrepancy: Decimal,
}

impl ReconcileSummary {
    /// Whether every line matched (true for no lines).
    pub fn all_matched(&self) -> bool {
        self.matched == self.checked
    }
}

/// Summarises [`reconcile`]'s lines.
pub fn reconcile_summary<E>(lines: &[ReconcileLine<E>]) -> ReconcileSummary {
    let count = |f: fn(&ReconcileStatus<E>) -> bool| lines.iter().filter(|l| f(&l.status)).count();
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

/// A whole reconciliation: its summary and its lines, from [`ReconcileReport::new`].
///
/// Serialized as `{"summary": ReconcileSummary, "lines": [ReconcileLine...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(bound(serialize = "E: fmt::Display"))]
#[non_exhaustive]
pub struct ReconcileReport<E> {
    /// The counts ([`reconcile_summary`] of the lines).
    pub summary: ReconcileSummary,
    /// One line per expected card, in the order expected.
    pub lines: Vec<ReconcileLine<E>>,
}

impl<E> ReconcileReport<E> {
    /// The report of [`reconcile`]'s lines.
    ///
    /// ```
    /// use ahrvo_reports::issuing::{reconcile, ReconcileReport};
    /// use ahrvo_types::{CardBalance, CardId, MaskedCardNumber};
    ///
    /// let card = CardBalance::new(MaskedCardNumber::new("5157********2686"), "1468.87".parse()?);
    /// let actual: Vec<(CardId, Result<CardBalance, String>)> = vec![
    ///     ("c1".into(), Ok(card)),
    ///     ("c2".into(), Err("getCardBalance: not found (HTTP 404)".to_owned())),
    /// ];
    /// let expected = vec![("c1".into(), "1500.00".parse()?), ("c2".into(), "1.00".parse()?)];
    /// let report = ReconcileReport::new(reconcile(&expected, &actual));
    /// let json = serde_json::to_value(&report)?;
    /// assert_eq!(json["summary"]["discrepancies"], 1);
    /// assert_eq!(json["summary"]["total_discrepancy"], "31.13");
    /// assert_eq!(json["lines"][0]["status"], "DISCREPANCY");
    /// assert_eq!(json["lines"][0]["difference"], "-31.13");
    /// assert_eq!(json["lines"][1]["error"], "getCardBalance: not found (HTTP 404)");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(lines: Vec<ReconcileLine<E>>) -> Self {
        Self {
            summary: reconcile_summary(&lines),
            lines,
        }
    }
}

#[cfg(feature = "csv")]
pub use self::csv_input::parse_expected_csv;

#[cfg(feature = "csv")]
mod csv_input {
    use std::collections::HashMap;

    use ahrvo_types::money::parse_decimal;
    use ahrvo_types::{CardId, Decimal};

    use crate::InvalidInput;

    /// Reads expected balances from CSV text: a header row `card_id,balance`, then one
    /// `card_id,balance` row per card.
    ///
    /// RFC 4180 (with the `csv` crate): a field in double quotes may hold commas, doubled quotes
    /// and line breaks, and reads back exactly as written. Lenient on the form: a leading
    /// byte-order mark, `\r\n` or `\n` line ends, blank lines, spaces around fields (also
    /// around a quoted field) and a header in any letter case are accepted. Strict on the
    /// content: exactly two fields per row, a non-empty card id given once, and a plain decimal
    /// balance read exactly with [`parse_decimal`] (no `$`, thousands separators or exponents).
    ///
    /// # Errors
    ///
    /// An [`InvalidInput`] error naming the line number (1-based, blank lines counted) of the
    /// first problem: a missing or wrong header, a row without exactly two fields, an empty card
    /// id, a card id already given (and where), or a balance that is not a plain decimal.
    ///
    /// ```
    /// use ahrvo_reports::issuing::parse_expected_csv;
    ///
    /// let rows = parse_expected_csv("card_id,balance\ncard201907021723076245,1468.87\n")?;
    /// assert_eq!(rows[0].0, "card201907021723076245");
    /// assert_eq!(rows[0].1.to_string(), "1468.87");
    ///
    /// let rows = parse_expected_csv("card_id,balance\n\"card, \"\"A\"\"\n2\",5.00\n")?;
    /// assert_eq!(rows[0].0, "card, \"A\"\n2");
    ///
    /// let e = parse_expected_csv("card_id,balance\ncard1,12.5\ncard2,$3\n").unwrap_err();
    /// assert!(e.message().starts_with("line 3:"), "{e}");
    /// # Ok::<(), ahrvo_reports::InvalidInput>(())
    /// ```
    pub fn parse_expected_csv(text: &str) -> Result<Vec<(CardId, Decimal)>, InvalidInput> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut rows = Vec::new();
        let mut seen: HashMap<CardId, u64> = HashMap::new();
        let mut header_seen = false;
        let mut record = csv::StringRecord::new();
        // Line numbers from byte offsets: the `csv` crate's own line count leaves out blank
        // lines and the line breaks inside quoted fields.
        let mut lines = LineCounter::new(text);
        loop {
            let at = reader.position().byte();
            match reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    let byte = e.position().map_or(at, csv::Position::byte);
                    let line = lines.line_at(byte);
                    return Err(InvalidInput::new(format!("line {line}: {e}")));
                }
            }
            let number = lines.line_at(record.position().map_or(at, csv::Position::byte));
            let fields: Vec<String> = record.iter().map(unquote).collect();
            if fields.iter().all(String::is_empty) && fields.len() <= 1 {
                continue; // a line of spaces
            }
            let bad = |what: String| InvalidInput::new(format!("line {number}: {what}"));
            if !header_seen {
                let is_header = matches!(fields.as_slice(), [a, b]
                    if a.eq_ignore_ascii_case("card_id") && b.eq_ignore_ascii_case("balance"));
                if !is_header {
                    return Err(bad(format!(
                        "expected the header `card_id,balance`, found {:?}",
                        shown(&fields.join(","))
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
            let card_id = CardId::new(card_id.as_str());
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
            return Err(InvalidInput::new(
                "line 1: expected the header `card_id,balance`, found nothing",
            ));
        }
        Ok(rows)
    }

    /// A field trimmed. A field with spaces before its opening quote (`a, "b"`) is not quoted
    /// for RFC 4180 (its quote is not its first character) and reads with its quotes: they are
    /// removed here, and `""` read as `"`.
    fn unquote(raw: &str) -> String {
        let field = raw.trim();
        let spaced = raw.len() != raw.trim_start().len();
        match field.strip_prefix('"').and_then(|f| f.strip_suffix('"')) {
            Some(inner) if spaced => inner.replace("\"\"", "\"").trim().to_owned(),
            _ => field.to_owned(),
        }
    }

    /// The 1-based line of byte offsets met in increasing order.
    struct LineCounter<'a> {
        text: &'a str,
        byte: usize,
        line: u64,
    }

    impl<'a> LineCounter<'a> {
        fn new(text: &'a str) -> Self {
            Self {
                text,
                byte: 0,
                line: 1,
            }
        }

        /// The line of the record that `csv` says starts at `byte`: the position it gives is
        /// right after the previous record, before the line ends and blank lines it skips.
        fn line_at(&mut self, byte: u64) -> u64 {
            let bytes = self.text.as_bytes();
            let mut byte = usize::try_from(byte).unwrap_or(usize::MAX).min(bytes.len());
            while bytes.get(byte).is_some_and(|b| matches!(b, b'\r' | b'\n')) {
                byte = byte.saturating_add(1);
            }
            if byte > self.byte {
                let newlines = bytes[self.byte..byte]
                    .iter()
                    .filter(|b| **b == b'\n')
                    .count();
                self.line = self
                    .line
                    .saturating_add(u64::try_from(newlines).unwrap_or(u64::MAX));
                self.byte = byte;
            }
            self.line
        }
    }

    /// At most 40 characters of an input, for error messages.
    fn shown(s: &str) -> String {
        s.chars().take(40).collect()
    }
}
