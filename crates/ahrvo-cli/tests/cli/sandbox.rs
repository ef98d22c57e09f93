//! `ahrvo sandbox`: a foreground server, stopped with SIGINT like Ctrl-C.

use std::process::Stdio;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::common::{ahrvo_bare, command};

/// Starts `ahrvo sandbox ARGS` and returns the child and the first stdout line.
async fn start(
    args: &[&str],
) -> (
    Child,
    String,
    tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
) {
    let mut std_cmd = command();
    std_cmd.arg("sandbox").args(args);
    let mut cmd = Command::from(std_cmd);
    cmd.stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = cmd.spawn().expect("spawn ahrvo sandbox");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = tokio::time::timeout(std::time::Duration::from_secs(60), lines.next_line())
        .await
        .expect("the sandbox prints its URL")
        .unwrap()
        .unwrap_or_default();
    (child, first, lines)
}

/// Sends SIGINT (what Ctrl-C sends) to the child we started, and waits for its exit code.
async fn interrupt(mut child: Child) -> i32 {
    let pid = child.id().expect("still running").to_string();
    let status = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill");
    assert!(status.success());
    let status = tokio::time::timeout(std::time::Duration::from_secs(30), child.wait())
        .await
        .expect("exits after SIGINT")
        .unwrap();
    status.code().unwrap_or(-1)
}

fn url_of(first_line: &str) -> String {
    first_line
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no URL in {first_line:?}"))
        .to_owned()
}

async fn list(url: &str) -> crate::common::Run {
    ahrvo_bare([
        "--base-url",
        url,
        "--api-key",
        "sandbox-api-key",
        "--access-token",
        "sandbox-access-token",
        "budgets",
        "list",
        "-o",
        "json",
    ])
    .await
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn sandbox_serves_until_ctrl_c() {
    let (child, first, mut rest) = start(&["--seed"]).await;
    assert!(
        first.starts_with("ahrvo sandbox listening on http://127.0.0.1:"),
        "{first}"
    );
    assert!(first.contains("seeded"));
    let url = url_of(&first);
    let mut printed = String::new();
    while let Ok(Some(line)) = rest.next_line().await {
        printed.push_str(&line);
        printed.push('\n');
        if line.starts_with("Press Ctrl-C") {
            break;
        }
    }
    assert!(
        printed.contains(&format!("export AHRVO_BASE_URL={url}")),
        "{printed}"
    );
    assert!(printed.contains("export AHRVO_API_KEY=sandbox-api-key"));
    assert!(printed.contains("export AHRVO_USERNAME=sandbox"));

    let run = list(&url).await;
    run.expect(0);
    assert_eq!(run.json().as_array().unwrap().len(), 3);
    assert_eq!(interrupt(child).await, 0);
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn sandbox_prints_json_and_keeps_state_in_a_file() {
    let dir = std::env::temp_dir().join(format!("ahrvo-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let state = dir.join("state.json");
    let _ = std::fs::remove_file(&state);
    let state_arg = state.to_str().unwrap();

    let (child, first, _rest) = start(&["--state", state_arg, "-o", "json"]).await;
    // Pretty JSON: the first line is "{"; read the URL from the state of the JSON instead.
    assert_eq!(first, "{");
    let mut json_text = first.clone();
    let mut rest = _rest;
    while let Ok(Some(line)) = rest.next_line().await {
        json_text.push_str(&line);
        if line == "}" {
            break;
        }
    }
    let started: serde_json::Value = serde_json::from_str(&json_text).unwrap();
    let url = started["base_url"].as_str().unwrap().to_owned();
    assert_eq!(started["api_key"], "sandbox-api-key");
    assert_eq!(started["username"], "sandbox");

    let create = ahrvo_bare([
        "--base-url",
        url.as_str(),
        "--api-key",
        "sandbox-api-key",
        "--access-token",
        "sandbox-access-token",
        "budgets",
        "create",
        "Persisted",
    ])
    .await;
    create.expect(0);
    assert_eq!(interrupt(child).await, 0);

    // A second run loads the file.
    let (child, first, _rest) = start(&["--state", state_arg]).await;
    let url = url_of(&first);
    let run = list(&url).await;
    run.expect(0);
    assert_eq!(run.json()[0]["budget_name"], "Persisted");
    assert_eq!(interrupt(child).await, 0);

    // A corrupt state file is bad input: exit 2, one line, the file untouched.
    std::fs::write(&state, "{ not json").unwrap();
    let run = ahrvo_bare(["sandbox", "--state", state_arg]).await;
    run.expect(2)
        .one_error_line("cannot start the sandbox: state file");
    assert_eq!(std::fs::read_to_string(&state).unwrap(), "{ not json");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_port_in_use_exits_5() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let run = ahrvo_bare(["sandbox", "--port", port.as_str()]).await;
    run.expect(5).one_error_line("cannot listen on");
}

/// The sandbox's admin counters: `GET /_sandbox/stats` as a plain HTTP/1.1 request.
fn admin_stats(url: &str) -> serde_json::Value {
    use std::io::{Read, Write};
    let addr = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).expect("connect to the sandbox");
    write!(
        stream,
        "GET /_sandbox/stats HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    let body = reply.split("\r\n\r\n").nth(1).unwrap_or_default();
    serde_json::from_str(body).unwrap_or_else(|e| panic!("stats are not JSON ({e}): {reply}"))
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn sandbox_fault_rate_makes_api_calls_fail() {
    // The flag comes from ahrvo_sandbox::SandboxArgs, flattened into `ahrvo sandbox`.
    let (child, first, _rest) = start(&["--seed", "--fault-rate", "1"]).await;
    let url = url_of(&first);
    let run = ahrvo_bare([
        "--base-url",
        url.as_str(),
        "--api-key",
        "sandbox-api-key",
        "--access-token",
        "sandbox-access-token",
        "--timeout",
        "5s",
        "budgets",
        "list",
    ])
    .await;
    run.expect(5);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    // Every API request the CLI sent (retries included) got a fault.
    let stats = admin_stats(&url);
    let requests = stats["requests"].as_u64().unwrap();
    let faults: u64 = stats["faults"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert!(requests >= 1, "{stats}");
    assert_eq!(faults, requests, "{stats}");
    assert_eq!(interrupt(child).await, 0);
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn sandbox_latency_flag_delays_api_calls() {
    let (child, first, _rest) = start(&["--seed", "--latency-ms", "400"]).await;
    let url = url_of(&first);
    let started = std::time::Instant::now();
    let run = list(&url).await;
    run.expect(0);
    assert!(started.elapsed() >= std::time::Duration::from_millis(400));
    assert_eq!(interrupt(child).await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn sandbox_takes_every_flag_of_ahrvo_sandbox() {
    let run = ahrvo_bare(["sandbox", "--help"]).await;
    run.expect(0);
    for flag in [
        "--port",
        "--seed",
        "--state",
        "--latency-ms",
        "--fault-rate",
    ] {
        assert!(run.stdout.contains(flag), "{flag} missing:\n{}", run.stdout);
    }
    for bad in [
        &["sandbox", "--fault-rate", "2"][..],
        &["sandbox", "--fault-rate", "often"],
        &["sandbox", "--latency-ms", "soon"],
    ] {
        let run = ahrvo_bare(bad).await;
        assert_eq!(run.code, 2, "{bad:?}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{bad:?}: {}", run.stdout);
        assert!(run.stderr.contains("error"), "{bad:?}: {}", run.stderr);
    }
}
