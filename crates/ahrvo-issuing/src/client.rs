use std::sync::Arc;

use ahrvo_transport::{ApiClient, ApiRequest, ClientConfig, Error};
use serde::de::DeserializeOwned;

use crate::IssuingCredentials;
use crate::envelope::{IssuingErrors, decode_envelope};

/// The Issuing API client. Cheap to clone and `Send + Sync`: build one and share it.
#[derive(Clone, Debug)]
pub struct IssuingClient {
    pub(crate) api: ApiClient,
}

impl IssuingClient {
    /// Builds a client for `config`'s environment with Issuing credentials.
    ///
    /// ```
    /// use ahrvo_issuing::{ClientConfig, Environment, IssuingClient, IssuingCredentials};
    ///
    /// let client = IssuingClient::new(
    ///     &ClientConfig::new(Environment::Staging),
    ///     IssuingCredentials::new("my-api-key", "my-access-token"),
    /// )?;
    /// assert_eq!(client.base_url(), "https://gateway.ahrvo.network");
    /// # Ok::<(), ahrvo_issuing::Error>(())
    /// ```
    pub fn new(config: &ClientConfig, credentials: IssuingCredentials) -> Result<Self, Error> {
        Ok(Self {
            api: ApiClient::new(config, Arc::new(credentials), Arc::new(IssuingErrors))?,
        })
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        self.api.base_url()
    }

    /// Sends a request and unwraps the envelope's `data`.
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        request: ApiRequest<T>,
    ) -> Result<T, Error> {
        let op = request.operation().id();
        let response = self.api.execute(request).await?;
        decode_envelope(op, &response)
    }

    /// [`call`](Self::call), also saying how many requests were sent.
    pub(crate) async fn call_counted<T: DeserializeOwned>(
        &self,
        request: ApiRequest<T>,
    ) -> Result<(T, u32), Error> {
        let op = request.operation().id();
        let (response, attempts) = self.api.execute_counted(request).await?;
        // A reply that arrived but could not be used: the requests it took still count.
        decode_envelope(op, &response)
            .map(|data| (data, attempts))
            .map_err(|e| e.with_attempts(attempts))
    }
}

#[cfg(test)]
mod tests {
    //! The envelope rules with the mocked transport: no server needed.
    use std::sync::Arc;

    use ahrvo_transport::{Environment, ErrorKind, HttpResponse, MockHttpTransport, StatusCode};

    use super::*;

    fn client_answering(body: &'static str) -> IssuingClient {
        let mut mock = MockHttpTransport::new();
        mock.expect_send()
            .times(1)
            .returning(move |_| Ok(HttpResponse::new(StatusCode::OK, body)));
        let config = ClientConfig::new(Environment::Production).with_transport(Arc::new(mock));
        IssuingClient::new(&config, IssuingCredentials::new("k", "t")).unwrap()
    }

    #[tokio::test]
    async fn success_without_data_is_a_decode_error_at_data() {
        let e = client_answering(r#"{"code":"SUCCESS"}"#)
            .get_card_balance("c")
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode);
        assert_eq!(e.json_path(), Some("data"));
    }

    #[tokio::test]
    async fn a_failure_code_wins_over_a_strange_data_shape() {
        let e = client_answering(r#"{"code":"LIMIT","message":"too many","data":"?"}"#)
            .list_budget_balances()
            .await
            .unwrap_err();
        assert_eq!(
            (e.kind(), e.api_code(), e.message()),
            (ErrorKind::Api, Some("LIMIT"), "too many")
        );
    }
}
