//! Turning `components/schemas` into a small model of the Rust items to generate.
//!
//! The README's conventions (nullable, `x-rust-type`, `x-rust-name`, enums, maps, the `number`
//! refusal) are all decided here, on plain data; `models` only prints the result. Anything the
//! conventions do not cover is an error naming its JSON pointer rather than a guess.

use serde_json::{Map, Value};

use crate::names::{is_identifier, is_keyword, snake_case, upper_camel_case};
use crate::spec::{SpecError, child};

/// The Rust type of a field, alias or container element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RustType {
    /// A path: `String`, `i64`, `crate::Cents`, `super::Balance`.
    Path(String),
    /// `Vec<T>`.
    Vec(Box<RustType>),
    /// `std::collections::BTreeMap<String, T>`.
    Map(Box<RustType>),
}

impl RustType {
    /// The type as Rust source.
    pub fn render(&self) -> String {
        match self {
            RustType::Path(path) => path.clone(),
            RustType::Vec(item) => format!("Vec<{}>", item.render()),
            RustType::Map(value) => {
                format!("std::collections::BTreeMap<String, {}>", value.render())
            }
        }
    }
}

/// The crate a type seen from a domain crate lives in: `ahrvo-types` generates and re-exports
/// every model, and its hand-written types are re-exported at its root too.
pub const TYPES_CRATE: &str = "ahrvo_types";

impl RustType {
    /// The type as Rust source outside `ahrvo-types` (an operation's output or a parameter):
    /// `super::Balance` and `crate::CardId` become `ahrvo_types::Balance`, `ahrvo_types::CardId`.
    pub fn render_outside(&self) -> String {
        outside(&self.render())
    }
}

/// `source` (a Rust type written inside `ahrvo-types`) with each `crate::`/`super::` path
/// rooted at [`TYPES_CRATE`] instead.
pub fn outside(source: &str) -> String {
    let mut out = String::new();
    let mut rest = source;
    // Both prefixes are 7 bytes long.
    while let Some(start) = [rest.find("crate::"), rest.find("super::")]
        .into_iter()
        .flatten()
        .min()
    {
        let (before, prefix) = (&rest[..start], &rest[start..start + 7]);
        out.push_str(before);
        let starts_path =
            !before.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == ':');
        if starts_path {
            out.push_str(TYPES_CRATE);
            out.push_str("::");
        } else {
            out.push_str(prefix); // `my_crate::`, `a::super::`: not a root
        }
        rest = &rest[start + 7..];
    }
    out.push_str(rest);
    out
}

/// The Rust type of a schema used by a domain crate as a whole value (a reply, a parameter):
/// neither nullable nor needing a serde `with` module, which only a field can carry.
pub fn value_type(spec: &Value, schema: &Value, at: &str) -> Result<RustType, SpecError> {
    let resolved = resolve(spec, schema, at)?;
    if resolved.nullable {
        return Err(SpecError::new(
            at,
            "a nullable reply or parameter is not supported",
        ));
    }
    if resolved.serde_with.is_some() {
        return Err(SpecError::new(
            at,
            "a type with `x-rust-serde-with` can only be a field, not a whole reply or parameter: wrap it in a named object schema",
        ));
    }
    Ok(resolved.ty)
}

/// A resolved property or element schema.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Resolved {
    ty: RustType,
    /// The `x-rust-serde-with` module of a hand-written type used directly.
    serde_with: Option<String>,
    nullable: bool,
    /// The description of the referenced schema, used when the property has none.
    ref_description: Option<String>,
}

/// One field of a generated struct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The JSON name.
    pub wire_name: String,
    /// The Rust name (differs for keywords, `_`-prefixed and non-snake names).
    pub rust_name: String,
    /// The type, without the `Option` of an optional field.
    pub ty: RustType,
    /// Not required, or nullable: `Option<ty>`.
    pub optional: bool,
    /// Serde `with` module for the bare type (`::option` is appended for optional fields).
    pub serde_with: Option<String>,
    /// Doc text.
    pub doc: Option<String>,
}

