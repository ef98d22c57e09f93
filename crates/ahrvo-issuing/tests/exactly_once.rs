//! Exactly once, with money: top-ups whose outcome is unknown are resolved by querying the
//! order with the same `unique_order_id` (never by guessing), and transfers, which have no
//! idempotency key, are never sent again once they may have reached the server. Counted on the
//! requests a real loopback server saw (and, for lost connections, a scripted transport).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ahrvo_issuing::*;
use ahrvo_testkit::{Recorded, RecordingServer, Reply};
use ahrvo_transport::test_util::transport_fn;
use ahrvo_transport::{HttpResponse, StatusCode};
use serde_json::{Value, json};

const ACCEPTED: &str = r#"{"code":"SUCCESS","data":{"record_id":"tu-1"}}"#;
const FAILED_500: &str = r#"{"code":"INTERNAL_SERVER_ERROR","message":"Internal server error"}"#;
const DUPLICATE: &str =
    r#"{"code":"DUPLICATE_ORDER_ID","message":"unique_order_id was already used"}"#;
const NO_ORDER: &str = r#"{"code":"ORDER_NOT_FOUND","message":"Top-up order does not exist"}"#;

fn client(server: &RecordingServer, max_attempts: u32) -> IssuingClient {
    let retry = RetryConfig::default()
        .with_max_attempts(max_attempts)
        .with_initial_backoff(Duration::from_millis(1));
    let config = ClientConfig::new(Environment::custom(server.url()).unwrap()).with_retry(retry);
    IssuingClient::new(&config, IssuingCredentials::new("k", "t")).unwrap()
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn top_up() -> TopUpBudget {
    TopUpBudget::new("ci-ops", dec("12.50"), Currency::USD)
        .with_poll(OrderPoll::new(3, Duration::from_millis(1)))
}

/// A top-up order reply: `status`, with this call's fields.
fn order(id: &str, status: &str, amount: &str) -> Reply {
    Reply::new(
        200,
        json!({"code": "SUCCESS", "data": {"status": status, "unique_order_id": id,
            "record_id": "tu-1", "budget_id": "ci-ops", "top_up_amount": amount,
            "top_up_currency": "USD"}})
        .to_string(),
    )
}

fn posts(server: &RecordingServer) -> Vec<Recorded> {
    server
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST")
        .collect()
}

/// The `unique_order_id` of every top-up sent.
fn sent_ids(server: &RecordingServer) -> Vec<String> {
    posts(server)
        .iter()
        .map(|r| {
            let body: Value = serde_json::from_slice(&r.body).unwrap();
            body["unique_order_id"].as_str().unwrap().to_owned()
        })
        .collect()
}

#[tokio::test]
async fn an_unknown_outcome_is_resolved_by_querying_the_order_with_the_same_id() {
    let server = RecordingServer::start().await;
    // Two attempts, both 500 after the body was sent: the outcome is unknown.
    server.push(Reply::new(500, FAILED_500));
    server.push(Reply::new(500, FAILED_500));
    // The query finds the order: it landed on the first attempt.
    server.push(order("(as sent)", "SUCCESS", "12.50"));
    let outcome = client(&server, 2).top_up_budget(&top_up()).await.unwrap();

    let ids = sent_ids(&server);
    assert_eq!(ids.len(), 2);
    assert_eq!(ids[0], ids[1], "the generated id is kept for every retry");
    let id = ids[0].clone();
    assert_eq!(outcome.unique_order_id, ids[0].as_str());
    assert!(outcome.resolved_by_query);
    assert_eq!(outcome.status, Some(TopUpOrderStatus::Success));
    assert_eq!(outcome.record_id.unwrap(), "tu-1");
    assert_eq!((outcome.attempts, outcome.queries), (2, 1));
    let query = server.requests().pop().unwrap();
    assert_eq!(query.method, "GET");
    assert_eq!(
        query.path,
        "/card/issuance/api/issuing/budget/v2/top-up/order"
    );
    assert_eq!(query.query, Some(format!("unique_order_id={id}")));
}

#[tokio::test]
async fn a_duplicate_refusal_after_a_retry_is_the_first_attempts_success() {
    let server = RecordingServer::start().await;
    let id = UniqueOrderId::parse("order-42").unwrap();
    server.push(Reply::new(500, FAILED_500)); // landed, but the reply was a 500
    server.push(Reply::new(400, DUPLICATE)); // the retry: "already used"
    server.push(order("order-42", "SUCCESS", "12.5")); // 12.5 == 12.50: the same order
    let outcome = client(&server, 3)
        .top_up_budget(&top_up().with_unique_order_id(id.clone()))
        .await
        .unwrap();
    assert_eq!(outcome.unique_order_id, id);
    assert!(outcome.resolved_by_query);
    assert_eq!(outcome.status, Some(TopUpOrderStatus::Success));
    assert_eq!((outcome.attempts, outcome.queries), (2, 1));
    assert_eq!(sent_ids(&server), ["order-42", "order-42"]);
}

#[tokio::test]
async fn a_duplicate_on_the_first_attempt_is_success_only_for_the_same_order() {
    let server = RecordingServer::start().await;
    let id = UniqueOrderId::parse("order-7").unwrap();
    // An earlier call of the caller's own landed with this body: the same order.
    server.push(Reply::new(400, DUPLICATE));
    server.push(order("order-7", "SUCCESS", "12.50"));
    let outcome = client(&server, 3)
        .top_up_budget(&top_up().with_unique_order_id(id.clone()))
        .await
        .unwrap();
    assert!(outcome.resolved_by_query);
    assert_eq!(outcome.attempts, 1);
    // Another order holds the id (another amount): an error that says so, no success.
    server.push(Reply::new(400, DUPLICATE));
    server.push(order("order-7", "SUCCESS", "99.00"));
    let e = client(&server, 3)
        .top_up_budget(&top_up().with_unique_order_id(id))
        .await
        .unwrap_err();
    assert_eq!(error_code(&e), Some(IssuingErrorCode::DuplicateOrderId));
    assert!(
        e.context().unwrap().contains("belongs to another order"),
        "{e}"
    );
    assert_eq!(posts(&server).len(), 2, "a duplicate is never resent");
}

#[tokio::test]
async fn an_order_that_did_not_land_is_sent_again_with_the_same_id() {
    let server = RecordingServer::start().await;
    server.push(Reply::new(500, FAILED_500)); // no retry by the transport (1 attempt)
    server.push(Reply::new(404, NO_ORDER)); // the query: it did not land
    server.push(Reply::new(200, ACCEPTED)); // sent again: accepted
    let outcome = client(&server, 1).top_up_budget(&top_up()).await.unwrap();
    let ids = sent_ids(&server);
    assert_eq!(ids.len(), 2);
    assert_eq!(ids[0], ids[1]);
    assert!(
        !outcome.resolved_by_query,
        "the second attempt's reply said it"
    );
    assert_eq!(outcome.record_id.unwrap(), "tu-1");
    assert_eq!((outcome.attempts, outcome.queries), (2, 1));
}

#[tokio::test]
async fn a_processing_order_is_awaited_within_the_poll_bound() {
    let server = RecordingServer::start().await;
    let id = UniqueOrderId::parse("order-p").unwrap();
    server.push(Reply::new(500, FAILED_500));
    server.push(order("order-p", "PROCESSING", "12.50"));
    server.push(order("order-p", "PROCESSING", "12.50"));
    server.push(order("order-p", "SUCCESS", "12.50"));
    let outcome = client(&server, 1)
        .top_up_budget(&top_up().with_unique_order_id(id.clone()))
        .await
        .unwrap();
    assert_eq!(outcome.status, Some(TopUpOrderStatus::Success));
    assert_eq!(outcome.queries, 3);
    // Bounded: with one more query allowed, PROCESSING is reported as it is.
    server.push(Reply::new(500, FAILED_500));
    server.set_fallback(order("order-p", "PROCESSING", "12.50"));
    let outcome = client(&server, 1)
        .top_up_budget(
            &top_up()
                .with_unique_order_id(id)
                .with_poll(OrderPoll::new(1, Duration::from_millis(1))),
        )
        .await
        .unwrap();
    assert_eq!(outcome.status, Some(TopUpOrderStatus::Processing));
    assert_eq!(outcome.queries, 2);
}

#[tokio::test]
async fn when_the_query_fails_too_the_error_says_the_outcome_is_unknown() {
    let server = RecordingServer::start().await;
    server.set_fallback(Reply::new(500, FAILED_500));
    let e = client(&server, 1)
        .top_up_budget(&top_up().with_unique_order_id(UniqueOrderId::parse("o-9").unwrap()))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Server);
    let context = e.context().unwrap();
    assert!(
        context.contains("outcome of top-up o-9 is unknown")
            && context.contains("get_top_up_order(\"o-9\")"),
        "{context}"
    );
    assert_eq!(posts(&server).len(), 1, "never resent without knowing");
}

