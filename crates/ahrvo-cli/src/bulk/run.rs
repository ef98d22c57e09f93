//! The ordered, bounded runner of bulk work: ids in, one result per id out, **in input order**,
//! with at most `concurrency` requests in flight and at most that many results waiting to be
//! printed. Input is read as the window frees (never ahead of it), so 10^6 ids cost the memory of
//! `concurrency` results, whatever the input's size.
//!
//! The runner knows nothing of cards or balances: a command gives it a function from an
//! [`Entry`] to a future of `Result<R, ahrvo::Error>` (one SDK call, with the client's retries)
//! and a sink that prints each [`Done`] as it comes. See [`crate::bulk`] for the whole API.

use std::collections::VecDeque;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use ahrvo::transport::RateLimit;
use ahrvo::{Error, ErrorKind};
use tokio::task::JoinHandle;

use super::input::{Entry, Ids};
use super::progress::Bar;
use super::summary::Summary;
use crate::exit::CliError;
use crate::output;

/// After this many connection failures in a row (in input order), the rest of the input is not
/// attempted: the server is gone, and every further id would fail the same way after its
/// retries.
pub const STOP_AFTER: u32 = 10;

/// How one item ended.
#[derive(Debug)]
pub enum Outcome<R> {
    /// The reply.
    Ok(R),
    /// The SDK's error, after the client's retries.
    Failed(Error),
    /// A malformed id: never sent ([`Entry::invalid`]).
    Invalid(String),
}

/// One finished item, handed to the sink in input order.
#[derive(Debug)]
pub struct Done<R> {
    /// The input entry (id, where it was read, its CSV record).
    pub entry: Entry,
    /// How it ended.
    pub outcome: Outcome<R>,
}

/// What the sink says after an item: go on, or stop because no one reads the output any more
/// (stdout closed: `| head`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Print the next one.
    Continue,
    /// The reader went away: send nothing more, end quietly.
    Closed,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// Every id was handled (or the rest reported not attempted after an early stop).
    Finished,
    /// stdout was closed: the run stopped, quietly.
    Closed,
}

/// The transport stack of a bulk run: the shared [`RateLimit`] over the CLI's transport.
pub type Limiter = RateLimit;

/// What a run shares with the Ctrl-C handler: the counts, and the limiter (requests sent, 429s).
#[derive(Debug)]
pub struct Shared {
    /// The counts so far.
    pub summary: Mutex<Summary>,
    /// The limiter every request of the run goes through.
    pub limiter: Arc<Limiter>,
    quiet: bool,
}

impl Shared {
    /// The counts of a run through `limiter`; `quiet` prints no summary.
    pub fn new(limiter: Arc<Limiter>, quiet: bool) -> Arc<Shared> {
        Arc::new(Shared {
            summary: Mutex::new(Summary::default()),
            limiter,
            quiet,
        })
    }

    /// Locks the counts.
    pub fn summary(&self) -> std::sync::MutexGuard<'_, Summary> {
        self.summary.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The summary line (`prefix: ...`).
    pub fn line(&self, prefix: &str) -> String {
        let line = self
            .summary()
            .line(self.limiter.sent(), self.limiter.rate_limited());
        format!("{prefix}: {line}")
    }

    /// Prints the summary line on stderr (unless quiet).
    pub fn print(&self, prefix: &str) {
        if !self.quiet {
            output::note(&self.line(prefix));
        }
    }

    /// Until the process ends, Ctrl-C prints the summary of what was done so far
    /// (`interrupted: ...`) and exits 130 (128 + SIGINT), the shells' convention. Rows already
    /// printed stay printed; requests in flight are abandoned.
    pub fn exit_on_ctrl_c(self: &Arc<Self>) {
        let shared = self.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
                    eprint!("\r\x1b[2K");
                }
                // Shown even with --quiet: the user asked to stop and should see where it was.
                output::note(&shared.line("interrupted"));
                std::process::exit(130);
            }
        });
    }
}

/// How a run goes.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Requests in flight at once (at least 1).
    pub concurrency: usize,
    /// No progress bar.
    pub quiet: bool,
    /// The number of items, when known beforehand (for the bar's ETA).
    pub total: Option<u64>,
}

/// Whether an error concerns the whole invocation (credentials, configuration) rather than one
/// item: it ends the run with one error line.
pub fn is_global(e: &Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::Unauthorized | ErrorKind::Forbidden | ErrorKind::Config
    )
}

