//! Money: exact decimal amounts (Issuing) and integer minor units (Payments).
//!
//! Issuing sends amounts as decimal strings (`"45250.75"`). They decode into
//! [`rust_decimal::Decimal`] through [`decimal_string`], which keeps the scale, so an amount
//! written back is the same string. Payments sends integer cents, held in [`Cents`].

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{Currency, InvalidValue};

/// Parses a plain decimal string: an optional `-`, digits, and optionally `.` and digits.
///
/// Stricter than `Decimal::from_str` on purpose: exponents (`1e3`), thousands separators
/// (`1,000.00`, `1_000`), a leading `+`, spaces and bare dots are refused, because an amount the
/// API did not mean is worse than an error.
///
/// ```
/// use ahrvo_types::money::parse_decimal;
///
/// assert_eq!(parse_decimal("78900.00")?.to_string(), "78900.00");
/// assert!(parse_decimal("1e3").is_err());
/// assert!(parse_decimal("1,000.00").is_err());
/// # Ok::<(), ahrvo_types::InvalidValue>(())
/// ```
pub fn parse_decimal(s: &str) -> Result<Decimal, InvalidValue> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let all_digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(int) || frac.is_some_and(|f| !all_digits(f)) {
        return Err(InvalidValue::new(
            "decimal amount",
            format!(
                "{:?} is not a plain decimal such as \"45250.75\"",
                snippet(s)
            ),
        ));
    }
    Decimal::from_str_exact(s).map_err(|e| {
        InvalidValue::new(
            "decimal amount",
            format!("{:?} is out of range: {e}", snippet(s)),
        )
    })
}

fn snippet(s: &str) -> String {
    s.chars().take(40).collect()
}

/// Serde `with` module for a [`Decimal`] carried as a JSON string, scale preserved.
///
/// It reads only strings (never through `deserialize_any`), so it decodes the same whether or not
/// another crate in the tree turns on serde_json's `arbitrary_precision`.
pub mod decimal_string {
    use super::*;

    /// Writes the decimal as a string with its scale (`78900.00` → `"78900.00"`).
    pub fn serialize<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(value)
    }

    /// Reads a decimal from a string with [`parse_decimal`].
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
        deserializer.deserialize_str(DecimalVisitor)
    }

    pub(super) struct DecimalVisitor;

    impl Visitor<'_> for DecimalVisitor {
        type Value = Decimal;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a decimal amount as a string, such as \"45250.75\"")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
            parse_decimal(v).map_err(E::custom)
        }
    }

    /// The same for `Option<Decimal>`: `null` or absent is `None`.
    pub mod option {
        use super::*;

        /// Writes `Some` as a decimal string and `None` as `null`.
        pub fn serialize<S: Serializer>(
            value: &Option<Decimal>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            match value {
                Some(d) => serializer.collect_str(d),
                None => serializer.serialize_none(),
            }
        }

        /// Reads `null` as `None` and a decimal string as `Some`.
        pub fn deserialize<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<Decimal>, D::Error> {
            struct OptVisitor;
            impl<'de> Visitor<'de> for OptVisitor {
                type Value = Option<Decimal>;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("null or a decimal amount as a string")
                }
                fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                    Ok(None)
                }
                fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                    Ok(None)
                }
                fn visit_some<D2: Deserializer<'de>>(
                    self,
                    d: D2,
                ) -> Result<Self::Value, D2::Error> {
                    d.deserialize_str(DecimalVisitor).map(Some)
                }
            }
            deserializer.deserialize_option(OptVisitor)
        }
    }
}

/// An amount in a currency's minor units ("cents"), as the Payments API sends it.
///
/// Signed: balance entries are negative for debits. Arithmetic is checked, never wrapping.
///
/// ```
/// use ahrvo_types::{Cents, Currency};
///
/// let amount = Cents::new(1_234_56);
/// assert_eq!(amount.to_decimal(Currency::USD).to_string(), "1234.56");
/// assert_eq!(Cents::from_decimal("10.45".parse()?, Currency::USD)?, Cents::new(1045));
/// assert!(Cents::from_decimal("10.455".parse()?, Currency::USD).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cents(i64);

impl Cents {
    /// Zero.
    pub const ZERO: Cents = Cents(0);

    /// Wraps a number of minor units.
    pub const fn new(minor_units: i64) -> Self {
        Self(minor_units)
    }

    /// The number of minor units.
    pub const fn get(self) -> i64 {
        self.0
    }

    /// Whether the amount is below zero (a debit).
    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// The exact decimal value in major units, using the currency's exponent
    /// (`1045` USD → `10.45`, `1045` JPY → `1045`).
    pub fn to_decimal(self, currency: Currency) -> Decimal {
        Decimal::new(self.0, currency.minor_units())
    }

