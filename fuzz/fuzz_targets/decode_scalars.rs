#![no_main]
//! The hand-written scalars: decimal strings (scale kept), cents, currencies, timestamps, ids,
//! masked card numbers (never more than eight digits shown), tags.

use ahrvo_types::*;
use libfuzzer_sys::fuzz_target;
use serde::{Deserialize, Serialize};

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Amount {
    #[serde(with = "ahrvo_types::money::decimal_string")]
    amount: Decimal,
    #[serde(default, with = "ahrvo_types::money::decimal_string::option")]
    maybe: Option<Decimal>,
}

fuzz_target!(|data: &[u8]| {
    ahrvo_fuzz::check_model::<Amount>("fuzz", data);
    ahrvo_fuzz::check_model::<Cents>("fuzz", data);
    ahrvo_fuzz::check_model::<Currency>("fuzz", data);
    ahrvo_fuzz::check_model::<Timestamp>("fuzz", data);
    ahrvo_fuzz::check_model::<BudgetId>("fuzz", data);
    ahrvo_fuzz::check_model::<Tags>("fuzz", data);
    ahrvo_fuzz::check_model::<MaskedCardNumber>("fuzz", data);
    if let Ok(s) = std::str::from_utf8(data) {
        let masked = MaskedCardNumber::new(s);
        let shown = masked.as_str().chars().filter(char::is_ascii_digit).count();
        assert!(shown <= 8 || masked.as_str() == s, "{masked:?}");
        assert_eq!(
            MaskedCardNumber::new(masked.as_str()),
            masked,
            "masking is idempotent"
        );
        if let Ok(d) = ahrvo_types::money::parse_decimal(s) {
            // The scale is the number of digits after the point, as written.
            let written = s.split_once('.').map_or(0, |(_, f)| f.len());
            assert_eq!(d.scale() as usize, written, "{s}");
        }
        if let Ok(t) = Timestamp::parse(s) {
            assert_eq!(Timestamp::parse(&t.to_string()).ok(), Some(t), "{s}");
        }
    }
});
