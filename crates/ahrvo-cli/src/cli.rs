//! The shape of the command line: clap types and the value parsers of durations and amounts.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use ahrvo::types::money::parse_decimal;
use ahrvo::types::{CardFundingStatus, CardStatus};
use ahrvo::{Cents, Currency, Decimal, UniqueOrderId};
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

const AFTER_HELP: &str = "\
Credentials come from AHRVO_API_KEY and AHRVO_ACCESS_TOKEN (Issuing: budgets, cards) and
AHRVO_USERNAME and AHRVO_PASSWORD (Payments: balances, balance entries), or the matching flags.

Exit codes: 0 ok; 1 a finding (low balance, discrepancy, insufficient funds, alert);
2 usage or invalid input; 3 authentication or permission (HTTP 401/403); 4 not found;
5 any other API or network error, or a reply the CLI cannot use.

Text from the API is shown with control characters escaped (ESC as \\u{1b}); CSV text fields
that start with = + - @ get a leading ' (spreadsheet formula guard).

Try it without credentials: `ahrvo demo`, or `ahrvo sandbox --seed` in one terminal and
`ahrvo --base-url http://127.0.0.1:PORT budgets list` in another.";

/// What `ahrvo -h` ends with (`--help` ends with [`AFTER_HELP`]).
const TOP_SHORT_HELP: &str = "\
Global options (where to call, credentials, --profile, --output, --timeout, -v) are listed by
`ahrvo --help`, with the credentials' variables, profiles and exit codes. -h is the short help.";

/// What every subcommand's help ends with: `-h` hides the global options.
const GLOBALS_POINTER: &str = "\
Global options (--base-url, --env, credentials, --profile, --output, --timeout, -v): --help
here or `ahrvo --help`. -h is the short help.";

/// `ahrvo`: the Ahrvo Network API from the command line.
#[derive(Debug, Parser)]
#[command(
    name = "ahrvo",
    version,
    about = "The Ahrvo Network API from the command line: budgets, cards, balances, reports, \
             reconciliation and monitoring",
    after_help = TOP_SHORT_HELP,
    after_long_help = AFTER_HELP,
    propagate_version = true
)]
pub struct Cli {
    /// Options every command takes.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes (connection, credentials, output, logging).
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Which Ahrvo deployment to call.
    #[arg(
        long,
        global = true,
        hide_short_help = true,
        value_enum,
        env = "AHRVO_ENVIRONMENT",
        value_name = "ENV"
    )]
    pub env: Option<EnvName>,

    /// Call this base URL instead (a sandbox, a proxy); overrides --env.
    #[arg(
        long,
        global = true,
        hide_short_help = true,
        env = "AHRVO_BASE_URL",
        value_name = "URL"
    )]
    pub base_url: Option<String>,

    /// Allow a plain http:// --base-url to a host other than this machine (credentials then
    /// cross the network unencrypted; loopback needs no flag).
    #[arg(long, global = true, hide_short_help = true)]
    pub allow_insecure_http: bool,

    /// How to print results.
    #[arg(short, long, global = true, hide_short_help = true, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,

    /// Give up on a call after this long, retries included (e.g. 30s, 2m, 500ms).
    #[arg(long, global = true, hide_short_help = true, value_parser = parse_duration, value_name = "DURATION")]
    pub timeout: Option<Duration>,

    /// Log to stderr (-v: requests and retries; -vv: everything).
    #[arg(short, long, global = true, hide_short_help = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Issuing API key.
    #[arg(
        long,
        global = true,
        hide_short_help = true,
        env = "AHRVO_API_KEY",
        hide_env_values = true,
        value_name = "KEY"
    )]
    pub api_key: Option<String>,

    /// Issuing access token (Bearer).
    #[arg(
        long,
        global = true,
        hide_short_help = true,
        env = "AHRVO_ACCESS_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub access_token: Option<String>,

    /// Payments username (HTTP Basic).
    #[arg(
        long,
        global = true,
        hide_short_help = true,
        env = "AHRVO_USERNAME",
        value_name = "USER"
    )]
    pub username: Option<String>,

    /// Payments password (HTTP Basic).
    #[arg(
        long,
        global = true,
        hide_short_help = true,
        env = "AHRVO_PASSWORD",
        hide_env_values = true,
        value_name = "PASSWORD"
    )]
    pub password: Option<String>,

    /// Use this profile of the config file [default: the file's default_profile, else the
    /// profile named "default"]. Flags and AHRVO_* variables win over a profile's settings.
    #[arg(
        long,
        global = true,
        hide_short_help = true,
        env = "AHRVO_PROFILE",
        value_name = "NAME"
    )]
    pub profile: Option<String>,

    /// The config file of profiles [default: config.toml in the platform's config directory;
    /// `ahrvo config path` prints it].
    #[arg(
        long,
        global = true,
        hide_short_help = true,
        env = "AHRVO_CONFIG",
        value_name = "FILE"
    )]
    pub config: Option<PathBuf>,
}

