//! The sandbox's model: budgets, cards, Balances and Balance Entries, their invariants, and
//! their persistence to a state file.
//!
//! Every mutation runs on a copy of the state; the copy is checked against the invariants and
//! saved (when a state file is configured) before it replaces the live state. A mutation that
//! would break an invariant, or whose save fails, leaves both the live state and the file as
//! they were.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use axum::http::StatusCode;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::admin::{NewBalance, NewBalanceEntry};

/// Version of the state file format.
const STATE_VERSION: u32 = 1;

/// The largest amount the sandbox accepts, in cents (ten trillion units): far from `i64::MAX`,
/// so sums of a few amounts cannot overflow.
pub(crate) const MAX_CENTS: i64 = 1_000_000_000_000_000;

// ---------------------------------------------------------------------------------------------
// Failures
// ---------------------------------------------------------------------------------------------

/// Why a request or an admin call was refused. Each API module renders it in its own error
/// format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// 400: the input is invalid.
    BadRequest(String),
    /// 404: the named object does not exist.
    NotFound(String),
    /// 409: the request conflicts with the current state (duplicate, overdraft, wrong state).
    Conflict(String),
    /// 500: the state could not be saved.
    Storage(String),
}

impl Failure {
    /// The HTTP status for this failure.
    pub(crate) fn status(&self) -> StatusCode {
        match self {
            Failure::BadRequest(_) => StatusCode::BAD_REQUEST,
            Failure::NotFound(_) => StatusCode::NOT_FOUND,
            Failure::Conflict(_) => StatusCode::CONFLICT,
            Failure::Storage(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The human-readable message.
    pub(crate) fn message(&self) -> &str {
        match self {
            Failure::BadRequest(m)
            | Failure::NotFound(m)
            | Failure::Conflict(m)
            | Failure::Storage(m) => m,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Money
// ---------------------------------------------------------------------------------------------

/// An issuing amount in cents, written on the wire and in the state file as a decimal string
/// with exactly two decimals (`"78900.00"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub(crate) struct Money(pub(crate) i64);

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse_decimal(&text)
            .map(Money)
            .map_err(serde::de::Error::custom)
    }
}

/// Parses a non-negative decimal string with at most two decimals (`"10"`, `"10.4"`,
/// `"10.45"`) into cents. No sign, exponent, separator or whitespace is accepted.
pub(crate) fn parse_decimal(text: &str) -> Result<i64, String> {
    let (units, fraction) = match text.split_once('.') {
        Some((units, fraction)) => (units, Some(fraction)),
        None => (text, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(units) {
        return Err(format!(
            "amount must be a decimal string such as \"10.45\", got {text:?}"
        ));
    }
    let cents_part = match fraction {
        None => 0,
        Some(f) if all_digits(f) && f.len() <= 2 => {
            let value: i64 = f.parse().map_err(|_| format!("invalid amount {text:?}"))?;
            if f.len() == 1 { value * 10 } else { value }
        }
        Some(_) => {
            return Err(format!(
                "amount must have at most 2 decimal places, got {text:?}"
            ));
        }
    };
    let units = units.trim_start_matches('0');
    if units.len() > 13 {
        return Err(format!("amount {text:?} is too large"));
    }
    let units: i64 = if units.is_empty() {
        0
    } else {
        units
            .parse()
            .map_err(|_| format!("invalid amount {text:?}"))?
    };
    let cents = units
        .checked_mul(100)
        .and_then(|c| c.checked_add(cents_part))
        .filter(|c| *c <= MAX_CENTS)
        .ok_or_else(|| format!("amount {text:?} is too large"))?;
    Ok(cents)
}

/// Parses a strictly positive amount (see [`parse_decimal`]).
pub(crate) fn parse_positive_amount(text: &str) -> Result<i64, Failure> {
    match parse_decimal(text) {
        Ok(0) => Err(Failure::BadRequest(format!(
            "amount must be greater than 0, got {text:?}"
        ))),
        Ok(cents) => Ok(cents),
        Err(message) => Err(Failure::BadRequest(message)),
    }
}

// ---------------------------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------------------------

/// An issuing budget account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Budget {
    /// `ci` followed by 18 digits.
    pub(crate) budget_id: String,
    /// Unique among budgets.
    pub(crate) budget_name: String,
    /// Available balance.
    pub(crate) balance: Money,
    /// ISO 4217 code.
    pub(crate) currency: String,
}

/// How a sandbox card is funded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CardKind {
    /// A Dedicated Funds Card: it has a balance of its own, topped up from its budget.
    Dedicated,
    /// A Shared Funds Card: it spends its budget's balance directly and has none of its own.
    Shared,
}

/// An issued card. Only the masked number is ever known to the sandbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Card {
    /// `card` followed by 18 digits.
    pub(crate) card_id: String,
    /// The budget that funds the card.
    pub(crate) budget_id: String,
    /// Dedicated or shared funds.
    #[serde(rename = "type")]
    pub(crate) kind: CardKind,
    /// `5157********2686`: four digits, eight asterisks, four digits.
    pub(crate) card_number: String,
    /// Available balance of a dedicated card; always zero for a shared card.
    pub(crate) available_balance: Money,
    /// The card's currency (its budget's).
    pub(crate) currency: String,
}

/// A payments Balance. `posted_amount` is not stored: it is always `available + pending`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Balance {
    pub(crate) id: String,
    pub(crate) created_at: String,
    pub(crate) updated_at: String,
    pub(crate) available_amount: i64,
    pub(crate) pending_amount: i64,
    pub(crate) currency: String,
    pub(crate) linked_to: String,
    pub(crate) linked_type: String,
    pub(crate) tags: BTreeMap<String, String>,
    #[serde(rename = "type")]
    pub(crate) balance_type: String,
}

impl Balance {
    /// `available + pending` (checked by the invariants, so it cannot overflow once stored).
    pub(crate) fn posted_amount(&self) -> i64 {
        self.available_amount.saturating_add(self.pending_amount)
    }
}

/// Wire details of a `BALANCE_TOP_UP_WIRE` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WireDetails {
    pub(crate) external_reference_number: String,
}

/// A payments Balance Entry, plus the id of the Balance it belongs to (which the API's object
/// does not show).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BalanceEntry {
    pub(crate) id: String,
    pub(crate) balance_id: String,
    pub(crate) created_at: String,
    pub(crate) updated_at: String,
    pub(crate) amount: i64,
    pub(crate) created_by: String,
    pub(crate) currency: String,
    pub(crate) description: String,
    pub(crate) entity_id: String,
    pub(crate) entity_type: String,
    pub(crate) estimated_posted_date: String,
    pub(crate) linked_to: String,
    pub(crate) linked_type: String,
    pub(crate) parent_balance_entry_id: Option<String>,
    pub(crate) posted_at: Option<String>,
    pub(crate) state: String,
    pub(crate) tags: BTreeMap<String, String>,
    pub(crate) transaction_date: String,
    #[serde(rename = "type")]
    pub(crate) entry_type: String,
    pub(crate) wire_details: Option<WireDetails>,
}

