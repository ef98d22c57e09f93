//! The accept loop: hyper connections over one axum router (the API operations, the admin
//! API, a fallback), with latency and faults applied to the API routes before the router
//! sees them. A custom loop rather than `axum::serve`, so that a fault can drop a connection
//! or truncate a body.
//!
//! Before any route sees a request, its target and body are held to the server's limits:
//! a target over [`MAX_URI_BYTES`] is 414, a body over [`MAX_BODY_BYTES`] is 413 (both with
//! the family's error body), and headers or a body that take longer than the configured read
//! timeout to arrive close the connection without a reply.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::header::{CONTENT_LENGTH, RETRY_AFTER};
use axum::http::{HeaderValue, Method, Request, StatusCode, Uri};
use axum::response::Response;
use http_body_util::{BodyExt as _, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::service::Service as _;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

use crate::admin;
use crate::codes::HttpCode;
use crate::faults::{FaultKind, InjectedDrop, truncated_body};
use crate::routes::{self, Api};
use crate::shared::Shared;

/// The largest request body read, in bytes; a larger one is 413.
pub(crate) const MAX_BODY_BYTES: usize = 64 * 1024;
/// The longest request target (path and query), in bytes; a longer one is 414. (hyper itself
/// refuses a request line that does not fit its read buffer, about 400 KiB, without a body.)
pub(crate) const MAX_URI_BYTES: usize = 8 * 1024;

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .merge(routes::api())
        .merge(admin::routes())
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(fallback)
        .with_state(shared)
}

fn is_admin(path: &str) -> bool {
    path == "/_sandbox" || path.starts_with("/_sandbox/")
}

async fn fallback(uri: Uri) -> Response {
    let path = uri.path();
    if is_admin(path) {
        admin::not_found()
    } else {
        Api::by_prefix(path).error(
            StatusCode::NOT_FOUND,
            HttpCode::RouteNotFound,
            &format!(
                "No such endpoint: {path} (is the base URL the API's, without an extra path?)"
            ),
        )
    }
}

async fn method_not_allowed(uri: Uri) -> Response {
    let path = uri.path();
    let message = format!("{path} does not serve this method");
    if is_admin(path) {
        admin::refusal(StatusCode::METHOD_NOT_ALLOWED, &message)
    } else {
        Api::by_prefix(path).error(
            StatusCode::METHOD_NOT_ALLOWED,
            HttpCode::MethodNotAllowed,
            &message,
        )
    }
}

/// A refusal before routing (413, 414), in the format of the route the request was for.
fn refusal(path: &str, status: StatusCode, message: &str) -> Response {
    if is_admin(path) {
        admin::refusal(status, message)
    } else {
        let code = if status == StatusCode::PAYLOAD_TOO_LARGE {
            HttpCode::PayloadTooLarge
        } else {
            HttpCode::UriTooLong
        };
        Api::by_prefix(path).error(status, code, message)
    }
}

/// Why a connection is closed without a reply.
#[derive(Debug)]
enum Dropped {
    /// An injected `DropConnection` fault.
    Injected(InjectedDrop),
    /// The body did not arrive within the read timeout.
    ReadTimeout,
    /// The body could not be read (the client went away, a malformed chunk).
    Body(String),
}

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Dropped::Injected(drop) => drop.fmt(f),
            Dropped::ReadTimeout => f.write_str("the request body did not arrive in time"),
            Dropped::Body(why) => write!(f, "the request body could not be read: {why}"),
        }
    }
}

impl std::error::Error for Dropped {}

