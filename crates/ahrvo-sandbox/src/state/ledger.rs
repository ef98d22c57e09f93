//! Conservation of money on the issuing side, and the fixed conversion rates of budget
//! transfers between currencies.
//!
//! `State::totals` holds, per currency, the money that entered the issuing side (seed, admin
//! funding, applied top-ups, a conversion's credited amount) less what left it (admin
//! withdrawals, a conversion's debited amount). Budgets and Dedicated Funds Cards must add up
//! to it after every operation: a card top-up or a transfer that created or lost a cent would
//! break the invariant and be refused.

use std::collections::BTreeMap;

use super::{Failure, MAX_CENTS, Money, State};

/// The fixed rates: `(currency, value of one unit in millionths of a US dollar, decimals)`.
/// Documented in docs/sandbox.md; not market rates.
pub(crate) const RATES: &[(&str, i128, u32)] = &[
    ("USD", 1_000_000, 2),
    ("EUR", 1_080_000, 2),
    ("GBP", 1_270_000, 2),
    ("CAD", 740_000, 2),
    ("AUD", 660_000, 2),
    ("SGD", 740_000, 2),
    ("HKD", 128_000, 2),
    ("CNY", 138_000, 2),
    ("JPY", 6_700, 0),
];

fn rate(currency: &str) -> Option<(i128, u32)> {
    RATES
        .iter()
        .find(|(code, _, _)| *code == currency)
        .map(|(_, micro_usd, decimals)| (*micro_usd, *decimals))
}

/// `a / b` rounded half to even (`a >= 0`, `b > 0`).
fn div_half_even(a: i128, b: i128) -> i128 {
    let (q, r) = (a / b, a % b);
    match (2 * r).cmp(&b) {
        std::cmp::Ordering::Greater => q + 1,
        std::cmp::Ordering::Equal if q % 2 == 1 => q + 1,
        _ => q,
    }
}

/// `cents` of `from` in `to`, at the fixed rates, rounded half to even to `to`'s decimals.
/// The same currency converts to itself exactly; a pair outside the table is refused.
pub(crate) fn convert(cents: i64, from: &str, to: &str) -> Result<i64, Failure> {
    if from == to {
        return Ok(cents);
    }
    let (Some((from_rate, _)), Some((to_rate, decimals))) = (rate(from), rate(to)) else {
        return Err(Failure::BadRequest(format!(
            "the sandbox converts only between {}; {from} to {to} is not offered",
            RATES
                .iter()
                .map(|(c, _, _)| *c)
                .collect::<Vec<_>>()
                .join(", ")
        )));
    };
    // Cents of `to` per step: 1 for two decimals, 100 for none.
    let step: i128 = 10_i128.pow(2_u32.saturating_sub(decimals));
    let steps = div_half_even(i128::from(cents) * from_rate, to_rate * step);
    let converted = steps * step;
    i64::try_from(converted)
        .ok()
        .filter(|c| (1..=MAX_CENTS).contains(c))
        .ok_or_else(|| {
            Failure::BadRequest(format!(
                "{} {from} converts to {} {to}: nothing to credit or too much",
                Money(cents),
                Money(i64::try_from(converted).unwrap_or(0))
            ))
        })
}

impl State {
    /// Budgets plus Dedicated Funds Cards, per currency (currencies holding nothing left out).
    pub(crate) fn held_by_currency(&self) -> BTreeMap<String, i64> {
        let mut held: BTreeMap<String, i64> = BTreeMap::new();
        let budgets = self.budgets.iter().map(|b| (&b.currency, b.balance.0));
        let cards = self
            .cards
            .iter()
            .map(|c| (&c.currency, c.available_balance.0));
        for (currency, cents) in budgets.chain(cards) {
            let sum = held.entry(currency.clone()).or_insert(0);
            *sum = sum.saturating_add(cents);
        }
        held.retain(|_, cents| *cents != 0);
        held
    }

    /// Sets `totals` from the budgets and cards when it is missing (a state file written
    /// before it existed, a fresh seed).
    pub(crate) fn fill_totals_if_missing(&mut self) {
        if self.totals.is_empty() {
            self.totals = (self.held_by_currency().into_iter())
                .map(|(currency, cents)| (currency, Money(cents)))
                .collect();
        }
    }

    /// Books money entering (`cents > 0`) or leaving the issuing side in `currency`.
    pub(crate) fn book(&mut self, currency: &str, cents: i64) {
        let total = self.totals.entry(currency.to_owned()).or_default();
        total.0 = total.0.saturating_add(cents);
        if total.0 == 0 {
            self.totals.remove(currency);
        }
    }

    /// Budgets and cards add up to `totals`, per currency.
    pub(crate) fn check_conservation(&self) -> Result<(), String> {
        let held = self.held_by_currency();
        let booked: BTreeMap<String, i64> = (self.totals.iter())
            .filter(|(_, m)| m.0 != 0)
            .map(|(c, m)| (c.clone(), m.0))
            .collect();
        if held == booked {
            Ok(())
        } else {
            Err(format!(
                "money is not conserved: budgets and cards hold {held:?} but {booked:?} entered"
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_round_half_to_even() {
        assert_eq!(convert(1_000, "USD", "USD"), Ok(1_000));
        // 10.00 EUR = 10.80 USD; 10.00 USD = 9.259259… EUR → 9.26.
        assert_eq!(convert(1_000, "EUR", "USD"), Ok(1_080));
        assert_eq!(convert(1_000, "USD", "EUR"), Ok(926));
        // 1.00 USD = 149.25… JPY → 149 (whole yen).
        assert_eq!(convert(100, "USD", "JPY"), Ok(14_900));
        assert!(convert(100, "USD", "XXX").is_err());
        assert!(
            convert(1, "JPY", "USD").is_err(),
            "0.0067 cents rounds to nothing"
        );
        assert_eq!(div_half_even(5, 2), 2);
        assert_eq!(div_half_even(7, 2), 4);
        assert_eq!(div_half_even(6, 4), 2);
        assert_eq!(div_half_even(5, 4), 1);
    }
}
