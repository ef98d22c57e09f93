//! Payments objects beside Balances and their entries: Transfers (fetched by id, and named by
//! `TRANSFER` entries) and Balance Adjustments (the top-ups behind `BALANCE_TOP_UP_*` entries).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{BalanceEntry, EntityType, EntryState, EntryType, State};

/// The state of a Transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum TransferState {
    /// Settled.
    Succeeded,
    /// Failed.
    Failed,
    /// In flight.
    Pending,
    /// Cancelled before settling.
    Canceled,
    /// Not known.
    Unknown,
}

/// The type of a Transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum TransferType {
    /// Money taken from a payment instrument (credits the Balance in the sandbox's seed).
    Debit,
    /// Money sent to a payment instrument (debits the Balance in the sandbox's seed).
    Credit,
    /// A reversal.
    Reversal,
    /// A fee.
    Fee,
    /// An adjustment.
    Adjustment,
    /// A dispute.
    Dispute,
    /// A settlement.
    Settlement,
}

/// A payments Transfer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Transfer {
    /// `TR` + 22 characters.
    pub(crate) id: String,
    pub(crate) created_at: String,
    pub(crate) updated_at: String,
    /// Cents, at least 0.
    pub(crate) amount: i64,
    pub(crate) currency: String,
    pub(crate) state: TransferState,
    #[serde(rename = "type")]
    pub(crate) transfer_type: TransferType,
    pub(crate) merchant: Option<String>,
    pub(crate) source: Option<String>,
    pub(crate) destination: Option<String>,
    /// Cents, at least 0.
    pub(crate) fee: i64,
    pub(crate) ready_to_settle_at: Option<String>,
    pub(crate) trace_id: Option<String>,
    pub(crate) tags: BTreeMap<String, String>,
}

/// The rail of a Balance Adjustment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum Rail {
    /// ACH: pending until settled.
    Ach,
    /// Wire: immediate.
    Wire,
}

/// The state of a Balance Adjustment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum AdjustmentState {
    /// Done.
    Succeeded,
    /// Failed.
    Failed,
    /// Waiting for its entry to settle.
    Pending,
}

/// The type of a Balance Adjustment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum AdjustmentType {
    /// Money added to the Balance.
    TopUp,
    /// Money taken from the Balance.
    Deduction,
}

/// A payments Balance Adjustment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BalanceAdjustment {
    /// `balance_adjustment_` + 22 characters.
    pub(crate) id: String,
    pub(crate) created_at: String,
    pub(crate) updated_at: String,
    /// Cents, above 0.
    pub(crate) amount: i64,
    pub(crate) balance_entry_id: String,
    pub(crate) currency: String,
    pub(crate) failure_code: Option<String>,
    pub(crate) failure_message: Option<String>,
    pub(crate) description: String,
    pub(crate) rail: Rail,
    pub(crate) instrument_id: String,
    pub(crate) state: AdjustmentState,
    #[serde(rename = "type")]
    pub(crate) adjustment_type: AdjustmentType,
    pub(crate) tags: BTreeMap<String, String>,
    pub(crate) trace_id: String,
}

impl State {
    /// Records the Balance Adjustment behind a top-up entry that names a new adjustment id
    /// (an entry posted with a generated `entity_id`): `PENDING` for ACH until settled.
    pub(crate) fn record_adjustment_for(&mut self, entry: &BalanceEntry) {
        if entry.entity_type != EntityType::BalanceAdjustment
            || entry.amount <= 0
            || self
                .balance_adjustments
                .iter()
                .any(|a| a.id == entry.entity_id)
        {
            return;
        }
        let rail = match entry.entry_type {
            EntryType::BalanceTopUpAch => Rail::Ach,
            EntryType::BalanceTopUpWire => Rail::Wire,
            _ => return,
        };
        let instrument_id = self.new_token("PI");
        let trace_id = self.new_token("FNX");
        self.balance_adjustments.push(BalanceAdjustment {
            id: entry.entity_id.clone(),
            created_at: entry.created_at.clone(),
            updated_at: entry.updated_at.clone(),
            amount: entry.amount,
            balance_entry_id: entry.id.clone(),
            currency: entry.currency.clone(),
            failure_code: None,
            failure_message: None,
            description: entry.description.clone(),
            rail,
            instrument_id,
            state: match entry.state {
                EntryState::Pending => AdjustmentState::Pending,
                EntryState::Succeeded => AdjustmentState::Succeeded,
            },
            adjustment_type: AdjustmentType::TopUp,
            tags: entry.tags.clone(),
            trace_id,
        });
    }

    /// The adjustment of a settled entry succeeds with it.
    pub(crate) fn settle_adjustment_for(&mut self, entry: &BalanceEntry) {
        for a in &mut self.balance_adjustments {
            if a.balance_entry_id == entry.id && a.state == AdjustmentState::Pending {
                a.state = AdjustmentState::Succeeded;
                a.updated_at = entry.updated_at.clone();
            }
        }
    }
}
