//! What one API operation is (id, method, path template) and one call to it (parameters, body).

use bytes::Bytes;
use http::Method;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;

use crate::Error;

/// One operation of the spec. The domain crates' `generated/operations.rs` holds one constant of
/// this type per operation, written by `cargo xtask codegen`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operation {
    id: &'static str,
    method: Method,
    path: &'static str,
}

impl Operation {
    /// An operation: its spec `operationId`, method and path template (`/balances/{balance_id}`).
    pub const fn new(id: &'static str, method: Method, path: &'static str) -> Self {
        Self { id, method, path }
    }

    /// The spec's `operationId`, e.g. `"getBalance"`.
    pub fn id(&self) -> &'static str {
        self.id
    }

    /// The HTTP method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The path template.
    pub fn path(&self) -> &'static str {
        self.path
    }

    /// Whether repeating the request is harmless (GET, HEAD, PUT, DELETE, OPTIONS).
    pub fn is_idempotent(&self) -> bool {
        self.method.is_idempotent()
    }
}

/// Everything but the RFC 3986 unreserved characters is encoded, so an id is always exactly one
/// path segment or one query value: `/`, `?`, `#`, `%`, spaces and non-ASCII can't change the URL.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Checks an id before it goes into a URL: not empty, not `.`/`..` (which URL parsers collapse),
/// no control characters.
pub fn validate_id(name: &str, value: &str) -> Result<(), Error> {
    if value.trim().is_empty() {
        return Err(Error::validation(format!("{name} must not be empty")));
    }
    if value == "." || value == ".." {
        return Err(Error::validation(format!(
            "{name} {value:?} is not a valid id"
        )));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::validation(format!(
            "{name} must not contain control characters"
        )));
    }
    Ok(())
}

/// One call of an [`Operation`]: path parameters, query parameters, JSON body.
#[derive(Clone, Debug)]
pub struct ApiRequest {
    operation: Operation,
    path_params: Vec<(&'static str, String)>,
    query: Vec<(&'static str, String)>,
    body: Option<Bytes>,
}

impl ApiRequest {
    /// A call with no parameters.
    pub fn new(operation: Operation) -> Self {
        Self {
            operation,
            path_params: Vec::new(),
            query: Vec::new(),
            body: None,
        }
    }

    /// Fills the `{name}` placeholder with `id`, validated with [`validate_id`] and encoded as one
    /// path segment.
    pub fn path_id(mut self, name: &'static str, id: &str) -> Result<Self, Error> {
        validate_id(name, id)?;
        self.path_params.push((name, id.to_owned()));
        Ok(self)
    }

    /// Adds a query parameter holding an id, validated with [`validate_id`].
    pub fn query_id(mut self, name: &'static str, id: &str) -> Result<Self, Error> {
        validate_id(name, id)?;
        self.query.push((name, id.to_owned()));
        Ok(self)
    }

    /// Adds a query parameter.
    pub fn query(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.query.push((name, value.into()));
        self
    }

    /// Sets a JSON body.
    pub fn json<T: Serialize + ?Sized>(mut self, body: &T) -> Result<Self, Error> {
        let bytes = serde_json::to_vec(body).map_err(|e| {
            Error::validation("the request body could not be encoded").with_source(e)
        })?;
        self.body = Some(Bytes::from(bytes));
        Ok(self)
    }

    /// The operation.
    pub fn operation(&self) -> &Operation {
        &self.operation
    }

    pub(crate) fn take_body(&mut self) -> Option<Bytes> {
        self.body.take()
    }

    /// The path and query, placeholders filled and everything encoded.
    pub fn target(&self) -> Result<String, Error> {
        let mut out = String::with_capacity(self.operation.path.len() + 32);
        let mut rest = self.operation.path;
        while let Some(open) = rest.find('{') {
            let close = rest[open..]
                .find('}')
                .map(|c| open + c)
                .ok_or_else(|| Error::config("unclosed placeholder in path template"))?;
            out.push_str(&rest[..open]);
            let name = &rest[open + 1..close];
            let value = self
                .path_params
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v)
                .ok_or_else(|| Error::config(format!("no value for path parameter {name}")))?;
            out.extend(utf8_percent_encode(value, COMPONENT));
            rest = &rest[close + 1..];
        }
        out.push_str(rest);
        for (i, (name, value)) in self.query.iter().enumerate() {
            out.push(if i == 0 { '?' } else { '&' });
            out.extend(utf8_percent_encode(name, COMPONENT));
            out.push('=');
            out.extend(utf8_percent_encode(value, COMPONENT));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OP: Operation = Operation::new(
        "getBalance",
        Method::GET,
        "/payments/na/balances/{balance_id}",
    );

    #[test]
    fn ids_are_one_encoded_segment() {
        let cases = [
            ("balance_1", "/payments/na/balances/balance_1"),
            ("a/b", "/payments/na/balances/a%2Fb"),
            ("?x=1", "/payments/na/balances/%3Fx%3D1"),
            ("#", "/payments/na/balances/%23"),
            ("%2e%2e", "/payments/na/balances/%252e%252e"),
            ("a b", "/payments/na/balances/a%20b"),
            ("é", "/payments/na/balances/%C3%A9"),
            ("...", "/payments/na/balances/..."),
        ];
        for (id, want) in cases {
            let r = ApiRequest::new(OP).path_id("balance_id", id).unwrap();
            assert_eq!(r.target().unwrap(), want, "{id:?}");
        }
    }

    #[test]
    fn unusable_ids_are_refused_before_sending() {
        for id in ["", "  ", ".", "..", "a\nb", "\u{0}"] {
            let e = ApiRequest::new(OP).path_id("balance_id", id).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::Validation, "{id:?}");
        }
    }

    #[test]
    fn query_values_are_encoded() {
        let op = Operation::new("getCardBalance", Method::GET, "/card/balance");
        let r = ApiRequest::new(op).query_id("card_id", "c&d=1").unwrap();
        assert_eq!(r.target().unwrap(), "/card/balance?card_id=c%26d%3D1");
    }
}