/// A named Ahrvo deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EnvName {
    /// https://api.ahrvo.network
    Production,
    /// https://gateway.ahrvo.network
    Staging,
}

impl EnvName {
    /// The name `ahrvo::Config` reads in `AHRVO_ENVIRONMENT`.
    pub fn as_str(self) -> &'static str {
        match self {
            EnvName::Production => "production",
            EnvName::Staging => "staging",
        }
    }
}

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Aligned columns for people (amounts right-aligned).
    Table,
    /// A fetch or a list prints the API's reply itself (every field, null included, values as
    /// sent; Issuing: the envelope's data); a report prints its own fields.
    Json,
    /// Comma-separated values with a header row (RFC 4180 quoting).
    Csv,
    /// JSON Lines: one compact JSON object per line (a bulk command prints one per item as it
    /// completes, failed items included; other commands print their JSON on one line).
    Jsonl,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Budget accounts (Issuing): list, create, report, top up, transfer.
    #[command(subcommand)]
    Budgets(BudgetsCommand),
    /// Cards (Issuing): balances, fund checks, alert reports, top-ups, the card list, funding
    /// orders, products.
    #[command(subcommand)]
    Cards(CardsCommand),
    /// Compare card balances with the ones you expect (a CSV of card_id,balance).
    Reconcile(ReconcileArgs),
    /// Balances (Payments): list them, fetch some, check a payout against one.
    #[command(subcommand)]
    Balances(BalancesCommand),
    /// Balance Entries (Payments): fetch one, list a Balance's.
    #[command(subcommand, name = "balance-entries")]
    BalanceEntries(BalanceEntriesCommand),
    /// Transfers (Payments): fetch them.
    #[command(subcommand)]
    Transfers(TransfersCommand),
    /// A Balance's entries as debits and credits, their settled and pending sums beside the
    /// Balance's amounts; exit 1 if one differs.
    Ledger(LedgerArgs),
    /// Poll and print what changes.
    #[command(subcommand)]
    Watch(WatchCommand),
    /// Run a local sandbox server in the foreground until Ctrl-C.
    Sandbox(SandboxArgs),
    /// A numbered walkthrough against an embedded sandbox: no credentials, no network.
    Demo,
    /// Profiles in the config file: list, show (secrets redacted), set, path.
    #[command(subcommand)]
    Config(crate::config_cmd::ConfigCommand),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish) to stdout.
    Completions(crate::completions::CompletionsArgs),
    /// Print the man page (roff) to stdout: `ahrvo man > docs/man/ahrvo.1`.
    #[command(hide = true)]
    Man,
}

/// `ahrvo budgets ...`
#[derive(Debug, Subcommand)]
pub enum BudgetsCommand {
    /// List every budget account with its balance.
    List,
    /// Create a budget account and print its id.
    Create {
        /// The name (1 to 100 characters, no control characters; trimmed).
        #[arg(value_name = "NAME")]
        name: String,
    },
    /// Totals per currency and a health score per budget; exit 1 if any budget is below
    /// --threshold.
    Report {
        /// A budget holding less than this, in its own currency, is low [default: 1000.00].
        #[arg(long, value_parser = parse_amount, value_name = "AMOUNT", allow_negative_numbers = true)]
        threshold: Option<Decimal>,
    },
    /// Top up a budget account, exactly once: prints the unique_order_id (keep it), the
    /// record id, the order's status and whether an unknown outcome was resolved by a query.
    #[command(name = "top-up")]
    TopUp {
        /// The budget account id.
        #[arg(value_name = "BUDGET_ID")]
        budget_id: String,
        /// The amount: above zero, at most 2 decimals (10.45).
        #[arg(value_parser = parse_move_amount, value_name = "AMOUNT", allow_negative_numbers = true)]
        amount: Decimal,
        /// The budget's currency (an ISO 4217 code such as USD).
        #[arg(long, value_parser = parse_currency, value_name = "CUR")]
        currency: Currency,
        /// The order's unique_order_id (at most 36 characters) [default: a new UUID, printed
        /// even when the outcome is unknown]. The same id again is the same order: never
        /// credited twice.
        #[arg(long, value_parser = parse_order_id, value_name = "ID")]
        order_id: Option<UniqueOrderId>,
    },
    /// The status of a budget top-up order, by its unique_order_id.
    #[command(name = "top-up-status")]
    TopUpStatus {
        /// The order's unique_order_id.
        #[arg(value_parser = parse_order_id, value_name = "ORDER_ID")]
        order_id: UniqueOrderId,
    },
    /// Transfer funds from one budget account to another, at most once: an unknown outcome is
    /// not retried (check it with transfer-status or the balances).
    Transfer {
        /// The budget debited.
        #[arg(value_name = "FROM")]
        from: String,
        /// The budget credited (not FROM).
        #[arg(value_name = "TO")]
        to: String,
        /// The amount debited, in FROM's currency: above zero, at most 2 decimals.
        #[arg(value_parser = parse_move_amount, value_name = "AMOUNT", allow_negative_numbers = true)]
        amount: Decimal,
        /// FROM's currency (ISO 4217).
        #[arg(long, value_parser = parse_currency, value_name = "CUR")]
        currency: Currency,
        /// TO's currency, when it differs (the API converts) [default: --currency].
        #[arg(long, value_parser = parse_currency, value_name = "CUR")]
        target_currency: Option<Currency>,
    },
    /// The result of a transfer between budgets, by the transfer_order_id it printed.
    #[command(name = "transfer-status")]
    TransferStatus {
        /// The transfer_order_id.
        #[arg(value_name = "ID")]
        id: String,
    },
}

