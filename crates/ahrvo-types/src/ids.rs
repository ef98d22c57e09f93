//! Resource ids as distinct types, so a card id can never be passed where a balance id belongs.
//!
//! Ids are opaque: any string converts into one, and the SDK checks and percent-encodes an id when
//! it puts it into a URL (an empty id, `.` or `..` is refused before any request is sent).

use std::fmt;

use serde::{Deserialize, Serialize};

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
}
