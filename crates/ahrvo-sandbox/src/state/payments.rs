//! The payments family: Balances, the fixed words of the payments objects, and the creation
//! of a Balance. Balance Entries are in `entries.rs`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::ids::{is_currency, now_rfc3339};
use super::{Failure, MAX_CENTS, State};

/// What a Balance (and its entries) is linked to. The sandbox only links to Applications.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum LinkedType {
    /// `APPLICATION`.
    Application,
}

/// The type of a Balance. The sandbox only has disbursement Balances.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum BalanceType {
    /// `DISBURSEMENT`: funds available for payouts.
    Disbursement,
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
    pub(crate) linked_type: LinkedType,
    pub(crate) tags: BTreeMap<String, String>,
    #[serde(rename = "type")]
    pub(crate) balance_type: BalanceType,
}

impl Balance {
    /// `available + pending` (checked by the invariants, so it cannot overflow once stored).
    pub(crate) fn posted_amount(&self) -> i64 {
        self.available_amount.saturating_add(self.pending_amount)
    }
}

/// The attributes of a Balance created through the admin API.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct NewBalance {
    /// ISO 4217 code; `USD` when `None`.
    pub currency: Option<String>,
    /// The Application the Balance belongs to; a generated `AP…` id when `None`.
    pub linked_to: Option<String>,
    /// Initial available amount in cents (at least 0).
    pub available_amount: i64,
    /// Initial pending amount in cents (at least 0).
    pub pending_amount: i64,
    /// Custom metadata.
    pub tags: BTreeMap<String, String>,
}

impl NewBalance {
    /// A USD Balance with nothing in it.
    pub fn new() -> Self {
        NewBalance::default()
    }

    /// Sets the currency.
    pub fn with_currency(mut self, currency: impl Into<String>) -> Self {
        self.currency = Some(currency.into());
        self
    }

    /// Sets the linked Application id.
    pub fn with_linked_to(mut self, application_id: impl Into<String>) -> Self {
        self.linked_to = Some(application_id.into());
        self
    }

    /// Sets the initial available amount (cents).
    pub fn with_available_amount(mut self, cents: i64) -> Self {
        self.available_amount = cents;
        self
    }

    /// Sets the initial pending amount (cents).
    pub fn with_pending_amount(mut self, cents: i64) -> Self {
        self.pending_amount = cents;
        self
    }

    /// Adds a tag.
    pub fn with_tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.tags.insert(key.into(), value.into());
        self
    }
}

impl State {
    /// Finds a Balance by id.
    pub(crate) fn balance_mut(&mut self, balance_id: &str) -> Result<&mut Balance, Failure> {
        self.balances
            .iter_mut()
            .find(|b| b.id == balance_id)
            .ok_or_else(|| Failure::NotFound(format!("Balance {balance_id} not found")))
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
            linked_type: LinkedType::Application,
            tags: spec.tags.clone(),
            balance_type: BalanceType::Disbursement,
        };
        self.balances.push(balance.clone());
        Ok(balance)
    }
}
