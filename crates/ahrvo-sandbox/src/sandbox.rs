//! [`Sandbox`]: a running server, and the library helpers that shape its state (the same
//! operations as the admin API under `/_sandbox/`).

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::admin::{self, AdminError, TopUpCounts};
use crate::config::{Credentials, SandboxConfig, SandboxError};
use crate::faults::{FaultConfig, Injector, RateLimiter, SandboxStats};
use crate::server;
use crate::shared::Shared;
use crate::state::{CardKind, NewBalance, NewBalanceEntry, Store};

/// A running sandbox server. Dropping it stops the server and closes its connections.
pub struct Sandbox {
    shared: Arc<Shared>,
    addr: SocketAddr,
    base_url: String,
    server: JoinHandle<()>,
}

impl fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sandbox")
            .field("base_url", &self.base_url)
            .field("credentials", &self.shared.credentials)
            .finish_non_exhaustive()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl Sandbox {
    /// Starts an empty sandbox with the default configuration on an ephemeral port.
    pub async fn start() -> Result<Sandbox, SandboxError> {
        Sandbox::start_with(SandboxConfig::default()).await
    }

    /// Starts a sandbox holding the documentation pages' example objects.
    pub async fn start_seeded() -> Result<Sandbox, SandboxError> {
        Sandbox::start_with(SandboxConfig::default().with_seed(true)).await
    }

    /// Starts a sandbox with `config`.
    pub async fn start_with(config: SandboxConfig) -> Result<Sandbox, SandboxError> {
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(SandboxError::NoRuntime);
        }
        config.faults.validate().map_err(SandboxError::Config)?;
        let c = &config.credentials;
        if [&c.api_key, &c.access_token, &c.username, &c.password]
            .iter()
            .any(|v| v.is_empty())
        {
            return Err(SandboxError::Config(
                "credentials must not be empty".to_owned(),
            ));
        }
        if c.username.contains(':') {
            return Err(SandboxError::Config(
                "the HTTP Basic username must not contain ':'".to_owned(),
            ));
        }
        if config.forbidden_api_key == c.api_key {
            return Err(SandboxError::Config(
                "the issuing-disabled API key must differ from the API key".to_owned(),
            ));
        }
        if config.rate_limit == Some(0) {
            return Err(SandboxError::Config(
                "the rate limit must be at least 1 request per second".to_owned(),
            ));
        }
        if config.read_timeout.is_zero() {
            return Err(SandboxError::Config(
                "the read timeout must not be zero".to_owned(),
            ));
        }
        let store = Store::open(config.state_file.clone(), config.seed).map_err(|e| {
            SandboxError::StateFile {
                path: e.path,
                reason: e.reason,
            }
        })?;
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, config.port));
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| SandboxError::Bind { addr, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| SandboxError::Bind { addr, source })?;
        let shared = Arc::new(Shared {
            store,
            injector: Injector::new(config.faults, config.latency),
            limiter: RateLimiter::new(config.rate_limit),
            credentials: config.credentials,
            forbidden_api_key: config.forbidden_api_key,
            seed: config.seed,
            empty_budgets: config.empty_budgets,
            read_timeout: config.read_timeout,
            top_up_delay: config.top_up_delay,
        });
        let server = tokio::spawn(server::serve(listener, Arc::clone(&shared)));
        tracing::info!(%addr, "ahrvo-sandbox listening");
        Ok(Sandbox {
            shared,
            addr,
            base_url: format!("http://{addr}"),
            server,
        })
    }

    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The accepted credentials.
    pub fn credentials(&self) -> &Credentials {
        &self.shared.credentials
    }

    /// The API key answered 403 on issuing (empty when none).
    pub fn forbidden_api_key(&self) -> &str {
        &self.shared.forbidden_api_key
    }

    // --- admin helpers (the same operations as the `/_sandbox/` routes) ---------------------

    /// Replaces the state with an empty one, or with the pages' examples when `seed`.
    pub fn reset(&self, seed: bool) -> Result<(), AdminError> {
        admin::do_reset(&self.shared, seed).map_err(AdminError::from)
    }

    /// The whole state as JSON (the body of `GET /_sandbox/state`).
    pub fn state(&self) -> serde_json::Value {
        serde_json::to_value(self.shared.store.snapshot()).unwrap_or(serde_json::Value::Null)
    }

    /// Creates a budget with a zero balance in `currency`; returns its id.
    pub fn create_budget(&self, name: &str, currency: &str) -> Result<String, AdminError> {
        admin::do_create_budget(&self.shared, name, currency, None)
            .map(|b| b.budget_id)
            .map_err(AdminError::from)
    }

    /// Adds `amount` (a decimal string > 0 with at most 2 decimals) to a budget.
    pub fn fund_budget(&self, budget_id: &str, amount: &str) -> Result<(), AdminError> {
        admin::do_fund_budget(&self.shared, budget_id, amount, false)
            .map(drop)
            .map_err(AdminError::from)
    }

    /// Takes `amount` from a budget; refused (409) when the budget holds less.
    pub fn withdraw_budget(&self, budget_id: &str, amount: &str) -> Result<(), AdminError> {
        admin::do_fund_budget(&self.shared, budget_id, amount, true)
            .map(drop)
            .map_err(AdminError::from)
    }

    /// Issues a card funded by `budget_id`; returns its id (`card` + 18 digits). Its masked
    /// number is in [`Sandbox::state`].
    pub fn create_card(&self, budget_id: &str, kind: CardKind) -> Result<String, AdminError> {
        admin::do_create_card(&self.shared, budget_id, kind, None)
            .map(|c| c.card_id)
            .map_err(AdminError::from)
    }

    /// Moves `amount` from a Dedicated Funds Card's budget to the card; refused (409) when the
    /// budget holds less, (400) for a Shared Funds Card.
    pub fn top_up_card(&self, card_id: &str, amount: &str) -> Result<(), AdminError> {
        admin::do_top_up_card(&self.shared, card_id, amount)
            .map(drop)
            .map_err(AdminError::from)
    }

    /// Creates a Balance; returns its id (`balance_…`).
    pub fn create_balance(&self, balance: NewBalance) -> Result<String, AdminError> {
        self.shared
            .store
            .mutate(|s| s.create_balance(&balance))
            .map(|b| b.id)
            .map_err(AdminError::from)
    }

    /// Posts a Balance Entry to a Balance; returns its id (`balance_entry_…`). A debit that
    /// would overdraw `available_amount` is refused (409).
    pub fn post_balance_entry(
        &self,
        balance_id: &str,
        entry: NewBalanceEntry,
    ) -> Result<String, AdminError> {
        self.shared
            .store
            .mutate(|s| s.post_entry(balance_id, &entry))
            .map(|e| e.id)
            .map_err(AdminError::from)
    }

    /// Settles a PENDING entry: its amount moves from pending to available and it SUCCEEDS.
    pub fn settle_balance_entry(&self, entry_id: &str) -> Result<(), AdminError> {
        self.shared
            .store
            .mutate(|s| s.settle_entry(entry_id))
            .map(drop)
            .map_err(AdminError::from)
    }

    /// A budget's balance, a decimal string (`"1234.50"`), after every due top-up order was
    /// credited.
    pub fn budget_balance(&self, budget_id: &str) -> Result<String, AdminError> {
        admin::do_budget_summary(&self.shared, budget_id)
            .map(|s| s.budget.balance.to_string())
            .map_err(AdminError::from)
    }

    /// A budget's top-up orders by status and the sum credited: `applied` counts each order
    /// once, so `applied_amount` equal to the sum of the distinct orders sent means no order
    /// was applied twice or lost.
    pub fn top_up_counts(&self, budget_id: &str) -> Result<TopUpCounts, AdminError> {
        admin::do_budget_summary(&self.shared, budget_id)
            .map(|s| s.top_ups)
            .map_err(AdminError::from)
    }

    /// Marks a `PROCESSING` budget top-up order `FAILED` (409 if it is not processing).
    pub fn fail_top_up(&self, unique_order_id: &str) -> Result<(), AdminError> {
        admin::do_fail_top_up(&self.shared, unique_order_id)
            .map(drop)
            .map_err(AdminError::from)
    }

    /// Checks every invariant of the state (no negative amount, money conserved across
    /// budgets and cards, unique ids, …); `Err` names the first one broken. Every mutation is
    /// checked before it is stored, so this is `Ok` unless the sandbox has a bug.
    pub fn check_invariants(&self) -> Result<(), String> {
        match admin::do_check(&self.shared) {
            report if report.ok => Ok(()),
            report => Err(report.error.unwrap_or_default()),
        }
    }

    // --- faults, latency, counters -----------------------------------------------------------

    /// Replaces the fault configuration (the generator restarts from its seed). A rate
    /// outside `0.0..=1.0` is clamped.
    pub fn set_faults(&self, faults: FaultConfig) {
        let rate = faults.rate;
        self.shared.injector.set_faults(faults.rate(rate));
    }

    /// The current fault configuration.
    pub fn faults(&self) -> FaultConfig {
        self.shared.injector.current().0
    }

    /// Sets the latency added to every API request.
    pub fn set_latency(&self, latency: Duration) {
        self.shared.injector.set_latency(latency);
    }

    /// Limits API requests to `per_second` (a token bucket of that capacity, starting full);
    /// `None` or 0 lifts the limit.
    pub fn set_rate_limit(&self, per_second: Option<u32>) {
        self.shared.limiter.set(per_second);
    }

    /// The current rate limit, in requests per second.
    pub fn rate_limit(&self) -> Option<u32> {
        self.shared.limiter.limit()
    }

    /// Requests seen and faults injected since start (or the last [`Sandbox::reset_stats`]).
    pub fn stats(&self) -> SandboxStats {
        self.shared.injector.stats()
    }

    /// Zeroes the counters.
    pub fn reset_stats(&self) {
        self.shared.injector.reset_stats();
    }
}
