//! Pairing the spec's operations with the hand-written methods of each domain crate.
//!
//! A method declares the operation it performs with `#[doc(alias = "<operationId>")]`. Matching
//! on that alias (rather than on names alone) lets `--check` catch a method whose alias and name
//! disagree, an operation nobody implemented, and an alias naming an operation the spec lacks.
//! The scan is textual, line by line: enough for rustfmt-formatted code, no parser needed.

use crate::names::{looks_like_operation_id, snake_case};
use crate::operations::Operation;

/// A `#[doc(alias = "...")]` found in a source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AliasSite {
    /// The alias value.
    pub alias: String,
    /// `file:line` of the attribute.
    pub location: String,
    /// The function the attribute block belongs to, if it precedes one.
    pub function: Option<Function>,
}

/// A function declaration that follows an attribute/doc block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function {
    /// The function's name.
    pub name: String,
    /// Whether it is declared `pub async fn`.
    pub pub_async: bool,
    /// `file:line` of the declaration.
    pub location: String,
}

/// Every doc alias in `text` (the contents of `file`), with the function its block precedes.
pub fn scan(file: &str, text: &str) -> Vec<AliasSite> {
    let mut sites = Vec::new();
    let mut pending: Vec<AliasSite> = Vec::new(); // aliases of the current attribute block
    let mut depth = 0i32; // open brackets of a multi-line attribute
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let location = format!("{file}:{}", index + 1);
        if depth > 0 || line.starts_with("#[") {
            for alias in aliases_in(line) {
                pending.push(AliasSite {
                    alias,
                    location: location.clone(),
                    function: None,
                });
            }
            depth += bracket_balance(line);
            continue;
        }
        if line.is_empty() || line.starts_with("//") {
            continue; // doc and plain comments belong to the block
        }
        let function = function_at(line, &location);
        for mut site in pending.drain(..) {
            site.function = function.clone();
            sites.push(site);
        }
    }
    sites.append(&mut pending);
    sites
}

/// The alias values of a `#[doc(alias = "x")]` or `#[doc(alias("x", "y"))]` line.
fn aliases_in(line: &str) -> Vec<String> {
    let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    let Some(start) = compact.find("doc(alias") else {
        return Vec::new();
    };
    let rest = &compact[start + "doc(alias".len()..];
    let rest = rest.split(')').next().unwrap_or_default();
    rest.split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// `[` minus `]` on a line, ignoring string contents.
fn bracket_balance(line: &str) -> i32 {
    let mut balance = 0;
    let mut in_string = false;
    let mut escaped = false;
    for c in line.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '[' if !in_string => balance += 1,
            ']' if !in_string => balance -= 1,
            _ => {}
        }
    }
    balance
}

/// The function declared on `line`, if any: `pub async fn name(`, `async fn name<T>(`, ...
fn function_at(line: &str, location: &str) -> Option<Function> {
    let before_fn = line.split("fn ").next()?;
    let after_fn = line.strip_prefix(before_fn)?.strip_prefix("fn ")?;
    let name: String = after_fn
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    let qualifiers: Vec<&str> = before_fn.split_whitespace().collect();
    let is_qualifiers = qualifiers.iter().all(|q| {
        q.starts_with("pub") || ["async", "const", "unsafe", "extern", "\"C\""].contains(q)
    });
    if name.is_empty() || !is_qualifiers {
        return None;
    }
    Some(Function {
        name,
        pub_async: qualifiers == ["pub", "async"],
        location: location.to_owned(),
    })
}

/// The problems pairing the `tag` operations with the alias sites of the `ahrvo-<tag>` crate.
pub fn check(tag: &str, operations: &[Operation], sites: &[AliasSite]) -> Vec<String> {
    let crate_name = format!("ahrvo-{tag}");
    let ops: Vec<&Operation> = operations.iter().filter(|op| op.tag == tag).collect();
    let mut problems = Vec::new();
    for op in &ops {
        let expected = snake_case(&op.id);
        let with_alias: Vec<&AliasSite> = sites.iter().filter(|s| s.alias == op.id).collect();
        let paired = with_alias.iter().any(|s| {
            s.function
                .as_ref()
                .is_some_and(|f| f.name == expected && f.pub_async)
        });
        if paired {
            continue;
        }
        let mut problem = format!(
            "missing: operation `{}` has no `pub async fn {expected}` with #[doc(alias = \"{}\")] in {crate_name}",
            op.id, op.id
        );
        for site in &with_alias {
            match &site.function {
                Some(f) if f.name != expected => problem.push_str(&format!(
                    "\n    the alias at {} is on `fn {}` ({}), expected `{expected}`",
                    site.location, f.name, f.location
                )),
                Some(f) => problem.push_str(&format!(
                    "\n    the alias at {} is on `{expected}` ({}), which is not `pub async fn`",
                    site.location, f.location
                )),
                None => problem.push_str(&format!(
                    "\n    the alias at {} precedes no function",
                    site.location
                )),
            }
        }
        problems.push(problem);
    }
    for site in sites {
        if looks_like_operation_id(&site.alias) && !ops.iter().any(|op| op.id == site.alias) {
            let on = site
                .function
                .as_ref()
                .map(|f| format!(" (on `fn {}`)", f.name))
                .unwrap_or_default();
            problems.push(format!(
                "extra: #[doc(alias = \"{}\")] at {}{on} names no `{tag}` operation of the spec",
                site.alias, site.location
            ));
        }
    }
    problems
}
