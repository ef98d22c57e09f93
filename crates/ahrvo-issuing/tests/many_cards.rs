//! `get_card_balances` against the in-process sandbox: every id back exactly once and in the
//! order given, the concurrency bound (measured on the transport, not by timing), cancellation
//! on drop.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use ahrvo_issuing::{
    CardBalanceResult, CardBatchOptions, CardId, ClientConfig, Decimal, Environment, ErrorKind,
    IssuingClient, IssuingCredentials, RetryConfig,
};
use ahrvo_reports::issuing::{ReconcileStatus, parse_expected_csv, reconcile};
use ahrvo_sandbox::{CardKind, Sandbox};
use ahrvo_transport::test_util::async_transport_fn;
use ahrvo_transport::{HttpTransport, ReqwestTransport};
use futures_core::Stream;

fn config(sandbox: &Sandbox) -> ClientConfig {
    ClientConfig::new(Environment::custom(sandbox.base_url()).unwrap())
}

fn client(sandbox: &Sandbox, config: &ClientConfig) -> IssuingClient {
    let c = sandbox.credentials();
    IssuingClient::new(
        config,
        IssuingCredentials::new(c.api_key.as_str(), c.access_token.as_str()),
    )
    .unwrap()
}

/// Counts the requests inside the transport: in flight now, the most at once, and sent in all.
/// A request stops counting as in flight when its future completes or is dropped.
#[derive(Debug, Default)]
struct Counters {
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    sent: AtomicUsize,
}

struct InFlight<'a>(&'a AtomicUsize);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A client whose transport is the real one wrapped in the counters.
fn counting_client(sandbox: &Sandbox) -> (IssuingClient, Arc<Counters>) {
    let base = config(sandbox).with_retry(RetryConfig::disabled());
    let counters = Arc::new(Counters::default());
    let inner = Arc::new(ReqwestTransport::new(&base).unwrap());
    let shared = Arc::clone(&counters);
    let transport = async_transport_fn(move |request| {
        let (inner, c) = (Arc::clone(&inner), Arc::clone(&shared));
        async move {
            c.sent.fetch_add(1, Ordering::SeqCst);
            let now = c.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            let _guard = InFlight(&c.in_flight);
            c.max_in_flight.fetch_max(now, Ordering::SeqCst);
            inner.send(request).await
        }
    });
    let config = base.with_transport(Arc::new(transport));
    (client(sandbox, &config), counters)
}

/// A funded USD budget with `n` Dedicated Funds Cards, card `i` holding `10+i`.`i` (two digits).
fn dedicated_cards(sandbox: &Sandbox, n: usize) -> Vec<(String, Decimal)> {
    let budget = sandbox.create_budget("Batch", "USD").unwrap();
    sandbox.fund_budget(&budget, "100000.00").unwrap();
    (0..n)
        .map(|i| {
            let card = sandbox.create_card(&budget, CardKind::Dedicated).unwrap();
            let amount = format!("{}.{:02}", 10 + i, i % 100);
            sandbox.top_up_card(&card, &amount).unwrap();
            (card, amount.parse().unwrap())
        })
        .collect()
}

fn by_id(results: Vec<CardBalanceResult>) -> HashMap<CardId, Vec<CardBalanceResult>> {
    let mut map: HashMap<CardId, Vec<CardBalanceResult>> = HashMap::new();
    for r in results {
        map.entry(r.card_id.clone()).or_default().push(r);
    }
    map
}

