//! Opt-in fault injection and latency for the API routes (never the admin routes), with
//! counters that reliability tests read back.
//!
//! This file holds the public configuration and counters; `injector.rs` draws the faults (a
//! seeded PCG32 generator from `rand_pcg`) and counts them; `truncated.rs` makes the broken
//! replies (a dropped connection, a truncated body) that a `Router` alone cannot express;
//! `rate_limit.rs` is the token bucket of `--rate-limit`.

mod injector;
mod rate_limit;
mod truncated;

use serde::{Deserialize, Serialize};

pub(crate) use injector::Injector;
pub(crate) use rate_limit::RateLimiter;
pub(crate) use truncated::{InjectedDrop, truncated_body};

/// One kind of injected fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// `500 Internal Server Error` with the API's error body.
    InternalServerError,
    /// `503 Service Unavailable` with the API's error body.
    ServiceUnavailable,
    /// `429 Too Many Requests` with `Retry-After` and the API's error body.
    TooManyRequests,
    /// The connection is closed without any response.
    DropConnection,
    /// The real response's head and half its body are sent, with a `Content-Length` promising
    /// the whole body; then the connection is closed.
    TruncatedBody,
}

impl FaultKind {
    /// Every kind, in declaration order.
    pub const ALL: [FaultKind; 5] = [
        FaultKind::InternalServerError,
        FaultKind::ServiceUnavailable,
        FaultKind::TooManyRequests,
        FaultKind::DropConnection,
        FaultKind::TruncatedBody,
    ];
}

/// When a fault of a `POST` route (one that changes the state) strikes: before the request is
/// processed (nothing changed), or after it (the change is made and its reply lost: the
/// outcome is unknown to the client). Applies to `InternalServerError`,
/// `ServiceUnavailable` and `DropConnection`; `TooManyRequests` always strikes before and
/// `TruncatedBody` always after. Faults of `GET` routes strike before.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FaultTiming {
    /// Before processing: the request changes nothing.
    Before,
    /// After processing: the change is stored, the reply is a fault.
    After,
    /// Either, with equal probability, drawn from the seeded generator (the default).
    #[default]
    Either,
}

/// Which faults to inject and how often. Off by default (`rate` 0).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FaultConfig {
    /// Probability in `0.0..=1.0` that a request to an API route gets a fault.
    pub rate: f64,
    /// The kinds picked from (uniformly) when a fault is injected; empty means none.
    pub kinds: Vec<FaultKind>,
    /// Seconds sent in `Retry-After` on injected 429s.
    pub retry_after_secs: u32,
    /// Seed of the pseudo-random generator: the same seed and requests give the same faults.
    pub seed: u64,
    /// When faults of `POST` routes strike (default: either, half and half).
    #[serde(default)]
    pub timing: FaultTiming,
}

impl Default for FaultConfig {
    fn default() -> Self {
        FaultConfig {
            rate: 0.0,
            kinds: FaultKind::ALL.to_vec(),
            retry_after_secs: 1,
            seed: 0x5EED_A4B0,
            timing: FaultTiming::Either,
        }
    }
}

impl FaultConfig {
    /// No faults.
    pub fn none() -> Self {
        FaultConfig::default()
    }

    /// Faults of every kind at `rate` (clamped to `0.0..=1.0`; NaN counts as 0).
    pub fn with_rate(rate: f64) -> Self {
        FaultConfig::default().rate(rate)
    }

    /// Sets the rate (clamped to `0.0..=1.0`; NaN counts as 0).
    pub fn rate(mut self, rate: f64) -> Self {
        self.rate = if rate.is_nan() {
            0.0
        } else {
            rate.clamp(0.0, 1.0)
        };
        self
    }

    /// Restricts the kinds injected.
    pub fn kinds(mut self, kinds: impl IntoIterator<Item = FaultKind>) -> Self {
        self.kinds = kinds.into_iter().collect();
        self
    }

    /// Sets the `Retry-After` seconds of injected 429s.
    pub fn retry_after_secs(mut self, secs: u32) -> Self {
        self.retry_after_secs = secs;
        self
    }

    /// Sets the generator's seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Sets when faults of `POST` routes strike.
    pub fn timing(mut self, timing: FaultTiming) -> Self {
        self.timing = timing;
        self
    }

    /// `Err` with a message when the rate is not a number in `0.0..=1.0`.
    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.rate.is_nan() || !(0.0..=1.0).contains(&self.rate) {
            return Err(format!("fault rate must be in 0..=1, got {}", self.rate));
        }
        Ok(())
    }

    /// The rate in parts per million.
    #[allow(clippy::float_arithmetic)] // the one place a float becomes an integer threshold
    pub(crate) fn rate_ppm(&self) -> u64 {
        if self.rate.is_nan() || self.rate <= 0.0 {
            0
        } else if self.rate >= 1.0 {
            PPM
        } else {
            // In (0, 1e6): the cast cannot truncate meaningfully.
            (self.rate * 1_000_000.0).round() as u64
        }
    }
}

/// One million: rates are drawn in parts per million.
pub(crate) const PPM: u64 = 1_000_000;

/// Counts of injected faults, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FaultCounts {
    /// Injected 500s.
    pub internal_server_error: u64,
    /// Injected 503s.
    pub service_unavailable: u64,
    /// Injected 429s.
    pub too_many_requests: u64,
    /// Connections dropped without a response.
    pub drop_connection: u64,
    /// Truncated bodies.
    pub truncated_body: u64,
}

impl FaultCounts {
    /// All injected faults.
    pub fn total(&self) -> u64 {
        self.internal_server_error
            + self.service_unavailable
            + self.too_many_requests
            + self.drop_connection
            + self.truncated_body
    }

    /// The count for one kind.
    pub fn get(&self, kind: FaultKind) -> u64 {
        match kind {
            FaultKind::InternalServerError => self.internal_server_error,
            FaultKind::ServiceUnavailable => self.service_unavailable,
            FaultKind::TooManyRequests => self.too_many_requests,
            FaultKind::DropConnection => self.drop_connection,
            FaultKind::TruncatedBody => self.truncated_body,
        }
    }
}

/// What the sandbox has seen since it started (or since the last `reset_stats`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SandboxStats {
    /// Requests to the API routes, faulted, rate-limited or not.
    pub requests: u64,
    /// Requests to the admin routes (never faulted).
    pub admin_requests: u64,
    /// Injected faults by kind.
    pub faults: FaultCounts,
    /// Of those, the faults that struck a `POST` after it was processed (its change stored,
    /// its reply lost).
    pub faults_after_processing: u64,
    /// Requests answered 429 by the rate limit (`rate_limit`), not counted in `faults`.
    pub rate_limited: u64,
}
