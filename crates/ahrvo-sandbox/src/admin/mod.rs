//! The sandbox's own admin API under `/_sandbox/` (not part of Ahrvo's API): inspect and
//! shape the state, inject faults, read counters. JSON in and out; no authentication.
//!
//! Every mutation goes through the same checked, persisted path as the API's own
//! (`Store::mutate`): a call that would overdraw or break an invariant is refused and changes
//! nothing. One file per part: `issuing.rs` (budgets, cards), `payments.rs` (Balances,
//! Balance Entries), `funding.rs` (a budget's top-up counts, failing an order, the invariant
//! check), `faults.rs` (faults, latency, rate limit, counters); reset and the whole state here.

mod faults;
mod funding;
mod issuing;
mod payments;

use std::fmt;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::routes::json_response;
use crate::shared::Shared;
use crate::state::{Failure, State as Model};

pub use funding::TopUpCounts;
pub(crate) use funding::{do_budget_summary, do_check, do_fail_top_up};
pub(crate) use issuing::{do_create_budget, do_create_card, do_fund_budget, do_top_up_card};

/// A refused admin call: the HTTP status the admin API would answer, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminError {
    status: u16,
    message: String,
}

impl AdminError {
    /// 400 (invalid input), 404 (unknown id), 409 (duplicate, overdraft, wrong state) or 500
    /// (the state file could not be written).
    pub fn status(&self) -> u16 {
        self.status
    }

    /// Why the call was refused.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for AdminError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "sandbox admin call refused ({}): {}",
            self.status, self.message
        )
    }
}

impl std::error::Error for AdminError {}

impl From<Failure> for AdminError {
    fn from(f: Failure) -> Self {
        AdminError {
            status: f.status().as_u16(),
            message: f.message().to_owned(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------------------------

/// The admin routes.
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/_sandbox/reset", post(reset))
        .route("/_sandbox/state", get(state))
        .route("/_sandbox/budgets", post(issuing::create_budget))
        .route("/_sandbox/budgets/{budget_id}", get(funding::budget))
        .route(
            "/_sandbox/top_up_orders/{unique_order_id}/fail",
            post(funding::fail_top_up),
        )
        .route("/_sandbox/invariants", get(funding::invariants))
        .route(
            "/_sandbox/budgets/{budget_id}/fund",
            post(issuing::fund_budget),
        )
        .route(
            "/_sandbox/budgets/{budget_id}/withdraw",
            post(issuing::withdraw_budget),
        )
        .route("/_sandbox/cards", post(issuing::create_card))
        .route(
            "/_sandbox/cards/{card_id}/top_up",
            post(issuing::top_up_card),
        )
        .route("/_sandbox/balances", post(payments::create_balance))
        .route(
            "/_sandbox/balances/{balance_id}/entries",
            post(payments::post_entry),
        )
        .route(
            "/_sandbox/balance_entries/{entry_id}/settle",
            post(payments::settle_entry),
        )
        .route(
            "/_sandbox/faults",
            get(faults::get_faults).put(faults::put_faults),
        )
        .route(
            "/_sandbox/latency",
            get(faults::get_latency).put(faults::put_latency),
        )
        .route(
            "/_sandbox/rate_limit",
            get(faults::get_rate_limit).put(faults::put_rate_limit),
        )
        .route("/_sandbox/stats", get(faults::stats))
        .route("/_sandbox/stats/reset", post(faults::reset_stats))
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    status: u16,
    error: &'a str,
}

pub(super) fn reply<T: Serialize>(result: Result<T, Failure>) -> Response {
    match result {
        Ok(value) => json_response(StatusCode::OK, &value),
        Err(f) => json_response(
            f.status(),
            &ErrorBody {
                status: f.status().as_u16(),
                error: f.message(),
            },
        ),
    }
}

/// An admin refusal with any status (413, 414: the server's limits).
pub(crate) fn refusal(status: StatusCode, message: &str) -> Response {
    json_response(
        status,
        &ErrorBody {
            status: status.as_u16(),
            error: message,
        },
    )
}

/// The reply for an unknown `/_sandbox/` route.
pub(crate) fn not_found() -> Response {
    reply::<()>(Err(Failure::NotFound(
        "no such admin route; see docs/sandbox.md".to_owned(),
    )))
}

/// Parses a JSON body; an empty body reads as `{}` when `empty_ok`.
pub(super) fn parse_body<T: DeserializeOwned>(
    body: Result<Bytes, BytesRejection>,
    empty_ok: bool,
) -> Result<T, Failure> {
    let body = body.map_err(|e| Failure::BadRequest(format!("cannot read the body: {e}")))?;
    let bytes: &[u8] = if empty_ok && body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        &body
    };
    serde_json::from_slice(bytes)
        .map_err(|e| Failure::BadRequest(format!("invalid JSON body: {e}")))
}

pub(super) fn path_id(path: Result<Path<String>, PathRejection>) -> Result<String, Failure> {
    path.map(|Path(id)| id)
        .map_err(|e| Failure::BadRequest(format!("invalid path: {e}")))
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct ResetRequest {
    seed: Option<bool>,
}

async fn reset(State(shared): State<Arc<Shared>>, body: Result<Bytes, BytesRejection>) -> Response {
    reply(parse_body::<ResetRequest>(body, true).and_then(|r| {
        do_reset(&shared, r.seed.unwrap_or(shared.seed))?;
        Ok(shared.store.snapshot())
    }))
}

pub(crate) fn do_reset(shared: &Shared, seed: bool) -> Result<(), Failure> {
    shared.store.replace(if seed {
        Model::seeded()
    } else {
        Model::default()
    })
}

async fn state(State(shared): State<Arc<Shared>>) -> Response {
    reply(Ok(shared.store.snapshot()))
}
