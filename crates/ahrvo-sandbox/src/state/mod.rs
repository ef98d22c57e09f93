//! The sandbox's model: budgets, cards, Balances and Balance Entries, their invariants, and
//! their persistence to a state file.
//!
//! Every mutation runs on a copy of the state; the copy is checked against the invariants and
//! saved (when a state file is configured) before it replaces the live state. A mutation that
//! would break an invariant, or whose save fails, leaves both the live state and the file as
//! they were.
//!
//! This module depends on nothing else of the crate: the routes, the admin API and the
//! [`Sandbox`](crate::Sandbox) handle call into it, never the reverse.
//!
//! | file | what |
//! |---|---|
//! | `money.rs` | issuing amounts (`"78900.00"`) and their parser |
//! | `issuing.rs` | budgets and cards, and their operations |
//! | `payments.rs` | Balances and the fixed vocabulary of the payments objects |
//! | `entries.rs` | Balance Entries: posting and settling |
//! | `ids.rs` | generated ids and timestamps |
//! | `ledger.rs` | the money held per currency (conservation) and the fixed conversion rates |
//! | `top_ups.rs` | budget top-up orders: idempotent, `PROCESSING` for a delay, credited once |
//! | `funding.rs` | card funding orders (`card_in`) and budget transfer orders |
//! | `finix.rs` | payments Transfers and Balance Adjustments |
//! | `seed_ledger.rs` | the seed Balance's entries, transfers and adjustments, more cards |
//! | `invariants.rs` | what every stored state satisfies |
//! | `seed.rs` | the documentation pages' example objects |
//! | `store.rs` | the live state behind a lock, and the mutation protocol |
//! | `persistence.rs` | the atomic state file |

mod entries;
mod finix;
mod funding;
mod ids;
mod invariants;
mod issuing;
mod ledger;
mod money;
mod payments;
mod persistence;
mod seed;
mod seed_ledger;
mod store;
mod top_ups;

use std::collections::BTreeMap;

use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

pub use entries::NewBalanceEntry;
pub(crate) use entries::{BalanceEntry, CreatedBy, EntityType, EntryState, EntryType, WireDetails};
pub(crate) use finix::{BalanceAdjustment, Transfer};
pub(crate) use funding::{FundResult, FundingOrder, FundingStatus, TransferOrder};
pub(crate) use ids::{datetime_of_id, is_issuing_datetime, now_unix_ms};
pub use issuing::CardKind;
pub(crate) use issuing::{Budget, Card, CardStatus, validate_budget_name};
pub(crate) use money::{Money, parse_decimal, parse_positive_amount};
pub use payments::NewBalance;
pub(crate) use payments::{Balance, BalanceType, LinkedType};
pub(crate) use store::{LoadError, Store};
pub(crate) use top_ups::{TopUpOrder, TopUpStatus};

/// Version of the state file format.
const STATE_VERSION: u32 = 1;

/// The largest amount the sandbox accepts, in cents (ten trillion units): far from `i64::MAX`,
/// so sums of a few amounts cannot overflow.
pub(crate) const MAX_CENTS: i64 = 1_000_000_000_000_000;

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
    /// 409 on the admin API; the API answers 400 `INSUFFICIENT_BALANCE`: a budget holds less
    /// than the amount.
    Insufficient(String),
    /// 400: an order id was used before with another body (`DUPLICATE_ORDER_ID`).
    Duplicate(String),
    /// 400: the operation needs a Dedicated Funds Card (`INVALID_CARD_TYPE`).
    WrongCardType(String),
    /// 500: the state could not be saved.
    Storage(String),
}

impl Failure {
    /// The HTTP status for this failure.
    pub(crate) fn status(&self) -> StatusCode {
        match self {
            Failure::BadRequest(_) | Failure::Duplicate(_) | Failure::WrongCardType(_) => {
                StatusCode::BAD_REQUEST
            }
            Failure::NotFound(_) => StatusCode::NOT_FOUND,
            Failure::Conflict(_) | Failure::Insufficient(_) => StatusCode::CONFLICT,
            Failure::Storage(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The human-readable message.
    pub(crate) fn message(&self) -> &str {
        match self {
            Failure::BadRequest(m)
            | Failure::NotFound(m)
            | Failure::Conflict(m)
            | Failure::Insufficient(m)
            | Failure::Duplicate(m)
            | Failure::WrongCardType(m)
            | Failure::Storage(m) => m,
        }
    }
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
    /// Money held in budgets and Dedicated Funds Cards, per currency: only money entering or
    /// leaving the issuing side (a top-up, an admin fund or withdrawal, a conversion) changes
    /// it; the invariants check that budgets and cards add up to it. Missing in files written
    /// before it existed: computed at load.
    #[serde(default)]
    pub(crate) totals: BTreeMap<String, Money>,
    /// Budget top-up orders, oldest first.
    #[serde(default)]
    pub(crate) top_up_orders: Vec<TopUpOrder>,
    /// Card funding orders (`card_in`), oldest first.
    #[serde(default)]
    pub(crate) funding_orders: Vec<FundingOrder>,
    /// Budget transfer orders, oldest first.
    #[serde(default)]
    pub(crate) transfer_orders: Vec<TransferOrder>,
    /// Payments Transfers.
    #[serde(default)]
    pub(crate) transfers: Vec<Transfer>,
    /// Payments Balance Adjustments.
    #[serde(default)]
    pub(crate) balance_adjustments: Vec<BalanceAdjustment>,
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
            totals: BTreeMap::new(),
            top_up_orders: Vec::new(),
            funding_orders: Vec::new(),
            transfer_orders: Vec::new(),
            transfers: Vec::new(),
            balance_adjustments: Vec::new(),
        }
    }
}
