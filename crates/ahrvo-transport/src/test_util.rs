//! Test doubles for [`HttpTransport`]: replay recorded exchanges and check what was sent,
//! capture requests, never answer, answer with a fixed reply or a closure.
//!
//! Enabled by the `test-util` feature. Every double is `Clone` (clones share their state, so
//! keep one to inspect after handing another to
//! [`ClientConfig::with_transport`](crate::ClientConfig::with_transport)), `Send + Sync` and
//! `Debug`, and none of them opens a socket.
//!
//! | double | answers | for |
//! |---|---|---|
//! | [`ReplayTransport`] | recorded [`ReplayEvent`]s, in order | "these exact requests, these replies" |
//! | [`capture_request`] | one reply, every time | looking at what was sent |
//! | [`NeverTransport`] | never | timeouts, with a paused tokio clock |
//! | [`FixedTransport`] | one reply, every time | counting calls |
//! | [`transport_fn`] | a closure | scripted logic (faults, counters) |
//! | [`async_transport_fn`] | an async closure | wrapping a real transport, delays |
//!
//! ```
//! use std::sync::Arc;
//!
//! use ahrvo_transport::test_util::{ReplayEvent, ReplayTransport};
//! use ahrvo_transport::{
//!     ClientConfig, Environment, HttpRequest, HttpResponse, HttpTransport, Method, StatusCode,
//! };
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let url = "http://127.0.0.1:9/payments/na/balances/b1";
//! let replay = ReplayTransport::new([ReplayEvent::new(
//!     HttpRequest::new(Method::GET, url),
//!     HttpResponse::new(StatusCode::OK, r#"{"id":"b1"}"#),
//! )]);
//! // A client built from this configuration sends through the replay.
//! let _config = ClientConfig::new(Environment::custom("http://127.0.0.1:9").unwrap())
//!     .with_transport(Arc::new(replay.clone()));
//!
//! let reply = replay.send(HttpRequest::new(Method::GET, url)).await.unwrap();
//! assert_eq!(reply.status, StatusCode::OK);
//! replay.assert_requests_match(&[]);
//! # }
//! ```

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use http::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;

use crate::{Error, ErrorKind, HttpRequest, HttpResponse, HttpTransport};

/// Locks, ignoring poisoning: a test that panicked while holding the lock has failed already,
/// and what was recorded stays worth reading.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

// ---------------------------------------------------------------------------------------------
// Replay.
// ---------------------------------------------------------------------------------------------

/// What a [`ReplayEvent`] answers with.
enum Answer {
    Reply(HttpResponse),
    Fail(Error),
    Never,
}

impl fmt::Debug for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Answer::Reply(r) => f.debug_tuple("Reply").field(r).finish(),
            Answer::Fail(e) => f.debug_tuple("Fail").field(e).finish(),
            Answer::Never => f.write_str("Never"),
        }
    }
}

/// One recorded exchange: the request expected, and what to answer it with (a reply, an error,
/// or nothing ever).
///
/// ```
/// use ahrvo_transport::test_util::ReplayEvent;
/// use ahrvo_transport::{Error, ErrorKind, HttpRequest, HttpResponse, Method, StatusCode};
///
/// let mut create = HttpRequest::new(Method::POST, "http://127.0.0.1:9/budget/v2/create");
/// create.body = r#"{"budget_name":"Ops"}"#.into();
/// let events = [
///     // The server committed, but the reply never came: the per-attempt timeout fires.
///     ReplayEvent::never(create.clone()),
///     // The connection dropped after sending.
///     ReplayEvent::error(create.clone(), Error::new(ErrorKind::Transport, "reset")),
///     ReplayEvent::new(create, HttpResponse::new(StatusCode::CONFLICT, "{}")),
/// ];
/// assert_eq!(events[0].request().method, Method::POST);
/// ```
#[derive(Debug)]
pub struct ReplayEvent {
    request: HttpRequest,
    answer: Answer,
}

impl ReplayEvent {
    /// An exchange: `request` is expected, `response` is the answer.
    pub fn new(request: HttpRequest, response: HttpResponse) -> Self {
        Self {
            request,
            answer: Answer::Reply(response),
        }
    }

    /// An exchange that fails: `request` is expected, `error` is returned (a
    /// [`Connect`](ErrorKind::Connect), [`Timeout`](ErrorKind::Timeout) or
    /// [`Transport`](ErrorKind::Transport) error, as a real transport would).
    pub fn error(request: HttpRequest, error: Error) -> Self {
        Self {
            request,
            answer: Answer::Fail(error),
        }
    }

