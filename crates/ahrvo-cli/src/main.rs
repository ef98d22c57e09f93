//! `ahrvo`: the Ahrvo Network API from the command line.
//!
//! | command | what it does | exit 1 (a finding) when |
//! |---|---|---|
//! | `budgets list` | every budget account and its balance | |
//! | `budgets create NAME` | creates a budget account, prints its id | |
//! | `budgets report [--threshold N]` | totals per currency, share and health per budget | a budget is below N (default 1000.00) |
//! | `cards balance CARD_ID...` | card balances (bounded concurrency, input order) | |
//! | `cards check-funds CARD_ID AMOUNT` | whether the card covers AMOUNT | it does not |
//! | `cards report CARD_ID... [--critical/--warning/--low N]` | distribution and alert levels | a card is CRITICAL or WARNING |
//! | `reconcile --expected FILE.csv` | card balances against `card_id,balance` rows | a discrepancy, or a card the API refused |
//! | `balances get ID`, `balance-entries get ID` | one Payments resource | |
//! | `balances check ID --amount CENTS [--buffer CENTS]` | a payout against `available_amount` | it does not fit or leaves less than the buffer |
//! | `watch budgets [--interval D] [--alert-change N] [--count K]` | polls and prints changes | a balance moved by more than N |
//! | `sandbox [--port P] [--seed] [--state FILE] [--latency-ms N] [--fault-rate F]` | a local sandbox until Ctrl-C (the `ahrvo-sandbox` flags) | |
//! | `demo` | a numbered walkthrough on an embedded sandbox | |
//!
//! Every read prints an aligned table (amounts right-aligned), JSON (the API's field names and
//! exact values: decimal strings stay strings, cents stay integers) or RFC 4180 CSV with a
//! header row (`--output`). Errors are one line on stderr, `error: ` and the SDK error's
//! `Display`; see [`exit`] for the exit codes (2 usage or invalid input, 3 HTTP 401/403,
//! 4 HTTP 404, 5 any other API or network error).

mod balances;
mod budgets;
mod cards;
mod cli;
mod demo;
mod exit;
mod output;
mod reconcile;
mod sandbox;
mod watch;

use std::ffi::OsString;
use std::panic::AssertUnwindSafe;
use std::process::ExitCode;
use std::time::Duration;

use ahrvo::{Client, Config, TimeoutConfig};

use crate::cli::{Cli, Command, GlobalArgs, OutputFormat};
use crate::exit::{CliError, CliResult, Status};

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    let cli = match cli::parse_from(args) {
        Ok(cli) => cli,
        // Help and version print to stdout and exit 0; usage errors print to stderr, exit 2.
        Err(e) => e.exit(),
    };
    init_tracing(cli.global.verbose);
    std::panic::set_hook(Box::new(|info| {
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unexpected failure".to_owned());
        output::note(&format!("error: internal error: {what}"));
    }));
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            output::note(&format!("error: cannot start the async runtime: {e}"));
            return Status::Failure.into();
        }
    };
    let result = std::panic::catch_unwind(AssertUnwindSafe(|| runtime.block_on(run(cli))));
    // Do not wait for stray tasks (a sandbox's connections) at exit.
    runtime.shutdown_timeout(Duration::from_millis(100));
    match result {
        Ok(Ok(status)) => status.into(),
        Ok(Err(e)) => {
            output::note(&format!("error: {e}"));
            e.status().into()
        }
        Err(_panic) => Status::Failure.into(),
    }
}

/// Runs the parsed command.
async fn run(cli: Cli) -> CliResult {
    let ctx = Context { global: cli.global };
    match cli.command {
        Command::Budgets(c) => budgets::run(&ctx, c).await,
        Command::Cards(c) => cards::run(&ctx, c).await,
        Command::Reconcile(a) => reconcile::run(&ctx, a).await,
        Command::Balances(c) => balances::run(&ctx, c).await,
        Command::BalanceEntries(c) => balances::run_entries(&ctx, c).await,
        Command::Watch(c) => watch::run(&ctx, c).await,
        Command::Sandbox(a) => sandbox::run(&ctx, a).await,
        Command::Demo => demo::run().await,
    }
}

/// `-v`: debug events of the SDK on stderr; `-vv`: everything.
fn init_tracing(verbose: u8) {
    let level = match verbose {
        0 => return,
        1 => tracing_subscriber::filter::LevelFilter::DEBUG,
        _ => tracing_subscriber::filter::LevelFilter::TRACE,
    };
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(level)
        .with_target(verbose > 1)
        .try_init();
}

/// What every command gets: the global options.
#[derive(Debug)]
pub struct Context {
    /// The global options as parsed.
    pub global: GlobalArgs,
}

impl Context {
    /// The output format.
    pub fn format(&self) -> OutputFormat {
        self.global.output
    }

    /// The SDK configuration: environment or base URL, credentials and timeout from the options
    /// (which clap already filled from `AHRVO_*`), read through [`Config::from_vars`] so the
    /// rules are the SDK's (a credential pair is both or neither).
    pub fn config(&self) -> Result<Config, CliError> {
        let g = &self.global;
        let mut config = Config::from_vars(|name| match name {
            "AHRVO_BASE_URL" => g.base_url.clone(),
            "AHRVO_ENVIRONMENT" => g.env.map(|e| e.as_str().to_owned()),
            "AHRVO_API_KEY" => g.api_key.clone(),
            "AHRVO_ACCESS_TOKEN" => g.access_token.clone(),
            "AHRVO_USERNAME" => g.username.clone(),
            "AHRVO_PASSWORD" => g.password.clone(),
            _ => None,
        })?;
        if let Some(total) = g.timeout {
            let defaults = TimeoutConfig::default();
            config.client.timeouts = defaults
                .clone()
                .with_total(total)
                .with_per_attempt(defaults.per_attempt.min(total))
                .with_connect(defaults.connect.min(total));
        }
        config.client.user_agent_suffix = Some(format!("ahrvo-cli/{}", env!("CARGO_PKG_VERSION")));
        Ok(config)
    }

    /// A client built from [`config`](Self::config).
    pub fn client(&self) -> Result<Client, CliError> {
        Ok(Client::new(self.config()?)?)
    }
}
