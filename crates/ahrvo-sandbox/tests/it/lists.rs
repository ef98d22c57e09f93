//! Issue 14's lists over HTTP: the issuing lists page by `page_no`/`page_size` with
//! `total_num`; the payments lists page newest first by opaque cursors (or offsets without
//! `Finix-Version`), with `_links.next` only when there is a next page.

use std::collections::BTreeSet;

use ahrvo_sandbox::{NewBalance, NewBalanceEntry};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::common::*;

fn list(reply: &Reply) -> Vec<Value> {
    reply.body["data"]["list"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("{}", reply.text))
}

#[tokio::test]
async fn funding_orders_page_newest_first_with_filters() {
    let sb = seeded().await;
    for i in 0..7 {
        let body =
            json!({"unique_order_id": format!("p-{i}"), "card_id": SEED_CARD, "amount": "1.00"});
        assert_eq!(
            issuing_post(&sb, CARD_TOP_UP, &body.to_string(), Issuing::Good)
                .await
                .status,
            200
        );
    }
    let mut seen = Vec::new();
    for (page, size) in [(1, 5), (2, 5), (3, 3)] {
        let reply = issuing_get(
            &sb,
            &format!("{FUNDING_LIST}?page_no={page}&page_size=5"),
            Issuing::Good,
        )
        .await;
        assert_eq!(reply.body["data"]["total_num"], 13, "{}", reply.text);
        let items = list(&reply);
        assert_eq!(items.len(), size, "page {page}");
        seen.extend(
            items
                .iter()
                .map(|i| i["record_id"].as_str().unwrap().to_owned()),
        );
        if page == 1 {
            assert_eq!(items[0]["unique_order_id"], "p-6", "newest first");
            assert_eq!(items[0]["created"].as_str().map(str::len), Some(10));
        }
    }
    assert_eq!(
        seen.iter().collect::<BTreeSet<_>>().len(),
        13,
        "no repeats across pages"
    );
    let past = issuing_get(
        &sb,
        &format!("{FUNDING_LIST}?page_no=4&page_size=5"),
        Issuing::Good,
    )
    .await;
    assert_eq!(
        (past.body["data"]["total_num"].as_u64(), list(&past).len()),
        (Some(13), 0)
    );
    let count = |query: &'static str| {
        let sb = &sb;
        async move {
            let reply = issuing_get(sb, &format!("{FUNDING_LIST}?{query}"), Issuing::Good).await;
            assert_eq!(reply.status, 200, "{query}: {}", reply.text);
            reply.body["data"]["total_num"].as_u64().unwrap()
        }
    };
    assert_eq!(count("status=FAIL").await, 1);
    assert_eq!(count("status=PROCESSING").await, 1);
    assert_eq!(count("card_id=card201907021723076246").await, 1);
    assert_eq!(
        count("start_date=2025-07-21%2000:00:00&end_date=2025-07-21%2023:59:59").await,
        2
    );
    for bad in [
        "page_no=0",
        "page_size=101",
        "page_size=x",
        "status=DONE",
        "start_date=2025-07-21",
    ] {
        let reply = issuing_get(&sb, &format!("{FUNDING_LIST}?{bad}"), Issuing::Good).await;
        assert_issuing_error(&reply, 400, "INVALID_PARAMETER");
    }
}

