//! The accept loop: hyper connections over one axum router (the five operations, the admin
//! API, a fallback), with latency and faults applied to the API routes before the router
//! sees them. A custom loop rather than `axum::serve`, so that a fault can drop a connection
//! or truncate a body.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::header::{CONTENT_LENGTH, RETRY_AFTER};
use axum::http::{HeaderValue, Request, StatusCode, Uri};
use axum::response::Response;
use hyper::body::Incoming;
use hyper::service::Service as _;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

use crate::admin;
use crate::faults::{FaultKind, InjectedDrop, truncated_body};
use crate::routes::{self, Api};
use crate::shared::Shared;

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .merge(routes::api())
        .merge(admin::routes())
        .fallback(fallback)
        .with_state(shared)
}

async fn fallback(uri: Uri) -> Response {
    let path = uri.path();
    if path == "/_sandbox" || path.starts_with("/_sandbox/") {
        admin::not_found()
    } else if path.starts_with("/payments/") {
        Api::Payments.error(StatusCode::NOT_FOUND, "NOT_FOUND", "Resource not found")
    } else {
        Api::Issuing.error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            &format!("No such endpoint: {path}"),
        )
    }
}

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
                    let router = router.clone();
                    connections.spawn(async move {
                        let service = hyper::service::service_fn(move |request| {
                            handle(Arc::clone(&shared), router.clone(), request)
                        });
                        let result = hyper::server::conn::http1::Builder::new()
                            .timer(TokioTimer::new())
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

/// One request: admin and unknown routes go straight to the router; API routes get the
/// configured latency and maybe a fault.
async fn handle(
    shared: Arc<Shared>,
    router: Router,
    request: Request<Incoming>,
) -> Result<Response, InjectedDrop> {
    let Some(api) = Api::of(request.uri().path()) else {
        if request.uri().path().starts_with("/_sandbox") {
            shared.injector.count_admin();
        }
        return Ok(call(router, request).await);
    };
    let plan = shared.injector.plan();
    if !plan.latency.is_zero() {
        tokio::time::sleep(plan.latency).await;
    }
    let Some(fault) = plan.fault else {
        return Ok(call(router, request).await);
    };
    tracing::debug!(?fault, path = request.uri().path(), "injecting a fault");
    let reply = match fault {
        FaultKind::DropConnection => return Err(InjectedDrop),
        FaultKind::InternalServerError => api.error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL_SERVER_ERROR",
            "Injected fault: internal server error",
        ),
        FaultKind::ServiceUnavailable => api.error(
            StatusCode::SERVICE_UNAVAILABLE,
            "SERVICE_UNAVAILABLE",
            "Injected fault: service unavailable",
        ),
        FaultKind::TooManyRequests => {
            let mut reply = api.error(
                StatusCode::TOO_MANY_REQUESTS,
                "TOO_MANY_REQUESTS",
                "Injected fault: too many requests",
            );
            reply
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(plan.retry_after_secs));
            reply
        }
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
    };
    Ok(reply)
}

async fn call(router: Router, request: Request<Incoming>) -> Response {
    match TowerToHyperService::new(router).call(request).await {
        Ok(reply) => reply,
        Err(never) => match never {},
    }
}