/// Accepts connections until the task is aborted; dropping the task drops every connection.
pub(crate) async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    let router = router(Arc::clone(&shared));
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    let _ = stream.set_nodelay(true);
                    let shared = Arc::clone(&shared);
                    let shared_timeout = shared.read_timeout;
                    let router = router.clone();
                    connections.spawn(async move {
                        let service = hyper::service::service_fn(move |request| {
                            handle(Arc::clone(&shared), router.clone(), request)
                        });
                        let result = hyper::server::conn::http1::Builder::new()
                            .timer(TokioTimer::new())
                            .header_read_timeout(shared_timeout)
                            .serve_connection(TokioIo::new(stream), service)
                            .await;
                        if let Err(e) = result {
                            tracing::debug!(error = %e, "connection ended with an error");
                        }
                    });
                }
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// One request: its target and body held to the limits, then admin and unknown routes go
/// straight to the router; API routes take a token of the rate limit (429 without one), then
/// get the configured latency and maybe a fault.
async fn handle(
    shared: Arc<Shared>,
    router: Router,
    request: Request<Incoming>,
) -> Result<Response, Dropped> {
    let path = request.uri().path().to_owned();
    let target = request
        .uri()
        .path_and_query()
        .map_or(0, |p| p.as_str().len());
    if target > MAX_URI_BYTES {
        return Ok(refusal(
            &path,
            StatusCode::URI_TOO_LONG,
            &format!("The request target is {target} bytes; at most {MAX_URI_BYTES} are served"),
        ));
    }
    let request = match read_body(request, shared.read_timeout).await? {
        Ok(request) => request,
        Err(too_large) => return Ok(refusal(&path, StatusCode::PAYLOAD_TOO_LARGE, &too_large)),
    };
    let Some(api) = Api::of(request.uri().path()) else {
        if request.uri().path().starts_with("/_sandbox") {
            shared.injector.count_admin();
        }
        return Ok(call(router, request).await);
    };
    if let Err(retry_after) = shared.limiter.take(std::time::Instant::now()) {
        shared.injector.count_rate_limited();
        let mut reply = api.error(
            StatusCode::TOO_MANY_REQUESTS,
            HttpCode::TooManyRequests,
            "Rate limit exceeded: slow down and retry after the Retry-After seconds",
        );
        reply
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(retry_after));
        return Ok(reply);
    }
    let plan = shared.injector.plan();
    if !plan.latency.is_zero() {
        tokio::time::sleep(plan.latency).await;
    }
    let Some(fault) = plan.fault else {
        return Ok(call(router, request).await);
    };
    tracing::debug!(?fault, path = request.uri().path(), "injecting a fault");
    // A POST's 500, 503 or dropped connection may strike after the change was made: the
    // client cannot tell whether it happened (the "outcome unknown" case).
    let after = plan.after
        && request.method() == Method::POST
        && matches!(
            fault,
            FaultKind::InternalServerError
                | FaultKind::ServiceUnavailable
                | FaultKind::DropConnection
        );
    if after {
        let processed = call(router.clone(), request).await;
        drop(processed);
        shared.injector.count_after_processing();
        return match fault {
            FaultKind::DropConnection => Err(Dropped::Injected(InjectedDrop)),
            kind => Ok(status_fault(api, kind, plan.retry_after_secs)),
        };
    }
    let reply = match fault {
        FaultKind::DropConnection => return Err(Dropped::Injected(InjectedDrop)),
        FaultKind::TruncatedBody => {
            let (mut parts, body) = call(router, request).await.into_parts();
            let full = axum::body::to_bytes(body, usize::MAX)
                .await
                .unwrap_or_default();
            parts
                .headers
                .insert(CONTENT_LENGTH, HeaderValue::from(full.len()));
            Response::from_parts(parts, truncated_body(&full))
        }
        kind => status_fault(api, kind, plan.retry_after_secs),
    };
    Ok(reply)
}

/// The reply of an injected 500, 503 or 429 in the family's format.
fn status_fault(api: Api, kind: FaultKind, retry_after_secs: u32) -> Response {
    match kind {
        FaultKind::ServiceUnavailable => api.error(
            StatusCode::SERVICE_UNAVAILABLE,
            HttpCode::ServiceUnavailable,
            "Injected fault: service unavailable",
        ),
        FaultKind::TooManyRequests => {
            let mut reply = api.error(
                StatusCode::TOO_MANY_REQUESTS,
                HttpCode::TooManyRequests,
                "Injected fault: too many requests",
            );
            reply
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(retry_after_secs));
            reply
        }
        _ => api.error(
            StatusCode::INTERNAL_SERVER_ERROR,
            HttpCode::InternalServerError,
            "Injected fault: internal server error",
        ),
    }
}

/// Reads the whole body within `timeout`: the request with its body in memory, or the 413
/// message when the body is over [`MAX_BODY_BYTES`] (announced or sent). A body that does not
/// arrive in time, or cannot be read, drops the connection.
async fn read_body(
    request: Request<Incoming>,
    timeout: Duration,
) -> Result<Result<Request<Body>, String>, Dropped> {
    let too_large = || {
        format!("The request body is larger than the {MAX_BODY_BYTES} bytes this server accepts")
    };
    let announced = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Ok(Err(too_large()));
    }
    let (parts, body) = request.into_parts();
    let read = tokio::time::timeout(timeout, Limited::new(body, MAX_BODY_BYTES).collect());
    match read.await {
        Err(_elapsed) => {
            tracing::debug!(path = parts.uri.path(), "request body timed out");
            Err(Dropped::ReadTimeout)
        }
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => Ok(Err(too_large())),
        Ok(Err(e)) => Err(Dropped::Body(e.to_string())),
        Ok(Ok(collected)) => Ok(Ok(Request::from_parts(
            parts,
            Body::from(collected.to_bytes()),
        ))),
    }
}

async fn call(router: Router, request: Request<Body>) -> Response {
    match TowerToHyperService::new(router).call(request).await {
        Ok(reply) => reply,
        Err(never) => match never {},
    }
}
