//! Hostile input, catalogued (docs/reliability.md): budget names and ids a caller may pass, and
//! replies a server or a proxy may send. Each case states its outcome: a validation error before
//! any request, one encoded path segment or query value (checked against what a server actually
//! received), a decode error naming the JSON path, or a kept unknown value. Never a panic.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use ahrvo::types::{BalanceType, LinkedType};
use ahrvo::{
    ClientConfig, Environment, ErrorKind, IssuingClient, IssuingCredentials, PaymentsClient,
    PaymentsCredentials, RetryConfig,
};
use ahrvo_sandbox::Sandbox;
use ahrvo_testkit::{RecordingServer, Reply};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const BALANCE_FIXTURE: &str = include_str!("fixtures/getBalance.json");
const LIST_FIXTURE: &str = include_str!("fixtures/listBudgetBalances.json");
const CARD_FIXTURE: &str = include_str!("fixtures/getCardBalance.json");

fn config(url: &str) -> ClientConfig {
    ClientConfig::new(Environment::custom(url).unwrap())
        .with_retry(RetryConfig::default().with_initial_backoff(Duration::from_millis(1)))
}

fn issuing(url: &str) -> IssuingClient {
    IssuingClient::new(&config(url), IssuingCredentials::new("k", "t")).unwrap()
}

fn payments(url: &str) -> PaymentsClient {
    PaymentsClient::new(&config(url), PaymentsCredentials::new("u", "p")).unwrap()
}