#[tokio::test]
async fn fifty_cards_each_come_back_once_with_their_balance_or_error() {
    let sandbox = Sandbox::start_seeded().await.unwrap();
    let dedicated = dedicated_cards(&sandbox, 40);
    let shared_budget = sandbox.create_budget("Shared", "USD").unwrap();
    let shared: Vec<String> = (0..4)
        .map(|_| {
            sandbox
                .create_card(&shared_budget, CardKind::Shared)
                .unwrap()
        })
        .collect();
    let unknown: Vec<String> = (0..4)
        .map(|i| format!("card99999999999999999{i}"))
        .collect();
    let page_card = "card201907021723076245".to_owned();

    let mut ids: Vec<String> = dedicated.iter().map(|(id, _)| id.clone()).collect();
    ids.extend(shared.iter().cloned());
    ids.extend(unknown.iter().cloned());
    ids.push(page_card.clone());
    ids.push(String::new()); // refused before sending
    assert_eq!(ids.len(), 50);

    sandbox.reset_stats();
    let client = client(&sandbox, &config(&sandbox));
    let results = client
        .get_card_balances(ids.iter(), CardBatchOptions::default())
        .collect_all()
        .await;
    assert_eq!(results.len(), 50);
    let order: Vec<&str> = results.iter().map(|r| r.card_id.as_str()).collect();
    assert_eq!(order, ids, "in the order given");
    let results = by_id(results);
    assert_eq!(results.len(), 50, "every id exactly once");
    assert!(results.values().all(|r| r.len() == 1));
    let one = |id: &str| &results[&CardId::from(id)][0].result;

    for (id, amount) in &dedicated {
        let balance = one(id).as_ref().unwrap();
        assert_eq!(balance.available_balance, *amount, "{id}");
        assert_eq!(
            balance.available_balance.to_string(),
            format!("{amount:.2}")
        );
    }
    for id in &shared {
        assert_eq!(
            one(id).as_ref().unwrap_err().kind(),
            ErrorKind::BadRequest,
            "{id}"
        );
    }
    for id in &unknown {
        assert_eq!(
            one(id).as_ref().unwrap_err().kind(),
            ErrorKind::NotFound,
            "{id}"
        );
    }
    assert_eq!(
        one(&page_card)
            .as_ref()
            .unwrap()
            .available_balance
            .to_string(),
        "1468.87"
    );
    assert_eq!(one("").as_ref().unwrap_err().kind(), ErrorKind::Validation);
    // One request per card sent; none for the empty id; no retries of 400/404.
    assert_eq!(sandbox.stats().requests, 49);
}

#[tokio::test]
async fn at_most_concurrency_requests_are_in_flight() {
    let sandbox = Sandbox::start().await.unwrap();
    let cards = dedicated_cards(&sandbox, 24);
    sandbox.set_latency(Duration::from_millis(50));
    for bound in [4, 1] {
        let (client, counters) = counting_client(&sandbox);
        let results = client
            .get_card_balances(
                cards.iter().map(|(id, _)| id.as_str()),
                CardBatchOptions::default().with_concurrency(bound),
            )
            .collect_all()
            .await;
        assert_eq!(results.len(), 24);
        assert!(results.iter().all(|r| r.result.is_ok()));
        assert_eq!(counters.sent.load(Ordering::SeqCst), 24);
        assert_eq!(counters.in_flight.load(Ordering::SeqCst), 0);
        // With a 50 ms reply time the bound is reached, and never passed.
        assert_eq!(
            counters.max_in_flight.load(Ordering::SeqCst),
            bound,
            "bound {bound}"
        );
    }
}

#[tokio::test]
async fn the_default_bound_is_eight() {
    assert_eq!(CardBatchOptions::default().concurrency(), 8);
    assert_eq!(CardBatchOptions::new().with_concurrency(0).concurrency(), 1);
    assert_eq!(CardBatchOptions::new().with_concurrency(3).concurrency(), 3);

    let sandbox = Sandbox::start().await.unwrap();
    let cards = dedicated_cards(&sandbox, 20);
    sandbox.set_latency(Duration::from_millis(50));
    let (client, counters) = counting_client(&sandbox);
    let ids: Vec<&str> = cards.iter().map(|(id, _)| id.as_str()).collect();
    let mut stream = client.get_card_balances(ids, CardBatchOptions::default());
    let mut seen = 0;
    while let Some(r) = stream.next().await {
        assert!(r.result.is_ok());
        seen += 1;
        assert_eq!(stream.remaining(), 20 - seen);
    }
    assert_eq!(seen, 20);
    assert_eq!(counters.max_in_flight.load(Ordering::SeqCst), 8);
}

