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
            Error::new(ErrorKind::Transport, "the reply body was cut off").with_source(e)
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

fn too_large(limit: usize) -> Error {
    Error::new(
        ErrorKind::ResponseTooLarge,
        format!("the reply is larger than the {limit}-byte limit"),
    )
}
