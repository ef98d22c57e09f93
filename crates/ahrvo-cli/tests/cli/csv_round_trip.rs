//! Every CSV the CLI writes reads back as written with the `csv` crate, and `reconcile` reads
//! quoted fields (a comma, a quote, a line break) as they were written. What the CLI writes
//! shows control characters escaped (`\u{a}`), in CSV as in tables.

use crate::common::{CARD, ahrvo, seeded};

/// Reads CSV text with the `csv` crate: the header, then the records.
fn read(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_budget_name_with_a_comma_and_quotes_reads_back_as_written() {
    let sandbox = seeded().await;
    let name = "Ops, \"EU\" team";
    sandbox.create_budget(name, "EUR").unwrap();
    let run = ahrvo(&sandbox, &["budgets", "list", "-o", "csv"]).await;
    run.expect(0);
    let (header, rows) = read(&run.stdout);
    assert_eq!(header, ["budget_id", "budget_name", "balance", "currency"]);
    let row = rows.iter().find(|r| r[3] == "EUR").expect("the EUR budget");
    assert_eq!(row[1], name);
    assert_eq!(row[2], "0.00");
}

#[tokio::test(flavor = "multi_thread")]
async fn reconcile_reads_quoted_fields_and_writes_them_back_the_same() {
    let sandbox = seeded().await;
    let comma = "card, with a comma";
    let quote_newline = "card \"quoted\"\nand a new line";
    // Written with the `csv` crate: RFC 4180 quoting, as any spreadsheet writes it.
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(["card_id", "balance"]).unwrap();
    writer.write_record([CARD, "1468.87"]).unwrap();
    writer.write_record([comma, "1.00"]).unwrap();
    writer.write_record([quote_newline, "2.00"]).unwrap();
    let text = String::from_utf8(writer.into_inner().unwrap()).unwrap();
    assert!(
        text.contains("\"card \"\"quoted\"\"\nand a new line\""),
        "{text}"
    );
    let dir = std::env::temp_dir().join(format!("ahrvo-cli-csv-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("quoted.csv");
    std::fs::write(&path, text).unwrap();
    let path = path.to_str().unwrap();

    // The two odd ids are no card the API knows: a finding, not a usage error.
    let run = ahrvo(&sandbox, &["reconcile", "--expected", path, "-o", "json"]).await;
    run.expect(1);
    let json = run.json();
    let ids: Vec<&str> = json["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["card_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [CARD, comma, quote_newline]);
    assert_eq!(json["lines"][0]["status"], "MATCH");
    assert_eq!(json["lines"][1]["status"], "FAILED");

    let run = ahrvo(&sandbox, &["reconcile", "--expected", path, "-o", "csv"]).await;
    run.expect(1);
    let (header, rows) = read(&run.stdout);
    assert_eq!(
        header,
        [
            "card_id",
            "card_number",
            "expected",
            "actual",
            "difference",
            "status",
            "error"
        ]
    );
    // CSV shows a line break inside a field escaped, as tables do (a quoted CRLF would forge a
    // row on a terminal); JSON keeps it exact.
    let ids: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(ids, [CARD, comma, "card \"quoted\"\\u{a}and a new line"]);
    assert_eq!(rows[0][5], "MATCH");
    assert_eq!(rows[2][2], "2.00");
    assert_eq!(rows[2][5], "FAILED");
    // The whole error message, whatever it holds, reads back as the JSON gives it.
    assert_eq!(rows[1][6], json["lines"][1]["error"].as_str().unwrap());
}
