//! Admin routes of the money movements: a budget's balance with its top-up orders counted
//! (so a client test can assert that no order was applied twice), failing a `PROCESSING`
//! top-up order, and the invariant check.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Serialize;

use super::{path_id, reply};
use crate::shared::Shared;
use crate::state::{Budget, Failure, Money, TopUpOrder, TopUpStatus};

/// A budget and what its top-up orders did.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct BudgetSummary {
    pub(crate) budget: Budget,
    pub(crate) top_ups: TopUpCounts,
}

/// The top-up orders of one budget, by status, and the sum credited
/// ([`Sandbox::top_up_counts`](crate::Sandbox::top_up_counts), `GET /_sandbox/budgets/{id}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct TopUpCounts {
    /// Orders credited (`SUCCESS`): each credited exactly once.
    pub applied: u64,
    /// Orders waiting for their delay (`PROCESSING`).
    pub processing: u64,
    /// Orders that will never be credited (`FAILED`).
    pub failed: u64,
    /// The sum of the applied orders, a decimal string (`"1234.50"`).
    pub applied_amount: String,
}

/// The invariant check's result.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct InvariantReport {
    pub(crate) ok: bool,
    pub(crate) error: Option<String>,
    /// Budgets plus Dedicated Funds Cards, per currency.
    pub(crate) held: BTreeMap<String, Money>,
    /// What entered the issuing side, per currency (equal to `held` when `ok`).
    pub(crate) totals: BTreeMap<String, Money>,
}

pub(crate) fn do_budget_summary(
    shared: &Shared,
    budget_id: &str,
) -> Result<BudgetSummary, Failure> {
    shared.store.read(|s| {
        let budget =
            (s.budgets.iter().find(|b| b.budget_id == budget_id).cloned()).ok_or_else(|| {
                Failure::NotFound(format!("Budget account {budget_id} does not exist"))
            })?;
        let mut top_ups = TopUpCounts::default();
        let mut applied = Money(0);
        for o in s.top_up_orders.iter().filter(|o| o.budget_id == budget_id) {
            match o.status {
                TopUpStatus::Success => {
                    top_ups.applied += 1;
                    applied.0 += o.top_up_amount.0;
                }
                TopUpStatus::Processing => top_ups.processing += 1,
                TopUpStatus::Failed => top_ups.failed += 1,
            }
        }
        top_ups.applied_amount = applied.to_string();
        Ok(BudgetSummary { budget, top_ups })
    })
}

pub(crate) fn do_check(shared: &Shared) -> InvariantReport {
    shared.store.read(|s| {
        let error = s.check().err();
        InvariantReport {
            ok: error.is_none(),
            error,
            held: (s.held_by_currency().into_iter())
                .map(|(c, m)| (c, Money(m)))
                .collect(),
            totals: s.totals.clone(),
        }
    })
}

pub(super) async fn budget(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    reply(path_id(path).and_then(|id| do_budget_summary(&shared, &id)))
}

pub(super) async fn invariants(State(shared): State<Arc<Shared>>) -> Response {
    reply(Ok(do_check(&shared)))
}

pub(crate) fn do_fail_top_up(
    shared: &Shared,
    unique_order_id: &str,
) -> Result<TopUpOrder, Failure> {
    shared.store.mutate(|s| s.fail_top_up(unique_order_id))
}

pub(super) async fn fail_top_up(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    reply(path_id(path).and_then(|id| do_fail_top_up(&shared, &id)))
}