    /// An exchange that never ends: `request` is expected and no answer ever comes, so the
    /// caller's timeout decides. Use with `#[tokio::test(start_paused = true)]`.
    pub fn never(request: HttpRequest) -> Self {
        Self {
            request,
            answer: Answer::Never,
        }
    }

    /// The request this exchange expects.
    pub fn request(&self) -> &HttpRequest {
        &self.request
    }
}

#[derive(Debug)]
struct ReplayState {
    expected: Vec<HttpRequest>,
    answers: Mutex<VecDeque<Answer>>,
    actual: Mutex<Vec<HttpRequest>>,
}

/// Answers recorded exchanges in order and keeps every request it was sent, to compare with the
/// recorded ones in [`assert_requests_match`](Self::assert_requests_match).
///
/// Request *n* gets the answer of event *n* whatever it looks like: the check is yours, at the
/// end. A request beyond the last event gets an error of kind
/// [`Transport`](ErrorKind::Transport) ("no recorded exchange left"), and is reported by
/// `assert_requests_match` as unexpected.
///
/// ```
/// use ahrvo_transport::test_util::{ReplayEvent, ReplayTransport};
/// use ahrvo_transport::{HttpRequest, HttpResponse, HttpTransport, Method, StatusCode};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let mut expected = HttpRequest::new(Method::POST, "http://127.0.0.1:9/budget/v2/create");
/// expected.body = r#"{"budget_name": "Ops"}"#.into();
/// let replay = ReplayTransport::new([
///     ReplayEvent::new(expected.clone(), HttpResponse::new(StatusCode::SERVICE_UNAVAILABLE, "")),
///     ReplayEvent::new(expected, HttpResponse::new(StatusCode::OK, "{}")),
/// ]);
///
/// let mut sent = HttpRequest::new(Method::POST, "http://127.0.0.1:9/budget/v2/create");
/// sent.body = r#"{"budget_name":"Ops"}"#.into(); // same JSON, other spacing: a match
/// sent.headers.insert("user-agent", "ahrvo-rs/0.1".parse().unwrap()); // not expected: fine
/// assert_eq!(replay.send(sent.clone()).await.unwrap().status, 503);
/// assert_eq!(replay.send(sent).await.unwrap().status, 200);
///
/// assert_eq!(replay.requests().len(), 2);
/// assert_eq!(replay.remaining(), 0);
/// replay.assert_requests_match(&[]);
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct ReplayTransport {
    state: Arc<ReplayState>,
}

impl ReplayTransport {
    /// Replays `events` in order.
    pub fn new(events: impl IntoIterator<Item = ReplayEvent>) -> Self {
        let (expected, answers) = events.into_iter().map(|e| (e.request, e.answer)).unzip();
        Self {
            state: Arc::new(ReplayState {
                expected,
                answers: Mutex::new(answers),
                actual: Mutex::new(Vec::new()),
            }),
        }
    }

    /// The requests sent so far, in order.
    pub fn requests(&self) -> Vec<HttpRequest> {
        lock(&self.state.actual).clone()
    }

    /// The recorded requests, in order.
    pub fn expected_requests(&self) -> &[HttpRequest] {
        &self.state.expected
    }

    /// How many recorded exchanges have not been used yet.
    pub fn remaining(&self) -> usize {
        lock(&self.state.answers).len()
    }

    /// Panics unless the requests sent are the recorded ones: as many, and each with the
    /// recorded method, URL, headers and body. The message lists every difference.
    ///
    /// - The URL is compared as a string (path and query, percent-encoding included).
    /// - Each header of the recorded request must have been sent with the same value(s);
    ///   headers sent but not recorded are allowed, and names in `ignore_headers` (any case)
    ///   are not compared. Sensitive values (credentials) are never shown in the message.
    /// - A body that is JSON on both sides is compared as JSON (key order and spacing do not
    ///   matter), the message naming each differing path; any other body byte for byte.
    ///
    /// ```should_panic
    /// use ahrvo_transport::test_util::{ReplayEvent, ReplayTransport};
    /// use ahrvo_transport::{HttpRequest, HttpResponse, HttpTransport, Method, StatusCode};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let replay = ReplayTransport::new([ReplayEvent::new(
    ///     HttpRequest::new(Method::GET, "http://127.0.0.1:9/a"),
    ///     HttpResponse::new(StatusCode::OK, ""),
    /// )]);
    /// replay.send(HttpRequest::new(Method::GET, "http://127.0.0.1:9/b")).await.unwrap();
    /// // request 1: url: expected "http://127.0.0.1:9/a", got "http://127.0.0.1:9/b"
    /// replay.assert_requests_match(&[]);
    /// # }
    /// ```
    #[track_caller]
    pub fn assert_requests_match(&self, ignore_headers: &[&str]) {
        let problems = self.mismatches(ignore_headers);
        if !problems.is_empty() {
            panic!(
                "ReplayTransport: the requests sent are not the recorded ones:\n  {}",
                problems.join("\n  ")
            );
        }
    }

