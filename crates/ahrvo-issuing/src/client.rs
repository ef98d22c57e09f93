use ahrvo_transport::{
    ApiClient, ApiRequest, Auth, ClientConfig, Error, ErrorKind, HttpResponse, IssuingCredentials,
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
            Error::new(ErrorKind::Decode, "the reply has no `data`")
                .with_source(Error::validation(format!("{op}: missing data")))
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
