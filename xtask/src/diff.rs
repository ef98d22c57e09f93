//! A small unified diff, so `--check` shows what drifted without external tools.
//!
//! Generated files are a few hundred lines at most, so a plain LCS table is fast enough and
//! simpler than Myers' algorithm.

/// Lines of context around each change.
const CONTEXT: usize = 3;
/// Above this many lines on either side, only a summary is printed.
const MAX_LINES: usize = 4000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edit {
    Keep(usize, usize),
    Delete(usize),
    Insert(usize),
}

/// A unified diff from `old` (on disk) to `new` (generated), headed `--- a/path` / `+++ b/path`.
pub fn unified(path: &str, old: &str, new: &str) -> String {
    let old: Vec<&str> = old.lines().collect();
    let new: Vec<&str> = new.lines().collect();
    let mut out = format!("--- a/{path}\n+++ b/{path}\n");
    if old.len() > MAX_LINES || new.len() > MAX_LINES {
        out.push_str(&format!(
            "(too long to diff: {} → {} lines)\n",
            old.len(),
            new.len()
        ));
        return out;
    }
    let edits = edits(&old, &new);
    let changes: Vec<usize> = (0..edits.len())
        .filter(|&i| !matches!(edits[i], Edit::Keep(..)))
        .collect();
    let mut i = 0;
    while i < changes.len() {
        // Group changes whose context overlaps into one hunk.
        let start = changes[i].saturating_sub(CONTEXT);
        let mut end = changes[i];
        while i < changes.len() && changes[i] <= end + 2 * CONTEXT {
            end = changes[i];
            i += 1;
        }
        let end = (end + CONTEXT + 1).min(edits.len());
        out.push_str(&hunk(&edits[start..end], &old, &new));
    }
    out
}

fn hunk(edits: &[Edit], old: &[&str], new: &[&str]) -> String {
    let (mut old_start, mut new_start) = (None, None);
    let (mut old_count, mut new_count) = (0, 0);
    let mut body = String::new();
    for edit in edits {
        match *edit {
            Edit::Keep(a, b) => {
                old_start.get_or_insert(a);
                new_start.get_or_insert(b);
                old_count += 1;
                new_count += 1;
                body.push_str(&format!(" {}\n", old[a]));
            }
            Edit::Delete(a) => {
                old_start.get_or_insert(a);
                old_count += 1;
                body.push_str(&format!("-{}\n", old[a]));
            }
            Edit::Insert(b) => {
                new_start.get_or_insert(b);
                new_count += 1;
                body.push_str(&format!("+{}\n", new[b]));
            }
        }
    }
    format!(
        "@@ -{},{old_count} +{},{new_count} @@\n{body}",
        old_start.map_or(0, |s| s + 1),
        new_start.map_or(0, |s| s + 1),
    )
}

/// The shortest edit script between `old` and `new` via a longest-common-subsequence table.
fn edits(old: &[&str], new: &[&str]) -> Vec<Edit> {
    let (n, m) = (old.len(), new.len());
    // lcs[i][j]: LCS length of old[i..] and new[j..].
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if old[i] == new[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut edits = Vec::new();
    while i < n || j < m {
        if i < n && j < m && old[i] == new[j] {
            edits.push(Edit::Keep(i, j));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            edits.push(Edit::Delete(i));
            i += 1;
        } else {
            edits.push(Edit::Insert(j));
            j += 1;
        }
    }
    edits
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
        assert_eq!(unified("x", "a\n", "a\n"), "--- a/x\n+++ b/x\n");
    }
}