/// `ahrvo cards ...`
#[derive(Debug, Subcommand)]
pub enum CardsCommand {
    /// The balances of one or more Dedicated Funds Cards, printed as they complete, in input
    /// order (failed cards are rows too).
    Balance {
        /// Card ids (card + 18 digits); `-` reads them from stdin.
        #[arg(value_name = "CARD_ID")]
        card_ids: Vec<String>,
        /// Where the ids come from and how they are queried.
        #[command(flatten)]
        bulk: BulkArgs,
    },
    /// Whether a card can cover an amount; exit 1 if it cannot.
    CheckFunds {
        /// The card id.
        #[arg(value_name = "CARD_ID")]
        card_id: String,
        /// The amount to spend, in the card's currency (USD): above zero, at most 2 decimals,
        /// such as 25.00.
        #[arg(value_parser = parse_card_amount, value_name = "AMOUNT", allow_negative_numbers = true)]
        amount: Decimal,
    },
    /// Distribution of card balances and each card's alert level; exit 1 if any card is
    /// CRITICAL or WARNING.
    Report {
        /// Card ids (card + 18 digits); `-` reads them from stdin.
        #[arg(value_name = "CARD_ID")]
        card_ids: Vec<String>,
        /// Where the ids come from and how they are queried.
        #[command(flatten)]
        bulk: BulkArgs,
        /// CRITICAL at or below this balance [default: 50.00].
        #[arg(long, value_parser = parse_card_threshold, value_name = "AMOUNT", allow_negative_numbers = true)]
        critical: Option<Decimal>,
        /// WARNING at or below this balance [default: 100.00].
        #[arg(long, value_parser = parse_card_threshold, value_name = "AMOUNT", allow_negative_numbers = true)]
        warning: Option<Decimal>,
        /// LOW at or below this balance (no alert) [default: 250.00].
        #[arg(long, value_parser = parse_card_threshold, value_name = "AMOUNT", allow_negative_numbers = true)]
        low: Option<Decimal>,
    },
    /// Top up a Dedicated Funds Card from its budget (USD), exactly once: prints the
    /// unique_order_id, the record id and the order's status.
    #[command(name = "top-up")]
    TopUp {
        /// The card id.
        #[arg(value_name = "CARD_ID")]
        card_id: String,
        /// The amount in USD: above zero, at most 2 decimals.
        #[arg(value_parser = parse_move_amount, value_name = "AMOUNT", allow_negative_numbers = true)]
        amount: Decimal,
        /// The order's unique_order_id (at most 36 characters) [default: a new UUID].
        #[arg(long, value_parser = parse_order_id, value_name = "ID")]
        order_id: Option<UniqueOrderId>,
    },
    /// Every card of the account (all pages, streamed), filtered.
    List(CardListArgs),
    /// Card funding orders (top-ups of cards), newest first, all pages, filtered.
    #[command(name = "funding-orders")]
    FundingOrders(FundingOrdersArgs),
    /// The card products the account can issue.
    Products,
    /// Top up every card below --below to --to; a dry run (prints what it would do) unless
    /// --apply. Each card is topped up at most once per run.
    #[command(name = "auto-top-up")]
    AutoTopUp(AutoTopUpArgs),
}

