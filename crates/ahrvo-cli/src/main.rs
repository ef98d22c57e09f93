//! `ahrvo`: the Ahrvo Network API from the command line.
//!
//! | command | what it does | exit 1 (a finding) when |
//! |---|---|---|
//! | `budgets list` | every budget account and its balance | |
//! | `budgets create NAME` | creates a budget account, prints its id | |
//! | `budgets report [--threshold N]` | totals per currency, share and health per budget | a budget is below N (default 1000.00) |
//! | `budgets top-up BUDGET_ID AMOUNT --currency CUR [--order-id ID]` | tops up exactly once; prints the unique_order_id (also when the outcome is unknown), record id, status, resolved by query | the order ended FAILED |
//! | `budgets top-up-status ORDER_ID` | a top-up order by its unique_order_id | |
//! | `budgets transfer FROM TO AMOUNT --currency CUR [--target-currency CUR]` | moves funds between budgets, at most once (an unknown outcome is not retried) | |
//! | `budgets transfer-status ID` | a transfer order by its transfer_order_id | |
//! | `cards balance CARD_ID...` | card balances (bounded concurrency, input order) | |
//! | `cards check-funds CARD_ID AMOUNT` | whether the card covers AMOUNT | it does not |
//! | `cards report CARD_ID... [--critical/--warning/--low N]` | distribution and alert levels | a card is CRITICAL or WARNING |
//! | `cards top-up CARD_ID AMOUNT [--order-id ID]` | tops up a Dedicated Funds Card exactly once (USD) | the order ended FAIL |
//! | `cards list [--status S] [--last4 D] [--remark T] [--from T --to T]` | every card, all pages streamed | |
//! | `cards funding-orders [--card ID] [--status S] [--order-id ID] [--from T] [--to T]` | card funding orders, all pages streamed | |
//! | `cards products` | the card products | |
//! | `cards auto-top-up CARD_ID... --below X --to Y [--apply]` | dry run: what it would top up; `--apply`: each card below X topped up to Y, once per run, order ids printed | |
//! | `reconcile --expected FILE.csv` | card balances against `card_id,balance` rows | a discrepancy, or a card the API refused |
//! | `balances get ID`, `balance-entries get ID` | one Payments resource | |
//! | `balances list`, `balance-entries list BALANCE_ID [--limit N]` | every Balance, every entry of a Balance: all pages streamed | |
//! | `transfers get ID...` | Payments Transfers (many through the bulk runner) | |
//! | `ledger BALANCE_ID` | entries as debits and credits, the posted entries' sum beside posted/pending/available | the posted sum is not posted_amount |
//! | `balances check ID --amount CENTS [--buffer CENTS]` | a payout against `available_amount` | it does not fit or leaves less than the buffer |
//! | `watch budgets [--interval D] [--alert-change N] [--count K]` | polls and prints changes | a balance moved by more than N |
//! | `sandbox [--port P] [--seed] [--state FILE] [--latency-ms N] [--fault-rate F]` | a local sandbox until Ctrl-C (the `ahrvo-sandbox` flags) | |
//! | `demo` | a numbered walkthrough on an embedded sandbox | |
//!
//! Every read prints an aligned table (amounts right-aligned), JSON, JSON Lines or RFC 4180 CSV
//! with a header row (`--output`); paged lists stream every page row by row ([`lists`]). JSON of
//! a fetch or a list is the API's own reply (every field, null included, values as sent: see
//! [`raw`]); a report, a top-up, a transfer, `auto-top-up` and `ledger` print their own type.
//! Money moves are checked before anything is sent ([`cli::parse_move_amount`],
//! [`cli::parse_currency`], [`cli::parse_order_id`]; a transfer to itself): exit 2, no request.
//! A move the API refuses (`INSUFFICIENT_BALANCE`) exits 5 and changes nothing. Errors are one line on
//! stderr, `error: ` and the SDK error's `Display` (network errors add the base URL and the
//! cause); see [`exit`] for the exit codes (2 usage or invalid input, 3 HTTP 401/403, 4 HTTP
//! 404, 5 any other API or network error, and a reply the CLI cannot use).
//!
//! Nothing the API sends reaches the terminal as a control sequence: tables, CSV, free text and
//! stderr show control characters as `\u{1b}` ([`output::escape`]), CSV guards formulas, JSON is
//! escaped by JSON.

mod auto_top_up;
mod balances;
mod budgets;
mod bulk;
mod cards;
mod cli;
mod completions;
mod config_cmd;
mod demo;
mod exit;
mod ledger;
mod lists;
mod output;
mod profile;
mod raw;
mod reconcile;
mod sandbox;
mod top_ups;
mod transfers;
mod watch;

