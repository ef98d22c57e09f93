//! Loading the OpenAPI document and reporting its errors by JSON pointer.
//!
//! Every later stage reads the spec through [`Spec`], so a broken `$ref` or a refused construct
//! is reported once, with the pointer of the offending node, instead of as a panic somewhere in
//! the generator.

use std::fmt;

use serde_json::Value;

/// A problem in the spec, located by the JSON pointer of the offending node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    /// JSON pointer (RFC 6901) of the node, e.g. `/components/schemas/Balance/properties/id`.
    pub pointer: String,
    /// What is wrong and, where possible, how to fix it.
    pub message: String,
}

impl SpecError {
    /// A new error at `pointer`.
    pub fn new(pointer: &str, message: impl Into<String>) -> Self {
        Self {
            pointer: pointer.to_owned(),
            message: message.into(),
        }
    }
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}: {}", self.pointer, self.message)
    }
}

/// Appends one reference token to a JSON pointer, escaping `~` and `/` per RFC 6901.
pub fn child(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", token.replace('~', "~0").replace('/', "~1"))
}

/// The parsed OpenAPI document.
#[derive(Debug)]
pub struct Spec {
    /// The whole document, object keys in file order (`preserve_order`).
    pub root: Value,
}

impl Spec {
    /// Parses the spec text; a JSON syntax error is reported at the root pointer.
    pub fn parse(text: &str) -> Result<Self, SpecError> {
        serde_json::from_str(text)
            .map(|root| Self { root })
            .map_err(|e| SpecError::new("", format!("not valid JSON: {e}")))
    }

    /// The node a local `$ref` (`#/components/schemas/Balance`) points at.
    pub fn resolve(&self, reference: &str) -> Option<&Value> {
        let pointer = reference.strip_prefix('#')?;
        self.root.pointer(pointer)
    }

    /// Follows `$ref` chains from `node` (a response, media type or example may be a reference).
    pub fn deref<'a>(&'a self, node: &'a Value, at: &str) -> Result<&'a Value, SpecError> {
        let mut node = node;
        for _ in 0..16 {
            match node.get("$ref").and_then(Value::as_str) {
                Some(reference) => {
                    node = self
                        .resolve(reference)
                        .ok_or_else(|| unresolved(at, reference))?;
                }
                None => return Ok(node),
            }
        }
        Err(SpecError::new(at, "`$ref` chain too long (a cycle?)"))
    }

    /// Every `$ref` in the document that does not resolve.
    pub fn unresolved_refs(&self) -> Vec<SpecError> {
        let mut errors = Vec::new();
        walk(&self.root, "", &mut |node, pointer| {
            if let Some(reference) = node.get("$ref") {
                let at = child(pointer, "$ref");
                match reference.as_str() {
                    Some(r) if self.resolve(r).is_some() => {}
                    Some(r) => errors.push(unresolved(&at, r)),
                    None => errors.push(SpecError::new(&at, "`$ref` must be a string")),
                }
            }
        });
        errors
    }

    /// Every `type: number` in the document: money is never a float, so it is refused outright.
    pub fn numbers(&self) -> Vec<SpecError> {
        let mut errors = Vec::new();
        walk(&self.root, "", &mut |node, pointer| {
            let is_number = match node.get("type") {
                Some(Value::String(t)) => t == "number",
                Some(Value::Array(types)) => types.iter().any(|t| t == "number"),
                _ => false,
            };
            if is_number {
                errors.push(SpecError::new(
                    &child(pointer, "type"),
                    "`type: number` is refused: money is never a float (use a decimal string \
                     with x-rust-type, or integer cents)",
                ));
            }
        });
        errors
    }
}

fn unresolved(at: &str, reference: &str) -> SpecError {
    SpecError::new(at, format!("unresolvable `$ref` {reference:?}"))
}

/// Calls `visit` on every object node of the spec with its pointer, parents first, skipping
/// example payloads and other literal data, where `"type"` or `"$ref"` is just a value.
fn walk(node: &Value, pointer: &str, visit: &mut dyn FnMut(&Value, &str)) {
    walk_keys(node, pointer, &mut Vec::new(), visit);
}

fn walk_keys<'a>(
    node: &'a Value,
    pointer: &str,
    keys: &mut Vec<&'a str>,
    visit: &mut dyn FnMut(&Value, &str),
) {
    match node {
        Value::Object(map) => {
            visit(node, pointer);
            for (key, value) in map {
                if is_literal_data(keys, key, value) {
                    continue;
                }
                keys.push(key);
                walk_keys(value, &child(pointer, key), keys, visit);
                keys.pop();
            }
        }
        Value::Array(items) => {
            for (i, value) in items.iter().enumerate() {
                walk_keys(value, &child(pointer, &i.to_string()), keys, visit);
            }
        }
        _ => {}
    }
}

/// Whether `key` (under the ancestors `keys`) holds literal JSON rather than spec structure.
fn is_literal_data(keys: &[&str], key: &str, value: &Value) -> bool {
    if keys.last() == Some(&"properties") {
        return false; // a property name, whatever it is called
    }
    match key {
        "example" | "default" | "enum" | "const" => true,
        "examples" => value.is_array(), // JSON Schema's list of examples
        "value" => keys.len() >= 2 && keys[keys.len() - 2] == "examples",
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_pointer_tokens() {
        assert_eq!(child("/paths", "/a/{b}"), "/paths/~1a~1{b}");
        assert_eq!(child("", "x~y"), "/x~0y");
    }

    #[test]
    fn reports_unresolved_refs_and_numbers_by_pointer() {
        let spec = Spec::parse(
            r##"{"components": {"schemas": {
                "A": {"type": "object", "properties": {
                    "b": {"$ref": "#/components/schemas/Missing"},
                    "c": {"type": ["number", "null"]},
                    "type": {"type": "string", "example": {"type": "number"}}}}}}}"##,
        )
        .unwrap();
        let refs = spec.unresolved_refs();
        assert_eq!(refs.len(), 1);
        assert_eq!(refs[0].pointer, "/components/schemas/A/properties/b/$ref");
        assert!(refs[0].to_string().contains("#/components/schemas/Missing"));
        let numbers = spec.numbers();
        assert_eq!(numbers.len(), 1);
        assert_eq!(
            numbers[0].pointer,
            "/components/schemas/A/properties/c/type"
        );
    }
}