/// `ahrvo cards list`
#[derive(Debug, Args)]
pub struct CardListArgs {
    /// Only cards with this status (ACTIVE, INACTIVE, REVOKED, CANCELED, or one the API adds).
    #[arg(long, value_parser = parse_card_status, value_name = "STATUS")]
    pub status: Option<CardStatus>,
    /// Only cards whose number ends with these 4 digits.
    #[arg(long, value_parser = parse_last4, value_name = "DIGITS")]
    pub last4: Option<String>,
    /// Only cards with this remark.
    #[arg(long, value_name = "TEXT")]
    pub remark: Option<String>,
    /// Only cards created at or after this time (yyyy-MM-dd HH:mm:ss, or yyyy-MM-dd for
    /// 00:00:00); needs --to.
    #[arg(long, value_parser = parse_from_time, value_name = "TIME", requires = "to")]
    pub from: Option<String>,
    /// Only cards created at or before this time (yyyy-MM-dd HH:mm:ss, or yyyy-MM-dd for
    /// 23:59:59); needs --from.
    #[arg(long, value_parser = parse_to_time, value_name = "TIME", requires = "from")]
    pub to: Option<String>,
    /// Cards per request (1 to 100).
    #[arg(long, value_name = "N", default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub page_size: u32,
}

/// `ahrvo cards funding-orders`
#[derive(Debug, Args)]
pub struct FundingOrdersArgs {
    /// Only the orders of this card.
    #[arg(long, value_name = "CARD_ID")]
    pub card: Option<String>,
    /// Only orders with this status (SUCCESS, FAIL, PROCESSING, or one the API adds).
    #[arg(long, value_parser = parse_funding_status, value_name = "STATUS")]
    pub status: Option<CardFundingStatus>,
    /// Only the order with this unique_order_id.
    #[arg(long, value_parser = parse_order_id, value_name = "ID")]
    pub order_id: Option<UniqueOrderId>,
    /// Only orders created at or after this time (yyyy-MM-dd HH:mm:ss, or yyyy-MM-dd).
    #[arg(long, value_parser = parse_from_time, value_name = "TIME")]
    pub from: Option<String>,
    /// Only orders created at or before this time (yyyy-MM-dd HH:mm:ss, or yyyy-MM-dd).
    #[arg(long, value_parser = parse_to_time, value_name = "TIME")]
    pub to: Option<String>,
    /// Orders per request (1 to 100).
    #[arg(long, value_name = "N", default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub page_size: u32,
}

/// `ahrvo cards auto-top-up`
#[derive(Debug, Args)]
pub struct AutoTopUpArgs {
    /// Card ids (card + 18 digits); `-` reads them from stdin. An id given twice is handled
    /// once.
    #[arg(value_name = "CARD_ID")]
    pub card_ids: Vec<String>,
    /// A card whose balance is below this (USD) is topped up.
    #[arg(long, value_parser = parse_card_threshold, value_name = "AMOUNT", allow_negative_numbers = true)]
    pub below: Decimal,
    /// ... to this balance (USD; by TO minus its balance): at least --below.
    #[arg(long, value_parser = parse_move_amount, value_name = "AMOUNT", allow_negative_numbers = true)]
    pub to: Decimal,
    /// Make the top-ups (without it: a dry run that only prints what it would do).
    #[arg(long)]
    pub apply: bool,
    /// Where the ids come from and how they are queried.
    #[command(flatten)]
    pub bulk: BulkArgs,
}

/// `ahrvo reconcile`
#[derive(Debug, Args)]
pub struct ReconcileArgs {
    /// A CSV file with a header row and the columns card_id,balance (`-`: stdin).
    #[arg(long, value_name = "FILE.csv")]
    pub expected: PathBuf,
    /// How the cards are queried.
    #[command(flatten)]
    pub run: RunArgs,
}

/// Where a bulk command's ids come from, and how they are queried: `#[command(flatten)]` it
/// into any command that takes many ids.
#[derive(Debug, Clone, Args)]
pub struct BulkArgs {
    /// Where the ids come from besides the arguments.
    #[command(flatten)]
    pub input: InputArgs,
    /// How they are queried.
    #[command(flatten)]
    pub run: RunArgs,
}

/// `--from-file FILE [--column NAME]`.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Bulk options")]
pub struct InputArgs {
    /// Read ids from FILE, one per line (blank lines and # comments skipped), or from the
    /// --column of a CSV file with a header row; `-` reads stdin.
    #[arg(long, value_name = "FILE")]
    pub from_file: Option<PathBuf>,
    /// With --from-file: the file is CSV with a header row, and this column holds the ids.
    #[arg(long, value_name = "NAME", requires = "from_file")]
    pub column: Option<String>,
}