/// The whole sandbox state: what the state file holds and `GET /_sandbox/state` shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct State {
    /// Format version of the state file.
    pub(crate) version: u32,
    /// Counter that makes generated ids unique.
    pub(crate) sequence: u64,
    pub(crate) budgets: Vec<Budget>,
    pub(crate) cards: Vec<Card>,
    pub(crate) balances: Vec<Balance>,
    pub(crate) balance_entries: Vec<BalanceEntry>,
}

impl Default for State {
    fn default() -> Self {
        State {
            version: STATE_VERSION,
            sequence: 0,
            budgets: Vec::new(),
            cards: Vec::new(),
            balances: Vec::new(),
            balance_entries: Vec::new(),
        }
    }
}

/// Entry states.
pub(crate) const PENDING: &str = "PENDING";
/// Entry states.
pub(crate) const SUCCEEDED: &str = "SUCCEEDED";

impl State {
    /// Checks every invariant; the error names the first one broken.
    pub(crate) fn check(&self) -> Result<(), String> {
        if self.version != STATE_VERSION {
            return Err(format!(
                "unsupported state version {} (expected {STATE_VERSION})",
                self.version
            ));
        }
        let mut budget_ids = BTreeSet::new();
        let mut budget_names = BTreeSet::new();
        for b in &self.budgets {
            if !is_prefixed_digits(&b.budget_id, "ci", 18) {
                return Err(format!(
                    "budget id {:?} is not `ci` + 18 digits",
                    b.budget_id
                ));
            }
            if !budget_ids.insert(b.budget_id.as_str()) {
                return Err(format!("duplicate budget id {}", b.budget_id));
            }
            if b.budget_name.trim().is_empty() || !budget_names.insert(b.budget_name.as_str()) {
                return Err(format!(
                    "empty or duplicate budget name {:?}",
                    b.budget_name
                ));
            }
            check_money(b.balance, &b.budget_id)?;
            check_currency(&b.currency)?;
        }
        let mut card_ids = BTreeSet::new();
        for c in &self.cards {
            if !is_prefixed_digits(&c.card_id, "card", 18) {
                return Err(format!("card id {:?} is not `card` + 18 digits", c.card_id));
            }
            if !card_ids.insert(c.card_id.as_str()) {
                return Err(format!("duplicate card id {}", c.card_id));
            }
            if !budget_ids.contains(c.budget_id.as_str()) {
                return Err(format!(
                    "card {} names unknown budget {}",
                    c.card_id, c.budget_id
                ));
            }
            if !is_masked_card_number(&c.card_number) {
                return Err(format!(
                    "card {} number is not masked as 1234********5678",
                    c.card_id
                ));
            }
            check_money(c.available_balance, &c.card_id)?;
            if c.kind == CardKind::Shared && c.available_balance.0 != 0 {
                return Err(format!("shared-funds card {} holds a balance", c.card_id));
            }
            check_currency(&c.currency)?;
        }
        let mut balance_ids = BTreeSet::new();
        let mut pending_by_balance: BTreeMap<&str, i64> = BTreeMap::new();
        for b in &self.balances {
            if !balance_ids.insert(b.id.as_str()) {
                return Err(format!("duplicate Balance id {}", b.id));
            }
            for (what, amount) in [
                ("available", b.available_amount),
                ("pending", b.pending_amount),
            ] {
                if !(0..=MAX_CENTS).contains(&amount) {
                    return Err(format!(
                        "Balance {} {what}_amount {amount} is out of range",
                        b.id
                    ));
                }
            }
            check_currency(&b.currency)?;
            pending_by_balance.insert(b.id.as_str(), 0);
        }
        let mut entry_ids = BTreeSet::new();
        for e in &self.balance_entries {
            if !entry_ids.insert(e.id.as_str()) {
                return Err(format!("duplicate Balance Entry id {}", e.id));
            }
            let Some(pending) = pending_by_balance.get_mut(e.balance_id.as_str()) else {
                return Err(format!(
                    "Balance Entry {} names unknown Balance {}",
                    e.id, e.balance_id
                ));
            };
            if e.amount == 0 || !(-MAX_CENTS..=MAX_CENTS).contains(&e.amount) {
                return Err(format!(
                    "Balance Entry {} amount {} is invalid",
                    e.id, e.amount
                ));
            }
            match e.state.as_str() {
                PENDING => {
                    if e.amount < 0 || e.posted_at.is_some() {
                        return Err(format!("pending Balance Entry {} is inconsistent", e.id));
                    }
                    *pending = pending.saturating_add(e.amount);
                }
                SUCCEEDED => {
                    if e.posted_at.is_none() {
                        return Err(format!("succeeded Balance Entry {} has no posted_at", e.id));
                    }
                }
                other => {
                    return Err(format!("Balance Entry {} has unknown state {other}", e.id));
                }
            }
        }
        for b in &self.balances {
            let pending = pending_by_balance.get(b.id.as_str()).copied().unwrap_or(0);
            if pending > b.pending_amount {
                return Err(format!(
                    "Balance {} has {pending} in pending entries but pending_amount {}",
                    b.id, b.pending_amount
                ));
            }
        }
        Ok(())
    }

