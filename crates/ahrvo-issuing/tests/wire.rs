//! Each Issuing operation over real HTTP against a loopback server: what is sent (method, path,
//! query, headers, body) and how the pages' example replies and every documented error decode.

use std::time::Duration;

use ahrvo_issuing::*;
use ahrvo_testkit::{RecordingServer, Reply};

const LIST_FIXTURE: &str = include_str!("fixtures/listBudgetBalances.json");
const CREATE_FIXTURE: &str = include_str!("fixtures/createBudget.json");
const CARD_FIXTURE: &str = include_str!("fixtures/getCardBalance.json");

/// `text` with `from` replaced by `to`. `from` must occur exactly once: an edit that matched
/// nothing would leave the fixture as it was, and the test would check nothing.
#[track_caller]
fn edit(text: &str, from: &str, to: &str) -> String {
    assert_ne!(from, to, "an edit that changes nothing");
    let n = text.matches(from).count();
    assert_eq!(n, 1, "{from:?} occurs {n} times in the fixture, not once");
    text.replacen(from, to, 1)
}

fn client(server: &RecordingServer) -> IssuingClient {
    let retry = RetryConfig::default().with_initial_backoff(Duration::from_millis(1));
    let config = ClientConfig::new(Environment::custom(server.url()).unwrap()).with_retry(retry);
    let client = IssuingClient::new(
        &config,
        IssuingCredentials::new("test-api-key", "test-token"),
    )
    .unwrap();
    assert_eq!(client.base_url(), server.url().trim_end_matches('/'));
    client
}

fn assert_issuing_headers(r: &ahrvo_testkit::Recorded) {
    assert_eq!(r.header("authorization"), "Bearer test-token");
    assert_eq!(r.header("x-api-key"), "test-api-key");
    assert_eq!(r.header("accept"), "application/json");
    assert!(r.header("user-agent").starts_with("ahrvo-rs/"));
}

#[tokio::test]
async fn list_budget_balances_sends_a_signed_get_and_decodes_the_page_example() {
    let server = RecordingServer::start().await;
    server.push(Reply::new(200, LIST_FIXTURE));
    let budgets = client(&server).list_budget_balances().await.unwrap();

    let r = server.single_request();
    assert_eq!(r.method, "GET");
    assert_eq!(r.path, "/card/issuance/api/issuing/budget/v2/balance/all");
    assert_eq!(r.query, None);
    assert_issuing_headers(&r);
    assert_eq!(r.header("content-type"), "");
    assert!(r.body.is_empty());

    assert_eq!(budgets.len(), 3);
    assert_eq!(budgets[0].budget_id, "ci202507232016182661");
    assert_eq!(budgets[0].budget_name, "Marketing Department Budget");
    assert_eq!(budgets[0].balance, "45250.75".parse::<Decimal>().unwrap());
    assert_eq!(budgets[1].balance.to_string(), "78900.00");
    assert_eq!(budgets[2].currency, Currency::USD);
    // Encoding the models gives back the page's data exactly, scale included.
    let fixture: serde_json::Value = serde_json::from_str(LIST_FIXTURE).unwrap();
    assert_eq!(serde_json::to_value(&budgets).unwrap(), fixture["data"]);
}

#[tokio::test]
async fn no_budgets_is_an_empty_list_either_way() {
    let server = RecordingServer::start().await;
    server.push(Reply::new(200, r#"{"code":"SUCCESS","data":[]}"#));
    server.push(Reply::new(
        404,
        r#"{"code":"NOT_FOUND","message":"No budget accounts exist"}"#,
    ));
    let c = client(&server);
    assert!(c.list_budget_balances().await.unwrap().is_empty());
    assert!(c.list_budget_balances().await.unwrap().is_empty());
    // A 404 that is not the API's (a proxy page) stays an error.
    server.push(
        Reply::new(404, "<html><title>404 Not Found</title></html>").content_type("text/html"),
    );
    let e = c.list_budget_balances().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(e.message(), "404 Not Found");
}

#[tokio::test]
async fn create_budget_posts_the_trimmed_name_and_returns_the_id() {
    let server = RecordingServer::start().await;
    server.push(Reply::new(200, CREATE_FIXTURE));
    let created = client(&server)
        .create_budget("  Marketing Department Budget \n")
        .await
        .unwrap();
    assert_eq!(created.budget_id, BudgetId::from("ci202507232016182661"));
    assert!(!created.recovered);

    let r = server.single_request();
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, "/card/issuance/api/issuing/budget/v2/create");
    assert_issuing_headers(&r);
    assert_eq!(r.header("content-type"), "application/json");
    let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"budget_name": "Marketing Department Budget"})
    );
}