/// `--concurrency N --rate N --quiet`.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Bulk options")]
pub struct RunArgs {
    /// Requests in flight at once (1 to 64).
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
    /// At most N requests per second in all, retries included, shared by every request in
    /// flight [default: no limit for Issuing, 95 for Payments, whose limit is 100].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub rate: Option<u32>,
    /// No progress bar on stderr (it is only drawn when stderr is a terminal).
    #[arg(short, long)]
    pub quiet: bool,
}

/// `ahrvo balances ...`
#[derive(Debug, Subcommand)]
pub enum BalancesCommand {
    /// Fetch one or more Balances (amounts in cents); many are printed as they complete, in
    /// input order (failed ones are rows too).
    Get {
        /// Balance ids (balance_...); `-` reads them from stdin.
        #[arg(value_name = "ID")]
        ids: Vec<String>,
        /// Where the ids come from and how they are queried.
        #[command(flatten)]
        bulk: BulkArgs,
    },
    /// Whether a payout of --amount cents can be made now; exit 1 if it cannot.
    Check {
        /// The Balance id (balance_...).
        #[arg(value_name = "ID")]
        id: String,
        /// The payout, in cents, above zero (e.g. 150000 for 1,500.00 USD).
        #[arg(long, value_parser = parse_positive_cents, value_name = "CENTS", allow_negative_numbers = true)]
        amount: Cents,
        /// Keep at least this much available after the payout, in cents [default: 0; the API's
        /// page suggests 50000].
        #[arg(long, value_parser = parse_cents, value_name = "CENTS", allow_negative_numbers = true)]
        buffer: Option<Cents>,
    },
    /// Every Balance (all pages, streamed), newest first.
    List {
        /// Balances per request (1 to 100).
        #[arg(long, value_name = "N", default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=100))]
        limit: u32,
    },
}

/// `ahrvo balance-entries ...`
#[derive(Debug, Subcommand)]
pub enum BalanceEntriesCommand {
    /// Fetch a Balance Entry (amount in cents, negative for debits).
    Get {
        /// The Balance Entry id (balance_entry_...).
        #[arg(value_name = "ID")]
        id: String,
    },
    /// Every entry of a Balance, newest first, all pages streamed (amounts in cents,
    /// negative for debits).
    List {
        /// The Balance id (balance_...).
        #[arg(value_name = "BALANCE_ID")]
        balance_id: String,
        /// Entries per request (1 to 100).
        #[arg(long, value_name = "N", default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=100))]
        limit: u32,
    },
}

/// `ahrvo transfers ...`
#[derive(Debug, Subcommand)]
pub enum TransfersCommand {
    /// Fetch one or more Transfers (amounts in cents); many are printed as they complete, in
    /// input order (failed ones are rows too).
    Get {
        /// Transfer ids (TR...); `-` reads them from stdin.
        #[arg(value_name = "ID")]
        ids: Vec<String>,
        /// Where the ids come from and how they are queried.
        #[command(flatten)]
        bulk: BulkArgs,
    },
}

/// `ahrvo ledger`
#[derive(Debug, Args)]
#[command(after_help = "\
As the Balance page defines them, posted_amount = available_amount + pending_amount. SETTLED
entries (a posted_at, state not FAILED; marked POSTED) should add up to available_amount, PENDING
entries (no posted_at, not FAILED) to pending_amount, and both to posted_amount; FAILED entries
count nowhere. Each sum agrees or differs; exit 1 when one differs (a finding).")]
pub struct LedgerArgs {
    /// The Balance id (balance_...).
    #[arg(value_name = "BALANCE_ID")]
    pub balance_id: String,
    /// Entries per request (1 to 100).
    #[arg(long, value_name = "N", default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub limit: u32,
}

/// `ahrvo watch ...`
#[derive(Debug, Subcommand)]
pub enum WatchCommand {
    /// Poll every budget balance and print each change; exit 1 if a change exceeded
    /// --alert-change.
    Budgets(WatchBudgetsArgs),
    /// Poll the balances of Dedicated Funds Cards and print each change; exit 1 if a change
    /// exceeded --alert-change.
    Cards(WatchCardsArgs),
}

/// `ahrvo watch cards`
#[derive(Debug, Args)]
pub struct WatchCardsArgs {
    /// Card ids (card + 18 digits); `-` reads them from stdin (read once, at the start).
    #[arg(value_name = "CARD_ID")]
    pub card_ids: Vec<String>,
    /// Time between polls (500ms, 5s, 5m, 1h, 1h30m).
    #[arg(long, value_parser = parse_duration, default_value = "5m", value_name = "DURATION")]
    pub interval: Duration,
    /// Alert when a card's balance moves by more than this (either way).
    #[arg(long, value_parser = parse_card_threshold, value_name = "AMOUNT", allow_negative_numbers = true)]
    pub alert_change: Option<Decimal>,
    /// Stop after this many polls (default: until Ctrl-C).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..), value_name = "K")]
    pub count: Option<u64>,
    /// Where the ids come from and how each poll queries them.
    #[command(flatten)]
    pub bulk: BulkArgs,
}

