//! The call pipeline with a mocked transport: retries, backoff, Retry-After, token refresh,
//! timeouts, validation. Time is paused: sleeps advance tokio's clock, not the wall clock.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use ahrvo_transport::*;
use async_trait::async_trait;
use tokio::time::Instant;

// The lib's `MockHttpTransport` needs the `mock` feature; here the same mock is declared locally
// so this test runs with the crate's default features.
mockall::mock! {
    pub Send {
        fn send(&self, request: HttpRequest) -> Result<HttpResponse>;
    }
}

/// The mock behind the transport trait.
struct MockHttpTransport(MockSend);

impl MockHttpTransport {
    fn new() -> Self {
        Self(MockSend::new())
    }
    fn expect_send(&mut self) -> &mut __mock_MockSend::__send::Expectation {
        self.0.expect_send()
    }
}

impl std::fmt::Debug for MockHttpTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MockHttpTransport")
    }
}

#[async_trait]
impl HttpTransport for MockHttpTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse> {
        self.0.send(request)
    }
}

const GET_OP: Operation = Operation::new(
    "getBalance",
    Method::GET,
    "/payments/na/balances/{balance_id}",
);
const POST_OP: Operation = Operation::new("createBudget", Method::POST, "/budget/v2/create");

fn config(transport: impl HttpTransport + 'static) -> ClientConfig {
    ClientConfig::new(Environment::custom("http://127.0.0.1:9").unwrap())
        .with_transport(Arc::new(transport))
}

fn get() -> ApiRequest {
    ApiRequest::new(GET_OP).path_id("balance_id", "b1").unwrap()
}

fn post() -> ApiRequest {
    ApiRequest::new(POST_OP)
        .json(&serde_json::json!({"budget_name": "x"}))
        .unwrap()
}

fn reply(status: u16) -> HttpResponse {
    HttpResponse::new(
        StatusCode::from_u16(status).unwrap(),
        r#"{"code":"X","message":"m"}"#,
    )
}

/// A mock that answers from a script, in order, counting calls.
fn scripted(script: Vec<Result<HttpResponse, ErrorKind>>) -> (MockHttpTransport, Arc<AtomicU32>) {
    let calls = Arc::new(AtomicU32::new(0));
    let counter = calls.clone();
    let mut mock = MockHttpTransport::new();
    mock.expect_send().returning(move |_| {
        let n = counter.fetch_add(1, Ordering::SeqCst) as usize;
        match script.get(n).cloned().unwrap_or(Err(ErrorKind::Transport)) {
            Ok(r) => Ok(r),
            Err(kind) => Err(Error::new(kind, "scripted")),
        }
    });
    (mock, calls)
}

