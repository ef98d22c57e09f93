//! [`SandboxArgs`]: the command-line flags of a sandbox, shared by the `ahrvo-sandbox` binary
//! and the `ahrvo sandbox` subcommand (which flattens this very struct), so that every flag
//! exists in both. Behind the `cli` feature (on by default; the library alone needs no clap).

use std::path::PathBuf;
use std::time::Duration;

use crate::config::{EmptyBudgets, SandboxConfig};
use crate::faults::FaultConfig;

/// The flags that start a sandbox. [`SandboxArgs::to_config`] turns them into a
/// [`SandboxConfig`] with the default credentials; the caller sets its own (the binary reads
/// the environment, `ahrvo sandbox` its global options).
#[derive(Debug, Clone, Default, PartialEq, clap::Args)]
// A group id of its own: a command that flattens this into its own `SandboxArgs` (as
// `ahrvo sandbox` does) would otherwise hold two groups named "SandboxArgs".
#[group(id = "ahrvo_sandbox::SandboxArgs")]
#[non_exhaustive]
pub struct SandboxArgs {
    /// TCP port on 127.0.0.1 (0: a free one, printed at start).
    #[arg(long, default_value_t = 0, value_name = "P")]
    pub port: u16,
    /// Start from the documentation pages' example objects.
    #[arg(long)]
    pub seed: bool,
    /// Load the state from FILE (if it exists) and save it there after every change.
    #[arg(long, value_name = "FILE", value_parser = clap::value_parser!(PathBuf))]
    pub state: Option<PathBuf>,
    /// Add N milliseconds to every API request (never to admin requests).
    #[arg(long, value_name = "N")]
    pub latency_ms: Option<u64>,
    /// Inject a fault (500, 503, 429, dropped connection, truncated body) into this fraction
    /// of API requests, 0 to 1.
    #[arg(long, value_name = "F", value_parser = parse_fault_rate)]
    pub fault_rate: Option<f64>,
    /// What the budget list answers when no budget accounts exist: `not-found` (404, "No
    /// budget accounts exist") or `empty-list` (200 with `"data": []`); the page documents
    /// both.
    #[arg(long, value_name = "ANSWER", value_enum, default_value_t = EmptyBudgets::NotFound)]
    pub empty_budgets: EmptyBudgets,
    /// Seconds a request's headers, then its body, may take to arrive before the connection
    /// is closed (default 5).
    #[arg(long, value_name = "SECS", value_parser = parse_read_timeout)]
    pub read_timeout_secs: Option<f64>,
    /// Milliseconds a budget top-up stays PROCESSING before it credits the budget (default 0:
    /// at once).
    #[arg(long, value_name = "MS")]
    pub top_up_delay_ms: Option<u64>,
    /// Answer 429 with Retry-After above N API requests per second (a token bucket of N,
    /// refilled continuously; admin requests are not limited).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub rate_limit: Option<u32>,
}

impl SandboxArgs {
    /// The configuration these flags describe, with the default credentials (never the
    /// environment: see [`SandboxConfig::from_env`] and [`SandboxConfig::with_credentials`]).
    pub fn to_config(&self) -> SandboxConfig {
        let mut config = SandboxConfig::default()
            .with_port(self.port)
            .with_seed(self.seed);
        if let Some(path) = &self.state {
            config = config.with_state_file(path.clone());
        }
        if let Some(ms) = self.latency_ms {
            config = config.with_latency(Duration::from_millis(ms));
        }
        if let Some(rate) = self.fault_rate {
            config = config.with_faults(FaultConfig::with_rate(rate));
        }
        if let Some(secs) = self.read_timeout_secs {
            config = config.with_read_timeout(Duration::from_secs_f64(secs));
        }
        if let Some(ms) = self.top_up_delay_ms {
            config = config.with_top_up_delay(Duration::from_millis(ms));
        }
        config
            .with_rate_limit(self.rate_limit)
            .with_empty_budgets(self.empty_budgets)
    }
}

