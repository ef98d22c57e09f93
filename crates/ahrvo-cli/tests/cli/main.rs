//! End-to-end tests of the `ahrvo` binary against in-process sandboxes: every command, every
//! output format, the error paths and their exit codes.

mod common;

mod auto_top_up;
mod balances;
mod budgets;
mod bulk;
mod cards;
mod completions;
mod csv_round_trip;
mod demo;
mod help;
mod hostile;
mod ledger;
mod lists;
mod man;
mod memory;
mod profiles;
mod reconcile;
mod replies;
mod sandbox;
mod top_up;
mod transfers;
mod watch;
