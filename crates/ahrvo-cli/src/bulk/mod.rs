//! Bulk work: many ids in, one row per id out, in input order, as they complete.
//!
//! The reusable parts, for every command that takes many ids (`cards balance`, `cards report`,
//! `balances get`, `reconcile`, `watch cards`, and the funding commands to come):
//!
//! - [`BulkArgs`](crate::cli::BulkArgs) (`#[command(flatten)]`): `--from-file FILE`,
//!   `--column NAME`, `--concurrency N` (1..=64, default 8), `--rate N`, `--quiet`;
//! - [`input::Ids`]: the ids of the arguments, the file or stdin, read lazily, blanks, comments
//!   and duplicates skipped, malformed ids flagged per item ([`input::Entry::invalid`]); with
//!   `--column`, each entry keeps its CSV record (other columns: an amount, an expected balance);
//! - [`start`]: the client of a bulk run, every request through one shared
//!   [`RateLimit`](ahrvo::transport::RateLimit), and the run's [`Shared`] counts with Ctrl-C
//!   handled (the summary so far, exit 130);
//! - [`run::run`]: the ordered, bounded runner (a function from an entry to one SDK call, a sink
//!   that prints each [`run::Done`] in input order; early stop after [`run::STOP_AFTER`]
//!   connection failures in a row);
//! - [`sink::Rows`]: rows printed as they come in table, CSV, JSON (one array) or JSON Lines;
//! - [`finish`]: the summary on stderr and the exit status.
//!
//! A command is then:
//!
//! ```text
//! let ids = Ids::new(card_ids, &bulk.input, "card ids")?;
//! let (client, shared) = bulk::start(ctx, &bulk.run, None)?;
//! let issuing = client.issuing()?.clone();
//! let mut rows = Rows::new(ctx.format(), columns);
//! let end = run::run(ids, bulk::options(&bulk.run, total), &shared,
//!     |entry| { let c = issuing.clone(); let id = entry.id.clone();
//!               async move { c.get_card_balance(id).await } },
//!     |done| rows.push(cells_of(&done), &json_of(&done), style_of(&done))).await?;
//! bulk::finish(&shared, end, &mut rows)
//! ```

pub mod input;
pub mod payments;
pub mod progress;
pub mod run;
pub mod sink;
pub mod summary;

use std::sync::Arc;

use ahrvo::{Client, Error};
use serde::Serialize;

use crate::Context;
use crate::cli::RunArgs;
use crate::exit::{CliResult, Status};
use crate::output::{self, Cell};

pub use run::{Done, End, Flow, Limiter, Options, Outcome, Shared};
pub use sink::{Rows, Style};

/// The default `--rate` of Payments commands: below the 100 requests per second Ahrvo's
/// Payments API documents.
pub const PAYMENTS_RATE: u32 = 95;

/// The client of a bulk run (rate `--rate`, else `default_rate`) and its shared counts; Ctrl-C
/// from now on prints the summary so far and exits 130.
pub fn start(
    ctx: &Context,
    run: &RunArgs,
    default_rate: Option<u32>,
) -> Result<(Client, Arc<Shared>), crate::exit::CliError> {
    let (client, limiter) = ctx.limited_client(run.rate.or(default_rate))?;
    let shared = Shared::new(limiter, run.quiet);
    shared.exit_on_ctrl_c();
    Ok((client, shared))
}

/// The runner's options from `--concurrency` and `--quiet`; `total` when known beforehand.
pub fn options(run: &RunArgs, total: Option<u64>) -> Options {
    Options {
        concurrency: usize::from(run.concurrency),
        quiet: run.quiet,
        total,
    }
}

/// Ends a run: the rows' end (JSON's `]`), the summary on stderr, the exit status (the worst of
/// the failed items, see [`summary::Summary::status`]). A run cut short by a closed stdout ends
/// quietly: no summary, and the status of what was done (0 if nothing failed).
pub fn finish(shared: &Shared, end: End, rows: &mut Rows) -> CliResult {
    if end == End::Finished && rows.finish()? == Flow::Continue {
        shared.print("summary");
    }
    Ok(shared.summary().status())
}

/// The error object of a failed item in JSON: `{"kind": "not_found", "status": 404, "code":
/// "CARD_NOT_FOUND", "message": "..."}` (the message as [`Context::describe_api`] words it).
#[derive(Debug, Serialize)]
pub struct ErrorOut {
    /// [`summary::kind_name`]: `not_found`, `connection_failed`, `invalid_input`, ...
    pub kind: String,
    /// The HTTP status, when there was a reply.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The API's error code, when it sent one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// What went wrong.
    pub message: String,
}

impl ErrorOut {
    /// The error object of an SDK error.
    pub fn of(ctx: &Context, e: &Error) -> Self {
        ErrorOut {
            kind: summary::kind_name(Some(e.kind())),
            status: e.status().map(|s| s.as_u16()),
            code: e.api_code().map(str::to_owned),
            message: ctx.describe_api(e),
        }
    }

    /// The error object of a malformed id.
    pub fn invalid(entry: &input::Entry, why: &str) -> Self {
        ErrorOut {
            kind: summary::kind_name(None),
            status: None,
            code: None,
            message: format!("{}: {why}", entry.origin),
        }
    }

    /// The error of an item that failed, or `None` for one that came back.
    pub fn of_outcome<R>(ctx: &Context, done: &Done<R>) -> Option<Self> {
        match &done.outcome {
            Outcome::Ok(_) => None,
            Outcome::Failed(e) => Some(Self::of(ctx, e)),
            Outcome::Invalid(why) => Some(Self::invalid(&done.entry, why)),
        }
    }

    /// The kind as shown in tables: `not found`, `invalid input`.
    pub fn label(&self) -> String {
        self.kind.replace('_', " ")
    }

    /// The two columns every bulk table ends with: the kind, and the message (cut to 80
    /// characters in a table, whole in CSV).
    pub fn cells(&self) -> [Cell; 2] {
        [
            Cell::new(self.label(), self.kind.clone()),
            Cell::new(output::truncate(&self.message, 80), self.message.clone()),
        ]
    }

    /// A failed item's row: its id, `blank` empty columns (the result's), then
    /// [`cells`](Self::cells).
    pub fn row(&self, id: &str, blank: usize) -> Vec<Cell> {
        let mut cells: Vec<Cell> = vec![id.into()];
        cells.extend(std::iter::repeat_n(Cell::from(""), blank));
        cells.extend(self.cells());
        cells
    }
}

/// `{"<id_key>": id, "error": {...}}`: a failed item's JSON row.
pub fn error_json(id_key: &str, id: &str, error: &ErrorOut) -> String {
    let text = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_owned());
    let error = serde_json::to_string(error).unwrap_or_else(|_| "{}".to_owned());
    format!("{{{}:{},\"error\":{error}}}", text(id_key), text(id))
}

/// The status of a command whose items all came back but that found something (a report's
/// alert): the run's own status wins when items failed.
pub fn with_finding(status: Status, finding: bool) -> Status {
    if status == Status::Ok && finding {
        Status::Finding
    } else {
        status
    }
}
