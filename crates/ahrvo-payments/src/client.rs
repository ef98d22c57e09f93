use ahrvo_transport::{ApiClient, ApiRequest, Auth, ClientConfig, Error, PaymentsCredentials};
use serde::de::DeserializeOwned;

/// The Payments API client. Cheap to clone and `Send + Sync`: build one and share it.
#[derive(Clone, Debug)]
pub struct PaymentsClient {
    pub(crate) api: ApiClient,
}

impl PaymentsClient {
    /// Builds a client for `config`'s environment with HTTP Basic credentials.
    pub fn new(config: &ClientConfig, credentials: PaymentsCredentials) -> Result<Self, Error> {
        Ok(Self {
            api: ApiClient::new(config, Auth::Basic(credentials))?,
        })
    }

    /// Wraps an [`ApiClient`] already set up with Basic auth.
    pub fn from_api_client(api: ApiClient) -> Self {
        Self { api }
    }

    pub(crate) async fn call<T: DeserializeOwned>(&self, request: ApiRequest) -> Result<T, Error> {
        let op = request.operation().id();
        let response = self.api.execute(request).await?;
        ahrvo_transport::decode_json(op, &response)
    }
}
