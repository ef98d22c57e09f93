//! What the benchmarks share: timing statistics, the result line `cargo xtask bench` reads, a
//! loopback HTTP server with a fixed reply that counts accepted connections, the hand-written
//! reqwest + serde_json baseline, and reply bodies.
//!
//! No criterion: a bench is warm-up, then interleaved A/B rounds, then medians. Timings on a
//! shared 2-core machine are noisy, so every number that matters is a ratio of two things
//! measured in the same run.

// Each bench binary uses a part of this module.
#![allow(dead_code)]
// Timing statistics and ratios, not money.
#![allow(clippy::float_arithmetic)]

use std::convert::Infallible;
use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use ahrvo_issuing::{ClientConfig, Environment, IssuingClient, IssuingCredentials};
use bytes::Bytes;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde::Deserialize;
use tokio::sync::oneshot;

/// The list-budget-balances path.
pub const LIST_PATH: &str = "/card/issuance/api/issuing/budget/v2/balance/all";
/// The card-balance path.
pub const CARD_PATH: &str = "/card/issuance/api/issuing/card/v2/normal/balance";

// ---------------------------------------------------------------------------------------------
// Statistics and reporting
// ---------------------------------------------------------------------------------------------

/// Median and 90th percentile of a set of samples.
#[derive(Debug, Clone, Copy)]
pub struct Summary {
    pub median: Duration,
    pub p90: Duration,
    pub n: usize,
}

pub fn summarize(samples: &[Duration]) -> Summary {
    assert!(!samples.is_empty(), "no samples");
    let mut s = samples.to_vec();
    s.sort_unstable();
    let at = |q: f64| s[((s.len() - 1) as f64 * q).round() as usize];
    Summary {
        median: at(0.5),
        p90: at(0.9),
        n: s.len(),
    }
}

/// Runs `a` and `b` in `rounds` rounds of `per_round` calls each, alternating which goes first,
/// after `warmup` calls of each; returns each one's per-call latencies.
pub async fn interleave<A, B>(
    warmup: usize,
    rounds: usize,
    per_round: usize,
    mut a: A,
    mut b: B,
) -> (Vec<Duration>, Vec<Duration>)
where
    A: AsyncFnMut(),
    B: AsyncFnMut(),
{
    for _ in 0..warmup {
        a().await;
        b().await;
    }
    let mut ta = Vec::with_capacity(rounds * per_round);
    let mut tb = Vec::with_capacity(rounds * per_round);
    for round in 0..rounds {
        for first in [round % 2 == 0, round % 2 != 0] {
            for _ in 0..per_round {
                let start = Instant::now();
                if first {
                    a().await;
                } else {
                    b().await;
                }
                let took = start.elapsed();
                if first { &mut ta } else { &mut tb }.push(took);
            }
        }
    }
    (ta, tb)
}

/// One row of the `cargo xtask bench` table, printed as a tab-separated line starting with
/// `@bench`. `ratio` is always "SDK relative to baseline" in the direction the target states.
/// `pass` is `None` for a row that only informs.
pub struct Row<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub sdk: String,
    pub baseline: String,
    pub ratio: f64,
    pub target: &'a str,
    pub pass: Option<bool>,
}

impl Row<'_> {
    pub fn print(&self) {
        println!(
            "@bench\t{}\t{}\t{}\t{}\t{:.3}\t{}\t{}",
            self.id,
            self.name,
            self.sdk,
            self.baseline,
            self.ratio,
            self.target,
            match self.pass {
                Some(true) => "pass",
                Some(false) => "FAIL",
                None => "info",
            }
        );
    }
}

