//! Issuing amounts: integer cents in memory, decimal strings with two decimals on the wire and
//! in the state file.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{Failure, MAX_CENTS};

/// An issuing amount in cents, written on the wire and in the state file as a decimal string
/// with exactly two decimals (`"78900.00"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub(crate) struct Money(pub(crate) i64);

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse_decimal(&text)
            .map(Money)
            .map_err(serde::de::Error::custom)
    }
}

/// Parses a non-negative decimal string with at most two decimals (`"10"`, `"10.4"`,
/// `"10.45"`) into cents. No sign, exponent, separator or whitespace is accepted.
pub(crate) fn parse_decimal(text: &str) -> Result<i64, String> {
    let (units, fraction) = match text.split_once('.') {
        Some((units, fraction)) => (units, Some(fraction)),
        None => (text, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(units) {
        return Err(format!(
            "amount must be a decimal string such as \"10.45\", got {text:?}"
        ));
    }
    let cents_part = match fraction {
        None => 0,
        Some(f) if all_digits(f) && f.len() <= 2 => {
            let value: i64 = f.parse().map_err(|_| format!("invalid amount {text:?}"))?;
            if f.len() == 1 { value * 10 } else { value }
        }
        Some(_) => {
            return Err(format!(
                "amount must have at most 2 decimal places, got {text:?}"
            ));
        }
    };
    let units = units.trim_start_matches('0');
    if units.len() > 13 {
        return Err(format!("amount {text:?} is too large"));
    }
    let units: i64 = if units.is_empty() {
        0
    } else {
        units
            .parse()
            .map_err(|_| format!("invalid amount {text:?}"))?
    };
    let cents = units
        .checked_mul(100)
        .and_then(|c| c.checked_add(cents_part))
        .filter(|c| *c <= MAX_CENTS)
        .ok_or_else(|| format!("amount {text:?} is too large"))?;
    Ok(cents)
}

/// Parses a strictly positive amount (see [`parse_decimal`]).
pub(crate) fn parse_positive_amount(text: &str) -> Result<i64, Failure> {
    match parse_decimal(text) {
        Ok(0) => Err(Failure::BadRequest(format!(
            "amount must be greater than 0, got {text:?}"
        ))),
        Ok(cents) => Ok(cents),
        Err(message) => Err(Failure::BadRequest(message)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_amounts() {
        assert_eq!(parse_decimal("10"), Ok(1000));
        assert_eq!(parse_decimal("10.4"), Ok(1040));
        assert_eq!(parse_decimal("10.45"), Ok(1045));
        assert_eq!(parse_decimal("0.01"), Ok(1));
        assert_eq!(parse_decimal("000.01"), Ok(1));
        for bad in [
            "",
            ".5",
            "5.",
            "1.234",
            "-1",
            "+1",
            "1e3",
            " 1",
            "1_000",
            "1,00",
            "99999999999999",
        ] {
            assert!(parse_decimal(bad).is_err(), "{bad:?} accepted");
        }
        assert_eq!(Money(4_525_075).to_string(), "45250.75");
        assert_eq!(Money(7_890_000).to_string(), "78900.00");
        assert_eq!(Money(5).to_string(), "0.05");
    }
}
