use std::fmt;

use ahrvo_transport::{ClientConfig, Environment, Error, Result, RetryConfig, TimeoutConfig};

#[cfg(feature = "issuing")]
use ahrvo_issuing::IssuingCredentials;
#[cfg(feature = "payments")]
use ahrvo_payments::PaymentsCredentials;

/// The API key the embedded sandbox (`ahrvo-sandbox`) accepts by default.
pub const SANDBOX_API_KEY: &str = "sandbox-api-key";
/// The access token the sandbox accepts by default.
pub const SANDBOX_ACCESS_TOKEN: &str = "sandbox-access-token";
/// The Payments username the sandbox accepts by default.
pub const SANDBOX_USERNAME: &str = "sandbox";
/// The Payments password the sandbox accepts by default.
pub const SANDBOX_PASSWORD: &str = "sandbox-password";

/// Everything a [`Client`](crate::Client) needs: the shared client settings and the credentials
/// of each API family (either may be absent).
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct Config {
    /// Environment, timeouts, retries, transport.
    pub client: ClientConfig,
    /// Issuing credentials (API key and access token).
    #[cfg(feature = "issuing")]
    #[cfg_attr(docsrs, doc(cfg(feature = "issuing")))]
    pub issuing: Option<IssuingCredentials>,
    /// Payments credentials (HTTP Basic).
    #[cfg(feature = "payments")]
    #[cfg_attr(docsrs, doc(cfg(feature = "payments")))]
    pub payments: Option<PaymentsCredentials>,
}

impl Config {
    /// A configuration for `environment` with no credentials yet. The environment stays until
    /// [`with_environment`](Self::with_environment) changes it: no other setter touches it.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// use ahrvo::{Config, Environment, IssuingCredentials, RetryConfig, TimeoutConfig};
    ///
    /// let config = Config::new(Environment::Staging)
    ///     .with_issuing(IssuingCredentials::new("my-api-key", "my-access-token"))
    ///     .with_retry(RetryConfig::default().with_max_attempts(5))
    ///     .with_timeouts(TimeoutConfig::default().with_total(Duration::from_secs(20)));
    /// assert_eq!(config.environment(), &Environment::Staging);
    /// # Ok::<(), ahrvo::Error>(())
    /// ```
    pub fn new(environment: Environment) -> Self {
        Self {
            client: ClientConfig::new(environment),
            ..Self::default()
        }
    }

    /// A configuration for a local sandbox at `base_url` with the sandbox's default credentials
    /// ([`SANDBOX_API_KEY`], [`SANDBOX_ACCESS_TOKEN`], [`SANDBOX_USERNAME`],
    /// [`SANDBOX_PASSWORD`]).
    ///
    /// Credentials in the process environment (`AHRVO_API_KEY`, ...) are ignored: real
    /// credentials are never sent to a sandbox by accident. To use other credentials, pass them
    /// explicitly with [`with_issuing`](Self::with_issuing) /
    /// [`with_payments`](Self::with_payments).
    ///
    /// ```
    /// use ahrvo::{Client, Config};
    /// use ahrvo_sandbox::Sandbox;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let sandbox = Sandbox::start_seeded().await?;
    /// let client = Client::new(Config::sandbox(sandbox.base_url())?)?;
    /// let budgets = client.issuing()?.list_budget_balances().await?;
    /// assert!(!budgets.is_empty());
    /// # Ok(()) }
    /// ```
    pub fn sandbox(base_url: &str) -> Result<Self> {
        let config = Self::new(Environment::custom(base_url)?);
        #[cfg(feature = "issuing")]
        let config = config.with_issuing(IssuingCredentials::new(
            SANDBOX_API_KEY,
            SANDBOX_ACCESS_TOKEN,
        ));
        #[cfg(feature = "payments")]
        let config =
            config.with_payments(PaymentsCredentials::new(SANDBOX_USERNAME, SANDBOX_PASSWORD));
        Ok(config)
    }

