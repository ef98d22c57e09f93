//! The rate limit (`--rate-limit N`): a token bucket of capacity N, refilled continuously at
//! N tokens per second, shared by every API route. A request takes one token; with none left
//! it is answered 429 with `Retry-After` (the whole seconds until a token is back, at least 1).
//! A client may burst N requests after a quiet second, then sustain N per second. Integer
//! arithmetic in millionths of a token: no float drifts.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Instant;

/// Millionths of a token in one token.
const MICRO: u128 = 1_000_000;

/// The shared bucket; `None` inside: no limit.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    bucket: Mutex<Option<Bucket>>,
}

#[derive(Debug)]
struct Bucket {
    per_second: u32,
    /// Millionths of a token available.
    micro_tokens: u128,
    last: Instant,
}

impl Bucket {
    fn new(per_second: u32, now: Instant) -> Bucket {
        Bucket {
            per_second,
            micro_tokens: u128::from(per_second) * MICRO,
            last: now,
        }
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.last).as_nanos();
        // N tokens a second is N * 10^6 micro-tokens per 10^9 ns.
        let gained = elapsed * u128::from(self.per_second) / 1_000;
        let capacity = u128::from(self.per_second) * MICRO;
        self.micro_tokens = self.micro_tokens.saturating_add(gained).min(capacity);
        self.last = now;
    }
}

impl RateLimiter {
    /// A limiter of `per_second` requests (`None`: unlimited).
    pub(crate) fn new(per_second: Option<u32>) -> RateLimiter {
        let now = Instant::now();
        RateLimiter {
            bucket: Mutex::new(per_second.filter(|n| *n > 0).map(|n| Bucket::new(n, now))),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Option<Bucket>> {
        self.bucket.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Replaces the limit; the bucket starts full.
    pub(crate) fn set(&self, per_second: Option<u32>) {
        *self.lock() = per_second
            .filter(|n| *n > 0)
            .map(|n| Bucket::new(n, Instant::now()));
    }

    /// The current limit.
    pub(crate) fn limit(&self) -> Option<u32> {
        self.lock().as_ref().map(|b| b.per_second)
    }

    /// Takes a token at `now`: `Err(retry_after_secs)` when there is none.
    pub(crate) fn take(&self, now: Instant) -> Result<(), u64> {
        let mut guard = self.lock();
        let Some(bucket) = guard.as_mut() else {
            return Ok(());
        };
        bucket.refill(now);
        if bucket.micro_tokens >= MICRO {
            bucket.micro_tokens -= MICRO;
            return Ok(());
        }
        let missing = MICRO - bucket.micro_tokens;
        let rate = u128::from(bucket.per_second) * MICRO;
        // Whole seconds until the missing part is refilled, rounded up.
        let secs = missing.div_ceil(rate).max(1);
        Err(u64::try_from(secs).unwrap_or(u64::MAX))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn bursts_n_then_refills_n_per_second() {
        let limiter = RateLimiter::new(Some(10));
        let start = Instant::now();
        // A full bucket: a burst of 10, then refused.
        assert!((0..10).all(|_| limiter.take(start).is_ok()));
        assert_eq!(limiter.take(start), Err(1));
        // 100 ms later one token is back, and only one.
        let later = start + Duration::from_millis(100);
        assert_eq!(limiter.take(later), Ok(()));
        assert!(limiter.take(later).is_err());
        // A quiet second refills the bucket to its capacity, never beyond.
        let quiet = later + Duration::from_secs(5);
        let granted = (0..20).filter(|_| limiter.take(quiet).is_ok()).count();
        assert_eq!(granted, 10);
    }

    #[test]
    fn sustains_exactly_the_rate() {
        let limiter = RateLimiter::new(Some(100));
        let start = Instant::now();
        let mut granted = 0;
        // 1,000 requests a second for 3 seconds, evenly spaced: 100 burst + 300 refilled.
        for i in 0..3_000u64 {
            if limiter.take(start + Duration::from_millis(i)).is_ok() {
                granted += 1;
            }
        }
        assert!((399..=401).contains(&granted), "{granted}");
    }

    #[test]
    fn no_limit_and_changes() {
        let limiter = RateLimiter::new(None);
        let now = Instant::now();
        assert!((0..10_000).all(|_| limiter.take(now).is_ok()));
        limiter.set(Some(1));
        assert_eq!(limiter.limit(), Some(1));
        assert!(limiter.take(Instant::now()).is_ok());
        assert!(limiter.take(Instant::now()).is_err());
        limiter.set(None);
        assert_eq!(limiter.limit(), None);
    }
}
