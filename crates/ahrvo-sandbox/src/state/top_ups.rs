//! Budget top-up orders: keyed by the client's `unique_order_id` (the same body again is the
//! same order; another body is refused), `PROCESSING` for the configured delay, then credited
//! to the budget exactly once.
//!
//! The credit is lazy: the store applies due orders (under its lock, through the same checked
//! and persisted path as any mutation) before it serves any read or change, so a client never
//! sees a due order still `PROCESSING`, and an order moves to `SUCCESS` once.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::ids::issuing_datetime;
use super::{Failure, MAX_CENTS, Money, State};

/// The longest `unique_order_id` accepted (the pages' limit).
pub(crate) const MAX_ORDER_ID_CHARS: usize = 36;

/// The status of a top-up order (the page's words).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum TopUpStatus {
    /// Credited to the budget.
    Success,
    /// Not credited, and never will be.
    Failed,
    /// Waiting for its delay; not credited yet.
    Processing,
}

/// A budget top-up order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TopUpOrder {
    /// `tu` + 18 digits.
    pub(crate) record_id: String,
    /// The client's idempotency key (1 to 36 characters), unique among top-up orders.
    pub(crate) unique_order_id: String,
    pub(crate) budget_id: String,
    pub(crate) top_up_amount: Money,
    pub(crate) top_up_currency: String,
    pub(crate) status: TopUpStatus,
    /// `yyyy-MM-dd HH:mm:ss`, UTC.
    pub(crate) created: String,
    /// When a `PROCESSING` order is credited, in Unix milliseconds.
    pub(crate) due_at_ms: u64,
}

/// Checks a client order id: 1 to 36 characters, not blank, no control characters (the
/// spec's `UniqueOrderId`).
pub(crate) fn validate_order_id(id: &str) -> Result<(), Failure> {
    let chars = id.chars().count();
    if chars == 0 || chars > MAX_ORDER_ID_CHARS {
        return Err(Failure::BadRequest(format!(
            "unique_order_id must be 1 to {MAX_ORDER_ID_CHARS} characters, got {chars}"
        )));
    }
    if id.chars().any(char::is_control) || id.trim() != id {
        return Err(Failure::BadRequest(
            "unique_order_id must not contain control characters or surrounding spaces".to_owned(),
        ));
    }
    Ok(())
}

impl State {
    /// Tops up a budget, idempotently by `unique_order_id`. With `delay_ms` 0 the budget is
    /// credited at once (`SUCCESS`); otherwise the order is `PROCESSING` until
    /// `now_ms + delay_ms`. The same id with the same budget, amount and currency is the same
    /// order (returned as it is, nothing credited again); with anything else, `Duplicate`.
    pub(crate) fn top_up_budget(
        &mut self,
        unique_order_id: &str,
        budget_id: &str,
        cents: i64,
        currency: &str,
        now_ms: u64,
        delay_ms: u64,
    ) -> Result<TopUpOrder, Failure> {
        validate_order_id(unique_order_id)?;
        if let Some(order) = self
            .top_up_orders
            .iter()
            .find(|o| o.unique_order_id == unique_order_id)
        {
            let same = order.budget_id == budget_id
                && order.top_up_amount.0 == cents
                && order.top_up_currency == currency;
            return if same {
                Ok(order.clone())
            } else {
                Err(Failure::Duplicate(format!(
                    "unique_order_id {unique_order_id:?} was used by another top-up (budget \
                     {}, {} {}); use a new id for a new order",
                    order.budget_id, order.top_up_amount, order.top_up_currency
                )))
            };
        }
        let budget = self.budget_mut(budget_id)?;
        if budget.currency != currency {
            return Err(Failure::BadRequest(format!(
                "top_up_currency {currency} is not budget {budget_id}'s currency {}",
                budget.currency
            )));
        }
        if budget.balance.0.saturating_add(cents) > MAX_CENTS {
            return Err(Failure::BadRequest(
                "the budget balance would be too large".to_owned(),
            ));
        }
        let record_id = self.new_order_id("tu", |s, id| {
            s.top_up_orders.iter().any(|o| o.record_id == id)
        });
        let mut order = TopUpOrder {
            record_id,
            unique_order_id: unique_order_id.to_owned(),
            budget_id: budget_id.to_owned(),
            top_up_amount: Money(cents),
            top_up_currency: currency.to_owned(),
            status: TopUpStatus::Processing,
            created: issuing_datetime(OffsetDateTime::now_utc()),
            due_at_ms: now_ms.saturating_add(delay_ms),
        };
        if delay_ms == 0 {
            self.fund_budget(budget_id, cents)?;
            order.status = TopUpStatus::Success;
        }
        self.top_up_orders.push(order.clone());
        Ok(order)
    }

