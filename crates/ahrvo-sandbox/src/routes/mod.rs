//! The five Ahrvo operations, one file per API family: `issuing.rs` (budgets and cards,
//! `{"code", "data"}` envelopes) and `payments.rs` (Balances and Balance Entries, Finix
//! error lists). Each handler authenticates first, then reads or changes the state.

pub(crate) mod issuing;
pub(crate) mod payments;

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;

use crate::shared::Shared;

/// The routes of the five operations.
pub(crate) fn api() -> Router<Arc<Shared>> {
    Router::new()
        .merge(issuing::routes())
        .merge(payments::routes())
}

/// Which API a path belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Api {
    /// The three issuing operations.
    Issuing,
    /// The two payments operations.
    Payments,
}

impl Api {
    /// The API of one of the five operation paths; `None` for any other path.
    pub(crate) fn of(path: &str) -> Option<Api> {
        match path {
            issuing::LIST_BUDGET_BALANCES | issuing::CREATE_BUDGET | issuing::CARD_BALANCE => {
                return Some(Api::Issuing);
            }
            _ => {}
        }
        let rest = path
            .strip_prefix("/payments/na/balances/")
            .or_else(|| path.strip_prefix("/payments/na/balance_entries/"))?;
        (!rest.is_empty() && !rest.contains('/')).then_some(Api::Payments)
    }

    /// An error reply in this API's format.
    pub(crate) fn error(self, status: StatusCode, code: &str, message: &str) -> Response {
        match self {
            Api::Issuing => issuing::error(status, code, message),
            Api::Payments => payments::error(status, code, message),
        }
    }
}

/// A JSON reply.
pub(crate) fn json_response<T: serde::Serialize>(status: StatusCode, body: &T) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => {
            let mut reply = Response::new(Body::from(bytes));
            *reply.status_mut() = status;
            reply
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            reply
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot serialize a reply");
            let mut reply = Response::new(Body::empty());
            *reply.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            reply
        }
    }
}
