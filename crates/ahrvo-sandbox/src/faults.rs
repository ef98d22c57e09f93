//! Opt-in fault injection and latency for the five API routes (never the admin routes), with
//! counters that reliability tests read back.

use std::fmt;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use hyper::body::Frame;
use serde::{Deserialize, Serialize};

use crate::state::splitmix64;

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
}

impl Default for FaultConfig {
    fn default() -> Self {
        FaultConfig {
            rate: 0.0,
            kinds: FaultKind::ALL.to_vec(),
            retry_after_secs: 1,
            seed: 0x5EED_A4B0,
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

    /// `Err` with a message when the rate is not a number in `0.0..=1.0`.
    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.rate.is_nan() || !(0.0..=1.0).contains(&self.rate) {
            return Err(format!("fault rate must be in 0..=1, got {}", self.rate));
        }
        Ok(())
    }

    /// The rate in parts per million.
    #[allow(clippy::float_arithmetic)] // the one place a float becomes an integer threshold
    fn rate_ppm(&self) -> u64 {
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

const PPM: u64 = 1_000_000;

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
    /// Requests to the five API routes, faulted or not.
    pub requests: u64,
    /// Requests to the admin routes (never faulted).
    pub admin_requests: u64,
    /// Injected faults by kind.
    pub faults: FaultCounts,
}

/// The runtime fault settings, generator and counters.
#[derive(Debug)]
pub(crate) struct Injector {
    settings: Mutex<Settings>,
    requests: AtomicU64,
    admin_requests: AtomicU64,
    counts: [AtomicU64; 5],
}

#[derive(Debug)]
struct Settings {
    config: FaultConfig,
    rate_ppm: u64,
    rng: u64,
    latency: Duration,
}

/// What to do with one API request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Plan {
    pub(crate) latency: Duration,
    pub(crate) fault: Option<FaultKind>,
    pub(crate) retry_after_secs: u32,
}

impl Injector {
    pub(crate) fn new(config: FaultConfig, latency: Duration) -> Injector {
        Injector {
            settings: Mutex::new(Settings::new(config, latency)),
            requests: AtomicU64::new(0),
            admin_requests: AtomicU64::new(0),
            counts: Default::default(),
        }
    }

    fn settings(&self) -> std::sync::MutexGuard<'_, Settings> {
        self.settings.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Replaces the fault configuration (and restarts the generator from its seed).
    pub(crate) fn set_faults(&self, config: FaultConfig) {
        let mut settings = self.settings();
        let latency = settings.latency;
        *settings = Settings::new(config, latency);
    }

    /// Sets the fixed latency added to every API request.
    pub(crate) fn set_latency(&self, latency: Duration) {
        self.settings().latency = latency;
    }

    /// The current configuration and latency.
    pub(crate) fn current(&self) -> (FaultConfig, Duration) {
        let settings = self.settings();
        (settings.config.clone(), settings.latency)
    }

    /// Counts an admin request.
    pub(crate) fn count_admin(&self) {
        self.admin_requests.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts an API request and decides its fate.
    pub(crate) fn plan(&self) -> Plan {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let mut settings = self.settings();
        let fault = settings.draw();
        if let Some(kind) = fault {
            self.counts[index(kind)].fetch_add(1, Ordering::Relaxed);
        }
        Plan {
            latency: settings.latency,
            fault,
            retry_after_secs: settings.config.retry_after_secs,
        }
    }

    /// The counters.
    pub(crate) fn stats(&self) -> SandboxStats {
        let count = |kind| self.counts[index(kind)].load(Ordering::Relaxed);
        SandboxStats {
            requests: self.requests.load(Ordering::Relaxed),
            admin_requests: self.admin_requests.load(Ordering::Relaxed),
            faults: FaultCounts {
                internal_server_error: count(FaultKind::InternalServerError),
                service_unavailable: count(FaultKind::ServiceUnavailable),
                too_many_requests: count(FaultKind::TooManyRequests),
                drop_connection: count(FaultKind::DropConnection),
                truncated_body: count(FaultKind::TruncatedBody),
            },
        }
    }

    /// Zeroes the counters.
    pub(crate) fn reset_stats(&self) {
        self.requests.store(0, Ordering::Relaxed);
        self.admin_requests.store(0, Ordering::Relaxed);
        for c in &self.counts {
            c.store(0, Ordering::Relaxed);
        }
    }
}

fn index(kind: FaultKind) -> usize {
    match kind {
        FaultKind::InternalServerError => 0,
        FaultKind::ServiceUnavailable => 1,
        FaultKind::TooManyRequests => 2,
        FaultKind::DropConnection => 3,
        FaultKind::TruncatedBody => 4,
    }
}

impl Settings {
    fn new(config: FaultConfig, latency: Duration) -> Settings {
        Settings {
            rate_ppm: config.rate_ppm(),
            rng: config.seed,
            config,
            latency,
        }
    }