/// Percent-decodes `s` (the server's view of one segment or value).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        if let (b'%', Some(byte)) = (bytes[i], hex) {
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Budget names.
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn hostile_budget_names_are_refused_before_any_request() {
    let server = RecordingServer::start().await;
    let c = issuing(server.url());
    let long_101 = "x".repeat(101);
    let long_101_unicode = "é".repeat(101);
    let very_long = "budget ".repeat(150_000); // ~1 MB
    let cases: &[(&str, &str)] = &[
        ("empty", ""),
        ("spaces only", "     "),
        ("whitespace only", " \t\r\n\u{a0}\u{2003}\u{3000} "),
        ("101 characters", &long_101),
        ("101 two-byte characters", &long_101_unicode),
        ("1 MB", &very_long),
        ("NUL", "a\u{0}b"),
        ("bell", "bell\u{7}"),
        ("escape sequence", "\u{1b}[31mred\u{1b}[0m"),
        ("newline inside", "line\nbreak"),
        ("tab inside", "tab\there"),
        ("carriage return inside", "a\rb"),
        ("DEL", "a\u{7f}"),
        ("C1 control (NEL)", "a\u{85}b"),
        ("header injection", "x\r\nX-Injected: 1"),
    ];
    for (what, name) in cases {
        let e = c.create_budget(name).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Validation, "{what}");
        assert!(!e.is_retryable(), "{what}");
        assert_eq!(e.attempts(), 0, "{what}");
        assert!(
            e.message().starts_with("budget_name"),
            "{what}: {}",
            e.message()
        );
    }
    assert!(server.requests().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn unusual_but_valid_names_are_sent_trimmed_and_exact() {
    let server = RecordingServer::start().await;
    server.set_fallback(Reply::new(
        200,
        r#"{"code":"SUCCESS","data":{"budget_id":"ci1"}}"#,
    ));
    let c = issuing(server.url());
    let hundred = "é".repeat(100);
    let names = [
        (format!("  {hundred}\n"), hundred.clone()),
        (
            "Ops \"quoted\" \\ back".into(),
            "Ops \"quoted\" \\ back".into(),
        ),
        ("💳 Cards 2026".into(), "💳 Cards 2026".into()),
        ("RTL \u{202e}txt".into(), "RTL \u{202e}txt".into()), // format char, not control
        (
            "<script>alert(1)</script>".into(),
            "<script>alert(1)</script>".into(),
        ),
        (
            "'; DROP TABLE budgets; --".into(),
            "'; DROP TABLE budgets; --".into(),
        ),
    ];
    for (given, _) in &names {
        c.create_budget(given).await.unwrap();
    }
    let sent: Vec<String> = server
        .requests()
        .iter()
        .map(|r| {
            let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
            assert_eq!(v.as_object().unwrap().len(), 1, "only budget_name");
            v["budget_name"].as_str().unwrap().to_owned()
        })
        .collect();
    let want: Vec<String> = names.into_iter().map(|(_, w)| w).collect();
    assert_eq!(sent, want);
}

// ---------------------------------------------------------------------------------------------
// Ids.
// ---------------------------------------------------------------------------------------------

/// Ids that must be refused before sending.
const REFUSED_IDS: &[&str] = &[
    "",
    " ",
    "\t",
    ".",
    "..",
    "a\nb",
    "\r\nX-Injected: 1",
    "\u{0}",
];

/// Ids that are sent, each as exactly one segment or value.
fn sent_ids() -> Vec<String> {
    [
        "a/b",
        "../../admin",
        "...",
        "%2e%2e",
        "%2E%2E%2F",
        ".%2e",
        "?x=1",
        "&x=1",
        "#",
        "#frag",
        "a b",
        " leading",
        "a+b",
        "a;b=c",
        "é",
        "💳",
        "\u{202e}rtl",
        "a%2Fb",
        "%",
        "%zz",
        "~user",
        "\\..\\",
    ]
    .into_iter()
    .map(str::to_owned)
    .chain(["x".repeat(10_000), "/".repeat(50)])
    .collect()
}

#[tokio::test]
async fn path_ids_are_one_encoded_segment_as_received() {
    let server = RecordingServer::start().await;
    server.set_fallback(Reply::new(200, BALANCE_FIXTURE));
    let c = payments(server.url());
    for id in REFUSED_IDS {
        let e = c.get_balance(*id).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Validation, "{id:?}");
        let e = c.get_balance_entry(*id).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Validation, "{id:?}");
    }
    assert!(server.requests().is_empty());

    let ids = sent_ids();
    for id in &ids {
        c.get_balance(id.as_str()).await.unwrap();
        c.get_balance_entry(id.as_str()).await.unwrap_err(); // a Balance is not an entry
    }
    let received = server.requests();
    assert_eq!(received.len(), ids.len() * 2);
    for (pair, id) in received.chunks(2).zip(&ids) {
        for (r, prefix) in pair
            .iter()
            .zip(["/payments/na/balances/", "/payments/na/balance_entries/"])
        {
            assert_eq!(r.query, None, "{id:?}: the query changed");
            let segment = r.path.strip_prefix(prefix).unwrap_or_else(|| {
                panic!("{id:?}: the path changed: {}", r.path);
            });
            assert!(
                !segment.contains(['/', '?', '#']),
                "{id:?}: more than one segment: {segment}"
            );
            assert_eq!(&percent_decode(segment), id, "{id:?}");
        }
    }
}

#[tokio::test]
async fn query_ids_are_one_encoded_value_as_received() {
    let server = RecordingServer::start().await;
    server.set_fallback(Reply::new(200, CARD_FIXTURE));
    let c = issuing(server.url());
    for id in REFUSED_IDS {
        let e = c.get_card_balance(*id).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Validation, "{id:?}");
    }
    assert!(server.requests().is_empty());
    let ids = sent_ids();
    for id in &ids {
        c.get_card_balance(id.as_str()).await.unwrap();
    }
    for (r, id) in server.requests().iter().zip(&ids) {
        assert_eq!(
            r.path, "/card/issuance/api/issuing/card/v2/normal/balance",
            "{id:?}"
        );
        let query = r.query.as_deref().unwrap();
        let value = query.strip_prefix("card_id=").unwrap();
        assert!(
            !value.contains(['&', '=', '#', '+']),
            "{id:?}: one value only: {query}"
        );
        assert_eq!(&percent_decode(value), id, "{id:?}");
    }
}