    /// Finds a budget by id.
    pub(crate) fn budget_mut(&mut self, budget_id: &str) -> Result<&mut Budget, Failure> {
        self.budgets
            .iter_mut()
            .find(|b| b.budget_id == budget_id)
            .ok_or_else(|| Failure::NotFound(format!("Budget account {budget_id} does not exist")))
    }

    /// Finds a Balance by id.
    pub(crate) fn balance_mut(&mut self, balance_id: &str) -> Result<&mut Balance, Failure> {
        self.balances
            .iter_mut()
            .find(|b| b.id == balance_id)
            .ok_or_else(|| Failure::NotFound(format!("Balance {balance_id} not found")))
    }

    /// Next value of the id counter.
    pub(crate) fn next_sequence(&mut self) -> u64 {
        self.sequence = self.sequence.wrapping_add(1);
        self.sequence
    }

    /// A fresh `ci` + 18 digits budget id: the UTC time (14 digits) and 4 more digits.
    pub(crate) fn new_budget_id(&mut self) -> String {
        let stamp = compact_timestamp(OffsetDateTime::now_utc());
        loop {
            let n = self.next_sequence();
            let id = format!("ci{stamp}{:04}", n % 10_000);
            if !self.budgets.iter().any(|b| b.budget_id == id) {
                return id;
            }
        }
    }

    /// A fresh `card` + 18 digits card id.
    pub(crate) fn new_card_id(&mut self) -> String {
        let stamp = compact_timestamp(OffsetDateTime::now_utc());
        loop {
            let n = self.next_sequence();
            let id = format!("card{stamp}{:04}", n % 10_000);
            if !self.cards.iter().any(|c| c.card_id == id) {
                return id;
            }
        }
    }

    /// A fresh Finix-style id: `prefix` and 22 base-62 characters.
    pub(crate) fn new_token(&mut self, prefix: &str) -> String {
        let n = self.next_sequence();
        let nanos = OffsetDateTime::now_utc().unix_timestamp_nanos();
        // Fold the 128-bit timestamp into 64 bits; truncation is intended.
        let mut seed = (nanos as u64) ^ ((nanos >> 64) as u64) ^ n.rotate_left(32);
        const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        let mut id = String::with_capacity(prefix.len() + 22);
        id.push_str(prefix);
        let mut word = splitmix64(&mut seed);
        for i in 0..22 {
            if i == 10 {
                word = splitmix64(&mut seed);
            }
            let index = usize::try_from(word % 62).unwrap_or(0);
            word /= 62;
            id.push(char::from(ALPHABET.get(index).copied().unwrap_or(b'0')));
        }
        id
    }

    /// Four pseudo-random digits for a masked card number.
    pub(crate) fn new_last4(&mut self) -> String {
        let mut seed = self.next_sequence() ^ 0x5157_0000_2686;
        format!("{:04}", splitmix64(&mut seed) % 10_000)
    }
}

fn check_money(amount: Money, owner: &str) -> Result<(), String> {
    if (0..=MAX_CENTS).contains(&amount.0) {
        Ok(())
    } else {
        Err(format!("{owner} balance {amount} is negative or too large"))
    }
}

fn check_currency(code: &str) -> Result<(), String> {
    if is_currency(code) {
        Ok(())
    } else {
        Err(format!("currency {code:?} is not a 3-letter ISO 4217 code"))
    }
}

/// `USD`, `EUR`: three ASCII upper-case letters.
pub(crate) fn is_currency(code: &str) -> bool {
    code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase())
}

/// `prefix` followed by exactly `digits` ASCII digits.
pub(crate) fn is_prefixed_digits(id: &str, prefix: &str, digits: usize) -> bool {
    id.strip_prefix(prefix)
        .is_some_and(|rest| rest.len() == digits && rest.bytes().all(|b| b.is_ascii_digit()))
}

