//! Reading replies: JSON bodies into models (with the path of a failing field), and the API's
//! message out of error bodies of any shape.

use std::fmt;

use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;

use crate::error::{MaskedCause, snippet};
use crate::retry::parse_retry_after;
use crate::{Error, ErrorKind, HttpResponse};

/// Decodes a JSON body into `T`. On failure the error is [`ErrorKind::Decode`] with the JSON path
/// of the failing field (`data[2].balance`) and a short, redacted view of the body.
pub fn decode_json<T: DeserializeOwned>(
    operation: &'static str,
    response: &HttpResponse,
) -> Result<T, Error> {
    decode_bytes(operation, response.status, &response.body)
}

/// [`decode_json`] on a body alone.
pub fn decode_bytes<T: DeserializeOwned>(
    operation: &'static str,
    status: StatusCode,
    body: &Bytes,
) -> Result<T, Error> {
    // Fast path: plain serde_json. Tracking the JSON path costs a `String` per object key
    // (it made decoding a large list 1.8x slower, docs/performance.md), and a valid reply
    // needs no path. Only a failure is decoded again, with tracking, to name the failing field:
    // both passes accept exactly the same input.
    if let Ok(value) = serde_json::from_slice(body) {
        return Ok(value);
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let result = serde_path_to_error::deserialize(&mut de).and_then(|v| {
        // Trailing bytes after the value are an error too, reported at the root.
        de.end().map(|()| v).map_err(|e| {
            serde_path_to_error::Error::new(serde_path_to_error::Track::new().path(), e)
        })
    });
    result.map_err(|e| {
        let path = e.path().to_string();
        let what = if body.is_empty() {
            "the reply body is empty".to_owned()
        } else {
            format!(
                "the reply does not match the API's documented shape: {}",
                snippet(e.inner().to_string().as_bytes())
            )
        };
        Error::new(ErrorKind::Decode, what)
            .with_json_path(path)
            .with_status(status)
            .with_body(body.clone())
            .with_operation(operation)
            .with_source(MaskedCause::of(&e.into_inner()))
    })
}

/// Reads an API family's error bodies. Each family implements it in its own crate with its
/// generated error models; the pipeline asks it first and falls back to generic extraction
/// (a JSON `message`, an HTML title, plain text) for bodies that are not the API's own, such as
/// a proxy's error page.
pub trait ErrorDecoder: Send + Sync + fmt::Debug {
    /// The API's message and code, when `response` carries this family's error body.
    fn decode_error(&self, response: &HttpResponse) -> Option<ApiErrorBody>;
}

/// What an error body said, as read by an [`ErrorDecoder`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiErrorBody {
    /// The API's message (one line; the pipeline masks card numbers in it).
    pub message: String,
    /// The API's error code, if the body had one.
    pub code: Option<String>,
}

impl ApiErrorBody {
    /// A message and an optional code.
    pub fn new(message: impl Into<String>, code: Option<String>) -> Self {
        Self {
            message: message.into(),
            code,
        }
    }
}

/// An [`ErrorDecoder`] that knows no API's body: only the generic extraction applies.
#[derive(Debug, Clone, Copy, Default)]
pub struct GenericErrors;

impl ErrorDecoder for GenericErrors {
    fn decode_error(&self, _response: &HttpResponse) -> Option<ApiErrorBody> {
        None
    }
}

/// Builds the error for a non-success reply: the kind from the status, the API's message and
/// code from the body (through the family's `decoder`), `Retry-After` and the request id from
/// the headers.
pub(crate) fn error_from_response(
    operation: &'static str,
    response: HttpResponse,
    decoder: &dyn ErrorDecoder,
) -> Error {
    let (message, code) = match decoder.decode_error(&response) {
        Some(found) => (snippet(found.message.as_bytes()), found.code),
        None => (
            extract_message(&response.headers, &response.body, response.status),
            None,
        ),
    };
    Error::new(ErrorKind::from_status(response.status), message)
        .with_operation(operation)
        .with_status(response.status)
        .with_api_code(code)
        .with_retry_after(parse_retry_after(&response.headers, response.status))
        .with_request_id(
            response
                .headers
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
        )
        .with_body(response.body)
}

