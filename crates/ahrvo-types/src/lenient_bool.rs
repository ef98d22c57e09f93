//! Serde `with` module for a boolean the Issuing API sends either as a JSON boolean or as the
//! string `"true"`/`"false"` (Query All Cards shows strings, Query Card Product booleans).
//!
//! Decoding accepts `true`, `false`, `"true"` and `"false"` (exactly: no other spelling, no
//! number) into a `bool`; encoding writes a JSON boolean. It asks for a string or a boolean
//! through `deserialize_any`, which serde_json's `arbitrary_precision` changes only for
//! numbers, and a number is refused either way.
//!
//! ```
//! #[derive(serde::Deserialize)]
//! struct Card {
//!     #[serde(with = "ahrvo_types::lenient_bool")]
//!     allow_withdrawal: bool,
//! }
//!
//! let card: Card = serde_json::from_str(r#"{"allow_withdrawal": "true"}"#)?;
//! assert!(card.allow_withdrawal);
//! let card: Card = serde_json::from_str(r#"{"allow_withdrawal": false}"#)?;
//! assert!(!card.allow_withdrawal);
//! assert!(serde_json::from_str::<Card>(r#"{"allow_withdrawal": "yes"}"#).is_err());
//! # Ok::<(), serde_json::Error>(())
//! ```

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserializer, Serializer};

/// Writes a JSON boolean.
pub fn serialize<S: Serializer>(value: &bool, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_bool(*value)
}

/// Reads `true`, `false`, `"true"` or `"false"`.
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    deserializer.deserialize_any(LenientBool)
}

struct LenientBool;

impl Visitor<'_> for LenientBool {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a boolean or the string \"true\" or \"false\"")
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<bool, E> {
        Ok(value)
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<bool, E> {
        match value {
            "true" => Ok(true),
            "false" => Ok(false),
            other => Err(E::invalid_value(de::Unexpected::Str(other), &self)),
        }
    }
}

/// The same for an optional field: `null` or absent is `None`.
pub mod option {
    use super::*;

    /// Writes `null` or a JSON boolean.
    pub fn serialize<S: Serializer>(
        value: &Option<bool>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(value) => serializer.serialize_some(value),
            None => serializer.serialize_none(),
        }
    }

    /// Reads `null`, `true`, `false`, `"true"` or `"false"`.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<bool>, D::Error> {
        struct Opt;

        impl<'de> Visitor<'de> for Opt {
            type Value = Option<bool>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("null, a boolean or the string \"true\" or \"false\"")
            }

            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }

            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }

            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                super::deserialize(d).map(Some)
            }
        }

        deserializer.deserialize_option(Opt)
    }
}

#[cfg(test)]
mod tests {
    #[derive(Debug, serde::Deserialize, serde::Serialize, PartialEq)]
    struct Flags {
        #[serde(with = "super")]
        a: bool,
        #[serde(default, with = "super::option")]
        b: Option<bool>,
    }

    #[test]
    fn strings_and_booleans_decode_alike() {
        let read = |json: &str| serde_json::from_str::<Flags>(json);
        assert_eq!(
            read(r#"{"a":"true","b":"false"}"#).unwrap(),
            Flags {
                a: true,
                b: Some(false)
            }
        );
        assert_eq!(
            read(r#"{"a":false,"b":true}"#).unwrap(),
            Flags {
                a: false,
                b: Some(true)
            }
        );
        assert_eq!(read(r#"{"a":true,"b":null}"#).unwrap().b, None);
        assert_eq!(read(r#"{"a":true}"#).unwrap().b, None);
        for bad in [
            r#"{"a":"TRUE"}"#,
            r#"{"a":1}"#,
            r#"{"a":"yes"}"#,
            r#"{"a":null}"#,
            r#"{"a":true,"b":"no"}"#,
        ] {
            assert!(read(bad).is_err(), "{bad}");
        }
        let flags = Flags {
            a: true,
            b: Some(false),
        };
        assert_eq!(
            serde_json::to_string(&flags).unwrap(),
            r#"{"a":true,"b":false}"#
        );
    }
}
