//! Help, version and usage errors (exit 2).

use crate::common::ahrvo_bare;

const SUBCOMMANDS: &[&str] = &[
    "budgets",
    "cards",
    "reconcile",
    "balances",
    "balance-entries",
    "watch",
    "sandbox",
    "demo",
    "config",
    "completions",
];

#[tokio::test(flavor = "multi_thread")]
async fn help_lists_every_subcommand_and_the_exit_codes() {
    let run = ahrvo_bare(["--help"]).await;
    run.expect(0);
    for sub in SUBCOMMANDS {
        assert!(
            run.stdout.lines().any(|l| l.trim_start().starts_with(sub)),
            "{sub} missing from:\n{}",
            run.stdout
        );
    }
    for needle in [
        "--output",
        "--base-url",
        "--env",
        "--timeout",
        "AHRVO_API_KEY",
        "Exit codes",
    ] {
        assert!(run.stdout.contains(needle), "{needle} missing");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_subcommand_has_help() {
    let paths: &[&[&str]] = &[
        &["budgets"],
        &["budgets", "list"],
        &["budgets", "create"],
        &["budgets", "report"],
        &["cards"],
        &["cards", "balance"],
        &["cards", "check-funds"],
        &["cards", "report"],
        &["reconcile"],
        &["balances"],
        &["balances", "get"],
        &["balances", "check"],
        &["balance-entries"],
        &["balance-entries", "get"],
        &["watch"],
        &["watch", "budgets"],
        &["sandbox"],
        &["demo"],
        &["config"],
        &["config", "list"],
        &["config", "show"],
        &["config", "set"],
        &["config", "path"],
        &["completions"],
    ];
    for path in paths {
        let mut args: Vec<&str> = path.to_vec();
        args.push("--help");
        let run = ahrvo_bare(&args).await;
        run.expect(0);
        let usage = format!("Usage: ahrvo {}", path.join(" "));
        assert!(
            run.stdout.contains(&usage),
            "{usage:?} not in:\n{}",
            run.stdout
        );
    }
    let budgets = ahrvo_bare(["budgets", "--help"]).await;
    for sub in ["list", "create", "report"] {
        assert!(budgets.stdout.contains(sub));
    }
    let cards = ahrvo_bare(["cards", "--help"]).await;
    for sub in ["balance", "check-funds", "report"] {
        assert!(cards.stdout.contains(sub));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn version_prints_and_exits_0() {
    let run = ahrvo_bare(["--version"]).await;
    run.expect(0);
    assert!(run.stdout.starts_with("ahrvo "), "{}", run.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn usage_errors_exit_2_without_a_panic() {
    let cases: &[&[&str]] = &[
        &[],
        &["nope"],
        &["budgets"],
        &["budgets", "list", "--output", "xml"],
        &["budgets", "list", "--env", "prod-eu"],
        &["budgets", "list", "--timeout", "soon"],
        &["cards", "balance"],
        &["cards", "check-funds", "card1"],
        &["balances", "check", "b1"],
        &["watch", "budgets", "--interval", "0s"],
        &["watch", "budgets", "--count", "0"],
        &["sandbox", "--port", "70000"],
    ];
    for args in cases {
        let run = ahrvo_bare(*args).await;
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{args:?}: {}", run.stdout);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        assert!(run.stderr.contains("error") || run.stderr.contains("Usage"));
    }
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn invalid_utf8_arguments_are_a_usage_error() {
    use std::ffi::OsString;
    use std::os::unix::ffi::OsStringExt;

    let bad = OsString::from_vec(vec![b'a', 0xff, b'b']);
    for args in [
        vec![
            OsString::from("budgets"),
            OsString::from("create"),
            bad.clone(),
        ],
        vec![
            OsString::from("balances"),
            OsString::from("get"),
            bad.clone(),
        ],
        vec![
            OsString::from("--base-url"),
            bad.clone(),
            OsString::from("demo"),
        ],
        vec![bad.clone()],
    ] {
        let run = ahrvo_bare(args.clone()).await;
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_credentials_or_a_bad_url_exit_2() {
    let run = ahrvo_bare(["--base-url", "http://127.0.0.1:9", "budgets", "list"]).await;
    run.expect(2).one_error_line("AHRVO_API_KEY");
    let run = ahrvo_bare(["--base-url", "http://127.0.0.1:9", "balances", "get", "b1"]).await;
    run.expect(2).one_error_line("AHRVO_USERNAME");
    let run = ahrvo_bare([
        "--base-url",
        "http://127.0.0.1:9",
        "--api-key",
        "k",
        "budgets",
        "list",
    ])
    .await;
    run.expect(2).one_error_line("AHRVO_ACCESS_TOKEN");
    let run = ahrvo_bare([
        "--base-url",
        "http://api.example.com",
        "--api-key",
        "k",
        "--access-token",
        "t",
        "budgets",
        "list",
    ])
    .await;
    run.expect(2).one_error_line("http://");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_is_not_there_exits_5() {
    // A port just freed: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let run = ahrvo_bare([
        "--base-url",
        url.as_str(),
        "--api-key",
        "k",
        "--access-token",
        "t",
        "--timeout",
        "5s",
        "budgets",
        "list",
    ])
    .await;
    run.expect(5)
        .one_error_line("listBudgetBalances: connection failed");
}

#[tokio::test(flavor = "multi_thread")]
async fn help_names_the_new_flag_and_the_escaping_and_is_inert_itself() {
    let run = ahrvo_bare(["--help"]).await;
    run.expect(0);
    for needle in [
        "--allow-insecure-http",
        r"ESC as \u{1b}",
        "formula guard",
        "reply the CLI cannot use",
        "the API's reply itself",
    ] {
        assert!(
            run.stdout.contains(needle),
            "{needle} missing:\n{}",
            run.stdout
        );
    }
    crate::common::assert_inert("--help", &run.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn short_help_lists_a_commands_own_options_and_points_to_the_global_ones() {
    let short = ahrvo_bare(["cards", "balance", "-h"]).await;
    short.expect(0);
    assert!(
        short.stdout.contains("Usage: ahrvo cards balance"),
        "{}",
        short.stdout
    );
    for global in [
        "--api-key",
        "--access-token",
        "--base-url",
        "--password",
        "--env",
        "--profile",
    ] {
        // Not listed as an option (the pointer line may name it).
        let listed = short.stdout.lines().any(|l| {
            let l = l.trim_start();
            l.starts_with(global) || l.starts_with(&format!("-o, {global}"))
        });
        assert!(!listed, "{global} in the short help:\n{}", short.stdout);
    }
    assert!(
        short.stdout.contains("`ahrvo --help`") && short.stdout.contains("-h is the short help"),
        "no pointer to the global options:\n{}",
        short.stdout
    );
    let long = ahrvo_bare(["cards", "balance", "--help"]).await;
    long.expect(0);
    for global in [
        "--api-key",
        "--base-url",
        "--profile",
        "--config",
        "AHRVO_PROFILE",
    ] {
        assert!(
            long.stdout.contains(global),
            "{global} missing:\n{}",
            long.stdout
        );
    }
    assert!(long.stdout.len() > 2 * short.stdout.len());
    // The top level: -h is short too, --help has the globals, credentials and exit codes.
    let top = ahrvo_bare(["-h"]).await;
    top.expect(0);
    assert!(!top.stdout.contains("--api-key"), "{}", top.stdout);
    assert!(!top.stdout.contains("production"), "{}", top.stdout);
    assert!(!top.stdout.contains("Exit codes"), "{}", top.stdout);
    assert!(top.stdout.contains("`ahrvo --help`"), "{}", top.stdout);
    for sub in ["config", "completions"] {
        assert!(
            top.stdout.lines().any(|l| l.trim_start().starts_with(sub)),
            "{sub}:\n{}",
            top.stdout
        );
    }
    // Every subcommand's -h carries the pointer, a nested one and one with its own after-help.
    for path in [
        &["config", "set"][..],
        &["budgets"],
        &["completions"],
        &["watch", "budgets"],
    ] {
        let mut args = path.to_vec();
        args.push("-h");
        let got = ahrvo_bare(&args).await;
        got.expect(0);
        assert!(
            got.stdout.contains("`ahrvo --help`"),
            "{path:?}:\n{}",
            got.stdout
        );
        assert!(
            !got.stdout.contains("--access-token"),
            "{path:?}:\n{}",
            got.stdout
        );
    }
}
