//! The `ahrvo-sandbox` binary: its flags (the `SandboxArgs` that `ahrvo sandbox` shares), its
//! environment credentials, and fault injection from the command line.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use crate::common::{LIST, client};

const BIN: &str = env!("CARGO_BIN_EXE_ahrvo-sandbox");

/// Kills the child we started when the test ends, however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `ahrvo-sandbox ARGS` with `env`, and returns it with everything it printed up to
/// "Press Ctrl-C".
fn start(args: &[&str], env: &[(&str, &str)]) -> (Running, String) {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .stdin(Stdio::null());
    for name in [
        "AHRVO_API_KEY",
        "AHRVO_ACCESS_TOKEN",
        "AHRVO_USERNAME",
        "AHRVO_PASSWORD",
    ] {
        command.env_remove(name);
    }
    command.envs(env.iter().copied());
    let mut child = command.spawn().expect("spawn ahrvo-sandbox");
    let stdout = child.stdout.take().expect("piped stdout");
    let running = Running(child);
    let mut printed = String::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("stdout is UTF-8");
        printed.push_str(&line);
        printed.push('\n');
        if line.starts_with("Press Ctrl-C") {
            break;
        }
    }
    (running, printed)
}

fn url_of(printed: &str) -> String {
    printed
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no URL in {printed:?}"))
        .to_owned()
}

/// Status of `GET LIST` with the given issuing credentials; `None` when the connection broke.
async fn list_status(url: &str, token: &str, key: &str) -> Option<u16> {
    let response = client()
        .get(format!("{url}{LIST}"))
        .bearer_auth(token)
        .header("x-api-key", key)
        .send()
        .await
        .ok()?;
    let status = response.status().as_u16();
    // A truncated body is a fault too: read it all.
    response.bytes().await.ok()?;
    Some(status)
}

#[test]
fn help_lists_every_flag_and_the_credential_variables() {
    let output = Command::new(BIN).arg("--help").output().expect("run");
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for needle in [
        "--port",
        "--seed",
        "--state",
        "--latency-ms",
        "--fault-rate",
        "--top-up-delay-ms",
        "--rate-limit",
        "AHRVO_API_KEY",
        "AHRVO_PASSWORD",
    ] {
        assert!(help.contains(needle), "{needle} missing from:\n{help}");
    }
}

#[test]
fn bad_flags_exit_2() {
    for args in [
        &["--fault-rate", "2"][..],
        &["--fault-rate", "often"],
        &["--port", "70000"],
        &["--nope"],
    ] {
        let output = Command::new(BIN).args(args).output().expect("run");
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(output.stdout.is_empty(), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("error"), "{args:?}: {stderr}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn serves_with_credentials_from_the_environment() {
    let (_running, printed) = start(
        &["--seed"],
        &[
            ("AHRVO_API_KEY", "env-key"),
            ("AHRVO_ACCESS_TOKEN", "env-token"),
        ],
    );
    assert!(printed.starts_with("ahrvo-sandbox listening on http://127.0.0.1:"));
    assert!(printed.contains("x-api-key: env-key"), "{printed}");
    assert!(
        printed.contains("HTTP Basic sandbox:sandbox-password"),
        "{printed}"
    );
    let url = url_of(&printed);
    assert_eq!(list_status(&url, "env-token", "env-key").await, Some(200));
    assert_eq!(
        list_status(&url, "sandbox-access-token", "sandbox-api-key").await,
        Some(401)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn fault_rate_1_makes_every_api_request_fail() {
    let (_running, printed) = start(&["--seed", "--fault-rate", "1"], &[]);
    let url = url_of(&printed);
    for _ in 0..10 {
        let status = list_status(&url, "sandbox-access-token", "sandbox-api-key").await;
        assert!(
            status.is_none_or(|s| s >= 429),
            "a faulted request answered {status:?}"
        );
    }
    // The admin API is never faulted.
    let stats = client()
        .get(format!("{url}/_sandbox/stats"))
        .send()
        .await
        .expect("admin request")
        .text()
        .await
        .expect("stats body");
    let stats: serde_json::Value = serde_json::from_str(&stats).expect("JSON stats");
    assert_eq!(stats["requests"], 10);
    let faults = &stats["faults"];
    let total: u64 = [
        "internal_server_error",
        "service_unavailable",
        "too_many_requests",
        "drop_connection",
        "truncated_body",
    ]
    .iter()
    .map(|k| faults[k].as_u64().unwrap_or(0))
    .sum();
    assert_eq!(total, 10, "{stats}");
}

#[tokio::test(flavor = "multi_thread")]
async fn latency_ms_delays_api_requests() {
    let (_running, printed) = start(&["--latency-ms", "300"], &[]);
    let url = url_of(&printed);
    let started = std::time::Instant::now();
    // Empty state: 404, after the latency.
    assert_eq!(
        list_status(&url, "sandbox-access-token", "sandbox-api-key").await,
        Some(404)
    );
    assert!(started.elapsed() >= std::time::Duration::from_millis(300));
}

#[tokio::test]
async fn rate_limit_answers_429_above_n() {
    let (_running, printed) = start(&["--seed", "--rate-limit", "3"], &[]);
    let url = url_of(&printed);
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(list_status(&url, "sandbox-access-token", "sandbox-api-key").await);
    }
    assert_eq!(statuses, [Some(200), Some(200), Some(200), Some(429)]);
}
