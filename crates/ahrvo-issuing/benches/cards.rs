//! Benchmark 2, many cards: 10,000 Dedicated Funds Card balance queries against the sandbox
//! with 20 ms of latency per request, through `IssuingClient::get_card_balances` at concurrency
//! 64, against the limit 64 / 20 ms = 3,200 requests/s (target: at least 80% of it), and
//! against a one-at-a-time `get_card_balance` loop like the pages' examples, measured on 200
//! cards per round and extrapolated to 10,000 (the whole loop would take over 3 minutes).
//!
//! In the same rounds, a hand-written reqwest + serde_json client runs the same 10,000 queries
//! with 64 tasks sharing one `reqwest::Client`: what the machine allows without the SDK.
//!
//! The sandbox's own capacity is measured too, with its latency set to zero: if it could not
//! serve well over 3,200 requests/s, the first number would measure the sandbox, not the SDK.
//! It runs in this process on its own runtime; the client on a multi-thread runtime as a user's
//! `#[tokio::main]` would. `cargo bench -p ahrvo-issuing --bench cards`.

#![allow(clippy::float_arithmetic)] // timings and rates, not money

mod common;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use ahrvo_issuing::{CardBatchOptions, IssuingClient};
use ahrvo_sandbox::{CardKind, Sandbox, SandboxConfig};
use common::{Baseline, Row, sdk_client};

const CARDS: usize = 10_000;
const CONCURRENCY: usize = 64;
const LATENCY: Duration = Duration::from_millis(20);
const LOOP_SUBSET: usize = 200;

/// CPU seconds (user + system) of this process so far, where `/proc` says (Linux).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit(')').next()?.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i)?.parse::<f64>().ok();
    // utime and stime, in clock ticks of 1/100 s on Linux.
    Some((ticks(11)? + ticks(12)?) / 100.0)
}

/// Requests per second and CPU microseconds per request (client and sandbox together).
struct Rate {
    per_sec: f64,
    cpu_us: Option<f64>,
}

async fn timed<F: Future<Output = ()>>(n: usize, work: F) -> Rate {
    let cpu = cpu_seconds();
    let start = Instant::now();
    work.await;
    let took = start.elapsed();
    Rate {
        per_sec: n as f64 / took.as_secs_f64(),
        cpu_us: cpu
            .zip(cpu_seconds())
            .map(|(a, b)| (b - a) / n as f64 * 1e6),
    }
}

/// The SDK: every card at `CONCURRENCY`.
async fn sdk_batch(client: &IssuingClient, ids: &[String]) -> Rate {
    timed(ids.len(), async {
        let results = client
            .get_card_balances(
                ids,
                CardBatchOptions::default().with_concurrency(CONCURRENCY),
            )
            .collect_all()
            .await;
        assert_eq!(results.len(), ids.len());
        if let Some(failed) = results.iter().find(|r| r.result.is_err()) {
            panic!("{}: {:?}", failed.card_id, failed.result);
        }
    })
    .await
}

/// Hand-written: `CONCURRENCY` tasks taking the next card from a shared counter.
async fn baseline_batch(baseline: &Baseline, ids: &Arc<Vec<String>>) -> Rate {
    timed(ids.len(), async {
        let next = Arc::new(AtomicUsize::new(0));
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..CONCURRENCY {
            let (baseline, ids, next) = (baseline.clone(), Arc::clone(ids), Arc::clone(&next));
            tasks.spawn(async move {
                while let Some(id) = ids.get(next.fetch_add(1, Ordering::Relaxed)) {
                    baseline.get_card_balance(id).await.expect("a balance");
                }
            });
        }
        while let Some(done) = tasks.join_next().await {
            done.expect("a task");
        }
    })
    .await
}