#[tokio::test]
async fn the_card_list_holds_every_seed_card_with_filters() {
    let sb = seeded().await;
    let reply = issuing_get(&sb, &format!("{CARD_LIST}?page_size=100"), Issuing::Good).await;
    assert_eq!(reply.body["data"]["total_num"], 10, "{}", reply.text);
    let items = list(&reply);
    let ids: BTreeSet<&str> = items
        .iter()
        .map(|c| c["card_id"].as_str().unwrap())
        .collect();
    for n in 245..=254 {
        assert!(
            ids.contains(format!("card201907021723076{n}").as_str()),
            "{n}"
        );
    }
    let shared = items
        .iter()
        .find(|c| c["card_id"] == SEED_SHARED_CARD)
        .unwrap();
    assert_eq!(shared["type"], "SHARE");
    assert_eq!(shared["card_number"], "5157********8888");
    assert_eq!(shared["created"], "2019-07-02 17:23:07");
    let dedicated = items.iter().find(|c| c["card_id"] == SEED_CARD).unwrap();
    assert_eq!(dedicated["type"], "DEDICATED");
    assert_eq!(dedicated["allow_withdrawal"], "true");
    assert_eq!(dedicated["card_cancelled"], "false");
    let one = |query: &'static str| {
        let sb = &sb;
        async move { list(&issuing_get(sb, &format!("{CARD_LIST}?{query}"), Issuing::Good).await) }
    };
    let canceled = one("card_status=CANCELED").await;
    assert_eq!(canceled.len(), 1);
    assert_eq!(canceled[0]["card_cancelled"], "true");
    assert_eq!(one("last4=8888").await[0]["card_id"], SEED_SHARED_CARD);
    assert_eq!(one("remark=Lost").await.len(), 1);
    assert_eq!(one("start_date=2020-01-01%2000:00:00").await.len(), 0);
    let pages: Vec<usize> = {
        let mut sizes = Vec::new();
        for page in 1..=3 {
            sizes.push(
                list(
                    &issuing_get(
                        &sb,
                        &format!("{CARD_LIST}?page_no={page}&page_size=4"),
                        Issuing::Good,
                    )
                    .await,
                )
                .len(),
            );
        }
        sizes
    };
    assert_eq!(pages, [4, 4, 2]);
    assert_issuing_error(
        &issuing_get(&sb, &format!("{CARD_LIST}?last4=12"), Issuing::Good).await,
        400,
        "INVALID_PARAMETER",
    );
    let products = issuing_get(&sb, PRODUCTS, Issuing::Good).await;
    let products = products.body["data"].as_array().unwrap();
    assert_eq!(products.len(), 3);
    assert!(
        products.iter().any(|p| p["share"] == true) && products.iter().any(|p| p["share"] == false)
    );
}

/// Every entry of `path`, following `next_cursor` with `limit`; checks each page's links.
async fn all_pages(sb: &ahrvo_sandbox::Sandbox, path: &str, key: &str, limit: usize) -> Vec<Value> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..1_000 {
        let query = match &cursor {
            Some(c) => format!("{path}?limit={limit}&after_cursor={c}"),
            None => format!("{path}?limit={limit}"),
        };
        let reply = payments_list(sb, &query, true).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        assert_eq!(
            reply
                .headers
                .get("finix-version")
                .and_then(|v| v.to_str().ok()),
            Some("2022-02-01")
        );
        let page = reply.body["_embedded"][key].as_array().unwrap().clone();
        assert!(page.len() <= limit);
        assert_eq!(reply.body["page"]["limit"], limit);
        items.extend(page);
        let next = reply.body["page"]["next_cursor"]
            .as_str()
            .map(str::to_owned);
        assert_eq!(
            reply.body["_links"]["next"].is_object(),
            next.is_some(),
            "{}",
            reply.text
        );
        if let Some(href) = reply.body["_links"]["next"]["href"].as_str() {
            assert!(
                href.ends_with(&format!("after_cursor={}", next.clone().unwrap())),
                "{href}"
            );
        }
        match next {
            None => return items,
            Some(c) => cursor = Some(c),
        }
    }
    panic!("the cursors never ended");
}

fn instant(v: &Value) -> OffsetDateTime {
    OffsetDateTime::parse(v["created_at"].as_str().unwrap(), &Rfc3339).unwrap()
}

