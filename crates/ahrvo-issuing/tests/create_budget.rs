//! `create_budget`'s resolution of unknown outcomes, over a scripted transport with a paused
//! clock: which requests go out, in what order, and how long the lookups wait between them.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ahrvo_issuing::*;
use ahrvo_transport::test_util::transport_fn;
use ahrvo_transport::{HttpResponse, StatusCode};
use tokio::time::Instant;

/// One scripted reply: a status and a body.
type Step = (u16, &'static str);

const CREATED: Step = (200, r#"{"code":"SUCCESS","data":{"budget_id":"ci-new"}}"#);
const CONFLICT: Step = (
    409,
    r#"{"code":"BUDGET_NAME_EXISTS","message":"Budget account with this name already exists"}"#,
);
const UNREADABLE: Step = (200, "<html>a proxy's page</html>");
const LISTED: Step = (
    200,
    r#"{"code":"SUCCESS","data":[{"budget_id":"ci-ops","budget_name":"Ops","balance":"0.00","currency":"USD"}]}"#,
);
const NOT_LISTED: Step = (
    200,
    r#"{"code":"SUCCESS","data":[{"budget_id":"ci-x","budget_name":"Other","balance":"0.00","currency":"USD"}]}"#,
);
const REFUSED: Step = (
    400,
    r#"{"code":"INVALID_BUDGET_NAME","message":"Invalid budget_name"}"#,
);

/// What was sent: the method and when.
type Sent = Arc<Mutex<Vec<(String, Instant)>>>;

fn scripted(steps: &[Step], initial_backoff: Duration) -> (IssuingClient, Sent) {
    let script = Mutex::new(steps.iter().copied().collect::<VecDeque<_>>());
    let sent: Sent = Arc::default();
    let log = sent.clone();
    let transport = transport_fn(move |request| {
        log.lock()
            .unwrap()
            .push((request.method.to_string(), Instant::now()));
        let (status, body) = script
            .lock()
            .unwrap()
            .pop_front()
            .expect("a scripted reply");
        Ok(HttpResponse::new(
            StatusCode::from_u16(status).unwrap(),
            body,
        ))
    });
    let config = ClientConfig::new(Environment::custom("http://127.0.0.1:9").unwrap())
        .with_transport(Arc::new(transport))
        .with_retry(RetryConfig::default().with_initial_backoff(initial_backoff));
    let client = IssuingClient::new(&config, IssuingCredentials::new("k", "t")).unwrap();
    (client, sent)
}

fn methods(sent: &Sent) -> Vec<String> {
    sent.lock()
        .unwrap()
        .iter()
        .map(|(m, _)| m.clone())
        .collect()
}

#[tokio::test(start_paused = true)]
async fn an_unreadable_success_is_sent_again_to_learn_the_id() {
    let (client, sent) = scripted(&[UNREADABLE, CREATED], Duration::from_millis(250));
    let created = client.create_budget("Ops").await.unwrap();
    assert_eq!(created, CreatedBudget::new("ci-new".into(), false));
    assert_eq!(methods(&sent), ["POST", "POST"]);
}

#[tokio::test(start_paused = true)]
async fn an_unreadable_success_then_409_is_recovered_by_name() {
    let (client, sent) = scripted(&[UNREADABLE, CONFLICT, LISTED], Duration::from_millis(250));
    let created = client.create_budget("Ops").await.unwrap();
    assert_eq!(created, CreatedBudget::new("ci-ops".into(), true));
    assert_eq!(methods(&sent), ["POST", "POST", "GET"]);
}

#[tokio::test(start_paused = true)]
async fn an_unreadable_success_then_a_refusal_is_the_refusal() {
    let (client, sent) = scripted(&[UNREADABLE, REFUSED], Duration::from_millis(250));
    let e = client.create_budget("Ops").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadRequest);
    assert_eq!(e.message(), "Invalid budget_name");
    assert_eq!(methods(&sent), ["POST", "POST"]);
}

#[tokio::test(start_paused = true)]
async fn lookups_wait_on_the_retry_policy_between_rounds() {
    // A 500 (not retried for reads) then a lagging list then the name. The first lookup goes
    // right after the 409; the next ones wait a jittered backoff of the round before them:
    // uniform in [0, cap(1)] then [0, cap(2)]. Over 20 calls the waits are never above their
    // caps and not all zero.
    let initial = Duration::from_secs(1);
    let mut waits = Vec::new();
    for _ in 0..20 {
        let steps = [
            (504, "timeout"), // the create's outcome is unknown
            CONFLICT,
            (500, r#"{"code":"INTERNAL","message":"x"}"#),
            NOT_LISTED,
            LISTED,
        ];
        let (client, sent) = scripted(&steps, initial);
        let created = client.create_budget("Ops").await.unwrap();
        assert_eq!(created, CreatedBudget::new("ci-ops".into(), true));
        let sent = sent.lock().unwrap().clone();
        let names: Vec<_> = sent.iter().map(|(m, _)| m.as_str()).collect();
        assert_eq!(names, ["POST", "POST", "GET", "GET", "GET"]);
        assert_eq!(sent[2].1, sent[1].1, "the first lookup does not wait");
        waits.push((sent[3].1 - sent[2].1, sent[4].1 - sent[3].1));
    }
    for (first, second) in &waits {
        assert!(*first <= initial, "{first:?}");
        assert!(*second <= initial * 2, "{second:?}");
    }
    assert!(waits.iter().any(|(a, _)| !a.is_zero()), "{waits:?}");
    assert!(waits.iter().any(|(_, b)| !b.is_zero()), "{waits:?}");
    // The second wait's cap is twice the first's: its mean shows it.
    let mean = |f: fn(&(Duration, Duration)) -> Duration| {
        waits.iter().map(f).sum::<Duration>() / waits.len() as u32
    };
    assert!(mean(|w| w.1) > mean(|w| w.0), "{waits:?}");
}

#[tokio::test(start_paused = true)]
async fn an_unresolved_create_keeps_the_unknown_outcome() {
    let steps = [(504, "a"), CONFLICT, NOT_LISTED, NOT_LISTED, NOT_LISTED];
    let (client, sent) = scripted(&steps, Duration::from_millis(10));
    let e = client.create_budget("Ops").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
    assert!(e.is_outcome_unknown(), "{e:?}");
    assert_eq!(methods(&sent), ["POST", "POST", "GET", "GET", "GET"]);
}

#[test]
fn a_card_stream_shows_what_is_left() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let _guard = rt.enter();
    let (client, _) = scripted(&[], Duration::from_millis(1));
    let stream = client.get_card_balances(["c1", "c2"], CardBatchOptions::new());
    let shown = format!("{stream:?}");
    assert!(shown.starts_with("CardBalanceStream"), "{shown}");
    assert!(shown.contains("remaining: 2"), "{shown}");
}
