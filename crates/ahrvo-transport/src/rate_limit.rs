//! [`RateLimit`]: one request rate shared by every task that sends through a transport, and one
//! pause for all of them when the server says "too many requests".

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use http::StatusCode;
// tokio's clock: the one the pipeline's timeouts and backoff use (and that tests can pause).
use tokio::time::Instant;

use crate::retry::parse_retry_after;
use crate::{Error, HttpRequest, HttpResponse, HttpTransport};

/// A transport layer that spaces requests to at most `rate` per second, shared by every task
/// sending through it, and pauses them all when a reply asks to wait.
///
/// - **A shared rate.** Requests leave at least `1/rate` seconds apart, whichever task sends
///   them (no burst: a token bucket of one token). Each request reserves the next free slot
///   under a lock and waits for it outside the lock, so slots are handed out in arrival order.
///   `None` sends as fast as the callers do and keeps the shared pause below.
/// - **One pause for all.** A `429 Too Many Requests` (or a `503`) with `Retry-After` makes every
///   request, those already waiting included, wait until that instant (at most
///   [`max_pause`](Self::with_max_pause), 20 s by default, as
///   [`RetryConfig::max_retry_after`](crate::RetryConfig::max_retry_after)); a 429 without
///   `Retry-After` pauses everyone for [`DEFAULT_PAUSE`](Self::DEFAULT_PAUSE). The reply itself is
///   returned unchanged: the [`ApiClient`](crate::ApiClient)'s retry policy decides whether to
///   send it again, honouring `Retry-After` as it always does.
/// - **Retries pay too.** The pipeline retries *above* the transport (each attempt is one
///   [`send`](HttpTransport::send)), so a retried attempt takes a slot like any request.
///
/// The wait happens inside [`send`](HttpTransport::send), so it counts in the pipeline's
/// per-attempt timeout ([`TimeoutConfig::per_attempt`](crate::TimeoutConfig)): with `n` tasks
/// sharing the limit, a request may wait up to `n / rate` seconds for its slot. Keep
/// `n / rate` well under the per-attempt timeout (30 s by default). A request cancelled while it
/// waits leaves its slot unused.
///
/// ```
/// use std::sync::Arc;
///
/// use ahrvo_transport::{ClientConfig, Environment, RateLimit, ReqwestTransport};
///
/// # fn main() -> Result<(), ahrvo_transport::Error> {
/// let config = ClientConfig::new(Environment::Staging);
/// let limited = Arc::new(RateLimit::new(ReqwestTransport::new(&config)?, Some(50)));
/// let config = config.with_transport(limited.clone());
/// // ... build clients from `config`; every one of their requests shares the 50 req/s.
/// assert_eq!(limited.sent(), 0);
/// # Ok(()) }
/// ```
pub struct RateLimit {
    inner: Arc<dyn HttpTransport>,
    interval: Option<Duration>,
    max_pause: Duration,
    state: Mutex<State>,
    sent: AtomicU64,
    throttled: AtomicU64,
}

#[derive(Debug)]
struct State {
    /// The earliest instant the next request may leave.
    next: Option<Instant>,
    /// No request leaves before this instant (the last `Retry-After`).
    paused_until: Option<Instant>,
}

impl RateLimit {
    /// How long everyone waits after a 429 that has no `Retry-After`.
    pub const DEFAULT_PAUSE: Duration = Duration::from_secs(1);

    /// `inner` limited to `rate` requests per second (`None` or 0: no rate, only the shared
    /// pause).
    pub fn new(inner: impl HttpTransport + 'static, rate: Option<u32>) -> Self {
        Self::over(Arc::new(inner), rate)
    }

    /// [`new`](Self::new) over a transport already shared (a [`ClientConfig::transport`]).
    ///
    /// [`ClientConfig::transport`]: crate::ClientConfig::transport
    pub fn over(inner: Arc<dyn HttpTransport>, rate: Option<u32>) -> Self {
        let interval = rate.filter(|r| *r > 0).map(|r| Duration::from_secs(1) / r);
        Self {
            inner,
            interval,
            max_pause: Duration::from_secs(20),
            state: Mutex::new(State {
                next: None,
                paused_until: None,
            }),
            sent: AtomicU64::new(0),
            throttled: AtomicU64::new(0),
        }
    }

    /// Caps the shared pause a `Retry-After` can impose (default 20 s).
    pub fn with_max_pause(mut self, max: Duration) -> Self {
        self.max_pause = max;
        self
    }

    /// The time between two requests (`None`: no rate).
    pub fn interval(&self) -> Option<Duration> {
        self.interval
    }

    /// Requests sent to the inner transport so far (every attempt, retries included).
    pub fn sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// Replies with status 429 seen so far.
    pub fn rate_limited(&self) -> u64 {
        self.throttled.load(Ordering::Relaxed)
    }

    /// The inner transport.
    pub fn inner(&self) -> &Arc<dyn HttpTransport> {
        &self.inner
    }

