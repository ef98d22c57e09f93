//! A small JSON Schema (OpenAPI 3.1 subset) validator for the spec-conformance tests, and the
//! proof that it rejects what it should.

use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::spec::load_spec;

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

/// Text without control characters and with one character that is not white space (the
/// spec's `card_id` and `budget_name` pattern).
const NAME_PATTERN: &str = "^[^\\u0000-\\u001f\\u007f-\\u009f]*\
    [^\\u0000-\\u0020\\u007f-\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]\
    [^\\u0000-\\u001f\\u007f-\\u009f]*$";

/// The patterns the spec uses, checked by hand (no regex engine).
fn matches_pattern(pattern: &str, text: &str) -> Option<bool> {
    match pattern {
        // A decimal string: optional minus, 1 to 20 digits, optionally a dot and 1 to 8 digits.
        r"^-?[0-9]{1,20}(\.[0-9]{1,8})?$" => {
            let unsigned = text.strip_prefix('-').unwrap_or(text);
            let digits = |s: &str, max: usize| {
                (1..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
            };
            Some(match unsigned.split_once('.') {
                Some((units, fraction)) => digits(units, 20) && digits(fraction, 8),
                None => digits(unsigned, 20),
            })
        }
        // Rust's `char::is_control` is exactly U+0000..=U+001F and U+007F..=U+009F, and
        // `str::trim` removes exactly the white space the middle class excludes.
        p if p == NAME_PATTERN => {
            Some(!text.chars().any(char::is_control) && !text.trim().is_empty())
        }
        // An ISO 4217 code.
        "^[A-Z]{3}$" => Some(text.len() == 3 && text.bytes().all(|b| b.is_ascii_uppercase())),
        // An issuing date, `yyyy-MM-dd` with an optional ` HH:mm:ss`, or a date-time.
        r"^[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2}:[0-9]{2})?$" => {
            Some(issuing_date(text, false))
        }
        r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$" => {
            Some(issuing_date(text, true) && text.len() == 19)
        }
        _ => None,
    }
}

/// `yyyy-MM-dd`, or `yyyy-MM-dd HH:mm:ss` (required when `time`).
fn issuing_date(text: &str, time: bool) -> bool {
    let shape = |s: &str, seps: &[(usize, u8)]| {
        s.bytes()
            .enumerate()
            .all(|(i, b)| match seps.iter().find(|(at, _)| *at == i) {
                Some((_, sep)) => b == *sep,
                None => b.is_ascii_digit(),
            })
    };
    match text.len() {
        10 => !time && shape(text, &[(4, b'-'), (7, b'-')]),
        19 => shape(
            text,
            &[(4, b'-'), (7, b'-'), (10, b' '), (13, b':'), (16, b':')],
        ),
        _ => false,
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

pub(crate) struct Validator<'a> {
    pub(crate) root: &'a Value,
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

    pub(crate) fn errors(&self, schema: &Value, value: &Value) -> Vec<String> {
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
