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
    // No profile of the user's own config file: a file that does not exist is an empty one.
    cmd.env(
        "AHRVO_CONFIG",
        std::env::temp_dir().join("ahrvo-cli-tests-no-such-config.toml"),
    );
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

/// The command of [`ahrvo`], not yet run: the sandbox's URL in `AHRVO_BASE_URL`, which a
/// test may override.
pub fn with_sandbox(sandbox: &Sandbox, args: &[&str]) -> Command {
    let c = sandbox.credentials();
    let mut cmd = command();
    cmd.env("AHRVO_BASE_URL", sandbox.base_url())
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
pub const SHARED_CARD: &str = "card201907021723076250";
/// The seeded Balance.
pub const BALANCE: &str = "balance_dyz5APsJebDef9oTW9J2Hc";
/// The seeded Balance Entry.
pub const ENTRY: &str = "balance_entry_i5YzFZYEh6CoCrN2zqgPdW";

/// A loopback HTTP server answering every request with a scripted reply chosen by its target
/// (path and query): what the sandbox never sends (control characters in names, a date-only
/// timestamp, an amount of `i64::MIN`, a hostile error code). One thread per connection,
/// `Connection: close`; it serves until the test process ends.
#[derive(Debug)]
pub struct Scripted {
    base_url: String,
}

/// One scripted route: a request whose target contains `needle` gets `status` and `body`.
pub type Route = (&'static str, u16, String);

impl Scripted {
    /// Serves `routes` (the first whose needle the target contains wins; none: 404).
    pub fn start(routes: Vec<Route>) -> Scripted {
        use std::io::{BufRead, BufReader, Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let routes = std::sync::Arc::new(routes);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let routes = routes.clone();
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream);
                    let mut request_line = String::new();
                    if reader.read_line(&mut request_line).is_err() {
                        return;
                    }
                    let mut length = 0_usize;
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                            break;
                        }
                        if let Some((name, value)) = line.split_once(':')
                            && name.eq_ignore_ascii_case("content-length")
                        {
                            length = value.trim().parse().unwrap_or(0);
                        }
                    }
                    let mut body = vec![0; length];
                    let _ = reader.read_exact(&mut body);
                    let target = request_line.split(' ').nth(1).unwrap_or("");
                    let (status, reply) = routes
                        .iter()
                        .find(|(needle, _, _)| target.contains(needle))
                        .map_or((404, r#"{"code":"NO_ROUTE"}"#.to_owned()), |(_, s, b)| {
                            (*s, b.clone())
                        });
                    let head = format!(
                        "HTTP/1.1 {status} Scripted\r\ncontent-type: application/json\r\n\
                         content-length: {}\r\nconnection: close\r\n\r\n",
                        reply.len()
                    );
                    let mut stream = reader.into_inner();
                    let _ = stream.write_all(head.as_bytes());
                    let _ = stream.write_all(reply.as_bytes());
                    let _ = stream.flush();
                });
            }
        });
        Scripted { base_url }
    }

    /// `ahrvo --base-url <this server> ARGS` with credentials for both families.
    pub async fn ahrvo(&self, args: &[&str]) -> Run {
        let mut cmd = command();
        cmd.arg("--base-url")
            .arg(&self.base_url)
            .args(args)
            .env("AHRVO_API_KEY", "k")
            .env("AHRVO_ACCESS_TOKEN", "t")
            .env("AHRVO_USERNAME", "u")
            .env("AHRVO_PASSWORD", "p");
        run(cmd).await
    }
}

/// An Issuing success envelope around `data` (JSON text).
pub fn envelope(data: &str) -> String {
    format!(r#"{{"code":"SUCCESS","data":{data}}}"#)
}

/// The list-budget-balances route.
pub const LIST: &str = "/budget/v2/balance/all";
/// The card-balance route.
pub const CARD_BALANCE: &str = "/card/v2/normal/balance";

/// Asserts that `text` holds no character a terminal would act on (C0 but the line ends, DEL,
/// C1) and no bidirectional override.
#[track_caller]
pub fn assert_inert(what: &str, text: &str) {
    let bad: Vec<char> = text
        .replace("\r\n", "\n")
        .chars()
        .filter(|c| (c.is_control() && *c != '\n') || ('\u{202a}'..='\u{202e}').contains(c))
        .collect();
    assert!(
        bad.is_empty(),
        "{what}: raw control characters {bad:?} in:\n{text}"
    );
}
