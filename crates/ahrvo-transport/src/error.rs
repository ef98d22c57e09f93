//! One error type for every failure, with a flat [`ErrorKind`] to match on.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use http::StatusCode;

/// What went wrong, flat enough to `match` on.
///
/// The HTTP status kinds come from the reply's status; the API's own message is in
/// [`Error::message`] whatever shape the error body had.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Input refused before any request was sent (a bad id, an empty budget name, ...).
    Validation,
    /// The client configuration is unusable (an `http://` URL off loopback, a bad header value).
    Config,
    /// HTTP 400: the API refused the request; its message says why.
    BadRequest,
    /// HTTP 401: missing or wrong credentials (after one refresh, when the signer had a fresh
    /// credential).
    Unauthorized,
    /// HTTP 403: the credentials are valid but not allowed (e.g. card issuance not enabled).
    Forbidden,
    /// HTTP 404: no such resource.
    NotFound,
    /// HTTP 409: the request conflicts with existing state (e.g. a duplicate budget name).
    Conflict,
    /// HTTP 429: too many requests; see [`Error::retry_after`].
    RateLimited,
    /// Any other 4xx (or an unexpected 1xx/3xx).
    OtherStatus,
    /// HTTP 5xx.
    Server,
    /// A success status whose body says the API refused (an API family's envelope with a
    /// failure code); see [`Error::api_refusal`].
    Api,
    /// The connection could not be made: the request was certainly not processed.
    Connect,
    /// No reply within the configured time. The request may or may not have been processed.
    Timeout,
    /// The connection failed after the request was sent (reset, truncated body). The request may
    /// or may not have been processed.
    Transport,
    /// The reply was not what the API documents; [`Error::json_path`] names the failing field.
    Decode,
    /// The reply body is larger than the configured limit.
    ResponseTooLarge,
    /// The peer's reply is not valid HTTP (a garbage or HTTP/0.9 status line, oversized or too
    /// many headers, a bare CR, conflicting lengths): whatever answers at the base URL does not
    /// speak HTTP/1.1 as the API does. Not retried, and not an unknown outcome: do not treat it
    /// as a lost create. [`Error::message`] names the cause.
    Protocol,
}