#[tokio::test]
async fn bad_budget_names_are_refused_before_sending() {
    let server = RecordingServer::start().await;
    let c = client(&server);
    let long = "x".repeat(101);
    for name in [
        "",
        "   ",
        "\t\n",
        long.as_str(),
        "a\u{0}b",
        "line\nbreak",
        "bell\u{7}",
    ] {
        let e = c.create_budget(name).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Validation, "{name:?}");
    }
    server.push(Reply::new(200, CREATE_FIXTURE));
    assert!(c.create_budget(&"é".repeat(100)).await.is_ok()); // 100 characters is the limit
    assert_eq!(
        server.requests().len(),
        1,
        "only the valid 100-char name was sent"
    );
}

#[tokio::test]
async fn create_budget_maps_conflict_and_bad_request_with_the_api_message() {
    let server = RecordingServer::start().await;
    server.push(Reply::new(
        409,
        r#"{"code":"BUDGET_NAME_EXISTS","message":"Budget account with this name already exists"}"#,
    ));
    server.push(Reply::new(
        400,
        r#"{"code":"INVALID_PARAMETER","message":"Invalid budget_name"}"#,
    ));
    let c = client(&server);
    let e = c.create_budget("Travel Expenses").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
    assert_eq!(e.status().map(|s| s.as_u16()), Some(409));
    assert_eq!(e.api_code(), Some("BUDGET_NAME_EXISTS"));
    assert_eq!(e.message(), "Budget account with this name already exists");
    let e = c.create_budget("Travel Expenses 2").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadRequest);
    assert_eq!(e.message(), "Invalid budget_name");
}

#[tokio::test]
async fn create_budget_is_resent_after_a_server_error_and_never_doubles() {
    // A 5xx may or may not have created the budget; the name is the API's duplicate check, so
    // the create is sent again and a 409 that follows is resolved by name.
    let server = RecordingServer::start().await;
    server.push(Reply::new(
        503,
        r#"{"code":"UNAVAILABLE","message":"try later"}"#,
    ));
    server.push(Reply::new(
        409,
        r#"{"code":"BUDGET_NAME_EXISTS","message":"Budget account with this name already exists"}"#,
    ));
    server.push(Reply::new(
        200,
        r#"{"code":"SUCCESS","data":[{"budget_id":"ci9","budget_name":"Ops","balance":"0.00","currency":"USD"}]}"#,
    ));
    let created = client(&server).create_budget("Ops").await.unwrap();
    assert_eq!(
        (created.budget_id.as_str(), created.recovered),
        ("ci9", true)
    );
    let methods: Vec<_> = server.requests().iter().map(|r| r.method.clone()).collect();
    assert_eq!(methods, ["POST", "POST", "GET"]);

    // Still failing after every attempt: the error says the outcome is unknown.
    let server = RecordingServer::start().await;
    server.set_fallback(Reply::new(
        503,
        r#"{"code":"UNAVAILABLE","message":"try later"}"#,
    ));
    let e = client(&server).create_budget("Ops").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Server);
    assert!(e.is_outcome_unknown() && e.prior_outcome_unknown(), "{e:?}");
    assert_eq!(server.requests().len(), 3);
    assert_eq!(e.attempts(), 3);
}

#[tokio::test]
async fn get_card_balance_sends_the_card_id_as_one_query_value() {
    let server = RecordingServer::start().await;
    server.push(Reply::new(200, CARD_FIXTURE));
    server.push(Reply::new(200, CARD_FIXTURE));
    let c = client(&server);
    let card = c.get_card_balance("card201907021723076245").await.unwrap();
    assert_eq!(card.card_number.as_str(), "5157********2686");
    assert_eq!(card.card_number.last4(), Some("2686"));
    assert_eq!(card.available_balance.to_string(), "1468.87");
    c.get_card_balance("x&card_id=other#frag").await.unwrap();

    let r = server.requests();
    assert_eq!(r[0].method, "GET");
    assert_eq!(
        r[0].path,
        "/card/issuance/api/issuing/card/v2/normal/balance"
    );
    assert_eq!(
        r[0].query.as_deref(),
        Some("card_id=card201907021723076245")
    );
    assert_issuing_headers(&r[0]);
    assert_eq!(
        r[1].query.as_deref(),
        Some("card_id=x%26card_id%3Dother%23frag")
    );
}

