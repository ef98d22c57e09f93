//! No credential and no full card number in anything the SDK shows (docs/reliability.md).
//!
//! Everything written to `tracing` at TRACE (and to `log`, which the HTTP stack uses) is
//! captured while every operation runs against a sandbox with distinctive credentials — successes,
//! 401s with a token refresh, 409s, injected faults and retries — and a recording server sends
//! full card numbers in a success, an error message and an undecodable reply. Then every `Debug`
//! and `Display` of the clients, configurations, requests, responses, results and errors is
//! added, and none of the secrets may appear in any of it.

use std::io;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ahrvo::transport::{HttpRequest, HttpTransport, ReqwestTransport, Secret};
use ahrvo::{
    Client, ClientConfig, Config, Environment, Error, IssuingClient, IssuingCredentials,
    PaymentsCredentials, RetryConfig, TokenProvider,
};
use ahrvo_sandbox::{Credentials, FaultConfig, FaultKind, Sandbox, SandboxConfig};
use ahrvo_testkit::{RecordingServer, Reply};
use ahrvo_transport::test_util::async_transport_fn;
use async_trait::async_trait;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::FmtSpan;

const API_KEY: &str = "ak_live_SECRETKEY_5f2c9e";
const ACCESS_TOKEN: &str = "tok_SECRETTOKEN_81d3b7";
const FRESH_TOKEN: &str = "tok_SECRETFRESH_19aa0c";
const USERNAME: &str = "acct_user_7";
const PASSWORD: &str = "pw_SECRETPASS_c4a6e0";
const PAN: &str = "4111111111111111";

/// Standard base64, to name the Basic header's form of the password.
fn base64(input: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(input)
}

fn forbidden() -> Vec<String> {
    let basic = base64(format!("{USERNAME}:{PASSWORD}").as_bytes());
    vec![
        API_KEY.into(),
        ACCESS_TOKEN.into(),
        FRESH_TOKEN.into(),
        PASSWORD.into(),
        basic.trim_end_matches('=').into(),
        PAN.into(),
        "4111 1111 1111 1111".into(),
        "4111-1111-1111-1111".into(),
        "5555444433332222".into(),
    ]
}

/// The capture buffer, shared by the `tracing` writer and the `log` logger.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl std::fmt::Debug for Capture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Capture({} bytes)", self.0.lock().unwrap().len())
    }
}

impl io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Capture {
        self.clone()
    }
}

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        let line = format!(
            "LOG {} {}: {}\n",
            record.level(),
            record.target(),
            record.args()
        );
        self.0.lock().unwrap().extend_from_slice(line.as_bytes());
    }
    fn flush(&self) {}
}

