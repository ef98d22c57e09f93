//! The three issuing operations, with the `{"code": "SUCCESS", "data": ...}` envelope and the
//! `{"code", "message"}` error body.

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

use crate::auth::{IssuingAuth, check_issuing};
use crate::codes::IssuingCode;
use crate::config::EmptyBudgets;
use crate::routes::{Api, accepts_json, is_json_content_type, json_response, not_acceptable};
use crate::shared::Shared;
use crate::state::{CardKind, Failure, Money, validate_budget_name};

/// The longest `card_id` served, in characters (the spec's `CardId` `maxLength`).
pub(crate) const MAX_CARD_ID_CHARS: usize = 64;

/// `GET`: all budget balances.
pub(crate) const LIST_BUDGET_BALANCES: &str = "/card/issuance/api/issuing/budget/v2/balance/all";
/// `POST`: create a budget account.
pub(crate) const CREATE_BUDGET: &str = "/card/issuance/api/issuing/budget/v2/create";
/// `GET ?card_id=`: a Dedicated Funds Card's balance.
pub(crate) const CARD_BALANCE: &str = "/card/issuance/api/issuing/card/v2/normal/balance";

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(LIST_BUDGET_BALANCES, get(list_budget_balances))
        .route(CREATE_BUDGET, post(create_budget))
        .route(CARD_BALANCE, get(card_balance))
}

#[derive(Serialize)]
struct Envelope<T> {
    code: &'static str,
    data: T,
}

#[derive(Serialize)]
struct BudgetBalanceReply {
    budget_id: String,
    budget_name: String,
    balance: Money,
    currency: String,
}

#[derive(Serialize)]
struct CreateBudgetReply {
    budget_id: String,
}

#[derive(Serialize)]
struct CardBalanceReply {
    card_number: String,
    available_balance: Money,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    code: &'static str,
    message: &'a str,
}

pub(crate) fn success<T: Serialize>(data: T) -> Response {
    json_response(
        StatusCode::OK,
        &Envelope {
            code: "SUCCESS",
            data,
        },
    )
}

/// An issuing error reply.
pub(crate) fn error(status: StatusCode, code: IssuingCode, message: &str) -> Response {
    json_response(
        status,
        &ErrorBody {
            code: code.as_str(),
            message,
        },
    )
}

fn failure(f: &Failure) -> Response {
    failure_with(f, IssuingCode::NotFound)
}

/// The reply to a refused operation; `not_found` is the operation's 404 code. Insufficient
/// funds are a 400 on the API (the pages' status; the admin API answers 409).
pub(crate) fn failure_with(f: &Failure, not_found: IssuingCode) -> Response {
    let (status, code) = match f {
        Failure::BadRequest(_) => (f.status(), IssuingCode::InvalidParameter),
        Failure::NotFound(_) => (f.status(), not_found),
        Failure::Conflict(_) => (f.status(), IssuingCode::BudgetNameExists),
        Failure::Insufficient(_) => (StatusCode::BAD_REQUEST, IssuingCode::InsufficientBalance),
        Failure::Duplicate(_) => (f.status(), IssuingCode::DuplicateOrderId),
        Failure::WrongCardType(_) => (f.status(), IssuingCode::InvalidCardType),
        Failure::Storage(_) => (f.status(), IssuingCode::InternalServerError),
    };
    error(status, code, f.message())
}

pub(crate) fn bad_request(message: &str) -> Response {
    error(
        StatusCode::BAD_REQUEST,
        IssuingCode::InvalidParameter,
        message,
    )
}

/// The refusal, unless the Bearer token and the API key are right, issuing is enabled and
/// the client accepts JSON (checked in that order: authentication first).
pub(crate) fn refuse(shared: &Shared, headers: &HeaderMap) -> Option<Response> {
    match check_issuing(headers, &shared.credentials, &shared.forbidden_api_key) {
        IssuingAuth::Allowed => {}
        IssuingAuth::Forbidden => {
            return Some(error(
                StatusCode::FORBIDDEN,
                IssuingCode::Forbidden,
                "Card issuance feature not enabled for this account",
            ));
        }
        IssuingAuth::Unauthorized(why) => {
            return Some(error(
                StatusCode::UNAUTHORIZED,
                IssuingCode::Unauthorized,
                why,
            ));
        }
    }
    (!accepts_json(headers)).then(|| not_acceptable(Api::Issuing))
}

async fn list_budget_balances(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if let Some(reply) = refuse(&shared, &headers) {
        return reply;
    }
    let data: Vec<BudgetBalanceReply> = shared.store.read(|s| {
        s.budgets
            .iter()
            .map(|b| BudgetBalanceReply {
                budget_id: b.budget_id.clone(),
                budget_name: b.budget_name.clone(),
                balance: b.balance,
                currency: b.currency.clone(),
            })
            .collect()
    });
    if data.is_empty() && shared.empty_budgets == EmptyBudgets::NotFound {
        return error(
            StatusCode::NOT_FOUND,
            IssuingCode::NotFound,
            "No budget accounts exist",
        );
    }
    success(data)
}

async fn create_budget(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    if let Some(reply) = refuse(&shared, &headers) {
        return reply;
    }
    if !is_json_content_type(&headers) {
        return error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            IssuingCode::UnsupportedMediaType,
            "The request body must be sent as Content-Type: application/json",
        );
    }
    let Ok(body) = body else {
        return bad_request("The request body could not be read");
    };
    let value: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return bad_request(&format!("The request body is not valid JSON: {e}")),
    };
    let Some(object) = value.as_object() else {
        return bad_request("The request body must be a JSON object");
    };
    let name = match object.get("budget_name") {
        Some(serde_json::Value::String(name)) => name.clone(),
        Some(_) => return bad_request("budget_name must be a string"),
        None => return bad_request("budget_name is required"),
    };
    let name = match validate_budget_name(&name) {
        Ok(trimmed) => trimmed,
        Err(f) => return failure(&f),
    };
    match shared
        .store
        .mutate(|s| s.create_budget(name, "USD", Money(0)))
    {
        Ok(budget_id) => {
            tracing::debug!(%budget_id, "budget created");
            success(CreateBudgetReply { budget_id })
        }
        Err(f) => failure(&f),
    }
}

async fn card_balance(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Response {
    if let Some(reply) = refuse(&shared, &headers) {
        return reply;
    }
    let Ok(Query(query)) = query else {
        return bad_request("The query string is malformed");
    };
    let card_id = match query.get("card_id") {
        Some(id) if !id.trim().is_empty() => id,
        Some(_) => return bad_request("card_id must not be empty"),
        None => return bad_request("card_id is required"),
    };
    if card_id.chars().count() > MAX_CARD_ID_CHARS {
        return bad_request(&format!(
            "card_id must be at most {MAX_CARD_ID_CHARS} characters"
        ));
    }
    if card_id.chars().any(char::is_control) {
        return bad_request("card_id must not contain control characters");
    }
    let card = shared.store.card(card_id);
    match card {
        None => error(
            StatusCode::NOT_FOUND,
            IssuingCode::CardNotFound,
            &format!("Card {card_id} does not exist"),
        ),
        Some(card) if card.kind == CardKind::Shared => error(
            StatusCode::BAD_REQUEST,
            IssuingCode::InvalidCardType,
            &format!(
                "Card {card_id} is not a Dedicated Funds Card: it is a Shared Funds Card, whose \
                 balance is its budget account's balance"
            ),
        ),
        Some(card) => success(CardBalanceReply {
            card_number: card.card_number,
            available_balance: card.available_balance,
        }),
    }
}