    /// Every difference between the requests sent and the recorded ones, one line each.
    fn mismatches(&self, ignore_headers: &[&str]) -> Vec<String> {
        let ignore: Vec<String> = ignore_headers
            .iter()
            .map(|h| h.to_ascii_lowercase())
            .collect();
        let actual = lock(&self.state.actual);
        let expected = &self.state.expected;
        let mut out = Vec::new();
        if actual.len() != expected.len() {
            out.push(format!(
                "count: {} exchanges recorded, {} requests sent",
                expected.len(),
                actual.len()
            ));
        }
        for (i, (want, got)) in expected.iter().zip(actual.iter()).enumerate() {
            for problem in request_diff(want, got, &ignore) {
                out.push(format!("request {}: {problem}", i + 1));
            }
        }
        for (i, want) in expected.iter().enumerate().skip(actual.len()) {
            out.push(format!(
                "request {}: never sent (recorded {} {})",
                i + 1,
                want.method,
                want.url
            ));
        }
        for (i, got) in actual.iter().enumerate().skip(expected.len()) {
            out.push(format!(
                "request {}: not recorded (sent {} {})",
                i + 1,
                got.method,
                got.url
            ));
        }
        out
    }
}

#[async_trait]
impl HttpTransport for ReplayTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, Error> {
        let (n, line) = {
            let mut actual = lock(&self.state.actual);
            let line = format!("{} {}", request.method, request.url);
            actual.push(request);
            (actual.len(), line)
        };
        let answer = lock(&self.state.answers).pop_front();
        match answer {
            Some(Answer::Reply(r)) => Ok(r),
            Some(Answer::Fail(e)) => Err(e),
            Some(Answer::Never) => std::future::pending().await,
            None => Err(Error::new(
                ErrorKind::Transport,
                format!(
                    "ReplayTransport: no recorded exchange left for request {n} ({line}); {} were recorded",
                    self.state.expected.len()
                ),
            )),
        }
    }
}

/// Headers whose values a mismatch message never shows, besides values marked sensitive.
const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "x-api-key",
    "cookie",
    "set-cookie",
];

fn show_values(name: &HeaderName, values: &[&HeaderValue]) -> String {
    if values.is_empty() {
        return "nothing".to_owned();
    }
    if SECRET_HEADERS.contains(&name.as_str()) || values.iter().any(|v| v.is_sensitive()) {
        return "<redacted>".to_owned();
    }
    let shown: Vec<String> = values
        .iter()
        .map(|v| format!("{:?}", v.to_str().unwrap_or("<binary>")))
        .collect();
    shown.join(", ")
}

fn values<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Vec<&'a HeaderValue> {
    headers.get_all(name).iter().collect()
}

/// The differences between a recorded request and a sent one.
fn request_diff(want: &HttpRequest, got: &HttpRequest, ignore: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    if want.method != got.method {
        out.push(format!(
            "method: expected {}, got {}",
            want.method, got.method
        ));
    }
    if want.url != got.url {
        out.push(format!("url: expected {:?}, got {:?}", want.url, got.url));
    }
    for name in want.headers.keys() {
        if ignore.iter().any(|i| i == name.as_str()) {
            continue;
        }
        let (w, g) = (values(&want.headers, name), values(&got.headers, name));
        if w != g {
            out.push(format!(
                "header {name}: expected {}, got {}",
                show_values(name, &w),
                show_values(name, &g)
            ));
        }
    }
    let json = |b: &[u8]| (!b.is_empty()).then(|| serde_json::from_slice::<Value>(b).ok());
    match (json(&want.body), json(&got.body)) {
        (Some(Some(w)), Some(Some(g))) => json_diff("$", &w, &g, &mut out),
        _ if want.body == got.body => {}
        _ => out.push(format!(
            "body: expected {}, got {}",
            show_body(&want.body),
            show_body(&got.body)
        )),
    }
    out
}

fn show_body(body: &[u8]) -> String {
    if body.is_empty() {
        "an empty body".to_owned()
    } else {
        format!("{:?}", String::from_utf8_lossy(body))
    }
}