    /// Converts a major-unit decimal to minor units; refused if it has more decimals than the
    /// currency allows or does not fit in an `i64`.
    pub fn from_decimal(amount: Decimal, currency: Currency) -> Result<Self, InvalidValue> {
        let exp = currency.minor_units();
        let scaled = amount
            .checked_mul(Decimal::from(10_i64.pow(exp)))
            .ok_or_else(|| InvalidValue::new("amount", format!("{amount} is out of range")))?;
        if !scaled.fract().is_zero() {
            return Err(InvalidValue::new(
                "amount",
                format!("{amount} has more than {exp} decimals for {currency}"),
            ));
        }
        i64::try_from(scaled.trunc())
            .map(Self)
            .map_err(|_| InvalidValue::new("amount", format!("{amount} is out of range")))
    }

    /// `self + rhs`, or `None` on overflow.
    pub const fn checked_add(self, rhs: Cents) -> Option<Cents> {
        match self.0.checked_add(rhs.0) {
            Some(v) => Some(Cents(v)),
            None => None,
        }
    }

    /// `self - rhs`, or `None` on overflow.
    pub const fn checked_sub(self, rhs: Cents) -> Option<Cents> {
        match self.0.checked_sub(rhs.0) {
            Some(v) => Some(Cents(v)),
            None => None,
        }
    }
}

impl From<i64> for Cents {
    fn from(v: i64) -> Self {
        Self(v)
    }
}

impl From<Cents> for i64 {
    fn from(c: Cents) -> Self {
        c.0
    }
}

impl fmt::Display for Cents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl FromStr for Cents {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.trim().parse::<i64>().map(Self).map_err(|_| {
            InvalidValue::new(
                "amount in cents",
                format!("{:?} is not a whole number of cents", snippet(s)),
            )
        })
    }
}

impl Serialize for Cents {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(self.0)
    }
}

impl<'de> Deserialize<'de> for Cents {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Cents;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer amount in cents")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Cents, E> {
                Ok(Cents(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Cents, E> {
                i64::try_from(v)
                    .map(Cents)
                    .map_err(|_| E::custom(format!("{v} cents is out of range")))
            }
        }
        deserializer.deserialize_i64(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    struct Holder {
        #[serde(with = "decimal_string")]
        amount: Decimal,
        #[serde(default, with = "decimal_string::option")]
        maybe: Option<Decimal>,
    }

    #[test]
    fn decimal_string_keeps_scale() {
        for s in ["78900.00", "0.00", "45250.75", "-12.5", "7", "0.000001"] {
            let json = format!(r#"{{"amount":"{s}","maybe":"{s}"}}"#);
            let h: Holder = serde_json::from_str(&json).unwrap();
            assert_eq!(serde_json::to_string(&h).unwrap(), json);
        }
    }

    #[test]
    fn decimal_string_refuses_what_is_not_a_plain_decimal() {
        for s in [
            "1e3", "1E3", "1,000.00", "1_000", "+1", " 1", "1.", ".5", "", "-", "NaN", "0x10",
        ] {
            let json = format!(r#"{{"amount":"{s}"}}"#);
            assert!(
                serde_json::from_str::<Holder>(&json).is_err(),
                "{s:?} accepted"
            );
        }
        assert!(serde_json::from_str::<Holder>(r#"{"amount":12.5}"#).is_err());
        assert!(
            serde_json::from_str::<Holder>(&format!(r#"{{"amount":"{}"}}"#, "9".repeat(40)))
                .is_err()
        );
    }

    #[test]
    fn optional_decimal_accepts_null_and_absence() {
        let a: Holder = serde_json::from_str(r#"{"amount":"1.00","maybe":null}"#).unwrap();
        let b: Holder = serde_json::from_str(r#"{"amount":"1.00"}"#).unwrap();
        assert_eq!(a.maybe, None);
        assert_eq!(a, b);
    }

    #[test]
    fn cents_decode_exact_and_refuse_fractions_and_overflow() {
        assert_eq!(
            serde_json::from_str::<Cents>("-2500").unwrap(),
            Cents::new(-2500)
        );
        assert_eq!(
            serde_json::from_str::<Cents>("9223372036854775807").unwrap(),
            Cents::new(i64::MAX)
        );
        assert!(serde_json::from_str::<Cents>("9223372036854775808").is_err());
        assert!(serde_json::from_str::<Cents>("12.5").is_err());
        assert!(serde_json::from_str::<Cents>("\"100\"").is_err());
    }

    #[test]
    fn cents_convert_by_minor_units() {
        let yen = Currency::JPY;
        assert_eq!(Cents::new(1045).to_decimal(yen).to_string(), "1045");
        assert_eq!(
            Cents::new(-5).to_decimal(Currency::USD).to_string(),
            "-0.05"
        );
        assert_eq!(
            Cents::from_decimal(Decimal::new(1045, 0), yen).unwrap(),
            Cents::new(1045)
        );
        assert!(Cents::from_decimal(Decimal::new(1, 1), yen).is_err());
        assert!(Cents::from_decimal(Decimal::MAX, Currency::USD).is_err());
        assert_eq!(Cents::new(i64::MAX).checked_add(Cents::new(1)), None);
        assert_eq!(
            Cents::new(5).checked_sub(Cents::new(7)),
            Some(Cents::new(-2))
        );
    }
}
