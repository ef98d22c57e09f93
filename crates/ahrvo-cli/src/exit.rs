//! Exit codes, and the one error type every command returns.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | ok |
//! | 1 | a finding: a low balance, a discrepancy, insufficient funds, an alert |
//! | 2 | usage or invalid input: clap's own errors, a bad amount or CSV file, an empty budget name ([`ErrorKind::Validation`]), missing credentials or a bad URL ([`ErrorKind::Config`]) |
//! | 3 | authentication or permission: HTTP 401 or 403 |
//! | 4 | not found: HTTP 404 |
//! | 5 | any other API or network error (400, 409, 429, 5xx, timeouts, connection failures, ...) |

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
    /// Anything else (the sandbox could not start, stdout closed, ...).
    Other(String),
}

impl CliError {
    /// The exit status this error ends the process with.
    pub fn status(&self) -> Status {
        match self {
            CliError::Api(e) => Status::of_kind(e.kind()),
            CliError::Usage(_) => Status::Usage,
            CliError::Other(_) => Status::Failure,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Api(e) => fmt::Display::fmt(e, f),
            CliError::Usage(m) | CliError::Other(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for CliError {}

impl From<Error> for CliError {
    fn from(e: Error) -> Self {
        CliError::Api(e)
    }
}

/// A report's refusal of its input (an amount of zero, ...): a usage error, shown as the SDK
/// shows its own validation errors (`invalid input: ...`).
impl From<ahrvo::reports::InvalidInput> for CliError {
    fn from(e: ahrvo::reports::InvalidInput) -> Self {
        CliError::Usage(format!("invalid input: {e}"))
    }
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
        ];
        for (kind, code) in cases {
            assert_eq!(Status::of_kind(kind).code(), code, "{kind:?}");
        }
        assert_eq!(CliError::Usage("x".into()).status(), Status::Usage);
        assert_eq!(CliError::Other("x".into()).status(), Status::Failure);
    }
}
