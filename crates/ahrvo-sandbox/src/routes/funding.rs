//! The issuing money movements: top up a budget and query the order, transfer between budgets
//! and query the transfer, top up a Dedicated Funds Card. Bodies are JSON objects of strings;
//! amounts are decimal strings (`"10.45"`).

// A refusal is the reply itself (an axum `Response`, 128 bytes), returned on the cold path
// of a handler's parsing: boxing it would only add an allocation to every refusal.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Serialize;
use serde_json::{Map, Value};

use super::issuing::{MAX_CARD_ID_CHARS, bad_request, error, failure_with, refuse, success};
use crate::codes::IssuingCode;
use crate::routes::is_json_content_type;
use crate::shared::Shared;
use crate::state::{Money, TopUpOrder, TransferOrder, now_unix_ms, parse_positive_amount};

/// `POST`: top up a budget.
pub(crate) const TOP_UP: &str = "/card/issuance/api/issuing/budget/v2/top-up";
/// `GET ?unique_order_id=`: a top-up order.
pub(crate) const TOP_UP_ORDER: &str = "/card/issuance/api/issuing/budget/v2/top-up/order";
/// `POST`: transfer between budgets.
pub(crate) const TRANSFER: &str = "/card/issuance/api/issuing/budget/v2/transfer";
/// `GET ?transfer_order_id=`: a transfer order.
pub(crate) const TRANSFER_ORDER: &str = "/card/issuance/api/issuing/budget/v2/transfer/order";
/// `POST`: top up a Dedicated Funds Card.
pub(crate) const CARD_TOP_UP: &str = "/card/issuance/api/issuing/card/v2/funding/top-up";

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(TOP_UP, post(top_up))
        .route(TOP_UP_ORDER, get(top_up_order))
        .route(TRANSFER, post(transfer))
        .route(TRANSFER_ORDER, get(transfer_order))
        .route(CARD_TOP_UP, post(card_top_up))
}

#[derive(Serialize)]
struct RecordReply {
    record_id: String,
}

#[derive(Serialize)]
struct TopUpOrderReply {
    status: crate::state::TopUpStatus,
    unique_order_id: String,
    record_id: String,
    budget_id: String,
    top_up_amount: Money,
    top_up_currency: String,
}

impl From<TopUpOrder> for TopUpOrderReply {
    fn from(o: TopUpOrder) -> Self {
        TopUpOrderReply {
            status: o.status,
            unique_order_id: o.unique_order_id,
            record_id: o.record_id,
            budget_id: o.budget_id,
            top_up_amount: o.top_up_amount,
            top_up_currency: o.top_up_currency,
        }
    }
}

#[derive(Serialize)]
struct TransferReply {
    transfer_order_id: String,
    in_amount: Money,
}

#[derive(Serialize)]
struct TransferOrderReply {
    fund_result: crate::state::FundResult,
    transfer_order_id: String,
    source_budget_id: String,
    target_budget_id: String,
    transfer_amount: Money,
    in_amount: Money,
}

impl From<TransferOrder> for TransferOrderReply {
    fn from(o: TransferOrder) -> Self {
        TransferOrderReply {
            fund_result: o.fund_result,
            transfer_order_id: o.transfer_order_id,
            source_budget_id: o.source_budget_id,
            target_budget_id: o.target_budget_id,
            transfer_amount: o.transfer_amount,
            in_amount: o.in_amount,
        }
    }
}

/// Authentication, `Accept`, `Content-Type`, then the body as a JSON object.
fn json_body(
    shared: &Shared,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Map<String, Value>, Response> {
    if let Some(reply) = refuse(shared, headers) {
        return Err(reply);
    }
    if !is_json_content_type(headers) {
        return Err(error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            IssuingCode::UnsupportedMediaType,
            "The request body must be sent as Content-Type: application/json",
        ));
    }
    let body = body.map_err(|_| bad_request("The request body could not be read"))?;
    match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(_) => Err(bad_request("The request body must be a JSON object")),
        Err(e) => Err(bad_request(&format!(
            "The request body is not valid JSON: {e}"
        ))),
    }
}

/// A required, non-blank string field without control characters, at most `max` characters.
fn text(object: &Map<String, Value>, name: &str, max: usize) -> Result<String, Response> {
    match object.get(name) {
        Some(Value::String(v)) if v.trim().is_empty() => {
            Err(bad_request(&format!("{name} must not be empty")))
        }
        Some(Value::String(v)) if v.chars().count() > max => Err(bad_request(&format!(
            "{name} must be at most {max} characters"
        ))),
        Some(Value::String(v)) if v.chars().any(char::is_control) => Err(bad_request(&format!(
            "{name} must not contain control characters"
        ))),
        Some(Value::String(v)) => Ok(v.clone()),
        Some(_) => Err(bad_request(&format!("{name} must be a string"))),
        None => Err(bad_request(&format!("{name} is required"))),
    }
}

/// A required, non-empty string id without a documented shape (a budget id): anything else
/// is simply not found.
fn id(object: &Map<String, Value>, name: &str) -> Result<String, Response> {
    match object.get(name) {
        Some(Value::String(v)) if v.is_empty() => {
            Err(bad_request(&format!("{name} must not be empty")))
        }
        Some(Value::String(v)) => Ok(v.clone()),
        Some(_) => Err(bad_request(&format!("{name} must be a string"))),
        None => Err(bad_request(&format!("{name} is required"))),
    }
}

