//! Issue 14's Payments operations over real HTTP against a loopback server: the three lists
//! (always with `Finix-Version: 2022-02-01`, `limit` checked before sending, cursor paging
//! across pages, a repeating cursor an error) and fetching a Transfer.

use std::time::Duration;

use ahrvo_payments::*;
use ahrvo_testkit::{Recorded, RecordingServer, Reply};
use serde_json::{Value, json};

const BALANCES: &str = include_str!("fixtures/listBalances.json");
const ENTRIES: &str = include_str!("fixtures/listBalanceEntries.json");
const ADJUSTMENTS: &str = include_str!("fixtures/listBalanceAdjustments.json");
const TRANSFER: &str = include_str!("fixtures/getTransfer.json");

fn client(server: &RecordingServer) -> PaymentsClient {
    let retry = RetryConfig::default().with_initial_backoff(Duration::from_millis(1));
    let config = ClientConfig::new(Environment::custom(server.url()).unwrap()).with_retry(retry);
    PaymentsClient::new(&config, PaymentsCredentials::new("username", "password")).unwrap()
}

fn assert_list_headers(r: &Recorded) {
    assert_eq!(r.header("finix-version"), "2022-02-01");
    assert_eq!(r.header("authorization"), "Basic dXNlcm5hbWU6cGFzc3dvcmQ=");
    assert_eq!(r.header("accept"), "application/json");
}

#[tokio::test]
async fn list_balances_page_sends_the_version_and_limit_and_decodes_the_example() {
    let server = RecordingServer::start().await;
    server.push(Reply::new(200, BALANCES));
    let list = client(&server)
        .list_balances_page(&ListOptions::new().limit(25))
        .await
        .unwrap();
    let r = server.single_request();
    assert_eq!(r.method, "GET");
    assert_eq!(r.path, "/payments/na/balances");
    assert_eq!(r.query.as_deref(), Some("limit=25"));
    assert_list_headers(&r);
    let balances = list.embedded.unwrap().balances;
    assert_eq!(balances[0].id, "balance_dyz5APsJebDef9oTW9J2Hc");
    assert_eq!(balances[0].available_amount, Cents::new(1_250_000));
    assert_eq!(list.page.limit, 10);
    assert_eq!(list.page.next_cursor, None);
    // Encoding the models gives the reply back, a null next_cursor left out.
    let mut fixture: Value = serde_json::from_str(BALANCES).unwrap();
    fixture["page"]
        .as_object_mut()
        .unwrap()
        .remove("next_cursor");
    let again: BalanceList = serde_json::from_str(BALANCES).unwrap();
    assert_eq!(serde_json::to_value(&again).unwrap(), fixture);
}

