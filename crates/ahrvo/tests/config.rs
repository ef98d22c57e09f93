//! Configurations stay where they were put: no setter but `with_environment` moves one to another
//! environment, and a sandbox configuration never picks up the real credentials of the shell.

use std::process::Command;
use std::time::Duration;

use ahrvo::{
    Client, ClientConfig, Config, Environment, IssuingCredentials, RetryConfig, SANDBOX_API_KEY,
    TimeoutConfig,
};
use ahrvo_testkit::{RecordingServer, Reply};
use base64::Engine as _;

#[test]
fn retry_and_timeout_settings_keep_the_environment() {
    let config = Config::new(Environment::Staging)
        .with_issuing(IssuingCredentials::new("k", "t"))
        .with_client(ClientConfig::default().with_retry(RetryConfig::disabled()))
        .with_retry(RetryConfig::default().with_max_attempts(4))
        .with_timeouts(TimeoutConfig::default().with_total(Duration::from_secs(9)));
    let client = Client::new(config).unwrap();
    let issuing = client.issuing().unwrap();
    assert_eq!(issuing.base_url(), Environment::STAGING_URL);
}

/// Real-looking credentials exported in the shell of the child process.
const SHELL: [(&str, &str); 4] = [
    ("AHRVO_API_KEY", "prod-api-key-REAL"),
    ("AHRVO_ACCESS_TOKEN", "prod-token-REAL"),
    ("AHRVO_USERNAME", "prod-user-REAL"),
    ("AHRVO_PASSWORD", "prod-password-REAL"),
];
const CHILD: &str = "AHRVO_CONFIG_TEST_CHILD";

#[test]
fn a_sandbox_config_ignores_the_credentials_of_the_shell() {
    // Environment variables cannot be set in this process without `unsafe`: the check runs in a
    // child process (this test binary, filtered to the test below) that has them.
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "sandbox_credentials_in_a_shell_with_real_ones",
            "--nocapture",
        ])
        .envs(SHELL)
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("1 passed"), "{stdout}");
}

/// Runs only in the child of the test above (trivially passes otherwise).
#[tokio::test]
async fn sandbox_credentials_in_a_shell_with_real_ones() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    assert_eq!(std::env::var("AHRVO_API_KEY").unwrap(), "prod-api-key-REAL");
    let server = RecordingServer::start().await;
    server.set_fallback(Reply::new(200, r#"{"code":"SUCCESS","data":[]}"#));
    let client = Client::new(Config::sandbox(server.url()).unwrap()).unwrap();
    client
        .issuing()
        .unwrap()
        .list_budget_balances()
        .await
        .unwrap();
    let _ = client.payments().unwrap().get_balance("b").await;
    let [issuing, payments] = server.requests().try_into().unwrap();
    assert_eq!(issuing.header("x-api-key"), SANDBOX_API_KEY);
    assert_eq!(
        issuing.header("authorization"),
        format!("Bearer {}", ahrvo::SANDBOX_ACCESS_TOKEN)
    );
    let basic = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        ahrvo::SANDBOX_USERNAME,
        ahrvo::SANDBOX_PASSWORD
    ));
    assert_eq!(payments.header("authorization"), format!("Basic {basic}"));

    // Credentials passed explicitly are the ones sent.
    let config = Config::sandbox(server.url())
        .unwrap()
        .with_issuing(IssuingCredentials::new("mine", "my-token"));
    let client = Client::new(config).unwrap();
    client
        .issuing()
        .unwrap()
        .list_budget_balances()
        .await
        .unwrap();
    let last = server.requests().pop().unwrap();
    assert_eq!(last.header("x-api-key"), "mine");
    assert_eq!(last.header("authorization"), "Bearer my-token");
}