#[tokio::test]
async fn the_sandbox_looks_up_exactly_the_id_given() {
    // The sandbox decodes one segment and echoes the id in its 404: the API sees what was asked.
    let sandbox = Sandbox::start_seeded().await.unwrap();
    let c = PaymentsClient::new(
        &config(sandbox.base_url()),
        PaymentsCredentials::new(ahrvo::SANDBOX_USERNAME, ahrvo::SANDBOX_PASSWORD),
    )
    .unwrap();
    for id in ["a/b", "../balances", "%2e%2e", "?x=1", "#", "a b", "ünï💳"] {
        let e = c.get_balance(id).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound, "{id:?}: {e}");
        assert!(
            e.message()
                .starts_with(&format!("Balance resource not found: {id} (logref ")),
            "{id:?}: {}",
            e.message()
        );
    }
    // And a real id with a suffix that would escape is not the real one.
    let e = c
        .get_balance("balance_dyz5APsJebDef9oTW9J2Hc/../x")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
}

// ---------------------------------------------------------------------------------------------
// Replies.
// ---------------------------------------------------------------------------------------------

/// How a reply must be taken.
#[derive(Debug)]
enum Outcome {
    /// A decode error at this JSON path.
    Decode(&'static str),
    /// An error of this kind.
    Kind(ErrorKind),
}

async fn check_payments_replies(cases: Vec<(&str, Reply, Outcome)>) {
    let server = RecordingServer::start().await;
    let c = payments(server.url());
    for (what, reply, want) in cases {
        server.push(reply);
        let e = c.get_balance("b").await.expect_err(what);
        check(what, &e, &want);
    }
}

fn check(what: &str, e: &ahrvo::Error, want: &Outcome) {
    // Both renderings work on any error, whatever the body.
    let _ = (e.to_string(), format!("{e:?}"), e.body_snippet());
    match want {
        Outcome::Decode(path) => {
            assert_eq!(e.kind(), ErrorKind::Decode, "{what}: {e:?}");
            assert_eq!(e.json_path(), Some(*path), "{what}: {e}");
            assert!(!e.is_retryable(), "{what}");
            assert!(e.body().is_some(), "{what}: the body is kept for diagnosis");
        }
        Outcome::Kind(kind) => assert_eq!(e.kind(), *kind, "{what}: {e:?}"),
    }
}

fn deep(n: usize) -> String {
    format!("{}{}", "[".repeat(n), "]".repeat(n))
}

#[tokio::test]
async fn hostile_payments_replies_are_decode_errors_with_paths() {
    let with = |from: &str, to: &str| {
        assert!(BALANCE_FIXTURE.contains(from), "{from}");
        BALANCE_FIXTURE.replacen(from, to, 1)
    };
    let html = "<!DOCTYPE html><html><head><title>Bad Gateway</title></head>\
                <body><h1>502</h1></body></html>";
    let cases = vec![
        ("not JSON", Reply::new(200, "hello"), Outcome::Decode(".")),
        (
            "an HTML proxy page with 200",
            Reply::new(200, html).content_type("text/html"),
            Outcome::Decode("."),
        ),
        ("an empty body", Reply::new(200, ""), Outcome::Decode(".")),
        ("JSON null", Reply::new(200, "null"), Outcome::Decode(".")),
        ("a JSON array", Reply::new(200, "[]"), Outcome::Decode(".")),
        (
            "truncated JSON",
            Reply::new(200, &BALANCE_FIXTURE[..BALANCE_FIXTURE.len() / 2]),
            Outcome::Decode("currency"),
        ),
        (
            "trailing garbage",
            Reply::new(200, format!("{BALANCE_FIXTURE} trailing")),
            Outcome::Decode("."),
        ),
        (
            "cents as a string",
            Reply::new(200, with("1250000", "\"1250000\"")),
            Outcome::Decode("available_amount"),
        ),
        (
            "cents with an exponent",
            Reply::new(200, with("1250000", "1.25e6")),
            Outcome::Decode("available_amount"),
        ),
        (
            "cents as a fraction",
            Reply::new(200, with("1250000", "12500.5")),
            Outcome::Decode("available_amount"),
        ),
        (
            "cents beyond i64",
            Reply::new(200, with("1250000", "9223372036854775808")),
            Outcome::Decode("available_amount"),
        ),
        (
            "cents below i64",
            Reply::new(200, with("1250000", "-9223372036854775809")),
            Outcome::Decode("available_amount"),
        ),
        (
            "cents far beyond any integer",
            Reply::new(200, with("1250000", &"9".repeat(400))),
            Outcome::Decode("available_amount"),
        ),
        (
            "a wrong type for the currency",
            Reply::new(200, with("\"USD\"", "840")),
            Outcome::Decode("currency"),
        ),
        (
            "a lower-case currency",
            Reply::new(200, with("\"USD\"", "\"usd\"")),
            Outcome::Decode("currency"),
        ),
        (
            "a timestamp that is not one",
            Reply::new(200, with("\"2024-05-01T18:04:33.42Z\"", "\"yesterday\"")),
            Outcome::Decode("created_at"),
        ),
        (
            "a missing required field",
            Reply::new(200, with("\"posted_amount\"", "\"posted_amount_renamed\"")),
            Outcome::Decode("."),
        ),
        (
            "tags that are not strings",
            Reply::new(200, with("\"tags\": {", "\"tags\": {\"n\": 1, ")),
            Outcome::Decode("tags.n"),
        ),
        (
            "deep nesting in a known field",
            Reply::new(
                200,
                with(
                    "\"tags\": {",
                    &format!("\"tags\": {{\"a\": {}, ", deep(100_000)),
                ),
            ),
            Outcome::Decode("tags.a"),
        ),
        (
            "deep nesting as the whole body",
            Reply::new(200, deep(1_000_000)),
            Outcome::Decode("[0]"),
        ),
        (
            "invalid UTF-8 in a string",
            Reply::new(200, {
                let mut b = with("\"USD\"", "\"US\u{1}\"").into_bytes();
                let at = b.iter().position(|&c| c == 1).unwrap();
                b[at] = 0xff;
                b
            }),
            Outcome::Decode("currency"),
        ),
        (
            "a 500 HTML page",
            Reply::new(500, html).content_type("text/html"),
            Outcome::Kind(ErrorKind::Server),
        ),
        (
            "a 404 with an empty body",
            Reply::new(404, ""),
            Outcome::Kind(ErrorKind::NotFound),
        ),
        (
            "a 302 redirect (not followed)",
            Reply::new(302, "").header("location", "http://evil.example/steal"),
            Outcome::Kind(ErrorKind::OtherStatus),
        ),
        (
            "a 1000-byte message of binary junk with 400",
            Reply::new(
                400,
                (0..1000u32).map(|i| (i % 256) as u8).collect::<Vec<u8>>(),
            ),
            Outcome::Kind(ErrorKind::BadRequest),
        ),
    ];
    check_payments_replies(cases).await;
}

#[tokio::test]
async fn unknown_enum_values_and_fields_are_kept_or_ignored() {
    let server = RecordingServer::start().await;
    let reply = BALANCE_FIXTURE
        .replacen("\"DISBURSEMENT\"", "\"SOMETHING_NEW\"", 1)
        .replacen("\"APPLICATION\"", "\"MERCHANT_V2\"", 1)
        .replacen(
            '{',
            "{\"brand_new_field\": {\"nested\": [1, 2, {\"x\": null}]},",
            1,
        )
        // An unknown field nested 100,000 deep is skipped without recursion: no stack overflow.
        .replacen('{', &format!("{{\"deep_unknown\": {},", deep(100_000)), 1);
    server.push(Reply::new(200, reply));
    let b = payments(server.url()).get_balance("b").await.unwrap();
    assert_eq!(b.balance_type, BalanceType::Unknown("SOMETHING_NEW".into()));
    assert_eq!(
        b.linked_type,
        Some(LinkedType::Unknown("MERCHANT_V2".into()))
    );
    // Written back exactly as received.
    let again = serde_json::to_value(&b).unwrap();
    assert_eq!(again["type"], "SOMETHING_NEW");
    assert_eq!(again["linked_type"], "MERCHANT_V2");
}

#[tokio::test]
async fn hostile_issuing_replies_are_decode_errors_with_paths() {
    let server = RecordingServer::start().await;
    let c = issuing(server.url());
    let with = |from: &str, to: &str| {
        assert!(LIST_FIXTURE.contains(from), "{from}");
        LIST_FIXTURE.replacen(from, to, 1)
    };
    let cases = vec![
        (
            "a decimal with an exponent",
            with("\"45250.75\"", "\"4.525075e4\""),
            Outcome::Decode("data[0].balance"),
        ),
        (
            "a decimal with thousands separators",
            with("\"45250.75\"", "\"45,250.75\""),
            Outcome::Decode("data[0].balance"),
        ),
        (
            "a decimal with a space",
            with("\"45250.75\"", "\" 45250.75\""),
            Outcome::Decode("data[0].balance"),
        ),
        (
            "a decimal as a JSON number",
            with("\"45250.75\"", "45250.75"),
            Outcome::Decode("data[0].balance"),
        ),
        (
            "a decimal beyond 96 bits",
            with("\"45250.75\"", &format!("\"{}\"", "9".repeat(40))),
            Outcome::Decode("data[0].balance"),
        ),
        (
            "NaN",
            with("\"45250.75\"", "\"NaN\""),
            Outcome::Decode("data[0].balance"),
        ),
        (
            "a missing budget_id",
            with("\"budget_id\"", "\"id\""),
            Outcome::Decode("data[0]"),
        ),
        (
            "data that is not a list",
            r#"{"code":"SUCCESS","data":{"budget_id":"x"}}"#.into(),
            Outcome::Decode("data"),
        ),
        (
            "SUCCESS without data",
            r#"{"code":"SUCCESS"}"#.into(),
            Outcome::Decode("data"),
        ),
        (
            "SUCCESS with null data",
            r#"{"code":"SUCCESS","data":null}"#.into(),
            Outcome::Decode("data"),
        ),
        (
            "no code at all",
            r#"{"data":[]}"#.into(),
            Outcome::Decode("."),
        ),
        (
            "a code that is a number",
            r#"{"code":0,"data":[]}"#.into(),
            Outcome::Decode("code"),
        ),
        (
            "an error code with a 200",
            r#"{"code":"LIMIT_EXCEEDED","message":"slow down","data":"?"}"#.into(),
            Outcome::Kind(ErrorKind::Api),
        ),
    ];
    for (what, body, want) in cases {
        server.push(Reply::new(200, body));
        let e = c.list_budget_balances().await.expect_err(what);
        check(what, &e, &want);
    }

    // A card reply with a full card number is masked at decoding.
    server.push(Reply::new(
        200,
        r#"{"code":"SUCCESS","data":{"card_number":"4111111111111111","available_balance":"1.00"}}"#,
    ));
    let card = c.get_card_balance("c").await.unwrap();
    assert_eq!(card.card_number.as_str(), "4111********1111");
    // Decimals keep their scale exactly.
    server.push(Reply::new(
        200,
        r#"{"code":"SUCCESS","data":{"card_number":"5157********2686","available_balance":"1468.870"}}"#,
    ));
    let card = c.get_card_balance("c").await.unwrap();
    assert_eq!(card.available_balance.to_string(), "1468.870");
}

#[tokio::test]
async fn hostile_retry_after_headers_never_panic_or_stall() {
    let server = RecordingServer::start().await;
    let c = payments(server.url());
    let busy = r#"{"total":1,"_embedded":{"errors":[{"code":"TOO_MANY","message":"slow down"}]}}"#;
    for value in [
        "Sun, 06 Nov 9223372036854775807 08:49:37 GMT",
        "Sun, 06 Nov -9223372036854775807 08:49:37 GMT",
        "Sun, 99 Nov 1994 99:99:99 GMT",
        "18446744073709551615",
        "99999999999999999999999",
        "-1",
        "1.5",
        "",
        "Sun, 06 Nov 1994 08:49:37 GMT", // in the past: retry now
    ] {
        server.push(Reply::new(429, busy).header("retry-after", value));
        server.push(Reply::new(200, BALANCE_FIXTURE));
        let started = std::time::Instant::now();
        let result = c.get_balance("b").await;
        assert!(started.elapsed() < Duration::from_secs(5), "{value:?}");
        match result {
            Ok(_) => {}
            // A delay beyond max_retry_after ends the call with the 429.
            Err(e) => {
                assert_eq!(e.kind(), ErrorKind::RateLimited, "{value:?}");
                server.push(Reply::new(200, BALANCE_FIXTURE)); // keep the queue aligned
                c.get_balance("b").await.unwrap();
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Replies that are not valid HTTP.
// ---------------------------------------------------------------------------------------------

/// A TCP server that reads each request head and answers every one with `reply`, raw bytes, then
/// closes the connection. Returns its URL and the number of requests it read.
async fn raw_http_server(reply: Vec<u8>) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&requests);
    let reply: Arc<[u8]> = reply.into();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let (reply, counted) = (Arc::clone(&reply), Arc::clone(&counted));
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                counted.fetch_add(1, Ordering::SeqCst);
                let _ = socket.write_all(&reply).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    (url, requests)
}

/// The replies of a peer that does not speak HTTP/1.1, each with the cause the error must name.
fn invalid_http_replies() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let body = BALANCE_FIXTURE.as_bytes();
    let ok_with = |headers: &str| {
        let mut r = format!("HTTP/1.1 200 OK\r\n{headers}\r\n").into_bytes();
        r.extend_from_slice(body);
        r
    };
    let many: String = (0..200).map(|i| format!("x-h{i}: v\r\n")).collect();
    let big = format!("x-big: {}\r\n", "a".repeat(1024 * 1024));
    let length = format!("content-length: {}\r\n", body.len());
    vec![
        (
            "oversized header",
            ok_with(&big),
            "message head is too large (too many or too large headers)",
        ),
        (
            "too many headers",
            ok_with(&many),
            "message head is too large (too many or too large headers)",
        ),
        (
            "bare CR in a header",
            ok_with(&format!("x-a: a\rb\r\n{length}")),
            "invalid HTTP header parsed",
        ),
        (
            "garbage status line",
            b"HELLO THERE\r\n\r\n".to_vec(),
            "invalid HTTP version parsed",
        ),
        (
            "a status that is not a number",
            b"HTTP/1.1 2OO OK\r\ncontent-length: 0\r\n\r\n".to_vec(),
            "invalid HTTP status-code parsed",
        ),
        (
            "HTTP/0.9 (a body, no status line)",
            body.to_vec(),
            "invalid HTTP version parsed",
        ),
        (
            "conflicting lengths",
            ok_with(&format!("{length}content-length: 3\r\n")),
            "invalid content-length parsed",
        ),
    ]
}

#[tokio::test]
async fn a_reply_that_is_not_http_is_a_protocol_error_sent_once() {
    for (case, reply, cause) in invalid_http_replies() {
        let (url, requests) = raw_http_server(reply).await;
        let e = payments(&url).get_balance("b").await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Protocol, "{case}: {e}");
        assert_eq!(requests.load(Ordering::SeqCst), 1, "{case}: not retried");
        assert_eq!(e.attempts(), 1, "{case}");
        assert_eq!(e.message(), cause, "{case}");
        assert_eq!(
            e.to_string(),
            format!("getBalance: invalid HTTP reply: {cause}"),
            "{case}"
        );
        assert!(!e.is_retryable() && !e.is_outcome_unknown(), "{case}");
        assert!(
            std::error::Error::source(&e).is_some(),
            "{case}: the cause is kept"
        );
    }
}

#[tokio::test]
async fn a_create_answered_with_invalid_http_is_not_a_lost_create() {
    for (case, reply, cause) in invalid_http_replies() {
        let (url, requests) = raw_http_server(reply).await;
        let e = issuing(&url).create_budget("Q1").await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Protocol, "{case}: {e}");
        assert_eq!(e.message(), cause, "{case}");
        assert_eq!(
            requests.load(Ordering::SeqCst),
            1,
            "{case}: sent once, not resolved"
        );
        assert!(!e.is_outcome_unknown(), "{case}");
    }
}
