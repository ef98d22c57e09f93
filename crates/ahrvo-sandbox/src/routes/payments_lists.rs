//! The payments lists (Balances, a Balance's entries, Balance Adjustments), paged as
//! `paging.rs` says, and fetching a Transfer.

// A refusal is the reply itself (an axum `Response`, 128 bytes), returned on the cold path
// of a handler's parsing: boxing it would only add an allocation to every refusal.
#![allow(clippy::result_large_err)]

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::Router;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::Response;
use axum::routing::get;
use serde::Serialize;

use super::paging::{FINIX_VERSION, ListLinks, PageInfo, Paging, newest_first};
use super::payments::{BalanceEntryReply, BalanceReply, error, unauthorized};
use crate::auth::check_basic;
use crate::codes::PaymentsCode;
use crate::routes::{Api, accepts_json, json_response, not_acceptable};
use crate::shared::Shared;
use crate::state::{Balance, BalanceAdjustment, BalanceEntry, Transfer};

/// `GET`: the Balances.
pub(crate) const LIST_BALANCES: &str = "/payments/na/balances";
/// `GET`: a Balance's entries.
pub(crate) const LIST_BALANCE_ENTRIES: &str = "/payments/na/balances/{balance_id}/balance_entries";
/// `GET`: the Balance Adjustments.
pub(crate) const LIST_BALANCE_ADJUSTMENTS: &str = "/payments/na/balance_adjustments";
/// `GET`: one Transfer.
pub(crate) const GET_TRANSFER: &str = "/payments/na/transfers/{transfer_id}";

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(LIST_BALANCES, get(list_balances))
        .route(LIST_BALANCE_ENTRIES, get(list_balance_entries))
        .route(LIST_BALANCE_ADJUSTMENTS, get(list_balance_adjustments))
        .route(GET_TRANSFER, get(get_transfer))
}

type Params = Result<Query<HashMap<String, String>>, QueryRejection>;

#[derive(Serialize)]
struct List {
    #[serde(rename = "_embedded")]
    embedded: BTreeMap<&'static str, Vec<serde_json::Value>>,
    #[serde(rename = "_links")]
    links: ListLinks,
    page: PageInfo,
}

#[derive(Serialize)]
struct SelfLink {
    #[serde(rename = "self")]
    self_link: Href,
}

#[derive(Serialize)]
struct Href {
    href: String,
}

fn self_links(headers: &HeaderMap, path: String) -> SelfLink {
    let host = headers.get("host").and_then(|h| h.to_str().ok());
    let href = host.map_or_else(|| path.clone(), |h| format!("http://{h}{path}"));
    SelfLink {
        self_link: Href { href },
    }
}

/// The Transfer object, every documented field (absent values as `null`).
#[derive(Serialize)]
struct TransferReply<'a> {
    #[serde(flatten)]
    transfer: &'a Transfer,
    messages: [&'static str; 0],
    #[serde(rename = "_links")]
    links: SelfLink,
}

/// The Balance Adjustment object.
#[derive(Serialize)]
struct AdjustmentReply<'a> {
    #[serde(flatten)]
    adjustment: &'a BalanceAdjustment,
    #[serde(rename = "_links")]
    links: SelfLink,
}

fn to_value(reply: impl Serialize) -> serde_json::Value {
    serde_json::to_value(reply).unwrap_or(serde_json::Value::Null)
}

fn bad_request(message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, PaymentsCode::BadRequest, message)
}

/// Authentication, then `Accept`, then the query.
fn prelude(shared: &Shared, headers: &HeaderMap, query: Params) -> Result<Paging, Response> {
    if !check_basic(headers, &shared.credentials) {
        return Err(unauthorized());
    }
    if !accepts_json(headers) {
        return Err(not_acceptable(Api::Payments));
    }
    let Ok(Query(query)) = query else {
        return Err(bad_request("The query string is malformed"));
    };
    Paging::parse(headers, &query).map_err(|m| bad_request(&m))
}

