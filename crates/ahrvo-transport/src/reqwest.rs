//! The default transport, on reqwest (rustls by default, no OpenSSL).

use async_trait::async_trait;
use bytes::{Bytes, BytesMut};

use crate::{ClientConfig, Error, ErrorKind, HttpRequest, HttpResponse, HttpTransport};

/// The default [`HttpTransport`]: a pooled `reqwest::Client`, redirects off (an API that
/// redirects is answering something unexpected, and credentials must not follow it), reply bodies
/// read up to the configured limit.
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    client: reqwest::Client,
    max_response_bytes: usize,
}

impl ReqwestTransport {
    /// Builds a client with the configuration's connect timeout and body limit.
    pub fn new(config: &ClientConfig) -> Result<Self, Error> {
        let client = reqwest::Client::builder()
            .connect_timeout(config.timeouts.connect)
            .redirect(reqwest::redirect::Policy::none())
            .tcp_nodelay(true)
            .pool_idle_timeout(std::time::Duration::from_secs(60))
            .build()
            .map_err(|e| Error::config("could not build the HTTP client").with_source(e))?;
        Ok(Self::from_client(client, config.max_response_bytes))
    }

    /// Wraps a `reqwest::Client` you configured yourself (proxy, certificates, ...).
    pub fn from_client(client: reqwest::Client, max_response_bytes: usize) -> Self {
        Self {
            client,
            max_response_bytes,
        }
    }
}

fn map_err(e: reqwest::Error) -> Error {
    if let Some(protocol) = protocol_error(&e) {
        return protocol.with_source(e);
    }
    let kind = if e.is_connect() {
        ErrorKind::Connect
    } else if e.is_timeout() {
        ErrorKind::Timeout
    } else if e.is_builder() {
        ErrorKind::Config
    } else {
        ErrorKind::Transport
    };
    let message = match kind {
        ErrorKind::Connect => "could not connect",
        ErrorKind::Timeout => "no reply in time",
        ErrorKind::Config => "the request could not be built",
        _ => "the connection failed during the exchange",
    };
    Error::new(kind, message).with_source(e)
}

#[async_trait]
impl HttpTransport for ReqwestTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, Error> {
        // The pipeline's header map becomes the request's as is: `RequestBuilder::headers` would
        // hash and insert every header a second time.
        let mut http_request = self
            .client
            .request(request.method, &request.url)
            .build()
            .map_err(map_err)?;
        *http_request.headers_mut() = request.headers;
        if !request.body.is_empty() {
            *http_request.body_mut() = Some(request.body.into());
        }
        let mut response = self.client.execute(http_request).await.map_err(map_err)?;
        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        let limit = self.max_response_bytes;
        if response.content_length().is_some_and(|n| n > limit as u64) {
            return Err(too_large(limit));
        }
        let mut body =
            BytesMut::with_capacity(response.content_length().map_or(8 * 1024, |n| n as usize));
        while let Some(chunk) = response.chunk().await.map_err(|e| {
            protocol_error(&e)
                .unwrap_or_else(|| Error::new(ErrorKind::Transport, "the reply body was cut off"))
                .with_source(e)
        })? {
            if body.len() + chunk.len() > limit {
                return Err(too_large(limit));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(HttpResponse {
            status,
            headers,
            body: Bytes::from(body),
        })
    }
}

/// An [`ErrorKind::Protocol`] error when hyper refused to parse the reply: a garbage, HTTP/0.9
/// or unknown-version status line, an invalid header (a bare CR), conflicting lengths, a head
/// over hyper's size or header-count limit. The message is hyper's own description of the cause.
fn protocol_error(e: &reqwest::Error) -> Option<Error> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cause {
        if let Some(h) = c.downcast_ref::<hyper::Error>().filter(|h| h.is_parse()) {
            let mut message = h.to_string();
            // `is_parse_too_large` exists only with hyper's server feature.
            if message.contains("too large") {
                message.push_str(" (too many or too large headers)");
            }
            return Some(Error::new(ErrorKind::Protocol, message));
        }
        cause = c.source();
    }
    None
}

fn too_large(limit: usize) -> Error {
    Error::new(
        ErrorKind::ResponseTooLarge,
        format!("the reply is larger than the {limit}-byte limit"),
    )
}
