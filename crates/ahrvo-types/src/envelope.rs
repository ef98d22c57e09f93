use serde::{Deserialize, Serialize};

/// The `code` of a successful Issuing reply.
pub const SUCCESS: &str = "SUCCESS";

/// The Issuing reply envelope: `{"code": "SUCCESS", "data": ...}`.
///
/// A reply is a success only when `code` is [`SUCCESS`]; an HTTP 200 with any other code is an
/// error that carries `code` and, when present, `message`. `data` is optional so that such an
/// error reply still decodes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Envelope<T> {
    /// `"SUCCESS"` on success, else an error code.
    pub code: String,
    /// A human-readable message, present on errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The payload.
    #[serde(default = "none", skip_serializing_if = "Option::is_none")]
    pub data: Option<T>,
}

fn none<T>() -> Option<T> {
    None
}

impl<T> Envelope<T> {
    /// A successful envelope around `data`.
    pub fn success(data: T) -> Self {
        Self {
            code: SUCCESS.to_owned(),
            message: None,
            data: Some(data),
        }
    }

    /// An error envelope.
    pub fn error(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: Some(message.into()),
            data: None,
        }
    }

    /// Whether `code` is `"SUCCESS"`.
    pub fn is_success(&self) -> bool {
        self.code == SUCCESS
    }
}