    /// Sets the Issuing credentials.
    #[cfg(feature = "issuing")]
    #[cfg_attr(docsrs, doc(cfg(feature = "issuing")))]
    pub fn with_issuing(mut self, credentials: IssuingCredentials) -> Self {
        self.issuing = Some(credentials);
        self
    }

    /// Sets the Payments credentials.
    #[cfg(feature = "payments")]
    #[cfg_attr(docsrs, doc(cfg(feature = "payments")))]
    pub fn with_payments(mut self, credentials: PaymentsCredentials) -> Self {
        self.payments = Some(credentials);
        self
    }

    /// The environment requests go to.
    pub fn environment(&self) -> &Environment {
        &self.client.environment
    }

    /// Moves the configuration to another environment: the one setter that does.
    pub fn with_environment(mut self, environment: Environment) -> Self {
        self.client.environment = environment;
        self
    }

    /// Sets the retry policy; the environment and every other setting stay.
    pub fn with_retry(mut self, retry: RetryConfig) -> Self {
        self.client.retry = retry;
        self
    }

    /// Sets the timeouts; the environment and every other setting stay.
    pub fn with_timeouts(mut self, timeouts: TimeoutConfig) -> Self {
        self.client.timeouts = timeouts;
        self
    }

    /// Takes the client settings of `client` (timeouts, retries, transport, user agent, limits)
    /// but **not its environment**: the configuration stays where it is
    /// ([`with_environment`](Self::with_environment) moves it).
    ///
    /// ```
    /// use ahrvo::{ClientConfig, Config, Environment, RetryConfig};
    ///
    /// let config = Config::new(Environment::Staging)
    ///     .with_client(ClientConfig::default().with_retry(RetryConfig::disabled()));
    /// assert_eq!(config.environment(), &Environment::Staging);
    /// assert_eq!(config.client.retry.max_attempts, 1);
    /// ```
    pub fn with_client(mut self, client: ClientConfig) -> Self {
        let environment = self.client.environment.clone();
        self.client = client.with_environment(environment);
        self
    }

    /// Reads the environment:
    ///
    /// | variable | meaning |
    /// |---|---|
    /// | `AHRVO_API_KEY`, `AHRVO_ACCESS_TOKEN` | Issuing credentials (both or neither) |
    /// | `AHRVO_USERNAME`, `AHRVO_PASSWORD` | Payments credentials (both or neither) |
    /// | `AHRVO_ENVIRONMENT` | `production` (default) or `staging` |
    /// | `AHRVO_BASE_URL` | a base URL, overriding `AHRVO_ENVIRONMENT` |
    pub fn from_env() -> Result<Self> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// [`from_env`](Self::from_env) over any source of variables (tests, config files).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let var = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        let environment = match (var("AHRVO_BASE_URL"), var("AHRVO_ENVIRONMENT")) {
            (Some(url), _) => Environment::custom(url.trim())?,
            (None, Some(env)) => match Environment::parse(&env)? {
                Environment::Custom(_) => {
                    return Err(Error::config(
                        "AHRVO_ENVIRONMENT must be production or staging; put URLs in AHRVO_BASE_URL",
                    ));
                }
                e => e,
            },
            (None, None) => Environment::Production,
        };
        #[allow(unused_mut)] // without either family's feature
        let mut config = Self::new(environment);
        let issuing = pair(&var, "AHRVO_API_KEY", "AHRVO_ACCESS_TOKEN")?;
        let payments = pair(&var, "AHRVO_USERNAME", "AHRVO_PASSWORD")?;
        #[cfg(feature = "issuing")]
        {
            config.issuing = issuing.map(|(k, t)| IssuingCredentials::new(k, t));
        }
        #[cfg(feature = "payments")]
        {
            config.payments = payments.map(|(u, p)| PaymentsCredentials::new(u, p));
        }
        #[cfg(not(feature = "issuing"))]
        let _ = issuing;
        #[cfg(not(feature = "payments"))]
        let _ = payments;
        Ok(config)
    }
}

