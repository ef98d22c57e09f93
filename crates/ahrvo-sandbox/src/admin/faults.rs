//! Admin routes of fault injection, latency, the rate limit and the counters.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::{parse_body, reply};
use crate::faults::{FaultConfig, FaultKind, FaultTiming};
use crate::shared::Shared;
use crate::state::Failure;

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
    #[serde(default)]
    timing: Option<FaultTiming>,
}

pub(super) async fn get_faults(State(shared): State<Arc<Shared>>) -> Response {
    reply(Ok(shared.injector.current().0))
}

pub(super) async fn put_faults(
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
            timing: r.timing.unwrap_or(defaults.timing),
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

pub(super) async fn get_latency(State(shared): State<Arc<Shared>>) -> Response {
    let latency = shared.injector.current().1;
    reply(Ok(Latency {
        ms: u64::try_from(latency.as_millis()).unwrap_or(u64::MAX),
    }))
}

pub(super) async fn put_latency(
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

pub(super) async fn stats(State(shared): State<Arc<Shared>>) -> Response {
    reply(Ok(shared.injector.stats()))
}

pub(super) async fn reset_stats(State(shared): State<Arc<Shared>>) -> Response {
    shared.injector.reset_stats();
    reply(Ok(shared.injector.stats()))
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RateLimit {
    per_second: Option<u32>,
}

pub(super) async fn get_rate_limit(State(shared): State<Arc<Shared>>) -> Response {
    reply(Ok(RateLimit {
        per_second: shared.limiter.limit(),
    }))
}

pub(super) async fn put_rate_limit(
    State(shared): State<Arc<Shared>>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    reply(parse_body::<RateLimit>(body, true).and_then(|r| {
        if r.per_second == Some(0) {
            return Err(Failure::BadRequest(
                "per_second must be at least 1, or null for no limit".to_owned(),
            ));
        }
        shared.limiter.set(r.per_second);
        Ok(RateLimit {
            per_second: shared.limiter.limit(),
        })
    }))
}