/// A connection failure: the server is not there (counted for the early stop).
fn is_connection(e: &Error) -> bool {
    matches!(e.kind(), ErrorKind::Connect | ErrorKind::Transport)
}

/// The request of one entry (none for a malformed id).
type Task<R> = Option<JoinHandle<Result<R, Error>>>;

/// The window: entries in input order, each with its request.
struct Window<R>(VecDeque<(Entry, Task<R>)>);

impl<R> Drop for Window<R> {
    fn drop(&mut self) {
        for (_, task) in self.0.drain(..) {
            if let Some(task) = task {
                task.abort();
            }
        }
    }
}

/// Runs `work` on every id of `ids`, at most `options.concurrency` at once, and hands each
/// result to `sink` in input order as soon as it and those before it are done.
///
/// - A malformed id ([`Entry::invalid`]) is not sent: the sink gets [`Outcome::Invalid`].
/// - A global error (401, 403, configuration: [`is_global`]) ends the run: `Err`, the requests
///   in flight cancelled.
/// - After [`STOP_AFTER`] connection failures in a row the rest is not attempted: counted in
///   the summary's `not_attempted` (the input is read to its end to count it), not handed to
///   the sink.
/// - The sink returning [`Flow::Closed`] ends the run at once: [`End::Closed`].
///
/// Counts go to `shared`'s summary; the progress bar is drawn on stderr when it is a terminal.
pub async fn run<R, F, Fut, S>(
    mut ids: Ids,
    options: Options,
    shared: &Shared,
    mut work: F,
    mut sink: S,
) -> Result<End, CliError>
where
    R: Send + 'static,
    F: FnMut(&Entry) -> Fut,
    Fut: Future<Output = Result<R, Error>> + Send + 'static,
    S: FnMut(Done<R>) -> Result<Flow, CliError>,
{
    let concurrency = options.concurrency.max(1);
    let mut bar = Bar::new(options.quiet, options.total);
    let mut window: Window<R> = Window(VecDeque::with_capacity(concurrency));
    let mut input_done = false;
    let mut streak = 0_u32;
    loop {
        while !input_done && window.0.len() < concurrency {
            match ids.next() {
                None => input_done = true,
                Some(Err(e)) => return Err(e),
                Some(Ok(entry)) => {
                    let task = entry.invalid.is_none().then(|| tokio::spawn(work(&entry)));
                    window.0.push_back((entry, task));
                }
            }
        }
        shared.summary().duplicates = ids.duplicates();
        let Some((entry, task)) = window.0.pop_front() else {
            break;
        };
        let outcome = match task {
            None => Outcome::Invalid(entry.invalid.clone().unwrap_or_default()),
            Some(task) => match task.await {
                Ok(Ok(r)) => Outcome::Ok(r),
                Ok(Err(e)) => Outcome::Failed(e),
                Err(join) => Outcome::Failed(Error::new(
                    ErrorKind::Transport,
                    format!("the request task failed: {join}"),
                )),
            },
        };
        match &outcome {
            Outcome::Ok(_) => {
                streak = 0;
                shared.summary().ok();
            }
            Outcome::Failed(e) if is_global(e) => {
                bar.clear();
                let Outcome::Failed(e) = outcome else {
                    unreachable!()
                };
                return Err(e.into());
            }
            Outcome::Failed(e) => {
                streak = if is_connection(e) { streak + 1 } else { 0 };
                shared.summary().failed(Some(e.kind()));
            }
            Outcome::Invalid(_) => shared.summary().failed(None),
        }
        bar.tick();
        if sink(Done { entry, outcome })? == Flow::Closed {
            bar.clear();
            return Ok(End::Closed);
        }
        if streak >= STOP_AFTER {
            bar.clear();
            let in_flight = window.0.len() as u64;
            drop(window);
            let mut rest = in_flight;
            for entry in ids.by_ref() {
                entry?;
                rest += 1;
            }
            let mut summary = shared.summary();
            summary.duplicates = ids.duplicates();
            summary.not_attempted = rest;
            summary.stopped = Some(format!(
                "stopped after {STOP_AFTER} consecutive connection failures"
            ));
            return Ok(End::Finished);
        }
    }
    bar.clear();
    Ok(End::Finished)
}