#[tokio::test]
async fn the_seed_balance_entries_page_by_cursor_to_the_end() {
    let sb = seeded().await;
    let path = entries_path(SEED_BALANCE);
    let entries = all_pages(&sb, &path, "balance_entries", 100).await;
    assert!(entries.len() >= 250, "{}", entries.len());
    let ids: BTreeSet<&str> = entries.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), entries.len(), "no entry twice");
    assert!(
        entries.windows(2).all(|w| instant(&w[0]) >= instant(&w[1])),
        "newest first"
    );
    assert_eq!(entries[0]["id"], SEED_ENTRY);
    // The same with the default limit (10) and with 7: the same entries, in the same order.
    let by_seven = all_pages(&sb, &path, "balance_entries", 7).await;
    assert_eq!(by_seven, entries);
    // As the Balance page defines it: the settled entries (a posted_at) add up to the
    // Balance's available amount, the pending ones (no posted_at: the seed's last ACH
    // top-ups) to its pending amount, both to its posted amount.
    let sum = |settled: bool| -> i64 {
        (entries
            .iter()
            .filter(|e| e["posted_at"].is_null() != settled))
        .map(|e| e["amount"].as_i64().unwrap())
        .sum()
    };
    let pending: Vec<&Value> = entries
        .iter()
        .filter(|e| e["posted_at"].is_null())
        .collect();
    assert!(!pending.is_empty());
    for e in &pending {
        assert_eq!(
            (e["state"].as_str(), e["type"].as_str()),
            (Some("PENDING"), Some("BALANCE_TOP_UP_ACH")),
            "{e}"
        );
    }
    let balance = payments_get(
        &sb,
        &format!("/payments/na/balances/{SEED_BALANCE}"),
        Payments::Good,
    )
    .await;
    assert_eq!(
        (Some(sum(true)), Some(sum(false))),
        (
            balance.body["available_amount"].as_i64(),
            balance.body["pending_amount"].as_i64()
        )
    );
    assert_eq!(
        Some(sum(true) + sum(false)),
        balance.body["posted_amount"].as_i64()
    );
    // Entries naming transfers name transfers that exist.
    let transfer = entries
        .iter()
        .find(|e| e["entity_type"] == "TRANSFER")
        .unwrap();
    let t = payments_get(
        &sb,
        &format!(
            "/payments/na/transfers/{}",
            transfer["entity_id"].as_str().unwrap()
        ),
        Payments::Good,
    )
    .await;
    assert_eq!(t.status, 200, "{}", t.text);
    assert_eq!(
        Some(transfer["amount"].as_i64().unwrap().abs()),
        t.body["amount"].as_i64()
    );
    // before_cursor gives the page before.
    let first = payments_list(&sb, &format!("{path}?limit=5"), true).await;
    let second = payments_list(
        &sb,
        &format!(
            "{path}?limit=5&after_cursor={}",
            first.body["page"]["next_cursor"].as_str().unwrap()
        ),
        true,
    )
    .await;
    let head = second.body["_embedded"]["balance_entries"][0]["id"]
        .as_str()
        .unwrap();
    let back = payments_list(&sb, &format!("{path}?limit=5&before_cursor={head}"), true).await;
    assert_eq!(back.body["_embedded"], first.body["_embedded"]);
    for bad in [
        "limit=0",
        "limit=101",
        "limit=ten",
        "after_cursor=nope",
        "after_cursor=",
        "after_cursor=a&before_cursor=b",
    ] {
        assert_payments_error(
            &payments_list(&sb, &format!("{path}?{bad}"), true).await,
            400,
            "BAD_REQUEST",
        );
    }
    assert_payments_error(
        &payments_list(&sb, &entries_path("balance_nope"), true).await,
        404,
        "NOT_FOUND",
    );
}

