use ahrvo_transport::{
    ApiClient, ApiRequest, Auth, ClientConfig, Error, HttpResponse, IssuingCredentials,
};
use ahrvo_types::Envelope;
use serde::de::{DeserializeOwned, IgnoredAny};

/// The Issuing API client. Cheap to clone and `Send + Sync`: build one and share it.
#[derive(Clone, Debug)]
pub struct IssuingClient {
    pub(crate) api: ApiClient,
}

impl IssuingClient {
    /// Builds a client for `config`'s environment with Issuing credentials.
    pub fn new(config: &ClientConfig, credentials: IssuingCredentials) -> Result<Self, Error> {
        Ok(Self {
            api: ApiClient::new(config, Auth::Issuing(credentials))?,
        })
    }

    /// Wraps an [`ApiClient`] already set up with Issuing auth.
    pub fn from_api_client(api: ApiClient) -> Self {
        Self { api }
    }

    /// Sends a request and unwraps the envelope's `data`.
    pub(crate) async fn call<T: DeserializeOwned>(&self, request: ApiRequest) -> Result<T, Error> {
        let op = request.operation().id();
        let response = self.api.execute(request).await?;
        decode_envelope(op, &response)
    }
}

/// Decodes `{"code": "SUCCESS", "data": T}`. A `code` other than `SUCCESS` is an
/// [`ErrorKind::Api`] error, even when `data` has another shape; a missing `data` is a decode
/// error. The success path parses the body once.
pub(crate) fn decode_envelope<T: DeserializeOwned>(
    op: &'static str,
    response: &HttpResponse,
) -> Result<T, Error> {
    match ahrvo_transport::decode_json::<Envelope<T>>(op, response) {
        Ok(env) if env.is_success() => env.data.ok_or_else(|| {
            Error::decode(op, "the reply has no `data`", "data", response.body.clone())
        }),
        Ok(env) => Err(Error::api_envelope(
            op,
            env.code,
            env.message,
            response.body.clone(),
        )),
        Err(decode_error) => {
            match ahrvo_transport::decode_json::<Envelope<IgnoredAny>>(op, response) {
                Ok(env) if !env.is_success() => Err(Error::api_envelope(
                    op,
                    env.code,
                    env.message,
                    response.body.clone(),
                )),
                _ => Err(decode_error),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! The envelope rules with the mocked transport: no server needed.
    use std::sync::Arc;

    use ahrvo_transport::{Environment, ErrorKind, MockHttpTransport, StatusCode};

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
