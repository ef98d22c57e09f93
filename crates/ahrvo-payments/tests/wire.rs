//! Each Payments operation over real HTTP against a loopback server: what is sent and how the
//! example replies and every documented error decode.

use std::time::Duration;

use ahrvo_payments::*;
use ahrvo_testkit::{RecordingServer, Reply};
use ahrvo_types::{
    BalanceEntryState, BalanceEntryType, BalanceType, CreatedBy, EntityType, LinkedType,
};

const BALANCE_FIXTURE: &str = include_str!("fixtures/getBalance.json");
const ENTRY_FIXTURE: &str = include_str!("fixtures/getBalanceEntry.json");

/// `text` with `from` replaced by `to`. `from` must occur exactly once: an edit that matched
/// nothing would leave the fixture as it was, and the test would check nothing.
#[track_caller]
fn edit(text: &str, from: &str, to: &str) -> String {
    assert_ne!(from, to, "an edit that changes nothing");
    let n = text.matches(from).count();
    assert_eq!(n, 1, "{from:?} occurs {n} times in the fixture, not once");
    text.replacen(from, to, 1)
}

fn client(server: &RecordingServer) -> PaymentsClient {
    let retry = RetryConfig::default().with_initial_backoff(Duration::from_millis(1));
    let config = ClientConfig::new(Environment::custom(server.url()).unwrap()).with_retry(retry);
    let client =
        PaymentsClient::new(&config, PaymentsCredentials::new("username", "password")).unwrap();
    assert_eq!(client.base_url(), server.url().trim_end_matches('/'));
    client
}

fn finix_error(code: &str, message: &str) -> String {
    format!(
        r#"{{"total":1,"_embedded":{{"errors":[{{"code":"{code}","message":"{message}","logref":"94b4f1e8","_links":{{"source":{{"href":"https://api.ahrvo.network/payments/na/"}}}}}}]}}}}"#
    )
}

#[tokio::test]
async fn get_balance_sends_basic_auth_and_decodes_cents() {
    let server = RecordingServer::start().await;
    server.push(Reply::new(200, BALANCE_FIXTURE));
    let b = client(&server)
        .get_balance("balance_dyz5APsJebDef9oTW9J2Hc")
        .await
        .unwrap();

    let r = server.single_request();
    assert_eq!(r.method, "GET");
    assert_eq!(
        r.path,
        "/payments/na/balances/balance_dyz5APsJebDef9oTW9J2Hc"
    );
    assert_eq!(r.query, None);
    assert_eq!(r.header("authorization"), "Basic dXNlcm5hbWU6cGFzc3dvcmQ=");
    assert_eq!(r.header("x-api-key"), "");
    assert_eq!(r.header("accept"), "application/json");

    assert_eq!(b.id, BalanceId::from("balance_dyz5APsJebDef9oTW9J2Hc"));
    assert_eq!(b.available_amount, Cents::new(1_250_000));
    assert_eq!(b.pending_amount, Cents::new(250_000));
    assert_eq!(b.posted_amount, Cents::new(1_500_000));
    assert_eq!(
        b.available_amount.to_decimal(b.currency).to_string(),
        "12500.00"
    );
    assert_eq!(b.balance_type, BalanceType::Disbursement);
    assert_eq!(b.linked_type, Some(LinkedType::Application));
    assert_eq!(b.created_at.to_string(), "2024-05-01T18:04:33.42Z");
    assert!(b.is_consistent());
    let fixture: serde_json::Value = serde_json::from_str(BALANCE_FIXTURE).unwrap();
    assert_eq!(serde_json::to_value(&b).unwrap(), fixture);
}

#[tokio::test]
async fn get_balance_entry_decodes_every_documented_field() {
    let server = RecordingServer::start().await;
    server.push(Reply::new(200, ENTRY_FIXTURE));
    let e = client(&server)
        .get_balance_entry("balance_entry_i5YzFZYEh6CoCrN2zqgPdW")
        .await
        .unwrap();
    let r = server.single_request();
    assert_eq!(
        r.path,
        "/payments/na/balance_entries/balance_entry_i5YzFZYEh6CoCrN2zqgPdW"
    );
    assert_eq!(e.amount, Cents::new(250_000));
    assert_eq!(e.entry_type, BalanceEntryType::BalanceTopUpAch);
    assert_eq!(e.state, BalanceEntryState::Succeeded);
    assert_eq!(e.entity_type, Some(EntityType::BalanceAdjustment));
    assert_eq!(e.created_by, Some(CreatedBy::System));
    assert_eq!(e.parent_balance_entry_id, None);
    assert_eq!(e.wire_details, None);
    assert!(e.posted_at.is_some() && e.estimated_posted_date.is_some());
    // Nulls are written back as absent, so compare field by field on what was present.
    let mut fixture: serde_json::Value = serde_json::from_str(ENTRY_FIXTURE).unwrap();
    fixture.as_object_mut().unwrap().retain(|_, v| !v.is_null());
    assert_eq!(serde_json::to_value(&e).unwrap(), fixture);
}

