//! `--rate-limit N` (issue 13): above N API requests per second, 429 with `Retry-After` and
//! the family's error body; below it, never; admin routes are not limited.

use std::time::{Duration, Instant};

use ahrvo_sandbox::{Sandbox, SandboxConfig};

use crate::common::*;

async fn limited(n: u32) -> Sandbox {
    Sandbox::start_with(
        SandboxConfig::default()
            .with_seed(true)
            .with_rate_limit(Some(n)),
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn above_the_limit_requests_get_429_with_retry_after() {
    let sb = limited(5).await;
    // A full bucket: a burst of 5 passes, across both families.
    for i in 0..5 {
        let reply = if i % 2 == 0 {
            issuing_get(&sb, LIST, Issuing::Good).await
        } else {
            payments_get(
                &sb,
                &format!("/payments/na/balances/{SEED_BALANCE}"),
                Payments::Good,
            )
            .await
        };
        assert_eq!(reply.status, 200, "request {i}: {}", reply.text);
    }
    let issuing = issuing_get(&sb, LIST, Issuing::Good).await;
    assert_issuing_error(&issuing, 429, "TOO_MANY_REQUESTS");
    let payments = payments_list(&sb, BALANCES, true).await;
    assert_payments_error(&payments, 429, "TOO_MANY_REQUESTS");
    for reply in [&issuing, &payments] {
        let retry = reply
            .headers
            .get("retry-after")
            .and_then(|v| v.to_str().ok());
        assert_eq!(retry, Some("1"));
    }
    // The admin API is not limited, and counts the 429s.
    for _ in 0..20 {
        assert_eq!(admin_get(&sb, "/_sandbox/stats").await.status, 200);
    }
    let stats = sb.stats();
    assert_eq!(stats.rate_limited, 2);
    assert_eq!(stats.requests, 7);
    assert_eq!(stats.faults.total(), 0, "a 429 of the limit is not a fault");
    assert_eq!(
        admin_get(&sb, "/_sandbox/stats").await.body["rate_limited"],
        2
    );
    // A refused request changed nothing: a top-up refused by the limit is not an order.
    let top_up = issuing_post(
        &sb,
        TOP_UP,
        &top_up_body(MARKETING, "1", "limited"),
        Issuing::Good,
    )
    .await;
    assert_eq!(top_up.status, 429);
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let order = issuing_get(
        &sb,
        &format!("{TOP_UP_ORDER}?unique_order_id=limited"),
        Issuing::Good,
    )
    .await;
    assert_issuing_error(&order, 404, "ORDER_NOT_FOUND");
}

#[tokio::test]
async fn below_the_limit_nothing_is_refused() {
    let sb = limited(20).await;
    // 10 requests a second for 1.5 s: half the limit.
    let start = Instant::now();
    for i in 0..15u32 {
        let due = start + Duration::from_millis(100) * i;
        tokio::time::sleep_until(due.into()).await;
        let reply = issuing_get(&sb, LIST, Issuing::Good).await;
        assert_eq!(reply.status, 200, "request {i}: {}", reply.text);
    }
    assert_eq!(sb.stats().rate_limited, 0);
    // A burst of exactly N passes too (the bucket refilled meanwhile).
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    for _ in 0..20 {
        assert_eq!(issuing_get(&sb, LIST, Issuing::Good).await.status, 200);
    }
    assert_eq!(issuing_get(&sb, LIST, Issuing::Good).await.status, 429);
}

#[tokio::test]
async fn the_limit_is_set_and_lifted_at_run_time() {
    let sb = seeded().await;
    assert_eq!(
        admin_get(&sb, "/_sandbox/rate_limit").await.body["per_second"],
        serde_json::Value::Null
    );
    let set = admin_put(&sb, "/_sandbox/rate_limit", r#"{"per_second": 2}"#).await;
    assert_eq!(set.body["per_second"], 2, "{}", set.text);
    assert_eq!(sb.rate_limit(), Some(2));
    let statuses: Vec<u16> = {
        let mut s = Vec::new();
        for _ in 0..3 {
            s.push(issuing_get(&sb, LIST, Issuing::Good).await.status);
        }
        s
    };
    assert_eq!(statuses, [200, 200, 429]);
    assert_eq!(
        admin_put(&sb, "/_sandbox/rate_limit", r#"{"per_second": 0}"#)
            .await
            .status,
        400
    );
    assert_eq!(
        admin_put(&sb, "/_sandbox/rate_limit", "").await.body["per_second"],
        serde_json::Value::Null
    );
    for _ in 0..10 {
        assert_eq!(issuing_get(&sb, LIST, Issuing::Good).await.status, 200);
    }
    let zero = Sandbox::start_with(SandboxConfig::default().with_rate_limit(Some(0))).await;
    assert!(zero.is_err());
}
