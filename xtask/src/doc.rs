//! Spec descriptions as `///` doc comments.
//!
//! Descriptions are prose written for web pages; copied verbatim they could trip rustdoc (an
//! indented line becomes a doctest, `[...]` an intra-doc link, a bare URL a lint). This module
//! makes them safe once, for every generated item.

/// Renders `text` as `///` lines, each prefixed by `indent`. The text is Markdown written for
/// rustdoc; pass spec prose through [`sanitize`] first.
pub fn comment(text: &str, indent: &str) -> String {
    lines(text, &format!("{indent}///"))
}

/// Renders `text` as `//!` module doc lines.
pub fn module_comment(text: &str) -> String {
    lines(text, "//!")
}

fn lines(text: &str, prefix: &str) -> String {
    let mut out = String::new();
    for line in text.trim().lines() {
        let line = line.trim_end();
        if line.is_empty() {
            out.push_str(prefix);
        } else {
            out.push_str(&format!("{prefix} {line}"));
        }
        out.push('\n');
    }
    out
}

/// Makes spec prose safe as rustdoc Markdown: no indented lines (they would be doctests), bare
/// code fences labelled `text`, `[`/`]` escaped and bare URLs wrapped outside code spans.
pub fn sanitize(text: &str) -> String {
    let mut out = Vec::new();
    let mut in_fence = false;
    for line in text.trim().lines() {
        let line = line.trim();
        let line = if line.starts_with("```") {
            in_fence = !in_fence;
            // An unlabelled fence would be compiled as a doctest.
            if in_fence && line == "```" {
                "```text".to_owned()
            } else {
                line.to_owned()
            }
        } else if in_fence {
            line.to_owned()
        } else {
            escape(line)
        };
        out.push(line);
    }
    out.join("\n")
}

/// Outside `code spans`: escapes `[`/`]` (no accidental intra-doc links) and wraps bare URLs in
/// `<...>` (rustdoc's `bare_urls`).
fn escape(line: &str) -> String {
    let mut out = String::new();
    for (i, part) in line.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        if i % 2 == 1 {
            out.push_str(part); // inside a code span
            continue;
        }
        let escaped = part.replace('[', "\\[").replace(']', "\\]");
        out.push_str(&wrap_urls(&escaped));
    }
    out
}

fn wrap_urls(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("https://").or_else(|| rest.find("http://")) {
        let already_wrapped = rest[..start].ends_with('<');
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let mut end = after
            .find(|c: char| c.is_whitespace() || c == '>' || c == ')')
            .unwrap_or(after.len());
        while end > 0 && after[..end].ends_with(['.', ',', ';', ':', '!', '?']) {
            end -= 1;
        }
        if already_wrapped {
            out.push_str(&after[..end]);
        } else {
            out.push_str(&format!("<{}>", &after[..end]));
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_paragraphs_and_escapes() {
        let doc = comment(
            &sanitize("First [line].\n\n    Indented, see https://example.com/x. Keep `[a]`."),
            "    ",
        );
        assert_eq!(
            doc,
            "    /// First \\[line\\].\n    ///\n    /// Indented, see <https://example.com/x>. Keep `[a]`.\n"
        );
    }

    #[test]
    fn labels_bare_fences() {
        assert_eq!(
            module_comment(&sanitize("```\nx\n```")),
            "//! ```text\n//! x\n//! ```\n"
        );
    }
}
