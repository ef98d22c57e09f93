//! The operations of the spec and what each domain crate's `generated/` is printed from.
//!
//! An operation's tag names its crate and its client, its operationId names its constant and
//! its method, and its 200 reply names the type the constant carries: the operation table
//! (`operations.rs`) and the compile-time proof that every operation has its method (`mod.rs`)
//! both start from the list [`collect`] returns.

use serde_json::Value;

use crate::doc;
use crate::models::HEADER;
use crate::names::{is_identifier, screaming_snake_case, snake_case, upper_camel_case};
use crate::schema::{self, outside};
use crate::spec::{SpecError, child};

/// The hand-written Issuing envelope `{"code", "message", "data"}` of `ahrvo-types`: a reply
/// schema whose `x-rust-type` is `crate::Envelope<T>` is unwrapped by the domain crate, so its
/// operation returns the type of the schema's `data` property.
const ENVELOPE: &str = "crate::Envelope";

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
    /// What a 2xx reply decodes to, as seen from the domain crate:
    /// `Vec<ahrvo_types::BudgetBalance>` (an envelope's `data`), `ahrvo_types::Balance`, `()`.
    pub output: String,
    /// The method's arguments after `&self`, when the spec settles them: the operation's
    /// `x-rust-arguments` when it has them; else the types of the operation's parameters, in
    /// spec order, when all of them are required path or query parameters and there is no
    /// request body (`None` otherwise).
    pub arguments: Option<Vec<String>>,
}

impl Operation {
    /// The Rust method that performs it: `list_budget_balances`.
    pub fn method_name(&self) -> String {
        snake_case(&self.id)
    }
}