/// A positive decimal-string amount with at most two decimals, in cents.
fn amount(object: &Map<String, Value>, name: &str) -> Result<i64, Response> {
    let value = text(object, name, 32)?;
    parse_positive_amount(&value).map_err(|f| bad_request(&format!("{name}: {}", f.message())))
}

/// A currency: three upper-case letters.
fn currency(object: &Map<String, Value>, name: &str) -> Result<String, Response> {
    let value = text(object, name, 3)?;
    if value.len() == 3 && value.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(value)
    } else {
        Err(bad_request(&format!(
            "{name} must be an ISO 4217 code such as \"USD\", got {value:?}"
        )))
    }
}

/// A required query parameter of a GET, after authentication.
fn query_id(
    shared: &Shared,
    headers: &HeaderMap,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
    name: &str,
    max: usize,
) -> Result<String, Response> {
    if let Some(reply) = refuse(shared, headers) {
        return Err(reply);
    }
    let Ok(Query(query)) = query else {
        return Err(bad_request("The query string is malformed"));
    };
    match query.get(name) {
        Some(v) if v.trim().is_empty() => Err(bad_request(&format!("{name} must not be empty"))),
        Some(v) if v.chars().count() > max || v.chars().any(char::is_control) => Err(bad_request(
            &format!("{name} must be at most {max} characters, without control characters"),
        )),
        Some(v) => Ok(v.clone()),
        None => Err(bad_request(&format!("{name} is required"))),
    }
}

async fn top_up(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let parsed = json_body(&shared, &headers, body).and_then(|o| {
        Ok((
            id(&o, "budget_id")?,
            amount(&o, "top_up_amount")?,
            currency(&o, "top_up_currency")?,
            text(&o, "unique_order_id", 36)?,
        ))
    });
    let (budget_id, cents, currency, order_id) = match parsed {
        Ok(fields) => fields,
        Err(reply) => return reply,
    };
    let delay_ms = u64::try_from(shared.top_up_delay.as_millis()).unwrap_or(u64::MAX);
    let result = shared.store.mutate(|s| {
        s.top_up_budget(
            &order_id,
            &budget_id,
            cents,
            &currency,
            now_unix_ms(),
            delay_ms,
        )
    });
    match result {
        Ok(order) => success(RecordReply {
            record_id: order.record_id,
        }),
        Err(f) => failure_with(&f, IssuingCode::BudgetNotFound),
    }
}

async fn top_up_order(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Response {
    let id = match query_id(&shared, &headers, query, "unique_order_id", 36) {
        Ok(id) => id,
        Err(reply) => return reply,
    };
    let order = shared.store.read(|s| {
        (s.top_up_orders.iter())
            .find(|o| o.unique_order_id == id)
            .cloned()
    });
    match order {
        Some(order) => success(TopUpOrderReply::from(order)),
        None => error(
            StatusCode::NOT_FOUND,
            IssuingCode::OrderNotFound,
            &format!("No top-up order with unique_order_id {id}"),
        ),
    }
}

async fn transfer(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let parsed = json_body(&shared, &headers, body).and_then(|o| {
        Ok((
            id(&o, "source_budget_id")?,
            id(&o, "target_budget_id")?,
            amount(&o, "transfer_amount")?,
            currency(&o, "source_currency")?,
            currency(&o, "target_currency")?,
        ))
    });
    let (source, target, cents, from, to) = match parsed {
        Ok(fields) => fields,
        Err(reply) => return reply,
    };
    match (shared.store).mutate(|s| s.transfer_budgets(&source, &target, cents, &from, &to)) {
        Ok(order) => success(TransferReply {
            transfer_order_id: order.transfer_order_id,
            in_amount: order.in_amount,
        }),
        Err(f) => failure_with(&f, IssuingCode::BudgetNotFound),
    }
}

async fn transfer_order(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Response {
    let id = match query_id(&shared, &headers, query, "transfer_order_id", 1024) {
        Ok(id) => id,
        Err(reply) => return reply,
    };
    let order = shared.store.read(|s| {
        (s.transfer_orders.iter())
            .find(|o| o.transfer_order_id == id)
            .cloned()
    });
    match order {
        Some(order) => success(TransferOrderReply::from(order)),
        None => error(
            StatusCode::NOT_FOUND,
            IssuingCode::OrderNotFound,
            &format!("No transfer order {id}"),
        ),
    }
}

async fn card_top_up(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let parsed = json_body(&shared, &headers, body).and_then(|o| {
        Ok((
            text(&o, "unique_order_id", 36)?,
            text(&o, "card_id", MAX_CARD_ID_CHARS)?,
            amount(&o, "amount")?,
        ))
    });
    let (order_id, card_id, cents) = match parsed {
        Ok(fields) => fields,
        Err(reply) => return reply,
    };
    match (shared.store).mutate(|s| s.fund_card(&order_id, &card_id, cents, Some("USD"), "")) {
        Ok(order) => success(RecordReply {
            record_id: order.record_id,
        }),
        Err(f) => failure_with(&f, IssuingCode::CardNotFound),
    }
}
