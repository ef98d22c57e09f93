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

/// Whether `text` holds a run of 12 or more digits, alone or joined by single spaces or dashes:
/// what the SDK masks.
pub fn has_card_number(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    let mut digits = 0;
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_digit() {
            digits += 1;
            if digits >= 12 {
                return true;
            }
        } else if !(matches!(c, ' ' | '-')
            && digits > 0
            && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            digits = 0;
        }
    }
    false
}
