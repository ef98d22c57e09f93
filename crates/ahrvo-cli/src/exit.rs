//! Exit codes, and the one error type every command returns.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | ok |
//! | 1 | a finding: a low balance, a discrepancy, insufficient funds, an alert, a top-up order that ended failed or is still `PROCESSING` when the poll bound runs out |
//! | 2 | usage or invalid input: clap's own errors, a bad amount or CSV file, an empty budget name ([`ErrorKind::Validation`]), missing credentials or a bad URL ([`ErrorKind::Config`]) |
//! | 3 | authentication or permission: HTTP 401 or 403 |
//! | 4 | not found: HTTP 404 |
//! | 5 | any other API or network error (400, 409, 429, 5xx, timeouts, connection failures, ...), a reply that is not what the API documents ([`ErrorKind::Decode`]), a reply the CLI cannot use (an amount whose arithmetic overflows), and any error kind the SDK adds later |
//!
//! Input is checked by the CLI before any request (the value parsers of [`crate::cli`]), so an
//! error that comes after a reply is never a usage error.

use std::fmt;
use std::process::ExitCode;

use ahrvo::{Error, ErrorKind};

/// The exit statuses of `ahrvo`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// 0: everything fine.
    Ok = 0,
    /// 1: the command ran and found something to act on.
    Finding = 1,
    /// 2: the command line or its input is wrong.
    Usage = 2,
    /// 3: the credentials were refused (401) or are not allowed (403).
    Auth = 3,
    /// 4: no such resource (404).
    NotFound = 4,
    /// 5: any other API or network error.
    Failure = 5,
}

impl Status {
    /// The status for an SDK error of `kind`.
    pub fn of_kind(kind: ErrorKind) -> Status {
        match kind {
            ErrorKind::Validation | ErrorKind::Config => Status::Usage,
            ErrorKind::Unauthorized | ErrorKind::Forbidden => Status::Auth,
            ErrorKind::NotFound => Status::NotFound,
            _ => Status::Failure,
        }
    }

    /// The process exit code.
    pub fn code(self) -> u8 {
        self as u8
    }
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> ExitCode {
        ExitCode::from(status.code())
    }
}

/// Why a command failed. Its `Display` is the one line printed after `error: `.
#[derive(Debug)]
pub enum CliError {
    /// An SDK error, shown with its own `Display`
    /// (`createBudget: conflict (HTTP 409) [BUDGET_NAME_EXISTS]: ...`).
    Api(Error),
    /// Bad input found by the CLI itself (a CSV file, a file that cannot be read, ...).
    Usage(String),
    /// A reply the SDK decoded but the command cannot use (a report refused what the API sent,
    /// such as an `available_amount` of `i64::MIN` whose payout arithmetic overflows): exit 5.
    Unusable(String),
    /// Anything else (the sandbox could not start, stdout closed, ...).
    Other(String),
}

impl CliError {
    /// The exit status this error ends the process with.
    pub fn status(&self) -> Status {
        match self {
            CliError::Api(e) => Status::of_kind(e.kind()),
            CliError::Usage(_) => Status::Usage,
            CliError::Unusable(_) | CliError::Other(_) => Status::Failure,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Api(e) => fmt::Display::fmt(e, f),
            CliError::Usage(m) | CliError::Unusable(m) | CliError::Other(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for CliError {}

impl From<Error> for CliError {
    fn from(e: Error) -> Self {
        CliError::Api(e)
    }
}

impl CliError {
    /// A report's refusal of what `operation` replied. The CLI has checked its own input before
    /// sending (an amount above zero, a buffer not negative), so what is left is the reply's:
    /// exit 5, never a usage error.
    pub fn unusable(operation: &str, e: &ahrvo::reports::InvalidInput) -> Self {
        CliError::Unusable(format!(
            "{operation}: the reply cannot be used: {e} (the API sent a value this check cannot \
             compute with)"
        ))
    }
}

/// The causes an error carries, outermost first (its `source()` chain), each once: a cause whose
/// text the previous one already shows is left out. Shown after the error by
/// [`Context::describe`](crate::Context::describe) and escaped there.
pub fn causes(e: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut next = e.source();
    while let Some(cause) = next {
        let text = cause.to_string();
        let shown = out.last().is_some_and(|last| last.contains(&text));
        if !text.is_empty() && !shown && !e.to_string().contains(&text) {
            out.push(text);
        }
        next = cause.source();
    }
    out
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        CliError::Other(format!("cannot write the output: {e}"))
    }
}

/// What a command returns: its exit status (0 or 1) or an error.
pub type CliResult = Result<Status, CliError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_map_to_statuses() {
        let cases = [
            (ErrorKind::Validation, 2),
            (ErrorKind::Config, 2),
            (ErrorKind::Unauthorized, 3),
            (ErrorKind::Forbidden, 3),
            (ErrorKind::NotFound, 4),
            (ErrorKind::Conflict, 5),
            (ErrorKind::BadRequest, 5),
            (ErrorKind::Server, 5),
            (ErrorKind::Timeout, 5),
            (ErrorKind::Connect, 5),
            (ErrorKind::RateLimited, 5),
            (ErrorKind::Decode, 5),
            (ErrorKind::Protocol, 5),
        ];
        for (kind, code) in cases {
            assert_eq!(Status::of_kind(kind).code(), code, "{kind:?}");
        }
        assert_eq!(CliError::Usage("x".into()).status(), Status::Usage);
        assert_eq!(CliError::Other("x".into()).status(), Status::Failure);
        // A report's refusal after a reply is the reply's fault.
        let refused = ahrvo::reports::InvalidInput::new("out of range");
        assert_eq!(
            CliError::unusable("getBalance", &refused).status(),
            Status::Failure
        );
        // Every kind but the input, credential and not-found ones is 5, new ones included.
        assert_eq!(Status::of_kind(ErrorKind::OtherStatus).code(), 5);
        assert_eq!(Status::of_kind(ErrorKind::ResponseTooLarge).code(), 5);
        assert_eq!(Status::of_kind(ErrorKind::Api).code(), 5);
        assert_eq!(Status::of_kind(ErrorKind::Transport).code(), 5);
    }

    #[test]
    fn causes_are_the_source_chain_each_once() {
        #[derive(Debug)]
        struct E(&'static str, Option<Box<E>>);
        impl fmt::Display for E {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.0)
            }
        }
        impl std::error::Error for E {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                self.1.as_deref().map(|e| e as _)
            }
        }
        let chain = E(
            "could not connect",
            Some(Box::new(E(
                "tcp connect error: Connection refused",
                Some(Box::new(E("Connection refused", None))),
            ))),
        );
        assert_eq!(causes(&chain), ["tcp connect error: Connection refused"]);
        assert!(causes(&E("alone", None)).is_empty());
    }
}