    /// The earliest time a `PROCESSING` order is due, if any.
    pub(crate) fn next_top_up_due(&self) -> Option<u64> {
        (self.top_up_orders.iter())
            .filter(|o| o.status == TopUpStatus::Processing)
            .map(|o| o.due_at_ms)
            .min()
    }

    /// Credits every `PROCESSING` order due at `now_ms` (`SUCCESS`), or marks it `FAILED`
    /// when its budget can no longer take it. Returns how many orders changed.
    pub(crate) fn apply_due_top_ups(&mut self, now_ms: u64) -> usize {
        let due: Vec<usize> = (self.top_up_orders.iter().enumerate())
            .filter(|(_, o)| o.status == TopUpStatus::Processing && o.due_at_ms <= now_ms)
            .map(|(i, _)| i)
            .collect();
        for &i in &due {
            let Some((budget_id, cents)) = self
                .top_up_orders
                .get(i)
                .map(|o| (o.budget_id.clone(), o.top_up_amount.0))
            else {
                continue;
            };
            let status = match self.fund_budget(&budget_id, cents) {
                Ok(_) => TopUpStatus::Success,
                Err(_) => TopUpStatus::Failed,
            };
            if let Some(order) = self.top_up_orders.get_mut(i) {
                order.status = status;
            }
        }
        due.len()
    }

    /// Marks a `PROCESSING` order `FAILED` (admin): it will never be credited.
    pub(crate) fn fail_top_up(&mut self, unique_order_id: &str) -> Result<TopUpOrder, Failure> {
        let order = (self.top_up_orders.iter_mut())
            .find(|o| o.unique_order_id == unique_order_id)
            .ok_or_else(|| {
                Failure::NotFound(format!(
                    "no top-up order with unique_order_id {unique_order_id:?}"
                ))
            })?;
        if order.status != TopUpStatus::Processing {
            return Err(Failure::Conflict(format!(
                "top-up order {unique_order_id:?} is {:?}, not PROCESSING",
                order.status
            )));
        }
        order.status = TopUpStatus::Failed;
        Ok(order.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_budget() -> (State, String) {
        let mut s = State::default();
        let id = s.create_budget("B", "USD", Money(0)).expect("budget");
        (s, id)
    }

    #[test]
    fn the_same_order_twice_credits_once() {
        let (mut s, b) = with_budget();
        let first = s
            .top_up_budget("o-1", &b, 1_000, "USD", 0, 0)
            .expect("top up");
        let again = s
            .top_up_budget("o-1", &b, 1_000, "USD", 0, 0)
            .expect("same order");
        assert_eq!(first, again);
        assert_eq!(s.budget_mut(&b).map(|b| b.balance), Ok(Money(1_000)));
        let other = s.top_up_budget("o-1", &b, 1_001, "USD", 0, 0);
        assert!(matches!(other, Err(Failure::Duplicate(_))), "{other:?}");
        assert_eq!(s.check(), Ok(()));
    }

    #[test]
    fn a_delayed_order_is_credited_once_when_due() {
        let (mut s, b) = with_budget();
        let order = s
            .top_up_budget("o-2", &b, 500, "USD", 1_000, 250)
            .expect("top up");
        assert_eq!(order.status, TopUpStatus::Processing);
        assert_eq!(s.apply_due_top_ups(1_249), 0);
        assert_eq!(s.budget_mut(&b).map(|b| b.balance), Ok(Money(0)));
        assert_eq!(s.next_top_up_due(), Some(1_250));
        assert_eq!(s.apply_due_top_ups(1_250), 1);
        assert_eq!(s.apply_due_top_ups(9_999), 0);
        assert_eq!(s.budget_mut(&b).map(|b| b.balance), Ok(Money(500)));
        assert_eq!(s.next_top_up_due(), None);
        assert_eq!(s.check(), Ok(()));
    }
}
