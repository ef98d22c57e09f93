//! Issue 14's Issuing operations over real HTTP against a loopback server: what is sent
//! (method, path, query, headers, body), how the spec's example replies decode, the checks made
//! before sending, and the page-numbered lists across pages.

use std::time::Duration;

use ahrvo_issuing::*;
use ahrvo_testkit::{Recorded, RecordingServer, Reply};
use serde_json::{Value, json};

const TOP_UP: &str = include_str!("fixtures/topUpBudget.json");
const TOP_UP_ORDER: &str = include_str!("fixtures/getTopUpOrder.json");
const TRANSFER: &str = include_str!("fixtures/transferBetweenBudgets.json");
const TRANSFER_ORDER: &str = include_str!("fixtures/getTransferOrder.json");
const CARD_TOP_UP: &str = include_str!("fixtures/topUpCard.json");
const FUNDING: &str = include_str!("fixtures/listCardFundingOrders.json");
const CARDS: &str = include_str!("fixtures/listCards.json");
const PRODUCTS: &str = include_str!("fixtures/listCardProducts.json");

fn client(server: &RecordingServer) -> IssuingClient {
    let retry = RetryConfig::default().with_initial_backoff(Duration::from_millis(1));
    let config = ClientConfig::new(Environment::custom(server.url()).unwrap()).with_retry(retry);
    IssuingClient::new(
        &config,
        IssuingCredentials::new("test-api-key", "test-token"),
    )
    .unwrap()
}

fn assert_issuing_headers(r: &Recorded) {
    assert_eq!(r.header("authorization"), "Bearer test-token");
    assert_eq!(r.header("x-api-key"), "test-api-key");
    assert_eq!(r.header("accept"), "application/json");
    assert!(r.header("user-agent").starts_with("ahrvo-rs/"));
}

fn body(r: &Recorded) -> Value {
    serde_json::from_slice(&r.body).unwrap()
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn is_uuid_v4(s: &str) -> bool {
    let b = s.as_bytes();
    s.len() == 36
        && [8, 13, 18, 23].iter().all(|&i| b[i] == b'-')
        && b[14] == b'4'
        && matches!(b[19], b'8' | b'9' | b'a' | b'b')
        && s.chars().enumerate().all(|(i, c)| {
            [8, 13, 18, 23].contains(&i) || c.is_ascii_hexdigit() && !c.is_ascii_uppercase()
        })
}

#[tokio::test]
async fn top_up_budget_posts_the_order_with_a_generated_uuid_and_returns_it() {
    let server = RecordingServer::start().await;
    server.push(Reply::new(200, TOP_UP));
    let top_up = TopUpBudget::new("ci202507232016182661", dec("10.45"), Currency::USD);
    let outcome = client(&server).top_up_budget(&top_up).await.unwrap();

    let r = server.single_request();
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, "/card/issuance/api/issuing/budget/v2/top-up");
    assert_eq!(r.query, None);
    assert_issuing_headers(&r);
    assert_eq!(r.header("content-type"), "application/json");
    let sent = body(&r);
    let id = sent["unique_order_id"].as_str().unwrap().to_owned();
    assert!(is_uuid_v4(&id), "{id}");
    assert_eq!(
        sent,
        json!({"budget_id": "ci202507232016182661", "top_up_amount": "10.45",
               "top_up_currency": "USD", "unique_order_id": id})
    );
    assert_eq!(outcome.unique_order_id, id.as_str());
    assert_eq!(
        outcome.record_id,
        Some(RecordId::from("rec202601131200000001"))
    );
    assert_eq!(outcome.status, None, "accepted, not queried");
    assert!(!outcome.resolved_by_query);
    assert_eq!((outcome.attempts, outcome.queries), (1, 0));
}

#[tokio::test]
async fn a_given_order_id_is_sent_and_each_call_without_one_gets_its_own() {
    let server = RecordingServer::start().await;
    server.set_fallback(Reply::new(200, TOP_UP));
    let c = client(&server);
    let id = UniqueOrderId::parse("invoice-2026-0001").unwrap();
    let top_up = TopUpBudget::new("ci1", dec("1.000"), Currency::EUR);
    let outcome = c
        .top_up_budget(&top_up.clone().with_unique_order_id(id.clone()))
        .await
        .unwrap();
    assert_eq!(outcome.unique_order_id, id);
    c.top_up_budget(&top_up).await.unwrap();
    c.top_up_budget(&top_up).await.unwrap();
    let sent: Vec<Value> = server.requests().iter().map(body).collect();
    assert_eq!(sent[0]["unique_order_id"], "invoice-2026-0001");
    // Trailing zeros past 2 decimals are dropped, never rounded.
    assert_eq!(sent[0]["top_up_amount"], "1.00");
    assert_ne!(sent[1]["unique_order_id"], sent[2]["unique_order_id"]);
}

