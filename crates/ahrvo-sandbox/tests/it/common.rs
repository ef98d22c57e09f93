//! Helpers shared by the integration tests: a plain reqwest client against a started sandbox.

use ahrvo_sandbox::Sandbox;
use reqwest::header::HeaderMap;
use serde_json::Value;

pub const LIST: &str = "/card/issuance/api/issuing/budget/v2/balance/all";
pub const CREATE: &str = "/card/issuance/api/issuing/budget/v2/create";
pub const CARD: &str = "/card/issuance/api/issuing/card/v2/normal/balance";
pub const SEED_CARD: &str = "card201907021723076245";
pub const SEED_SHARED_CARD: &str = "card201907021723076250";
pub const SEED_BALANCE: &str = "balance_dyz5APsJebDef9oTW9J2Hc";
pub const SEED_ENTRY: &str = "balance_entry_i5YzFZYEh6CoCrN2zqgPdW";

/// A client that never goes through a proxy (the tests talk to 127.0.0.1 only).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("reqwest client")
}

/// Which issuing credentials to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Issuing {
    Good,
    Nothing,
    TokenOnly,
    KeyOnly,
    WrongToken,
    WrongKey,
    BasicInsteadOfBearer,
    Forbidden,
}

/// Which payments credentials to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payments {
    Good,
    Nothing,
    WrongPassword,
    WrongUser,
    Bearer,
}

/// A reply: status, headers, and the body parsed as JSON (`Value::Null` if it is not JSON).
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

pub async fn send(request: reqwest::RequestBuilder) -> Reply {
    let response = request.send().await.expect("request sent");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body read");
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        body,
        text,
    }
}

fn with_issuing(
    sb: &Sandbox,
    request: reqwest::RequestBuilder,
    auth: Issuing,
) -> reqwest::RequestBuilder {
    let c = sb.credentials();
    let request = request.header("Accept", "application/json");
    match auth {
        Issuing::Good => request
            .bearer_auth(&c.access_token)
            .header("x-api-key", &c.api_key),
        Issuing::Nothing => request,
        Issuing::TokenOnly => request.bearer_auth(&c.access_token),
        Issuing::KeyOnly => request.header("x-api-key", &c.api_key),
        Issuing::WrongToken => request.bearer_auth("nope").header("x-api-key", &c.api_key),
        Issuing::WrongKey => request
            .bearer_auth(&c.access_token)
            .header("x-api-key", "nope"),
        Issuing::BasicInsteadOfBearer => request
            .basic_auth(&c.access_token, None::<&str>)
            .header("x-api-key", &c.api_key),
        Issuing::Forbidden => request
            .bearer_auth(&c.access_token)
            .header("x-api-key", sb.forbidden_api_key()),
    }
}

/// A request to an API path with good credentials of its family (`issuing` or payments),
/// without an `Accept` header.
pub fn api_request(
    sb: &Sandbox,
    method: &str,
    path: &str,
    issuing: bool,
) -> reqwest::RequestBuilder {
    let url = format!("{}{path}", sb.base_url());
    let method = reqwest::Method::from_bytes(method.to_ascii_uppercase().as_bytes()).unwrap();
    let request = client().request(method, url);
    let c = sb.credentials();
    if issuing {
        request
            .bearer_auth(&c.access_token)
            .header("x-api-key", &c.api_key)
    } else {
        request.basic_auth(&c.username, Some(&c.password))
    }
}

pub async fn issuing_get(sb: &Sandbox, path_and_query: &str, auth: Issuing) -> Reply {
    let url = format!("{}{path_and_query}", sb.base_url());
    send(with_issuing(sb, client().get(url), auth)).await
}

pub async fn issuing_post(sb: &Sandbox, path: &str, body: &str, auth: Issuing) -> Reply {
    let url = format!("{}{path}", sb.base_url());
    let request = client()
        .post(url)
        .header("Content-Type", "application/json")
        .body(body.to_owned());
    send(with_issuing(sb, request, auth)).await
}

pub async fn payments_get(sb: &Sandbox, path: &str, auth: Payments) -> Reply {
    let c = sb.credentials();
    let request = client().get(format!("{}{path}", sb.base_url()));
    let request = match auth {
        Payments::Good => request.basic_auth(&c.username, Some(&c.password)),
        Payments::Nothing => request,
        Payments::WrongPassword => request.basic_auth(&c.username, Some("wrong")),
        Payments::WrongUser => request.basic_auth("someone", Some(&c.password)),
        Payments::Bearer => request.bearer_auth(&c.access_token),
    };
    send(request).await
}

pub async fn admin_get(sb: &Sandbox, path: &str) -> Reply {
    send(client().get(format!("{}{path}", sb.base_url()))).await
}

