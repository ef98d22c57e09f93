use std::fmt;
use std::str::FromStr;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, PrimitiveDateTime, format_description::BorrowedFormatItem, macros};

use crate::InvalidValue;

/// A point in time from the API, e.g. `2024-05-01T18:04:33.42Z`.
///
/// Reads RFC 3339 (what Payments sends), and also a bare date (`2024-05-01`, taken as midnight
/// UTC) or `yyyy-MM-dd HH:mm:ss` (what some Issuing pages show, taken as UTC). Writes RFC 3339.
///
/// ```
/// use ahrvo_types::Timestamp;
///
/// let t: Timestamp = "2024-05-01T18:04:33.42Z".parse()?;
/// assert_eq!(t.to_string(), "2024-05-01T18:04:33.42Z");
/// assert_eq!(t.as_offset_date_time().year(), 2024);
/// # Ok::<(), ahrvo_types::InvalidValue>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp(OffsetDateTime);

const DATE: &[BorrowedFormatItem<'_>] = macros::format_description!("[year]-[month]-[day]");
const DATE_TIME: &[BorrowedFormatItem<'_>] =
    macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");

impl Timestamp {
    /// Wraps a date-time.
    pub const fn new(at: OffsetDateTime) -> Self {
        Self(at)
    }

    /// The current time, UTC.
    pub fn now() -> Self {
        Self(OffsetDateTime::now_utc())
    }

    /// The date-time.
    pub const fn as_offset_date_time(&self) -> OffsetDateTime {
        self.0
    }

    /// Parses RFC 3339, `yyyy-MM-dd HH:mm:ss` (UTC) or `yyyy-MM-dd` (midnight UTC).
    pub fn parse(s: &str) -> Result<Self, InvalidValue> {
        if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
            return Ok(Self(t));
        }
        if let Ok(t) = PrimitiveDateTime::parse(s, DATE_TIME) {
            return Ok(Self(t.assume_utc()));
        }
        if let Ok(d) = time::Date::parse(s, DATE) {
            return Ok(Self(d.midnight().assume_utc()));
        }
        Err(InvalidValue::new(
            "timestamp",
            format!(
                "{:?} is not an RFC 3339 date-time",
                s.chars().take(40).collect::<String>()
            ),
        ))
    }
}

impl From<OffsetDateTime> for Timestamp {
    fn from(t: OffsetDateTime) -> Self {
        Self(t)
    }
}

impl From<Timestamp> for OffsetDateTime {
    fn from(t: Timestamp) -> Self {
        t.0
    }
}

impl FromStr for Timestamp {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.format(&Rfc3339) {
            Ok(s) => f.write_str(&s),
            Err(_) => write!(f, "{}", self.0),
        }
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({self})")
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let s = self.0.format(&Rfc3339).map_err(serde::ser::Error::custom)?;
        serializer.serialize_str(&s)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 3339 date-time string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Timestamp, E> {
                Timestamp::parse(v).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_the_api_uses() {
        let t = Timestamp::parse("2024-05-01T18:04:33.42Z").unwrap();
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            "\"2024-05-01T18:04:33.42Z\""
        );
        let d = Timestamp::parse("2026-01-13").unwrap();
        assert_eq!(d.to_string(), "2026-01-13T00:00:00Z");
        let s = Timestamp::parse("2023-08-17 16:39:22").unwrap();
        assert_eq!(s.to_string(), "2023-08-17T16:39:22Z");
        assert!(Timestamp::parse("yesterday").is_err());
        assert!(serde_json::from_str::<Timestamp>("1714586673").is_err());
    }
}