/// `ahrvo watch budgets`
#[derive(Debug, Args)]
pub struct WatchBudgetsArgs {
    /// Time between polls (500ms, 5s, 5m, 1h, 1h30m).
    #[arg(long, value_parser = parse_duration, default_value = "5m", value_name = "DURATION")]
    pub interval: Duration,
    /// Alert when a budget's balance moves by more than this (either way).
    #[arg(long, value_parser = parse_amount, value_name = "AMOUNT", allow_negative_numbers = true)]
    pub alert_change: Option<Decimal>,
    /// Stop after this many polls (default: until Ctrl-C).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..), value_name = "K")]
    pub count: Option<u64>,
}

/// `ahrvo sandbox`: the flags of the `ahrvo-sandbox` binary, from the very struct it parses,
/// so that every flag (latency and fault injection included) exists in both.
#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// The sandbox's own flags (`--port`, `--seed`, `--state`, `--latency-ms`, `--fault-rate`).
    #[command(flatten)]
    pub server: ahrvo_sandbox::SandboxArgs,
}

/// Parses the command line; invalid UTF-8 and every other usage error become clap errors.
pub fn parse_from<I, T>(args: I) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let mut cmd = command();
    let matches = cmd.try_get_matches_from_mut(args)?;
    Cli::from_arg_matches(&matches).map_err(|e| e.format(&mut cmd))
}

/// The clap command of [`Cli`], every subcommand's help ending with [`GLOBALS_POINTER`] (after
/// its own text, if it has one): what the parser, the completions and the man page use.
pub fn command() -> clap::Command {
    fn point(cmd: clap::Command) -> clap::Command {
        let tail = match cmd.get_after_help() {
            Some(own) => format!("{own}\n\n{GLOBALS_POINTER}"),
            None => GLOBALS_POINTER.to_owned(),
        };
        cmd.after_help(tail).mut_subcommands(point)
    }
    Cli::command().mut_subcommands(point)
}

/// Parses a duration with `humantime`: one or more `<number><unit>` (`500ms`, `30s`, `5m`,
/// `1h30m`; also `min`, `sec`, `hours`, `days`, ...). Zero is refused, and so are spaces (one
/// shell word, one duration).
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let text = s.trim();
    if text.is_empty() || text.contains(char::is_whitespace) {
        return Err(format!(
            "{s:?} is not a duration such as 500ms, 30s, 5m or 1h"
        ));
    }
    let total = humantime::parse_duration(text)
        .map_err(|e| format!("{s:?} is not a duration such as 500ms, 30s, 5m or 1h ({e})"))?;
    if total.is_zero() {
        return Err(format!("{s:?}: the duration must be greater than zero"));
    }
    Ok(total)
}

/// Parses a non-negative decimal amount such as `25.00` (no exponents or separators; `-5`
/// reaches this parser, thanks to `allow_negative_numbers`, and is refused with this message
/// rather than clap's `use '-- -5'` hint).
pub fn parse_amount(s: &str) -> Result<Decimal, String> {
    let amount = parse_decimal(s.trim()).map_err(|e| e.to_string())?;
    if amount.is_sign_negative() && !amount.is_zero() {
        return Err(format!("{s:?}: the amount must not be negative"));
    }
    Ok(amount)
}

/// The currency of a Dedicated Funds Card's amounts: the card page gives its balance "in USD".
pub const CARD_CURRENCY: Currency = Currency::USD;

/// Refuses an amount with more decimals than `currency` has; trailing zeros do not count, and
/// are dropped down to the currency's decimals (`1.230` is `1.23`).
fn within_exponent(s: &str, amount: Decimal, currency: Currency) -> Result<Decimal, String> {
    let exponent = currency.minor_units();
    let decimals = amount.normalize().scale();
    if decimals > exponent {
        return Err(format!(
            "{s:?} has {decimals} decimals; {currency} amounts have at most {exponent}"
        ));
    }
    let mut amount = amount;
    if amount.scale() > exponent {
        // Lossless: only zeros are dropped.
        amount.rescale(exponent);
    }
    Ok(amount)
}

