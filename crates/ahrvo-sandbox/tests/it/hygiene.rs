//! The pages' seed, budget-name trimming, the headers the pages require, and HTTP hygiene:
//! the server's limits (413, 414), unknown routes, the empty budget list, and connections
//! whose request never finishes arriving.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::time::Duration;

use ahrvo_sandbox::{EmptyBudgets, Sandbox, SandboxConfig};
use serde_json::json;

use crate::common::*;

/// The card page's reconcile example: 246 = 2500.00 and 247 = 850.50, and 245 to 249 are all
/// Dedicated Funds Cards.
#[tokio::test]
async fn the_seed_follows_the_card_pages_examples() {
    let sb = seeded().await;
    let balance = |suffix: &'static str| {
        let sb = &sb;
        async move {
            let path = format!("{CARD}?card_id=card201907021723076{suffix}");
            let reply = issuing_get(sb, &path, Issuing::Good).await;
            assert_eq!(reply.status, 200, "card {suffix}: {}", reply.text);
            reply.body["data"]["available_balance"].clone()
        }
    };
    assert_eq!(balance("245").await, "1468.87");
    assert_eq!(balance("246").await, "2500.00");
    assert_eq!(balance("247").await, "850.50");
    balance("248").await;
    balance("249").await;
}

#[tokio::test]
async fn budget_names_are_trimmed_before_they_are_compared_and_stored() {
    let sb = empty().await;
    let first = issuing_post(&sb, CREATE, r#"{"budget_name": "X"}"#, Issuing::Good).await;
    assert_eq!(first.status, 200, "{}", first.text);
    let padded = issuing_post(&sb, CREATE, r#"{"budget_name": " X "}"#, Issuing::Good).await;
    assert_issuing_error(&padded, 409, "BUDGET_NAME_EXISTS");
    let other = issuing_post(&sb, CREATE, r#"{"budget_name": "\tY  "}"#, Issuing::Good).await;
    // A tab is a control character: refused before trimming.
    assert_issuing_error(&other, 400, "INVALID_PARAMETER");
    let spaced = issuing_post(&sb, CREATE, r#"{"budget_name": "  Y  "}"#, Issuing::Good).await;
    assert_eq!(spaced.status, 200, "{}", spaced.text);
    let list = issuing_get(&sb, LIST, Issuing::Good).await;
    let names: Vec<_> = list.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["budget_name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["X", "Y"]);
    // The library trims the same way.
    assert_eq!(sb.create_budget(" Y", "USD").unwrap_err().status(), 409);
}

#[tokio::test]
async fn an_accept_without_json_is_406_in_the_familys_format() {
    let sb = seeded().await;
    let html = send(api_request(&sb, "get", LIST, true).header("Accept", "text/html")).await;
    assert_issuing_error(&html, 406, "NOT_ACCEPTABLE");
    let payments = send(
        api_request(
            &sb,
            "get",
            &format!("/payments/na/balances/{SEED_BALANCE}"),
            false,
        )
        .header("Accept", "application/xml"),
    )
    .await;
    assert_payments_error(&payments, 406, "NOT_ACCEPTABLE");
    for fine in ["*/*", "application/*", "text/html, application/json;q=0.1"] {
        let reply = send(api_request(&sb, "get", LIST, true).header("Accept", fine)).await;
        assert_eq!(reply.status, 200, "Accept: {fine}: {}", reply.text);
    }
    let absent = send(api_request(&sb, "get", LIST, true)).await;
    assert_eq!(absent.status, 200, "no Accept: {}", absent.text);
    // Authentication first: without credentials the answer is 401 whatever the Accept.
    let anonymous = send(
        client()
            .get(format!("{}{LIST}", sb.base_url()))
            .header("Accept", "text/html"),
    )
    .await;
    assert_issuing_error(&anonymous, 401, "UNAUTHORIZED");
}

#[tokio::test]
async fn a_create_body_that_is_not_json_typed_is_415_and_creates_nothing() {
    let sb = empty().await;
    let body = r#"{"budget_name": "Typed"}"#;
    let plain = send(
        api_request(&sb, "post", CREATE, true)
            .header("Content-Type", "text/plain")
            .body(body),
    )
    .await;
    assert_issuing_error(&plain, 415, "UNSUPPORTED_MEDIA_TYPE");
    let untyped = send(api_request(&sb, "post", CREATE, true).body(body)).await;
    assert_issuing_error(&untyped, 415, "UNSUPPORTED_MEDIA_TYPE");
    assert_eq!(sb.state()["budgets"], json!([]));
    let typed = send(
        api_request(&sb, "post", CREATE, true)
            .header("Content-Type", "application/json; charset=utf-8")
            .body(body),
    )
    .await;
    assert_eq!(typed.status, 200, "{}", typed.text);
}

#[tokio::test]
async fn unknown_routes_have_a_code_of_their_own() {
    let sb = empty().await;
    let no_budgets = issuing_get(&sb, LIST, Issuing::Good).await;
    assert_issuing_error(&no_budgets, 404, "NOT_FOUND");
    let prefixed = issuing_get(&sb, &format!("/wrong-prefix{LIST}"), Issuing::Good).await;
    assert_issuing_error(&prefixed, 404, "ROUTE_NOT_FOUND");
    let payments = payments_get(&sb, "/payments/na/nothing_here", Payments::Good).await;
    assert_payments_error(&payments, 404, "ROUTE_NOT_FOUND");
}

#[tokio::test]
async fn the_empty_budget_list_can_be_an_empty_array() {
    let config = SandboxConfig::default().with_empty_budgets(EmptyBudgets::EmptyList);
    let sb = Sandbox::start_with(config).await.unwrap();
    let reply = issuing_get(&sb, LIST, Issuing::Good).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.body, json!({"code": "SUCCESS", "data": []}));
}

fn issuing_headers(sb: &Sandbox) -> String {
    let c = sb.credentials();
    format!(
        "Host: {}\r\nAuthorization: Bearer {}\r\nx-api-key: {}\r\nAccept: application/json\r\n",
        sb.addr(),
        c.access_token,
        c.api_key
    )
}

/// The JSON body of a raw HTTP/1.1 reply.
fn body_of(reply: &str) -> serde_json::Value {
    let (_, body) = reply.split_once("\r\n\r\n").expect("a complete reply");
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

#[tokio::test]
async fn a_body_over_the_limit_is_413_with_an_api_error_body() {
    let sb = empty().await;
    // Announced: the Content-Length alone is over the limit.
    let announced = format!(
        "POST {CREATE} HTTP/1.1\r\n{}Content-Type: application/json\r\nContent-Length: 1000000\r\nConnection: close\r\n\r\n{{\"budget_name\": \"",
        issuing_headers(&sb)
    );
    let addr = sb.addr();
    let reply = tokio::task::spawn_blocking(move || raw_exchange(addr, announced.as_bytes()))
        .await
        .unwrap();
    assert!(reply.starts_with("HTTP/1.1 413"), "{reply}");
    assert_eq!(body_of(&reply)["code"], "PAYLOAD_TOO_LARGE");
    // Sent: a chunked body that grows over the limit.
    let mut chunked = format!(
        "POST {CREATE} HTTP/1.1\r\n{}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        issuing_headers(&sb)
    );
    for _ in 0..80 {
        chunked.push_str(&format!("400\r\n{}\r\n", "x".repeat(1024)));
    }
    chunked.push_str("0\r\n\r\n");
    let reply = tokio::task::spawn_blocking(move || raw_exchange(addr, chunked.as_bytes()))
        .await
        .unwrap();
    assert!(reply.starts_with("HTTP/1.1 413"), "{reply}");
    assert_eq!(body_of(&reply)["code"], "PAYLOAD_TOO_LARGE");
    assert_eq!(sb.state()["budgets"], json!([]));
}

/// Sends `request` on a raw connection and reads until the server closes it (or 10 s pass,
/// which fails the test: the server must answer or close by itself).
fn raw_exchange(addr: std::net::SocketAddr, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let _ = stream.write_all(request);
    let mut reply = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        match stream.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => reply.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(e) => panic!("the server neither answered nor closed the connection: {e}"),
        }
    }
    String::from_utf8_lossy(&reply).into_owned()
}

#[tokio::test]
async fn a_uri_over_the_limit_is_414_with_the_familys_error_body() {
    let sb = seeded().await;
    let long = "x".repeat(9 * 1024);
    let issuing = issuing_get(&sb, &format!("{CARD}?card_id={long}"), Issuing::Good).await;
    assert_issuing_error(&issuing, 414, "URI_TOO_LONG");
    let payments = payments_get(
        &sb,
        &format!("/payments/na/balances/{long}"),
        Payments::Good,
    )
    .await;
    assert_payments_error(&payments, 414, "URI_TOO_LONG");
}

/// A request that announces more body than it sends is dropped after the read timeout, with
/// no reply; so is one whose headers never end.
#[tokio::test]
async fn a_request_that_never_finishes_arriving_is_dropped_after_the_read_timeout() {
    let config = SandboxConfig::default().with_read_timeout(Duration::from_millis(200));
    let sb = Sandbox::start_with(config).await.unwrap();
    let short_body = format!(
        "POST {CREATE} HTTP/1.1\r\n{}Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"budget",
        issuing_headers(&sb)
    );
    let addr = sb.addr();
    let reply = tokio::task::spawn_blocking(move || raw_exchange(addr, short_body.as_bytes()))
        .await
        .unwrap();
    assert_eq!(reply, "", "the connection is closed without a reply");
    let partial_headers = format!("GET {LIST} HTTP/1.1\r\nHost: {addr}\r\nAccept: appl");
    let reply = tokio::task::spawn_blocking(move || raw_exchange(addr, partial_headers.as_bytes()))
        .await
        .unwrap();
    assert!(
        reply.is_empty() || reply.starts_with("HTTP/1.1 408"),
        "closed, at most with hyper's own 408: {reply}"
    );
    // The server still serves everyone else.
    assert_eq!(issuing_get(&sb, LIST, Issuing::Good).await.status, 404);
}
