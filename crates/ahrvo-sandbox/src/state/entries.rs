//! Balance Entries: their types, states and entity types, posting one to a Balance and
//! settling a pending one.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::ids::{compact_timestamp, now_rfc3339, rfc3339};
use super::payments::LinkedType;
use super::{Failure, MAX_CENTS, State};

/// The Balance Entry types of the page. The wire and state-file names are the
/// `SCREAMING_SNAKE_CASE` of the variants (`BALANCE_TOP_UP_ACH`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum EntryType {
    BalanceTopUpAch,
    BalanceTopUpWire,
    PushToCard,
    Transfer,
    Fee,
    Refund,
    Payout,
}

/// The sign an entry type's amount must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sign {
    Credit,
    Debit,
    Either,
}

impl EntryType {
    /// Every type, in the page's order (the order error messages list them in).
    const ALL: [EntryType; 7] = [
        EntryType::BalanceTopUpAch,
        EntryType::BalanceTopUpWire,
        EntryType::PushToCard,
        EntryType::Transfer,
        EntryType::Fee,
        EntryType::Refund,
        EntryType::Payout,
    ];

    /// The wire name.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            EntryType::BalanceTopUpAch => "BALANCE_TOP_UP_ACH",
            EntryType::BalanceTopUpWire => "BALANCE_TOP_UP_WIRE",
            EntryType::PushToCard => "PUSH_TO_CARD",
            EntryType::Transfer => "TRANSFER",
            EntryType::Fee => "FEE",
            EntryType::Refund => "REFUND",
            EntryType::Payout => "PAYOUT",
        }
    }

    /// The type named `name` (its wire name, exactly).
    fn parse(name: &str) -> Result<EntryType, Failure> {
        EntryType::ALL
            .into_iter()
            .find(|t| t.as_str() == name)
            .ok_or_else(|| {
                let known: Vec<&str> = EntryType::ALL.iter().map(|t| t.as_str()).collect();
                Failure::BadRequest(format!(
                    "type must be one of {}, got {name:?}",
                    known.join(", ")
                ))
            })
    }

    fn sign(self) -> Sign {
        match self {
            EntryType::BalanceTopUpAch | EntryType::BalanceTopUpWire => Sign::Credit,
            EntryType::PushToCard | EntryType::Fee | EntryType::Payout => Sign::Debit,
            EntryType::Transfer | EntryType::Refund => Sign::Either,
        }
    }

    fn is_top_up(self) -> bool {
        matches!(
            self,
            EntryType::BalanceTopUpAch | EntryType::BalanceTopUpWire
        )
    }
}

impl fmt::Display for EntryType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The state of a Balance Entry: an ACH top-up is pending until settled; every other entry
/// succeeds at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum EntryState {
    /// `PENDING`.
    Pending,
    /// `SUCCEEDED`.
    Succeeded,
}

impl fmt::Display for EntryState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EntryState::Pending => "PENDING",
            EntryState::Succeeded => "SUCCEEDED",
        })
    }
}

/// The type of the entity that caused a Balance Entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum EntityType {
    /// `BALANCE_ADJUSTMENT` (the default for top-ups).
    BalanceAdjustment,
    /// `TRANSFER` (the default otherwise).
    Transfer,
}

impl EntityType {
    const ALL: [EntityType; 2] = [EntityType::BalanceAdjustment, EntityType::Transfer];

    fn as_str(self) -> &'static str {
        match self {
            EntityType::BalanceAdjustment => "BALANCE_ADJUSTMENT",
            EntityType::Transfer => "TRANSFER",
        }
    }

    fn parse(name: &str) -> Result<EntityType, Failure> {
        EntityType::ALL
            .into_iter()
            .find(|t| t.as_str() == name)
            .ok_or_else(|| {
                let known: Vec<&str> = EntityType::ALL.iter().map(|t| t.as_str()).collect();
                Failure::BadRequest(format!(
                    "entity_type must be one of {}, got {name:?}",
                    known.join(", ")
                ))
            })
    }
}

/// Who created a Balance Entry: always the system in the sandbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum CreatedBy {
    /// `SYSTEM`.
    System,
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
    pub(crate) created_by: CreatedBy,
    pub(crate) currency: String,
    pub(crate) description: String,
    pub(crate) entity_id: String,
    pub(crate) entity_type: EntityType,
    pub(crate) estimated_posted_date: String,
    pub(crate) linked_to: String,
    pub(crate) linked_type: LinkedType,
    pub(crate) parent_balance_entry_id: Option<String>,
    pub(crate) posted_at: Option<String>,
    pub(crate) state: EntryState,
    pub(crate) tags: BTreeMap<String, String>,
    pub(crate) transaction_date: String,
    #[serde(rename = "type")]
    pub(crate) entry_type: EntryType,
    pub(crate) wire_details: Option<WireDetails>,
}

/// A Balance Entry to post to a Balance through the admin API.
///
/// `BALANCE_TOP_UP_ACH` entries start `PENDING` and add to `pending_amount` until settled;
/// every other type `SUCCEEDED` at once and changes `available_amount`. Top-ups must be
/// positive; `PAYOUT`, `FEE` and `PUSH_TO_CARD` negative; `TRANSFER` and `REFUND` either.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct NewBalanceEntry {
    /// One of the documented entry types (`BALANCE_TOP_UP_ACH`, `PAYOUT`, …).
    #[serde(rename = "type")]
    pub entry_type: String,
    /// Amount in cents; negative for debits.
    pub amount: i64,
    /// Description; generated when `None`.
    #[serde(default)]
    pub description: Option<String>,
    /// `BALANCE_ADJUSTMENT` (default for top-ups) or `TRANSFER` (default otherwise).
    #[serde(default)]
    pub entity_type: Option<String>,
    /// The id of the entity that caused the entry; generated when `None`.
    #[serde(default)]
    pub entity_id: Option<String>,
    /// Custom metadata.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// Wire reference of a `BALANCE_TOP_UP_WIRE` entry; generated when `None`.
    #[serde(default)]
    pub external_reference_number: Option<String>,
}

