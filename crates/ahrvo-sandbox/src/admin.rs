//! The sandbox's own admin API under `/_sandbox/` (not part of Ahrvo's API): inspect and
//! shape the state, inject faults, read counters. JSON in and out; no authentication.
//!
//! Every mutation goes through the same checked, persisted path as the API's own
//! (`Store::mutate`): a call that would overdraw or break an invariant is refused and changes
//! nothing.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::Shared;
use crate::faults::{FaultConfig, FaultKind};
use crate::issuing::validate_budget_name;
use crate::payments::{BalanceEntryReply, BalanceReply};
use crate::state::{
    CardKind, Failure, Money, State as Model, parse_decimal, parse_positive_amount,
};

/// The attributes of a Balance created through the admin API.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct NewBalance {
    /// ISO 4217 code; `USD` when `None`.
    pub currency: Option<String>,
    /// The Application the Balance belongs to; a generated `AP…` id when `None`.
    pub linked_to: Option<String>,
    /// Initial available amount in cents (at least 0).
    pub available_amount: i64,
    /// Initial pending amount in cents (at least 0).
    pub pending_amount: i64,
    /// Custom metadata.
    pub tags: BTreeMap<String, String>,
}

impl NewBalance {
    /// A USD Balance with nothing in it.
    pub fn new() -> Self {
        NewBalance::default()
    }

    /// Sets the currency.
    pub fn with_currency(mut self, currency: impl Into<String>) -> Self {
        self.currency = Some(currency.into());
        self
    }

    /// Sets the linked Application id.
    pub fn with_linked_to(mut self, application_id: impl Into<String>) -> Self {
        self.linked_to = Some(application_id.into());
        self
    }

    /// Sets the initial available amount (cents).
    pub fn with_available_amount(mut self, cents: i64) -> Self {
        self.available_amount = cents;
        self
    }

    /// Sets the initial pending amount (cents).
    pub fn with_pending_amount(mut self, cents: i64) -> Self {
        self.pending_amount = cents;
        self
    }

    /// Adds a tag.
    pub fn with_tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.tags.insert(key.into(), value.into());
        self
    }
}

/// A Balance Entry to post to a Balance through the admin API.
///
/// `BALANCE_TOP_UP_ACH` entries start `PENDING` and add to `pending_amount` until settled;
/// every other type `SUCCEEDED` at once and changes `available_amount`. Top-ups must be
/// positive; `PAYOUT`, `FEE` and `PUSH_TO_CARD` negative; `TRANSFER` and `REFUND` either.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct NewBalanceEntry {
    /// One of the documented entry types (`BALANCE_TOP_UP_ACH`, `PAYOUT`, …).
    #[serde(rename = "type")]
    pub entry_type: String,
    /// Amount in cents; negative for debits.
    pub amount: i64,
    /// Description; generated when `None`.
    #[serde(default)]
    pub description: Option<String>,
    /// `BALANCE_ADJUSTMENT` (default for top-ups) or `TRANSFER` (default otherwise).
    #[serde(default)]
    pub entity_type: Option<String>,
    /// The id of the entity that caused the entry; generated when `None`.
    #[serde(default)]
    pub entity_id: Option<String>,
    /// Custom metadata.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// Wire reference of a `BALANCE_TOP_UP_WIRE` entry; generated when `None`.
    #[serde(default)]
    pub external_reference_number: Option<String>,
}

impl NewBalanceEntry {
    /// An entry of `entry_type` for `amount` cents.
    pub fn new(entry_type: impl Into<String>, amount: i64) -> Self {
        NewBalanceEntry {
            entry_type: entry_type.into(),
            amount,
            description: None,
            entity_type: None,
            entity_id: None,
            tags: BTreeMap::new(),
            external_reference_number: None,
        }
    }

    /// Sets the description.
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Sets the entity type and id.
    pub fn with_entity(
        mut self,
        entity_type: impl Into<String>,
        entity_id: impl Into<String>,
    ) -> Self {
        self.entity_type = Some(entity_type.into());
        self.entity_id = Some(entity_id.into());
        self
    }

    /// Adds a tag.
    pub fn with_tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.tags.insert(key.into(), value.into());
        self
    }

    /// Sets the wire reference (wire top-ups only).
    pub fn with_external_reference_number(mut self, reference: impl Into<String>) -> Self {
        self.external_reference_number = Some(reference.into());
        self
    }
}

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

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/_sandbox/reset", post(reset))
        .route("/_sandbox/state", get(state))
        .route("/_sandbox/budgets", post(create_budget))
        .route("/_sandbox/budgets/{budget_id}/fund", post(fund_budget))
        .route(
            "/_sandbox/budgets/{budget_id}/withdraw",
            post(withdraw_budget),
        )
        .route("/_sandbox/cards", post(create_card))
        .route("/_sandbox/cards/{card_id}/top_up", post(top_up_card))
        .route("/_sandbox/balances", post(create_balance))
        .route("/_sandbox/balances/{balance_id}/entries", post(post_entry))
        .route(
            "/_sandbox/balance_entries/{entry_id}/settle",
            post(settle_entry),
        )
        .route("/_sandbox/faults", get(get_faults).put(put_faults))
        .route("/_sandbox/latency", get(get_latency).put(put_latency))
        .route("/_sandbox/stats", get(stats))
        .route("/_sandbox/stats/reset", post(reset_stats))
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    status: u16,
    error: &'a str,
}