    /// Reserves the next slot: the instant this request may leave.
    fn reserve(&self) -> Instant {
        let now = Instant::now();
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let at = [state.next, state.paused_until]
            .into_iter()
            .flatten()
            .fold(now, Instant::max);
        state.next = Some(match self.interval {
            Some(interval) => at + interval,
            None => at,
        });
        at
    }

    /// Every request from now waits until `until` (never earlier than already planned).
    fn pause_until(&self, until: Instant) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.paused_until = Some(state.paused_until.map_or(until, |p| p.max(until)));
    }

    /// Whether a pause holds requests at `now`.
    fn paused(&self, now: Instant) -> bool {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.paused_until.is_some_and(|p| p > now)
    }

    /// The pause a reply imposes on everyone, if any.
    fn pause_of(&self, response: &HttpResponse) -> Option<Duration> {
        let status = response.status;
        let after = parse_retry_after(&response.headers, status);
        let pause = match (status, after) {
            (StatusCode::TOO_MANY_REQUESTS, None) => Some(Self::DEFAULT_PAUSE),
            (_, after) => after,
        };
        pause.map(|p| p.min(self.max_pause))
    }
}

#[async_trait]
impl HttpTransport for RateLimit {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, Error> {
        loop {
            let at = self.reserve();
            tokio::time::sleep_until(at).await;
            // A pause set while this request waited (another's 429) holds it too: it takes a
            // new slot after the pause.
            if !self.paused(Instant::now()) {
                break;
            }
        }
        self.sent.fetch_add(1, Ordering::Relaxed);
        let response = self.inner.send(request).await?;
        if response.status == StatusCode::TOO_MANY_REQUESTS {
            self.throttled.fetch_add(1, Ordering::Relaxed);
        }
        if let Some(pause) = self.pause_of(&response) {
            self.pause_until(Instant::now() + pause);
        }
        Ok(response)
    }
}