#[tokio::test]
async fn confirmed_top_ups_query_the_order_for_its_status() {
    let server = RecordingServer::start().await;
    server.push(Reply::new(200, TOP_UP));
    server.push(Reply::new(200, TOP_UP_ORDER));
    let top_up = TopUpBudget::new("ci202507232016182661", dec("10.45"), Currency::USD).confirmed();
    let outcome = client(&server).top_up_budget(&top_up).await.unwrap();
    assert_eq!(outcome.status, Some(TopUpOrderStatus::Success));
    assert!(!outcome.resolved_by_query);
    let r = server.requests();
    assert_eq!(r[1].method, "GET");
    assert_eq!(
        r[1].query.as_deref(),
        Some(format!("unique_order_id={}", outcome.unique_order_id).as_str())
    );
}

#[tokio::test]
async fn bad_top_ups_and_transfers_are_refused_before_sending() {
    let server = RecordingServer::start().await;
    let c = client(&server);
    for amount in ["0", "0.00", "-5", "10.455", "0.001"] {
        let e = c
            .top_up_budget(&TopUpBudget::new("ci1", dec(amount), Currency::USD))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Validation, "{amount}");
        let e = c
            .top_up_card(&CardTopUp::new("card1", dec(amount)))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Validation, "{amount}");
        let e = c
            .transfer_between_budgets(&BudgetTransfer::new("a", "b", dec(amount), Currency::USD))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Validation, "{amount}");
    }
    let abc = Currency::new("ABC").unwrap();
    let e = c
        .top_up_budget(&TopUpBudget::new("ci1", dec("1"), abc))
        .await
        .unwrap_err();
    assert!(e.message().contains("ISO 4217"), "{e}");
    let e = c
        .transfer_between_budgets(
            &BudgetTransfer::new("a", "b", dec("1"), Currency::USD).with_target_currency(abc),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    let e = c
        .transfer_between_budgets(&BudgetTransfer::new("ci1", "ci1", dec("1"), Currency::USD))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert!(e.message().contains("two different budgets"), "{e}");
    assert!(UniqueOrderId::parse(&"x".repeat(37)).is_err());
    let e = c.get_top_up_order("x".repeat(37)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert!(server.requests().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn get_top_up_order_sends_the_id_as_a_query_and_decodes_the_order() {
    let server = RecordingServer::start().await;
    server.push(Reply::new(200, TOP_UP_ORDER));
    let order = client(&server)
        .get_top_up_order("7d3f1c2e-5b8a-4f6d-9e0c-1a2b3c4d5e6f")
        .await
        .unwrap();
    let r = server.single_request();
    assert_eq!(r.method, "GET");
    assert_eq!(r.path, "/card/issuance/api/issuing/budget/v2/top-up/order");
    assert_eq!(
        r.query.as_deref(),
        Some("unique_order_id=7d3f1c2e-5b8a-4f6d-9e0c-1a2b3c4d5e6f")
    );
    assert_issuing_headers(&r);
    assert_eq!(order.status, TopUpOrderStatus::Success);
    assert_eq!(order.top_up_amount.unwrap().to_string(), "10.45");
    assert_eq!(order.budget_id.unwrap(), "ci202507232016182661");
    let fixture: Value = serde_json::from_str(TOP_UP_ORDER).unwrap();
    let back = serde_json::to_value(
        client_decode::<TopUpOrder>(TOP_UP_ORDER), // the models write the reply back as sent
    )
    .unwrap();
    assert_eq!(back, fixture["data"]);
    // An unknown order is NotFound with its code.
    server.push(Reply::new(
        404,
        r#"{"code":"ORDER_NOT_FOUND","message":"Top-up order does not exist"}"#,
    ));
    let e = client(&server).get_top_up_order("nope").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(error_code(&e), Some(IssuingErrorCode::OrderNotFound));
}

/// The `data` of an envelope fixture.
fn client_decode<T: serde::de::DeserializeOwned>(fixture: &str) -> T {
    let value: Value = serde_json::from_str(fixture).unwrap();
    serde_json::from_value(value["data"].clone()).unwrap()
}

#[tokio::test]
async fn transfer_between_budgets_posts_the_transfer_and_decodes_the_reply() {
    let server = RecordingServer::start().await;
    server.push(Reply::new(200, TRANSFER));
    let transfer = BudgetTransfer::new(
        "ci202507232016182661",
        "ci202507232016182662",
        dec("100.00"),
        Currency::USD,
    )
    .with_target_currency(Currency::EUR);
    let done = client(&server)
        .transfer_between_budgets(&transfer)
        .await
        .unwrap();
    let r = server.single_request();
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, "/card/issuance/api/issuing/budget/v2/transfer");
    assert_issuing_headers(&r);
    assert_eq!(r.header("content-type"), "application/json");
    assert_eq!(
        body(&r),
        json!({"source_budget_id": "ci202507232016182661",
               "target_budget_id": "ci202507232016182662", "transfer_amount": "100.00",
               "source_currency": "USD", "target_currency": "EUR"})
    );
    assert_eq!(done.transfer_order_id, "tr202601131200000001");
    assert_eq!(done.in_amount.to_string(), "100.00");
}

#[tokio::test]
async fn a_transfer_is_never_sent_again_after_a_5xx_and_says_its_outcome_is_unknown() {
    let server = RecordingServer::start().await;
    server.set_fallback(Reply::new(
        503,
        r#"{"code":"SERVICE_UNAVAILABLE","message":"Service unavailable"}"#,
    ));
    let transfer = BudgetTransfer::new("ci-a", "ci-b", dec("5.00"), Currency::USD);
    let e = client(&server)
        .transfer_between_budgets(&transfer)
        .await
        .unwrap_err();
    assert_eq!(server.requests().len(), 1, "one request, never resent");
    assert_eq!(e.kind(), ErrorKind::Server);
    let context = e.context().unwrap();
    assert!(
        context.contains("may or may not have been made") && context.contains("not sent again"),
        "{context}"
    );
    // A refusal is not an unknown outcome: no such note.
    server.push(Reply::new(
        400,
        r#"{"code":"INSUFFICIENT_BALANCE","message":"The budget account holds less than the amount"}"#,
    ));
    let e = client(&server)
        .transfer_between_budgets(&transfer)
        .await
        .unwrap_err();
    assert_eq!(error_code(&e), Some(IssuingErrorCode::InsufficientBalance));
    assert_eq!(e.context(), None);
}

#[tokio::test]
async fn get_transfer_order_sends_the_id_and_decodes_the_result() {
    let server = RecordingServer::start().await;
    server.push(Reply::new(200, TRANSFER_ORDER));
    let order = client(&server)
        .get_transfer_order("tr202601131200000001")
        .await
        .unwrap();
    let r = server.single_request();
    assert_eq!(r.method, "GET");
    assert_eq!(
        r.path,
        "/card/issuance/api/issuing/budget/v2/transfer/order"
    );
    assert_eq!(
        r.query.as_deref(),
        Some("transfer_order_id=tr202601131200000001")
    );
    assert_issuing_headers(&r);
    assert_eq!(order.fund_result, TransferFundResult::Success);
    assert_eq!(order.in_amount.unwrap().to_string(), "100.00");
}

#[tokio::test]
async fn top_up_card_posts_the_order_and_maps_its_refusals() {
    let server = RecordingServer::start().await;
    server.push(Reply::new(200, CARD_TOP_UP));
    let outcome = client(&server)
        .top_up_card(&CardTopUp::new("card201907021723076245", dec("10.45")))
        .await
        .unwrap();
    let r = server.single_request();
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, "/card/issuance/api/issuing/card/v2/funding/top-up");
    assert_issuing_headers(&r);
    let sent = body(&r);
    let id = sent["unique_order_id"].as_str().unwrap().to_owned();
    assert!(is_uuid_v4(&id), "{id}");
    assert_eq!(
        sent,
        json!({"unique_order_id": id, "card_id": "card201907021723076245", "amount": "10.45"})
    );
    assert_eq!(outcome.unique_order_id, id.as_str());
    assert_eq!(outcome.record_id.unwrap(), "rec202601131200000002");
    for (status, code, want) in [
        (400, "INVALID_CARD_TYPE", IssuingErrorCode::InvalidCardType),
        (
            400,
            "INSUFFICIENT_BALANCE",
            IssuingErrorCode::InsufficientBalance,
        ),
        (404, "CARD_NOT_FOUND", IssuingErrorCode::CardNotFound),
    ] {
        server.push(Reply::new(
            status,
            format!(r#"{{"code":"{code}","message":"no"}}"#),
        ));
        let e = client(&server)
            .top_up_card(&CardTopUp::new("card1", dec("1")))
            .await
            .unwrap_err();
        assert_eq!(error_code(&e), Some(want));
    }
    assert_eq!(server.requests().len(), 4, "refusals are not resent");
}

#[tokio::test]
async fn list_card_funding_orders_page_sends_every_filter_and_decodes_the_page() {
    let server = RecordingServer::start().await;
    server.push(Reply::new(200, FUNDING));
    let filter = FundingOrderFilter::new()
        .between("2026-01-01 00:00:00", "2026-01-31 23:59:59")
        .status(CardFundingStatus::Success)
        .unique_order_id(UniqueOrderId::parse("0b9a8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d").unwrap())
        .card_id("card201907021723076245")
        .page_size(50);
    let page = client(&server)
        .list_card_funding_orders_page(&filter, 3)
        .await
        .unwrap();
    let r = server.single_request();
    assert_eq!(r.method, "GET");
    assert_eq!(r.path, "/card/issuance/api/issuing/card/v2/funding/list");
    assert_eq!(
        r.query.as_deref(),
        Some(
            "page_no=3&page_size=50&start_date=2026-01-01%2000%3A00%3A00\
             &end_date=2026-01-31%2023%3A59%3A59&status=SUCCESS\
             &unique_order_id=0b9a8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d&card_id=card201907021723076245"
        )
    );
    assert_issuing_headers(&r);
    assert_eq!(page.total_num, 1);
    let order = &page.list[0];
    assert_eq!(order.amount, dec("10.45"));
    assert_eq!(order.status, CardFundingStatus::Success);
    assert_eq!(order.operate_type, Some(CardFundingOperateType::CardIn));
    assert_eq!(order.created.as_deref(), Some("2026-01-13"));
    // Masked again as decoded: the SDK shows at most the first 4 and the last 4 digits.
    assert_eq!(
        order.card_number.as_ref().unwrap().as_str(),
        "5338********1234"
    );
}

#[tokio::test]
async fn list_cards_page_decodes_string_booleans_and_masks_card_numbers() {
    let server = RecordingServer::start().await;
    let unmasked = CARDS.replace("533803******1234", "5338031234561234");
    server.push(Reply::new(200, unmasked));
    let filter = CardFilter::new()
        .card_status(CardStatus::Active)
        .last4("1234")
        .remark("Travel card");
    let page = client(&server).list_cards_page(&filter, 1).await.unwrap();
    let r = server.single_request();
    assert_eq!(r.path, "/card/issuance/api/issuing/card/v2/detail-list");
    assert_eq!(
        r.query.as_deref(),
        Some("page_no=1&page_size=20&card_status=ACTIVE&last4=1234&remark=Travel%20card")
    );
    let card = &page.list[0];
    assert_eq!(card.card_status, CardStatus::Active);
    assert_eq!(card.card_type, Some(CardType::Share));
    assert_eq!(
        (
            card.cancellation_in_progress,
            card.card_cancelled,
            card.allow_withdrawal
        ),
        (Some(false), Some(false), Some(true))
    );
    let number = card.card_number.as_ref().unwrap().as_str();
    assert!(!number.contains("5338031234561234"), "{number}");
    // Real booleans decode too; anything else is an error at its path.
    server.push(Reply::new(
        200,
        CARDS.replace(
            r#""allow_withdrawal": "true""#,
            r#""allow_withdrawal": true"#,
        ),
    ));
    let page = client(&server).list_cards_page(&filter, 1).await.unwrap();
    assert_eq!(page.list[0].allow_withdrawal, Some(true));
    server.push(Reply::new(
        200,
        CARDS.replace(
            r#""allow_withdrawal": "true""#,
            r#""allow_withdrawal": "yes""#,
        ),
    ));
    let e = client(&server)
        .list_cards_page(&filter, 1)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert_eq!(e.json_path(), Some("data.list[0].allow_withdrawal"));
    // Bad filters are refused before sending.
    let sent = server.requests().len();
    for bad in [
        CardFilter::new().last4("12a4"),
        CardFilter::new().page_size(0),
        CardFilter::new().page_size(101),
        CardFilter::new().between("2026-01-01", "2026-01-31"),
    ] {
        let e = client(&server).list_cards_page(&bad, 1).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Validation, "{bad:?}");
    }
    let e = client(&server)
        .list_cards_page(&CardFilter::new(), 0)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert_eq!(server.requests().len(), sent);
}

#[tokio::test]
async fn list_card_products_decodes_the_products() {
    let server = RecordingServer::start().await;
    server.push(Reply::new(200, PRODUCTS));
    let products = client(&server).list_card_products().await.unwrap();
    let r = server.single_request();
    assert_eq!(r.method, "GET");
    assert_eq!(r.path, "/card/issuance/api/issuing/card/v2/product");
    assert_eq!(r.query, None);
    assert_issuing_headers(&r);
    let p = &products[0];
    assert_eq!(p.card_network, Some(CardNetwork::Visa));
    assert_eq!(p.card_application_fee.unwrap().to_string(), "5.00");
    assert_eq!((p.allow_withdrawal, p.share), (Some(true), Some(false)));
    assert_eq!(p.valid_month, Some(36));
}

/// A page of cards `from..to` (ids `card-N`) with `total_num` `total`.
fn cards_page(from: usize, to: usize, total: usize) -> Reply {
    let list: Vec<Value> = (from..to)
        .map(|i| json!({"card_id": format!("card-{i}"), "card_status": "ACTIVE"}))
        .collect();
    Reply::new(
        200,
        json!({"code": "SUCCESS", "data": {"total_num": total, "list": list}}).to_string(),
    )
}

fn page_numbers(server: &RecordingServer) -> Vec<String> {
    server
        .requests()
        .iter()
        .map(|r| r.query.clone().unwrap_or_default())
        .collect()
}

#[tokio::test]
async fn list_cards_streams_every_item_across_three_pages() {
    let server = RecordingServer::start().await;
    server.push(cards_page(0, 2, 5));
    server.push(cards_page(2, 4, 5));
    server.push(cards_page(4, 5, 5));
    let cards = client(&server)
        .list_cards(&CardFilter::new().page_size(2))
        .collect_all()
        .await
        .unwrap();
    let ids: Vec<&str> = cards.iter().map(|c| c.card_id.as_str()).collect();
    assert_eq!(ids, ["card-0", "card-1", "card-2", "card-3", "card-4"]);
    assert_eq!(
        page_numbers(&server),
        [
            "page_no=1&page_size=2",
            "page_no=2&page_size=2",
            "page_no=3&page_size=2"
        ]
    );
}

#[tokio::test]
async fn the_stream_stops_at_total_num_without_asking_for_an_empty_page() {
    let server = RecordingServer::start().await;
    server.push(cards_page(0, 2, 4));
    server.push(cards_page(2, 4, 4));
    server.set_fallback(cards_page(0, 0, 4));
    let cards = client(&server)
        .list_cards(&CardFilter::new().page_size(2))
        .collect_all()
        .await
        .unwrap();
    assert_eq!(cards.len(), 4);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn an_empty_list_is_one_request_and_no_items() {
    let server = RecordingServer::start().await;
    server.push(Reply::new(
        200,
        r#"{"code":"SUCCESS","data":{"total_num":0,"list":[]}}"#,
    ));
    let mut orders = client(&server).list_card_funding_orders(&FundingOrderFilter::new());
    assert!(orders.next().await.is_none());
    assert_eq!(page_numbers(&server), ["page_no=1&page_size=20"]);
}

#[tokio::test]
async fn a_page_that_repeats_is_an_error_not_an_endless_loop() {
    let server = RecordingServer::start().await;
    // A server that ignores page_no: the same full page, forever, with a large total.
    server.set_fallback(cards_page(0, 2, 1_000));
    let mut stream = client(&server).list_cards(&CardFilter::new().page_size(2));
    let mut items = 0;
    let mut error = None;
    while let Some(item) = stream.next().await {
        match item {
            Ok(_) => items += 1,
            Err(e) => error = Some(e),
        }
    }
    assert_eq!(items, 2, "the first page's items, once");
    let error = error.expect("the repeat is reported");
    assert_eq!(error.kind(), ErrorKind::Protocol);
    assert!(error.message().contains("page 2 repeats page 1"), "{error}");
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_stream_with_a_bad_filter_yields_one_error_and_sends_nothing() {
    let server = RecordingServer::start().await;
    let mut stream = client(&server).list_cards(&CardFilter::new().page_size(500));
    let first = stream.next().await.unwrap().unwrap_err();
    assert_eq!(first.kind(), ErrorKind::Validation);
    assert!(stream.next().await.is_none());
    assert!(server.requests().is_empty());
}
