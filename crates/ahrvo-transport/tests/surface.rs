//! What a caller reads back from the client, its configuration and its errors: the getters,
//! `Debug`/`Display`, and the edges of the pipeline's bookkeeping. Each assertion names a
//! behaviour that `cargo mutants` (docs/testing.md) found unchecked.

use std::sync::Arc;
use std::time::Duration;

use ahrvo_transport::test_util::{FixedTransport, transport_fn};
use ahrvo_transport::*;

const GET_OP: Operation<()> = Operation::new("getThing", Method::GET, "/things/{id}");
const POST_OP: Operation<()> = Operation::new("createThing", Method::POST, "/things");

fn reply(status: u16, body: &'static str) -> HttpResponse {
    HttpResponse::new(StatusCode::from_u16(status).unwrap(), body)
}

fn client(config: &ClientConfig) -> ApiClient {
    ApiClient::new(config, Arc::new(NoAuth), Arc::new(GenericErrors)).unwrap()
}

fn local(transport: impl HttpTransport + 'static) -> ClientConfig {
    ClientConfig::new(Environment::custom("http://127.0.0.1:9/base/").unwrap())
        .with_transport(Arc::new(transport))
}

#[test]
fn the_client_reports_its_settings() {
    let retry = RetryConfig::default().with_max_attempts(7);
    let timeouts = TimeoutConfig::default()
        .with_per_attempt(Duration::from_secs(3))
        .with_total(Duration::from_secs(9));
    let config = local(FixedTransport::new(reply(200, "{}")))
        .with_retry(retry.clone())
        .with_timeouts(timeouts);
    let c = client(&config);
    assert_eq!(c.base_url(), "http://127.0.0.1:9/base");
    assert_eq!(c.retry_config(), &retry);
    assert_eq!(c.per_attempt_timeout(), Duration::from_secs(3));
    assert_eq!(c.total_timeout(), Duration::from_secs(9));
    let shown = format!("{c:?}");
    for part in [
        "ApiClient",
        "http://127.0.0.1:9/base",
        "NoAuth",
        "GenericErrors",
        "max_attempts: 7",
    ] {
        assert!(shown.contains(part), "{part} not in {shown}");
    }
}

#[test]
fn configurations_keep_what_they_are_given() {
    let c = ClientConfig::default()
        .with_environment(Environment::Staging)
        .with_allow_insecure_http(true)
        .with_timeouts(TimeoutConfig::default().with_connect(Duration::from_millis(1500)));
    assert_eq!(c.environment, Environment::Staging);
    assert!(c.allow_insecure_http);
    assert_eq!(c.timeouts.connect, Duration::from_millis(1500));
    let shown = format!("{c:?}");
    for part in [
        "ClientConfig",
        "Staging",
        "allow_insecure_http: true",
        "1.5s",
        "transport: None",
    ] {
        assert!(shown.contains(part), "{part} not in {shown}");
    }
    assert_eq!(format!("{:?}", Environment::Production), "Production");
    assert_eq!(
        format!("{:?}", Environment::custom("https://x.test/p").unwrap()),
        "Custom(https://x.test/p)"
    );
}

#[test]
fn environments_refuse_what_they_should_and_say_why() {
    let e = Environment::parse("prodution").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert!(e.message().starts_with("unknown environment"), "{e}");
    // Each of these alone is refused.
    for url in [
        "https://x.test/?a=1",
        "https://x.test/#f",
        "https://user@x.test/",
    ] {
        let config = ClientConfig::new(Environment::custom(url).unwrap());
        let e = ApiClient::new(&config, Arc::new(NoAuth), Arc::new(GenericErrors)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config, "{url}");
        assert!(
            e.message().contains("query, fragment or credentials"),
            "{url}: {e}"
        );
    }
}

#[test]
fn every_kind_reads_as_words() {
    let kinds = [
        (ErrorKind::Validation, "invalid input"),
        (ErrorKind::NotFound, "not found"),
        (ErrorKind::Timeout, "timed out"),
        (ErrorKind::Decode, "unexpected reply"),
    ];
    for (kind, words) in kinds {
        assert_eq!(kind.to_string(), words);
    }
}