impl NewBalanceEntry {
    /// An entry of `entry_type` for `amount` cents.
    pub fn new(entry_type: impl Into<String>, amount: i64) -> Self {
        NewBalanceEntry {
            entry_type: entry_type.into(),
            amount,
            description: None,
            entity_type: None,
            entity_id: None,
            tags: BTreeMap::new(),
            external_reference_number: None,
        }
    }

    /// Sets the description.
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Sets the entity type and id.
    pub fn with_entity(
        mut self,
        entity_type: impl Into<String>,
        entity_id: impl Into<String>,
    ) -> Self {
        self.entity_type = Some(entity_type.into());
        self.entity_id = Some(entity_id.into());
        self
    }

    /// Adds a tag.
    pub fn with_tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.tags.insert(key.into(), value.into());
        self
    }

    /// Sets the wire reference (wire top-ups only).
    pub fn with_external_reference_number(mut self, reference: impl Into<String>) -> Self {
        self.external_reference_number = Some(reference.into());
        self
    }
}

impl State {
    /// Posts a Balance Entry: an ACH top-up is PENDING and adds to `pending_amount`; any other
    /// entry SUCCEEDS at once and changes `available_amount`, which a debit may not overdraw.
    pub(crate) fn post_entry(
        &mut self,
        balance_id: &str,
        spec: &NewBalanceEntry,
    ) -> Result<BalanceEntry, Failure> {
        let entry_type = EntryType::parse(&spec.entry_type)?;
        let amount = spec.amount;
        if amount == 0 || !(-MAX_CENTS..=MAX_CENTS).contains(&amount) {
            return Err(Failure::BadRequest(format!(
                "amount must be a non-zero number of cents within ±{MAX_CENTS}, got {amount}"
            )));
        }
        match entry_type.sign() {
            Sign::Credit if amount < 0 => {
                return Err(Failure::BadRequest(format!(
                    "a {entry_type} entry is a credit: amount must be positive"
                )));
            }
            Sign::Debit if amount > 0 => {
                return Err(Failure::BadRequest(format!(
                    "a {entry_type} entry is a debit: amount must be negative"
                )));
            }
            _ => {}
        }
        let entity_type = match &spec.entity_type {
            Some(t) => EntityType::parse(t)?,
            None if entry_type.is_top_up() => EntityType::BalanceAdjustment,
            None => EntityType::Transfer,
        };
        let entity_id = match &spec.entity_id {
            Some(id) if id.trim().is_empty() => {
                return Err(Failure::BadRequest(
                    "entity_id must not be empty".to_owned(),
                ));
            }
            Some(id) => id.clone(),
            None if entity_type == EntityType::BalanceAdjustment => {
                self.new_token("balance_adjustment_")
            }
            None => self.new_token("TR"),
        };
        let is_wire = entry_type == EntryType::BalanceTopUpWire;
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
        let pending = entry_type == EntryType::BalanceTopUpAch;
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
            let kind = entry_type.as_str().to_ascii_lowercase().replace('_', " ");
            format!("Sandbox {kind} entry")
        });
        let entry = BalanceEntry {
            id,
            balance_id: balance.id.clone(),
            created_at: now.clone(),
            updated_at: now.clone(),
            amount,
            created_by: CreatedBy::System,
            currency: balance.currency.clone(),
            description,
            entity_id,
            entity_type,
            estimated_posted_date: estimated,
            linked_to: balance.linked_to.clone(),
            linked_type: balance.linked_type,
            parent_balance_entry_id: None,
            posted_at: (!pending).then(|| now.clone()),
            state: if pending {
                EntryState::Pending
            } else {
                EntryState::Succeeded
            },
            tags: spec.tags.clone(),
            transaction_date: now,
            entry_type,
            wire_details,
        };
        self.balance_entries.push(entry.clone());
        self.record_adjustment_for(&entry);
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
        if entry.state != EntryState::Pending {
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
        stored.state = EntryState::Succeeded;
        stored.posted_at = Some(now.clone());
        stored.updated_at = now;
        let settled = stored.clone();
        self.settle_adjustment_for(&settled);
        Ok(settled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_names_are_the_wire_names() {
        for t in EntryType::ALL {
            assert_eq!(
                serde_json::to_value(t).ok(),
                Some(serde_json::Value::from(t.as_str()))
            );
            assert_eq!(EntryType::parse(t.as_str()), Ok(t));
        }
        for t in EntityType::ALL {
            assert_eq!(
                serde_json::to_value(t).ok(),
                Some(serde_json::Value::from(t.as_str()))
            );
        }
        for s in [EntryState::Pending, EntryState::Succeeded] {
            assert_eq!(
                serde_json::to_value(s).ok(),
                Some(serde_json::Value::from(s.to_string()))
            );
        }
        assert!(EntryType::parse("balance_top_up_ach").is_err());
        assert!(EntityType::parse("CHARGE").is_err());
    }
}