/// Appends one line per differing JSON path.
fn json_diff(path: &str, want: &Value, got: &Value, out: &mut Vec<String>) {
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => {
            for (k, wv) in w {
                let p = format!("{path}.{k}");
                match g.get(k) {
                    Some(gv) => json_diff(&p, wv, gv, out),
                    None => out.push(format!("body {p}: expected {wv}, missing")),
                }
            }
            for (k, gv) in g {
                if !w.contains_key(k) {
                    out.push(format!("body {path}.{k}: not expected, got {gv}"));
                }
            }
        }
        (Value::Array(w), Value::Array(g)) => {
            if w.len() != g.len() {
                out.push(format!(
                    "body {path}: expected {} items, got {}",
                    w.len(),
                    g.len()
                ));
            }
            for (i, (wv, gv)) in w.iter().zip(g).enumerate() {
                json_diff(&format!("{path}[{i}]"), wv, gv, out);
            }
        }
        (w, g) if w == g => {}
        (w, g) => out.push(format!("body {path}: expected {w}, got {g}")),
    }
}

// ---------------------------------------------------------------------------------------------
// Capture.
// ---------------------------------------------------------------------------------------------

/// Answers every request with the same reply and keeps it; see [`capture_request`].
#[derive(Clone, Debug)]
pub struct CaptureTransport {
    reply: HttpResponse,
    seen: Arc<Mutex<Vec<HttpRequest>>>,
}

/// Reads what a [`CaptureTransport`] was sent.
#[derive(Clone, Debug)]
pub struct CapturedRequests {
    seen: Arc<Mutex<Vec<HttpRequest>>>,
}

/// A transport that answers every request with `reply`, and the handle that reads the requests
/// it was sent.
///
/// ```
/// use ahrvo_transport::test_util::capture_request;
/// use ahrvo_transport::{HttpRequest, HttpResponse, HttpTransport, Method, StatusCode};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let (transport, captured) = capture_request(HttpResponse::new(StatusCode::OK, "{}"));
/// transport.send(HttpRequest::new(Method::GET, "http://127.0.0.1:9/a")).await.unwrap();
/// let request = captured.expect_request();
/// assert_eq!(request.url, "http://127.0.0.1:9/a");
/// # }
/// ```
pub fn capture_request(reply: HttpResponse) -> (CaptureTransport, CapturedRequests) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    (
        CaptureTransport {
            reply,
            seen: Arc::clone(&seen),
        },
        CapturedRequests { seen },
    )
}

#[async_trait]
impl HttpTransport for CaptureTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, Error> {
        lock(&self.seen).push(request);
        Ok(self.reply.clone())
    }
}

impl CapturedRequests {
    /// The one request sent. Panics if none, or more than one, was.
    #[track_caller]
    pub fn expect_request(&self) -> HttpRequest {
        let seen = lock(&self.seen);
        match seen.as_slice() {
            [one] => one.clone(),
            all => panic!("expected exactly one request, {} were sent", all.len()),
        }
    }

    /// Every request sent, in order.
    pub fn requests(&self) -> Vec<HttpRequest> {
        lock(&self.seen).clone()
    }

    /// How many requests were sent.
    pub fn len(&self) -> usize {
        lock(&self.seen).len()
    }

    /// Whether nothing was sent.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

// ---------------------------------------------------------------------------------------------
// Never, fixed, closures.
// ---------------------------------------------------------------------------------------------

/// Never answers: each `send` stays pending until the caller gives up (a timeout, or dropping
/// the future). Counts calls.
///
/// With a paused tokio clock (`#[tokio::test(start_paused = true)]`) a deadline test takes no
/// wall-clock time.
///
/// ```
/// use std::time::Duration;
///
/// use ahrvo_transport::test_util::NeverTransport;
/// use ahrvo_transport::{HttpRequest, HttpTransport, Method};
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let never = NeverTransport::new();
/// let send = never.send(HttpRequest::new(Method::GET, "http://127.0.0.1:9/a"));
/// assert!(tokio::time::timeout(Duration::from_secs(3600), send).await.is_err());
/// assert_eq!(never.calls(), 1);
/// # }
/// ```
#[derive(Clone, Debug, Default)]
pub struct NeverTransport {
    calls: Arc<AtomicUsize>,
}

impl NeverTransport {
    /// A transport that never answers.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many requests were sent to it.
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl HttpTransport for NeverTransport {
    async fn send(&self, _request: HttpRequest) -> Result<HttpResponse, Error> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        std::future::pending().await
    }
}

/// Answers every request with the same reply. Counts calls.
///
/// ```
/// use ahrvo_transport::test_util::FixedTransport;
/// use ahrvo_transport::{HttpRequest, HttpResponse, HttpTransport, Method, StatusCode};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let fixed = FixedTransport::new(HttpResponse::new(StatusCode::NOT_FOUND, "{}"));
/// let reply = fixed.send(HttpRequest::new(Method::GET, "http://127.0.0.1:9/a")).await;
/// assert_eq!(reply.unwrap().status, StatusCode::NOT_FOUND);
/// assert_eq!(fixed.calls(), 1);
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct FixedTransport {
    reply: HttpResponse,
    calls: Arc<AtomicUsize>,
}

impl FixedTransport {
    /// A transport that answers `reply` to everything.
    pub fn new(reply: HttpResponse) -> Self {
        Self {
            reply,
            calls: Arc::default(),
        }
    }