/// The client type of the `tag` crate, from inside it: `crate::IssuingClient`.
pub fn client_type(tag: &str) -> String {
    format!("crate::{}Client", upper_camel_case(tag))
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
            let shared_at = child(&path_at, "parameters");
            let shared = item
                .get("parameters")
                .map(|list| (list, shared_at.as_str()));
            match parse(
                spec,
                path,
                method,
                operation,
                shared,
                &child(&path_at, method),
            ) {
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

fn parse(
    spec: &Value,
    path: &str,
    method: &str,
    operation: &Value,
    shared_parameters: Option<(&Value, &str)>,
    at: &str,
) -> Result<Operation, SpecError> {
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
    if !is_identifier(&snake_case(&id)) {
        return Err(SpecError::new(
            &child(at, "operationId"),
            format!(
                "operationId {id:?} gives the method name `{}`, a Rust keyword",
                snake_case(&id)
            ),
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
        output: output(spec, operation, at)?,
        arguments: arguments(spec, operation, shared_parameters, at)?,
        id,
        tag,
        method: method.to_ascii_uppercase(),
        path: path.to_owned(),
        summary: text(operation, "summary"),
        description: text(operation, "description"),
        pointer: at.to_owned(),
    })
}

/// Follows `$ref` chains (a response or parameter may be a reference).
fn deref<'a>(spec: &'a Value, node: &'a Value, at: &str) -> Result<&'a Value, SpecError> {
    let mut node = node;
    for _ in 0..16 {
        let Some(reference) = node.get("$ref") else {
            return Ok(node);
        };
        node = reference
            .as_str()
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|pointer| spec.pointer(pointer))
            .ok_or_else(|| SpecError::new(at, format!("unresolvable `$ref` {reference}")))?;
    }
    Err(SpecError::new(at, "`$ref` chain too long (a cycle?)"))
}

/// The type a 2xx reply decodes to: the `200` response (else the first `2xx`), its
/// `application/json` schema; `()` when it has no content.
fn output(spec: &Value, operation: &Value, at: &str) -> Result<String, SpecError> {
    let responses_at = child(at, "responses");
    let responses = operation
        .get("responses")
        .and_then(Value::as_object)
        .ok_or_else(|| SpecError::new(&responses_at, "operation has no `responses` object"))?;
    let (status, response) = responses
        .get_key_value("200")
        .or_else(|| responses.iter().find(|(status, _)| status.starts_with('2')))
        .ok_or_else(|| SpecError::new(&responses_at, "operation has no 2xx response"))?;
    let at = child(&responses_at, status);
    let response = deref(spec, response, &at)?;
    let content = match response.get("content").and_then(Value::as_object) {
        Some(content) if !content.is_empty() => content,
        _ => return Ok("()".to_owned()),
    };
    let at = child(&child(&at, "content"), "application/json");
    let schema = content
        .get("application/json")
        .ok_or_else(|| SpecError::new(&at, "a 2xx reply with content must be `application/json`"))?
        .get("schema")
        .ok_or_else(|| {
            SpecError::new(
                &at,
                "the 2xx reply has no `schema`: the operation's output type cannot be derived",
            )
        })?;
    let at = child(&at, "schema");
    match envelope(spec, schema)? {
        Some(data) => Ok(data),
        None => Ok(schema::value_type(spec, schema, &at)?.render_outside()),
    }
}

/// For a reply schema that is the Issuing envelope, the type of its `data`, checked against
/// the envelope's `x-rust-type`.
fn envelope(spec: &Value, schema: &Value) -> Result<Option<String>, SpecError> {
    let Some(reference) = schema.get("$ref").and_then(Value::as_str) else {
        return Ok(None);
    };
    let Some(target) = reference
        .strip_prefix('#')
        .and_then(|pointer| spec.pointer(pointer))
    else {
        return Ok(None); // reported by the `$ref` check
    };
    let target_at = reference.trim_start_matches('#');
    let rust_type = target.get("x-rust-type").and_then(Value::as_str);
    let Some(rust_type) = rust_type.filter(|t| t.starts_with(&format!("{ENVELOPE}<"))) else {
        return Ok(None);
    };
    let data_at = child(&child(target_at, "properties"), "data");
    let data = target.pointer("/properties/data").ok_or_else(|| {
        SpecError::new(
            &data_at,
            format!("an envelope (x-rust-type `{rust_type}`) needs a `data` property: its type is the operation's output"),
        )
    })?;
    let data = schema::value_type(spec, data, &data_at)?.render_outside();
    let squash = |t: &str| t.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let derived = format!("{}<{data}>", outside(ENVELOPE));
    if squash(&outside(rust_type)) != squash(&derived) {
        return Err(SpecError::new(
            &child(target_at, "x-rust-type"),
            format!(
                "x-rust-type `{rust_type}` disagrees with the `data` property, which gives `{derived}`"
            ),
        ));
    }
    Ok(Some(data))
}

/// The types of the method's arguments when the spec settles them (see [`Operation::arguments`]).
fn arguments(
    spec: &Value,
    operation: &Value,
    shared: Option<(&Value, &str)>,
    at: &str,
) -> Result<Option<Vec<String>>, SpecError> {
    // Declared by hand: the method takes more than the spec's required parameters (an options
    // struct of the optional ones), so the spec names its argument types.
    if let Some(declared) = operation.get("x-rust-arguments") {
        let declared_at = child(at, "x-rust-arguments");
        let list = declared.as_array().ok_or_else(|| {
            SpecError::new(&declared_at, "must be an array of Rust types (strings)")
        })?;
        let mut types = Vec::new();
        for (i, ty) in list.iter().enumerate() {
            match ty.as_str().map(str::trim).filter(|t| !t.is_empty()) {
                Some(ty) => types.push(ty.to_owned()),
                None => {
                    return Err(SpecError::new(
                        &child(&declared_at, &i.to_string()),
                        "must be a Rust type (a non-empty string)",
                    ));
                }
            }
        }
        return Ok(Some(types));
    }
    // Path-item parameters first; an operation parameter of the same name and place replaces one.
    let own_at = child(at, "parameters");
    let own = operation
        .get("parameters")
        .map(|list| (list, own_at.as_str()));
    let mut parameters: Vec<(String, &Value)> = Vec::new();
    for (list, list_at) in shared.into_iter().chain(own) {
        let list = list
            .as_array()
            .ok_or_else(|| SpecError::new(list_at, "`parameters` must be an array"))?;
        for (i, parameter) in list.iter().enumerate() {
            let parameter_at = child(list_at, &i.to_string());
            let parameter = deref(spec, parameter, &parameter_at)?;
            let key = |p: &Value| (p.get("name").cloned(), p.get("in").cloned());
            parameters.retain(|(_, other)| key(other) != key(parameter));
            parameters.push((parameter_at, parameter));
        }
    }
    let settled = operation.get("requestBody").is_none()
        && parameters.iter().all(|(_, p)| {
            matches!(p.get("in").and_then(Value::as_str), Some("path" | "query"))
                && p.get("required").and_then(Value::as_bool) == Some(true)
        });
    if !settled {
        return Ok(None);
    }
    let mut types = Vec::new();
    for (parameter_at, parameter) in parameters {
        let schema_at = child(&parameter_at, "schema");
        let schema = parameter
            .get("schema")
            .ok_or_else(|| SpecError::new(&parameter_at, "a parameter needs a `schema`"))?;
        types.push(schema::value_type(spec, schema, &schema_at)?.render_outside());
    }
    Ok(Some(types))
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
            "pub const {name}: ahrvo_transport::Operation<{}> = ahrvo_transport::Operation::new({:?}, ahrvo_transport::Method::{}, {:?});\n",
            op.output, op.id, op.method, op.path
        ));
        names.push(format!("{name}.info().clone()"));
    }
    out.push('\n');
    out.push_str(&doc::comment(
        &format!("Every `{tag}` operation, in spec order."),
        "",
    ));
    // Built on first use: `Operation::info()` is not a `const fn` (an `http::Method` has drop
    // glue, and moving it out of an `Operation` in a `const fn` needs the unstable
    // `const_precise_live_drops`), so a `const` slice of `OperationInfo` cannot be written.
    out.push_str(&format!(
        "pub static ALL: std::sync::LazyLock<Vec<ahrvo_transport::OperationInfo>> = std::sync::LazyLock::new(|| vec![{}]);\n",
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

/// The source of `crates/ahrvo-<tag>/src/generated/mod.rs`: the table's module, and a constant
/// that names the method of every operation, so a missing or renamed one fails to compile.
pub fn render_mod(tag: &str, operations: &[Operation]) -> String {
    let client = client_type(tag);
    let mut out = format!(
        "{HEADER}{}\npub mod operations;\n\n",
        doc::module_comment("Code generated from the spec.")
    );
    out.push_str(&doc::comment(
        "Compile-time proof that every operation of the spec has its method on the client.",
        "",
    ));
    out.push_str("const _: () = {\n");
    for op in operations.iter().filter(|op| op.tag == tag) {
        let method = format!("{client}::{}", op.method_name());
        match &op.arguments {
            // A fn pointer pins generic arguments (`impl Into<CardId>`) that a bare path cannot.
            Some(arguments) if !arguments.is_empty() => out.push_str(&format!(
                "    let _: fn(&'static {client}, {}) -> _ = {method};\n",
                arguments.join(", ")
            )),
            _ => out.push_str(&format!("    let _ = {method};\n")),
        }
    }
    out.push_str("};\n");
    out
}
