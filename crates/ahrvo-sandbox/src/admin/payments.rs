//! Admin routes of the payments family: create Balances, post Balance Entries, settle
//! pending ones. Replies are the API's own Balance and Balance Entry objects.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State};
use axum::response::Response;

use super::{parse_body, path_id, reply};
use crate::routes::payments::{BalanceEntryReply, BalanceReply};
use crate::shared::Shared;
use crate::state::{NewBalance, NewBalanceEntry};

pub(super) async fn create_balance(
    State(shared): State<Arc<Shared>>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let result = parse_body::<NewBalance>(body, true)
        .and_then(|spec| shared.store.mutate(|s| s.create_balance(&spec)));
    reply(
        result
            .as_ref()
            .map(BalanceReply::from)
            .map_err(Clone::clone),
    )
}

pub(super) async fn post_entry(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let result = path_id(path).and_then(|id| {
        let spec: NewBalanceEntry = parse_body(body, false)?;
        shared.store.mutate(|s| s.post_entry(&id, &spec))
    });
    reply(
        result
            .as_ref()
            .map(BalanceEntryReply::from)
            .map_err(Clone::clone),
    )
}

pub(super) async fn settle_entry(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let result = path_id(path).and_then(|id| shared.store.mutate(|s| s.settle_entry(&id)));
    reply(
        result
            .as_ref()
            .map(BalanceEntryReply::from)
            .map_err(Clone::clone),
    )
}