/// One value of a generated enum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    /// The UpperCamelCase variant name.
    pub name: String,
    /// The exact wire string.
    pub value: String,
    /// Doc text, from `x-enum-descriptions`.
    pub doc: Option<String>,
}

/// What a named schema becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemKind {
    /// `pub struct` with a `new` constructor.
    Struct(Vec<Field>),
    /// Extensible string enum.
    Enum(Vec<Variant>),
    /// `pub type Name = ...;` (a top-level map, array or scalar without `x-rust-type`).
    Alias(RustType),
}

/// A Rust item generated from `components/schemas/<name>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The schema name, used as the type name.
    pub name: String,
    /// The module (and file) name: snake_case of `name`.
    pub module: String,
    /// Doc text, from the schema's `description`.
    pub doc: Option<String>,
    /// The shape.
    pub kind: ItemKind,
}

const SCHEMAS: &str = "/components/schemas";

/// The items to generate, in spec order. Schemas with `x-rust-type` generate nothing.
pub fn collect_items(spec: &Value) -> Result<Vec<Item>, Vec<SpecError>> {
    let Some(schemas) = spec.pointer(SCHEMAS) else {
        return Ok(Vec::new());
    };
    let Some(schemas) = schemas.as_object() else {
        return Err(vec![SpecError::new(SCHEMAS, "must be an object")]);
    };
    let mut items = Vec::new();
    let mut errors = Vec::new();
    for (name, schema) in schemas {
        if schema.get("x-rust-type").is_some() {
            continue;
        }
        match item(spec, name, schema, &child(SCHEMAS, name)) {
            Ok(item) => items.push(item),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if errors.is_empty() {
        Ok(items)
    } else {
        Err(errors)
    }
}

fn item(spec: &Value, name: &str, schema: &Value, at: &str) -> Result<Item, Vec<SpecError>> {
    let module = snake_case(name);
    if !is_identifier(name) || !name.starts_with(|c: char| c.is_ascii_uppercase()) {
        return Err(vec![SpecError::new(
            at,
            format!("schema name {name:?} is not an UpperCamelCase Rust type name"),
        )]);
    }
    if is_keyword(&module) {
        return Err(vec![SpecError::new(
            at,
            format!("module name `{module}` is a Rust keyword: rename the schema"),
        )]);
    }
    let (types, _) = schema_types(schema, at).map_err(|e| vec![e])?;
    let kind = if types.as_deref() == Some("string") && schema.get("enum").is_some() {
        ItemKind::Enum(variants(schema, at).map_err(|e| vec![e])?)
    } else if types.as_deref() == Some("object") && schema.get("properties").is_some() {
        if additional_properties(schema).is_some() {
            return Err(vec![SpecError::new(
                at,
                "an object with both `properties` and `additionalProperties` is not supported (it would need `#[serde(flatten)]`)",
            )]);
        }
        ItemKind::Struct(fields(spec, schema, at)?)
    } else {
        let resolved = resolve(spec, schema, at).map_err(|e| vec![e])?;
        if resolved.nullable || resolved.serde_with.is_some() {
            return Err(vec![SpecError::new(
                at,
                "a top-level schema cannot be nullable or use `x-rust-serde-with` without `x-rust-type`",
            )]);
        }
        ItemKind::Alias(resolved.ty)
    };
    Ok(Item {
        name: name.to_owned(),
        module,
        doc: description(schema),
        kind,
    })
}

fn description(schema: &Value) -> Option<String> {
    schema
        .get("description")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(str::to_owned)
}

fn additional_properties(schema: &Value) -> Option<&Value> {
    schema.get("additionalProperties").filter(|a| a.is_object())
}

/// The non-null `type` of a schema, and whether `"null"` was listed with it.
fn schema_types(schema: &Value, at: &str) -> Result<(Option<String>, bool), SpecError> {
    let at = &child(at, "type");
    match schema.get("type") {
        None => Ok((None, false)),
        Some(Value::String(t)) => Ok((Some(t.clone()), false)),
        Some(Value::Array(list)) => {
            let mut nullable = false;
            let mut others = Vec::new();
            for t in list {
                match t.as_str() {
                    Some("null") => nullable = true,
                    Some(t) => others.push(t.to_owned()),
                    None => return Err(SpecError::new(at, "`type` entries must be strings")),
                }
            }
            match others.as_slice() {
                [one] => Ok((Some(one.clone()), nullable)),
                _ => Err(SpecError::new(
                    at,
                    "`type` must be one type, optionally with \"null\"",
                )),
            }
        }
        Some(_) => Err(SpecError::new(
            at,
            "`type` must be a string or an array of strings",
        )),
    }
}

fn variants(schema: &Value, at: &str) -> Result<Vec<Variant>, SpecError> {
    let enum_at = child(at, "enum");
    let values = schema
        .get("enum")
        .and_then(Value::as_array)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| SpecError::new(&enum_at, "`enum` must be a non-empty array"))?;
    let docs = schema.get("x-enum-descriptions");
    // `x-enum-varnames` (by position) names variants whose value gives no usable name, e.g. a
    // wire value "UNKNOWN", which would clash with the `Unknown(String)` of every API enum.
    let names = schema.get("x-enum-varnames");
    let names = match names {
        None => None,
        Some(Value::Array(list)) if list.len() == values.len() => Some(list),
        Some(_) => {
            return Err(SpecError::new(
                &child(at, "x-enum-varnames"),
                "must be an array with one UpperCamelCase name per enum value",
            ));
        }
    };
    let mut variants: Vec<Variant> = Vec::new();
    for (i, value) in values.iter().enumerate() {
        let value_at = child(&enum_at, &i.to_string());
        let value = value
            .as_str()
            .ok_or_else(|| SpecError::new(&value_at, "enum values must be strings"))?;
        let name = match names.map(|list| &list[i]) {
            None => upper_camel_case(value),
            Some(Value::String(name)) if is_identifier(name) && upper_camel_case(name) == *name => {
                name.clone()
            }
            Some(other) => {
                return Err(SpecError::new(
                    &child(&child(at, "x-enum-varnames"), &i.to_string()),
                    format!("{other} is not an UpperCamelCase variant name"),
                ));
            }
        };
        if name.is_empty() || name == "Unknown" {
            return Err(SpecError::new(
                &value_at,
                format!(
                    "enum value {value:?} gives the variant name {name:?}, which is empty or clashes with `Unknown`"
                ),
            ));
        }
        if let Some(other) = variants.iter().find(|v| v.name == name) {
            return Err(SpecError::new(
                &value_at,
                format!(
                    "enum values {:?} and {value:?} both give the variant `{name}`",
                    other.value
                ),
            ));
        }
        let doc = match docs {
            Some(Value::Object(map)) => map.get(value),
            Some(Value::Array(list)) => list.get(i),
            _ => None,
        };
        variants.push(Variant {
            name,
            value: value.to_owned(),
            doc: doc.and_then(Value::as_str).map(str::to_owned),
        });
    }
    Ok(variants)
}

fn fields(spec: &Value, schema: &Value, at: &str) -> Result<Vec<Field>, Vec<SpecError>> {
    let props_at = child(at, "properties");
    let empty = Map::new();
    let properties = match schema.get("properties") {
        Some(Value::Object(p)) => p,
        None => &empty,
        Some(_) => return Err(vec![SpecError::new(&props_at, "must be an object")]),
    };
    let required = required(schema, properties, at).map_err(|e| vec![e])?;
    let mut fields: Vec<Field> = Vec::new();
    let mut errors = Vec::new();
    for (wire_name, property) in properties {
        let prop_at = child(&props_at, wire_name);
        match field(spec, wire_name, property, required.contains(&wire_name.as_str()), &prop_at) {
            Ok(f) => match fields.iter().find(|other| other.rust_name == f.rust_name) {
                Some(other) => errors.push(SpecError::new(&prop_at, format!("properties {:?} and {wire_name:?} both map to the Rust field `{}`: set x-rust-name", other.wire_name, f.rust_name))),
                None => fields.push(f),
            },
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(fields)
    } else {
        Err(errors)
    }
}

fn required<'a>(
    schema: &'a Value,
    properties: &Map<String, Value>,
    at: &str,
) -> Result<Vec<&'a str>, SpecError> {
    let at = child(at, "required");
    let Some(list) = schema.get("required") else {
        return Ok(Vec::new());
    };
    let list = list
        .as_array()
        .ok_or_else(|| SpecError::new(&at, "must be an array of property names"))?;
    let mut names = Vec::new();
    for (i, name) in list.iter().enumerate() {
        match name.as_str() {
            Some(name) if properties.contains_key(name) => names.push(name),
            _ => {
                return Err(SpecError::new(
                    &child(&at, &i.to_string()),
                    format!("{name} is not a property of this schema"),
                ));
            }
        }
    }
    Ok(names)
}

