//! A budget top-up that is `PROCESSING` first (issue 14): against the embedded sandbox with a
//! top-up delay, a confirmed top-up's bounded poll ([`OrderPoll`]) sees the order become
//! `SUCCESS`; with a bound shorter than the delay the outcome reports `PROCESSING` as it is, the
//! budget not yet credited, and the order settles later without being sent again.

use std::time::{Duration, Instant};

use ahrvo::issuing::IssuingClient;
use ahrvo::types::TopUpOrderStatus;
use ahrvo::{
    Client, Config, Currency, Decimal, Environment, IssuingCredentials, OrderPoll, TopUpBudget,
    UniqueOrderId,
};
use ahrvo_sandbox::{Sandbox, SandboxConfig};

/// A sandbox whose budget top-ups stay `PROCESSING` for `delay`, a budget in it, and a client.
async fn slow(delay: Duration) -> (Sandbox, String, IssuingClient) {
    let sandbox = Sandbox::start_with(SandboxConfig::default().with_top_up_delay(delay))
        .await
        .unwrap();
    let budget = sandbox.create_budget("Slow top-ups", "USD").unwrap();
    let config = Config::new(Environment::custom(sandbox.base_url()).unwrap()).with_issuing(
        IssuingCredentials::new(ahrvo::SANDBOX_API_KEY, ahrvo::SANDBOX_ACCESS_TOKEN),
    );
    let issuing = Client::new(config).unwrap().issuing().unwrap().clone();
    (sandbox, budget, issuing)
}

fn balance(sandbox: &Sandbox, budget: &str) -> Decimal {
    sandbox.budget_balance(budget).unwrap().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_processing_top_up_is_polled_until_it_succeeds() {
    let (sandbox, budget, issuing) = slow(Duration::from_millis(300)).await;
    let before = balance(&sandbox, &budget);
    let id = UniqueOrderId::parse("processing-then-success").unwrap();
    let amount: Decimal = "12.34".parse().unwrap();
    let top_up = TopUpBudget::new(budget.as_str(), amount, Currency::USD)
        .with_unique_order_id(id.clone())
        .with_poll(OrderPoll::new(40, Duration::from_millis(25)))
        .confirmed();
    let outcome = issuing.top_up_budget(&top_up).await.unwrap();
    assert_eq!(outcome.unique_order_id, id);
    assert_eq!(
        outcome.status,
        Some(TopUpOrderStatus::Success),
        "{outcome:?}"
    );
    assert!(!outcome.resolved_by_query);
    assert_eq!(outcome.attempts, 1);
    // PROCESSING at the first query (300 ms is 12 intervals), SUCCESS before the bound.
    assert!(
        (2..=41).contains(&outcome.queries),
        "the poll saw PROCESSING first: {outcome:?}"
    );
    assert_eq!(balance(&sandbox, &budget), before + amount);
    let order = issuing.get_top_up_order(id.as_str()).await.unwrap();
    assert_eq!(order.status, TopUpOrderStatus::Success);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_poll_that_runs_out_reports_processing_honestly() {
    let delay = Duration::from_millis(1_500);
    let (sandbox, budget, issuing) = slow(delay).await;
    let before = balance(&sandbox, &budget);
    let id = UniqueOrderId::parse("still-processing").unwrap();
    let amount: Decimal = "7.01".parse().unwrap();
    let top_up = TopUpBudget::new(budget.as_str(), amount, Currency::USD)
        .with_unique_order_id(id.clone())
        .with_poll(OrderPoll::new(3, Duration::from_millis(10)))
        .confirmed();
    let started = Instant::now();
    let outcome = issuing.top_up_budget(&top_up).await.unwrap();
    assert!(
        started.elapsed() < delay,
        "the bound, not the order, ended the wait"
    );
    assert_eq!(
        outcome.status,
        Some(TopUpOrderStatus::Processing),
        "{outcome:?}"
    );
    assert_eq!(
        outcome.queries, 4,
        "the first query and 3 more: {outcome:?}"
    );
    assert_eq!(outcome.attempts, 1);
    assert!(outcome.record_id.is_some(), "accepted: {outcome:?}");
    assert_eq!(balance(&sandbox, &budget), before, "not credited yet");

    // The same order again, with the same id, while it is PROCESSING: found, not sent twice.
    let again = issuing.top_up_budget(&top_up).await.unwrap();
    assert_eq!(
        again.status,
        Some(TopUpOrderStatus::Processing),
        "{again:?}"
    );
    assert_eq!(again.record_id, outcome.record_id);

    // Later it settles, once.
    tokio::time::sleep(delay).await;
    let order = issuing.get_top_up_order(id.as_str()).await.unwrap();
    assert_eq!(order.status, TopUpOrderStatus::Success);
    assert_eq!(balance(&sandbox, &budget), before + amount);
    let settled = issuing
        .top_up_budget(&top_up.clone().with_poll(OrderPoll::none()))
        .await
        .unwrap();
    assert_eq!(settled.status, Some(TopUpOrderStatus::Success));
    assert_eq!(balance(&sandbox, &budget), before + amount, "never twice");
}
