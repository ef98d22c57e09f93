//! The budget page's "Dashboard Overview" and "Budget Allocation Report", one currency at a time.

use std::cmp::Reverse;
use std::collections::BTreeMap;

use ahrvo_types::money::decimal_string;
use ahrvo_types::{BudgetBalance, Currency, Decimal};
use serde::Serialize;

use crate::math::{average, percent, sum};

/// The budgets of one currency, summarised by [`budget_overview`].
///
/// Serialized with these field names, amounts as decimal strings and budgets in the API's own
/// fields: `{"currency": "USD", "count": 3, "total": "136651.25", "total_saturated": false,
/// "average": "45550.42", "highest": {...}, "shares": [...], "low_balance": [...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct CurrencyOverview {
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
    pub highest: BudgetBalance,
    /// Every budget with its share of the total, highest balance first (ties keep the input
    /// order), as the page's allocation report sorts them.
    pub shares: Vec<BudgetShare>,
    /// The budgets whose balance is strictly below the threshold, in input order.
    pub low_balance: Vec<BudgetBalance>,
}

/// One budget's part of its currency's total: `{"budget": {...}, "percent": "57.74"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct BudgetShare {
    /// The budget.
    pub budget: BudgetBalance,
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
pub fn budget_overview(budgets: &[BudgetBalance], low_threshold: Decimal) -> Vec<CurrencyOverview> {
    let mut by_currency: BTreeMap<Currency, Vec<&BudgetBalance>> = BTreeMap::new();
    for budget in budgets {
        by_currency.entry(budget.currency).or_default().push(budget);
    }
    by_currency
        .into_iter()
        .filter_map(|(currency, group)| overview_of(currency, &group, low_threshold))
        .collect()
}

/// The overview of one non-empty group.
fn overview_of(
    currency: Currency,
    group: &[&BudgetBalance],
    low_threshold: Decimal,
) -> Option<CurrencyOverview> {
    let mut highest: &BudgetBalance = group.first()?;
    for budget in group {
        if budget.balance > highest.balance {
            highest = budget;
        }
    }
    let (total, total_saturated) = sum(group.iter().map(|b| b.balance));
    let count = group.len();
    let mut shares: Vec<BudgetShare> = group
        .iter()
        .map(|b| BudgetShare {
            budget: (*b).clone(),
            percent: percent(b.balance, total),
        })
        .collect();
    // Stable: equal balances keep the input order.
    shares.sort_by_key(|s| Reverse(s.budget.balance));
    Some(CurrencyOverview {
        currency,
        count,
        total,
        total_saturated,
        average: average(total, count).unwrap_or(total),
        highest: highest.clone(),
        shares,
        low_balance: group
            .iter()
            .filter(|b| b.balance < low_threshold)
            .map(|b| (*b).clone())
            .collect(),
    })
}
