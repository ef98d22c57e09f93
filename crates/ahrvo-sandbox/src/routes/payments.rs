//! The two payments (Finix) operations, with HTTP Basic auth and Finix's error list body.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::header::WWW_AUTHENTICATE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::get;
use serde::Serialize;

use crate::auth::check_basic;
use crate::codes::PaymentsCode;
use crate::routes::{Api, accepts_json, json_response, not_acceptable};
use crate::shared::Shared;
use crate::state::{
    Balance, BalanceEntry, BalanceType, CreatedBy, EntityType, EntryState, EntryType, LinkedType,
    WireDetails,
};

/// `GET`: one Balance.
pub(crate) const GET_BALANCE: &str = "/payments/na/balances/{balance_id}";
/// `GET`: one Balance Entry.
pub(crate) const GET_BALANCE_ENTRY: &str = "/payments/na/balance_entries/{balance_entry_id}";

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(GET_BALANCE, get(get_balance))
        .route(GET_BALANCE_ENTRY, get(get_balance_entry))
}

/// The Balance object, in the documented field order.
#[derive(Serialize)]
pub(crate) struct BalanceReply<'a> {
    id: &'a str,
    created_at: &'a str,
    updated_at: &'a str,
    available_amount: i64,
    currency: &'a str,
    linked_to: &'a str,
    linked_type: LinkedType,
    pending_amount: i64,
    posted_amount: i64,
    tags: &'a BTreeMap<String, String>,
    #[serde(rename = "type")]
    balance_type: BalanceType,
}

impl<'a> From<&'a Balance> for BalanceReply<'a> {
    fn from(b: &'a Balance) -> Self {
        BalanceReply {
            id: &b.id,
            created_at: &b.created_at,
            updated_at: &b.updated_at,
            available_amount: b.available_amount,
            currency: &b.currency,
            linked_to: &b.linked_to,
            linked_type: b.linked_type,
            pending_amount: b.pending_amount,
            posted_amount: b.posted_amount(),
            tags: &b.tags,
            balance_type: b.balance_type,
        }
    }
}

/// The Balance Entry object, with every documented field (absent values as `null`).
#[derive(Serialize)]
pub(crate) struct BalanceEntryReply<'a> {
    id: &'a str,
    created_at: &'a str,
    updated_at: &'a str,
    amount: i64,
    created_by: CreatedBy,
    currency: &'a str,
    description: &'a str,
    entity_id: &'a str,
    entity_type: EntityType,
    estimated_posted_date: &'a str,
    linked_to: &'a str,
    linked_type: LinkedType,
    parent_balance_entry_id: Option<&'a str>,
    posted_at: Option<&'a str>,
    state: EntryState,
    tags: &'a BTreeMap<String, String>,
    transaction_date: &'a str,
    #[serde(rename = "type")]
    entry_type: EntryType,
    wire_details: Option<&'a WireDetails>,
}

impl<'a> From<&'a BalanceEntry> for BalanceEntryReply<'a> {
    fn from(e: &'a BalanceEntry) -> Self {
        BalanceEntryReply {
            id: &e.id,
            created_at: &e.created_at,
            updated_at: &e.updated_at,
            amount: e.amount,
            created_by: e.created_by,
            currency: &e.currency,
            description: &e.description,
            entity_id: &e.entity_id,
            entity_type: e.entity_type,
            estimated_posted_date: &e.estimated_posted_date,
            linked_to: &e.linked_to,
            linked_type: e.linked_type,
            parent_balance_entry_id: e.parent_balance_entry_id.as_deref(),
            posted_at: e.posted_at.as_deref(),
            state: e.state,
            tags: &e.tags,
            transaction_date: &e.transaction_date,
            entry_type: e.entry_type,
            wire_details: e.wire_details.as_ref(),
        }
    }
}

#[derive(Serialize)]
struct ErrorList<'a> {
    total: u32,
    #[serde(rename = "_embedded")]
    embedded: Embedded<'a>,
}

#[derive(Serialize)]
struct Embedded<'a> {
    errors: [ErrorItem<'a>; 1],
}

#[derive(Serialize)]
struct ErrorItem<'a> {
    code: &'static str,
    message: &'a str,
    logref: String,
}

/// A Finix-style log reference: 16 hex digits, never the same twice in a process.
///
/// A counter, started at a per-process offset (so that two sandboxes' references differ
/// too), goes through a bijection of `u64` (the SplitMix64 finalizer): distinct counter values
/// give distinct references, which still look random.
fn logref() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    static START: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    let start = *START.get_or_init(|| {
        let now = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
        (now as u64) ^ u64::from(std::process::id()).rotate_left(40)
    });
    let n = start.wrapping_add(COUNTER.fetch_add(1, Ordering::Relaxed));
    format!("{:016x}", mix(n))
}

