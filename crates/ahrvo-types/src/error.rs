/// A value that does not have the form its type requires (a currency code, an amount, an id).
///
/// Returned by the `parse`/`new` constructors of this crate's scalar types; the SDK turns it into a
/// validation error before anything is sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {what}: {reason}")]
pub struct InvalidValue {
    what: &'static str,
    reason: String,
}

impl InvalidValue {
    /// A new error saying that a `what` (e.g. "currency code") is invalid, and why.
    pub fn new(what: &'static str, reason: impl Into<String>) -> Self {
        Self {
            what,
            reason: reason.into(),
        }
    }

    /// The kind of value that was rejected, e.g. `"currency code"`.
    pub fn what(&self) -> &'static str {
        self.what
    }

    /// Why it was rejected.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}
