//! Payments credentials: HTTP Basic, put on each request by the transport's [`Signer`] seam.

use ahrvo_transport::{Error, HttpRequest, Secret, Signer, sensitive_header};
use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::header::AUTHORIZATION;

/// Payments credentials: HTTP Basic username and password. `Debug` never shows the password.
///
/// ```
/// use ahrvo_payments::PaymentsCredentials;
///
/// let credentials = PaymentsCredentials::new("username", "password");
/// assert!(!format!("{credentials:?}").contains("password\""));
/// ```
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

#[async_trait]
impl Signer for PaymentsCredentials {
    /// `Authorization: Basic base64(username:password)`. Fixed credentials: a 401 is final.
    async fn sign(&self, request: &mut HttpRequest) -> Result<(), Error> {
        let raw = format!("{}:{}", self.username, self.password.expose());
        let value = sensitive_header(&format!("Basic {}", STANDARD.encode(raw)))?;
        request.headers.insert(AUTHORIZATION, value);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use ahrvo_transport::Method;

    use super::*;

    #[tokio::test]
    async fn basic_header_is_rfc_7617_and_never_printed() {
        let c = PaymentsCredentials::new("user", "pw-789");
        let mut r = HttpRequest::new(Method::GET, "https://x.test/");
        c.sign(&mut r).await.unwrap();
        assert_eq!(r.headers["authorization"], "Basic dXNlcjpwdy03ODk=");
        assert!(r.headers["authorization"].is_sensitive());
        assert!(
            !c.refresh(&r).await.unwrap(),
            "fixed credentials: no second attempt"
        );
        assert!(!format!("{r:?}{c:?}").contains("pw-789"));
    }
}
