//! Runs the real `ahrvo` binary against an in-process sandbox.

use std::ffi::OsString;
use std::process::{Command, Stdio};

use ahrvo_sandbox::Sandbox;

/// What one run of `ahrvo` did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts the exit code, showing both streams when it differs.
    #[track_caller]
    pub fn expect(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Asserts that stderr is exactly one line starting with `error: ` and containing `needle`.
    #[track_caller]
    pub fn one_error_line(&self, needle: &str) -> &Self {
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "stderr: {:?}", self.stderr);
        assert!(lines[0].starts_with("error: "), "stderr: {:?}", self.stderr);
        assert!(
            lines[0].contains(needle),
            "stderr: {:?} lacks {needle:?}",
            self.stderr
        );
        assert!(!self.stderr.contains("panicked"), "{}", self.stderr);
        self
    }

    /// Parses stdout as JSON.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }

    /// stdout split into CSV lines (CRLF-terminated records).
    #[track_caller]
    pub fn csv_lines(&self) -> Vec<&str> {
        assert!(
            self.stdout.is_empty() || self.stdout.ends_with("\r\n"),
            "CSV must end with CRLF: {:?}",
            self.stdout
        );
        self.stdout.split_terminator("\r\n").collect()
    }
}

/// A command for the `ahrvo` binary with no `AHRVO_*` variable inherited and stdin closed.
pub fn command() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ahrvo"));
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("AHRVO_") {
            cmd.env_remove(name);
        }
    }
    cmd.env_remove("RUST_BACKTRACE").env_remove("RUST_LOG");
    cmd.stdin(Stdio::null());
    cmd
}

/// Runs `cmd` to completion off the async runtime.
pub async fn run(mut cmd: Command) -> Run {
    let out = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .expect("join")
        .expect("run ahrvo");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// `ahrvo --base-url <sandbox> ARGS` with the sandbox's credentials in the environment.
pub async fn ahrvo(sandbox: &Sandbox, args: &[&str]) -> Run {
    run(with_sandbox(sandbox, args)).await
}

/// The command of [`ahrvo`], not yet run.
pub fn with_sandbox(sandbox: &Sandbox, args: &[&str]) -> Command {
    let c = sandbox.credentials();
    let mut cmd = command();
    cmd.arg("--base-url")
        .arg(sandbox.base_url())
        .args(args)
        .env("AHRVO_API_KEY", &c.api_key)
        .env("AHRVO_ACCESS_TOKEN", &c.access_token)
        .env("AHRVO_USERNAME", &c.username)
        .env("AHRVO_PASSWORD", &c.password);
    cmd
}

/// `ahrvo ARGS` with no sandbox and no credentials.
pub async fn ahrvo_bare<S: Into<OsString>>(args: impl IntoIterator<Item = S>) -> Run {
    let mut cmd = command();
    cmd.args(args.into_iter().map(Into::into));
    run(cmd).await
}

/// A seeded sandbox.
pub async fn seeded() -> Sandbox {
    Sandbox::start_seeded().await.expect("sandbox starts")
}

/// The seeded Dedicated Funds Card.
pub const CARD: &str = "card201907021723076245";
/// The seeded Shared Funds Card.
pub const SHARED_CARD: &str = "card201907021723076246";
/// The seeded Balance.
pub const BALANCE: &str = "balance_dyz5APsJebDef9oTW9J2Hc";
/// The seeded Balance Entry.
pub const ENTRY: &str = "balance_entry_i5YzFZYEh6CoCrN2zqgPdW";