#[tokio::test]
async fn without_the_version_header_lists_page_by_offset() {
    let sb = seeded().await;
    let path = entries_path(SEED_BALANCE);
    let reply = payments_list(&sb, &format!("{path}?limit=4&offset=8"), false).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let page = &reply.body["page"];
    assert_eq!(
        (page["offset"].as_u64(), page["limit"].as_u64()),
        (Some(8), Some(4))
    );
    assert_eq!(page["count"].as_u64(), Some(260));
    assert!(page.get("next_cursor").is_none());
    assert!(
        reply.body["_links"]["next"]["href"]
            .as_str()
            .unwrap()
            .ends_with("limit=4&offset=12")
    );
    let cursor = payments_list(&sb, &format!("{path}?limit=12"), true).await;
    let by_cursor = &cursor.body["_embedded"]["balance_entries"]
        .as_array()
        .unwrap()[8..12];
    assert_eq!(
        reply.body["_embedded"]["balance_entries"]
            .as_array()
            .unwrap(),
        by_cursor
    );
    let end = payments_list(&sb, &format!("{path}?offset=260"), false).await;
    assert_eq!(end.body["_embedded"]["balance_entries"], json!([]));
    assert!(end.body["_links"].get("next").is_none());
    assert_payments_error(
        &payments_list(&sb, &format!("{path}?after_cursor={SEED_ENTRY}"), false).await,
        400,
        "BAD_REQUEST",
    );
    let c = sb.credentials();
    let other_version = client()
        .get(format!("{}{path}", sb.base_url()))
        .basic_auth(&c.username, Some(&c.password))
        .header("Finix-Version", "2018-01-01");
    assert_payments_error(&send(other_version).await, 400, "BAD_REQUEST");
}

#[tokio::test]
async fn balances_and_adjustments_list_newest_first() {
    let sb = seeded().await;
    let mut created = Vec::new();
    for _ in 0..3 {
        created.push(
            sb.create_balance(NewBalance::new().with_available_amount(100))
                .unwrap(),
        );
    }
    let balances = all_pages(&sb, BALANCES, "balances", 2).await;
    assert_eq!(balances.len(), 4);
    assert_eq!(
        balances.last().unwrap()["id"],
        SEED_BALANCE,
        "the 2024 one is the oldest"
    );
    let adjustments = all_pages(&sb, ADJUSTMENTS, "balance_adjustments", 10).await;
    assert!(adjustments.len() > 20, "{}", adjustments.len());
    assert!(
        adjustments
            .windows(2)
            .all(|w| instant(&w[0]) >= instant(&w[1]))
    );
    // A top-up entry posted now is a new adjustment, the newest.
    let entry = sb
        .post_balance_entry(&created[0], NewBalanceEntry::new("BALANCE_TOP_UP_ACH", 500))
        .unwrap();
    let first = payments_list(&sb, &format!("{ADJUSTMENTS}?limit=1"), true).await;
    let newest = &first.body["_embedded"]["balance_adjustments"][0];
    assert_eq!(newest["balance_entry_id"], entry.as_str());
    assert_eq!(
        (newest["state"].as_str(), newest["rail"].as_str()),
        (Some("PENDING"), Some("ACH"))
    );
    sb.settle_balance_entry(&entry).unwrap();
    let first = payments_list(&sb, &format!("{ADJUSTMENTS}?limit=1"), true).await;
    assert_eq!(
        first.body["_embedded"]["balance_adjustments"][0]["state"],
        "SUCCEEDED"
    );
    // An empty sandbox: an empty page, no next.
    let none = empty().await;
    let reply = payments_list(&none, BALANCES, true).await;
    assert_eq!(
        reply.body["_embedded"]["balances"],
        json!([]),
        "{}",
        reply.text
    );
    assert_eq!(reply.body["page"]["next_cursor"], Value::Null);
    assert!(reply.body["_links"].get("next").is_none());
}

#[tokio::test]
async fn a_transfer_is_fetched_by_id() {
    let sb = seeded().await;
    let reply = payments_get(
        &sb,
        &format!("/payments/na/transfers/{SEED_TRANSFER}"),
        Payments::Good,
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.body["id"], SEED_TRANSFER);
    assert_eq!(reply.body["state"], "SUCCEEDED");
    assert_eq!(reply.body["messages"], json!([]));
    assert!(
        reply.body["_links"]["self"]["href"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/payments/na/transfers/{SEED_TRANSFER}"))
    );
    assert_payments_error(
        &payments_get(&sb, "/payments/na/transfers/TRnope", Payments::Good).await,
        404,
        "NOT_FOUND",
    );
    assert_eq!(
        payments_get(
            &sb,
            &format!("/payments/na/transfers/{SEED_TRANSFER}"),
            Payments::Nothing
        )
        .await
        .status,
        401
    );
}
