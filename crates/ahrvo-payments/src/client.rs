use std::sync::Arc;

use ahrvo_transport::{ApiClient, ApiRequest, ClientConfig, Error};
use serde::de::DeserializeOwned;

use crate::PaymentsCredentials;
use crate::errors::PaymentsErrors;

/// The Payments API client. Cheap to clone and `Send + Sync`: build one and share it.
#[derive(Clone, Debug)]
pub struct PaymentsClient {
    pub(crate) api: ApiClient,
}

impl PaymentsClient {
    /// Builds a client for `config`'s environment with HTTP Basic credentials.
    ///
    /// ```
    /// use ahrvo_payments::{ClientConfig, Environment, PaymentsClient, PaymentsCredentials};
    ///
    /// let client = PaymentsClient::new(
    ///     &ClientConfig::new(Environment::Production),
    ///     PaymentsCredentials::new("username", "password"),
    /// )?;
    /// assert_eq!(client.base_url(), "https://api.ahrvo.network");
    /// # Ok::<(), ahrvo_payments::Error>(())
    /// ```
    pub fn new(config: &ClientConfig, credentials: PaymentsCredentials) -> Result<Self, Error> {
        Ok(Self {
            api: ApiClient::new(config, Arc::new(credentials), Arc::new(PaymentsErrors))?,
        })
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        self.api.base_url()
    }

    /// Sends a request and decodes the reply into the operation's output type.
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        request: ApiRequest<T>,
    ) -> Result<T, Error> {
        let op = request.operation().id();
        let response = self.api.execute(request).await?;
        ahrvo_transport::decode_json(op, &response)
    }
}
