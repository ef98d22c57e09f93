//! Integration tests of the sandbox, over HTTP with reqwest, against 127.0.0.1 only.

mod admin;
#[cfg(feature = "cli")]
mod binary;
mod common;
mod conservation;
mod faults;
mod funding;
mod hygiene;
mod issuing;
mod lists;
mod payments;
mod persistence;
mod persistence_funding;
mod rate_limit;
mod schema;
mod spec;
mod spec_issue14;
mod spec_issue14_errors;
