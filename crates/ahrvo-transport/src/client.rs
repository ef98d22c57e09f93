//! The call pipeline: render → sign → send (per-attempt timeout) → map errors → retry, all under
//! a whole-call timeout and one tracing span. Domain crates hold an [`ApiClient`] and decode.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

// tokio's clock: the same one the timeouts and backoff sleeps run on (and that tests can pause).
use tokio::time::Instant;

use http::{HeaderValue, header};
use tracing::{Instrument, field};

use std::sync::atomic::{AtomicU32, Ordering};

use crate::decode::error_from_response;
use crate::retry::jitter;
use crate::{
    ApiRequest, ClientConfig, Error, ErrorDecoder, ErrorKind, HttpRequest, HttpResponse,
    HttpTransport, ReqwestTransport, RetryConfig, Signer, TimeoutConfig,
};

/// The `User-Agent` product token of this SDK.
pub const USER_AGENT: &str = concat!("ahrvo-rs/", env!("CARGO_PKG_VERSION"));

/// Sends operations for one API family: its [`Signer`] puts the credentials on each request, its
/// [`ErrorDecoder`] reads its error bodies. Cheap to clone (one `Arc`), `Send + Sync`: share one
/// per process so connections are pooled.
#[derive(Clone)]
pub struct ApiClient {
    inner: Arc<Inner>,
}

struct Inner {
    base_url: String,
    transport: Arc<dyn HttpTransport>,
    signer: Arc<dyn Signer>,
    errors: Arc<dyn ErrorDecoder>,
    retry: RetryConfig,
    timeouts: TimeoutConfig,
    user_agent: HeaderValue,
}

impl ApiClient {
    /// Checks the configuration and builds the client (and, unless one was given, the default
    /// transport) for the family whose signer and error decoder are given.
    pub fn new(
        config: &ClientConfig,
        signer: Arc<dyn Signer>,
        errors: Arc<dyn ErrorDecoder>,
    ) -> Result<Self, Error> {
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
                signer,
                errors,
                retry: config.retry.clone(),
                timeouts: config.timeouts.clone(),
                user_agent,
            }),
        })
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// Sends the request and returns the 2xx reply; any other status, or a failure, is an
    /// [`Error`] after the retry policy has had its say. Decoding the reply into `O` is the
    /// family crate's job (envelopes differ).
    pub async fn execute<O>(&self, request: ApiRequest<O>) -> Result<HttpResponse, Error> {
        self.execute_counted(request)
            .await
            .map(|(response, _)| response)
    }

    /// [`execute`](Self::execute), also saying how many requests were sent for the reply
    /// (1 without retries). An error says it itself ([`Error::attempts`]). For callers that
    /// report their retries (an exactly-once write, a load test).
    pub async fn execute_counted<O>(
        &self,
        mut request: ApiRequest<O>,
    ) -> Result<(HttpResponse, u32), Error> {
        let op = request.operation().clone();
        let target = request.target().map_err(|e| e.with_operation(op.id()))?;
        let url = format!("{}{}", self.inner.base_url, target);
        let body = request.take_body();
        let headers = request.take_headers();
        let resend = request.resend();
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
        // Counted outside the attempt loop, so a whole-call timeout still says how many were sent.
        let sent = AtomicU32::new(0);
        let call = Call {
            op: &op,
            url,
            body,
            headers,
            resend,
            sent: &sent,
        };
        let run = self.run(call).instrument(span.clone());
        match tokio::time::timeout(total, run).await {
            Ok(result) => result.map(|response| (response, sent.load(Ordering::Relaxed))),
            Err(_) => {
                span.in_scope(|| {
                    tracing::warn!(total_ms = total.as_millis() as u64, "call timed out")
                });
                let mut error = Error::new(
                    ErrorKind::Timeout,
                    format!("the call did not complete within {total:?}"),
                )
                .with_operation(op.id());
                error.set_attempts(sent.load(Ordering::Relaxed));
                Err(error)
            }
        }
    }

    async fn run(&self, call: Call<'_>) -> Result<HttpResponse, Error> {
        let inner = &*self.inner;
        let Call {
            op,
            url,
            body,
            headers,
            resend,
            sent,
        } = call;
        let started = Instant::now();
        let mut attempt = 0u32;
        let mut refreshed = false;
        let mut prior_unknown = false;
        loop {
            attempt += 1;
            let mut request = HttpRequest::new(op.method().clone(), url.clone());
            request
                .headers
                .insert(header::ACCEPT, HeaderValue::from_static("application/json"));
            request
                .headers
                .insert(header::USER_AGENT, inner.user_agent.clone());
            if let Some(body) = &body {
                request.headers.insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                );
                request.body = body.clone();
            }
            for (name, value) in &headers {
                request.headers.insert(name.clone(), value.clone());
            }
            inner
                .signer
                .sign(&mut request)
                .await
                .map_err(|e| e.with_operation(op.id()))?;
            // Kept only for a 401, when the signer compares the refused credential with its own.
            let refused = (!refreshed).then(|| request.clone());

            let started_attempt = Instant::now();
            sent.fetch_add(1, Ordering::Relaxed);
            let outcome = match tokio::time::timeout(
                inner.timeouts.per_attempt,
                inner.transport.send(request),
            )
            .await
            {
                Ok(Ok(resp)) if resp.status.is_success() => Ok(resp),
                Ok(Ok(resp)) => Err(error_from_response(op.id(), resp, &*inner.errors)),
                Ok(Err(e)) => Err(e.with_operation(op.id())),
                Err(_) => Err(Error::new(
                    ErrorKind::Timeout,
                    format!("no reply within {:?}", inner.timeouts.per_attempt),
                )
                .with_operation(op.id())),
            };
            let latency = started_attempt.elapsed();
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
            if let (ErrorKind::Unauthorized, Some(refused)) = (error.kind(), refused) {
                refreshed = true;
                let fresh = inner
                    .signer
                    .refresh(&refused)
                    .await
                    .map_err(|e| e.with_operation(op.id()))?;
                if fresh {
                    tracing::debug!("401: the signer has a fresh credential; trying once more");
                    continue;
                }
            }
            let decision = inner
                .retry
                .decide(&error, attempt, started.elapsed(), resend, jitter());
            error.set_prior_outcome_unknown(prior_unknown);
            // Only a write can have been applied by an attempt that failed; a read's outcome is
            // its reply.
            prior_unknown |= !op.is_idempotent()
                && (error.is_outcome_unknown() || error.kind() == ErrorKind::Server);
            match decision {
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
                    let max = inner.retry.max_retry_after;
                    if let Some(after) = error.retry_after().filter(|after| *after > max) {
                        error = error.with_context(format!(
                            "the server asked to wait {after:?} before trying again, longer than \
                             the {max:?} this client waits (RetryConfig::max_retry_after)"
                        ));
                    }
                    tracing::debug!(error = %error, attempt, "giving up");
                    error.set_attempts(sent.load(Ordering::Relaxed));
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
            .field("signer", &self.inner.signer)
            .field("errors", &self.inner.errors)
            .field("retry", &self.inner.retry)
            .field("timeouts", &self.inner.timeouts)
            .field("transport", &self.inner.transport)
            .finish()
    }
}

/// One call's fixed parts, handed to the attempt loop.
struct Call<'a> {
    op: &'a crate::OperationInfo,
    url: String,
    body: Option<bytes::Bytes>,
    headers: Vec<(http::HeaderName, HeaderValue)>,
    resend: crate::Resend,
    sent: &'a AtomicU32,
}
