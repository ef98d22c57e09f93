//! The examples print what a person reads: no `Some(..)`, no `Debug` of SDK types.

use std::process::Command;

#[test]
fn the_quickstart_prints_words_and_numbers_not_debug_output() {
    // Built and run by cargo itself, as a user would (`cargo run --example quickstart`); the
    // example starts its own sandbox on 127.0.0.1.
    let out = Command::new(env!("CARGO"))
        .args(["run", "--quiet", "-p", "ahrvo", "--example", "quickstart"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("AHRVO_API_KEY")
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    for line in [
        "   kind:    conflict",
        "   status:  409",
        "   code:    BUDGET_NAME_EXISTS",
    ] {
        assert!(
            stdout.lines().any(|l| l == line),
            "no {line:?} in\n{stdout}"
        );
    }
    for debug in ["Some(", "None", "Conflict", "Error {", "StatusCode"] {
        assert!(!stdout.contains(debug), "{debug:?} printed:\n{stdout}");
    }
}
