//! Reading replies: JSON bodies into models (with the path of a failing field), and the API's
//! message out of error bodies of any shape.

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

/// Builds the error for a non-success reply: the kind from the status, the API's message and
/// code from the body, `Retry-After` and the request id from the headers.
pub(crate) fn error_from_response(operation: &'static str, response: HttpResponse) -> Error {
    let (message, code) = extract_message(&response.headers, &response.body, response.status);
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

/// The API's message (and code) from an error body, whatever its shape: the Issuing envelope
/// `{code, message}`, the Payments list `{_embedded: {errors: [{code, message, logref}]}}`, other
/// JSON with `message`/`error`, HTML (its title or text), or plain text.
pub fn extract_message(
    headers: &HeaderMap,
    body: &[u8],
    status: StatusCode,
) -> (String, Option<String>) {
    let fallback = || status.canonical_reason().unwrap_or("no message").to_owned();
    if body.iter().all(u8::is_ascii_whitespace) {
        return (fallback(), None);
    }
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) {
        if let Some(found) = from_json(&value) {
            return found;
        }
        return (snippet(body), None);
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
        (fallback(), None)
    } else {
        (snippet(collapsed.as_bytes()), None)
    }
}

fn from_json(value: &serde_json::Value) -> Option<(String, Option<String>)> {
    let str_of =
        |v: &serde_json::Value, k: &str| v.get(k).and_then(|s| s.as_str()).map(str::to_owned);
    if let Some(errors) = value
        .get("_embedded")
        .and_then(|e| e.get("errors"))
        .and_then(|e| e.as_array())
    {
        let messages: Vec<String> = errors
            .iter()
            .filter_map(|e| {
                let m = str_of(e, "message")?;
                Some(match str_of(e, "logref") {
                    Some(l) => format!("{m} (logref {l})"),
                    None => m,
                })
            })
            .collect();
        if !messages.is_empty() {
            let code = errors.first().and_then(|e| str_of(e, "code"));
            return Some((snippet(messages.join("; ").as_bytes()), code));
        }
    }
    let code = str_of(value, "code");
    for key in ["message", "error_description", "error", "detail", "msg"] {
        if let Some(m) = str_of(value, key) {
            return Some((snippet(m.as_bytes()), code));
        }
    }
    code.map(|c| {
        (
            snippet(format!("the API answered with code {c}").as_bytes()),
            Some(c),
        )
    })
}

/// The `<title>` of an HTML page, or its text with tags removed.
fn html_text(html: &str) -> String {
    let lower = html.to_ascii_lowercase();
    if let (Some(start), Some(end)) = (lower.find("<title>"), lower.find("</title>")) {
        if start + 7 <= end {
            let title = html[start + 7..end].trim();
            if !title.is_empty() {
                return title.to_owned();
            }
        }
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

    fn msg(body: &str, ct: Option<&str>) -> (String, Option<String>) {
        let mut h = HeaderMap::new();
        if let Some(ct) = ct {
            h.insert("content-type", ct.parse().unwrap());
        }
        extract_message(&h, body.as_bytes(), StatusCode::BAD_REQUEST)
    }

    #[test]
    fn messages_from_every_body_shape() {
        assert_eq!(
            msg(
                r#"{"code":"INVALID_CARD","message":"card is not a Dedicated Funds Card"}"#,
                None
            ),
            (
                "card is not a Dedicated Funds Card".into(),
                Some("INVALID_CARD".into())
            )
        );
        let finix = r#"{"total":1,"_embedded":{"errors":[{"code":"NOT_FOUND","message":"Balance not found","logref":"abc"}]}}"#;
        assert_eq!(
            msg(finix, None),
            (
                "Balance not found (logref abc)".into(),
                Some("NOT_FOUND".into())
            )
        );
        let html =
            "<html><head><title>502 Bad Gateway</title></head><body><h1>x</h1></body></html>";
        assert_eq!(msg(html, Some("text/html")).0, "502 Bad Gateway");
        assert_eq!(msg("<p>upstream   down</p>", None).0, "upstream down");
        assert_eq!(
            msg("  service\nunavailable ", Some("text/plain")).0,
            "service unavailable"
        );
        assert_eq!(msg("", None).0, "Bad Request");
        assert_eq!(
            msg(r#"{"code":"E1"}"#, None),
            ("the API answered with code E1".into(), Some("E1".into()))
        );
        assert_eq!(msg("[1,2]", None).0, "[1,2]");
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
