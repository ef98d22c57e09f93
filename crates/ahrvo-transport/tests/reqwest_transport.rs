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

/// A loopback server that answers every connection with `raw` bytes, as they are.
async fn raw_server(raw: &'static [u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let _ = socket.write_all(raw).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    url
}

fn transport(limit: usize) -> ReqwestTransport {
    ReqwestTransport::new(&ClientConfig::default().with_max_response_bytes(limit)).unwrap()
}

#[tokio::test]
async fn a_body_of_exactly_the_limit_is_accepted_one_byte_more_is_not() {
    let server = RecordingServer::start().await;
    server.push(Reply::new(200, vec![b'x'; 1024]));
    server.push(Reply::new(200, vec![b'x'; 1025]));
    let t = transport(1024);
    let url = format!("{}/x", server.url());
    let ok = t.send(HttpRequest::new(Method::GET, &url)).await.unwrap();
    assert_eq!(ok.body.len(), 1024);
    let err = t
        .send(HttpRequest::new(Method::GET, &url))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ResponseTooLarge);
}

#[tokio::test]
async fn a_chunked_body_over_the_limit_is_refused_too() {
    // No Content-Length: the limit is enforced while reading the chunks.
    // One 2048-byte chunk (0x800), then the end.
    static CHUNKED: std::sync::LazyLock<Vec<u8>> = std::sync::LazyLock::new(|| {
        let mut raw = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n800\r\n".to_vec();
        raw.extend(std::iter::repeat_n(b'x', 2048));
        raw.extend_from_slice(b"\r\n0\r\n\r\n");
        raw
    });
    let url = raw_server(&CHUNKED).await;
    let err = transport(1024)
        .send(HttpRequest::new(Method::GET, format!("{url}/x")))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ResponseTooLarge, "{err:?}");
}

#[tokio::test]
async fn a_reply_that_is_not_http_is_a_protocol_error() {
    let url = raw_server(b"SMTP ready\r\n\r\n").await;
    let err = transport(1024)
        .send(HttpRequest::new(Method::GET, format!("{url}/x")))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Protocol, "{err:?}");
}

#[tokio::test]
async fn a_post_body_is_sent_as_given() {
    let server = RecordingServer::start().await;
    server.push(Reply::new(200, "{}"));
    let mut request = HttpRequest::new(Method::POST, format!("{}/x", server.url()));
    request.body = bytes::Bytes::from_static(br#"{"budget_name":"Ops"}"#);
    transport(1024).send(request).await.unwrap();
    assert_eq!(
        &server.single_request().body[..],
        br#"{"budget_name":"Ops"}"#
    );
}

#[tokio::test]
async fn each_failure_says_what_happened() {
    // Nothing listens: refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let e = transport(1024)
        .send(HttpRequest::new(
            Method::GET,
            format!("http://127.0.0.1:{port}/"),
        ))
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.message()),
        (ErrorKind::Connect, "could not connect")
    );

    // Accepted, never answered, with reqwest's own timeout.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let _held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            open.push(socket);
        }
    });
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_millis(200))
        .build()
        .unwrap();
    let e = ReqwestTransport::from_client(client, 1024)
        .send(HttpRequest::new(Method::GET, url))
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.message()),
        (ErrorKind::Timeout, "no reply in time")
    );

    // Not a URL at all.
    let e = transport(1024)
        .send(HttpRequest::new(Method::GET, "http://[::1"))
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.message()),
        (ErrorKind::Config, "the request could not be built")
    );
}
