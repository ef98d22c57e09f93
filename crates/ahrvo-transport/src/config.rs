//! Client configuration: plain `#[non_exhaustive]` structs with `Default` and `with_*` setters.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use url::{Host, Url};

use crate::retry::RetryConfig;
use crate::{Error, HttpTransport};

/// Which Ahrvo deployment to talk to.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Environment {
    /// `https://api.ahrvo.network`.
    Production,
    /// `https://gateway.ahrvo.network`.
    Staging,
    /// Any base URL: a sandbox, a proxy. Plain `http://` is accepted only on loopback unless
    /// [`ClientConfig::allow_insecure_http`] is set.
    Custom(Url),
}

impl Environment {
    /// Production's base URL.
    pub const PRODUCTION_URL: &'static str = "https://api.ahrvo.network";
    /// Staging's base URL.
    pub const STAGING_URL: &'static str = "https://gateway.ahrvo.network";

    /// A custom base URL, parsed.
    pub fn custom(base_url: &str) -> Result<Self, Error> {
        let url = Url::parse(base_url)
            .map_err(|e| Error::config(format!("base URL {base_url:?} is not a valid URL: {e}")))?;
        Ok(Environment::Custom(url))
    }

    /// Parses `production`, `staging` (any case) or an `http(s)://` URL.
    pub fn parse(value: &str) -> Result<Self, Error> {
        match value.trim().to_ascii_lowercase().as_str() {
            "production" | "prod" => Ok(Environment::Production),
            "staging" => Ok(Environment::Staging),
            v if v.starts_with("http://") || v.starts_with("https://") => {
                Self::custom(value.trim())
            }
            _ => Err(Error::config(format!(
                "unknown environment {value:?}: expected production, staging or a URL"
            ))),
        }
    }

    /// The base URL, without a trailing slash.
    pub fn base_url(&self) -> String {
        match self {
            Environment::Production => Self::PRODUCTION_URL.to_owned(),
            Environment::Staging => Self::STAGING_URL.to_owned(),
            Environment::Custom(u) => u.as_str().trim_end_matches('/').to_owned(),
        }
    }

    /// Checks the scheme: `https`, or `http` to a loopback host (or anywhere if `allow_http`).
    pub(crate) fn validate(&self, allow_http: bool) -> Result<(), Error> {
        let Environment::Custom(url) = self else {
            return Ok(());
        };
        if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
            return Err(Error::config(
                "the base URL must not carry a query, fragment or credentials",
            ));
        }
        match url.scheme() {
            "https" => Ok(()),
            "http" if allow_http || is_loopback(url) => Ok(()),
            "http" => Err(Error::config(format!(
                "refusing plain http:// to {}: credentials would cross the network unencrypted \
                 (use https, a loopback address, or set allow_insecure_http)",
                url.host_str().unwrap_or("?")
            ))),
            other => Err(Error::config(format!(
                "unsupported URL scheme {other:?}: use https"
            ))),
        }
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

impl fmt::Debug for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Environment::Production => f.write_str("Production"),
            Environment::Staging => f.write_str("Staging"),
            Environment::Custom(u) => write!(f, "Custom({})", u.as_str()),
        }
    }
}

/// Timeouts. All are on by default: a call can never hang.
///
/// ```
/// use std::time::Duration;
///
/// use ahrvo_transport::{ClientConfig, Environment, TimeoutConfig};
///
/// let timeouts = TimeoutConfig::default()
///     .with_connect(Duration::from_secs(3))
///     .with_per_attempt(Duration::from_secs(10))
///     .with_total(Duration::from_secs(25)); // retries and backoff included
/// let config = ClientConfig::new(Environment::Staging).with_timeouts(timeouts);
/// assert_eq!(config.timeouts.total, Duration::from_secs(25));
/// assert_eq!(TimeoutConfig::default().per_attempt, Duration::from_secs(30));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TimeoutConfig {
    /// Establishing a TCP/TLS connection. Default 10 s.
    pub connect: Duration,
    /// One attempt, from sending to the last byte of the reply. Default 30 s.
    pub per_attempt: Duration,
    /// The whole call, retries and backoff included. Default 60 s.
    pub total: Duration,
}

