//! Credentials: a redacting [`Secret`], access-token sources, and how each API family signs a
//! request.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use http::{HeaderMap, HeaderValue, header};

use crate::Error;

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

/// Where Issuing access tokens come from. Tokens expire: implement this to fetch and cache them.
///
/// The SDK calls `access_token(false)` before a request. When the API answers 401 it calls
/// `access_token(true)` once, expecting a fresh token, and repeats the request once.
#[async_trait]
pub trait TokenProvider: Send + Sync + fmt::Debug {
    /// A token to use; `refresh` is true after the API refused the previous one.
    async fn access_token(&self, refresh: bool) -> Result<Secret, Error>;
}

/// A fixed access token.
#[derive(Debug, Clone)]
pub struct StaticToken(pub Secret);

#[async_trait]
impl TokenProvider for StaticToken {
    async fn access_token(&self, _refresh: bool) -> Result<Secret, Error> {
        Ok(self.0.clone())
    }
}

/// Issuing credentials: an API key (`x-api-key`) and a source of Bearer access tokens.
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

/// Payments credentials: HTTP Basic username and password.
#[derive(Clone, Debug)]
pub struct PaymentsCredentials {
    username: String,
    password: Secret,
}

impl PaymentsCredentials {
    /// A username and password.
    pub fn new(username: impl Into<String>, password: impl Into<Secret>) -> Self {
        Self {
            username: username.into(),
            password: password.into(),
        }
    }
}

/// How a client signs its requests.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Auth {
    /// `Authorization: Bearer <token>` and `x-api-key` (Issuing).
    Issuing(IssuingCredentials),
    /// HTTP Basic (Payments).
    Basic(PaymentsCredentials),
    /// Nothing (tests of unauthenticated paths).
    None,
}

impl Auth {
    /// Whether a 401 is worth one retry with a refreshed token.
    pub(crate) fn can_refresh(&self) -> bool {
        matches!(self, Auth::Issuing(_))
    }

    /// Adds the auth headers, marked sensitive so no `Debug` of the headers shows them.
    pub(crate) async fn apply(&self, headers: &mut HeaderMap, refresh: bool) -> Result<(), Error> {
        match self {
            Auth::Issuing(c) => {
                let token = c.tokens.access_token(refresh).await?;
                headers.insert(
                    header::AUTHORIZATION,
                    sensitive(&format!("Bearer {}", token.expose()))?,
                );
                headers.insert("x-api-key", sensitive(c.api_key.expose())?);
            }
            Auth::Basic(c) => {
                let raw = format!("{}:{}", c.username, c.password.expose());
                headers.insert(
                    header::AUTHORIZATION,
                    sensitive(&format!("Basic {}", base64(raw.as_bytes())))?,
                );
            }
            Auth::None => {}
        }
        Ok(())
    }
}

fn sensitive(value: &str) -> Result<HeaderValue, Error> {
    let mut v = HeaderValue::from_str(value).map_err(|_| {
        Error::config("a credential contains characters that cannot go in an HTTP header")
    })?;
    v.set_sensitive(true);
    Ok(v)
}

/// Standard base64 with padding (RFC 4648), for the Basic header: too small to warrant a crate.
fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (i, o) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
            ("username:password", "dXNlcm5hbWU6cGFzc3dvcmQ="),
        ] {
            assert_eq!(base64(i.as_bytes()), o);
        }
    }

    #[tokio::test]
    async fn headers_are_set_and_redacted_in_debug() {
        let auth = Auth::Issuing(IssuingCredentials::new("key-123", "tok-456"));
        let mut h = HeaderMap::new();
        auth.apply(&mut h, false).await.unwrap();
        assert_eq!(h["authorization"], "Bearer tok-456");
        assert_eq!(h["x-api-key"], "key-123");
        let shown = format!("{h:?}{auth:?}");
        assert!(
            !shown.contains("tok-456") && !shown.contains("key-123"),
            "{shown}"
        );

        let basic = Auth::Basic(PaymentsCredentials::new("user", "pw-789"));
        let mut h = HeaderMap::new();
        basic.apply(&mut h, false).await.unwrap();
        assert_eq!(h["authorization"], "Basic dXNlcjpwdy03ODk=");
        assert!(!format!("{h:?}{basic:?}").contains("pw-789"));
    }
}
