//! The Issuing error code of an [`Error`], typed: tell "not a Dedicated Funds Card" from "no such
//! card" without matching strings.

use ahrvo_transport::Error;
pub use ahrvo_types::IssuingErrorCode;

/// The Issuing error code the API sent with `error`, if its reply was an Issuing error body.
/// A code this SDK does not know yet is [`IssuingErrorCode::Unknown`], kept as sent; an error
/// without an API reply (a timeout, a validation error) or with a body that is not Issuing's (a
/// proxy's page) is `None`.
///
/// ```
/// use ahrvo_issuing::{IssuingErrorCode, error_code};
/// # use ahrvo_issuing::{ClientConfig, Environment, IssuingClient, IssuingCredentials};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let sandbox = ahrvo_sandbox::Sandbox::start_seeded().await?;
/// # let c = sandbox.credentials();
/// # let client = IssuingClient::new(
/// #     &ClientConfig::new(Environment::custom(sandbox.base_url())?),
/// #     IssuingCredentials::new(c.api_key.clone(), c.access_token.clone()),
/// # )?;
/// // A Shared Funds Card has no balance of its own; an unknown id is no card at all.
/// let shared = client.get_card_balance("card201907021723076250").await.unwrap_err();
/// assert_eq!(error_code(&shared), Some(IssuingErrorCode::InvalidCardType));
/// let missing = client.get_card_balance("card-that-does-not-exist").await.unwrap_err();
/// assert_eq!(error_code(&missing), Some(IssuingErrorCode::CardNotFound));
/// # Ok(()) }
/// ```
pub fn error_code(error: &Error) -> Option<IssuingErrorCode> {
    error.api_code().map(IssuingErrorCode::from)
}
