//! Checking the 200 example of each operation against its fixture file.
//!
//! Tests decode the fixtures under `docs/openapi/examples/`; the spec shows the same replies.
//! Comparing them as JSON values keeps the two from drifting apart silently.

use std::path::Path;

use serde_json::Value;

use crate::operations::Operation;
use crate::spec::{Spec, child};

/// The mismatches between each operation's 200 example and `<examples_dir>/<operationId>.json`;
/// files are named in messages as `<shown_dir>/<operationId>.json`.
pub fn check(
    spec: &Spec,
    operations: &[Operation],
    examples_dir: &Path,
    shown_dir: &str,
) -> Vec<String> {
    let mut problems = Vec::new();
    for op in operations {
        let name = format!("{}.json", op.id);
        let file = examples_dir.join(&name);
        let shown = format!("{shown_dir}/{name}");
        let example = match example_200(spec, op) {
            Ok(value) => value,
            Err(problem) => {
                problems.push(problem);
                continue;
            }
        };
        let fixture = match std::fs::read_to_string(&file) {
            Ok(text) => text,
            Err(e) => {
                problems.push(format!(
                    "{shown}: cannot read the fixture of `{}`: {e}",
                    op.id
                ));
                continue;
            }
        };
        match serde_json::from_str::<Value>(&fixture) {
            Ok(value) if &value == example => {}
            Ok(value) => problems.push(format!(
                "{shown}: differs from the 200 example of `{}` (#{}){}",
                op.id,
                op.pointer,
                first_difference(example, &value, "")
                    .map(|p| format!(", first at {p:?}"))
                    .unwrap_or_default()
            )),
            Err(e) => problems.push(format!("{shown}: not valid JSON: {e}")),
        }
    }
    problems
}

/// `responses/200/content/application/json/examples/default/value` of `op`, `$ref`s followed.
fn example_200<'a>(spec: &'a Spec, op: &Operation) -> Result<&'a Value, String> {
    let missing = |what: &str, at: &str| format!("#{at}: operation `{}` has no {what}", op.id);
    let operation = spec
        .root
        .pointer(&op.pointer)
        .ok_or_else(|| missing("operation object", &op.pointer))?;
    let mut at = child(&child(&op.pointer, "responses"), "200");
    let response = operation
        .pointer("/responses/200")
        .ok_or_else(|| missing("200 response", &at))?;
    let response = spec.deref(response, &at).map_err(|e| e.to_string())?;
    at = child(&child(&at, "content"), "application/json");
    let media = response
        .pointer("/content/application~1json")
        .ok_or_else(|| missing("application/json 200 content", &at))?;
    at = child(&child(&at, "examples"), "default");
    let example = media
        .pointer("/examples/default")
        .ok_or_else(|| missing("`examples.default` on its 200 response", &at))?;
    let example = spec.deref(example, &at).map_err(|e| e.to_string())?;
    example
        .get("value")
        .ok_or_else(|| missing("`value` in its 200 `examples.default`", &at))
}

/// The JSON pointer of the first place where `expected` and `actual` differ.
fn first_difference(expected: &Value, actual: &Value, at: &str) -> Option<String> {
    match (expected, actual) {
        (Value::Object(a), Value::Object(b)) => {
            let keys = a.keys().chain(b.keys().filter(|k| !a.contains_key(*k)));
            for key in keys {
                let here = child(at, key);
                match (a.get(key), b.get(key)) {
                    (Some(x), Some(y)) => {
                        if let Some(p) = first_difference(x, y, &here) {
                            return Some(p);
                        }
                    }
                    _ => return Some(here),
                }
            }
            None
        }
        (Value::Array(a), Value::Array(b)) => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                if let Some(p) = first_difference(x, y, &child(at, &i.to_string())) {
                    return Some(p);
                }
            }
            (a.len() != b.len()).then(|| child(at, &a.len().min(b.len()).to_string()))
        }
        _ => (expected != actual).then(|| at.to_owned()),
    }
}
