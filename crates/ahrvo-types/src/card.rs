use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A card number as the API shows it, masked: `5157********2686`.
///
/// If a reply ever carries a full card number (some Ahrvo list pages show one), it is masked the
/// moment it is decoded, keeping the first four and last four digits, so no `Debug`, `Display`,
/// log line or re-serialization from this SDK can reveal it.
///
/// The field is a card number by definition, so any value showing more than eight digits is
/// masked, whatever surrounds them. Free text (API messages, error bodies) follows a narrower
/// rule, so that ids stay readable: there only 13 to 19 digits standing alone, or in groups
/// joined by single spaces or dashes, are taken for a card number.
///
/// ```
/// use ahrvo_types::MaskedCardNumber;
///
/// let shown = MaskedCardNumber::new("5157123412342686");
/// assert_eq!(shown.as_str(), "5157********2686");
/// assert_eq!(shown.last4(), Some("2686"));
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct MaskedCardNumber(String);

impl MaskedCardNumber {
    /// Wraps a card number, masking every digit but the first four and last four if more than
    /// eight digits are visible.
    pub fn new(number: &str) -> Self {
        Self(mask(number))
    }

    /// The masked number.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The last four characters when they are digits.
    pub fn last4(&self) -> Option<&str> {
        let n = self.0.len();
        let tail = self.0.get(n.checked_sub(4)?..)?;
        tail.bytes().all(|b| b.is_ascii_digit()).then_some(tail)
    }
}

/// Masks a string that shows more than eight digits; one already masked passes unchanged.
fn mask(number: &str) -> String {
    let digits = number.chars().filter(char::is_ascii_digit).count();
    if digits <= 8 {
        return number.to_owned();
    }
    let mut seen = 0;
    number
        .chars()
        .map(|c| {
            if c.is_ascii_digit() {
                seen += 1;
                if seen > 4 && seen <= digits - 4 {
                    return '*';
                }
            }
            c
        })
        .collect()
}

impl fmt::Debug for MaskedCardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MaskedCardNumber({:?})", self.0)
    }
}

impl fmt::Display for MaskedCardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for MaskedCardNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for MaskedCardNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = MaskedCardNumber;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a masked card number string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<MaskedCardNumber, E> {
                Ok(MaskedCardNumber::new(v))
            }
        }
        deserializer.deserialize_str(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masked_numbers_pass_and_full_numbers_are_masked() {
        assert_eq!(mask("5157********2686"), "5157********2686");
        assert_eq!(mask("5157****8888"), "5157****8888");
        assert_eq!(mask("4111111111111111"), "4111********1111");
        assert_eq!(mask("4111 1111 1111 1111"), "4111 **** **** 1111");
        let decoded: MaskedCardNumber = serde_json::from_str("\"5555444433332222\"").unwrap();
        assert!(!format!("{decoded:?}{decoded}").contains("44443333"));
        assert_eq!(
            serde_json::to_string(&decoded).unwrap(),
            "\"5555********2222\""
        );
    }
}
