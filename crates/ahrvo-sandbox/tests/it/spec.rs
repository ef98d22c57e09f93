//! Spec conformance: every sandbox reply (success and error, each operation) is validated
//! against the schema `docs/openapi/ahrvo.json` declares for its status. Fields the spec does
//! not declare are failures: the sandbox must not invent fields.

use std::collections::{BTreeMap, BTreeSet};

use ahrvo_sandbox::{CardKind, FaultConfig, FaultKind, NewBalance, NewBalanceEntry, Sandbox};
use serde_json::Value;

use crate::common::*;
use crate::schema::Validator;

fn spec_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/openapi")
}

pub(crate) fn load_spec() -> Value {
    let path = spec_dir().join("ahrvo.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

// ---------------------------------------------------------------------------------------------
// The replies
// ---------------------------------------------------------------------------------------------

/// One observed reply of an operation (by spec path template and method).
pub(crate) struct Observed {
    pub(crate) method: &'static str,
    pub(crate) template: &'static str,
    pub(crate) what: String,
    pub(crate) reply: Reply,
}

async fn observe_everything(seeded: &Sandbox, empty: &Sandbox) -> Vec<Observed> {
    let mut seen = Vec::new();
    let list = "/card/issuance/api/issuing/budget/v2/balance/all";
    let create = "/card/issuance/api/issuing/budget/v2/create";
    let card = "/card/issuance/api/issuing/card/v2/normal/balance";
    let balance = "/payments/na/balances/{balance_id}";
    let entry = "/payments/na/balance_entries/{balance_entry_id}";
    macro_rules! record {
        ($method:expr, $template:expr, $what:expr, $reply:expr) => {
            seen.push(Observed {
                method: $method,
                template: $template,
                what: $what.to_string(),
                reply: $reply,
            })
        };
    }

    // Issuing: list.
    record!(
        "get",
        list,
        "seeded",
        issuing_get(seeded, LIST, Issuing::Good).await
    );
    record!(
        "get",
        list,
        "no credentials",
        issuing_get(seeded, LIST, Issuing::Nothing).await
    );
    record!(
        "get",
        list,
        "wrong key",
        issuing_get(seeded, LIST, Issuing::WrongKey).await
    );
    record!(
        "get",
        list,
        "issuing disabled",
        issuing_get(seeded, LIST, Issuing::Forbidden).await
    );
    record!(
        "get",
        list,
        "no budgets",
        issuing_get(empty, LIST, Issuing::Good).await
    );

    // Issuing: create.
    record!(
        "post",
        create,
        "new",
        issuing_post(seeded, CREATE, r#"{"budget_name": "Spec"}"#, Issuing::Good).await
    );
    for body in [
        "{}",
        "nope",
        r#"{"budget_name": ""}"#,
        r#"{"budget_name": 1}"#,
    ] {
        record!(
            "post",
            create,
            format!("bad body {body}"),
            issuing_post(seeded, CREATE, body, Issuing::Good).await
        );
    }
    record!(
        "post",
        create,
        "no credentials",
        issuing_post(seeded, CREATE, "{}", Issuing::TokenOnly).await
    );
    record!(
        "post",
        create,
        "issuing disabled",
        issuing_post(seeded, CREATE, "{}", Issuing::Forbidden).await
    );
    record!(
        "post",
        create,
        "duplicate",
        issuing_post(seeded, CREATE, r#"{"budget_name": "Spec"}"#, Issuing::Good).await
    );

    // Issuing: card balance.
    let budget = seeded.create_budget("Spec cards", "USD").unwrap();
    seeded.fund_budget(&budget, "10").unwrap();
    let fresh_card = seeded.create_card(&budget, CardKind::Dedicated).unwrap();
    seeded.top_up_card(&fresh_card, "9.99").unwrap();
    let q = |id: &str| format!("{CARD}?card_id={id}");
    record!(
        "get",
        card,
        "seeded card",
        issuing_get(seeded, &q(SEED_CARD), Issuing::Good).await
    );
    record!(
        "get",
        card,
        "new card",
        issuing_get(seeded, &q(&fresh_card), Issuing::Good).await
    );
    record!(
        "get",
        card,
        "no card_id",
        issuing_get(seeded, CARD, Issuing::Good).await
    );
    record!(
        "get",
        card,
        "shared card",
        issuing_get(seeded, &q(SEED_SHARED_CARD), Issuing::Good).await
    );
    record!(
        "get",
        card,
        "no credentials",
        issuing_get(seeded, &q(SEED_CARD), Issuing::KeyOnly).await
    );
    record!(
        "get",
        card,
        "issuing disabled",
        issuing_get(seeded, &q(SEED_CARD), Issuing::Forbidden).await
    );
    record!(
        "get",
        card,
        "unknown card",
        issuing_get(seeded, &q("card999"), Issuing::Good).await
    );

    // Payments: Balance.
    let new_balance = seeded
        .create_balance(
            NewBalance::new()
                .with_available_amount(100)
                .with_tag("k", "v"),
        )
        .unwrap();
    let b = |id: &str| format!("/payments/na/balances/{id}");
    record!(
        "get",
        balance,
        "seeded",
        payments_get(seeded, &b(SEED_BALANCE), Payments::Good).await
    );
    record!(
        "get",
        balance,
        "new",
        payments_get(seeded, &b(&new_balance), Payments::Good).await
    );
    record!(
        "get",
        balance,
        "not UTF-8",
        payments_get(seeded, &b("%FF"), Payments::Good).await
    );
    record!(
        "get",
        balance,
        "no credentials",
        payments_get(seeded, &b(SEED_BALANCE), Payments::Nothing).await
    );
    record!(
        "get",
        balance,
        "wrong password",
        payments_get(seeded, &b(SEED_BALANCE), Payments::WrongPassword).await
    );
    record!(
        "get",
        balance,
        "unknown",
        payments_get(seeded, &b("balance_nope"), Payments::Good).await
    );

    // Payments: Balance Entry, of every kind and state.
    let e = |id: &str| format!("/payments/na/balance_entries/{id}");
    let ach = seeded
        .post_balance_entry(
            &new_balance,
            NewBalanceEntry::new("BALANCE_TOP_UP_ACH", 500),
        )
        .unwrap();
    record!(
        "get",
        entry,
        "seeded",
        payments_get(seeded, &e(SEED_ENTRY), Payments::Good).await
    );
    record!(
        "get",
        entry,
        "pending ACH",
        payments_get(seeded, &e(&ach), Payments::Good).await
    );
    seeded.settle_balance_entry(&ach).unwrap();
    record!(
        "get",
        entry,
        "settled ACH",
        payments_get(seeded, &e(&ach), Payments::Good).await
    );
    for spec in [
        NewBalanceEntry::new("BALANCE_TOP_UP_WIRE", 700),
        NewBalanceEntry::new("BALANCE_TOP_UP_WIRE", 700).with_external_reference_number("FED1"),
        NewBalanceEntry::new("PAYOUT", -100).with_tag("payout", "1"),
        NewBalanceEntry::new("FEE", -1).with_description("fee"),
        NewBalanceEntry::new("PUSH_TO_CARD", -2),
        NewBalanceEntry::new("TRANSFER", 3).with_entity("TRANSFER", "TRsomething"),
        NewBalanceEntry::new("REFUND", -4),
    ] {
        let what = spec.entry_type.clone();
        let id = seeded.post_balance_entry(&new_balance, spec).unwrap();
        record!(
            "get",
            entry,
            what,
            payments_get(seeded, &e(&id), Payments::Good).await
        );
    }
    record!(
        "get",
        entry,
        "not UTF-8",
        payments_get(seeded, &e("%C3%28"), Payments::Good).await
    );
    record!(
        "get",
        entry,
        "no credentials",
        payments_get(seeded, &e(SEED_ENTRY), Payments::Bearer).await
    );
    record!(
        "get",
        entry,
        "unknown",
        payments_get(seeded, &e("balance_entry_nope"), Payments::Good).await
    );

    // Every operation: an Accept without JSON (406), and the injected 429, 500 and 503.
    let operations = [
        ("get", list, LIST.to_owned(), true),
        ("post", create, CREATE.to_owned(), true),
        ("get", card, q(SEED_CARD), true),
        ("get", balance, b(SEED_BALANCE), false),
        ("get", entry, e(SEED_ENTRY), false),
    ];
    let faulty = crate::common::seeded().await;
    for (method, template, path, issuing) in &operations {
        let send_to = |sb: &Sandbox, accept: &'static str| {
            let request = api_request(sb, method, path, *issuing).header("Accept", accept);
            send(request)
        };
        record!(
            method,
            template,
            "Accept: text/html",
            send_to(seeded, "text/html").await
        );
        for kind in [
            FaultKind::TooManyRequests,
            FaultKind::InternalServerError,
            FaultKind::ServiceUnavailable,
        ] {
            faulty.set_faults(FaultConfig::with_rate(1.0).kinds([kind]));
            record!(
                method,
                template,
                format!("{kind:?}"),
                send_to(&faulty, "application/json").await
            );
        }
    }
    // Create: a body over the limit (413), a body that is not JSON-typed (415).
    let big = format!(r#"{{"budget_name": "{}"}}"#, "x".repeat(70 * 1024));
    record!(
        "post",
        create,
        "70 KiB body",
        issuing_post(seeded, CREATE, &big, Issuing::Good).await
    );
    record!(
        "post",
        create,
        "text/plain body",
        send(
            api_request(seeded, "post", CREATE, true)
                .header("Content-Type", "text/plain")
                .body(r#"{"budget_name": "Plain"}"#)
        )
        .await
    );
    seen
}

#[tokio::test]
async fn every_reply_conforms_to_the_spec() {
    let spec = load_spec();
    let validator = Validator { root: &spec };
    let seeded = seeded().await;
    let empty = empty().await;
    let mut observed = observe_everything(&seeded, &empty).await;
    observed.extend(crate::spec_issue14::observe(&seeded).await);

    let mut failures = Vec::new();
    let mut covered: BTreeMap<(&str, &str), BTreeSet<String>> = BTreeMap::new();
    for o in &observed {
        let status = o.reply.status.to_string();
        let operation = &spec["paths"][o.template][o.method];
        assert!(
            operation.is_object(),
            "the spec has no {} {}",
            o.method,
            o.template
        );
        let response = &operation["responses"][&status];
        if !response.is_object() {
            failures.push(format!(
                "{} {} ({}): status {status} is not declared",
                o.method, o.template, o.what
            ));
            continue;
        }
        let schema = &response["content"]["application/json"]["schema"];
        assert!(
            schema.is_object(),
            "no JSON schema for {} {} {status}",
            o.method,
            o.template
        );
        let content_type = o
            .reply
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok());
        if content_type != Some("application/json") {
            failures.push(format!(
                "{} {} ({}): content-type {content_type:?}",
                o.method, o.template, o.what
            ));
        }
        for error in validator.errors(schema, &o.reply.body) {
            failures.push(format!(
                "{} {} {status} ({}): {error}\n  body: {}",
                o.method, o.template, o.what, o.reply.text
            ));
        }
        covered
            .entry((o.method, o.template))
            .or_default()
            .insert(status);
    }
    // Every operation of the spec, and every status it declares, was exercised.
    for (template, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let Some(responses) = operation.get("responses").and_then(Value::as_object) else {
                continue;
            };
            let seen = covered
                .get(&(method.as_str(), template.as_str()))
                .cloned()
                .unwrap_or_default();
            for status in responses.keys() {
                if !seen.contains(status) {
                    failures.push(format!(
                        "{method} {template}: declared status {status} never observed"
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn seeded_replies_equal_the_spec_examples() {
    let spec = load_spec();
    let sb = seeded().await;
    let replies = [
        (
            "listBudgetBalances",
            issuing_get(&sb, LIST, Issuing::Good).await,
        ),
        (
            "getCardBalance",
            issuing_get(&sb, &format!("{CARD}?card_id={SEED_CARD}"), Issuing::Good).await,
        ),
        (
            "getBalance",
            payments_get(
                &sb,
                &format!("/payments/na/balances/{SEED_BALANCE}"),
                Payments::Good,
            )
            .await,
        ),
        (
            "getBalanceEntry",
            payments_get(
                &sb,
                &format!("/payments/na/balance_entries/{SEED_ENTRY}"),
                Payments::Good,
            )
            .await,
        ),
    ];
    for (operation_id, reply) in replies {
        let file = spec_dir()
            .join("examples")
            .join(format!("{operation_id}.json"));
        let example: Value =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        assert_eq!(reply.body, example, "{operation_id}");
        // The same JSON is the response's `examples.default` in the spec.
        let in_spec = spec["paths"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|item| item.as_object().unwrap().values())
            .find(|op| op["operationId"] == operation_id)
            .map(|op| op["responses"]["200"]["content"]["application/json"]["examples"]["default"]["value"].clone());
        assert_eq!(in_spec, Some(example), "{operation_id} in the spec");
    }
    // Create's reply has the example's shape (its id is new each time).
    let created = issuing_post(&sb, CREATE, r#"{"budget_name": "Example"}"#, Issuing::Good).await;
    let file = spec_dir().join("examples/createBudget.json");
    let example: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let keys = |v: &Value| {
        v["data"]
            .as_object()
            .map(|o| o.keys().cloned().collect::<Vec<_>>())
    };
    assert_eq!(keys(&created.body), keys(&example));
    assert_eq!(created.body["code"], example["code"]);
}
