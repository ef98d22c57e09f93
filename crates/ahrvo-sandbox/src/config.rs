//! How to start a sandbox: the accepted [`Credentials`], the [`SandboxConfig`], and why a start
//! can fail ([`SandboxError`]).

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::faults::FaultConfig;

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

/// Default [`SandboxConfig::read_timeout`]: how long a request's headers or body may take to
/// arrive.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(5);

const REDACTED: &str = "<redacted>";

/// What the budget list answers when no budget accounts exist. The page (Query Budget Account
/// Balance) documents both: a `404 Not Found: No budget accounts exist`, and, in its usage
/// notes, an empty array.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[non_exhaustive]
pub enum EmptyBudgets {
    /// `404` with `{"code": "NOT_FOUND", "message": "No budget accounts exist"}` (the default).
    #[default]
    NotFound,
    /// `200` with `{"code": "SUCCESS", "data": []}`.
    EmptyList,
}

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

/// How to start a [`Sandbox`](crate::Sandbox). `Default` is deterministic: ephemeral port,
/// empty state, no state file, default credentials, no latency, no faults; it never reads the
/// environment.
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
    /// What the budget list answers when no budget accounts exist.
    pub empty_budgets: EmptyBudgets,
    /// How long a request's headers, and then its body, may take to arrive; a connection that
    /// sends less than it announced is closed after this (default
    /// [`DEFAULT_READ_TIMEOUT`]). Must not be zero.
    pub read_timeout: Duration,
    /// How long a budget top-up stays `PROCESSING` before it credits the budget (default 0:
    /// credited at once, `SUCCESS`).
    pub top_up_delay: Duration,
    /// At most this many API requests per second (a token bucket of this capacity, refilled
    /// continuously); above it, 429 with `Retry-After`. `None` (the default): no limit. Admin
    /// requests are never limited.
    pub rate_limit: Option<u32>,
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
            empty_budgets: EmptyBudgets::NotFound,
            read_timeout: DEFAULT_READ_TIMEOUT,
            top_up_delay: Duration::ZERO,
            rate_limit: None,
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
            .field("empty_budgets", &self.empty_budgets)
            .field("read_timeout", &self.read_timeout)
            .field("top_up_delay", &self.top_up_delay)
            .field("rate_limit", &self.rate_limit)
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

    /// Sets what the budget list answers when no budget accounts exist.
    pub fn with_empty_budgets(mut self, empty_budgets: EmptyBudgets) -> Self {
        self.empty_budgets = empty_budgets;
        self
    }

    /// Sets how long a request's headers, and then its body, may take to arrive.
    pub fn with_read_timeout(mut self, read_timeout: Duration) -> Self {
        self.read_timeout = read_timeout;
        self
    }

    /// Sets how long a budget top-up stays `PROCESSING` before it is credited.
    pub fn with_top_up_delay(mut self, delay: Duration) -> Self {
        self.top_up_delay = delay;
        self
    }

    /// Limits API requests to `per_second` (`None`: no limit; 0 is refused at start).
    pub fn with_rate_limit(mut self, per_second: Option<u32>) -> Self {
        self.rate_limit = per_second;
        self
    }
}

/// Why a [`Sandbox`](crate::Sandbox) could not start.
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
