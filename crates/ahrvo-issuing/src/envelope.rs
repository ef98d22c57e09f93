//! Issuing's replies: the `{"code", "data"}` envelope of a success, and its error bodies, read
//! with the generated models.

use ahrvo_transport::{ApiErrorBody, Error, ErrorDecoder, HttpResponse};
use ahrvo_types::{Envelope, IssuingErrorBody};
use serde::de::{DeserializeOwned, IgnoredAny};

/// Reads Issuing error bodies (`{"code": "...", "message": "..."}`) for the transport.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct IssuingErrors;

impl ErrorDecoder for IssuingErrors {
    fn decode_error(&self, response: &HttpResponse) -> Option<ApiErrorBody> {
        let body: IssuingErrorBody = serde_json::from_slice(&response.body).ok()?;
        let message = body
            .message
            .unwrap_or_else(|| format!("the API answered with code {}", body.code));
        Some(ApiErrorBody::new(message, Some(body.code.to_string())))
    }
}

/// Decodes `{"code": "SUCCESS", "data": T}`. A `code` other than `SUCCESS` is an
/// [`ErrorKind::Api`](crate::ErrorKind::Api) error, even when `data` has another shape; a
/// missing `data` is a decode error. The success path parses the body once.
pub(crate) fn decode_envelope<T: DeserializeOwned>(
    op: &'static str,
    response: &HttpResponse,
) -> Result<T, Error> {
    let refusal = |code, message| Error::api_refusal(op, code, message, response.body.clone());
    match ahrvo_transport::decode_json::<Envelope<T>>(op, response) {
        Ok(env) if env.is_success() => env.data.ok_or_else(|| {
            Error::decode(op, "the reply has no `data`", "data", response.body.clone())
        }),
        Ok(env) => Err(refusal(env.code, env.message)),
        Err(decode_error) => {
            match ahrvo_transport::decode_json::<Envelope<IgnoredAny>>(op, response) {
                Ok(env) if !env.is_success() => Err(refusal(env.code, env.message)),
                _ => Err(decode_error),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use ahrvo_transport::StatusCode;

    use super::*;

    #[test]
    fn error_bodies_are_read_with_the_generated_model() {
        let read = |body: &'static str| {
            IssuingErrors.decode_error(&HttpResponse::new(StatusCode::BAD_REQUEST, body))
        };
        assert_eq!(
            read(r#"{"code":"CARD_NOT_FOUND","message":"no such card"}"#),
            Some(ApiErrorBody::new(
                "no such card",
                Some("CARD_NOT_FOUND".into())
            ))
        );
        assert_eq!(
            read(r#"{"code":"E1"}"#),
            Some(ApiErrorBody::new(
                "the API answered with code E1",
                Some("E1".into())
            ))
        );
        // Not Issuing's shape: left to the transport's generic reading.
        assert_eq!(read(r#"{"message":"proxy says no"}"#), None);
        assert_eq!(read("<html>502</html>"), None);
    }
}
