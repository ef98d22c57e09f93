//! When to try again, and how long to wait: a pure policy, tested without sleeping.

use std::time::Duration;

use http::{HeaderMap, StatusCode};

use crate::{Error, ErrorKind};

/// How safe it is to send a request again after an attempt failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Resend {
    /// A write: sent again only when it certainly was not processed (no connection, 429).
    OnlyUnprocessed,
    /// Repeating it is harmless (GET and the other idempotent methods): also after a timeout, a
    /// lost connection, or a listed 5xx.
    Idempotent,
    /// A write the server refuses to apply twice (a duplicate name is a 409, an order id is
    /// unique): also after a timeout, a lost connection or any 5xx, the refusal of a duplicate
    /// telling the caller that an earlier attempt landed.
    DuplicatesRefused,
}

/// The retry policy: bounded in attempts and in total time, exponential backoff with full jitter,
/// `Retry-After` honoured.
///
/// Reads (GET) are retried on the statuses in [`retry_on_status`](Self::retry_on_status) and on
/// connection errors and timeouts. Writes (POST) are retried only when the request certainly was
/// not processed: a failed connection, or 429.
///
/// ```
/// use std::time::Duration;
///
/// use ahrvo_transport::{ClientConfig, Environment, RetryConfig};
///
/// let retry = RetryConfig::default()
///     .with_max_attempts(5) // the first attempt included
///     .with_initial_backoff(Duration::from_millis(100))
///     .with_max_retry_after(Duration::from_secs(5))
///     .with_retry_on_status([429, 500, 502, 503, 504]);
/// assert_eq!(retry.backoff_cap(1), Duration::from_millis(100));
/// assert_eq!(retry.backoff_cap(3), Duration::from_millis(400));
///
/// let config = ClientConfig::new(Environment::Staging).with_retry(retry);
/// assert_eq!(config.retry.max_attempts, 5);
/// assert_eq!(RetryConfig::disabled().max_attempts, 1);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryConfig {
    /// Attempts in all, the first included. 1 disables retries. Default 3.
    pub max_attempts: u32,
    /// The backoff cap before the first retry; doubles each retry. Default 250 ms.
    pub initial_backoff: Duration,
    /// The largest backoff. Default 8 s.
    pub max_backoff: Duration,
    /// No retry starts once this much time has passed since the call began. Default 30 s.
    pub max_elapsed: Duration,
    /// Statuses worth retrying for reads. Default 429, 502, 503, 504.
    pub retry_on_status: Vec<u16>,
    /// The longest `Retry-After` honoured; a longer one ends the call with the 429/503 error.
    /// Default 20 s.
    pub max_retry_after: Duration,
}

impl Default for RetryConfig {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(8),
            max_elapsed: Duration::from_secs(30),
            retry_on_status: vec![429, 502, 503, 504],
            max_retry_after: Duration::from_secs(20),
        }
    }
}

impl RetryConfig {
    /// No retries at all.
    pub fn disabled() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }
    /// Sets the number of attempts (at least 1).
    pub fn with_max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }
    /// Sets the first backoff cap.
    pub fn with_initial_backoff(mut self, d: Duration) -> Self {
        self.initial_backoff = d;
        self
    }
    /// Sets the backoff ceiling.
    pub fn with_max_backoff(mut self, d: Duration) -> Self {
        self.max_backoff = d;
        self
    }
    /// Sets the total time after which no retry starts.
    pub fn with_max_elapsed(mut self, d: Duration) -> Self {
        self.max_elapsed = d;
        self
    }
    /// Sets the longest `Retry-After` honoured.
    pub fn with_max_retry_after(mut self, d: Duration) -> Self {
        self.max_retry_after = d;
        self
    }
    /// Sets the statuses retried for reads.
    pub fn with_retry_on_status(mut self, statuses: impl IntoIterator<Item = u16>) -> Self {
        self.retry_on_status = statuses.into_iter().collect();
        self
    }

    /// The backoff cap before retry number `retry` (1-based): `initial * 2^(retry-1)`, capped.
    pub fn backoff_cap(&self, retry: u32) -> Duration {
        let factor = 1u32
            .checked_shl(retry.saturating_sub(1))
            .unwrap_or(u32::MAX);
        self.initial_backoff
            .checked_mul(factor)
            .unwrap_or(self.max_backoff)
            .min(self.max_backoff)
    }

    /// The delay before retry number `retry` (1-based): uniform in `[0, backoff_cap(retry)]`
    /// ("full jitter"), the same draw the pipeline makes between attempts. For callers that
    /// must repeat a step of their own (a lookup that lags behind a write) on this policy.
    pub fn jittered_backoff(&self, retry: u32) -> Duration {
        full_jitter(self.backoff_cap(retry), jitter())
    }

    /// Decides whether to retry after a failed attempt, and after how long.
    ///
    /// `attempt` is the number of attempts made so far (1 after the first), `elapsed` the time
    /// since the call began, `safety` how safe sending the request again is, and `jitter` a
    /// uniform random number in `[0, 1)` expressed as `u64 / 2^64`.
    pub fn decide(
        &self,
        error: &Error,
        attempt: u32,
        elapsed: Duration,
        safety: Resend,
        jitter: u64,
    ) -> Option<Duration> {
        if attempt >= self.max_attempts || elapsed >= self.max_elapsed {
            return None;
        }
        let listed = || {
            error
                .status()
                .is_some_and(|s| self.retry_on_status.contains(&s.as_u16()))
        };
        let worth_it = match (error.kind(), safety) {
            (ErrorKind::Connect, _) => true,
            (ErrorKind::RateLimited, _) => self.retry_on_status.contains(&429),
            (ErrorKind::Timeout | ErrorKind::Transport, s) => s != Resend::OnlyUnprocessed,
            (ErrorKind::Server, Resend::Idempotent) => listed(),
            // Any 5xx may or may not have applied the write; sending it again is how its
            // outcome is learnt, and the server refuses to apply it twice.
            (ErrorKind::Server, Resend::DuplicatesRefused) => true,
            _ => false,
        };
        if !worth_it {
            return None;
        }
        let backoff = full_jitter(self.backoff_cap(attempt), jitter);
        let delay = match error.retry_after() {
            Some(after) if after > self.max_retry_after => return None,
            Some(after) => after.max(backoff),
            None => backoff,
        };
        (elapsed + delay < self.max_elapsed).then_some(delay)
    }
}

