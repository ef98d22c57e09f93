//! What a bulk run did, printed as one line on stderr at the end (and on Ctrl-C):
//!
//! `summary: 9996 ok, 3 failed (2 not found, 1 invalid input), 1 duplicate skipped, 4 retried
//! (2 answered 429), 3.2 s`
//!
//! and, after an early stop, `; stopped after 10 consecutive connection failures: 480 not
//! attempted`. The exit status of the run is [`Summary::status`].

use std::collections::BTreeMap;
use std::time::Instant;

use ahrvo::ErrorKind;

use crate::exit::Status;

/// The counts of a run. Shared (behind a mutex) with the Ctrl-C handler.
#[derive(Debug)]
pub struct Summary {
    started: Instant,
    /// Items whose reply came back.
    pub ok: u64,
    /// Failed items by kind label ([`kind_label`]).
    pub failed: BTreeMap<&'static str, u64>,
    /// Items that reached the API (ok or failed there): what `retried` is counted against.
    pub attempted: u64,
    /// Requests items sent by design beyond their first (an auto-top-up's top-up after its
    /// balance query, the order's queries): not retries. See [`Summary::sent_more`].
    by_design: u64,
    /// Ids skipped as duplicates.
    pub duplicates: u64,
    /// Items never sent (the run stopped early).
    pub not_attempted: u64,
    /// Why the run stopped early, when it did.
    pub stopped: Option<String>,
    /// The worst exit status of the failed items.
    worst: Option<Status>,
}

/// The label of a failure kind in summaries and tables: the SDK's own words (`not found`,
/// `connection failed`); a malformed id is `invalid input`.
pub fn kind_label(kind: Option<ErrorKind>) -> &'static str {
    match kind {
        None | Some(ErrorKind::Validation) => "invalid input",
        Some(ErrorKind::NotFound) => "not found",
        Some(ErrorKind::BadRequest) => "bad request",
        Some(ErrorKind::Unauthorized) => "unauthorized",
        Some(ErrorKind::Forbidden) => "forbidden",
        Some(ErrorKind::Conflict) => "conflict",
        Some(ErrorKind::RateLimited) => "rate limited",
        Some(ErrorKind::Server) => "server error",
        Some(ErrorKind::Api) => "API error",
        Some(ErrorKind::Connect) => "connection failed",
        Some(ErrorKind::Timeout) => "timed out",
        Some(ErrorKind::Transport) => "connection error",
        Some(ErrorKind::Decode) => "unexpected reply",
        Some(ErrorKind::ResponseTooLarge) => "reply too large",
        Some(ErrorKind::Protocol) => "invalid HTTP reply",
        Some(ErrorKind::Config) => "invalid configuration",
        Some(_) => "other error",
    }
}

/// The machine name of a failure kind in JSON and CSV: `not_found`, `invalid_input`, ...
pub fn kind_name(kind: Option<ErrorKind>) -> String {
    kind_label(kind).to_lowercase().replace(' ', "_")
}

impl Default for Summary {
    fn default() -> Self {
        Summary {
            started: Instant::now(),
            ok: 0,
            failed: BTreeMap::new(),
            attempted: 0,
            by_design: 0,
            duplicates: 0,
            not_attempted: 0,
            stopped: None,
            worst: None,
        }
    }
}

impl Summary {
    /// One item came back.
    pub fn ok(&mut self) {
        self.ok += 1;
        self.attempted += 1;
    }

    /// One item failed with an SDK error of `kind` (`None`: a malformed id, never sent).
    pub fn failed(&mut self, kind: Option<ErrorKind>) {
        *self.failed.entry(kind_label(kind)).or_default() += 1;
        let status = match kind {
            Some(kind) => {
                self.attempted += u64::from(kind != ErrorKind::Validation);
                Status::of_kind(kind)
            }
            None => Status::Usage,
        };
        self.worst = Some(self.worst.map_or(status, |w| w.max(status)));
    }

    /// An item sent `n` more requests than its first by design (a work closure that calls the
    /// API more than once per id reports the extra calls here): they are not counted as
    /// retries.
    pub fn sent_more(&mut self, n: u64) {
        self.by_design += n;
    }

    /// How many failed.
    pub fn failures(&self) -> u64 {
        self.failed.values().sum()
    }

    /// The run's exit status: the worst of its failed items ([`Status::of_kind`]: 2 a malformed
    /// id, 4 not found, 5 any other failure), 5 when items were not attempted, else 0.
    pub fn status(&self) -> Status {
        let stopped = (self.not_attempted > 0 || self.stopped.is_some()).then_some(Status::Failure);
        self.worst.max(stopped).unwrap_or(Status::Ok)
    }

    /// The line printed on stderr. `sent` is the number of requests sent (every attempt), and
    /// `answered_429` how many replies were 429, as the transport counted them.
    pub fn line(&self, sent: u64, answered_429: u64) -> String {
        let mut line = format!("{} ok", self.ok);
        let failed = self.failures();
        if failed > 0 {
            let kinds: Vec<String> = self
                .failed
                .iter()
                .map(|(k, n)| format!("{n} {k}"))
                .collect();
            line.push_str(&format!(", {failed} failed ({})", kinds.join(", ")));
        }
        if self.duplicates > 0 {
            line.push_str(&format!(
                ", {} duplicate{} skipped",
                self.duplicates,
                plural(self.duplicates)
            ));
        }
        let retried = sent.saturating_sub(self.attempted + self.by_design);
        line.push_str(&format!(", {retried} retried"));
        if answered_429 > 0 {
            line.push_str(&format!(" ({answered_429} answered 429)"));
        }
        line.push_str(&format!(", {:.1} s", self.started.elapsed().as_secs_f64()));
        if let Some(why) = &self.stopped {
            line.push_str(&format!("; {why}: {} not attempted", self.not_attempted));
        } else if self.not_attempted > 0 {
            line.push_str(&format!("; {} not attempted", self.not_attempted));
        }
        line
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_counts_kinds_retries_and_stops() {
        let mut s = Summary::default();
        s.ok();
        s.ok();
        s.failed(Some(ErrorKind::NotFound));
        s.failed(None);
        s.duplicates = 1;
        let line = s.line(5, 1);
        assert!(
            line.starts_with(
                "2 ok, 2 failed (1 invalid input, 1 not found), 1 duplicate skipped, 2 retried \
                 (1 answered 429), "
            ),
            "{line}"
        );
        assert_eq!(s.status(), Status::NotFound);
        s.not_attempted = 7;
        s.stopped = Some("stopped after 10 consecutive connection failures".into());
        assert!(s.line(3, 0).ends_with("failures: 7 not attempted"));
        assert_eq!(s.status(), Status::Failure);
        assert_eq!(Summary::default().status(), Status::Ok);
        // Requests sent by design are not retries.
        let mut s = Summary::default();
        s.ok();
        s.sent_more(3);
        assert!(
            s.line(4, 0).starts_with("1 ok, 0 retried, "),
            "{}",
            s.line(4, 0)
        );
        assert!(
            s.line(6, 0).starts_with("1 ok, 2 retried, "),
            "{}",
            s.line(6, 0)
        );
        assert_eq!(kind_name(Some(ErrorKind::NotFound)), "not_found");
        assert_eq!(kind_name(None), "invalid_input");
    }
}