impl ErrorKind {
    fn describe(self) -> &'static str {
        match self {
            ErrorKind::Validation => "invalid input",
            ErrorKind::Config => "invalid configuration",
            ErrorKind::BadRequest => "bad request",
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::NotFound => "not found",
            ErrorKind::Conflict => "conflict",
            ErrorKind::RateLimited => "rate limited",
            ErrorKind::OtherStatus => "unexpected status",
            ErrorKind::Server => "server error",
            ErrorKind::Api => "API error",
            ErrorKind::Connect => "connection failed",
            ErrorKind::Timeout => "timed out",
            ErrorKind::Transport => "connection error",
            ErrorKind::Decode => "unexpected reply",
            ErrorKind::ResponseTooLarge => "reply too large",
            ErrorKind::Protocol => "invalid HTTP reply",
        }
    }

    /// The kind an HTTP error status maps to.
    pub fn from_status(status: StatusCode) -> ErrorKind {
        match status.as_u16() {
            400 => ErrorKind::BadRequest,
            401 => ErrorKind::Unauthorized,
            403 => ErrorKind::Forbidden,
            404 => ErrorKind::NotFound,
            409 => ErrorKind::Conflict,
            429 => ErrorKind::RateLimited,
            500..=599 => ErrorKind::Server,
            _ => ErrorKind::OtherStatus,
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

type Source = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The error of every SDK call.
///
/// Match on [`kind`](Error::kind); read [`status`](Error::status), [`message`](Error::message)
/// (the API's own words when it sent any), [`api_code`](Error::api_code) and
/// [`body`](Error::body) for details. `Send + Sync + 'static`, and cheap to move (one box).
/// Neither `Debug` nor `Display` ever shows a credential.
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    message: String,
    operation: Option<&'static str>,
    status: Option<StatusCode>,
    api_code: Option<String>,
    request_id: Option<String>,
    body: Option<Bytes>,
    json_path: Option<String>,
    retry_after: Option<Duration>,
    attempts: u32,
    prior_outcome_unknown: bool,
    context: Option<String>,
    source: Option<Source>,
}

impl Error {
    /// A new error of `kind` with a message.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            inner: Box::new(Inner {
                kind,
                message: message.into(),
                operation: None,
                status: None,
                api_code: None,
                request_id: None,
                body: None,
                json_path: None,
                retry_after: None,
                attempts: 0,
                prior_outcome_unknown: false,
                context: None,
                source: None,
            }),
        }
    }

    /// An input validation error (nothing was sent).
    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Validation, message)
    }

    /// A configuration error.
    pub fn config(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Config, message)
    }

    /// Attaches the underlying cause.
    pub fn with_source(mut self, source: impl Into<Source>) -> Self {
        self.inner.source = Some(source.into());
        self
    }

    /// Adds a note for the person reading the error: what the failure means for this call and
    /// what to do (a domain crate's "the budget may or may not have been created: ..."). Shown
    /// by `Display` after the message; kind, status, code, body and source are kept. Notes added
    /// twice are joined with `; `. Card numbers in the note are masked.
    ///
    /// ```
    /// use ahrvo_transport::{Error, ErrorKind};
    ///
    /// let e = Error::new(ErrorKind::Timeout, "no reply within 30s")
    ///     .with_context("the order may or may not have been placed");
    /// assert_eq!(e.kind(), ErrorKind::Timeout);
    /// assert_eq!(e.message(), "no reply within 30s");
    /// assert_eq!(e.context(), Some("the order may or may not have been placed"));
    /// assert_eq!(
    ///     e.to_string(),
    ///     "timed out: no reply within 30s; the order may or may not have been placed"
    /// );
    /// ```
    pub fn with_context(mut self, note: impl AsRef<str>) -> Self {
        let note = mask_card_numbers(note.as_ref());
        self.inner.context = Some(match self.inner.context.take() {
            Some(before) => format!("{before}; {note}"),
            None => note,
        });
        self
    }

    pub(crate) fn with_operation(mut self, operation: &'static str) -> Self {
        self.inner.operation.get_or_insert(operation);
        self
    }

    pub(crate) fn with_status(mut self, status: StatusCode) -> Self {
        self.inner.status = Some(status);
        self
    }

    pub(crate) fn with_body(mut self, body: Bytes) -> Self {
        self.inner.body = Some(body);
        self
    }

    pub(crate) fn with_api_code(mut self, code: Option<String>) -> Self {
        self.inner.api_code = code.map(|c| mask_card_numbers(&c));
        self
    }

    pub(crate) fn with_request_id(mut self, id: Option<String>) -> Self {
        self.inner.request_id = id;
        self
    }

    /// The path names the reply's own keys (a tag's name): masked like a body.
    pub(crate) fn with_json_path(mut self, path: String) -> Self {
        self.inner.json_path = Some(mask_card_numbers(&path));
        self
    }

    pub(crate) fn with_retry_after(mut self, after: Option<Duration>) -> Self {
        self.inner.retry_after = after;
        self
    }

    /// Sets [`attempts`](Self::attempts): for an error made after the pipeline returned a
    /// reply (a family crate's decoding of a 2xx), so it still says how many requests the call
    /// sent.
    pub fn with_attempts(mut self, attempts: u32) -> Self {
        self.inner.attempts = attempts;
        self
    }

    pub(crate) fn set_attempts(&mut self, attempts: u32) {
        self.inner.attempts = attempts;
    }

    pub(crate) fn set_prior_outcome_unknown(&mut self, unknown: bool) {
        self.inner.prior_outcome_unknown = unknown;
    }

    /// A refusal the API wrote in a success reply's body (an envelope whose code says failure):
    /// [`ErrorKind::Api`], HTTP 200, the API's code and message.
    pub fn api_refusal(
        operation: &'static str,
        code: String,
        message: Option<String>,
        body: Bytes,
    ) -> Self {
        let message = message.map_or_else(
            || mask_card_numbers(&format!("the API answered with code {code}")),
            |m| snippet(m.as_bytes()),
        );
        Self::new(ErrorKind::Api, message)
            .with_operation(operation)
            .with_status(StatusCode::OK)
            .with_api_code(Some(code))
            .with_body(body)
    }

    /// A decode error: the reply of `operation` does not have the documented shape at
    /// `json_path`.
    pub fn decode(
        operation: &'static str,
        message: impl Into<String>,
        json_path: impl Into<String>,
        body: Bytes,
    ) -> Self {
        Self::new(ErrorKind::Decode, mask_card_numbers(&message.into()))
            .with_operation(operation)
            .with_json_path(json_path.into())
            .with_body(body)
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The message: the API's own when the reply carried one, else the SDK's.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The operation id (`"createBudget"`) of the failing call.
    pub fn operation(&self) -> Option<&'static str> {
        self.inner.operation
    }

    /// The HTTP status of the reply, if there was one.
    pub fn status(&self) -> Option<StatusCode> {
        self.inner.status
    }

    /// The API's error code, as the family's [`ErrorDecoder`](crate::ErrorDecoder) read it.
    pub fn api_code(&self) -> Option<&str> {
        self.inner.api_code.as_deref()
    }

    /// The request id the server sent (`x-request-id`), to quote to support.
    pub fn request_id(&self) -> Option<&str> {
        self.inner.request_id.as_deref()
    }

    /// The raw reply body, if there was one.
    pub fn body(&self) -> Option<&Bytes> {
        self.inner.body.as_ref()
    }

    /// A short view of the reply body safe to log: at most 200 characters, card numbers masked.
    pub fn body_snippet(&self) -> Option<String> {
        self.inner.body.as_deref().map(snippet)
    }

    /// For [`ErrorKind::Decode`]: the JSON path of the failing field, e.g. `data[2].balance`.
    pub fn json_path(&self) -> Option<&str> {
        self.inner.json_path.as_deref()
    }

    /// The delay the server asked for with `Retry-After`.
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }

    /// How many requests were sent before giving up (0 when nothing was sent), also when the
    /// whole-call timeout cut the call short.
    pub fn attempts(&self) -> u32 {
        self.inner.attempts
    }

    /// Whether an earlier attempt of this call ended with an unknown outcome (timeout, connection
    /// lost after sending, a 5xx) before this error. Only requests marked
    /// [`resend_on_unknown_outcome`](crate::ApiRequest::resend_on_unknown_outcome) are sent
    /// again after such an attempt: for them, a refusal of a duplicate (409, or a duplicate order
    /// id) may mean that the earlier attempt did the work.
    pub fn prior_outcome_unknown(&self) -> bool {
        self.inner.prior_outcome_unknown
    }

    /// The notes added with [`with_context`](Self::with_context), if any.
    pub fn context(&self) -> Option<&str> {
        self.inner.context.as_deref()
    }

    /// Whether the same call may succeed if tried again later: rate limiting, server errors,
    /// connection failures and timeouts. Whether retrying is *safe* also depends on the
    /// operation: a create whose outcome is unknown must not be sent twice blindly.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.inner.kind,
            ErrorKind::RateLimited
                | ErrorKind::Server
                | ErrorKind::Connect
                | ErrorKind::Timeout
                | ErrorKind::Transport
        )
    }

    /// Whether the request may have been processed although the call failed: no reply in time,
    /// a connection lost after sending, or a write whose earlier attempt ended so
    /// ([`prior_outcome_unknown`](Self::prior_outcome_unknown)) before this error.
    pub fn is_outcome_unknown(&self) -> bool {
        self.inner.prior_outcome_unknown
            || matches!(self.inner.kind, ErrorKind::Timeout | ErrorKind::Transport)
    }
}

