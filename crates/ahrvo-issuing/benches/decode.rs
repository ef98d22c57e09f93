//! Benchmark 3, decoding: a balance/all reply with 100,000 budgets (about 11 MB), decoded by the
//! SDK's real path — `IssuingClient::list_budget_balances` over a transport that hands back the
//! body, so the envelope, the JSON-path tracking, `Decimal` and `Currency` parsing are all in —
//! against `serde_json::from_slice` into a plain struct of `String` fields. Interleaved rounds.
//!
//! Reported: throughput ratio SDK/baseline (target at least 0.8) and the SDK's peak heap while
//! decoding, body included, as a multiple of the body size (target at most 3x), measured with a
//! counting global allocator (`peak_alloc`: current and peak live bytes; its `realloc` never
//! grows in place, so peaks are the worst case).
//!
//! `cargo bench -p ahrvo-issuing --bench decode`.

#![allow(clippy::float_arithmetic)] // timings and memory ratios, not money

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use ahrvo_issuing::{ClientConfig, Environment, IssuingClient, IssuingCredentials};
use ahrvo_transport::{Error, HttpRequest, HttpResponse, HttpTransport, StatusCode};
use bytes::Bytes;
use common::{PlainBudget, PlainEnvelope, Row, mib, millis, summarize};
use peak_alloc::PeakAlloc;

#[global_allocator]
static ALLOC: PeakAlloc = PeakAlloc;

const BUDGETS: usize = 100_000;
const THROUGHPUT_TARGET: f64 = 0.8;
const MEMORY_TARGET: f64 = 3.0;

/// Answers every request with the same body (a reference-counted `Bytes`: no copy per call).
#[derive(Debug)]
struct Canned(Bytes);

#[async_trait::async_trait]
impl HttpTransport for Canned {
    async fn send(&self, _request: HttpRequest) -> Result<HttpResponse, Error> {
        Ok(HttpResponse::new(StatusCode::OK, self.0.clone()))
    }
}

fn sdk_decode(rt: &tokio::runtime::Runtime, client: &IssuingClient) -> usize {
    let list = rt
        .block_on(client.list_budget_balances())
        .expect("the SDK decodes");
    std::hint::black_box(list).len()
}

fn baseline_decode(body: &Bytes) -> usize {
    let envelope: PlainEnvelope<Vec<PlainBudget>> =
        serde_json::from_slice(body).expect("serde_json decodes");
    assert_eq!(envelope.code, "SUCCESS");
    std::hint::black_box(envelope.data.expect("data")).len()
}

/// Peak live heap above what was live before `f`, with what `f` returns still alive at the peak.
fn peak_during<R>(f: impl FnOnce() -> R) -> (usize, R) {
    let before = ALLOC.current_usage();
    ALLOC.reset_peak_usage();
    let out = f();
    (ALLOC.peak_usage().saturating_sub(before), out)
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let rounds = if quick { 4 } else { 15 };
    let rt = common::client_runtime();
    let body = common::budgets_body(BUDGETS);
    let len = body.len();
    let config = ClientConfig::new(Environment::Production)
        .with_max_response_bytes(64 * 1024 * 1024)
        .with_transport(Arc::new(Canned(body.clone())));
    let client = IssuingClient::new(&config, IssuingCredentials::new("k", "t")).expect("client");

    // Memory first, each on a quiet heap (the body is already allocated and not counted).
    let (sdk_peak, n) = peak_during(|| sdk_decode(&rt, &client));
    assert_eq!(n, BUDGETS);
    let (base_peak, n) = peak_during(|| baseline_decode(&body));
    assert_eq!(n, BUDGETS);

    // Throughput: warm-up, then interleaved rounds alternating which goes first.
    sdk_decode(&rt, &client);
    baseline_decode(&body);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        for sdk_turn in [round % 2 == 0, round % 2 != 0] {
            let start = Instant::now();
            if sdk_turn {
                sdk_decode(&rt, &client);
            } else {
                baseline_decode(&body);
            }
            if sdk_turn { &mut a } else { &mut b }.push(start.elapsed());
        }
    }
    let (sa, sb) = (summarize(&a), summarize(&b));
    let mbps = |d: Duration| mib(len) / d.as_secs_f64();
    let ratio = sb.median.as_secs_f64() / sa.median.as_secs_f64();
    println!(
        "decode {BUDGETS} budgets ({:.1} MiB): SDK median {} ({:.0} MiB/s) p90 {} | baseline \
         median {} ({:.0} MiB/s) p90 {} | n={} each",
        mib(len),
        millis(sa.median),
        mbps(sa.median),
        millis(sa.p90),
        millis(sb.median),
        mbps(sb.median),
        millis(sb.p90),
        sa.n,
    );
    Row {
        id: "3a",
        name: "decode 100k budgets, throughput (SDK/baseline)",
        sdk: format!("{:.0} MiB/s", mbps(sa.median)),
        baseline: format!("{:.0} MiB/s", mbps(sb.median)),
        ratio,
        target: ">= 0.80",
        pass: Some(ratio >= THROUGHPUT_TARGET),
    }
    .print();

    let total = |extra: usize| (len + extra) as f64 / len as f64;
    println!(
        "peak heap while decoding, body included: SDK {:.1} MiB = {:.2}x body, baseline {:.1} \
         MiB = {:.2}x body (body {:.1} MiB)",
        mib(len + sdk_peak),
        total(sdk_peak),
        mib(len + base_peak),
        total(base_peak),
        mib(len),
    );
    Row {
        id: "3b",
        name: "decode 100k budgets, peak heap / body size",
        sdk: format!("{:.2}x", total(sdk_peak)),
        baseline: format!("{:.2}x", total(base_peak)),
        ratio: total(sdk_peak),
        target: "SDK <= 3.00x",
        pass: Some(total(sdk_peak) <= MEMORY_TARGET),
    }
    .print();
}
