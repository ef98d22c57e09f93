//! What a person or a log sees of the hand-written types: `Display`, `Debug`, `AsRef`, the
//! conversions, and the "expected ..." of a decode error. Each assertion names a behaviour that a
//! mutation of the type's impls (`cargo mutants`, docs/testing.md) would otherwise change
//! unnoticed.

use std::str::FromStr;

use ahrvo_types::{Cents, Currency, InvalidValue, MaskedCardNumber, Timestamp};

/// The message serde_json gives when `json` does not decode as `T`.
fn decode_error<T: serde::de::DeserializeOwned + std::fmt::Debug>(json: &str) -> String {
    serde_json::from_str::<T>(json).unwrap_err().to_string()
}

#[test]
fn a_masked_card_number_shows_only_its_mask() {
    let card = MaskedCardNumber::new("4111111111111111");
    let shown = card.to_string();
    assert!(!shown.contains("4111111111111111"), "{shown}");
    assert_eq!(shown, card.as_str());
    assert!(shown.ends_with("1111") && shown.contains('*'), "{shown}");
    assert_eq!(format!("{card:?}"), format!("MaskedCardNumber({shown:?})"));
    assert!(decode_error::<MaskedCardNumber>("12").contains("a masked card number string"));
}

#[test]
fn a_currency_shows_its_code() {
    let usd = Currency::from_str("USD").unwrap();
    assert_eq!(usd.to_string(), "USD");
    assert_eq!(format!("{usd:?}"), "Currency(USD)");
    assert_eq!(AsRef::<str>::as_ref(&usd), "USD");
    assert!(decode_error::<Currency>("7").contains("an ISO 4217 currency code such as \"USD\""));
}

#[test]
fn an_invalid_value_says_what_and_why() {
    let e: InvalidValue = Currency::from_str("usd!").unwrap_err();
    assert_eq!(e.what(), "currency code");
    assert!(!e.reason().is_empty());
    assert!(e.to_string().contains(e.reason()), "{e}");
    let e = Cents::from_str("12.5").unwrap_err();
    assert_eq!(e.what(), "amount in cents");
    assert_eq!(e.reason(), "\"12.5\" is not a whole number of cents");
    // Long input is cut to 40 characters in the reason.
    let long = "9".repeat(30) + &"x".repeat(30);
    let reason = Cents::from_str(&long).unwrap_err().reason().to_owned();
    assert_eq!(
        reason,
        format!("{:?} is not a whole number of cents", &long[..40])
    );
}

#[test]
fn cents_convert_and_show_exactly() {
    let debit = Cents::from(-1045);
    assert!(debit.is_negative());
    assert!(!Cents::from(0).is_negative());
    assert!(!Cents::from(1).is_negative());
    assert_eq!(i64::from(debit), -1045);
    assert_eq!(debit.to_string(), "-1045");
    assert_eq!(Cents::from_str(" 250000 ").unwrap(), Cents::from(250_000));
    assert!(decode_error::<Cents>("\"12\"").contains("an integer amount in cents"));
}

#[derive(Debug, serde::Deserialize)]
struct Amounts {
    #[serde(with = "ahrvo_types::money::decimal_string")]
    #[allow(dead_code)]
    required: ahrvo_types::Decimal,
    #[serde(default, with = "ahrvo_types::money::decimal_string::option")]
    #[allow(dead_code)]
    optional: Option<ahrvo_types::Decimal>,
}

#[test]
fn decimal_decode_errors_say_what_was_expected() {
    let e = decode_error::<Amounts>(r#"{"required": 1.5}"#);
    assert!(
        e.contains("a decimal amount as a string, such as \"45250.75\""),
        "{e}"
    );
    // An optional amount that is present is read by the same visitor.
    let e = decode_error::<Amounts>(r#"{"required": "1", "optional": 2}"#);
    assert!(e.contains("a decimal amount as a string"), "{e}");
}

#[test]
fn a_timestamp_shows_rfc_3339() {
    let t = Timestamp::parse("2024-01-15T10:30:00Z").unwrap();
    assert_eq!(t.to_string(), "2024-01-15T10:30:00Z");
    assert_eq!(format!("{t:?}"), "Timestamp(2024-01-15T10:30:00Z)");
    assert!(decode_error::<Timestamp>("1").contains("an RFC 3339 date-time string"));
}
