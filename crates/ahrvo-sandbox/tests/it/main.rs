//! Integration tests of the sandbox, over HTTP with reqwest, against 127.0.0.1 only.

mod admin;
#[cfg(feature = "cli")]
mod binary;
mod common;
mod faults;
mod hygiene;
mod issuing;
mod payments;
mod persistence;
mod schema;
mod spec;