#[tokio::test]
async fn dropping_the_stream_cancels_the_requests_in_flight() {
    let sandbox = Sandbox::start().await.unwrap();
    let cards = dedicated_cards(&sandbox, 12);
    sandbox.set_latency(Duration::from_secs(10));
    let (client, counters) = counting_client(&sandbox);
    let mut stream = client.get_card_balances(
        cards.iter().map(|(id, _)| id.as_str()),
        CardBatchOptions::default().with_concurrency(3),
    );
    // Nothing can complete within 200 ms: the requests are started and waiting.
    assert!(
        tokio::time::timeout(Duration::from_millis(200), stream.next())
            .await
            .is_err()
    );
    assert_eq!(counters.in_flight.load(Ordering::SeqCst), 3);
    drop(stream);
    // The aborted tasks drop their requests long before the sandbox's 10 s would answer.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    while counters.in_flight.load(Ordering::SeqCst) > 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "requests still in flight"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        counters.sent.load(Ordering::SeqCst),
        3,
        "no request started"
    );
}

#[tokio::test]
async fn it_is_a_futures_stream_with_an_exact_size_hint() {
    let sandbox = Sandbox::start_seeded().await.unwrap();
    let client = client(&sandbox, &config(&sandbox));
    let mut stream = client.get_card_balances(
        ["card201907021723076245", "card-nope"],
        CardBatchOptions::default(),
    );
    assert_eq!(Stream::size_hint(&stream), (2, Some(2)));
    let mut kinds = Vec::new();
    while let Some(r) = std::future::poll_fn(|cx| Pin::new(&mut stream).poll_next(cx)).await {
        kinds.push(
            r.result
                .map(|b| b.available_balance.to_string())
                .map_err(|e| e.kind()),
        );
        assert_eq!(Stream::size_hint(&stream).0, 2 - kinds.len());
    }
    kinds.sort_by_key(Result::is_err);
    assert_eq!(kinds, [Ok("1468.87".to_owned()), Err(ErrorKind::NotFound)]);

    let none: [&str; 0] = [];
    let mut empty = client.get_card_balances(none, CardBatchOptions::default());
    assert!(empty.next().await.is_none());
    assert!(empty.next().await.is_none(), "stays finished");
}

#[test]
fn polled_outside_a_runtime_every_card_fails_without_a_panic() {
    let config = ClientConfig::new(Environment::custom("http://127.0.0.1:9").unwrap());
    let client = IssuingClient::new(&config, IssuingCredentials::new("k", "t")).unwrap();
    let mut stream = client.get_card_balances(["a", "b"], CardBatchOptions::default());
    let mut cx = Context::from_waker(Waker::noop());
    let mut ids = Vec::new();
    loop {
        match Pin::new(&mut stream).poll_next(&mut cx) {
            Poll::Ready(Some(r)) => {
                assert_eq!(r.result.unwrap_err().kind(), ErrorKind::Config);
                ids.push(r.card_id.to_string());
            }
            Poll::Ready(None) => break,
            Poll::Pending => panic!("nothing to wait for"),
        }
    }
    assert_eq!(ids, ["a", "b"]);
}

#[tokio::test]
async fn a_reconciliation_from_a_csv_and_a_batch() {
    let sandbox = Sandbox::start_seeded().await.unwrap();
    let cards = dedicated_cards(&sandbox, 3);
    let csv = format!(
        "card_id,balance\ncard201907021723076245,1468.87\n{},{}\n{},999.99\n{},{}\ncard-gone,5.00\n",
        cards[0].0, cards[0].1, cards[1].0, cards[2].0, cards[2].1
    );
    let expected = parse_expected_csv(&csv).unwrap();
    let client = client(&sandbox, &config(&sandbox));
    let actual: Vec<_> = client
        .get_card_balances(
            expected.iter().map(|(id, _)| id),
            CardBatchOptions::default(),
        )
        .collect_all()
        .await
        .into_iter()
        .map(|r| (r.card_id, r.result))
        .collect();
    let lines = reconcile(&expected, &actual);
    let statuses: Vec<&str> = lines
        .iter()
        .map(|l| match &l.status {
            ReconcileStatus::Match { .. } => "match",
            ReconcileStatus::Discrepancy { .. } => "discrepancy",
            ReconcileStatus::Failed { error } if error.kind() == ErrorKind::NotFound => "not found",
            _ => "other",
        })
        .collect();
    assert_eq!(
        statuses,
        ["match", "match", "discrepancy", "match", "not found"]
    );
}