/// One card after another; returns the mean time per call.
async fn one_at_a_time(client: &IssuingClient, ids: &[String]) -> Duration {
    let start = Instant::now();
    for id in ids {
        client
            .get_card_balance(id.as_str())
            .await
            .expect("a balance");
    }
    start.elapsed() / ids.len() as u32
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn cpu_text(r: &Rate) -> String {
    r.cpu_us
        .map_or_else(String::new, |us| format!(", {us:.0} µs CPU/request"))
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let rounds = if quick { 1 } else { 3 };
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .thread_name("sandbox")
        .enable_all()
        .build()
        .expect("a runtime");
    let setup = Instant::now();
    let (sandbox, ids, state_file) = server_rt.block_on(sandbox_with_cards(CARDS));
    println!(
        "sandbox: {CARDS} dedicated cards loaded from a state file in {:.1?}",
        setup.elapsed()
    );
    let ids = Arc::new(ids);

    let creds = sandbox.credentials();
    let client = sdk_client(sandbox.base_url(), &creds.api_key, &creds.access_token);
    let baseline = Baseline::new(sandbox.base_url(), &creds.api_key, &creds.access_token);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .thread_name("client")
        .enable_all()
        .build()
        .expect("a runtime");

    // The sandbox alone, no latency: its capacity with this client on this machine.
    sandbox.set_latency(Duration::ZERO);
    let capacity = rt.block_on(sdk_batch(&client, &ids));
    sandbox.set_latency(LATENCY);
    println!(
        "sandbox capacity without latency, concurrency {CONCURRENCY}: {:.0} req/s{}",
        capacity.per_sec,
        cpu_text(&capacity)
    );

    // Warm-up: open the connections of both clients.
    rt.block_on(sdk_batch(&client, &ids[..CONCURRENCY * 4]));
    rt.block_on(baseline_batch(
        &baseline,
        &Arc::new(ids[..CONCURRENCY * 4].to_vec()),
    ));
    sandbox.reset_stats();
    let (mut sdk_rates, mut base_rates, mut per_call) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        let (sdk, base) = if round % 2 == 0 {
            let sdk = rt.block_on(sdk_batch(&client, &ids));
            (sdk, rt.block_on(baseline_batch(&baseline, &ids)))
        } else {
            let base = rt.block_on(baseline_batch(&baseline, &ids));
            (rt.block_on(sdk_batch(&client, &ids)), base)
        };
        let subset = &ids[round * LOOP_SUBSET..(round + 1) * LOOP_SUBSET];
        let each = rt.block_on(one_at_a_time(&client, subset));
        println!(
            "round {round}: SDK {:.0} req/s{}; hand-written {:.0} req/s{}; one at a time {:.2} ms \
             per call",
            sdk.per_sec,
            cpu_text(&sdk),
            base.per_sec,
            cpu_text(&base),
            each.as_secs_f64() * 1e3
        );
        sdk_rates.push(sdk.per_sec);
        base_rates.push(base.per_sec);
        per_call.push(each.as_secs_f64());
    }
    let stats = sandbox.stats();
    assert_eq!(stats.requests, (rounds * (2 * CARDS + LOOP_SUBSET)) as u64);
    println!("sandbox counted {} API requests", stats.requests);

    let limit = CONCURRENCY as f64 / LATENCY.as_secs_f64();
    let (rate, base_rate) = (median(sdk_rates), median(base_rates));
    let batch_secs = CARDS as f64 / rate;
    let loop_secs = median(per_call) * CARDS as f64;
    let speedup = loop_secs / batch_secs;
    println!(
        "{CARDS} cards: SDK {batch_secs:.2} s ({rate:.0} req/s, {:.0}% of {limit:.0}); \
         hand-written {base_rate:.0} req/s; loop extrapolated from {LOOP_SUBSET} calls per \
         round: {loop_secs:.0} s; speedup {speedup:.1}x",
        rate / limit * 100.0
    );
    Row {
        id: "2a",
        name: "10k card balances, concurrency 64, 20 ms latency",
        sdk: format!("{rate:.0} req/s"),
        baseline: format!("{limit:.0} req/s (limit)"),
        ratio: rate / limit,
        target: ">= 0.80",
        pass: Some(rate / limit >= 0.8),
    }
    .print();
    Row {
        id: "2b",
        name: "10k card balances, speedup over a one-at-a-time loop",
        sdk: format!("{batch_secs:.1} s"),
        baseline: format!("{loop_secs:.0} s (from {LOOP_SUBSET} calls)"),
        ratio: speedup,
        target: ">= 51.2 (0.8 x 64)",
        pass: Some(speedup >= 0.8 * CONCURRENCY as f64),
    }
    .print();
    Row {
        id: "2c",
        name: "10k card balances vs hand-written reqwest, 64 tasks",
        sdk: format!("{rate:.0} req/s"),
        baseline: format!("{base_rate:.0} req/s"),
        ratio: rate / base_rate,
        target: "(info)",
        pass: None,
    }
    .print();
    Row {
        id: "2d",
        name: "sandbox capacity, no latency (is it a cap?)",
        sdk: format!("{:.0} req/s", capacity.per_sec),
        baseline: format!("{limit:.0} req/s (needed)"),
        ratio: capacity.per_sec / limit,
        target: ">= 1.00",
        pass: Some(capacity.per_sec >= limit),
    }
    .print();
    drop(sandbox);
    let _ = std::fs::remove_file(&state_file);
}

/// A sandbox with `n` Dedicated Funds Cards (one budget, 12.34 on each card), started with
/// latency. Creating them one by one through the admin helpers takes about a minute at this
/// size (every mutation copies and checks the whole state), so one card is made the ordinary
/// way and copied `n` times into a state file that the sandbox then loads (and checks).
async fn sandbox_with_cards(n: usize) -> (Sandbox, Vec<String>, PathBuf) {
    let template = Sandbox::start().await.expect("the sandbox starts");
    let budget = template.create_budget("Bench", "USD").expect("budget");
    template.fund_budget(&budget, "100.00").expect("fund");
    let card = template
        .create_card(&budget, CardKind::Dedicated)
        .expect("card");
    template.top_up_card(&card, "12.34").expect("top up");
    let mut state = template.state();
    drop(template);

    let card = state["cards"][0].clone();
    let ids: Vec<String> = (0..n as u64)
        .map(|i| format!("card{:018}", 202_607_010_000_000_000 + i))
        .collect();
    state["cards"] = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let mut c = card.clone();
            c["card_id"] = id.as_str().into();
            c["card_number"] = format!("5157********{:04}", i % 10_000).into();
            c
        })
        .collect();
    // The copies bring money that no operation put in: let the sandbox compute the totals it
    // checks conservation against from the file's budgets and cards.
    state["totals"] = serde_json::json!({});
    // The template card's funding order names a card the copies replaced.
    state["funding_orders"] = serde_json::json!([]);
    let path = std::env::temp_dir().join(format!("ahrvo-bench-cards-{}.json", std::process::id()));
    std::fs::write(&path, serde_json::to_vec(&state).expect("JSON")).expect("state file");
    let sandbox = Sandbox::start_with(
        SandboxConfig::default()
            .with_latency(LATENCY)
            .with_state_file(&path),
    )
    .await
    .expect("the sandbox loads the cards");
    (sandbox, ids, path)
}
