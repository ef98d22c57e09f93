//! The one trait a transport implements: send a request, return the reply.

use std::fmt;

use async_trait::async_trait;
use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};

use crate::Error;

/// A request ready for the wire: absolute URL, headers (auth included), body.
#[derive(Clone)]
#[non_exhaustive]
pub struct HttpRequest {
    /// The method.
    pub method: Method,
    /// The absolute URL, path and query already percent-encoded.
    pub url: String,
    /// The headers. Credential values are marked sensitive.
    pub headers: HeaderMap,
    /// The body (empty for GET).
    pub body: Bytes,
}

impl HttpRequest {
    /// A request with no headers and no body.
    pub fn new(method: Method, url: impl Into<String>) -> Self {
        Self {
            method,
            url: url.into(),
            headers: HeaderMap::new(),
            body: Bytes::new(),
        }
    }
}

/// Headers whose values are never printed.
const REDACTED: &[&str] = &[
    "authorization",
    "x-api-key",
    "cookie",
    "set-cookie",
    "proxy-authorization",
];

pub(crate) struct RedactedHeaders<'a>(pub(crate) &'a HeaderMap);

impl fmt::Debug for RedactedHeaders<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut m = f.debug_map();
        for (name, value) in self.0 {
            if REDACTED.contains(&name.as_str()) || value.is_sensitive() {
                m.entry(&name.as_str(), &"<redacted>");
            } else {
                m.entry(&name.as_str(), &value.to_str().unwrap_or("<binary>"));
            }
        }
        m.finish()
    }
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &RedactedHeaders(&self.headers))
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// A reply: status, headers, the whole body.
#[derive(Clone)]
#[non_exhaustive]
pub struct HttpResponse {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body, read in full (within the configured size limit).
    pub body: Bytes,
}

impl HttpResponse {
    /// A reply with a status and body, no headers.
    pub fn new(status: StatusCode, body: impl Into<Bytes>) -> Self {
        Self {
            status,
            headers: HeaderMap::new(),
            body: body.into(),
        }
    }

    /// Adds a header (builder style, for tests and custom transports).
    pub fn with_header(mut self, name: &'static str, value: &str) -> Self {
        if let Ok(v) = value.parse() {
            self.headers.insert(name, v);
        }
        self
    }
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status.as_u16())
            .field("headers", &RedactedHeaders(&self.headers))
            .field("body", &crate::error::snippet(&self.body))
            .finish()
    }
}

/// Sends one HTTP request. Implement it to plug in your own HTTP stack, a recorder, or a fake.
///
/// Return `Ok` for every reply that arrived, whatever its status; return an error of kind
/// [`Connect`](crate::ErrorKind::Connect) when the request was certainly not sent,
/// [`Timeout`](crate::ErrorKind::Timeout) or [`Transport`](crate::ErrorKind::Transport) when it may
/// have been. Retries, auth, timeouts and error mapping happen above this trait.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait HttpTransport: Send + Sync + fmt::Debug {
    /// Sends `request` and reads the whole reply.
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, Error>;
}