use std::ffi::OsString;
use std::panic::AssertUnwindSafe;
use std::process::ExitCode;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use ahrvo::{Client, Config, Environment, ErrorKind, TimeoutConfig};
use bytes::Bytes;

use crate::cli::{Command, GlobalArgs, OutputFormat};
use crate::exit::{CliError, CliResult, Status};
use crate::raw::Recording;

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
    let ctx = Context::new(cli.global);
    let command = cli.command;
    let result =
        std::panic::catch_unwind(AssertUnwindSafe(|| runtime.block_on(run(&ctx, command))));
    // Do not wait for stray tasks (a sandbox's connections) at exit.
    runtime.shutdown_timeout(Duration::from_millis(100));
    match result {
        Ok(Ok(status)) => status.into(),
        Ok(Err(e)) => {
            output::note(&format!("error: {}", ctx.describe(&e)));
            e.status().into()
        }
        Err(_panic) => Status::Failure.into(),
    }
}

/// Runs the parsed command.
async fn run(ctx: &Context, command: Command) -> CliResult {
    match command {
        Command::Budgets(c) => budgets::run(ctx, c).await,
        Command::Cards(c) => cards::run(ctx, c).await,
        Command::Reconcile(a) => reconcile::run(ctx, a).await,
        Command::Balances(c) => balances::run(ctx, c).await,
        Command::BalanceEntries(c) => balances::run_entries(ctx, c).await,
        Command::Transfers(cli::TransfersCommand::Get { ids, bulk }) => {
            transfers::get(ctx, ids, bulk).await
        }
        Command::Ledger(a) => ledger::run(ctx, a).await,
        Command::Watch(c) => watch::run(ctx, c).await,
        Command::Sandbox(a) => sandbox::run(ctx, a).await,
        Command::Demo => demo::run().await,
        Command::Config(c) => config_cmd::run(ctx, c),
        Command::Completions(a) => completions::run(a),
        Command::Man => completions::man(),
    }
}

/// `-v`: debug events of the SDK on stderr; `-vv`: everything. Escaped as every stderr line is
/// ([`output::EscapedStderr`]): the events quote the API's codes and messages.
fn init_tracing(verbose: u8) {
    let level = match verbose {
        0 => return,
        1 => tracing_subscriber::filter::LevelFilter::DEBUG,
        _ => tracing_subscriber::filter::LevelFilter::TRACE,
    };
    let _ = tracing_subscriber::fmt()
        .with_writer(|| output::EscapedStderr)
        .with_ansi(false)
        .with_max_level(level)
        .with_target(verbose > 1)
        .try_init();
}

/// What every command gets: the global options.
#[derive(Debug)]
pub struct Context {
    /// The global options as parsed.
    pub global: GlobalArgs,
    /// With `-o json`: the transport that keeps the replies' own text (set by
    /// [`client`](Self::client)).
    recording: OnceLock<Arc<Recording>>,
    /// The base URL of the client built, for error lines.
    base_url: OnceLock<String>,
}

impl Context {
    /// The context of these options.
    pub fn new(global: GlobalArgs) -> Self {
        Self {
            global,
            recording: OnceLock::new(),
            base_url: OnceLock::new(),
        }
    }

    /// The output format.
    pub fn format(&self) -> OutputFormat {
        self.global.output
    }