impl Default for TimeoutConfig {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(10),
            per_attempt: Duration::from_secs(30),
            total: Duration::from_secs(60),
        }
    }
}

impl TimeoutConfig {
    /// Sets the connect timeout.
    pub fn with_connect(mut self, d: Duration) -> Self {
        self.connect = d;
        self
    }
    /// Sets the per-attempt timeout.
    pub fn with_per_attempt(mut self, d: Duration) -> Self {
        self.per_attempt = d;
        self
    }
    /// Sets the whole-call timeout.
    pub fn with_total(mut self, d: Duration) -> Self {
        self.total = d;
        self
    }
}

/// Everything a client needs but the credentials: where, how long, how often, through what.
#[derive(Clone)]
#[non_exhaustive]
pub struct ClientConfig {
    /// Which deployment. Default: [`Environment::Production`].
    pub environment: Environment,
    /// Timeouts.
    pub timeouts: TimeoutConfig,
    /// Retry policy.
    pub retry: RetryConfig,
    /// Appended to the `User-Agent` (`ahrvo-rs/<version> <suffix>`), e.g. your app's name.
    pub user_agent_suffix: Option<String>,
    /// The largest reply body accepted. Default 16 MiB.
    pub max_response_bytes: usize,
    /// Allow plain `http://` to non-loopback hosts. Default false.
    pub allow_insecure_http: bool,
    /// A transport of your own; `None` builds a [`ReqwestTransport`](crate::ReqwestTransport).
    pub transport: Option<Arc<dyn HttpTransport>>,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            environment: Environment::Production,
            timeouts: TimeoutConfig::default(),
            retry: RetryConfig::default(),
            user_agent_suffix: None,
            max_response_bytes: 16 * 1024 * 1024,
            allow_insecure_http: false,
            transport: None,
        }
    }
}

impl ClientConfig {
    /// The default configuration for `environment`.
    pub fn new(environment: Environment) -> Self {
        Self {
            environment,
            ..Self::default()
        }
    }
    /// Sets the environment.
    pub fn with_environment(mut self, environment: Environment) -> Self {
        self.environment = environment;
        self
    }
    /// Sets the timeouts.
    pub fn with_timeouts(mut self, timeouts: TimeoutConfig) -> Self {
        self.timeouts = timeouts;
        self
    }
    /// Sets the retry policy.
    pub fn with_retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }
    /// Sets the `User-Agent` suffix.
    pub fn with_user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }
    /// Sets the reply size limit.
    pub fn with_max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = bytes;
        self
    }
    /// Allows plain `http://` to any host.
    pub fn with_allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }
    /// Uses your own transport.
    pub fn with_transport(mut self, transport: Arc<dyn HttpTransport>) -> Self {
        self.transport = Some(transport);
        self
    }
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("environment", &self.environment)
            .field("timeouts", &self.timeouts)
            .field("retry", &self.retry)
            .field("user_agent_suffix", &self.user_agent_suffix)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("transport", &self.transport.as_ref().map(|_| "custom"))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_only_to_loopback_unless_opted_in() {
        for ok in [
            "http://127.0.0.1:8080",
            "http://localhost:1",
            "http://[::1]:9",
            "https://x.example",
        ] {
            assert!(
                Environment::custom(ok).unwrap().validate(false).is_ok(),
                "{ok}"
            );
        }
        let remote = Environment::custom("http://api.example.com").unwrap();
        assert!(remote.validate(false).is_err());
        assert!(remote.validate(true).is_ok());
        assert!(
            Environment::custom("ftp://x")
                .unwrap()
                .validate(true)
                .is_err()
        );
        assert!(
            Environment::custom("https://x/?a=1")
                .unwrap()
                .validate(false)
                .is_err()
        );
    }

    #[test]
    fn parse_environment_names_and_urls() {
        assert_eq!(Environment::parse("Staging").unwrap(), Environment::Staging);
        assert_eq!(
            Environment::parse("production").unwrap().base_url(),
            "https://api.ahrvo.network"
        );
        assert_eq!(
            Environment::parse("http://127.0.0.1:9/")
                .unwrap()
                .base_url(),
            "http://127.0.0.1:9"
        );
        assert!(Environment::parse("prodution").is_err());
    }
}