/// A short, redacted view of a body for messages: at most 200 characters, control characters as
/// spaces, card numbers masked (see [`mask_card_numbers`]).
pub(crate) fn snippet(body: &[u8]) -> String {
    const LIMIT: usize = 200;
    // A card number crossing the limit is masked whole: look a little past it.
    const LOOKAHEAD: usize = 40;
    let text = String::from_utf8_lossy(body);
    let head: String = text
        .chars()
        .take(LIMIT + LOOKAHEAD)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut out: String = mask_card_numbers(&head).chars().take(LIMIT).collect();
    if text.chars().nth(LIMIT).is_some() {
        out.push('…');
    }
    out
}

/// Masks what looks like a card number: 13 to 19 digits standing alone (neither preceded nor
/// followed by a letter, a digit or `_`), written in one run or in groups joined by single
/// spaces or dashes (`4111 1111 1111 1111`, `4111-1111-1111-1111`). All digits but the first
/// four and the last four become `*`; the separators stay. Ids that carry digits
/// (`card201907021723076246`, `ci202507232016182661`) and shorter or longer numbers stay
/// readable.
pub(crate) fn mask_card_numbers(text: &str) -> String {
    const DIGITS: std::ops::RangeInclusive<usize> = 13..=19;
    let word = |c: &char| c.is_alphanumeric() || *c == '_';
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        // A run starts at a digit not glued to a word before it.
        if !chars[i].is_ascii_digit() || i.checked_sub(1).is_some_and(|p| word(&chars[p])) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // The run: digits, with single separators between digits.
        let start = i;
        let mut end = i;
        let mut digits = 0;
        while end < chars.len() {
            if chars[end].is_ascii_digit() {
                digits += 1;
                end += 1;
            } else if matches!(chars[end], ' ' | '-')
                && chars.get(end + 1).is_some_and(char::is_ascii_digit)
            {
                end += 1;
            } else {
                break;
            }
        }
        let alone = !chars.get(end).is_some_and(word);
        let mask = alone && DIGITS.contains(&digits);
        let mut seen = 0;
        for &c in &chars[start..end] {
            if c.is_ascii_digit() {
                seen += 1;
                let hidden = mask && seen > 4 && seen <= digits - 4;
                out.push(if hidden { '*' } else { c });
            } else {
                out.push(c);
            }
        }
        i = end;
    }
    out
}

