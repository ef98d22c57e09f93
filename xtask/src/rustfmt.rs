//! Formatting generated source with the installed `rustfmt`, in memory.
//!
//! The generator prints code without caring about layout; rustfmt gives it the exact layout
//! `cargo fmt --check` expects, so generated files pass CI's format check as they are.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// `source` formatted by `rustfmt --edition 2024 --emit stdout`, run in `workspace` so it finds
/// the same configuration as `cargo fmt`.
pub fn format(source: &str, workspace: &Path) -> Result<String, String> {
    let mut child = Command::new("rustfmt")
        .args(["--edition", "2024", "--emit", "stdout"])
        .current_dir(workspace)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run rustfmt (is it installed?): {e}"))?;
    let mut stdin = child.stdin.take().ok_or("rustfmt has no stdin")?;
    // Write on a thread so a large output cannot deadlock against a full stdout pipe.
    let input = source.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child
        .wait_with_output()
        .map_err(|e| format!("rustfmt failed: {e}"))?;
    writer
        .join()
        .map_err(|_| "rustfmt input thread panicked".to_owned())?
        .map_err(|e| format!("cannot write to rustfmt: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "rustfmt rejected the generated code (a generator bug):\n{}\n--- source ---\n{source}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    String::from_utf8(output.stdout).map_err(|e| format!("rustfmt output is not UTF-8: {e}"))
}
