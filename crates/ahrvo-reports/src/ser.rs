//! Serde helpers (money uses `ahrvo_types::money::decimal_string`, as the models do).

use std::fmt::Display;

use serde::Serializer;

/// Writes a value through its `Display` (the error of a failed query, as it reads).
pub(crate) fn display<T: Display, S: Serializer>(
    value: &T,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_str(value)
}