/// An underlying cause kept as text with card numbers masked, for causes whose own rendering
/// may quote the reply (a JSON parser's "invalid type: integer `4111…`").
#[derive(Debug)]
pub(crate) struct MaskedCause(pub(crate) String);

impl MaskedCause {
    pub(crate) fn of(cause: &dyn std::error::Error) -> Self {
        Self(mask_card_numbers(&cause.to_string()))
    }
}

impl fmt::Display for MaskedCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for MaskedCause {}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        if let Some(op) = i.operation {
            write!(f, "{op}: ")?;
        }
        f.write_str(i.kind.describe())?;
        if let Some(status) = i.status {
            write!(f, " (HTTP {})", status.as_u16())?;
        }
        if let Some(code) = &i.api_code {
            write!(f, " [{code}]")?;
        }
        if !i.message.is_empty() {
            write!(f, ": {}", i.message)?;
        }
        if let Some(path) = &i.json_path {
            write!(f, " at `{path}`")?;
        }
        if let Some(note) = &i.context {
            write!(f, "; {note}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        let mut d = f.debug_struct("Error");
        d.field("kind", &i.kind).field("message", &i.message);
        if let Some(op) = i.operation {
            d.field("operation", &op);
        }
        if let Some(s) = i.status {
            d.field("status", &s.as_u16());
        }
        if let Some(c) = &i.api_code {
            d.field("api_code", c);
        }
        if let Some(r) = &i.request_id {
            d.field("request_id", r);
        }
        if let Some(p) = &i.json_path {
            d.field("json_path", p);
        }
        if let Some(b) = &i.body {
            d.field("body", &snippet(b));
        }
        if let Some(r) = i.retry_after {
            d.field("retry_after", &r);
        }
        if i.attempts > 0 {
            d.field("attempts", &i.attempts);
        }
        if i.prior_outcome_unknown {
            d.field("prior_outcome_unknown", &true);
        }
        if let Some(c) = &i.context {
            d.field("context", c);
        }
        if let Some(s) = &i.source {
            d.field("source", &mask_card_numbers(&s.to_string()));
        }
        d.finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_kinds() {
        let cases = [
            (400, ErrorKind::BadRequest),
            (401, ErrorKind::Unauthorized),
            (403, ErrorKind::Forbidden),
            (404, ErrorKind::NotFound),
            (409, ErrorKind::Conflict),
            (429, ErrorKind::RateLimited),
            (500, ErrorKind::Server),
            (503, ErrorKind::Server),
            (422, ErrorKind::OtherStatus),
            (302, ErrorKind::OtherStatus),
        ];
        for (code, kind) in cases {
            assert_eq!(
                ErrorKind::from_status(StatusCode::from_u16(code).unwrap()),
                kind
            );
        }
    }

    #[test]
    fn snippet_masks_card_numbers_and_truncates() {
        let s = snippet(br#"{"card_number":"4111111111111111","x":"12345"}"#);
        assert!(s.contains("4111********1111"), "{s}");
        assert!(s.contains("12345"));
        let long = "a".repeat(500);
        assert_eq!(snippet(long.as_bytes()).chars().count(), 201);
    }

    #[test]
    fn card_numbers_are_masked_with_separators_and_across_the_limit() {
        for (given, shown) in [
            (
                "card 4111 1111 1111 1111 declined",
                "card 4111 **** **** 1111 declined",
            ),
            ("4111-1111-1111-1111", "4111-****-****-1111"),
            ("pan=4111111111111111,", "pan=4111********1111,"),
            ("378282246310005", "3782*******0005"),
            ("2024-05-01 18:04:33", "2024-05-01 18:04:33"),
            ("id 12345 and 678", "id 12345 and 678"),
            ("1 2 3 4 5 6 7 8 9 0 1 2 3", "1 2 3 4 * * * * * 0 1 2 3"),
            ("4111  1111 1111 1111", "4111  1111 1111 1111"),
            ("4111  1111 1111 1111 111", "4111  1111 **** ***1 111"),
        ] {
            assert_eq!(mask_card_numbers(given), shown, "{given:?}");
        }
        // Cut at 200 characters, but never through an unmasked card number.
        let body = format!("{} 4111111111111111 tail", "x".repeat(189));
        let s = snippet(body.as_bytes());
        assert!(
            s.starts_with(&format!("{} 4111******", "x".repeat(189))),
            "{s}"
        );
        assert!(!s.contains("41111111"), "{s}");
        // Control characters become spaces before masking: a number split by newlines too.
        assert_eq!(snippet(b"4111\n1111\n1111\n1111"), "4111 **** **** 1111");
    }

    #[test]
    fn messages_and_causes_from_replies_are_masked() {
        let e = Error::api_refusal(
            "op",
            "DECLINED".into(),
            Some("card 4111111111111111 declined".into()),
            Bytes::new(),
        );
        assert_eq!(e.message(), "card 4111********1111 declined");
        let e = Error::decode("op", "bad `4111111111111111`", "x", Bytes::new()).with_source(
            MaskedCause::of(&Error::new(ErrorKind::Decode, "4111111111111111")),
        );
        let shown = format!("{e} {e:?} {}", std::error::Error::source(&e).unwrap());
        assert!(!shown.contains("41111111"), "{shown}");
        // A path names the reply's keys; a code is the reply's too (found by fuzzing).
        let e = Error::decode("op", "m", "tags.4111111111111111", Bytes::new());
        assert_eq!(e.json_path(), Some("tags.4111********1111"));
        let e = Error::decode("op", "m", "data[0].4111 1111 1111 1111", Bytes::new());
        assert_eq!(e.json_path(), Some("data[0].4111 **** **** 1111"));
        let e = Error::api_refusal("op", "4111111111111111".into(), None, Bytes::new());
        assert!(!format!("{e} {e:?}").contains("41111111"), "{e:?}");
        let raw = Error::new(ErrorKind::Transport, "x").with_source("4111111111111111".to_owned());
        assert!(!format!("{raw:?}").contains("41111111"));
    }

    #[test]
    fn ids_with_digits_stay_readable_and_only_card_sized_numbers_are_masked() {
        for (given, shown) in [
            // Ids: digits glued to letters or `_` are not a card number.
            ("card201907021723076246", "card201907021723076246"),
            (
                "no card card201907021723076246 here",
                "no card card201907021723076246 here",
            ),
            ("budget ci202507232016182661", "budget ci202507232016182661"),
            ("id_4111111111111111", "id_4111111111111111"),
            ("4111111111111111abc", "4111111111111111abc"),
            ("4111111111111111_x", "4111111111111111_x"),
            ("é4111111111111111", "é4111111111111111"),
            // 12 and 20 digits are not a card number; 13 and 19 are.
            ("123456789012", "123456789012"),
            ("12345678901234567890", "12345678901234567890"),
            ("1234567890123", "1234*****0123"),
            ("1234567890123456789", "1234***********6789"),
            // Standing alone: punctuation, quotes and ends around it.
            ("\"4111111111111111\"", "\"4111********1111\""),
            ("(4111111111111111)", "(4111********1111)"),
            ("card: 4111-1111-1111-1111.", "card: 4111-****-****-1111."),
            ("5105 1051 0510 5100", "5105 **** **** 5100"),
        ] {
            assert_eq!(mask_card_numbers(given), shown, "{given:?}");
        }
        // An API message quoting a card id is shown as sent.
        let e = Error::api_refusal(
            "op",
            "CARD_NOT_FOUND".into(),
            Some("Card card201907021723076246 does not exist".into()),
            Bytes::new(),
        );
        assert_eq!(e.message(), "Card card201907021723076246 does not exist");
    }

    #[test]
    fn context_is_shown_after_the_message_and_keeps_the_rest() {
        let e = Error::new(ErrorKind::Transport, "the reply body was cut off")
            .with_operation("createBudget")
            .with_source(MaskedCause("reset".into()))
            .with_context("the budget may or may not have been created")
            .with_context("list the budgets");
        assert_eq!(e.kind(), ErrorKind::Transport);
        assert_eq!(e.message(), "the reply body was cut off");
        assert!(e.is_outcome_unknown());
        assert!(std::error::Error::source(&e).is_some());
        assert_eq!(
            e.to_string(),
            "createBudget: connection error: the reply body was cut off; \
             the budget may or may not have been created; list the budgets"
        );
        assert!(format!("{e:?}").contains("context"));
    }

    #[test]
    fn error_is_send_sync_and_small() {
        fn assert_send_sync<T: Send + Sync + 'static>() {}
        assert_send_sync::<Error>();
        assert_eq!(std::mem::size_of::<Error>(), std::mem::size_of::<usize>());
    }
}