/// `5157********2686`.
pub(crate) fn is_masked_card_number(number: &str) -> bool {
    let bytes = number.as_bytes();
    bytes.len() == 16
        && bytes.iter().enumerate().all(|(i, b)| {
            if (4..12).contains(&i) {
                *b == b'*'
            } else {
                b.is_ascii_digit()
            }
        })
}

/// SplitMix64: a tiny, well-distributed generator (also used by the fault injector).
pub(crate) fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `yyyyMMddHHmmss` in UTC.
fn compact_timestamp(now: OffsetDateTime) -> String {
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}",
        now.year().clamp(0, 9999),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    )
}

/// The current UTC time as RFC 3339, to the second (`2025-07-23T20:16:18Z`).
pub(crate) fn now_rfc3339() -> String {
    rfc3339(OffsetDateTime::now_utc())
}

/// `at` as RFC 3339 in UTC, to the second.
pub(crate) fn rfc3339(at: OffsetDateTime) -> String {
    let at = at.replace_nanosecond(0).unwrap_or(at);
    at.format(&Rfc3339)
        .unwrap_or_else(|_| String::from("1970-01-01T00:00:00Z"))
}

// ---------------------------------------------------------------------------------------------
// Seed data: the documentation pages' own example objects
// ---------------------------------------------------------------------------------------------

/// Application id the seeded Balance and Balance Entry are linked to.
pub(crate) const SEED_APPLICATION_ID: &str = "APgPDQrLD52TYvqazjHJJchM";