/// One page of `items` (newest first), as a list reply under `_embedded.<key>`.
fn list_reply<T>(
    paging: &Paging,
    key: &'static str,
    items: &[T],
    id: impl Fn(&T) -> &str,
    reply: impl Fn(&T) -> serde_json::Value,
    headers: &HeaderMap,
    uri: &Uri,
) -> Response {
    let (slice, page, links) = match paging.page(items, id, headers, uri.path(), uri.query()) {
        Ok(page) => page,
        Err(m) => return bad_request(&m),
    };
    let body = List {
        embedded: BTreeMap::from([(key, slice.iter().map(reply).collect())]),
        links,
        page,
    };
    let mut response = json_response(StatusCode::OK, &body);
    if paging.is_cursor() {
        response
            .headers_mut()
            .insert("finix-version", HeaderValue::from_static(FINIX_VERSION));
    }
    response
}

async fn list_balances(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
    query: Params,
) -> Response {
    let paging = match prelude(&shared, &headers, query) {
        Ok(p) => p,
        Err(reply) => return reply,
    };
    shared.store.read(|s| {
        let mut items: Vec<&Balance> = s.balances.iter().collect();
        newest_first(&mut items, |b| &b.created_at, |b| &b.id);
        list_reply(
            &paging,
            "balances",
            &items,
            |b| &b.id,
            |b| to_value(BalanceReply::from(*b)),
            &headers,
            &uri,
        )
    })
}

async fn list_balance_entries(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
    path: Result<Path<String>, PathRejection>,
    query: Params,
) -> Response {
    let paging = match prelude(&shared, &headers, query) {
        Ok(p) => p,
        Err(reply) => return reply,
    };
    let Ok(Path(balance_id)) = path else {
        return bad_request("The Balance id is not valid UTF-8 after percent-decoding");
    };
    shared.store.read(|s| {
        if !s.balances.iter().any(|b| b.id == balance_id) {
            return error(
                StatusCode::NOT_FOUND,
                PaymentsCode::NotFound,
                &format!("Balance resource not found: {balance_id}"),
            );
        }
        let mut items: Vec<&BalanceEntry> = s
            .balance_entries
            .iter()
            .filter(|e| e.balance_id == balance_id)
            .collect();
        newest_first(&mut items, |e| &e.created_at, |e| &e.id);
        let reply = |e: &&BalanceEntry| to_value(BalanceEntryReply::from(*e));
        list_reply(
            &paging,
            "balance_entries",
            &items,
            |e| &e.id,
            reply,
            &headers,
            &uri,
        )
    })
}

async fn list_balance_adjustments(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
    query: Params,
) -> Response {
    let paging = match prelude(&shared, &headers, query) {
        Ok(p) => p,
        Err(reply) => return reply,
    };
    shared.store.read(|s| {
        let mut items: Vec<&BalanceAdjustment> = s.balance_adjustments.iter().collect();
        newest_first(&mut items, |a| &a.created_at, |a| &a.id);
        let reply = |a: &&BalanceAdjustment| {
            to_value(AdjustmentReply {
                adjustment: a,
                links: self_links(
                    &headers,
                    format!("/payments/na/balance_adjustments/{}", a.id),
                ),
            })
        };
        list_reply(
            &paging,
            "balance_adjustments",
            &items,
            |a| &a.id,
            reply,
            &headers,
            &uri,
        )
    })
}

async fn get_transfer(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    if !check_basic(&headers, &shared.credentials) {
        return unauthorized();
    }
    if !accepts_json(&headers) {
        return not_acceptable(Api::Payments);
    }
    let id = match path {
        Ok(Path(id)) if !id.is_empty() => id,
        _ => {
            return bad_request(
                "The Transfer id is empty or not valid UTF-8 after percent-decoding",
            );
        }
    };
    shared
        .store
        .read(|s| match s.transfers.iter().find(|t| t.id == id) {
            Some(transfer) => json_response(
                StatusCode::OK,
                &TransferReply {
                    transfer,
                    messages: [],
                    links: self_links(&headers, format!("/payments/na/transfers/{id}")),
                },
            ),
            None => error(
                StatusCode::NOT_FOUND,
                PaymentsCode::NotFound,
                &format!("Transfer resource not found: {id}"),
            ),
        })
}