#[tokio::test]
async fn refusals_are_final_and_not_queried() {
    let server = RecordingServer::start().await;
    server.push(Reply::new(
        404,
        r#"{"code":"BUDGET_NOT_FOUND","message":"Budget account does not exist"}"#,
    ));
    let e = client(&server, 3)
        .top_up_budget(&top_up())
        .await
        .unwrap_err();
    assert_eq!(error_code(&e), Some(IssuingErrorCode::BudgetNotFound));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_card_top_up_is_resolved_through_the_funding_order_list() {
    let server = RecordingServer::start().await;
    let id = "card-order-1";
    server.push(Reply::new(500, FAILED_500));
    server.push(Reply::new(
        200,
        json!({"code": "SUCCESS", "data": {"total_num": 1, "list": [{"record_id": "cf-1",
            "unique_order_id": id, "amount": "25.00", "currency": "USD",
            "card_id": "card-1", "status": "SUCCESS", "operate_type": "card_in"}]}})
        .to_string(),
    ));
    let outcome = client(&server, 1)
        .top_up_card(
            &CardTopUp::new("card-1", dec("25.00"))
                .with_unique_order_id(UniqueOrderId::parse(id).unwrap()),
        )
        .await
        .unwrap();
    assert!(outcome.resolved_by_query);
    assert_eq!(outcome.status, Some(CardFundingStatus::Success));
    assert_eq!(outcome.record_id.unwrap(), "cf-1");
    let query = server.requests().pop().unwrap();
    assert_eq!(
        query.path,
        "/card/issuance/api/issuing/card/v2/funding/list"
    );
    assert_eq!(
        query.query.as_deref(),
        Some("page_no=1&page_size=10&unique_order_id=card-order-1")
    );
    // No order listed: it did not land, and it is sent again with the same id.
    server.push(Reply::new(500, FAILED_500));
    server.push(Reply::new(
        200,
        r#"{"code":"SUCCESS","data":{"total_num":0,"list":[]}}"#,
    ));
    server.push(Reply::new(
        200,
        r#"{"code":"SUCCESS","data":{"record_id":"cf-2"}}"#,
    ));
    let outcome = client(&server, 1)
        .top_up_card(&CardTopUp::new("card-1", dec("25.00")))
        .await
        .unwrap();
    assert_eq!(outcome.record_id.unwrap(), "cf-2");
    let ids = sent_ids(&server);
    assert_eq!(ids[ids.len() - 1], ids[ids.len() - 2]);
}

/// What a scripted transport was sent: method and body of each request.
type SentLog = Arc<Mutex<Vec<(String, String)>>>;

/// A client over a scripted transport: each request gets the next answer, and is counted by
/// method.
fn scripted(
    answers: Vec<Result<(u16, &'static str), ErrorKind>>,
    max_attempts: u32,
) -> (IssuingClient, SentLog) {
    let answers = Mutex::new(answers.into_iter());
    let sent: SentLog = Arc::default();
    let log = sent.clone();
    let transport = transport_fn(move |request| {
        let body = String::from_utf8_lossy(&request.body).into_owned();
        log.lock().unwrap().push((request.method.to_string(), body));
        match answers.lock().unwrap().next().expect("a scripted answer") {
            Ok((status, body)) => Ok(HttpResponse::new(
                StatusCode::from_u16(status).unwrap(),
                body,
            )),
            Err(kind) => Err(ahrvo_transport::Error::new(kind, "scripted failure")),
        }
    });
    let config = ClientConfig::new(Environment::custom("http://127.0.0.1:9").unwrap())
        .with_transport(Arc::new(transport))
        .with_retry(
            RetryConfig::default()
                .with_max_attempts(max_attempts)
                .with_initial_backoff(Duration::from_millis(1)),
        );
    (
        IssuingClient::new(&config, IssuingCredentials::new("k", "t")).unwrap(),
        sent,
    )
}

#[tokio::test]
async fn a_transfer_is_not_resent_after_a_timeout_or_a_dropped_connection() {
    let transfer = BudgetTransfer::new("ci-a", "ci-b", dec("5.00"), Currency::USD);
    for kind in [ErrorKind::Timeout, ErrorKind::Transport] {
        let (client, sent) = scripted(vec![Err(kind), Ok((200, "{}"))], 5);
        let e = client
            .transfer_between_budgets(&transfer)
            .await
            .unwrap_err();
        assert_eq!(sent.lock().unwrap().len(), 1, "{kind:?}: sent once");
        assert!(e.is_outcome_unknown(), "{kind:?}");
        assert!(
            e.to_string().contains("may or may not have been made"),
            "{kind:?}: {e}"
        );
    }
    // A connection that was never made is retried: the transfer certainly did not happen.
    let (client, sent) = scripted(
        vec![
            Err(ErrorKind::Connect),
            Ok((
                200,
                r#"{"code":"SUCCESS","data":{"transfer_order_id":"bt1","in_amount":"5.00"}}"#,
            )),
        ],
        5,
    );
    let done = client.transfer_between_budgets(&transfer).await.unwrap();
    assert_eq!(done.transfer_order_id, "bt1");
    assert_eq!(sent.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn a_top_up_after_a_timeout_and_a_dropped_connection_keeps_its_id() {
    let (client, sent) = scripted(
        vec![
            Err(ErrorKind::Timeout),
            Err(ErrorKind::Transport),
            Ok((200, ACCEPTED)),
        ],
        3,
    );
    let outcome = client.top_up_budget(&top_up()).await.unwrap();
    let sent = sent.lock().unwrap();
    assert_eq!(sent.len(), 3);
    let ids: Vec<Value> = sent
        .iter()
        .map(|(_, body)| serde_json::from_str::<Value>(body).unwrap()["unique_order_id"].clone())
        .collect();
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    assert_eq!(outcome.unique_order_id, ids[0].as_str().unwrap());
    assert_eq!(outcome.attempts, 3);
}