fn reply<T: Serialize>(result: Result<T, Failure>) -> Response {
    match result {
        Ok(value) => crate::json_response(StatusCode::OK, &value),
        Err(f) => crate::json_response(
            f.status(),
            &ErrorBody {
                status: f.status().as_u16(),
                error: f.message(),
            },
        ),
    }
}

/// The reply for an unknown `/_sandbox/` route.
pub(crate) fn not_found() -> Response {
    reply::<()>(Err(Failure::NotFound(
        "no such admin route; see docs/sandbox.md".to_owned(),
    )))
}

/// Parses a JSON body; an empty body reads as `{}` when `empty_ok`.
fn parse_body<T: DeserializeOwned>(
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

fn path_id(path: Result<Path<String>, PathRejection>) -> Result<String, Failure> {
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
) -> Result<crate::state::Budget, Failure> {
    validate_budget_name(name)?;
    let cents = match balance {
        Some(text) => parse_decimal(text).map_err(Failure::BadRequest)?,
        None => 0,
    };
    shared.store.mutate(|s| {
        let id = s.create_budget(name, currency, Money(cents))?;
        s.budget_mut(&id).map(|b| b.clone())
    })
}

async fn create_budget(
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
) -> Result<crate::state::Budget, Failure> {
    let cents = parse_positive_amount(amount)?;
    shared.store.mutate(|s| {
        if withdraw {
            s.withdraw_budget(budget_id, cents)
        } else {
            s.fund_budget(budget_id, cents)
        }
    })
}

async fn fund_budget(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    reply(path_id(path).and_then(|id| {
        let r: AmountRequest = parse_body(body, false)?;
        do_fund_budget(&shared, &id, &r.amount, false)
    }))
}

async fn withdraw_budget(
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
) -> Result<crate::state::Card, Failure> {
    shared
        .store
        .mutate(|s| s.create_card(budget_id, kind, last4))
}

async fn create_card(
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
) -> Result<crate::state::Card, Failure> {
    let cents = parse_positive_amount(amount)?;
    shared.store.mutate(|s| s.top_up_card(card_id, cents))
}

async fn top_up_card(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    reply(path_id(path).and_then(|id| {
        let r: AmountRequest = parse_body(body, false)?;
        do_top_up_card(&shared, &id, &r.amount)
    }))
}

async fn create_balance(
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

async fn post_entry(
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

async fn settle_entry(
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

/// `PUT /_sandbox/faults`: every field optional; a missing field takes its default.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultsRequest {
    #[serde(default)]
    rate: Option<f64>,
    #[serde(default)]
    kinds: Option<Vec<FaultKind>>,
    #[serde(default)]
    retry_after_secs: Option<u32>,
    #[serde(default)]
    seed: Option<u64>,
}

async fn get_faults(State(shared): State<Arc<Shared>>) -> Response {
    reply(Ok(shared.injector.current().0))
}

async fn put_faults(
    State(shared): State<Arc<Shared>>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    reply(parse_body::<FaultsRequest>(body, true).and_then(|r| {
        let defaults = FaultConfig::default();
        let config = FaultConfig {
            rate: r.rate.unwrap_or(defaults.rate),
            kinds: r.kinds.unwrap_or(defaults.kinds),
            retry_after_secs: r.retry_after_secs.unwrap_or(defaults.retry_after_secs),
            seed: r.seed.unwrap_or(defaults.seed),
        };
        config.validate().map_err(Failure::BadRequest)?;
        shared.injector.set_faults(config.clone());
        Ok(config)
    }))
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Latency {
    ms: u64,
}

async fn get_latency(State(shared): State<Arc<Shared>>) -> Response {
    let latency = shared.injector.current().1;
    reply(Ok(Latency {
        ms: u64::try_from(latency.as_millis()).unwrap_or(u64::MAX),
    }))
}

async fn put_latency(
    State(shared): State<Arc<Shared>>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    reply(parse_body::<Latency>(body, false).and_then(|l| {
        if l.ms > 600_000 {
            return Err(Failure::BadRequest(
                "latency must be at most 600000 ms".to_owned(),
            ));
        }
        shared.injector.set_latency(Duration::from_millis(l.ms));
        Ok(l)
    }))
}

async fn stats(State(shared): State<Arc<Shared>>) -> Response {
    reply(Ok(shared.injector.stats()))
}

async fn reset_stats(State(shared): State<Arc<Shared>>) -> Response {
    shared.injector.reset_stats();
    reply(Ok(shared.injector.stats()))
}
