//! Money is conserved across a random sequence of operations, and faults of POST routes strike
//! before as well as after processing (the "outcome unknown" case a client must resolve).

use ahrvo_sandbox::{FaultConfig, FaultKind, FaultTiming, Sandbox};
use serde_json::{Value, json};

use crate::common::*;

/// Budgets plus Dedicated Funds Cards, in cents; panics on a negative amount.
fn held(sb: &Sandbox) -> i64 {
    let state = sb.state();
    let amounts = |key: &str, field: &str| -> Vec<i64> {
        state[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| cents(v[field].as_str().unwrap()))
            .collect()
    };
    let all: Vec<i64> = [
        amounts("budgets", "balance"),
        amounts("cards", "available_balance"),
    ]
    .concat();
    assert!(all.iter().all(|c| *c >= 0), "a negative amount: {all:?}");
    all.iter().sum()
}

/// A small deterministic generator (an LCG): the sequence is the same on every run.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

#[tokio::test]
async fn money_is_conserved_across_a_random_sequence_of_operations() {
    let sb = seeded().await;
    let budgets = [MARKETING, ENGINEERING, TRAVEL];
    let cards: Vec<String> = (245..=253)
        .map(|n| format!("card201907021723076{n}"))
        .collect();
    let start = held(&sb);
    let mut entered = 0_i64;
    let mut rng = Lcg(14);
    let mut orders: Vec<(String, String, String)> = Vec::new();
    let (mut ok, mut refused) = (0, 0);
    for i in 0..300 {
        let amount = format!("{}.{:02}", rng.below(3_000), rng.below(100));
        let reply = match rng.below(4) {
            0 => {
                // A new top-up, or a retry (sometimes with another body) of an earlier one.
                let (budget, amount, id) = match (orders.is_empty(), rng.below(3)) {
                    (false, 0) => orders[rng.below(orders.len() as u64) as usize].clone(),
                    (false, 1) => {
                        let (b, _, id) = orders[rng.below(orders.len() as u64) as usize].clone();
                        (b, amount, id)
                    }
                    _ => (
                        budgets[rng.below(3) as usize].to_owned(),
                        amount,
                        format!("o-{i}"),
                    ),
                };
                let reply = issuing_post(
                    &sb,
                    TOP_UP,
                    &top_up_body(&budget, &amount, &id),
                    Issuing::Good,
                )
                .await;
                if reply.status == 200 && !orders.iter().any(|(_, _, o)| *o == id) {
                    entered += cents(&amount);
                    orders.push((budget, amount, id));
                }
                reply
            }
            1 | 2 => {
                let from = budgets[rng.below(3) as usize];
                let to = budgets[rng.below(3) as usize];
                let body = json!({"source_budget_id": from, "target_budget_id": to,
                    "transfer_amount": amount, "source_currency": "USD", "target_currency": "USD"});
                issuing_post(&sb, TRANSFER, &body.to_string(), Issuing::Good).await
            }
            _ => {
                let card = &cards[rng.below(cards.len() as u64) as usize];
                let body =
                    json!({"unique_order_id": format!("c-{i}"), "card_id": card, "amount": amount});
                issuing_post(&sb, CARD_TOP_UP, &body.to_string(), Issuing::Good).await
            }
        };
        if reply.status == 200 {
            ok += 1;
        } else {
            assert_eq!(reply.status / 100, 4, "{}", reply.text);
            refused += 1;
        }
        assert_eq!(
            held(&sb),
            start + entered,
            "after operation {i}: {}",
            reply.text
        );
    }
    assert!(ok > 100 && refused > 10, "{ok} accepted, {refused} refused");
    sb.check_invariants().unwrap();
    let report = admin_get(&sb, "/_sandbox/invariants").await;
    assert_eq!(report.body["ok"], true, "{}", report.text);
    assert_eq!(report.body["held"], report.body["totals"]);
}