fn field(
    spec: &Value,
    wire_name: &str,
    property: &Value,
    required: bool,
    at: &str,
) -> Result<Field, SpecError> {
    let resolved = resolve(spec, property, at)?;
    Ok(Field {
        wire_name: wire_name.to_owned(),
        rust_name: rust_field_name(wire_name, property, at)?,
        ty: resolved.ty,
        optional: !required || resolved.nullable,
        serde_with: resolved.serde_with,
        doc: description(property).or(resolved.ref_description),
    })
}

/// `x-rust-name` if set; otherwise the snake_case wire name without its leading `_`.
fn rust_field_name(wire_name: &str, property: &Value, at: &str) -> Result<String, SpecError> {
    if let Some(name) = property.get("x-rust-name") {
        let name_at = child(at, "x-rust-name");
        return match name.as_str() {
            Some(n) if is_identifier(n) && snake_case(n) == n => Ok(n.to_owned()),
            _ => Err(SpecError::new(
                &name_at,
                format!("x-rust-name {name} is not a snake_case Rust identifier"),
            )),
        };
    }
    let name = snake_case(wire_name.trim_start_matches('_'));
    if is_keyword(&name) {
        return Err(SpecError::new(
            at,
            format!(
                "property {wire_name:?} is the Rust keyword `{name}`: set x-rust-name (e.g. `balance_type` for `type`)"
            ),
        ));
    }
    if !is_identifier(&name) {
        return Err(SpecError::new(
            at,
            format!("property {wire_name:?} gives no Rust identifier: set x-rust-name"),
        ));
    }
    Ok(name)
}