impl fmt::Debug for RateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateLimit")
            .field("inner", &self.inner)
            .field("interval", &self.interval)
            .field("max_pause", &self.max_pause)
            .field("sent", &self.sent())
            .field("rate_limited", &self.rate_limited())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use http::Method;

    /// Replies 200, or 429 with `Retry-After: 2` for the requests whose number is listed; keeps
    /// the instant each request arrived.
    #[derive(Debug, Default)]
    struct Clock {
        arrivals: Mutex<Vec<Instant>>,
        refuse: Vec<usize>,
        retry_after: Option<&'static str>,
        /// How long a refusal takes to arrive (others' slots come due meanwhile).
        refusal_delay: Duration,
    }

    #[async_trait]
    impl HttpTransport for Clock {
        async fn send(&self, _request: HttpRequest) -> Result<HttpResponse, Error> {
            let n = {
                let mut arrivals = self.arrivals.lock().unwrap();
                arrivals.push(Instant::now());
                arrivals.len()
            };
            if self.refuse.contains(&n) {
                tokio::time::sleep(self.refusal_delay).await;
                let reply = HttpResponse::new(StatusCode::TOO_MANY_REQUESTS, "");
                return Ok(match self.retry_after {
                    Some(after) => reply.with_header("retry-after", after),
                    None => reply,
                });
            }
            Ok(HttpResponse::new(StatusCode::OK, "{}"))
        }
    }

    fn request() -> HttpRequest {
        HttpRequest::new(Method::GET, "http://127.0.0.1/x")
    }

    /// A limiter over `clock`, and the clock.
    fn limited(clock: Clock, rate: Option<u32>) -> (Arc<RateLimit>, Arc<Clock>) {
        let clock = Arc::new(clock);
        (Arc::new(RateLimit::over(clock.clone(), rate)), clock)
    }

    /// Sends `n` requests from `n` tasks at once; returns their arrival offsets from `start`.
    async fn burst((limit, clock): (Arc<RateLimit>, Arc<Clock>), n: usize) -> Vec<Duration> {
        let start = Instant::now();
        let tasks: Vec<_> = (0..n)
            .map(|_| {
                let limit = limit.clone();
                tokio::spawn(async move { limit.send(request()).await.unwrap().status })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        let arrivals = clock.arrivals.lock().unwrap().clone();
        arrivals.iter().map(|a| *a - start).collect()
    }

    #[tokio::test(start_paused = true)]
    async fn requests_of_all_tasks_share_one_rate() {
        let (limit, clock) = limited(Clock::default(), Some(10));
        assert_eq!(limit.interval(), Some(Duration::from_millis(100)));
        let offsets = burst((limit.clone(), clock), 5).await;
        let ms: Vec<u128> = offsets.iter().map(Duration::as_millis).collect();
        assert_eq!(ms, [0, 100, 200, 300, 400]);
        assert_eq!(limit.sent(), 5);
        assert_eq!(limit.rate_limited(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn no_rate_sends_at_once() {
        let offsets = burst(limited(Clock::default(), None), 4).await;
        assert!(offsets.iter().all(Duration::is_zero), "{offsets:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_with_retry_after_pauses_every_task() {
        // The first request is refused with Retry-After: 2; nobody else may leave for 2 s, those
        // already waiting for a slot included.
        let clock = Clock {
            refuse: vec![1],
            retry_after: Some("2"),
            ..Clock::default()
        };
        let (limit, clock) = limited(clock, Some(10));
        let offsets = burst((limit.clone(), clock), 3).await;
        let ms: Vec<u128> = offsets.iter().map(Duration::as_millis).collect();
        assert_eq!(ms[0], 0);
        assert!(ms[1] >= 2000 && ms[2] >= 2000, "{ms:?}");
        // After the pause, the rate again: one slot apart.
        assert_eq!(ms[2] - ms[1], 100, "{ms:?}");
        assert_eq!(limit.rate_limited(), 1);
        assert_eq!(limit.sent(), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_holds_requests_already_waiting_for_their_slot() {
        // Request 1's 429 (Retry-After: 2) arrives at 150 ms: request 2 left at its slot (100
        // ms), before anyone knew; request 3, whose slot (200 ms) was reserved at 0 and comes
        // due during the pause, must wait for the pause to end.
        let clock = Clock {
            refuse: vec![1],
            retry_after: Some("2"),
            refusal_delay: Duration::from_millis(150),
            ..Clock::default()
        };
        let (limit, clock) = limited(clock, Some(10));
        let offsets = burst((limit.clone(), clock), 3).await;
        let ms: Vec<u128> = offsets.iter().map(Duration::as_millis).collect();
        assert_eq!(&ms[..2], [0, 100], "{ms:?}");
        assert!(ms[2] >= 2150, "{ms:?}");
        assert_eq!(limit.sent(), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_without_retry_after_pauses_one_second_and_pauses_are_capped() {
        let clock = Clock {
            refuse: vec![1],
            ..Clock::default()
        };
        let ms: Vec<u128> = burst(limited(clock, None), 2)
            .await
            .iter()
            .map(Duration::as_millis)
            .collect();
        assert!(ms[1] >= 1000 && ms[1] < 1100, "{ms:?}");

        let clock = Clock {
            refuse: vec![1],
            retry_after: Some("3600"),
            ..Clock::default()
        };
        let clock = Arc::new(clock);
        let limit = RateLimit::over(clock.clone(), None).with_max_pause(Duration::from_secs(5));
        let ms: Vec<u128> = burst((Arc::new(limit), clock), 2)
            .await
            .iter()
            .map(Duration::as_millis)
            .collect();
        assert!(ms[1] >= 5000 && ms[1] < 5100, "{ms:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn the_pipelines_retries_take_slots_and_wait_for_the_pause() {
        use crate::{ApiClient, ApiRequest, ClientConfig, Environment, GenericErrors, NoAuth};
        use crate::{Operation, RetryConfig};

        // Request 1 is refused (Retry-After: 1); the pipeline retries it through the limiter,
        // while a second call waits for the same pause.
        let clock = Clock {
            refuse: vec![1],
            retry_after: Some("1"),
            ..Clock::default()
        };
        let (limit, clock) = limited(clock, Some(20));
        let config = ClientConfig::new(Environment::custom("http://127.0.0.1:9").unwrap())
            .with_retry(RetryConfig::default().with_initial_backoff(Duration::ZERO))
            .with_transport(limit.clone());
        let client = ApiClient::new(&config, Arc::new(NoAuth), Arc::new(GenericErrors)).unwrap();
        const OP: Operation<()> = Operation::new("getX", Method::GET, "/x");
        let start = Instant::now();
        let (a, b) = tokio::join!(
            client.execute(ApiRequest::new(OP)),
            client.execute(ApiRequest::new(OP))
        );
        assert!(a.is_ok() && b.is_ok());
        assert_eq!(limit.sent(), 3, "the retry went through the limiter");
        let arrivals = clock.arrivals.lock().unwrap().clone();
        let ms: Vec<u128> = arrivals.iter().map(|t| (*t - start).as_millis()).collect();
        assert_eq!(ms[0], 0);
        assert!(ms[1] >= 1000 && ms[2] >= 1000, "{ms:?}");
        assert!(ms[2] - ms[1] >= 50, "one slot apart: {ms:?}");
    }

    #[test]
    fn rates_become_intervals() {
        let at = |r: u32| RateLimit::new(Clock::default(), Some(r)).interval();
        assert_eq!(at(0), None);
        assert_eq!(at(100), Some(Duration::from_millis(10)));
        assert_eq!(at(3), Some(Duration::from_nanos(333_333_333)));
        assert_eq!(RateLimit::new(Clock::default(), None).interval(), None);
        let debug = format!("{:?}", RateLimit::new(Clock::default(), Some(4)));
        assert!(
            debug.contains("250ms") && debug.contains("sent: 0"),
            "{debug}"
        );
    }
}