#[tokio::test]
async fn list_balance_entries_page_puts_the_balance_in_the_path_and_the_cursor_in_the_query() {
    let server = RecordingServer::start().await;
    server.push(Reply::new(200, ENTRIES));
    let list = client(&server)
        .list_balance_entries_page(
            "balance_dyz5APsJebDef9oTW9J2Hc",
            &ListOptions::new().after_cursor("balance_entry_x/1"),
        )
        .await
        .unwrap();
    let r = server.single_request();
    assert_eq!(
        r.path,
        "/payments/na/balances/balance_dyz5APsJebDef9oTW9J2Hc/balance_entries"
    );
    assert_eq!(
        r.query.as_deref(),
        Some("limit=10&after_cursor=balance_entry_x%2F1")
    );
    assert_list_headers(&r);
    let entries = list.embedded.unwrap().balance_entries;
    assert_eq!(entries[0].amount, Cents::new(250_000));
    // An unknown Balance is NotFound.
    server.push(Reply::new(
        404,
        r#"{"total":1,"_embedded":{"errors":[{"code":"NOT_FOUND","message":"Balance resource not found"}]}}"#,
    ));
    let e = client(&server)
        .list_balance_entries_page("balance_nope", &ListOptions::new())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn list_balance_adjustments_page_decodes_the_example() {
    let server = RecordingServer::start().await;
    server.push(Reply::new(200, ADJUSTMENTS));
    let list = client(&server)
        .list_balance_adjustments_page(&ListOptions::new())
        .await
        .unwrap();
    let r = server.single_request();
    assert_eq!(r.path, "/payments/na/balance_adjustments");
    assert_eq!(r.query.as_deref(), Some("limit=10"));
    assert_list_headers(&r);
    let adjustment = &list.embedded.unwrap().balance_adjustments[0];
    assert_eq!(adjustment.amount, Cents::new(250_000));
    assert_eq!(adjustment.adjustment_type, BalanceAdjustmentType::TopUp);
    assert_eq!(adjustment.state, BalanceAdjustmentState::Succeeded);
    assert_eq!(adjustment.rail, Some(AdjustmentRail::Ach));
    assert_eq!(adjustment.failure_code, None);
    // A state this SDK does not know is kept.
    server.push(Reply::new(
        200,
        ADJUSTMENTS.replace(r#""state": "SUCCEEDED""#, r#""state": "RETURNED""#),
    ));
    let list = client(&server)
        .list_balance_adjustments_page(&ListOptions::new())
        .await
        .unwrap();
    assert_eq!(
        list.embedded.unwrap().balance_adjustments[0].state,
        BalanceAdjustmentState::Unknown("RETURNED".into())
    );
}

#[tokio::test]
async fn get_transfer_fetches_by_id_and_decodes_nullable_fields() {
    let server = RecordingServer::start().await;
    server.push(Reply::new(200, TRANSFER));
    let transfer = client(&server)
        .get_transfer("TRvL3bZqJ4xRZ8u2Yz9Nw1Qp")
        .await
        .unwrap();
    let r = server.single_request();
    assert_eq!(r.method, "GET");
    assert_eq!(r.path, "/payments/na/transfers/TRvL3bZqJ4xRZ8u2Yz9Nw1Qp");
    assert_eq!(r.query, None);
    assert_eq!(r.header("authorization"), "Basic dXNlcm5hbWU6cGFzc3dvcmQ=");
    assert_eq!(transfer.amount, Cents::new(250_000));
    assert_eq!(transfer.fee, Some(Cents::new(0)));
    assert_eq!(transfer.state, TransferState::Succeeded);
    assert_eq!(transfer.transfer_type, TransferType::Debit);
    assert_eq!(transfer.destination, None);
    assert_eq!(transfer.ready_to_settle_at, None);
    // The API's own UNKNOWN state is a variant of its own.
    server.push(Reply::new(
        200,
        TRANSFER.replace(r#""state": "SUCCEEDED""#, r#""state": "UNKNOWN""#),
    ));
    let transfer = client(&server).get_transfer("TR1").await.unwrap();
    assert_eq!(transfer.state, TransferState::UnknownState);
    assert_eq!(transfer.state.as_str(), "UNKNOWN");
    server.push(Reply::new(
        404,
        r#"{"total":1,"_embedded":{"errors":[{"code":"NOT_FOUND","message":"Transfer resource not found"}]}}"#,
    ));
    let e = client(&server).get_transfer("TR-nope").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
}

/// A page of entries `from..to` (ids `e-N`) and its `next_cursor`.
fn entries_page(from: usize, to: usize, next: Option<&str>) -> Reply {
    let entries: Vec<Value> = (from..to)
        .map(|i| {
            json!({"id": format!("e-{i}"), "created_at": "2024-05-01T18:04:33.42Z",
                   "updated_at": "2024-05-01T18:04:33.42Z", "amount": -(i as i64) * 100,
                   "currency": "USD", "state": "SUCCEEDED", "type": "PUSH_TO_CARD"})
        })
        .collect();
    Reply::new(
        200,
        json!({"_embedded": {"balance_entries": entries},
               "_links": {"self": {"href": "x"}},
               "page": {"limit": 2, "next_cursor": next}})
        .to_string(),
    )
}

fn queries(server: &RecordingServer) -> Vec<String> {
    server
        .requests()
        .iter()
        .map(|r| {
            assert_eq!(r.header("finix-version"), "2022-02-01", "every page");
            r.query.clone().unwrap_or_default()
        })
        .collect()
}

#[tokio::test]
async fn list_balance_entries_follows_next_cursor_across_three_pages() {
    let server = RecordingServer::start().await;
    server.push(entries_page(0, 2, Some("c1")));
    server.push(entries_page(2, 4, Some("c2")));
    server.push(entries_page(4, 5, None));
    let entries = client(&server)
        .list_balance_entries("balance_1", ListOptions::new().limit(2))
        .collect_all()
        .await
        .unwrap();
    let ids: Vec<&str> = entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["e-0", "e-1", "e-2", "e-3", "e-4"]);
    let total: i64 = entries.iter().map(|e| e.amount.get()).sum();
    assert_eq!(total, -1000, "cents, exactly");
    assert_eq!(
        queries(&server),
        [
            "limit=2",
            "limit=2&after_cursor=c1",
            "limit=2&after_cursor=c2"
        ]
    );
}

#[tokio::test]
async fn an_empty_list_is_one_request_and_no_items() {
    let server = RecordingServer::start().await;
    // Finix may leave `_embedded` out of an empty page.
    server.push(Reply::new(
        200,
        r#"{"_links":{"self":{"href":"x"}},"page":{"limit":10,"next_cursor":null}}"#,
    ));
    let mut balances = client(&server).list_balances(ListOptions::new());
    assert!(balances.next().await.is_none());
    assert_eq!(queries(&server), ["limit=10"]);
}

#[tokio::test]
async fn a_repeating_cursor_is_an_error_not_an_endless_loop() {
    // Two pages read, then the cursor c1 comes back (forever): the stream stops.
    let server = RecordingServer::start().await;
    server.push(entries_page(0, 2, Some("c1")));
    server.set_fallback(entries_page(2, 4, Some("c1")));
    let mut stream = client(&server).list_balance_entries("balance_1", ListOptions::new().limit(2));
    let mut ids = Vec::new();
    let mut error = None;
    while let Some(item) = stream.next().await {
        match item {
            Ok(entry) => ids.push(entry.id.into_string()),
            Err(e) => error = Some(e),
        }
    }
    assert_eq!(ids, ["e-0", "e-1", "e-2", "e-3"]);
    let error = error.expect("the repeat is reported");
    assert_eq!(error.kind(), ErrorKind::Protocol);
    assert!(error.message().contains("\"c1\" a second time"), "{error}");
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn limit_is_checked_before_anything_is_sent() {
    let server = RecordingServer::start().await;
    let c = client(&server);
    for limit in [0, 101, 1000] {
        let options = ListOptions::new().limit(limit);
        let e = c.list_balances_page(&options).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Validation, "{limit}");
        let mut stream = c.list_balance_entries("balance_1", options.clone());
        let e = stream.next().await.unwrap().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Validation);
        assert!(e.message().contains("between 1 and 100"), "{e}");
        assert!(stream.next().await.is_none());
    }
    assert!(server.requests().is_empty());
    // 1 and 100 are allowed.
    server.set_fallback(Reply::new(
        200,
        r#"{"page":{"limit":1,"next_cursor":null}}"#,
    ));
    c.list_balances_page(&ListOptions::new().limit(1))
        .await
        .unwrap();
    c.list_balances_page(&ListOptions::new().limit(100))
        .await
        .unwrap();
    assert_eq!(queries(&server), ["limit=1", "limit=100"]);
}