#[tokio::test(start_paused = true)]
async fn get_is_retried_on_503_then_succeeds() {
    let (mock, calls) = scripted(vec![Ok(reply(503)), Ok(reply(502)), Ok(reply(200))]);
    let client = ApiClient::new(&config(mock), Auth::None).unwrap();
    let resp = client.execute(get()).await.unwrap();
    assert_eq!(resp.status, StatusCode::OK);
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

#[tokio::test(start_paused = true)]
async fn gives_up_after_max_attempts_with_a_retryable_error() {
    let (mock, calls) = scripted(vec![Ok(reply(503)); 10]);
    let client = ApiClient::new(&config(mock), Auth::None).unwrap();
    let err = client.execute(get()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server);
    assert_eq!(err.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(err.attempts(), 3);
    assert!(err.is_retryable());
    assert_eq!(err.message(), "m");
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

#[tokio::test(start_paused = true)]
async fn client_errors_are_not_retried() {
    for status in [400, 401, 403, 404, 409] {
        let (mock, calls) = scripted(vec![Ok(reply(status)); 5]);
        let client = ApiClient::new(&config(mock), Auth::None).unwrap();
        let err = client.execute(get()).await.unwrap_err();
        assert_eq!(
            err.kind(),
            ErrorKind::from_status(StatusCode::from_u16(status).unwrap())
        );
        assert!(!err.is_retryable());
        assert_eq!(calls.load(Ordering::SeqCst), 1, "status {status}");
    }
}

#[tokio::test(start_paused = true)]
async fn post_is_not_retried_when_its_outcome_is_unknown() {
    for outcome in [
        Ok(reply(503)),
        Ok(reply(500)),
        Err(ErrorKind::Timeout),
        Err(ErrorKind::Transport),
    ] {
        let (mock, calls) = scripted(vec![outcome.clone(), Ok(reply(200))]);
        let client = ApiClient::new(&config(mock), Auth::None).unwrap();
        assert!(client.execute(post()).await.is_err(), "{outcome:?}");
        assert_eq!(calls.load(Ordering::SeqCst), 1, "{outcome:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn post_is_retried_when_nothing_was_processed() {
    for outcome in [Err(ErrorKind::Connect), Ok(reply(429))] {
        let (mock, calls) = scripted(vec![outcome.clone(), Ok(reply(200))]);
        let client = ApiClient::new(&config(mock), Auth::None).unwrap();
        client.execute(post()).await.unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 2, "{outcome:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_waited_for() {
    let limited = reply(429).with_header("retry-after", "5");
    let (mock, calls) = scripted(vec![Ok(limited), Ok(reply(200))]);
    let client = ApiClient::new(&config(mock), Auth::None).unwrap();
    let start = Instant::now();
    client.execute(get()).await.unwrap();
    assert!(
        start.elapsed() >= Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn a_retry_after_beyond_the_bound_ends_the_call() {
    let limited = reply(429).with_header("retry-after", "3600");
    let (mock, calls) = scripted(vec![Ok(limited), Ok(reply(200))]);
    let client = ApiClient::new(&config(mock), Auth::None).unwrap();
    let err = client.execute(get()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn backoff_stays_within_the_exponential_caps() {
    let (mock, _) = scripted(vec![Ok(reply(503)); 10]);
    let retry = RetryConfig::default()
        .with_max_attempts(4)
        .with_initial_backoff(Duration::from_secs(1));
    let client = ApiClient::new(&config(mock).with_retry(retry), Auth::None).unwrap();
    let start = Instant::now();
    client.execute(get()).await.unwrap_err();
    // Three backoffs, each at most 1 s, 2 s, 4 s.
    assert!(
        start.elapsed() <= Duration::from_secs(7),
        "{:?}",
        start.elapsed()
    );
}

#[derive(Debug, Default)]
struct CountingTokens {
    refreshes: AtomicU32,
}

#[async_trait]
impl TokenProvider for CountingTokens {
    async fn access_token(&self, refresh: bool) -> Result<Secret> {
        if refresh {
            self.refreshes.fetch_add(1, Ordering::SeqCst);
        }
        let n = self.refreshes.load(Ordering::SeqCst);
        Ok(Secret::new(format!("token-{n}")))
    }
}

#[derive(Debug)]
struct Recorder {
    statuses: Vec<u16>,
    seen: std::sync::Mutex<Vec<HttpRequest>>,
}

#[async_trait]
impl HttpTransport for Recorder {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse> {
        let mut seen = self.seen.lock().unwrap();
        let n = seen.len();
        seen.push(request);
        Ok(reply(*self.statuses.get(n).unwrap_or(&200)))
    }
}

#[tokio::test(start_paused = true)]
async fn a_401_refreshes_the_token_once_and_repeats_once() {
    let recorder = Arc::new(Recorder {
        statuses: vec![401, 200],
        seen: Default::default(),
    });
    let cfg = ClientConfig::new(Environment::custom("http://127.0.0.1:9").unwrap())
        .with_transport(recorder.clone());
    let creds = IssuingCredentials::with_token_provider("key", CountingTokens::default());
    let client = ApiClient::new(&cfg, Auth::Issuing(creds)).unwrap();
    client.execute(get()).await.unwrap();
    let seen = recorder.seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].headers["authorization"], "Bearer token-0");
    assert_eq!(seen[1].headers["authorization"], "Bearer token-1");
    assert_eq!(seen[1].headers["x-api-key"], "key");
}

#[tokio::test(start_paused = true)]
async fn a_second_401_is_an_unauthorized_error() {
    let recorder = Arc::new(Recorder {
        statuses: vec![401, 401, 200],
        seen: Default::default(),
    });
    let cfg = ClientConfig::new(Environment::custom("http://127.0.0.1:9").unwrap())
        .with_transport(recorder.clone());
    let client = ApiClient::new(&cfg, Auth::Issuing(IssuingCredentials::new("k", "t"))).unwrap();
    let err = client.execute(get()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthorized);
    assert_eq!(recorder.seen.lock().unwrap().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn basic_auth_is_not_refreshed() {
    let recorder = Arc::new(Recorder {
        statuses: vec![401, 200],
        seen: Default::default(),
    });
    let cfg = ClientConfig::new(Environment::custom("http://127.0.0.1:9").unwrap())
        .with_transport(recorder.clone());
    let client = ApiClient::new(&cfg, Auth::Basic(PaymentsCredentials::new("u", "p"))).unwrap();
    assert_eq!(
        client.execute(get()).await.unwrap_err().kind(),
        ErrorKind::Unauthorized
    );
    assert_eq!(recorder.seen.lock().unwrap().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn standard_headers_are_sent() {
    let recorder = Arc::new(Recorder {
        statuses: vec![],
        seen: Default::default(),
    });
    let cfg = ClientConfig::new(Environment::custom("http://127.0.0.1:9/prefix/").unwrap())
        .with_transport(recorder.clone())
        .with_user_agent_suffix("billing-job/2");
    let client = ApiClient::new(&cfg, Auth::None).unwrap();
    client.execute(post()).await.unwrap();
    client.execute(get()).await.unwrap();
    let seen = recorder.seen.lock().unwrap();
    assert_eq!(seen[0].url, "http://127.0.0.1:9/prefix/budget/v2/create");
    assert_eq!(seen[0].method, Method::POST);
    assert_eq!(seen[0].headers["content-type"], "application/json");
    assert_eq!(seen[0].headers["accept"], "application/json");
    assert_eq!(
        seen[0].headers["user-agent"],
        format!("ahrvo-rs/{} billing-job/2", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(&seen[0].body[..], br#"{"budget_name":"x"}"#);
    assert!(!seen[1].headers.contains_key("content-type"));
    assert!(seen[1].body.is_empty());
}

#[derive(Debug)]
struct Slow(Duration);

#[async_trait]
impl HttpTransport for Slow {
    async fn send(&self, _request: HttpRequest) -> Result<HttpResponse> {
        tokio::time::sleep(self.0).await;
        Ok(reply(200))
    }
}

#[tokio::test(start_paused = true)]
async fn per_attempt_timeout_ends_a_hanging_attempt_and_reads_retry() {
    let timeouts = TimeoutConfig::default().with_per_attempt(Duration::from_secs(2));
    let cfg = config(Slow(Duration::from_secs(3600))).with_timeouts(timeouts);
    let client = ApiClient::new(&cfg, Auth::None).unwrap();
    let start = Instant::now();
    let err = client.execute(get()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_eq!(err.attempts(), 3);
    assert!(start.elapsed() < Duration::from_secs(10));
}

#[tokio::test(start_paused = true)]
async fn total_timeout_bounds_the_whole_call() {
    let timeouts = TimeoutConfig::default()
        .with_per_attempt(Duration::from_secs(3600))
        .with_total(Duration::from_secs(5));
    let cfg = config(Slow(Duration::from_secs(3600))).with_timeouts(timeouts);
    let client = ApiClient::new(&cfg, Auth::None).unwrap();
    let start = Instant::now();
    let err = client.execute(get()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_eq!(start.elapsed(), Duration::from_secs(5));
}

#[tokio::test]
async fn invalid_ids_never_reach_the_transport() {
    let mut mock = MockHttpTransport::new();
    mock.expect_send().times(0);
    let _client = ApiClient::new(&config(mock), Auth::None).unwrap();
    for bad in ["", "..", "a\u{7}"] {
        let err = ApiRequest::new(GET_OP)
            .path_id("balance_id", bad)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Validation);
    }
}

#[test]
fn plain_http_off_loopback_is_refused() {
    let cfg = ClientConfig::new(Environment::custom("http://api.example.com").unwrap());
    let err = ApiClient::new(&cfg, Auth::None).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(ApiClient::new(&cfg.with_allow_insecure_http(true), Auth::None).is_ok());
}

#[test]
fn debug_output_never_shows_credentials() {
    let cfg = ClientConfig::new(Environment::Staging);
    let client = ApiClient::new(
        &cfg,
        Auth::Issuing(IssuingCredentials::new("api-key-SECRET1", "token-SECRET2")),
    )
    .unwrap();
    let basic = ApiClient::new(
        &cfg,
        Auth::Basic(PaymentsCredentials::new("user", "pw-SECRET3")),
    )
    .unwrap();
    let shown = format!("{client:?} {basic:?} {cfg:?} {client:#?}");
    for secret in ["SECRET1", "SECRET2", "SECRET3"] {
        assert!(!shown.contains(secret), "{secret} leaked in {shown}");
    }
}
