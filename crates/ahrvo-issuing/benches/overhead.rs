//! Benchmark 1, per-call overhead: `IssuingClient::list_budget_balances` against a hand-written
//! reqwest + serde_json call of the same endpoint, same loopback server, same reply, same run,
//! interleaved. Reported: the ratio of median latencies (target at most 1.10), for the page's
//! 3-budget example and for a 100-budget reply.
//!
//! `cargo bench -p ahrvo-issuing --bench overhead` (`cargo xtask bench` runs it with the others).

#![allow(clippy::float_arithmetic)] // timings, not money

mod common;

use bytes::Bytes;
use common::{
    Baseline, FixtureServer, Row, budgets_body, interleave, micros, sdk_client, summarize,
};

const TARGET: f64 = 1.10;

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (warmup, rounds, per_round) = if quick { (50, 6, 50) } else { (300, 30, 100) };
    let rt = common::client_runtime();
    for (id, label, body) in [
        (
            "1a",
            "per-call overhead, 3 budgets",
            Bytes::from_static(common::PAGE_EXAMPLE.as_bytes()),
        ),
        ("1b", "per-call overhead, 100 budgets", budgets_body(100)),
    ] {
        let server = FixtureServer::start(body);
        let sdk = sdk_client(server.url(), "k", "t");
        let baseline = Baseline::new(server.url(), "k", "t");
        let (a, b) = rt.block_on(interleave(
            warmup,
            rounds,
            per_round,
            async || {
                let list = sdk.list_budget_balances().await.expect("SDK call");
                std::hint::black_box(list);
            },
            async || {
                let list = baseline
                    .list_budget_balances()
                    .await
                    .expect("baseline call");
                std::hint::black_box(list);
            },
        ));
        let (sa, sb) = (summarize(&a), summarize(&b));
        let ratio = sa.median.as_secs_f64() / sb.median.as_secs_f64();
        println!(
            "{label}: SDK median {} p90 {} | baseline median {} p90 {} | n={} each, {} connections",
            micros(sa.median),
            micros(sa.p90),
            micros(sb.median),
            micros(sb.p90),
            sa.n,
            server.accepted(),
        );
        Row {
            id,
            name: label,
            sdk: micros(sa.median),
            baseline: micros(sb.median),
            ratio,
            target: "<= 1.10",
            pass: Some(ratio <= TARGET),
        }
        .print();
    }
}
