//! Admin routes of the issuing family: create, fund and withdraw budgets; issue and top up
//! cards.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;

use super::{parse_body, path_id, reply};
use crate::shared::Shared;
use crate::state::{
    Budget, Card, CardKind, Failure, Money, parse_decimal, parse_positive_amount,
    validate_budget_name,
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBudgetRequest {
    budget_name: String,
    #[serde(default)]
    currency: Option<String>,
    #[serde(default)]
    balance: Option<String>,
}

pub(crate) fn do_create_budget(
    shared: &Shared,
    name: &str,
    currency: &str,
    balance: Option<&str>,
) -> Result<Budget, Failure> {
    let name = validate_budget_name(name)?;
    let cents = match balance {
        Some(text) => parse_decimal(text).map_err(Failure::BadRequest)?,
        None => 0,
    };
    shared.store.mutate(|s| {
        let id = s.create_budget(name, currency, Money(cents))?;
        s.budget_mut(&id).map(|b| b.clone())
    })
}

pub(super) async fn create_budget(
    State(shared): State<Arc<Shared>>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    reply(
        parse_body::<CreateBudgetRequest>(body, false).and_then(|r| {
            do_create_budget(
                &shared,
                &r.budget_name,
                r.currency.as_deref().unwrap_or("USD"),
                r.balance.as_deref(),
            )
        }),
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AmountRequest {
    amount: String,
}

pub(crate) fn do_fund_budget(
    shared: &Shared,
    budget_id: &str,
    amount: &str,
    withdraw: bool,
) -> Result<Budget, Failure> {
    let cents = parse_positive_amount(amount)?;
    shared.store.mutate(|s| {
        if withdraw {
            s.withdraw_budget(budget_id, cents)
        } else {
            s.fund_budget(budget_id, cents)
        }
    })
}

pub(super) async fn fund_budget(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    reply(path_id(path).and_then(|id| {
        let r: AmountRequest = parse_body(body, false)?;
        do_fund_budget(&shared, &id, &r.amount, false)
    }))
}

pub(super) async fn withdraw_budget(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    reply(path_id(path).and_then(|id| {
        let r: AmountRequest = parse_body(body, false)?;
        do_fund_budget(&shared, &id, &r.amount, true)
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateCardRequest {
    budget_id: String,
    #[serde(rename = "type")]
    kind: CardKind,
    #[serde(default)]
    last4: Option<String>,
}

pub(crate) fn do_create_card(
    shared: &Shared,
    budget_id: &str,
    kind: CardKind,
    last4: Option<&str>,
) -> Result<Card, Failure> {
    shared
        .store
        .mutate(|s| s.create_card(budget_id, kind, last4))
}

pub(super) async fn create_card(
    State(shared): State<Arc<Shared>>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    reply(
        parse_body::<CreateCardRequest>(body, false)
            .and_then(|r| do_create_card(&shared, &r.budget_id, r.kind, r.last4.as_deref())),
    )
}

pub(crate) fn do_top_up_card(
    shared: &Shared,
    card_id: &str,
    amount: &str,
) -> Result<Card, Failure> {
    let cents = parse_positive_amount(amount)?;
    shared.store.mutate(|s| {
        // An admin top-up is a card funding order too, with an id of the sandbox's.
        let order_id = loop {
            let id = format!("sandbox-admin-{}", s.next_sequence());
            if !s.funding_orders.iter().any(|o| o.unique_order_id == id) {
                break id;
            }
        };
        s.fund_card(&order_id, card_id, cents, None, "sandbox admin top-up")?;
        (s.cards.iter().find(|c| c.card_id == card_id).cloned())
            .ok_or_else(|| Failure::NotFound(format!("Card {card_id} does not exist")))
    })
}

pub(super) async fn top_up_card(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    reply(path_id(path).and_then(|id| {
        let r: AmountRequest = parse_body(body, false)?;
        do_top_up_card(&shared, &id, &r.amount)
    }))
}