#[tokio::test(start_paused = true)]
async fn an_error_keeps_the_operation_body_and_context() {
    let body = r#"{"message":"no such thing 4111111111111111"}"#;
    let c = client(&local(FixedTransport::new(reply(404, body))));
    let e = c
        .execute(ApiRequest::new(GET_OP).path_id("id", "t1").unwrap())
        .await
        .unwrap_err();
    assert_eq!(e.operation(), Some("getThing"));
    assert_eq!(e.body().map(|b| &b[..]), Some(body.as_bytes()));
    let snippet = e.body_snippet().unwrap();
    assert!(
        snippet.starts_with(r#"{"message":"no such thing 4111"#),
        "{snippet}"
    );
    assert!(!snippet.contains("4111111111111111"), "{snippet}");
    assert_eq!(e.context(), None);
    let e = e.with_context("is the base URL right?");
    assert_eq!(e.context(), Some("is the base URL right?"));
    assert!(e.to_string().contains("is the base URL right?"), "{e}");
}

#[tokio::test(start_paused = true)]
async fn a_5xx_before_a_refusal_of_a_resent_write_is_a_prior_unknown_outcome() {
    let replies = std::sync::Mutex::new(vec![reply(409, "{}"), reply(503, "{}")]);
    let transport = transport_fn(move |_| {
        Ok(replies
            .lock()
            .unwrap()
            .pop()
            .unwrap_or_else(|| reply(409, "{}")))
    });
    let e = client(&local(transport))
        .execute(ApiRequest::new(POST_OP).resend_on_unknown_outcome())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
    assert!(e.prior_outcome_unknown(), "{e:?}");
}

#[tokio::test(start_paused = true)]
async fn a_retry_after_at_the_bound_is_waited_for_and_not_called_too_long() {
    let limited = || reply(429, "{}").with_header("retry-after", "5");
    let transport = transport_fn(move |_| Ok(limited()));
    let config = local(transport.clone())
        .with_retry(RetryConfig::default().with_max_retry_after(Duration::from_secs(5)));
    let e = client(&config)
        .execute(ApiRequest::new(GET_OP).path_id("id", "t").unwrap())
        .await
        .unwrap_err();
    assert_eq!(transport.calls(), 3, "waited for and retried");
    assert_eq!(e.context(), None, "{e}");
}

#[test]
fn operations_compare_and_show_what_they_are() {
    const SAME: Operation<()> = Operation::new("getThing", Method::GET, "/things/{id}");
    assert!(GET_OP == SAME);
    assert!(GET_OP != Operation::new("getThing", Method::GET, "/other/{id}"));
    let shown = format!("{GET_OP:?}");
    assert!(
        shown.contains("getThing") && shown.contains("/things/{id}"),
        "{shown}"
    );
    assert_eq!(GET_OP.info().id(), "getThing");
}

#[derive(Debug, serde::Deserialize)]
struct Count {
    #[allow(dead_code)]
    count: u32,
}

#[test]
fn a_decode_error_keeps_its_cause_masked() {
    use std::error::Error as _;
    let body = bytes::Bytes::from_static(br#"{"count": "4111111111111111"}"#);
    let e = decode_bytes::<Count>("getCount", StatusCode::OK, &body).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert_eq!(e.json_path(), Some("count"));
    let cause = e.source().expect("the serde error is kept").to_string();
    assert!(
        cause.contains("invalid type") && cause.contains("4111"),
        "{cause}"
    );
    assert!(!cause.contains("4111111111111111"), "{cause}");
}

#[tokio::test(start_paused = true)]
async fn debug_shows_attempts_only_when_something_was_sent() {
    let c = client(&local(FixedTransport::new(reply(503, "{}"))));
    let e = c
        .execute(ApiRequest::new(GET_OP).path_id("id", "t").unwrap())
        .await
        .unwrap_err();
    assert!(format!("{e:?}").contains("attempts: 3"), "{e:?}");
    let never_sent = Error::validation("bad id");
    assert!(
        !format!("{never_sent:?}").contains("attempts"),
        "{never_sent:?}"
    );
}

#[test]
fn retry_settings_are_kept() {
    let r = RetryConfig::default()
        .with_max_backoff(Duration::from_secs(2))
        .with_retry_on_status([500, 503]);
    assert_eq!(r.max_backoff, Duration::from_secs(2));
    assert_eq!(r.retry_on_status, [500, 503]);
    assert_eq!(r.backoff_cap(10), Duration::from_secs(2));
}

#[tokio::test(start_paused = true)]
async fn a_listed_500_is_retried_and_a_wait_reaching_the_time_bound_is_not() {
    let t = FixedTransport::new(reply(500, "{}"));
    let config = local(t.clone()).with_retry(RetryConfig::default().with_retry_on_status([500]));
    client(&config)
        .execute(ApiRequest::new(GET_OP).path_id("id", "t").unwrap())
        .await
        .unwrap_err();
    assert_eq!(t.calls(), 3);

    // Waiting 1 s when no retry may start 1 s after the call began: not started.
    let t = FixedTransport::new(reply(429, "{}").with_header("retry-after", "1"));
    let retry = RetryConfig::default().with_max_elapsed(Duration::from_secs(1));
    client(&local(t.clone()).with_retry(retry))
        .execute(ApiRequest::new(GET_OP).path_id("id", "t").unwrap())
        .await
        .unwrap_err();
    assert_eq!(t.calls(), 1);
}

#[test]
fn requests_and_replies_print_without_credentials() {
    let mut request = HttpRequest::new(Method::POST, "https://x.test/things");
    request
        .headers
        .insert("cookie", "session=SECRET1".parse().unwrap()); // listed, not marked
    request
        .headers
        .insert("x-custom-key", sensitive_header("SECRET2").unwrap()); // marked, not listed
    request
        .headers
        .insert("x-trace", "visible-1".parse().unwrap());
    request.body = bytes::Bytes::from_static(b"12345");
    let shown = format!("{request:?}");
    assert!(
        !shown.contains("SECRET1") && !shown.contains("SECRET2"),
        "{shown}"
    );
    for part in [
        "HttpRequest",
        "POST",
        "https://x.test/things",
        "visible-1",
        "body_len: 5",
    ] {
        assert!(shown.contains(part), "{part} not in {shown}");
    }
    let response = reply(404, r#"{"message":"gone"}"#).with_header("set-cookie", "SECRET3");
    let shown = format!("{response:?}");
    assert!(!shown.contains("SECRET3"), "{shown}");
    for part in ["HttpResponse", "404", "gone"] {
        assert!(shown.contains(part), "{part} not in {shown}");
    }
}

#[test]
fn a_request_prints_its_operation_not_its_body() {
    let request = ApiRequest::new(POST_OP)
        .json(&serde_json::json!({"secret_name": "x"}))
        .unwrap();
    let shown = format!("{request:?}");
    assert!(
        shown.contains("createThing") && shown.contains("body_len"),
        "{shown}"
    );
    assert!(!shown.contains("secret_name"), "{shown}");
}