/// The Rust type of a property (or element) schema.
fn resolve(spec: &Value, schema: &Value, at: &str) -> Result<Resolved, SpecError> {
    if let Some(reference) = schema.get("$ref") {
        return resolve_ref(spec, reference, &child(at, "$ref"));
    }
    for keyword in ["oneOf", "anyOf"] {
        if let Some(options) = schema.get(keyword) {
            return resolve_nullable_union(spec, options, &child(at, keyword), keyword);
        }
    }
    if let Some(all) = schema.get("allOf") {
        return match all.as_array().map(Vec::as_slice) {
            Some([only]) => resolve(spec, only, &child(&child(at, "allOf"), "0")),
            _ => Err(SpecError::new(
                &child(at, "allOf"),
                "only a one-element `allOf` is supported",
            )),
        };
    }
    let (ty, nullable) = schema_types(schema, at)?;
    let Some(ty) = ty else {
        return Err(SpecError::new(at, "schema has neither `type` nor `$ref`"));
    };
    let ty = match ty.as_str() {
        "string" if schema.get("enum").is_some() => {
            return Err(SpecError::new(
                at,
                "inline `enum`: define it under components/schemas so it gets a name",
            ));
        }
        "string" => RustType::Path("String".into()),
        "integer" => RustType::Path("i64".into()),
        "boolean" => RustType::Path("bool".into()),
        "number" => {
            return Err(SpecError::new(
                &child(at, "type"),
                "`type: number` is refused: money is never a float",
            ));
        }
        "array" => {
            let items_at = child(at, "items");
            let items = schema
                .get("items")
                .ok_or_else(|| SpecError::new(at, "`type: array` needs `items`"))?;
            RustType::Vec(Box::new(element(spec, items, &items_at)?))
        }
        "object" => {
            if schema.get("properties").is_some() {
                return Err(SpecError::new(
                    at,
                    "inline object with `properties`: define it under components/schemas so it gets a name",
                ));
            }
            let values = additional_properties(schema).ok_or_else(|| {
                SpecError::new(at, "free-form object: give it `additionalProperties: <schema>` (a map) or a named schema")
            })?;
            RustType::Map(Box::new(element(
                spec,
                values,
                &child(at, "additionalProperties"),
            )?))
        }
        other => {
            return Err(SpecError::new(
                &child(at, "type"),
                format!("unsupported type {other:?}"),
            ));
        }
    };
    Ok(Resolved {
        ty,
        serde_with: None,
        nullable,
        ref_description: None,
    })
}

