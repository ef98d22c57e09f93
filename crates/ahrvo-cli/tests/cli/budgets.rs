//! `ahrvo budgets list | create | report`.

use ahrvo_sandbox::{Sandbox, SandboxConfig};

use crate::common::{ahrvo, command, run, seeded};

#[tokio::test(flavor = "multi_thread")]
async fn list_as_a_table_right_aligns_balances() {
    let sandbox = seeded().await;
    let run = ahrvo(&sandbox, &["budgets", "list"]).await;
    run.expect(0);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 5, "{}", run.stdout);
    assert!(lines[0].starts_with("BUDGET ID"), "{}", lines[0]);
    assert!(lines[1].starts_with("----"));
    let row = lines
        .iter()
        .find(|l| l.contains("Engineering Team Budget"))
        .unwrap();
    assert!(row.starts_with("ci202507232016182662"));
    assert!(row.contains("78900.00  USD"), "{row}");
    // Right-aligned: the balances end in the same column as the BALANCE heading.
    let end = lines[0].find("BALANCE").unwrap() + "BALANCE".len();
    for line in &lines[2..] {
        let amount_end = line.find("  USD").unwrap();
        assert_eq!(amount_end, end, "{line}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn list_as_json_keeps_the_api_fields_and_decimal_strings() {
    let sandbox = seeded().await;
    let run = ahrvo(&sandbox, &["budgets", "list", "--output", "json"]).await;
    run.expect(0);
    let json = run.json();
    let budgets = json.as_array().unwrap();
    assert_eq!(budgets.len(), 3);
    let eng = budgets
        .iter()
        .find(|b| b["budget_id"] == "ci202507232016182662")
        .unwrap();
    assert_eq!(eng["budget_name"], "Engineering Team Budget");
    assert_eq!(eng["balance"], "78900.00");
    assert_eq!(eng["currency"], "USD");
    assert!(run.stdout.contains("\"78900.00\""));
}

#[tokio::test(flavor = "multi_thread")]
async fn list_as_csv_has_a_header_and_quotes_per_rfc_4180() {
    let sandbox = seeded().await;
    sandbox.create_budget("Ops, \"EU\"", "EUR").unwrap();
    let run = ahrvo(&sandbox, &["-o", "csv", "budgets", "list"]).await;
    run.expect(0);
    let lines = run.csv_lines();
    assert_eq!(lines[0], "budget_id,budget_name,balance,currency");
    assert!(lines.contains(&"ci202507232016182662,Engineering Team Budget,78900.00,USD"));
    assert!(
        lines
            .iter()
            .any(|l| l.ends_with(",\"Ops, \"\"EU\"\"\",0.00,EUR")),
        "{lines:?}"
    );
    assert_eq!(lines.len(), 5);
}

#[tokio::test(flavor = "multi_thread")]
async fn list_with_no_budgets_is_an_empty_list() {
    let sandbox = Sandbox::start().await.unwrap();
    let run = ahrvo(&sandbox, &["budgets", "list", "-o", "json"]).await;
    run.expect(0);
    assert_eq!(run.json(), serde_json::json!([]));
    let run = ahrvo(&sandbox, &["budgets", "list", "-o", "csv"]).await;
    run.expect(0);
    assert_eq!(run.stdout, "budget_id,budget_name,balance,currency\r\n");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_key_exits_3_with_one_error_line() {
    let sandbox = seeded().await;
    let mut cmd = crate::common::with_sandbox(&sandbox, &["budgets", "list"]);
    cmd.env("AHRVO_API_KEY", "wrong-key");
    let run = run(cmd).await;
    run.expect(3)
        .one_error_line("listBudgetBalances: unauthorized (HTTP 401)");
    assert!(run.stdout.is_empty());
    // The flag wins over the environment.
    let run = ahrvo(&sandbox, &["--api-key", "wrong-key", "budgets", "list"]).await;
    run.expect(3).one_error_line("HTTP 401");
}

#[tokio::test(flavor = "multi_thread")]
async fn issuing_disabled_exits_3() {
    let sandbox = seeded().await;
    let forbidden = sandbox.forbidden_api_key().to_owned();
    let run = ahrvo(&sandbox, &["--api-key", &forbidden, "budgets", "list"]).await;
    run.expect(3).one_error_line("forbidden (HTTP 403)");
}

#[tokio::test(flavor = "multi_thread")]
async fn create_prints_the_new_id_in_every_format() {
    let sandbox = seeded().await;
    let run = ahrvo(&sandbox, &["budgets", "create", "Q1 Operations"]).await;
    run.expect(0);
    let id_line = run.stdout.lines().next().unwrap();
    assert!(id_line.starts_with("budget_id    ci"), "{}", run.stdout);
    assert!(run.stdout.contains("budget_name  Q1 Operations"));

    let run = ahrvo(
        &sandbox,
        &["budgets", "create", "  Q2 Operations ", "-o", "json"],
    )
    .await;
    run.expect(0);
    let json = run.json();
    let id = json["budget_id"].as_str().unwrap();
    assert!(id.starts_with("ci") && id.len() == 20, "{id}");
    assert_eq!(json.as_object().unwrap().len(), 1);

    let run = ahrvo(
        &sandbox,
        &["budgets", "create", "Q3, Operations", "-o", "csv"],
    )
    .await;
    run.expect(0);
    let lines = run.csv_lines();
    assert_eq!(lines[0], "budget_id,budget_name");
    assert!(lines[1].starts_with("ci") && lines[1].ends_with(",\"Q3, Operations\""));

    let names: Vec<String> = sandbox.state()["budgets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["budget_name"].as_str().unwrap().to_owned())
        .collect();
    for name in ["Q1 Operations", "Q2 Operations", "Q3, Operations"] {
        assert!(names.iter().any(|n| n == name), "{names:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn create_a_duplicate_exits_5_with_the_typed_error() {
    let sandbox = seeded().await;
    let run = ahrvo(&sandbox, &["budgets", "create", "Travel Expenses"]).await;
    run.expect(5);
    assert!(run.stdout.is_empty());
    assert_eq!(
        run.stderr,
        "error: createBudget: conflict (HTTP 409) [BUDGET_NAME_EXISTS]: \
         Budget account with this name already exists\n"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn create_refuses_a_bad_name_before_sending_with_exit_2() {
    let sandbox = seeded().await;
    let long = "x".repeat(101);
    for name in ["", "   ", "tab\there", long.as_str()] {
        let run = ahrvo(&sandbox, &["budgets", "create", name]).await;
        run.expect(2).one_error_line("invalid input: budget_name");
    }
    assert_eq!(sandbox.stats().requests, 0, "nothing was sent");
}

#[tokio::test(flavor = "multi_thread")]
async fn credentials_come_from_flags_too() {
    let sandbox = Sandbox::start_with(SandboxConfig::default().with_seed(true))
        .await
        .unwrap();
    let c = sandbox.credentials().clone();
    let mut cmd = command();
    cmd.args([
        "budgets",
        "list",
        "--base-url",
        sandbox.base_url(),
        "--api-key",
        &c.api_key,
        "--access-token",
        &c.access_token,
        "-o",
        "json",
    ]);
    let run = run(cmd).await;
    run.expect(0);
    assert_eq!(run.json().as_array().unwrap().len(), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn verbose_logs_go_to_stderr_only() {
    let sandbox = seeded().await;
    let run = ahrvo(&sandbox, &["-v", "budgets", "list", "-o", "json"]).await;
    run.expect(0);
    assert_eq!(run.json().as_array().unwrap().len(), 3);
    assert!(!run.stderr.is_empty(), "-v logs something");
    assert!(
        !run.stderr.contains("sandbox-access-token"),
        "{}",
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn report_as_a_table_shows_the_overview_and_health() {
    let sandbox = seeded().await;
    let run = ahrvo(&sandbox, &["budgets", "report"]).await;
    run.expect(0);
    let out = &run.stdout;
    assert!(out.starts_with("Overview per currency\n"), "{out}");
    assert!(
        out.contains(
            "USD             3  136651.25  45550.42  Engineering Team Budget (78900.00)    0"
        ),
        "{out}"
    );
    assert!(out.contains("Health per budget (least healthy first)"));
    let travel = out.lines().find(|l| l.contains("Travel Expenses")).unwrap();
    assert!(
        travel.ends_with("12500.50  USD          9.15     60  Fair"),
        "{travel}"
    );
    let eng = out
        .lines()
        .find(|l| l.starts_with("ci202507232016182662"))
        .unwrap();
    assert!(
        eng.ends_with("78900.00  USD         57.74    100  Excellent"),
        "{eng}"
    );
    assert!(out.contains("3 budgets; 0 below 1000.00 (low balance)"));
}

#[tokio::test(flavor = "multi_thread")]
async fn report_below_the_threshold_is_a_finding_in_every_format() {
    let sandbox = seeded().await;
    let run = ahrvo(&sandbox, &["budgets", "report", "--threshold", "20000"]).await;
    run.expect(1);
    let travel = run
        .stdout
        .lines()
        .find(|l| l.contains("Travel Expenses  "))
        .unwrap();
    assert!(travel.ends_with("Fair       LOW"), "{travel}");
    assert!(run.stdout.contains("1 below 20000 (low balance)"));

    let run = ahrvo(
        &sandbox,
        &["budgets", "report", "--threshold", "20000", "-o", "json"],
    )
    .await;
    run.expect(1);
    let json = run.json();
    assert_eq!(json["threshold"], "20000");
    let usd = &json["currencies"][0];
    assert_eq!(usd["currency"], "USD");
    assert_eq!(usd["count"], 3);
    assert_eq!(usd["total"], "136651.25");
    assert_eq!(usd["average"], "45550.42");
    assert_eq!(usd["highest"]["budget_id"], "ci202507232016182662");
    assert_eq!(usd["highest"]["balance"], "78900.00");
    assert_eq!(usd["low_balance"][0]["budget_name"], "Travel Expenses");
    let first = &json["budgets"][0];
    assert_eq!(first["budget_name"], "Travel Expenses");
    assert_eq!(first["balance"], "12500.50");
    assert_eq!(first["share_percent"], "9.15");
    assert_eq!(first["health_score"], 60);
    assert_eq!(first["health_status"], "Fair");
    assert_eq!(first["low_balance"], true);

    let run = ahrvo(
        &sandbox,
        &["budgets", "report", "--threshold", "20000", "-o", "csv"],
    )
    .await;
    run.expect(1);
    let lines = run.csv_lines();
    assert_eq!(
        lines[0],
        "budget_id,budget_name,balance,currency,share_percent,health_score,health_status,low_balance"
    );
    assert_eq!(
        lines[1],
        "ci202507232016182663,Travel Expenses,12500.50,USD,9.15,60,Fair,true"
    );
    assert_eq!(lines.len(), 4);
}

#[tokio::test(flavor = "multi_thread")]
async fn report_never_adds_two_currencies() {
    let sandbox = seeded().await;
    let eur = sandbox.create_budget("Paris Office", "EUR").unwrap();
    sandbox.fund_budget(&eur, "900.00").unwrap();
    let run = ahrvo(&sandbox, &["budgets", "report", "-o", "json"]).await;
    run.expect(1); // 900.00 EUR is below the default 1000.00
    let json = run.json();
    let currencies: Vec<&str> = json["currencies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["currency"].as_str().unwrap())
        .collect();
    assert_eq!(currencies, ["EUR", "USD"]);
    assert_eq!(json["currencies"][0]["total"], "900.00");
    assert_eq!(json["currencies"][1]["total"], "136651.25");
    assert_eq!(json["budgets"][0]["budget_name"], "Paris Office");
    assert_eq!(json["budgets"][0]["share_percent"], "100.00");
    assert_eq!(json["budgets"][0]["health_status"], "Critical");
}

#[tokio::test(flavor = "multi_thread")]
async fn report_errors_and_bad_thresholds() {
    let sandbox = seeded().await;
    let run = ahrvo(&sandbox, &["--api-key", "nope", "budgets", "report"]).await;
    run.expect(3).one_error_line("HTTP 401");
    for bad in ["abc", "1e3", "-1"] {
        let run = ahrvo(&sandbox, &["budgets", "report", "--threshold", bad]).await;
        assert_eq!(run.code, 2, "{bad}: {}", run.stderr);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_error_exits_5_and_a_slow_server_times_out() {
    use ahrvo_sandbox::{FaultConfig, FaultKind};
    use std::time::Duration;

    let sandbox = seeded().await;
    sandbox.set_faults(FaultConfig::with_rate(1.0).kinds([FaultKind::InternalServerError]));
    let run = ahrvo(&sandbox, &["--timeout", "3s", "budgets", "list"]).await;
    run.expect(5)
        .one_error_line("listBudgetBalances: server error (HTTP 500)");

    sandbox.set_faults(FaultConfig::none());
    sandbox.set_latency(Duration::from_secs(5));
    let run = ahrvo(&sandbox, &["--timeout", "300ms", "budgets", "list"]).await;
    run.expect(5).one_error_line("timed out");
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn invalid_utf8_in_a_credential_variable_is_a_usage_error() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;

    let sandbox = seeded().await;
    let mut cmd = crate::common::with_sandbox(&sandbox, &["budgets", "list"]);
    cmd.env("AHRVO_API_KEY", OsStr::from_bytes(b"k\xff"));
    let run = run(cmd).await;
    run.expect(2);
    assert!(run.stderr.contains("invalid UTF-8"), "{}", run.stderr);
}
