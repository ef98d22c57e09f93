//! Benchmark 4, connection reuse: 1,000 sequential `list_budget_balances` calls must go over one
//! pooled connection, counted by the server's accept loop. The hand-written reqwest client is
//! counted the same way, on its own server, for comparison.
//!
//! `cargo bench -p ahrvo-issuing --bench connections`.

#![allow(clippy::float_arithmetic)] // a ratio of counts, not money

mod common;

use bytes::Bytes;
use common::{Baseline, FixtureServer, Row, sdk_client};

const CALLS: usize = 1_000;

fn main() {
    let rt = common::client_runtime();
    let body = Bytes::from_static(common::PAGE_EXAMPLE.as_bytes());

    let sdk_server = FixtureServer::start(body.clone());
    let sdk = sdk_client(sdk_server.url(), "k", "t");
    let base_server = FixtureServer::start(body);
    let baseline = Baseline::new(base_server.url(), "k", "t");
    rt.block_on(async {
        for _ in 0..CALLS {
            sdk.list_budget_balances().await.expect("SDK call");
            baseline
                .list_budget_balances()
                .await
                .expect("baseline call");
        }
    });
    let (sdk_conns, base_conns) = (sdk_server.accepted(), base_server.accepted());
    assert_eq!(
        sdk_server.requests(),
        CALLS,
        "every SDK call reached the server once"
    );
    println!(
        "{CALLS} sequential calls: SDK opened {sdk_conns} connection(s), baseline {base_conns}"
    );
    Row {
        id: "4",
        name: "connections for 1,000 sequential calls",
        sdk: sdk_conns.to_string(),
        baseline: base_conns.to_string(),
        ratio: sdk_conns as f64 / base_conns.max(1) as f64,
        target: "SDK == 1",
        pass: Some(sdk_conns == 1),
    }
    .print();
}
