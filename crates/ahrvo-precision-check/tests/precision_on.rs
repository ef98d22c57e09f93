//! The other tests of this crate prove something only if `arbitrary_precision` is really on.

#[test]
fn arbitrary_precision_is_really_on() {
    // Only with `arbitrary_precision` does a Value keep the number's text as written.
    let v: serde_json::Value = serde_json::from_str("1.10").unwrap();
    assert_eq!(v.to_string(), "1.10");
}

#[test]
fn cents_still_decode_exactly() {
    // Integer cents arrive as JSON numbers, which `arbitrary_precision` keeps as text.
    let c: ahrvo_types::Cents = serde_json::from_str("1250000").unwrap();
    assert_eq!(c, ahrvo_types::Cents::new(1_250_000));
    assert!(serde_json::from_str::<ahrvo_types::Cents>("1250000.5").is_err());
}
