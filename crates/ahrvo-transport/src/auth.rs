//! Credentials and signing: a redacting [`Secret`], and the [`Signer`] seam through which each
//! API family (in its own crate) puts its credentials on a request.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use http::HeaderValue;

use crate::{Error, HttpRequest};

/// A credential (API key, access token, password). `Debug` and `Display` print `<redacted>`;
/// only [`expose`](Secret::expose) gives the value, and the SDK calls it only to build headers.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Arc<str>);

impl Secret {
    /// Wraps a credential.
    pub fn new(value: impl Into<String>) -> Self {
        Self(Arc::from(value.into()))
    }

    /// The credential itself. Never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Self::new(s)
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Self::new(s)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Puts credentials on a request. Each API family implements it in its own crate (Issuing's
/// Bearer + `x-api-key`, Payments' HTTP Basic); the pipeline calls it before every attempt.
///
/// ```
/// use ahrvo_transport::{HttpRequest, Method, Secret, Signer, sensitive_header};
///
/// #[derive(Debug)]
/// struct ApiKey(Secret);
///
/// #[async_trait::async_trait]
/// impl Signer for ApiKey {
///     async fn sign(&self, request: &mut HttpRequest) -> Result<(), ahrvo_transport::Error> {
///         request.headers.insert("x-api-key", sensitive_header(self.0.expose())?);
///         Ok(())
///     }
/// }
/// # tokio_test(async {
/// let mut request = HttpRequest::new(Method::GET, "https://example.test/");
/// ApiKey(Secret::new("k")).sign(&mut request).await.unwrap();
/// assert!(request.headers["x-api-key"].is_sensitive());
/// # });
/// # fn tokio_test(f: impl std::future::Future<Output = ()>) {
/// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// ```
#[async_trait]
pub trait Signer: Send + Sync + fmt::Debug {
    /// Adds the credentials to `request`, values marked sensitive (see [`sensitive_header`]).
    async fn sign(&self, request: &mut HttpRequest) -> Result<(), Error>;

    /// Called once when the API answered 401 to `refused`. Returns `true` only when a credential
    /// different from the refused one is now available, so that one more attempt may succeed;
    /// the pipeline then signs and sends the request once more. The default, for fixed
    /// credentials, is `false`: the 401 is the answer.
    async fn refresh(&self, refused: &HttpRequest) -> Result<bool, Error> {
        let _ = refused;
        Ok(false)
    }
}

/// Signs nothing: for unauthenticated endpoints and tests.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoAuth;

#[async_trait]
impl Signer for NoAuth {
    async fn sign(&self, _request: &mut HttpRequest) -> Result<(), Error> {
        Ok(())
    }
}

/// A header value marked sensitive, so no `Debug` of the headers shows it. A value that cannot
/// go in a header is a [`Config`](crate::ErrorKind::Config) error that does not quote it.
pub fn sensitive_header(value: &str) -> Result<HeaderValue, Error> {
    let mut v = HeaderValue::from_str(value).map_err(|_| {
        Error::config("a credential contains characters that cannot go in an HTTP header")
    })?;
    v.set_sensitive(true);
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_and_sensitive_headers_never_print() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s} {s:?}"), "<redacted> Secret(<redacted>)");
        assert_eq!(s.expose(), "hunter2");
        let h = sensitive_header("hunter2").unwrap();
        assert!(h.is_sensitive());
        let e = sensitive_header("a\nb").unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Config);
        assert!(!e.to_string().contains("a\nb"));
    }
}