/// The SplitMix64 finalizer: a bijection (xor-shifts and odd multipliers are invertible).
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A payments error reply: `{"total": 1, "_embedded": {"errors": [{code, message, logref}]}}`.
pub(crate) fn error(status: StatusCode, code: PaymentsCode, message: &str) -> Response {
    let body = ErrorList {
        total: 1,
        embedded: Embedded {
            errors: [ErrorItem {
                code: code.as_str(),
                message,
                logref: logref(),
            }],
        },
    };
    json_response(status, &body)
}

pub(crate) fn unauthorized() -> Response {
    let mut reply = error(
        StatusCode::UNAUTHORIZED,
        PaymentsCode::Unknown,
        "Unauthorized: missing or invalid HTTP Basic credentials",
    );
    reply.headers_mut().insert(
        WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"ahrvo-sandbox\""),
    );
    reply
}

/// Authenticates, then extracts the single (percent-decoded) path segment.
fn prelude(
    shared: &Shared,
    headers: &HeaderMap,
    path: Result<Path<String>, PathRejection>,
    what: &str,
) -> Result<String, Refusal> {
    if !check_basic(headers, &shared.credentials) {
        return Err(Refusal::Unauthorized);
    }
    if !accepts_json(headers) {
        return Err(Refusal::NotAcceptable);
    }
    match path {
        Ok(Path(id)) if !id.is_empty() => Ok(id),
        Ok(_) => Err(Refusal::BadRequest(format!(
            "The {what} id must not be empty"
        ))),
        Err(_) => Err(Refusal::BadRequest(format!(
            "The {what} id is not valid UTF-8 after percent-decoding"
        ))),
    }
}

/// Why a payments request is refused before any lookup.
enum Refusal {
    Unauthorized,
    NotAcceptable,
    BadRequest(String),
}

impl Refusal {
    fn reply(self) -> Response {
        match self {
            Refusal::Unauthorized => unauthorized(),
            Refusal::NotAcceptable => not_acceptable(Api::Payments),
            Refusal::BadRequest(message) => {
                error(StatusCode::BAD_REQUEST, PaymentsCode::BadRequest, &message)
            }
        }
    }
}

async fn get_balance(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let id = match prelude(&shared, &headers, path, "Balance") {
        Ok(id) => id,
        Err(refusal) => return refusal.reply(),
    };
    shared
        .store
        .read(|s| match s.balances.iter().find(|b| b.id == id) {
            Some(balance) => json_response(StatusCode::OK, &BalanceReply::from(balance)),
            None => error(
                StatusCode::NOT_FOUND,
                PaymentsCode::NotFound,
                &format!("Balance resource not found: {id}"),
            ),
        })
}

async fn get_balance_entry(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let id = match prelude(&shared, &headers, path, "Balance Entry") {
        Ok(id) => id,
        Err(refusal) => return refusal.reply(),
    };
    shared
        .store
        .read(|s| match s.balance_entries.iter().find(|e| e.id == id) {
            Some(entry) => json_response(StatusCode::OK, &BalanceEntryReply::from(entry)),
            None => error(
                StatusCode::NOT_FOUND,
                PaymentsCode::NotFound,
                &format!("Balance Entry resource not found: {id}"),
            ),
        })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn logrefs_are_16_hex_digits() {
        let r = logref();
        assert_eq!(r.len(), 16, "{r}");
        assert!(r.bytes().all(|b| b.is_ascii_hexdigit()), "{r}");
    }

    /// Generates references until the wall clock has moved to another second (the old
    /// generator mixed the clock into its seed, and collided across a tick), and at least
    /// 20 000 of them: none repeats.
    #[test]
    fn logrefs_never_repeat_also_across_a_clock_tick() {
        let second = || time::OffsetDateTime::now_utc().unix_timestamp();
        let first = second();
        let mut seen = BTreeSet::new();
        let mut n = 0u32;
        while n < 20_000 || second() == first {
            let r = logref();
            assert!(seen.insert(r.clone()), "logref {r} repeated after {n}");
            n += 1;
            assert!(n < 50_000_000, "the clock never ticked");
        }
    }

    #[test]
    fn mix_is_injective_on_consecutive_inputs() {
        let outputs: BTreeSet<u64> = (0..100_000u64)
            .map(|i| mix(i.wrapping_sub(50_000)))
            .collect();
        assert_eq!(outputs.len(), 100_000);
    }
}
