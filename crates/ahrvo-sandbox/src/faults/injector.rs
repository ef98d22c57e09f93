//! The runtime fault settings, the seeded generator that decides each API request's fate, and
//! the counters.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rand_core::{Rng as _, SeedableRng as _};
use rand_pcg::Pcg32;

use super::{FaultConfig, FaultCounts, FaultKind, FaultTiming, PPM, SandboxStats};

/// The runtime fault settings, generator and counters.
#[derive(Debug)]
pub(crate) struct Injector {
    settings: Mutex<Settings>,
    requests: AtomicU64,
    admin_requests: AtomicU64,
    counts: [AtomicU64; 5],
    after_processing: AtomicU64,
    rate_limited: AtomicU64,
}

/// The configuration and the generator it seeds. PCG32 (`rand_pcg`) is portable and
/// value-stable: the same seed gives the same faults on every platform.
#[derive(Debug)]
struct Settings {
    config: FaultConfig,
    rate_ppm: u64,
    rng: Pcg32,
    latency: Duration,
}

/// What to do with one API request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Plan {
    pub(crate) latency: Duration,
    pub(crate) fault: Option<FaultKind>,
    pub(crate) retry_after_secs: u32,
    /// Whether a `POST`'s 500, 503 or dropped connection strikes after processing.
    pub(crate) after: bool,
}

impl Injector {
    pub(crate) fn new(config: FaultConfig, latency: Duration) -> Injector {
        Injector {
            settings: Mutex::new(Settings::new(config, latency)),
            requests: AtomicU64::new(0),
            admin_requests: AtomicU64::new(0),
            counts: Default::default(),
            after_processing: AtomicU64::new(0),
            rate_limited: AtomicU64::new(0),
        }
    }

    fn settings(&self) -> MutexGuard<'_, Settings> {
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
        let mut after = false;
        if let Some(kind) = fault {
            self.counts[index(kind)].fetch_add(1, Ordering::Relaxed);
            after = match settings.config.timing {
                FaultTiming::Before => false,
                FaultTiming::After => true,
                FaultTiming::Either => settings.rng.next_u32() & 1 == 1,
            };
        }
        Plan {
            latency: settings.latency,
            fault,
            retry_after_secs: settings.config.retry_after_secs,
            after,
        }
    }

    /// Counts a fault that struck after its request was processed.
    pub(crate) fn count_after_processing(&self) {
        self.after_processing.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts an API request refused by the rate limit (no fault is drawn for it).
    pub(crate) fn count_rate_limited(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.rate_limited.fetch_add(1, Ordering::Relaxed);
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
            faults_after_processing: self.after_processing.load(Ordering::Relaxed),
            rate_limited: self.rate_limited.load(Ordering::Relaxed),
        }
    }

    /// Zeroes the counters.
    pub(crate) fn reset_stats(&self) {
        self.requests.store(0, Ordering::Relaxed);
        self.admin_requests.store(0, Ordering::Relaxed);
        for c in self
            .counts
            .iter()
            .chain([&self.after_processing, &self.rate_limited])
        {
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
            rng: Pcg32::seed_from_u64(config.seed),
            config,
            latency,
        }
    }

    /// With probability `rate`, a kind picked uniformly from `kinds`.
    fn draw(&mut self) -> Option<FaultKind> {
        if self.rate_ppm == 0 || self.config.kinds.is_empty() {
            return None;
        }
        let roll = self.rng.next_u64() % PPM;
        if roll >= self.rate_ppm {
            return None;
        }
        let len = self.config.kinds.len() as u64;
        let pick = usize::try_from(self.rng.next_u64() % len).unwrap_or(0);
        self.config.kinds.get(pick).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` draws from a fresh generator for `config`.
    fn draws(config: &FaultConfig, n: usize) -> Vec<Option<FaultKind>> {
        let mut settings = Settings::new(config.clone(), Duration::ZERO);
        (0..n).map(|_| settings.draw()).collect()
    }

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
        const N: usize = 10_000;
        let config = FaultConfig::with_rate(0.3).seed(42);
        let a = draws(&config, N);
        assert_eq!(a, draws(&config, N), "the same seed must repeat the faults");

        // Faults are actually drawn, at the configured rate (3,000 expected; the bounds are
        // more than 6 standard deviations away)...
        let hits = a.iter().filter(|d| d.is_some()).count();
        assert!(
            (2_700..=3_300).contains(&hits),
            "{hits} faults in {N} draws at rate 0.3"
        );
        // ...and spread over every configured kind (600 each expected).
        for kind in FaultKind::ALL {
            let n = a.iter().filter(|d| **d == Some(kind)).count();
            assert!((450..=750).contains(&n), "{n} {kind:?} in {N} draws");
        }

        // Another seed gives another sequence, at the same rate.
        let b = draws(&config.clone().seed(43), N);
        assert_ne!(a, b, "a different seed must give different faults");
        let hits_b = b.iter().filter(|d| d.is_some()).count();
        assert!((2_700..=3_300).contains(&hits_b), "{hits_b}");
    }

    #[test]
    fn set_faults_restarts_the_generator() {
        let config = FaultConfig::with_rate(0.5).seed(7);
        let injector = Injector::new(config.clone(), Duration::ZERO);
        let first: Vec<_> = (0..64).map(|_| injector.plan().fault).collect();
        assert!(first.iter().any(Option::is_some) && first.iter().any(Option::is_none));
        injector.set_faults(config);
        let again: Vec<_> = (0..64).map(|_| injector.plan().fault).collect();
        assert_eq!(first, again);
        let stats = injector.stats();
        assert_eq!(stats.requests, 128);
        let drawn = first.iter().filter(|d| d.is_some()).count() as u64;
        assert_eq!(stats.faults.total(), 2 * drawn);
    }
}
