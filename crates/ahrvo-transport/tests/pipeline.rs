//! The call pipeline over the `test-util` doubles: retries, backoff, Retry-After, signing and the
//! 401 rule, timeouts, validation. Time is paused: sleeps advance tokio's clock, not the wall
//! clock, so the gaps between attempts are measured exactly.

use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ahrvo_transport::test_util::{
    FixedTransport, FnTransport, NeverTransport, async_transport_fn, capture_request, transport_fn,
};
use ahrvo_transport::*;
use async_trait::async_trait;
use tokio::time::Instant;

const GET_OP: Operation<()> = Operation::new(
    "getBalance",
    Method::GET,
    "/payments/na/balances/{balance_id}",
);
const POST_OP: Operation<()> = Operation::new("createBudget", Method::POST, "/budget/v2/create");

fn config(transport: impl HttpTransport + 'static) -> ClientConfig {
    ClientConfig::new(Environment::custom("http://127.0.0.1:9").unwrap())
        .with_transport(Arc::new(transport))
}

fn client(config: &ClientConfig) -> ApiClient {
    ApiClient::new(config, Arc::new(NoAuth), Arc::new(GenericErrors)).unwrap()
}

fn get() -> ApiRequest<()> {
    ApiRequest::new(GET_OP).path_id("balance_id", "b1").unwrap()
}

