//! Benchmark 6, reports scale: `budget_report` (what `ahrvo budgets report` prints: the overview
//! per currency, every budget's share, health and low flag) over 100,000 budgets, against
//! decoding the same 100,000 budgets from their balance/all reply (about 11 MB) with the models'
//! own `Deserialize` (`Envelope<Vec<BudgetBalance>>`: `Decimal` and `Currency` parsing included).
//! Interleaved rounds in the same run, medians compared.
//!
//! Reported: time to report / time to decode (target at most 1.5: reporting 100k budgets takes
//! about as long as decoding them; a quadratic step makes it thousands of times slower).
//!
//! `cargo bench -p ahrvo-reports --bench report` (`-- --quick` for fewer rounds).

#![allow(clippy::float_arithmetic)] // timings and ratios, not money

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use ahrvo_reports::issuing::budget_report;
use ahrvo_types::{BudgetBalance, Decimal, Envelope};

const BUDGETS: usize = 100_000;
const TARGET: f64 = 1.5;

/// A balance/all reply with `n` budgets in three currencies (the shape of the decode bench's).
fn budgets_body(n: usize) -> String {
    let names = [
        "Marketing Department Budget",
        "Engineering Team Budget",
        "Travel Expenses",
        "Q1 2026 Operations",
        "Ops",
    ];
    let mut out = String::with_capacity(64 + n * 120);
    out.push_str(r#"{"code":"SUCCESS","data":["#);
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
    out
}

fn decode(body: &str) -> Vec<BudgetBalance> {
    let envelope: Envelope<Vec<BudgetBalance>> =
        serde_json::from_str(body).expect("the models decode");
    envelope.data.expect("data")
}

fn report(budgets: &[BudgetBalance]) -> usize {
    let report = budget_report(budgets, Decimal::from(1000));
    std::hint::black_box(&report);
    report.budgets.len()
}

fn median(samples: &mut [Duration]) -> Duration {
    samples.sort_unstable();
    samples[samples.len() / 2]
}

fn millis(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let rounds = if quick { 3 } else { 11 };
    let body = budgets_body(BUDGETS);
    let budgets = decode(&body);
    assert_eq!(budgets.len(), BUDGETS);

    // Warm-up, then interleaved rounds alternating which goes first.
    assert_eq!(report(&budgets), BUDGETS);
    std::hint::black_box(decode(&body));
    let (mut decoding, mut reporting) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        for decode_turn in [round % 2 == 0, round % 2 != 0] {
            let start = Instant::now();
            if decode_turn {
                std::hint::black_box(decode(&body));
                decoding.push(start.elapsed());
            } else {
                report(&budgets);
                reporting.push(start.elapsed());
            }
        }
    }
    let (d, r) = (median(&mut decoding), median(&mut reporting));
    let ratio = r.as_secs_f64() / d.as_secs_f64();
    println!(
        "report {BUDGETS} budgets: median {} | decode them ({:.1} MiB): median {} | n={rounds} each",
        millis(r),
        body.len() as f64 / (1024.0 * 1024.0),
        millis(d),
    );
    // The line `cargo xtask bench` reads (see xtask/src/bench.rs).
    println!(
        "@bench\t6\treport 100k budgets (budgets report / decode)\t{}\t{}\t{ratio:.3}\t<= {TARGET:.2}\t{}",
        millis(r),
        millis(d),
        if ratio <= TARGET { "pass" } else { "FAIL" },
    );
}