fn pair(
    var: &impl Fn(&str) -> Option<String>,
    a: &str,
    b: &str,
) -> Result<Option<(String, String)>> {
    match (var(a), var(b)) {
        (Some(x), Some(y)) => Ok(Some((x, y))),
        (None, None) => Ok(None),
        (Some(_), None) => Err(Error::config(format!("{a} is set but {b} is not"))),
        (None, Some(_)) => Err(Error::config(format!("{b} is set but {a} is not"))),
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Config");
        d.field("client", &self.client);
        #[cfg(feature = "issuing")]
        d.field("issuing", &self.issuing);
        #[cfg(feature = "payments")]
        d.field("payments", &self.payments);
        d.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ahrvo_transport::ErrorKind;
    use std::collections::HashMap;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn reads_every_variable() {
        let c = Config::from_vars(vars(&[
            ("AHRVO_API_KEY", "k-SECRET"),
            ("AHRVO_ACCESS_TOKEN", "t-SECRET"),
            ("AHRVO_USERNAME", "u"),
            ("AHRVO_PASSWORD", "p-SECRET"),
            ("AHRVO_ENVIRONMENT", "staging"),
        ]))
        .unwrap();
        assert_eq!(c.client.environment, Environment::Staging);
        assert!(c.issuing.is_some() && c.payments.is_some());
        assert!(!format!("{c:?}").contains("SECRET"));
    }

    #[test]
    fn base_url_overrides_and_defaults_to_production() {
        let c = Config::from_vars(vars(&[("AHRVO_BASE_URL", "http://127.0.0.1:1")])).unwrap();
        assert_eq!(c.client.environment.base_url(), "http://127.0.0.1:1");
        let d = Config::from_vars(vars(&[])).unwrap();
        assert_eq!(d.client.environment, Environment::Production);
        assert!(d.issuing.is_none() && d.payments.is_none());
    }

    #[test]
    fn half_a_credential_pair_or_a_bad_environment_is_an_error() {
        for bad in [
            vars(&[("AHRVO_API_KEY", "k")]),
            vars(&[("AHRVO_PASSWORD", "p")]),
            vars(&[("AHRVO_ENVIRONMENT", "prod-eu")]),
            vars(&[("AHRVO_ENVIRONMENT", "https://x")]),
        ] {
            assert_eq!(
                Config::from_vars(bad).unwrap_err().kind(),
                ErrorKind::Config
            );
        }
    }

    #[test]
    fn sandbox_config_uses_the_sandbox_defaults() {
        let c = Config::sandbox("http://127.0.0.1:5").unwrap();
        assert_eq!(c.client.environment.base_url(), "http://127.0.0.1:5");
        assert!(c.issuing.is_some() && c.payments.is_some());
    }

    #[test]
    fn only_with_environment_moves_a_configuration() {
        let retry = RetryConfig::default().with_max_attempts(7);
        let timeouts = TimeoutConfig::default().with_total(std::time::Duration::from_secs(5));
        let c = Config::new(Environment::Staging)
            .with_client(ClientConfig::default().with_user_agent_suffix("app/1"))
            .with_retry(retry.clone())
            .with_timeouts(timeouts.clone());
        assert_eq!(c.environment(), &Environment::Staging);
        assert_eq!(c.client.user_agent_suffix.as_deref(), Some("app/1"));
        assert_eq!((&c.client.retry, &c.client.timeouts), (&retry, &timeouts));
        // A ClientConfig for another environment does not move it either.
        let c = c.with_client(ClientConfig::new(Environment::Production));
        assert_eq!(c.environment(), &Environment::Staging);
        let c = c.with_environment(Environment::Production);
        assert_eq!(c.environment(), &Environment::Production);
    }
}