    /// How many requests were sent to it.
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl HttpTransport for FixedTransport {
    async fn send(&self, _request: HttpRequest) -> Result<HttpResponse, Error> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        Ok(self.reply.clone())
    }
}

/// Answers with a closure; see [`transport_fn`]. Counts calls.
pub struct FnTransport<F> {
    f: Arc<F>,
    calls: Arc<AtomicUsize>,
}

impl<F> Clone for FnTransport<F> {
    fn clone(&self) -> Self {
        Self {
            f: Arc::clone(&self.f),
            calls: Arc::clone(&self.calls),
        }
    }
}

impl<F> fmt::Debug for FnTransport<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FnTransport")
            .field("calls", &self.calls())
            .finish_non_exhaustive()
    }
}

impl<F> FnTransport<F> {
    /// How many requests were sent to it.
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

/// A transport whose answer to each request is `f(request)`.
///
/// For behaviour of your own: a script, injected faults, a reply that depends on the request.
/// The closure runs synchronously; see [`async_transport_fn`] to wait inside it.
///
/// ```
/// use std::sync::atomic::{AtomicU32, Ordering};
///
/// use ahrvo_transport::test_util::transport_fn;
/// use ahrvo_transport::{
///     Error, ErrorKind, HttpRequest, HttpResponse, HttpTransport, Method, StatusCode,
/// };
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// // The first attempt cannot connect, the others succeed.
/// let failures = AtomicU32::new(1);
/// let transport = transport_fn(move |_request: HttpRequest| {
///     if failures.fetch_sub(1, Ordering::SeqCst) > 0 {
///         Err(Error::new(ErrorKind::Connect, "refused"))
///     } else {
///         Ok(HttpResponse::new(StatusCode::OK, "{}"))
///     }
/// });
/// let request = || HttpRequest::new(Method::GET, "http://127.0.0.1:9/a");
/// assert_eq!(transport.send(request()).await.unwrap_err().kind(), ErrorKind::Connect);
/// assert!(transport.send(request()).await.is_ok());
/// assert_eq!(transport.calls(), 2);
/// # }
/// ```
pub fn transport_fn<F>(f: F) -> FnTransport<F>
where
    F: Fn(HttpRequest) -> Result<HttpResponse, Error> + Send + Sync + 'static,
{
    FnTransport {
        f: Arc::new(f),
        calls: Arc::default(),
    }
}

#[async_trait]
impl<F> HttpTransport for FnTransport<F>
where
    F: Fn(HttpRequest) -> Result<HttpResponse, Error> + Send + Sync + 'static,
{
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, Error> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        (self.f)(request)
    }
}

/// Answers with an async closure; see [`async_transport_fn`]. Counts calls.
pub struct AsyncFnTransport<F> {
    f: Arc<F>,
    calls: Arc<AtomicUsize>,
}

impl<F> Clone for AsyncFnTransport<F> {
    fn clone(&self) -> Self {
        Self {
            f: Arc::clone(&self.f),
            calls: Arc::clone(&self.calls),
        }
    }
}

impl<F> fmt::Debug for AsyncFnTransport<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncFnTransport")
            .field("calls", &self.calls())
            .finish_non_exhaustive()
    }
}

