//! The rounds of an exactly-once top-up, over a scripted transport with a paused clock: which
//! failures are taken as "may have landed" (and so queried), how a duplicate refusal is judged
//! when the order does not say its body, how many rounds there are and how long the call waits
//! between them.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ahrvo_issuing::*;
use ahrvo_transport::test_util::transport_fn;
use ahrvo_transport::{HttpResponse, StatusCode};
use tokio::time::Instant;

/// One scripted answer: a reply (status and body), or a failure of this kind.
type Step = Result<(u16, &'static str), ErrorKind>;

const FAILED_500: Step = Ok((
    500,
    r#"{"code":"INTERNAL_SERVER_ERROR","message":"Internal server error"}"#,
));
const DUPLICATE: Step = Ok((
    400,
    r#"{"code":"DUPLICATE_ORDER_ID","message":"unique_order_id was already used"}"#,
));
const NO_ORDER: Step = Ok((
    404,
    r#"{"code":"ORDER_NOT_FOUND","message":"Top-up order does not exist"}"#,
));
/// The order with this call's body (see [`top_up`]).
const SAME_ORDER: Step = Ok((
    200,
    r#"{"code":"SUCCESS","data":{"status":"SUCCESS","unique_order_id":"order-1","record_id":"tu-1","budget_id":"ci-ops","top_up_amount":"12.50","top_up_currency":"USD"}}"#,
));
/// The order as the API page documents it: a status and nothing that says its body.
const BARE_ORDER: Step = Ok((
    200,
    r#"{"code":"SUCCESS","data":{"status":"SUCCESS","record_id":"tu-1"}}"#,
));
const PROCESSING_ORDER: Step = Ok((200, r#"{"code":"SUCCESS","data":{"status":"PROCESSING"}}"#));

/// What was sent: the method, and when on tokio's clock.
type Sent = Arc<Mutex<Vec<(String, Instant)>>>;

/// A client whose requests get `steps` in turn; `max_attempts` is the retry policy's (the
/// transport's retries within one round), `initial_backoff` its first backoff cap.
fn scripted(steps: &[Step], max_attempts: u32, initial_backoff: Duration) -> (IssuingClient, Sent) {
    let script = Mutex::new(steps.iter().copied().collect::<VecDeque<_>>());
    let sent: Sent = Arc::default();
    let log = sent.clone();
    let transport = transport_fn(move |request| {
        log.lock()
            .unwrap()
            .push((request.method.to_string(), Instant::now()));
        let step = script.lock().unwrap().pop_front();
        match step.expect("no scripted answer left: a request too many") {
            Ok((status, body)) => Ok(HttpResponse::new(
                StatusCode::from_u16(status).unwrap(),
                body,
            )),
            Err(kind) => Err(ahrvo_transport::Error::new(kind, "scripted failure")),
        }
    });
    let retry = RetryConfig::default()
        .with_max_attempts(max_attempts)
        .with_initial_backoff(initial_backoff);
    let config = ClientConfig::new(Environment::custom("http://127.0.0.1:9").unwrap())
        .with_transport(Arc::new(transport))
        .with_retry(retry);
    let client = IssuingClient::new(&config, IssuingCredentials::new("k", "t")).unwrap();
    (client, sent)
}

fn top_up() -> TopUpBudget {
    TopUpBudget::new("ci-ops", "12.50".parse().unwrap(), Currency::USD)
        .with_unique_order_id(UniqueOrderId::parse("order-1").unwrap())
        .with_poll(OrderPoll::none())
}

fn methods(sent: &Sent) -> Vec<String> {
    sent.lock()
        .unwrap()
        .iter()
        .map(|(m, _)| m.clone())
        .collect()
}

#[tokio::test(start_paused = true)]
async fn rounds_wait_the_policys_backoff_and_end_after_max_rounds() {
    // Each round: a 500 (not retried: one attempt per round), then the query says it did not
    // land. The call sends the first round at once, queries right after each failure, and
    // waits a jittered backoff before rounds 2 and 3: uniform in [0, cap(1)] then [0, cap(2)].
    // Over 20 calls, every wait stays under its cap and not all are zero.
    let initial = Duration::from_millis(100);
    let cap = RetryConfig::default().with_initial_backoff(initial);
    // Tokio's timer counts whole milliseconds: a sleep may end up to 1 ms past its deadline.
    let tick = Duration::from_millis(1);
    let mut waits = Vec::new();
    for _ in 0..20 {
        let steps = [
            FAILED_500, NO_ORDER, FAILED_500, NO_ORDER, FAILED_500, NO_ORDER,
        ];
        let (client, sent) = scripted(&steps, 1, initial);
        let start = Instant::now();
        let e = client.top_up_budget(&top_up()).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Server);
        let context = e.context().unwrap();
        assert!(
            context.contains("did not land in 3 rounds")
                && context.contains("safe to send again with the same id"),
            "{context}"
        );
        assert_eq!(MAX_ROUNDS, 3);
        let sent = sent.lock().unwrap().clone();
        let names: Vec<_> = sent.iter().map(|(m, _)| m.as_str()).collect();
        assert_eq!(names, ["POST", "GET", "POST", "GET", "POST", "GET"]);
        assert_eq!(sent[0].1, start, "the first round does not wait");
        for query in [1, 3, 5] {
            assert_eq!(sent[query].1, sent[query - 1].1, "a query does not wait");
        }
        waits.push((sent[2].1 - sent[1].1, sent[4].1 - sent[3].1));
    }
    for (before_2, before_3) in &waits {
        assert!(*before_2 <= cap.backoff_cap(1) + tick, "{before_2:?}");
        assert!(*before_3 <= cap.backoff_cap(2) + tick, "{before_3:?}");
    }
    assert!(waits.iter().any(|(a, _)| !a.is_zero()), "{waits:?}");
    assert!(waits.iter().any(|(_, b)| !b.is_zero()), "{waits:?}");
}

#[tokio::test(start_paused = true)]
async fn a_lone_timeout_or_an_unreadable_reply_may_have_landed_and_is_queried() {
    // No retry by the transport: the outcome is unknown, the order is queried, and found.
    for first in [
        Err(ErrorKind::Timeout),
        Err(ErrorKind::Transport),
        Ok((200, "<html>a proxy's page</html>")),
    ] {
        let (client, sent) = scripted(&[first, SAME_ORDER], 1, Duration::from_millis(1));
        let outcome = client.top_up_budget(&top_up()).await.unwrap();
        assert!(outcome.resolved_by_query, "{first:?}");
        assert_eq!(outcome.status, Some(TopUpOrderStatus::Success), "{first:?}");
        assert_eq!((outcome.attempts, outcome.queries), (1, 1), "{first:?}");
        assert_eq!(methods(&sent), ["POST", "GET"], "{first:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_refusal_or_a_connection_never_made_did_not_land_and_is_not_queried() {
    for (first, kind) in [
        (
            Ok((
                400,
                r#"{"code":"INVALID_AMOUNT","message":"top_up_amount is invalid"}"#,
            )),
            ErrorKind::BadRequest,
        ),
        (
            Ok((429, r#"{"code":"RATE_LIMITED","message":"slow down"}"#)),
            ErrorKind::RateLimited,
        ),
        (Err(ErrorKind::Connect), ErrorKind::Connect),
    ] {
        let (client, sent) = scripted(&[first], 1, Duration::from_millis(1));
        let e = client.top_up_budget(&top_up()).await.unwrap_err();
        assert_eq!(e.kind(), kind);
        assert!(!e.is_outcome_unknown(), "{e}");
        assert_eq!(methods(&sent), ["POST"], "{kind:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_first_attempt_duplicate_whose_order_does_not_say_its_body_is_an_error() {
    // The id was used before this call, and the order found cannot tell whether it is this
    // top-up: never taken as this call's success.
    let (client, sent) = scripted(&[DUPLICATE, BARE_ORDER], 3, Duration::from_millis(1));
    let e = client.top_up_budget(&top_up()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadRequest);
    assert_eq!(error_code(&e), Some(IssuingErrorCode::DuplicateOrderId));
    let context = e.context().unwrap();
    assert!(
        context.contains("order-1 was used before")
            && context.contains("cannot be told whether it is this top-up")
            && context.contains("get_top_up_order(\"order-1\")"),
        "{context}"
    );
    assert!(!context.contains("another body"), "{context}");
    assert_eq!(
        methods(&sent),
        ["POST", "GET"],
        "a duplicate is never resent"
    );
}

#[tokio::test(start_paused = true)]
async fn a_duplicate_after_an_unknown_attempt_of_the_call_is_its_success() {
    // The 500's attempt landed; its retry is refused as a duplicate. The order does not say its
    // body, but the earlier attempt of this very call used the id: it is this top-up.
    let (client, sent) = scripted(
        &[FAILED_500, DUPLICATE, BARE_ORDER],
        2,
        Duration::from_millis(1),
    );
    let outcome = client.top_up_budget(&top_up()).await.unwrap();
    assert!(outcome.resolved_by_query);
    assert_eq!(outcome.status, Some(TopUpOrderStatus::Success));
    assert_eq!(outcome.record_id.unwrap(), "tu-1");
    assert_eq!((outcome.attempts, outcome.queries), (2, 1));
    assert_eq!(methods(&sent), ["POST", "POST", "GET"]);
}

#[tokio::test(start_paused = true)]
async fn a_duplicate_in_a_later_round_is_the_earlier_rounds_success() {
    // Round 1's attempt landed although its query lagged (404); round 2 is refused as a
    // duplicate on its own first attempt: the id was used by this call's round 1.
    let steps = [FAILED_500, NO_ORDER, DUPLICATE, BARE_ORDER];
    let (client, sent) = scripted(&steps, 1, Duration::from_millis(1));
    let outcome = client.top_up_budget(&top_up()).await.unwrap();
    assert!(outcome.resolved_by_query);
    assert_eq!(outcome.status, Some(TopUpOrderStatus::Success));
    assert_eq!((outcome.attempts, outcome.queries), (2, 2));
    assert_eq!(methods(&sent), ["POST", "GET", "POST", "GET"]);
}

#[tokio::test(start_paused = true)]
async fn a_duplicate_whose_order_is_not_found_says_so_and_is_not_resent() {
    let (client, sent) = scripted(&[DUPLICATE, NO_ORDER], 3, Duration::from_millis(1));
    let e = client.top_up_budget(&top_up()).await.unwrap_err();
    assert_eq!(error_code(&e), Some(IssuingErrorCode::DuplicateOrderId));
    let context = e.context().unwrap();
    assert!(
        context.contains("refused unique_order_id order-1 as used, but has no such order"),
        "{context}"
    );
    assert_eq!(methods(&sent), ["POST", "GET"]);
}

#[tokio::test(start_paused = true)]
async fn with_no_poll_a_processing_order_is_reported_after_one_query() {
    let (client, sent) = scripted(&[FAILED_500, PROCESSING_ORDER], 1, Duration::from_millis(1));
    let start = Instant::now();
    let outcome = client.top_up_budget(&top_up()).await.unwrap();
    assert_eq!(outcome.status, Some(TopUpOrderStatus::Processing));
    assert_eq!(outcome.queries, 1);
    assert_eq!(methods(&sent), ["POST", "GET"]);
    assert_eq!(Instant::now(), start, "no wait");
}

#[test]
fn a_transfer_gives_back_what_it_moves() {
    let transfer = BudgetTransfer::new("ci-a", "ci-b", "100.05".parse().unwrap(), Currency::USD)
        .with_target_currency(Currency::EUR);
    assert_eq!(transfer.amount(), "100.05".parse::<Decimal>().unwrap());
    assert_eq!(transfer.source_budget_id().as_str(), "ci-a");
    assert_eq!(transfer.target_budget_id().as_str(), "ci-b");
    assert_eq!(
        (transfer.source_currency(), transfer.target_currency()),
        (Currency::USD, Currency::EUR)
    );
}
