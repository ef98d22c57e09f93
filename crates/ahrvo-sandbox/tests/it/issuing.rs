//! The three issuing operations and every documented error status.

use ahrvo_sandbox::{CardKind, Sandbox, SandboxConfig};
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn list_budget_balances_returns_the_page_example() {
    let sb = seeded().await;
    let reply = issuing_get(&sb, LIST, Issuing::Good).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        reply.body,
        json!({"code": "SUCCESS", "data": [
            {"budget_id": "ci202507232016182661", "budget_name": "Marketing Department Budget",
             "balance": "45250.75", "currency": "USD"},
            {"budget_id": "ci202507232016182662", "budget_name": "Engineering Team Budget",
             "balance": "78900.00", "currency": "USD"},
            {"budget_id": "ci202507232016182663", "budget_name": "Travel Expenses",
             "balance": "12500.50", "currency": "USD"}
        ]})
    );
    assert_eq!(
        reply
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/json")
    );
}

#[tokio::test]
async fn list_budget_balances_is_404_without_budgets() {
    let sb = empty().await;
    let reply = issuing_get(&sb, LIST, Issuing::Good).await;
    assert_issuing_error(&reply, 404, "NOT_FOUND");
    assert_eq!(reply.body["message"], "No budget accounts exist");
}

#[tokio::test]
async fn issuing_needs_both_bearer_token_and_api_key() {
    let sb = seeded().await;
    for auth in [
        Issuing::Nothing,
        Issuing::TokenOnly,
        Issuing::KeyOnly,
        Issuing::WrongToken,
        Issuing::WrongKey,
        Issuing::BasicInsteadOfBearer,
    ] {
        let list = issuing_get(&sb, LIST, auth).await;
        assert_issuing_error(&list, 401, "UNAUTHORIZED");
        let create = issuing_post(&sb, CREATE, r#"{"budget_name":"x"}"#, auth).await;
        assert_issuing_error(&create, 401, "UNAUTHORIZED");
        let card = issuing_get(&sb, &format!("{CARD}?card_id={SEED_CARD}"), auth).await;
        assert_issuing_error(&card, 401, "UNAUTHORIZED");
    }
    // Nothing was created by the refused calls.
    assert_eq!(sb.state()["budgets"].as_array().map(Vec::len), Some(3));
}

#[tokio::test]
async fn issuing_disabled_key_gets_403_on_every_issuing_route() {
    let sb = seeded().await;
    let list = issuing_get(&sb, LIST, Issuing::Forbidden).await;
    assert_issuing_error(&list, 403, "FORBIDDEN");
    let create = issuing_post(&sb, CREATE, r#"{"budget_name":"x"}"#, Issuing::Forbidden).await;
    assert_issuing_error(&create, 403, "FORBIDDEN");
    let card = issuing_get(
        &sb,
        &format!("{CARD}?card_id={SEED_CARD}"),
        Issuing::Forbidden,
    )
    .await;
    assert_issuing_error(&card, 403, "FORBIDDEN");
    assert_eq!(sb.state()["budgets"].as_array().map(Vec::len), Some(3));
}

#[tokio::test]
async fn configured_credentials_replace_the_defaults() {
    let credentials = ahrvo_sandbox::Credentials::new("k", "t", "u", "p");
    let sb = Sandbox::start_with(
        SandboxConfig::default()
            .with_seed(true)
            .with_credentials(credentials)
            .with_forbidden_api_key("k-off"),
    )
    .await
    .unwrap();
    assert_eq!(issuing_get(&sb, LIST, Issuing::Good).await.status, 200);
    assert_eq!(issuing_get(&sb, LIST, Issuing::Forbidden).await.status, 403);
    let defaults = client()
        .get(format!("{}{LIST}", sb.base_url()))
        .bearer_auth("sandbox-access-token")
        .header("x-api-key", "sandbox-api-key");
    assert_eq!(send(defaults).await.status, 401);
}

#[tokio::test]
async fn created_budget_is_listed_with_a_zero_balance() {
    let sb = empty().await;
    let reply = issuing_post(
        &sb,
        CREATE,
        r#"{"budget_name": "Q1 2026 Operations"}"#,
        Issuing::Good,
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.body["code"], "SUCCESS");
    let id = reply.body["data"]["budget_id"].as_str().unwrap().to_owned();
    assert!(
        id.starts_with("ci") && id.len() == 20 && id[2..].bytes().all(|b| b.is_ascii_digit()),
        "{id}"
    );
    assert_eq!(reply.body["data"].as_object().unwrap().len(), 1);

    let list = issuing_get(&sb, LIST, Issuing::Good).await;
    assert_eq!(
        list.body,
        json!({"code": "SUCCESS", "data": [
            {"budget_id": id, "budget_name": "Q1 2026 Operations", "balance": "0.00", "currency": "USD"}
        ]})
    );
}

#[tokio::test]
async fn create_budget_rejects_invalid_bodies_with_400() {
    let sb = empty().await;
    let long = "x".repeat(101);
    let long_body = json!({"budget_name": long}).to_string();
    for body in [
        "",
        "not json",
        "{\"budget_name\": ",
        "[]",
        "\"Marketing\"",
        "{}",
        r#"{"name": "Marketing"}"#,
        r#"{"budget_name": ""}"#,
        r#"{"budget_name": "   "}"#,
        r#"{"budget_name": 42}"#,
        r#"{"budget_name": null}"#,
        r#"{"budget_name": ["a"]}"#,
        r#"{"budget_name": "tab\there"}"#,
        long_body.as_str(),
    ] {
        let reply = issuing_post(&sb, CREATE, body, Issuing::Good).await;
        assert_issuing_error(&reply, 400, "INVALID_PARAMETER");
    }
    // 100 characters is fine.
    let ok = json!({"budget_name": "y".repeat(100)}).to_string();
    assert_eq!(
        issuing_post(&sb, CREATE, &ok, Issuing::Good).await.status,
        200
    );
    assert_eq!(sb.state()["budgets"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn duplicate_budget_name_is_409() {
    let sb = seeded().await;
    let reply = issuing_post(
        &sb,
        CREATE,
        r#"{"budget_name": "Marketing Department Budget"}"#,
        Issuing::Good,
    )
    .await;
    assert_issuing_error(&reply, 409, "BUDGET_NAME_EXISTS");
    assert_eq!(
        reply.body["message"],
        "Budget account with this name already exists"
    );
    // Names are compared exactly.
    let other = issuing_post(
        &sb,
        CREATE,
        r#"{"budget_name": "marketing department budget"}"#,
        Issuing::Good,
    )
    .await;
    assert_eq!(other.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_creates_of_one_name_give_exactly_one_success() {
    let sb = empty().await;
    let url = format!("{}{CREATE}", sb.base_url());
    let c = sb.credentials().clone();
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let url = url.clone();
        let c = c.clone();
        tasks.push(tokio::spawn(async move {
            // One client per task: 32 separate connections racing.
            let request = client()
                .post(url)
                .bearer_auth(&c.access_token)
                .header("x-api-key", &c.api_key)
                .header("Content-Type", "application/json")
                .body(r#"{"budget_name": "Race"}"#);
            send(request).await
        }));
    }
    let mut ok = 0;
    let mut conflict = 0;
    for task in tasks {
        let reply = task.await.unwrap();
        match reply.status {
            200 => ok += 1,
            409 => {
                assert_issuing_error(&reply, 409, "BUDGET_NAME_EXISTS");
                conflict += 1
            }
            other => panic!("unexpected {other}: {}", reply.text),
        }
    }
    assert_eq!((ok, conflict), (1, 31));
    let state = sb.state();
    let budgets = state["budgets"].as_array().unwrap();
    assert_eq!(budgets.len(), 1);
    assert_eq!(budgets[0]["budget_name"], "Race");
}

#[tokio::test]
async fn card_balance_of_the_page_example() {
    let sb = seeded().await;
    let reply = issuing_get(&sb, &format!("{CARD}?card_id={SEED_CARD}"), Issuing::Good).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        reply.body,
        json!({"code": "SUCCESS", "data": {"card_number": "5157********2686", "available_balance": "1468.87"}})
    );
}

#[tokio::test]
async fn card_balance_errors() {
    let sb = seeded().await;
    for query in [
        "",
        "?",
        "?card_id=",
        "?card_id=%20",
        "?other=card201907021723076245",
    ] {
        let reply = issuing_get(&sb, &format!("{CARD}{query}"), Issuing::Good).await;
        assert_issuing_error(&reply, 400, "INVALID_PARAMETER");
    }
    let unknown = issuing_get(
        &sb,
        &format!("{CARD}?card_id=card000000000000000000"),
        Issuing::Good,
    )
    .await;
    assert_issuing_error(&unknown, 404, "CARD_NOT_FOUND");
    let shared = issuing_get(
        &sb,
        &format!("{CARD}?card_id={SEED_SHARED_CARD}"),
        Issuing::Good,
    )
    .await;
    assert_issuing_error(&shared, 400, "INVALID_CARD_TYPE");
    let message = shared.body["message"].as_str().unwrap();
    assert!(message.contains("not a Dedicated Funds Card"), "{message}");
}

#[tokio::test]
async fn card_topped_up_through_the_library_shows_its_balance() {
    let sb = empty().await;
    let budget = sb.create_budget("Cards", "USD").unwrap();
    sb.fund_budget(&budget, "500").unwrap();
    let card = sb.create_card(&budget, CardKind::Dedicated).unwrap();
    assert!(card.starts_with("card") && card.len() == 22, "{card}");
    sb.top_up_card(&card, "120.5").unwrap();

    let reply = issuing_get(&sb, &format!("{CARD}?card_id={card}"), Issuing::Good).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.body["data"]["available_balance"], "120.50");
    let number = reply.body["data"]["card_number"].as_str().unwrap();
    assert!(
        number.starts_with("5157********") && number.len() == 16,
        "{number}"
    );

    let list = issuing_get(&sb, LIST, Issuing::Good).await;
    assert_eq!(list.body["data"][0]["balance"], "379.50");
}

#[tokio::test]
async fn method_and_path_mismatches_are_not_served() {
    let sb = seeded().await;
    let wrong_method = issuing_post(&sb, LIST, "{}", Issuing::Good).await;
    assert_issuing_error(&wrong_method, 405, "METHOD_NOT_ALLOWED");
    assert_eq!(
        wrong_method
            .headers
            .get("allow")
            .and_then(|v| v.to_str().ok()),
        Some("GET,HEAD")
    );
    let unknown = issuing_get(
        &sb,
        "/card/issuance/api/issuing/budget/v2/nope",
        Issuing::Good,
    )
    .await;
    assert_issuing_error(&unknown, 404, "ROUTE_NOT_FOUND");
}
