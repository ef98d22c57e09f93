//! What every handler shares: the store, the fault injector and the accepted credentials.

use crate::config::{Credentials, EmptyBudgets};
use crate::faults::{Injector, RateLimiter};
use crate::state::Store;

/// What the handlers share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) store: Store,
    pub(crate) injector: Injector,
    /// The rate limit of the API routes.
    pub(crate) limiter: RateLimiter,
    pub(crate) credentials: Credentials,
    pub(crate) forbidden_api_key: String,
    /// Whether `reset` without an explicit choice reseeds.
    pub(crate) seed: bool,
    /// What the budget list answers when no budget accounts exist.
    pub(crate) empty_budgets: EmptyBudgets,
    /// How long a request's headers, and then its body, may take to arrive.
    pub(crate) read_timeout: std::time::Duration,
    /// How long a budget top-up stays `PROCESSING` before it is credited.
    pub(crate) top_up_delay: std::time::Duration,
}