/// A card amount to spend: above zero, at most [`CARD_CURRENCY`]'s decimals.
pub fn parse_card_amount(s: &str) -> Result<Decimal, String> {
    let amount = parse_decimal(s.trim()).map_err(|e| e.to_string())?;
    if amount <= Decimal::ZERO {
        return Err(format!(
            "{s:?}: the amount must be positive (greater than zero)"
        ));
    }
    within_exponent(s, amount, CARD_CURRENCY)
}

/// A card alert threshold: not negative, at most [`CARD_CURRENCY`]'s decimals.
pub fn parse_card_threshold(s: &str) -> Result<Decimal, String> {
    let amount = parse_amount(s)?;
    within_exponent(s, amount, CARD_CURRENCY)
}

/// An amount to move (a top-up, a transfer): a plain decimal above zero with at most 2 decimal
/// places, checked as the SDK checks it ([`ahrvo::issuing::validate_amount`]); trailing zeros
/// past the second decimal are dropped (`10.500` is `10.50`).
pub fn parse_move_amount(s: &str) -> Result<Decimal, String> {
    let amount = parse_decimal(s.trim()).map_err(|e| e.to_string())?;
    if amount <= Decimal::ZERO {
        return Err(format!(
            "{s:?}: the amount must be positive (greater than zero)"
        ));
    }
    ahrvo::issuing::validate_amount("the amount", amount).map_err(|e| e.message().to_owned())
}

/// A currency code that ISO 4217 lists today (`USD`; `usd` is read as `USD`; `ABC` is refused).
pub fn parse_currency(s: &str) -> Result<Currency, String> {
    Currency::iso_4217(&s.trim().to_ascii_uppercase()).map_err(|e| e.to_string())
}

/// A `unique_order_id`: 1 to 36 characters, not blank, no control characters.
pub fn parse_order_id(s: &str) -> Result<UniqueOrderId, String> {
    UniqueOrderId::parse(s).map_err(|e| e.to_string())
}

/// An API status word: letters and `_`, read upper-case.
fn status_word(s: &str) -> Result<String, String> {
    let word = s.trim().to_ascii_uppercase();
    if word.is_empty() || !word.bytes().all(|b| b.is_ascii_uppercase() || b == b'_') {
        return Err(format!("{s:?} is not a status such as ACTIVE"));
    }
    Ok(word)
}

/// A card status filter (known or not: the API may add statuses).
pub fn parse_card_status(s: &str) -> Result<CardStatus, String> {
    Ok(CardStatus::from(status_word(s)?.as_str()))
}

/// A card funding order status filter (known or not).
pub fn parse_funding_status(s: &str) -> Result<CardFundingStatus, String> {
    Ok(CardFundingStatus::from(status_word(s)?.as_str()))
}

/// The last 4 digits of a card number.
pub fn parse_last4(s: &str) -> Result<String, String> {
    let t = s.trim();
    if t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()) {
        Ok(t.to_owned())
    } else {
        Err(format!(
            "{s:?}: --last4 is the last 4 digits of a card number, such as 2686"
        ))
    }
}

/// A `yyyy-MM-dd HH:mm:ss` time, or a `yyyy-MM-dd` date completed with `time_of_day`.
fn parse_time(s: &str, time_of_day: &str) -> Result<String, String> {
    let t = s.trim();
    let full = if t.len() == 10 {
        format!("{t} {time_of_day}")
    } else {
        t.to_owned()
    };
    let shape = b"dddd-dd-dd dd:dd:dd";
    let ok = full.len() == shape.len()
        && full.bytes().zip(shape).all(|(b, s)| match s {
            b'd' => b.is_ascii_digit(),
            other => b == *other,
        });
    if ok {
        Ok(full)
    } else {
        Err(format!(
            "{s:?} is not a time such as \"2026-01-31 23:59:59\" or a date such as 2026-01-31"
        ))
    }
}

/// The start of a time range: a date alone is its 00:00:00.
pub fn parse_from_time(s: &str) -> Result<String, String> {
    parse_time(s, "00:00:00")
}

/// The end of a time range: a date alone is its 23:59:59.
pub fn parse_to_time(s: &str) -> Result<String, String> {
    parse_time(s, "23:59:59")
}

/// Parses a non-negative whole number of cents.
pub fn parse_cents(s: &str) -> Result<Cents, String> {
    let cents: Cents = s
        .trim()
        .parse()
        .map_err(|e: ahrvo::types::InvalidValue| e.to_string())?;
    if cents.is_negative() {
        return Err(format!("{s:?}: the amount must not be negative"));
    }
    Ok(cents)
}

