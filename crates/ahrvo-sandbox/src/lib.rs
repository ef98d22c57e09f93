//! A stateful local Ahrvo Network API server for tests, demos and development: like
//! stripe-mock, but it remembers.
//!
//! It serves the five documented operations at their real paths, with the documented
//! authentication, envelopes, formats and error statuses:
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
//! ([`Sandbox::set_faults`]) on the five API routes.
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

mod admin;
mod auth;
mod faults;
mod issuing;
mod payments;
mod state;

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, Request, StatusCode, Uri};
use axum::response::Response;
use hyper::body::Incoming;
use hyper::service::Service as _;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};

pub use admin::{AdminError, NewBalance, NewBalanceEntry};
pub use faults::{FaultConfig, FaultCounts, FaultKind, SandboxStats};
pub use state::CardKind;

use faults::{InjectedDrop, Injector};
use state::{Failure, Store};

/// Default API key (`x-api-key`) when `AHRVO_API_KEY` is unset.
pub const DEFAULT_API_KEY: &str = "sandbox-api-key";
/// Default Bearer access token when `AHRVO_ACCESS_TOKEN` is unset.
pub const DEFAULT_ACCESS_TOKEN: &str = "sandbox-access-token";
/// Default payments (HTTP Basic) username when `AHRVO_USERNAME` is unset.
pub const DEFAULT_USERNAME: &str = "sandbox";
/// Default payments (HTTP Basic) password when `AHRVO_PASSWORD` is unset.
pub const DEFAULT_PASSWORD: &str = "sandbox-password";
/// Default API key whose account has card issuance disabled: issuing answers it 403.
pub const DEFAULT_FORBIDDEN_API_KEY: &str = "sandbox-api-key-issuing-disabled";

const REDACTED: &str = "<redacted>";

// ---------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------

/// The credentials the sandbox accepts. `Debug` redacts the secrets.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Credentials {
    /// Issuing `x-api-key`.
    pub api_key: String,
    /// Issuing `Authorization: Bearer` token.
    pub access_token: String,
    /// Payments HTTP Basic username.
    pub username: String,
    /// Payments HTTP Basic password.
    pub password: String,
}

impl Credentials {
    /// Credentials from explicit values.
    pub fn new(
        api_key: impl Into<String>,
        access_token: impl Into<String>,
        username: impl Into<String>,
        password: impl Into<String>,
    ) -> Self {
        Credentials {
            api_key: api_key.into(),
            access_token: access_token.into(),
            username: username.into(),
            password: password.into(),
        }
    }

    /// Reads `AHRVO_API_KEY`, `AHRVO_ACCESS_TOKEN`, `AHRVO_USERNAME` and `AHRVO_PASSWORD`;
    /// each unset (or empty, or not UTF-8) variable takes its default.
    pub fn from_env() -> Self {
        let var = |name: &str, default: &str| {
            std::env::var(name)
                .ok()
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| default.to_owned())
        };
        Credentials {
            api_key: var("AHRVO_API_KEY", DEFAULT_API_KEY),
            access_token: var("AHRVO_ACCESS_TOKEN", DEFAULT_ACCESS_TOKEN),
            username: var("AHRVO_USERNAME", DEFAULT_USERNAME),
            password: var("AHRVO_PASSWORD", DEFAULT_PASSWORD),
        }
    }
}

impl Default for Credentials {
    /// The documented defaults (never the environment).
    fn default() -> Self {
        Credentials::new(
            DEFAULT_API_KEY,
            DEFAULT_ACCESS_TOKEN,
            DEFAULT_USERNAME,
            DEFAULT_PASSWORD,
        )
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("api_key", &REDACTED)
            .field("access_token", &REDACTED)
            .field("username", &self.username)
            .field("password", &REDACTED)
            .finish()
    }
}

/// How to start a [`Sandbox`]. `Default` is deterministic: ephemeral port, empty state, no
/// state file, default credentials, no latency, no faults; it never reads the environment.
#[derive(Clone)]
#[non_exhaustive]
pub struct SandboxConfig {
    /// TCP port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Start from the documentation pages' example objects instead of an empty state (ignored
    /// when the state file already exists: the file wins).
    pub seed: bool,
    /// Load the state from this file at start (if it exists) and save it there, atomically,
    /// after every mutation.
    pub state_file: Option<PathBuf>,
    /// Accepted credentials.
    pub credentials: Credentials,
    /// A second API key, for an account with card issuance disabled: issuing answers 403.
    pub forbidden_api_key: String,
    /// Fixed latency added to every API request (never to admin requests).
    pub latency: Duration,
    /// Faults injected on API requests.
    pub faults: FaultConfig,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            port: 0,
            seed: false,
            state_file: None,
            credentials: Credentials::default(),
            forbidden_api_key: DEFAULT_FORBIDDEN_API_KEY.to_owned(),
            latency: Duration::ZERO,
            faults: FaultConfig::none(),
        }
    }
}