impl State {
    /// The state that makes every example of the documentation pages work as is.
    pub(crate) fn seeded() -> State {
        let budget = |id: &str, name: &str, cents: i64| Budget {
            budget_id: id.to_owned(),
            budget_name: name.to_owned(),
            balance: Money(cents),
            currency: "USD".to_owned(),
        };
        let tags = BTreeMap::new();
        State {
            version: STATE_VERSION,
            sequence: 0,
            budgets: vec![
                budget(
                    "ci202507232016182661",
                    "Marketing Department Budget",
                    4_525_075,
                ),
                budget("ci202507232016182662", "Engineering Team Budget", 7_890_000),
                budget("ci202507232016182663", "Travel Expenses", 1_250_050),
            ],
            cards: vec![
                Card {
                    card_id: "card201907021723076245".to_owned(),
                    budget_id: "ci202507232016182661".to_owned(),
                    kind: CardKind::Dedicated,
                    card_number: "5157********2686".to_owned(),
                    available_balance: Money(146_887),
                    currency: "USD".to_owned(),
                },
                Card {
                    card_id: "card201907021723076246".to_owned(),
                    budget_id: "ci202507232016182662".to_owned(),
                    kind: CardKind::Shared,
                    card_number: "5157********8888".to_owned(),
                    available_balance: Money(0),
                    currency: "USD".to_owned(),
                },
            ],
            balances: vec![Balance {
                id: "balance_dyz5APsJebDef9oTW9J2Hc".to_owned(),
                created_at: "2024-05-01T18:04:33.42Z".to_owned(),
                updated_at: "2024-05-06T15:21:09.17Z".to_owned(),
                available_amount: 1_250_000,
                pending_amount: 250_000,
                currency: "USD".to_owned(),
                linked_to: SEED_APPLICATION_ID.to_owned(),
                linked_type: "APPLICATION".to_owned(),
                tags: tags.clone(),
                balance_type: "DISBURSEMENT".to_owned(),
            }],
            balance_entries: vec![BalanceEntry {
                id: "balance_entry_i5YzFZYEh6CoCrN2zqgPdW".to_owned(),
                balance_id: "balance_dyz5APsJebDef9oTW9J2Hc".to_owned(),
                created_at: "2024-05-01T18:04:33.42Z".to_owned(),
                updated_at: "2024-05-06T15:21:09.17Z".to_owned(),
                amount: 250_000,
                created_by: "SYSTEM".to_owned(),
                currency: "USD".to_owned(),
                description: "ACH top-up of the disbursement balance".to_owned(),
                entity_id: "balance_adjustment_fR4sgV9mWq3TzYkLb8nXcJ".to_owned(),
                entity_type: "BALANCE_ADJUSTMENT".to_owned(),
                estimated_posted_date: "2024-05-06T15:00:00Z".to_owned(),
                linked_to: SEED_APPLICATION_ID.to_owned(),
                linked_type: "APPLICATION".to_owned(),
                parent_balance_entry_id: None,
                posted_at: Some("2024-05-06T15:21:09.17Z".to_owned()),
                state: SUCCEEDED.to_owned(),
                tags,
                transaction_date: "2024-05-01T18:04:33.42Z".to_owned(),
                entry_type: "BALANCE_TOP_UP_ACH".to_owned(),
                wire_details: None,
            }],
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The store: live state, mutation protocol, persistence
// ---------------------------------------------------------------------------------------------

/// Why the state file could not be used at start.
#[derive(Debug)]
pub(crate) struct LoadError {
    pub(crate) path: PathBuf,
    pub(crate) reason: String,
}

/// The live state behind a lock, and where to save it.
#[derive(Debug)]
pub(crate) struct Store {
    state: Mutex<Live>,
    file: Option<PathBuf>,
    temp_counter: AtomicU64,
}

/// The live state and its cards' positions by id. The card-balance route looks a card up on
/// every request: a scan of 10,000 cards under the lock was most of the sandbox's CPU time per
/// request, and the many-card benchmark's lock hold times (docs/performance.md).
#[derive(Debug)]
struct Live {
    state: State,
    cards_by_id: HashMap<String, usize>,
}

impl Live {
    fn new(state: State) -> Live {
        let mut live = Live {
            state,
            cards_by_id: HashMap::new(),
        };
        live.reindex();
        live
    }

    fn reindex(&mut self) {
        self.cards_by_id = (self.state.cards.iter().enumerate())
            .map(|(i, c)| (c.card_id.clone(), i))
            .collect();
    }
}

impl Store {
    /// Opens the store: loads `file` when it exists (and must be valid), else starts from the
    /// seeded or empty state and saves it there.
    pub(crate) fn open(file: Option<PathBuf>, seed: bool) -> Result<Store, LoadError> {
        let initial = if seed {
            State::seeded()
        } else {
            State::default()
        };
        let store = Store {
            state: Mutex::new(Live::new(initial)),
            file,
            temp_counter: AtomicU64::new(0),
        };
        if let Some(path) = &store.file {
            remove_stale_temp_files(path);
            match fs::read(path) {
                Ok(bytes) => {
                    let loaded: State = serde_json::from_slice(&bytes).map_err(|e| LoadError {
                        path: path.clone(),
                        reason: format!("state file is corrupt: {e}"),
                    })?;
                    loaded.check().map_err(|e| LoadError {
                        path: path.clone(),
                        reason: format!("state file breaks an invariant: {e}"),
                    })?;
                    *store.lock() = Live::new(loaded);
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    let snapshot = store.snapshot();
                    store.save(&snapshot).map_err(|e| LoadError {
                        path: path.clone(),
                        reason: format!("cannot create the state file: {e}"),
                    })?;
                }
                Err(e) => {
                    return Err(LoadError {
                        path: path.clone(),
                        reason: format!("cannot read the state file: {e}"),
                    });
                }
            }
        }
        Ok(store)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Live> {
        // Writers replace the state only once a mutation fully succeeded, so a poisoned lock
        // still guards a consistent state.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Reads the state.
    pub(crate) fn read<R>(&self, f: impl FnOnce(&State) -> R) -> R {
        f(&self.lock().state)
    }

    /// The card with this id (ids are unique: the invariants say so).
    pub(crate) fn card(&self, card_id: &str) -> Option<Card> {
        let live = self.lock();
        let index = *live.cards_by_id.get(card_id)?;
        live.state.cards.get(index).cloned()
    }

    /// A copy of the whole state.
    pub(crate) fn snapshot(&self) -> State {
        self.lock().state.clone()
    }

    /// Runs `f` on a copy of the state; commits the copy only if `f` succeeds, the invariants
    /// hold and the save (if any) succeeds. Mutations are serialized by the lock.
    pub(crate) fn mutate<R>(
        &self,
        f: impl FnOnce(&mut State) -> Result<R, Failure>,
    ) -> Result<R, Failure> {
        let mut live = self.lock();
        let mut draft = live.state.clone();
        let result = f(&mut draft)?;
        draft
            .check()
            .map_err(|e| Failure::Conflict(format!("refused: {e}")))?;
        self.save(&draft)
            .map_err(|e| Failure::Storage(format!("could not save the state file: {e}")))?;
        live.state = draft;
        live.reindex();
        Ok(result)
    }

    /// Replaces the whole state (reset).
    pub(crate) fn replace(&self, state: State) -> Result<(), Failure> {
        self.mutate(|s| {
            *s = state;
            Ok(())
        })
    }

    /// Writes `state` to the state file atomically: temp file in the same directory, fsync,
    /// rename over the target, fsync the directory. Without a state file, does nothing.
    fn save(&self, state: &State) -> io::Result<()> {
        let Some(path) = &self.file else {
            return Ok(());
        };
        let bytes = serde_json::to_vec_pretty(state).map_err(io::Error::other)?;
        let (dir, name) = dir_and_name(path);
        let n = self.temp_counter.fetch_add(1, Ordering::Relaxed);
        let temp = dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
        let result = write_synced(&temp, &bytes).and_then(|()| fs::rename(&temp, path));
        if result.is_err() {
            // Best effort: never leave a temp file behind.
            let _ = fs::remove_file(&temp);
        }
        result?;
        sync_dir(&dir)
    }
}

/// The directory of `path` (`.` when it has none) and its file name.
fn dir_and_name(path: &Path) -> (PathBuf, String) {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "state.json".to_owned());
    (dir, name)
}

/// Removes temp files a crashed sandbox may have left next to the state file (the state file
/// itself is never touched: the rename that replaces it is atomic).
fn remove_stale_temp_files(path: &Path) {
    let (dir, name) = dir_and_name(path);
    let prefix = format!(".{name}.");
    let Ok(entries) = fs::read_dir(&dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        if file_name.starts_with(&prefix) && file_name.ends_with(".tmp") {
            // Best effort: a leftover temp file is harmless, only untidy.
            let _ = fs::remove_file(entry.path());
        }
    }
}

fn write_synced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = fs::File::create(path)?;
    file.write_all(bytes)?;
    file.write_all(b"\n")?;
    file.sync_all()
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    fs::File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    // Directories cannot be opened for syncing on this platform; the rename is still atomic.
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Operations (shared by the API and the admin routes)
// ---------------------------------------------------------------------------------------------

/// The Balance Entry types of the page, with the sign their amount must have: `Some(true)`
/// credits only, `Some(false)` debits only, `None` either.
pub(crate) const ENTRY_TYPES: [(&str, Option<bool>); 7] = [
    ("BALANCE_TOP_UP_ACH", Some(true)),
    ("BALANCE_TOP_UP_WIRE", Some(true)),
    ("PUSH_TO_CARD", Some(false)),
    ("TRANSFER", None),
    ("FEE", Some(false)),
    ("REFUND", None),
    ("PAYOUT", Some(false)),
];

/// The entity types a Balance Entry may name.
pub(crate) const ENTITY_TYPES: [&str; 2] = ["BALANCE_ADJUSTMENT", "TRANSFER"];

fn insufficient(what: &str, available: Money, requested: Money) -> Failure {
    Failure::Conflict(format!(
        "Insufficient {what} balance: {available} available, {requested} requested; refused, \
         nothing was changed"
    ))
}

impl State {
    /// Creates a budget; its name must be unique (409 otherwise).
    pub(crate) fn create_budget(
        &mut self,
        name: &str,
        currency: &str,
        balance: Money,
    ) -> Result<String, Failure> {
        if !is_currency(currency) {
            return Err(Failure::BadRequest(format!(
                "currency must be a 3-letter ISO 4217 code such as \"USD\", got {currency:?}"
            )));
        }
        if self.budgets.iter().any(|b| b.budget_name == name) {
            return Err(Failure::Conflict(
                "Budget account with this name already exists".to_owned(),
            ));
        }
        let budget_id = self.new_budget_id();
        self.budgets.push(Budget {
            budget_id: budget_id.clone(),
            budget_name: name.to_owned(),
            balance,
            currency: currency.to_owned(),
        });
        Ok(budget_id)
    }

    /// Adds `cents` to a budget.
    pub(crate) fn fund_budget(&mut self, budget_id: &str, cents: i64) -> Result<Budget, Failure> {
        let budget = self.budget_mut(budget_id)?;
        budget.balance.0 = budget
            .balance
            .0
            .checked_add(cents)
            .filter(|c| *c <= MAX_CENTS)
            .ok_or_else(|| {
                Failure::BadRequest("the budget balance would be too large".to_owned())
            })?;
        Ok(budget.clone())
    }

    /// Takes `cents` from a budget; refused when the budget holds less.
    pub(crate) fn withdraw_budget(
        &mut self,
        budget_id: &str,
        cents: i64,
    ) -> Result<Budget, Failure> {
        let budget = self.budget_mut(budget_id)?;
        if budget.balance.0 < cents {
            return Err(insufficient("budget", budget.balance, Money(cents)));
        }
        budget.balance.0 -= cents;
        Ok(budget.clone())
    }

    /// Issues a card funded by `budget_id`, in its currency. `last4` picks the masked number's
    /// last four digits (random otherwise).
    pub(crate) fn create_card(
        &mut self,
        budget_id: &str,
        kind: CardKind,
        last4: Option<&str>,
    ) -> Result<Card, Failure> {
        let currency = self.budget_mut(budget_id)?.currency.clone();
        let last4 = match last4 {
            Some(l) if l.len() == 4 && l.bytes().all(|b| b.is_ascii_digit()) => l.to_owned(),
            Some(l) => {
                return Err(Failure::BadRequest(format!(
                    "last4 must be exactly 4 digits, got {l:?}"
                )));
            }
            None => self.new_last4(),
        };
        let card = Card {
            card_id: self.new_card_id(),
            budget_id: budget_id.to_owned(),
            kind,
            card_number: format!("5157********{last4}"),
            available_balance: Money(0),
            currency,
        };
        self.cards.push(card.clone());
        Ok(card)
    }

    /// Moves `cents` from a Dedicated Funds Card's budget to the card.
    pub(crate) fn top_up_card(&mut self, card_id: &str, cents: i64) -> Result<Card, Failure> {
        let Some(index) = self.cards.iter().position(|c| c.card_id == card_id) else {
            return Err(Failure::NotFound(format!("Card {card_id} does not exist")));
        };
        let (kind, budget_id) = match self.cards.get(index) {
            Some(card) => (card.kind, card.budget_id.clone()),
            None => return Err(Failure::NotFound(format!("Card {card_id} does not exist"))),
        };
        if kind == CardKind::Shared {
            return Err(Failure::BadRequest(format!(
                "Card {card_id} is not a Dedicated Funds Card: a Shared Funds Card spends its \
                 budget's balance and cannot be topped up"
            )));
        }
        let budget = self.budget_mut(&budget_id)?;
        if budget.balance.0 < cents {
            return Err(insufficient("budget", budget.balance, Money(cents)));
        }
        budget.balance.0 -= cents;
        let card = self
            .cards
            .get_mut(index)
            .ok_or_else(|| Failure::NotFound(format!("Card {card_id} does not exist")))?;
        card.available_balance.0 = card
            .available_balance
            .0
            .checked_add(cents)
            .filter(|c| *c <= MAX_CENTS)
            .ok_or_else(|| Failure::BadRequest("the card balance would be too large".to_owned()))?;
        Ok(card.clone())
    }

    /// Creates a Balance.
    pub(crate) fn create_balance(&mut self, spec: &NewBalance) -> Result<Balance, Failure> {
        let currency = spec.currency.as_deref().unwrap_or("USD");
        if !is_currency(currency) {
            return Err(Failure::BadRequest(format!(
                "currency must be a 3-letter ISO 4217 code such as \"USD\", got {currency:?}"
            )));
        }
        for (what, amount) in [
            ("available_amount", spec.available_amount),
            ("pending_amount", spec.pending_amount),
        ] {
            if !(0..=MAX_CENTS).contains(&amount) {
                return Err(Failure::BadRequest(format!(
                    "{what} must be between 0 and {MAX_CENTS} cents, got {amount}"
                )));
            }
        }
        let linked_to = match &spec.linked_to {
            Some(id) if id.trim().is_empty() => {
                return Err(Failure::BadRequest(
                    "linked_to must not be empty".to_owned(),
                ));
            }
            Some(id) => id.clone(),
            None => self.new_token("AP"),
        };
        let now = now_rfc3339();
        let balance = Balance {
            id: self.new_token("balance_"),
            created_at: now.clone(),
            updated_at: now,
            available_amount: spec.available_amount,
            pending_amount: spec.pending_amount,
            currency: currency.to_owned(),
            linked_to,
            linked_type: "APPLICATION".to_owned(),
            tags: spec.tags.clone(),
            balance_type: "DISBURSEMENT".to_owned(),
        };
        self.balances.push(balance.clone());
        Ok(balance)
    }

    /// Posts a Balance Entry: an ACH top-up is PENDING and adds to `pending_amount`; any other
    /// entry SUCCEEDS at once and changes `available_amount`, which a debit may not overdraw.
    pub(crate) fn post_entry(
        &mut self,
        balance_id: &str,
        spec: &NewBalanceEntry,
    ) -> Result<BalanceEntry, Failure> {
        let entry_type = spec.entry_type.as_str();
        let Some((_, sign)) = ENTRY_TYPES.iter().find(|(t, _)| *t == entry_type) else {
            let known: Vec<&str> = ENTRY_TYPES.iter().map(|(t, _)| *t).collect();
            return Err(Failure::BadRequest(format!(
                "type must be one of {}, got {entry_type:?}",
                known.join(", ")
            )));
        };
        let amount = spec.amount;
        if amount == 0 || !(-MAX_CENTS..=MAX_CENTS).contains(&amount) {
            return Err(Failure::BadRequest(format!(
                "amount must be a non-zero number of cents within ±{MAX_CENTS}, got {amount}"
            )));
        }
        match sign {
            Some(true) if amount < 0 => {
                return Err(Failure::BadRequest(format!(
                    "a {entry_type} entry is a credit: amount must be positive"
                )));
            }
            Some(false) if amount > 0 => {
                return Err(Failure::BadRequest(format!(
                    "a {entry_type} entry is a debit: amount must be negative"
                )));
            }
            _ => {}
        }
        let is_top_up = entry_type.starts_with("BALANCE_TOP_UP_");
        let entity_type = match &spec.entity_type {
            Some(t) if ENTITY_TYPES.contains(&t.as_str()) => t.clone(),
            Some(t) => {
                return Err(Failure::BadRequest(format!(
                    "entity_type must be one of {}, got {t:?}",
                    ENTITY_TYPES.join(", ")
                )));
            }
            None if is_top_up => "BALANCE_ADJUSTMENT".to_owned(),
            None => "TRANSFER".to_owned(),
        };
        let entity_id = match &spec.entity_id {
            Some(id) if id.trim().is_empty() => {
                return Err(Failure::BadRequest(
                    "entity_id must not be empty".to_owned(),
                ));
            }
            Some(id) => id.clone(),
            None if entity_type == "BALANCE_ADJUSTMENT" => self.new_token("balance_adjustment_"),
            None => self.new_token("TR"),
        };
        let is_wire = entry_type == "BALANCE_TOP_UP_WIRE";
        let wire_details = match (&spec.external_reference_number, is_wire) {
            (Some(_), false) => {
                return Err(Failure::BadRequest(
                    "external_reference_number applies to BALANCE_TOP_UP_WIRE entries only"
                        .to_owned(),
                ));
            }
            (Some(r), true) => Some(WireDetails {
                external_reference_number: r.clone(),
            }),
            (None, true) => {
                let n = self.next_sequence();
                Some(WireDetails {
                    external_reference_number: format!(
                        "FED{}{:06}",
                        compact_timestamp(OffsetDateTime::now_utc())
                            .get(..8)
                            .unwrap_or_default(),
                        n % 1_000_000
                    ),
                })
            }
            (None, false) => None,
        };
        let pending = entry_type == "BALANCE_TOP_UP_ACH";
        let id = self.new_token("balance_entry_");
        let now_at = OffsetDateTime::now_utc();
        let now = rfc3339(now_at);
        let estimated = if pending {
            rfc3339(
                now_at
                    .checked_add(time::Duration::days(3))
                    .unwrap_or(now_at),
            )
        } else {
            now.clone()
        };
        let balance = self.balance_mut(balance_id)?;
        if pending {
            balance.pending_amount = balance.pending_amount.saturating_add(amount);
        } else {
            let after = balance.available_amount.saturating_add(amount);
            if after < 0 {
                return Err(Failure::Conflict(format!(
                    "Insufficient funds: the {entry_type} entry of {amount} cents would overdraw \
                     Balance {balance_id} (available_amount {}); refused, nothing was changed",
                    balance.available_amount
                )));
            }
            balance.available_amount = after;
        }
        balance.updated_at = now.clone();
        let description = spec.description.clone().unwrap_or_else(|| {
            let kind = entry_type.to_ascii_lowercase().replace('_', " ");
            format!("Sandbox {kind} entry")
        });
        let entry = BalanceEntry {
            id,
            balance_id: balance.id.clone(),
            created_at: now.clone(),
            updated_at: now.clone(),
            amount,
            created_by: "SYSTEM".to_owned(),
            currency: balance.currency.clone(),
            description,
            entity_id,
            entity_type,
            estimated_posted_date: estimated,
            linked_to: balance.linked_to.clone(),
            linked_type: balance.linked_type.clone(),
            parent_balance_entry_id: None,
            posted_at: (!pending).then(|| now.clone()),
            state: if pending { PENDING } else { SUCCEEDED }.to_owned(),
            tags: spec.tags.clone(),
            transaction_date: now,
            entry_type: entry_type.to_owned(),
            wire_details,
        };
        self.balance_entries.push(entry.clone());
        Ok(entry)
    }

    /// Settles a PENDING entry: its amount moves from pending to available, and it SUCCEEDS.
    pub(crate) fn settle_entry(&mut self, entry_id: &str) -> Result<BalanceEntry, Failure> {
        let Some(entry) = self
            .balance_entries
            .iter()
            .find(|e| e.id == entry_id)
            .cloned()
        else {
            return Err(Failure::NotFound(format!(
                "Balance Entry {entry_id} not found"
            )));
        };
        if entry.state != PENDING {
            return Err(Failure::Conflict(format!(
                "Balance Entry {entry_id} is {}, not PENDING: only pending entries settle",
                entry.state
            )));
        }
        let now = now_rfc3339();
        let balance = self.balance_mut(&entry.balance_id)?;
        if balance.pending_amount < entry.amount {
            return Err(Failure::Conflict(format!(
                "Balance {} has only {} cents pending",
                balance.id, balance.pending_amount
            )));
        }
        balance.pending_amount -= entry.amount;
        balance.available_amount = balance.available_amount.saturating_add(entry.amount);
        balance.updated_at = now.clone();
        let stored = self
            .balance_entries
            .iter_mut()
            .find(|e| e.id == entry_id)
            .ok_or_else(|| Failure::NotFound(format!("Balance Entry {entry_id} not found")))?;
        stored.state = SUCCEEDED.to_owned();
        stored.posted_at = Some(now.clone());
        stored.updated_at = now;
        Ok(stored.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_amounts() {
        assert_eq!(parse_decimal("10"), Ok(1000));
        assert_eq!(parse_decimal("10.4"), Ok(1040));
        assert_eq!(parse_decimal("10.45"), Ok(1045));
        assert_eq!(parse_decimal("0.01"), Ok(1));
        assert_eq!(parse_decimal("000.01"), Ok(1));
        for bad in [
            "",
            ".5",
            "5.",
            "1.234",
            "-1",
            "+1",
            "1e3",
            " 1",
            "1_000",
            "1,00",
            "99999999999999",
        ] {
            assert!(parse_decimal(bad).is_err(), "{bad:?} accepted");
        }
        assert_eq!(Money(4_525_075).to_string(), "45250.75");
        assert_eq!(Money(7_890_000).to_string(), "78900.00");
        assert_eq!(Money(5).to_string(), "0.05");
    }

    #[test]
    fn seed_holds_invariants() {
        assert_eq!(State::seeded().check(), Ok(()));
        assert_eq!(State::default().check(), Ok(()));
    }

    #[test]
    fn the_card_index_follows_every_change_of_state() {
        let store = Store::open(None, false).expect("a store");
        let budget = store
            .mutate(|s| s.create_budget("B", "USD", Money(10_000)))
            .expect("budget");
        let card = store
            .mutate(|s| s.create_card(&budget, CardKind::Dedicated, None))
            .expect("card");
        assert_eq!(store.card(&card.card_id), Some(card.clone()));
        let topped = store
            .mutate(|s| s.top_up_card(&card.card_id, 250))
            .expect("top up");
        assert_eq!(store.card(&card.card_id), Some(topped));
        assert_eq!(store.card("card000000000000000000"), None);
        // A refused mutation changes nothing; a replaced state is indexed anew.
        assert!(
            store
                .mutate(|s| s.top_up_card(&card.card_id, 1 << 40))
                .is_err()
        );
        assert!(store.card(&card.card_id).is_some());
        store.replace(State::default()).expect("reset");
        assert_eq!(store.card(&card.card_id), None);
    }

    #[test]
    fn generated_ids_have_documented_shapes() {
        let mut s = State::default();
        assert!(is_prefixed_digits(&s.new_budget_id(), "ci", 18));
        assert!(is_prefixed_digits(&s.new_card_id(), "card", 18));
        let token = s.new_token("balance_");
        assert_eq!(token.len(), "balance_".len() + 22);
        assert!(
            token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        );
        assert!(is_masked_card_number(&format!(
            "5157********{}",
            s.new_last4()
        )));
    }
}
