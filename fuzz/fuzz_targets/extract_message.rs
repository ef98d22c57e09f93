#![no_main]
//! The error-message extractor on any body, status and content type: never a panic, never an
//! empty message, never an unmasked card number, never longer than a short line.

use ahrvo_transport::{StatusCode, extract_message};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&first, body)) = data.split_first() else {
        return;
    };
    let status =
        StatusCode::from_u16(400 + u16::from(first % 200)).unwrap_or(StatusCode::BAD_REQUEST);
    let headers = content_type(first);
    let (message, code) = extract_message(&headers, body, status);
    assert!(!message.is_empty());
    assert!(
        !ahrvo_fuzz::has_card_number(&message),
        "an unmasked card number in {message:?}"
    );
    assert!(
        message.chars().count() <= 1000,
        "{} characters",
        message.chars().count()
    );
    let _ = code;
});

/// No content type, or `text/html`, by the low bit of the first byte.
fn content_type(first: u8) -> http::HeaderMap {
    let mut h = http::HeaderMap::new();
    if first & 1 == 1 {
        h.insert(http::header::CONTENT_TYPE, "text/html".parse().unwrap());
    }
    h
}