impl<F> AsyncFnTransport<F> {
    /// How many requests were sent to it.
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

/// A transport whose answer to each request is the future `f(request)` returns.
///
/// For doubles that wait (a slow reply) or wrap another transport (count, delay, or inspect
/// what a real transport does). The future owns what it uses: clone an `Arc` into it.
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
///
/// use ahrvo_transport::test_util::{FixedTransport, async_transport_fn};
/// use ahrvo_transport::{HttpRequest, HttpResponse, HttpTransport, Method, StatusCode};
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// // A reply that takes ten seconds, from a transport it wraps.
/// let inner = Arc::new(FixedTransport::new(HttpResponse::new(StatusCode::OK, "{}")));
/// let slow = async_transport_fn(move |request| {
///     let inner = Arc::clone(&inner);
///     async move {
///         tokio::time::sleep(Duration::from_secs(10)).await;
///         inner.send(request).await
///     }
/// });
/// let started = tokio::time::Instant::now();
/// slow.send(HttpRequest::new(Method::GET, "http://127.0.0.1:9/a")).await.unwrap();
/// assert!(started.elapsed() >= Duration::from_secs(10));
/// assert_eq!(slow.calls(), 1);
/// # }
/// ```
pub fn async_transport_fn<F, Fut>(f: F) -> AsyncFnTransport<F>
where
    F: Fn(HttpRequest) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<HttpResponse, Error>> + Send + 'static,
{
    AsyncFnTransport {
        f: Arc::new(f),
        calls: Arc::default(),
    }
}

#[async_trait]
impl<F, Fut> HttpTransport for AsyncFnTransport<F>
where
    F: Fn(HttpRequest) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<HttpResponse, Error>> + Send + 'static,
{
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, Error> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        (self.f)(request).await
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use http::{Method, StatusCode};

    use super::*;

    const URL: &str = "http://127.0.0.1:9/budget/v2/create";

    fn post(body: &str) -> HttpRequest {
        let mut r = HttpRequest::new(Method::POST, URL);
        r.headers
            .insert("content-type", HeaderValue::from_static("application/json"));
        r.body = body.to_owned().into();
        r
    }

    fn ok(body: &'static str) -> HttpResponse {
        HttpResponse::new(StatusCode::OK, body)
    }

    fn assert_traits<T: HttpTransport + Clone + Send + Sync + fmt::Debug + 'static>(_: &T) {}

    #[tokio::test]
    async fn replay_answers_in_order_and_matches() {
        let replay = ReplayTransport::new([
            ReplayEvent::new(post(r#"{"a":1,"b":[1,2]}"#), ok("first")),
            ReplayEvent::error(post("{}"), Error::new(ErrorKind::Connect, "refused")),
            ReplayEvent::new(HttpRequest::new(Method::GET, URL), ok("third")),
        ]);
        assert_traits(&replay);
        assert_eq!(replay.remaining(), 3);
        let mut sent = post(r#"{ "b": [1, 2], "a": 1 }"#);
        sent.headers
            .insert("user-agent", HeaderValue::from_static("ahrvo-rs/0.1"));
        assert_eq!(&replay.send(sent).await.unwrap().body[..], b"first");
        let e = replay.send(post("{}")).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Connect);
        let r = replay
            .send(HttpRequest::new(Method::GET, URL))
            .await
            .unwrap();
        assert_eq!(&r.body[..], b"third");
        assert_eq!(replay.remaining(), 0);
        assert_eq!(replay.requests().len(), 3);
        assert_eq!(replay.requests()[2].method, Method::GET);
        assert_eq!(replay.expected_requests().len(), 3);
        replay.assert_requests_match(&[]);
        // A clone shares the state.
        assert_eq!(replay.clone().requests().len(), 3);
    }

    #[tokio::test]
    async fn replay_beyond_the_recording_is_a_transport_error() {
        let replay = ReplayTransport::new([]);
        let e = replay
            .send(HttpRequest::new(Method::GET, URL))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Transport);
        assert!(e.message().contains("no recorded exchange left"), "{e}");
        assert_eq!(replay.requests().len(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn replay_never_stays_pending_then_goes_on() {
        let replay = ReplayTransport::new([
            ReplayEvent::never(post("{}")),
            ReplayEvent::new(post("{}"), ok("")),
        ]);
        let first = tokio::time::timeout(Duration::from_secs(3600), replay.send(post("{}")));
        assert!(first.await.is_err());
        assert!(replay.send(post("{}")).await.is_ok());
        replay.assert_requests_match(&[]);
    }

    /// The panic message of `assert_requests_match`, or `None` when it passes.
    fn mismatch_message(replay: &ReplayTransport, ignore: &[&str]) -> Option<String> {
        let replay = replay.clone();
        let ignore: Vec<String> = ignore.iter().map(|s| (*s).to_owned()).collect();
        std::panic::catch_unwind(move || {
            let ignore: Vec<&str> = ignore.iter().map(String::as_str).collect();
            replay.assert_requests_match(&ignore);
        })
        .err()
        .map(|p| {
            p.downcast_ref::<String>()
                .cloned()
                .unwrap_or_else(|| "non-string panic".into())
        })
    }

    #[tokio::test]
    async fn every_kind_of_difference_is_reported() {
        let mut want = post(r#"{"name":"Ops","n":[1,2],"gone":true}"#);
        want.headers
            .insert("x-request-id", HeaderValue::from_static("r1"));
        want.headers
            .insert("authorization", HeaderValue::from_static("Bearer old"));
        let replay = ReplayTransport::new([ReplayEvent::new(want, ok(""))]);
        let mut got = HttpRequest::new(Method::PUT, "http://127.0.0.1:9/other");
        got.headers
            .insert("x-request-id", HeaderValue::from_static("r2"));
        got.headers
            .insert("authorization", HeaderValue::from_static("Bearer SECRET"));
        got.body = r#"{"name":"ops","n":[1],"new":null}"#.into();
        replay.send(got).await.unwrap();

        let msg = mismatch_message(&replay, &[]).expect("a mismatch");
        for line in [
            "request 1: method: expected POST, got PUT",
            r#"request 1: url: expected "http://127.0.0.1:9/budget/v2/create", got "http://127.0.0.1:9/other""#,
            r#"request 1: header content-type: expected "application/json", got nothing"#,
            r#"request 1: header x-request-id: expected "r1", got "r2""#,
            "request 1: header authorization: expected <redacted>, got <redacted>",
            r#"request 1: body $.name: expected "Ops", got "ops""#,
            "request 1: body $.n: expected 2 items, got 1",
            "request 1: body $.gone: expected true, missing",
            "request 1: body $.new: not expected, got null",
        ] {
            assert!(msg.contains(line), "{line:?} not in:\n{msg}");
        }
        assert!(!msg.contains("SECRET"), "{msg}");
        assert!(!msg.contains("count"), "{msg}");

        // Ignored headers are not compared (any case).
        let msg = mismatch_message(&replay, &["X-Request-Id", "authorization"]).unwrap();
        assert!(!msg.contains("x-request-id"), "{msg}");
        assert!(!msg.contains("authorization"), "{msg}");
        assert!(msg.contains("content-type"), "{msg}");
    }

    #[tokio::test]
    async fn non_json_bodies_are_compared_byte_for_byte() {
        let mut want = HttpRequest::new(Method::POST, URL);
        want.body = "a=1".into();
        let replay = ReplayTransport::new([ReplayEvent::new(want.clone(), ok(""))]);
        replay.send(want.clone()).await.unwrap();
        assert_eq!(mismatch_message(&replay, &[]), None);

        let replay = ReplayTransport::new([ReplayEvent::new(want, ok(""))]);
        let mut got = HttpRequest::new(Method::POST, URL);
        got.body = "a=2".into();
        replay.send(got).await.unwrap();
        let msg = mismatch_message(&replay, &[]).unwrap();
        assert!(
            msg.contains(r#"request 1: body: expected "a=1", got "a=2""#),
            "{msg}"
        );

        // JSON expected, not JSON sent (and the reverse).
        let replay = ReplayTransport::new([ReplayEvent::new(post("{}"), ok(""))]);
        replay.send(post("")).await.unwrap();
        let msg = mismatch_message(&replay, &[]).unwrap();
        assert!(
            msg.contains(r#"body: expected "{}", got an empty body"#),
            "{msg}"
        );
    }

    #[tokio::test]
    async fn a_different_count_is_reported_both_ways() {
        let replay = ReplayTransport::new([
            ReplayEvent::new(post("{}"), ok("")),
            ReplayEvent::new(HttpRequest::new(Method::GET, URL), ok("")),
        ]);
        replay.send(post("{}")).await.unwrap();
        let msg = mismatch_message(&replay, &[]).unwrap();
        assert!(
            msg.contains("count: 2 exchanges recorded, 1 requests sent"),
            "{msg}"
        );
        assert!(
            msg.contains(&format!("request 2: never sent (recorded GET {URL})")),
            "{msg}"
        );

        let replay = ReplayTransport::new([ReplayEvent::new(post("{}"), ok(""))]);
        replay.send(post("{}")).await.unwrap();
        replay.send(post("{}")).await.unwrap_err();
        let msg = mismatch_message(&replay, &[]).unwrap();
        assert!(
            msg.contains("count: 1 exchanges recorded, 2 requests sent"),
            "{msg}"
        );
        assert!(
            msg.contains(&format!("request 2: not recorded (sent POST {URL})")),
            "{msg}"
        );
    }

    #[tokio::test]
    #[should_panic(expected = "request 1: body $.budget_name: expected \"Ops\", got \"Dev\"")]
    async fn assert_requests_match_panics_on_a_different_body() {
        let replay =
            ReplayTransport::new([ReplayEvent::new(post(r#"{"budget_name":"Ops"}"#), ok(""))]);
        replay.send(post(r#"{"budget_name":"Dev"}"#)).await.unwrap();
        replay.assert_requests_match(&[]);
    }

    #[tokio::test]
    #[should_panic(expected = "count: 1 exchanges recorded, 0 requests sent")]
    async fn assert_requests_match_panics_when_a_request_is_missing() {
        let replay = ReplayTransport::new([ReplayEvent::new(post("{}"), ok(""))]);
        replay.assert_requests_match(&[]);
    }

    #[tokio::test]
    async fn capture_keeps_every_request() {
        let (transport, captured) = capture_request(ok("same"));
        assert_traits(&transport);
        assert!(captured.is_empty());
        for body in ["1", "2"] {
            let r = transport.send(post(body)).await.unwrap();
            assert_eq!(&r.body[..], b"same");
        }
        assert_eq!(captured.len(), 2);
        let bodies: Vec<_> = captured.requests().into_iter().map(|r| r.body).collect();
        assert_eq!(bodies, ["1", "2"]);
    }

    #[tokio::test]
    async fn expect_request_returns_the_one_request() {
        let (transport, captured) = capture_request(ok(""));
        transport.send(post("x")).await.unwrap();
        assert_eq!(&captured.expect_request().body[..], b"x");
    }

    #[test]
    #[should_panic(expected = "expected exactly one request, 0 were sent")]
    fn expect_request_panics_when_nothing_was_sent() {
        let (_transport, captured) = capture_request(ok(""));
        captured.expect_request();
    }

    #[tokio::test(start_paused = true)]
    async fn never_never_answers_and_counts() {
        let never = NeverTransport::new();
        assert_traits(&never);
        for n in 1..=2 {
            let send = never.send(post(""));
            assert!(
                tokio::time::timeout(Duration::from_secs(86_400), send)
                    .await
                    .is_err()
            );
            assert_eq!(never.calls(), n);
        }
    }

    #[tokio::test]
    async fn fixed_answers_the_same_and_counts() {
        let fixed = FixedTransport::new(HttpResponse::new(StatusCode::BAD_GATEWAY, "x"));
        assert_traits(&fixed);
        for _ in 0..3 {
            let r = fixed.send(post("")).await.unwrap();
            assert_eq!(r.status, StatusCode::BAD_GATEWAY);
        }
        assert_eq!(fixed.calls(), 3);
        assert_eq!(fixed.clone().calls(), 3);
    }

    #[tokio::test]
    async fn transport_fn_answers_with_the_closure_and_counts() {
        let t = transport_fn(|r: HttpRequest| {
            if r.method == Method::GET {
                Ok(HttpResponse::new(StatusCode::OK, r.url))
            } else {
                Err(Error::new(ErrorKind::Timeout, "slow"))
            }
        });
        assert_traits(&t);
        let r = t.send(HttpRequest::new(Method::GET, URL)).await.unwrap();
        assert_eq!(&r.body[..], URL.as_bytes());
        assert_eq!(
            t.send(post("")).await.unwrap_err().kind(),
            ErrorKind::Timeout
        );
        assert_eq!(t.calls(), 2);
        assert!(format!("{t:?}").contains("calls: 2"), "{t:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn async_transport_fn_awaits_the_closure_and_counts() {
        let inner = Arc::new(FixedTransport::new(ok("inner")));
        let seen = Arc::clone(&inner);
        let t = async_transport_fn(move |r| {
            let inner = Arc::clone(&inner);
            async move {
                tokio::time::sleep(Duration::from_secs(7)).await;
                inner.send(r).await
            }
        });
        assert_traits(&t);
        let started = tokio::time::Instant::now();
        let r = t.send(post("")).await.unwrap();
        assert_eq!(&r.body[..], b"inner");
        assert_eq!(started.elapsed(), Duration::from_secs(7));
        assert_eq!((t.calls(), seen.calls()), (1, 1));
        assert!(format!("{t:?}").contains("AsyncFnTransport"));
    }
}