impl Capture {
    fn record(&self, shown: String) {
        self.0.lock().unwrap().extend_from_slice(shown.as_bytes());
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// The real transport, showing every request and reply it handles (auth headers included) and
/// itself.
fn shown(inner: ReqwestTransport, seen: Capture) -> impl HttpTransport {
    let inner = Arc::new(inner);
    seen.record(format!("{inner:?}\n{inner:#?}\n"));
    async_transport_fn(move |request: HttpRequest| {
        let (inner, seen) = (Arc::clone(&inner), seen.clone());
        async move {
            seen.record(format!("{request:?}\n{request:#?}\n"));
            let reply = inner.send(request).await;
            seen.record(match &reply {
                Ok(r) => format!("{r:?}\n{r:#?}\n"),
                Err(e) => show_error(e),
            });
            reply
        }
    })
}

/// A token provider that hands out a stale token first, then a fresh one.
#[derive(Debug, Default)]
struct Rotating(Mutex<u32>);

#[async_trait]
impl TokenProvider for Rotating {
    async fn access_token(&self, refresh: bool) -> Result<Secret, Error> {
        let mut calls = self.0.lock().unwrap();
        *calls += 1;
        Ok(Secret::new(if refresh {
            FRESH_TOKEN
        } else {
            ACCESS_TOKEN
        }))
    }
}

/// Every rendering of an error, its source chain included.
fn show_error(e: &Error) -> String {
    let mut out = format!(
        "{e}\n{e:?}\n{e:#?}\n{}\n{:?}\n",
        e.message(),
        e.body_snippet()
    );
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        out.push_str(&format!("{s}\n{s:?}\n"));
        source = s.source();
    }
    out
}

fn show<T: std::fmt::Debug>(seen: &mut String, value: &T) {
    seen.push_str(&format!("{value:?}\n{value:#?}\n"));
}

fn show_result<T: std::fmt::Debug>(seen: &mut String, result: &Result<T, Error>) {
    match result {
        Ok(v) => show(seen, v),
        Err(e) => seen.push_str(&show_error(e)),
    }
}

fn client_config(url: &str, seen: &Capture) -> ClientConfig {
    let base = ClientConfig::new(Environment::custom(url).unwrap()).with_retry(
        RetryConfig::default()
            .with_max_attempts(3)
            .with_initial_backoff(Duration::from_millis(1))
            .with_max_backoff(Duration::from_millis(5)),
    );
    let shown = shown(ReqwestTransport::new(&base).unwrap(), seen.clone());
    base.with_transport(Arc::new(shown))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_or_card_number_is_ever_shown() {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::FULL)
        .with_writer(capture.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();
    log::set_logger(Box::leak(Box::new(capture.clone()))).unwrap();
    log::set_max_level(log::LevelFilter::Trace);

    let mut seen = String::new();
    let sandbox = Sandbox::start_with(
        SandboxConfig::default()
            .with_seed(true)
            .with_credentials(Credentials::new(API_KEY, FRESH_TOKEN, USERNAME, PASSWORD)),
    )
    .await
    .unwrap();

    // Issuing with a token the sandbox refuses first (401), then a refreshed one.
    let config = Config::new(Environment::custom(sandbox.base_url()).unwrap())
        .with_client(client_config(sandbox.base_url(), &capture))
        .with_issuing(IssuingCredentials::with_token_provider(
            API_KEY,
            Rotating::default(),
        ))
        .with_payments(PaymentsCredentials::new(USERNAME, PASSWORD));
    show(&mut seen, &config);
    show(&mut seen, &config.client);
    show(&mut seen, &config.issuing);
    show(&mut seen, &config.payments);
    let client = Client::new(config).unwrap();
    show(&mut seen, &client);
    let issuing = client.issuing().unwrap();
    let payments = client.payments().unwrap();
    show(&mut seen, issuing);
    show(&mut seen, payments);
    let secret = Secret::new(PASSWORD);
    seen.push_str(&format!("{secret} {secret:?}\n"));

    // The five operations, successes and documented errors.
    show_result(&mut seen, &issuing.list_budget_balances().await);
    show_result(&mut seen, &issuing.create_budget("Secrets test").await);
    show_result(&mut seen, &issuing.create_budget("Secrets test").await); // 409
    show_result(
        &mut seen,
        &issuing.get_card_balance("card201907021723076245").await,
    );
    show_result(
        &mut seen,
        &issuing.get_card_balance("card201907021723076250").await,
    ); // 400
    show_result(
        &mut seen,
        &payments.get_balance("balance_dyz5APsJebDef9oTW9J2Hc").await,
    );
    show_result(
        &mut seen,
        &payments
            .get_balance_entry("balance_entry_i5YzFZYEh6CoCrN2zqgPdW")
            .await,
    );
    show_result(&mut seen, &payments.get_balance("missing").await); // 404

    // Faults: retries log their errors; every kind, on every operation.
    for kind in FaultKind::ALL {
        sandbox.set_faults(
            FaultConfig::with_rate(1.0)
                .kinds([kind])
                .retry_after_secs(0),
        );
        show_result(&mut seen, &issuing.list_budget_balances().await);
        show_result(
            &mut seen,
            &issuing.create_budget(&format!("Faulted {kind:?}")).await,
        );
        show_result(
            &mut seen,
            &issuing.get_card_balance("card201907021723076245").await,
        );
        show_result(
            &mut seen,
            &payments.get_balance("balance_dyz5APsJebDef9oTW9J2Hc").await,
        );
        show_result(&mut seen, &payments.get_balance_entry("x").await);
    }
    sandbox.set_faults(FaultConfig::none());

    // Wrong credentials: 401 on both families.
    let wrong = Client::new(
        Config::new(Environment::custom(sandbox.base_url()).unwrap())
            .with_client(client_config(sandbox.base_url(), &capture))
            .with_issuing(IssuingCredentials::new(API_KEY, ACCESS_TOKEN))
            .with_payments(PaymentsCredentials::new(USERNAME, "pw_wrong")),
    )
    .unwrap();
    show_result(
        &mut seen,
        &wrong.issuing().unwrap().list_budget_balances().await,
    );
    show_result(&mut seen, &wrong.payments().unwrap().get_balance("b").await);

    // Full card numbers from a server: in a success, an error message, an undecodable reply.
    let server = RecordingServer::start().await;
    let card_client = IssuingClient::new(
        &client_config(server.url(), &capture),
        IssuingCredentials::new(API_KEY, ACCESS_TOKEN),
    )
    .unwrap();
    server.push(Reply::new(
        200,
        format!(
            r#"{{"code":"SUCCESS","data":{{"card_number":"{PAN}","available_balance":"5.00"}}}}"#
        ),
    ));
    server.push(Reply::new(
        200,
        r#"{"code":"SUCCESS","data":{"card_number":"4111 1111 1111 1111","available_balance":"5.00"}}"#,
    ));
    server.push(Reply::new(
        400,
        format!(r#"{{"code":"CARD_DECLINED","message":"card {PAN} declined"}}"#),
    ));
    server.push(Reply::new(
        400,
        r#"{"code":"CARD_DECLINED","message":"card 4111 1111 1111 1111 declined"}"#,
    ));
    server.push(Reply::new(
        400,
        r#"{"code":"CARD_DECLINED","message":"card 4111-1111-1111-1111 declined"}"#,
    ));
    server.push(Reply::new(
        200,
        format!(
            r#"{{"code":"SUCCESS","data":{{"card_number":{PAN},"available_balance":"5.00"}}}}"#
        ),
    ));
    server.push(Reply::new(
        200,
        r#"{"code":"SUCCESS","data":{"card_number":"5555444433332222","available_balance":5}}"#,
    ));
    server.push(
        Reply::new(
            502,
            format!("<html><title>Bad gateway for card {PAN}</title></html>"),
        )
        .content_type("text/html"),
    );
    server.push(Reply::new(
        500,
        "upstream said: pan=4111 1111 1111 1111, cvv=123",
    ));
    server.push(Reply::new(
        200,
        format!(r#"{{"code":"CARD_DECLINED","message":"card {PAN} declined"}}"#),
    ));
    for _ in 0..9 {
        show_result(&mut seen, &card_client.get_card_balance("card_1").await);
    }
    show(&mut seen, &server.requests().len());

    let everything = format!("{seen}\n{}", capture.text());
    // The capture did see the traffic: spans, retries, the HTTP stack.
    assert!(everything.contains("ahrvo.request"), "no span captured");
    assert!(everything.contains("retrying"), "no retry captured");
    assert!(everything.contains("Authorization") || everything.contains("authorization"));
    let leaks: Vec<(String, Vec<&str>)> = forbidden()
        .into_iter()
        .filter_map(|secret| {
            let lines: Vec<&str> = everything.lines().filter(|l| l.contains(&secret)).collect();
            (!lines.is_empty()).then_some((secret, lines))
        })
        .collect();
    println!(
        "captured {} bytes ({} lines) of logs and renderings; leaks: {}",
        everything.len(),
        everything.lines().count(),
        leaks.len()
    );
    assert!(leaks.is_empty(), "{leaks:#?}");
}
