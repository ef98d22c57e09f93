//! Budget top-ups exactly once under faults (issue 14): 1,000 top-ups against the embedded
//! sandbox with 20% of the API requests faulted (500, 503, 429, dropped connections, truncated
//! replies; a POST's fault strikes before or after it is processed), 16 at a time. The budget's
//! final balance must be the exact sum of the amounts: no order applied twice, none lost.
//!
//! The client retries each attempt at most once (`max_attempts` 2), so that unknown outcomes
//! reach the SDK's resolution by query often enough to be counted. Each caller keeps its
//! order's `unique_order_id` and, on an error, sends the same top-up again with it (the
//! documented way to retry a top-up). The counts are printed (`--nocapture` or on failure).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use ahrvo::{
    Client, ClientConfig, Config, Currency, Decimal, Environment, IssuingCredentials, OrderPoll,
    RetryConfig, TimeoutConfig, TopUpBudget, UniqueOrderId,
};
use ahrvo_sandbox::{FaultConfig, Sandbox};
use tokio::sync::Mutex;

const N: usize = 1_000;
const TASKS: usize = 16;

/// The amount of order `i`: from 0.01 to 99.99, all different in their cents.
fn amount(i: usize) -> Decimal {
    Decimal::new(((i * 7_919) % 9_999 + 1) as i64, 2)
}

#[derive(Debug, Default)]
struct Counts {
    calls: u64,
    attempts: u64,
    queries: u64,
    resolved_by_query: u64,
    caller_retries: u64,
    applied: Vec<(UniqueOrderId, Decimal)>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_budget_top_ups_under_20_percent_faults_are_each_applied_once() {
    let sandbox = Sandbox::start().await.unwrap();
    let budget = sandbox
        .create_budget("Exactly once under faults", "USD")
        .unwrap();
    let before: Decimal = sandbox.budget_balance(&budget).unwrap().parse().unwrap();

    let retry = RetryConfig::default()
        .with_max_attempts(2)
        .with_initial_backoff(Duration::from_millis(2))
        .with_max_backoff(Duration::from_millis(20));
    let timeouts = TimeoutConfig::default()
        .with_per_attempt(Duration::from_secs(2))
        .with_total(Duration::from_secs(20));
    let base = Environment::custom(sandbox.base_url()).unwrap();
    let config = Config::new(base.clone())
        .with_client(
            ClientConfig::new(base)
                .with_retry(retry)
                .with_timeouts(timeouts),
        )
        .with_issuing(IssuingCredentials::new(
            ahrvo::SANDBOX_API_KEY,
            ahrvo::SANDBOX_ACCESS_TOKEN,
        ));
    let client = Client::new(config).unwrap();
    // 429s ask for no wait, so the run stays short; the other kinds are as they are.
    sandbox.set_faults(
        FaultConfig::with_rate(0.2)
            .seed(0x00E0_CE14)
            .retry_after_secs(0),
    );

    let next = Arc::new(AtomicUsize::new(0));
    let counts = Arc::new(Mutex::new(Counts::default()));
    let mut tasks = Vec::new();
    for _ in 0..TASKS {
        let (client, next, counts, budget) =
            (client.clone(), next.clone(), counts.clone(), budget.clone());
        tasks.push(tokio::spawn(async move {
            let issuing = client.issuing().unwrap();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= N {
                    break;
                }
                let id = UniqueOrderId::new_v4();
                let top_up = TopUpBudget::new(budget.as_str(), amount(i), Currency::USD)
                    .with_unique_order_id(id.clone())
                    .with_poll(OrderPoll::new(20, Duration::from_millis(10)));
                let mut caller_retries = 0;
                let mut attempts = 0;
                let outcome = loop {
                    match issuing.top_up_budget(&top_up).await {
                        Ok(outcome) => break outcome,
                        Err(e) if caller_retries < 20 => {
                            attempts += u64::from(e.attempts());
                            caller_retries += 1;
                        }
                        Err(e) => panic!("order {i} ({id}) never settled: {e}"),
                    }
                };
                assert_eq!(outcome.unique_order_id, id);
                let mut c = counts.lock().await;
                c.calls += 1;
                c.attempts += attempts + u64::from(outcome.attempts);
                c.queries += u64::from(outcome.queries);
                c.resolved_by_query += u64::from(outcome.resolved_by_query);
                c.caller_retries += caller_retries;
                c.applied.push((id, amount(i)));
            }
        }));
    }
    for task in tasks {
        task.await.expect("no task panicked");
    }
    sandbox.set_faults(FaultConfig::none());
    let stats = sandbox.stats();
    let counts = Arc::try_unwrap(counts).unwrap().into_inner();

    let expected: Decimal = (0..N).map(amount).sum();
    let after: Decimal = sandbox.budget_balance(&budget).unwrap().parse().unwrap();
    let orders = sandbox.top_up_counts(&budget).unwrap();
    let f = &stats.faults;
    eprintln!(
        "{N} budget top-ups under 20% faults: calls {}, top-up requests {} (retries {}), \
         order queries {}, resolved by query {}, caller retries with the same id {}; \
         sandbox: requests {}, faults {} (500 ×{}, 503 ×{}, 429 ×{}, dropped ×{}, truncated ×{}), \
         of which after processing {}; orders applied {}, processing {}, failed {}, applied \
         amount {}; balance {before} -> {after} (expected +{expected})",
        counts.calls,
        counts.attempts,
        counts.attempts - counts.calls,
        counts.queries,
        counts.resolved_by_query,
        counts.caller_retries,
        stats.requests,
        f.total(),
        f.internal_server_error,
        f.service_unavailable,
        f.too_many_requests,
        f.drop_connection,
        f.truncated_body,
        stats.faults_after_processing,
        orders.applied,
        orders.processing,
        orders.failed,
        orders.applied_amount,
    );

    assert_eq!(counts.calls, N as u64, "every top-up settled");
    assert_eq!(counts.applied.len(), N);
    // Exactly once: the budget holds the exact sum, each order credited once, none lost.
    assert_eq!(
        after - before,
        expected,
        "the balance is the exact sum of the amounts"
    );
    assert_eq!(orders.applied, N as u64, "one applied order per top-up");
    assert_eq!(orders.applied_amount.parse::<Decimal>().unwrap(), expected);
    assert_eq!((orders.processing, orders.failed), (0, 0));
    sandbox.check_invariants().unwrap();
    // The test proves something only if faults struck and some outcomes were unknown.
    assert!(
        stats.faults_after_processing > 0,
        "no fault struck after processing"
    );
    assert!(counts.attempts > counts.calls, "no retry was needed");
    assert!(
        counts.resolved_by_query > 0,
        "no outcome was resolved by query"
    );
}
