//! `-o json` prints the API's own reply (every field, null included, values as sent); a reply
//! the CLI cannot use is exit 5; network errors name the base URL and the cause; plain http off
//! loopback needs `--allow-insecure-http`.

use crate::common::{
    CARD_BALANCE, ENTRY, LIST, Scripted, ahrvo, ahrvo_bare, envelope, run, seeded, with_sandbox,
};

#[tokio::test(flavor = "multi_thread")]
async fn a_balance_entry_prints_all_its_fields_null_included() {
    let sandbox = seeded().await;
    let run = ahrvo(&sandbox, &["balance-entries", "get", ENTRY, "-o", "json"]).await;
    run.expect(0);
    let json = run.json();
    let fields = json.as_object().unwrap();
    // The sandbox sends every documented field, absent values as null: all 19 are printed.
    assert_eq!(fields.len(), 19, "{}", run.stdout);
    for null in ["parent_balance_entry_id", "wire_details"] {
        assert!(fields[null].is_null(), "{null}: {}", run.stdout);
    }
    // In the order the reply has them (the sandbox writes `id` first).
    assert!(run.stdout.starts_with("{\n  \"id\": "), "{}", run.stdout);
}

/// A Balance Entry as a server might write it: a date-only `posted_at`, a timestamp with two
/// fractional digits, nulls, and a field this SDK does not know holding exact numbers.
const ENTRY_AS_SENT: &str = r#"{"id":"balance_entry_d","created_at":"2024-05-01T18:04:33.42Z",
"updated_at":"2024-05-06T15:21:09.170Z","amount":250000,"created_by":null,"currency":"USD",
"description":null,"entity_id":null,"entity_type":null,"estimated_posted_date":null,
"linked_to":null,"linked_type":null,"parent_balance_entry_id":null,"posted_at":"2024-05-06",
"state":"SUCCEEDED","tags":null,"transaction_date":null,"type":"BALANCE_TOP_UP_ACH",
"wire_details":null,"new_field":{"rate":1.50,"big":123456789012345678901234567890,"e":1e2}}"#;

