//! The default transport against a real loopback server.

use ahrvo_testkit::{RecordingServer, Reply};
use std::sync::Arc;

use ahrvo_transport::*;

/// A fixed `Authorization` header, marked sensitive like a family's signer does.
#[derive(Debug)]
struct Basic;

#[async_trait::async_trait]
impl Signer for Basic {
    async fn sign(&self, request: &mut HttpRequest) -> Result<()> {
        let value = sensitive_header("Basic dTpw")?;
        request.headers.insert("authorization", value);
        Ok(())
    }
}

fn config(url: &str) -> ClientConfig {
    ClientConfig::new(Environment::custom(url).unwrap()).with_retry(RetryConfig::disabled())
}

const OP: Operation<()> = Operation::new(
    "getBalance",
    Method::GET,
    "/payments/na/balances/{balance_id}",
);

#[tokio::test]
async fn sends_over_http_and_reads_the_reply() {
    let server = RecordingServer::start().await;
    server.push(Reply::new(200, r#"{"ok":true}"#).header("x-request-id", "req-1"));
    let client = ApiClient::new(
        &config(server.url()),
        Arc::new(Basic),
        Arc::new(GenericErrors),
    )
    .unwrap();
    let resp = client
        .execute(
            ApiRequest::new(OP)
                .path_id("balance_id", "a/b?c#d")
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(&resp.body[..], br#"{"ok":true}"#);
    let seen = server.single_request();
    assert_eq!(seen.method, "GET");
    assert_eq!(seen.path, "/payments/na/balances/a%2Fb%3Fc%23d");
    assert_eq!(seen.query, None);
    assert_eq!(seen.header("authorization"), "Basic dTpw");
}

#[tokio::test]
async fn bodies_over_the_limit_are_refused() {
    let server = RecordingServer::start().await;
    server.push(Reply::new(200, vec![b'x'; 4096]));
    let client = ApiClient::new(
        &config(server.url()).with_max_response_bytes(1024),
        Arc::new(NoAuth),
        Arc::new(GenericErrors),
    )
    .unwrap();
    let err = client
        .execute(ApiRequest::new(OP).path_id("balance_id", "b").unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ResponseTooLarge);
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let server = RecordingServer::start().await;
    server.push(Reply::new(302, "").header("location", "http://127.0.0.1:1/elsewhere"));
    let client = ApiClient::new(
        &config(server.url()),
        Arc::new(NoAuth),
        Arc::new(GenericErrors),
    )
    .unwrap();
    let err = client
        .execute(ApiRequest::new(OP).path_id("balance_id", "b").unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OtherStatus);
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_refused_connection_is_a_connect_error() {
    // Bind then drop a listener to get a port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = ApiClient::new(
        &config(&format!("http://127.0.0.1:{port}")),
        Arc::new(NoAuth),
        Arc::new(GenericErrors),
    )
    .unwrap();
    let err = client
        .execute(ApiRequest::new(OP).path_id("balance_id", "b").unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connect);
    assert!(err.is_retryable() && !err.is_outcome_unknown());
}

#[tokio::test]
async fn error_replies_carry_status_message_and_request_id() {
    let server = RecordingServer::start().await;
    server.push(
        Reply::new(503, "<html><title>503 Service Unavailable</title></html>")
            .content_type("text/html")
            .header("x-request-id", "req-42"),
    );
    let client = ApiClient::new(
        &config(server.url()),
        Arc::new(NoAuth),
        Arc::new(GenericErrors),
    )
    .unwrap();
    let err = client
        .execute(ApiRequest::new(OP).path_id("balance_id", "b").unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server);
    assert_eq!(err.message(), "503 Service Unavailable");
    assert_eq!(err.request_id(), Some("req-42"));
    assert_eq!(
        err.to_string(),
        "getBalance: server error (HTTP 503): 503 Service Unavailable"
    );
}