    fn draw(&mut self) -> Option<FaultKind> {
        if self.rate_ppm == 0 || self.config.kinds.is_empty() {
            return None;
        }
        let roll = splitmix64(&mut self.rng) % PPM;
        if roll >= self.rate_ppm {
            return None;
        }
        let len = self.config.kinds.len() as u64;
        let pick = usize::try_from(splitmix64(&mut self.rng) % len).unwrap_or(0);
        self.config.kinds.get(pick).copied()
    }
}

/// The error a service returns to make hyper close the connection without a response.
#[derive(Debug)]
pub(crate) struct InjectedDrop;

impl fmt::Display for InjectedDrop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ahrvo-sandbox: injected fault: connection dropped")
    }
}

impl std::error::Error for InjectedDrop {}

/// The error that ends a truncated body (hyper then closes the connection).
#[derive(Debug)]
struct InjectedTruncation;

impl fmt::Display for InjectedTruncation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ahrvo-sandbox: injected fault: body truncated")
    }
}

impl std::error::Error for InjectedTruncation {}

/// A body that sends `part`, waits briefly so that hyper flushes it with the head, then fails.
struct TruncatedBody {
    part: Option<Bytes>,
    pause: Pin<Box<tokio::time::Sleep>>,
}

impl hyper::body::Body for TruncatedBody {
    type Data = Bytes;
    type Error = InjectedTruncation;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, InjectedTruncation>>> {
        let this = self.get_mut();
        if let Some(part) = this.part.take() {
            return Poll::Ready(Some(Ok(Frame::data(part))));
        }
        match this.pause.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Some(Err(InjectedTruncation))),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// A body sending the first half of `full` and then failing.
pub(crate) fn truncated_body(full: &Bytes) -> Body {
    let half = full.slice(..full.len() / 2);
    Body::new(TruncatedBody {
        part: (!half.is_empty()).then_some(half),
        pause: Box::pin(tokio::time::sleep(Duration::from_millis(50))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_bounds() {
        let mut all = Settings::new(FaultConfig::with_rate(1.0), Duration::ZERO);
        assert!((0..1000).all(|_| all.draw().is_some()));
        let mut none = Settings::new(FaultConfig::none(), Duration::ZERO);
        assert!((0..1000).all(|_| none.draw().is_none()));
        let mut half = Settings::new(FaultConfig::with_rate(0.5), Duration::ZERO);
        let hits = (0..10_000).filter(|_| half.draw().is_some()).count();
        assert!((4_000..6_000).contains(&hits), "{hits}");
        let mut one = Settings::new(
            FaultConfig::with_rate(1.0).kinds([FaultKind::TooManyRequests]),
            Duration::ZERO,
        );
        assert_eq!(one.draw(), Some(FaultKind::TooManyRequests));
    }

    #[test]
    fn same_seed_same_faults() {
        let config = FaultConfig::with_rate(0.3).seed(42);
        let mut a = Settings::new(config.clone(), Duration::ZERO);
        let mut b = Settings::new(config, Duration::ZERO);
        for _ in 0..100 {
            assert_eq!(a.draw(), b.draw());
        }
    }
}
