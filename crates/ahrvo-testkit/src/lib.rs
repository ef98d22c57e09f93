//! Test helpers for the SDK's own tests: a loopback HTTP server that records every request it
//! receives exactly as it arrived (raw path and query, headers, body) and answers with scripted
//! replies. Published only so that the SDK crates' packaged tests build from crates.io (their
//! dev-dependency needs a version); its API follows their tests, with no stability promise.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::{Body, Bytes, to_bytes};
use axum::http::{HeaderMap, Request, StatusCode};
use axum::response::Response;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The raw path, percent-encoding intact.
    pub path: String,
    /// The raw query string, if any.
    pub query: Option<String>,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
}

impl Recorded {
    /// A header's value as a string ("" when absent).
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

/// A scripted reply.
#[derive(Debug, Clone)]
pub struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Bytes,
}

impl Reply {
    /// A reply with a status and a body (sent as `application/json`).
    pub fn new(status: u16, body: impl Into<Bytes>) -> Self {
        Self {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.into(),
        }
    }

    /// Replaces the content type.
    pub fn content_type(mut self, value: &str) -> Self {
        self.headers.retain(|(n, _)| n != "content-type");
        self.headers.push(("content-type".into(), value.into()));
        self
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

#[derive(Default)]
struct Shared {
    requests: Vec<Recorded>,
    replies: VecDeque<Reply>,
    fallback: Option<Reply>,
}

/// The server. Dropping it shuts it down.
#[derive(Debug)]
pub struct RecordingServer {
    url: String,
    shared: Arc<Mutex<Shared>>,
    _shutdown: oneshot::Sender<()>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Shared({} requests)", self.requests.len())
    }
}

impl RecordingServer {
    /// Starts on 127.0.0.1 with an ephemeral port.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let url = format!("http://{}", listener.local_addr().expect("local addr"));
        let shared = Arc::new(Mutex::new(Shared::default()));
        let state = shared.clone();
        let app = axum::Router::new().fallback(move |req: Request<Body>| {
            let state = state.clone();
            async move { handle(state, req).await }
        });
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Self {
            url,
            shared,
            _shutdown: tx,
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Queues a reply for the next request.
    pub fn push(&self, reply: Reply) {
        self.lock().replies.push_back(reply);
    }

    /// The reply used when the queue is empty.
    pub fn set_fallback(&self, reply: Reply) {
        self.lock().fallback = Some(reply);
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.lock().requests.clone()
    }

    /// The only request received; panics unless exactly one arrived.
    pub fn single_request(&self) -> Recorded {
        let r = self.requests();
        assert_eq!(r.len(), 1, "expected exactly one request, got {r:#?}");
        r.into_iter().next().expect("one request")
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

async fn handle(state: Arc<Mutex<Shared>>, req: Request<Body>) -> Response {
    let (parts, body) = req.into_parts();
    let body = to_bytes(body, 64 * 1024 * 1024).await.unwrap_or_default();
    let reply = {
        let mut s = state.lock().unwrap_or_else(PoisonError::into_inner);
        s.requests.push(Recorded {
            method: parts.method.to_string(),
            path: parts.uri.path().to_owned(),
            query: parts.uri.query().map(str::to_owned),
            headers: parts.headers,
            body,
        });
        s.replies.pop_front().or_else(|| s.fallback.clone())
    };
    let reply = reply.unwrap_or_else(|| Reply::new(599, r#"{"message":"no scripted reply"}"#));
    let mut builder = Response::builder()
        .status(StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
    for (n, v) in &reply.headers {
        builder = builder.header(n, v);
    }
    builder
        .body(Body::from(reply.body))
        .unwrap_or_else(|_| Response::new(Body::empty()))
}