#[tokio::test(flavor = "multi_thread")]
async fn json_output_is_the_reply_as_sent() {
    let server = Scripted::start(vec![
        ("/balance_entries/", 200, ENTRY_AS_SENT.to_owned()),
        (
            LIST,
            200,
            r#"{"code":"SUCCESS","data":[{"budget_id":"ci202507232016182661","budget_name":"Ops","balance":"0078.5","currency":"USD","region":null}],"trace":"t"}"#
                .to_owned(),
        ),
        (
            CARD_BALANCE,
            200,
            envelope(r#"{"card_number":"5157********2686","available_balance":"1468.870","expires":null}"#),
        ),
    ]);
    let run = server
        .ahrvo(&["balance-entries", "get", "balance_entry_d", "-o", "json"])
        .await;
    run.expect(0);
    let out = &run.stdout;
    let json = run.json();
    assert_eq!(json.as_object().unwrap().len(), 20, "{out}");
    assert_eq!(json["posted_at"], "2024-05-06", "{out}");
    assert_eq!(json["created_at"], "2024-05-01T18:04:33.42Z");
    assert_eq!(json["updated_at"], "2024-05-06T15:21:09.170Z");
    assert!(
        json["description"].is_null() && json["tags"].is_null(),
        "{out}"
    );
    // Numbers as written: no float, no rounding, no exponent rewritten.
    for token in [
        "\"rate\": 1.50",
        "\"big\": 123456789012345678901234567890",
        "\"e\": 1e2",
    ] {
        assert!(out.contains(token), "{token} not in {out}");
    }
    // Pretty-printed like serde_json's pretty printer.
    assert!(
        out.starts_with("{\n  \"id\": \"balance_entry_d\",\n"),
        "{out}"
    );
    // The table still reads the typed models.
    let table = server
        .ahrvo(&["balance-entries", "get", "balance_entry_d"])
        .await;
    table.expect(0);
    assert!(table.stdout.contains("posted_at"), "{}", table.stdout);

    // Issuing: the envelope's data, unknown and null fields and the decimal as sent.
    let run = server.ahrvo(&["budgets", "list", "-o", "json"]).await;
    run.expect(0);
    let json = run.json();
    assert_eq!(json[0]["balance"], "0078.5", "{}", run.stdout);
    assert!(json[0]["region"].is_null(), "{}", run.stdout);
    assert!(json.is_array() && run.stdout.find("trace").is_none());

    let run = server
        .ahrvo(&["cards", "balance", "card201907021723076245", "-o", "json"])
        .await;
    run.expect(0);
    let json = run.json();
    assert_eq!(json[0]["card_id"], "card201907021723076245");
    assert_eq!(json[0]["available_balance"], "1468.870", "{}", run.stdout);
    assert!(json[0]["expires"].is_null(), "{}", run.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn json_never_shows_a_full_card_number() {
    let server = Scripted::start(vec![(
        CARD_BALANCE,
        200,
        envelope(r#"{"card_number":"5157123412342686","available_balance":"1.00"}"#),
    )]);
    let run = server
        .ahrvo(&["cards", "balance", "card201907021723076245", "-o", "json"])
        .await;
    run.expect(0);
    assert_eq!(run.json()[0]["card_number"], "5157********2686");
    assert!(!run.stdout.contains("51571234"), "{}", run.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_malformed_reply_is_still_exit_5_in_json() {
    let server = Scripted::start(vec![(
        LIST,
        200,
        envelope(r#"[{"budget_id":"ci1","budget_name":"x","balance":12.5,"currency":"USD"}]"#),
    )]);
    let run = server.ahrvo(&["budgets", "list", "-o", "json"]).await;
    run.expect(5).one_error_line("data[0].balance");
    assert!(run.stdout.is_empty());
}

/// A Balance whose `available_amount` is `i64::MIN`.
const MIN_BALANCE: &str = r#"{"id":"balance_min","created_at":"2024-05-01T18:04:33.42Z",
"updated_at":"2024-05-01T18:04:33.42Z","available_amount":-9223372036854775808,"currency":"USD",
"pending_amount":0,"posted_amount":0,"type":"DISBURSEMENT"}"#;

#[tokio::test(flavor = "multi_thread")]
async fn a_reply_the_cli_cannot_use_is_exit_5_not_a_usage_error() {
    let server = Scripted::start(vec![("/balances/balance_min", 200, MIN_BALANCE.to_owned())]);
    // available - amount overflows i64 cents: the reply's fault, not the command line's.
    let run = server
        .ahrvo(&["balances", "check", "balance_min", "--amount", "100"])
        .await;
    run.expect(5)
        .one_error_line("getBalance: the reply cannot be used");
    assert!(!run.stderr.contains("invalid input"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
    // Printing it is fine.
    server
        .ahrvo(&["balances", "get", "balance_min"])
        .await
        .expect(0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_connection_error_names_the_base_url_and_the_cause() {
    // A port nobody listens on.
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
        "budgets",
        "list",
    ])
    .await;
    run.expect(5)
        .one_error_line("connection failed")
        .one_error_line(&format!("base URL {url}"))
        .one_error_line("cause: ");
    assert!(
        run.stderr
            .to_ascii_lowercase()
            .contains("connection refused"),
        "{}",
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn plain_http_off_loopback_needs_the_flag_and_says_so() {
    let sandbox = seeded().await;
    // 0.0.0.0 is not loopback to the SDK, but a connection to it reaches this machine.
    let remote = sandbox.base_url().replace("127.0.0.1", "0.0.0.0");
    let at = |args: &[&str]| {
        let mut cmd = with_sandbox(&sandbox, args);
        cmd.env("AHRVO_BASE_URL", &remote);
        cmd
    };
    let refused = run(at(&["budgets", "list"])).await;
    refused
        .expect(2)
        .one_error_line("refusing plain http:// to 0.0.0.0")
        .one_error_line("--allow-insecure-http");
    assert!(
        !refused.stderr.contains("allow_insecure_http"),
        "{}",
        refused.stderr
    );
    let allowed = run(at(&["--allow-insecure-http", "budgets", "list"])).await;
    allowed.expect(0);
    assert!(allowed.stdout.contains("Engineering Team Budget"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_report_of_100k_budgets_prints_every_budget() {
    // About 11 MB, as a large account's balance/all reply: the report prints every budget (not
    // timed here: `cargo xtask bench` row 6 compares reporting with decoding).
    const N: usize = 100_000;
    let items: Vec<String> = (0..N)
        .map(|i| {
            format!(
                r#"{{"budget_id":"ci{i:018}","budget_name":"Budget {i}","balance":"{}.{:02}","currency":"{}"}}"#,
                (i * 7919) % 100_000,
                i % 100,
                ["USD", "EUR", "GBP"][i % 3]
            )
        })
        .collect();
    let server = Scripted::start(vec![(
        LIST,
        200,
        envelope(&format!("[{}]", items.join(","))),
    )]);
    let run = server
        .ahrvo(&["budgets", "report", "--threshold", "1000", "-o", "csv"])
        .await;
    run.expect(1);
    let lines = run.csv_lines();
    assert_eq!(lines.len(), 1 + N);
    let run = server
        .ahrvo(&["budgets", "report", "--threshold", "1000"])
        .await;
    run.expect(1);
    assert!(
        run.stdout.contains(&format!("\n{N} budgets; ")),
        "{}",
        &run.stdout[run.stdout.len() - 200..]
    );
}