async fn raw_top_up(
    sb: &Sandbox,
    budget: &str,
    amount: &str,
    id: &str,
) -> Result<u16, reqwest::Error> {
    let c = sb.credentials();
    let response = client()
        .post(format!("{}{TOP_UP}", sb.base_url()))
        .bearer_auth(&c.access_token)
        .header("x-api-key", &c.api_key)
        .header("Content-Type", "application/json")
        .body(top_up_body(budget, amount, id))
        .send()
        .await?;
    let status = response.status().as_u16();
    response.bytes().await?;
    Ok(status)
}

#[tokio::test]
async fn post_faults_strike_before_or_after_processing() {
    let sb = empty().await;
    let budget = sb.create_budget("Faulty", "USD").unwrap();
    let only = |kind, timing| FaultConfig::with_rate(1.0).kinds([kind]).timing(timing);

    // After: the top-up is credited, its reply is a 500 (or no reply at all).
    sb.set_faults(only(FaultKind::InternalServerError, FaultTiming::After));
    assert_eq!(
        raw_top_up(&sb, &budget, "1.00", "after-500").await.ok(),
        Some(500)
    );
    sb.set_faults(only(FaultKind::DropConnection, FaultTiming::After));
    assert!(
        raw_top_up(&sb, &budget, "2.00", "after-drop")
            .await
            .is_err()
    );
    assert_eq!(sb.budget_balance(&budget).unwrap(), "3.00");
    // Before: nothing happens.
    sb.set_faults(only(FaultKind::ServiceUnavailable, FaultTiming::Before));
    assert_eq!(
        raw_top_up(&sb, &budget, "4.00", "before-503").await.ok(),
        Some(503)
    );
    sb.set_faults(only(FaultKind::DropConnection, FaultTiming::Before));
    assert!(
        raw_top_up(&sb, &budget, "8.00", "before-drop")
            .await
            .is_err()
    );
    assert_eq!(sb.budget_balance(&budget).unwrap(), "3.00");
    let stats = sb.stats();
    assert_eq!(stats.faults_after_processing, 2);
    assert_eq!(stats.faults.total(), 4);
    // The client resolves by querying: the first two landed, the others did not.
    sb.set_faults(FaultConfig::none());
    for (id, status) in [
        ("after-500", 200),
        ("after-drop", 200),
        ("before-503", 404),
        ("before-drop", 404),
    ] {
        let reply = issuing_get(
            &sb,
            &format!("{TOP_UP_ORDER}?unique_order_id={id}"),
            Issuing::Good,
        )
        .await;
        assert_eq!(reply.status, status, "{id}: {}", reply.text);
    }
    // Retrying the landed ones changes nothing; the others land once.
    for (id, amount) in [
        ("after-500", "1.00"),
        ("after-drop", "2.00"),
        ("before-503", "4.00"),
        ("before-drop", "8.00"),
    ] {
        assert_eq!(raw_top_up(&sb, &budget, amount, id).await.ok(), Some(200));
    }
    assert_eq!(sb.budget_balance(&budget).unwrap(), "15.00");
}

#[tokio::test]
async fn at_twenty_percent_both_timings_happen_and_retries_converge() {
    let sb = empty().await;
    let budget = sb.create_budget("Retry", "USD").unwrap();
    sb.set_faults(FaultConfig::with_rate(0.2).seed(2026));
    let n = 200;
    for i in 0..n {
        // Retry each order until a 200 (what an exactly-once client does).
        let mut attempts = 0;
        while raw_top_up(&sb, &budget, "1.01", &format!("o-{i}"))
            .await
            .ok()
            != Some(200)
        {
            attempts += 1;
            assert!(attempts < 50, "order {i} never succeeded");
        }
    }
    let stats = sb.stats();
    let after = stats.faults_after_processing;
    let before = stats.faults.total() - after - stats.faults.truncated_body;
    assert!(after > 0 && before > 0, "{stats:?}");
    sb.set_faults(FaultConfig::none());
    let counts = sb.top_up_counts(&budget).unwrap();
    assert_eq!(counts.applied, n);
    assert_eq!(
        sb.budget_balance(&budget).unwrap(),
        format!("{}.{:02}", 101 * n / 100, 101 * n % 100)
    );
    let _: Value = sb.state();
}
