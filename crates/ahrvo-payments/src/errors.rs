//! Payments' error bodies (`{"_embedded": {"errors": [...]}}`), read with the generated models.

use ahrvo_transport::{ApiErrorBody, ErrorDecoder, HttpResponse};
use ahrvo_types::PaymentsErrorList;

/// Reads Payments error lists for the transport: every error's message (with its `logref`, to
/// quote to support), the first error's code.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct PaymentsErrors;

impl ErrorDecoder for PaymentsErrors {
    fn decode_error(&self, response: &HttpResponse) -> Option<ApiErrorBody> {
        let list: PaymentsErrorList = serde_json::from_slice(&response.body).ok()?;
        let errors = list.embedded.errors;
        let first = errors.first()?;
        let code = Some(first.code.clone());
        let message = errors
            .iter()
            .map(|e| match &e.logref {
                Some(logref) => format!("{} (logref {logref})", e.message),
                None => e.message.clone(),
            })
            .collect::<Vec<_>>()
            .join("; ");
        Some(ApiErrorBody::new(message, code))
    }
}

#[cfg(test)]
mod tests {
    use ahrvo_transport::StatusCode;

    use super::*;

    fn read(body: &'static str) -> Option<ApiErrorBody> {
        PaymentsErrors.decode_error(&HttpResponse::new(StatusCode::NOT_FOUND, body))
    }

    #[test]
    fn error_lists_are_read_with_the_generated_model() {
        let body = r#"{"total":2,"_embedded":{"errors":[
            {"code":"NOT_FOUND","message":"Balance not found","logref":"abc"},
            {"code":"OTHER","message":"and more"}]}}"#;
        assert_eq!(
            read(body),
            Some(ApiErrorBody::new(
                "Balance not found (logref abc); and more",
                Some("NOT_FOUND".into())
            ))
        );
        // Not Payments' shape: left to the transport's generic reading.
        assert_eq!(read(r#"{"_embedded":{"errors":[]}}"#), None);
        assert_eq!(read(r#"{"code":"X","message":"issuing-like"}"#), None);
        assert_eq!(read("<html/>"), None);
    }
}
