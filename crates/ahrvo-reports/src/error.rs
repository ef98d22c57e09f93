//! The one error of the reports: an argument they refuse.

use std::fmt;

/// An argument a report refuses: an amount that is not above zero, a malformed CSV row, a
/// difference out of range. Its `Display` is the message alone (`line 3: ...`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidInput {
    message: String,
}

impl InvalidInput {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }

    /// What is wrong, e.g. `the amount must be greater than zero, not 0`.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for InvalidInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for InvalidInput {}
