//! Fault injection and latency, as a client observes them, and their counters.

use std::time::{Duration, Instant};

use ahrvo_sandbox::{FaultConfig, FaultKind, Sandbox, SandboxConfig};

use crate::common::*;

fn only(kind: FaultKind) -> FaultConfig {
    FaultConfig::with_rate(1.0).kinds([kind])
}

async fn raw_issuing(sb: &Sandbox) -> Result<reqwest::Response, reqwest::Error> {
    let c = sb.credentials();
    client()
        .get(format!("{}{LIST}", sb.base_url()))
        .bearer_auth(&c.access_token)
        .header("x-api-key", &c.api_key)
        .send()
        .await
}

async fn raw_payments(sb: &Sandbox) -> Result<reqwest::Response, reqwest::Error> {
    let c = sb.credentials();
    client()
        .get(format!(
            "{}/payments/na/balances/{SEED_BALANCE}",
            sb.base_url()
        ))
        .basic_auth(&c.username, Some(&c.password))
        .send()
        .await
}

#[tokio::test]
async fn status_faults_carry_the_api_error_bodies() {
    let sb = seeded().await;
    for (kind, status, code) in [
        (FaultKind::InternalServerError, 500, "INTERNAL_SERVER_ERROR"),
        (FaultKind::ServiceUnavailable, 503, "SERVICE_UNAVAILABLE"),
        (FaultKind::TooManyRequests, 429, "TOO_MANY_REQUESTS"),
    ] {
        sb.set_faults(only(kind));
        let issuing = issuing_get(&sb, LIST, Issuing::Good).await;
        assert_issuing_error(&issuing, status, code);
        let payments = payments_get(
            &sb,
            &format!("/payments/na/balances/{SEED_BALANCE}"),
            Payments::Good,
        )
        .await;
        assert_payments_error(&payments, status, code);
        if kind == FaultKind::TooManyRequests {
            for reply in [&issuing, &payments] {
                assert_eq!(
                    reply
                        .headers
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok()),
                    Some("1")
                );
            }
        }
        assert_eq!(sb.stats().faults.get(kind), 2);
    }
    sb.set_faults(only(FaultKind::TooManyRequests).retry_after_secs(7));
    let reply = issuing_get(&sb, LIST, Issuing::Good).await;
    assert_eq!(
        reply
            .headers
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("7")
    );
    let stats = sb.stats();
    assert_eq!(stats.requests, 7);
    assert_eq!(stats.faults.total(), 7);
    assert_eq!(stats.faults.too_many_requests, 3);
}

#[tokio::test]
async fn dropped_connection_gives_no_response() {
    let sb = seeded().await;
    sb.set_faults(only(FaultKind::DropConnection));
    for result in [raw_issuing(&sb).await, raw_payments(&sb).await] {
        let error = result.expect_err("a dropped connection has no response");
        assert!(!error.is_status() && !error.is_timeout(), "{error:?}");
    }
    assert_eq!(sb.stats().faults.drop_connection, 2);
    // The server is still fine afterwards.
    sb.set_faults(FaultConfig::none());
    assert_eq!(raw_issuing(&sb).await.unwrap().status(), 200);
}

#[tokio::test]
async fn truncated_body_fails_while_reading() {
    let sb = seeded().await;
    sb.set_faults(only(FaultKind::TruncatedBody));
    for result in [raw_issuing(&sb).await, raw_payments(&sb).await] {
        let response = result.expect("the head arrives");
        assert_eq!(response.status(), 200);
        let promised = response.content_length().expect("a Content-Length");
        assert!(promised > 10, "{promised}");
        let error = response.bytes().await.expect_err("the body is cut short");
        assert!(
            error.is_body() || error.is_decode() || error.is_request(),
            "{error:?}"
        );
    }
    assert_eq!(sb.stats().faults.truncated_body, 2);
}

#[tokio::test]
async fn faults_never_touch_admin_routes_or_unknown_paths() {
    let sb = seeded().await;
    sb.set_faults(FaultConfig::with_rate(1.0));
    for _ in 0..10 {
        assert_eq!(admin_get(&sb, "/_sandbox/state").await.status, 200);
        assert_eq!(admin_get(&sb, "/_sandbox/stats").await.status, 200);
    }
    let unknown = issuing_get(&sb, "/card/issuance/api/issuing/other", Issuing::Good).await;
    assert_eq!(unknown.status, 404);
    let stats = sb.stats();
    assert_eq!(stats.requests, 0);
    assert_eq!(stats.faults.total(), 0);
    assert_eq!(stats.admin_requests, 20);
}