fn post() -> ApiRequest<()> {
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

type Scripted = FnTransport<Box<dyn Fn(HttpRequest) -> Result<HttpResponse> + Send + Sync>>;

/// Answers from a script, in order (a transport error once it runs out); `calls()` counts.
fn scripted(script: Vec<Result<HttpResponse, ErrorKind>>) -> Scripted {
    let next = AtomicUsize::new(0);
    transport_fn(Box::new(move |_| {
        let n = next.fetch_add(1, Ordering::SeqCst);
        match script.get(n).cloned().unwrap_or(Err(ErrorKind::Transport)) {
            Ok(r) => Ok(r),
            Err(kind) => Err(Error::new(kind, "scripted")),
        }
    }))
}

#[tokio::test(start_paused = true)]
async fn get_is_retried_on_503_then_succeeds() {
    let mock = scripted(vec![Ok(reply(503)), Ok(reply(502)), Ok(reply(200))]);
    let resp = client(&config(mock.clone())).execute(get()).await.unwrap();
    assert_eq!(resp.status, StatusCode::OK);
    assert_eq!(mock.calls(), 3);
}

#[tokio::test(start_paused = true)]
async fn gives_up_after_max_attempts_with_a_retryable_error() {
    let mock = scripted(vec![Ok(reply(503)); 10]);
    let err = client(&config(mock.clone()))
        .execute(get())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server);
    assert_eq!(err.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(err.attempts(), 3);
    assert!(err.is_retryable());
    assert_eq!(err.message(), "m");
    assert_eq!(mock.calls(), 3);
}

#[tokio::test(start_paused = true)]
async fn client_errors_are_not_retried() {
    for status in [400, 401, 403, 404, 409] {
        let mock = scripted(vec![Ok(reply(status)); 5]);
        let err = client(&config(mock.clone()))
            .execute(get())
            .await
            .unwrap_err();
        assert_eq!(
            err.kind(),
            ErrorKind::from_status(StatusCode::from_u16(status).unwrap())
        );
        assert!(!err.is_retryable());
        assert_eq!(mock.calls(), 1, "status {status}");
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
        let mock = scripted(vec![outcome.clone(), Ok(reply(200))]);
        assert!(
            client(&config(mock.clone())).execute(post()).await.is_err(),
            "{outcome:?}"
        );
        assert_eq!(mock.calls(), 1, "{outcome:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn post_is_retried_when_nothing_was_processed() {
    for outcome in [Err(ErrorKind::Connect), Ok(reply(429))] {
        let mock = scripted(vec![outcome.clone(), Ok(reply(200))]);
        client(&config(mock.clone())).execute(post()).await.unwrap();
        assert_eq!(mock.calls(), 2, "{outcome:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_resendable_post_is_sent_again_and_says_an_attempt_may_have_landed() {
    // A write the server refuses to apply twice: resent after an unknown outcome, and the
    // refusal that follows says an earlier attempt may have done the work.
    let mock = scripted(vec![Err(ErrorKind::Transport), Ok(reply(409))]);
    let err = client(&config(mock.clone()))
        .execute(post().resend_on_unknown_outcome())
        .await
        .unwrap_err();
    assert_eq!(mock.calls(), 2);
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert!(err.prior_outcome_unknown() && err.is_outcome_unknown());
    assert_eq!(err.attempts(), 2);

    // A refusal on the first attempt is only a refusal.
    let mock = scripted(vec![Ok(reply(409))]);
    let err = client(&config(mock.clone()))
        .execute(post().resend_on_unknown_outcome())
        .await
        .unwrap_err();
    assert!(!err.prior_outcome_unknown() && !err.is_outcome_unknown());

    // A read's earlier timeout says nothing about a later 404.
    let mock = scripted(vec![Err(ErrorKind::Timeout), Ok(reply(404))]);
    let err = client(&config(mock.clone()))
        .execute(get())
        .await
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.prior_outcome_unknown()),
        (ErrorKind::NotFound, false)
    );
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_waited_for() {
    let limited = reply(429).with_header("retry-after", "5");
    let mock = scripted(vec![Ok(limited), Ok(reply(200))]);
    let start = Instant::now();
    client(&config(mock.clone())).execute(get()).await.unwrap();
    assert!(
        start.elapsed() >= Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(mock.calls(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_retry_after_beyond_the_bound_ends_the_call() {
    let limited = reply(429).with_header("retry-after", "3600");
    let mock = scripted(vec![Ok(limited), Ok(reply(200))]);
    let err = client(&config(mock.clone()))
        .execute(get())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
    assert_eq!(mock.calls(), 1);
    // The error says how long the server asked for, and what this client waits at most.
    assert_eq!(err.message(), "m");
    assert_eq!(
        err.to_string(),
        "getBalance: rate limited (HTTP 429): m; the server asked to wait 3600s before trying \
         again, longer than the 20s this client waits (RetryConfig::max_retry_after)"
    );
}

#[tokio::test(start_paused = true)]
async fn a_retry_after_within_the_bound_adds_no_note() {
    let limited = reply(429).with_header("retry-after", "5");
    let retry = RetryConfig::disabled();
    let err = client(&config(scripted(vec![Ok(limited)])).with_retry(retry))
        .execute(get())
        .await
        .unwrap_err();
    assert_eq!(err.context(), None);
    let limited = reply(429).with_header("retry-after", "5");
    let short = RetryConfig::default().with_max_retry_after(Duration::from_secs(4));
    let err = client(&config(scripted(vec![Ok(limited)])).with_retry(short))
        .execute(get())
        .await
        .unwrap_err();
    assert!(
        err.to_string().ends_with(
            "asked to wait 5s before trying again, longer than the 4s \
                                   this client waits (RetryConfig::max_retry_after)"
        ),
        "{err}"
    );
}

/// The gaps between the attempts of one call that fails `attempts` times with 503.
async fn gaps_between_attempts(retry: RetryConfig) -> Vec<Duration> {
    let times = Arc::new(Mutex::new(Vec::new()));
    let seen = times.clone();
    let mock = transport_fn(move |_| {
        seen.lock().unwrap().push(Instant::now());
        Ok(reply(503))
    });
    client(&config(mock).with_retry(retry))
        .execute(get())
        .await
        .unwrap_err();
    let times = times.lock().unwrap();
    times.windows(2).map(|w| w[1] - w[0]).collect()
}

#[tokio::test(start_paused = true)]
async fn backoff_is_exponential_fully_jittered_and_capped() {
    // Caps 1 s, 2 s, 4 s. Full jitter draws each gap uniformly in [0, cap]: over 40 calls the
    // mean gap is cap/2 within a few percent. Without backoff every gap is 0; without jitter
    // every gap is the cap; without the doubling the means are equal: each fails this test.
    let retry = RetryConfig::default()
        .with_max_attempts(4)
        .with_initial_backoff(Duration::from_secs(1))
        .with_max_elapsed(Duration::from_secs(3600));
    const CALLS: u32 = 40;
    let mut sums = [Duration::ZERO; 3];
    for _ in 0..CALLS {
        let gaps = gaps_between_attempts(retry.clone()).await;
        assert_eq!(gaps.len(), 3);
        for (i, gap) in gaps.iter().enumerate() {
            let cap = Duration::from_secs(1 << i);
            assert!(*gap <= cap, "gap {i} = {gap:?} over its cap {cap:?}");
            sums[i] += *gap;
        }
    }
    for (i, sum) in sums.iter().enumerate() {
        let mean = sum.as_secs_f64() / f64::from(CALLS);
        let half_cap = f64::from(1u32 << i) / 2.0;
        assert!(
            (mean - half_cap).abs() < half_cap * 0.4,
            "mean gap {i} = {mean:.3}s, expected about {half_cap}s"
        );
    }
}

/// A token source that hands out `token-N`, N counting refreshes.
#[derive(Debug, Default)]
struct Rotating {
    refreshes: AtomicU32,
    rotate: bool,
}

#[async_trait]
impl Signer for Rotating {
    async fn sign(&self, request: &mut HttpRequest) -> Result<()> {
        let n = self.refreshes.load(Ordering::SeqCst);
        let value = sensitive_header(&format!("Bearer token-{n}"))?;
        request.headers.insert("authorization", value);
        Ok(())
    }

    async fn refresh(&self, _refused: &HttpRequest) -> Result<bool> {
        self.refreshes.fetch_add(1, Ordering::SeqCst);
        Ok(self.rotate)
    }
}

fn signed_client(transport: impl HttpTransport + 'static, signer: Arc<Rotating>) -> ApiClient {
    ApiClient::new(&config(transport), signer, Arc::new(GenericErrors)).unwrap()
}

#[tokio::test(start_paused = true)]
async fn a_401_with_a_fresh_credential_is_sent_once_more() {
    let statuses = [401, 200];
    let (capture, seen) = capture_request(reply(200));
    let next = AtomicUsize::new(0);
    let transport = async_transport_fn(move |request| {
        let capture = capture.clone();
        let status = statuses[next.fetch_add(1, Ordering::SeqCst).min(1)];
        async move {
            capture.send(request).await?;
            Ok(reply(status))
        }
    });
    let signer = Arc::new(Rotating {
        rotate: true,
        ..Rotating::default()
    });
    signed_client(transport, signer.clone())
        .execute(get())
        .await
        .unwrap();
    let seen = seen.requests();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].headers["authorization"], "Bearer token-0");
    assert_eq!(seen[1].headers["authorization"], "Bearer token-1");
    assert_eq!(signer.refreshes.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn a_401_with_the_same_credential_is_one_request_and_the_error() {
    let mock = FixedTransport::new(reply(401));
    let signer = Arc::new(Rotating::default());
    let err = signed_client(mock.clone(), signer.clone())
        .execute(get())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthorized);
    assert_eq!(mock.calls(), 1, "a fixed credential is not sent twice");
    assert_eq!(err.attempts(), 1);
    assert_eq!(signer.refreshes.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn a_second_401_after_a_refresh_is_the_error() {
    let mock = FixedTransport::new(reply(401));
    let signer = Arc::new(Rotating {
        rotate: true,
        ..Rotating::default()
    });
    let err = signed_client(mock.clone(), signer.clone())
        .execute(get())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthorized);
    assert_eq!(mock.calls(), 2);
    assert_eq!(signer.refreshes.load(Ordering::SeqCst), 1, "refreshed once");
}

#[tokio::test(start_paused = true)]
async fn standard_headers_are_sent() {
    let (transport, seen) = capture_request(reply(200));
    let cfg = ClientConfig::new(Environment::custom("http://127.0.0.1:9/prefix/").unwrap())
        .with_transport(Arc::new(transport))
        .with_user_agent_suffix("billing-job/2");
    let client = client(&cfg);
    client.execute(post()).await.unwrap();
    client.execute(get()).await.unwrap();
    let seen = seen.requests();
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

#[tokio::test(start_paused = true)]
async fn per_attempt_timeout_ends_a_hanging_attempt_and_reads_retry() {
    let never = NeverTransport::new();
    let timeouts = TimeoutConfig::default().with_per_attempt(Duration::from_secs(2));
    let cfg = config(never.clone()).with_timeouts(timeouts);
    let start = Instant::now();
    let err = client(&cfg).execute(get()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_eq!(err.attempts(), 3);
    assert_eq!(never.calls(), 3);
    assert!(start.elapsed() < Duration::from_secs(10));
}

#[tokio::test(start_paused = true)]
async fn total_timeout_bounds_the_whole_call_and_counts_what_was_sent() {
    let never = NeverTransport::new();
    let timeouts = TimeoutConfig::default()
        .with_per_attempt(Duration::from_secs(2))
        .with_total(Duration::from_secs(5));
    let cfg = config(never.clone()).with_timeouts(timeouts);
    let start = Instant::now();
    let err = client(&cfg).execute(get()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_eq!(start.elapsed(), Duration::from_secs(5));
    // Two attempts timed out (2 s each plus backoff) and a third was in flight at 5 s.
    assert_eq!(err.attempts() as usize, never.calls());
    assert!(err.attempts() >= 2, "{err:?}");
}

#[tokio::test]
async fn invalid_ids_never_reach_the_transport() {
    let mock = FixedTransport::new(reply(200));
    let _client = client(&config(mock.clone()));
    for bad in ["", "..", "a\u{7}"] {
        let err = ApiRequest::new(GET_OP)
            .path_id("balance_id", bad)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Validation);
    }
    assert_eq!(mock.calls(), 0);
}

#[test]
fn plain_http_off_loopback_is_refused() {
    let cfg = ClientConfig::new(Environment::custom("http://api.example.com").unwrap());
    let err = ApiClient::new(&cfg, Arc::new(NoAuth), Arc::new(GenericErrors)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    let cfg = cfg.with_allow_insecure_http(true);
    assert!(ApiClient::new(&cfg, Arc::new(NoAuth), Arc::new(GenericErrors)).is_ok());
}

#[derive(Debug)]
struct Keyed(Secret);

#[async_trait]
impl Signer for Keyed {
    async fn sign(&self, request: &mut HttpRequest) -> Result<()> {
        request
            .headers
            .insert("x-api-key", sensitive_header(self.0.expose())?);
        Ok(())
    }
}

#[tokio::test]
async fn debug_output_never_shows_credentials() {
    let (transport, seen) = capture_request(reply(200));
    let cfg = config(transport);
    let client = ApiClient::new(
        &cfg,
        Arc::new(Keyed(Secret::new("api-key-SECRET1"))),
        Arc::new(GenericErrors),
    )
    .unwrap();
    client.execute(get()).await.unwrap();
    let request = seen.expect_request();
    assert_eq!(request.headers["x-api-key"], "api-key-SECRET1");
    let shown = format!("{client:?} {cfg:?} {client:#?} {request:?}");
    assert!(!shown.contains("SECRET1"), "leaked in {shown}");
}
