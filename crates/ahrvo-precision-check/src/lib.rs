//! Not published: runs ahrvo-types' model tests (`tests/fixtures.rs`, `tests/proptest_models.rs`
//! of that crate) with serde_json's `arbitrary_precision` on. See `Cargo.toml` for why this is a
//! workspace of its own. The library is empty: cargo needs a target besides the tests.
#![forbid(unsafe_code)]