    /// The SDK configuration: environment or base URL, credentials and timeout from the options
    /// (which clap already filled from `AHRVO_*`), then the active profile for what they left
    /// empty ([`profile::resolve`]), read through [`Config::from_vars`] so the rules are the
    /// SDK's (a credential pair is both or neither).
    pub fn config(&self) -> Result<Config, CliError> {
        let g = &self.global;
        let s = profile::resolve(g)?;
        let mut config = Config::from_vars(|name| match name {
            "AHRVO_BASE_URL" => s.base_url.clone(),
            "AHRVO_ENVIRONMENT" => s.env.map(|e| e.as_str().to_owned()),
            "AHRVO_API_KEY" => s.api_key.clone(),
            "AHRVO_ACCESS_TOKEN" => s.access_token.clone(),
            "AHRVO_USERNAME" => s.username.clone(),
            "AHRVO_PASSWORD" => s.password.clone(),
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
        config.client.allow_insecure_http = g.allow_insecure_http;
        Ok(config)
    }

    /// A client built from [`config`](Self::config); with `-o json`, over a [`Recording`]
    /// transport so the reply's own text can be printed ([`reply`](Self::reply)).
    ///
    /// A plain `http://` base URL off loopback is refused (the SDK's rule) with what a CLI user
    /// can do about it: `--allow-insecure-http`.
    pub fn client(&self) -> Result<Client, CliError> {
        Ok(self.build_client(None)?.0)
    }

    /// A client whose every request (retries included) goes through one shared
    /// [`RateLimit`](ahrvo::transport::RateLimit) at `rate` requests per second, and that
    /// limiter: the client of a bulk command ([`bulk`]).
    pub fn limited_client(
        &self,
        rate: Option<u32>,
    ) -> Result<(Client, Arc<bulk::Limiter>), CliError> {
        let (client, limiter) = self.build_client(Some(rate))?;
        let limiter =
            limiter.ok_or_else(|| CliError::Other("the rate limiter was not built".into()))?;
        Ok((client, limiter))
    }

    /// [`client`](Self::client), over a shared rate limiter when `rate` is given.
    fn build_client(
        &self,
        rate: Option<Option<u32>>,
    ) -> Result<(Client, Option<Arc<bulk::Limiter>>), CliError> {
        let mut config = self.config()?;
        let _ = self.base_url.set(config.client.environment.base_url());
        if matches!(self.format(), OutputFormat::Json | OutputFormat::Jsonl) {
            let recording = Arc::new(Recording::new(&config.client)?);
            config.client.transport = Some(recording.clone());
            let _ = self.recording.set(recording);
        }
        let mut limiter = None;
        if let Some(rate) = rate {
            let inner: Arc<dyn ahrvo::transport::HttpTransport> = match config.client.transport {
                Some(t) => t,
                None => Arc::new(ahrvo::transport::ReqwestTransport::new(&config.client)?),
            };
            let limit = Arc::new(ahrvo::transport::RateLimit::over(inner, rate));
            config.client.transport = Some(limit.clone());
            limiter = Some(limit);
        }
        match Client::new(config.clone()) {
            Err(e) if e.kind() == ErrorKind::Config && !config.client.allow_insecure_http => {
                // Refused, and allowed with the flag: plain http to a remote host.
                config.client.allow_insecure_http = true;
                if Client::new(config.clone()).is_err() {
                    return Err(e.into());
                }
                let host = match &config.client.environment {
                    Environment::Custom(url) => url.host_str().unwrap_or("?").to_owned(),
                    _ => "?".to_owned(),
                };
                Err(CliError::Usage(format!(
                    "refusing plain http:// to {host}: the credentials would cross the network \
                     unencrypted; use an https:// base URL, or pass --allow-insecure-http to send \
                     them anyway"
                )))
            }
            other => Ok((other?, limiter)),
        }
    }

    /// The body of the last 2xx reply to `url`, when `-o json` recorded it.
    pub fn reply(&self, url: Option<&str>) -> Option<Bytes> {
        self.recording.get()?.body(url?)
    }

    /// [`reply`](Self::reply), forgotten once read: a bulk run keeps no reply it has printed.
    pub fn take_reply(&self, url: Option<&str>) -> Option<Bytes> {
        self.recording.get()?.take(url?)
    }

    /// The one line printed after `error: `: the error's `Display`, and for a network failure
    /// (no usable reply: connect, timeout, transport, an invalid HTTP reply (`Protocol`), or a
    /// kind this CLI does not know yet) the base URL
    /// and the causes the error carries (its `source()` chain: the OS's "connection refused",
    /// the resolver's "failed to lookup address", a TLS alert...). [`output::note`] escapes it.
    pub fn describe(&self, e: &CliError) -> String {
        match e {
            CliError::Api(e) => self.describe_api(e),
            other => other.to_string(),
        }
    }

    /// [`describe`](Self::describe) of an SDK error.
    pub fn describe_api(&self, e: &ahrvo::Error) -> String {
        let network = !matches!(
            e.kind(),
            ErrorKind::Validation
                | ErrorKind::Config
                | ErrorKind::BadRequest
                | ErrorKind::Unauthorized
                | ErrorKind::Forbidden
                | ErrorKind::NotFound
                | ErrorKind::Conflict
                | ErrorKind::RateLimited
                | ErrorKind::OtherStatus
                | ErrorKind::Server
                | ErrorKind::Api
                | ErrorKind::Decode
                | ErrorKind::ResponseTooLarge
        );
        let mut line = e.to_string();
        if !network {
            return line;
        }
        if let Some(url) = self.base_url.get() {
            line.push_str(&format!(" (base URL {url})"));
        }
        let causes = exit::causes(e);
        if !causes.is_empty() {
            line.push_str(&format!("; cause: {}", causes.join(": ")));
        }
        line
    }
}
