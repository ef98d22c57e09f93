//! The issuing family: budget accounts and the cards they fund, and what the API and the admin
//! API may do to them.

use serde::{Deserialize, Serialize};

use super::ids::is_currency;
use super::{Failure, MAX_CENTS, Money, State};

/// The longest budget name accepted (the spec's `maxLength`).
const MAX_BUDGET_NAME_CHARS: usize = 100;

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

/// The status of a card, as the card list shows it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum CardStatus {
    /// Issued, not activated yet.
    Inactive,
    /// In use (cards created before statuses existed are active).
    #[default]
    Active,
    /// Revoked by the issuer.
    Revoked,
    /// Cancelled.
    Canceled,
}

impl CardStatus {
    /// Every status, in the page's order.
    pub(crate) const ALL: [CardStatus; 4] = [
        CardStatus::Inactive,
        CardStatus::Active,
        CardStatus::Revoked,
        CardStatus::Canceled,
    ];

    /// The wire name.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            CardStatus::Inactive => "INACTIVE",
            CardStatus::Active => "ACTIVE",
            CardStatus::Revoked => "REVOKED",
            CardStatus::Canceled => "CANCELED",
        }
    }
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
    /// Its status (missing in older state files: active).
    #[serde(default)]
    pub(crate) status: CardStatus,
    /// The card's remark, as the card list shows it.
    #[serde(default)]
    pub(crate) remark: String,
}

/// Checks a budget name as sent (1 to 100 characters, no control characters, not blank: the
/// spec's constraints) and returns it trimmed, the way it is stored and compared.
pub(crate) fn validate_budget_name(name: &str) -> Result<&str, Failure> {
    if name.trim().is_empty() {
        return Err(Failure::BadRequest(
            "budget_name must not be empty".to_owned(),
        ));
    }
    if name.chars().count() > MAX_BUDGET_NAME_CHARS {
        return Err(Failure::BadRequest(format!(
            "budget_name must be at most {MAX_BUDGET_NAME_CHARS} characters"
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(Failure::BadRequest(
            "budget_name must not contain control characters".to_owned(),
        ));
    }
    Ok(name.trim())
}

fn insufficient(what: &str, available: Money, requested: Money) -> Failure {
    Failure::Insufficient(format!(
        "Insufficient {what} balance: {available} available, {requested} requested; refused, \
         nothing was changed"
    ))
}

impl State {
    /// Finds a budget by id.
    pub(crate) fn budget_mut(&mut self, budget_id: &str) -> Result<&mut Budget, Failure> {
        self.budgets
            .iter_mut()
            .find(|b| b.budget_id == budget_id)
            .ok_or_else(|| Failure::NotFound(format!("Budget account {budget_id} does not exist")))
    }

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
        let name = name.trim();
        if self.budgets.iter().any(|b| b.budget_name == name) {
            return Err(Failure::Conflict(
                "Budget account with this name already exists".to_owned(),
            ));
        }
        let budget_id = self.new_budget_id();
        self.book(currency, balance.0);
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
        let budget = budget.clone();
        self.book(&budget.currency, cents);
        Ok(budget)
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
        let budget = budget.clone();
        self.book(&budget.currency, -cents);
        Ok(budget)
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
            status: CardStatus::Active,
            remark: String::new(),
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
            return Err(Failure::WrongCardType(format!(
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
}
