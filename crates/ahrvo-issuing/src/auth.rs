//! Issuing credentials: an API key (`x-api-key`) and Bearer access tokens from a
//! [`TokenProvider`], put on each request by the transport's [`Signer`] seam.

use std::fmt;
use std::sync::Arc;

use ahrvo_transport::{Error, HttpRequest, Secret, Signer, sensitive_header};
use async_trait::async_trait;
use http::header::AUTHORIZATION;

/// Where Issuing access tokens come from. Tokens expire: implement this to fetch and cache them.
///
/// The SDK calls `access_token(false)` before each request. When the API answers 401 it calls
/// `access_token(true)` once; if that token differs from the refused one, the request is sent
/// once more with it, otherwise the 401 is returned.
///
/// ```
/// use ahrvo_issuing::{Error, Secret, TokenProvider};
///
/// #[derive(Debug)]
/// struct FromVault;
///
/// #[async_trait::async_trait]
/// impl TokenProvider for FromVault {
///     async fn access_token(&self, refresh: bool) -> Result<Secret, Error> {
///         // Fetch (and cache) a token; fetch a new one when `refresh` is true.
///         Ok(Secret::new(if refresh { "fresh-token" } else { "cached-token" }))
///     }
/// }
/// ```
#[async_trait]
pub trait TokenProvider: Send + Sync + fmt::Debug {
    /// A token to use; `refresh` is true after the API refused the previous one.
    async fn access_token(&self, refresh: bool) -> Result<Secret, Error>;
}

/// A fixed access token: a 401 is final (it is not sent again with the same token).
#[derive(Debug, Clone)]
pub struct StaticToken(pub Secret);

#[async_trait]
impl TokenProvider for StaticToken {
    async fn access_token(&self, _refresh: bool) -> Result<Secret, Error> {
        Ok(self.0.clone())
    }
}

/// Issuing credentials: an API key (`x-api-key`) and a source of Bearer access tokens.
///
/// `Debug` shows neither.
///
/// ```
/// use ahrvo_issuing::IssuingCredentials;
///
/// let credentials = IssuingCredentials::new("my-api-key", "my-access-token");
/// assert!(!format!("{credentials:?}").contains("my-api-key"));
/// ```
#[derive(Clone, Debug)]
pub struct IssuingCredentials {
    api_key: Secret,
    tokens: Arc<dyn TokenProvider>,
}

impl IssuingCredentials {
    /// An API key and a fixed access token.
    pub fn new(api_key: impl Into<Secret>, access_token: impl Into<Secret>) -> Self {
        Self::with_token_provider(api_key, StaticToken(access_token.into()))
    }

    /// An API key and a [`TokenProvider`] that fetches and refreshes access tokens.
    pub fn with_token_provider(
        api_key: impl Into<Secret>,
        tokens: impl TokenProvider + 'static,
    ) -> Self {
        Self {
            api_key: api_key.into(),
            tokens: Arc::new(tokens),
        }
    }
}

fn bearer(token: &Secret) -> Result<http::HeaderValue, Error> {
    sensitive_header(&format!("Bearer {}", token.expose()))
}

#[async_trait]
impl Signer for IssuingCredentials {
    async fn sign(&self, request: &mut HttpRequest) -> Result<(), Error> {
        let token = self.tokens.access_token(false).await?;
        request.headers.insert(AUTHORIZATION, bearer(&token)?);
        request
            .headers
            .insert("x-api-key", sensitive_header(self.api_key.expose())?);
        Ok(())
    }

    /// Asks the provider for a fresh token; worth another attempt only if it differs from the
    /// one the API refused.
    async fn refresh(&self, refused: &HttpRequest) -> Result<bool, Error> {
        let fresh = self.tokens.access_token(true).await?;
        Ok(refused.headers.get(AUTHORIZATION) != Some(&bearer(&fresh)?))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use ahrvo_transport::Method;

    use super::*;

    #[tokio::test]
    async fn headers_are_set_sensitive_and_never_printed() {
        let c = IssuingCredentials::new("key-123", "tok-456");
        let mut r = HttpRequest::new(Method::GET, "https://x.test/");
        c.sign(&mut r).await.unwrap();
        assert_eq!(r.headers["authorization"], "Bearer tok-456");
        assert_eq!(r.headers["x-api-key"], "key-123");
        assert!(r.headers["authorization"].is_sensitive() && r.headers["x-api-key"].is_sensitive());
        let shown = format!("{r:?}{c:?}");
        assert!(
            !shown.contains("tok-456") && !shown.contains("key-123"),
            "{shown}"
        );
    }

    #[tokio::test]
    async fn a_fixed_token_is_not_worth_a_second_attempt() {
        let c = IssuingCredentials::new("k", "t");
        let mut r = HttpRequest::new(Method::GET, "https://x.test/");
        c.sign(&mut r).await.unwrap();
        assert!(!c.refresh(&r).await.unwrap());
    }

    #[derive(Debug, Default)]
    struct Rotating(AtomicU32);

    #[async_trait]
    impl TokenProvider for Rotating {
        async fn access_token(&self, refresh: bool) -> Result<Secret, Error> {
            if refresh {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
            Ok(Secret::new(format!("t{}", self.0.load(Ordering::SeqCst))))
        }
    }

    #[tokio::test]
    async fn a_rotated_token_is_worth_a_second_attempt_and_is_used() {
        let c = IssuingCredentials::with_token_provider("k", Rotating::default());
        let mut r = HttpRequest::new(Method::GET, "https://x.test/");
        c.sign(&mut r).await.unwrap();
        assert_eq!(r.headers["authorization"], "Bearer t0");
        assert!(c.refresh(&r).await.unwrap());
        c.sign(&mut r).await.unwrap();
        assert_eq!(r.headers["authorization"], "Bearer t1");
    }
}