pub fn micros(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

pub fn millis(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

pub fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

// ---------------------------------------------------------------------------------------------
// Reply bodies
// ---------------------------------------------------------------------------------------------

/// The listBudgetBalances example of the documentation page (3 budgets), as the spec holds it.
pub const PAGE_EXAMPLE: &str = include_str!("../../tests/fixtures/listBudgetBalances.json");

/// A balance/all reply with `n` budgets: ids, names of varied length, amounts with cents.
pub fn budgets_body(n: usize) -> Bytes {
    let mut out = String::with_capacity(64 + n * 120);
    out.push_str(r#"{"code":"SUCCESS","data":["#);
    let names = [
        "Marketing Department Budget",
        "Engineering Team Budget",
        "Travel Expenses",
        "Q1 2026 Operations",
        "Ops",
    ];
    for i in 0..n {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(
            out,
            r#"{{"budget_id":"ci{:018}","budget_name":"{} {}","balance":"{}.{:02}","currency":"{}"}}"#,
            202_507_232_016_000_000u64 + i as u64,
            names[i % names.len()],
            i,
            (i * 7919) % 1_000_000,
            i % 100,
            ["USD", "EUR", "GBP"][i % 3],
        );
    }
    out.push_str("]}");
    Bytes::from(out)
}

// ---------------------------------------------------------------------------------------------
// The hand-written baseline
// ---------------------------------------------------------------------------------------------

/// What a user would write without the SDK: every field a `String`.
#[derive(Debug, Deserialize)]
pub struct PlainEnvelope<T> {
    pub code: String,
    #[serde(default)]
    pub message: Option<String>,
    pub data: Option<T>,
}

#[derive(Debug, Deserialize)]
pub struct PlainBudget {
    pub budget_id: String,
    pub budget_name: String,
    pub balance: String,
    pub currency: String,
}

#[derive(Debug, Deserialize)]
pub struct PlainCardBalance {
    pub card_number: String,
    pub available_balance: String,
}

/// The hand-written reqwest + serde_json client.
#[derive(Clone)]
pub struct Baseline {
    client: reqwest::Client,
    base_url: String,
    api_key: String,
    token: String,
}

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl Baseline {
    pub fn new(base_url: &str, api_key: &str, token: &str) -> Self {
        Self {
            client: reqwest::Client::new(),
            base_url: base_url.to_owned(),
            api_key: api_key.to_owned(),
            token: token.to_owned(),
        }
    }

    async fn get<T: serde::de::DeserializeOwned>(
        &self,
        path_and_query: &str,
    ) -> Result<T, BoxError> {
        let reply = self
            .client
            .get(format!("{}{}", self.base_url, path_and_query))
            .header("x-api-key", &self.api_key)
            .bearer_auth(&self.token)
            .header("accept", "application/json")
            .send()
            .await?
            .error_for_status()?;
        let body = reply.bytes().await?;
        let envelope: PlainEnvelope<T> = serde_json::from_slice(&body)?;
        match envelope.data {
            Some(data) if envelope.code == "SUCCESS" => Ok(data),
            _ => Err(format!("API error {}: {:?}", envelope.code, envelope.message).into()),
        }
    }

    pub async fn list_budget_balances(&self) -> Result<Vec<PlainBudget>, BoxError> {
        self.get(LIST_PATH).await
    }

    pub async fn get_card_balance(&self, card_id: &str) -> Result<PlainCardBalance, BoxError> {
        self.get(&format!("{CARD_PATH}?card_id={card_id}")).await
    }
}

/// The SDK client for `base_url`, default configuration.
pub fn sdk_client(base_url: &str, api_key: &str, token: &str) -> IssuingClient {
    let config = ClientConfig::new(Environment::custom(base_url).expect("a valid base URL"));
    IssuingClient::new(&config, IssuingCredentials::new(api_key, token)).expect("a client")
}

// ---------------------------------------------------------------------------------------------
// A loopback server with a fixed reply
// ---------------------------------------------------------------------------------------------

/// An HTTP/1.1 server on 127.0.0.1 that answers every request with the same JSON body, on its
/// own thread and runtime (so its work does not share the client's runtime), and counts the TCP
/// connections it accepted. Stops when dropped.
pub struct FixtureServer {
    url: String,
    accepted: Arc<AtomicUsize>,
    requests: Arc<AtomicUsize>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl FixtureServer {
    pub fn start(body: Bytes) -> Self {
        let accepted = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(AtomicUsize::new(0));
        let (stop, stopped) = oneshot::channel::<()>();
        let (ready, addr) = std::sync::mpsc::channel();
        let (acc, req) = (Arc::clone(&accepted), Arc::clone(&requests));
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind");
                ready
                    .send(listener.local_addr().expect("addr"))
                    .expect("main thread waits");
                let accept = async {
                    loop {
                        let Ok((stream, _)) = listener.accept().await else {
                            continue;
                        };
                        acc.fetch_add(1, Ordering::Relaxed);
                        let _ = stream.set_nodelay(true);
                        let body = body.clone();
                        let req = Arc::clone(&req);
                        tokio::spawn(async move {
                            let service = service_fn(move |_request| {
                                req.fetch_add(1, Ordering::Relaxed);
                                let reply = hyper::Response::builder()
                                    .header("content-type", "application/json")
                                    .body(Full::new(body.clone()))
                                    .expect("a response");
                                async move { Ok::<_, Infallible>(reply) }
                            });
                            let _ = hyper::server::conn::http1::Builder::new()
                                .serve_connection(TokioIo::new(stream), service)
                                .await;
                        });
                    }
                };
                tokio::select! {
                    () = accept => {}
                    _ = stopped => {}
                }
            });
        });
        let addr = addr.recv().expect("the server starts");
        Self {
            url: format!("http://{addr}"),
            accepted,
            requests,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// TCP connections accepted so far.
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::Relaxed)
    }

    /// Requests answered so far.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::Relaxed)
    }
}

impl Drop for FixtureServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A current-thread runtime for the client side of a bench.
pub fn client_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}