/// Parses a whole number of cents above zero (a payout).
pub fn parse_positive_cents(s: &str) -> Result<Cents, String> {
    let cents = parse_cents(s).map_err(|e| {
        if s.trim().starts_with('-') {
            format!("{s:?}: the amount must be positive (greater than zero)")
        } else {
            e
        }
    })?;
    if cents <= Cents::ZERO {
        return Err(format!(
            "{s:?}: the amount must be positive (greater than zero)"
        ));
    }
    Ok(cents)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration(" 2min "), Ok(Duration::from_secs(120)));
        // humantime reads fractions too.
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        for bad in [
            "",
            "5",
            "m",
            "5x",
            "-5s",
            "0s",
            "5 s",
            "99999999999999999999h",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn amounts() {
        assert_eq!(parse_amount("25.00").unwrap().to_string(), "25.00");
        assert_eq!(parse_amount("0").unwrap().to_string(), "0");
        for bad in ["", "abc", "1e3", "1,000.00", "-5", "+5", "NaN"] {
            assert!(parse_amount(bad).is_err(), "{bad:?}");
        }
        assert_eq!(parse_cents("150000"), Ok(Cents::new(150_000)));
        for bad in ["", "1.5", "-1", "abc", "99999999999999999999"] {
            assert!(parse_cents(bad).is_err(), "{bad:?}");
        }
        assert_eq!(parse_positive_cents("1"), Ok(Cents::new(1)));
        assert!(parse_positive_cents("0").unwrap_err().contains("positive"));
        assert!(parse_positive_cents("-5").unwrap_err().contains("positive"));
    }

    #[test]
    fn card_amounts_are_positive_with_at_most_the_currencys_decimals() {
        assert_eq!(parse_card_amount("25.00").unwrap().to_string(), "25.00");
        assert_eq!(parse_card_amount("1.230").unwrap().to_string(), "1.23");
        assert_eq!(parse_card_amount("1.5").unwrap().to_string(), "1.5");
        assert_eq!(parse_card_amount("7").unwrap().to_string(), "7");
        let e = parse_card_amount("1.234").unwrap_err();
        assert!(
            e.contains("3 decimals") && e.contains("USD") && e.contains("at most 2"),
            "{e}"
        );
        for bad in ["0", "0.00", "-5", "-0.01"] {
            let e = parse_card_amount(bad).unwrap_err();
            assert!(e.contains("must be positive"), "{bad:?}: {e}");
        }
        assert!(parse_card_threshold("50.005").is_err());
        assert!(parse_card_threshold("0").is_ok());
    }

    #[test]
    fn amounts_to_move_currencies_order_ids_and_times() {
        assert_eq!(parse_move_amount("10.45").unwrap().to_string(), "10.45");
        assert_eq!(parse_move_amount("10.500").unwrap().to_string(), "10.50");
        for bad in ["0", "-1", "1.234", "abc", "1e3", ""] {
            assert!(parse_move_amount(bad).is_err(), "{bad:?}");
        }
        assert!(
            parse_move_amount("1.234")
                .unwrap_err()
                .contains("2 decimal")
        );
        assert_eq!(parse_currency("usd"), Ok(Currency::USD));
        assert!(parse_currency("ABC").unwrap_err().contains("ISO 4217"));
        assert!(parse_currency("US").is_err());
        assert!(parse_order_id(&"x".repeat(36)).is_ok());
        assert!(parse_order_id(&"x".repeat(37)).unwrap_err().contains("36"));
        assert!(parse_order_id(" ").is_err());
        assert_eq!(
            parse_from_time("2026-01-31").unwrap(),
            "2026-01-31 00:00:00"
        );
        assert_eq!(parse_to_time("2026-01-31").unwrap(), "2026-01-31 23:59:59");
        assert_eq!(
            parse_to_time("2026-01-31 12:00:00").unwrap(),
            "2026-01-31 12:00:00"
        );
        assert!(parse_from_time("31/01/2026").is_err());
        assert_eq!(parse_card_status("active"), Ok(CardStatus::Active));
        assert!(parse_card_status("ACT IVE").is_err());
        assert_eq!(parse_last4("2686").unwrap(), "2686");
        assert!(parse_last4("268").is_err());
    }

    #[test]
    fn negative_numbers_reach_the_value_parsers() {
        for args in [
            &["ahrvo", "cards", "check-funds", "c", "-5"][..],
            &["ahrvo", "balances", "check", "b", "--amount", "-5"],
            &["ahrvo", "budgets", "report", "--threshold", "-5"],
        ] {
            let e = parse_from(args).unwrap_err().to_string();
            assert!(!e.contains("-- -5"), "{args:?}: {e}");
            assert!(
                e.contains("positive") || e.contains("negative"),
                "{args:?}: {e}"
            );
        }
    }
}
