//! What a hostile server can put in a reply never reaches the terminal as a control sequence:
//! names, ids, card numbers, descriptions, tags, error codes and JSON paths show control
//! characters escaped (`\u{1b}`) in tables, records, reports, watch lines, CSV and stderr; CSV
//! text fields that a spreadsheet would run as a formula get a leading `'`; JSON is escaped by
//! JSON. The replies come from a scripted server ([`Scripted`]): the sandbox refuses such names.

use crate::common::{CARD_BALANCE, LIST, Scripted, assert_inert, envelope};

/// The issue's example: retitles the terminal (OSC 0 ... BEL), then clears it (CSI 2 J).
const RETITLE: &str = "\u{1b}]0;x\u{7}\u{1b}[2J";
/// Forges a table row.
const FORGE: &str = "\r\nFAKE ROW";

/// A JSON string.
fn js(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

/// The hostile budgets: (id, name, balance).
fn budgets() -> Vec<(String, String, &'static str)> {
    vec![
        ("ci000000000000000001".into(), RETITLE.into(), "100.00"),
        ("ci000000000000000002".into(), FORGE.into(), "-5.00"),
        (
            "ci000000000000000003".into(),
            "=HYPERLINK(\"http://evil.example\",\"x\")".into(),
            "20000.00",
        ),
        ("ci000000000000000004".into(), "@SUM(A1:A9)".into(), "1.00"),
        (
            "ci000000000000000005".into(),
            "+1+cmd|' /C calc'!A0".into(),
            "2.00",
        ),
        ("ci000000000000000006".into(), "-2+3".into(), "3.00"),
        // C1 CSI, DEL, and a right-to-left override (Trojan Source).
        (
            "ci000000000000000007".into(),
            "csi\u{9b}31m del\u{7f} rlo\u{202e}txt".into(),
            "4.00",
        ),
        // The id is the API's text too.
        ("ci\u{1b}[2J000000000008".into(), "Plain".into(), "5.00"),
    ]
}

fn budgets_reply() -> String {
    let items: Vec<String> = budgets()
        .iter()
        .map(|(id, name, balance)| {
            format!(
                r#"{{"budget_id":{},"budget_name":{},"balance":"{balance}","currency":"USD"}}"#,
                js(id),
                js(name)
            )
        })
        .collect();
    envelope(&format!("[{}]", items.join(",")))
}

fn server() -> Scripted {
    Scripted::start(vec![(LIST, 200, budgets_reply())])
}

#[tokio::test(flavor = "multi_thread")]
async fn budget_names_and_ids_are_escaped_in_the_table() {
    let server = server();
    let run = server.ahrvo(&["budgets", "list"]).await;
    run.expect(0);
    assert_inert("budgets list", &run.stdout);
    let out = &run.stdout;
    assert!(out.contains(r"\u{1b}]0;x\u{7}\u{1b}[2J"), "{out}");
    assert!(out.contains(r"\u{d}\u{a}FAKE ROW"), "{out}");
    assert!(
        out.contains(r"csi\u{9b}31m del\u{7f} rlo\u{202e}txt"),
        "{out}"
    );
    assert!(out.contains(r"ci\u{1b}[2J000000000008"), "{out}");
    // Header, rule, one line per budget: no forged row.
    assert_eq!(out.lines().count(), 2 + budgets().len(), "{out}");
    assert!(!out.lines().any(|l| l.starts_with("FAKE ROW")), "{out}");
    // Tables are for people: no formula guard there.
    assert!(out.contains("=HYPERLINK("), "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn csv_escapes_and_guards_text_fields_but_not_numbers() {
    let server = server();
    let run = server.ahrvo(&["budgets", "list", "-o", "csv"]).await;
    run.expect(0);
    assert_inert("budgets list csv", &run.stdout);
    let mut reader = csv::Reader::from_reader(run.stdout.as_bytes());
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    assert_eq!(rows.len(), budgets().len(), "{}", run.stdout);
    let name = |i: usize| rows[i][1].as_str();
    assert_eq!(name(0), r"\u{1b}]0;x\u{7}\u{1b}[2J");
    assert_eq!(name(1), r"\u{d}\u{a}FAKE ROW");
    assert_eq!(name(2), "'=HYPERLINK(\"http://evil.example\",\"x\")");
    assert_eq!(name(3), "'@SUM(A1:A9)");
    assert_eq!(name(4), "'+1+cmd|' /C calc'!A0");
    assert_eq!(name(5), "'-2+3");
    assert_eq!(rows[7][0], r"ci\u{1b}[2J000000000008");
    // Numbers stay as they are, negative amounts included.
    assert_eq!(rows[1][2], "-5.00");
    assert_eq!(rows[2][2], "20000.00");
}

#[tokio::test(flavor = "multi_thread")]
async fn json_is_escaped_by_json_and_keeps_the_exact_strings() {
    let server = server();
    let run = server.ahrvo(&["budgets", "list", "-o", "json"]).await;
    run.expect(0);
    // serde_json escapes C0; DEL, C1 and bidi controls are written as \u escapes too.
    assert_inert("budgets list json", &run.stdout);
    assert!(run.stdout.contains(r"\u009b"), "{}", run.stdout);
    assert!(run.stdout.contains(r"\u202e"), "{}", run.stdout);
    let json = run.json();
    for (i, (id, name, _)) in budgets().iter().enumerate() {
        assert_eq!(json[i]["budget_id"], id.as_str());
        assert_eq!(json[i]["budget_name"], name.as_str());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn reports_and_watch_escape_what_they_print() {
    let server = server();
    for args in [
        &["budgets", "report"][..],
        &["budgets", "report", "-o", "csv"],
        &["budgets", "report", "-o", "json"],
        &["watch", "budgets", "--count", "1"],
        &["watch", "budgets", "--count", "1", "-o", "csv"],
        &["watch", "budgets", "--count", "1", "-o", "json"],
    ] {
        let run = server.ahrvo(args).await;
        assert!(run.code == 0 || run.code == 1, "{args:?}: {}", run.stderr);
        assert_inert(&format!("{args:?}"), &run.stdout);
        assert_inert(&format!("{args:?} stderr"), &run.stderr);
        if !args.contains(&"json") {
            assert!(
                run.stdout.contains(r"\u{1b}]0;x\u{7}\u{1b}[2J"),
                "{args:?}: {}",
                run.stdout
            );
        }
    }
    // The report's CSV guards formulas too.
    let run = server.ahrvo(&["budgets", "report", "-o", "csv"]).await;
    assert!(run.stdout.contains(",\"'=HYPERLINK("), "{}", run.stdout);
    assert!(run.stdout.contains(",-5.00,"), "{}", run.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn card_numbers_are_escaped_in_every_card_view() {
    let data = format!(
        r#"{{"card_number":{},"available_balance":"40.00"}}"#,
        js("5157\u{1b}[H\r\nFAKE 2686")
    );
    let server = Scripted::start(vec![(CARD_BALANCE, 200, envelope(&data))]);
    let card = "card201907021723076245";
    for args in [
        &["cards", "balance", card][..],
        &["cards", "balance", card, "-o", "csv"],
        &["cards", "balance", card, "-o", "json"],
        &["cards", "check-funds", card, "10.00"],
        &["cards", "check-funds", card, "10.00", "-o", "csv"],
        &["cards", "report", card],
        &["cards", "report", card, "-o", "csv"],
    ] {
        let run = server.ahrvo(args).await;
        assert!(run.code == 0 || run.code == 1, "{args:?}: {}", run.stderr);
        assert_inert(&format!("{args:?}"), &run.stdout);
        if !args.contains(&"json") {
            assert!(
                run.stdout.contains(r"5157\u{1b}[H\u{d}\u{a}FAKE 2686"),
                "{args:?}: {}",
                run.stdout
            );
        }
    }
}

/// A Balance Entry whose description, ids and tags carry control sequences.
fn hostile_entry() -> String {
    format!(
        r#"{{"id":"balance_entry_x","created_at":"2024-05-01T18:04:33.42Z",
        "updated_at":"2024-05-06T15:21:09.17Z","amount":-250000,"created_by":"SYSTEM",
        "currency":"USD","description":{},"entity_id":{},"entity_type":"TRANSFER",
        "estimated_posted_date":null,"linked_to":"APgPDQrLD52TYvqazjHJJchM",
        "linked_type":"APPLICATION","parent_balance_entry_id":null,"posted_at":null,
        "state":"SUCCEEDED","tags":{{{}:{}}},"transaction_date":null,"type":"PAYOUT",
        "wire_details":null}}"#,
        js(&format!("refund{FORGE}{RETITLE}")),
        js("entity\u{1b}[31m"),
        js("k\u{1b}[1m"),
        js("v\u{7}"),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn single_record_views_escape_every_field() {
    let server = Scripted::start(vec![("/balance_entries/", 200, hostile_entry())]);
    for args in [
        &["balance-entries", "get", "balance_entry_x"][..],
        &["balance-entries", "get", "balance_entry_x", "-o", "csv"],
        &["balance-entries", "get", "balance_entry_x", "-o", "json"],
    ] {
        let run = server.ahrvo(args).await;
        run.expect(0);
        assert_inert(&format!("{args:?}"), &run.stdout);
        if !args.contains(&"json") {
            for shown in [
                r"refund\u{d}\u{a}FAKE ROW\u{1b}]0;x\u{7}\u{1b}[2J",
                r"entity\u{1b}[31m",
                r"k\u{1b}[1m=v\u{7}",
            ] {
                assert!(
                    run.stdout.contains(shown),
                    "{args:?}: {shown} in {}",
                    run.stdout
                );
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn error_codes_messages_and_json_paths_are_escaped_on_stderr() {
    let issuing_error = format!(
        r#"{{"code":{},"message":{}}}"#,
        js("BAD\u{1b}]0;pwned\u{7}"),
        js("no\u{1b}[2J")
    );
    let payments_error = format!(
        r#"{{"total":1,"_embedded":{{"errors":[{{"code":{},"message":"gone","logref":"0123456789abcdef"}}]}}}}"#,
        js("GONE\u{1b}[2J\r\nerror: forged")
    );
    // A Balance whose tag value is a number (the API's tags are strings): a decode error whose
    // JSON path names the hostile key.
    let bad_balance = format!(
        r#"{{"id":"balance_x","created_at":"2024-05-01T18:04:33.42Z",
        "updated_at":"2024-05-01T18:04:33.42Z","available_amount":1,"currency":"USD",
        "pending_amount":0,"posted_amount":1,"tags":{{{}:5}},"type":"DISBURSEMENT"}}"#,
        js("k\u{1b}[2J")
    );
    let server = Scripted::start(vec![
        (LIST, 400, issuing_error),
        ("/balances/balance_gone", 404, payments_error),
        ("/balances/balance_x", 200, bad_balance),
    ]);
    let run = server.ahrvo(&["budgets", "list"]).await;
    run.expect(5).one_error_line(r"[BAD\u{1b}]0;pwned\u{7}]");
    assert_inert("issuing error", &run.stderr);

    let run = server.ahrvo(&["balances", "get", "balance_gone"]).await;
    run.expect(4)
        .one_error_line(r"GONE\u{1b}[2J\u{d}\u{a}error: forged");
    assert_inert("payments error", &run.stderr);

    let run = server.ahrvo(&["balances", "get", "balance_x"]).await;
    run.expect(5).one_error_line(r"k\u{1b}[2J");
    assert_inert("decode error", &run.stderr);

    // The SDK's own log lines (-v, -vv) quote the same codes and messages: escaped too.
    for verbose in ["-v", "-vv"] {
        for args in [
            &["budgets", "list"][..],
            &["balances", "get", "balance_gone"],
        ] {
            let mut args = args.to_vec();
            args.push(verbose);
            let run = server.ahrvo(&args).await;
            assert!(run.code == 4 || run.code == 5, "{args:?}: {}", run.stderr);
            assert!(
                run.stderr.lines().count() > 1,
                "{args:?}: no log: {}",
                run.stderr
            );
            assert_inert(&format!("{args:?} log"), &run.stderr);
        }
    }
}