/// Reads `Retry-After`: delay-seconds, or an HTTP date (taken relative to now).
pub(crate) fn parse_retry_after(headers: &HeaderMap, status: StatusCode) -> Option<Duration> {
    if status != StatusCode::TOO_MANY_REQUESTS && status != StatusCode::SERVICE_UNAVAILABLE {
        return None;
    }
    let value = headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    // IMF-fixdate and the two obsolete forms RFC 9110 still asks recipients to accept.
    let at = httpdate::parse_http_date(value).ok()?;
    Some(
        at.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// `cap * jitter / 2^64`: uniform in `[0, cap]` for a uniform `jitter`.
fn full_jitter(cap: Duration, jitter: u64) -> Duration {
    let nanos = cap.as_nanos().min(u128::from(u64::MAX)) as u64;
    Duration::from_nanos(((u128::from(nanos) * u128::from(jitter)) >> 64) as u64)
}

/// A uniform random number for full jitter, from a per-thread generator seeded by the OS.
pub(crate) fn jitter() -> u64 {
    fastrand::u64(..)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status_error(code: u16) -> Error {
        let status = StatusCode::from_u16(code).unwrap();
        Error::new(ErrorKind::from_status(status), "x").with_status(status)
    }

    const HALF: u64 = 1 << 63;
    const MAX: u64 = u64::MAX;

    #[test]
    fn reads_retry_on_documented_statuses_only() {
        let p = RetryConfig::default();
        for code in [429, 502, 503, 504] {
            assert!(
                p.decide(
                    &status_error(code),
                    1,
                    Duration::ZERO,
                    Resend::Idempotent,
                    HALF
                )
                .is_some(),
                "{code}"
            );
        }
        for code in [400, 401, 403, 404, 409, 500, 501] {
            assert!(
                p.decide(
                    &status_error(code),
                    1,
                    Duration::ZERO,
                    Resend::Idempotent,
                    HALF
                )
                .is_none(),
                "{code}"
            );
        }
        let t = Error::new(ErrorKind::Timeout, "t");
        assert!(
            p.decide(&t, 1, Duration::ZERO, Resend::Idempotent, HALF)
                .is_some()
        );
    }

    #[test]
    fn writes_retry_only_when_nothing_was_processed() {
        let p = RetryConfig::default();
        let d = |e: &Error| p.decide(e, 1, Duration::ZERO, Resend::OnlyUnprocessed, HALF);
        assert!(d(&Error::new(ErrorKind::Connect, "refused")).is_some());
        assert!(d(&status_error(429)).is_some());
        assert!(d(&Error::new(ErrorKind::Timeout, "t")).is_none());
        assert!(d(&Error::new(ErrorKind::Transport, "reset")).is_none());
        assert!(d(&status_error(503)).is_none());
    }

    #[test]
    fn writes_refused_twice_are_resent_after_any_unknown_outcome() {
        let p = RetryConfig::default();
        let d = |e: &Error| p.decide(e, 1, Duration::ZERO, Resend::DuplicatesRefused, HALF);
        for code in [500, 502, 503, 504] {
            assert!(d(&status_error(code)).is_some(), "{code}");
        }
        assert!(d(&Error::new(ErrorKind::Timeout, "t")).is_some());
        assert!(d(&Error::new(ErrorKind::Transport, "reset")).is_some());
        for code in [400, 401, 404, 409] {
            assert!(d(&status_error(code)).is_none(), "{code}");
        }
        // Reads keep the listed statuses only.
        let r = |e: &Error| p.decide(e, 1, Duration::ZERO, Resend::Idempotent, HALF);
        assert!(r(&status_error(500)).is_none());
    }

    #[test]
    fn backoff_is_exponential_capped_and_fully_jittered() {
        let p = RetryConfig::default()
            .with_max_attempts(10)
            .with_max_elapsed(Duration::from_secs(3600));
        assert_eq!(p.backoff_cap(1), Duration::from_millis(250));
        assert_eq!(p.backoff_cap(2), Duration::from_millis(500));
        assert_eq!(p.backoff_cap(4), Duration::from_secs(2));
        assert_eq!(p.backoff_cap(9), Duration::from_secs(8));
        assert_eq!(p.backoff_cap(200), Duration::from_secs(8));
        let e = status_error(503);
        assert_eq!(
            p.decide(&e, 3, Duration::ZERO, Resend::Idempotent, 0),
            Some(Duration::ZERO)
        );
        let half = p
            .decide(&e, 3, Duration::ZERO, Resend::Idempotent, HALF)
            .unwrap();
        assert_eq!(half, Duration::from_millis(500));
        let top = p
            .decide(&e, 3, Duration::ZERO, Resend::Idempotent, MAX)
            .unwrap();
        assert!(top <= Duration::from_secs(1) && top > Duration::from_millis(999));
    }

    #[test]
    fn bounded_by_attempts_and_elapsed_time() {
        let p = RetryConfig::default();
        let e = status_error(502);
        assert!(
            p.decide(&e, 3, Duration::ZERO, Resend::Idempotent, HALF)
                .is_none()
        );
        assert!(
            p.decide(&e, 1, Duration::from_secs(30), Resend::Idempotent, HALF)
                .is_none()
        );
        // A backoff that would cross the time bound is not started.
        assert!(
            p.decide(
                &e,
                1,
                Duration::from_millis(29_900),
                Resend::Idempotent,
                MAX
            )
            .is_none()
        );
        assert!(
            RetryConfig::disabled()
                .decide(&e, 1, Duration::ZERO, Resend::Idempotent, HALF)
                .is_none()
        );
    }

    #[test]
    fn retry_after_is_honoured_and_bounded() {
        let p = RetryConfig::default();
        let e = status_error(429).with_retry_after(Some(Duration::from_secs(3)));
        assert_eq!(
            p.decide(&e, 1, Duration::ZERO, Resend::Idempotent, 0),
            Some(Duration::from_secs(3))
        );
        let long = status_error(429).with_retry_after(Some(Duration::from_secs(120)));
        assert_eq!(
            p.decide(&long, 1, Duration::ZERO, Resend::Idempotent, 0),
            None
        );
    }

    #[test]
    fn retry_after_header_forms() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", "7".parse().unwrap());
        assert_eq!(
            parse_retry_after(&h, StatusCode::TOO_MANY_REQUESTS),
            Some(Duration::from_secs(7))
        );
        assert_eq!(parse_retry_after(&h, StatusCode::BAD_REQUEST), None);
        h.insert(
            "retry-after",
            "Sun, 06 Nov 1994 08:49:37 GMT".parse().unwrap(),
        );
        assert_eq!(
            parse_retry_after(&h, StatusCode::SERVICE_UNAVAILABLE),
            Some(Duration::ZERO)
        );
        h.insert("retry-after", "soon".parse().unwrap());
        assert_eq!(parse_retry_after(&h, StatusCode::TOO_MANY_REQUESTS), None);
        // Hostile dates are ignored, not an overflow; a date ahead is a delay.
        for year in ["9223372036854775807", "-9223372036854775807", "10000"] {
            let value = format!("Sun, 06 Nov {year} 08:49:37 GMT");
            h.insert("retry-after", value.parse().unwrap());
            assert_eq!(
                parse_retry_after(&h, StatusCode::TOO_MANY_REQUESTS),
                None,
                "{year}"
            );
        }
        h.insert(
            "retry-after",
            "Fri, 31 Dec 9999 23:59:59 GMT".parse().unwrap(),
        );
        let far = parse_retry_after(&h, StatusCode::TOO_MANY_REQUESTS).unwrap();
        assert!(far > Duration::from_secs(200 * 365 * 86_400), "{far:?}");
    }

    #[test]
    fn jittered_backoff_stays_under_the_cap_and_varies() {
        let p = RetryConfig::default();
        let draws: Vec<Duration> = (0..64).map(|_| p.jittered_backoff(2)).collect();
        assert!(draws.iter().all(|d| *d <= Duration::from_millis(500)));
        assert!(draws.iter().any(|d| *d != draws[0]), "{draws:?}");
    }

    #[test]
    fn jitter_varies() {
        let a: Vec<u64> = (0..4).map(|_| jitter()).collect();
        assert!(a.windows(2).all(|w| w[0] != w[1]));
    }
}