/// A number of seconds above 0, at most a day.
fn parse_read_timeout(text: &str) -> Result<f64, String> {
    text.parse()
        .ok()
        .filter(|s: &f64| *s > 0.0 && *s <= 86_400.0)
        .ok_or_else(|| format!("must be a number of seconds above 0 (at most 86400), got {text:?}"))
}

/// A number from 0 to 1.
fn parse_fault_rate(text: &str) -> Result<f64, String> {
    text.parse()
        .ok()
        .filter(|r: &f64| (0.0..=1.0).contains(r))
        .ok_or_else(|| format!("must be a number from 0 to 1, got {text:?}"))
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::faults::FaultKind;

    /// A command whose own args struct has the same name, as in `ahrvo sandbox`.
    #[derive(Debug, Parser)]
    struct Command {
        #[command(flatten)]
        args: wrapper::SandboxArgs,
    }

    mod wrapper {
        #[derive(Debug, clap::Args)]
        pub(super) struct SandboxArgs {
            #[command(flatten)]
            pub(super) server: super::SandboxArgs,
        }
    }

    #[test]
    fn the_command_is_valid() {
        use clap::CommandFactory;
        Command::command().debug_assert();
    }

    fn parse(args: &[&str]) -> Result<SandboxArgs, clap::Error> {
        Command::try_parse_from(std::iter::once("test").chain(args.iter().copied()))
            .map(|c| c.args.server)
    }

    #[test]
    fn every_flag_reaches_the_config() {
        let args = parse(&[
            "--port",
            "8080",
            "--seed",
            "--state",
            "s.json",
            "--latency-ms=25",
            "--fault-rate",
            "0.25",
            "--empty-budgets",
            "empty-list",
            "--read-timeout-secs",
            "0.5",
            "--top-up-delay-ms",
            "1500",
            "--rate-limit",
            "100",
        ])
        .expect("valid flags");
        let config = args.to_config();
        assert_eq!(config.port, 8080);
        assert!(config.seed);
        assert_eq!(config.state_file, Some(PathBuf::from("s.json")));
        assert_eq!(config.latency, Duration::from_millis(25));
        assert_eq!(config.faults.rate, 0.25);
        assert_eq!(config.faults.kinds, FaultKind::ALL.to_vec());
        assert_eq!(config.credentials, crate::Credentials::default());
        assert_eq!(config.empty_budgets, EmptyBudgets::EmptyList);
        assert_eq!(config.read_timeout, Duration::from_millis(500));
        assert_eq!(config.top_up_delay, Duration::from_millis(1500));
        assert_eq!(config.rate_limit, Some(100));
    }

    #[test]
    fn no_flags_is_the_default_config() {
        let config = parse(&[]).expect("no flags").to_config();
        let default = SandboxConfig::default();
        assert_eq!(config.port, default.port);
        assert_eq!(config.seed, default.seed);
        assert_eq!(config.state_file, default.state_file);
        assert_eq!(config.latency, default.latency);
        assert_eq!(config.faults, default.faults);
        assert_eq!(config.empty_budgets, default.empty_budgets);
        assert_eq!(config.read_timeout, default.read_timeout);
        assert_eq!(config.top_up_delay, default.top_up_delay);
        assert_eq!(config.rate_limit, default.rate_limit);
    }

    #[test]
    fn bad_values_are_refused() {
        for bad in [
            &["--fault-rate", "2"][..],
            &["--fault-rate", "-0.1"],
            &["--fault-rate", "NaN"],
            &["--fault-rate", "often"],
            &["--port", "70000"],
            &["--latency-ms", "-1"],
            &["--empty-budgets", "sometimes"],
            &["--read-timeout-secs", "0"],
            &["--read-timeout-secs", "-1"],
            &["--rate-limit", "0"],
            &["--rate-limit", "-5"],
            &["--top-up-delay-ms", "soon"],
            &["--nope"],
        ] {
            assert!(parse(bad).is_err(), "{bad:?} accepted");
        }
    }
}
