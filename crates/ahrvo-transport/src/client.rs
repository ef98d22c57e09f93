//! The call pipeline: render → sign → send (per-attempt timeout) → map errors → retry, all under
//! a whole-call timeout and one tracing span. Domain crates hold an [`ApiClient`] and decode.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http::{HeaderMap, HeaderValue, header};
use tracing::{Instrument, field};

use crate::decode::error_from_response;
use crate::retry::Jitter;
use crate::{
    ApiRequest, Auth, ClientConfig, Error, ErrorKind, HttpRequest, HttpResponse, HttpTransport,
    ReqwestTransport, RetryConfig, TimeoutConfig,
};

/// The `User-Agent` product token of this SDK.
pub const USER_AGENT: &str = concat!("ahrvo-rs/", env!("CARGO_PKG_VERSION"));

/// Sends operations for one API family with one set of credentials. Cheap to clone (one `Arc`),
/// `Send + Sync`: share one per process so connections are pooled.
#[derive(Clone)]
pub struct ApiClient {
    inner: Arc<Inner>,
}

struct Inner {
    base_url: String,
    transport: Arc<dyn HttpTransport>,
    auth: Auth,
    retry: RetryConfig,
    timeouts: TimeoutConfig,
    user_agent: HeaderValue,
    jitter: Jitter,
}

impl ApiClient {
    /// Checks the configuration and builds the client (and, unless one was given, the default
    /// transport).
    pub fn new(config: &ClientConfig, auth: Auth) -> Result<Self, Error> {
        config.environment.validate(config.allow_insecure_http)?;
        let transport: Arc<dyn HttpTransport> = match &config.transport {
            Some(t) => t.clone(),
            None => Arc::new(ReqwestTransport::new(config)?),
        };
        let ua = match &config.user_agent_suffix {
            Some(s) => format!("{USER_AGENT} {s}"),
            None => USER_AGENT.to_owned(),
        };
        let user_agent = HeaderValue::from_str(&ua)
            .map_err(|_| Error::config("the user-agent suffix is not a valid header value"))?;
        Ok(Self {
            inner: Arc::new(Inner {
                base_url: config.environment.base_url(),
                transport,
                auth,
                retry: config.retry.clone(),
                timeouts: config.timeouts.clone(),
                user_agent,
                jitter: Jitter::new(),
            }),
        })
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// Sends the request and returns the 2xx reply; any other status, or a failure, is an
    /// [`Error`] after the retry policy has had its say.
    pub async fn execute(&self, mut request: ApiRequest) -> Result<HttpResponse, Error> {
        let op = request.operation().clone();
        let target = request.target().map_err(|e| e.with_operation(op.id()))?;
        let url = format!("{}{}", self.inner.base_url, target);
        let body = request.take_body();
        let span = tracing::info_span!(
            "ahrvo.request",
            operation = op.id(),
            method = %op.method(),
            path = op.path(),
            status = field::Empty,
            attempt = field::Empty,
            latency_ms = field::Empty,
        );
        let total = self.inner.timeouts.total;
        let run = self.run(&op, url, body).instrument(span.clone());
        match tokio::time::timeout(total, run).await {
            Ok(result) => result,
            Err(_) => {
                span.in_scope(|| {
                    tracing::warn!(total_ms = total.as_millis() as u64, "call timed out")
                });
                Err(Error::new(
                    ErrorKind::Timeout,
                    format!("the call did not complete within {total:?}"),
                )
                .with_operation(op.id()))
            }
        }
    }

    async fn run(
        &self,
        op: &crate::Operation,
        url: String,
        body: Option<bytes::Bytes>,
    ) -> Result<HttpResponse, Error> {
        let inner = &*self.inner;
        let started = Instant::now();
        let idempotent = op.is_idempotent();
        let mut attempt = 0u32;
        let mut refresh_token = false;
        let mut refreshed = false;
        loop {
            attempt += 1;
            let mut headers = HeaderMap::with_capacity(6);
            headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
            headers.insert(header::USER_AGENT, inner.user_agent.clone());
            if body.is_some() {
                headers.insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                );
            }
            inner
                .auth
                .apply(&mut headers, refresh_token)
                .await
                .map_err(|e| e.with_operation(op.id()))?;
            refresh_token = false;
            let mut request = HttpRequest::new(op.method().clone(), url.clone());
            request.headers = headers;
            request.body = body.clone().unwrap_or_default();

            let sent = Instant::now();
            let outcome = match tokio::time::timeout(
                inner.timeouts.per_attempt,
                inner.transport.send(request),
            )
            .await
            {
                Ok(Ok(resp)) if resp.status.is_success() => Ok(resp),
                Ok(Ok(resp)) => Err(error_from_response(op.id(), resp)),
                Ok(Err(e)) => Err(e.with_operation(op.id())),
                Err(_) => Err(Error::new(
                    ErrorKind::Timeout,
                    format!("no reply within {:?}", inner.timeouts.per_attempt),
                )
                .with_operation(op.id())),
            };
            let latency = sent.elapsed();
            let span = tracing::Span::current();
            span.record("attempt", attempt);
            span.record("latency_ms", latency.as_millis() as u64);
            match &outcome {
                Ok(r) => span.record("status", r.status.as_u16()),
                Err(e) => span.record("status", e.status().map_or(0, |s| s.as_u16())),
            };
            let mut error = match outcome {
                Ok(resp) => {
                    tracing::debug!(status = resp.status.as_u16(), attempt, "ok");
                    return Ok(resp);
                }
                Err(e) => e,
            };
            if error.kind() == ErrorKind::Unauthorized && inner.auth.can_refresh() && !refreshed {
                tracing::debug!("401: refreshing the access token and trying once more");
                refreshed = true;
                refresh_token = true;
                continue;
            }
            let jitter = inner.jitter.next();
            match inner
                .retry
                .decide(&error, attempt, started.elapsed(), idempotent, jitter)
            {
                Some(delay) => {
                    tracing::warn!(
                        error = %error,
                        attempt,
                        delay_ms = delay.as_millis() as u64,
                        "retrying"
                    );
                    tokio::time::sleep(delay).await;
                }
                None => {
                    tracing::debug!(error = %error, attempt, "giving up");
                    error.set_attempts(attempt);
                    return Err(error);
                }
            }
        }
    }

    /// The retry policy in force.
    pub fn retry_config(&self) -> &RetryConfig {
        &self.inner.retry
    }

    /// The per-attempt timeout in force.
    pub fn per_attempt_timeout(&self) -> Duration {
        self.inner.timeouts.per_attempt
    }

    /// The whole-call timeout in force: the bound of one [`execute`](Self::execute), retries and
    /// backoff included.
    pub fn total_timeout(&self) -> Duration {
        self.inner.timeouts.total
    }
}

impl fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiClient")
            .field("base_url", &self.inner.base_url)
            .field("auth", &self.inner.auth)
            .field("retry", &self.inner.retry)
            .field("timeouts", &self.inner.timeouts)
            .field("transport", &self.inner.transport)
            .finish()
    }
}