/// An array item or map value: neither nullable nor carrying a serde `with` module.
fn element(spec: &Value, schema: &Value, at: &str) -> Result<RustType, SpecError> {
    let resolved = resolve(spec, schema, at)?;
    if resolved.nullable {
        return Err(SpecError::new(
            at,
            "nullable array items or map values are not supported",
        ));
    }
    if resolved.serde_with.is_some() {
        return Err(SpecError::new(
            at,
            "a type with `x-rust-serde-with` can only be a field (or an optional field), not an array item or map value",
        ));
    }
    Ok(resolved.ty)
}

fn resolve_ref(spec: &Value, reference: &Value, at: &str) -> Result<Resolved, SpecError> {
    let reference = reference
        .as_str()
        .ok_or_else(|| SpecError::new(at, "`$ref` must be a string"))?;
    let name = reference
        .strip_prefix("#/components/schemas/")
        .filter(|n| !n.contains('/'))
        .ok_or_else(|| {
            SpecError::new(
                at,
                format!("`$ref` {reference:?} must point at #/components/schemas/<Name>"),
            )
        })?;
    let target = spec
        .pointer(&child(SCHEMAS, name))
        .ok_or_else(|| SpecError::new(at, format!("unresolvable `$ref` {reference:?}")))?;
    let ref_description = description(target);
    if let Some(rust_type) = target.get("x-rust-type") {
        let type_at = child(&child(SCHEMAS, name), "x-rust-type");
        let rust_type = rust_type
            .as_str()
            .ok_or_else(|| SpecError::new(&type_at, "must be a string (a Rust type path)"))?;
        let serde_with = match target.get("x-rust-serde-with") {
            None => None,
            Some(Value::String(module)) => Some(module.clone()),
            Some(_) => {
                return Err(SpecError::new(
                    &child(&child(SCHEMAS, name), "x-rust-serde-with"),
                    "must be a string (a module path)",
                ));
            }
        };
        return Ok(Resolved {
            ty: RustType::Path(rust_type.to_owned()),
            serde_with,
            nullable: false,
            ref_description,
        });
    }
    Ok(Resolved {
        ty: RustType::Path(format!("super::{name}")),
        serde_with: None,
        nullable: false,
        ref_description,
    })
}

/// `oneOf: [X, {"type": "null"}]` (either order) is a nullable `X`; any other union is refused.
fn resolve_nullable_union(
    spec: &Value,
    options: &Value,
    at: &str,
    keyword: &str,
) -> Result<Resolved, SpecError> {
    let is_null = |s: &Value| s.get("type").and_then(Value::as_str) == Some("null");
    let options = options.as_array().map(Vec::as_slice).unwrap_or_default();
    let (index, inner) = match options {
        [a, b] if is_null(b) => (0, a),
        [a, b] if is_null(a) => (1, b),
        _ => {
            return Err(SpecError::new(
                at,
                format!(
                    "only `{keyword}: [<schema>, {{\"type\": \"null\"}}]` (a nullable value) is supported"
                ),
            ));
        }
    };
    let mut resolved = resolve(spec, inner, &child(at, &index.to_string()))?;
    resolved.nullable = true;
    Ok(resolved)
}
