//! The unified diff `--check` prints for a drifted file, from `similar`.
//!
//! `similar` (Myers' diff, the algorithm of `git diff`) replaces a hand-written LCS table:
//! hunks read the same as git's, and big files cost no quadratic table.

use similar::TextDiff;

/// Lines of context around each change.
const CONTEXT: usize = 3;

/// A unified diff from `old` (on disk) to `new` (generated), headed `--- a/path` / `+++ b/path`.
pub fn unified(path: &str, old: &str, new: &str) -> String {
    TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(CONTEXT)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_changed_lines_with_context() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\n";
        let new = "a\nb\nc\nD\ne\nf\ng\nh\n";
        assert_eq!(
            unified("x.rs", old, new),
            "--- a/x.rs\n+++ b/x.rs\n@@ -1,7 +1,7 @@\n a\n b\n c\n-d\n+D\n e\n f\n g\n"
        );
    }

    #[test]
    fn identical_inputs_have_no_hunks() {
        assert_eq!(unified("x", "a\n", "a\n"), "");
    }
}
