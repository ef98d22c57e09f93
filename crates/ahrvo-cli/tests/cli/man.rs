//! The man page: `ahrvo man` prints it, and `docs/man/ahrvo.1` in the workspace is its output.

use std::path::Path;

use crate::common::ahrvo_bare;

#[tokio::test(flavor = "multi_thread")]
async fn the_man_page_documents_every_command_and_option() {
    let got = ahrvo_bare(["man"]).await;
    got.expect(0);
    let page = &got.stdout;
    assert!(
        page.starts_with(".ie \\n(.g .ds Aq") || page.contains(".TH ahrvo 1"),
        "{page}"
    );
    assert!(page.contains(".TH ahrvo 1"), "{page}");
    for needle in [
        "budgets",
        "balance\\-entries",
        "config",
        "completions",
        "\\-\\-profile",
        "\\-\\-base\\-url",
        "AHRVO_API_KEY",
        "AHRVO_PROFILE",
        "Exit codes",
    ] {
        assert!(page.contains(needle), "{needle} missing from the man page");
    }
}

/// The drift check, as `cargo xtask codegen --check` is for the models: fails when the committed
/// page is not what the binary generates. Regenerate with
/// `cargo run -p ahrvo-cli -- man > docs/man/ahrvo.1`.
///
/// The page lives in the workspace, outside this crate: a packaged crate (built without the
/// workspace around it) has nothing to compare with and skips, saying so; in the workspace (which
/// has `docs/openapi/ahrvo.json`) a missing page fails.
#[tokio::test(flavor = "multi_thread")]
async fn docs_man_ahrvo_1_is_what_the_binary_generates() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let Some(workspace) = crate_dir
        .ancestors()
        .nth(2)
        .filter(|w| w.join("docs").join("openapi").join("ahrvo.json").is_file())
    else {
        eprintln!("skipped: not inside the ahrvo-rs workspace (a packaged crate)");
        return;
    };
    let path = workspace.join("docs").join("man").join("ahrvo.1");
    let committed = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; generate it with `cargo run -p ahrvo-cli -- man > docs/man/ahrvo.1`",
            path.display()
        )
    });
    let got = ahrvo_bare(["man"]).await;
    got.expect(0);
    assert!(
        committed == got.stdout,
        "docs/man/ahrvo.1 differs from `ahrvo man`: regenerate it with \
         `cargo run -p ahrvo-cli -- man > docs/man/ahrvo.1` and commit it"
    );
}
