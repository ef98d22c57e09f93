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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn card_balances_reads_ids_from_a_file_and_prints_one_line_per_card_in_order() {
    // The example against a local sandbox, credentials from the environment as a user's.
    let sandbox = ahrvo_sandbox::Sandbox::start_seeded().await.unwrap();
    let client = ahrvo::Client::new(ahrvo::Config::sandbox(sandbox.base_url()).unwrap()).unwrap();
    let known = "card201907021723076245";
    let balance = client
        .issuing()
        .unwrap()
        .get_card_balance(known)
        .await
        .unwrap();
    let file = std::env::temp_dir().join(format!("ahrvo-card-balances-{}.txt", std::process::id()));
    // A comment, a blank line, padding; an unknown card after each query of the known one.
    std::fs::write(
        &file,
        format!("# cards\n{known}\n\n  card-unknown \n{known}\ncard-missing\n"),
    )
    .unwrap();
    let args = [
        "run".to_owned(),
        "--quiet".to_owned(),
        "-p".to_owned(),
        "ahrvo".to_owned(),
        "--example".to_owned(),
        "card_balances".to_owned(),
        "--".to_owned(),
        "--base-url".to_owned(),
        sandbox.base_url().to_owned(),
        file.display().to_string(),
    ];
    let out = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO"))
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("AHRVO_API_KEY", ahrvo::SANDBOX_API_KEY)
            .env("AHRVO_ACCESS_TOKEN", ahrvo::SANDBOX_ACCESS_TOKEN)
            .env_remove("AHRVO_BASE_URL")
            .env_remove("AHRVO_ENVIRONMENT")
            .output()
            .expect("cargo runs")
    })
    .await
    .unwrap();
    let _ = std::fs::remove_file(&file);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "two cards failed\n{stdout}\n{stderr}"
    );
    let ok = format!(
        "{known}\t{}\t{}",
        balance.card_number, balance.available_balance
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{stdout}");
    assert_eq!(lines[0], ok);
    assert!(
        lines[1].starts_with("card-unknown\terror\tnot found\t"),
        "{stdout}"
    );
    assert!(lines[1].contains("CARD_NOT_FOUND"), "{stdout}");
    assert_eq!(lines[2], ok);
    assert!(lines[3].starts_with("card-missing\terror\t"), "{stdout}");
    assert!(stderr.contains("summary: 2 ok, 2 failed"), "{stderr}");
    for debug in ["Some(", "None", "NotFound", "Error {", "StatusCode"] {
        assert!(!stdout.contains(debug), "{debug:?} printed:\n{stdout}");
    }
}