impl fmt::Debug for SandboxConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SandboxConfig")
            .field("port", &self.port)
            .field("seed", &self.seed)
            .field("state_file", &self.state_file)
            .field("credentials", &self.credentials)
            .field("forbidden_api_key", &REDACTED)
            .field("latency", &self.latency)
            .field("faults", &self.faults)
            .finish()
    }
}

impl SandboxConfig {
    /// The defaults, with credentials from the environment (see [`Credentials::from_env`]).
    pub fn from_env() -> Self {
        SandboxConfig::default().with_credentials(Credentials::from_env())
    }

    /// Sets the port (0: ephemeral).
    pub fn with_port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Starts from the pages' example objects.
    pub fn with_seed(mut self, seed: bool) -> Self {
        self.seed = seed;
        self
    }

    /// Persists the state to `path`.
    pub fn with_state_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.state_file = Some(path.into());
        self
    }

    /// Sets the accepted credentials.
    pub fn with_credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = credentials;
        self
    }

    /// Sets the API key answered 403 on issuing (empty: none).
    pub fn with_forbidden_api_key(mut self, key: impl Into<String>) -> Self {
        self.forbidden_api_key = key.into();
        self
    }

    /// Sets the latency added to every API request.
    pub fn with_latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Sets the injected faults.
    pub fn with_faults(mut self, faults: FaultConfig) -> Self {
        self.faults = faults;
        self
    }
}

/// Why a [`Sandbox`] could not start.
#[derive(Debug)]
#[non_exhaustive]
pub enum SandboxError {
    /// Not called from within a Tokio runtime.
    NoRuntime,
    /// The configuration is invalid.
    Config(String),
    /// The port could not be bound.
    Bind {
        /// The address tried.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// The state file is unreadable, corrupt, or breaks an invariant; or it could not be
    /// created. The sandbox never silently resets a state file.
    StateFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

impl fmt::Display for SandboxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SandboxError::NoRuntime => {
                f.write_str("the sandbox must be started from within a Tokio runtime")
            }
            SandboxError::Config(reason) => write!(f, "invalid sandbox configuration: {reason}"),
            SandboxError::Bind { addr, source } => write!(f, "cannot listen on {addr}: {source}"),
            SandboxError::StateFile { path, reason } => {
                write!(f, "state file {}: {reason}", path.display())
            }
        }
    }
}

impl std::error::Error for SandboxError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SandboxError::Bind { source, .. } => Some(source),
            _ => None,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The running sandbox
// ---------------------------------------------------------------------------------------------

/// What the handlers share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) store: Store,
    pub(crate) injector: Injector,
    pub(crate) credentials: Credentials,
    pub(crate) forbidden_api_key: String,
    /// Whether `reset` without an explicit choice reseeds.
    pub(crate) seed: bool,
}

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
            credentials: config.credentials,
            forbidden_api_key: config.forbidden_api_key,
            seed: config.seed,
        });
        let router = router(Arc::clone(&shared));
        let server = tokio::spawn(serve(listener, Arc::clone(&shared), router));
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

    /// Requests seen and faults injected since start (or the last [`Sandbox::reset_stats`]).
    pub fn stats(&self) -> SandboxStats {
        self.shared.injector.stats()
    }

    /// Zeroes the counters.
    pub fn reset_stats(&self) {
        self.shared.injector.reset_stats();
    }
}

// ---------------------------------------------------------------------------------------------
// Server plumbing
// ---------------------------------------------------------------------------------------------

/// A JSON reply.
pub(crate) fn json_response<T: serde::Serialize>(status: StatusCode, body: &T) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => {
            let mut reply = Response::new(Body::from(bytes));
            *reply.status_mut() = status;
            reply
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            reply
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot serialize a reply");
            let mut reply = Response::new(Body::empty());
            *reply.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            reply
        }
    }
}

