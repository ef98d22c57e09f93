//! The operations of the spec and the per-crate `operations.rs` tables printed from them.
//!
//! An operation's tag names its crate and its operationId names its constant and its method,
//! so both the table and the doc-alias check start from the list [`collect`] returns.

use serde_json::Value;

use crate::doc;
use crate::models::HEADER;
use crate::names::screaming_snake_case;
use crate::spec::{SpecError, child};

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// One operation of the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    /// `listBudgetBalances`.
    pub id: String,
    /// The single tag: `issuing` names the crate `ahrvo-issuing`.
    pub tag: String,
    /// Upper-case HTTP method: `GET`.
    pub method: String,
    /// The path template, `{name}` placeholders included.
    pub path: String,
    /// `summary`, if any.
    pub summary: Option<String>,
    /// `description`, if any.
    pub description: Option<String>,
    /// JSON pointer of the operation object.
    pub pointer: String,
}

/// Every operation, in spec order; all problems are reported together.
pub fn collect(spec: &Value) -> Result<Vec<Operation>, Vec<SpecError>> {
    let mut operations: Vec<Operation> = Vec::new();
    let mut errors = Vec::new();
    let Some(paths) = spec.get("paths").and_then(Value::as_object) else {
        return Err(vec![SpecError::new(
            "/paths",
            "the spec has no `paths` object",
        )]);
    };
    for (path, item) in paths {
        let path_at = child("/paths", path);
        let Some(item) = item.as_object() else {
            errors.push(SpecError::new(&path_at, "a path item must be an object"));
            continue;
        };
        // File order, so `ALL` lists operations as the spec does.
        for (method, operation) in item.iter().filter(|(k, _)| METHODS.contains(&k.as_str())) {
            match parse(path, method, operation, &child(&path_at, method)) {
                Ok(op) => match operations.iter().find(|o| o.id == op.id) {
                    Some(other) => errors.push(SpecError::new(
                        &op.pointer,
                        format!("operationId {:?} is also used at #{}", op.id, other.pointer),
                    )),
                    None => operations.push(op),
                },
                Err(e) => errors.push(e),
            }
        }
    }
    if errors.is_empty() {
        Ok(operations)
    } else {
        Err(errors)
    }
}

fn text(node: &Value, key: &str) -> Option<String> {
    node.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn parse(path: &str, method: &str, operation: &Value, at: &str) -> Result<Operation, SpecError> {
    let id = text(operation, "operationId")
        .ok_or_else(|| SpecError::new(at, "operation has no `operationId`"))?;
    let id_ok = id.starts_with(|c: char| c.is_ascii_lowercase())
        && id.chars().all(|c| c.is_ascii_alphanumeric());
    if !id_ok {
        return Err(SpecError::new(
            &child(at, "operationId"),
            format!("operationId {id:?} is not lowerCamelCase"),
        ));
    }
    let tags: Vec<&str> = operation
        .get("tags")
        .and_then(Value::as_array)
        .map(|tags| tags.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let tag = match tags.as_slice() {
        [tag] => tag.to_string(),
        _ => {
            return Err(SpecError::new(
                &child(at, "tags"),
                format!(
                    "operation {id:?} has {} tags; it needs exactly one (the crate: issuing, payments, ...)",
                    tags.len()
                ),
            ));
        }
    };
    let tag_ok = tag.starts_with(|c: char| c.is_ascii_lowercase())
        && tag
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !tag_ok {
        return Err(SpecError::new(
            &child(at, "tags"),
            format!("tag {tag:?} cannot name a crate `ahrvo-{tag}`"),
        ));
    }
    Ok(Operation {
        id,
        tag,
        method: method.to_ascii_uppercase(),
        path: path.to_owned(),
        summary: text(operation, "summary"),
        description: text(operation, "description"),
        pointer: at.to_owned(),
    })
}

/// The tags of `operations`, in order of first use.
pub fn tags(operations: &[Operation]) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for op in operations {
        if !tags.contains(&op.tag) {
            tags.push(op.tag.clone());
        }
    }
    tags
}

/// The source of `crates/ahrvo-<tag>/src/generated/operations.rs`.
pub fn render_table(tag: &str, operations: &[Operation]) -> String {
    let mut out = String::from(HEADER);
    out.push_str(&doc::module_comment(&format!(
        "The `{tag}` operations of the spec: id, HTTP method and path template of each."
    )));
    let mut names = Vec::new();
    for op in operations.iter().filter(|op| op.tag == tag) {
        let name = screaming_snake_case(&op.id);
        out.push('\n');
        out.push_str(&doc::comment(&operation_doc(op), ""));
        out.push_str(&format!(
            "pub const {name}: ahrvo_transport::Operation = ahrvo_transport::Operation::new({:?}, ahrvo_transport::Method::{}, {:?});\n",
            op.id, op.method, op.path
        ));
        names.push(name);
    }
    out.push('\n');
    out.push_str(&doc::comment(
        &format!("Every `{tag}` operation, in spec order."),
        "",
    ));
    out.push_str(&format!(
        "pub const ALL: &[ahrvo_transport::Operation] = &[{}];\n",
        names.join(", ")
    ));
    out
}

/// "`GET /path` — summary", then the first paragraph of the description.
fn operation_doc(op: &Operation) -> String {
    let mut text = format!("`{} {}`", op.method, op.path);
    if let Some(summary) = &op.summary {
        text.push_str(&format!(" — {}", doc::sanitize(summary)));
    }
    if let Some(first) = op
        .description
        .as_deref()
        .and_then(|d| d.split("\n\n").next())
    {
        text.push_str(&format!("\n\n{}", doc::sanitize(first)));
    }
    text
}

/// The source of `crates/ahrvo-<tag>/src/generated/mod.rs`.
pub fn render_mod() -> String {
    format!(
        "{HEADER}{}\npub mod operations;\n",
        doc::module_comment("Code generated from the spec.")
    )
}