#[tokio::test]
async fn latency_is_added_to_api_requests_only() {
    let sb = Sandbox::start_with(
        SandboxConfig::default()
            .with_seed(true)
            .with_latency(Duration::from_millis(300)),
    )
    .await
    .unwrap();
    let started = Instant::now();
    assert_eq!(issuing_get(&sb, LIST, Issuing::Good).await.status, 200);
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );

    let started = Instant::now();
    assert_eq!(admin_get(&sb, "/_sandbox/state").await.status, 200);
    assert!(
        started.elapsed() < Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );

    sb.set_latency(Duration::ZERO);
    let started = Instant::now();
    assert_eq!(
        payments_get(
            &sb,
            &format!("/payments/na/balances/{SEED_BALANCE}"),
            Payments::Good
        )
        .await
        .status,
        200
    );
    assert!(started.elapsed() < Duration::from_millis(300));

    let put = admin_put(&sb, "/_sandbox/latency", r#"{"ms": 250}"#).await;
    assert_eq!(put.status, 200, "{}", put.text);
    assert_eq!(admin_get(&sb, "/_sandbox/latency").await.body["ms"], 250);
    let started = Instant::now();
    assert_eq!(
        payments_get(
            &sb,
            &format!("/payments/na/balances/{SEED_BALANCE}"),
            Payments::Good
        )
        .await
        .status,
        200
    );
    assert!(started.elapsed() >= Duration::from_millis(250));
}

#[tokio::test]
async fn faults_are_settable_through_the_admin_api() {
    let sb = seeded().await;
    let put = admin_put(
        &sb,
        "/_sandbox/faults",
        r#"{"rate": 1.0, "kinds": ["service_unavailable"]}"#,
    )
    .await;
    assert_eq!(put.status, 200, "{}", put.text);
    assert_eq!(
        admin_get(&sb, "/_sandbox/faults").await.body["kinds"],
        serde_json::json!(["service_unavailable"])
    );
    assert_eq!(issuing_get(&sb, LIST, Issuing::Good).await.status, 503);
    for bad in [
        r#"{"rate": 1.5}"#,
        r#"{"rate": -0.1}"#,
        r#"{"kinds": ["meteor"]}"#,
        r#"{"rate": "high"}"#,
    ] {
        assert_eq!(
            admin_put(&sb, "/_sandbox/faults", bad).await.status,
            400,
            "{bad}"
        );
    }
    let stats = admin_get(&sb, "/_sandbox/stats").await;
    assert_eq!(stats.body["faults"]["service_unavailable"], 1);
    assert_eq!(stats.body["requests"], 1);
    assert_eq!(
        admin_post(&sb, "/_sandbox/stats/reset", "").await.status,
        200
    );
    assert_eq!(sb.stats().requests, 0);
    // An empty PUT turns faults off.
    assert_eq!(admin_put(&sb, "/_sandbox/faults", "").await.status, 200);
    assert_eq!(issuing_get(&sb, LIST, Issuing::Good).await.status, 200);
}

#[tokio::test]
async fn the_same_seed_gives_the_same_faults() {
    async fn pattern(seed: u64) -> Vec<u16> {
        let sb = seeded().await;
        sb.set_faults(
            FaultConfig::with_rate(0.5)
                .kinds([
                    FaultKind::InternalServerError,
                    FaultKind::ServiceUnavailable,
                ])
                .seed(seed),
        );
        let mut statuses = Vec::new();
        for _ in 0..24 {
            statuses.push(issuing_get(&sb, LIST, Issuing::Good).await.status);
        }
        statuses
    }
    let a = pattern(7).await;
    assert_eq!(a, pattern(7).await);
    assert!(a.contains(&200) && a.iter().any(|s| *s >= 500), "{a:?}");
}

#[tokio::test]
async fn faults_from_the_start_configuration() {
    let sb = Sandbox::start_with(
        SandboxConfig::default()
            .with_seed(true)
            .with_faults(only(FaultKind::InternalServerError)),
    )
    .await
    .unwrap();
    assert_eq!(issuing_get(&sb, LIST, Issuing::Good).await.status, 500);
    let mut invalid = FaultConfig::none();
    invalid.rate = 2.0;
    let bad = Sandbox::start_with(SandboxConfig::default().with_faults(invalid)).await;
    assert!(
        matches!(bad, Err(ahrvo_sandbox::SandboxError::Config(_))),
        "{bad:?}"
    );
}