#[tokio::test]
async fn card_errors_map_to_kinds_with_messages() {
    let server = RecordingServer::start().await;
    server.push(Reply::new(
        400,
        r#"{"code":"INVALID_CARD_TYPE","message":"Card is not a Dedicated Funds Card"}"#,
    ));
    server.push(Reply::new(
        404,
        r#"{"code":"CARD_NOT_FOUND","message":"Card does not exist"}"#,
    ));
    server.push(Reply::new(
        403,
        r#"{"code":"FORBIDDEN","message":"Card issuance feature not enabled"}"#,
    ));
    let c = client(&server);
    let e = c.get_card_balance("card_shared").await.unwrap_err();
    assert_eq!(
        (e.kind(), e.message()),
        (ErrorKind::BadRequest, "Card is not a Dedicated Funds Card")
    );
    let e = c.get_card_balance("card_missing").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    let e = c.get_card_balance("card_x").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Forbidden);
    assert!(c.get_card_balance("").await.unwrap_err().kind() == ErrorKind::Validation);
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn a_401_with_a_fixed_token_is_one_request_and_the_error() {
    let server = RecordingServer::start().await;
    server.set_fallback(Reply::new(
        401,
        r#"{"code":"UNAUTHORIZED","message":"Invalid token"}"#,
    ));
    let e = client(&server).list_budget_balances().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthorized);
    assert_eq!(e.message(), "Invalid token");
    assert_eq!(e.api_code(), Some("UNAUTHORIZED"));
    assert_eq!(
        server.requests().len(),
        1,
        "the same token is not sent twice"
    );
    assert_eq!(e.attempts(), 1);
}

/// Hands out `token-N`, N counting refreshes.
#[derive(Debug, Default)]
struct Rotating(std::sync::atomic::AtomicU32);

#[async_trait::async_trait]
impl TokenProvider for Rotating {
    async fn access_token(&self, refresh: bool) -> Result<Secret> {
        use std::sync::atomic::Ordering::SeqCst;
        if refresh {
            self.0.fetch_add(1, SeqCst);
        }
        Ok(Secret::new(format!("token-{}", self.0.load(SeqCst))))
    }
}

#[tokio::test]
async fn a_401_with_a_refreshed_token_is_sent_once_more_with_it() {
    let server = RecordingServer::start().await;
    server.push(Reply::new(
        401,
        r#"{"code":"UNAUTHORIZED","message":"Token expired"}"#,
    ));
    server.push(Reply::new(200, LIST_FIXTURE));
    let config = ClientConfig::new(Environment::custom(server.url()).unwrap());
    let client = IssuingClient::new(
        &config,
        IssuingCredentials::with_token_provider("test-api-key", Rotating::default()),
    )
    .unwrap();
    assert_eq!(client.list_budget_balances().await.unwrap().len(), 3);
    let seen = server.requests();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].header("authorization"), "Bearer token-0");
    assert_eq!(seen[1].header("authorization"), "Bearer token-1");

    // A provider that keeps refusing: one refresh, then the error.
    server.set_fallback(Reply::new(401, r#"{"code":"UNAUTHORIZED"}"#));
    let e = client.list_budget_balances().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthorized);
    assert_eq!(server.requests().len(), 4);
}

#[tokio::test]
async fn a_200_with_a_failure_code_is_an_api_error() {
    let server = RecordingServer::start().await;
    server.push(Reply::new(
        200,
        r#"{"code":"SYSTEM_BUSY","message":"System busy"}"#,
    ));
    server.push(Reply::new(
        200,
        r#"{"code":"FAIL","message":"no","data":{"weird":1}}"#,
    ));
    let c = client(&server);
    let e = c.list_budget_balances().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Api);
    assert_eq!(e.api_code(), Some("SYSTEM_BUSY"));
    assert_eq!(e.message(), "System busy");
    let e = c.get_card_balance("c").await.unwrap_err();
    assert_eq!((e.kind(), e.api_code()), (ErrorKind::Api, Some("FAIL")));
}

#[tokio::test]
async fn malformed_replies_are_decode_errors_with_the_field_path() {
    let server = RecordingServer::start().await;
    let bad = edit(LIST_FIXTURE, "\"78900.00\"", "\"78,900.00\"");
    server.push(Reply::new(200, bad));
    server.push(Reply::new(200, r#"{"code":"SUCCESS"}"#));
    server.push(Reply::new(200, "<html>gateway</html>").content_type("text/html"));
    let c = client(&server);
    let e = c.list_budget_balances().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert_eq!(e.json_path(), Some("data[1].balance"));
    assert!(e.body().is_some());
    let e = c.list_budget_balances().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert_eq!(
        c.list_budget_balances().await.unwrap_err().kind(),
        ErrorKind::Decode
    );
}

#[tokio::test]
async fn server_errors_on_reads_are_retried() {
    let server = RecordingServer::start().await;
    server.push(Reply::new(503, "busy").content_type("text/plain"));
    server.push(Reply::new(200, LIST_FIXTURE));
    assert_eq!(
        client(&server).list_budget_balances().await.unwrap().len(),
        3
    );
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn debug_of_clients_and_errors_has_no_secrets() {
    let config = ClientConfig::new(Environment::Staging);
    let c = IssuingClient::new(
        &config,
        IssuingCredentials::new("KEY-s3cr3t", "TOKEN-s3cr3t"),
    )
    .unwrap();
    let e = validate_budget_name("").unwrap_err();
    let shown = format!("{c:?} {c:#?} {e:?} {e}");
    assert!(!shown.contains("s3cr3t"), "{shown}");
}
