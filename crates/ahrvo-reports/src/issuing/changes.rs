//! The budget page's "Real-Time Balance Monitoring": what changed between two listings.

use std::collections::HashMap;

use ahrvo_types::{BudgetBalance, BudgetId, Currency, Decimal};
use serde::ser::{Serialize, SerializeStruct, Serializer};

/// A difference between two budget listings, from [`diff_budgets`].
///
/// Serialized flat, as one event: `{"event": "changed", "budget_id": "ci1", "budget_name":
/// "Ops", "currency": "USD", "previous_balance": "1000.00", "balance": "2500.50", "delta":
/// "1500.50"}`; `event` is `added` (no `previous_balance`, no `delta`), `removed` (no
/// `balance`, no `delta`) or `changed`, amounts are decimal strings.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BudgetChange {
    /// A budget in the current listing only.
    Added(BudgetBalance),
    /// A budget in the previous listing only.
    Removed(BudgetBalance),
    /// A budget in both whose balance or name differs.
    Changed {
        /// As previously listed.
        before: BudgetBalance,
        /// As currently listed.
        after: BudgetBalance,
        /// `after.balance - before.balance` (zero for a rename alone), saturating at the range
        /// of `Decimal`.
        delta: Decimal,
    },
}

impl BudgetChange {
    /// The budget's id.
    pub fn budget_id(&self) -> &BudgetId {
        match self {
            Self::Added(b) | Self::Removed(b) => &b.budget_id,
            Self::Changed { after, .. } => &after.budget_id,
        }
    }

    /// The balance change of a [`Changed`](Self::Changed) budget; `None` for one added or
    /// removed.
    pub fn delta(&self) -> Option<Decimal> {
        match self {
            Self::Changed { delta, .. } => Some(*delta),
            _ => None,
        }
    }

    /// The word of its serialized `event`: `added`, `removed` or `changed`.
    pub fn event(&self) -> &'static str {
        match self {
            Self::Added(_) => "added",
            Self::Removed(_) => "removed",
            Self::Changed { .. } => "changed",
        }
    }

    /// The budget as it is now (as it was, for a removed one).
    pub fn budget(&self) -> &BudgetBalance {
        match self {
            Self::Added(b) | Self::Removed(b) => b,
            Self::Changed { after, .. } => after,
        }
    }

    /// The balance before the change; `None` for an added budget.
    pub fn previous_balance(&self) -> Option<Decimal> {
        match self {
            Self::Added(_) => None,
            Self::Removed(b) => Some(b.balance),
            Self::Changed { before, .. } => Some(before.balance),
        }
    }

    /// The balance after the change; `None` for a removed budget.
    pub fn balance(&self) -> Option<Decimal> {
        match self {
            Self::Removed(_) => None,
            Self::Added(b) | Self::Changed { after: b, .. } => Some(b.balance),
        }
    }

    /// The budget's currency.
    pub fn currency(&self) -> Currency {
        self.budget().currency
    }
}

impl Serialize for BudgetChange {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Amount(Decimal);
        impl Serialize for Amount {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                ahrvo_types::money::decimal_string::serialize(&self.0, serializer)
            }
        }
        let budget = self.budget();
        let mut s = serializer.serialize_struct("BudgetChange", 7)?;
        s.serialize_field("event", self.event())?;
        s.serialize_field("budget_id", &budget.budget_id)?;
        s.serialize_field("budget_name", &budget.budget_name)?;
        s.serialize_field("currency", &budget.currency)?;
        for (key, value) in [
            ("previous_balance", self.previous_balance()),
            ("balance", self.balance()),
            ("delta", self.delta()),
        ] {
            match value {
                Some(amount) => s.serialize_field(key, &Amount(amount))?,
                None => s.skip_field(key)?,
            }
        }
        s.end()
    }
}

/// Compares two listings of budgets by `budget_id`.
///
/// - In `current` only: [`Added`](BudgetChange::Added). In `previous` only:
///   [`Removed`](BudgetChange::Removed).
/// - In both with a different balance or name: [`Changed`](BudgetChange::Changed). Balances
///   compare by value (`100.0` equals `100.00`); unchanged budgets are not reported.
/// - A budget whose currency differs between the two is reported as `Removed` then `Added`:
///   amounts in two currencies have no difference.
///
/// Order: the changes of `current`'s budgets in `current`'s order, then the removed ones in
/// `previous`'s order. If an id appears more than once in a listing, its first entry counts.
///
/// ```
/// use ahrvo_reports::issuing::{diff_budgets, BudgetChange};
/// use ahrvo_types::{BudgetBalance, Currency};
///
/// let b = |balance: &str| BudgetBalance::new("ci1".into(), "Ops".into(), balance.parse().unwrap(), Currency::USD);
/// let changes = diff_budgets(&[b("1000.00")], &[b("2500.50")]);
/// assert_eq!(changes[0].delta().unwrap().to_string(), "1500.50");
/// let json = serde_json::to_value(&changes[0]).unwrap();
/// assert_eq!(json["event"], "changed");
/// assert_eq!(json["previous_balance"], "1000.00");
/// assert_eq!(json["delta"], "1500.50");
/// ```
pub fn diff_budgets(previous: &[BudgetBalance], current: &[BudgetBalance]) -> Vec<BudgetChange> {
    let before = first_by_id(previous);
    let after = first_by_id(current);
    let mut changes = Vec::new();
    for (index, now) in current.iter().enumerate() {
        if !is_first(&after, now, index) {
            continue;
        }
        match before.get(&now.budget_id) {
            None => changes.push(BudgetChange::Added(now.clone())),
            Some((_, was)) if was.currency != now.currency => {
                changes.push(BudgetChange::Removed((*was).clone()));
                changes.push(BudgetChange::Added(now.clone()));
            }
            Some((_, was)) if was.balance != now.balance || was.budget_name != now.budget_name => {
                changes.push(BudgetChange::Changed {
                    before: (*was).clone(),
                    after: now.clone(),
                    delta: now.balance.saturating_sub(was.balance),
                });
            }
            Some(_) => {}
        }
    }
    for (index, was) in previous.iter().enumerate() {
        if is_first(&before, was, index) && !after.contains_key(&was.budget_id) {
            changes.push(BudgetChange::Removed(was.clone()));
        }
    }
    changes
}

/// The first entry of each id, with its position.
fn first_by_id(budgets: &[BudgetBalance]) -> HashMap<&BudgetId, (usize, &BudgetBalance)> {
    let mut map = HashMap::new();
    for (index, budget) in budgets.iter().enumerate() {
        map.entry(&budget.budget_id).or_insert((index, budget));
    }
    map
}

fn is_first(
    map: &HashMap<&BudgetId, (usize, &BudgetBalance)>,
    b: &BudgetBalance,
    i: usize,
) -> bool {
    map.get(&b.budget_id).is_some_and(|(first, _)| *first == i)
}

/// The changes worth an alert: every [`Changed`](BudgetChange::Changed) budget with
/// `|delta| >= min_abs_delta`, and every budget added or removed (a structural change has no
/// delta and is always kept). Order is kept.
///
/// The page alerts on a change above 1000 (`Math.abs(change) > 1000`); this filter's bound is
/// inclusive, so pass `1000.01` for exactly the page's rule on cent amounts.
pub fn significant_changes(changes: &[BudgetChange], min_abs_delta: Decimal) -> Vec<&BudgetChange> {
    changes
        .iter()
        .filter(|c| c.delta().is_none_or(|d| d.abs() >= min_abs_delta))
        .collect()
}
