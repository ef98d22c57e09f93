//! The Ahrvo operations, by API family: `issuing.rs` (budgets and card balances,
//! `{"code", "data"}` envelopes), `funding.rs` (top-ups and transfers), `issuing_lists.rs`
//! (funding orders, cards, products), and `payments.rs` (Balances and Balance Entries, Finix
//! error lists). Each handler authenticates first, then reads or changes the state.

pub(crate) mod funding;
pub(crate) mod issuing;
pub(crate) mod issuing_lists;
pub(crate) mod paging;
pub(crate) mod payments;
pub(crate) mod payments_lists;

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;

use crate::codes::HttpCode;
use crate::shared::Shared;

/// The routes of the API operations.
pub(crate) fn api() -> Router<Arc<Shared>> {
    Router::new()
        .merge(issuing::routes())
        .merge(funding::routes())
        .merge(issuing_lists::routes())
        .merge(payments::routes())
        .merge(payments_lists::routes())
}

/// Which API a path belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Api {
    /// The issuing operations.
    Issuing,
    /// The payments operations.
    Payments,
}

impl Api {
    /// The API of one of the operation paths; `None` for any other path.
    pub(crate) fn of(path: &str) -> Option<Api> {
        match path {
            issuing::LIST_BUDGET_BALANCES
            | issuing::CREATE_BUDGET
            | issuing::CARD_BALANCE
            | funding::TOP_UP
            | funding::TOP_UP_ORDER
            | funding::TRANSFER
            | funding::TRANSFER_ORDER
            | funding::CARD_TOP_UP
            | issuing_lists::FUNDING_LIST
            | issuing_lists::CARD_LIST
            | issuing_lists::PRODUCTS => {
                return Some(Api::Issuing);
            }
            _ => {}
        }
        if path == payments_lists::LIST_BALANCES || path == payments_lists::LIST_BALANCE_ADJUSTMENTS
        {
            return Some(Api::Payments);
        }
        if let Some(id) = (path.strip_prefix("/payments/na/balances/"))
            .and_then(|rest| rest.strip_suffix("/balance_entries"))
        {
            return (!id.is_empty() && !id.contains('/')).then_some(Api::Payments);
        }
        let rest = path
            .strip_prefix("/payments/na/balances/")
            .or_else(|| path.strip_prefix("/payments/na/balance_entries/"))
            .or_else(|| path.strip_prefix("/payments/na/transfers/"))?;
        (!rest.is_empty() && !rest.contains('/')).then_some(Api::Payments)
    }

    /// The API whose format a reply to `path` takes when the path is none of the operations'
    /// (an unknown route, a refusal before routing): payments under `/payments/`, else issuing.
    pub(crate) fn by_prefix(path: &str) -> Api {
        if path.starts_with("/payments/") {
            Api::Payments
        } else {
            Api::Issuing
        }
    }

    /// An error reply in this API's format.
    pub(crate) fn error(self, status: StatusCode, code: HttpCode, message: &str) -> Response {
        match self {
            Api::Issuing => issuing::error(status, code.into(), message),
            Api::Payments => payments::error(status, code.into(), message),
        }
    }
}

/// 406 in the family's format: the `Accept` header excludes `application/json`.
pub(crate) fn not_acceptable(api: Api) -> Response {
    api.error(
        StatusCode::NOT_ACCEPTABLE,
        HttpCode::NotAcceptable,
        "This endpoint only answers application/json: send Accept: application/json",
    )
}

/// Whether an `Accept` header admits `application/json`: absent, empty, `*/*`,
/// `application/*` or `application/json` with a non-zero `q`. Parameters other than `q` are
/// ignored; a header that is not visible ASCII admits nothing.
pub(crate) fn accepts_json(headers: &axum::http::HeaderMap) -> bool {
    let mut values = headers
        .get_all(axum::http::header::ACCEPT)
        .iter()
        .peekable();
    if values.peek().is_none() {
        return true;
    }
    let mut any_range = false;
    for value in values {
        let Ok(text) = value.to_str() else {
            return false;
        };
        for range in text.split(',') {
            let mut parts = range.split(';');
            let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            if media.is_empty() {
                continue;
            }
            any_range = true;
            let q_zero = parts.any(|p| {
                let (key, value) = p.split_once('=').unwrap_or((p, ""));
                key.trim().eq_ignore_ascii_case("q")
                    && value.trim().parse::<f32>().is_ok_and(|q| q <= 0.0)
            });
            if !q_zero && matches!(media.as_str(), "*/*" | "application/*" | "application/json") {
                return true;
            }
        }
    }
    !any_range
}

/// Whether a `Content-Type` header is `application/json` (any parameters, any case).
pub(crate) fn is_json_content_type(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
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

#[cfg(test)]
mod tests {
    use axum::http::{HeaderMap, HeaderValue, header};

    use super::*;

    fn accept(values: &[&'static str]) -> bool {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append(header::ACCEPT, HeaderValue::from_static(v));
        }
        accepts_json(&headers)
    }

    #[test]
    fn accept_headers_that_admit_json() {
        for ok in [
            &[][..],
            &[""],
            &["*/*"],
            &["application/json"],
            &["Application/JSON; charset=utf-8"],
            &["text/html, application/*;q=0.5"],
            &["text/html", "*/*"],
        ] {
            assert!(accept(ok), "{ok:?} refused");
        }
    }

    #[test]
    fn accept_headers_that_exclude_json() {
        for refused in [
            &["text/html"][..],
            &["application/xml, text/*"],
            &["application/json;q=0"],
            &["*/*; q=0.0"],
            &["text/csv", "image/png"],
        ] {
            assert!(!accept(refused), "{refused:?} accepted");
        }
    }

    #[test]
    fn content_types() {
        let ct = |v: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(v));
            is_json_content_type(&headers)
        };
        assert!(ct("application/json"));
        assert!(ct("application/JSON; charset=utf-8"));
        assert!(!ct("text/plain"));
        assert!(!ct("application/x-www-form-urlencoded"));
        assert!(!ct("application/jsonx"));
        assert!(!is_json_content_type(&HeaderMap::new()));
    }
}
