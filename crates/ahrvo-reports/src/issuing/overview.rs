//! The budget page's "Dashboard Overview" and "Budget Allocation Report", one currency at a time.

use std::cmp::Reverse;
use std::collections::BTreeMap;

use ahrvo_types::money::decimal_string;
use ahrvo_types::{BudgetBalance, Currency, Decimal};
use serde::Serialize;

use crate::math::{average, percent, sum};

/// The budgets of one currency, summarised by [`budget_overview`]. It borrows the budgets it
/// was made from (nothing is copied: 100,000 budgets are summarised in about the time they take
/// to decode).
///
/// Serialized with these field names, amounts as decimal strings and budgets in the API's own
/// fields: `{"currency": "USD", "count": 3, "total": "136651.25", "total_saturated": false,
/// "average": "45550.42", "highest": {...}, "shares": [...], "low_balance": [...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct CurrencyOverview<'a> {
    /// The currency every amount of this overview is in.
    pub currency: Currency,
    /// How many budgets hold this currency (at least one).
    pub count: usize,
    /// The sum of their balances, exact. If the sum leaves the range of `Decimal`, it stops at
    /// `Decimal::MAX` (or `MIN`) and [`total_saturated`](Self::total_saturated) is set. At least
    /// 2 decimals.
    #[serde(with = "decimal_string")]
    pub total: Decimal,
    /// Whether [`total`](Self::total) saturated: the total, average and shares are then bounds,
    /// not exact values.
    pub total_saturated: bool,
    /// `total / count`, rounded to 2 decimals half away from zero (`MidpointAwayFromZero`).
    #[serde(with = "decimal_string")]
    pub average: Decimal,
    /// The budget with the highest balance; on a tie, the first one in the input.
    pub highest: &'a BudgetBalance,
    /// Every budget with its share of the total, highest balance first (ties keep the input
    /// order), as the page's allocation report sorts them.
    pub shares: Vec<BudgetShare<'a>>,
    /// The budgets whose balance is strictly below the threshold, in input order.
    pub low_balance: Vec<&'a BudgetBalance>,
}

/// One budget's part of its currency's total: `{"budget": {...}, "percent": "57.74"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct BudgetShare<'a> {
    /// The budget.
    pub budget: &'a BudgetBalance,
    /// `balance / total × 100`, rounded to 2 decimals half away from zero; `0.00` when the
    /// total is zero. Negative balances (or a negative total) give what the formula gives.
    #[serde(with = "decimal_string")]
    pub percent: Decimal,
}

/// Summarises budgets **per currency**, sorted by currency code: count, total, average, highest,
/// each budget's share of its currency's total, and the budgets below `low_threshold`
/// (`balance < low_threshold`; the page's example uses 1000).
///
/// Amounts in different currencies are never added together: USD and EUR budgets give two
/// entries. No budgets give an empty list.
///
/// ```
/// use ahrvo_reports::issuing::budget_overview;
/// use ahrvo_types::{BudgetBalance, Currency, Decimal};
///
/// let budgets = vec![
///     BudgetBalance::new("a".into(), "Paris".into(), "900.00".parse()?, Currency::EUR),
///     BudgetBalance::new("b".into(), "Ops".into(), "100.00".parse()?, Currency::USD),
///     BudgetBalance::new("c".into(), "Lyon".into(), "100.00".parse()?, Currency::EUR),
/// ];
/// let overview = budget_overview(&budgets, Decimal::from(500));
/// assert_eq!(overview.len(), 2);
/// assert_eq!((overview[0].currency, overview[0].total.to_string()), (Currency::EUR, "1000.00".into()));
/// assert_eq!(overview[0].shares[0].percent.to_string(), "90.00");
/// assert_eq!(overview[0].low_balance[0].budget_name, "Lyon");
/// assert_eq!((overview[1].currency, overview[1].count), (Currency::USD, 1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn budget_overview(
    budgets: &[BudgetBalance],
    low_threshold: Decimal,
) -> Vec<CurrencyOverview<'_>> {
    overview_with_percents(budgets, low_threshold).0
}

/// [`budget_overview`], and each input budget's share by its index (what its [`BudgetShare`]
/// holds), so that [`budget_report`](super::budget_report()) computes every share once. Linear
/// but for one sort per currency.
pub(crate) fn overview_with_percents(
    budgets: &[BudgetBalance],
    low_threshold: Decimal,
) -> (Vec<CurrencyOverview<'_>>, Vec<Decimal>) {
    let mut by_currency: BTreeMap<Currency, Vec<usize>> = BTreeMap::new();
    for (index, budget) in budgets.iter().enumerate() {
        by_currency.entry(budget.currency).or_default().push(index);
    }
    let mut percents = vec![Decimal::ZERO; budgets.len()];
    let overviews = by_currency
        .into_iter()
        .filter_map(|(currency, group)| {
            overview_of(currency, budgets, &group, low_threshold, &mut percents)
        })
        .collect();
    (overviews, percents)
}

/// The indices of `group`, highest balance first; equal balances keep the input order (the index
/// breaks ties, so the unstable sort gives the stable order). When every balance of the group
/// fits one scale as an `i128` mantissa (money with 2 decimals always does), the sort compares
/// those integers, the same order as `Decimal`'s at a fraction of the cost.
fn by_balance_descending(budgets: &[BudgetBalance], group: &[usize]) -> Vec<usize> {
    let scale = group
        .iter()
        .map(|&i| budgets[i].balance.scale())
        .max()
        .unwrap_or(0);
    let key = |d: Decimal| {
        10_i128
            .checked_pow(scale - d.scale())
            .and_then(|f| d.mantissa().checked_mul(f))
    };
    let keys: Option<Vec<(Reverse<i128>, usize)>> = group
        .iter()
        .map(|&i| key(budgets[i].balance).map(|k| (Reverse(k), i)))
        .collect();
    match keys {
        Some(mut keys) => {
            keys.sort_unstable();
            keys.into_iter().map(|(_, i)| i).collect()
        }
        None => {
            let mut keys: Vec<(Reverse<Decimal>, usize)> = group
                .iter()
                .map(|&i| (Reverse(budgets[i].balance), i))
                .collect();
            keys.sort_unstable();
            keys.into_iter().map(|(_, i)| i).collect()
        }
    }
}

/// The overview of one non-empty group of `budgets` (by index, in input order); writes each
/// one's share to `percents`.
///
/// Built for 100,000 budgets: every pass over the group runs in input order, and the sort moves
/// `(balance, position)` pairs, not budgets.
fn overview_of<'a>(
    currency: Currency,
    budgets: &'a [BudgetBalance],
    group: &[usize],
    low_threshold: Decimal,
    percents: &mut [Decimal],
) -> Option<CurrencyOverview<'a>> {
    let mut highest: &BudgetBalance = budgets.get(*group.first()?)?;
    for &i in group {
        if budgets[i].balance > highest.balance {
            highest = &budgets[i];
        }
    }
    let (total, total_saturated) = sum(group.iter().map(|&i| budgets[i].balance));
    let count = group.len();
    for &i in group {
        percents[i] = percent(budgets[i].balance, total);
    }
    let shares = by_balance_descending(budgets, group)
        .into_iter()
        .map(|i| BudgetShare {
            budget: &budgets[i],
            percent: percents[i],
        })
        .collect();
    Some(CurrencyOverview {
        currency,
        count,
        total,
        total_saturated,
        average: average(total, count).unwrap_or(total),
        highest,
        shares,
        low_balance: group
            .iter()
            .map(|&i| &budgets[i])
            .filter(|b| b.balance < low_threshold)
            .collect(),
    })
}