pub async fn admin_post(sb: &Sandbox, path: &str, body: &str) -> Reply {
    send(
        client()
            .post(format!("{}{path}", sb.base_url()))
            .header("Content-Type", "application/json")
            .body(body.to_owned()),
    )
    .await
}

pub async fn admin_put(sb: &Sandbox, path: &str, body: &str) -> Reply {
    send(
        client()
            .put(format!("{}{path}", sb.base_url()))
            .header("Content-Type", "application/json")
            .body(body.to_owned()),
    )
    .await
}

/// Asserts an issuing error body: exactly `code` and `message`.
pub fn assert_issuing_error(reply: &Reply, status: u16, code: &str) {
    assert_eq!(reply.status, status, "{}", reply.text);
    assert_eq!(reply.body["code"], code, "{}", reply.text);
    assert!(
        reply.body["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{}",
        reply.text
    );
    assert_eq!(
        reply.body.as_object().map(|o| o.len()),
        Some(2),
        "{}",
        reply.text
    );
}

/// Asserts a payments (Finix) error body with one error of `code`.
pub fn assert_payments_error(reply: &Reply, status: u16, code: &str) {
    assert_eq!(reply.status, status, "{}", reply.text);
    assert_eq!(reply.body["total"], 1, "{}", reply.text);
    let errors = reply.body["_embedded"]["errors"]
        .as_array()
        .expect("errors array");
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["code"], code, "{}", reply.text);
    assert!(errors[0]["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert!(errors[0]["logref"].as_str().is_some_and(|m| !m.is_empty()));
}

/// The seeded sandbox.
pub async fn seeded() -> Sandbox {
    Sandbox::start_seeded().await.expect("sandbox starts")
}

/// An empty sandbox.
pub async fn empty() -> Sandbox {
    Sandbox::start().await.expect("sandbox starts")
}

/// A fresh temporary directory under the target dir's tmp (removed by the caller).
pub fn temp_dir(name: &str) -> std::path::PathBuf {
    let base = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let dir = base.join(format!(
        "ahrvo-sandbox-{name}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

// Issue 14's paths.
pub const TOP_UP: &str = "/card/issuance/api/issuing/budget/v2/top-up";
pub const TOP_UP_ORDER: &str = "/card/issuance/api/issuing/budget/v2/top-up/order";
pub const TRANSFER: &str = "/card/issuance/api/issuing/budget/v2/transfer";
pub const TRANSFER_ORDER: &str = "/card/issuance/api/issuing/budget/v2/transfer/order";
pub const CARD_TOP_UP: &str = "/card/issuance/api/issuing/card/v2/funding/top-up";
pub const FUNDING_LIST: &str = "/card/issuance/api/issuing/card/v2/funding/list";
pub const CARD_LIST: &str = "/card/issuance/api/issuing/card/v2/detail-list";
pub const PRODUCTS: &str = "/card/issuance/api/issuing/card/v2/product";
pub const BALANCES: &str = "/payments/na/balances";
pub const ADJUSTMENTS: &str = "/payments/na/balance_adjustments";
pub const SEED_TRANSFER: &str = "TRf4LSyv5Ko5cBGt3ZpT8xA9";
pub const MARKETING: &str = "ci202507232016182661";
pub const ENGINEERING: &str = "ci202507232016182662";
pub const TRAVEL: &str = "ci202507232016182663";

/// The entries of a Balance.
pub fn entries_path(balance_id: &str) -> String {
    format!("/payments/na/balances/{balance_id}/balance_entries")
}

/// A payments GET with good credentials and, when `cursor`, `Finix-Version: 2022-02-01`.
pub async fn payments_list(sb: &Sandbox, path_and_query: &str, cursor: bool) -> Reply {
    let c = sb.credentials();
    let mut request = client()
        .get(format!("{}{path_and_query}", sb.base_url()))
        .basic_auth(&c.username, Some(&c.password));
    if cursor {
        request = request.header("Finix-Version", "2022-02-01");
    }
    send(request).await
}

/// A budget top-up body.
pub fn top_up_body(budget_id: &str, amount: &str, order_id: &str) -> String {
    serde_json::json!({
        "budget_id": budget_id,
        "top_up_amount": amount,
        "top_up_currency": "USD",
        "unique_order_id": order_id,
    })
    .to_string()
}

/// `"12.34"` as 1234.
pub fn cents(text: &str) -> i64 {
    let (units, fraction) = text.split_once('.').unwrap_or((text, "00"));
    units.parse::<i64>().expect("units") * 100
        + format!("{fraction:0<2}").parse::<i64>().expect("cents")
}