/// Which API a path belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Api {
    Issuing,
    Payments,
}

impl Api {
    /// The API of one of the five operation paths; `None` for any other path.
    fn of(path: &str) -> Option<Api> {
        match path {
            issuing::LIST_BUDGET_BALANCES | issuing::CREATE_BUDGET | issuing::CARD_BALANCE => {
                return Some(Api::Issuing);
            }
            _ => {}
        }
        let rest = path
            .strip_prefix("/payments/na/balances/")
            .or_else(|| path.strip_prefix("/payments/na/balance_entries/"))?;
        (!rest.is_empty() && !rest.contains('/')).then_some(Api::Payments)
    }

    fn error(self, status: StatusCode, code: &str, message: &str) -> Response {
        match self {
            Api::Issuing => issuing::error(status, code, message),
            Api::Payments => payments::error(status, code, message),
        }
    }
}

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .merge(issuing::routes())
        .merge(payments::routes())
        .merge(admin::routes())
        .fallback(fallback)
        .with_state(shared)
}

async fn fallback(uri: Uri) -> Response {
    let path = uri.path();
    if path == "/_sandbox" || path.starts_with("/_sandbox/") {
        admin::not_found()
    } else if path.starts_with("/payments/") {
        payments::error(StatusCode::NOT_FOUND, "NOT_FOUND", "Resource not found")
    } else {
        let failure = Failure::NotFound(format!("No such endpoint: {path}"));
        issuing::error(failure.status(), "NOT_FOUND", failure.message())
    }
}

/// Accepts connections until the task is aborted; dropping the task drops every connection.
async fn serve(listener: TcpListener, shared: Arc<Shared>, router: Router) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    let _ = stream.set_nodelay(true);
                    let shared = Arc::clone(&shared);
                    let router = router.clone();
                    connections.spawn(async move {
                        let service = hyper::service::service_fn(move |request| {
                            handle(Arc::clone(&shared), router.clone(), request)
                        });
                        let result = hyper::server::conn::http1::Builder::new()
                            .timer(TokioTimer::new())
                            .serve_connection(TokioIo::new(stream), service)
                            .await;
                        if let Err(e) = result {
                            tracing::debug!(error = %e, "connection ended with an error");
                        }
                    });
                }
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// One request: admin and unknown routes go straight to the router; API routes get the
/// configured latency and maybe a fault.
async fn handle(
    shared: Arc<Shared>,
    router: Router,
    request: Request<Incoming>,
) -> Result<Response, InjectedDrop> {
    let Some(api) = Api::of(request.uri().path()) else {
        if request.uri().path().starts_with("/_sandbox") {
            shared.injector.count_admin();
        }
        return Ok(call(router, request).await);
    };
    let plan = shared.injector.plan();
    if !plan.latency.is_zero() {
        tokio::time::sleep(plan.latency).await;
    }
    let Some(fault) = plan.fault else {
        return Ok(call(router, request).await);
    };
    tracing::debug!(?fault, path = request.uri().path(), "injecting a fault");
    let reply = match fault {
        FaultKind::DropConnection => return Err(InjectedDrop),
        FaultKind::InternalServerError => api.error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL_SERVER_ERROR",
            "Injected fault: internal server error",
        ),
        FaultKind::ServiceUnavailable => api.error(
            StatusCode::SERVICE_UNAVAILABLE,
            "SERVICE_UNAVAILABLE",
            "Injected fault: service unavailable",
        ),
        FaultKind::TooManyRequests => {
            let mut reply = api.error(
                StatusCode::TOO_MANY_REQUESTS,
                "TOO_MANY_REQUESTS",
                "Injected fault: too many requests",
            );
            reply
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(plan.retry_after_secs));
            reply
        }
        FaultKind::TruncatedBody => {
            let (mut parts, body) = call(router, request).await.into_parts();
            let full = axum::body::to_bytes(body, usize::MAX)
                .await
                .unwrap_or_default();
            parts
                .headers
                .insert(CONTENT_LENGTH, HeaderValue::from(full.len()));
            Response::from_parts(parts, faults::truncated_body(&full))
        }
    };
    Ok(reply)
}

async fn call(router: Router, request: Request<Incoming>) -> Response {
    match TowerToHyperService::new(router).call(request).await {
        Ok(reply) => reply,
        Err(never) => match never {},
    }
}