/// A readable message from an error body that is not a known API error shape: a JSON
/// `message` (or `error`, `detail`...), the title or text of an HTML page, or plain text,
/// whitespace collapsed, at most 200 characters, card numbers masked.
pub fn extract_message(headers: &HeaderMap, body: &[u8], status: StatusCode) -> String {
    let fallback = || status.canonical_reason().unwrap_or("no message").to_owned();
    if body.iter().all(u8::is_ascii_whitespace) {
        return fallback();
    }
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) {
        for key in ["message", "error_description", "error", "detail", "msg"] {
            if let Some(m) = value.get(key).and_then(|s| s.as_str()) {
                return snippet(m.as_bytes());
            }
        }
        return snippet(body);
    }
    let is_html = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.contains("html"))
        || body.trim_ascii_start().starts_with(b"<");
    let text = String::from_utf8_lossy(body);
    let text = if is_html {
        html_text(&text)
    } else {
        text.into_owned()
    };
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.is_empty() {
        fallback()
    } else {
        snippet(collapsed.as_bytes())
    }
}

/// The `<title>` of an HTML page, or its text with tags removed.
fn html_text(html: &str) -> String {
    let lower = html.to_ascii_lowercase();
    let title = (lower.find("<title>"))
        .zip(lower.find("</title>"))
        .filter(|(start, end)| start + 7 <= *end)
        .map(|(start, end)| html[start + 7..end].trim());
    if let Some(title) = title.filter(|t| !t.is_empty()) {
        return title.to_owned();
    }
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(body: &str, ct: Option<&str>) -> String {
        let mut h = HeaderMap::new();
        if let Some(ct) = ct {
            h.insert("content-type", ct.parse().unwrap());
        }
        extract_message(&h, body.as_bytes(), StatusCode::BAD_REQUEST)
    }

    #[test]
    fn generic_messages_from_every_body_shape() {
        assert_eq!(
            msg(
                r#"{"code":"X","message":"card is not a Dedicated Funds Card"}"#,
                None
            ),
            "card is not a Dedicated Funds Card"
        );
        assert_eq!(msg(r#"{"error":"nope"}"#, None), "nope");
        let html =
            "<html><head><title>502 Bad Gateway</title></head><body><h1>x</h1></body></html>";
        assert_eq!(msg(html, Some("text/html")), "502 Bad Gateway");
        assert_eq!(msg("<p>upstream   down</p>", None), "upstream down");
        assert_eq!(
            msg("  service\nunavailable ", Some("text/plain")),
            "service unavailable"
        );
        assert_eq!(msg("", None), "Bad Request");
        assert_eq!(msg("[1,2]", None), "[1,2]");
    }

    #[derive(Debug)]
    struct Coded;

    impl ErrorDecoder for Coded {
        fn decode_error(&self, response: &HttpResponse) -> Option<ApiErrorBody> {
            let text = std::str::from_utf8(&response.body).ok()?;
            let code = text.strip_prefix("E:")?;
            Some(ApiErrorBody::new(
                format!("refused 4111111111111111 {code}"),
                Some(code.to_owned()),
            ))
        }
    }

    #[test]
    fn the_family_decoder_wins_and_the_generic_one_covers_the_rest() {
        let e = error_from_response(
            "op",
            HttpResponse::new(StatusCode::CONFLICT, "E:DUP"),
            &Coded,
        );
        assert_eq!(e.kind(), ErrorKind::Conflict);
        assert_eq!(e.api_code(), Some("DUP"));
        assert_eq!(e.message(), "refused 4111********1111 DUP");
        let e = error_from_response(
            "op",
            HttpResponse::new(StatusCode::BAD_GATEWAY, "<title>proxy</title>")
                .with_header("x-request-id", "r-1"),
            &Coded,
        );
        assert_eq!(
            (e.api_code(), e.message(), e.request_id()),
            (None, "proxy", Some("r-1"))
        );
    }

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Item {
        amount: i64,
    }
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Outer {
        data: Vec<Item>,
    }

    #[test]
    fn decode_errors_name_the_json_path() {
        let body = Bytes::from_static(br#"{"data":[{"amount":1},{"amount":"x"}]}"#);
        let e = decode_bytes::<Outer>("op", StatusCode::OK, &body).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode);
        assert_eq!(e.json_path(), Some("data[1].amount"));
        let e = decode_bytes::<Outer>("op", StatusCode::OK, &Bytes::new()).unwrap_err();
        assert_eq!(e.message(), "the reply body is empty");
        let trailing = Bytes::from_static(br#"{"data":[]} x"#);
        assert!(decode_bytes::<Outer>("op", StatusCode::OK, &trailing).is_err());
        let deep = Bytes::from("[".repeat(100_000));
        assert_eq!(
            decode_bytes::<Outer>("op", StatusCode::OK, &deep)
                .unwrap_err()
                .kind(),
            ErrorKind::Decode
        );
    }
}
