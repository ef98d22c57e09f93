//! `ahrvo reconcile --expected FILE.csv`.

use std::path::PathBuf;

use ahrvo_sandbox::CardKind;

use crate::common::{CARD, SHARED_CARD, ahrvo, seeded};

/// Writes `text` to a fresh file for this test.
fn csv_file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ahrvo-cli-reconcile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread")]
async fn everything_matching_exits_0_in_every_format() {
    let sandbox = seeded().await;
    let other = sandbox
        .create_card("ci202507232016182662", CardKind::Dedicated)
        .unwrap();
    sandbox.top_up_card(&other, "25.50").unwrap();
    let file = csv_file(
        "match.csv",
        &format!("card_id,balance\r\n{CARD},1468.87\r\n\"{other}\", 25.51\r\n"),
    );
    let path = file.to_str().unwrap();

    let run = ahrvo(&sandbox, &["reconcile", "--expected", path]).await;
    run.expect(0);
    let out = &run.stdout;
    assert!(out.starts_with("CARD ID "), "{out}");
    assert!(out.contains("1468.87  1468.87        0.00  MATCH"), "{out}");
    assert!(out.contains("25.51    25.50       -0.01  MATCH"), "{out}");
    assert!(
        out.contains("2 checked: 2 matched, 0 discrepancies (total 0.00), 0 missing, 0 failed")
    );

    let run = ahrvo(&sandbox, &["reconcile", "--expected", path, "-o", "json"]).await;
    run.expect(0);
    let json = run.json();
    assert_eq!(json["summary"]["checked"], 2);
    assert_eq!(json["summary"]["matched"], 2);
    assert_eq!(json["lines"][0]["card_number"], "5157********2686");
    assert_eq!(json["lines"][0]["expected"], "1468.87");
    assert_eq!(json["lines"][0]["actual"], "1468.87");
    assert_eq!(json["lines"][1]["difference"], "-0.01");

    let run = ahrvo(&sandbox, &["reconcile", "--expected", path, "-o", "csv"]).await;
    run.expect(0);
    let lines = run.csv_lines();
    assert_eq!(
        lines[0],
        "card_id,card_number,expected,actual,difference,status,error"
    );
    assert_eq!(
        lines[1],
        format!("{CARD},5157********2686,1468.87,1468.87,0.00,MATCH,")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_discrepancy_or_an_unknown_card_is_a_finding() {
    let sandbox = seeded().await;
    let file = csv_file(
        "diff.csv",
        &format!("card_id,balance\n{CARD},1500.00\ncardnope,1.00\n{SHARED_CARD},0.00\n"),
    );
    let path = file.to_str().unwrap();
    let run = ahrvo(&sandbox, &["reconcile", "--expected", path]).await;
    run.expect(1);
    assert!(
        run.stdout
            .contains("1500.00  1468.87      -31.13  DISCREPANCY"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("FAILED       not found (HTTP 404)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("3 checked: 0 matched, 1 discrepancy (total 31.13), 0 missing, 2 failed")
    );
    assert!(
        run.stderr.starts_with("summary: 1 ok, 2 failed"),
        "{}",
        run.stderr
    );

    let run = ahrvo(&sandbox, &["reconcile", "--expected", path, "-o", "json"]).await;
    run.expect(1);
    let json = run.json();
    assert_eq!(json["lines"][0]["status"], "DISCREPANCY");
    assert_eq!(json["lines"][0]["difference"], "-31.13");
    assert_eq!(json["lines"][1]["status"], "FAILED");
    assert!(
        json["lines"][1]["error"]
            .as_str()
            .unwrap()
            .contains("HTTP 404")
    );
    assert_eq!(json["summary"]["total_discrepancy"], "31.13");

    let run = ahrvo(&sandbox, &["reconcile", "--expected", path, "-o", "csv"]).await;
    run.expect(1);
    assert!(run.csv_lines()[1].ends_with(",1500.00,1468.87,-31.13,DISCREPANCY,"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_card_holding_more_than_expected_shows_a_plus() {
    let sandbox = seeded().await;
    let file = csv_file("more.csv", &format!("card_id,balance\n{CARD},1000\n"));
    let path = file.to_str().unwrap();
    // People read the sign in the table and in CSV...
    let run = ahrvo(&sandbox, &["reconcile", "--expected", path]).await;
    run.expect(1);
    assert!(
        run.stdout
            .contains("1000  1468.87     +468.87  DISCREPANCY"),
        "{}",
        run.stdout
    );
    let run = ahrvo(&sandbox, &["reconcile", "--expected", path, "-o", "csv"]).await;
    run.expect(1);
    assert!(run.csv_lines()[1].ends_with(",1000,1468.87,+468.87,DISCREPANCY,"));
    // ...JSON is the report's own serialization: the exact decimal, as every amount.
    let run = ahrvo(&sandbox, &["reconcile", "--expected", path, "-o", "json"]).await;
    run.expect(1);
    assert_eq!(run.json()["lines"][0]["difference"], "468.87");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_csv_file_exits_2_naming_the_line() {
    let sandbox = seeded().await;
    let cases = [
        (
            "header.csv",
            "id,amount\ncard1,1.00\n",
            "line 1: expected the header",
        ),
        ("amount.csv", "card_id,balance\ncard1,$5\n", "line 2:"),
        (
            "fields.csv",
            "card_id,balance\ncard1,1.00,x\n",
            "line 2: expected 2 fields",
        ),
        (
            "dup.csv",
            "card_id,balance\ncard1,1\ncard1,2\n",
            "line 3: card \"card1\" was already given on line 2",
        ),
        ("empty.csv", "", "line 1: expected the header"),
    ];
    for (name, text, needle) in cases {
        let file = csv_file(name, text);
        let run = ahrvo(
            &sandbox,
            &["reconcile", "--expected", file.to_str().unwrap()],
        )
        .await;
        run.expect(2).one_error_line(needle);
        assert!(run.stderr.contains(name), "{}", run.stderr);
        assert!(run.stdout.is_empty());
    }
    let bytes = csv_file("latin1.csv", "");
    std::fs::write(&bytes, b"card_id,balance\ncaf\xe9,1\n").unwrap();
    let run = ahrvo(
        &sandbox,
        &["reconcile", "--expected", bytes.to_str().unwrap()],
    )
    .await;
    run.expect(2).one_error_line("not UTF-8");
    let run = ahrvo(
        &sandbox,
        &["reconcile", "--expected", "/nonexistent/expected.csv"],
    )
    .await;
    run.expect(2)
        .one_error_line("cannot read /nonexistent/expected.csv");
    assert_eq!(sandbox.stats().requests, 0, "nothing was sent");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_token_exits_3() {
    let sandbox = seeded().await;
    let file = csv_file("auth.csv", &format!("card_id,balance\n{CARD},1468.87\n"));
    let run = ahrvo(
        &sandbox,
        &[
            "--access-token",
            "nope",
            "reconcile",
            "--expected",
            file.to_str().unwrap(),
        ],
    )
    .await;
    run.expect(3).one_error_line("unauthorized (HTTP 401)");
    assert!(run.stdout.is_empty());
}
