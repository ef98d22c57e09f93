//! Spec conformance: every sandbox reply (success and error, each operation) is validated
//! against the schema `docs/openapi/ahrvo.json` declares for its status. Fields the spec does
//! not declare are failures: the sandbox must not invent fields.

use std::collections::{BTreeMap, BTreeSet};

use ahrvo_sandbox::{CardKind, NewBalance, NewBalanceEntry, Sandbox};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::common::*;

fn spec_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi")
}

fn load_spec() -> Value {
    let path = spec_dir().join("ahrvo.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

// ---------------------------------------------------------------------------------------------
// A small JSON Schema (OpenAPI 3.1 subset) validator
// ---------------------------------------------------------------------------------------------

/// Keywords that only annotate.
fn is_annotation(keyword: &str) -> bool {
    keyword.starts_with("x-")
        || matches!(
            keyword,
            "description"
                | "example"
                | "examples"
                | "title"
                | "summary"
                | "deprecated"
                | "default"
                | "readOnly"
                | "writeOnly"
                | "externalDocs"
                | "$comment"
        )
}

/// The two patterns the spec uses, checked by hand (no regex engine).
fn matches_pattern(pattern: &str, text: &str) -> Option<bool> {
    match pattern {
        // A decimal string: optional minus, digits, optionally a dot and digits.
        r"^-?[0-9]+(\.[0-9]+)?$" => {
            let unsigned = text.strip_prefix('-').unwrap_or(text);
            let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
            Some(match unsigned.split_once('.') {
                Some((units, fraction)) => digits(units) && digits(fraction),
                None => digits(unsigned),
            })
        }
        // An ISO 4217 code.
        "^[A-Z]{3}$" => Some(text.len() == 3 && text.bytes().all(|b| b.is_ascii_uppercase())),
        _ => None,
    }
}

fn type_matches(name: &str, value: &Value) -> bool {
    match name {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        _ => false,
    }
}

struct Validator<'a> {
    root: &'a Value,
}

impl Validator<'_> {
    fn resolve(&self, reference: &str) -> &Value {
        let pointer = reference
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("only local $refs are supported: {reference}"));
        self.root
            .pointer(pointer)
            .unwrap_or_else(|| panic!("dangling $ref {reference}"))
    }

    fn errors(&self, schema: &Value, value: &Value) -> Vec<String> {
        let mut errors = Vec::new();
        self.check(schema, value, "$", &mut errors);
        errors
    }

    fn check(&self, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
        let Some(schema) = schema.as_object() else {
            if schema == &Value::Bool(false) {
                errors.push(format!("{at}: not allowed"));
            }
            return;
        };
        for (keyword, arg) in schema {
            match keyword.as_str() {
                k if is_annotation(k) => {}
                "$ref" => {
                    let target = self.resolve(arg.as_str().expect("$ref is a string"));
                    self.check(target, value, at, errors);
                }
                "type" => {
                    let names: Vec<&str> = match arg {
                        Value::String(s) => vec![s.as_str()],
                        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
                        _ => panic!("{at}: bad type keyword {arg}"),
                    };
                    if !names.iter().any(|n| type_matches(n, value)) {
                        errors.push(format!("{at}: {value} is not of type {names:?}"));
                    }
                }
                "enum" => {
                    let options = arg.as_array().expect("enum is an array");
                    if !options.contains(value) {
                        errors.push(format!("{at}: {value} is not one of {arg}"));
                    }
                }
                "const" => {
                    if arg != value {
                        errors.push(format!("{at}: {value} is not {arg}"));
                    }
                }
                "pattern" => {
                    let pattern = arg.as_str().expect("pattern is a string");
                    if let Some(text) = value.as_str() {
                        match matches_pattern(pattern, text) {
                            Some(true) => {}
                            Some(false) => {
                                errors.push(format!("{at}: {text:?} does not match {pattern}"))
                            }
                            None => panic!(
                                "the test validator does not know the pattern {pattern}: add it"
                            ),
                        }
                    }
                }
                "format" => {
                    let format = arg.as_str().expect("format is a string");
                    match (format, value) {
                        ("date-time", Value::String(text)) => {
                            if OffsetDateTime::parse(text, &Rfc3339).is_err() {
                                errors.push(format!("{at}: {text:?} is not an RFC 3339 date-time"));
                            }
                        }
                        ("int64", _) => {}
                        ("int32", Value::Number(n)) => {
                            if n.as_i64().is_none_or(|i| i32::try_from(i).is_err()) {
                                errors.push(format!("{at}: {n} is not an int32"));
                            }
                        }
                        ("date-time" | "int32", _) => {}
                        (other, _) => {
                            panic!("the test validator does not know the format {other}: add it")
                        }
                    }
                }
                "minLength" | "maxLength" => {
                    if let Some(text) = value.as_str() {
                        let len = text.chars().count() as u64;
                        let bound = arg.as_u64().expect("length bound");
                        let ok = if keyword == "minLength" {
                            len >= bound
                        } else {
                            len <= bound
                        };
                        if !ok {
                            errors.push(format!("{at}: length {len} breaks {keyword} {bound}"));
                        }
                    }
                }
                "minimum" | "maximum" => {
                    if let (Some(n), Some(bound)) = (value.as_i64(), arg.as_i64()) {
                        let ok = if keyword == "minimum" {
                            n >= bound
                        } else {
                            n <= bound
                        };
                        if !ok {
                            errors.push(format!("{at}: {n} breaks {keyword} {bound}"));
                        }
                    }
                }
                "minItems" | "maxItems" => {
                    if let Some(items) = value.as_array() {
                        let len = items.len() as u64;
                        let bound = arg.as_u64().expect("items bound");
                        let ok = if keyword == "minItems" {
                            len >= bound
                        } else {
                            len <= bound
                        };
                        if !ok {
                            errors.push(format!("{at}: {len} items break {keyword} {bound}"));
                        }
                    }
                }
                "required" => {
                    if let Some(object) = value.as_object() {
                        for name in arg.as_array().expect("required is an array") {
                            let name = name.as_str().expect("required names are strings");
                            if !object.contains_key(name) {
                                errors.push(format!("{at}: missing required field {name}"));
                            }
                        }
                    }
                }
                "properties" => {
                    if let Some(object) = value.as_object() {
                        for (name, property) in arg.as_object().expect("properties is an object") {
                            if let Some(field) = object.get(name) {
                                self.check(property, field, &format!("{at}.{name}"), errors);
                            }
                        }
                    }
                }
                // Handled together with `properties` below.
                "additionalProperties" => {}
                "items" => {
                    if let Some(items) = value.as_array() {
                        for (i, item) in items.iter().enumerate() {
                            self.check(arg, item, &format!("{at}[{i}]"), errors);
                        }
                    }
                }
                "oneOf" | "anyOf" | "allOf" => {
                    let branches = arg.as_array().expect("composition is an array");
                    let passing = branches
                        .iter()
                        .filter(|branch| self.errors(branch, value).is_empty())
                        .count();
                    let ok = match keyword.as_str() {
                        "oneOf" => passing == 1,
                        "anyOf" => passing >= 1,
                        _ => passing == branches.len(),
                    };
                    if !ok {
                        let details: Vec<Vec<String>> =
                            branches.iter().map(|b| self.errors(b, value)).collect();
                        errors.push(format!(
                            "{at}: {passing} of {} {keyword} branches match {value}: {details:?}",
                            branches.len()
                        ));
                    }
                }
                other => {
                    panic!("the test validator does not support the keyword {other:?} (at {at})")
                }
            }
        }
        // Unknown fields are failures unless `additionalProperties` allows them.
        if let Some(object) = value.as_object() {
            let declares_object = schema.contains_key("properties")
                || schema.contains_key("additionalProperties")
                || schema.get("type").is_some_and(|t| {
                    t == "object" || t.as_array().is_some_and(|a| a.contains(&json!("object")))
                });
            if declares_object {
                let known = schema.get("properties").and_then(Value::as_object);
                let extra = schema.get("additionalProperties");
                for (name, field) in object {
                    if known.is_some_and(|k| k.contains_key(name)) {
                        continue;
                    }
                    match extra {
                        None | Some(Value::Bool(false)) => {
                            errors.push(format!("{at}: field {name:?} is not in the spec"))
                        }
                        Some(Value::Bool(true)) => {}
                        Some(extra_schema) => {
                            self.check(extra_schema, field, &format!("{at}.{name}"), errors)
                        }
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The replies
// ---------------------------------------------------------------------------------------------

/// One observed reply of an operation (by spec path template and method).
struct Observed {
    method: &'static str,
    template: &'static str,
    what: String,
    reply: Reply,
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
    seen
}

#[tokio::test]
async fn every_reply_conforms_to_the_spec() {
    let spec = load_spec();
    let validator = Validator { root: &spec };
    let seeded = seeded().await;
    let empty = empty().await;
    let observed = observe_everything(&seeded, &empty).await;

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

#[test]
fn the_validator_rejects_what_it_should() {
    let spec = load_spec();
    let v = Validator { root: &spec };
    let balance = json!({"$ref": "#/components/schemas/Balance"});
    let good = json!({
        "id": "balance_x", "created_at": "2024-05-01T18:04:33.42Z", "updated_at": "2024-05-01T18:04:33Z",
        "available_amount": 1, "currency": "USD", "linked_to": null, "linked_type": "APPLICATION",
        "pending_amount": 0, "posted_amount": 1, "tags": {"a": "b"}, "type": "DISBURSEMENT"
    });
    assert_eq!(v.errors(&balance, &good), Vec::<String>::new());
    let mutate = |f: &dyn Fn(&mut serde_json::Map<String, Value>)| {
        let mut bad = good.clone();
        f(bad.as_object_mut().unwrap());
        v.errors(&balance, &bad)
    };
    assert!(
        !mutate(&|o| {
            o.insert("balance_id".into(), json!("x"));
        })
        .is_empty(),
        "unknown field"
    );
    assert!(
        !mutate(&|o| {
            o.remove("posted_amount");
        })
        .is_empty(),
        "missing required"
    );
    assert!(
        !mutate(&|o| {
            o.insert("available_amount".into(), json!("1"));
        })
        .is_empty(),
        "wrong type"
    );
    assert!(
        !mutate(&|o| {
            o.insert("available_amount".into(), json!(1.5));
        })
        .is_empty(),
        "not an integer"
    );
    assert!(
        !mutate(&|o| {
            o.insert("currency".into(), json!("usd"));
        })
        .is_empty(),
        "pattern"
    );
    assert!(
        !mutate(&|o| {
            o.insert("type".into(), json!("OTHER"));
        })
        .is_empty(),
        "enum"
    );
    assert!(
        !mutate(&|o| {
            o.insert("linked_type".into(), json!("OTHER"));
        })
        .is_empty(),
        "oneOf"
    );
    assert!(
        !mutate(&|o| {
            o.insert("tags".into(), json!({"a": 1}));
        })
        .is_empty(),
        "additionalProperties"
    );
    assert!(
        !mutate(&|o| {
            o.insert("created_at".into(), json!("yesterday"));
        })
        .is_empty(),
        "date-time"
    );
    assert!(
        !mutate(&|o| {
            o.insert("linked_to".into(), json!(5));
        })
        .is_empty(),
        "type array"
    );

    let list = json!({"$ref": "#/components/schemas/ListBudgetBalancesResponse"});
    let item = |balance: &str| {
        json!({"code": "SUCCESS", "data": [
        {"budget_id": "ci1", "budget_name": "n", "balance": balance, "currency": "USD"}]})
    };
    assert_eq!(v.errors(&list, &item("12.50")), Vec::<String>::new());
    assert_eq!(v.errors(&list, &item("-3")), Vec::<String>::new());
    for bad in ["12.", ".5", "1e3", "12,50", "", "--1"] {
        assert!(!v.errors(&list, &item(bad)).is_empty(), "{bad}");
    }
    assert!(
        !v.errors(
            &list,
            &json!({"code": "SUCCESS", "data": [{"budget_id": "ci1"}]})
        )
        .is_empty()
    );
}
