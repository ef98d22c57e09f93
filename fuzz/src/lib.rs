//! The checks the fuzz targets share: the SDK's decoders never panic, a decoded value survives
//! decode → encode → decode unchanged, and no rendering of an error shows a card number.

use std::fmt::Debug;

use ahrvo_transport::{Error, StatusCode};
use bytes::Bytes;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Decodes `data` as a 200 reply of `operation` the way the SDK does
/// ([`ahrvo_transport::decode_bytes`]) and checks the outcome.
pub fn check_model<T>(operation: &'static str, data: &[u8])
where
    T: DeserializeOwned + Serialize + PartialEq + Debug,
{
    let body = Bytes::copy_from_slice(data);
    match ahrvo_transport::decode_bytes::<T>(operation, StatusCode::OK, &body) {
        Ok(value) => check_round_trip(&value),
        Err(e) => check_error(&e),
    }
}

/// Encode, decode: the same value; encode again: the same bytes.
pub fn check_round_trip<T>(value: &T)
where
    T: DeserializeOwned + Serialize + PartialEq + Debug,
{
    let encoded = serde_json::to_vec(value).expect("a decoded value encodes");
    let again: T = serde_json::from_slice(&encoded).expect("its encoding decodes");
    assert_eq!(&again, value, "decode → encode → decode changed the value");
    let twice = serde_json::to_vec(&again).expect("encodes again");
    assert_eq!(twice, encoded, "the encoding is not stable");
    let _ = format!("{value:?}");
}

/// Every rendering of an error works and shows no card number.
pub fn check_error(e: &Error) {
    let mut shown = format!("{e}\n{e:?}\n{e:#?}\n{:?}\n", e.body_snippet());
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        shown.push_str(&format!("{s}\n{s:?}\n"));
        source = s.source();
    }
    assert!(
        !has_card_number(&shown),
        "an unmasked card number is shown: {shown}"
    );
}

/// Whether `text` holds what the SDK masks as a card number: 13 to 19 digits standing alone (not
/// glued to a letter, digit or `_`), in one run or in groups joined by single spaces or dashes.
/// Ids with digits (`card201907021723076246`) are not card numbers.
pub fn has_card_number(text: &str) -> bool {
    let word = |c: &char| c.is_alphanumeric() || *c == '_';
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() || (i > 0 && word(&chars[i - 1])) {
            i += 1;
            continue;
        }
        let (mut end, mut digits) = (i, 0);
        while end < chars.len() {
            if chars[end].is_ascii_digit() {
                digits += 1;
            } else if !(matches!(chars[end], ' ' | '-')
                && chars.get(end + 1).is_some_and(char::is_ascii_digit))
            {
                break;
            }
            end += 1;
        }
        if (13..=19).contains(&digits) && !chars.get(end).is_some_and(word) {
            return true;
        }
        i = end;
    }
    false
}
