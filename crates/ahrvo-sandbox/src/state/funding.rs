//! Card funding orders (a Dedicated Funds Card topped up from its budget: `card_in`) and
//! budget transfer orders (one budget debited, another credited, converted at the fixed rates
//! when the currencies differ).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::ids::issuing_datetime;
use super::ledger::convert;
use super::top_ups::validate_order_id;
use super::{Failure, MAX_CENTS, Money, State};

/// The status of a card funding order (the page's words).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum FundingStatus {
    /// Moved to the card.
    Success,
    /// Not moved.
    Fail,
    /// Not moved yet.
    Processing,
}

impl FundingStatus {
    /// Every status.
    pub(crate) const ALL: [FundingStatus; 3] = [
        FundingStatus::Success,
        FundingStatus::Fail,
        FundingStatus::Processing,
    ];

    /// The wire name.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            FundingStatus::Success => "SUCCESS",
            FundingStatus::Fail => "FAIL",
            FundingStatus::Processing => "PROCESSING",
        }
    }
}

/// A card funding order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FundingOrder {
    /// `cf` + 18 digits.
    pub(crate) record_id: String,
    /// The client's idempotency key, unique among funding orders.
    pub(crate) unique_order_id: String,
    pub(crate) card_id: String,
    pub(crate) amount: Money,
    pub(crate) currency: String,
    /// `yyyy-MM-dd HH:mm:ss`, UTC.
    pub(crate) created: String,
    pub(crate) status: FundingStatus,
    /// `card_in` for a top-up (the page lists withdrawals here too).
    pub(crate) operate_type: String,
    pub(crate) remark: String,
}

/// The result of a budget transfer order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum FundResult {
    /// Moved.
    Success,
    /// Not moved.
    Failed,
}

/// A budget transfer order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TransferOrder {
    /// `bt` + 18 digits.
    pub(crate) transfer_order_id: String,
    pub(crate) source_budget_id: String,
    pub(crate) target_budget_id: String,
    pub(crate) transfer_amount: Money,
    pub(crate) source_currency: String,
    pub(crate) in_amount: Money,
    pub(crate) target_currency: String,
    pub(crate) fund_result: FundResult,
    /// `yyyy-MM-dd HH:mm:ss`, UTC.
    pub(crate) created: String,
}

impl State {
    /// Tops up a Dedicated Funds Card from its budget and records the funding order,
    /// idempotently by `unique_order_id` (the same card and amount again is the same order;
    /// anything else is `Duplicate`). `currency`, when given, must be the card's.
    pub(crate) fn fund_card(
        &mut self,
        unique_order_id: &str,
        card_id: &str,
        cents: i64,
        currency: Option<&str>,
        remark: &str,
    ) -> Result<FundingOrder, Failure> {
        validate_order_id(unique_order_id)?;
        if let Some(order) =
            (self.funding_orders.iter()).find(|o| o.unique_order_id == unique_order_id)
        {
            return if order.card_id == card_id && order.amount.0 == cents {
                Ok(order.clone())
            } else {
                Err(Failure::Duplicate(format!(
                    "unique_order_id {unique_order_id:?} was used by another card top-up (card \
                     {}, {}); use a new id for a new order",
                    order.card_id, order.amount
                )))
            };
        }
        let card_currency = (self.cards.iter())
            .find(|c| c.card_id == card_id)
            .map(|c| c.currency.clone())
            .ok_or_else(|| Failure::NotFound(format!("Card {card_id} does not exist")))?;
        if let Some(wanted) = currency
            && wanted != card_currency
        {
            return Err(Failure::BadRequest(format!(
                "card top-ups are in {wanted}; card {card_id} is in {card_currency}"
            )));
        }
        self.top_up_card(card_id, cents)?;
        let record_id = self.new_order_id("cf", |s, id| {
            s.funding_orders.iter().any(|o| o.record_id == id)
        });
        let order = FundingOrder {
            record_id,
            unique_order_id: unique_order_id.to_owned(),
            card_id: card_id.to_owned(),
            amount: Money(cents),
            currency: card_currency,
            created: issuing_datetime(OffsetDateTime::now_utc()),
            status: FundingStatus::Success,
            operate_type: "card_in".to_owned(),
            remark: remark.to_owned(),
        };
        self.funding_orders.push(order.clone());
        Ok(order)
    }

