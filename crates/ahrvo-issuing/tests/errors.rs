//! What an Issuing error tells the person reading it: a 404 that is not the documented "no budget
//! accounts" is not an empty list, and a create whose outcome is unknown says so in words.

use std::time::Duration;

use ahrvo_issuing::{
    ClientConfig, Environment, ErrorKind, IssuingClient, IssuingCredentials, RetryConfig,
};
use ahrvo_testkit::{RecordingServer, Reply};
use ahrvo_transport::test_util::transport_fn;
use ahrvo_transport::{Error, HttpRequest, HttpResponse};

fn retry() -> RetryConfig {
    RetryConfig::default().with_initial_backoff(Duration::from_millis(1))
}

fn client_at(url: &str) -> IssuingClient {
    let config = ClientConfig::new(Environment::custom(url).unwrap()).with_retry(retry());
    IssuingClient::new(&config, IssuingCredentials::new("k", "t")).unwrap()
}

#[tokio::test]
async fn only_the_documented_404_is_no_budgets() {
    let server = RecordingServer::start().await;
    let c = client_at(server.url());
    for documented in [
        r#"{"code":"NOT_FOUND","message":"No budget accounts exist"}"#,
        r#"{"code":"NOT_FOUND","message":"no budget accounts exist."}"#,
    ] {
        server.push(Reply::new(404, documented));
        assert!(
            c.list_budget_balances().await.unwrap().is_empty(),
            "{documented}"
        );
    }
}

#[tokio::test]
async fn any_other_404_is_an_error_that_questions_the_base_url() {
    let server = RecordingServer::start().await;
    // A base URL with a wrong path prefix: whatever answers there, it is not the budget list.
    let url = format!("{}/wrong-prefix", server.url().trim_end_matches('/'));
    let c = client_at(&url);
    for (body, code) in [
        // An unknown route answered with an Issuing-shaped body: the old rule took it for "no
        // budgets" because it carried a code.
        (
            r#"{"code":"NOT_FOUND","message":"No such endpoint: /wrong-prefix/card"}"#,
            Some("NOT_FOUND"),
        ),
        (
            r#"{"code":"ROUTE_NOT_FOUND","message":"No such route"}"#,
            Some("ROUTE_NOT_FOUND"),
        ),
        (
            r#"{"code":"NOT_FOUND","message":"Card not found"}"#,
            Some("NOT_FOUND"),
        ),
        (r#"{"code":"NOT_FOUND"}"#, Some("NOT_FOUND")),
        ("<html><title>404 Not Found</title></html>", None),
        ("", None),
    ] {
        server.push(Reply::new(404, body));
        let e = c.list_budget_balances().await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound, "{body}");
        assert_eq!(e.api_code(), code, "{body}");
        let shown = e.to_string();
        assert!(
            shown.ends_with(&format!(
                "; is the base URL right? {url} may not serve the Ahrvo API"
            )),
            "{body}: {shown}"
        );
    }
    assert!(
        server
            .requests()
            .iter()
            .all(|r| r.path.starts_with("/wrong-prefix/card/issuance/")),
        "{:?}",
        server.requests()
    );
}

/// A client whose every attempt is cut off after the request was sent.
fn cut_off_client() -> IssuingClient {
    let transport = transport_fn(|_: HttpRequest| -> Result<HttpResponse, Error> {
        Err(Error::new(
            ErrorKind::Transport,
            "the reply body was cut off",
        ))
    });
    let config = ClientConfig::new(Environment::custom("http://127.0.0.1:9").unwrap())
        .with_retry(retry())
        .with_transport(std::sync::Arc::new(transport));
    IssuingClient::new(&config, IssuingCredentials::new("k", "t")).unwrap()
}

#[tokio::test]
async fn an_unresolved_create_says_the_budget_may_exist_and_how_to_check() {
    let e = cut_off_client()
        .create_budget(" Q1 Ops ")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport);
    assert!(e.is_outcome_unknown());
    assert_eq!(e.message(), "the reply body was cut off");
    assert_eq!(
        e.to_string(),
        "createBudget: connection error: the reply body was cut off; the budget \"Q1 Ops\" may \
         or may not have been created: list the budgets and look for the name before creating \
         it again"
    );
}

#[tokio::test]
async fn an_unresolved_create_after_a_409_says_so_too_but_a_first_409_does_not() {
    // The first attempt's reply is lost, the second is refused as a duplicate, and the lookup
    // never finds the name: the outcome stays unknown.
    let server = RecordingServer::start().await;
    server.push(Reply::new(
        503,
        r#"{"code":"UNAVAILABLE","message":"busy"}"#,
    ));
    server.push(Reply::new(
        409,
        r#"{"code":"DUPLICATE","message":"name taken"}"#,
    ));
    server.set_fallback(Reply::new(200, r#"{"code":"SUCCESS","data":[]}"#));
    let e = client_at(server.url())
        .create_budget("Q1")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
    assert!(e.is_outcome_unknown());
    assert!(
        e.to_string()
            .ends_with("; the budget \"Q1\" may or may not have been created: list the budgets and look for the name before creating it again"),
        "{e}"
    );

    let server = RecordingServer::start().await;
    server.push(Reply::new(
        409,
        r#"{"code":"DUPLICATE","message":"name taken"}"#,
    ));
    let e = client_at(server.url())
        .create_budget("Q1")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
    assert_eq!(e.context(), None, "{e}");
    assert_eq!(
        e.to_string(),
        "createBudget: conflict (HTTP 409) [DUPLICATE]: name taken"
    );
}

#[tokio::test]
async fn other_errors_of_the_list_do_not_question_the_base_url() {
    let server = RecordingServer::start().await;
    let c = client_at(server.url());
    for (status, body) in [
        (401, r#"{"code":"UNAUTHORIZED","message":"Invalid token"}"#),
        (400, r#"{"code":"BAD","message":"bad"}"#),
    ] {
        server.push(Reply::new(status, body));
        let e = c.list_budget_balances().await.unwrap_err();
        assert_eq!(e.context(), None, "{status}: {e}");
        assert!(!e.to_string().contains("base URL"), "{status}: {e}");
    }
}

#[tokio::test]
async fn the_card_page_errors_are_told_apart_by_a_typed_code() {
    use ahrvo_issuing::{IssuingErrorCode, error_code};
    let server = RecordingServer::start().await;
    let c = client_at(server.url());
    for (status, body, want) in [
        (
            400,
            r#"{"code":"INVALID_CARD_TYPE","message":"not a Dedicated Funds Card"}"#,
            Some(IssuingErrorCode::InvalidCardType),
        ),
        (
            404,
            r#"{"code":"CARD_NOT_FOUND","message":"card not found"}"#,
            Some(IssuingErrorCode::CardNotFound),
        ),
        (
            400,
            r#"{"code":"SOMETHING_NEW","message":"?"}"#,
            Some(IssuingErrorCode::from("SOMETHING_NEW")),
        ),
        (404, "<html><title>nginx</title></html>", None),
    ] {
        server.push(Reply::new(status, body));
        let e = c.get_card_balance("card1").await.unwrap_err();
        assert_eq!(error_code(&e), want, "{body}");
    }
    let e = c.get_card_balance("").await.unwrap_err();
    assert_eq!(error_code(&e), None, "nothing was sent");
}
