//! What one API operation is (id, method, path template) and one call to it (parameters, body).

use std::fmt;
use std::marker::PhantomData;

use bytes::Bytes;
use http::{HeaderName, HeaderValue, Method};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;

use crate::{Error, Resend};

/// What an operation of the spec is, whatever it returns: its `operationId`, method and path
/// template. [`Operation`] adds the type a 2xx reply decodes to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperationInfo {
    id: &'static str,
    method: Method,
    path: &'static str,
}

impl OperationInfo {
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

/// One operation of the spec, typed by what a 2xx reply decodes to (`O`). The domain crates'
/// `generated/operations.rs` holds one constant per operation, written by `cargo xtask codegen`,
/// so a call's decode target follows from the operation and a wrong one does not compile.
///
/// ```
/// use ahrvo_transport::{ApiRequest, Method, Operation};
///
/// const GET_THING: Operation<u32> = Operation::new("getThing", Method::GET, "/things/{id}");
/// let request: ApiRequest<u32> = ApiRequest::new(GET_THING).path_id("id", "t1")?;
/// assert_eq!(request.target()?, "/things/t1");
/// # Ok::<(), ahrvo_transport::Error>(())
/// ```
pub struct Operation<O> {
    info: OperationInfo,
    output: PhantomData<fn() -> O>,
}

impl<O> Operation<O> {
    /// An operation: its spec `operationId`, method and path template (`/balances/{balance_id}`).
    pub const fn new(id: &'static str, method: Method, path: &'static str) -> Self {
        Self {
            info: OperationInfo { id, method, path },
            output: PhantomData,
        }
    }

    /// The operation without its output type (for lists of operations of different types).
    pub fn info(&self) -> &OperationInfo {
        &self.info
    }
}

impl<O> std::ops::Deref for Operation<O> {
    type Target = OperationInfo;

    fn deref(&self) -> &OperationInfo {
        &self.info
    }
}

// By hand: derives would demand `O: Clone` (or `Debug`, `PartialEq`) of the output type.
impl<O> Clone for Operation<O> {
    fn clone(&self) -> Self {
        Self {
            info: self.info.clone(),
            output: PhantomData,
        }
    }
}

impl<O> fmt::Debug for Operation<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.info.fmt(f)
    }
}

impl<O> PartialEq for Operation<O> {
    fn eq(&self, other: &Self) -> bool {
        self.info == other.info
    }
}

impl<O> Eq for Operation<O> {}

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

/// One call of an [`Operation`]: path parameters, query parameters, JSON body. `O` is what a 2xx
/// reply decodes to.
pub struct ApiRequest<O> {
    operation: Operation<O>,
    path_params: Vec<(&'static str, String)>,
    query: Vec<(&'static str, String)>,
    body: Option<Bytes>,
    headers: Vec<(HeaderName, HeaderValue)>,
    resend_on_unknown_outcome: bool,
}

impl<O> ApiRequest<O> {
    /// A call with no parameters.
    pub fn new(operation: Operation<O>) -> Self {
        Self {
            operation,
            path_params: Vec::new(),
            query: Vec::new(),
            body: None,
            headers: Vec::new(),
            resend_on_unknown_outcome: false,
        }
    }

    /// Adds a header sent with every attempt of this call (an API version, say), after the
    /// pipeline's own `Accept`, `User-Agent` and `Content-Type` and before the family's signer
    /// runs, which has the last word on credentials. A name or value that is not valid in a
    /// header is a [`Validation`](crate::ErrorKind::Validation) error; a repeated name
    /// replaces the earlier value.
    ///
    /// ```
    /// use ahrvo_transport::{ApiRequest, Method, Operation};
    ///
    /// const LIST: Operation<()> = Operation::new("listThings", Method::GET, "/things");
    /// let request = ApiRequest::new(LIST).header("Api-Version", "2022-02-01")?;
    /// assert_eq!(request.headers()[0].1, "2022-02-01");
    /// assert!(ApiRequest::new(LIST).header("Bad Name", "x").is_err());
    /// # Ok::<(), ahrvo_transport::Error>(())
    /// ```
    pub fn header(mut self, name: &str, value: &str) -> Result<Self, Error> {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| Error::validation(format!("{name:?} is not a valid header name")))?;
        let value = HeaderValue::from_str(value).map_err(|_| {
            Error::validation(format!(
                "the value of header {name} is not a valid header value"
            ))
        })?;
        self.headers.retain(|(n, _)| *n != name);
        self.headers.push((name, value));
        Ok(self)
    }

    /// The headers added with [`header`](Self::header), in order.
    pub fn headers(&self) -> &[(HeaderName, HeaderValue)] {
        &self.headers
    }

    pub(crate) fn take_headers(&mut self) -> Vec<(HeaderName, HeaderValue)> {
        std::mem::take(&mut self.headers)
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

    /// Allows the retry policy to send this non-idempotent request again when an attempt's
    /// outcome is unknown (timeout, connection lost after sending, any 5xx). Only for writes the
    /// server refuses to apply twice (a create whose duplicate is a 409, a top-up keyed by an
    /// order id): the caller then reads [`Error::prior_outcome_unknown`] on a refusal to tell
    /// "already done by an earlier attempt" from "refused".
    pub fn resend_on_unknown_outcome(mut self) -> Self {
        self.resend_on_unknown_outcome = true;
        self
    }

    /// How safe sending this request again is: idempotent by its method, a write marked
    /// [`resend_on_unknown_outcome`], or a write sent again only when certainly not processed.
    ///
    /// [`resend_on_unknown_outcome`]: Self::resend_on_unknown_outcome
    pub fn resend(&self) -> Resend {
        if self.operation.is_idempotent() {
            Resend::Idempotent
        } else if self.resend_on_unknown_outcome {
            Resend::DuplicatesRefused
        } else {
            Resend::OnlyUnprocessed
        }
    }

    /// The operation.
    pub fn operation(&self) -> &Operation<O> {
        &self.operation
    }

    pub(crate) fn take_body(&mut self) -> Option<Bytes> {
        self.body.take()
    }

    /// The path and query, placeholders filled and everything encoded.
    pub fn target(&self) -> Result<String, Error> {
        let template = self.operation.path();
        let mut out = String::with_capacity(template.len() + 32);
        let mut rest = template;
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

impl<O> Clone for ApiRequest<O> {
    fn clone(&self) -> Self {
        Self {
            operation: self.operation.clone(),
            path_params: self.path_params.clone(),
            query: self.query.clone(),
            body: self.body.clone(),
            headers: self.headers.clone(),
            resend_on_unknown_outcome: self.resend_on_unknown_outcome,
        }
    }
}

impl<O> fmt::Debug for ApiRequest<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiRequest")
            .field("operation", &self.operation.id())
            .field("path_params", &self.path_params)
            .field("query", &self.query)
            .field("body_len", &self.body.as_ref().map(Bytes::len))
            .field(
                "headers",
                &self
                    .headers
                    .iter()
                    .map(|(n, _)| n.as_str())
                    .collect::<Vec<_>>(),
            )
            .field("resend_on_unknown_outcome", &self.resend_on_unknown_outcome)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OP: Operation<()> = Operation::new(
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
        let op: Operation<()> = Operation::new("getCardBalance", Method::GET, "/card/balance");
        let r = ApiRequest::new(op).query_id("card_id", "c&d=1").unwrap();
        assert_eq!(r.target().unwrap(), "/card/balance?card_id=c%26d%3D1");
    }
}