    /// Moves `cents` of `source_currency` from one budget to another, converted to
    /// `target_currency` at the fixed rates; each currency must be its budget's.
    pub(crate) fn transfer_budgets(
        &mut self,
        source: &str,
        target: &str,
        cents: i64,
        source_currency: &str,
        target_currency: &str,
    ) -> Result<TransferOrder, Failure> {
        if source == target {
            return Err(Failure::BadRequest(
                "source_budget_id and target_budget_id must differ".to_owned(),
            ));
        }
        for (id, currency, side) in [
            (source, source_currency, "source"),
            (target, target_currency, "target"),
        ] {
            let budget = self.budget_mut(id)?;
            if budget.currency != currency {
                return Err(Failure::BadRequest(format!(
                    "{side}_currency {currency} is not budget {id}'s currency {}",
                    budget.currency
                )));
            }
        }
        let in_cents = convert(cents, source_currency, target_currency)?;
        let from = self.budget_mut(source)?;
        if from.balance.0 < cents {
            return Err(Failure::Insufficient(format!(
                "Insufficient budget balance: {} available in {source}, {} requested; refused, \
                 nothing was changed",
                from.balance,
                Money(cents)
            )));
        }
        from.balance.0 -= cents;
        let to = self.budget_mut(target)?;
        to.balance.0 = (to.balance.0.checked_add(in_cents))
            .filter(|c| *c <= MAX_CENTS)
            .ok_or_else(|| {
                Failure::BadRequest("the target budget would be too large".to_owned())
            })?;
        if source_currency != target_currency {
            self.book(source_currency, -cents);
            self.book(target_currency, in_cents);
        }
        let transfer_order_id = self.new_order_id("bt", |s, id| {
            s.transfer_orders.iter().any(|o| o.transfer_order_id == id)
        });
        let order = TransferOrder {
            transfer_order_id,
            source_budget_id: source.to_owned(),
            target_budget_id: target.to_owned(),
            transfer_amount: Money(cents),
            source_currency: source_currency.to_owned(),
            in_amount: Money(in_cents),
            target_currency: target_currency.to_owned(),
            fund_result: FundResult::Success,
            created: issuing_datetime(OffsetDateTime::now_utc()),
        };
        self.transfer_orders.push(order.clone());
        Ok(order)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transfers_conserve_money_and_refuse_overdrafts() {
        let mut s = State::default();
        let a = s.create_budget("A", "USD", Money(10_000)).expect("a");
        let b = s.create_budget("B", "USD", Money(0)).expect("b");
        let e = s.create_budget("E", "EUR", Money(0)).expect("e");
        let order = s
            .transfer_budgets(&a, &b, 2_500, "USD", "USD")
            .expect("move");
        assert_eq!(order.in_amount, Money(2_500));
        assert_eq!(s.check(), Ok(()));
        let fx = s
            .transfer_budgets(&a, &e, 1_000, "USD", "EUR")
            .expect("convert");
        assert_eq!(fx.in_amount, Money(926));
        assert_eq!(s.check(), Ok(()));
        let before = s.clone();
        let refused = s.transfer_budgets(&b, &a, 2_501, "USD", "USD");
        assert!(
            matches!(refused, Err(Failure::Insufficient(_))),
            "{refused:?}"
        );
        assert!(s.transfer_budgets(&a, &a, 1, "USD", "USD").is_err());
        assert!(s.transfer_budgets(&a, &b, 1, "EUR", "USD").is_err());
        assert_eq!(s, before, "refusals change nothing");
    }
}
