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

/// The most requests a bucket of `n` a second can let through in `elapsed`: the full bucket,
/// plus what refilled meanwhile (rounded up). The tests below count against this bound rather
/// than assume that a loaded machine sends a burst faster than one refill.
fn most_passing(n: u32, elapsed: Duration) -> u128 {
    u128::from(n) + (elapsed.as_millis() * u128::from(n)).div_ceil(1_000)
}

/// Sends `send` until it is refused with 429 (at most `cap` times): the 200s before, the 429.
async fn until_refused<F, Fut>(cap: u32, mut send: F) -> (u32, Reply)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Reply>,
{
    for passed in 0..cap {
        let reply = send().await;
        if reply.status == 429 {
            return (passed, reply);
        }
        assert_eq!(reply.status, 200, "{}", reply.text);
    }
    panic!("{cap} requests and none refused");
}

#[tokio::test]
async fn above_the_limit_requests_get_429_with_retry_after() {
    let sb = limited(5).await;
    let start = Instant::now();
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
    // Then each family is refused, with its own error body, once the bucket is empty.
    let (more_issuing, issuing) =
        until_refused(100, || issuing_get(&sb, LIST, Issuing::Good)).await;
    assert_issuing_error(&issuing, 429, "TOO_MANY_REQUESTS");
    let (more_payments, payments) = until_refused(100, || payments_list(&sb, BALANCES, true)).await;
    assert_payments_error(&payments, 429, "TOO_MANY_REQUESTS");
    let passed = 5 + more_issuing + more_payments;
    assert!(
        u128::from(passed) <= most_passing(5, start.elapsed()),
        "{passed} requests passed in {:?}",
        start.elapsed()
    );
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
    assert_eq!(stats.requests, u64::from(passed) + 2);
    assert_eq!(stats.faults.total(), 0, "a 429 of the limit is not a fault");
    assert_eq!(
        admin_get(&sb, "/_sandbox/stats").await.body["rate_limited"],
        2
    );
    // A refused request changed nothing: a top-up refused by the limit is not an order. At 1
    // a second, one request empties the bucket for a whole second.
    sb.set_rate_limit(Some(1));
    let (_, _) = until_refused(10, || issuing_get(&sb, LIST, Issuing::Good)).await;
    let top_up = issuing_post(
        &sb,
        TOP_UP,
        &top_up_body(MARKETING, "1", "limited"),
        Issuing::Good,
    )
    .await;
    assert_eq!(top_up.status, 429, "{}", top_up.text);
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
    // 10 requests a second for 1.5 s: half the limit (late ones bunch up, at most 15 at once,
    // within the bucket of 20).
    let start = Instant::now();
    for i in 0..15u32 {
        let due = start + Duration::from_millis(100) * i;
        tokio::time::sleep_until(due.into()).await;
        let reply = issuing_get(&sb, LIST, Issuing::Good).await;
        assert_eq!(reply.status, 200, "request {i}: {}", reply.text);
    }
    assert_eq!(sb.stats().rate_limited, 0);
    // A burst of N passes too (the bucket refilled meanwhile); then the limit holds.
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    let burst = Instant::now();
    for _ in 0..20 {
        assert_eq!(issuing_get(&sb, LIST, Issuing::Good).await.status, 200);
    }
    let (more, _) = until_refused(1_000, || issuing_get(&sb, LIST, Issuing::Good)).await;
    assert!(
        u128::from(20 + more) <= most_passing(20, burst.elapsed()),
        "{} passed in {:?}",
        20 + more,
        burst.elapsed()
    );
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
