//! Resource ids as distinct types, so a card id can never be passed where a balance id belongs.
//!
//! Ids are opaque: any string converts into one, and the SDK checks and percent-encodes an id when
//! it puts it into a URL (an empty id, `.` or `..` is refused before any request is sent).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::InvalidValue;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps an id as given.
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            /// The id as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The owned string.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self(s)
            }
        }

        impl From<&String> for $name {
            fn from(s: &String) -> Self {
                Self(s.clone())
            }
        }

        impl From<&$name> for $name {
            fn from(id: &$name) -> Self {
                id.clone()
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok(Self(s.to_owned()))
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}

id_type!(
    /// The id of an Issuing budget account, e.g. `ci202507232016182661`.
    BudgetId
);
id_type!(
    /// The id of an Issuing card, e.g. `card201907021723076245`.
    CardId
);
id_type!(
    /// The id of a Payments Balance, e.g. `balance_dyz5APsJebDef9oTW9J2Hc`.
    BalanceId
);
id_type!(
    /// The id of a Payments Balance Entry, e.g. `balance_entry_i5YzFZYEh6CoCrN2zqgPdW`.
    BalanceEntryId
);

id_type!(
    /// The id of an Issuing funding record (a budget or card top-up), as the API assigns it.
    RecordId
);
id_type!(
    /// The id of an Issuing transfer between budget accounts, e.g. `tr202601131200000001`.
    TransferOrderId
);
id_type!(
    /// The id of a Payments Transfer, e.g. `TRvL3bZqJ4xRZ8u2Yz9Nw1Qp`.
    TransferId
);
id_type!(
    /// The id of a Payments Balance Adjustment, e.g. `balance_adjustment_fR4sgV9mWq3TzYkLb8nXcJ`.
    BalanceAdjustmentId
);

/// A client-chosen id that makes an Issuing top-up idempotent: 1 to
/// [`MAX_LEN`](Self::MAX_LEN) characters, no control characters, not blank.
///
/// The same id with the same body is the same order (the API credits it once); reuse an id
/// only to retry the same top-up. [`UniqueOrderId::new_v4`] makes a random UUID v4 (what the
/// SDK uses when a caller gives none). Unlike the other ids, it is checked when it is made:
/// [`parse`](Self::parse) (and `FromStr`, `TryFrom`) refuse an id the API would refuse.
/// Decoding one from a reply checks nothing (a reply is read as sent).
///
/// ```
/// use ahrvo_types::UniqueOrderId;
///
/// let id = UniqueOrderId::parse("order-2026-0001")?;
/// assert_eq!(id.as_str(), "order-2026-0001");
/// assert!(UniqueOrderId::parse("").is_err());
/// assert!(UniqueOrderId::parse(&"x".repeat(37)).is_err());
/// assert_eq!(UniqueOrderId::new_v4().as_str().len(), 36);
/// # Ok::<(), ahrvo_types::InvalidValue>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UniqueOrderId(String);

impl UniqueOrderId {
    /// The longest id the API accepts, in characters.
    pub const MAX_LEN: usize = 36;

    /// Checks `id`: 1 to [`MAX_LEN`](Self::MAX_LEN) characters, no control characters, not
    /// blank.
    pub fn parse(id: &str) -> Result<Self, InvalidValue> {
        let chars = id.chars().count();
        let what = "unique_order_id";
        if id.trim().is_empty() {
            return Err(InvalidValue::new(what, "must not be empty or blank"));
        }
        if chars > Self::MAX_LEN {
            return Err(InvalidValue::new(
                what,
                format!(
                    "is {chars} characters long; at most {} are allowed",
                    Self::MAX_LEN
                ),
            ));
        }
        if id.chars().any(char::is_control) {
            return Err(InvalidValue::new(
                what,
                "must not contain control characters",
            ));
        }
        Ok(Self(id.to_owned()))
    }

    /// A random UUID version 4 (RFC 9562), lower-case hyphenated: 36 characters, 122 random
    /// bits from `random`, which must be 16 bytes from a cryptographically secure source.
    pub fn from_random_bytes(mut random: [u8; 16]) -> Self {
        random[6] = (random[6] & 0x0f) | 0x40; // version 4
        random[8] = (random[8] & 0x3f) | 0x80; // variant RFC 9562
        let hex: String = random.iter().map(|b| format!("{b:02x}")).collect();
        Self(format!(
            "{}-{}-{}-{}-{}",
            &hex[0..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..32]
        ))
    }

    /// A fresh random UUID v4 from the operating system's secure random source (`getrandom`).
    ///
    /// # Panics
    ///
    /// If the operating system has no random source at all (`getrandom` fails), which no
    /// supported platform does; an id that might repeat is worse than stopping.
    pub fn new_v4() -> Self {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).expect("the operating system's random source is available");
        Self::from_random_bytes(bytes)
    }

    /// The id as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The owned string.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Debug for UniqueOrderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UniqueOrderId({:?})", self.0)
    }
}

impl fmt::Display for UniqueOrderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for UniqueOrderId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for UniqueOrderId {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<&str> for UniqueOrderId {
    type Error = InvalidValue;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Self::parse(s)
    }
}

impl TryFrom<String> for UniqueOrderId {
    type Error = InvalidValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl PartialEq<str> for UniqueOrderId {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for UniqueOrderId {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_transparent_strings() {
        let id: BudgetId = serde_json::from_str("\"ci1\"").unwrap();
        assert_eq!(id, "ci1");
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"ci1\"");
        assert_eq!(format!("{id:?}"), "BudgetId(\"ci1\")");
        assert_eq!(CardId::from(&"x".to_string()).as_str(), "x");
    }

    #[test]
    fn unique_order_ids_are_checked_when_made() {
        assert!(
            UniqueOrderId::parse(&"é".repeat(36)).is_ok(),
            "characters, not bytes"
        );
        for bad in ["", "   ", "a\nb", "\u{7}"] {
            assert!(UniqueOrderId::parse(bad).is_err(), "{bad:?}");
        }
        let e = UniqueOrderId::parse(&"x".repeat(37)).unwrap_err();
        assert_eq!(e.what(), "unique_order_id");
        assert!(e.reason().contains("37 characters"), "{e}");
        assert!("ok".parse::<UniqueOrderId>().is_ok());
        assert!(UniqueOrderId::try_from(String::new()).is_err());
    }

    #[test]
    fn uuid_v4_sets_version_and_variant() {
        let id = UniqueOrderId::from_random_bytes([0xff; 16]);
        assert_eq!(id.as_str(), "ffffffff-ffff-4fff-bfff-ffffffffffff");
        let id = UniqueOrderId::from_random_bytes([0; 16]);
        assert_eq!(id.as_str(), "00000000-0000-4000-8000-000000000000");
        let (a, b) = (UniqueOrderId::new_v4(), UniqueOrderId::new_v4());
        assert_ne!(a, b);
        assert!(UniqueOrderId::parse(a.as_str()).is_ok());
        assert_eq!(&a.as_str()[14..15], "4");
    }
}
