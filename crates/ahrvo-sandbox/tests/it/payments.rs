//! The two payments operations, HTTP Basic auth, Finix error bodies, path decoding.

use ahrvo_sandbox::{NewBalance, NewBalanceEntry};
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn get_balance_returns_the_example() {
    let sb = seeded().await;
    let reply = payments_get(
        &sb,
        &format!("/payments/na/balances/{SEED_BALANCE}"),
        Payments::Good,
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        reply.body,
        json!({
            "id": "balance_dyz5APsJebDef9oTW9J2Hc",
            "created_at": "2024-05-01T18:04:33.42Z",
            "updated_at": "2024-05-06T15:21:09.17Z",
            "available_amount": 1250000,
            "currency": "USD",
            "linked_to": "APgPDQrLD52TYvqazjHJJchM",
            "linked_type": "APPLICATION",
            "pending_amount": 250000,
            "posted_amount": 1500000,
            "tags": {},
            "type": "DISBURSEMENT"
        })
    );
}

#[tokio::test]
async fn get_balance_entry_returns_the_example_with_every_field() {
    let sb = seeded().await;
    let reply = payments_get(
        &sb,
        &format!("/payments/na/balance_entries/{SEED_ENTRY}"),
        Payments::Good,
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let fields: Vec<&str> = reply
        .body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut documented = vec![
        "id",
        "created_at",
        "updated_at",
        "amount",
        "created_by",
        "currency",
        "description",
        "entity_id",
        "entity_type",
        "estimated_posted_date",
        "linked_to",
        "linked_type",
        "parent_balance_entry_id",
        "posted_at",
        "state",
        "tags",
        "transaction_date",
        "type",
        "wire_details",
    ];
    documented.sort_unstable();
    let mut fields = fields;
    fields.sort_unstable();
    assert_eq!(fields, documented);
    assert_eq!(reply.body["type"], "BALANCE_TOP_UP_ACH");
    assert_eq!(reply.body["state"], "SUCCEEDED");
    assert_eq!(reply.body["entity_type"], "BALANCE_ADJUSTMENT");
    assert_eq!(reply.body["amount"], 250000);
}

#[tokio::test]
async fn payments_needs_http_basic() {
    let sb = seeded().await;
    for auth in [
        Payments::Nothing,
        Payments::WrongPassword,
        Payments::WrongUser,
        Payments::Bearer,
    ] {
        for path in [
            format!("/payments/na/balances/{SEED_BALANCE}"),
            format!("/payments/na/balance_entries/{SEED_ENTRY}"),
            "/payments/na/balances/unknown".to_owned(),
        ] {
            let reply = payments_get(&sb, &path, auth).await;
            assert_payments_error(&reply, 401, "UNKNOWN");
            let challenge = reply
                .headers
                .get("www-authenticate")
                .and_then(|v| v.to_str().ok());
            assert!(
                challenge.is_some_and(|c| c.starts_with("Basic")),
                "{challenge:?}"
            );
        }
    }
    // Issuing credentials do not open payments, and payments credentials do not open issuing.
    let issuing_with_basic = send(
        client()
            .get(format!("{}{LIST}", sb.base_url()))
            .basic_auth(&sb.credentials().username, Some(&sb.credentials().password)),
    )
    .await;
    assert_issuing_error(&issuing_with_basic, 401, "UNAUTHORIZED");
}

#[tokio::test]
async fn unknown_ids_are_404() {
    let sb = seeded().await;
    let balance = payments_get(&sb, "/payments/na/balances/balance_nope", Payments::Good).await;
    assert_payments_error(&balance, 404, "NOT_FOUND");
    let entry = payments_get(
        &sb,
        "/payments/na/balance_entries/balance_entry_nope",
        Payments::Good,
    )
    .await;
    assert_payments_error(&entry, 404, "NOT_FOUND");
    // An entry id is not a Balance id and vice versa.
    let crossed = payments_get(
        &sb,
        &format!("/payments/na/balances/{SEED_ENTRY}"),
        Payments::Good,
    )
    .await;
    assert_payments_error(&crossed, 404, "NOT_FOUND");
    // Paths beyond the documented ones are not served.
    let deeper = payments_get(
        &sb,
        &format!("/payments/na/balances/{SEED_BALANCE}/x"),
        Payments::Good,
    )
    .await;
    assert_payments_error(&deeper, 404, "ROUTE_NOT_FOUND");
}

#[tokio::test]
async fn path_ids_are_percent_decoded_exactly_once() {
    let sb = seeded().await;
    // `%62` is `b`: the decoded id is the seeded Balance's.
    let encoded = payments_get(
        &sb,
        "/payments/na/balances/%62alance_dyz5APsJebDef9oTW9J2Hc",
        Payments::Good,
    )
    .await;
    assert_eq!(encoded.status, 200, "{}", encoded.text);
    assert_eq!(encoded.body["id"], SEED_BALANCE);
    // `a%2Fb` is one segment whose id is `a/b`.
    let slash = payments_get(&sb, "/payments/na/balances/a%2Fb", Payments::Good).await;
    assert_payments_error(&slash, 404, "NOT_FOUND");
    let message = slash.body["_embedded"]["errors"][0]["message"]
        .as_str()
        .unwrap();
    assert!(message.ends_with(": a/b"), "{message}");
    // Decoded once: `%252F` becomes `%2F`, not `/`.
    let twice = payments_get(&sb, "/payments/na/balance_entries/a%252Fb", Payments::Good).await;
    let message = twice.body["_embedded"]["errors"][0]["message"]
        .as_str()
        .unwrap();
    assert!(message.ends_with(": a%2Fb"), "{message}");
    // Not UTF-8 once decoded: 400.
    let bad = payments_get(&sb, "/payments/na/balances/%FF", Payments::Good).await;
    assert_payments_error(&bad, 400, "BAD_REQUEST");
}

#[tokio::test]
async fn created_balance_and_entries_are_served() {
    let sb = empty().await;
    let balance = sb
        .create_balance(
            NewBalance::new()
                .with_currency("EUR")
                .with_linked_to("APtest")
                .with_available_amount(10_000)
                .with_tag("team", "payouts"),
        )
        .unwrap();
    assert!(balance.starts_with("balance_"), "{balance}");
    let wire = sb
        .post_balance_entry(
            &balance,
            NewBalanceEntry::new("BALANCE_TOP_UP_WIRE", 5_000)
                .with_external_reference_number("FED1"),
        )
        .unwrap();
    let payout = sb
        .post_balance_entry(&balance, NewBalanceEntry::new("PAYOUT", -12_000))
        .unwrap();

    let reply = payments_get(
        &sb,
        &format!("/payments/na/balances/{balance}"),
        Payments::Good,
    )
    .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body["available_amount"], 3_000);
    assert_eq!(reply.body["pending_amount"], 0);
    assert_eq!(reply.body["posted_amount"], 3_000);
    assert_eq!(reply.body["currency"], "EUR");
    assert_eq!(reply.body["linked_to"], "APtest");
    assert_eq!(reply.body["tags"], json!({"team": "payouts"}));

    let wire = payments_get(
        &sb,
        &format!("/payments/na/balance_entries/{wire}"),
        Payments::Good,
    )
    .await;
    assert_eq!(
        wire.body["wire_details"],
        json!({"external_reference_number": "FED1"})
    );
    assert_eq!(wire.body["state"], "SUCCEEDED");
    assert_eq!(wire.body["currency"], "EUR");
    assert_eq!(wire.body["linked_to"], "APtest");
    let payout = payments_get(
        &sb,
        &format!("/payments/na/balance_entries/{payout}"),
        Payments::Good,
    )
    .await;
    assert_eq!(payout.body["amount"], -12_000);
    assert_eq!(payout.body["entity_type"], "TRANSFER");
    assert_eq!(payout.body["wire_details"], serde_json::Value::Null);
    assert_eq!(
        payout.body["parent_balance_entry_id"],
        serde_json::Value::Null
    );
    for field in [
        "created_at",
        "updated_at",
        "posted_at",
        "transaction_date",
        "estimated_posted_date",
    ] {
        let text = payout.body[field].as_str().unwrap();
        assert!(
            time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
                .is_ok(),
            "{field}: {text}"
        );
    }
}