#[tokio::test]
async fn unknown_enum_values_are_kept_and_negative_amounts_decode() {
    let server = RecordingServer::start().await;
    let body = edit(ENTRY_FIXTURE, "\"BALANCE_TOP_UP_ACH\"", "\"CRYPTO_BRIDGE\"");
    let body = edit(&body, "\"SUCCEEDED\"", "\"ON_HOLD\"");
    let body = edit(&body, "250000", "-4200");
    server.push(Reply::new(200, body));
    let e = client(&server).get_balance_entry("e1").await.unwrap();
    assert_eq!(
        e.entry_type,
        BalanceEntryType::Unknown("CRYPTO_BRIDGE".into())
    );
    assert_eq!(e.entry_type.as_str(), "CRYPTO_BRIDGE");
    assert_eq!(e.state.to_string(), "ON_HOLD");
    assert_eq!(e.amount, Cents::new(-4200));
    assert!(e.amount.is_negative());
}

#[tokio::test]
async fn hostile_ids_stay_one_path_segment() {
    let server = RecordingServer::start().await;
    server.set_fallback(Reply::new(200, BALANCE_FIXTURE));
    let c = client(&server);
    for id in ["a/b", "%2e%2e", "?x=1", "#", "with space", "ünï", "..."] {
        c.get_balance(id).await.unwrap();
    }
    for id in ["", "..", "."] {
        assert_eq!(
            c.get_balance(id).await.unwrap_err().kind(),
            ErrorKind::Validation
        );
    }
    let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        [
            "/payments/na/balances/a%2Fb",
            "/payments/na/balances/%252e%252e",
            "/payments/na/balances/%3Fx%3D1",
            "/payments/na/balances/%23",
            "/payments/na/balances/with%20space",
            "/payments/na/balances/%C3%BCn%C3%AF",
            "/payments/na/balances/...",
        ]
    );
    assert!(server.requests().iter().all(|r| r.query.is_none()));
}

#[tokio::test]
async fn finix_errors_map_to_kinds_with_message_code_and_logref() {
    let server = RecordingServer::start().await;
    server.push(Reply::new(
        404,
        finix_error("NOT_FOUND", "Balance resource not found"),
    ));
    server.push(
        Reply::new(401, finix_error("UNKNOWN", "Unauthorized")).header("www-authenticate", "Basic"),
    );
    server.push(Reply::new(400, finix_error("BAD_REQUEST", "Invalid id")));
    server.push(Reply::new(403, finix_error("FORBIDDEN", "Not allowed")));
    let c = client(&server);
    let e = c.get_balance("balance_missing").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(e.api_code(), Some("NOT_FOUND"));
    assert_eq!(e.message(), "Balance resource not found (logref 94b4f1e8)");
    let e = c.get_balance_entry("x").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthorized);
    assert_eq!(
        c.get_balance("x").await.unwrap_err().kind(),
        ErrorKind::BadRequest
    );
    assert_eq!(
        c.get_balance("x").await.unwrap_err().kind(),
        ErrorKind::Forbidden
    );
    assert_eq!(
        server.requests().len(),
        4,
        "Basic auth is not retried on 401"
    );
}

#[tokio::test]
async fn wrong_types_and_missing_fields_are_decode_errors_with_paths() {
    let server = RecordingServer::start().await;
    server.push(Reply::new(
        200,
        edit(BALANCE_FIXTURE, "1250000", "\"1250000\""),
    ));
    server.push(Reply::new(200, edit(BALANCE_FIXTURE, "1250000", "12500.5")));
    server.push(Reply::new(
        200,
        edit(BALANCE_FIXTURE, "1250000", "92233720368547758070"),
    ));
    server.push(Reply::new(
        200,
        edit(BALANCE_FIXTURE, "\"currency\": \"USD\",", ""),
    ));
    let c = client(&server);
    for _ in 0..3 {
        let e = c.get_balance("b").await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode);
        assert_eq!(e.json_path(), Some("available_amount"));
    }
    let e = c.get_balance("b").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert!(e.message().contains("currency"), "{}", e.message());
}

#[tokio::test]
async fn an_inconsistent_balance_is_detected() {
    let server = RecordingServer::start().await;
    server.push(Reply::new(200, edit(BALANCE_FIXTURE, "1500000", "1500001")));
    let b = client(&server).get_balance("b").await.unwrap();
    assert!(!b.is_consistent());
    assert_eq!(b.posted_discrepancy(), Some(Cents::new(1)));
}
