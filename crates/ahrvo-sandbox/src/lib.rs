//! A stateful local Ahrvo Network API server, for tests, demos and development.
//!
//! Like stripe-mock, but it remembers. It serves the documented operations at their real
//! paths, with the documented authentication, envelopes, formats and error statuses (the five
//! of the seed pages below, and issue 14's top-ups, transfers, order queries and lists: see
//! docs/sandbox.md):
//!
//! | operation | method and path |
//! |---|---|
//! | all budget balances | `GET /card/issuance/api/issuing/budget/v2/balance/all` |
//! | create a budget | `POST /card/issuance/api/issuing/budget/v2/create` |
//! | a Dedicated Funds Card's balance | `GET /card/issuance/api/issuing/card/v2/normal/balance?card_id=` |
//! | a Balance | `GET /payments/na/balances/{balance_id}` |
//! | a Balance Entry | `GET /payments/na/balance_entries/{balance_entry_id}` |
//!
//! Tests shape its state through the library ([`Sandbox::create_budget`],
//! [`Sandbox::post_balance_entry`], …) or through the admin API under `/_sandbox/` (which is
//! the sandbox's own, not Ahrvo's), and can inject latency and faults
//! ([`Sandbox::set_faults`]) and a rate limit ([`Sandbox::set_rate_limit`]) on the API routes.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use ahrvo_sandbox::{CardKind, Sandbox, SandboxConfig};
//!
//! let sandbox = Sandbox::start_with(SandboxConfig::default().with_seed(true)).await?;
//! let budget_id = sandbox.create_budget("Ops", "USD")?;
//! sandbox.fund_budget(&budget_id, "250.00")?;
//! let card_id = sandbox.create_card(&budget_id, CardKind::Dedicated)?;
//! sandbox.top_up_card(&card_id, "100.00")?;
//! println!("{} with {:?}", sandbox.base_url(), sandbox.credentials());
//! # Ok(()) }
//! ```
//!
//! The server listens on `127.0.0.1` only and stops when the [`Sandbox`] is dropped.
//!
//! # Where things are
//!
//! Dependencies point one way: `sandbox`, `server` → `routes`, `admin` → `state`; `state`
//! uses nothing else of the crate.
//!
//! | module | what |
//! |---|---|
//! | `config.rs` | [`SandboxConfig`], [`Credentials`], [`SandboxError`] |
//! | `sandbox.rs` | [`Sandbox`]: start, stop, and the library helpers |
//! | `server.rs` | the accept loop: latency and faults before the router |
//! | `routes/` | the operations: `issuing.rs`, `funding.rs`, `issuing_lists.rs`, `payments.rs`, `payments_lists.rs`, `paging.rs` |
//! | `codes.rs` | every error `code` the sandbox sends, per family (the spec's enums) |
//! | `admin/` | the `/_sandbox/` API, one file per part |
//! | `auth.rs` | Bearer + `x-api-key` (issuing), HTTP Basic (payments) |
//! | `faults/` | [`FaultConfig`], the seeded injector, broken replies, the rate limit's bucket |
//! | `state/` | the model per family, invariants, ids, seed data, the store, the state file |
//! | `cli.rs` | [`SandboxArgs`], the flags of `ahrvo-sandbox` and `ahrvo sandbox` (feature `cli`) |

mod admin;
mod auth;
#[cfg(feature = "cli")]
mod cli;
mod codes;
mod config;
mod faults;
mod routes;
mod sandbox;
mod server;
mod shared;
mod state;

pub use admin::{AdminError, TopUpCounts};
#[cfg(feature = "cli")]
pub use cli::SandboxArgs;
pub use config::{
    Credentials, DEFAULT_ACCESS_TOKEN, DEFAULT_API_KEY, DEFAULT_FORBIDDEN_API_KEY,
    DEFAULT_PASSWORD, DEFAULT_READ_TIMEOUT, DEFAULT_USERNAME, EmptyBudgets, SandboxConfig,
    SandboxError,
};
pub use faults::{FaultConfig, FaultCounts, FaultKind, FaultTiming, SandboxStats};
pub use sandbox::Sandbox;
pub use state::{CardKind, NewBalance, NewBalanceEntry};
